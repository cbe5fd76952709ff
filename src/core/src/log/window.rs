//! The extension's window on the team log: which records a browser holds.
//!
//! A team log of millions of captures does not fit in every browser, and a
//! manager needs only part of it at hand: their own captures, those routed to
//! their department, whatever they changed here, and the team's recent
//! captures. Everything else stays on the server, which answers for the page
//! being viewed ([`super::page_lookup`]). Two decisions:
//! - [`admit`]: a pulled record this browser does not hold yet is stored only
//!   if it is inside the window (judged on its own, by age);
//! - [`evictions`]: which held records leave, once the team's recent captures
//!   pass [`Window::recent_max`] or age past [`Window::recent_days`].
//!
//! A record with a change the team log has not accepted (an outbox entry,
//! pending or quarantined) is never evicted: dropping it would lose the
//! manager's work. Nor is one created or edited by this browser's actor.

use super::record::Capture;

const DAY_MS: i64 = 86_400_000;

/// How much of the team's recent captures a browser holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Teammates' captures created within this many days are recent.
    pub recent_days: u32,
    /// At most this many recent teammates' captures are held (the newest).
    pub recent_max: u32,
}

/// The extension's window: a month of the team's captures, at most 5,000 of
/// them (about 10 MB on disk), on top of everything pinned.
pub const WINDOW: Window = Window { recent_days: 30, recent_max: 5_000 };

/// Who holds the window: this browser's member, their department (none
/// until members have one), and this install's actor id (stamps it made).
#[derive(Debug, Clone, Copy)]
pub struct Holder<'a> {
    pub member: &'a str,
    pub department: Option<&'a str>,
    pub actor: &'a str,
}

/// Why a record stays whatever its age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// Captured by this member (or unnamed: only ours can be).
    Own,
    /// Created or edited in this browser (a register carries our actor).
    ChangedHere,
    /// Routed to the member's department.
    Assigned,
    /// A change waits for the team log (pending or refused).
    Unsynced,
}

/// Why `c` is held whatever its age, if it is. `unsynced`: it has an outbox entry.
pub fn pin(c: &Capture, holder: &Holder, unsynced: bool) -> Option<Pin> {
    let (by, me) = (c.created_by.trim(), holder.member.trim());
    // Unsynced last: a record held only for that leaves once synced (see `sweep_due`).
    if by.is_empty() || (!me.is_empty() && by == me) {
        Some(Pin::Own)
    } else if changed_by(c, holder.actor) {
        Some(Pin::ChangedHere)
    } else if holder.department.is_some_and(|d| !d.trim().is_empty() && c.department.value.as_deref().map(str::trim) == Some(d.trim())) {
        Some(Pin::Assigned)
    } else if unsynced {
        Some(Pin::Unsynced)
    } else {
        None
    }
}

fn changed_by(c: &Capture, actor: &str) -> bool {
    !actor.is_empty() && c.all_stamps().iter().any(|s| s.actor == actor)
}

impl Window {
    /// Created recently enough to be held (the count bound aside).
    pub fn is_recent(&self, created_ms: i64, now_ms: i64) -> bool {
        created_ms >= now_ms - self.recent_days as i64 * DAY_MS
    }
}

/// Store a pulled record this browser does not hold yet? Pinned ones and
/// recent ones; the count bound is applied by [`evictions`] afterwards.
pub fn admit(c: &Capture, holder: &Holder, window: &Window, now_ms: i64) -> bool {
    pin(c, holder, false).is_some() || window.is_recent(c.created_ms, now_ms)
}

/// A held record, as [`evictions`] needs it (a few bytes, so a sweep over
/// 200,000 records does not hold them all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub created_ms: i64,
    pub pinned: bool,
    /// Held only until the team log accepts its change.
    pub until_synced: bool,
}

impl Held {
    pub fn of(c: &Capture, holder: &Holder, unsynced: bool) -> Held {
        let pin = pin(c, holder, unsynced);
        Held { id: c.id.clone(), created_ms: c.created_ms, pinned: pin.is_some(), until_synced: pin == Some(Pin::Unsynced) }
    }
}

/// What the last sweep saw (kept by the glue between runs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastSweep {
    pub at_ms: i64,
    /// Records held after it.
    pub kept: u32,
    /// Of those, held only until synced (say, an import of old teammates' captures).
    pub until_synced: u32,
}

