//! The toolbar popup's page model: what it says about the page, the log and
//! its sync, and what is already logged here. Decided here and tested
//! natively; `escucha-web`'s `pages/popup.rs` only draws these [`Words`] and
//! wires the buttons. Numbers arrive already formatted in the user's locale
//! (`count`), since formatting needs the browser's `Intl`.

use crate::card::{excerpt, Attribution};
use crate::i18n::{count_key, Key, Words};
use crate::log::Capture;
use crate::protocol::LogStatus;

/// The line about the page, and what appears with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLine {
    pub words: Words,
    /// The empty state with no brand at all: offer the welcome page.
    pub offer_welcome: bool,
    /// Mentions are listed: say that a rescan happens on reopening.
    pub rescan_hint: bool,
}

/// What the popup knows about the page: not scanned (no content script
/// answered), or `total` mentions, with or without any brand configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageScan {
    NotScanned,
    Scanned { total: u32, no_brands: bool },
}

/// The page line in `lang` ("en", "es"): the empty states say what to do next.
pub fn page_line(lang: &str, scan: PageScan, count: impl Fn(u32) -> String) -> PageLine {
    let (words, offer_welcome, rescan_hint) = match scan {
        PageScan::NotScanned => (Words::new(Key::PopupPageNotScanned), false, false),
        PageScan::Scanned { total: 0, no_brands: true } => (Words::new(Key::PopupNoBrands), true, false),
        PageScan::Scanned { total: 0, no_brands: false } => (Words::new(Key::PopupNoMentions), false, false),
        PageScan::Scanned { total, .. } => {
            let key = count_key(lang, total as u64, Key::PopupMentionsOnPageOne, Key::PopupMentionsOnPageOther);
            (Words::new(key).text(count(total)), false, true)
        }
    };
    PageLine { words, offer_welcome, rescan_hint }
}

/// The site switch's label after the site was turned on or off.
pub fn site_line(enabled: bool, site: &str) -> Words {
    Words::new(if enabled { Key::PopupSiteOn } else { Key::PopupSiteOff }).text(site)
}

/// The log and its sync as the popup shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLines {
    /// "12 in your log · 3 waiting to sync".
    pub counts: Words,
    /// When the last sync was; `last_sync` is that moment in the user's
    /// locale (formatted by the caller), `None` when it never happened.
    pub last_sync: Words,
    /// Refused items, when there are any.
    pub not_synced: Option<Words>,
}

pub fn log_lines(lang: &str, status: &LogStatus, last_sync: Option<String>, count: impl Fn(u32) -> String) -> LogLines {
    let key = count_key(lang, status.pending as u64, Key::PopupLogStatusOne, Key::PopupLogStatusOther);
    LogLines {
        counts: Words::new(key).text(count(status.total)).text(count(status.pending)),
        last_sync: match last_sync {
            Some(when) => Words::new(Key::PopupLastSync).text(when),
            None => Words::new(Key::PopupNeverSynced),
        },
        not_synced: (status.quarantined > 0).then(|| Words::new(Key::PopupNotSynced).text(count(status.quarantined))),
    }
}

/// One capture already logged on this page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureLine {
    pub id: String,
    /// The status's wire name (for the DOM and tests).
    pub status: &'static str,
    /// The captured words.
    pub quote: String,
    /// "Logged by ana · Responded" / "In your log · Responded".
    pub logged: Words,
    /// The comment's author and an excerpt, on their own line.
    pub author: String,
    pub excerpt: String,
}

/// The captures logged on this page, as lines; `member` is this browser's
/// member name (whose captures are "in your log").
pub fn capture_lines(captures: &[Capture], member: &str) -> Vec<CaptureLine> {
    captures
        .iter()
        .map(|c| {
            let ctx = &c.context.value;
            let status = Words::new(Key::status(c.status.value));
            let logged = match Attribution::of(&c.created_by, member) {
                Attribution::You => Words::new(Key::CardLoggedByYou).word(status),
                Attribution::Member(name) => Words::new(Key::CardLoggedBy).text(name).word(status),
            };
            CaptureLine {
                id: c.id.clone(),
                status: c.status.value.as_str(),
                quote: ctx.quote.exact.clone(),
                logged,
                author: ctx.author_name.clone().unwrap_or_default(),
                excerpt: excerpt(&ctx.comment_text, &ctx.quote.exact),
            }
        })
        .collect()
}

/// The heading over the comments that mention this member ("Mentions of you: 2").
pub fn mentions_heading(unseen: usize, count: impl Fn(u32) -> String) -> Words {
    Words::new(Key::WsMentionsHeading).text(count(unseen as u32))
}

/// One mention's line: "bo mentioned you" (the time and the comment follow,
/// formatted by the page).
pub fn mention_line(m: &crate::pages::workspace::MentionItem) -> Words {
    Words::new(Key::WsMentionBy).text(m.author.clone())
}

