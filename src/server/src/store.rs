//! The team log: merging pushed captures, changes since a cursor, dashboard
//! edits and the export's pages. The merge plan ([`plan_push`]) is
//! engine-free; the functions below it are the SQLite engine's (the
//! PostgreSQL engine, `postgres.rs`, runs the same plan with its own SQL).
//!
//! Each capture is stored once per team as its merged JSON. Merging is the
//! record's own CRDT merge, so the stored state is the same whatever order
//! pushes arrive in, and a re-sent item merges to the same bytes
//! ("unchanged") without taking a new change number.
//!
//! The change feed: each team has one counter (`team_changes`), advanced in
//! the push transaction that writes the rows. Holding that row serializes a
//! team's writers, so change numbers commit in order and a `seq > cursor`
//! pull never skips a row committed later with a smaller number.

use std::collections::HashMap;

use escucha_core::log::validate::Register;
use escucha_core::log::{Capture, CaptureEdit, Stamp};
use escucha_core::sync::api::{ApiError, ErrorCode, ItemResult, ItemStatus};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::accounts::Identity;
use crate::quota::{Quotas, Usage};
use escucha_core::sync::api::QuotaUsage;

/// Fault injection for the change-feed tests: when set (milliseconds), each
/// push waits a random time up to it just before committing, holding its
/// change numbers, which is what makes a plain sequence commit out of order.
static TEST_COMMIT_DELAY_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[doc(hidden)]
pub fn set_test_commit_delay(max_ms: u64) {
    TEST_COMMIT_DELAY_MS.store(max_ms, std::sync::atomic::Ordering::Relaxed);
}

/// The wait before this commit (zero unless a test asked for delays).
pub fn test_commit_delay() -> std::time::Duration {
    let max = TEST_COMMIT_DELAY_MS.load(std::sync::atomic::Ordering::Relaxed);
    if max == 0 {
        return std::time::Duration::ZERO;
    }
    let mut b = [0u8; 8];
    let _ = getrandom::getrandom(&mut b);
    std::time::Duration::from_millis(u64::from_le_bytes(b) % (max + 1))
}

/// One pushed item after validation: a capture, or why it was refused.
pub type Checked = Result<Capture, (String, String)>;

/// Rows an export page reads at once: small enough that a page is a short
/// transaction, large enough that the per-page cost disappears.
pub const EXPORT_PAGE_ROWS: u32 = 500;

/// Where an export page starts: after this (created_ms, id), the order of
/// the live-by-time index. Creation facts never change once stored, so a
/// row cannot move behind the cursor and appear twice.
pub type ExportCursor = (i64, String);

/// One live capture as an export reads it: its keys and its stored JSON.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub created_ms: i64,
    pub id: String,
    pub record: String,
}

/// Merge `items`, in order, into `current` (the stored copies of their ids;
/// it is updated as the batch goes). Returns each item's result and the
/// records to write, each once, in the order they first changed.
///
/// Creation facts belong to the server: a first insert is credited to the
/// authenticated member whatever the client wrote, and later merges never
/// change `createdBy` or `createdMs` (a push cannot re-attribute a capture).
pub fn plan_push(current: &mut HashMap<String, Capture>, who: &Identity, items: Vec<Checked>) -> (Vec<ItemResult>, Vec<Capture>) {
    let mut results = Vec::with_capacity(items.len());
    let mut changed: Vec<String> = Vec::new();
    for item in items {
        let incoming = match item {
            Ok(c) => c,
            Err((id, message)) => {
                results.push(ItemResult {
                    id,
                    status: ItemStatus::Rejected,
                    error: Some(ApiError::new(ErrorCode::BadRequest, message)),
                    superseded: vec![],
                });
                continue;
            }
        };
        // The fields whose pushed value lost to a newer edit already stored.
        let mut superseded: Vec<Register> = Vec::new();
        let status = match current.get(&incoming.id) {
            Some(old) => {
                let mut merged = old.clone();
                superseded = merged.merge(&incoming);
                merged.created_by = old.created_by.clone();
                merged.created_ms = old.created_ms;
                if &merged == old {
                    ItemStatus::Unchanged
                } else {
                    if !changed.contains(&merged.id) {
                        changed.push(merged.id.clone());
                    }
                    current.insert(merged.id.clone(), merged);
                    ItemStatus::Stored
                }
            }
            None => {
                let first = Capture { created_by: who.member.clone(), ..incoming.clone() };
                changed.push(first.id.clone());
                current.insert(first.id.clone(), first);
                ItemStatus::Stored
            }
        };
        results.push(ItemResult { id: incoming.id, status, error: None, superseded });
    }
    let writes = changed.iter().map(|id| current[id].clone()).collect();
    (results, writes)
}

