//! The verified response (issue 13): the team's reply found on the page
//! (`capture::reply`) and confirmed by a member. It is a last-writer-wins
//! register on the record like the other single values, so it merges the
//! same way; confirming it sets the status to *responded* and writes that
//! history event **at the reply's own time**, which is what first-response
//! times measure. A reply whose page gives no time is stored without one and
//! its event keeps the confirmation's time: never a guessed time.

use serde::{Deserialize, Serialize};

use super::history::{Event, EventField};
use super::record::{Capture, CommentTime, Status};
use super::sanitize::one_line;
use super::stamp::Stamp;
use super::validate::MAX_LABEL_CHARS;
use crate::capture::reply::{Evidence, ReplyFound};
use crate::capture::time::{parse_machine, Zone};
use crate::capture::url::is_http;

/// Longest permalink or profile link kept.
pub const MAX_LINK_CHARS: usize = 2048;

/// The team's reply, as confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedResponse {
    /// The reply's author as the page shows it.
    pub handle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// The reply's time as the page gave it (`utc` when it was worked out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<CommentTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permalink: Option<String>,
    pub evidence: Evidence,
    /// The member who confirmed it (set when applied).
    #[serde(default)]
    pub confirmed_by: String,
}

impl VerifiedResponse {
    /// What the card proposes from a reply found on the page.
    pub fn from_found(r: &ReplyFound) -> VerifiedResponse {
        VerifiedResponse {
            handle: r.handle.clone(),
            author_url: r.author_url.clone(),
            time: r.time.as_ref().map(|t| CommentTime {
                utc: Some(t.utc.clone()),
                original: t.original.clone(),
                zone_assumed: t.zone == Zone::Assumed,
            }),
            permalink: r.permalink.clone(),
            evidence: r.evidence,
            confirmed_by: String::new(),
        }
    }

    /// The reply's instant (ms since the epoch), when the page gave one.
    pub fn reply_ms(&self) -> Option<i64> {
        let utc = self.time.as_ref()?.utc.as_deref()?;
        parse_machine(utc, utc, 0).map(|t| t.epoch_ms)
    }

    /// Page text made safe to keep: one line, bounded; links http(s) only.
    pub fn cleaned(&self, member: &str) -> VerifiedResponse {
        let link = |u: &Option<String>| u.as_deref().map(str::trim).filter(|u| is_http(u) && u.len() <= MAX_LINK_CHARS).map(str::to_string);
        VerifiedResponse {
            handle: one_line(&self.handle, MAX_LABEL_CHARS),
            author_url: link(&self.author_url),
            time: self.time.as_ref().map(|t| CommentTime {
                utc: t.utc.as_deref().filter(|u| parse_machine(u, u, 0).is_some()).map(str::to_string),
                original: one_line(&t.original, MAX_LABEL_CHARS),
                zone_assumed: t.zone_assumed,
            }),
            permalink: link(&self.permalink),
            evidence: self.evidence,
            confirmed_by: one_line(member, MAX_LABEL_CHARS),
        }
    }
}

