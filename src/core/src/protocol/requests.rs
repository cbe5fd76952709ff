//! Every request, each with the one reply type that answers it.
//!
//! Which context may send a request is decided by the channel enums in
//! [`super`], not here: a struct may travel in several channels (`Ping`,
//! `GetPageCaptures`, `LogChanged`).

use serde::{Deserialize, Serialize};

use super::{ConnectionReport, ContentConfig, GroupMentions, LogStatus, PageCaptures, QuarantinedItem, Request};
use crate::brands::BrandList;
use crate::log::{Capture, CaptureContext, CaptureEdit, Tags};
use crate::settings::{Settings, SyncMode};

macro_rules! requests {
    ($($(#[$m:meta])* $name:ident $wire:literal { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? } -> $reply:ty;)*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(rename_all = "camelCase")]
            pub struct $name { $($(#[$fm])* pub $field: $ty),* }
            impl Request for $name {
                const NAME: &'static str = $wire;
                type Reply = $reply;
            }
        )*
        /// Every request's wire name (the generator checks each channel names only these).
        pub const ALL: &[&str] = &[$($wire),*];
    };
}

requests! {
    /// Liveness and build check; any context may send it and any answers it.
    Ping "ping" {} -> Pong;
    /// A content script starts on a page and asks what to highlight there.
    ContentHello "contentHello" { url: String } -> ContentConfig;
    /// A content script reports how many mentions it painted (toolbar badge).
    MentionsFound "mentionsFound" { url: String, count: u32 } -> Done;
    /// Every capture (own and teammates') whose page is `url`: re-anchoring
    /// on revisit and the popup's list.
    GetPageCaptures "getPageCaptures" { url: String } -> PageCaptures;
    /// A content script whose page forbids it WebAssembly asks for a one-time
    /// ticket to open the matcher frame (see [`crate::matcher_frame`]).
    OpenMatcher "openMatcher" {
        url: String,
        /// The parent's, grandparent's, … addresses (`None` where the frame
        /// cannot read one): an `about:` frame's site rules are its maker's
        /// ([`crate::page_watch::deciding_url`]).
        #[serde(default)]
        ancestors: Vec<Option<String>>,
    } -> Ticket;
    /// A content script opens the capture card: it asks for a one-time
    /// ticket bound to its tab and page (see [`crate::card_frame`]).
    OpenCardFrame "openCardFrame" {} -> Ticket;
    /// The matcher frame redeems its ticket for its page's brand list.
    MatcherHello "matcherHello" { ticket: String } -> ContentConfig;
    /// The card frame claims its ticket for what the card needs.
    CardHello "cardHello" { ticket: String } -> CardConfig;
    /// The card frame logs a comment (as [`LogCapture`]), presenting its ticket.
    CardLog "cardLog" { ticket: String, context: CaptureContext, tags: Option<Tags> } -> Logged;
    /// The card frame changes a capture it logged or showed, presenting its ticket.
    CardEdit "cardEdit" { ticket: String, id: String, edit: CaptureEdit } -> Logged;
    /// Trusted pages read the whole settings document.
    GetSettings "getSettings" {} -> SettingsReply;
    /// Trusted pages replace the settings document (validated before saving).
    SaveSettings "saveSettings" { settings: Settings } -> Done;
    /// The popup turns Escucha off (or back on) for a page's site.
    ToggleSite "toggleSite" { url: String } -> SiteToggled;
    /// Log a comment. `tags: None` means the team defaults. Re-capturing the
    /// same comment updates the existing record (see
    /// `log::record::dedupe_key`). Acknowledged only once durable.
    LogCapture "logCapture" { context: CaptureContext, tags: Option<Tags> } -> Logged;
    /// Change tags, status, note or deletion of one capture.
    EditCapture "editCapture" { id: String, edit: CaptureEdit } -> Logged;
    /// Trusted pages merge a JSON export (by id) into the log.
    ImportCaptures "importCaptures" { json: String } -> Imported;
    /// Trusted pages: counts, last sync, pending items and errors, for the popup.
    GetLogStatus "getLogStatus" {} -> LogStatus;
    /// The log changed. The service worker tells pages and content scripts;
    /// the log page tells the service worker after writing to the store
    /// itself (import), so it passes it on to the tabs.
    LogChanged "logChanged" {} -> Done;
    /// The log page: open the comment's permalink (or its page) in a new tab
    /// and have that tab re-anchor and flash the capture.
    OpenCapture "openCapture" { id: String } -> Done;
    /// Push pending changes and pull teammates' now, ignoring any backoff.
    SyncNow "syncNow" {} -> Synced;
    /// Check an endpoint and token before saving them. `token: None` tests
    /// the saved token, which never leaves the service worker except in the
    /// `Authorization` header of this request.
    TestConnection "testConnection" { mode: SyncMode, endpoint: String, token: Option<String> } -> ConnectionReport;
    /// Store the sync token (its own storage key; empty removes it). It is never sent back.
    SaveSyncToken "saveSyncToken" { token: String } -> Done;
    /// Sync state for the options page (never the token itself).
    GetSyncState "getSyncState" {} -> SyncState;
    /// The log's "Not synced" view: send a quarantined capture again as it is.
    RetryCapture "retryCapture" { id: String } -> Done;
    /// Drop a quarantined capture from this browser (it never reached the team log).
    DiscardCapture "discardCapture" { id: String } -> Done;
    /// config12: the team configuration this browser runs, and the member's
    /// personal additions (options page).
    GetTeamConfig "getTeamConfig" {} -> crate::team_config::TeamConfigState;
    /// config12: store the member's extra terms (they stay in this browser).
    SavePersonalTerms "savePersonalTerms" { terms: Vec<crate::team_config::PersonalTerm> } -> Done;
    /// Brands or site rules changed: the content script asks again for its
    /// page's config (no reload needed).
    SettingsChanged "settingsChanged" {} -> Done;
    /// The popup asks a page's content script what it found.
    GetPageMentions "getPageMentions" {} -> PageMentions;
    /// The popup asks a page's content script to scroll to a mention and flash it.
    RevealMention "revealMention" { index: u32 } -> Done;
    /// Keyboard shortcut: open the card for the mention nearest the selection or caret.
    OpenCard "openCard" {} -> Done;
    /// Context menu "Log selection": open the card for the selected text.
    LogSelection "logSelection" {} -> Done;
    /// The service worker (tests, diagnostics) asks a content script what it
    /// has painted, layer by layer: the observation channel that replaces
    /// reading `CSS.highlights` from the page (paint11: the painter is no
    /// longer page-readable, see `crate::paint`). Answered from the painter's
    /// state, never by rescanning.
    GetPainted "getPainted" {} -> Painted;
    /// Benchmarks: a fresh full scan, timed from start to highlights painted.
    BenchScan "benchScan" {} -> BenchResult;
    /// Benchmarks: the floor, a bare TreeWalker walk reading every text node.
    BenchFloor "benchFloor" {} -> BenchResult;
    // wsui12 (issue 12).
    /// The popup: the quick views' counts over the local log and the
    /// @mentions of this member not opened yet.
    GetWorkspace "getWorkspace" {} -> crate::pages::workspace::WorkspaceSummary;
    /// The popup opened a mention: it is seen (the badge drops it).
    MentionOpened "mentionOpened" { comment_id: String } -> Done;
    /// The team's member names (cached from `GET /api/v1/members` at each sync).
    GetMembers "getMembers" {} -> Members;
}

/// Answer to [`GetMembers`]: names, in the server's order; empty without a team log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Members {
    pub members: Vec<String>,
}

/// The reply of requests that only succeed or fail.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Done {}

/// Answer to [`Ping`]: which build runs, in which context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pong {
    pub version: String,
    pub context: String,
}

/// A one-time ticket to put in a frame's URL ([`OpenMatcher`], [`OpenCardFrame`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub ticket: String,
}

/// Answer to [`CardHello`]: what the card needs. `page_url` is the address
/// the browser reported for the content script that opened it; `brands` name
/// the mention's brand and term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardConfig {
    pub page_url: String,
    pub member: String,
    pub brands: BrandList,
    pub departments: Vec<String>,
    pub defaults: Tags,
    /// wsui12: the team's member names, for the assignee menu.
    #[serde(default)]
    pub members: Vec<String>,
    /// rules13: the team's routing rules, for the card's preview line.
    #[serde(default)]
    pub rules: Vec<crate::routing::Rule>,
}

