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
use super::sanitize::{repair, Repair};
use super::stamp::Stamp;
use super::validate::{validate_capture, ValidationError};

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
    /// In English (the server's words, or [`ValidationError`]'s): for logs.
    pub reason: String,
    pub at_ms: i64,
    /// The reason as data, worded in the manager's language when shown.
    /// `None` for entries quarantined by versions before it existed.
    #[serde(default)]
    pub why: Option<QuarantineReason>,
}

/// Why a record is held back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum QuarantineReason {
    /// It fails the one validation (here or at the server).
    Invalid { error: ValidationError },
    /// The team log refused it for a reason this version cannot reproduce
    /// (a newer server's rule): its words are all we have.
    Refused { message: String },
    /// The team log refused it with an error code: worded from the code; the
    /// server's own (English) message is shown only as a quoted detail.
    RefusedCode { code: crate::sync::api::ErrorCode, message: String },
}

impl QuarantineReason {
    /// The reason for a record the server refused with `message`: our own
    /// check's error when it finds one (so it can be worded and repaired).
    pub fn for_refused(record: &Capture, code: Option<crate::sync::api::ErrorCode>, message: &str, now_ms: i64) -> QuarantineReason {
        match (validate_capture(record, now_ms), code) {
            (Err(error), _) => QuarantineReason::Invalid { error },
            (Ok(()), Some(code)) => QuarantineReason::RefusedCode { code, message: message.to_string() },
            (Ok(()), None) => QuarantineReason::Refused { message: message.to_string() },
        }
    }

    /// The sentence in the manager's language: its key, the field's key
    /// when there is one (its first placeholder), and the other placeholders.
    pub fn words(&self) -> (crate::i18n::Key, Option<crate::i18n::Key>, Vec<String>) {
        match self {
            QuarantineReason::Invalid { error } => {
                let (key, field, args) = error.words();
                (key, Some(field), args)
            }
            QuarantineReason::Refused { message } => (crate::i18n::Key::InvalidRefused, None, vec![message.clone()]),
            QuarantineReason::RefusedCode { code, message } => {
                (crate::i18n::Key::InvalidRefusedCode, Some(crate::i18n::Key::server_error(*code)), vec![message.clone()])
            }
        }
    }

