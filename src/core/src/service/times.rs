//! A capture's response times, read from its history: time to first
//! response (capture → the first change of status to *responded*), time to
//! close, and time spent in each status.
//!
//! The first response is the earliest *responded* event by its own time: a
//! confirmed verified reply writes that event at the reply's time (not the
//! confirming click's), so the figure is when the team actually answered.
//! Durations to first response and close are working time (the team's
//! calendar); time in each status is wall time, what the timeline shows.

use super::calendar::Calendar;
use crate::log::{Capture, EventField, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureTimes {
    /// When the first *responded* event happened (ms since the epoch).
    pub responded_at: Option<i64>,
    /// Working ms from the capture to `responded_at` (0 if the reply came
    /// before the capture).
    pub first_response_ms: Option<i64>,
    /// When the capture was closed, while it is closed (the last change to
    /// *closed*; a reopened capture has no close time).
    pub closed_at: Option<i64>,
    pub close_ms: Option<i64>,
    /// Wall ms in each status until `now`, in [`Status::ALL`] order.
    pub in_status: [(Status, i64); 5],
}

/// A status from its wire name (`needsResponse`).
pub fn status_named(name: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|s| s.as_str() == name)
}

/// The earliest *responded* event's time, if any.
pub fn responded_at(record: &Capture) -> Option<i64> {
    record.history.events().into_iter().filter(|e| e.field == EventField::Status && e.to == Status::Responded.as_str()).map(|e| e.ms).min()
}

pub fn times(record: &Capture, calendar: &Calendar, now: i64) -> CaptureTimes {
    let events: Vec<_> = record.history.events().into_iter().filter(|e| e.field == EventField::Status).collect();
    let responded_at = responded_at(record);
    let closed_at = if record.status.value == Status::Closed {
        events.iter().rev().find(|e| e.to == Status::Closed.as_str()).map(|e| e.ms)
    } else {
        None
    };
    let created = record.created_ms;
    // Walk the statuses: the first event's `from` holds until it, then each
    // event's `to` until the next one (events are in time order).
    let mut in_status = Status::ALL.map(|s| (s, 0i64));
    let mut current = events.first().and_then(|e| status_named(&e.from)).unwrap_or(record.status.value);
    let mut since = created;
    for e in &events {
        let at = e.ms.max(since);
        in_status[current as usize].1 += at - since;
        since = at;
        current = status_named(&e.to).unwrap_or(current);
    }
    in_status[current as usize].1 += (now - since).max(0);
    CaptureTimes {
        responded_at,
        first_response_ms: responded_at.map(|at| calendar.working_ms(created, at)),
        closed_at,
        close_ms: closed_at.map(|at| calendar.working_ms(created, at)),
        in_status,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::log::{Event, History, Stamp};

    pub(crate) fn capture_with(created: i64, status: Status, events: &[(i64, &str, &str)]) -> Capture {
        let defaults = crate::log::Tags { status, ..Default::default() };
        let stamp = Stamp { ms: created, counter: 0, actor: "a".into() };
        let mut c = Capture::new(format!("c{created}"), Default::default(), &defaults, "ana", stamp);
        let list: Vec<Event> = events
            .iter()
            .enumerate()
            .map(|(i, (ms, from, to))| Event {
                id: format!("e{i}"),
                member: "ana".into(),
                ms: *ms,
                field: EventField::Status,
                from: from.to_string(),
                to: to.to_string(),
            })
            .collect();
        c.history = History::from(list);
        c
    }

    const MIN: i64 = 60_000;

    #[test]
    fn times_table() {
        let cal = Calendar::always();
        let t0 = 1_000_000_000_000;
        struct Case {
            name: &'static str,
            status: Status,
            events: Vec<(i64, &'static str, &'static str)>,
            first: Option<i64>,
            close: Option<i64>,
        }
        let table = vec![
            Case { name: "nothing happened", status: Status::New, events: vec![], first: None, close: None },
            Case {
                name: "responded after 42 minutes, closed after 2 h",
                status: Status::Closed,
                events: vec![(t0 + 42 * MIN, "new", "responded"), (t0 + 120 * MIN, "responded", "closed")],
                first: Some(42 * MIN),
                close: Some(120 * MIN),
            },
            Case {
                name: "the earliest responded event counts, whatever order it arrived in",
                status: Status::Responded,
                events: vec![(t0 + 90 * MIN, "needsResponse", "responded"), (t0 + 30 * MIN, "new", "responded")],
                first: Some(30 * MIN),
                close: None,
            },
            Case {
                name: "a reply older than the capture is a response at once",
                status: Status::Responded,
                events: vec![(t0 - 10 * MIN, "new", "responded")],
                first: Some(0),
                close: None,
            },
            Case {
                name: "closed without a response, then reopened",
                status: Status::NeedsResponse,
                events: vec![(t0 + 5 * MIN, "new", "closed"), (t0 + 9 * MIN, "closed", "needsResponse")],
                first: None,
                close: None,
            },
            Case {
                name: "closed, reopened, closed again: the last close",
                status: Status::Closed,
                events: vec![
                    (t0 + 5 * MIN, "new", "closed"),
                    (t0 + 9 * MIN, "closed", "escalated"),
                    (t0 + 60 * MIN, "escalated", "closed"),
                ],
                first: None,
                close: Some(60 * MIN),
            },
        ];
        for case in table {
            let c = capture_with(t0, case.status, &case.events);
            let t = times(&c, &cal, t0 + 1000 * MIN);
            assert_eq!((t.first_response_ms, t.close_ms), (case.first, case.close), "{}", case.name);
        }
    }

    #[test]
    fn time_in_each_status_adds_up_to_the_capture_age() {
        let t0 = 1_000_000_000_000;
        let c = capture_with(
            t0,
            Status::Closed,
            &[
                (t0 + 10 * MIN, "new", "needsResponse"),
                (t0 + 40 * MIN, "needsResponse", "responded"),
                (t0 + 100 * MIN, "responded", "closed"),
            ],
        );
        let t = times(&c, &Calendar::always(), t0 + 160 * MIN);
        assert_eq!(
            t.in_status,
            [
                (Status::New, 10 * MIN),
                (Status::NeedsResponse, 30 * MIN),
                (Status::Responded, 60 * MIN),
                (Status::Escalated, 0),
                (Status::Closed, 60 * MIN)
            ]
        );
        assert_eq!(t.in_status.iter().map(|(_, ms)| ms).sum::<i64>(), 160 * MIN);
    }
}
