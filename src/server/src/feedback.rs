//! digest13 (issue 13): the scheduler that feeds back to the organisation.
//! On each tick, with the time passed in (tests step a fake clock), it
//! works out for every team that lists departments under `feedback`:
//!
//! - the weekly digest of each department whose slot has come
//!   (`escucha_core::feedback::digest_due`), from server-side queries: the
//!   facet counts of the department's week and the week before (answered by
//!   the roll-up or the indexed query table, never by reading the log), its
//!   open items, its overdue ones and the week's most negative comments;
//! - the spike alert of each brand whose negative captures in the window
//!   exceed its 7-day baseline × factor (one facet query per window).
//!
//! Two servers never send one thing twice: a team is worked on by one
//! scheduler at a time (its row in `feedback_teams`, locked with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, so another server skips the team
//! this tick; SQLite is one process's file and one tick at a time), every
//! thing sent has a run key (`digest:<team>:<dept>:<iso week>`,
//! `spike:<team>:<brand>:<window start>`) that is the primary key of
//! `feedback_runs` with `team_id` leading, and the same key is the
//! outbox's idempotency key, so a tick that dies between enqueueing and
//! recording the run re-enqueues the same key and the outbox keeps one.

use std::collections::BTreeMap;
use std::time::Duration;

use escucha_core::dashboard::i18n::Lang;
use escucha_core::delivery::{Notification, NotificationKind};
use escucha_core::feedback::text;
use escucha_core::feedback::{
    self, build_digest, decide_spike, digest_due, spike_window, BrandCounts, Digest, DigestInput, DigestItem, Spike, SpikeDecision, Tally,
};
use escucha_core::log::query::SortKey;
use escucha_core::log::query_api::{CaptureQuery, Cursor, MAX_LIMIT};
use escucha_core::log::Sentiment;
use escucha_core::service::{due_with, ServiceTargets};
use escucha_core::team_config::TeamConfig;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::db::DbError;
use crate::delivery::Target;
use crate::storage::{blocking, Storage};

/// Idempotent (`IF NOT EXISTS`), so a test that rewinds the schema to an
/// earlier migration can run the later ones again.
pub const SQLITE_MIGRATION: &str = "CREATE TABLE IF NOT EXISTS feedback_teams (
         team_id INTEGER PRIMARY KEY REFERENCES teams(id),
         ticked_ms INTEGER NOT NULL,
         spikes_judged_ms INTEGER NOT NULL DEFAULT 0
     ) STRICT;
     CREATE TABLE IF NOT EXISTS feedback_runs (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         run_key TEXT NOT NULL,
         kind TEXT NOT NULL,
         subject TEXT NOT NULL,
         period_end_ms INTEGER NOT NULL,
         ran_ms INTEGER NOT NULL,
         message TEXT NOT NULL,
         PRIMARY KEY (team_id, run_key)
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX IF NOT EXISTS feedback_runs_by_subject ON feedback_runs (team_id, kind, subject, period_end_ms);";

pub const POSTGRES_MIGRATION: &str = r#"CREATE TABLE IF NOT EXISTS feedback_teams (
         team_id bigint PRIMARY KEY REFERENCES teams(id),
         ticked_ms bigint NOT NULL,
         spikes_judged_ms bigint NOT NULL DEFAULT 0
     );
     CREATE TABLE IF NOT EXISTS feedback_runs (
         team_id bigint NOT NULL REFERENCES teams(id),
         run_key text COLLATE "C" NOT NULL,
         kind text COLLATE "C" NOT NULL,
         subject text COLLATE "C" NOT NULL,
         period_end_ms bigint NOT NULL,
         ran_ms bigint NOT NULL,
         message text NOT NULL,
         PRIMARY KEY (team_id, run_key)
     );
     CREATE INDEX IF NOT EXISTS feedback_runs_by_subject ON feedback_runs (team_id, kind, subject, period_end_ms);"#;

/// How often the server's scheduler ticks.
pub const TICK: Duration = Duration::from_secs(60);

/// What one department is sent, before it is worded for a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Feedback {
    Digest { digest: Digest, language: String, time_zone: String },
    Spike { spike: Spike, language: String, time_zone: String, cool_down_hours: u32 },
}

