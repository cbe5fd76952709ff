//! sla13: `GET /api/v1/reports` through the whole router on SQLite and on
//! PostgreSQL (skipped, said in one line, when `ESCUCHA_TEST_POSTGRES` is
//! not set): figures from seeded history equal the ones worked out by hand
//! below, in the team's working hours and time zone.

use super::*;
use crate::tests::{both_engines, Engine};
use axum::body::Body;
use axum::http::Request;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, Lww, Stamp, Status, Tags};
use escucha_core::service::{DueKind, Report};
use escucha_core::workspace::role::Role;
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
            let url = postgres::scratch_database(&admin, "escucha_reports").await.unwrap();
            Storage::open(&url).await.unwrap()
        }
    };
    let router = app(AppState::new(storage.clone(), ServerConfig::default()), &StaticDirs { www, demo: None });
    Some(Harness { _dir: dir, router, storage })
}

impl Harness {
    async fn admin(&self, team: &str, name: &str) -> String {
        if self.storage.find_team(team).await.unwrap().is_none() {
            self.storage.create_team(team).await.unwrap();
        }
        self.storage.add_member(team, name).await.unwrap();
        let team_id = self.storage.find_team(team).await.unwrap().unwrap();
        self.storage.set_role(team_id, name, Role::Admin).await.unwrap();
        self.storage.issue_token(name, Some(team)).await.unwrap().secret
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>, if_match: Option<&str>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        let req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn report(&self, token: &str, query: &str) -> Report {
        let (status, body) = self.call("GET", &format!("/api/v1/reports{query}"), token, None, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }
}

fn ms(rfc3339: &str) -> i64 {
    escucha_core::log::dates::parse_rfc3339(rfc3339).unwrap()
}

const MIN: i64 = 60_000;

/// A capture by ana created at `created` in `department`, then each
/// `(time, status)` applied as a real edit (which writes the history).
fn capture(n: u8, created: &str, department: &str, changes: &[(&str, Status)]) -> Capture {
    let at = ms(created);
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        comment_text: format!("El pedido no llegó ({n})"),
        brand: "Acme".into(),
        ..Default::default()
    };
    let id = escucha_core::log::record::uuid_v7(at, [n; 10]);
    let defaults = Tags { department: Some(department.into()), status: Status::NeedsResponse, ..Tags::default() };
    let mut c = Capture::new(id, ctx, &defaults, "ana", Stamp { ms: at, counter: 0, actor: "ana".into() });
    for (i, (when, status)) in changes.iter().enumerate() {
        let stamp = Stamp { ms: ms(when), counter: i as u32 + 1, actor: "ana".into() };
        c.apply(&CaptureEdit { status: Some(*status), ..Default::default() }, &stamp, "ana").unwrap();
    }
    c
}

both_engines! {
async fn report_figures_equal_the_hand_computed_ones(e) {
    let Some(h) = harness(e).await else { return };
    let admin = h.admin("Atención", "ana").await;
    // Madrid, Monday to Friday 09:00–18:00; normal priority: first response
    // within 60 working minutes, close within 480.
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"].iter().map(|d| json!({"day": d, "start": "09:00", "end": "18:00"})).collect();
    let config = json!({"config": {
        "departments": ["Logistics", "PR"],
        "service": {
            "timeZone": "Europe/Madrid",
            "hours": hours,
            "targets": [{"priority": "normal", "firstResponseMinutes": 60, "closeMinutes": 480}]
        }
    }});
    let (status, body) = h.call("PUT", "/api/v1/config", &admin, Some(config), Some("\"0\"")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Madrid is UTC+1 in January. By hand, in working minutes:
    let a = capture(1, "2026-01-12T08:00:00Z", "Logistics", &[("2026-01-12T08:42:00Z", Status::Responded), ("2026-01-12T12:00:00Z", Status::Closed)]);
    // A: Mon 09:00 → responded 09:42 (42), closed 13:00 (240).
    let b = capture(2, "2026-01-16T16:30:00Z", "Logistics", &[("2026-01-19T08:45:00Z", Status::Responded)]);
    // B: Fri 17:30 → Mon 09:45: 30 on Friday + 45 on Monday = 75 > 60: breaching by 15.
    let c = capture(3, "2026-01-13T09:00:00Z", "PR", &[("2026-01-13T09:10:00Z", Status::Responded)]);
    // C: Tue 10:00 → 10:10 (10), never closed: breaching its close target (480).
    let d = capture(4, "2026-01-14T09:00:00Z", "PR", &[]);
    // D: Wed 10:00, never answered: breaching (open, long past 60 minutes).
    let mut gone = capture(5, "2026-01-14T09:30:00Z", "PR", &[("2026-01-14T09:31:00Z", Status::Responded)]);
    gone.deleted = Lww::new(true, Stamp { ms: ms("2026-01-14T10:00:00Z"), counter: 9, actor: "ana".into() });
    let (status, body) = h.call("POST", "/api/v1/push", &admin, Some(json!({ "items": [&a, &b, &c, &d, &gone] })), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let r = h.report(&admin, "").await;
    assert_eq!((r.total.captures, r.total.responded, r.total.closed), (4, 3, 1), "the deleted capture is not counted");
    // First responses 10, 42, 75: median 42, p90 75 (nearest rank).
    assert_eq!((r.total.first_response_median, r.total.first_response_p90), (Some(42 * MIN), Some(75 * MIN)));
    assert_eq!((r.total.close_median, r.total.close_p90), (Some(240 * MIN), Some(240 * MIN)));
    let deps: Vec<_> = r.by_department.iter().map(|f| (f.key.as_str(), f.captures, f.first_response_median, f.first_response_p90, f.breaching)).collect();
    assert_eq!(deps, vec![("Logistics", 2, Some(42 * MIN), Some(75 * MIN), 1), ("PR", 2, Some(10 * MIN), Some(10 * MIN), 2)]);
    assert_eq!(r.by_week.iter().map(|f| (f.key.as_str(), f.captures)).collect::<Vec<_>>(), vec![("2026-01-12", 4)]);
    assert_eq!(r.by_member.iter().map(|f| (f.key.as_str(), f.captures)).collect::<Vec<_>>(), vec![("ana", 4)]);
    assert_eq!(r.by_brand.iter().map(|f| (f.key.as_str(), f.captures)).collect::<Vec<_>>(), vec![("Acme", 4)]);
    assert_eq!(r.breach_count, 3, "B (first response), C (close), D (first response)");
    let b_breach = r.breaches.iter().find(|x| x.id == b.id).expect("B breached");
    assert_eq!((b_breach.kind, b_breach.over, b_breach.due_at), (DueKind::FirstResponse, 15 * MIN, ms("2026-01-19T08:30:00Z")));
    // C has 9 working hours more than D and a target 7 hours longer, so it is furthest over.
    let order: Vec<_> = r.breaches.iter().map(|x| (x.id.clone(), x.kind)).collect();
    assert_eq!(order, vec![(c.id.clone(), DueKind::Close), (d.id.clone(), DueKind::FirstResponse), (b.id.clone(), DueKind::FirstResponse)]);
    let (c_over, d_over) = (r.breaches[0].over, r.breaches[1].over);
    assert_eq!(c_over - d_over, (540 + 60 - 480) * MIN);

    let logistics = h.report(&admin, "?department=Logistics").await;
    assert_eq!((logistics.total.captures, logistics.total.first_response_median), (2, Some(42 * MIN)));
    // One local day: only B (Friday the 16th in Madrid).
    let friday = h.report(&admin, "?from=2026-01-16&to=2026-01-16").await;
    assert_eq!((friday.total.captures, friday.total.first_response_median), (1, Some(75 * MIN)));
    let (status, body) = h.call("GET", "/api/v1/reports?from=16/01/2026", &admin, None, None).await;
    assert_eq!((status, body["error"]["message"].as_str().unwrap_or("").contains("YYYY-MM-DD")), (StatusCode::BAD_REQUEST, true), "{body}");
    let (status, _) = h.call("GET", "/api/v1/reports?week=3", &admin, None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn an_invalid_service_target_is_refused_with_its_data(e) {
    let Some(h) = harness(e).await else { return };
    let admin = h.admin("Atención", "ana").await;
    let config = json!({"config": {"departments": ["PR"], "service": {"timeZone": "Europe/Atlantis", "targets": [{"priority": "high", "department": "Ventas", "firstResponseMinutes": 30}]}}});
    let (status, body) = h.call("PUT", "/api/v1/config", &admin, Some(config), Some("\"0\"")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let problems = body["error"]["problems"].to_string();
    assert!(problems.contains("timeZoneUnknown") && problems.contains("targetDepartmentUnknown"), "{problems}");
}
}
