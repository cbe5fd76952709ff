//! queue12: the dashboard queue's routes (bulk edits, saved views) driven
//! through the whole router with `oneshot`, on SQLite and on PostgreSQL
//! (skipped, said in one line, when `ESCUCHA_TEST_POSTGRES` is not set).

use super::*;
use crate::tests::{both_engines, Engine};
use axum::body::Body;
use axum::http::Request;
use escucha_core::dashboard::bulk::{BulkEditResponse, MAX_BULK_IDS};
use escucha_core::dashboard::saved_view::{SavedViews, MAX_VIEWS_PER_MEMBER};
use escucha_core::log::{Capture, CaptureContext, Stamp, Status, Tags};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

struct Harness {
    _dir: tempfile::TempDir,
    router: Router,
    storage: Storage,
}

async fn harness(engine: Engine) -> Option<Harness> {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    let storage = match engine {
        Engine::Sqlite => Storage::Sqlite(Db::open(&dir.path().join("t.sqlite3")).unwrap()),
        Engine::Postgres => {
            let Some(admin) = postgres::test_postgres_url() else {
                eprintln!("skipped: PostgreSQL half (set ESCUCHA_TEST_POSTGRES)");
                return None;
            };
            let url = postgres::scratch_database(&admin, "escucha_queue").await.unwrap();
            Storage::open(&url).await.unwrap()
        }
    };
    let router = app(AppState::new(storage.clone(), ServerConfig::default()), &StaticDirs { www, demo: None });
    Some(Harness { _dir: dir, router, storage })
}