/// One thing to send to one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The run key and outbox idempotency key.
    pub key: String,
    pub kind: &'static str,
    /// The department for a digest, the brand for a spike.
    pub subject: String,
    pub period_end_ms: i64,
    /// The department whose destinations get it (canonical).
    pub department: String,
    pub feedback: Feedback,
}

/// What a tick did (the tests read it; the task logs it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Run keys sent this tick.
    pub sent: Vec<String>,
    /// Teams another scheduler was working on.
    pub skipped_teams: Vec<i64>,
}

/// The run state a tick reads and writes, per engine.
enum Runs {
    Sqlite(crate::db::Db),
    Postgres(deadpool_postgres::Object),
}

// --- SQLite ---------------------------------------------------------------

fn sql(e: rusqlite::Error) -> DbError {
    DbError(format!("SQLite: {e}"))
}

fn sqlite_team_ids(c: &rusqlite::Connection) -> Result<Vec<i64>, DbError> {
    let mut stmt = c.prepare_cached("SELECT id FROM teams ORDER BY id").map_err(sql)?;
    let ids = stmt.query_map([], |r| r.get(0)).map_err(sql)?.collect::<Result<Vec<i64>, _>>().map_err(sql);
    ids
}

/// The spike window end last judged for the team (0: never).
fn sqlite_spikes_judged(c: &rusqlite::Connection, team_id: i64) -> Result<i64, DbError> {
    c.query_row("SELECT spikes_judged_ms FROM feedback_teams WHERE team_id = ?1", params![team_id], |r| r.get(0))
        .optional()
        .map(|o| o.unwrap_or(0))
        .map_err(sql)
}

fn sqlite_set_spikes_judged(c: &rusqlite::Connection, team_id: i64, window_end_ms: i64, now_ms: i64) -> Result<(), DbError> {
    c.execute(
        "INSERT INTO feedback_teams (team_id, ticked_ms, spikes_judged_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (team_id) DO UPDATE SET ticked_ms = excluded.ticked_ms, spikes_judged_ms = excluded.spikes_judged_ms",
        params![team_id, now_ms, window_end_ms],
    )
    .map(|_| ())
    .map_err(sql)
}

fn sqlite_has_run(c: &rusqlite::Connection, team_id: i64, key: &str) -> Result<bool, DbError> {
    c.query_row("SELECT 1 FROM feedback_runs WHERE team_id = ?1 AND run_key = ?2", params![team_id, key], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
        .map_err(sql)
}

fn sqlite_last_spike(c: &rusqlite::Connection, team_id: i64, brand: &str) -> Result<Option<i64>, DbError> {
    c.query_row(
        "SELECT max(period_end_ms) FROM feedback_runs WHERE team_id = ?1 AND kind = 'spike' AND subject = ?2",
        params![team_id, brand],
        |r| r.get(0),
    )
    .map_err(sql)
}

/// `false`: the key was already recorded (by another tick).
fn sqlite_record(c: &rusqlite::Connection, team_id: i64, o: &Outgoing, now_ms: i64) -> Result<bool, DbError> {
    let message = serde_json::to_string(&o.feedback).expect("feedback serializes");
    let n = c
        .execute(
            "INSERT INTO feedback_runs (team_id, run_key, kind, subject, period_end_ms, ran_ms, message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (team_id, run_key) DO NOTHING",
            params![team_id, o.key, o.kind, o.subject, o.period_end_ms, now_ms, message],
        )
        .map_err(sql)?;
    Ok(n == 1)
}

// --- PostgreSQL -----------------------------------------------------------

fn pg(context: &'static str) -> impl Fn(tokio_postgres::Error) -> DbError {
    move |e| DbError(format!("{context}: {}", e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())))
}

