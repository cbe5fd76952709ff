//! The local capture log in IndexedDB, shared by every trusted extension
//! context (service worker, log page).
//!
//! Database `escucha`, version 1:
//! - `captures` (keyPath `id`): each [`Capture`] as a plain object plus three
//!   index fields: `dedupeKey` (index `dedupe`), `pageKey` (the page URL
//!   without fragment, index `page`), `live` (1 unless deleted, index `live`),
//!   and index `created` on `createdMs`.
//! - `outbox` (keyPath `id`): one [`OutboxEntry`] per record with changes the
//!   team log has not accepted, plus `waiting` (1 pending, 0 quarantined, index `waiting`).
//! - `meta` (keyPath-less, keyed by name): this install's actor id, the last
//!   stamp issued, sync progress, the running totals and the team-log token
//!   (see the `META_*` keys).
//!
//! Every change is one `strict` read-write transaction over the records it
//! touches, their outbox entries and the clock, and resolves only on the
//! transaction's `complete` event: when a call returns `Ok`, the change and
//! its place in the outbox are on disk. Any failure aborts the transaction
//! whole, so earlier captures are never half-overwritten. Decisions (dedupe,
//! merge, stamps, outbox rules, how the totals move) come from `escucha_core::log`.
//!
//! The totals ([`LogCounts`] under `META_COUNTS`) are updated in the same
//! transaction as the change they count, so [`Store::status`] is one read.
//! A database from before the totals existed is counted once through its
//! indexes, by the first transaction that needs them.

#[cfg(feature = "bench")]
pub mod bench;
mod idb;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use escucha_core::log::counts::{self, CountDelta, LogCounts};
use escucha_core::log::ingest::{self, MergeCounts, MergeOutcome};
use escucha_core::log::outbox::{self, OutboxEntry, QuarantineReason, Recheck};
use escucha_core::log::record::{dedupe_key, uuid_v7};
use escucha_core::log::store_error::{StoreAction, StoreFailure};
use escucha_core::log::validate::validate_capture;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, Stamp, Tags};
use escucha_core::protocol::{LogStatus, ProtocolError};
use js_sys::{Array, Reflect};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbIndexParameters, IdbKeyRange, IdbObjectStoreParameters, IdbOpenDbRequest};

use idb::Tx;

pub const DB_NAME: &str = "escucha";
const DB_VERSION: u32 = 1;
const CAPTURES: &str = "captures";
const OUTBOX: &str = "outbox";
const META: &str = "meta";

/// This install's actor id (a string), made once from crypto randomness.
pub const META_ACTOR: &str = "actor";
/// The last [`Stamp`] issued here.
pub const META_CLOCK: &str = "clock";
/// Sync's resume point on the team log (a string chosen by the sync code).
pub const META_SYNC_CURSOR: &str = "syncCursor";
/// Last successful sync, ms since the epoch.
pub const META_LAST_SYNC_MS: &str = "lastSyncMs";
/// The last sync or storage problem still standing, in words.
pub const META_PROBLEM: &str = "problem";
/// The running totals, a [`LogCounts`].
pub const META_COUNTS: &str = "counts";
/// The team-log token (a string). Kept in this database, on the extension's
/// own origin, because no content script can open it in any browser; where
/// `storage.local` has no access levels (Firefox), content scripts can read it.
pub const META_SYNC_TOKEN: &str = "syncToken";

/// Where merged records come from: decides what the outbox does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeSource {
    /// A file: whatever it adds or changes must reach the team log.
    Import,
    /// The team log itself: only what we hold beyond its copy is sent.
    Server,
}

/// An open connection to the log. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

thread_local! {
    /// One connection per context, reopened after the browser closes it.
    /// Only a handle: every fact lives in the database.
    static SHARED: RefCell<Option<Store>> = const { RefCell::new(None) };
}

impl Store {
    /// Open (creating or upgrading) the `escucha` database.
    pub async fn open() -> Result<Store, ProtocolError> {
        Store::open_named(DB_NAME).await
    }

    /// The context's shared connection to `escucha`, opened on first use.
    pub async fn shared() -> Result<Store, ProtocolError> {
        if let Some(s) = SHARED.with(|s| s.borrow().clone()) {
            return Ok(s);
        }
        let store = Store::open().await?;
        // The browser closes connections it must (storage cleared, upgrade
        // elsewhere); forget ours so the next call reopens.
        let forget = Closure::<dyn Fn()>::new(|| SHARED.with(|s| *s.borrow_mut() = None));
        store.db.set_onclose(Some(forget.as_ref().unchecked_ref()));
        let db = store.db.clone();
        let on_version_change = Closure::<dyn Fn()>::new(move || {
            db.close();
            SHARED.with(|s| *s.borrow_mut() = None);
        });
        store.db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        forget.forget();
        on_version_change.forget();
        SHARED.with(|s| *s.borrow_mut() = Some(store.clone()));
        Ok(store)
    }

