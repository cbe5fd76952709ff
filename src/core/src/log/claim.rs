//! A claim: "Ana is responding". A member says they are answering a capture
//! so a teammate does not answer the same customer twice. A claim expires
//! on its own (a member who walks away does not block the capture forever)
//! and is renewed by setting it again; it lives in a last-writer-wins
//! register on the capture (`Capture::claim`).

use serde::{Deserialize, Serialize};

/// How long a claim lasts unless renewed.
pub const CLAIM_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim {
    /// The member who is responding.
    pub member: String,
    /// When the claim lapses (ms since the epoch, UTC).
    pub until_ms: i64,
}

impl Claim {
    /// A claim by `member` from `now_ms` for [`CLAIM_MINUTES`].
    pub fn starting(member: &str, now_ms: i64) -> Claim {
        Claim { member: member.to_string(), until_ms: now_ms.saturating_add(CLAIM_MINUTES * 60_000) }
    }

    /// Whether the claim still holds at `now_ms` (it lapses at `until_ms`).
    pub fn is_active(&self, now_ms: i64) -> bool {
        now_ms < self.until_ms
    }

    /// Whole minutes left at `now_ms`, rounded up (0 once lapsed).
    pub fn minutes_left(&self, now_ms: i64) -> i64 {
        let left = self.until_ms.saturating_sub(now_ms);
        if left <= 0 {
            0
        } else {
            (left + 59_999) / 60_000
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_lapses_at_its_time() {
        let c = Claim::starting("ana", 1_000);
        assert_eq!(c.until_ms, 1_000 + 15 * 60_000);
        let cases = [
            (1_000, true, 15),
            (c.until_ms - 1, true, 1),
            (c.until_ms, false, 0),
            (c.until_ms + 5, false, 0),
            (c.until_ms - 60_001, true, 2),
        ];
        for (now, active, minutes) in cases {
            assert_eq!((c.is_active(now), c.minutes_left(now)), (active, minutes), "at {now}");
        }
    }
}
