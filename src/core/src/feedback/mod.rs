//! Feeding back to the organisation (issue 13): the weekly digest each
//! department gets and the spike alert, decided here from data and a clock
//! the caller passes in; the team-log server queries, schedules and
//! enqueues (`src/server/src/feedback.rs`).
//!
//! - [`config`]: the team document's `feedback` part and its validation.
//! - [`schedule`]: which digest slot is due, which spike window is judged.
//! - [`spike`]: the spike decision (baseline × factor, minimum, cool-down).
//! - [`digest`]: one department's week, compared and ranked.

pub mod config;
pub mod digest;
pub mod schedule;
pub mod spike;
pub mod text;

pub use config::{validate, DepartmentFeedback, DigestSchedule, FeedbackConfig, FeedbackError, SpikeRule, Weekday};
pub use digest::{build as build_digest, Digest, DigestInput, DigestItem, Tally};
pub use schedule::{digest_due, digest_slot, spike_window, DigestSlot, Period, SpikeWindow};
pub use spike::{decide as decide_spike, BrandCounts, Spike, SpikeDecision};

/// The run keys: one per thing sent, so a second server (or a retry)
/// finds it already done. They are also the outbox's idempotency keys.
pub fn digest_key(team_id: i64, department: &str, week: &str) -> String {
    format!("digest:{team_id}:{department}:{week}")
}

pub fn spike_key(team_id: i64, brand: &str, window_start_ms: i64) -> String {
    format!("spike:{team_id}:{brand}:{window_start_ms}")
}
