//! The outbox: which local changes the team log has not accepted yet.
//!
//! The local log is the outbox. Every change to a record queues an
//! [`OutboxEntry`] carrying the record's [`Capture::last_stamp`] in the same
//! storage transaction as the change itself, so nothing is acknowledged to the
//! manager that is not also durably queued. The team log acknowledges a
//! record by the stamp it stored; an entry is done once that stamp reaches the
//! entry's stamp (a later edit made during the upload keeps it pending). An
//! item the server refuses is quarantined with its reason and not retried
//! until the manager changes it again.

use serde::{Deserialize, Serialize};

use super::record::Capture;
use super::stamp::Stamp;

/// One record with changes the team log has not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: String,
    /// The record's last stamp when it was queued: what must be acknowledged.
    pub stamp: Stamp,
    /// Set when the team log refused this version.
    #[serde(default)]
    pub quarantine: Option<Quarantine>,
}

/// Why the team log refused a record, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    pub reason: String,
    pub at_ms: i64,
}

impl OutboxEntry {
    /// Waiting to be sent (not quarantined).
    pub fn is_pending(&self) -> bool {
        self.quarantine.is_none()
    }
}

/// The entry after a local change to `record`. A new change lifts a
/// quarantine: the manager may have fixed what the server refused.
pub fn queue(record: &Capture) -> OutboxEntry {
    OutboxEntry { id: record.id.clone(), stamp: record.last_stamp().clone(), quarantine: None }
}

/// The entry after the team log stored the record up to `acked`: gone when
/// that covers it, unchanged when the record was edited again meanwhile.
pub fn acknowledge(entry: OutboxEntry, acked: &Stamp) -> Option<OutboxEntry> {
    (entry.stamp > *acked).then_some(entry)
}

/// The entry after the team log refused the version stamped `refused`. Only
/// that version is quarantined: a newer local edit stays pending and is tried.
pub fn quarantine(entry: OutboxEntry, refused: &Stamp, reason: &str, now_ms: i64) -> OutboxEntry {
    if entry.stamp > *refused {
        return entry;
    }
    OutboxEntry { quarantine: Some(Quarantine { reason: reason.to_string(), at_ms: now_ms }), ..entry }
}

/// The entry after merging `server`'s copy into ours, giving `merged`. When
/// the result equals the server's copy the server has everything (done);
/// otherwise we hold something it lacks and it must be sent.
pub fn after_server_merge(entry: Option<OutboxEntry>, merged: &Capture, server: &Capture) -> Option<OutboxEntry> {
    if merged == server {
        return None;
    }
    match entry {
        Some(e) if e.stamp == *merged.last_stamp() => Some(e),
        _ => Some(queue(merged)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{CaptureContext, CaptureEdit, Tags};

    fn st(ms: i64) -> Stamp {
        Stamp { ms, counter: 0, actor: "dev-a".into() }
    }

    fn record(ms: i64) -> Capture {
        Capture::new("id".into(), CaptureContext::default(), &Tags::default(), "ana", st(ms))
    }

    #[test]
    fn acknowledgement_clears_only_what_it_covers() {
        let e = queue(&record(20));
        let cases = [(st(19), true), (st(20), false), (st(25), false)];
        for (acked, still_pending) in cases {
            assert_eq!(acknowledge(e.clone(), &acked).is_some(), still_pending, "{acked:?}");
        }
    }

    #[test]
    fn quarantine_holds_the_refused_version_until_it_changes() {
        let mut r = record(20);
        let e = quarantine(queue(&r), &st(20), "note too long", 99);
        assert!(!e.is_pending());
        assert_eq!(e.quarantine.as_ref().unwrap().reason, "note too long");
        // Refusing an older version leaves a newer one pending.
        assert!(quarantine(queue(&r), &st(10), "old", 99).is_pending());
        // The manager edits it: queued again, quarantine lifted.
        r.apply(&CaptureEdit { note: Some("short".into()), ..Default::default() }, &st(30)).unwrap();
        let again = queue(&r);
        assert!(again.is_pending());
        assert_eq!(again.stamp, st(30));
    }

    #[test]
    fn server_copies_settle_or_requeue_the_entry() {
        let base = record(10);
        let mut local = base.clone();
        local.apply(&CaptureEdit { note: Some("mine".into()), ..Default::default() }, &st(20)).unwrap();
        let pending = Some(queue(&local));
        // Server sends what we already sent: done.
        assert_eq!(after_server_merge(pending.clone(), &local, &local), None);
        // Server sends an older copy: ours still has more, the same entry stays.
        let mut merged = local.clone();
        merged.merge(&base);
        assert_eq!(after_server_merge(pending.clone(), &merged, &base), pending);
        // Server's newer edit merged into our unsent one: send the union.
        let mut theirs = base.clone();
        theirs
            .apply(
                &CaptureEdit { status: Some(crate::log::Status::Closed), ..Default::default() },
                &Stamp { ms: 25, counter: 0, actor: "dev-b".into() },
            )
            .unwrap();
        let mut union = local.clone();
        union.merge(&theirs);
        let e = after_server_merge(pending, &union, &theirs).unwrap();
        assert_eq!(e.stamp, *union.last_stamp());
        // Nothing local and the server's copy adopted as is: nothing to send.
        assert_eq!(after_server_merge(None, &theirs, &theirs), None);
    }
}
