//! When a delivery is tried again, and when it is given up.
//!
//! Retried: network errors (refused, reset, dropped, timed out), 408, 429
//! and 5xx, and SMTP's transient 4xx replies. A `Retry-After` (seconds or an
//! HTTP date) is honoured, capped. Any other 4xx (and SMTP 5xx) can never
//! succeed as sent: the row is dead at once. After [`DeliveryPolicy::max_attempts`]
//! attempts it is dead too (the dead-letter state, visible with "retry now").
//! Backoff is capped exponential with equal jitter (the sync client's
//! [`crate::sync::retry::RetryPolicy`]).

use serde::{Deserialize, Serialize};

use crate::sync::retry::{parse_retry_after, RetryPolicy};

/// What one attempt got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum AttemptOutcome {
    /// No response: DNS, refused, reset, dropped mid-response, timed out.
    Network { error: String },
    Http {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<String>,
    },
    /// The SMTP server's last reply (accepted: 2xx after DATA).
    Smtp { code: u16, message: String },
    /// The SSRF guard refused every address the host resolved to.
    Blocked { detail: String },
    /// The destination cannot send (deleted, disabled, bad configuration).
    Unsendable { detail: String },
}

/// What happens to the row next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Delivered,
    /// Try again at this time (ms since the epoch).
    RetryAt(i64),
    /// The dead-letter state; `exhausted`: the attempt limit, not a refusal.
    Dead {
        exhausted: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    pub backoff: RetryPolicy,
    /// Attempts before the dead-letter state.
    pub max_attempts: u32,
}

impl Default for DeliveryPolicy {
    /// 10 attempts over about half an hour: 2 s doubling to a 10 min cap.
    fn default() -> Self {
        DeliveryPolicy { backoff: RetryPolicy { base_ms: 2_000, max_ms: 10 * 60_000, max_server_wait_ms: 60 * 60_000 }, max_attempts: 10 }
    }
}

impl DeliveryPolicy {
    /// `attempt`: this attempt's number, from 1. `random` uniform in [0, 1).
    pub fn next(&self, outcome: &AttemptOutcome, attempt: u32, now_ms: i64, random: f64) -> Next {
        let server_wait = match outcome {
            AttemptOutcome::Http { status: 200..=299, .. } => return Next::Delivered,
            AttemptOutcome::Smtp { code: 200..=299, .. } => return Next::Delivered,
            AttemptOutcome::Network { .. } => None,
            AttemptOutcome::Http { status: 408 | 429 | 500..=599, retry_after } => {
                retry_after.as_deref().and_then(|v| parse_retry_after(v, now_ms))
            }
            AttemptOutcome::Smtp { code: 400..=499, .. } => None,
            AttemptOutcome::Http { .. }
            | AttemptOutcome::Smtp { .. }
            | AttemptOutcome::Blocked { .. }
            | AttemptOutcome::Unsendable { .. } => return Next::Dead { exhausted: false },
        };
        if attempt >= self.max_attempts {
            return Next::Dead { exhausted: true };
        }
        let wait = self.backoff.delay_ms(attempt.saturating_sub(1), server_wait, random);
        Next::RetryAt(now_ms.saturating_add(wait as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_445_412_480_000; // Wed, 21 Oct 2015 07:28:00 GMT

    fn http(status: u16, retry_after: Option<&str>) -> AttemptOutcome {
        AttemptOutcome::Http { status, retry_after: retry_after.map(str::to_string) }
    }

    #[test]
    fn outcomes_decide_the_next_step() {
        let p = DeliveryPolicy::default();
        let net = AttemptOutcome::Network { error: "connection reset".into() };
        let smtp = |code| AttemptOutcome::Smtp { code, message: String::new() };
        // random 0: the lower edge of the jittered window (half the backoff).
        let cases = [
            (http(200, None), 1, Next::Delivered),
            (http(204, None), 3, Next::Delivered),
            (smtp(250), 1, Next::Delivered),
            (net.clone(), 1, Next::RetryAt(NOW + 1_000)),
            (net.clone(), 3, Next::RetryAt(NOW + 4_000)),
            (http(408, None), 1, Next::RetryAt(NOW + 1_000)),
            (http(500, None), 2, Next::RetryAt(NOW + 2_000)),
            (http(503, None), 9, Next::RetryAt(NOW + 256_000)),
            (http(429, Some("7")), 1, Next::RetryAt(NOW + 7_000)),
            (http(429, Some("Wed, 21 Oct 2015 07:28:30 GMT")), 1, Next::RetryAt(NOW + 30_000)),
            (http(429, Some("nonsense")), 1, Next::RetryAt(NOW + 1_000)),
            (smtp(451), 1, Next::RetryAt(NOW + 1_000)),
            (http(400, None), 1, Next::Dead { exhausted: false }),
            (http(401, None), 1, Next::Dead { exhausted: false }),
            (http(404, None), 1, Next::Dead { exhausted: false }),
            (http(410, None), 1, Next::Dead { exhausted: false }),
            (http(302, None), 1, Next::Dead { exhausted: false }),
            (smtp(550), 1, Next::Dead { exhausted: false }),
            (AttemptOutcome::Blocked { detail: "127.0.0.1".into() }, 1, Next::Dead { exhausted: false }),
            (net.clone(), 10, Next::Dead { exhausted: true }),
            (http(503, Some("1")), 10, Next::Dead { exhausted: true }),
        ];
        for (outcome, attempt, want) in cases {
            assert_eq!(p.next(&outcome, attempt, NOW, 0.0), want, "{outcome:?} attempt {attempt}");
        }
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = DeliveryPolicy { max_attempts: 20, ..DeliveryPolicy::default() };
        let net = AttemptOutcome::Network { error: String::new() };
        let at = |attempt, r| match p.next(&net, attempt, 0, r) {
            Next::RetryAt(t) => t,
            other => panic!("{other:?}"),
        };
        assert!(at(15, 0.999) <= 10 * 60_000);
        assert!(at(15, 0.0) >= 5 * 60_000);
        assert!(at(2, 0.5) > at(2, 0.0));
        // A Retry-After of a day is capped at the policy's hour (+ jitter).
        let far = p.next(&http(429, Some("86400")), 1, 0, 0.0);
        assert_eq!(far, Next::RetryAt(60 * 60_000));
    }
}
