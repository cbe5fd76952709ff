//! The Escucha team-log server: where every teammate's captures meet.
//!
//! [`app`] builds the whole HTTP surface as one `Router`, so tests drive it
//! with `tower::ServiceExt::oneshot` exactly as the binary serves it. The
//! sync API v1 contract is `docs/sync-api.openapi.yaml`.

pub mod accounts;
pub mod auth;
pub mod bulk;
pub mod connections;
pub mod db;
pub mod delivery;
pub mod errors;
pub mod export;
pub mod facet_pass;
// digest13 (issue 13): weekly digests and spike alerts.
pub mod feedback;
pub mod guard;
pub mod member_routes;
pub mod members;
pub mod postgres;
pub mod query;
pub mod query_routes;
pub mod quota;
pub mod rate_limit;
// sla13 (issue 13): response-time reports.
pub mod reports;
pub mod request_log;
pub mod rollup;
pub mod routes;
pub mod routing;
pub mod saved_views;
pub mod storage;
pub mod store;
pub mod team_config;

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Json};
use axum::routing::{any, delete, get, post, put};
use axum::Router;
use escucha_core::sync::api::{MAX_BODY_BYTES, MAX_PUSH_ITEMS};
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

pub use db::Db;
use guard::Guards;
use rate_limit::{AddressRateLimit, AuthFailures, TokenRateLimit};
pub use storage::Storage;