/// The heading over the captures logged here.
pub fn captures_heading(n: usize, count: impl Fn(u32) -> String) -> Words {
    Words::new(Key::PopupCapturesOnPage).text(count(n as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Arg;

    fn plain(n: u32) -> String {
        n.to_string()
    }

    #[test]
    fn the_page_line_says_what_was_found_or_what_to_do_next() {
        // name, language, what was found, key, its count, offer welcome, rescan hint
        type Case = (&'static str, &'static str, PageScan, Key, Option<&'static str>, bool, bool);
        let cases: Vec<Case> = vec![
            ("no content script", "en", PageScan::NotScanned, Key::PopupPageNotScanned, None, false, false),
            ("no brands: offer welcome", "es", PageScan::Scanned { total: 0, no_brands: true }, Key::PopupNoBrands, None, true, false),
            ("brands, nothing found", "es", PageScan::Scanned { total: 0, no_brands: false }, Key::PopupNoMentions, None, false, false),
            (
                "one mention, singular",
                "es",
                PageScan::Scanned { total: 1, no_brands: false },
                Key::PopupMentionsOnPageOne,
                Some("1"),
                false,
                true,
            ),
            ("two, plural", "en", PageScan::Scanned { total: 2, no_brands: false }, Key::PopupMentionsOnPageOther, Some("2"), false, true),
            (
                "found though the list is empty now",
                "en",
                PageScan::Scanned { total: 3, no_brands: true },
                Key::PopupMentionsOnPageOther,
                Some("3"),
                false,
                true,
            ),
        ];
        for (name, lang, scan, key, arg, welcome, hint) in cases {
            let line = page_line(lang, scan, plain);
            assert_eq!(line.words.key, key, "{name}");
            assert_eq!(line.words.args.first(), arg.map(|a| Arg::Text(a.into())).as_ref(), "{name}");
            assert_eq!((line.offer_welcome, line.rescan_hint), (welcome, hint), "{name}");
        }
    }

    #[test]
    fn log_lines_agree_in_number_with_what_waits() {
        let status = |total, pending, quarantined| LogStatus { total, pending, quarantined, ..LogStatus::default() };
        let cases = [
            (status(5, 1, 0), Key::PopupLogStatusOne, false),
            (status(5, 0, 0), Key::PopupLogStatusOther, false),
            (status(5, 2, 1), Key::PopupLogStatusOther, true),
        ];
        for (s, key, refused) in cases {
            let lines = log_lines("es", &s, None, |n| format!("#{n}"));
            assert_eq!(lines.counts.key, key, "{s:?}");
            assert_eq!(lines.counts.args, vec![Arg::Text(format!("#{}", s.total)), Arg::Text(format!("#{}", s.pending))]);
            assert_eq!(lines.not_synced.is_some(), refused, "{s:?}");
            assert_eq!(lines.last_sync, Words::new(Key::PopupNeverSynced));
        }
        let synced = log_lines("en", &status(1, 0, 0), Some("1/2/2026".into()), plain);
        assert_eq!(synced.last_sync, Words::new(Key::PopupLastSync).text("1/2/2026"));
    }

    #[test]
    fn the_site_switch_names_the_site_and_its_state() {
        assert_eq!(site_line(true, "foro.example"), Words::new(Key::PopupSiteOn).text("foro.example"));
        assert_eq!(site_line(false, "foro.example"), Words::new(Key::PopupSiteOff).text("foro.example"));
    }

    #[test]
    fn captures_say_who_logged_them_with_the_status_worded_at_display() {
        let mut ctx = crate::log::CaptureContext::default();
        ctx.quote.exact = "Movistar".into();
        ctx.comment_text = "Hola Movistar".into();
        ctx.author_name = Some("jordi".into());
        let stamp = crate::log::Stamp { ms: 1, counter: 0, actor: "dev-a".into() };
        let c = Capture::new("c1".into(), ctx, &crate::log::Tags::default(), "ana", stamp);
        let theirs = capture_lines(std::slice::from_ref(&c), "bo");
        assert_eq!(theirs[0].logged.key, Key::CardLoggedBy);
        assert_eq!(theirs[0].logged.args[0], Arg::Text("ana".into()));
        assert!(matches!(&theirs[0].logged.args[1], Arg::Words(w) if w.key == Key::status(c.status.value)));
        assert_eq!((theirs[0].quote.as_str(), theirs[0].author.as_str(), theirs[0].id.as_str()), ("Movistar", "jordi", "c1"));
        let mine = capture_lines(std::slice::from_ref(&c), "ana");
        assert_eq!(mine[0].logged.key, Key::CardLoggedByYou);
        assert_eq!(captures_heading(1, plain), Words::new(Key::PopupCapturesOnPage).text("1"));
    }

    #[test]
    fn mentions_are_headed_with_their_count_and_say_who() {
        let item = crate::pages::workspace::MentionItem {
            capture_id: "c".into(),
            comment_id: "k".into(),
            author: "bo".into(),
            created_ms: 1,
            text: "@ana mira".into(),
            brand: String::new(),
            quote: String::new(),
        };
        assert_eq!(mention_line(&item), Words::new(Key::WsMentionBy).text("bo"));
        assert_eq!(mentions_heading(2, |n| format!("#{n}")), Words::new(Key::WsMentionsHeading).text("#2"));
    }
}
