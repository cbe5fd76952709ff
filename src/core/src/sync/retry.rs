//! When a sync client (push to the team log, or webhook delivery) tries again.
//!
//! Only failures that can pass by themselves are retried: network errors and
//! timeouts, 408, 429 and 5xx. 401/403 wait for the member to fix the token;
//! any other 4xx means the request can never succeed as it is, so the item is
//! quarantined (kept, shown, not re-sent) instead of blocking the queue.
//! Nothing here is ever dropped: every verdict keeps the item.
//!
//! The caller supplies the clock and the random number, so the policy is
//! deterministic and testable and the core needs no platform RNG.

/// Every request gives up after this long and counts as a network error.
pub const REQUEST_TIMEOUT_MS: u64 = 25_000;

/// What came back from one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// No HTTP response: offline, DNS, refused, reset, timed out.
    NetworkError,
    /// An HTTP response with its status and `Retry-After` header, if any.
    Response { status: u16, retry_after: Option<&'a str> },
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: delivered (per-item results may still reject single items).
    Delivered,
    /// Transient: try again later; `server_wait_ms` is the server's own
    /// `Retry-After`, when it gave one.
    Retry { server_wait_ms: Option<u64> },
    /// 401/403: stop sending until the member replaces the token.
    Reauthorize,
    /// 413 for a batch of several items: send fewer per request.
    SplitBatch,
    /// Can never succeed as sent: keep the item aside and tell the member.
    Quarantine,
}

/// Classify one attempt. `items` is how many records the request carried,
/// so a too-large batch is split before any single item is quarantined.
pub fn classify(outcome: Outcome<'_>, items: usize, now_ms: i64) -> Verdict {
    let (status, retry_after) = match outcome {
        Outcome::NetworkError => return Verdict::Retry { server_wait_ms: None },
        Outcome::Response { status, retry_after } => (status, retry_after),
    };
    match status {
        200..=299 => Verdict::Delivered,
        408 | 429 | 500..=599 => Verdict::Retry { server_wait_ms: retry_after.and_then(|v| parse_retry_after(v, now_ms)) },
        401 | 403 => Verdict::Reauthorize,
        413 if items > 1 => Verdict::SplitBatch,
        _ => Verdict::Quarantine,
    }
}

/// `Retry-After` as milliseconds from `now_ms`: delay-seconds or an
/// HTTP-date (RFC 9110 §10.2.3). A date in the past means "now" (0).
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().unwrap_or(u64::MAX / 1000).saturating_mul(1000));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let when_ms = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as i64;
    Some(when_ms.saturating_sub(now_ms).max(0) as u64)
}

/// Capped exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first retry's nominal delay.
    pub base_ms: u64,
    /// No backoff grows past this.
    pub max_ms: u64,
    /// The longest `Retry-After` honoured, so a confused server cannot park
    /// a client for days.
    pub max_server_wait_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { base_ms: 2_000, max_ms: 5 * 60_000, max_server_wait_ms: 60 * 60_000 }
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `attempt` (0 = the first retry).
    /// `random` is uniform in [0, 1). Without a server wait: "equal jitter",
    /// half the capped backoff plus a random share of the other half, so
    /// clients spread out but never retry at once. With one: the server's
    /// wait (capped) plus up to a second of jitter.
    pub fn delay_ms(&self, attempt: u32, server_wait_ms: Option<u64>, random: f64) -> u64 {
        let random = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
        if let Some(wait) = server_wait_ms {
            return wait.min(self.max_server_wait_ms) + (random * 1000.0) as u64;
        }
        let backoff = self.base_ms.saturating_mul(1u64 << attempt.min(32)).min(self.max_ms);
        backoff / 2 + (random * (backoff / 2) as f64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_445_412_480_000; // Wed, 21 Oct 2015 07:28:00 GMT

    #[test]
    fn outcomes_are_classified() {
        let resp = |status, retry_after| Outcome::Response { status, retry_after };
        let cases = [
            (Outcome::NetworkError, 1, Verdict::Retry { server_wait_ms: None }),
            (resp(200, None), 5, Verdict::Delivered),
            (resp(204, None), 1, Verdict::Delivered),
            (resp(408, None), 1, Verdict::Retry { server_wait_ms: None }),
            (resp(429, Some("7")), 1, Verdict::Retry { server_wait_ms: Some(7_000) }),
            (resp(429, Some("soon")), 1, Verdict::Retry { server_wait_ms: None }),
            (resp(500, None), 1, Verdict::Retry { server_wait_ms: None }),
            (resp(503, Some("Wed, 21 Oct 2015 07:28:30 GMT")), 1, Verdict::Retry { server_wait_ms: Some(30_000) }),
            (resp(401, None), 3, Verdict::Reauthorize),
            (resp(403, None), 3, Verdict::Reauthorize),
            (resp(413, None), 3, Verdict::SplitBatch),
            (resp(413, None), 1, Verdict::Quarantine),
            (resp(400, None), 1, Verdict::Quarantine),
            (resp(404, None), 1, Verdict::Quarantine),
            (resp(422, None), 1, Verdict::Quarantine),
            (resp(302, None), 1, Verdict::Quarantine),
        ];
        for (outcome, items, want) in cases {
            assert_eq!(classify(outcome, items, NOW), want, "{outcome:?} with {items} items");
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let cases = [
            ("0", Some(0)),
            ("120", Some(120_000)),
            (" 3 ", Some(3_000)),
            ("99999999999999999999999", Some(u64::MAX / 1000 * 1000)),
            ("Wed, 21 Oct 2015 07:29:00 GMT", Some(60_000)),
            ("Wed, 21 Oct 2015 07:00:00 GMT", Some(0)),
            ("Wednesday, 21-Oct-15 07:28:10 GMT", Some(10_000)),
            ("-5", None),
            ("1.5", None),
            ("", None),
            ("tomorrow", None),
        ];
        for (value, want) in cases {
            assert_eq!(parse_retry_after(value, NOW), want, "{value:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_bounded_jitter() {
        let p = RetryPolicy { base_ms: 1_000, max_ms: 60_000, max_server_wait_ms: 3_600_000 };
        // (attempt, random, want)
        let cases = [
            (0, 0.0, 500),
            (0, 0.999_999, 999),
            (1, 0.0, 1_000),
            (3, 0.5, 6_000),
            (6, 0.0, 30_000),
            (7, 0.0, 30_000),
            (40, 1.0, 60_000),
            (2, f64::NAN, 2_000),
            (2, -3.0, 2_000),
        ];
        for (attempt, random, want) in cases {
            assert_eq!(p.delay_ms(attempt, None, random), want, "attempt {attempt}, random {random}");
        }
    }

    #[test]
    fn the_servers_wait_is_honoured_and_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_ms(0, Some(7_000), 0.0), 7_000);
        assert_eq!(p.delay_ms(9, Some(7_000), 0.5), 7_500, "not stretched by the attempt count");
        assert_eq!(p.delay_ms(0, Some(u64::MAX), 0.0), p.max_server_wait_ms);
    }
}
