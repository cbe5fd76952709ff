//! The query routes against the core's reference evaluator: random captures
//! pushed through the real API into a real database (each engine), random queries
//! through the real routes, and every answer (pages with their cursors,
//! facet counts, chart aggregates, page look-ups) equal to what
//! `escucha_core::log::query_api::Evaluated` gives over the same records.

use super::*;
use crate::accounts;
use crate::tests::Engine;
use axum::body::Body;
use axum::http::Request;
use escucha_core::log::query_api::{Aggregates, CapturePage, CaptureQuery, Cursor, Evaluated, FacetCounts};
use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, CommentTime, Priority, Sentiment, Stamp, Status, Tags};
use escucha_core::sync::api::PullResponse;
use http_body_util::BodyExt;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;

struct Server {
    _dir: tempfile::TempDir,
    router: Router,
    storage: Storage,
}

impl Server {
    /// A router on a fresh database of `engine`; `None` when PostgreSQL is
    /// asked for and none is configured (said in one line).
    async fn new(engine: Engine) -> Option<Server> {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        let storage = match engine {
            Engine::Sqlite => Storage::Sqlite(Db::open(&dir.path().join("q.sqlite3")).unwrap()),
            Engine::Postgres => {
                let admin = postgres::test_postgres_url()?;
                Storage::open(&postgres::scratch_database(&admin, "escucha_query").await.unwrap()).await.unwrap()
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

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn ok<T: serde::de::DeserializeOwned>(&self, path: &str, token: &str) -> T {
        let (status, body) = self.get(path, token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        serde_json::from_value(body).unwrap()
    }

    async fn push(&self, token: &str, items: &[Capture]) {
        for chunk in items.chunks(100) {
            let req = Request::post("/api/v1/push")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&json!({ "items": chunk })).unwrap()))
                .unwrap();
            let res = self.router.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
    }

    /// What the server stored (validated, merged): the records both sides query.
    async fn stored(&self, token: &str) -> Vec<Capture> {
        let mut out = Vec::new();
        let mut since = String::new();
        loop {
            let page: PullResponse = self.ok(&format!("/api/v1/pull?limit=1000{since}"), token).await;
            out.extend(page.items);
            since = format!("&since={}", page.cursor);
            if !page.more {
                return out;
            }
        }
    }
}

const BRANDS: [&str; 4] = ["Telefónica", "telefonica", "Iberia", ""];
const SITES: [&str; 3] = ["foro.example", "x.example", "news.example"];
const AUTHORS: [&str; 4] = ["José Pérez", "jose perez", "Ana", "Ñoño"];
const DEPTS: [Option<&str>; 4] = [None, Some("Facturación"), Some("facturacion"), Some("Atención")];
const WORDS: [&str; 10] = ["Movistar", "cobró", "COBRO", "maleta", "Barajas", "L’Oréal", "l'oreal", "50%", "a_b", "Straße"];
const QUERY_WORDS: [&str; 12] =
    ["movistar", "cobro", "COBRÓ", "male", "oreal", "l'or", "50%", "a_b", "strasse", "jose", "facturacion", "zzz"];

/// Which pool entries a capture uses: (brand, site, author, department, words, hour, comment day).
type Shape = (usize, usize, usize, usize, Vec<usize>, i64, Option<u32>);
/// Its tags: (sentiment, status, priority, tags, deleted).
type Marks = (usize, usize, usize, Vec<usize>, bool);

fn capture(
    n: usize,
    (brand, site, author, dept, words, when, comment_day): Shape,
    (sentiment, status, priority, tags, deleted): Marks,
) -> Capture {
    let base = 1_700_000_000_000 + when * 3_600_000;
    let ctx = CaptureContext {
        page_url: format!("https://{}/t/{}#c{n}", SITES[site], n % 4),
        site: SITES[site].into(),
        comment_text: words.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" "),
        author_name: Some(AUTHORS[author].into()),
        brand: BRANDS[brand].into(),
        term: "term".into(),
        comment_time: comment_day.map(|d| CommentTime { utc: Some(format!("2023-11-{d:02}T10:00:00Z")), ..Default::default() }),
        ..Default::default()
    };
    let member = ["ana", "luis"][n % 2];
    let mut c =
        Capture::new(uuid_v7(base, [n as u8; 10]), ctx, &Tags::default(), member, Stamp { ms: base, counter: 0, actor: "t".into() });
    let edit = CaptureEdit {
        sentiment: Some(Sentiment::ALL[sentiment]),
        status: Some(Status::ALL[status]),
        priority: Some(Priority::ALL[priority]),
        department: Some(DEPTS[dept].map(str::to_string)),
        tags: Some(tags.iter().map(|&t| ["urgente", "factura", "Factura"][t].to_string()).collect()),
        deleted: Some(deleted),
        ..Default::default()
    };
    let stamp = Stamp::next(c.last_stamp(), base + (n as i64 % 5) * 86_400_000, "t");
    c.apply(&edit, &stamp, "ana").unwrap();
    c
}

fn arb_capture() -> impl Strategy<Value = (Shape, Marks)> {
    (
        (0..4usize, 0..3usize, 0..4usize, 0..4usize, prop::collection::vec(0..10usize, 0..4), 0..200i64, prop::option::of(1..30u32)),
        (0..4usize, 0..5usize, 0..4usize, prop::collection::vec(0..3usize, 0..3), prop::bool::weighted(0.15)),
    )
}

const SORTS: [&str; 11] =
    ["created", "commentTime", "modified", "brand", "site", "author", "member", "sentiment", "department", "status", "priority"];

/// A random query string (without paging) and a page size.
fn arb_query() -> impl Strategy<Value = (String, u32)> {
    (
        prop::collection::vec(0..QUERY_WORDS.len(), 0..3),
        prop::option::of(0..4usize),
        prop::option::of(0..4usize),
        prop::option::of(0..3usize),
        prop::option::of(0..5usize),
        prop::option::of((0..3usize, 0..2usize)),
        (0..SORTS.len(), proptest::arbitrary::any::<bool>(), 1..9u32),
        prop::option::of((proptest::arbitrary::any::<bool>(), 0..100i64, 0..150i64)),
        // q16c: a range of whole UTC days (what the roll-up answers).
        prop::option::of((0..9i64, 1..9i64)),
    )
        .prop_map(|(words, brand, dept, site, status, tag_or_author, (sort, asc, limit), range, days)| {
            let mut p: Vec<(String, String)> = Vec::new();
            if !words.is_empty() {
                p.push(("q".into(), words.iter().map(|&w| QUERY_WORDS[w]).collect::<Vec<_>>().join(" ")));
            }
            if let Some(b) = brand {
                p.push(("brand".into(), BRANDS[b].into()));
            }
            if let Some(d) = dept {
                p.push(("department".into(), DEPTS[d].unwrap_or("").into()));
            }
            if let Some(s) = site {
                p.push(("site".into(), SITES[s].into()));
            }
            if let Some(s) = status {
                p.push(("status".into(), Status::ALL[s].as_str().into()));
                p.push(("status".into(), Status::ALL[(s + 2) % 5].as_str().into()));
            }
            match tag_or_author {
                Some((t, 0)) => p.push(("tag".into(), ["urgente", "factura", "Factura"][t].into())),
                Some((a, _)) => p.push(("author".into(), AUTHORS[a].into())),
                None => {}
            }
            if let Some((comment, from, len)) = range {
                if comment {
                    p.push(("dateField".into(), "comment".into()));
                    p.push(("from".into(), (1_698_796_800_000 + from * 6 * 3_600_000).to_string()));
                } else {
                    p.push(("from".into(), (1_700_000_000_000 + from * 3_600_000).to_string()));
                    p.push(("to".into(), (1_700_000_000_000 + (from + len) * 3_600_000).to_string()));
                }
            } else if let Some((from, len)) = days {
                p.push(("from".into(), (1_699_920_000_000 + from * 86_400_000).to_string()));
                p.push(("to".into(), (1_699_920_000_000 + (from + len) * 86_400_000).to_string()));
            }
            p.push(("sort".into(), SORTS[sort].into()));
            p.push(("order".into(), if asc { "asc" } else { "desc" }.into()));
            let qs = p.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
            (qs, limit)
        })
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn parse(qs: &str) -> CaptureQuery {
    let pairs: Vec<(String, String)> = qs
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            let bytes: Vec<u8> = {
                let b = v.as_bytes();
                let mut out = Vec::new();
                let mut i = 0;
                while i < b.len() {
                    if b[i] == b'%' {
                        out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                        i += 3;
                    } else {
                        out.push(b[i]);
                        i += 1;
                    }
                }
                out
            };
            (k.to_string(), String::from_utf8(bytes).unwrap())
        })
        .collect();
    CaptureQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap()
}

