//! The message protocol, typed per direction.
//!
//! Every request is its own struct ([`requests`]) that names its reply type
//! through [`Request::Reply`], so a caller cannot receive the wrong variant.
//! Requests travel in channels: one enum per direction ([`ContentRequest`]
//! from content scripts to the service worker, [`CardRequest`] from the card
//! frame, [`MatcherRequest`] from the matcher frame, [`PageRequest`] from the
//! extension pages, [`TabRequest`] from the service worker or the popup to a
//! tab's content script, [`PageEvent`] from the service worker to the pages,
//! and [`BenchRequest`] from the benchmarks to a content script). On the wire a
//! request is `{"type": <name>, ...fields}` and its answer
//! `{"type": "ok", ...reply fields}` or `{"type": "error", "code": ..., ...data}`
//! ([`Answer`]). The service worker first decides which of our contexts sent a
//! message ([`crate::sender::authorize_sender`]), then parses it as that context's enum
//! ([`Incoming::parse`]): what a context may send is what its enum holds.
//!
//! ```
//! use escucha_core::protocol::{requests::*, to_wire, Context, Incoming, ProtocolError, SenderInfo};
//! use escucha_core::sender::{authorize_sender, OwnExtension};
//! let from_page = SenderInfo {
//!     extension_id: Some("abc".into()),
//!     url: Some("https://forum.example/t/1".into()),
//!     tab_id: Some(7),
//!     frame_id: Some(0),
//! };
//! let context = authorize_sender(&from_page, &OwnExtension::new("abc", "chrome-extension://abc/").unwrap()).unwrap();
//! assert_eq!(context, Context::ContentScript { tab_id: 7, frame_id: 0 });
//! let refused = Incoming::parse(context, to_wire(&GetSettings {})).unwrap_err();
//! assert_eq!(refused, ProtocolError::Forbidden { request: "getSettings".into() });
//! assert!(matches!(Incoming::parse(context, to_wire(&Ping {})), Ok(Incoming::Content { tab_id: 7, .. })));
//! ```

mod error;
// The JavaScript names are written and checked by tests only.
#[cfg(test)]
pub mod generated;
pub mod requests;
#[cfg(test)]
mod tests;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::brands::BrandList;
use crate::log::{Capture, Tags};
use crate::sites::SiteDecision;
pub use crate::sync::client::ConnectionReport;
pub use error::{ErrorCode, ProtocolError};
use requests::*;

/// A request: its name on the wire and the one reply type that answers it.
pub trait Request: Serialize + DeserializeOwned {
    /// The `type` tag on the wire.
    const NAME: &'static str;
    /// What answers it (inside [`Answer::Ok`]).
    type Reply: Serialize + DeserializeOwned;
}

/// One direction's requests: the enum a receiver parses incoming messages as.
pub trait Channel: Sized {
    /// The enum's name (the generated JavaScript uses it).
    const NAME: &'static str;
    /// The wire names of its requests.
    const REQUESTS: &'static [&'static str];
    /// Parse a message that arrived as JSON; a request of another channel is
    /// [`ProtocolError::Forbidden`], anything else [`ProtocolError::BadMessage`].
    fn from_wire(value: serde_json::Value) -> Result<Self, ProtocolError>;
    /// The wire name of this request.
    fn name(&self) -> &'static str;
}

/// The answer to a request, as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Answer<T> {
    Ok(T),
    Error(ProtocolError),
}

impl<T> From<Result<T, ProtocolError>> for Answer<T> {
    fn from(r: Result<T, ProtocolError>) -> Self {
        match r {
            Ok(t) => Answer::Ok(t),
            Err(e) => Answer::Error(e),
        }
    }
}

impl<T> From<Answer<T>> for Result<T, ProtocolError> {
    fn from(a: Answer<T>) -> Self {
        match a {
            Answer::Ok(t) => Ok(t),
            Answer::Error(e) => Err(e),
        }
    }
}

/// `{"type": R::NAME, ...fields}`: how a request travels.
pub fn to_wire<R: Request>(request: &R) -> serde_json::Value {
    let mut value = serde_json::to_value(request).unwrap_or_else(|_| serde_json::Value::Object(Default::default()));
    if let Some(map) = value.as_object_mut() {
        map.insert("type".into(), R::NAME.into());
    }
    value
}

/// The `type` of a message, or why it has none.
fn request_name(value: &serde_json::Value) -> Result<&str, ProtocolError> {
    value.get("type").and_then(|t| t.as_str()).ok_or_else(|| ProtocolError::BadMessage { detail: "a message without a \"type\"".into() })
}

/// Read a request's fields (the `type` tag is ignored by the struct).
fn fields<R: Request>(value: serde_json::Value) -> Result<R, ProtocolError> {
    serde_json::from_value(value).map_err(|e| ProtocolError::BadMessage { detail: format!("{}: {e}", R::NAME) })
}

/// A name no channel of this context holds: forbidden if it is ours at all.
fn refused(name: &str) -> ProtocolError {
    if CHANNELS.iter().any(|(_, names)| names.contains(&name)) {
        ProtocolError::Forbidden { request: name.to_string() }
    } else {
        ProtocolError::BadMessage { detail: format!("no request is called '{name}'") }
    }
}

macro_rules! channel {
    ($(#[$m:meta])* $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$m])*
        // Requests are parsed, handled once and dropped: the size of the
        // largest costs nothing worth boxing for.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name { $($variant($variant)),* }

        impl Channel for $name {
            const NAME: &'static str = stringify!($name);
            const REQUESTS: &'static [&'static str] = &[$(<$variant as Request>::NAME),*];
            fn from_wire(value: serde_json::Value) -> Result<Self, ProtocolError> {
                let name = request_name(&value)?;
                $(if name == <$variant as Request>::NAME {
                    return Ok($name::$variant(fields::<$variant>(value)?));
                })*
                Err(refused(name))
            }
            fn name(&self) -> &'static str {
                match self { $($name::$variant(_) => <$variant as Request>::NAME),* }
            }
        }
    };
}

