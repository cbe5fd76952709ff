//! The service worker: the only context that holds settings and decides who
//! may ask for what. It learns which of our contexts sent a message
//! ([`authorize_sender`]), reads it as that context's request enum
//! ([`Incoming::parse`]) and answers each request with its own reply type.

mod page_lookup;
pub mod sync;
mod team_config;
mod window;
mod workspace; // wsui12 (issue 12): members, mentions badge, quick views

use std::cell::RefCell;
use std::collections::HashMap;

use escucha_core::card_frame::{self, CardTickets};
use escucha_core::log::store_error::{StoreAction, StoreFailure};
use escucha_core::matcher_frame::{self, TicketBook};
use escucha_core::protocol::requests::*;
use escucha_core::protocol::{
    CardRequest, ContentConfig, ContentRequest, ErrorCode, Incoming, LogStatus, MatcherRequest, PageCaptures, PageRequest, ProtocolError,
    Request,
};
use escucha_core::sender::authorize_sender;
use escucha_core::settings::Settings;
use escucha_core::sites::SiteDecision;
use escucha_core::sync::client::Problem;
use wasm_bindgen::JsValue;

use crate::platform::{self, answer, PlatformError};
use crate::store::{MergeSource, Store};

/// Records written per transaction by an import (see `Store::merge_in_batches`).
const IMPORT_BATCH: usize = 2_000;

/// Storage key of the settings document (a JSON string).
pub const SETTINGS_KEY: &str = "settings";

thread_local! {
    /// Mentions per tab, for the badge. Lost when the worker stops, which is
    /// fine: the badge text itself is kept by the browser.
    static MENTIONS: RefCell<HashMap<(i32, i32), u32>> = RefCell::new(HashMap::new());
    /// The last local-log write that failed, for the popup. Kept in memory
    /// only because writing it down would fail for the same reason (a full
    /// disk); cleared by the next successful write. Lost with the worker,
    /// which is fine: the next attempt reports it again.
    static STORAGE_PROBLEM: RefCell<Option<(StoreFailure, StoreAction)>> = const { RefCell::new(None) };
    /// Matcher-frame tickets issued to content scripts and not yet redeemed.
    /// A worker restart loses them; the content script then opens a new frame.
    static TICKETS: RefCell<TicketBook> = RefCell::new(TicketBook::default());
    /// Card-frame tickets: issued to content scripts, claimed by card frames.
    /// Kept in `storage.session` too (see [`with_card_tickets`]): a manager
    /// may type a note for longer than an idle worker lives.
    static CARD_TICKETS: RefCell<Option<CardTickets>> = const { RefCell::new(None) };
}

/// `storage.session` key of the card tickets (trusted contexts only).
const CARD_TICKETS_KEY: &str = "cardTickets";

/// Run `f` on the card tickets, loading them after a worker restart and
/// saving them after each change.
async fn with_card_tickets<R>(f: impl FnOnce(&mut CardTickets) -> R) -> Result<R, ProtocolError> {
    if CARD_TICKETS.with(|t| t.borrow().is_none()) {
        let stored = platform::session_get(CARD_TICKETS_KEY).await.ok().flatten();
        let book: CardTickets = stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        CARD_TICKETS.with(|t| {
            t.borrow_mut().get_or_insert(book);
        });
    }
    let (result, json) = CARD_TICKETS.with(|t| {
        let mut guard = t.borrow_mut();
        let book = guard.get_or_insert_with(CardTickets::default);
        let result = f(book);
        (result, serde_json::to_string(book).unwrap_or_default())
    });
    platform::session_set(CARD_TICKETS_KEY, &json).await.map_err(storage)?;
    Ok(result)
}

/// Called once per worker start.
pub async fn start() -> Result<(), PlatformError> {
    platform::close_local_storage_to_content_scripts().await;
    if let Err(e) = create_menus().await {
        web_sys::console::warn_1(&format!("Escucha: context menu unavailable: {e}").into());
    }
    // Not awaited: the alarm check and a resumed sync must not hold up messages.
    wasm_bindgen_futures::spawn_local(sync::start());
    // config12: the team's configuration, fetched at start (and at every sync run).
    wasm_bindgen_futures::spawn_local(team_config::refresh());
    Ok(())
}

/// The context-menu item "Log selection" (menus persist across worker
/// restarts, so remove before creating to avoid a duplicate-id error).
pub const MENU_LOG_SELECTION: &str = "log-selection";
/// The keyboard command that opens the card for the nearest mention.
pub const COMMAND_OPEN_CARD: &str = "open-card";

