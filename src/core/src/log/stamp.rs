//! Edit stamps: the total order that makes concurrent edits converge.
//!
//! Every editable field of a capture carries the [`Stamp`] of its last edit.
//! Stamps are hybrid logical clocks: wall-clock milliseconds, a counter that
//! keeps one actor's edits strictly increasing even when its clock stalls or
//! goes backwards, and the actor's id as the final tie-break. Because the order
//! is total, merging two copies field by field (keep the larger stamp) gives
//! the same result on every client and on the server, whatever the order of
//! arrival.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Stamp {
    /// Wall-clock milliseconds since the Unix epoch, as the editor saw them.
    pub ms: i64,
    /// Orders edits within one millisecond, or after the clock went backwards.
    pub counter: u32,
    /// Who edited: a member's device id. Breaks exact ties deterministically.
    pub actor: String,
}

impl Ord for Stamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ms, self.counter, &self.actor).cmp(&(other.ms, other.counter, &other.actor))
    }
}

impl PartialOrd for Stamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Stamp {
    /// The stamp for a new local edit: later than both the clock and
    /// everything this actor has already seen (`last`).
    pub fn next(last: &Stamp, now_ms: i64, actor: &str) -> Stamp {
        if now_ms > last.ms {
            Stamp { ms: now_ms, counter: 0, actor: actor.to_string() }
        } else {
            Stamp { ms: last.ms, counter: last.counter.saturating_add(1), actor: actor.to_string() }
        }
    }
}

/// A last-writer-wins register: a value and the stamp of the edit that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Lww<T> {
    pub value: T,
    pub stamp: Stamp,
}

impl<T: Clone + PartialEq> Lww<T> {
    pub fn new(value: T, stamp: Stamp) -> Self {
        Lww { value, stamp }
    }

    /// Keep whichever edit is later. Commutative, associative and idempotent.
    pub fn merge(&mut self, other: &Lww<T>) {
        if other.stamp > self.stamp {
            *self = other.clone();
        }
    }

    /// A local edit; `stamp` must come from [`Stamp::next`].
    pub fn set(&mut self, value: T, stamp: Stamp) {
        if stamp > self.stamp {
            self.value = value;
            self.stamp = stamp;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(ms: i64, counter: u32, actor: &str) -> Stamp {
        Stamp { ms, counter, actor: actor.into() }
    }

    #[test]
    fn order_is_time_then_counter_then_actor() {
        let cases = [
            (s(1, 0, "b"), s(2, 0, "a"), Ordering::Less),
            (s(2, 0, "a"), s(2, 1, "a"), Ordering::Less),
            (s(2, 1, "a"), s(2, 1, "b"), Ordering::Less),
            (s(2, 1, "b"), s(2, 1, "b"), Ordering::Equal),
        ];
        for (a, b, want) in cases {
            assert_eq!(a.cmp(&b), want, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn next_stays_ahead_when_the_clock_stalls_or_goes_back() {
        let last = s(100, 3, "x");
        assert_eq!(Stamp::next(&last, 200, "me"), s(200, 0, "me"));
        assert_eq!(Stamp::next(&last, 100, "me"), s(100, 4, "me"));
        assert_eq!(Stamp::next(&last, 50, "me"), s(100, 4, "me"));
        assert!(Stamp::next(&last, 50, "me") > last);
    }

    #[test]
    fn merge_converges_in_any_order() {
        let edits = [Lww::new("a", s(5, 0, "m1")), Lww::new("b", s(5, 0, "m2")), Lww::new("c", s(4, 9, "m3"))];
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for order in orders {
            let mut reg = Lww::new("", Stamp::default());
            for i in order {
                reg.merge(&edits[i]);
                reg.merge(&edits[i]); // re-delivery is harmless
            }
            assert_eq!(reg.value, "b", "order {order:?}");
        }
    }
}
