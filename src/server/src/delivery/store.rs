//! The delivery tables on both engines. `team_id` leads every key and index
//! (tests/schema_lint.rs), and every PostgreSQL statement is for one team.

use deadpool_postgres::GenericClient;
use escucha_core::delivery::{DeliveryState, Destination, Notification, Target};
use escucha_core::log::Capture;
use rusqlite::{params, Connection, OptionalExtension};

use super::{message_id, routed_key, routed_notification, AttemptRow, Enqueued, Leased, OutboxRow};
use crate::db::DbError;
use crate::postgres::PgDb;

/// SQLite: the destinations (the whole document, secrets included, as JSON;
/// department and enabled as columns to select by), the outbox and the
/// attempt log.
pub const SQLITE_MIGRATION: &str = "CREATE TABLE delivery_destinations (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         name TEXT NOT NULL,
         department TEXT,
         enabled INTEGER NOT NULL,
         config TEXT NOT NULL,
         updated_by TEXT NOT NULL,
         updated_ms INTEGER NOT NULL,
         PRIMARY KEY (team_id, name)
     ) STRICT;
     CREATE INDEX delivery_destinations_by_department ON delivery_destinations (team_id, department);
     CREATE TABLE delivery_outbox (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         id TEXT NOT NULL,
         destination TEXT NOT NULL,
         idem_key TEXT NOT NULL,
         kind TEXT NOT NULL,
         capture_id TEXT,
         notification TEXT NOT NULL,
         state TEXT NOT NULL,
         attempts INTEGER NOT NULL,
         retry_base INTEGER NOT NULL,
         next_ms INTEGER NOT NULL,
         lease_owner TEXT,
         lease_until_ms INTEGER NOT NULL,
         created_ms INTEGER NOT NULL,
         done_ms INTEGER,
         last_error TEXT,
         PRIMARY KEY (team_id, id),
         UNIQUE (team_id, destination, idem_key)
     ) STRICT;
     CREATE INDEX delivery_outbox_due ON delivery_outbox (team_id, state, next_ms);
     CREATE INDEX delivery_outbox_by_capture ON delivery_outbox (team_id, capture_id);
     CREATE TABLE delivery_attempts (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         outbox_id TEXT NOT NULL,
         attempt INTEGER NOT NULL,
         destination TEXT NOT NULL,
         capture_id TEXT,
         at_ms INTEGER NOT NULL,
         duration_ms INTEGER NOT NULL,
         result TEXT NOT NULL,
         http_status INTEGER,
         smtp_code INTEGER,
         error TEXT,
         worker TEXT NOT NULL,
         PRIMARY KEY (team_id, outbox_id, attempt)
     ) STRICT;
     CREATE INDEX delivery_attempts_by_destination ON delivery_attempts (team_id, destination, at_ms);
     CREATE INDEX delivery_attempts_by_capture ON delivery_attempts (team_id, capture_id);";

pub const POSTGRES_MIGRATION: &str = "CREATE TABLE delivery_destinations (
         team_id bigint NOT NULL REFERENCES teams(id),
         name text NOT NULL,
         department text,
         enabled boolean NOT NULL,
         config text NOT NULL,
         updated_by text NOT NULL,
         updated_ms bigint NOT NULL,
         PRIMARY KEY (team_id, name)
     );
     CREATE INDEX delivery_destinations_by_department ON delivery_destinations (team_id, department);
     CREATE TABLE delivery_outbox (
         team_id bigint NOT NULL REFERENCES teams(id),
         id text NOT NULL,
         destination text NOT NULL,
         idem_key text NOT NULL,
         kind text NOT NULL,
         capture_id text,
         notification text NOT NULL,
         state text NOT NULL,
         attempts integer NOT NULL,
         retry_base integer NOT NULL,
         next_ms bigint NOT NULL,
         lease_owner text,
         lease_until_ms bigint NOT NULL,
         created_ms bigint NOT NULL,
         done_ms bigint,
         last_error text,
         PRIMARY KEY (team_id, id),
         UNIQUE (team_id, destination, idem_key)
     );
     CREATE INDEX delivery_outbox_due ON delivery_outbox (team_id, state, next_ms);
     CREATE INDEX delivery_outbox_by_capture ON delivery_outbox (team_id, capture_id);
     CREATE TABLE delivery_attempts (
         team_id bigint NOT NULL REFERENCES teams(id),
         outbox_id text NOT NULL,
         attempt integer NOT NULL,
         destination text NOT NULL,
         capture_id text,
         at_ms bigint NOT NULL,
         duration_ms bigint NOT NULL,
         result text NOT NULL,
         http_status integer,
         smtp_code integer,
         error text,
         worker text NOT NULL,
         PRIMARY KEY (team_id, outbox_id, attempt)
     );
     CREATE INDEX delivery_attempts_by_destination ON delivery_attempts (team_id, destination, at_ms);
     CREATE INDEX delivery_attempts_by_capture ON delivery_attempts (team_id, capture_id);";