async fn create_menus() -> Result<(), PlatformError> {
    platform::call("contextMenus.removeAll", &[]).await?;
    let item = js_sys::Object::new();
    js_sys::Reflect::set(&item, &"id".into(), &MENU_LOG_SELECTION.into())?;
    js_sys::Reflect::set(&item, &"title".into(), &platform::t(escucha_core::i18n::Key::MenuLogSelection, &[]).into())?;
    js_sys::Reflect::set(&item, &"contexts".into(), &js_sys::Array::of1(&"selection".into()))?;
    platform::call_sync("contextMenus.create", &[item.into()])?;
    Ok(())
}

/// A context-menu click: the frame that holds the selection opens its card.
pub async fn menu_clicked(menu_id: String, tab_id: i32, frame_id: i32) {
    if menu_id == MENU_LOG_SELECTION && tab_id >= 0 {
        let _ = platform::send_to_tab(tab_id, Some(frame_id), &LogSelection {}).await;
    }
}

/// A keyboard command in a tab: every frame hears it, the focused one acts.
pub async fn command(name: String, tab_id: i32) {
    if name == COMMAND_OPEN_CARD && tab_id >= 0 {
        let _ = platform::send_to_tab(tab_id, None, &OpenCard {}).await;
    }
}

/// Answer one message: who sent it decides which enum it is read as.
pub async fn handle(message: JsValue, sender: JsValue) -> JsValue {
    let sender = platform::sender_info(&sender);
    let own = match platform::own_extension() {
        Ok(own) => own,
        Err(e) => return platform::refusal(e),
    };
    let context = match authorize_sender(&sender, &own) {
        Ok(c) => c,
        Err(e) => return platform::refusal(e),
    };
    let request = match platform::wire_value(message).and_then(|v| Incoming::parse(context, v)) {
        Ok(r) => r,
        Err(e) => return platform::refusal(e),
    };
    match request {
        Incoming::Content { tab_id, frame_id, request } => from_content(request, tab_id, frame_id, sender.url.unwrap_or_default()).await,
        Incoming::Card { tab_id, request } => from_card(request, tab_id).await,
        Incoming::Matcher { tab_id, request } => from_matcher(request, tab_id).await,
        Incoming::Page(request) => from_page(request).await,
    }
}

fn pong() -> Result<Pong, ProtocolError> {
    Ok(Pong { version: escucha_core::VERSION.into(), context: "service_worker".into() })
}

/// A content script: `sender_url` is its page as the browser reports it.
async fn from_content(request: ContentRequest, tab_id: i32, frame_id: i32, sender_url: String) -> JsValue {
    match request {
        ContentRequest::Ping(r) => answer(&r, pong()),
        ContentRequest::ContentHello(r) => {
            if frame_id == 0 {
                // A new top-level page: counts from the previous one are stale.
                MENTIONS.with(|m| m.borrow_mut().retain(|(t, _), _| *t != tab_id));
            }
            answer(&r, content_config(&r.url).await)
        }
        ContentRequest::OpenMatcher(r) => {
            if frame_id == 0 {
                MENTIONS.with(|m| m.borrow_mut().retain(|(t, _), _| *t != tab_id));
            }
            let ticket = platform::random_bytes().map_err(internal).map(|b| matcher_frame::ticket_from_bytes(&b));
            if let Ok(ticket) = &ticket {
                let ancestors: Vec<Option<&str>> = r.ancestors.iter().map(Option::as_deref).collect();
                let site = escucha_core::page_watch::deciding_url(&r.url, &ancestors).to_string();
                TICKETS.with(|t| t.borrow_mut().issue(ticket.clone(), tab_id, site));
            }
            answer(&r, ticket.map(|ticket| Ticket { ticket }))
        }
        ContentRequest::OpenCardFrame(r) => answer(&r, open_card_frame(tab_id, sender_url).await),
        ContentRequest::MentionsFound(r) => answer(&r, mentions_found(tab_id, frame_id, r.count).await),
        ContentRequest::GetPageCaptures(r) => {
            // Only its own tab's page (escucha_core::card::page_reachable).
            if let Err(e) = escucha_core::card::page_reachable(&sender_url, &r.url) {
                return answer(&r, Err(e));
            }
            // A tab opened by the log page's "open comment" shows that capture.
            let reveal = if frame_id == 0 { platform::session_take(&reveal_key(tab_id)).await.ok().flatten() } else { None };
            answer(&r, page_captures(&r.url, reveal).await)
        }
    }
}