fn ids(p: &CapturePage) -> Vec<String> {
    p.items.iter().map(|c| c.id.clone()).collect()
}

/// q16d: a capture-time range on whole hours (either end open), where the
/// charts come from daily roll-up rows, corrected hours and partial days.
type Hours = (Option<i64>, Option<i64>);
type Case = (Vec<(Shape, Marks)>, Vec<(Shape, Marks)>, Vec<(String, u32)>, i32, Hours);

fn the_server_answers_what_the_core_reference_answers(
    engine: Engine,
    (team_a, team_b, queries, tz, hours): Case,
) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let Some(server) = Server::new(engine).await else { return Ok(()) };
        let a = server.member("A", "ana").await;
        let b = server.member("B", "bea").await;
        let caps_a: Vec<Capture> = team_a.into_iter().enumerate().map(|(n, (x, y))| capture(n, x, y)).collect();
        // Team B holds copies of A's ids too: nothing may leak across teams.
        let caps_b: Vec<Capture> = team_b.into_iter().enumerate().map(|(n, (x, y))| capture(n, x, y)).collect();
        server.push(&a, &caps_a).await;
        server.push(&b, &caps_b).await;
        let stored = server.stored(&a).await;
        prop_assert_eq!(stored.len(), caps_a.len());
        let reference = Evaluated::new(&stored);
        // q16c: every case also asks what the roll-up answers (no filter; one
        // facet's filter; whole UTC days), besides its random queries.
        let mut queries = queries;
        queries.push(("sort=created&order=desc".into(), 7));
        queries.push(("brand=Iberia&sort=site&order=asc".into(), 7));
        queries.push(("from=1699920000000&to=1700265600000&sort=created&order=asc".into(), 7));
        // 1,699,999,200,000 is the whole hour before the captures' first.
        let hour = |h: i64| (1_699_999_200_000 + h * 3_600_000).to_string();
        match hours {
            (Some(f), Some(t)) => queries.push((format!("from={}&to={}&sort=created&order=asc", hour(f), hour(t)), 9)),
            (Some(f), None) => queries.push((format!("from={}&sort=created&order=asc", hour(f)), 9)),
            (None, Some(t)) => queries.push((format!("to={}&sort=created&order=asc", hour(t)), 9)),
            (None, None) => {}
        }
        for (qs, limit) in &queries {
            let q = parse(qs);
            // Every page, following the server's cursors.
            let mut after: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut qp = CaptureQuery { limit: *limit, ..q.clone() };
                let mut path = format!("/api/v1/captures?{qs}&limit={limit}");
                if let Some(c) = &after {
                    qp.after = Some(Cursor::decode(c).unwrap().key);
                    path.push_str(&format!("&after={c}"));
                }
                let got: CapturePage = server.ok(&path, &a).await;
                let want = reference.page(&qp);
                // q16c: SQLite's other search plan (common words) finds the same page.
                if let Storage::Sqlite(db) = &server.storage {
                    let team = server.storage.find_team("A").await.unwrap().unwrap();
                    let walked = db.with(|c| crate::query::list_walking(c, team, &qp)).unwrap();
                    prop_assert_eq!(&walked, &want, "walking {}", path);
                }
                prop_assert_eq!(ids(&got), ids(&want), "{}", path);
                prop_assert_eq!(&got.next, &want.next, "{}", path);
                prop_assert_eq!(&got.items, &want.items);
                pages += 1;
                match got.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
                prop_assert!(pages < 100);
            }
            let facets: FacetCounts = server.ok(&format!("/api/v1/facets?{qs}"), &a).await;
            prop_assert_eq!(facets, reference.facets(&q), "{}", qs);
            let charts: Aggregates = server.ok(&format!("/api/v1/aggregates?{qs}&tz={tz}"), &a).await;
            prop_assert_eq!(charts, reference.aggregates(&q, tz), "{}", qs);
        }
        for c in stored.iter().take(3) {
            let url = format!("{}#elsewhere", c.context.value.page_url);
            let got: Value = server.ok(&format!("/api/v1/page-captures?url={}", encode(&url)), &a).await;
            let want: Vec<&Capture> = escucha_core::log::query_api::page_captures(&stored, &url);
            let got: Vec<Capture> = serde_json::from_value(got["items"].clone()).unwrap();
            prop_assert_eq!(got.iter().collect::<Vec<_>>(), want);
        }
        Ok(())
    })
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(arb_capture(), 0..40),
        prop::collection::vec(arb_capture(), 0..10),
        prop::collection::vec(arb_query(), 1..6),
        // q16c: whole hours too, where the charts come from the roll-up.
        prop_oneof![-720..840i32, (-12..14i32).prop_map(|h| h * 60)],
        (prop::option::of(-30..210i64), prop::option::of(-30..210i64)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_answers_what_the_core_reference_answers(case in arb_case()) {
        the_server_answers_what_the_core_reference_answers(Engine::Sqlite, case)?;
    }

    #[test]
    fn postgres_answers_what_the_core_reference_answers(case in arb_case()) {
        the_server_answers_what_the_core_reference_answers(Engine::Postgres, case)?;
    }
}

