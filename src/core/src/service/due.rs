//! When a capture is due: its first response while nobody has responded,
//! then its close, by the team's target for its priority (and department)
//! counted in working time from the capture.

use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::targets::ServiceTargets;
use super::times::responded_at;
use crate::i18n::{Key, Words};
use crate::log::{Capture, Status};

/// Which target a due date is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DueKind {
    FirstResponse,
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub kind: DueKind,
    /// ms since the epoch.
    pub due_at: i64,
    /// `now` is past `due_at`.
    pub overdue: bool,
    /// `due_at - now` in wall ms (negative once overdue).
    pub remaining: i64,
}

/// What is due next for `record`, or `None`: deleted, closed, no target
/// for its priority, or targets that cannot be read.
pub fn due_for(record: &Capture, targets: &ServiceTargets, now: i64) -> Option<Due> {
    due_with(record, targets, &targets.calendar()?, now)
}

/// [`due_for`] with the calendar already built (a list computes it once).
pub fn due_with(record: &Capture, targets: &ServiceTargets, calendar: &Calendar, now: i64) -> Option<Due> {
    if record.deleted.value || record.status.value == Status::Closed {
        return None;
    }
    let target = targets.target_for(record.priority.value, record.department.value.as_deref())?;
    let responded = record.status.value == Status::Responded || responded_at(record).is_some();
    let (kind, minutes) = match (responded, target.first_response_minutes, target.close_minutes) {
        (false, Some(m), _) => (DueKind::FirstResponse, m),
        (_, _, Some(m)) => (DueKind::Close, m),
        _ => return None,
    };
    let due_at = calendar.add_working(record.created_ms, i64::from(minutes) * 60_000)?;
    Some(Due { kind, due_at, overdue: now > due_at, remaining: due_at - now })
}

/// A wall duration in a compact form both languages read: `45 min`,
/// `2 h 05 min`, `3 d 4 h` (the sign is dropped: the sentence says which way).
pub fn short_duration(ms: i64) -> String {
    let minutes = ms.unsigned_abs() / 60_000;
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, h) => format!("{h} h {m:02} min"),
        (d, h) => format!("{d} d {h} h"),
    }
}

