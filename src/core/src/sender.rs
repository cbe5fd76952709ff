//! Who sent a message to the service worker: one of our extension pages, one
//! of our frames inside a tab, a content script, or nobody we hear.
//!
//! The browser tells the listener the sender's extension id, URL, tab and
//! frame ([`SenderInfo`]); the glue adds what our own extension looks like
//! from the inside ([`OwnExtension`]: `runtime.id` and the origin of
//! `runtime.getURL("")`). Those are two different facts: one browser serves
//! our pages from `<scheme>://<runtime.id>/`, another from
//! `<scheme>://<per-install UUID>/` while `runtime.id` is the add-on id written
//! in the manifest. So a sender is one of our pages when its URL's origin is
//! our pages' origin, never because its host looks like the id.
//!
//! ```
//! use escucha_core::protocol::{Context, SenderInfo};
//! use escucha_core::sender::{authorize_sender, OwnExtension};
//! let own = OwnExtension::new("escucha@example.org", "moz-extension://0b6a7e2c-1111-4c2e-9d1e-2f0e8a0d3c55/").unwrap();
//! let popup = SenderInfo {
//!     extension_id: Some("escucha@example.org".into()),
//!     url: Some("moz-extension://0b6a7e2c-1111-4c2e-9d1e-2f0e8a0d3c55/popup/popup.html".into()),
//!     tab_id: None,
//!     frame_id: Some(0),
//! };
//! assert_eq!(authorize_sender(&popup, &own), Ok(Context::ExtensionPage));
//! ```

use crate::protocol::{Context, ProtocolError, SenderInfo, CARD_FRAME_PATH, MATCHER_FRAME_PATH};

/// Our own extension as its code sees it from the inside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnExtension {
    /// `runtime.id`: what the browser reports as `sender.id` for our contexts.
    id: String,
    /// `scheme://host` of our pages, from `runtime.getURL("")`.
    origin: String,
}

impl OwnExtension {
    /// `id` is `runtime.id`, `base_url` is `runtime.getURL("")`. Fails when
    /// `base_url` has no `scheme://host` (then nothing could be matched
    /// against it, and guessing would let a page pass as ours).
    pub fn new(id: &str, base_url: &str) -> Result<OwnExtension, ProtocolError> {
        let origin = origin_of(base_url)
            .ok_or_else(|| ProtocolError::Internal { detail: format!("the extension's base URL {base_url:?} has no origin") })?;
        if id.is_empty() {
            return Err(ProtocolError::Internal { detail: "the extension has no id".into() });
        }
        Ok(OwnExtension { id: id.to_string(), origin: origin.to_ascii_lowercase() })
    }

    /// True when `url` is one of our own pages (same scheme and host).
    pub fn owns(&self, url: &str) -> bool {
        origin_of(url).is_some_and(|o| o.eq_ignore_ascii_case(&self.origin))
    }
}

/// Which of our contexts sent a message, or why it is not heard at all.
///
/// A sender is an extension page only when its URL is on our own pages'
/// origin; anything in a tab with another URL is a content script, whatever
/// it claims. Our frames inside a tab (card, matcher) are their own contexts:
/// they live inside pages we do not trust.
pub fn authorize_sender(sender: &SenderInfo, own: &OwnExtension) -> Result<Context, ProtocolError> {
    if sender.extension_id.as_deref() != Some(own.id.as_str()) {
        return Err(ProtocolError::UnknownSender);
    }
    let url = sender.url.as_deref().unwrap_or("");
    Ok(match (own.owns(url), sender.tab_id) {
        (true, Some(tab_id)) if path_of(url) == CARD_FRAME_PATH => Context::CardFrame { tab_id },
        (true, Some(tab_id)) if path_of(url) == MATCHER_FRAME_PATH => Context::MatcherFrame { tab_id },
        (true, _) => Context::ExtensionPage,
        (false, Some(tab_id)) => Context::ContentScript { tab_id, frame_id: sender.frame_id.unwrap_or(0) },
        (false, None) => return Err(ProtocolError::UnknownSender),
    })
}