/// The tables, for the sharding lists (all distributed by team).
pub const TABLES: [&str; 3] = ["delivery_destinations", "delivery_outbox", "delivery_attempts"];

/// How a finished attempt leaves its row.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub state: DeliveryState,
    pub next_ms: i64,
    pub log: AttemptRow,
}

fn read_destination(json: &str) -> Result<Destination, DbError> {
    serde_json::from_str(json).map_err(|e| DbError(format!("A stored destination does not read: {e}")))
}

fn read_notification(json: &str) -> Result<Notification, DbError> {
    serde_json::from_str(json).map_err(|e| DbError(format!("A stored notification does not read: {e}")))
}

fn sq(e: rusqlite::Error) -> DbError {
    DbError(format!("SQLite: {e}"))
}

fn pg(context: &'static str) -> impl Fn(tokio_postgres::Error) -> DbError {
    move |e| DbError(format!("{context}: {}", e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string())))
}

const OUTBOX_COLUMNS: &str = "id, destination, idem_key, kind, capture_id, state, attempts, next_ms, created_ms, done_ms, last_error";
const ATTEMPT_COLUMNS: &str = "outbox_id, attempt, destination, capture_id, at_ms, duration_ms, result, http_status, smtp_code, error";

// --- SQLite --------------------------------------------------------------------

pub fn sqlite_destinations(c: &Connection, team_id: i64) -> Result<Vec<Destination>, DbError> {
    let mut stmt = c.prepare_cached("SELECT config FROM delivery_destinations WHERE team_id = ?1 ORDER BY name").map_err(sq)?;
    let rows: Vec<String> = stmt.query_map(params![team_id], |r| r.get(0)).map_err(sq)?.collect::<Result<_, _>>().map_err(sq)?;
    rows.iter().map(|j| read_destination(j)).collect()
}

pub fn sqlite_destination(c: &Connection, team_id: i64, name: &str) -> Result<Option<Destination>, DbError> {
    let found: Option<String> = c
        .query_row("SELECT config FROM delivery_destinations WHERE team_id = ?1 AND name = ?2", params![team_id, name], |r| r.get(0))
        .optional()
        .map_err(sq)?;
    found.map(|j| read_destination(&j)).transpose()
}

pub fn sqlite_put_destination(c: &Connection, team_id: i64, d: &Destination, by: &str, now: i64) -> Result<(), DbError> {
    let json = serde_json::to_string(d).map_err(|e| DbError(e.to_string()))?;
    c.execute(
        "INSERT INTO delivery_destinations (team_id, name, department, enabled, config, updated_by, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (team_id, name) DO UPDATE SET department = excluded.department, enabled = excluded.enabled,
             config = excluded.config, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
        params![team_id, d.name, d.department, d.enabled, json, by, now],
    )
    .map_err(sq)?;
    Ok(())
}

pub fn sqlite_delete_destination(c: &Connection, team_id: i64, name: &str) -> Result<bool, DbError> {
    Ok(c.execute("DELETE FROM delivery_destinations WHERE team_id = ?1 AND name = ?2", params![team_id, name]).map_err(sq)? > 0)
}