/// Take the team for this tick: `false` when another server holds it. The
/// row lock lasts until the transaction `BEGIN` opened ends.
async fn pg_take_team(c: &deadpool_postgres::Object, team_id: i64, now_ms: i64) -> Result<bool, DbError> {
    let e = pg("Taking a team for feedback");
    c.execute("INSERT INTO feedback_teams (team_id, ticked_ms) VALUES ($1, $2) ON CONFLICT (team_id) DO NOTHING", &[&team_id, &now_ms])
        .await
        .map_err(&e)?;
    c.batch_execute("BEGIN").await.map_err(&e)?;
    let got =
        c.query_opt("SELECT ticked_ms FROM feedback_teams WHERE team_id = $1 FOR UPDATE SKIP LOCKED", &[&team_id]).await.map_err(&e)?;
    if got.is_none() {
        c.batch_execute("ROLLBACK").await.map_err(&e)?;
        return Ok(false);
    }
    c.execute("UPDATE feedback_teams SET ticked_ms = $2 WHERE team_id = $1", &[&team_id, &now_ms]).await.map_err(&e)?;
    Ok(true)
}

async fn pg_spikes_judged(c: &deadpool_postgres::Object, team_id: i64) -> Result<i64, DbError> {
    let row = c
        .query_opt("SELECT spikes_judged_ms FROM feedback_teams WHERE team_id = $1", &[&team_id])
        .await
        .map_err(pg("Reading the spike window judged"))?;
    Ok(row.map_or(0, |r| r.get(0)))
}

async fn pg_set_spikes_judged(c: &deadpool_postgres::Object, team_id: i64, window_end_ms: i64) -> Result<(), DbError> {
    c.execute("UPDATE feedback_teams SET spikes_judged_ms = $2 WHERE team_id = $1", &[&team_id, &window_end_ms])
        .await
        .map_err(pg("Recording the spike window judged"))?;
    Ok(())
}

async fn pg_has_run(c: &deadpool_postgres::Object, team_id: i64, key: &str) -> Result<bool, DbError> {
    let row = c
        .query_opt("SELECT 1 FROM feedback_runs WHERE team_id = $1 AND run_key = $2", &[&team_id, &key])
        .await
        .map_err(pg("Reading feedback runs"))?;
    Ok(row.is_some())
}

async fn pg_last_spike(c: &deadpool_postgres::Object, team_id: i64, brand: &str) -> Result<Option<i64>, DbError> {
    let row = c
        .query_one(
            "SELECT max(period_end_ms) FROM feedback_runs WHERE team_id = $1 AND kind = 'spike' AND subject = $2",
            &[&team_id, &brand],
        )
        .await
        .map_err(pg("Reading spike alerts"))?;
    Ok(row.get(0))
}

async fn pg_record(c: &deadpool_postgres::Object, team_id: i64, o: &Outgoing, now_ms: i64) -> Result<bool, DbError> {
    let message = serde_json::to_string(&o.feedback).expect("feedback serializes");
    let n = c
        .execute(
            "INSERT INTO feedback_runs (team_id, run_key, kind, subject, period_end_ms, ran_ms, message)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (team_id, run_key) DO NOTHING",
            &[&team_id, &o.key, &o.kind, &o.subject, &o.period_end_ms, &now_ms, &message],
        )
        .await
        .map_err(pg("Recording a feedback run"))?;
    Ok(n == 1)
}

