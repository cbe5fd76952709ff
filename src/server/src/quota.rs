//! Per-team quotas: how many capture records, and how many bytes of stored
//! capture JSON, one team's log may hold (`--team-max-captures`,
//! `--team-max-bytes`; both off by default).
//!
//! Counted inside the write's own transaction, after the team's row is
//! locked (PostgreSQL's `team_changes` row, SQLite's single writer), so two
//! concurrent pushes cannot both take the last room, and only the pushing
//! team's rows are counted.
//!
//! What is refused is *growth*: a write that would take a measure past its
//! limit is refused whole (`409 quota_exceeded`, nothing written), but a
//! write that does not grow that measure (a re-send, a status or note edit
//! that keeps or shrinks the record, a delete) always passes, even at or
//! over the limit (say, after the admin lowered it). Tombstones count: they
//! stay in the log so that deletes sync.

use std::collections::HashMap;

use escucha_core::log::Capture;
use escucha_core::sync::api::{QuotaKind, QuotaUsage};

/// The limits; `None` is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quotas {
    pub max_captures: Option<u64>,
    pub max_bytes: Option<u64>,
}

/// A team's use: capture rows (tombstones included) and stored JSON bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub captures: u64,
    pub bytes: u64,
}

/// What a write adds to a team's use (negative: it shrinks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Growth {
    pub captures: i64,
    pub bytes: i64,
}

impl Quotas {
    pub const OFF: Quotas = Quotas { max_captures: None, max_bytes: None };

    pub fn is_off(&self) -> bool {
        self.max_captures.is_none() && self.max_bytes.is_none()
    }

    /// `Err` names the first quota the write would pass, with the team's
    /// use before it.
    pub fn check(&self, used: Usage, growth: Growth) -> Result<(), QuotaUsage> {
        let over = |limit: Option<u64>, used: u64, grows: i64| match limit {
            Some(limit) if grows > 0 && used.saturating_add(grows as u64) > limit => Some((limit, used)),
            _ => None,
        };
        if let Some((limit, used)) = over(self.max_captures, used.captures, growth.captures) {
            return Err(QuotaUsage { kind: QuotaKind::Captures, limit, used });
        }
        if let Some((limit, used)) = over(self.max_bytes, used.bytes, growth.bytes) {
            return Err(QuotaUsage { kind: QuotaKind::Bytes, limit, used });
        }
        Ok(())
    }
}

/// The bytes a record takes as stored (the storage layer writes exactly this
/// serialization).
pub fn stored_bytes(c: &Capture) -> i64 {
    serde_json::to_string(c).map(|s| s.len() as i64).unwrap_or(0)
}

/// What writing `writes` over `before` (the stored copies of their ids, as
/// loaded in the transaction) adds.
pub fn growth(before: &HashMap<String, Capture>, writes: &[Capture]) -> Growth {
    let mut g = Growth::default();
    for w in writes {
        match before.get(&w.id) {
            Some(old) => g.bytes += stored_bytes(w) - stored_bytes(old),
            None => {
                g.captures += 1;
                g.bytes += stored_bytes(w);
            }
        }
    }
    g
}

/// The sentence that goes with the code (English, for logs and scripts;
/// clients word it from the numbers).
pub fn message(q: &QuotaUsage) -> String {
    match q.kind {
        QuotaKind::Captures => format!(
            "The team log is full: it holds {} captures and its limit is {}. Nothing in this request was written; ask the server's admin for room.",
            q.used, q.limit
        ),
        QuotaKind::Bytes => format!(
            "The team log is full: it holds {} bytes of captures and its limit is {}. Nothing in this request was written; ask the server's admin for room.",
            q.used, q.limit
        ),
    }
}

/// The refusal for a write that does not fit, or `None` when it does.
/// `usage` is only asked for when the write grows a limited measure (the
/// count reads the team's rows).
pub fn refusal<E>(
    quotas: &Quotas,
    before: &HashMap<String, Capture>,
    writes: &[Capture],
    usage: impl FnOnce() -> Result<Usage, E>,
) -> Result<Option<QuotaUsage>, E> {
    if quotas.is_off() {
        return Ok(None);
    }
    let g = growth(before, writes);
    let grows = (quotas.max_captures.is_some() && g.captures > 0) || (quotas.max_bytes.is_some() && g.bytes > 0);
    if !grows {
        return Ok(None);
    }
    Ok(quotas.check(usage()?, g).err())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_growth_past_a_limit_is_refused() {
        let q = Quotas { max_captures: Some(10), max_bytes: Some(1_000) };
        let used = |captures, bytes| Usage { captures, bytes };
        let grow = |captures, bytes| Growth { captures, bytes };
        let cases = [
            (used(9, 500), grow(1, 100), Ok(())),
            (used(10, 500), grow(1, 100), Err((QuotaKind::Captures, 10))),
            (used(10, 500), grow(0, 100), Ok(())),
            (used(10, 990), grow(0, 11), Err((QuotaKind::Bytes, 990))),
            (used(10, 990), grow(0, 10), Ok(())),
            // Over the limit already (lowered by the admin): edits that do
            // not grow still pass.
            (used(20, 5_000), grow(0, 0), Ok(())),
            (used(20, 5_000), grow(0, -40), Ok(())),
            (used(20, 5_000), grow(0, 1), Err((QuotaKind::Bytes, 5_000))),
        ];
        for (u, g, want) in cases {
            let got = q.check(u, g).map_err(|e| (e.kind, e.used));
            assert_eq!(got, want, "{u:?} + {g:?}");
        }
        assert!(Quotas::OFF.check(used(u64::MAX, u64::MAX), grow(1, 1)).is_ok());
    }
}
