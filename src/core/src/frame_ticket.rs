//! One-time tickets for the extension frames a content script opens inside a
//! page: the matcher frame ([`crate::matcher_frame`]) and the card frame
//! ([`crate::card_frame`]). Both work the same way, so it lives here once.
//!
//! The content script asks the service worker for a ticket; the worker binds
//! it to the sender's tab and page ([`Tickets::issue`]). The frame, loaded as
//! `<page>.html#<ticket>`, redeems it once from the same tab
//! ([`Tickets::claim`]) and only ever talks on the port that came with that
//! ticket. A page script never learns a ticket, and a frame it opens itself
//! has none to redeem. A claimed ticket stays a session for the card's
//! writes ([`Tickets::session`]).

use serde::{Deserialize, Serialize};

/// Tickets waiting to be claimed, and claimed sessions, kept at most; the
/// oldest go first (a frame claims its ticket within a second of opening,
/// so only abandoned ones are dropped).
pub const MAX_TICKETS: usize = 64;

/// A ticket is 128 random bits as 32 lowercase hex digits.
pub const TICKET_HEX_LEN: usize = 32;

/// A ticket from 16 random bytes.
pub fn ticket_from_bytes(bytes: &[u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_well_formed_ticket(ticket: &str) -> bool {
    ticket.len() == TICKET_HEX_LEN && ticket.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ticket {
    ticket: String,
    tab_id: i32,
    url: String,
}

/// The service worker's tickets for one kind of frame. Serializable because
/// a card stays open longer than an idle service worker lives: the worker
/// keeps the card's book in `storage.session`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Tickets {
    pending: Vec<Ticket>,
    claimed: Vec<Ticket>,
}

fn push_bounded(list: &mut Vec<Ticket>, t: Ticket) {
    if list.len() >= MAX_TICKETS {
        list.remove(0);
    }
    list.push(t);
}

impl Tickets {
    /// Remember `ticket` for the page `url` in `tab_id`.
    pub fn issue(&mut self, ticket: String, tab_id: i32, url: String) {
        push_bounded(&mut self.pending, Ticket { ticket, tab_id, url });
    }

    /// The frame in `tab_id` claims `ticket`: the page URL it was issued
    /// for, once. Another tab, a second claim or an unknown ticket get None.
    pub fn claim(&mut self, ticket: &str, tab_id: Option<i32>) -> Option<String> {
        let i = self.pending.iter().position(|p| p.ticket == ticket)?;
        if Some(self.pending[i].tab_id) != tab_id {
            return None;
        }
        let t = self.pending.remove(i);
        let url = t.url.clone();
        push_bounded(&mut self.claimed, t);
        Some(url)
    }

    /// The page URL of a claimed ticket, when presented from its own tab.
    pub fn session(&self, ticket: &str, tab_id: Option<i32>) -> Option<&str> {
        self.claimed.iter().find(|c| c.ticket == ticket && Some(c.tab_id) == tab_id).map(|c| c.url.as_str())
    }

    pub fn forget_tab(&mut self, tab_id: i32) {
        self.pending.retain(|p| p.tab_id != tab_id);
        self.claimed.retain(|p| p.tab_id != tab_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T1: &str = "0123456789abcdef0123456789abcdef";
    const T2: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn tickets_are_claimed_once_in_their_own_tab_and_then_open_a_session() {
        let mut book = Tickets::default();
        book.issue(T1.into(), 7, "https://a.example/t".into());
        book.issue(T2.into(), 8, "https://b.example/".into());
        assert_eq!(book.session(T1, Some(7)), None, "not claimed yet: no session");
        let cases: Vec<(&str, &str, Option<i32>, Option<&str>)> = vec![
            ("another tab cannot claim", T1, Some(9), None),
            ("no tab cannot claim", T1, None, None),
            ("unknown ticket", "00000000000000000000000000000000", Some(7), None),
            ("own tab claims", T1, Some(7), Some("https://a.example/t")),
            ("second claim fails", T1, Some(7), None),
        ];
        for (name, ticket, tab, want) in cases {
            assert_eq!(book.claim(ticket, tab).as_deref(), want, "{name}");
        }
        assert_eq!(book.session(T1, Some(7)), Some("https://a.example/t"));
        assert_eq!(book.session(T1, Some(8)), None, "a session is bound to its tab");
        assert_eq!(book.session(T2, Some(8)), None, "unclaimed");
        assert_eq!(book.claim(T2, Some(8)).as_deref(), Some("https://b.example/"), "other ticket untouched");
        book.forget_tab(7);
        assert_eq!(book.session(T1, Some(7)), None);
    }

    #[test]
    fn ticket_lists_are_bounded_and_forget_closed_tabs() {
        let mut book = Tickets::default();
        for i in 0..MAX_TICKETS + 1 {
            book.issue(format!("{i:032x}"), 1, String::new());
        }
        assert_eq!(book.claim(&format!("{:032x}", 0), Some(1)), None, "oldest dropped");
        for i in 1..MAX_TICKETS + 1 {
            assert!(book.claim(&format!("{i:032x}"), Some(1)).is_some());
        }
        assert_eq!(book.session(&format!("{:032x}", 1), Some(1)), Some(""));
        book.issue(T1.into(), 1, String::new());
        book.claim(T1, Some(1));
        assert_eq!(book.session(&format!("{:032x}", 1), Some(1)), None, "oldest session dropped");
        book.issue(T2.into(), 2, String::new());
        book.forget_tab(2);
        assert_eq!(book.claim(T2, Some(2)), None, "a closed tab's tickets are gone");
    }

    #[test]
    fn tickets_are_32_lowercase_hex_digits() {
        let t = ticket_from_bytes(&[0xab; 16]);
        assert_eq!(t, "ab".repeat(16));
        for (s, ok) in [
            (t.as_str(), true),
            (T1, true),
            ("AB".repeat(16).as_str(), false),
            ("ab", false),
            ("", false),
            ("zz".repeat(16).as_str(), false),
        ] {
            assert_eq!(is_well_formed_ticket(s), ok, "{s}");
        }
    }

    #[test]
    fn the_stored_book_keeps_its_shape() {
        // The card's book lives in storage.session across worker restarts.
        let mut book = Tickets::default();
        book.issue(T1.into(), 7, "https://a.example/".into());
        let json = serde_json::to_value(&book).unwrap();
        assert_eq!(json, serde_json::json!({"pending": [{"ticket": T1, "tabId": 7, "url": "https://a.example/"}], "claimed": []}));
    }
}