async fn pg_team_ids(c: &deadpool_postgres::Object) -> Result<Vec<i64>, DbError> {
    let rows = c.query("SELECT id FROM teams ORDER BY id", &[]).await.map_err(pg("Listing teams"))?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

// --- the engine-neutral steps ---------------------------------------------

impl Runs {
    async fn has_run(&self, team_id: i64, key: &str) -> Result<bool, DbError> {
        match self {
            Runs::Sqlite(db) => {
                let key = key.to_string();
                blocking(db, move |c| sqlite_has_run(c, team_id, &key)).await?
            }
            Runs::Postgres(c) => pg_has_run(c, team_id, key).await,
        }
    }

    async fn last_spike(&self, team_id: i64, brand: &str) -> Result<Option<i64>, DbError> {
        match self {
            Runs::Sqlite(db) => {
                let brand = brand.to_string();
                blocking(db, move |c| sqlite_last_spike(c, team_id, &brand)).await?
            }
            Runs::Postgres(c) => pg_last_spike(c, team_id, brand).await,
        }
    }

    async fn record(&self, team_id: i64, o: &Outgoing, now_ms: i64) -> Result<bool, DbError> {
        match self {
            Runs::Sqlite(db) => {
                let o = o.clone();
                blocking(db, move |c| sqlite_record(c, team_id, &o, now_ms)).await?
            }
            Runs::Postgres(c) => pg_record(c, team_id, o, now_ms).await,
        }
    }

    /// Spikes are judged once per window (an hour's ticks judge the same
    /// one): `true` when this window has not been judged yet.
    async fn spikes_unjudged(&self, team_id: i64, window_end_ms: i64) -> Result<bool, DbError> {
        let judged = match self {
            Runs::Sqlite(db) => blocking(db, move |c| sqlite_spikes_judged(c, team_id)).await??,
            Runs::Postgres(c) => pg_spikes_judged(c, team_id).await?,
        };
        Ok(judged < window_end_ms)
    }

    async fn spikes_judged(&self, team_id: i64, window_end_ms: i64, now_ms: i64) -> Result<(), DbError> {
        match self {
            Runs::Sqlite(db) => blocking(db, move |c| sqlite_set_spikes_judged(c, team_id, window_end_ms, now_ms)).await?,
            Runs::Postgres(c) => pg_set_spikes_judged(c, team_id, window_end_ms).await,
        }
    }

    async fn finish(self, ok: bool) -> Result<(), DbError> {
        match self {
            Runs::Sqlite(_) => Ok(()),
            Runs::Postgres(c) => c.batch_execute(if ok { "COMMIT" } else { "ROLLBACK" }).await.map_err(pg("Ending a feedback tick")),
        }
    }
}

impl Storage {
    /// digest13: every team's id (the scheduler visits each).
    pub async fn feedback_team_ids(&self) -> Result<Vec<i64>, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, |c| sqlite_team_ids(c)).await?,
            Storage::Postgres(pg) => pg_team_ids(&pg.client().await?).await,
        }
    }

    /// The runs recorded for a team, oldest first: `(run_key, message)`.
    pub async fn feedback_runs(&self, team_id: i64) -> Result<Vec<(String, Feedback)>, DbError> {
        let rows: Vec<(String, String)> = match self {
            Storage::Sqlite(db) => {
                blocking(db, move |c| {
                    let mut stmt = c
                        .prepare_cached("SELECT run_key, message FROM feedback_runs WHERE team_id = ?1 ORDER BY ran_ms, run_key")
                        .map_err(sql)?;
                    let rows = stmt.query_map(params![team_id], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sql)?;
                    rows.collect::<Result<Vec<_>, _>>().map_err(sql)
                })
                .await??
            }
            Storage::Postgres(pg) => {
                let c = pg.client().await?;
                let rows = c
                    .query("SELECT run_key, message FROM feedback_runs WHERE team_id = $1 ORDER BY ran_ms, run_key", &[&team_id])
                    .await
                    .map_err(crate::feedback::pg("Reading feedback runs"))?;
                rows.into_iter().map(|r| (r.get(0), r.get(1))).collect()
            }
        };
        rows.into_iter()
            .map(|(k, m)| Ok((k, serde_json::from_str(&m).map_err(|e| DbError(format!("A stored feedback run does not read back: {e}")))?)))
            .collect()
    }
}

fn tally(f: &escucha_core::log::query::Facets) -> Tally {
    Tally {
        by_sentiment: f.sentiments.iter().filter(|(_, n)| *n > 0).map(|(s, n)| (*s, *n as u64)).collect(),
        by_brand: f.brands.iter().filter(|(_, n)| *n > 0).map(|(b, n)| (b.clone(), *n as u64)).collect(),
    }
}

/// Every capture a query selects, page by page (bounded by what it selects,
/// never the whole log: the queries below are one department's open items).
async fn all(storage: &Storage, team_id: i64, mut q: CaptureQuery) -> Result<Vec<escucha_core::log::Capture>, DbError> {
    q.limit = MAX_LIMIT;
    let mut out = vec![];
    loop {
        let page = storage.list(team_id, &q).await?;
        out.extend(page.items);
        match page.next {
            Some(next) => q.after = Some(Cursor::decode(&next).ok_or_else(|| DbError("A page cursor does not read back".into()))?.key),
            None => return Ok(out),
        }
    }
}

