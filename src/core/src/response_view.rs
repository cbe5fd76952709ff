//! What the card says about a logged comment's verified response (issue 13):
//! a reply by a team account found on the page is *proposed* ("Responded by
//! @acme_support at 10:30", a link to the reply, one Confirm); a confirmed
//! one is shown as *verified*. Confirming sends one edit
//! ([`CaptureEdit::confirm_response`]), which sets the status to responded
//! at the reply's own time (`log::verified`).

use crate::capture::reply::ReplyFound;
use crate::i18n::{Key, Words};
use crate::log::{Capture, CaptureEdit, VerifiedResponse};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseView {
    /// Found on the page, not confirmed yet.
    Proposed(VerifiedResponse),
    /// Confirmed (by anyone on the team).
    Verified(VerifiedResponse),
}

impl ResponseView {
    /// `logged`: the card's capture, if the comment is logged; `found`: the
    /// team's reply on the page, if any. A comment not logged gets nothing
    /// (there is no record to confirm on); a confirmed one keeps showing what
    /// was confirmed, whatever the page shows now.
    pub fn of(logged: Option<&Capture>, found: Option<&ReplyFound>) -> Option<ResponseView> {
        let c = logged?;
        if let Some(v) = &c.verified_response.value {
            return Some(ResponseView::Verified(v.clone()));
        }
        found.map(|r| ResponseView::Proposed(VerifiedResponse::from_found(r)))
    }

    pub fn reply(&self) -> &VerifiedResponse {
        match self {
            ResponseView::Proposed(r) | ResponseView::Verified(r) => r,
        }
    }

    /// The reply's time for display: its UTC instant (the glue formats it in
    /// the reader's locale) or, without one, what the page said.
    pub fn time_utc(&self) -> Option<&str> {
        self.reply().time.as_ref()?.utc.as_deref()
    }

    /// The line; `time` is the reply's time as the reader reads it.
    pub fn line(&self, time: Option<&str>) -> Words {
        let r = self.reply();
        let handle = r.handle.trim_start_matches('@').to_string();
        let time = time.map(str::to_string).or_else(|| r.time.as_ref().map(|t| t.original.clone())).filter(|t| !t.trim().is_empty());
        match (self, time) {
            (ResponseView::Verified(_), Some(t)) => Words::new(Key::CardResponseVerified).text(handle).text(t),
            (_, Some(t)) => Words::new(Key::CardRespondedBy).text(handle).text(t),
            (_, None) => Words::new(Key::CardRespondedByUndated).text(handle),
        }
    }

    /// The one-click confirmation (nothing for a verified one).
    pub fn confirm_edit(&self) -> Option<CaptureEdit> {
        match self {
            ResponseView::Proposed(r) => Some(CaptureEdit { confirm_response: Some(r.clone()), ..Default::default() }),
            ResponseView::Verified(_) => None,
        }
    }

    /// The reply's own link (http(s) only), for "Open the reply".
    pub fn link(&self) -> Option<&str> {
        self.reply().permalink.as_deref().filter(|l| crate::capture::url::is_http(l))
    }

    /// The button's words.
    pub fn confirm_label() -> Key {
        Key::CardConfirmResponse
    }

    /// The link's words.
    pub fn open_label() -> Key {
        Key::CardOpenReply
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::reply::Evidence;
    use crate::capture::time::{CommentTime, Precision, Zone};
    use crate::log::{CaptureContext, Stamp, Status, Tags};

    fn found(time: Option<&str>) -> ReplyFound {
        ReplyFound {
            handle: "Acme_Support".into(),
            author_url: None,
            time: time.map(|t| CommentTime {
                original: "Tue Mar 05, 2024 10:30 am".into(),
                utc: t.into(),
                epoch_ms: 1_709_634_600_000,
                zone: Zone::Explicit,
                precision: Precision::Minute,
            }),
            permalink: Some("https://forum.example/viewtopic.php?p=103#p103".into()),
            evidence: Evidence::QuoteReference,
        }
    }

    fn logged() -> Capture {
        let st = Stamp { ms: 1_709_600_000_000, counter: 0, actor: "a".into() };
        Capture::new("0190a000-0000-7000-8000-000000000001".into(), CaptureContext::default(), &Tags::default(), "ana", st)
    }

    #[test]
    fn proposal_table() {
        let mut confirmed = logged();
        let reply = found(Some("2024-03-05T10:30:00Z"));
        let edit = ResponseView::of(Some(&confirmed), Some(&reply)).and_then(|v| v.confirm_edit()).expect("an edit");
        confirmed.apply(&edit, &Stamp { ms: 1_709_700_000_000, counter: 0, actor: "b".into() }, "bo").unwrap();
        assert_eq!(confirmed.status.value, Status::Responded);
        for (name, capture, reply, want) in [
            ("not logged: nothing to confirm", None, Some(found(Some("2024-03-05T10:30:00Z"))), None),
            ("logged, no reply on the page", Some(logged()), None, None),
            ("logged, a reply: proposed", Some(logged()), Some(found(Some("2024-03-05T10:30:00Z"))), Some((Key::CardRespondedBy, true))),
            ("a reply without a time", Some(logged()), Some(found(None)), Some((Key::CardRespondedByUndated, true))),
            ("confirmed: verified, no button", Some(confirmed.clone()), None, Some((Key::CardResponseVerified, false))),
        ] {
            let view = ResponseView::of(capture.as_ref(), reply.as_ref());
            let got = view.as_ref().map(|v| (v.line(v.time_utc()).key, v.confirm_edit().is_some()));
            assert_eq!(got, want, "{name}");
        }
        let v = ResponseView::of(Some(&logged()), Some(&found(None))).unwrap();
        assert_eq!(v.line(None).args.len(), 1);
        assert_eq!(v.link(), Some("https://forum.example/viewtopic.php?p=103#p103"));
        assert_eq!(ResponseView::confirm_label(), Key::CardConfirmResponse);
        assert_eq!(ResponseView::open_label(), Key::CardOpenReply);
    }
}