/// Whether a content script hears a message (a `TabRequest`): only from our
/// own extension, and then from our background or a page of ours. A sender
/// in a tab must be on our pages' origin: Firefox reports the tab of our own
/// pages opened in a tab (the popup as a page), while a web page's content
/// script, also in a tab, has the page's URL.
pub fn authorize_tab_message(sender: &SenderInfo, own: &OwnExtension) -> Result<(), ProtocolError> {
    let ours = sender.extension_id.as_deref() == Some(own.id.as_str());
    let in_own_page = sender.url.as_deref().is_some_and(|u| own.owns(u));
    if ours && (sender.tab_id.is_none() || in_own_page) {
        Ok(())
    } else {
        Err(ProtocolError::UnknownSender)
    }
}

/// `scheme://host` of an absolute URL, or `None` when it has none.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let host_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (scheme_ok && host_len > 0).then(|| &url[..scheme.len() + 3 + host_len])
}

/// The path of a URL, without query or fragment.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['#', '?']).next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(id: Option<&str>, url: Option<&str>, tab: Option<i32>, frame: Option<i32>) -> SenderInfo {
        SenderInfo { extension_id: id.map(str::to_owned), url: url.map(str::to_owned), tab_id: tab, frame_id: frame }
    }

    type Row<'a> = (&'a str, SenderInfo, Result<Context, ProtocolError>);

    fn run(own: &OwnExtension, rows: Vec<Row>) {
        for (what, who, want) in rows {
            assert_eq!(authorize_sender(&who, own), want, "{what}");
        }
    }

    const CHROME_ID: &str = "abcdefghijklmnopabcdefghijklmnop";

    /// Chromium: pages live on `chrome-extension://<runtime.id>/`.
    #[test]
    fn chromium_senders() {
        let own = OwnExtension::new(CHROME_ID, &format!("chrome-extension://{CHROME_ID}/")).unwrap();
        let ours = |path: &str| format!("chrome-extension://{CHROME_ID}{path}");
        let id = Some(CHROME_ID);
        use Context::*;
        run(
            &own,
            vec![
                ("popup (no tab)", sender(id, Some(&ours("/popup/popup.html")), None, Some(0)), Ok(ExtensionPage)),
                ("options page in a tab", sender(id, Some(&ours("/options/options.html")), Some(4), Some(0)), Ok(ExtensionPage)),
                ("log page with a query", sender(id, Some(&ours("/log/log.html?q=x")), Some(4), Some(0)), Ok(ExtensionPage)),
                ("card frame in a tab", sender(id, Some(&ours("/card/card.html#t")), Some(4), Some(7)), Ok(CardFrame { tab_id: 4 })),
                (
                    "matcher frame in a tab",
                    sender(id, Some(&ours("/matcher/matcher.html")), Some(4), Some(9)),
                    Ok(MatcherFrame { tab_id: 4 }),
                ),
                ("card page outside a tab is a page", sender(id, Some(&ours("/card/card.html")), None, None), Ok(ExtensionPage)),
                (
                    "content script, top frame",
                    sender(id, Some("https://forum.example/t/1"), Some(4), Some(0)),
                    Ok(ContentScript { tab_id: 4, frame_id: 0 }),
                ),
                (
                    "content script in a sub-frame",
                    sender(id, Some("https://embed.example/x"), Some(4), Some(12)),
                    Ok(ContentScript { tab_id: 4, frame_id: 12 }),
                ),
                (
                    "content script in about:blank",
                    sender(id, Some("about:blank"), Some(4), Some(3)),
                    Ok(ContentScript { tab_id: 4, frame_id: 3 }),
                ),
                (
                    "id-prefix look-alike host is a content script",
                    sender(id, Some(&format!("chrome-extension://{CHROME_ID}evil/x.html")), Some(4), Some(0)),
                    Ok(ContentScript { tab_id: 4, frame_id: 0 }),
                ),
                (
                    "a page on the id with the other scheme is not ours",
                    sender(id, Some(&format!("moz-extension://{CHROME_ID}/popup/popup.html")), None, None),
                    Err(ProtocolError::UnknownSender),
                ),
                ("web URL outside a tab", sender(id, Some("https://forum.example/"), None, None), Err(ProtocolError::UnknownSender)),
                (
                    "another extension",
                    sender(Some("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), Some("chrome-extension://zzzz/x.html"), None, None),
                    Err(ProtocolError::UnknownSender),
                ),
                ("no id, no url", sender(None, None, None, None), Err(ProtocolError::UnknownSender)),
                ("our id, no url, no tab", sender(id, None, None, None), Err(ProtocolError::UnknownSender)),
            ],
        );
    }

    const GECKO_ID: &str = "escucha@escucha.invalid";
    const UUID: &str = "0b6a7e2c-1111-4c2e-9d1e-2f0e8a0d3c55";

    /// Firefox: `runtime.id` is the manifest's add-on id, pages live on
    /// `moz-extension://<per-install UUID>/` (what `runtime.getURL` reports).
    #[test]
    fn firefox_senders() {
        let own = OwnExtension::new(GECKO_ID, &format!("moz-extension://{UUID}/")).unwrap();
        let ours = |path: &str| format!("moz-extension://{UUID}{path}");
        let id = Some(GECKO_ID);
        use Context::*;
        run(
            &own,
            vec![
                ("popup (no tab)", sender(id, Some(&ours("/popup/popup.html")), None, Some(0)), Ok(ExtensionPage)),
                ("options page in a tab", sender(id, Some(&ours("/options/options.html")), Some(2), Some(0)), Ok(ExtensionPage)),
                ("log page in a tab", sender(id, Some(&ours("/log/log.html")), Some(2), Some(0)), Ok(ExtensionPage)),
                (
                    "welcome page, upper-case UUID",
                    sender(id, Some(&ours("/welcome/welcome.html").to_uppercase()), Some(2), Some(0)),
                    Ok(ExtensionPage),
                ),
                ("card frame in a tab", sender(id, Some(&ours("/card/card.html#t")), Some(2), Some(5)), Ok(CardFrame { tab_id: 2 })),
                (
                    "matcher frame in a tab",
                    sender(id, Some(&ours("/matcher/matcher.html")), Some(2), Some(6)),
                    Ok(MatcherFrame { tab_id: 2 }),
                ),
                (
                    "content script",
                    sender(id, Some("https://forum.example/t/1"), Some(2), Some(0)),
                    Ok(ContentScript { tab_id: 2, frame_id: 0 }),
                ),
                (
                    "content script without a frame id",
                    sender(id, Some("http://127.0.0.1:9/demo.html"), Some(2), None),
                    Ok(ContentScript { tab_id: 2, frame_id: 0 }),
                ),
                // The bug of issue 10: the host is the UUID, not runtime.id, so a
                // URL whose host is the add-on id is not one of our pages.
                (
                    "a page whose host is the add-on id is not ours",
                    sender(id, Some(&format!("moz-extension://{GECKO_ID}/popup/popup.html")), None, None),
                    Err(ProtocolError::UnknownSender),
                ),
                (
                    "another install's UUID in a tab is a content script",
                    sender(id, Some("moz-extension://ffffffff-2222-4c2e-9d1e-2f0e8a0d3c55/options/options.html"), Some(2), Some(0)),
                    Ok(ContentScript { tab_id: 2, frame_id: 0 }),
                ),
                (
                    "UUID-prefix look-alike host",
                    sender(id, Some(&format!("moz-extension://{UUID}.evil/card/card.html")), Some(2), Some(0)),
                    Ok(ContentScript { tab_id: 2, frame_id: 0 }),
                ),
                (
                    "user-info look-alike host",
                    sender(id, Some(&format!("moz-extension://{UUID}@evil.example/card/card.html")), Some(2), Some(0)),
                    Ok(ContentScript { tab_id: 2, frame_id: 0 }),
                ),
                ("web URL outside a tab", sender(id, Some("https://forum.example/"), None, None), Err(ProtocolError::UnknownSender)),
                (
                    "another add-on",
                    sender(Some("other@example.org"), Some("moz-extension://aaaaaaaa-0000-4000-8000-000000000000/x.html"), None, None),
                    Err(ProtocolError::UnknownSender),
                ),
                ("no id", sender(None, Some(&ours("/popup/popup.html")), None, None), Err(ProtocolError::UnknownSender)),
            ],
        );
    }

    /// What a content script hears, on both browsers' URL shapes.
    #[test]
    fn tab_messages() {
        let chrome = OwnExtension::new(CHROME_ID, &format!("chrome-extension://{CHROME_ID}/")).unwrap();
        let firefox = OwnExtension::new(GECKO_ID, &format!("moz-extension://{UUID}/")).unwrap();
        let c = |p: &str| format!("chrome-extension://{CHROME_ID}{p}");
        let f = |p: &str| format!("moz-extension://{UUID}{p}");
        let rows: Vec<(&str, &OwnExtension, SenderInfo, bool)> = vec![
            ("chromium service worker", &chrome, sender(Some(CHROME_ID), Some(&c("/background/service_worker.js")), None, None), true),
            ("chromium popup", &chrome, sender(Some(CHROME_ID), Some(&c("/popup/popup.html")), None, Some(0)), true),
            (
                "chromium popup opened as a page in a tab",
                &chrome,
                sender(Some(CHROME_ID), Some(&c("/popup/popup.html?tab=3")), Some(4), Some(0)),
                true,
            ),
            ("chromium sender without a URL, outside tabs", &chrome, sender(Some(CHROME_ID), None, None, None), true),
            (
                "chromium content script of another tab",
                &chrome,
                sender(Some(CHROME_ID), Some("https://forum.example/"), Some(4), Some(0)),
                false,
            ),
            ("chromium other extension", &chrome, sender(Some("zzzz"), Some("chrome-extension://zzzz/x.html"), None, None), false),
            ("firefox background page", &firefox, sender(Some(GECKO_ID), Some(&f("/_generated_background_page.html")), None, None), true),
            ("firefox popup panel", &firefox, sender(Some(GECKO_ID), Some(&f("/popup/popup.html")), None, Some(0)), true),
            // Issue 10: Firefox gives our own pages in a tab a `tab`.
            (
                "firefox popup opened as a page in a tab",
                &firefox,
                sender(Some(GECKO_ID), Some(&f("/popup/popup.html?tab=3")), Some(2), Some(0)),
                true,
            ),
            (
                "firefox content script of another tab",
                &firefox,
                sender(Some(GECKO_ID), Some("https://forum.example/"), Some(2), Some(0)),
                false,
            ),
            (
                "firefox page on the add-on id as host, in a tab",
                &firefox,
                sender(Some(GECKO_ID), Some(&format!("moz-extension://{GECKO_ID}/popup/popup.html")), Some(2), Some(0)),
                false,
            ),
            ("firefox other add-on", &firefox, sender(Some("other@example.org"), Some(&f("/popup/popup.html")), None, None), false),
            ("no id", &firefox, sender(None, None, None, None), false),
        ];
        for (what, own, who, heard) in rows {
            assert_eq!(authorize_tab_message(&who, own).is_ok(), heard, "{what}");
        }
    }

    #[test]
    fn own_extension_needs_an_origin_and_an_id() {
        let table: Vec<(&str, &str, bool)> = vec![
            ("id", "chrome-extension://id/", true),
            ("a@b", "moz-extension://0b6a7e2c-1111-4c2e-9d1e-2f0e8a0d3c55/", true),
            ("a@b", "moz-extension://0b6a7e2c-1111-4c2e-9d1e-2f0e8a0d3c55", true),
            ("id", "", false),
            ("id", "/popup/popup.html", false),
            ("id", "moz-extension:///", false),
            ("id", "1x://host/", false),
            ("", "chrome-extension://id/", false),
        ];
        for (id, base, ok) in table {
            assert_eq!(OwnExtension::new(id, base).is_ok(), ok, "{id} {base}");
        }
    }
}