/// A capture as stored (after dedupe and merge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logged {
    pub capture: Capture,
}

/// The settings, and what was wrong with the stored copy if it could not be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsReply {
    pub settings: Settings,
    pub problem: Option<crate::settings::SettingsProblem>,
}

/// Whether Escucha now runs on the toggled site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteToggled {
    pub enabled: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    pub added: u32,
    pub merged: u32,
    pub rejected: Vec<String>,
}

/// What "Sync now" did; `problem` (data, worded where shown) when it stopped early.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Synced {
    pub sent: u32,
    pub received: u32,
    pub problem: Option<crate::sync::client::Problem>,
    pub status: LogStatus,
}

/// The options page's view of sync. `token_saved` only: the token stays in the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    pub token_saved: bool,
    pub status: LogStatus,
    pub quarantined: Vec<QuarantinedItem>,
}

/// What a content script found on its page, grouped by brand group.
/// `captures`: what is already logged on this page (own and teammates').
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMentions {
    pub url: String,
    pub total: u32,
    pub groups: Vec<GroupMentions>,
    #[serde(default)]
    pub captures: Vec<Capture>,
}

/// Answer to [`GetPainted`]: the frame's address, each non-empty paint layer (`crate::paint`'s
/// names: `escucha-g0`…, `escucha-logged-<status>`, `escucha-flash`) with the
/// page text of every range in it, sorted; `boxes`: how many boxes the
/// overlay draws now (only mentions near the viewport are drawn).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Painted {
    #[serde(default)]
    pub url: String,
    pub layers: Vec<PaintedLayer>,
    pub boxes: u32,
}

/// One paint layer's ranges, as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaintedLayer {
    pub name: String,
    pub texts: Vec<String>,
}

/// A benchmark figure measured inside the content script.
/// `phases`: where the time went (collect, transfer, match, ranges, paint), in ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchResult {
    pub engine: String,
    pub ms: f64,
    pub mentions: u32,
    pub path: String,
    #[serde(default)]
    pub phases: Vec<(String, f64)>,
}
