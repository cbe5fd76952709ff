//! `GET`/`PUT /api/v1/config` through the whole router, on each engine.

use super::*;
use crate::tests::{both_engines, Engine};
use axum::body::Body;
use axum::http::{HeaderMap, Request};
use escucha_core::brands::{BrandGroup, BrandKind, BrandList, Term};
use escucha_core::team_config::{ConfigError, RefusalBody, RefusalCode, TeamConfig, VersionedConfig};
use escucha_core::workspace::role::Role;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

struct Server {
    _dir: tempfile::TempDir,
    router: Router,
    storage: Storage,
}

impl Server {
    async fn new(engine: Engine) -> Option<Server> {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        let storage = match engine {
            Engine::Sqlite => Storage::Sqlite(Db::open(&dir.path().join("c.sqlite3")).unwrap()),
            Engine::Postgres => {
                let Some(admin) = postgres::test_postgres_url() else {
                    eprintln!("skipped: set ESCUCHA_TEST_POSTGRES for the PostgreSQL half");
                    return None;
                };
                Storage::open(&postgres::scratch_database(&admin, "escucha_config").await.unwrap()).await.unwrap()
            }
        };
        let router = app(AppState::new(storage.clone(), ServerConfig::default()), &StaticDirs { www, demo: None });
        Some(Server { _dir: dir, router, storage })
    }

    async fn member(&self, team: &str, name: &str) -> String {
        if self.storage.find_team(team).await.unwrap().is_none() {
            self.storage.create_team(team).await.unwrap();
        }
        self.storage.add_member(team, name).await.unwrap();
        self.storage.issue_token(name, Some(team)).await.unwrap().secret
    }

