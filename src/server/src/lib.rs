//! The Escucha team-log server: where every teammate's captures meet.
//!
//! [`app`] builds the whole HTTP surface as one `Router`, so tests drive it
//! with `tower::ServiceExt::oneshot` exactly as the binary serves it.

pub mod db;

use std::path::PathBuf;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tower_http::services::ServeDir;

pub use db::Db;

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

/// Where static files come from.
#[derive(Clone, Debug)]
pub struct StaticDirs {
    /// The team dashboard (`www/`), served at `/`.
    pub www: PathBuf,
    /// Optional demo pages (the test fixtures), served at `/demo/`.
    pub demo: Option<PathBuf>,
}

pub fn app(state: AppState, dirs: &StaticDirs) -> Router {
    let mut router = Router::new().route("/healthz", get(healthz)).with_state(state);
    if let Some(demo) = &dirs.demo {
        router = router.nest_service("/demo", ServeDir::new(demo));
    }
    router
        .fallback_service(ServeDir::new(&dirs.www).append_index_html_on_directories(true))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Liveness plus a real round trip to the database.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let db = state.db.clone();
    match tokio::task::spawn_blocking(move || db.health()).await {
        Ok(Ok(storage)) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "version": escucha_core::VERSION, "storage": storage })),
        ),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "error", "code": "storage_unavailable", "message": e.0 })),
        ),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "status": "error", "code": "internal", "message": e.to_string() })),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn test_app(dir: &tempfile::TempDir) -> Router {
        let www = dir.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("index.html"), "<h1>Team log</h1>").unwrap();
        let demo = dir.path().join("demo");
        std::fs::create_dir_all(&demo).unwrap();
        std::fs::write(demo.join("forum.html"), "<p>Telefónica</p>").unwrap();
        let db = Db::open(&dir.path().join("t.sqlite3")).unwrap();
        app(AppState { db }, &StaticDirs { www, demo: Some(demo) })
    }

    async fn get_path(app: Router, path: &str) -> (StatusCode, String) {
        let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn health_reports_durable_storage() {
        let dir = tempfile::tempdir().unwrap();
        let (status, body) = get_path(test_app(&dir), "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], "ok");
        assert_eq!(v["storage"]["journalMode"], "wal");
        assert_eq!(v["storage"]["synchronous"], "full");
    }

    #[tokio::test]
    async fn serves_the_dashboard_and_demo_pages() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(get_path(test_app(&dir), "/").await, (StatusCode::OK, "<h1>Team log</h1>".into()));
        let (status, body) = get_path(test_app(&dir), "/demo/forum.html").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "<p>Telefónica</p>"));
        assert_eq!(get_path(test_app(&dir), "/nope.html").await.0, StatusCode::NOT_FOUND);
    }
}
