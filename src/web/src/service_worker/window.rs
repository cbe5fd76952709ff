//! Keeping the local log to its window on the team log (decided in
//! `escucha_core::log::window`): after a pull, records that left the window
//! are dropped from this browser. They stay on the team log, and the page
//! look-up still shows them on their page.

use escucha_core::log::window::{self, Held, Holder, LastSweep, WINDOW};
use escucha_core::protocol::ProtocolError;

use crate::store::Store;

/// The last sweep, a [`LastSweep`].
const META_LAST_SWEEP: &str = "windowLastSweep";
/// Records read per transaction while sweeping.
const CHUNK: u32 = 2_000;
/// Records dropped per transaction.
const EVICT_BATCH: usize = 500;

/// Sweep if due ([`window::sweep_due`]); `sent`: changes this run pushed.
pub async fn sweep_if_due(store: &Store, member: &str, actor: &str, sent: u32) -> Result<u32, ProtocolError> {
    let now = now_ms();
    let last: LastSweep = store.meta(META_LAST_SWEEP).await?.unwrap_or_default();
    if !window::sweep_due(&last, store.counts().await?.stored, sent, now) {
        return Ok(0);
    }
    let (gone, until_synced) = sweep(store, member, actor, now).await?;
    let kept = store.counts().await?.stored;
    store.set_meta(META_LAST_SWEEP, Some(&LastSweep { at_ms: now, kept, until_synced })).await?;
    if gone > 0 {
        super::announce_log_changed();
    }
    Ok(gone)
}

/// Drop what left the window; returns how many records went, and how many
/// stay only until synced.
pub async fn sweep(store: &Store, member: &str, actor: &str, now: i64) -> Result<(u32, u32), ProtocolError> {
    let holder = Holder { member, department: None, actor };
    let unsynced = store.outbox_ids().await?;
    let mut held = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let piece = store.chunk(after.as_deref(), CHUNK).await?;
        let short = piece.len() < CHUNK as usize;
        after = piece.last().map(|c| c.id.clone());
        held.extend(piece.iter().map(|c| Held::of(c, &holder, unsynced.contains(&c.id))));
        if short {
            break;
        }
    }
    let until_synced = held.iter().filter(|h| h.until_synced).count() as u32;
    let evict = window::evictions(held, &WINDOW, now);
    let mut gone = 0;
    for ids in evict.chunks(EVICT_BATCH) {
        // Decided again on the copy inside the transaction: a change made
        // since (an edit, a capture) pins it.
        gone += store.evict(ids, |c, has_entry| window::pin(c, &holder, has_entry).is_none()).await?;
    }
    Ok((gone, until_synced))
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
