//! rules13: routing rules through the whole router, on each engine: applied
//! once at ingest with history events by the rule, the admin's re-run (dry
//! count, then the real run), and the property that the server decides what
//! the card's preview (the extension's evaluation) said it would.

use super::*;
use crate::tests::{both_engines, Engine};
use axum::body::Body;
use axum::http::Request;
use escucha_core::brands::BrandList;
use escucha_core::log::{Capture, CaptureContext, Priority, Sentiment, Stamp, Tags, TextQuote};
use escucha_core::routing::{evaluate, Action, Condition, Rule};
use escucha_core::sync::api::PullResponse;
use escucha_core::team_config::TeamConfig;
use escucha_core::workspace::role::Role;
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
    async fn new(engine: Engine) -> Option<Server> {
        let dir = tempfile::tempdir().unwrap();
        let www = dir.path().join("www");
        std::fs::create_dir_all(&www).unwrap();
        let storage = match engine {
            Engine::Sqlite => Storage::Sqlite(Db::open(&dir.path().join("r.sqlite3")).unwrap()),
            Engine::Postgres => {
                let Some(admin) = postgres::test_postgres_url() else {
                    eprintln!("skipped: set ESCUCHA_TEST_POSTGRES for the PostgreSQL half");
                    return None;
                };
                Storage::open(&postgres::scratch_database(&admin, "escucha_routing").await.unwrap()).await.unwrap()
            }
        };
        let router = app(AppState::new(storage.clone(), ServerConfig::default()), &StaticDirs { www, demo: None });
        Some(Server { _dir: dir, router, storage })
    }

    async fn member(&self, name: &str, role: Role) -> String {
        if self.storage.find_team("acme").await.unwrap().is_none() {
            self.storage.create_team("acme").await.unwrap();
        }
        self.storage.add_member("acme", name).await.unwrap();
        let team_id = self.storage.find_team("acme").await.unwrap().unwrap();
        self.storage.set_role(team_id, name, role).await.unwrap();
        self.storage.issue_token(name, Some("acme")).await.unwrap().secret
    }

    async fn call(&self, method: &str, path: &str, token: &str, headers: &[(&str, &str)], body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        let res = self.router.clone().oneshot(req.unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn save_config(&self, admin: &str, config: &TeamConfig) {
        let (status, body) = self.call("PUT", "/api/v1/config", admin, &[("if-match", "\"0\"")], Some(json!({ "config": config }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn push(&self, token: &str, items: &[Capture]) {
        let (status, body) = self.call("POST", "/api/v1/push", token, &[], Some(json!({ "items": items }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["results"].as_array().unwrap().iter().all(|r| r["status"] != "rejected"), "{body}");
    }

    async fn stored(&self, token: &str) -> Vec<Capture> {
        let (status, body) = self.call("GET", "/api/v1/pull?limit=1000", token, &[], None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut items = serde_json::from_value::<PullResponse>(body).unwrap().items;
        items.sort_by(|a, b| a.id.cmp(&b.id));
        items
    }

    async fn rerun(&self, token: &str, dry_run: bool) -> (StatusCode, Value) {
        self.call("POST", "/api/v1/rules/rerun", token, &[], Some(json!({ "dryRun": dry_run }))).await
    }
}

fn capture(n: u32, text: &str, sentiment: Sentiment) -> Capture {
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        comment_text: text.into(),
        lang: Some("es".into()),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
        ..Default::default()
    };
    let ms = now_ms() - 60_000 + i64::from(n);
    let id = escucha_core::log::record::uuid_v7(ms, [(n % 250) as u8 + 1; 10]);
    let tags = Tags { sentiment, ..Tags::default() };
    Capture::new(id, ctx, &tags, "bea", Stamp { ms, counter: 0, actor: "bea-laptop".into() })
}

fn rule(name: &str, when: Condition, then: Vec<Action>) -> Rule {
    Rule { name: name.into(), enabled: true, when, then, stop: false }
}

fn words(w: &[&str]) -> Condition {
    Condition::Words { words: w.iter().map(|s| s.to_string()).collect() }
}

/// Delivery problems go to Logistics, high, #delivery and its Slack.
fn config() -> TeamConfig {
    TeamConfig {
        brands: BrandList::demo(),
        departments: vec!["Logistics".into(), "PR".into(), "Customer Service".into()],
        rules: vec![
            rule(
                "Delivery",
                Condition::All { of: vec![words(&["paquete", "entrega"]), Condition::Sentiment { is: Sentiment::Negative }] },
                vec![
                    Action::SetDepartment { name: "Logistics".into() },
                    Action::SetPriority { priority: Priority::High },
                    Action::AddTags { tags: vec!["delivery".into()] },
                    Action::SendTo { destination: "logistics-slack".into() },
                ],
            ),
            rule(
                "Billing",
                words(&["factura"]),
                vec![
                    Action::SetDepartment { name: "Customer Service".into() },
                    Action::SetAssignee { member: "bea".into() },
                    Action::AddTags { tags: vec!["billing".into()] },
                ],
            ),
        ],
        ..TeamConfig::default()
    }
}

/// (member, field, to) of a record's history events.
fn events(c: &Capture) -> Vec<(String, &'static str, String)> {
    c.history.events().iter().map(|e| (e.member.clone(), e.field.as_str(), e.to.clone())).collect()
}

both_engines! {
    async fn rules_run_once_when_a_capture_first_arrives(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.member("ana", Role::Admin).await;
        let bea = s.member("bea", Role::Member).await;
        s.save_config(&ana, &config()).await;
        let late = capture(1, "Mi paquete no llegó y nadie responde", Sentiment::Negative);
        let calm = capture(2, "¿Cuándo llega el paquete?", Sentiment::Question);
        let both = capture(3, "La entrega falló y la factura está mal", Sentiment::Negative);
        s.push(&bea, &[late.clone(), calm.clone(), both.clone()]).await;

        let stored = s.stored(&bea).await;
        let by_id = |id: &str| stored.iter().find(|c| c.id == id).unwrap().clone();
        let got = by_id(&late.id);
        assert_eq!(got.department.value.as_deref(), Some("Logistics"));
        assert_eq!(got.priority.value, Priority::High);
        assert_eq!(got.tags.values(), ["delivery"]);
        assert_eq!(events(&got), [
            ("rule Delivery".to_string(), "department", "Logistics".to_string()),
            ("rule Delivery".to_string(), "priority", "high".to_string()),
        ]);
        assert_eq!(got.department.stamp.actor, "rule:Delivery");
        // A question about a parcel is not a delivery problem: untouched.
        let untouched = by_id(&calm.id);
        assert_eq!((untouched.department.value.clone(), untouched.history.len()), (None, 0));
        // Both rules: Delivery sets the department first; Billing adds its tag and the assignee.
        let got = by_id(&both.id);
        assert_eq!(got.department.value.as_deref(), Some("Logistics"));
        assert_eq!(got.assignee.value.as_deref(), Some("bea"));
        assert_eq!(got.tags.values(), ["billing", "delivery"], "the record lists tags sorted");
        assert!(events(&got).contains(&("rule Billing".into(), "assignee", "bea".into())), "{:?}", events(&got));

        // A member moves it elsewhere; re-sending the card's copy (or any later
        // push of the id) does not run the rules again.
        let (status, body) = s.call("POST", &format!("/api/v1/captures/{}/edit", late.id), &bea, &[], Some(json!({"department": "PR"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        s.push(&bea, &[late.clone()]).await;
        let mut edited = late.clone();
        edited.apply(&escucha_core::log::CaptureEdit { add_tags: vec!["x".into()], ..Default::default() },
            &Stamp::next(late.last_stamp(), now_ms(), "bea-laptop"), "bea").unwrap();
        s.push(&bea, &[edited]).await;
        let got = s.stored(&bea).await.into_iter().find(|c| c.id == late.id).unwrap();
        assert_eq!(got.department.value.as_deref(), Some("PR"));
        assert_eq!(events(&got).iter().filter(|e| e.0.starts_with("rule ")).count(), 2, "{:?}", events(&got));
    }

    async fn rerun_counts_dry_then_changes_and_says_which_rule(engine) {
        let Some(s) = Server::new(engine).await else { return };
        let ana = s.member("ana", Role::Admin).await;
        let bea = s.member("bea", Role::Member).await;
        let caps = [
            capture(1, "Mi paquete no llegó", Sentiment::Negative),
            capture(2, "Gracias por todo", Sentiment::Positive),
            capture(3, "Otra factura duplicada", Sentiment::Negative),
        ];
        // Logged before the team had rules.
        s.push(&bea, &caps).await;
        let before = s.stored(&bea).await;
        assert!(before.iter().all(|c| c.department.value.is_none()));
        s.save_config(&ana, &config()).await;

        // Only admins re-run.
        let (status, body) = s.rerun(&bea, true).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("role_forbidden")), "{body}");

        let (status, body) = s.rerun(&ana, true).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"dryRun": true, "examined": 3, "changed": 2, "version": 1}));
        assert_eq!(s.stored(&bea).await, before, "a dry run writes nothing");

        let (status, body) = s.rerun(&ana, false).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"dryRun": false, "examined": 3, "changed": 2, "version": 1}));
        let after = s.stored(&bea).await;
        let get = |id: &str| after.iter().find(|c| c.id == id).unwrap();
        assert_eq!(get(&caps[0].id).department.value.as_deref(), Some("Logistics"));
        assert_eq!(events(get(&caps[0].id))[0], ("rule Delivery".into(), "department", "Logistics".into()));
        assert_eq!(get(&caps[2].id).assignee.value.as_deref(), Some("bea"));
        assert_eq!(get(&caps[1].id), &before[before.iter().position(|c| c.id == caps[1].id).unwrap()]);
        // Creation facts stay the member's.
        assert!(after.iter().all(|c| c.created_by == "bea"));

        // Nothing left to change.
        let (_, body) = s.rerun(&ana, true).await;
        assert_eq!(body["changed"], 0, "{body}");
        let (status, body) = s.call("POST", "/api/v1/rules/rerun", &ana, &[], Some(json!({"dry": true}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

// --- the server decides what the card previewed --------------------------------

const VOCABULARY: [&str; 10] = ["paquete", "ENTREGA", "factura", "gracias", "retraso", "entregado", "Fáctura", "hola", "no llegó", "fibra"];

/// One capture's shape: words, sentiment, priority, language, site, author.
type Shape = (Vec<usize>, usize, usize, usize, usize, usize);

fn arb_shape() -> impl Strategy<Value = Shape> {
    (prop::collection::vec(0..VOCABULARY.len(), 0..5), 0..4usize, 0..4usize, 0..3usize, 0..3usize, 0..3usize)
}

fn shaped(n: u32, (words, sentiment, priority, lang, site, author): &Shape) -> Capture {
    let text = words.iter().map(|w| VOCABULARY[*w]).collect::<Vec<_>>().join(" ");
    let mut c = capture(n, &format!("Movistar {text}"), Sentiment::ALL[*sentiment]);
    let ctx = &mut c.context.value;
    ctx.lang = [Some("es-ES"), Some("en"), None][*lang].map(String::from);
    ctx.page_url = format!("https://{}/t/{n}", ["foro.example", "soporte.movistar.example", "news.example"][*site]);
    ctx.author_name = [Some("@Marta"), Some("pedro"), None][*author].map(String::from);
    c.priority.value = Priority::ALL[*priority];
    c
}

/// Rules touching every kind of condition and action, with overlaps.
fn prop_rules() -> Vec<Rule> {
    let mut rules = config().rules;
    rules.push(rule(
        "Spanish support site",
        Condition::All { of: vec![Condition::Language { code: "es".into() }, Condition::Site { rule: "*.movistar.example".into() }] },
        vec![Action::SetDepartment { name: "PR".into() }, Action::SetPriority { priority: Priority::Urgent }],
    ));
    rules.push(Rule {
        stop: true,
        ..rule(
            "VIP author",
            Condition::Any { of: vec![Condition::Author { name: "marta".into() }, Condition::Priority { is: Priority::Urgent }] },
            vec![Action::AddTags { tags: vec!["vip".into()] }, Action::SetAssignee { member: "ana".into() }],
        )
    });
    rules.push(rule(
        "Thanks",
        Condition::Not { of: Box::new(Condition::Sentiment { is: Sentiment::Negative }) },
        vec![Action::AddTags { tags: vec!["kind".into(), "VIP".into()] }, Action::SetPriority { priority: Priority::Low }],
    ));
    rules
}

fn server_decides_what_the_card_previewed(engine: Engine, shapes: Vec<Shape>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let Some(s) = Server::new(engine).await else { return Ok(()) };
        let ana = s.member("ana", Role::Admin).await;
        let bea = s.member("bea", Role::Member).await;
        let mut config = config();
        config.rules = prop_rules();
        s.save_config(&ana, &config).await;
        let caps: Vec<Capture> = shapes.iter().enumerate().map(|(n, sh)| shaped(n as u32 + 1, sh)).collect();
        s.push(&bea, &caps).await;
        let stored = s.stored(&bea).await;
        prop_assert_eq!(stored.len(), caps.len());
        for sent in &caps {
            let got = stored.iter().find(|c| c.id == sent.id).unwrap();
            // The extension's side: the card evaluates the context and the tags chosen.
            let chosen = Tags { sentiment: sent.sentiment.value, priority: sent.priority.value, ..Tags::default() };
            let preview = evaluate(&config.rules, (&sent.context.value, &chosen));
            prop_assert_eq!(&got.department.value, &preview.department.clone().or(sent.department.value.clone()));
            prop_assert_eq!(got.priority.value, preview.priority.unwrap_or(sent.priority.value));
            prop_assert_eq!(&got.assignee.value, &preview.assignee);
            let mut want = preview.tags.clone();
            want.sort_by_key(|t| t.to_lowercase());
            prop_assert_eq!(got.tags.values(), want);
            // Every rule event names a rule the preview matched.
            let named: Vec<String> = preview.matched.iter().map(|m| format!("rule {}", m.name)).collect();
            for e in got.history.events() {
                prop_assert!(named.contains(&e.member), "{} not in {:?}", e.member, named);
            }
        }
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_ingest_decides_what_the_card_previewed(shapes in prop::collection::vec(arb_shape(), 1..30)) {
        server_decides_what_the_card_previewed(Engine::Sqlite, shapes)?;
    }

    #[test]
    fn postgres_ingest_decides_what_the_card_previewed(shapes in prop::collection::vec(arb_shape(), 1..30)) {
        server_decides_what_the_card_previewed(Engine::Postgres, shapes)?;
    }
}
