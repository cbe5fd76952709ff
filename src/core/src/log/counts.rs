//! The log's running totals (records stored, live, pending, quarantined),
//! kept next to the data so the popup's status is one read instead of a
//! count through 50,000 index entries.
//!
//! The store writes the totals in the same transaction as every change to a
//! record or its outbox entry; this module decides by how much they move:
//! each write is described as the record's (or entry's) state before and
//! after, and the totals move by the difference. A store written before the
//! totals existed has none: the store counts once through its indexes and
//! goes on from there.

use serde::{Deserialize, Serialize};

use super::outbox::OutboxEntry;
use super::record::Capture;

/// The totals as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogCounts {
    /// Records stored, tombstones included (what a full read returns).
    pub stored: u32,
    /// Records not deleted.
    pub live: u32,
    /// Outbox entries waiting to be sent.
    pub pending: u32,
    /// Outbox entries the team log refused.
    pub quarantined: u32,
}

/// How much each total moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountDelta {
    pub stored: i64,
    pub live: i64,
    pub pending: i64,
    pub quarantined: i64,
}

impl CountDelta {
    pub fn is_zero(&self) -> bool {
        *self == CountDelta::default()
    }
}

impl std::ops::AddAssign for CountDelta {
    fn add_assign(&mut self, o: CountDelta) {
        self.stored += o.stored;
        self.live += o.live;
        self.pending += o.pending;
        self.quarantined += o.quarantined;
    }
}

impl std::ops::Add for CountDelta {
    type Output = CountDelta;
    fn add(mut self, o: CountDelta) -> CountDelta {
        self += o;
        self
    }
}

/// What one record contributes to the totals.
fn record_weight(r: Option<&Capture>) -> CountDelta {
    match r {
        None => CountDelta::default(),
        Some(c) => CountDelta { stored: 1, live: i64::from(!c.deleted.value), ..Default::default() },
    }
}

/// What one outbox entry contributes to the totals.
fn entry_weight(e: Option<&OutboxEntry>) -> CountDelta {
    match e {
        None => CountDelta::default(),
        Some(e) if e.is_pending() => CountDelta { pending: 1, ..Default::default() },
        Some(_) => CountDelta { quarantined: 1, ..Default::default() },
    }
}

fn minus(a: CountDelta, b: CountDelta) -> CountDelta {
    CountDelta {
        stored: a.stored - b.stored,
        live: a.live - b.live,
        pending: a.pending - b.pending,
        quarantined: a.quarantined - b.quarantined,
    }
}

/// A record written over `before` (`None`: it was not stored).
pub fn record_change(before: Option<&Capture>, after: Option<&Capture>) -> CountDelta {
    minus(record_weight(after), record_weight(before))
}

/// An outbox entry replaced (`None` on either side: absent or removed).
pub fn entry_change(before: Option<&OutboxEntry>, after: Option<&OutboxEntry>) -> CountDelta {
    minus(entry_weight(after), entry_weight(before))
}

impl LogCounts {
    /// The totals after `d`. A total never goes below zero: if the stored
    /// totals were already wrong, a status of 0 beats an absurd 4 billion.
    pub fn apply(self, d: CountDelta) -> LogCounts {
        let mv = |n: u32, by: i64| (i64::from(n) + by).clamp(0, i64::from(u32::MAX)) as u32;
        LogCounts {
            stored: mv(self.stored, d.stored),
            live: mv(self.live, d.live),
            pending: mv(self.pending, d.pending),
            quarantined: mv(self.quarantined, d.quarantined),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::outbox::{self, queue};
    use crate::log::record::{CaptureContext, Tags};
    use crate::log::CaptureEdit;
    use crate::log::Stamp;

    fn st(ms: i64) -> Stamp {
        Stamp { ms, counter: 0, actor: "dev-a".into() }
    }

    fn live() -> Capture {
        Capture::new("id".into(), CaptureContext::default(), &Tags::default(), "ana", st(10))
    }

    fn deleted() -> Capture {
        let mut c = live();
        c.apply(&CaptureEdit { deleted: Some(true), ..Default::default() }, &st(20), "ana").unwrap();
        c
    }

    fn d(stored: i64, live: i64, pending: i64, quarantined: i64) -> CountDelta {
        CountDelta { stored, live, pending, quarantined }
    }

    #[test]
    fn record_changes_move_stored_and_live() {
        let (l, x) = (live(), deleted());
        let cases: [(Option<&Capture>, Option<&Capture>, CountDelta); 7] = [
            (None, Some(&l), d(1, 1, 0, 0)),      // new capture
            (None, Some(&x), d(1, 0, 0, 0)),      // imported tombstone
            (Some(&l), Some(&l), d(0, 0, 0, 0)),  // edit
            (Some(&l), Some(&x), d(0, -1, 0, 0)), // delete
            (Some(&x), Some(&l), d(0, 1, 0, 0)),  // undo / re-capture
            (Some(&x), Some(&x), d(0, 0, 0, 0)),
            (None, None, d(0, 0, 0, 0)),
        ];
        for (before, after, want) in cases {
            assert_eq!(record_change(before, after), want, "{:?} -> {:?}", before.map(|c| c.deleted.value), after.map(|c| c.deleted.value));
        }
    }

    #[test]
    fn outbox_changes_move_pending_and_quarantined() {
        let pending = queue(&live());
        let held = outbox::quarantine(pending.clone(), &st(10), outbox::QuarantineReason::Refused { message: "refused".into() }, 99);
        let cases: [(Option<&OutboxEntry>, Option<&OutboxEntry>, CountDelta); 7] = [
            (None, Some(&pending), d(0, 0, 1, 0)),           // queued
            (Some(&pending), None, d(0, 0, -1, 0)),          // acknowledged
            (Some(&pending), Some(&pending), d(0, 0, 0, 0)), // re-queued
            (Some(&pending), Some(&held), d(0, 0, -1, 1)),   // quarantined
            (Some(&held), Some(&pending), d(0, 0, 1, -1)),   // edited again
            (Some(&held), None, d(0, 0, 0, -1)),             // server copy settles it
            (None, None, d(0, 0, 0, 0)),
        ];
        for (before, after, want) in cases {
            assert_eq!(entry_change(before, after), want);
        }
    }

    #[test]
    fn totals_follow_a_sequence_of_writes_and_never_go_negative() {
        let mut n = LogCounts::default();
        let (l, x) = (live(), deleted());
        let e = queue(&l);
        n = n.apply(record_change(None, Some(&l)) + entry_change(None, Some(&e)));
        n = n.apply(record_change(Some(&l), Some(&x)) + entry_change(Some(&e), Some(&e)));
        assert_eq!(n, LogCounts { stored: 1, live: 0, pending: 1, quarantined: 0 });
        n = n.apply(entry_change(Some(&e), None));
        assert_eq!(n, LogCounts { stored: 1, live: 0, pending: 0, quarantined: 0 });
        // Totals that were already wrong stay at zero rather than wrap.
        assert_eq!(n.apply(d(0, -1, -1, -1)), n);
        assert!(d(0, 0, 0, 0).is_zero() && !d(0, 0, 0, 1).is_zero());
    }
}