/// The card frame in tab `tab_id`: each write presents its ticket.
async fn from_card(request: CardRequest, tab_id: i32) -> JsValue {
    match request {
        CardRequest::Ping(r) => answer(&r, pong()),
        CardRequest::CardHello(r) => answer(&r, card_hello(&r.ticket, tab_id).await),
        CardRequest::CardLog(r) => answer(&r, card_log(&r, tab_id).await),
        CardRequest::CardEdit(r) => {
            let result = match card_session(&r.ticket, Some(tab_id)).await {
                Ok(page) => card_edit(&page, &r.id, &r.edit).await,
                Err(e) => Err(e),
            };
            answer(&r, result)
        }
        CardRequest::GetPageCaptures(r) => answer(&r, page_captures(&r.url, None).await),
    }
}

/// The matcher frame in tab `tab_id`.
async fn from_matcher(request: MatcherRequest, tab_id: i32) -> JsValue {
    match request {
        MatcherRequest::Ping(r) => answer(&r, pong()),
        MatcherRequest::MatcherHello(r) => {
            let url = TICKETS.with(|t| t.borrow_mut().claim(&r.ticket, Some(tab_id)));
            let result = match url {
                Some(url) => content_config(&url).await,
                None => Err(ProtocolError::StaleTicket),
            };
            answer(&r, result)
        }
    }
}

/// The extension's own pages.
async fn from_page(request: PageRequest) -> JsValue {
    match request {
        PageRequest::Ping(r) => answer(&r, pong()),
        PageRequest::GetSettings(r) => {
            let result = load_settings().await.map(|(settings, problem)| SettingsReply { settings, problem });
            answer(&r, result)
        }
        PageRequest::SaveSettings(r) => answer(&r, save_settings_checked(&r.settings).await),
        PageRequest::ToggleSite(r) => answer(&r, toggle_site(&r.url).await),
        PageRequest::LogCapture(r) => answer(&r, log_capture(r.context.clone(), r.tags.clone()).await),
        PageRequest::EditCapture(r) => answer(&r, edit_capture(&r.id, &r.edit).await),
        PageRequest::GetPageCaptures(r) => answer(&r, page_captures(&r.url, None).await),
        PageRequest::ImportCaptures(r) => answer(&r, import_captures(&r.json).await),
        PageRequest::OpenCapture(r) => answer(&r, open_capture(&r.id).await),
        PageRequest::LogChanged(r) => {
            // The log page wrote to the store itself (an import): tell the
            // tabs, and queue the new records for the team log.
            broadcast(&LogChanged {}).await;
            sync::changed();
            answer(&r, Ok(Done {}))
        }
        PageRequest::GetLogStatus(r) => answer(&r, log_status().await),
        PageRequest::SyncNow(r) => answer(&r, sync_now().await),
        PageRequest::TestConnection(r) => {
            let result = match load_settings().await {
                Ok((settings, _)) => Ok(sync::test_connection(r.mode, &r.endpoint, r.token.clone(), &settings.sync.member).await),
                Err(e) => Err(e),
            };
            answer(&r, result)
        }
        PageRequest::SaveSyncToken(r) => answer(&r, sync::save_token(&r.token).await.map(|_| Done {})),
        PageRequest::GetSyncState(r) => answer(&r, sync_state().await),
        PageRequest::RetryCapture(r) => answer(&r, retry_capture(&r.id).await),
        PageRequest::DiscardCapture(r) => answer(&r, discard_capture(&r.id).await),
        PageRequest::GetTeamConfig(r) => {
            let result = match load_settings().await {
                Ok((local, _)) => Ok(team_config::state(&local).await),
                Err(e) => Err(e),
            };
            answer(&r, result)
        }
        PageRequest::SavePersonalTerms(r) => answer(&r, team_config::save_personal_terms(&r.terms).await.map(|_| Done {})),
        PageRequest::GetWorkspace(r) => answer(&r, workspace::summary().await),
        PageRequest::MentionOpened(r) => answer(&r, workspace::mention_opened(&r.comment_id).await),
        PageRequest::GetMembers(r) => answer(&r, workspace::members_reply().await),
    }
}