/// The digest of one department for one slot, from server-side queries.
async fn digest_of(
    storage: &Storage,
    team_id: i64,
    department: &str,
    slot: feedback::DigestSlot,
    service: &ServiceTargets,
    now_ms: i64,
) -> Result<Digest, DbError> {
    let dept = CaptureQuery { departments: vec![Some(department.to_string())], ..CaptureQuery::default() };
    let week = |p: feedback::Period| CaptureQuery { from_ms: Some(p.start_ms), to_ms: Some(p.end_ms), ..dept.clone() };
    let this_week = storage.facets(team_id, &week(slot.period)).await?;
    let last_week = storage.facets(team_id, &week(slot.previous)).await?;
    let open_q = CaptureQuery { statuses: feedback::digest::open_statuses(), sort: SortKey::Priority, descending: true, ..dept.clone() };
    let open_captures = all(storage, team_id, open_q).await?;
    let open: Vec<DigestItem> = open_captures.iter().map(DigestItem::of).collect();
    // Overdue by the team's service targets (sla13), as the queue shows it.
    let calendar = service.calendar();
    let overdue: Vec<DigestItem> = open_captures
        .iter()
        .filter_map(|c| {
            let due = due_with(c, service, calendar.as_ref()?, now_ms).filter(|d| d.overdue)?;
            Some(DigestItem { due_ms: Some(due.due_at), ..DigestItem::of(c) })
        })
        .collect();
    let overdue_total = overdue.len() as u64;
    let negative_q = CaptureQuery {
        sentiments: vec![Sentiment::Negative],
        sort: SortKey::Priority,
        descending: true,
        limit: feedback::digest::MOST_NEGATIVE as u32,
        ..week(slot.period)
    };
    let negative: Vec<DigestItem> = storage.list(team_id, &negative_q).await?.items.iter().map(DigestItem::of).collect();
    let open_total = open.len() as u64;
    Ok(build_digest(DigestInput {
        department: department.to_string(),
        slot,
        this_week: tally(&this_week.facets),
        last_week: tally(&last_week.facets),
        open,
        open_total,
        overdue,
        overdue_total,
        negative,
    }))
}

/// Everything due for one team at `now_ms` that has not run yet.
async fn due(storage: &Storage, runs: &Runs, team_id: i64, team: &TeamConfig, now_ms: i64) -> Result<Vec<Outgoing>, DbError> {
    let config = &team.feedback;
    let mut out = vec![];
    for d in config.digest_departments() {
        let department = d.canonical();
        let Some(slot) = feedback::digest_slot(config, now_ms) else { continue };
        let key = feedback::digest_key(team_id, &department, &slot.week);
        let last = runs.has_run(team_id, &key).await?.then_some(slot.week.clone());
        let Some(slot) = digest_due(config, now_ms, last.as_deref()) else { continue };
        let period_end_ms = slot.at_ms;
        let digest = digest_of(storage, team_id, &department, slot, &team.service, now_ms).await?;
        out.push(Outgoing {
            key,
            kind: "digest",
            subject: department.clone(),
            period_end_ms,
            department,
            feedback: Feedback::Digest { digest, language: d.lang().tag().to_string(), time_zone: config.time_zone.clone() },
        });
    }
    let spike_departments: Vec<_> = config.spike_departments().collect();
    if spike_departments.is_empty() {
        return Ok(out);
    }
    let rule = config.spike;
    let w = spike_window(&rule, now_ms);
    if !runs.spikes_unjudged(team_id, w.window.end_ms).await? {
        return Ok(out);
    }
    let negative = |p: feedback::Period| CaptureQuery {
        sentiments: vec![Sentiment::Negative],
        from_ms: Some(p.start_ms),
        to_ms: Some(p.end_ms),
        ..CaptureQuery::default()
    };
    let window = storage.facets(team_id, &negative(w.window)).await?.facets.brands;
    let baseline: BTreeMap<String, u32> = storage.facets(team_id, &negative(w.baseline)).await?.facets.brands.into_iter().collect();
    for (brand, n) in window {
        if n == 0 {
            continue;
        }
        let counts = BrandCounts { brand: brand.clone(), window: n as u64, baseline: baseline.get(&brand).copied().unwrap_or(0) as u64 };
        let last = runs.last_spike(team_id, &brand).await?;
        let SpikeDecision::Fire(spike) = decide_spike(&rule, &w, &counts, last) else { continue };
        for d in &spike_departments {
            let department = d.canonical();
            // One key per department: each department's alert is its own delivery.
            let key = format!("{}:{department}", feedback::spike_key(team_id, &brand, w.window.start_ms));
            if runs.has_run(team_id, &key).await? {
                continue;
            }
            out.push(Outgoing {
                key,
                kind: "spike",
                subject: brand.clone(),
                period_end_ms: w.window.end_ms,
                department,
                feedback: Feedback::Spike {
                    spike: spike.clone(),
                    language: d.lang().tag().to_string(),
                    time_zone: config.time_zone.clone(),
                    cool_down_hours: rule.cool_down_hours,
                },
            });
        }
    }
    Ok(out)
}