/// The sentence for a due date: `when` is the due time already formatted
/// in the reader's locale (the page formats dates).
pub fn due_words(due: &Due, when: String) -> Words {
    let key = match (due.kind, due.overdue) {
        (DueKind::FirstResponse, false) => Key::DueFirstResponseIn,
        (DueKind::Close, false) => Key::DueCloseIn,
        (DueKind::FirstResponse, true) => Key::DueFirstResponseOverdue,
        (DueKind::Close, true) => Key::DueCloseOverdue,
    };
    Words::new(key).text(when).text(short_duration(due.remaining))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Lww, Priority, Stamp};
    use crate::service::targets::{Target, WorkingHours};
    use crate::service::times::tests::capture_with;

    const MIN: i64 = 60_000;

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    fn targets() -> ServiceTargets {
        let day = |d: &str| WorkingHours { day: d.into(), start: "09:00".into(), end: "18:00".into() };
        ServiceTargets {
            time_zone: "Europe/Madrid".into(),
            hours: ["mon", "tue", "wed", "thu", "fri"].into_iter().map(day).collect(),
            targets: vec![
                Target { priority: Priority::Normal, department: None, first_response_minutes: Some(120), close_minutes: Some(9 * 60) },
                Target {
                    priority: Priority::High,
                    department: Some("Logistics".into()),
                    first_response_minutes: Some(30),
                    close_minutes: None,
                },
            ],
        }
    }

    #[test]
    fn due_table() {
        let t = targets();
        // Friday 2026-01-16 17:00 Madrid (16:00Z).
        let created = ms("2026-01-16T16:00:00Z");
        let mut logistics_high = capture_with(created, Status::New, &[]);
        logistics_high.priority = Lww::new(Priority::High, Stamp { ms: created, counter: 0, actor: "a".into() });
        logistics_high.department = Lww::new(Some("Logistics".into()), Stamp { ms: created, counter: 0, actor: "a".into() });
        let cases: Vec<(&str, Capture, i64, Option<Due>)> = vec![
            (
                "normal: 2 working hours from Friday 17:00 is Monday 10:00 local; Saturday it is not overdue",
                capture_with(created, Status::New, &[]),
                ms("2026-01-17T12:00:00Z"),
                Some(Due {
                    kind: DueKind::FirstResponse,
                    due_at: ms("2026-01-19T09:00:00Z"),
                    overdue: false,
                    remaining: ms("2026-01-19T09:00:00Z") - ms("2026-01-17T12:00:00Z"),
                }),
            ),
            (
                "normal, Monday 11:00 local: overdue",
                capture_with(created, Status::NeedsResponse, &[]),
                ms("2026-01-19T10:00:00Z"),
                Some(Due { kind: DueKind::FirstResponse, due_at: ms("2026-01-19T09:00:00Z"), overdue: true, remaining: -60 * MIN }),
            ),
            (
                "responded: the close target (9 working hours) is next",
                capture_with(created, Status::Responded, &[(created + MIN, "new", "responded")]),
                ms("2026-01-19T10:00:00Z"),
                Some(Due { kind: DueKind::Close, due_at: ms("2026-01-19T16:00:00Z"), overdue: false, remaining: 6 * 60 * MIN }),
            ),
            ("closed: nothing is due", capture_with(created, Status::Closed, &[]), ms("2026-01-30T10:00:00Z"), None),
            (
                "the department's own target: 30 minutes, Monday 09:30 local",
                logistics_high.clone(),
                ms("2026-01-16T16:10:00Z"),
                Some(Due { kind: DueKind::FirstResponse, due_at: ms("2026-01-16T16:30:00Z"), overdue: false, remaining: 20 * MIN }),
            ),
            (
                "responded with no close target: nothing is due",
                {
                    let mut c = logistics_high.clone();
                    c.status = Lww::new(Status::Responded, Stamp { ms: created + 1, counter: 0, actor: "a".into() });
                    c
                },
                ms("2026-01-16T16:10:00Z"),
                None,
            ),
            (
                "a priority without a target",
                {
                    let mut c = capture_with(created, Status::New, &[]);
                    c.priority = Lww::new(Priority::Low, Stamp { ms: created, counter: 0, actor: "a".into() });
                    c
                },
                ms("2026-01-16T16:10:00Z"),
                None,
            ),
        ];
        for (name, c, now, want) in cases {
            assert_eq!(due_for(&c, &t, now), want, "{name}");
        }
    }

    #[test]
    fn due_sentences_and_durations() {
        assert_eq!(
            (short_duration(45 * MIN), short_duration(-125 * MIN), short_duration(3 * 1440 * MIN + 250 * MIN)),
            ("45 min".into(), "2 h 05 min".into(), "3 d 4 h".into())
        );
        let due = Due { kind: DueKind::Close, due_at: 0, overdue: true, remaining: -90 * MIN };
        let w = due_words(&due, "Mon 10:00".into());
        assert_eq!(w.key, Key::DueCloseOverdue);
        let first = due_words(&Due { kind: DueKind::FirstResponse, overdue: false, ..due }, "x".into());
        assert_eq!(first.key, Key::DueFirstResponseIn);
        assert_eq!(due_words(&Due { kind: DueKind::FirstResponse, ..due }, "x".into()).key, Key::DueFirstResponseOverdue);
        assert_eq!(due_words(&Due { overdue: false, ..due }, "x".into()).key, Key::DueCloseIn);
    }

    #[test]
    fn unreadable_targets_give_no_due_date() {
        let t = ServiceTargets { time_zone: "Mars/Olympus".into(), ..targets() };
        assert_eq!(due_for(&capture_with(0, Status::New, &[]), &t, 0), None);
    }
}