async fn open_card_frame(tab_id: i32, sender_url: String) -> Result<Ticket, ProtocolError> {
    // Bound to the page the browser says the content script is on.
    let ticket = matcher_frame::ticket_from_bytes(&platform::random_bytes().map_err(internal)?);
    let issued = ticket.clone();
    with_card_tickets(move |t| t.issue(issued, tab_id, sender_url)).await?;
    Ok(Ticket { ticket })
}

async fn mentions_found(tab_id: i32, frame_id: i32, count: u32) -> Result<Done, ProtocolError> {
    // Each frame reports its own count; the badge shows the page's sum.
    let total: u32 = MENTIONS.with(|m| {
        let mut m = m.borrow_mut();
        m.insert((tab_id, frame_id), count);
        m.iter().filter(|((t, _), _)| *t == tab_id).map(|(_, c)| *c).sum()
    });
    // wsui12: the page's count, unless @mentions of this member wait (workspace::draw).
    workspace::draw(Some(tab_id), total).await.map_err(internal)?;
    Ok(Done {})
}

async fn page_captures(url: &str, reveal: Option<String>) -> Result<PageCaptures, ProtocolError> {
    let local = open_store().await?.page_captures(url).await?;
    // The local log is a window on the team log: the server says what else
    // exists for this page (a teammate's capture from last year).
    let captures = page_lookup::combined(url, local).await;
    Ok(PageCaptures { captures, reveal })
}

/// A capture by id: from the local log, or else from a recent page look-up,
/// stored first (as the team log's copy) so it can be edited here.
async fn held_or_looked_up(id: &str) -> Result<Option<escucha_core::log::Capture>, ProtocolError> {
    let store = open_store().await?;
    if let Some(c) = store.get(id).await? {
        return Ok(Some(c));
    }
    let Some(remote) = page_lookup::remembered(id) else { return Ok(None) };
    noted(store.merge_records(vec![remote], MergeSource::Server).await)?;
    store.get(id).await
}

async fn card_hello(ticket: &str, tab_id: i32) -> Result<CardConfig, ProtocolError> {
    let page_url = with_card_tickets(|t| t.claim(ticket, Some(tab_id))).await?.ok_or(ProtocolError::StaleTicket)?;
    let settings = load_effective().await?;
    // rules13: the team document's routing rules, when one applies.
    let (local, _) = load_settings().await?;
    let rules = team_config::applying(&local).await.map(|s| s.doc.config.rules).unwrap_or_default();
    Ok(CardConfig {
        rules,
        page_url,
        member: settings.sync.member.trim().to_string(),
        brands: settings.brands,
        departments: settings.departments,
        defaults: settings.capture_defaults,
        members: workspace::members().await,
    })
}

async fn card_log(r: &CardLog, tab_id: i32) -> Result<Logged, ProtocolError> {
    let page = card_session(&r.ticket, Some(tab_id)).await?;
    if !card_frame::cited_page_allowed(&page, &r.context.page_url) {
        return Err(ProtocolError::OtherPage { page, cited: r.context.page_url.clone() });
    }
    log_capture(r.context.clone(), r.tags.clone()).await
}

/// An edit (or deletion) from the card: only a capture of the card's own page.
async fn card_edit(page: &str, id: &str, edit: &escucha_core::log::CaptureEdit) -> Result<Logged, ProtocolError> {
    let capture = held_or_looked_up(id).await?.ok_or(ProtocolError::CaptureGone)?;
    escucha_core::card::page_reachable(page, &capture.context.value.page_url)?;
    edit_capture(id, edit).await
}

async fn save_settings_checked(settings: &Settings) -> Result<Done, ProtocolError> {
    settings.validate().map_err(|detail| ProtocolError::Invalid { detail: detail.to_string() })?;
    save_settings(settings).await?;
    // A new endpoint or mode: sync soon, without waiting out an old backoff.
    sync::changed();
    Ok(Done {})
}

async fn toggle_site(url: &str) -> Result<SiteToggled, ProtocolError> {
    let (mut settings, problem) = load_settings().await?;
    if let Some(p) = problem {
        // Saving now would replace the unreadable stored copy with defaults.
        return Err(ProtocolError::SettingsUnusable { problem: p });
    }
    let enabled = settings.sites.toggle_site(url).ok_or(ProtocolError::NoSite)?;
    save_settings(&settings).await?;
    Ok(SiteToggled { enabled: !enabled })
}

