//! The one typed message protocol shared by every extension context.
//!
//! Every message between the service worker, content scripts, the popup and
//! the options page is a [`Message`], serialized as JSON with a `type` tag.
//! Replies are [`Reply`]s. The service worker decides who may send what with
//! [`authorize`]: only this extension's own contexts are heard, and a content
//! script (which runs inside hostile pages) can only ask for what a page may
//! safely know — never settings or tokens.
//!
//! ```
//! use escucha_core::protocol::{authorize, Context, Message, SenderInfo};
//! let from_page = SenderInfo {
//!     extension_id: Some("abc".into()),
//!     url: Some("https://forum.example/t/1".into()),
//!     tab_id: Some(7),
//!     frame_id: Some(0),
//! };
//! let ctx = authorize(&Message::GetSettings, &from_page, "abc").unwrap_err();
//! assert_eq!(ctx.code, escucha_core::protocol::ErrorCode::Forbidden);
//! assert_eq!(authorize(&Message::Ping, &from_page, "abc").unwrap(), Context::ContentScript { tab_id: 7, frame_id: 0 });
//! ```

use serde::{Deserialize, Serialize};

use crate::brands::BrandList;
use crate::log::{Capture, CaptureContext, CaptureEdit, Tags};
use crate::settings::{Settings, SyncMode};
pub use crate::sync::client::ConnectionReport;

/// Everything one context can ask another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Message {
    /// Liveness and build check; any context may send it and any answers it.
    Ping,
    /// A content script starts on a page and asks what to highlight there.
    ContentHello { url: String },
    /// A content script reports how many mentions it painted (toolbar badge).
    MentionsFound { url: String, count: u32 },
    /// Trusted pages read the whole settings document.
    GetSettings,
    /// Trusted pages replace the settings document (validated before saving).
    SaveSettings { settings: Settings },
    /// The service worker tells content scripts that brands or site rules
    /// changed; each asks again for its page's config (no reload needed).
    SettingsChanged,
    /// The popup asks a page's content script what it found.
    GetPageMentions,
    /// The popup asks a page's content script to scroll to a mention and flash it.
    RevealMention { index: u32 },
    /// The popup turns Escucha off (or back on) for a page's site.
    ToggleSite { url: String },
    /// A content script logs a comment. `tags: None` means the team defaults
    /// (one-click "Log"). Re-capturing the same comment updates the existing
    /// record (see `log::record::dedupe_key`). Acknowledged only once durable.
    LogCapture { context: CaptureContext, tags: Option<Tags> },
    /// Change tags, status, note or deletion of one capture.
    EditCapture { id: String, edit: CaptureEdit },
    /// Every capture (own and teammates') whose page is `url`: re-anchoring
    /// on revisit and the popup's list.
    GetPageCaptures { url: String },
    /// Trusted pages merge a JSON export (by id) into the log.
    ImportCaptures { json: String },
    /// Trusted pages: counts, last sync, pending items and errors, for the popup.
    GetLogStatus,
    /// The service worker tells pages and content scripts the log changed.
    /// The log page sends it too after writing to the store itself (import),
    /// so the service worker passes it on to the tabs.
    LogChanged,
    /// The log page: open the comment's permalink (or its page) in a new tab
    /// and have that tab re-anchor and flash the capture.
    OpenCapture { id: String },
    /// Keyboard shortcut: open the card for the mention nearest the selection or caret.
    OpenCard,
    /// Context menu "Log selection": open the card for the selected text.
    LogSelection,
    /// Trusted pages: push pending changes and pull teammates' now, ignoring
    /// any backoff. Answers with what happened.
    SyncNow,
    /// Trusted pages: check an endpoint and token before saving them.
    /// `token: None` tests the saved token. The token never leaves the
    /// service worker except in the `Authorization` header of this request.
    TestConnection { mode: SyncMode, endpoint: String, token: Option<String> },
    /// Trusted pages: store the sync token (its own storage key, trusted
    /// contexts only; empty removes it). It is never sent back.
    SaveSyncToken { token: String },
    /// Trusted pages: sync state for the options page (never the token itself).
    GetSyncState,
    /// Trusted pages (the log's "Not synced" view): send a quarantined
    /// capture again as it is.
    RetryCapture { id: String },
    /// Trusted pages: drop a quarantined capture from this browser (it never
    /// reached the team log).
    DiscardCapture { id: String },
    /// Benchmarks: a fresh full scan, timed from start to highlights painted.
    BenchScan,
    /// A content script whose page forbids it WebAssembly asks for a one-time
    /// ticket to open the matcher frame (see [`crate::matcher_frame`]).
    OpenMatcher { url: String },
    /// The matcher frame redeems its ticket for its page's brand list.
    MatcherHello { ticket: String },
    /// Benchmarks: the floor, a bare TreeWalker walk reading every text node.
    BenchFloor,
    /// A content script opens the capture card: it asks for a one-time
    /// ticket bound to its tab and page (see [`crate::card_frame`]).
    OpenCardFrame,
    /// The card frame claims its ticket for what the card needs.
    CardHello { ticket: String },
    /// The card frame logs a comment (as [`Message::LogCapture`]), presenting its ticket.
    CardLog { ticket: String, context: CaptureContext, tags: Option<Tags> },
    /// The card frame changes a capture it logged or showed, presenting its ticket.
    CardEdit { ticket: String, id: String, edit: CaptureEdit },
}

