//! The team log on disk: merging pushed captures, changes since a cursor,
//! dashboard edits and the export listing.
//!
//! Each capture is stored once per team as its merged JSON. Merging is the
//! record's own CRDT merge, so the stored state is the same whatever order
//! pushes arrive in, and a re-sent item merges to the same bytes
//! ("unchanged") without taking a new change number.

use escucha_core::log::{Capture, CaptureEdit, Stamp};
use escucha_core::sync::api::{ApiError, ErrorCode, ItemResult, ItemStatus};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::accounts::Identity;

/// One pushed item after validation: a capture, or why it was refused.
pub type Checked = Result<Capture, (String, String)>;

fn next_seq(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row("UPDATE change_counter SET seq = seq + 1 WHERE only = 1 RETURNING seq", [], |r| r.get(0))
}

fn load(conn: &Connection, team_id: i64, id: &str) -> rusqlite::Result<Option<Capture>> {
    let json: Option<String> =
        conn.query_row("SELECT record FROM captures WHERE team_id = ?1 AND id = ?2", params![team_id, id], |r| r.get(0)).optional()?;
    json.map(|j| decode(&j)).transpose()
}

fn decode(json: &str) -> rusqlite::Result<Capture> {
    serde_json::from_str(json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Insert or merge one capture inside `tx`; whether anything changed.
fn upsert(tx: &Transaction<'_>, who: &Identity, incoming: &Capture) -> rusqlite::Result<ItemStatus> {
    let existing = load(tx, who.team_id, &incoming.id)?;
    // A capture made before its member set a name is named after its pusher;
    // merge prefers a named author, so every client converges on this.
    let named;
    let incoming = if incoming.created_by.trim().is_empty() {
        named = Capture { created_by: who.member.clone(), ..incoming.clone() };
        &named
    } else {
        incoming
    };
    let merged = match &existing {
        Some(old) => {
            let mut m = old.clone();
            m.merge(incoming);
            if &m == old {
                return Ok(ItemStatus::Unchanged);
            }
            m
        }
        None => incoming.clone(),
    };
    let seq = next_seq(tx)?;
    let json = serde_json::to_string(&merged).expect("a capture always serializes");
    tx.execute(
        "INSERT INTO captures (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (team_id, id) DO UPDATE SET
             seq = excluded.seq, record = excluded.record, created_ms = excluded.created_ms,
             deleted = excluded.deleted, last_pushed_by = excluded.last_pushed_by,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
        params![who.team_id, merged.id, seq, json, merged.created_ms, merged.deleted.value, who.member_id],
    )?;
    crate::query::write_index(tx, who.team_id, &merged)?;
    Ok(ItemStatus::Stored)
}

/// Merge a batch in ONE transaction and commit before returning, so the
/// caller's 2xx means every "stored" item is on disk (WAL, synchronous=FULL).
/// Rejected items are reported and skipped; they never block the others.
pub fn push(conn: &mut Connection, who: &Identity, items: Vec<Checked>) -> rusqlite::Result<Vec<ItemResult>> {
    let tx = conn.transaction()?;
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(match item {
            Ok(capture) => ItemResult { status: upsert(&tx, who, &capture)?, id: capture.id, error: None },
            Err((id, message)) => {
                ItemResult { id, status: ItemStatus::Rejected, error: Some(ApiError::new(ErrorCode::BadRequest, message)) }
            }
        });
    }
    tx.commit()?;
    Ok(results)
}

/// Records changed after `since`, in change order, at most `limit`; the new
/// cursor and whether more wait.
pub fn pull(conn: &Connection, team_id: i64, since: u64, limit: u32) -> rusqlite::Result<(Vec<Capture>, u64, bool)> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached("SELECT seq, record FROM captures WHERE team_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")?;
    let rows = stmt.query_map(params![team_id, since, i64::from(limit) + 1], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut items = Vec::new();
    let mut cursor = since;
    let mut more = false;
    for row in rows {
        let (seq, json) = row?;
        if items.len() == limit as usize {
            more = true;
            break;
        }
        items.push(decode(&json)?);
        cursor = seq;
    }
    Ok((items, cursor as u64, more))
}

#[derive(Debug)]
pub enum EditError {
    NotFound,
    Invalid(String),
    Db(rusqlite::Error),
}

impl From<rusqlite::Error> for EditError {
    fn from(e: rusqlite::Error) -> Self {
        EditError::Db(e)
    }
}

/// A dashboard edit, stamped by the server as `member:<name>` just after the
/// record's latest stamp, so it wins over everything the record has seen and
/// flows back to every client through pull like any other change.
pub fn edit(conn: &mut Connection, who: &Identity, id: &str, change: &CaptureEdit, now_ms: i64) -> Result<Capture, EditError> {
    let tx = conn.transaction()?;
    let mut record = load(&tx, who.team_id, id)?.ok_or(EditError::NotFound)?;
    let stamp = Stamp::next(record.last_stamp(), now_ms, &format!("member:{}", who.member));
    let mut edited = record.clone();
    edited.apply(change, &stamp).map_err(EditError::Invalid)?;
    if edited != record {
        upsert(&tx, who, &edited)?;
        record = edited;
    }
    tx.commit()?;
    Ok(record)
}

/// The team's live (not deleted) captures, oldest first, for export.
pub fn live_captures(conn: &Connection, team_id: i64) -> rusqlite::Result<Vec<Capture>> {
    let mut stmt = conn.prepare("SELECT record FROM captures WHERE team_id = ?1 AND deleted = 0 ORDER BY created_ms, id")?;
    let rows = stmt.query_map([team_id], |r| r.get::<_, String>(0))?;
    rows.map(|json| decode(&json?)).collect()
}