async fn import_captures(json: &str) -> Result<Imported, ProtocolError> {
    // One reader for export files: checks the format and version, then each record.
    let parsed =
        escucha_core::log::import::parse_import(json, now_ms()).map_err(|detail| ProtocolError::Invalid { detail: detail.to_string() })?;
    let store = open_store().await?;
    let counts = noted(store.merge_in_batches(parsed.records, MergeSource::Import, IMPORT_BATCH, |_, _| {}).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Imported { added: counts.added, merged: counts.merged, rejected: parsed.rejected.iter().map(ToString::to_string).collect() })
}

async fn open_capture(id: &str) -> Result<Done, ProtocolError> {
    let capture = open_store().await?.get(id).await?.ok_or(ProtocolError::CaptureGone)?;
    let url = escucha_core::log::links::comment_link(&capture.context.value).ok_or(ProtocolError::NoLink)?;
    let tab = platform::open_tab(url).await.map_err(internal)?;
    // The tab's content script reads this when it starts, re-anchors the
    // capture and flashes it.
    platform::session_set(&reveal_key(tab), id).await.map_err(storage)?;
    Ok(Done {})
}

async fn log_status() -> Result<LogStatus, ProtocolError> {
    let memory = STORAGE_PROBLEM.with(|p| p.borrow().clone());
    let status = match open_store().await {
        Ok(store) => store.status().await,
        Err(e) => Err(e),
    };
    let mut status = match (status, &memory) {
        (Ok(s), _) => s,
        // Chromium will not reopen a database on a full disk; the write
        // that failed first said why, which is what the manager needs.
        (Err(e), Some((failure, action))) if e.code() == ErrorCode::Storage => {
            return Err(ProtocolError::Storage { failure: failure.clone(), action: *action })
        }
        (Err(e), _) => return Err(e),
    };
    // A failed write outranks an older sync problem: it is what the
    // manager just ran into.
    if let Some((failure, action)) = memory {
        status.problem = Some(Problem::LocalStore { failure, action });
    }
    Ok(status)
}

async fn sync_now() -> Result<Synced, ProtocolError> {
    let summary = sync::run(true).await?;
    let status = open_store().await?.status().await?;
    Ok(Synced { sent: summary.sent, received: summary.received, problem: summary.problem, status })
}

async fn sync_state() -> Result<SyncState, ProtocolError> {
    let store = open_store().await?;
    Ok(SyncState { token_saved: sync::token_saved().await, status: store.status().await?, quarantined: sync::quarantined(&store).await? })
}

async fn retry_capture(id: &str) -> Result<Done, ProtocolError> {
    noted(open_store().await?.retry(id).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Done {})
}

async fn discard_capture(id: &str) -> Result<Done, ProtocolError> {
    noted(open_store().await?.discard(id).await)?;
    announce_log_changed();
    Ok(Done {})
}

/// The page a card frame's claimed ticket was issued for, if the ticket
/// comes from that tab.
async fn card_session(ticket: &str, sender_tab: Option<i32>) -> Result<String, ProtocolError> {
    with_card_tickets(|t| t.session(ticket, sender_tab).map(str::to_string)).await?.ok_or(ProtocolError::StaleTicket)
}

async fn log_capture(captured: escucha_core::log::CaptureContext, tags: Option<escucha_core::log::Tags>) -> Result<Logged, ProtocolError> {
    let settings = load_effective().await?;
    let store = open_store().await?;
    let member = settings.sync.member.trim();
    let capture = noted(store.log_capture(captured, tags, &settings.capture_defaults, member, now_ms()).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Logged { capture })
}

async fn edit_capture(id: &str, edit: &escucha_core::log::CaptureEdit) -> Result<Logged, ProtocolError> {
    // A teammate's capture shown from the page look-up is stored on its first edit.
    held_or_looked_up(id).await?;
    let (settings, _problem) = load_settings().await?;
    let store = open_store().await?;
    // The member name authors comments and history events.
    let capture = noted(store.edit(id, edit, settings.sync.member.trim(), now_ms()).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Logged { capture })
}

/// What a page may know: whether Escucha runs there, and the brand list.
async fn content_config(url: &str) -> Result<ContentConfig, ProtocolError> {
    let settings = load_effective().await?;
    let reason = match settings.sites.allows(url) {
        SiteDecision::Allowed => None,
        other => Some(other),
    };
    Ok(ContentConfig {
        enabled: reason.is_none(),
        reason,
        brands: settings.brands,
        departments: settings.departments,
        defaults: settings.capture_defaults,
    })
}