    /// A member with the admin role (who may PUT).
    async fn admin(&self, team: &str, name: &str) -> String {
        let token = self.member(team, name).await;
        let team_id = self.storage.find_team(team).await.unwrap().unwrap();
        self.storage.set_role(team_id, name, Role::Admin).await.unwrap();
        token
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn get(&self, token: &str, if_none_match: Option<&str>) -> (StatusCode, HeaderMap, Value) {
        let mut req = Request::get("/api/v1/config").header("authorization", format!("Bearer {token}"));
        if let Some(tag) = if_none_match {
            req = req.header("if-none-match", tag);
        }
        self.call(req.body(Body::empty()).unwrap()).await
    }

    async fn put_json(&self, token: &str, if_match: Option<&str>, body: Value) -> (StatusCode, HeaderMap, Value) {
        let mut req =
            Request::put("/api/v1/config").header("authorization", format!("Bearer {token}")).header("content-type", "application/json");
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        self.call(req.body(Body::from(body.to_string())).unwrap()).await
    }

    async fn put(&self, token: &str, if_match: Option<&str>, config: &TeamConfig) -> (StatusCode, HeaderMap, Value) {
        self.put_json(token, if_match, json!({ "config": config })).await
    }
}

fn config(terms: &[&str]) -> TeamConfig {
    let group = BrandGroup {
        id: "acme".into(),
        name: "Acme".into(),
        kind: BrandKind::Own,
        color: "#ffd54f".into(),
        enabled: true,
        terms: terms.iter().map(|t| Term::new(*t)).collect(),
        exclusions: vec![],
    };
    TeamConfig { brands: BrandList { groups: vec![group], ..BrandList::empty() }, ..TeamConfig::default() }
}

fn refusal(body: &Value) -> escucha_core::team_config::Refusal {
    serde_json::from_value::<RefusalBody>(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}")).error
}

fn etag(h: &HeaderMap) -> &str {
    h.get("etag").and_then(|v| v.to_str().ok()).unwrap_or("")
}

both_engines! {
    async fn versions_etags_and_preconditions(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.admin("acme", "ana").await;

        // Nothing yet: 404 with the version to start from.
        let (status, h, body) = s.get(&ana, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(refusal(&body).code, RefusalCode::NotFound);
        assert_eq!(etag(&h), "\"0\"");

        // No If-Match: 428, nothing stored.
        let (status, _, body) = s.put(&ana, None, &config(&["Acme"])).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
        assert_eq!(refusal(&body).code, RefusalCode::PreconditionRequired);
        assert_eq!(s.get(&ana, None).await.0, StatusCode::NOT_FOUND);
        let (status, _, _) = s.put(&ana, Some("*"), &config(&["Acme"])).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "a wildcard names no version");

        // The first version.
        let (status, h, body) = s.put(&ana, Some("\"0\""), &config(&["Acme"])).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let doc: VersionedConfig = serde_json::from_value(body).unwrap();
        assert_eq!((doc.version, etag(&h)), (1, "\"1\""));
        assert_eq!(doc.updated_by, "ana");
        assert_eq!(doc.config, config(&["Acme"]));

        // Read back, then a conditional read that has it.
        let (status, h, body) = s.get(&ana, None).await;
        assert_eq!((status, etag(&h)), (StatusCode::OK, "\"1\""), "{body}");
        assert_eq!(serde_json::from_value::<VersionedConfig>(body).unwrap().config, config(&["Acme"]));
        let (status, h, body) = s.get(&ana, Some("\"1\"")).await;
        assert_eq!((status, etag(&h), body), (StatusCode::NOT_MODIFIED, "\"1\"", Value::Null));
        assert_eq!(s.get(&ana, Some("\"0\"")).await.0, StatusCode::OK, "an old version gets the new one");

        // Stale: edited version 0 again, the current is 1.
        let (status, h, body) = s.put(&ana, Some("\"0\""), &config(&["Other"])).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
        let r = refusal(&body);
        assert_eq!((r.code, r.current_version, etag(&h)), (RefusalCode::PreconditionFailed, Some(1), "\"1\""));
        let (status, _, body) = s.put(&ana, Some("\"7\""), &config(&["Other"])).await;
        assert_eq!((status, refusal(&body).current_version), (StatusCode::PRECONDITION_FAILED, Some(1)));

        // Right: version 2, and the stale edits left no trace.
        let (status, h, body) = s.put(&ana, Some("W/\"1\""), &config(&["Acme", "AcmeCorp"])).await;
        assert_eq!((status, etag(&h)), (StatusCode::OK, "\"2\""), "{body}");
        let (_, _, body) = s.get(&ana, None).await;
        let doc: VersionedConfig = serde_json::from_value(body).unwrap();
        assert_eq!((doc.version, doc.config), (2, config(&["Acme", "AcmeCorp"])));
    }

    async fn invalid_documents_are_refused_with_their_problems(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.admin("acme", "ana").await;
        let mut bad = config(&["Acme", ""]);
        bad.departments.push("Ingeniería".into()); // Engineering twice
        bad.deny.push("https://".into());
        let (status, _, body) = s.put(&ana, Some("\"0\""), &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let r = refusal(&body);
        assert_eq!(r.code, RefusalCode::BadRequest);
        assert!(r.problems.iter().any(|p| matches!(p, ConfigError::Brand { error } if error.path == "groups[0].terms[1]")), "{body}");
        assert!(r.problems.contains(&ConfigError::DepartmentDuplicate { index: 6, name: "Ingeniería".into() }), "{body}");
        assert!(r.problems.contains(&ConfigError::SiteRule { index: 0, rule: "https://".into() }), "{body}");
        assert_eq!(s.get(&ana, None).await.0, StatusCode::NOT_FOUND, "nothing stored");

        // Not the wrapped document (e.g. the GET answer sent back): 400, not an empty configuration.
        for body in [json!({ "version": 1, "config": config(&["Acme"]) }), json!(config(&["Acme"])), json!({ "config": 3 })] {
            let (status, _, answer) = s.put_json(&ana, Some("\"0\""), body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        }
        assert_eq!(s.get(&ana, None).await.0, StatusCode::NOT_FOUND, "nothing stored");
    }

    async fn each_team_has_its_own_document(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.admin("acme", "ana").await;
        let bo = s.admin("rival", "bo").await;
        assert_eq!(s.put(&ana, Some("\"0\""), &config(&["Acme"])).await.0, StatusCode::OK);
        assert_eq!(s.get(&bo, None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(s.put(&bo, Some("\"0\""), &config(&["Rival"])).await.0, StatusCode::OK, "versions are per team");
        let (_, _, body) = s.get(&ana, None).await;
        assert_eq!(serde_json::from_value::<VersionedConfig>(body).unwrap().config, config(&["Acme"]));
        assert_eq!(s.get(&ana, None).await.0, StatusCode::OK);
        // No token: the usual 401.
        let (status, _, _) = s.call(Request::get("/api/v1/config").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn concurrent_saves_over_one_version_keep_exactly_one(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.admin("acme", "ana").await;
        let bea = s.admin("acme", "bea").await;
        assert_eq!(s.put(&ana, Some("\"0\""), &config(&["Acme"])).await.0, StatusCode::OK);
        // Eight admins save over version 1 at once: one wins, seven get 412
        // with version 2, and the stored document is the winner's.
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let (router, token) = (s.router.clone(), if i % 2 == 0 { ana.clone() } else { bea.clone() });
                let body = json!({ "config": config(&["Acme", &format!("Edit {i}")]) }).to_string();
                tokio::spawn(async move {
                    let req = Request::put("/api/v1/config")
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .header("if-match", "\"1\"")
                        .body(Body::from(body))
                        .unwrap();
                    let res = router.oneshot(req).await.unwrap();
                    let status = res.status();
                    let body: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
                    (i, status, body)
                })
            })
            .collect();
        let mut won = vec![];
        for t in tasks {
            let (i, status, body) = t.await.unwrap();
            match status {
                StatusCode::OK => won.push(i),
                StatusCode::PRECONDITION_FAILED => assert_eq!(refusal(&body).current_version, Some(2), "{body}"),
                other => panic!("{other}: {body}"),
            }
        }
        assert_eq!(won.len(), 1, "{won:?}");
        let (_, _, body) = s.get(&ana, None).await;
        let doc: VersionedConfig = serde_json::from_value(body).unwrap();
        assert_eq!(doc.version, 2);
        assert_eq!(doc.config, config(&["Acme", &format!("Edit {}", won[0])]));
    }

    async fn only_admins_save_and_every_role_reads(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.admin("acme", "ana").await;
        let mo = s.member("acme", "mo").await;
        let vi = s.member("acme", "vi").await;
        let team_id = s.storage.find_team("acme").await.unwrap().unwrap();
        s.storage.set_role(team_id, "vi", Role::Viewer).await.unwrap();
        for token in [&mo, &vi] {
            let (status, _, body) = s.put(token, Some("\"0\""), &config(&["Mine"])).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["error"]["code"], "role_forbidden", "{body}");
        }
        assert_eq!(s.get(&ana, None).await.0, StatusCode::NOT_FOUND, "nothing stored by a member or viewer");
        assert_eq!(s.put(&ana, Some("\"0\""), &config(&["Acme"])).await.0, StatusCode::OK);
        for token in [&ana, &mo, &vi] {
            let (status, h, _) = s.get(token, None).await;
            assert_eq!((status, etag(&h)), (StatusCode::OK, "\"1\""));
        }
    }
}
