//! Per-token rate limit: a GCRA bucket per token id (governor). The keys are
//! token ids from the database, a small bounded set, so the map never needs
//! pruning.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct TokenRateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl TokenRateLimit {
    /// `per_minute` requests per minute sustained, bursts of up to `burst`.
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> TokenRateLimit {
        TokenRateLimit { limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)) }
    }

    /// `Err(wait)` when this token must wait before its next request.
    pub fn check(&self, token_id: &str) -> Result<(), Duration> {
        self.limiter.check_key(&token_id.to_string()).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_has_its_own_bucket() {
        let n = |v| NonZeroU32::new(v).unwrap();
        let limit = TokenRateLimit::new(n(1), n(2));
        assert!(limit.check("a").is_ok());
        assert!(limit.check("a").is_ok());
        let wait = limit.check("a").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        assert!(limit.check("b").is_ok(), "another token is not affected");
    }
}