/// Settings as stored, or the defaults plus what was wrong with the stored copy.
async fn load_settings() -> Result<(Settings, Option<escucha_core::settings::SettingsProblem>), ProtocolError> {
    let stored = platform::storage_get(SETTINGS_KEY).await.map_err(storage)?;
    let (mut settings, problem) = Settings::load(stored.as_deref());
    // config12: what the organization's policy sets wins over what was stored.
    platform::managed_policy().await.apply(&mut settings);
    Ok((settings, problem))
}

/// The settings this browser runs: its own, or its team's document merged
/// with the member's additions (see [`team_config`]).
async fn load_effective() -> Result<Settings, ProtocolError> {
    let (local, _problem) = load_settings().await?;
    Ok(team_config::effective(local).await)
}

/// Store settings, then tell open tabs so they re-highlight without a reload.
async fn save_settings(settings: &Settings) -> Result<(), ProtocolError> {
    let json = serde_json::to_string(settings).map_err(|e| internal(PlatformError(e.to_string())))?;
    platform::storage_set(&[(SETTINGS_KEY, &json)]).await.map_err(storage)?;
    // Another endpoint may be another team: its page answers do not carry over.
    page_lookup::forget();
    broadcast(&SettingsChanged {}).await;
    Ok(())
}

/// Tell every tab's content scripts; tabs without one just don't answer.
async fn broadcast<R: Request>(request: &R) {
    let Ok(tabs) = platform::all_tab_ids().await else { return };
    for tab in tabs {
        let _ = platform::send_to_tab(tab, None, request).await;
    }
}

/// The local log, opened once per worker start (a handle, not state).
async fn open_store() -> Result<Store, ProtocolError> {
    Store::shared().await.inspect_err(note_failure)
}

/// Remember a write's storage failure for the popup; a successful write clears it.
fn noted<T>(result: Result<T, ProtocolError>) -> Result<T, ProtocolError> {
    match &result {
        Ok(_) => STORAGE_PROBLEM.with(|p| *p.borrow_mut() = None),
        Err(e) => note_failure(e),
    }
    result
}

fn note_failure(e: &ProtocolError) {
    // An open failing after a full-disk write says less than the write did; keep the first.
    if let ProtocolError::Storage { failure, action } = e {
        if STORAGE_PROBLEM.with(|p| p.borrow().is_none()) {
            STORAGE_PROBLEM.with(|p| *p.borrow_mut() = Some((failure.clone(), *action)));
        }
    }
}

/// Tell extension pages (popup, log page) and content scripts that the log
/// changed, without delaying the reply: the change is already committed.
pub(crate) fn announce_log_changed() {
    wasm_bindgen_futures::spawn_local(async {
        // No page open is the usual case, not an error.
        let _ = platform::send(&LogChanged {}).await;
    });
    wasm_bindgen_futures::spawn_local(async { broadcast(&LogChanged {}).await });
    // wsui12: a pulled comment may mention this member.
    workspace::recount_soon();
}

/// `storage.session` key naming the capture a tab opened from the log page
/// should reveal: `revealCapture:<tabId>` → capture id.
pub const REVEAL_KEY_PREFIX: &str = "revealCapture:";

pub fn reveal_key(tab_id: i32) -> String {
    format!("{REVEAL_KEY_PREFIX}{tab_id}")
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

pub fn tab_closed(tab_id: i32) {
    MENTIONS.with(|m| m.borrow_mut().retain(|(t, _), _| *t != tab_id));
    TICKETS.with(|t| t.borrow_mut().forget_tab(tab_id));
    wasm_bindgen_futures::spawn_local(async move {
        let _ = with_card_tickets(|t| t.forget_tab(tab_id)).await;
    });
}

/// Each tab's page mention count (the sum of its frames'), for redrawing badges.
fn page_counts() -> Vec<(i32, u32)> {
    MENTIONS.with(|m| {
        let mut per_tab: HashMap<i32, u32> = HashMap::new();
        for ((tab, _), n) in m.borrow().iter() {
            *per_tab.entry(*tab).or_default() += n;
        }
        per_tab.into_iter().collect()
    })
}

fn internal(e: PlatformError) -> ProtocolError {
    ProtocolError::Internal { detail: e.0 }
}

/// `storage.local`/`storage.session` failed: the browser's words are the detail.
fn storage(e: PlatformError) -> ProtocolError {
    ProtocolError::Storage { failure: StoreFailure::Unavailable(e.0), action: StoreAction::Edit }
}