fn sqlite_targets(c: &Connection, team_id: i64, target: &Target) -> rusqlite::Result<Vec<String>> {
    let (sql, arg) = match target {
        Target::Department(d) => ("SELECT config FROM delivery_destinations WHERE team_id = ?1 AND department = ?2 AND enabled = 1", d),
        Target::Destination(n) => ("SELECT config FROM delivery_destinations WHERE team_id = ?1 AND name = ?2 AND enabled = 1", n),
    };
    let rows = c.prepare_cached(sql)?.query_map(params![team_id, arg], |r| r.get(0))?.collect();
    rows
}

fn sqlite_insert(c: &Connection, team_id: i64, destination: &str, n: &Notification, key: &str, now: i64) -> rusqlite::Result<bool> {
    let json = serde_json::to_string(n).expect("a notification serializes");
    let kind = serde_json::to_value(n.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let inserted = c.prepare_cached(
        "INSERT INTO delivery_outbox (team_id, id, destination, idem_key, kind, capture_id, notification, state, attempts, retry_base, next_ms, lease_until_ms, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, 0, ?8, 0, ?8)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![team_id, message_id(team_id, destination, key), destination, key, kind, n.capture_id, json, now])?;
    Ok(inserted > 0)
}

/// Enqueue inside the caller's transaction (or as one statement each).
pub fn sqlite_enqueue(c: &Connection, team_id: i64, target: &Target, n: &Notification, key: &str, now: i64) -> rusqlite::Result<Enqueued> {
    let mut out = Enqueued::default();
    for json in sqlite_targets(c, team_id, target)? {
        let Ok(d) = serde_json::from_str::<Destination>(&json) else { continue };
        out.matched += 1;
        out.enqueued += u32::from(sqlite_insert(c, team_id, &d.name, n, key, now)?);
    }
    Ok(out)
}

/// The routed captures of one write, in its transaction: each department's
/// destinations get the capture, in their own language, once per event.
pub fn sqlite_enqueue_routed(c: &Connection, team_id: i64, routed: &[&Capture], now: i64) -> rusqlite::Result<u32> {
    let mut n = 0;
    for capture in routed {
        let Some(department) = capture.department.value.as_deref() else { continue };
        for json in sqlite_targets(c, team_id, &Target::Department(department.to_string()))? {
            let Ok(d) = serde_json::from_str::<Destination>(&json) else { continue };
            let note = routed_notification(capture, department, d.language);
            n += u32::from(sqlite_insert(c, team_id, &d.name, &note, &routed_key(capture), now)?);
        }
    }
    Ok(n)
}

/// SQLite is one process's file: leases left by a killed process are void.
pub fn sqlite_release_leases(c: &Connection) -> Result<usize, DbError> {
    c.execute("UPDATE delivery_outbox SET lease_owner = NULL, lease_until_ms = 0 WHERE lease_owner IS NOT NULL", []).map_err(sq)
}

pub fn sqlite_lease(c: &mut Connection, worker: &str, now: i64, lease_ms: i64, limit: u32) -> Result<Vec<Leased>, DbError> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sq)?;
    let teams: Vec<i64> = tx
        .prepare_cached("SELECT DISTINCT team_id FROM delivery_outbox WHERE state = 'pending' AND next_ms <= ?1 AND lease_until_ms <= ?1")
        .map_err(sq)?
        .query_map(params![now], |r| r.get(0))
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    let mut out = vec![];
    for team_id in teams {
        let mut stmt = tx
            .prepare_cached(
                "UPDATE delivery_outbox SET lease_owner = ?2, lease_until_ms = ?3, attempts = attempts + 1
                 WHERE team_id = ?1 AND id IN (SELECT id FROM delivery_outbox WHERE team_id = ?1 AND state = 'pending'
                     AND next_ms <= ?4 AND lease_until_ms <= ?4 ORDER BY next_ms LIMIT ?5)
                 RETURNING id, destination, notification, capture_id, attempts, retry_base",
            )
            .map_err(sq)?;
        let rows: Vec<(String, String, String, Option<String>, u32, u32)> = stmt
            .query_map(params![team_id, worker, now + lease_ms, now, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .map_err(sq)?
            .collect::<Result<_, _>>()
            .map_err(sq)?;
        for (id, destination, n, capture_id, attempts, base) in rows {
            out.push(Leased {
                team_id,
                id,
                destination,
                notification: read_notification(&n)?,
                capture_id,
                attempt: attempts,
                budget_used: attempts - base,
            });
        }
    }
    tx.commit().map_err(sq)?;
    Ok(out)
}

pub fn sqlite_finish(c: &mut Connection, team_id: i64, worker: &str, f: &Finish, now: i64) -> Result<(), DbError> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sq)?;
    let l = &f.log;
    tx.execute(
        "INSERT INTO delivery_attempts (team_id, outbox_id, attempt, destination, capture_id, at_ms, duration_ms, result, http_status, smtp_code, error, worker)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
        params![team_id, l.outbox_id, l.attempt, l.destination, l.capture_id, l.at_ms, l.duration_ms, l.result, l.http_status, l.smtp_code, l.error, worker],
    )
    .map_err(sq)?;
    if f.state == DeliveryState::Delivered {
        tx.execute(
            "UPDATE delivery_outbox SET state = 'delivered', done_ms = ?3, lease_owner = NULL, lease_until_ms = 0, last_error = NULL
             WHERE team_id = ?1 AND id = ?2",
            params![team_id, l.outbox_id, now],
        )
        .map_err(sq)?;
    } else {
        let done = (f.state == DeliveryState::Dead).then_some(now);
        tx.execute(
            "UPDATE delivery_outbox SET state = ?4, next_ms = ?5, done_ms = ?6, last_error = ?7, lease_owner = NULL, lease_until_ms = 0
             WHERE team_id = ?1 AND id = ?2 AND lease_owner = ?3 AND state = 'pending'",
            params![team_id, l.outbox_id, worker, f.state.as_str(), f.next_ms, done, l.error],
        )
        .map_err(sq)?;
    }
    tx.commit().map_err(sq)
}