#[tokio::test]
async fn bad_queries_are_400_with_a_sentence_and_need_a_token() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(server) = Server::new(engine).await else { continue };
        let a = server.member("A", "ana").await;
        let cases = [
            ("/api/v1/captures?nope=1", "nope: unknown query parameter."),
            ("/api/v1/captures?limit=0", "limit: 0 must be from 1 to 500."),
            ("/api/v1/captures?after=xyz", "after: not a cursor from this server; omit it to start from the first page."),
            ("/api/v1/facets?status=open", "status: \u{201c}open\u{201d} is not a status (new, needsResponse, …)."),
            ("/api/v1/aggregates?tz=9999", "tz: \u{201c}9999\u{201d} must be minutes east of UTC, from -840 to 840."),
            ("/api/v1/captures?q=%ZZ", "The query string has a bad escape near \u{201c}%ZZ\u{201d}."),
            ("/api/v1/page-captures?url=javascript:alert(1)", "url: \u{201c}javascript:alert(1)\u{201d} is not an http(s) address."),
            ("/api/v1/page-captures", "url: give the page's address once."),
        ];
        for (path, message) in cases {
            let (status, body) = server.get(path, &a).await;
            assert_eq!(
                (status, body["error"]["code"].as_str(), body["error"]["message"].as_str()),
                (StatusCode::BAD_REQUEST, Some("bad_request"), Some(message)),
                "{engine:?} {path}"
            );
        }
        let (status, _) = server.get("/api/v1/captures", "esc_wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn rows_stored_before_the_query_table_are_backfilled_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let c = capture(1, (0, 0, 0, 1, vec![0, 1], 3, Some(2)), (2, 1, 2, vec![0], false));
    {
        // A database as schema 4 left it: `captures` WITHOUT ROWID with the
        // derived columns not yet filled (ix_version 0), no query table.
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (i, sql) in crate::db::MIGRATIONS[..4].iter().enumerate() {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", (i + 1) as u32).unwrap();
        }
        accounts::create_team(&conn, "A").unwrap();
        accounts::add_member(&conn, "A", "ana").unwrap();
        conn.execute(
            "INSERT INTO captures (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by)
             VALUES (1, ?1, 1, ?2, ?3, 0, 1, 1)",
            rusqlite::params![c.id, serde_json::to_string(&c).unwrap(), c.created_ms],
        )
        .unwrap();
    }
    let db = Db::open(&path).unwrap();
    let q = CaptureQuery::from_pairs([("q", "movistar cobro"), ("brand", "Telefónica"), ("sort", "brand")]).unwrap();
    let page = db.with(|conn| crate::query::list(conn, 1, &q)).unwrap();
    assert_eq!(page.items.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [c.id.as_str()]);
    assert_eq!(db.with(|conn| crate::query::facets(conn, 1, &q)).unwrap().total, 1);
    // The record survived the table's rebuild, change number and all.
    let (items, cursor, more) = db.with(|conn| crate::store::pull(conn, 1, 0, 10)).unwrap();
    assert_eq!((items, cursor, more), (vec![c.clone()], 1, false));
    // The rebuilt table is a rowid table with its key as a unique index.
    let without_rowid: i64 = db
        .with(|conn| conn.query_row("SELECT count(*) FROM pragma_table_list WHERE name = 'captures' AND wr = 1", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(without_rowid, 0);
}

#[tokio::test]
async fn postgres_rows_stored_before_the_query_columns_are_backfilled_at_start() {
    let Some(admin) = postgres::test_postgres_url() else { return };
    let url = postgres::scratch_database(&admin, "escucha_query").await.unwrap();
    let c = capture(1, (0, 0, 0, 1, vec![0, 1], 3, Some(2)), (2, 1, 2, vec![0], false));
    let q = CaptureQuery::from_pairs([("q", "movistar cobro"), ("brand", "Telefónica"), ("sort", "brand")]).unwrap();
    let team = {
        let storage = Storage::open(&url).await.unwrap();
        let team = storage.create_team("A").await.unwrap();
        storage.add_member("A", "ana").await.unwrap();
        let token = storage.issue_token("ana", Some("A")).await.unwrap().secret;
        let who = match storage.authenticate(&token).await.unwrap() {
            accounts::Authentication::Valid(who) => who,
            other => panic!("{other:?}"),
        };
        storage.push(&who, vec![Ok(c.clone())]).await.unwrap();
        assert_eq!(storage.list(team, &q).await.unwrap().items.len(), 1);
        // As a server with an older index version would have left it.
        let Storage::Postgres(pg) = &storage else { unreachable!() };
        pg.texts("UPDATE capture_query SET ix_version = 0, search = '', brand = ''").await.unwrap();
        assert!(storage.list(team, &q).await.unwrap().items.is_empty());
        team
    };
    let storage = Storage::open(&url).await.unwrap();
    let page = storage.list(team, &q).await.unwrap();
    assert_eq!(page.items.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(), [c.id.as_str()]);
}

// ---- q16c: the roll-up equals a full recount ----

/// One step of a team's history: a new capture; an edit through the server
/// (moving it between values, or deleting it); or a re-send of a stored
/// capture changed by its author (the merge picks the newer stamps).
#[derive(Debug, Clone)]
enum Step {
    Push(Shape, Marks),
    Edit(usize, usize, usize, usize, Option<bool>),
    Resend(usize, Marks),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        arb_capture().prop_map(|(s, m)| Step::Push(s, m)),
        (0..40usize, 0..4usize, 0..5usize, 0..4usize, prop::option::of(proptest::arbitrary::any::<bool>()))
            .prop_map(|(i, s, st, d, del)| Step::Edit(i, s, st, d, del)),
        (0..40usize, arb_capture()).prop_map(|(i, (_, m))| Step::Resend(i, m)),
    ]
}

/// The kept roll-up and the recount, as sorted lines `team|dim|hod|hour|ival|tval|n`.
async fn rollup_and_recount(storage: &Storage) -> (Vec<String>, Vec<String>) {
    let line = "team_id || '|' || dim || '|' || hod || '|' || hour || '|' || ival || '|' || tval || '|' || n";
    let kept = format!("SELECT {line} FROM capture_rollup WHERE n <> 0 ORDER BY team_id, dim, hod, hour, ival, tval");
    match storage {
        Storage::Sqlite(db) => {
            let recount = format!("SELECT {line} FROM ({}) ORDER BY team_id, dim, hod, hour, ival, tval", crate::rollup::SQLITE_RECOUNT);
            db.with(|c| {
                let read = |sql: &str| -> Vec<String> {
                    c.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
                };
                (read(&kept), read(&recount))
            })
        }
        Storage::Postgres(pg) => {
            let recount =
                format!("SELECT {line} FROM ({}) AS r ORDER BY team_id, dim, hod, hour, ival, tval", crate::rollup::POSTGRES_RECOUNT);
            (pg.texts(&kept).await.unwrap(), pg.texts(&recount).await.unwrap())
        }
    }
}

fn the_rollup_equals_a_recount(engine: Engine, (steps_a, steps_b): (Vec<Step>, Vec<Step>)) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let Some(server) = Server::new(engine).await else { return Ok(()) };
        for (team, steps) in [("A", steps_a), ("B", steps_b)] {
            let token = server.member(team, "ana").await;
            let who = match server.storage.authenticate(&token).await.unwrap() {
                accounts::Authentication::Valid(who) => who,
                other => panic!("{other:?}"),
            };
            let mut caps: Vec<Capture> = Vec::new();
            for (n, step) in steps.into_iter().enumerate() {
                match step {
                    Step::Push(shape, marks) => {
                        let c = capture(caps.len(), shape, marks);
                        server.push(&token, std::slice::from_ref(&c)).await;
                        caps.push(c);
                    }
                    Step::Edit(i, sentiment, status, dept, deleted) if !caps.is_empty() => {
                        let i = i % caps.len();
                        let id = caps[i].id.clone();
                        let edit = CaptureEdit {
                            sentiment: Some(Sentiment::ALL[sentiment]),
                            status: Some(Status::ALL[status]),
                            department: Some(DEPTS[dept].map(str::to_string)),
                            deleted,
                            ..Default::default()
                        };
                        let now = 1_800_000_000_000 + n as i64 * 1000;
                        let stored = server.storage.edit(&who, &id, &edit, now, &crate::quota::Quotas::OFF).await;
                        caps[i] = stored.map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                    }
                    Step::Resend(i, (sentiment, status, priority, _, deleted)) if !caps.is_empty() => {
                        let i = i % caps.len();
                        let c = &mut caps[i];
                        let edit = CaptureEdit {
                            sentiment: Some(Sentiment::ALL[sentiment]),
                            status: Some(Status::ALL[status]),
                            priority: Some(Priority::ALL[priority]),
                            deleted: Some(deleted),
                            ..Default::default()
                        };
                        let stamp = Stamp::next(c.last_stamp(), 1_800_000_000_000 + n as i64 * 1000, "ana");
                        c.apply(&edit, &stamp, "ana").unwrap();
                        // Twice: the second is a re-send that changes nothing.
                        server.push(&token, std::slice::from_ref(c)).await;
                        server.push(&token, std::slice::from_ref(c)).await;
                    }
                    _ => {}
                }
            }
        }
        let (kept, recount) = rollup_and_recount(&server.storage).await;
        prop_assert_eq!(kept, recount);
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_rollup_equals_a_recount(case in (prop::collection::vec(arb_step(), 1..40), prop::collection::vec(arb_step(), 0..12))) {
        the_rollup_equals_a_recount(Engine::Sqlite, case)?;
    }

    #[test]
    fn postgres_rollup_equals_a_recount(case in (prop::collection::vec(arb_step(), 1..40), prop::collection::vec(arb_step(), 0..12))) {
        the_rollup_equals_a_recount(Engine::Postgres, case)?;
    }
}

