//! Rate limits: a GCRA bucket per token id (governor; token ids from the
//! database are a small bounded set, so that map never needs pruning), a
//! bucket per client address that applies before authentication, and a count
//! of failed authentications per address (unknown or revoked tokens), past
//! which that address's tokens are not even looked up for a while.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Requests per client address, before anything else is looked at.
pub struct AddressRateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl AddressRateLimit {
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> AddressRateLimit {
        AddressRateLimit { limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)), checks: AtomicU64::new(0) }
    }

    /// `Err(wait)` when this address must wait before its next request.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        // Addresses are unbounded (anyone can connect): forget the ones whose
        // bucket is full again, now and then.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// Failed authentications per address in fixed one-minute windows.
pub struct AuthFailures {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl AuthFailures {
    pub fn new(per_minute: u32) -> AuthFailures {
        AuthFailures { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// How long this address must wait before a token from it is checked again.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = *windows.get(&ip)?;
        let ends = start + WINDOW;
        (count >= self.per_minute && now < ends).then(|| ends - now)
    }

    /// One more failure from this address.
    pub fn record(&self, ip: IpAddr, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now < *start + WINDOW);
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now >= entry.0 + WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn each_address_has_its_own_bucket() {
        let n = |v| NonZeroU32::new(v).unwrap();
        let limit = AddressRateLimit::new(n(1), n(2));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(limit.check(a).is_ok() && limit.check(a).is_ok());
        assert!(limit.check(a).is_err());
        assert!(limit.check(b).is_ok(), "another address is not affected");
    }

    #[test]
    fn failed_authentications_block_an_address_for_the_rest_of_its_minute() {
        let failures = AuthFailures::new(3);
        let t0 = Instant::now();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for i in 0..3 {
            assert_eq!(failures.blocked(a, t0), None, "failure {i}");
            failures.record(a, t0);
        }
        let wait = failures.blocked(a, t0 + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert_eq!(failures.blocked(b, t0), None, "another address is not affected");
        assert_eq!(failures.blocked(a, t0 + WINDOW), None, "the next minute starts afresh");
        failures.record(a, t0 + WINDOW);
        assert_eq!(failures.blocked(a, t0 + WINDOW), None);
    }
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
