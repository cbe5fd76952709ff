//! Keeping the local log to its window on the team log (decided in
//! `escucha_core::log::window`): after a pull, records that left the window
//! are dropped from this browser. They stay on the team log, and the page
//! look-up still shows them on their page.

use escucha_core::log::window::{self, Held, Holder, WINDOW};
use escucha_core::protocol::ProtocolError;

use crate::store::Store;

/// Last sweep, ms since the epoch.
const META_SWEPT_MS: &str = "windowSweptMs";
/// A sweep reads every record; without news from the team log, once an hour
/// is enough to age records out.
const SWEEP_EVERY_MS: i64 = 3_600_000;
/// Records read per transaction while sweeping.
const CHUNK: u32 = 2_000;
/// Records dropped per transaction.
const EVICT_BATCH: usize = 500;

/// Sweep when the pull brought something (`news`) or an hour has passed.
pub async fn sweep_if_due(store: &Store, member: &str, actor: &str, news: bool) -> Result<u32, ProtocolError> {
    let now = now_ms();
    let last: i64 = store.meta(META_SWEPT_MS).await?.unwrap_or(0);
    if !news && now - last < SWEEP_EVERY_MS && now >= last {
        return Ok(0);
    }
    let gone = sweep(store, member, actor, now).await?;
    store.set_meta(META_SWEPT_MS, Some(&now)).await?;
    if gone > 0 {
        super::announce_log_changed();
    }
    Ok(gone)
}

/// Drop what left the window; returns how many records went.
pub async fn sweep(store: &Store, member: &str, actor: &str, now: i64) -> Result<u32, ProtocolError> {
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
    let evict = window::evictions(held, &WINDOW, now);
    let mut gone = 0;
    for ids in evict.chunks(EVICT_BATCH) {
        // Decided again on the copy inside the transaction: a change made
        // since (an edit, a capture) pins it.
        gone += store.evict(ids, |c, has_entry| window::pin(c, &holder, has_entry).is_none()).await?;
    }
    Ok(gone)
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