/// The ids of the valid items, once each, for loading their stored copies.
pub fn ids_of(items: &[Checked]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().filter_map(|i| i.as_ref().ok().map(|c| c.id.clone())).collect();
    ids.sort();
    ids.dedup();
    ids
}

pub fn decode(json: &str) -> Result<Capture, serde_json::Error> {
    serde_json::from_str(json)
}

fn decode_sql(json: &str) -> rusqlite::Result<Capture> {
    decode(json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn load(conn: &Connection, team_id: i64, id: &str) -> rusqlite::Result<Option<Capture>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT record FROM captures WHERE team_id = ?1 AND id = ?2")?
        .query_row(params![team_id, id], |r| r.get(0))
        .optional()?;
    json.map(|j| decode_sql(&j)).transpose()
}

/// Take `n` change numbers for the team; the first of them.
fn advance(tx: &Transaction<'_>, team_id: i64, n: usize) -> rusqlite::Result<i64> {
    let last: i64 = tx
        .prepare_cached("UPDATE team_changes SET seq = seq + ?2 WHERE team_id = ?1 RETURNING seq")?
        .query_row(params![team_id, n as i64], |r| r.get(0))?;
    Ok(last - n as i64 + 1)
}

/// Write merged records, each with the next change number.
fn write(tx: &Transaction<'_>, who: &Identity, writes: &[Capture]) -> rusqlite::Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    let first = advance(tx, who.team_id, writes.len())?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO captures (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (team_id, id) DO UPDATE SET
             seq = excluded.seq, record = excluded.record, created_ms = excluded.created_ms,
             deleted = excluded.deleted, last_pushed_by = excluded.last_pushed_by,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
    )?;
    for (i, merged) in writes.iter().enumerate() {
        let json = serde_json::to_string(merged).expect("a capture always serializes");
        stmt.execute(params![who.team_id, merged.id, first + i as i64, json, merged.created_ms, merged.deleted.value, who.member_id])?;
        crate::query::write_index(tx, who.team_id, merged)?;
    }
    Ok(())
}

/// Merge a batch in ONE transaction and commit before returning, so the
/// caller's 2xx means every "stored" item is on disk (WAL, synchronous=FULL).
/// Rejected items are reported and skipped; they never block the others.
pub fn push(conn: &mut Connection, who: &Identity, items: Vec<Checked>) -> rusqlite::Result<Vec<ItemResult>> {
    Ok(push_within(conn, who, items, &Quotas::OFF)?.expect("no quota, no refusal"))
}

/// [`push`] within the team's quotas: `Ok(Err(_))` when the batch would
/// pass one, and then nothing is written (see `crate::quota`).
pub fn push_within(
    conn: &mut Connection,
    who: &Identity,
    items: Vec<Checked>,
    quotas: &Quotas,
) -> rusqlite::Result<Result<Vec<ItemResult>, QuotaUsage>> {
    // IMMEDIATE: the write lock from the start, so the records read below
    // cannot change before they are written back.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut current = HashMap::new();
    for id in ids_of(&items) {
        if let Some(c) = load(&tx, who.team_id, &id)? {
            current.insert(id, c);
        }
    }
    // srv11b: quotas, counted under the write lock.
    let before = if quotas.is_off() { HashMap::new() } else { current.clone() };
    let departments = crate::delivery::departments_before(&current);
    let (results, writes) = plan_push(&mut current, who, items);
    if let Some(over) = crate::quota::refusal(quotas, &before, &writes, || team_usage(&tx, who.team_id))? {
        return Ok(Err(over));
    }
    write(&tx, who, &writes)?;
    // outbox13: routed captures reach their department's destinations (same transaction).
    crate::delivery::store::sqlite_enqueue_routed(
        &tx,
        who.team_id,
        &crate::delivery::newly_routed(&departments, &writes),
        crate::now_ms(),
    )?;
    std::thread::sleep(test_commit_delay());
    tx.commit()?;
    Ok(Ok(results))
}

