//! Edit stamps: the total order that makes concurrent edits converge.
//!
//! Every editable field of a capture carries the [`Stamp`] of its last edit.
//! Stamps are hybrid logical clocks: wall-clock milliseconds, a counter that
//! keeps one actor's edits strictly increasing even when its clock stalls or
//! goes backwards, and the actor's id as the final tie-break. Because the order
//! is total, merging two copies field by field (keep the larger stamp) gives
//! the same result on every client and on the server, whatever the order of
//! arrival. Two copies with the same stamp and different values (a buggy
//! or hostile client) resolve by content, so every replica still agrees.
//!
//! Counters stay small: after [`MAX_STAMP_COUNTER`] edits within one
//! millisecond the next stamp moves to the next millisecond instead, and the
//! validation refuses larger counters. A counter saturated at `u32::MAX` used
//! to end every later edit in a tie that the actor's name decided.

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

/// The largest counter a stamp may carry (see the module's note).
pub const MAX_STAMP_COUNTER: u32 = 65_535;

impl Stamp {
    /// The stamp for a new local edit: later than both the clock and
    /// everything this actor has already seen (`last`), whatever `last` is.
    pub fn next(last: &Stamp, now_ms: i64, actor: &str) -> Stamp {
        if now_ms > last.ms {
            Stamp { ms: now_ms, counter: 0, actor: actor.to_string() }
        } else if last.counter < MAX_STAMP_COUNTER {
            Stamp { ms: last.ms, counter: last.counter + 1, actor: actor.to_string() }
        } else {
            Stamp { ms: last.ms.saturating_add(1), counter: 0, actor: actor.to_string() }
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

impl<T: Clone + PartialEq + Serialize> Lww<T> {
    pub fn new(value: T, stamp: Stamp) -> Self {
        Lww { value, stamp }
    }

    /// Keep whichever edit is later; equal stamps with different values keep
    /// the larger value by its JSON text. Commutative, associative and
    /// idempotent. What happened to `other`'s value: see [`Merge`].
    pub fn merge(&mut self, other: &Lww<T>) -> Merge {
        if other.value == self.value && other.stamp == self.stamp {
            return Merge::Same;
        }
        if other.beats(self) {
            *self = other.clone();
            Merge::Taken
        } else if other.value == self.value {
            Merge::Same
        } else {
            Merge::Lost
        }
    }

    /// Whether this edit wins over `other`: a later stamp, or on the same
    /// stamp a different value that sorts after.
    fn beats(&self, other: &Lww<T>) -> bool {
        match self.stamp.cmp(&other.stamp) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => self.value != other.value && content_key(&self.value) > content_key(&other.value),
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

/// What a merge did with the incoming copy of a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// It held what this copy already held (nothing to do).
    Same,
    /// It was newer: its value and stamp replaced this copy's.
    Taken,
    /// It held a different value that lost to this copy's newer edit.
    Lost,
}

/// A total order on values that does not depend on their type's own order.
fn content_key<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
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
    fn next_never_saturates_the_counter() {
        let cases = [
            // (last, now, next)
            (s(100, MAX_STAMP_COUNTER - 1, "x"), 50, s(100, MAX_STAMP_COUNTER, "me")),
            (s(100, MAX_STAMP_COUNTER, "x"), 50, s(101, 0, "me")),
            // What a hostile client pushed (issue 11): every later edit tied on
            // ms and counter, and lost whenever its actor sorted first.
            (s(100, u32::MAX, "zzz"), 100, s(101, 0, "me")),
            (s(i64::MAX, u32::MAX, "zzz"), 0, s(i64::MAX, 0, "me")),
        ];
        for (last, now, want) in cases {
            let next = Stamp::next(&last, now, "me");
            assert_eq!(next, want, "after {last:?} at {now}");
            if last.ms < i64::MAX {
                assert!(next > last, "{next:?} must beat {last:?}");
            }
        }
    }

    #[test]
    fn same_stamp_different_values_resolve_by_content_in_any_order() {
        let stamp = s(5, 0, "m1");
        let cases: [(&str, &str, &str); 3] = [("a", "b", "b"), ("b", "a", "b"), ("same", "same", "same")];
        for (mine, theirs, want) in cases {
            let (x, y) = (Lww::new(mine.to_string(), stamp.clone()), Lww::new(theirs.to_string(), stamp.clone()));
            let (mut xy, mut yx) = (x.clone(), y.clone());
            xy.merge(&y);
            yx.merge(&x);
            assert_eq!((xy.value.as_str(), yx.value.as_str()), (want, want), "{mine} vs {theirs}");
        }
    }

    #[test]
    fn merge_says_what_happened_to_the_incoming_value() {
        let reg = |v: &str, ms| Lww::new(v.to_string(), s(ms, 0, "a"));
        let cases = [
            (reg("x", 5), reg("x", 5), Merge::Same, "x"),
            (reg("x", 5), reg("y", 6), Merge::Taken, "y"),
            (reg("x", 5), reg("y", 4), Merge::Lost, "x"),
            (reg("x", 5), reg("x", 4), Merge::Same, "x"),
            (reg("x", 5), reg("x", 6), Merge::Taken, "x"),
            (reg("b", 5), reg("a", 5), Merge::Lost, "b"),
            (reg("a", 5), reg("b", 5), Merge::Taken, "b"),
        ];
        for (i, (mut mine, theirs, want, value)) in cases.into_iter().enumerate() {
            assert_eq!(mine.merge(&theirs), want, "case {i}");
            assert_eq!(mine.value, value, "case {i}");
        }
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