impl Feedback {
    /// The outbox's notification: the message worded in the department's
    /// language, and the data itself for the generic webhook's receivers.
    pub fn notification(&self) -> Notification {
        let (kind, lang, worded) = match self {
            Feedback::Digest { digest, language, time_zone } => {
                let lang = Lang::from_tag(language).unwrap_or_default();
                (NotificationKind::Digest, lang, text::digest(digest, lang, time_zone))
            }
            Feedback::Spike { spike, language, time_zone, cool_down_hours } => {
                let lang = Lang::from_tag(language).unwrap_or_default();
                (NotificationKind::SpikeAlert, lang, text::spike(spike, lang, time_zone, *cool_down_hours))
            }
        };
        Notification {
            kind,
            message: worded.message(lang),
            data: serde_json::to_value(self).expect("feedback serializes"),
            capture_id: None,
        }
    }
}

/// Hand one thing to the delivery outbox (idempotent by its key: a second
/// enqueue of the same key is a no-op there).
async fn enqueue(storage: &Storage, team_id: i64, o: &Outgoing) -> Result<(), DbError> {
    storage.enqueue_notification(team_id, &Target::Department(o.department.clone()), &o.feedback.notification(), &o.key).await?;
    Ok(())
}

/// One scheduler tick at `now_ms`.
pub async fn tick(storage: &Storage, now_ms: i64) -> Result<TickReport, DbError> {
    let mut report = TickReport::default();
    for team_id in storage.feedback_team_ids().await? {
        let Some(doc) = storage.team_config(team_id).await? else { continue };
        let config = doc.config;
        if config.feedback.departments.is_empty() {
            continue;
        }
        let runs = match storage {
            Storage::Sqlite(db) => Runs::Sqlite(db.clone()),
            Storage::Postgres(pg) => {
                let c = pg.client().await?;
                if !pg_take_team(&c, team_id, now_ms).await? {
                    report.skipped_teams.push(team_id);
                    continue;
                }
                Runs::Postgres(c)
            }
        };
        let result = async {
            let mut sent = vec![];
            for o in due(storage, &runs, team_id, &config, now_ms).await? {
                enqueue(storage, team_id, &o).await?;
                if runs.record(team_id, &o, now_ms).await? {
                    sent.push(o.key);
                }
            }
            if config.feedback.spike_departments().next().is_some() {
                // Recorded after the alerts: a tick that dies before this judges the window again.
                runs.spikes_judged(team_id, spike_window(&config.feedback.spike, now_ms).window.end_ms, now_ms).await?;
            }
            Ok::<_, DbError>(sent)
        }
        .await;
        runs.finish(result.is_ok()).await?;
        report.sent.extend(result?);
    }
    Ok(report)
}

/// The server's scheduler: a tick every [`TICK`], on the wall clock.
pub fn spawn(storage: Storage) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            match tick(&storage, crate::now_ms()).await {
                Ok(r) if !r.sent.is_empty() => eprintln!("feedback: sent {}", r.sent.join(", ")),
                Ok(_) => {}
                Err(e) => eprintln!("feedback: tick failed: {}", e.0),
            }
        }
    })
}