/// srv11b: one team's use, for its quotas: capture rows (tombstones
/// included) and bytes of stored JSON.
pub fn team_usage(conn: &Connection, team_id: i64) -> rusqlite::Result<Usage> {
    conn.prepare_cached("SELECT count(*), coalesce(sum(length(CAST(record AS BLOB))), 0) FROM captures WHERE team_id = ?1")?
        .query_row(params![team_id], |r| Ok(Usage { captures: r.get::<_, i64>(0)? as u64, bytes: r.get::<_, i64>(1)? as u64 }))
}

/// Records changed after `since`, in change order, at most `limit`; the new
/// cursor and whether more wait.
pub fn pull(conn: &Connection, team_id: i64, since: u64, limit: u32) -> rusqlite::Result<(Vec<Capture>, u64, bool)> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached("SELECT seq, record FROM captures WHERE team_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
    let rows = stmt.query_map(params![team_id, since, i64::from(limit) + 1], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut page = Vec::new();
    for row in rows {
        page.push(row?);
    }
    let (items, cursor, more) = page_of(page, since, limit);
    Ok((items.iter().map(|j| decode_sql(j)).collect::<Result<_, _>>()?, cursor, more))
}

/// `limit + 1` rows read → at most `limit` records, the cursor after the
/// last one kept, and whether more wait.
pub fn page_of(rows: Vec<(i64, String)>, since: i64, limit: u32) -> (Vec<String>, u64, bool) {
    let more = rows.len() > limit as usize;
    let kept: Vec<(i64, String)> = rows.into_iter().take(limit as usize).collect();
    let cursor = kept.last().map(|(seq, _)| *seq).unwrap_or(since);
    (kept.into_iter().map(|(_, j)| j).collect(), cursor.max(0) as u64, more)
}

#[derive(Debug)]
pub enum EditError {
    NotFound,
    Invalid(String),
    /// srv11b: the edit would grow the team log past a quota.
    OverQuota(QuotaUsage),
    Db(String),
}

impl From<rusqlite::Error> for EditError {
    fn from(e: rusqlite::Error) -> Self {
        EditError::Db(e.to_string())
    }
}

/// A dashboard edit on `record`, stamped by the server as `member:<name>`
/// just after the record's latest stamp, so it wins over everything the
/// record has seen and flows back to every client through pull like any
/// other change. `None`: nothing changed.
pub fn apply_edit(record: &Capture, who: &Identity, change: &CaptureEdit, now_ms: i64) -> Result<Option<Capture>, EditError> {
    let stamp = Stamp::next(record.last_stamp(), now_ms, &format!("member:{}", who.member));
    let mut edited = record.clone();
    edited.apply(change, &stamp, &who.member).map_err(|e| EditError::Invalid(e.to_string()))?;
    Ok((&edited != record).then_some(edited))
}

pub fn edit(
    conn: &mut Connection,
    who: &Identity,
    id: &str,
    change: &CaptureEdit,
    now_ms: i64,
    quotas: &Quotas,
) -> Result<Capture, EditError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let record = load(&tx, who.team_id, id)?.ok_or(EditError::NotFound)?;
    let record = match apply_edit(&record, who, change, now_ms)? {
        Some(edited) => {
            let before = HashMap::from([(record.id.clone(), record.clone())]);
            if let Some(over) = crate::quota::refusal(quotas, &before, std::slice::from_ref(&edited), || team_usage(&tx, who.team_id))? {
                return Err(EditError::OverQuota(over));
            }
            write(&tx, who, std::slice::from_ref(&edited))?;
            // outbox13: a member's edit that routes the capture tells the department.
            let departments = crate::delivery::departments_before(&before);
            crate::delivery::store::sqlite_enqueue_routed(
                &tx,
                who.team_id,
                &crate::delivery::newly_routed(&departments, std::slice::from_ref(&edited)),
                now_ms,
            )?;
            edited
        }
        None => record,
    };
    tx.commit()?;
    Ok(record)
}

/// One page of the team's live (not deleted) captures, oldest first, after
/// `after`: one short read, so an export never holds the database.
pub fn export_page(conn: &Connection, team_id: i64, after: &ExportCursor, limit: u32) -> rusqlite::Result<Vec<ExportRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT created_ms, id, record FROM captures
         WHERE team_id = ?1 AND deleted = 0 AND (created_ms, id) > (?2, ?3)
         ORDER BY created_ms, id LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![team_id, after.0, after.1, limit], |r| {
        Ok(ExportRow { created_ms: r.get(0)?, id: r.get(1)?, record: r.get(2)? })
    })?;
    rows.collect()
}