impl Capture {
    /// Confirm the team's reply: store it, set the status to responded and
    /// add the status event at the reply's time (the stamp's when the page
    /// gave none). When the status already says responded or closed, the
    /// event is still added if the reply is earlier than the first
    /// responded event: the first response was the reply.
    pub(crate) fn confirm_response(&mut self, reply: &VerifiedResponse, stamp: &Stamp, member: &str) {
        let reply = reply.cleaned(member);
        let at = reply.reply_ms().unwrap_or(stamp.ms);
        let responded = Status::Responded.as_str();
        let first_responded =
            self.history.events().into_iter().filter(|e| e.field == EventField::Status && e.to == responded).map(|e| e.ms).min();
        let already = matches!(self.status.value, Status::Responded | Status::Closed);
        if stamp > &self.status.stamp && !already {
            let mut e = Event::new(stamp, member, EventField::Status, self.status.value.as_str().to_string(), responded.to_string());
            e.ms = at;
            self.history.insert(e);
            self.status.set(Status::Responded, stamp.clone());
        } else if already && first_responded.is_none_or(|first| at < first) {
            let from = self
                .history
                .events()
                .into_iter()
                .rfind(|e| e.field == EventField::Status && e.ms <= at)
                .map(|e| e.to.clone())
                .unwrap_or_else(|| Status::New.as_str().to_string());
            let mut e = Event::new(stamp, member, EventField::Status, from, responded.to_string());
            e.ms = at;
            self.history.insert(e);
        }
        self.verified_response.set(Some(reply), stamp.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CaptureContext, CaptureEdit, Tags};

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    fn reply(utc: Option<&str>) -> VerifiedResponse {
        VerifiedResponse {
            handle: "Acme_Support".into(),
            author_url: Some("https://forum.example/u/9".into()),
            time: utc.map(|u| CommentTime { utc: Some(u.into()), original: "Tue Mar 05, 2024 10:30 am".into(), zone_assumed: false }),
            permalink: Some("https://forum.example/viewtopic.php?p=103#p103".into()),
            evidence: Evidence::QuoteReference,
            confirmed_by: String::new(),
        }
    }

    fn capture() -> Capture {
        Capture::new(
            "0190a000-0000-7000-8000-000000000001".into(),
            CaptureContext::default(),
            &Tags::default(),
            "ana",
            st(1_709_600_000_000, "a"),
        )
    }

    const REPLY_MS: i64 = 1_709_634_600_000; // 2024-03-05T10:30:00Z

    #[test]
    fn confirm_table() {
        let later = 1_709_700_000_000;
        for (name, setup, reply_time, want_status, want_event_ms) in [
            ("new → responded at the reply's time", None, Some("2024-03-05T10:30:00Z"), Status::Responded, vec![REPLY_MS]),
            ("no time on the page: the confirmation's", None, None, Status::Responded, vec![later]),
            (
                "already responded later: the reply is the first",
                Some(Status::Responded),
                Some("2024-03-05T10:30:00Z"),
                Status::Responded,
                vec![REPLY_MS, later - 10],
            ),
            ("closed stays closed", Some(Status::Closed), Some("2024-03-05T10:30:00Z"), Status::Closed, vec![REPLY_MS]),
        ] {
            let mut c = capture();
            if let Some(s) = setup {
                c.apply(&CaptureEdit { status: Some(s), ..Default::default() }, &st(later - 10, "a"), "ana").unwrap();
            }
            let r = reply(reply_time);
            c.apply(&CaptureEdit { confirm_response: Some(r.clone()), ..Default::default() }, &st(later, "b"), "bo").unwrap();
            assert_eq!(c.status.value, want_status, "{name}");
            let responded: Vec<i64> = c.history.events().into_iter().filter(|e| e.to == "responded").map(|e| e.ms).collect();
            assert_eq!(responded, want_event_ms, "{name}");
            let stored = c.verified_response.value.clone().expect(name);
            assert_eq!(stored.confirmed_by, "bo", "{name}");
            assert_eq!(stored.permalink, r.permalink, "{name}");
            // Replaying the same edit adds nothing.
            let before = c.clone();
            c.apply(&CaptureEdit { confirm_response: Some(r), ..Default::default() }, &st(later, "b"), "bo").unwrap();
            assert_eq!(c.history, before.history, "{name}: replay");
        }
    }

    #[test]
    fn page_text_is_cleaned() {
        let mut r = reply(Some("not a time"));
        r.handle = "Acme\u{0}\nSupport".into();
        r.permalink = Some("javascript:alert(1)".into());
        let c = r.cleaned("ana");
        assert_eq!(c.handle, "Acme Support");
        assert_eq!(c.permalink, None);
        assert_eq!(c.time.and_then(|t| t.utc), None);
    }

    #[test]
    fn merges_like_a_register_and_round_trips() {
        let mut a = capture();
        let mut b = a.clone();
        a.apply(
            &CaptureEdit { confirm_response: Some(reply(Some("2024-03-05T10:30:00Z"))), ..Default::default() },
            &st(1_709_700_000_000, "a"),
            "ana",
        )
        .unwrap();
        b.apply(&CaptureEdit { add_comment: Some("llamé".into()), ..Default::default() }, &st(1_709_700_000_001, "b"), "bo").unwrap();
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.verified_response.value.as_ref().map(|r| r.handle.as_str()), Some("Acme_Support"));
        let json = serde_json::to_string(&ab).unwrap();
        let back: Capture = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ab);
        // A record from before verified responses reads with none.
        let mut old: serde_json::Value = serde_json::to_value(capture()).unwrap();
        old.as_object_mut().unwrap().remove("verifiedResponse");
        let old: Capture = serde_json::from_value(old).unwrap();
        assert_eq!(old.verified_response.value, None);
    }
}