    pub fn english(&self) -> String {
        match self {
            QuarantineReason::Invalid { error } => error.to_string(),
            QuarantineReason::Refused { message } => message.clone(),
            QuarantineReason::RefusedCode { code, message } => format!("{}: {message}", code.as_str()),
        }
    }
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
pub fn quarantine(entry: OutboxEntry, refused: &Stamp, why: QuarantineReason, now_ms: i64) -> OutboxEntry {
    if entry.stamp > *refused {
        return entry;
    }
    OutboxEntry { quarantine: Some(Quarantine { reason: why.english(), at_ms: now_ms, why: Some(why) }), ..entry }
}

/// What to do with a quarantined record when the extension starts (a new
/// version may clean what an older one sent unclean).
#[derive(Debug, Clone, PartialEq)]
pub enum Recheck {
    /// Send it again; with `Some`, store this cleaned record first.
    Requeue(Option<Box<Capture>>),
    /// Still needs the manager; the entry now says why as data.
    Update(Box<OutboxEntry>),
    /// Leave it as it is.
    Keep,
}

/// Decide [`Recheck`] for a quarantined `entry` of `record`. Cleaned when
/// the cleaning fixes it; sent again when our check finds nothing wrong and
/// the refusal was not a server's rule we cannot reproduce (an old entry
/// without data, or a time that was in the future and no longer is).
pub fn recheck(entry: &OutboxEntry, record: &Capture, now_ms: i64) -> Recheck {
    let Some(q) = &entry.quarantine else { return Recheck::Keep };
    match repair(record, now_ms) {
        Repair::Repaired(fixed) => Recheck::Requeue(Some(fixed)),
        Repair::Valid => match &q.why {
            Some(QuarantineReason::Refused { .. } | QuarantineReason::RefusedCode { .. }) => Recheck::Keep,
            None | Some(QuarantineReason::Invalid { .. }) => Recheck::Requeue(None),
        },
        Repair::NeedsManager(error) => {
            let why = QuarantineReason::Invalid { error };
            if q.why.as_ref() == Some(&why) {
                Recheck::Keep
            } else {
                Recheck::Update(Box::new(OutboxEntry {
                    quarantine: Some(Quarantine { reason: why.english(), at_ms: q.at_ms, why: Some(why) }),
                    ..entry.clone()
                }))
            }
        }
    }
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
    use crate::log::record::{CaptureContext, Tags};
    use crate::log::CaptureEdit;

    fn st(ms: i64) -> Stamp {
        Stamp { ms, counter: 0, actor: "dev-a".into() }
    }

    fn record(ms: i64) -> Capture {
        Capture::new("id".into(), CaptureContext::default(), &Tags::default(), "ana", st(ms))
    }

    fn refused(m: &str) -> QuarantineReason {
        QuarantineReason::Refused { message: m.into() }
    }

    #[test]
    fn quarantined_records_are_rechecked_at_start() {
        use crate::log::record::uuid_v7;
        use crate::log::TextQuote;
        const NOW: i64 = 1_750_000_000_000;
        let good = || {
            let ctx = CaptureContext {
                page_url: "https://foro.example/t/1".into(),
                quote: TextQuote { exact: "Movistar".into(), prefix: "hace 2 horas ".into(), suffix: "".into() },
                ..Default::default()
            };
            Capture::new(uuid_v7(NOW, [3; 10]), ctx, &Tags::default(), "ana", Stamp { ms: NOW, counter: 0, actor: "dev-a".into() })
        };
        let legacy = |c: &Capture, reason: &str| OutboxEntry {
            quarantine: Some(Quarantine { reason: reason.into(), at_ms: 5, why: None }),
            ..queue(c)
        };
        // The demo page's case: an old version sent the separator; cleaned and sent again.
        let mut sep = good();
        sep.context.value.quote.prefix = "hace 2 horas\u{1e}".into();
        let Recheck::Requeue(Some(fixed)) = recheck(&legacy(&sep, "contains control characters"), &sep, NOW) else { panic!() };
        assert_eq!(fixed.context.value.quote.prefix, "hace 2 horas ");
        // Nothing wrong here any more (legacy words only): try once more.
        assert_eq!(recheck(&legacy(&good(), "?"), &good(), NOW), Recheck::Requeue(None));
        // A newer server's rule we cannot reproduce: wait for the manager.
        let held = quarantine(queue(&good()), &good().last_stamp().clone(), refused("rule 12"), 7);
        assert_eq!(recheck(&held, &good(), NOW), Recheck::Keep);
        // Only the manager can fix a long note: the entry learns why, as data; then stays.
        let mut long = good();
        let s = long.last_stamp().clone();
        let text = "n".repeat(crate::log::record::MAX_NOTE_CHARS + 1);
        long.comments.insert(crate::log::Comment::new(crate::log::thread::comment_id(&s), "ana", text, &s));
        let Recheck::Update(updated) = recheck(&legacy(&long, "note"), &long, NOW) else { panic!() };
        let why = updated.quarantine.as_ref().unwrap().why.clone().unwrap();
        assert!(
            matches!(&why, QuarantineReason::Invalid { error } if error.field == crate::log::validate::Field::CommentBody(0)),
            "{why:?}"
        );
        assert_eq!(recheck(&updated, &long, NOW), Recheck::Keep);
        // Not quarantined: nothing to do.
        assert_eq!(recheck(&queue(&good()), &good(), NOW), Recheck::Keep);
        // Old stored entries (no `why`) still load.
        let old: OutboxEntry =
            serde_json::from_str(r#"{"id":"x","stamp":{"ms":1,"counter":0,"actor":"a"},"quarantine":{"reason":"r","atMs":2}}"#).unwrap();
        assert_eq!(old.quarantine.unwrap().why, None);
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
        let e = quarantine(queue(&r), &st(20), refused("note too long"), 99);
        assert!(!e.is_pending());
        assert_eq!(e.quarantine.as_ref().unwrap().reason, "note too long");
        // Refusing an older version leaves a newer one pending.
        assert!(quarantine(queue(&r), &st(10), refused("old"), 99).is_pending());
        // The manager edits it: queued again, quarantine lifted.
        r.apply(&CaptureEdit { add_comment: Some("short".into()), ..Default::default() }, &st(30), "ana").unwrap();
        let again = queue(&r);
        assert!(again.is_pending());
        assert_eq!(again.stamp, st(30));
    }

    #[test]
    fn server_copies_settle_or_requeue_the_entry() {
        let base = record(10);
        let mut local = base.clone();
        local.apply(&CaptureEdit { add_comment: Some("mine".into()), ..Default::default() }, &st(20), "ana").unwrap();
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
                "ana",
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
