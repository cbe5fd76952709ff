//! A capture's history: every change of status, department, assignee,
//! priority and sentiment, as an event (who, from → to, when). It is what the
//! log page and the dashboard show as a timeline, what an export carries,
//! and what response-time reports measure.
//!
//! A grow-only set keyed by event id: merging is a union, so it is
//! commutative, associative and idempotent, and two members changing the
//! status at once both appear (the register itself keeps the later value).
//! Event ids derive from the edit's stamp and the field, so replaying an
//! edit does not add an event twice.
//!
//! JSON: a list of events in (ms, id) order.

use serde::{Deserialize, Serialize};

use super::stamp::Stamp;

/// Which field an event changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventField {
    Status,
    Department,
    Assignee,
    Priority,
    Sentiment,
}

impl EventField {
    pub const ALL: [EventField; 5] =
        [EventField::Status, EventField::Department, EventField::Assignee, EventField::Priority, EventField::Sentiment];

    pub fn as_str(self) -> &'static str {
        match self {
            EventField::Status => "status",
            EventField::Department => "department",
            EventField::Assignee => "assignee",
            EventField::Priority => "priority",
            EventField::Sentiment => "sentiment",
        }
    }
}

/// One change: `member` set `field` from `from` to `to` at `ms`. Values are
/// the fields' wire names (`needsResponse`, `high`) or names (a department,
/// a member); an empty text is "none".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub member: String,
    pub ms: i64,
    pub field: EventField,
    pub from: String,
    pub to: String,
}

impl Event {
    /// The event of the edit stamped `stamp` changing `field`.
    pub fn new(stamp: &Stamp, member: &str, field: EventField, from: String, to: String) -> Event {
        Event { id: event_id(stamp, field), member: member.to_string(), ms: stamp.ms, field, from, to }
    }
}

/// The id of the event an edit stamped `stamp` makes for `field`.
pub fn event_id(stamp: &Stamp, field: EventField) -> String {
    super::record::derived_uuid(stamp.ms, &["event", field.as_str(), &stamp.counter.to_string(), &stamp.actor])
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Event>", into = "Vec<Event>")]
pub struct History {
    /// Sorted by (ms, id), one per id.
    events: Vec<Event>,
}

impl From<Vec<Event>> for History {
    fn from(list: Vec<Event>) -> History {
        let mut h = History::default();
        for e in list {
            h.insert(e);
        }
        h
    }
}

impl From<History> for Vec<Event> {
    fn from(h: History) -> Vec<Event> {
        h.events
    }
}

/// Two copies of one event id that disagree (only a hostile or buggy client
/// makes them) resolve by content, so every replica keeps the same one.
fn content(e: &Event) -> (i64, &str, EventField, &str, &str) {
    (e.ms, &e.member, e.field, &e.from, &e.to)
}

impl History {
    /// Add an event (an event with the same id keeps the smaller content).
    pub fn insert(&mut self, e: Event) {
        if let Some(at) = self.events.iter().position(|x| x.id == e.id) {
            if content(&e) >= content(&self.events[at]) {
                return;
            }
            self.events.remove(at);
        }
        let at = self.events.partition_point(|x| (x.ms, &x.id) < (e.ms, &e.id));
        self.events.insert(at, e);
    }

    /// Union with another copy.
    pub fn merge(&mut self, other: &History) {
        if self == other {
            return;
        }
        for e in &other.events {
            self.insert(e.clone());
        }
    }

    /// Every event in (ms, id) order.
    pub fn events(&self) -> Vec<&Event> {
        self.events.iter().collect()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Rewrite every event with `f` (the sanitizer).
    pub fn map(&self, f: impl Fn(&Event) -> Event) -> History {
        self.events.iter().map(f).collect::<Vec<_>>().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    #[test]
    fn replays_do_not_duplicate_and_concurrent_changes_both_stay() {
        let a = Event::new(&st(5, "a"), "ana", EventField::Status, "new".into(), "responded".into());
        let b = Event::new(&st(5, "b"), "bo", EventField::Status, "new".into(), "escalated".into());
        let mut x = History::from(vec![a.clone(), a.clone()]);
        let y = History::from(vec![b.clone()]);
        x.merge(&y);
        x.merge(&y);
        assert_eq!(x.len(), 2);
        let mut z = y.clone();
        z.merge(&History::from(vec![a]));
        assert_eq!(x, z);
    }
}