fn outbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    let state: String = r.get(5)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        destination: r.get(1)?,
        idempotency_key: r.get(2)?,
        kind: r.get(3)?,
        capture_id: r.get(4)?,
        state: DeliveryState::parse(&state).unwrap_or(DeliveryState::Pending),
        attempts: r.get(6)?,
        next_ms: r.get(7)?,
        created_ms: r.get(8)?,
        done_ms: r.get(9)?,
        last_error: r.get(10)?,
    })
}

fn attempt_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttemptRow> {
    Ok(AttemptRow {
        outbox_id: r.get(0)?,
        attempt: r.get(1)?,
        destination: r.get(2)?,
        capture_id: r.get(3)?,
        at_ms: r.get(4)?,
        duration_ms: r.get(5)?,
        result: r.get(6)?,
        http_status: r.get(7)?,
        smtp_code: r.get(8)?,
        error: r.get(9)?,
    })
}

/// What the log is about: one capture, one destination, or the team's latest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFilter {
    Capture(String),
    Destination(String),
    All,
}

pub fn sqlite_log(c: &Connection, team_id: i64, filter: &LogFilter, limit: u32) -> Result<(Vec<OutboxRow>, Vec<AttemptRow>), DbError> {
    let (cond, arg) = match filter {
        LogFilter::Capture(id) => ("AND capture_id = ?2", id.as_str()),
        LogFilter::Destination(d) => ("AND destination = ?2", d.as_str()),
        LogFilter::All => ("AND ?2 IS NOT NULL", ""),
    };
    let outbox = c
        .prepare(&format!("SELECT {OUTBOX_COLUMNS} FROM delivery_outbox WHERE team_id = ?1 {cond} ORDER BY created_ms DESC, id LIMIT ?3"))
        .map_err(sq)?
        .query_map(params![team_id, arg, limit], outbox_row)
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    let attempts = c
        .prepare(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM delivery_attempts WHERE team_id = ?1 {cond} ORDER BY at_ms DESC, attempt DESC LIMIT ?3"
        ))
        .map_err(sq)?
        .query_map(params![team_id, arg, limit], attempt_row)
        .map_err(sq)?
        .collect::<Result<_, _>>()
        .map_err(sq)?;
    Ok((outbox, attempts))
}