impl Message {
    /// Stable name of the variant, for logs and error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Ping => "ping",
            Message::ContentHello { .. } => "contentHello",
            Message::MentionsFound { .. } => "mentionsFound",
            Message::GetSettings => "getSettings",
            Message::SaveSettings { .. } => "saveSettings",
            Message::SettingsChanged => "settingsChanged",
            Message::GetPageMentions => "getPageMentions",
            Message::RevealMention { .. } => "revealMention",
            Message::ToggleSite { .. } => "toggleSite",
            Message::LogCapture { .. } => "logCapture",
            Message::EditCapture { .. } => "editCapture",
            Message::GetPageCaptures { .. } => "getPageCaptures",
            Message::ImportCaptures { .. } => "importCaptures",
            Message::GetLogStatus => "getLogStatus",
            Message::LogChanged => "logChanged",
            Message::OpenCapture { .. } => "openCapture",
            Message::OpenCard => "openCard",
            Message::LogSelection => "logSelection",
            Message::SyncNow => "syncNow",
            Message::TestConnection { .. } => "testConnection",
            Message::SaveSyncToken { .. } => "saveSyncToken",
            Message::GetSyncState => "getSyncState",
            Message::RetryCapture { .. } => "retryCapture",
            Message::DiscardCapture { .. } => "discardCapture",
            Message::BenchScan => "benchScan",
            Message::BenchFloor => "benchFloor",
            Message::OpenMatcher { .. } => "openMatcher",
            Message::MatcherHello { .. } => "matcherHello",
            Message::OpenCardFrame => "openCardFrame",
            Message::CardHello { .. } => "cardHello",
            Message::CardLog { .. } => "cardLog",
            Message::CardEdit { .. } => "cardEdit",
        }
    }

    /// Whether a content script, which lives inside an untrusted page, may send this.
    fn allowed_from_content_script(&self) -> bool {
        matches!(
            self,
            Message::Ping
                | Message::ContentHello { .. }
                | Message::MentionsFound { .. }
                | Message::GetPageCaptures { .. }
                | Message::OpenMatcher { .. }
                // Logging and editing happen in the card frame, not here.
                | Message::OpenCardFrame
        )
    }

    /// Whether the card frame (an extension page inside a web page's tab) may send this.
    fn allowed_from_card_frame(&self) -> bool {
        matches!(
            self,
            Message::Ping
                | Message::CardHello { .. }
                | Message::CardLog { .. }
                | Message::CardEdit { .. }
                | Message::GetPageCaptures { .. }
        )
    }
}