/// Request limits; the defaults are the contract's.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub max_push_items: usize,
    /// Sustained requests per minute per token, and the burst allowed.
    pub rate_per_minute: NonZeroU32,
    pub rate_burst: NonZeroU32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: MAX_BODY_BYTES,
            max_push_items: MAX_PUSH_ITEMS,
            rate_per_minute: NonZeroU32::new(600).expect("non-zero"),
            rate_burst: NonZeroU32::new(120).expect("non-zero"),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ServerConfig {
    /// Origins allowed to call the API from a browser (CORS), e.g.
    /// `chrome-extension://<id>`. Empty: no cross-origin access at all.
    pub cors_origins: Vec<HeaderValue>,
    pub limits: Limits,
    /// Bounds checked before authentication (see [`guard`]).
    pub guards: Guards,
    /// Per-team quotas (see [`quota`]); off by default.
    pub quotas: quota::Quotas,
    /// outbox13: the delivery worker's settings (incl. private targets).
    pub delivery: delivery::worker::WorkerConfig,
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing else.
pub fn parse_origin(origin: &str) -> Result<HeaderValue, String> {
    let bad = || {
        format!("\u{201c}{origin}\u{201d} is not an origin; write it as scheme://host[:port], e.g. chrome-extension://abcdefghijklmnopabcdefghijklmnop or https://team.example")
    };
    let (scheme, rest) = origin.split_once("://").ok_or_else(bad)?;
    let scheme_ok = !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest_ok = !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !scheme_ok || !rest_ok {
        return Err(bad());
    }
    HeaderValue::from_str(origin).map_err(|_| bad())
}

/// Everything a request handler may need.
#[derive(Clone)]
pub struct AppState {
    pub storage: Storage,
    pub config: Arc<ServerConfig>,
    pub rate_limit: Arc<TokenRateLimit>,
    pub address_limit: Arc<AddressRateLimit>,
    pub auth_failures: Arc<AuthFailures>,
}

impl AppState {
    pub fn new(storage: Storage, config: ServerConfig) -> AppState {
        let rate_limit = TokenRateLimit::new(config.limits.rate_per_minute, config.limits.rate_burst);
        let g = &config.guards;
        let n = |v: u32| NonZeroU32::new(v.max(1)).expect("non-zero");
        let address_limit = AddressRateLimit::new(n(g.address_rate_per_minute), n(g.address_burst));
        let auth_failures = AuthFailures::new(g.auth_failures_per_minute);
        AppState {
            storage,
            config: Arc::new(config),
            rate_limit: Arc::new(rate_limit),
            address_limit: Arc::new(address_limit),
            auth_failures: Arc::new(auth_failures),
        }
    }

    /// The per-token rate limit. On PostgreSQL the buckets are in the
    /// database, so every server behind a load balancer counts the same
    /// requests; on SQLite (one process per file) they are this process's.
    /// `Ok(Err(wait))`: the token must wait.
    pub async fn check_rate(&self, who: &accounts::Identity) -> Result<Result<(), Duration>, db::DbError> {
        let limits = &self.config.limits;
        match self.storage.shared_rate_check(who, limits.rate_per_minute.get(), limits.rate_burst.get()).await {
            Some(shared) => shared,
            None => Ok(self.rate_limit.check(&who.token_id)),
        }
    }
}

/// Where static files come from.
#[derive(Clone, Debug)]
pub struct StaticDirs {
    /// The team dashboard (`www/`), served at `/`.
    pub www: PathBuf,
    /// Optional demo pages (the test fixtures), served at `/demo/`.
    pub demo: Option<PathBuf>,
}

/// Every API route: (method, path). The OpenAPI test checks each appears in
/// docs/sync-api.openapi.yaml.
pub const API_ROUTES: [(&str, &str); 30] = [
    ("get", "/api/v1/me"),
    ("post", "/api/v1/push"),
    ("get", "/api/v1/pull"),
    ("post", "/api/v1/captures/{id}/edit"),
    ("get", "/api/v1/export.csv"),
    ("get", "/api/v1/export.json"),
    ("get", "/healthz"),
    ("get", "/api/v1/captures"),
    ("get", "/api/v1/facets"),
    ("get", "/api/v1/aggregates"),
    ("get", "/api/v1/page-captures"),
    // roles12: members, roles and tokens.
    ("get", "/api/v1/members"),
    ("post", "/api/v1/members"),
    ("put", "/api/v1/members/{name}/role"),
    ("post", "/api/v1/members/{name}/tokens"),
    ("post", "/api/v1/me/token"),
    ("get", "/api/v1/config"),
    ("put", "/api/v1/config"),
    // queue12: bulk edits and saved views.
    ("post", "/api/v1/captures/bulk-edit"),
    ("get", "/api/v1/views"),
    ("post", "/api/v1/views"),
    ("delete", "/api/v1/views/{name}"),
    // outbox13: destinations and deliveries.
    ("get", "/api/v1/destinations"),
    ("put", "/api/v1/destinations/{name}"),
    ("delete", "/api/v1/destinations/{name}"),
    ("post", "/api/v1/destinations/{name}/test"),
    ("get", "/api/v1/deliveries"),
    ("post", "/api/v1/deliveries/{id}/retry"),
    // rules13: re-run the routing rules on existing captures.
    ("post", "/api/v1/rules/rerun"),
    // sla13: response-time reports.
    ("get", "/api/v1/reports"),
];

pub fn app(state: AppState, dirs: &StaticDirs) -> Router {
    let config = state.config.clone();
    let mut api = Router::new()
        .route("/api/v1/me", get(routes::me))
        .route("/api/v1/push", post(routes::push))
        .route("/api/v1/pull", get(routes::pull))
        .route("/api/v1/captures/{id}/edit", post(routes::edit))
        .route("/api/v1/export.csv", get(routes::export_csv))
        .route("/api/v1/export.json", get(routes::export_json))
        .route("/api/v1/captures", get(query_routes::captures))
        .route("/api/v1/facets", get(query_routes::facets))
        .route("/api/v1/aggregates", get(query_routes::aggregates))
        .route("/api/v1/page-captures", get(query_routes::page_captures))
        .route("/api/v1/members", get(member_routes::list).post(member_routes::add))
        .route("/api/v1/members/{name}/role", put(member_routes::set_role))
        .route("/api/v1/members/{name}/tokens", post(member_routes::issue_token))
        .route("/api/v1/me/token", post(member_routes::rotate_own_token))
        .route("/api/v1/config", get(team_config::get).put(team_config::put))
        // queue12
        .route("/api/v1/captures/bulk-edit", post(bulk::bulk_edit))
        .route("/api/v1/views", get(saved_views::list).post(saved_views::save))
        .route("/api/v1/views/{name}", delete(saved_views::delete))
        // outbox13
        .route("/api/v1/destinations", get(delivery::routes::list))
        .route("/api/v1/destinations/{name}", put(delivery::routes::put).delete(delivery::routes::delete))
        .route("/api/v1/destinations/{name}/test", post(delivery::routes::test_send))
        .route("/api/v1/deliveries", get(delivery::routes::log))
        .route("/api/v1/deliveries/{id}/retry", post(delivery::routes::retry_now))
        // rules13
        .route("/api/v1/rules/rerun", post(routing::rerun_route))
        // sla13
        .route("/api/v1/reports", get(reports::get))
        .route("/api", any(routes::api_fallback))
        .route("/api/{*rest}", any(routes::api_fallback))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(config.limits.max_body_bytes))
        .with_state(state.clone());
    if !config.cors_origins.is_empty() {
        // Preflights are answered here, before authentication; origins not
        // listed get no CORS headers, so browsers refuse them.
        api = api.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(config.cors_origins.iter().cloned()))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::IF_NONE_MATCH])
                .expose_headers([header::RETRY_AFTER, header::CONTENT_DISPOSITION, header::ETAG])
                .max_age(Duration::from_secs(600)),
        );
    }
    let guard_state = state.clone();
    let mut router = Router::new().route("/healthz", get(healthz)).with_state(state).merge(api);
    if let Some(demo) = &dirs.demo {
        router = router.nest_service("/demo", ServeDir::new(demo));
    }
    router
        .fallback_service(ServeDir::new(&dirs.www).append_index_html_on_directories(true))
        .layer(axum::middleware::from_fn_with_state(guard_state, guard::guard))
        .layer(axum::middleware::from_fn(request_log::log_request))
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Liveness plus a real round trip to the database.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.storage.health().await {
        Ok(storage) => (
            StatusCode::OK,
            Json(
                json!({ "status": "ok", "version": escucha_core::VERSION, "protocol": escucha_core::sync::api::PROTOCOL_VERSION, "storage": storage }),
            ),
        ),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "error", "code": "storage_unavailable", "message": e.0 }))),
    }
}

#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod queue_tests;
#[cfg(test)]
mod reports_tests;
#[cfg(test)]
mod routing_tests;
#[cfg(test)]
mod team_config_tests;
#[cfg(test)]
mod tests;