/// "Retry now": a pending row is due now; a dead one is pending again with
/// a fresh attempt budget. `false`: no such row, or it was delivered.
pub fn sqlite_retry_now(c: &Connection, team_id: i64, id: &str, now: i64) -> Result<bool, DbError> {
    let n = c
        .execute(
            "UPDATE delivery_outbox SET retry_base = CASE WHEN state = 'dead' THEN attempts ELSE retry_base END,
                 state = 'pending', next_ms = ?3, done_ms = NULL
             WHERE team_id = ?1 AND id = ?2 AND state <> 'delivered'",
            params![team_id, id, now],
        )
        .map_err(sq)?;
    Ok(n > 0)
}

// --- PostgreSQL ------------------------------------------------------------------

pub async fn postgres_destinations(p: &PgDb, team_id: i64) -> Result<Vec<Destination>, DbError> {
    let c = p.client().await?;
    let rows = c
        .query("SELECT config FROM delivery_destinations WHERE team_id = $1 ORDER BY name", &[&team_id])
        .await
        .map_err(pg("Reading destinations"))?;
    rows.iter().map(|r| read_destination(r.get(0))).collect()
}

pub async fn postgres_destination(p: &PgDb, team_id: i64, name: &str) -> Result<Option<Destination>, DbError> {
    let c = p.client().await?;
    let row = c
        .query_opt("SELECT config FROM delivery_destinations WHERE team_id = $1 AND name = $2", &[&team_id, &name])
        .await
        .map_err(pg("Reading a destination"))?;
    row.map(|r| read_destination(r.get(0))).transpose()
}

pub async fn postgres_put_destination(p: &PgDb, team_id: i64, d: &Destination, by: &str, now: i64) -> Result<(), DbError> {
    let c = p.client().await?;
    let json = serde_json::to_string(d).map_err(|e| DbError(e.to_string()))?;
    c.execute(
        "INSERT INTO delivery_destinations (team_id, name, department, enabled, config, updated_by, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (team_id, name) DO UPDATE SET department = excluded.department, enabled = excluded.enabled,
             config = excluded.config, updated_by = excluded.updated_by, updated_ms = excluded.updated_ms",
        &[&team_id, &d.name, &d.department, &d.enabled, &json, &by, &now],
    )
    .await
    .map_err(pg("Saving a destination"))?;
    Ok(())
}

pub async fn postgres_delete_destination(p: &PgDb, team_id: i64, name: &str) -> Result<bool, DbError> {
    let c = p.client().await?;
    let n = c
        .execute("DELETE FROM delivery_destinations WHERE team_id = $1 AND name = $2", &[&team_id, &name])
        .await
        .map_err(pg("Deleting a destination"))?;
    Ok(n > 0)
}

async fn postgres_targets(c: &impl GenericClient, team_id: i64, target: &Target) -> Result<Vec<Destination>, DbError> {
    let rows = match target {
        Target::Department(d) => {
            c.query("SELECT config FROM delivery_destinations WHERE team_id = $1 AND department = $2 AND enabled", &[&team_id, d]).await
        }
        Target::Destination(n) => {
            c.query("SELECT config FROM delivery_destinations WHERE team_id = $1 AND name = $2 AND enabled", &[&team_id, n]).await
        }
    }
    .map_err(pg("Reading destinations"))?;
    Ok(rows.iter().filter_map(|r| serde_json::from_str(r.get(0)).ok()).collect())
}

