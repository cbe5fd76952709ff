//! digest13: the feedback scheduler on both engines, with captures seeded
//! through the real push path and a fake clock passed to each tick (no
//! sleeps, no waits). "Two servers" are two `Storage` handles on one
//! database ticking at the same instant. The PostgreSQL half needs
//! `ESCUCHA_TEST_POSTGRES` and is skipped (said in one line) without it.

use escucha_core::delivery::{Destination, DestinationKind, Language};
use escucha_core::feedback::{DepartmentFeedback, DigestSchedule, FeedbackConfig, SpikeRule, Weekday};
use escucha_core::log::record::uuid_v7;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, Priority, Sentiment, Stamp, Status, Tags};
use escucha_core::service::{ServiceTargets, Target};
use escucha_core::team_config::TeamConfig;
use escucha_server::accounts::{Authentication, Identity};
use escucha_server::delivery::store::LogFilter;
use escucha_server::feedback::{tick, Feedback};
use escucha_server::{postgres, Db, Storage};

#[derive(Clone, Copy, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

macro_rules! both_engines {
    ($(async fn $name:ident($e:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                body(Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                body(Engine::Postgres).await
            }
            async fn body($e: Engine) $body
        }
    )*};
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn ms(rfc3339: &str) -> i64 {
    escucha_core::log::dates::parse_rfc3339(rfc3339).unwrap()
}

/// Two handles on one fresh database (two servers), or `None` (skipped).
struct Two {
    _dir: tempfile::TempDir,
    a: Storage,
    b: Storage,
    who: Identity,
}

async fn two(engine: Engine, prefix: &str) -> Option<Two> {
    let dir = tempfile::tempdir().unwrap();
    let spec = match engine {
        Engine::Sqlite => {
            let path = dir.path().join("t.sqlite3");
            drop(Db::open(&path).unwrap());
            path.display().to_string()
        }
        Engine::Postgres => {
            let Some(admin) = postgres::test_postgres_url() else {
                eprintln!("skipped: PostgreSQL half (set ESCUCHA_TEST_POSTGRES)");
                return None;
            };
            postgres::scratch_database(&admin, prefix).await.unwrap()
        }
    };
    let a = Storage::open(&spec).await.unwrap();
    let b = Storage::open(&spec).await.unwrap();
    a.create_team("Acme support").await.unwrap();
    a.add_member("Acme support", "ana").await.unwrap();
    let token = a.issue_token("ana", Some("Acme support")).await.unwrap().secret;
    let who = match a.authenticate(&token).await.unwrap() {
        Authentication::Valid(who) => who,
        other => panic!("{other:?}"),
    };
    Some(Two { _dir: dir, a, b, who })
}

/// One capture made at `at_ms`, tagged as given.
fn capture(n: u32, at_ms: i64, brand: &str, department: Option<&str>, sentiment: Sentiment, status: Status, priority: Priority) -> Capture {
    let ctx = CaptureContext {
        page_url: format!("https://forum.example/t/{n}"),
        page_title: "Delivery thread".into(),
        site: "forum.example".into(),
        comment_text: format!("Comment {n}: my parcel never arrived"),
        author_name: Some(format!("user{n}")),
        permalink: Some(format!("https://forum.example/t/{n}#p{n}")),
        brand: brand.into(),
        term: brand.into(),
        ..Default::default()
    };
    let id = uuid_v7(at_ms, [n as u8, (n >> 8) as u8, 7, 7, 7, 7, 7, 7, 7, 7]);
    let mut c = Capture::new(id, ctx, &Tags::default(), "ana", Stamp { ms: at_ms, counter: 0, actor: "t".into() });
    let edit = CaptureEdit {
        sentiment: Some(sentiment),
        status: Some(status),
        priority: Some(priority),
        department: Some(department.map(str::to_string)),
        ..Default::default()
    };
    let stamp = Stamp::next(c.last_stamp(), at_ms + 1, "t");
    c.apply(&edit, &stamp, "ana").unwrap();
    c
}

/// A Slack destination for `department` (never called here: the outbox
/// rows are what the tests read).
async fn destination(s: &Storage, team_id: i64, name: &str, department: &str, language: Language) {
    let d = Destination {
        name: name.into(),
        department: Some(department.into()),
        language,
        enabled: true,
        kind: DestinationKind::Slack { webhook_url: "https://hooks.slack.invalid/services/T0/B0/x".into() },
    };
    s.save_destination(team_id, &d, "ana", 0).await.unwrap();
}

/// The outbox's digest and spike rows for a team: (destination, idempotency
/// key, kind). (Pushing a capture with a department enqueues its own
/// `capture_routed` rows, outbox13's, left out here.)
async fn outbox(s: &Storage, team_id: i64) -> Vec<(String, String, String)> {
    let (rows, _) = s.delivery_log(team_id, &LogFilter::All, 500).await.unwrap();
    let mut out: Vec<_> =
        rows.into_iter().filter(|r| r.kind != "capture_routed").map(|r| (r.destination, r.idempotency_key, r.kind)).collect();
    out.sort();
    out
}

async fn configure(s: &Storage, team_id: i64, feedback: FeedbackConfig) {
    configure_with(s, team_id, feedback, ServiceTargets::default()).await
}

async fn configure_with(s: &Storage, team_id: i64, feedback: FeedbackConfig, service: ServiceTargets) {
    let config = TeamConfig { feedback, service, ..TeamConfig::default() };
    escucha_core::team_config::validate(&config).expect("a valid configuration");
    s.save_team_config(team_id, 0, &config, "ana", 0).await.unwrap();
}

fn dept(name: &str, language: &str, digest: bool, spikes: bool) -> DepartmentFeedback {
    DepartmentFeedback { name: name.into(), language: language.into(), digest, spikes }
}

both_engines! {
    async fn the_weekly_digest_is_enqueued_once_by_two_schedulers(engine) {
        let Some(t) = two(engine, "escucha_feedback_digest").await else { return };
        let team = t.who.team_id;
        // Mondays 09:00 in Mexico City (UTC-6): 15:00 UTC. Urgent captures
        // want a first response within an hour, around the clock.
        let service = ServiceTargets {
            targets: vec![Target { priority: Priority::Urgent, department: None, first_response_minutes: Some(60), close_minutes: None }],
            ..ServiceTargets::default()
        };
        configure_with(&t.a, team, FeedbackConfig {
            time_zone: "America/Mexico_City".into(),
            digest: DigestSchedule { weekday: Weekday::Monday, hour: 9 },
            departments: vec![dept("Logística", "es", true, false)],
            ..FeedbackConfig::default()
        }, service).await;
        destination(&t.a, team, "logistics-slack", "Logistics", Language::Es).await;
        destination(&t.a, team, "pr-slack", "PR", Language::En).await;
        let slot = ms("2026-11-30T15:00:00Z");
        use Priority::*;
        use Sentiment::*;
        use Status::*;
        let this_week = slot - 3 * DAY;
        let last_week = slot - 10 * DAY;
        let caps = vec![
            capture(1, this_week, "Acme", Some("Logistics"), Negative, New, Normal),
            capture(2, this_week + HOUR, "Acme", Some("Logistics"), Negative, NeedsResponse, Urgent),
            capture(3, this_week + 2 * HOUR, "Rival", Some("Logistics"), Negative, Closed, Low),
            capture(4, this_week + 3 * HOUR, "Acme", Some("Logistics"), Positive, Responded, Normal),
            // Just before the period: last week's.
            capture(5, slot - 7 * DAY - 1, "Acme", Some("Logistics"), Negative, Escalated, High),
            capture(6, last_week, "Rival", Some("Logistics"), Neutral, Closed, Normal),
            // At the slot itself: next week's.
            capture(7, slot, "Acme", Some("Logistics"), Negative, New, Urgent),
            // Another department, and none.
            capture(8, this_week, "Acme", Some("PR"), Negative, New, Urgent),
            capture(9, this_week, "Acme", None, Negative, New, Urgent),
        ];
        t.a.push(&t.who, caps.into_iter().map(Ok).collect()).await.unwrap();

        // A second before the slot: nothing is due.
        let early = tick(&t.a, slot - 1_000).await.unwrap();
        assert!(early.sent.is_empty(), "{early:?}");
        // Both servers tick at the same instant.
        let (ra, rb) = tokio::join!(tick(&t.a, slot + 5_000), tick(&t.b, slot + 5_000));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        let key = format!("digest:{team}:Logistics:2026-W49");
        let sent: Vec<&String> = ra.sent.iter().chain(&rb.sent).collect();
        assert_eq!(sent, vec![&key], "exactly one scheduler sent it: {ra:?} {rb:?}");
        let runs = t.a.feedback_runs(team).await.unwrap();
        assert_eq!(runs.len(), 1, "{runs:?}");
        // One outbox row, for the department's destination, under the run key.
        assert_eq!(outbox(&t.b, team).await, vec![("logistics-slack".to_string(), key.clone(), "digest".to_string())]);
        let message = runs[0].1.notification().message;
        assert_eq!(message.subject, "Resumen semanal de Logística, semana 2026-W49");
        let Feedback::Digest { digest, language, time_zone } = &runs[0].1 else { panic!("{runs:?}") };
        assert_eq!((language.as_str(), time_zone.as_str(), digest.slot.week.as_str()), ("es", "America/Mexico_City", "2026-W49"));
        assert_eq!((digest.total.this_week, digest.total.last_week), (4, 2));
        let sentiment = |s: Sentiment| digest.sentiments.iter().find(|c| c.key == s).map(|c| (c.this_week, c.last_week)).unwrap();
        assert_eq!((sentiment(Negative), sentiment(Positive), sentiment(Neutral)), ((3, 1), (1, 0), (0, 1)));
        let brands: Vec<(&str, u64, u64)> = digest.brands.iter().map(|c| (c.key.as_str(), c.this_week, c.last_week)).collect();
        assert_eq!(brands, vec![("Acme", 3, 1), ("Rival", 1, 1)]);
        // Open: 1, 2, 5 and 7 (any week); closed and responded ones are not.
        let open: Vec<&str> = digest.open.iter().map(|i| i.excerpt.split(':').next().unwrap()).collect();
        assert_eq!(open, vec!["Comment 2", "Comment 7", "Comment 5", "Comment 1"], "most urgent first, then oldest");
        assert_eq!(digest.open_total, 4);
        // Overdue at 09:00:05: the urgent one captured days ago, not the one captured at 09:00.
        let overdue: Vec<(&str, Option<i64>)> =
            digest.overdue.iter().map(|i| (i.excerpt.split(':').next().unwrap(), i.due_ms)).collect();
        assert_eq!(overdue, vec![("Comment 2", Some(this_week + 2 * HOUR))]);
        assert_eq!(digest.overdue_total, 1);
        let negative: Vec<&str> = digest.most_negative.iter().map(|i| i.excerpt.split(':').next().unwrap()).collect();
        assert_eq!(negative, vec!["Comment 2", "Comment 1", "Comment 3"], "this week's, by priority");
        assert_eq!(digest.most_negative[0].link.as_deref(), Some("https://forum.example/t/2#p2"));

        // Later the same week: already sent, by either server.
        for (s, at) in [(&t.a, slot + HOUR), (&t.b, slot + 3 * DAY)] {
            assert!(tick(s, at).await.unwrap().sent.is_empty());
        }
        // The next Monday: next week's digest, once.
        let next = tick(&t.b, slot + 7 * DAY).await.unwrap();
        assert_eq!(next.sent, vec![format!("digest:{team}:Logistics:2026-W50")]);
        assert_eq!(t.a.feedback_runs(team).await.unwrap().len(), 2);
        assert_eq!(outbox(&t.a, team).await.len(), 2);
    }

    async fn a_spike_alerts_once_per_cool_down(engine) {
        let Some(t) = two(engine, "escucha_feedback_spike").await else { return };
        let team = t.who.team_id;
        let rule = SpikeRule { window_hours: 3, factor_percent: 300, minimum: 3, cool_down_hours: 12 };
        destination(&t.a, team, "pr-slack", "PR", Language::En).await;
        configure(&t.a, team, FeedbackConfig {
            departments: vec![dept("PR", "en", false, true)],
            spike: rule,
            ..FeedbackConfig::default()
        }).await;
        let now = ms("2026-12-01T10:20:00Z");
        let window_start = ms("2026-12-01T07:00:00Z");
        use Priority::*;
        use Sentiment::*;
        use Status::*;
        let mut caps = vec![];
        // Acme's baseline: one negative capture a day for the 7 days before the window.
        for d in 0..7 {
            caps.push(capture(100 + d, window_start - (d as i64 + 1) * DAY + HOUR, "Acme", None, Negative, New, Normal));
        }
        // In the window: 4 negative about Acme (expected 0.125, ×3 = 0.375), plus a positive one.
        for n in 0..4 {
            caps.push(capture(200 + n, window_start + n as i64 * 30 * 60_000, "Acme", None, Negative, New, Normal));
        }
        caps.push(capture(210, window_start, "Acme", None, Positive, New, Normal));
        // Rival: 2 negative on a zero baseline, under the minimum of 3.
        for n in 0..2 {
            caps.push(capture(300 + n, window_start + HOUR, "Rival", None, Negative, New, Normal));
        }
        t.a.push(&t.who, caps.into_iter().map(Ok).collect()).await.unwrap();

        let (ra, rb) = tokio::join!(tick(&t.a, now), tick(&t.b, now));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        let key = format!("spike:{team}:Acme:{window_start}:PR");
        let sent: Vec<&String> = ra.sent.iter().chain(&rb.sent).collect();
        assert_eq!(sent, vec![&key], "{ra:?} {rb:?}");
        let runs = t.a.feedback_runs(team).await.unwrap();
        let Feedback::Spike { spike, language, .. } = &runs[0].1 else { panic!("{runs:?}") };
        assert_eq!((spike.brand.as_str(), spike.count, spike.baseline, language.as_str()), ("Acme", 4, 7, "en"));

        // Every hour for the next 11 hours the flood goes on (4 new negative
        // captures in each window): cooling down, nothing sent.
        let mut n = 400;
        for h in 1..=12 {
            let start = window_start + h * HOUR;
            let fresh: Vec<_> = (0..4).map(|i| { n += 1; capture(n, start + i * 60_000, "Acme", None, Negative, New, Normal) }).collect();
            t.a.push(&t.who, fresh.into_iter().map(Ok).collect()).await.unwrap();
            let r = tick(if h % 2 == 0 { &t.a } else { &t.b }, now + h * HOUR).await.unwrap();
            if h < 12 {
                assert!(r.sent.is_empty(), "hour {h}: {r:?}");
            } else {
                // 12 hours after the first alert's window end: the next one.
                assert_eq!(r.sent, vec![format!("spike:{team}:Acme:{start}:PR")], "hour {h}");
            }
        }
        assert_eq!(t.a.feedback_runs(team).await.unwrap().len(), 2);
        let spikes: Vec<String> = outbox(&t.a, team).await.into_iter().map(|(d, k, kind)| format!("{d} {kind} {k}")).collect();
        assert_eq!(
            spikes,
            vec![
                format!("pr-slack spike_alert spike:{team}:Acme:{window_start}:PR"),
                format!("pr-slack spike_alert spike:{team}:Acme:{}:PR", window_start + 12 * HOUR),
            ]
        );
    }
}