/// A sweep reads every record, so not after every sync run: once an hour
/// (records age out), when [`SWEEP_SLACK`] more records are held than the
/// last sweep kept, or when a run sent changes while records were held only
/// until synced (they may leave now).
pub fn sweep_due(last: &LastSweep, stored: u32, sent: u32, now_ms: i64) -> bool {
    now_ms - last.at_ms >= SWEEP_EVERY_MS
        || now_ms < last.at_ms
        || stored > last.kept.saturating_add(SWEEP_SLACK)
        || (last.until_synced > 0 && sent > 0)
}

/// See [`sweep_due`].
pub const SWEEP_EVERY_MS: i64 = 3_600_000;
/// See [`sweep_due`].
pub const SWEEP_SLACK: u32 = 500;

/// The ids to drop: unpinned records older than the window, and unpinned
/// recent ones beyond the newest `recent_max` (ties by id, newest first).
pub fn evictions(mut held: Vec<Held>, window: &Window, now_ms: i64) -> Vec<String> {
    held.retain(|h| !h.pinned);
    held.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then_with(|| b.id.cmp(&a.id)));
    let mut kept = 0u32;
    held.into_iter()
        .filter(|h| {
            if kept < window.recent_max && window.is_recent(h.created_ms, now_ms) {
                kept += 1;
                false
            } else {
                true
            }
        })
        .map(|h| h.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{CaptureContext, Tags};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    const NOW: i64 = 1_780_000_000_000;

    fn capture(id: &str, by: &str, actor: &str, age_days: i64) -> Capture {
        let ms = NOW - age_days * DAY_MS;
        Capture::new(id.into(), CaptureContext::default(), &Tags::default(), by, Stamp { ms, counter: 0, actor: actor.into() })
    }

    fn holder(department: Option<&'static str>) -> Holder<'static> {
        Holder { member: "ana", department, actor: "dev-ana" }
    }

    #[test]
    fn pins() {
        let routed = |d: &str| {
            let mut c = capture("r", "bo", "dev-bo", 90);
            c.apply(
                &CaptureEdit { department: Some(Some(d.into())), ..Default::default() },
                &Stamp { ms: NOW, counter: 0, actor: "dev-bo".into() },
                "ana",
            )
            .unwrap();
            c
        };
        let edited_here = {
            let mut c = capture("e", "bo", "dev-bo", 90);
            c.apply(
                &CaptureEdit { add_comment: Some("visto".into()), ..Default::default() },
                &Stamp { ms: NOW, counter: 0, actor: "dev-ana".into() },
                "ana",
            )
            .unwrap();
            c
        };
        // (capture, member's department, unsynced) -> pin
        let table: Vec<(Capture, Option<&'static str>, bool, Option<Pin>)> = vec![
            (capture("a", "ana", "dev-x", 90), None, false, Some(Pin::Own)),
            (capture("a", " ana ", "dev-x", 90), None, false, Some(Pin::Own)),
            (capture("a", "", "dev-x", 90), None, false, Some(Pin::Own)),
            (capture("b", "bo", "dev-bo", 90), None, false, None),
            (capture("b", "Ana", "dev-bo", 90), None, false, None),
            (capture("b", "bo", "dev-bo", 90), None, true, Some(Pin::Unsynced)),
            (capture("a", "ana", "dev-x", 90), None, true, Some(Pin::Own)),
            // Made here under an earlier member name: still ours.
            (capture("c", "ana-old", "dev-ana", 90), None, false, Some(Pin::ChangedHere)),
            (edited_here, None, false, Some(Pin::ChangedHere)),
            (routed("Soporte"), Some("Soporte"), false, Some(Pin::Assigned)),
            (routed("Soporte"), Some(" Soporte "), false, Some(Pin::Assigned)),
            (routed("Soporte"), Some("Ventas"), false, None),
            (routed("Soporte"), None, false, None),
            (capture("d", "bo", "dev-bo", 90), Some(""), false, None),
        ];
        for (i, (c, dep, unsynced, want)) in table.into_iter().enumerate() {
            assert_eq!(pin(&c, &holder(dep), unsynced), want, "row {i}");
        }
        // No member name: only unnamed captures are ours, not every named one.
        let nameless = Holder { member: "", department: None, actor: "dev-ana" };
        assert_eq!(pin(&capture("b", "bo", "dev-bo", 1), &nameless, false), None);
        // No actor yet: nothing is "changed here" by an empty actor.
        let fresh = Holder { member: "ana", department: None, actor: "" };
        assert_eq!(pin(&capture("b", "bo", "", 1), &fresh, false), None);
    }

    #[test]
    fn admission_keeps_pinned_and_recent() {
        let h = holder(None);
        let w = Window { recent_days: 30, recent_max: 2 };
        // (creator, actor, age in days) -> admitted
        let table = [
            ("bo", "dev-bo", 0, true),
            ("bo", "dev-bo", 29, true),
            ("bo", "dev-bo", 30, true),
            ("bo", "dev-bo", 31, false),
            ("bo", "dev-bo", 400, false),
            ("ana", "dev-other", 400, true),
            ("", "dev-other", 400, true),
            ("bo", "dev-ana", 400, true),
        ];
        for (by, actor, age, want) in table {
            assert_eq!(admit(&capture("x", by, actor, age), &h, &w, NOW), want, "{by} {actor} {age}");
        }
    }

    fn held(id: &str, age_days: i64, pinned: bool) -> Held {
        Held { id: id.into(), created_ms: NOW - age_days * DAY_MS, pinned, until_synced: false }
    }

    #[test]
    fn sweeps_when_due() {
        let last = LastSweep { at_ms: NOW, kept: 1_000, until_synced: 0 };
        let waiting = LastSweep { until_synced: 3, ..last };
        // (last sweep, stored now, sent this run, now) -> due
        let table = [
            (LastSweep::default(), 0, 0, NOW, true),
            (last, 1_000, 0, NOW + 1, false),
            (last, 1_000, 50, NOW + 1, false),
            (last, 1_000, 0, NOW + SWEEP_EVERY_MS, true),
            (last, 1_000, 0, NOW - 1, true),
            (last, 1_500, 0, NOW + 1, false),
            (last, 1_501, 0, NOW + 1, true),
            (waiting, 1_000, 0, NOW + 1, false),
            (waiting, 1_000, 1, NOW + 1, true),
        ];
        for (i, (l, stored, sent, now, want)) in table.into_iter().enumerate() {
            assert_eq!(sweep_due(&l, stored, sent, now), want, "row {i}");
        }
        let h = holder(None);
        let held_for_sync = Held::of(&capture("b", "bo", "dev-bo", 90), &h, true);
        assert!(held_for_sync.pinned && held_for_sync.until_synced);
        let own_unsynced = Held::of(&capture("a", "ana", "dev-ana", 90), &h, true);
        assert!(own_unsynced.pinned && !own_unsynced.until_synced, "own: held whatever happens to the change");
    }

    #[test]
    fn evictions_follow_age_then_count() {
        let w = Window { recent_days: 30, recent_max: 2 };
        // (held records, evicted ids in newest-first order)
        let table: Vec<(Vec<Held>, Vec<&str>)> = vec![
            (vec![], vec![]),
            (vec![held("a", 1, false), held("b", 2, false)], vec![]),
            // Over the count: the oldest recent goes.
            (vec![held("a", 1, false), held("b", 2, false), held("c", 3, false)], vec!["c"]),
            // Order in the input does not matter.
            (vec![held("c", 3, false), held("a", 1, false), held("b", 2, false)], vec!["c"]),
            // Aged out, whatever the count.
            (vec![held("old", 31, false)], vec!["old"]),
            // Pinned records stay and do not use up the bound.
            (vec![held("p1", 1, true), held("p2", 400, true), held("a", 2, false), held("b", 3, false), held("c", 4, false)], vec!["c"]),
            // Same creation time: the higher id (later UUIDv7) is newer.
            (vec![held("x1", 5, false), held("x3", 5, false), held("x2", 5, false)], vec!["x1"]),
            (vec![held("a", 1, false), held("old", 40, false), held("older", 90, false)], vec!["old", "older"]),
        ];
        for (i, (input, want)) in table.into_iter().enumerate() {
            assert_eq!(evictions(input, &w, NOW), want, "row {i}");
        }
    }

    #[test]
    fn an_unsynced_record_is_never_evicted() {
        let w = Window { recent_days: 1, recent_max: 0 };
        let h = holder(None);
        let c = capture("b", "bo", "dev-bo", 900);
        let out = evictions(vec![Held::of(&c, &h, true)], &w, NOW);
        assert!(out.is_empty());
        let out = evictions(vec![Held::of(&c, &h, false)], &w, NOW);
        assert_eq!(out, vec!["b".to_string()]);
    }

    #[test]
    fn the_shipped_window_is_stated() {
        assert_eq!(WINDOW, Window { recent_days: 30, recent_max: 5_000 });
    }
}