async fn postgres_insert(
    c: &impl GenericClient,
    team_id: i64,
    destination: &str,
    n: &Notification,
    key: &str,
    now: i64,
) -> Result<bool, DbError> {
    let json = serde_json::to_string(n).expect("a notification serializes");
    let kind = serde_json::to_value(n.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let inserted = c
        .execute(
            "INSERT INTO delivery_outbox (team_id, id, destination, idem_key, kind, capture_id, notification, state, attempts, retry_base, next_ms, lease_until_ms, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, 0, $8, 0, $8)
             ON CONFLICT DO NOTHING",
            &[&team_id, &message_id(team_id, destination, key), &destination, &key, &kind, &n.capture_id, &json, &now],
        )
        .await
        .map_err(pg("Enqueueing a delivery"))?;
    Ok(inserted > 0)
}

/// `c` may be the caller's transaction.
pub async fn postgres_enqueue(
    c: &impl GenericClient,
    team_id: i64,
    target: &Target,
    n: &Notification,
    key: &str,
    now: i64,
) -> Result<Enqueued, DbError> {
    let mut out = Enqueued::default();
    for d in postgres_targets(c, team_id, target).await? {
        out.matched += 1;
        out.enqueued += u32::from(postgres_insert(c, team_id, &d.name, n, key, now).await?);
    }
    Ok(out)
}

pub async fn postgres_enqueue_routed(c: &impl GenericClient, team_id: i64, routed: &[&Capture], now: i64) -> Result<u32, DbError> {
    let mut n = 0;
    for capture in routed {
        let Some(department) = capture.department.value.as_deref() else { continue };
        for d in postgres_targets(c, team_id, &Target::Department(department.to_string())).await? {
            let note = routed_notification(capture, department, d.language);
            n += u32::from(postgres_insert(c, team_id, &d.name, &note, &routed_key(capture), now).await?);
        }
    }
    Ok(n)
}

/// Several servers share the outbox: each team's due rows are leased with
/// `FOR UPDATE SKIP LOCKED`, so two workers never take the same row, and a
/// lease that outlives its worker (killed) expires after `lease_ms`.
pub async fn postgres_lease(p: &PgDb, worker: &str, now: i64, lease_ms: i64, limit: u32) -> Result<Vec<Leased>, DbError> {
    let c = p.client().await?;
    // Teams is a small reference table; each team's probe is one index range.
    let teams: Vec<i64> = c.query("SELECT id FROM teams", &[]).await.map_err(pg("Listing teams"))?.iter().map(|r| r.get(0)).collect();
    let stmt = c
        .prepare_cached(
            "UPDATE delivery_outbox SET lease_owner = $2, lease_until_ms = $3, attempts = attempts + 1
             WHERE team_id = $1 AND id IN (SELECT id FROM delivery_outbox WHERE team_id = $1 AND state = 'pending'
                 AND next_ms <= $4 AND lease_until_ms <= $4 ORDER BY next_ms LIMIT $5 FOR UPDATE SKIP LOCKED)
             RETURNING id, destination, notification, capture_id, attempts, retry_base",
        )
        .await
        .map_err(pg("Leasing deliveries"))?;
    let mut out = vec![];
    for team_id in teams {
        let rows =
            c.query(&stmt, &[&team_id, &worker, &(now + lease_ms), &now, &i64::from(limit)]).await.map_err(pg("Leasing deliveries"))?;
        for r in rows {
            let attempts: i32 = r.get(4);
            let base: i32 = r.get(5);
            out.push(Leased {
                team_id,
                id: r.get(0),
                destination: r.get(1),
                notification: read_notification(r.get(2))?,
                capture_id: r.get(3),
                attempt: attempts as u32,
                budget_used: (attempts - base) as u32,
            });
        }
    }
    Ok(out)
}

pub async fn postgres_finish(p: &PgDb, team_id: i64, worker: &str, f: &Finish, now: i64) -> Result<(), DbError> {
    let mut c = p.client().await?;
    let e = pg("Logging a delivery attempt");
    let tx = c.transaction().await.map_err(&e)?;
    let l = &f.log;
    let (attempt, http, smtp) = (l.attempt as i32, l.http_status.map(i32::from), l.smtp_code.map(i32::from));
    tx.execute(
        "INSERT INTO delivery_attempts (team_id, outbox_id, attempt, destination, capture_id, at_ms, duration_ms, result, http_status, smtp_code, error, worker)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        &[&team_id, &l.outbox_id, &attempt, &l.destination, &l.capture_id, &l.at_ms, &l.duration_ms, &l.result, &http, &smtp, &l.error, &worker],
    )
    .await
    .map_err(&e)?;
    if f.state == DeliveryState::Delivered {
        tx.execute(
            "UPDATE delivery_outbox SET state = 'delivered', done_ms = $3, lease_owner = NULL, lease_until_ms = 0, last_error = NULL
             WHERE team_id = $1 AND id = $2",
            &[&team_id, &l.outbox_id, &now],
        )
        .await
        .map_err(&e)?;
    } else {
        let done = (f.state == DeliveryState::Dead).then_some(now);
        tx.execute(
            "UPDATE delivery_outbox SET state = $4, next_ms = $5, done_ms = $6, last_error = $7, lease_owner = NULL, lease_until_ms = 0
             WHERE team_id = $1 AND id = $2 AND lease_owner = $3 AND state = 'pending'",
            &[&team_id, &l.outbox_id, &worker, &f.state.as_str(), &f.next_ms, &done, &l.error],
        )
        .await
        .map_err(&e)?;
    }
    tx.commit().await.map_err(&e)
}

fn pg_outbox(r: &tokio_postgres::Row) -> OutboxRow {
    OutboxRow {
        id: r.get(0),
        destination: r.get(1),
        idempotency_key: r.get(2),
        kind: r.get(3),
        capture_id: r.get(4),
        state: DeliveryState::parse(r.get(5)).unwrap_or(DeliveryState::Pending),
        attempts: r.get::<_, i32>(6) as u32,
        next_ms: r.get(7),
        created_ms: r.get(8),
        done_ms: r.get(9),
        last_error: r.get(10),
    }
}

fn pg_attempt(r: &tokio_postgres::Row) -> AttemptRow {
    AttemptRow {
        outbox_id: r.get(0),
        attempt: r.get::<_, i32>(1) as u32,
        destination: r.get(2),
        capture_id: r.get(3),
        at_ms: r.get(4),
        duration_ms: r.get(5),
        result: r.get(6),
        http_status: r.get::<_, Option<i32>>(7).map(|v| v as u16),
        smtp_code: r.get::<_, Option<i32>>(8).map(|v| v as u16),
        error: r.get(9),
    }
}

pub async fn postgres_log(p: &PgDb, team_id: i64, filter: &LogFilter, limit: u32) -> Result<(Vec<OutboxRow>, Vec<AttemptRow>), DbError> {
    let c = p.client().await?;
    let (cond, arg) = match filter {
        LogFilter::Capture(id) => ("AND capture_id = $2", id.as_str()),
        LogFilter::Destination(d) => ("AND destination = $2", d.as_str()),
        LogFilter::All => ("AND $2::text IS NOT NULL", ""),
    };
    let limit = i64::from(limit);
    let e = pg("Reading the delivery log");
    let outbox = c
        .query(
            &format!("SELECT {OUTBOX_COLUMNS} FROM delivery_outbox WHERE team_id = $1 {cond} ORDER BY created_ms DESC, id LIMIT $3"),
            &[&team_id, &arg, &limit],
        )
        .await
        .map_err(&e)?;
    let attempts = c
        .query(
            &format!(
                "SELECT {ATTEMPT_COLUMNS} FROM delivery_attempts WHERE team_id = $1 {cond} ORDER BY at_ms DESC, attempt DESC LIMIT $3"
            ),
            &[&team_id, &arg, &limit],
        )
        .await
        .map_err(&e)?;
    Ok((outbox.iter().map(pg_outbox).collect(), attempts.iter().map(pg_attempt).collect()))
}

pub async fn postgres_retry_now(p: &PgDb, team_id: i64, id: &str, now: i64) -> Result<bool, DbError> {
    let c = p.client().await?;
    let n = c
        .execute(
            "UPDATE delivery_outbox SET retry_base = CASE WHEN state = 'dead' THEN attempts ELSE retry_base END,
                 state = 'pending', next_ms = $3, done_ms = NULL
             WHERE team_id = $1 AND id = $2 AND state <> 'delivered'",
            &[&team_id, &id, &now],
        )
        .await
        .map_err(pg("Retrying a delivery"))?;
    Ok(n > 0)
}
