//! The generic webhook: the notification as JSON, signed per Standard
//! Webhooks (<https://www.standardwebhooks.com/>): headers `webhook-id` (the
//! idempotency key, the same on every retry, so receivers drop duplicates),
//! `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret's
//! bytes; the secret is written `whsec_` + base64).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;

use super::Notification;

type HmacSha256 = Hmac<sha2::Sha256>;

/// The secret's key bytes; `None` unless `whsec_` + base64 of 24–64 bytes.
pub fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    (24..=64).contains(&key.len()).then_some(key)
}

/// A new secret from 32 random bytes (the caller's RNG: the core has none).
pub fn encode_secret(random: &[u8; 32]) -> String {
    format!("whsec_{}", STANDARD.encode(random))
}

/// `v1,<signature>` for one message.
pub fn sign(key: &[u8], msg_id: &str, timestamp_s: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `header` (space-separated signatures) holds a valid v1 one for
/// this message; what a receiver runs (and the tests, as the receiver).
pub fn verify(key: &[u8], msg_id: &str, timestamp_s: i64, body: &[u8], header: &str) -> bool {
    let want = sign(key, msg_id, timestamp_s, body);
    header.split(' ').any(|s| s.len() == want.len() && s.bytes().zip(want.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0)
}

/// The JSON body: `{"type", "timestamp", "data": {…, "message": …}}`.
pub fn body(n: &Notification, now_ms: i64) -> Vec<u8> {
    let payload = json!({
        "type": n.kind.event_type(),
        "timestamp": crate::log::dates::format_rfc3339(now_ms),
        "data": { "data": n.data, "message": n.message },
    });
    serde_json::to_vec(&payload).expect("JSON values serialize")
}

/// The headers of one signed request (besides Content-Type).
pub fn headers(key: &[u8], msg_id: &str, now_ms: i64, body: &[u8]) -> [(&'static str, String); 3] {
    let ts = now_ms.div_euclid(1000);
    [("webhook-id", msg_id.to_string()), ("webhook-timestamp", ts.to_string()), ("webhook-signature", sign(key, msg_id, ts, body))]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example published with the specification (and its reference
    /// libraries' tests).
    #[test]
    fn the_specification_example_vector() {
        let key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(verify(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#, &format!("v1,bogus {sig}")));
        assert!(!verify(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, br#"{"test": 2432232314}"#, &sig));
    }

    #[test]
    fn secrets_must_be_whsec_base64_of_a_real_key() {
        assert!(decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_some());
        assert!(decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_none());
        assert!(decode_secret("whsec_c2hvcnQ=").is_none());
        assert!(decode_secret("whsec_not base64!").is_none());
        let made = encode_secret(&[7; 32]);
        assert_eq!(decode_secret(&made), Some(vec![7; 32]));
    }
}