impl Harness {
    async fn member(&self, team: &str, name: &str) -> String {
        if self.storage.find_team(team).await.unwrap().is_none() {
            self.storage.create_team(team).await.unwrap();
        }
        self.storage.add_member(team, name).await.unwrap();
        self.storage.issue_token(name, Some(team)).await.unwrap().secret
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn push(&self, token: &str, items: &[Capture]) {
        let (status, body) = self.call("POST", "/api/v1/push", token, Some(json!({ "items": items }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn status_of(&self, token: &str, id: &str) -> Status {
        let (_, page) = self.call("GET", "/api/v1/captures?limit=500", token, None).await;
        let item = page["items"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id} not listed"));
        serde_json::from_value(item["status"]["value"].clone()).unwrap()
    }
}

fn capture(n: u16, actor: &str) -> Capture {
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        comment_text: format!("Movistar me cobró dos veces ({n})"),
        brand: "Telefónica".into(),
        ..Default::default()
    };
    let ms = now_ms() - 60_000 + i64::from(n);
    let id = escucha_core::log::record::uuid_v7(ms, [n as u8; 10]);
    Capture::new(id, ctx, &Tags::default(), actor, Stamp { ms, counter: 0, actor: actor.into() })
}

both_engines! {
async fn a_bulk_edit_changes_the_selection_and_answers_per_capture(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    let other_team = h.member("Otro", "olga").await;
    let caps: Vec<Capture> = (1..=4).map(|n| capture(n, "ana")).collect();
    h.push(&ana, &caps).await;
    let foreign = capture(9, "olga");
    h.push(&other_team, std::slice::from_ref(&foreign)).await;

    // Captures 1 and 2, plus one of another team's (which this team cannot see).
    let ids = vec![caps[0].id.clone(), caps[1].id.clone(), foreign.id.clone()];
    let (status, body) = h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(json!({"ids": ids, "edit": {"status": "closed"}}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r: BulkEditResponse = serde_json::from_value(body).unwrap();
    let got: Vec<(&str, bool, Option<&str>)> =
        r.results.iter().map(|i| (i.id.as_str(), i.ok, i.error.as_ref().map(|e| e.code.as_str()))).collect();
    assert_eq!(got, vec![(ids[0].as_str(), true, None), (ids[1].as_str(), true, None), (ids[2].as_str(), false, Some("not_found"))]);
    assert_eq!(h.status_of(&ana, &caps[0].id).await, Status::Closed);
    assert_eq!(h.status_of(&ana, &caps[1].id).await, Status::Closed);
    assert_eq!(h.status_of(&ana, &caps[2].id).await, Status::New, "not selected, not changed");
    assert_eq!(h.status_of(&other_team, &foreign.id).await, Status::New, "another team's capture is untouched");

    // The edits travel like any other: a pull sees them, stamped by the member.
    let (_, pulled) = h.call("GET", "/api/v1/pull", &ana, None).await;
    let first = pulled["items"].as_array().unwrap().iter().find(|c| c["id"] == caps[0].id.as_str()).unwrap();
    assert_eq!(first["status"]["stamp"]["actor"], "member:ana");

    // A department for two, then cleared for one.
    let two = json!({"ids": [caps[2].id, caps[3].id], "edit": {"department": "Soporte", "priority": "urgent"}});
    assert_eq!(h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(two)).await.0, StatusCode::OK);
    let (_, page) = h.call("GET", "/api/v1/captures?department=Soporte&sort=priority&order=desc", &ana, None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);

    // Assign three, then unassign one ("" clears); the queue's filter sees it.
    let assign = json!({"ids": [caps[0].id, caps[1].id, caps[2].id], "edit": {"assignee": "luis"}});
    assert_eq!(h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(assign)).await.0, StatusCode::OK);
    let unassign = json!({"ids": [caps[2].id], "edit": {"assignee": ""}});
    assert_eq!(h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(unassign)).await.0, StatusCode::OK);
    let (_, page) = h.call("GET", "/api/v1/captures?assignee=luis", &ana, None).await;
    let mut got: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    got.sort();
    let mut want = vec![caps[0].id.as_str(), caps[1].id.as_str()];
    want.sort();
    assert_eq!(got, want);
    // Each change is a history event by the member who made it.
    let third = page["items"].as_array().unwrap()[0]["history"].to_string();
    assert!(third.contains("\"assignee\"") && third.contains("\"ana\""), "{third}");
}

async fn a_malformed_or_oversized_bulk_edit_changes_nothing(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    let c = capture(1, "ana");
    h.push(&ana, std::slice::from_ref(&c)).await;
    let too_many: Vec<String> = (0..=MAX_BULK_IDS).map(|i| escucha_core::log::record::uuid_v7(now_ms(), [(i % 250) as u8, (i / 250) as u8, 0, 0, 0, 0, 0, 0, 0, 1])).collect();
    let cases = [
        (json!({"ids": too_many, "edit": {"status": "closed"}}), StatusCode::PAYLOAD_TOO_LARGE, "too_many_items", "at most 200"),
        (json!({"ids": [c.id], "edit": {"deleted": true}}), StatusCode::BAD_REQUEST, "bad_request", "edit.deleted"),
        (json!({"ids": [c.id], "edit": {"status": "done"}}), StatusCode::BAD_REQUEST, "bad_request", "status"),
        (json!({"ids": [c.id, "x"], "edit": {"status": "closed"}}), StatusCode::BAD_REQUEST, "bad_request", "ids[1]"),
        (json!({"ids": [], "edit": {"status": "closed"}}), StatusCode::BAD_REQUEST, "bad_request", "empty"),
    ];
    for (body, want_status, want_code, want_text) in cases {
        let (status, answer) = h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(body)).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (want_status, Some(want_code)), "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(want_text), "{answer}");
    }
    assert_eq!(h.status_of(&ana, &c.id).await, Status::New);
    let (status, _) = h.call("GET", "/api/v1/captures/bulk-edit", &ana, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn saved_views_are_each_members_own_and_follow_them(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    let ana_laptop = h.storage.issue_token("ana", Some("Atención")).await.unwrap().secret;
    let luis = h.member("Atención", "luis").await;
    let (status, body) = h.call("GET", "/api/v1/views", &ana, None).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"views": []})));

    let view = json!({"name": " Urgentes ", "filters": {"status": "v:needsResponse", "assignee": "none"}, "sort": "priority", "descending": true});
    let (status, body) = h.call("POST", "/api/v1/views", &ana, Some(view)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let views: SavedViews = serde_json::from_value(body).unwrap();
    assert_eq!(views.views.len(), 1);
    assert_eq!(views.views[0].name, "Urgentes");
    // Another machine (another token of the same member) sees it; a teammate does not.
    let (_, other_machine) = h.call("GET", "/api/v1/views", &ana_laptop, None).await;
    assert_eq!(other_machine["views"][0]["filters"]["assignee"], "none");
    assert_eq!(other_machine["views"][0]["sort"], "priority");
    assert_eq!(h.call("GET", "/api/v1/views", &luis, None).await.1, json!({"views": []}));

    // The same name replaces; another name adds, listed by name.
    let again = json!({"name": "Urgentes", "filters": {"status": "v:escalated"}, "sort": "created"});
    assert_eq!(h.call("POST", "/api/v1/views", &ana, Some(again)).await.0, StatusCode::OK);
    let (_, body) = h.call("POST", "/api/v1/views", &ana, Some(json!({"name": "Abiertas", "filters": {}}))).await;
    let names: Vec<&str> = body["views"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Abiertas", "Urgentes"]);
    assert_eq!(body["views"][1]["filters"]["status"], "v:escalated");

    // Refusals name the field and store nothing.
    let cases = [
        (json!({"name": "", "filters": {}}), "name"),
        (json!({"name": "x", "filters": {"from": "ayer"}}), "filters"),
        (json!({"name": "x", "filters": {}, "colour": "red"}), "colour"),
    ];
    for (bad, want) in cases {
        let (status, answer) = h.call("POST", "/api/v1/views", &ana, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(want), "{answer}");
    }

    // Delete: by (encoded) name; an unknown name is 404; luis cannot delete ana's.
    assert_eq!(h.call("DELETE", "/api/v1/views/Urgentes", &luis, None).await.0, StatusCode::NOT_FOUND);
    let (status, body) = h.call("DELETE", "/api/v1/views/Urgentes", &ana, None).await;
    assert_eq!((status, body["views"].as_array().unwrap().len()), (StatusCode::OK, 1));
    assert_eq!(h.call("DELETE", "/api/v1/views/Urgentes", &ana, None).await.0, StatusCode::NOT_FOUND);
    let (status, _) = h.call("POST", "/api/v1/views", &ana, Some(json!({"name": "Mías / hoy", "filters": {}}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.call("DELETE", "/api/v1/views/M%C3%ADas%20%2F%20hoy", &ana, None).await.0, StatusCode::OK);
}

async fn a_member_keeps_a_bounded_number_of_views(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    for i in 0..MAX_VIEWS_PER_MEMBER {
        let (status, body) = h.call("POST", "/api/v1/views", &ana, Some(json!({"name": format!("v{i:02}"), "filters": {}}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = h.call("POST", "/api/v1/views", &ana, Some(json!({"name": "one more", "filters": {}}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_many_items")));
    assert!(body["error"]["message"].as_str().unwrap().contains("delete one"));
    // Replacing an existing one is still allowed at the limit.
    let (status, _) = h.call("POST", "/api/v1/views", &ana, Some(json!({"name": "v00", "filters": {"text": "cobro"}}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = h.call("GET", "/api/v1/views", &ana, None).await;
    assert_eq!(body["views"].as_array().unwrap().len(), MAX_VIEWS_PER_MEMBER);
}

async fn a_viewer_reads_and_keeps_views_but_cannot_bulk_edit(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("Atención", "ana").await;
    let vera = h.member("Atención", "vera").await;
    let team_id = h.storage.find_team("Atención").await.unwrap().unwrap();
    h.storage.set_role(team_id, "vera", escucha_core::workspace::role::Role::Viewer).await.unwrap();
    let c = capture(1, "ana");
    h.push(&ana, std::slice::from_ref(&c)).await;

    let (status, body) =
        h.call("POST", "/api/v1/captures/bulk-edit", &vera, Some(json!({"ids": [c.id], "edit": {"status": "closed"}}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_forbidden")), "{body}");
    assert_eq!(h.status_of(&vera, &c.id).await, Status::New, "the viewer reads the queue; nothing changed");
    let (status, _) = h.call("POST", "/api/v1/views", &vera, Some(json!({"name": "Sin asignar", "filters": {"assignee": "none"}}))).await;
    assert_eq!(status, StatusCode::OK, "a viewer keeps their own views");
    assert_eq!(h.call("GET", "/api/v1/views", &vera, None).await.1["views"][0]["name"], "Sin asignar");
    // The same request from a member goes through.
    let (status, _) =
        h.call("POST", "/api/v1/captures/bulk-edit", &ana, Some(json!({"ids": [c.id], "edit": {"status": "closed"}}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.status_of(&vera, &c.id).await, Status::Closed);
}
}