channel! {
    /// A content script (inside a page we do not trust) to the service worker:
    /// what a page may safely ask. Logging and editing happen in the card frame.
    ContentRequest { Ping, ContentHello, MentionsFound, GetPageCaptures, OpenMatcher, OpenCardFrame }
}

channel! {
    /// The card frame (`card/card.html` inside a web page's tab) to the
    /// service worker; each write presents the frame's ticket.
    CardRequest { Ping, CardHello, CardLog, CardEdit, GetPageCaptures }
}

channel! {
    /// The matcher frame (`matcher/matcher.html` inside a web page's tab) to
    /// the service worker: it redeems its ticket for its page's brand list.
    MatcherRequest { Ping, MatcherHello }
}

channel! {
    /// The extension's own pages (popup, options, log) to the service worker.
    PageRequest {
        Ping, GetSettings, SaveSettings, ToggleSite, LogCapture, EditCapture, GetPageCaptures, ImportCaptures,
        GetLogStatus, LogChanged, OpenCapture, SyncNow, TestConnection, SaveSyncToken, GetSyncState,
        RetryCapture, DiscardCapture,
        // config12
        GetTeamConfig, SavePersonalTerms,
        // wsui12 (issue 12): the popup's views and mentions, the team's members.
        GetWorkspace, MentionOpened, GetMembers,
    }
}

channel! {
    /// The service worker or the popup to a tab's content script.
    TabRequest { Ping, SettingsChanged, GetPageMentions, RevealMention, OpenCard, LogSelection, LogChanged, GetPainted }
}

channel! {
    /// The service worker to the extension pages (`runtime.sendMessage`):
    /// news they may act on. Pages never answer.
    PageEvent { LogChanged }
}

channel! {
    /// The benchmarks (`tests/bench`) to a content script. Only a build with
    /// escucha-web's `bench` feature answers them; the shipped one refuses.
    BenchRequest { BenchScan, BenchFloor }
}

/// Every channel and its request names, for [`refused`] and the generated
/// JavaScript ([`generated`]).
pub const CHANNELS: &[(&str, &[&str])] = &[
    (ContentRequest::NAME, ContentRequest::REQUESTS),
    (CardRequest::NAME, CardRequest::REQUESTS),
    (MatcherRequest::NAME, MatcherRequest::REQUESTS),
    (PageRequest::NAME, PageRequest::REQUESTS),
    (TabRequest::NAME, TabRequest::REQUESTS),
    (PageEvent::NAME, PageEvent::REQUESTS),
    (BenchRequest::NAME, BenchRequest::REQUESTS),
];

/// A message the service worker accepted, typed by who sent it (with what
/// the browser says about that sender).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Content { tab_id: i32, frame_id: i32, request: ContentRequest },
    Card { tab_id: i32, request: CardRequest },
    Matcher { tab_id: i32, request: MatcherRequest },
    Page(PageRequest),
}

impl Incoming {
    /// Parse `value` as the enum of `context`: what a context may send is
    /// exactly what its enum holds.
    pub fn parse(context: Context, value: serde_json::Value) -> Result<Incoming, ProtocolError> {
        Ok(match context {
            Context::ContentScript { tab_id, frame_id } => {
                Incoming::Content { tab_id, frame_id, request: ContentRequest::from_wire(value)? }
            }
            Context::CardFrame { tab_id } => Incoming::Card { tab_id, request: CardRequest::from_wire(value)? },
            Context::MatcherFrame { tab_id } => Incoming::Matcher { tab_id, request: MatcherRequest::from_wire(value)? },
            Context::ExtensionPage => Incoming::Page(PageRequest::from_wire(value)?),
        })
    }
}

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

/// Which of our contexts a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The popup, the options page, the log page or the service worker.
    ExtensionPage,
    /// A content script in a web page's tab.
    ContentScript { tab_id: i32, frame_id: i32 },
    /// The capture card's frame (`card/card.html`) inside a web page's tab.
    CardFrame { tab_id: i32 },
    /// The matcher frame (`matcher/matcher.html`) inside a web page's tab.
    MatcherFrame { tab_id: i32 },
}

/// Path of the card frame's page within the extension.
pub const CARD_FRAME_PATH: &str = "/card/card.html";
/// Path of the matcher frame's page within the extension.
pub const MATCHER_FRAME_PATH: &str = "/matcher/matcher.html";

/// What a content script or the matcher frame needs for a page, and nothing
/// more: no settings, no tokens. `departments` and `defaults` fill the card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentConfig {
    pub enabled: bool,
    /// Why Escucha does not run here, when it does not.
    #[serde(default)]
    pub reason: Option<SiteDecision>,
    pub brands: BrandList,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub defaults: Tags,
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
    /// The last sync or storage problem, if it still stands: data, worded
    /// where it is shown ([`Problem::words`](crate::sync::client::Problem::words)).
    pub problem: Option<crate::sync::client::Problem>,
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
    /// Position in page order; what [`RevealMention`] names.
    pub index: u32,
    /// The matched words as they appear on the page.
    pub text: String,
    /// A short excerpt around the mention.
    pub context: String,
}

/// Captures on one page. `reveal`: the capture the log page asked this tab
/// to show (once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageCaptures {
    pub captures: Vec<Capture>,
    #[serde(default)]
    pub reveal: Option<String>,
}