/// Captures stored before the roll-up existed are counted by its migration.
#[tokio::test]
async fn the_rollup_migration_counts_what_is_already_stored() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("r.sqlite3").display().to_string();
    let pg = match postgres::test_postgres_url() {
        Some(admin) => Some(postgres::scratch_database(&admin, "escucha_rollup").await.unwrap()),
        None => None,
    };
    for spec in std::iter::once(sqlite).chain(pg) {
        let storage = Storage::open(&spec).await.unwrap();
        storage.create_team("A").await.unwrap();
        storage.add_member("A", "ana").await.unwrap();
        let token = storage.issue_token("ana", Some("A")).await.unwrap().secret;
        let who = match storage.authenticate(&token).await.unwrap() {
            accounts::Authentication::Valid(who) => who,
            other => panic!("{other:?}"),
        };
        let caps: Vec<crate::store::Checked> = (0..12)
            .map(|n| {
                let marks = (n % 4, n % 5, n % 4, vec![], n % 5 == 0);
                Ok(capture(n, (n % 4, n % 3, n % 4, n % 4, vec![n % 10], n as i64 * 7, None), marks))
            })
            .collect();
        storage.push(&who, caps).await.unwrap();
        // Back to the schema before the roll-up, rows and all.
        match &storage {
            Storage::Sqlite(db) => db.with(|c| {
                c.execute_batch(&format!(
                    "DROP TABLE capture_rollup; DROP TRIGGER capture_rollup_inserted; DROP TRIGGER capture_rollup_updated_from;
                     DROP TRIGGER capture_rollup_updated_to; DROP TRIGGER capture_rollup_deleted; PRAGMA user_version = {};",
                    // The migrations after it (outbox13's, digest13's) run again: they are idempotent.
                    crate::db::MIGRATIONS.iter().position(|m| *m == crate::rollup::SQLITE_MIGRATION).unwrap()
                ))
                .unwrap()
            }),
            Storage::Postgres(pg) => {
                for undo in [
                    "DROP TABLE capture_rollup".to_string(),
                    "DROP FUNCTION capture_rollup_inserted, capture_rollup_updated, capture_rollup_deleted CASCADE".to_string(),
                    format!(
                        "DELETE FROM schema_migrations WHERE version > {}",
                        postgres::MIGRATIONS.iter().position(|m| *m == crate::rollup::POSTGRES_MIGRATION).unwrap()
                    ),
                ] {
                    pg.texts(&undo).await.unwrap();
                }
            }
        }
        drop(storage);
        let (kept, recount) = rollup_and_recount(&Storage::open(&spec).await.unwrap()).await;
        assert!(kept.len() > 12, "{spec}: {kept:?}");
        assert_eq!(kept, recount, "{spec}");
    }
}