/// Every answer. Replies are built, sent once and dropped, so the size of
/// the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Reply {
    /// Answer to [`Message::Ping`]: which build runs, in which context.
    Pong {
        version: String,
        context: String,
    },
    /// What a content script needs for a page, and nothing more: no settings, no tokens.
    /// `departments` and `defaults` fill the capture card's choices.
    ContentConfig {
        enabled: bool,
        reason: Option<String>,
        brands: BrandList,
        #[serde(default)]
        departments: Vec<String>,
        #[serde(default)]
        defaults: Tags,
    },
    /// The settings, and what was wrong with the stored copy if it could not be used.
    Settings {
        settings: Settings,
        problem: Option<String>,
    },
    /// What a content script found on its page, grouped by brand group.
    /// `captures`: what is already logged on this page (own and teammates').
    PageMentions {
        url: String,
        total: u32,
        groups: Vec<GroupMentions>,
        #[serde(default)]
        captures: Vec<Capture>,
    },
    /// A capture as stored (after dedupe and merge).
    Logged {
        capture: Capture,
    },
    /// Captures on one page.
    /// `reveal`: the capture the log page asked this tab to show (once).
    PageCaptures {
        captures: Vec<Capture>,
        #[serde(default)]
        reveal: Option<String>,
    },
    /// What an import did.
    Imported {
        added: u32,
        merged: u32,
        rejected: Vec<String>,
    },
    /// The log's state for the popup.
    LogStatus(LogStatus),
    /// Answer to [`Message::OpenMatcher`]: the ticket to put in the matcher frame's URL.
    MatcherTicket {
        ticket: String,
    },
    /// Answer to [`Message::OpenCardFrame`]: the ticket to put in the card frame's URL.
    CardTicket {
        ticket: String,
    },
    /// Answer to [`Message::CardHello`]: what the card needs. `page_url` is
    /// the address the browser reported for the content script that opened
    /// it; `brands` name the mention's brand and term.
    CardConfig {
        page_url: String,
        member: String,
        brands: BrandList,
        departments: Vec<String>,
        defaults: Tags,
    },
    /// Whether Escucha now runs on the toggled site.
    SiteToggled {
        enabled: bool,
    },
    /// What "Test connection" found: `ok`, a problem code, and plain words.
    ConnectionTested(ConnectionReport),
    /// What "Sync now" did; `problem` in plain words when it stopped early.
    Synced {
        sent: u32,
        received: u32,
        problem: Option<String>,
        status: LogStatus,
    },
    /// The options page's view of sync. `token_saved` only: the token stays in the worker.
    SyncState {
        token_saved: bool,
        status: LogStatus,
        quarantined: Vec<QuarantinedItem>,
    },
    /// A benchmark figure measured inside the content script.
    /// `phases`: where the time went (collect, transfer, match, ranges, paint), in ms.
    BenchResult {
        engine: String,
        ms: f64,
        mentions: u32,
        path: String,
        #[serde(default)]
        phases: Vec<(String, f64)>,
    },
    Ok,
    Error(ProtocolError),
}

/// The log and its sync, as the popup shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogStatus {
    /// Captures in the log, tombstones excluded.
    pub total: u32,
    /// Changes not yet accepted by the team log.
    pub pending: u32,
    /// Items the server refused, with its reasons.
    pub quarantined: u32,
    /// Last successful sync (ms since the epoch).
    pub last_sync_ms: Option<i64>,
    /// The last sync or storage problem, in words, if it still stands.
    pub problem: Option<String>,
}

/// A change the team log refused, as the options page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantinedItem {
    pub id: String,
    /// The captured words, so the manager recognises the item.
    pub quote: String,
    pub page_url: String,
    /// In English (for logs); shown in the manager's language from `why`.
    pub reason: String,
    #[serde(default)]
    pub why: Option<crate::log::outbox::QuarantineReason>,
    pub at_ms: i64,
}

/// One brand group's mentions on a page, for the popup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupMentions {
    pub group: u32,
    pub name: String,
    pub color: String,
    pub mentions: Vec<MentionSummary>,
}

/// One mention as the popup lists it: page text, always shown as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentionSummary {
    /// Position in page order; what [`Message::RevealMention`] names.
    pub index: u32,
    /// The matched words as they appear on the page.
    pub text: String,
    /// A short excerpt around the mention.
    pub context: String,
}