    /// Open a database by name (tests use their own).
    pub async fn open_named(name: &str) -> Result<Store, ProtocolError> {
        let err = |e: JsValue| storage_error(&e, StoreAction::Read);
        let req: IdbOpenDbRequest = idb::factory().and_then(|f| f.open_with_u32(name, DB_VERSION)).map_err(err)?;
        let upgrade = Closure::<dyn Fn(web_sys::IdbVersionChangeEvent)>::new({
            let req = req.clone();
            move |_e| {
                if let Ok(db) = req.result() {
                    // Failures here abort the open request, reported below.
                    let _ = create_schema(&db.unchecked_into());
                }
            }
        });
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = idb::request(&req).await.map_err(err)?;
        drop(upgrade);
        Ok(Store { db: db.unchecked_into() })
    }

    /// Close this connection (tests reopen to prove data is on disk).
    pub fn close(&self) {
        self.db.close();
    }

    /// Log a captured comment: a new record, or the existing one for the same
    /// comment updated. Resolves once committed to disk and queued for sync.
    pub async fn log_capture(
        &self,
        context: CaptureContext,
        tags: Option<Tags>,
        defaults: &Tags,
        member: &str,
        now_ms: i64,
    ) -> Result<Capture, ProtocolError> {
        let action = StoreAction::Capture;
        let ctx = ingest::clean_context(context).map_err(invalid)?;
        let key = dedupe_key(&ctx);
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let meta = tx.store(META)?;
            let found = idb::request(&captures.index("dedupe")?.get_all_with_key(&IdbKeyRange::only(&key.as_str().into())?.into())?);
            let (actor, clock) = read_clock(&meta).await?;
            let candidates = rows_to_captures(&found.await?)?;
            let existing = ingest::pick_existing(&candidates);
            let stamp = ingest::next_stamp(&clock, existing.map(|c| c.last_stamp()), now_ms, &actor);
            let id = uuid_v7(now_ms, random_bytes()?);
            let ingested = ingest::ingest_capture(existing, ctx, tags.as_ref(), defaults, member, id, stamp.clone())
                .map_err(|m| JsValue::from(Invalid(m)))?;
            // The one validation, as the team log will run it: what is stored is sendable.
            validate_capture(&ingested.record, stamp.ms).map_err(|e| JsValue::from(Invalid(e.to_string())))?;
            if ingested.changed {
                let out = tx.store(OUTBOX)?;
                let entry_before = read_entry(&out, &ingested.record.id).await?;
                let totals = read_totals(&tx).await?;
                let entry = outbox::queue(&ingested.record);
                let delta =
                    counts::record_change(existing, Some(&ingested.record)) + counts::entry_change(entry_before.as_ref(), Some(&entry));
                put_capture(&captures, &ingested.record)?;
                put_outbox(&out, &entry)?;
                meta.put_with_key(&to_js(&stamp)?, &META_CLOCK.into())?;
                write_totals(&meta, totals, delta)?;
            }
            Ok::<_, JsValue>(ingested.record)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// Apply a manager's edit to one record; `member` is the editing
    /// member's name (comment author, history events).
    pub async fn edit(&self, id: &str, edit: &CaptureEdit, member: &str, now_ms: i64) -> Result<Capture, ProtocolError> {
        let action = StoreAction::Edit;
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let meta = tx.store(META)?;
            let found = idb::request(&captures.get(&id.into())?);
            let (actor, clock) = read_clock(&meta).await?;
            let found = found.await?;
            if found.is_undefined() {
                return Err(Invalid("This capture is no longer in the log (it may have been removed).".into()).into());
            }
            let mut record = row_to_capture(&found)?;
            let stamp = ingest::next_stamp(&clock, Some(record.last_stamp()), now_ms, &actor);
            let before = record.clone();
            record.apply(edit, &stamp, member).map_err(|m| JsValue::from(Invalid(m.to_string())))?;
            if record != before {
                // An edit of a record that was already unsendable (say, an id
                // from an old import) is still allowed: it may be the fix.
                if validate_capture(&before, stamp.ms).is_ok() {
                    validate_capture(&record, stamp.ms).map_err(|e| JsValue::from(Invalid(e.to_string())))?;
                }
                let out = tx.store(OUTBOX)?;
                let entry_before = read_entry(&out, &record.id).await?;
                let totals = read_totals(&tx).await?;
                let entry = outbox::queue(&record);
                let delta = counts::record_change(Some(&before), Some(&record)) + counts::entry_change(entry_before.as_ref(), Some(&entry));
                put_capture(&captures, &record)?;
                put_outbox(&out, &entry)?;
                meta.put_with_key(&to_js(&stamp)?, &META_CLOCK.into())?;
                write_totals(&meta, totals, delta)?;
            }
            Ok(record)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// Merge copies of records (by id) in one transaction: all or nothing.
    pub async fn merge_records(&self, records: Vec<Capture>, source: MergeSource) -> Result<MergeCounts, ProtocolError> {
        self.merge_records_where(records, source, |_| true).await
    }

    /// Merge a large set (an import of 200,000 records) in transactions of
    /// `batch` records, calling `progress(done, total)` after each commit.
    /// Each batch is all or nothing; a failure stops with the earlier batches
    /// kept (merging is idempotent: importing the file again finishes the job).
    /// One transaction for everything held every record's clone until the
    /// commit (the tab grew past 10 GB at 200,000 and crashed).
    pub async fn merge_in_batches(
        &self,
        records: Vec<Capture>,
        source: MergeSource,
        batch: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<MergeCounts, ProtocolError> {
        let total = records.len();
        let mut records = records;
        // In id order, each batch is one narrow key range to read (see read_for_merge).
        records.sort_by(|a, b| a.id.cmp(&b.id));
        let mut done = 0;
        let mut counts = MergeCounts::default();
        let mut rest = records.into_iter();
        loop {
            let piece: Vec<Capture> = rest.by_ref().take(batch.max(1)).collect();
            if piece.is_empty() {
                break;
            }
            done += piece.len();
            let c = self.merge_records(piece, source).await?;
            counts.added += c.added;
            counts.merged += c.merged;
            progress(done, total);
            // Let the page paint the progress and the browser collect.
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        Ok(counts)
    }

    /// Like [`Store::merge_records`], but an incoming record this store does
    /// not hold is stored only if `admit` says so (the window, on pull).
    pub async fn merge_records_where(
        &self,
        records: Vec<Capture>,
        source: MergeSource,
        admit: impl Fn(&Capture) -> bool,
    ) -> Result<MergeCounts, ProtocolError> {
        let action = if source == MergeSource::Import { StoreAction::Import } else { StoreAction::Sync };
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let out = tx.store(OUTBOX)?;
            // What is stored, kept current as the batch goes: a record named
            // twice merges into the first result and is counted once.
            let (mut locals, mut entries_now) = read_for_merge(&captures, &out, &records).await?;
            let totals = read_totals(&tx).await?;
            let mut counts = MergeCounts::default();
            let mut delta = CountDelta::default();
            let mut to_put = Vec::new();
            let mut entries: Vec<(String, Option<OutboxEntry>)> = Vec::new();
            for incoming in &records {
                let local = locals.get(&incoming.id);
                if local.is_none() && !admit(incoming) {
                    continue;
                }
                let (merged, outcome) = ingest::merge_incoming(local, incoming);
                counts.count(outcome);
                let entry_before = entries_now.get(&incoming.id).cloned();
                let entry_after = match source {
                    MergeSource::Import if outcome == MergeOutcome::Unchanged => entry_before.clone(),
                    MergeSource::Import => Some(outbox::queue(&merged)),
                    MergeSource::Server => outbox::after_server_merge(entry_before.clone(), &merged, incoming),
                };
                if entry_after != entry_before {
                    delta += counts::entry_change(entry_before.as_ref(), entry_after.as_ref());
                    match &entry_after {
                        Some(e) => entries_now.insert(merged.id.clone(), e.clone()),
                        None => entries_now.remove(&merged.id),
                    };
                    entries.push((merged.id.clone(), entry_after));
                }
                if outcome != MergeOutcome::Unchanged {
                    delta += counts::record_change(local, Some(&merged));
                    locals.insert(merged.id.clone(), merged.clone());
                    to_put.push(merged);
                }
            }
            for c in &to_put {
                put_capture(&captures, c)?;
            }
            for (id, entry) in entries {
                match entry {
                    Some(e) => put_outbox(&out, &e)?,
                    None => {
                        out.delete(&id.as_str().into())?;
                    }
                }
            }
            write_totals(&tx.store(META)?, totals, delta)?;
            Ok(counts)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// One record by id, tombstones included.
    pub async fn get(&self, id: &str) -> Result<Option<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES], false, StoreAction::Read)?;
        let run = async {
            let v = idb::request(&tx.store(CAPTURES)?.get(&id.into())?).await?;
            if v.is_undefined() {
                Ok(None)
            } else {
                row_to_capture(&v).map(Some)
            }
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Live (not deleted) captures whose page is `url`, fragment ignored.
    pub async fn page_captures(&self, url: &str) -> Result<Vec<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES], false, StoreAction::Read)?;
        let run = async {
            let range = IdbKeyRange::only(&ingest::page_key(url).into())?;
            let found = idb::request(&tx.store(CAPTURES)?.index("page")?.get_all_with_key(&range.into())?).await?;
            let mut list = rows_to_captures(&found)?;
            list.retain(|c| !c.deleted.value);
            Ok(list)
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Every record, tombstones included (the log page hides them and uses
    /// them for undo), in id order, which for UUIDv7 is creation order.
    /// One `getAll`, then one JSON pass: `JSON.stringify` on the JS side and
    /// serde on ours beats reading 50,000 objects field by field across the boundary.
    pub async fn all(&self) -> Result<Vec<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES], false, StoreAction::Read)?;
        let run = async {
            let found = idb::request(&tx.store(CAPTURES)?.get_all()?).await?;
            rows_to_captures(&found)
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// The newest `limit` records by creation time, newest first (cursor
    /// backwards over index `created`): what the log page paints before the
    /// rest of the log is read.
    pub async fn newest(&self, limit: u32) -> Result<Vec<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES], false, StoreAction::Read)?;
        let run = async {
            let index = tx.store(CAPTURES)?.index("created")?;
            let req = index.open_cursor_with_range_and_direction(&JsValue::NULL, web_sys::IdbCursorDirection::Prev)?;
            rows_to_captures(&idb::cursor_values(&req, limit).await?.into())
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Up to `limit` records with ids after `after` (from the first with
    /// `None`), in id order: [`Store::all`] in pieces, one short read
    /// transaction each, so a reader can yield to the page between them.
    /// Read until a piece comes back shorter than `limit`.
    pub async fn chunk(&self, after: Option<&str>, limit: u32) -> Result<Vec<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES], false, StoreAction::Read)?;
        let run = async {
            let range: JsValue = match after {
                Some(id) => IdbKeyRange::lower_bound_with_open(&id.into(), true)?.into(),
                None => JsValue::NULL,
            };
            let found = idb::request(&tx.store(CAPTURES)?.get_all_with_key_and_limit(&range, limit)?).await?;
            rows_to_captures(&found)
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Counts, sync time and the standing problem, for the popup: three
    /// reads from `meta` (the totals are kept there by every write).
    pub async fn status(&self) -> Result<LogStatus, ProtocolError> {
        let tx = self.begin(&[META], false, StoreAction::Read)?;
        let run = async {
            let meta = tx.store(META)?;
            let totals = idb::request(&meta.get(&META_COUNTS.into())?);
            let last_sync = idb::request(&meta.get(&META_LAST_SYNC_MS.into())?);
            let problem = idb::request(&meta.get(&META_PROBLEM.into())?);
            let totals = totals.await?;
            let totals: Option<LogCounts> = if totals.is_undefined() { None } else { Some(from_js(&totals)?) };
            // Data since issue 14; an older build's English sentence reads as none.
            let problem = problem.await?;
            let problem = if problem.is_undefined() || problem.is_null() { None } else { from_js(&problem).ok() };
            Ok((totals, last_sync.await?.as_f64().map(|f| f as i64), problem))
        };
        let result = run.await;
        let (totals, last_sync_ms, problem) = self.finish(tx, result, StoreAction::Read).await?;
        let totals = match totals {
            Some(t) => t,
            None => self.recount().await?,
        };
        Ok(LogStatus { total: totals.live, pending: totals.pending, quarantined: totals.quarantined, last_sync_ms, problem })
    }

    /// The running totals; a database without them is counted now (once,
    /// through its indexes) and the result kept.
    pub async fn counts(&self) -> Result<LogCounts, ProtocolError> {
        match self.meta::<LogCounts>(META_COUNTS).await? {
            Some(totals) => Ok(totals),
            None => self.recount().await,
        }
    }

    /// Count through the indexes and keep the result, unless another
    /// context got there first.
    async fn recount(&self) -> Result<LogCounts, ProtocolError> {
        let action = StoreAction::Read;
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let meta = tx.store(META)?;
            let v = idb::request(&meta.get(&META_COUNTS.into())?).await?;
            if !v.is_undefined() {
                return from_js(&v);
            }
            let totals = count_by_indexes(&tx).await?;
            meta.put_with_key(&to_js(&totals)?, &META_COUNTS.into())?;
            Ok(totals)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// The totals counted through the indexes, ignoring the kept ones
    /// (what [`Store::status`] did before the totals were kept; tests compare).
    pub async fn count_by_indexes(&self) -> Result<LogCounts, ProtocolError> {
        let tx = self.begin(&[CAPTURES, OUTBOX], false, StoreAction::Read)?;
        let result = count_by_indexes(&tx).await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Up to `limit` records waiting for the team log, oldest change first
    /// not guaranteed (id order). Quarantined ones are left out.
    pub async fn pending(&self, limit: u32) -> Result<Vec<Capture>, ProtocolError> {
        let tx = self.begin(&[CAPTURES, OUTBOX], false, StoreAction::Read)?;
        let run = async {
            let range = IdbKeyRange::only(&1.into())?;
            let ids = tx.store(OUTBOX)?.index("waiting")?.get_all_keys_with_key_and_limit(&range, limit)?;
            let ids: Array = idb::request(&ids).await?.unchecked_into();
            let captures = tx.store(CAPTURES)?;
            let reads = ids.iter().map(|id| captures.get(&id).map(|r| idb::request(&r))).collect::<Result<Vec<_>, _>>()?;
            let mut out = Vec::with_capacity(reads.len());
            for r in reads {
                let v = r.await?;
                if !v.is_undefined() {
                    out.push(row_to_capture(&v)?);
                }
            }
            Ok(out)
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Outbox entries the team log refused, with their reasons.
    pub async fn quarantined(&self) -> Result<Vec<OutboxEntry>, ProtocolError> {
        let tx = self.begin(&[OUTBOX], false, StoreAction::Read)?;
        let run = async {
            let range = IdbKeyRange::only(&0.into())?;
            let found = idb::request(&tx.store(OUTBOX)?.index("waiting")?.get_all_with_key(&range.into())?).await?;
            from_js_array(&found)
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// The team log stored record `id` up to `stamp`.
    pub async fn acknowledge(&self, id: &str, stamp: &Stamp) -> Result<(), ProtocolError> {
        self.update_outbox(id, |e| outbox::acknowledge(e, stamp)).await
    }

    /// The team log refused record `id` at `stamp` (or our own check held it back), for `why`.
    pub async fn quarantine(&self, id: &str, stamp: &Stamp, why: QuarantineReason, now_ms: i64) -> Result<(), ProtocolError> {
        self.update_outbox(id, |e| Some(outbox::quarantine(e, stamp, why, now_ms))).await
    }

    /// Send a quarantined record again as it is (the manager's "Retry").
    pub async fn retry(&self, id: &str) -> Result<(), ProtocolError> {
        let Some(record) = self.get(id).await? else { return Ok(()) };
        self.update_outbox(id, |e| Some(if e.is_pending() { e } else { outbox::queue(&record) })).await
    }

    /// Write records cleaned or named by the sync client before a push
    /// (same ids, same stamps): their outbox entries stay as they are. A
    /// record edited meanwhile (its last stamp moved) is left alone: the
    /// next push plans it again.
    pub async fn replace_records(&self, records: &[Capture]) -> Result<(), ProtocolError> {
        if records.is_empty() {
            return Ok(());
        }
        let action = StoreAction::Sync;
        let tx = self.begin(&[CAPTURES], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let reads =
                records.iter().map(|c| captures.get(&c.id.as_str().into()).map(|r| idb::request(&r))).collect::<Result<Vec<_>, _>>()?;
            for (c, read) in records.iter().zip(reads) {
                let v = read.await?;
                if !v.is_undefined() && row_to_capture(&v)?.last_stamp() == c.last_stamp() {
                    put_capture(&captures, c)?;
                }
            }
            Ok(())
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// Ids of the records with an outbox entry (pending or quarantined).
    pub async fn outbox_ids(&self) -> Result<HashSet<String>, ProtocolError> {
        let tx = self.begin(&[OUTBOX], false, StoreAction::Read)?;
        let run = async {
            let keys: Array = idb::request(&tx.store(OUTBOX)?.get_all_keys()?).await?.unchecked_into();
            Ok(keys.iter().filter_map(|k| k.as_string()).collect())
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Drop records that left the window, in one transaction. Each is read
    /// again inside it and dropped only if `still_evictable(record,
    /// has_outbox_entry)`: an edit committed since the caller decided
    /// (it queues an outbox entry) keeps the record. Returns how many went.
    pub async fn evict(&self, ids: &[String], still_evictable: impl Fn(&Capture, bool) -> bool) -> Result<u32, ProtocolError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let action = StoreAction::Sync;
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let out = tx.store(OUTBOX)?;
            let reads = ids
                .iter()
                .map(|id| Ok((idb::request(&captures.get(&id.as_str().into())?), idb::request(&out.get(&id.as_str().into())?))))
                .collect::<Result<Vec<_>, JsValue>>()?;
            let mut gone = Vec::new();
            let mut delta = CountDelta::default();
            for (read, entry) in reads {
                let (v, e) = (read.await?, entry.await?);
                if v.is_undefined() {
                    continue;
                }
                let record = row_to_capture(&v)?;
                if still_evictable(&record, !e.is_undefined()) {
                    delta += counts::record_change(Some(&record), None);
                    gone.push(record.id);
                }
            }
            let totals = read_totals(&tx).await?;
            for id in &gone {
                captures.delete(&id.as_str().into())?;
            }
            write_totals(&tx.store(META)?, totals, delta)?;
            Ok(gone.len() as u32)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// Drop a record that never reached the team log, and its outbox entry
    /// (the manager's "Discard" of a quarantined capture).
    pub async fn discard(&self, id: &str) -> Result<(), ProtocolError> {
        let action = StoreAction::Edit;
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let captures = tx.store(CAPTURES)?;
            let out = tx.store(OUTBOX)?;
            let found = idb::request(&captures.get(&id.into())?).await?;
            let record = if found.is_undefined() { None } else { Some(row_to_capture(&found)?) };
            let entry = read_entry(&out, id).await?;
            let totals = read_totals(&tx).await?;
            let delta = counts::record_change(record.as_ref(), None) + counts::entry_change(entry.as_ref(), None);
            captures.delete(&id.into())?;
            out.delete(&id.into())?;
            write_totals(&tx.store(META)?, totals, delta)
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// At start: every quarantined record is checked again with this
    /// version's rules ([`outbox::recheck`]): what cleaning fixes is cleaned
    /// and queued again. Returns how many were queued again.
    pub async fn recheck_quarantined(&self, now_ms: i64) -> Result<u32, ProtocolError> {
        let mut requeued = 0;
        for entry in self.quarantined().await? {
            let Some(record) = self.get(&entry.id).await? else { continue };
            match outbox::recheck(&entry, &record, now_ms) {
                Recheck::Keep => {}
                Recheck::Update(updated) => self.update_outbox(&entry.id, move |_| Some(*updated)).await?,
                Recheck::Requeue(fixed) => {
                    let record = match fixed {
                        Some(f) => {
                            self.replace_records(std::slice::from_ref(&*f)).await?;
                            *f
                        }
                        None => record,
                    };
                    self.update_outbox(&entry.id, |_| Some(outbox::queue(&record))).await?;
                    requeued += 1;
                }
            }
        }
        Ok(requeued)
    }

    async fn update_outbox(&self, id: &str, change: impl FnOnce(OutboxEntry) -> Option<OutboxEntry>) -> Result<(), ProtocolError> {
        let action = StoreAction::Sync;
        let tx = self.begin(&[CAPTURES, OUTBOX, META], true, action)?;
        let run = async {
            let out = tx.store(OUTBOX)?;
            let Some(before) = read_entry(&out, id).await? else { return Ok(()) };
            let after = change(before.clone());
            if after.as_ref() == Some(&before) {
                return Ok(());
            }
            let totals = read_totals(&tx).await?;
            match &after {
                Some(e) => put_outbox(&out, e)?,
                None => {
                    out.delete(&id.into())?;
                }
            }
            write_totals(&tx.store(META)?, totals, counts::entry_change(Some(&before), after.as_ref()))
        };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    /// A value from `meta` (see the `META_*` keys).
    pub async fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ProtocolError> {
        let tx = self.begin(&[META], false, StoreAction::Read)?;
        let run = async {
            let v = idb::request(&tx.store(META)?.get(&key.into())?).await?;
            if v.is_undefined() {
                Ok(None)
            } else {
                from_js(&v).map(Some)
            }
        };
        let result = run.await;
        self.finish(tx, result, StoreAction::Read).await
    }

    /// Write (or with `None`, remove) a value in `meta`, durably.
    pub async fn set_meta<T: Serialize>(&self, key: &str, value: Option<&T>) -> Result<(), ProtocolError> {
        let action = StoreAction::Sync;
        let tx = self.begin(&[META], true, action)?;
        let run = (|| {
            let meta = tx.store(META)?;
            match value {
                Some(v) => meta.put_with_key(&to_js(v)?, &key.into())?,
                None => meta.delete(&key.into())?,
            };
            Ok(())
        })();
        self.finish(tx, run, action).await
    }

    /// This install's actor id, created on first use.
    pub async fn actor(&self) -> Result<String, ProtocolError> {
        let action = StoreAction::Read;
        let tx = self.begin(&[META], true, action)?;
        let run = async { read_clock(&tx.store(META)?).await.map(|(actor, _)| actor) };
        let result = run.await;
        self.finish(tx, result, action).await
    }

    fn begin(&self, stores: &[&str], write: bool, action: StoreAction) -> Result<Tx, ProtocolError> {
        Tx::begin(&self.db, stores, write).map_err(|e| {
            // A closed connection: drop the shared handle so the next call reopens.
            SHARED.with(|s| *s.borrow_mut() = None);
            storage_error(&e, action)
        })
    }

    /// Commit on success (resolving only on `complete`); abort on failure.
    async fn finish<T>(&self, tx: Tx, result: Result<T, JsValue>, action: StoreAction) -> Result<T, ProtocolError> {
        match result {
            Ok(v) => {
                tx.commit().await.map_err(|e| storage_error(&e, action))?;
                Ok(v)
            }
            Err(e) => {
                tx.abort();
                Err(match e.dyn_ref::<js_sys::Object>().and_then(|_| Invalid::from_js(&e)) {
                    Some(m) => invalid(m),
                    None => storage_error(&e, action),
                })
            }
        }
    }
}

/// Batches at least this big read the stored records in the batch's id
/// range with one `getAll` instead of one `get` per record: per-request cost
/// dominates large imports. (It read the whole log: an import in batches then
/// read it again per batch, quadratic in time.)
const BULK_READ_FROM: usize = 500;

/// The local copies and outbox entries of `records`, by id.
async fn read_for_merge(
    captures: &web_sys::IdbObjectStore,
    out: &web_sys::IdbObjectStore,
    records: &[Capture],
) -> Result<(HashMap<String, Capture>, HashMap<String, OutboxEntry>), JsValue> {
    let mut locals = HashMap::new();
    let mut entries = HashMap::new();
    if records.len() >= BULK_READ_FROM {
        let (lo, hi) = records.iter().fold((&records[0].id, &records[0].id), |(lo, hi), r| (lo.min(&r.id), hi.max(&r.id)));
        let range: JsValue = IdbKeyRange::bound(&lo.as_str().into(), &hi.as_str().into())?.into();
        let all = idb::request(&captures.get_all_with_key(&range)?);
        let all_entries = idb::request(&out.get_all_with_key(&range)?);
        let wanted: std::collections::HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        for c in rows_to_captures(&all.await?)? {
            if wanted.contains(c.id.as_str()) {
                locals.insert(c.id.clone(), c);
            }
        }
        for e in from_js_array::<OutboxEntry>(&all_entries.await?)? {
            if wanted.contains(e.id.as_str()) {
                entries.insert(e.id.clone(), e);
            }
        }
        return Ok((locals, entries));
    }
    // Issue every read first: IDB pipelines them within the transaction.
    let reads = records
        .iter()
        .map(|r| Ok((idb::request(&captures.get(&r.id.as_str().into())?), idb::request(&out.get(&r.id.as_str().into())?))))
        .collect::<Result<Vec<_>, JsValue>>()?;
    for (r, (local, entry)) in records.iter().zip(reads) {
        let (local, entry) = (local.await?, entry.await?);
        if !local.is_undefined() {
            locals.insert(r.id.clone(), row_to_capture(&local)?);
        }
        if !entry.is_undefined() {
            entries.insert(r.id.clone(), from_js(&entry)?);
        }
    }
    Ok((locals, entries))
}

/// The outbox entry of record `id`, if any.
async fn read_entry(out: &web_sys::IdbObjectStore, id: &str) -> Result<Option<OutboxEntry>, JsValue> {
    let v = idb::request(&out.get(&id.into())?).await?;
    if v.is_undefined() {
        Ok(None)
    } else {
        from_js(&v).map(Some)
    }
}

/// The kept totals inside a write transaction over `captures`, `outbox` and
/// `meta`, counted through the indexes if there are none yet (`false`).
/// Read before the transaction writes: every read comes first, so a failed
/// write surfaces at commit with the browser's own reason (say, disk full).
async fn read_totals(tx: &Tx) -> Result<(LogCounts, bool), JsValue> {
    let v = idb::request(&tx.store(META)?.get(&META_COUNTS.into())?).await?;
    if v.is_undefined() {
        return Ok((count_by_indexes(tx).await?, false));
    }
    Ok((from_js(&v)?, true))
}

/// Keep `totals` moved by `delta` (no write when nothing moved).
fn write_totals(meta: &web_sys::IdbObjectStore, (totals, kept): (LogCounts, bool), delta: CountDelta) -> Result<(), JsValue> {
    if kept && delta.is_zero() {
        return Ok(());
    }
    meta.put_with_key(&to_js(&totals.apply(delta))?, &META_COUNTS.into())?;
    Ok(())
}

/// The totals counted through the indexes (O(records): the slow path).
async fn count_by_indexes(tx: &Tx) -> Result<LogCounts, JsValue> {
    let captures = tx.store(CAPTURES)?;
    let stored = idb::request(&captures.count()?);
    let live = idb::request(&captures.index("live")?.count_with_key(&1.into())?);
    let waiting = tx.store(OUTBOX)?.index("waiting")?;
    let pending = idb::request(&waiting.count_with_key(&1.into())?);
    let quarantined = idb::request(&waiting.count_with_key(&0.into())?);
    let n = |v: JsValue| v.as_f64().unwrap_or(0.0) as u32;
    Ok(LogCounts { stored: n(stored.await?), live: n(live.await?), pending: n(pending.await?), quarantined: n(quarantined.await?) })
}

fn create_schema(db: &IdbDatabase) -> Result<(), JsValue> {
    let key_path = |k: &str| {
        let p = IdbObjectStoreParameters::new();
        p.set_key_path(&k.into());
        p
    };
    let captures = db.create_object_store_with_optional_parameters(CAPTURES, &key_path("id"))?;
    let plain = IdbIndexParameters::new();
    captures.create_index_with_str_and_optional_parameters("dedupe", "dedupeKey", &plain)?;
    captures.create_index_with_str_and_optional_parameters("page", "pageKey", &plain)?;
    captures.create_index_with_str_and_optional_parameters("live", "live", &plain)?;
    captures.create_index_with_str_and_optional_parameters("created", "createdMs", &plain)?;
    let out = db.create_object_store_with_optional_parameters(OUTBOX, &key_path("id"))?;
    out.create_index_with_str_and_optional_parameters("waiting", "waiting", &plain)?;
    db.create_object_store(META)?;
    Ok(())
}

/// A refusal of our own (bad input) carried through the JS error channel so
/// the transaction is aborted like any failure, then reported as `Invalid`.
struct Invalid(String);

const INVALID_MARK: &str = "escuchaInvalid";

impl From<Invalid> for JsValue {
    fn from(i: Invalid) -> JsValue {
        let o = js_sys::Object::new();
        let _ = Reflect::set(&o, &INVALID_MARK.into(), &i.0.into());
        o.into()
    }
}

impl Invalid {
    fn from_js(v: &JsValue) -> Option<String> {
        Reflect::get(v, &INVALID_MARK.into()).ok().and_then(|m| m.as_string())
    }
}

fn invalid(message: String) -> ProtocolError {
    ProtocolError::Invalid { detail: message }
}

fn storage_error(e: &JsValue, action: StoreAction) -> ProtocolError {
    let failure = idb::failure(e);
    if let StoreFailure::Aborted(d) | StoreFailure::Unavailable(d) = &failure {
        web_sys::console::warn_1(&format!("Escucha: local log {action:?} failed: {d}").into());
    }
    ProtocolError::Storage { failure, action }
}

/// The actor id (creating it) and the last stamp issued, inside a write transaction.
async fn read_clock(meta: &web_sys::IdbObjectStore) -> Result<(String, Stamp), JsValue> {
    let actor = idb::request(&meta.get(&META_ACTOR.into())?);
    let clock = idb::request(&meta.get(&META_CLOCK.into())?);
    let actor = actor.await?.as_string();
    let clock = clock.await?;
    let clock: Stamp = if clock.is_undefined() { Stamp::default() } else { from_js(&clock)? };
    let actor = match actor {
        Some(a) => a,
        None => {
            // 80 random bits: unique per install without any coordination.
            let id: String = random_bytes::<10>()?.iter().map(|b| format!("{b:02x}")).collect();
            let id = format!("dev-{id}");
            meta.put_with_key(&id.as_str().into(), &META_ACTOR.into())?;
            id
        }
    };
    Ok((actor, clock))
}

/// How a record is stored: the capture as one JSON string (`record`) next to
/// the plain fields our indexes read. One string per row keeps IndexedDB's
/// structured clone to six values (nested objects per register cost ~30 each)
/// and the read side one serde pass per row with no per-field boundary calls.
fn capture_row(c: &Capture) -> Result<JsValue, JsValue> {
    let row = js_sys::Object::new();
    let json = serde_json::to_string(c).map_err(|e| js_sys::Error::new(&e.to_string()))?;
    Reflect::set(&row, &"id".into(), &c.id.as_str().into())?;
    Reflect::set(&row, &"dedupeKey".into(), &c.dedupe_key().into())?;
    Reflect::set(&row, &"pageKey".into(), &ingest::page_key(&c.context.value.page_url).into())?;
    Reflect::set(&row, &"live".into(), &u8::from(!c.deleted.value).into())?;
    Reflect::set(&row, &"createdMs".into(), &(c.created_ms as f64).into())?;
    Reflect::set(&row, &"record".into(), &json.into())?;
    Ok(row.into())
}

fn row_to_capture(row: &JsValue) -> Result<Capture, JsValue> {
    let json = Reflect::get(row, &"record".into())?.as_string().ok_or_else(|| corrupt("no record text"))?;
    serde_json::from_str(&json).map_err(|e| corrupt(&e.to_string()))
}

fn rows_to_captures(rows: &JsValue) -> Result<Vec<Capture>, JsValue> {
    let rows: &Array = rows.unchecked_ref();
    let mut out = Vec::with_capacity(rows.length() as usize);
    for row in rows.iter() {
        out.push(row_to_capture(&row)?);
    }
    Ok(out)
}

fn put_capture(store: &web_sys::IdbObjectStore, c: &Capture) -> Result<(), JsValue> {
    store.put(&capture_row(c)?)?;
    Ok(())
}

fn put_outbox(store: &web_sys::IdbObjectStore, e: &OutboxEntry) -> Result<(), JsValue> {
    #[derive(Serialize)]
    struct WithIndex<'a> {
        #[serde(flatten)]
        entry: &'a OutboxEntry,
        waiting: u8,
    }
    store.put(&to_js(&WithIndex { entry: e, waiting: u8::from(e.is_pending()) })?)?;
    Ok(())
}

fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(v).map_err(|e| js_sys::Error::new(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

fn from_js<T: DeserializeOwned>(v: &JsValue) -> Result<T, JsValue> {
    let json: String = js_sys::JSON::stringify(v)?.into();
    serde_json::from_str(&json).map_err(|e| corrupt(&e.to_string()))
}

fn from_js_array<T: DeserializeOwned>(v: &JsValue) -> Result<Vec<T>, JsValue> {
    from_js(v)
}

fn corrupt(detail: &str) -> JsValue {
    let e = js_sys::Error::new(&format!("a stored record could not be read ({detail})"));
    e.set_name("DataError");
    e.into()
}

/// `N` bytes from `crypto.getRandomValues` of whatever global we run in.
fn random_bytes<const N: usize>() -> Result<[u8; N], JsValue> {
    let crypto: web_sys::Crypto = Reflect::get(&js_sys::global(), &"crypto".into())?.unchecked_into();
    let mut bytes = [0u8; N];
    crypto.get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests;