/// A machine-readable code plus a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The message did not parse as any [`Message`].
    BadMessage,
    /// The sender is not one of this extension's contexts.
    UnknownSender,
    /// The sender is ours but may not send this message.
    Forbidden,
    /// The message was valid but its content was not (e.g. a bad brand list).
    Invalid,
    /// Browser storage failed (quota, disk); nothing was changed.
    Storage,
    Internal,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError { code, message: message.into() }
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ProtocolError {}

/// What the browser tells a listener about a message's sender
/// (`runtime.MessageSender`), reduced to what decisions need.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderInfo {
    /// `sender.id`: the extension that sent it.
    pub extension_id: Option<String>,
    /// `sender.url`: the page or frame that sent it.
    pub url: Option<String>,
    /// `sender.tab.id`: present when the sender lives in a tab.
    pub tab_id: Option<i32>,
    /// `sender.frameId`.
    pub frame_id: Option<i32>,
}

/// Which of our contexts a message came from, once authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The popup, the options page, the log page or the service worker.
    ExtensionPage,
    /// A content script in a web page's tab.
    ContentScript { tab_id: i32, frame_id: i32 },
    /// The capture card's frame (`card/card.html`) inside a web page's tab.
    CardFrame { tab_id: i32 },
}

/// Path of the card frame's page within the extension.
pub const CARD_FRAME_PATH: &str = "/card/card.html";

/// Decide whether the service worker should act on `message` from `sender`.
///
/// `own_id` is `runtime.id`. A sender is an extension page only when its URL is
/// on our own extension origin; anything in a tab with another URL is a content
/// script, whatever it claims.
pub fn authorize(message: &Message, sender: &SenderInfo, own_id: &str) -> Result<Context, ProtocolError> {
    if sender.extension_id.as_deref() != Some(own_id) {
        return Err(ProtocolError::new(
            ErrorCode::UnknownSender,
            "Messages are only accepted from Escucha's own pages and content scripts.",
        ));
    }
    let url = sender.url.as_deref().unwrap_or("");
    let on_own_origin = is_own_extension_url(url, own_id);
    let context = match (on_own_origin, sender.tab_id) {
        // The card frame lives inside pages we do not trust: it is heard
        // only for the card's own messages.
        (true, Some(tab_id)) if own_path(url) == CARD_FRAME_PATH => Context::CardFrame { tab_id },
        (true, _) => Context::ExtensionPage,
        (false, Some(tab_id)) => Context::ContentScript { tab_id, frame_id: sender.frame_id.unwrap_or(0) },
        (false, None) => {
            return Err(ProtocolError::new(
                ErrorCode::UnknownSender,
                "The sender is neither an Escucha page nor a content script in a tab.",
            ))
        }
    };
    if let Context::ContentScript { .. } = context {
        if !message.allowed_from_content_script() {
            return Err(ProtocolError::new(
                ErrorCode::Forbidden,
                format!("A web page's content script may not send '{}'.", message.kind()),
            ));
        }
    }
    if let Context::CardFrame { .. } = context {
        if !message.allowed_from_card_frame() {
            return Err(ProtocolError::new(ErrorCode::Forbidden, format!("The card frame may not send '{}'.", message.kind())));
        }
    }
    Ok(context)
}

/// The path of an extension URL, without query or fragment.
fn own_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['#', '?']).next().unwrap_or("")
}

/// True for `chrome-extension://<id>/…` and `moz-extension://<id>/…` (Firefox
/// uses a per-install UUID there, which its `runtime.getURL` reports as the host).
fn is_own_extension_url(url: &str, own_id: &str) -> bool {
    ["chrome-extension://", "moz-extension://"].iter().any(|scheme| {
        url.strip_prefix(scheme).and_then(|rest| rest.strip_prefix(own_id)).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Parse a message that arrived as JSON, with an error a developer can act on.
pub fn parse_message(json: &str) -> Result<Message, ProtocolError> {
    serde_json::from_str(json).map_err(|e| ProtocolError::new(ErrorCode::BadMessage, format!("Unrecognized message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "abcdefghijklmnop";

    fn sender(id: Option<&str>, url: Option<&str>, tab: Option<i32>) -> SenderInfo {
        SenderInfo { extension_id: id.map(str::to_owned), url: url.map(str::to_owned), tab_id: tab, frame_id: tab.map(|_| 0) }
    }

    #[test]
    fn authorization_table() {
        let popup = sender(Some(ID), Some(&format!("chrome-extension://{ID}/popup/popup.html")), None);
        let options_in_tab = sender(Some(ID), Some(&format!("chrome-extension://{ID}/options/options.html")), Some(3));
        let content = sender(Some(ID), Some("https://forum.example/t/1"), Some(3));
        let other_ext = sender(Some("zzzz"), Some("chrome-extension://zzzz/x.html"), None);
        let look_alike = sender(Some(ID), Some(&format!("chrome-extension://{ID}evil/x.html")), Some(3));
        let no_tab_web = sender(Some(ID), Some("https://forum.example/"), None);
        let firefox_page = sender(Some(ID), Some(&format!("moz-extension://{ID}/popup/popup.html")), None);
        let anonymous = sender(None, None, None);

        use Context::*;
        let settings = Message::SaveSettings { settings: Settings::default() };
        let hello = Message::ContentHello { url: "https://forum.example/t/1".into() };
        let open = Message::OpenMatcher { url: "https://forum.example/t/1".into() };
        let redeem = Message::MatcherHello { ticket: "0".repeat(32) };
        let matcher_frame = sender(Some(ID), Some(&format!("chrome-extension://{ID}/matcher/matcher.html#t")), Some(3));
        let open_capture = Message::OpenCapture { id: "01900000-0000-7000-8000-000000000001".into() };
        let save_token = Message::SaveSyncToken { token: "secret".into() };
        let test_conn = Message::TestConnection { mode: SyncMode::TeamLog, endpoint: "https://x.example".into(), token: None };
        let discard = Message::DiscardCapture { id: "x".into() };
        let retry = Message::RetryCapture { id: "x".into() };
        let card_frame = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html#0123")), Some(3));
        let card_no_tab = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html")), None);
        let card_lookalike = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html.evil/x")), Some(3));
        let log = Message::LogCapture { context: CaptureContext::default(), tags: None };
        let edit = Message::EditCapture { id: "x".into(), edit: CaptureEdit::default() };
        let card_log = Message::CardLog { ticket: "0".repeat(32), context: CaptureContext::default(), tags: None };
        let card_hello = Message::CardHello { ticket: "0".repeat(32) };
        let page_captures = Message::GetPageCaptures { url: "https://forum.example/t/1".into() };
        let cases: Vec<(&str, &Message, &SenderInfo, Result<Context, ErrorCode>)> = vec![
            ("popup pings", &Message::Ping, &popup, Ok(ExtensionPage)),
            ("popup reads settings", &Message::GetSettings, &popup, Ok(ExtensionPage)),
            ("options page opened in a tab is still ours", &settings, &options_in_tab, Ok(ExtensionPage)),
            ("firefox extension page", &Message::GetSettings, &firefox_page, Ok(ExtensionPage)),
            ("content says hello", &hello, &content, Ok(ContentScript { tab_id: 3, frame_id: 0 })),
            ("content may not read settings", &Message::GetSettings, &content, Err(ErrorCode::Forbidden)),
            ("content may open a matcher frame", &open, &content, Ok(ContentScript { tab_id: 3, frame_id: 0 })),
            ("content may not redeem a matcher ticket", &redeem, &content, Err(ErrorCode::Forbidden)),
            ("the matcher frame (an extension page in a tab) redeems", &redeem, &matcher_frame, Ok(ExtensionPage)),
            ("content may not write settings", &settings, &content, Err(ErrorCode::Forbidden)),
            ("another extension", &Message::Ping, &other_ext, Err(ErrorCode::UnknownSender)),
            ("no extension id", &Message::Ping, &anonymous, Err(ErrorCode::UnknownSender)),
            ("id-prefix look-alike origin is a content script", &Message::GetSettings, &look_alike, Err(ErrorCode::Forbidden)),
            ("web url without a tab", &Message::Ping, &no_tab_web, Err(ErrorCode::UnknownSender)),
            ("log page opens a capture", &open_capture, &options_in_tab, Ok(ExtensionPage)),
            ("a page may not open tabs through us", &open_capture, &content, Err(ErrorCode::Forbidden)),
            ("a page may not fake a log change", &Message::LogChanged, &content, Err(ErrorCode::Forbidden)),
            ("content may not read sync state", &Message::GetSyncState, &content, Err(ErrorCode::Forbidden)),
            ("content may not discard captures", &discard, &content, Err(ErrorCode::Forbidden)),
            ("content may not retry captures", &retry, &content, Err(ErrorCode::Forbidden)),
            ("the log page discards a capture", &discard, &options_in_tab, Ok(ExtensionPage)),
            ("content may not set the token", &save_token, &content, Err(ErrorCode::Forbidden)),
            ("content may not test a connection", &test_conn, &content, Err(ErrorCode::Forbidden)),
            ("content may not force a sync", &Message::SyncNow, &content, Err(ErrorCode::Forbidden)),
            ("options page sets the token", &save_token, &options_in_tab, Ok(ExtensionPage)),
            ("popup syncs now", &Message::SyncNow, &popup, Ok(ExtensionPage)),
            ("content may open a card frame", &Message::OpenCardFrame, &content, Ok(ContentScript { tab_id: 3, frame_id: 0 })),
            ("content may no longer log: the card frame does", &log, &content, Err(ErrorCode::Forbidden)),
            ("content may no longer edit", &edit, &content, Err(ErrorCode::Forbidden)),
            ("content may not log as the card", &card_log, &content, Err(ErrorCode::Forbidden)),
            ("content may not claim a card ticket", &card_hello, &content, Err(ErrorCode::Forbidden)),
            ("the card frame claims its ticket", &card_hello, &card_frame, Ok(CardFrame { tab_id: 3 })),
            ("the card frame logs with its ticket", &card_log, &card_frame, Ok(CardFrame { tab_id: 3 })),
            ("the card frame reads its page's captures", &page_captures, &card_frame, Ok(CardFrame { tab_id: 3 })),
            ("the card frame may not log without a ticket", &log, &card_frame, Err(ErrorCode::Forbidden)),
            ("the card frame may not read settings", &Message::GetSettings, &card_frame, Err(ErrorCode::Forbidden)),
            ("the card frame may not open tabs", &open_capture, &card_frame, Err(ErrorCode::Forbidden)),
            ("card.html outside a tab is an extension page", &Message::GetSettings, &card_no_tab, Ok(ExtensionPage)),
            ("a look-alike path is not the card frame", &Message::GetSettings, &card_lookalike, Ok(ExtensionPage)),
        ];
        for (name, msg, who, want) in cases {
            let got = authorize(msg, who, ID).map_err(|e| e.code);
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let msgs = vec![
            Message::Ping,
            Message::ContentHello { url: "https://a.example/".into() },
            Message::MentionsFound { url: "https://a.example/".into(), count: 3 },
            Message::GetSettings,
        ];
        for m in msgs {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(parse_message(&json).unwrap(), m, "{json}");
        }
        assert_eq!(serde_json::to_string(&Message::Ping).unwrap(), r#"{"type":"ping"}"#);
        assert_eq!(
            serde_json::to_string(&Message::MentionsFound { url: "u".into(), count: 2 }).unwrap(),
            r#"{"type":"mentionsFound","url":"u","count":2}"#
        );
    }

    #[test]
    fn unknown_or_malformed_messages_are_rejected_clearly() {
        for bad in [r#"{"type":"deleteEverything"}"#, r#"{"kind":"ping"}"#, "not json", r#"{"type":"mentionsFound","url":"u"}"#] {
            let err = parse_message(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadMessage, "{bad}");
            assert!(err.message.starts_with("Unrecognized message"), "{}", err.message);
        }
    }

    #[test]
    fn content_config_never_carries_settings() {
        // The reply a content script gets is built from the brand list alone;
        // its JSON must not contain the sync section of settings.
        let reply = Reply::ContentConfig {
            enabled: true,
            reason: None,
            brands: BrandList::default(),
            departments: vec!["PR".into()],
            defaults: Tags::default(),
        };
        let json = serde_json::to_string(&reply).unwrap();
        assert!(!json.contains("token") && !json.contains("endpoint"), "{json}");
    }
}
