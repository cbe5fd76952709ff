//! The service worker: the only context that holds settings and decides who
//! may ask for what. It answers every [`Message`] after [`authorize`].

pub mod sync;

use std::cell::RefCell;
use std::collections::HashMap;

use escucha_core::card_frame::{self, CardTickets};
use escucha_core::matcher_frame::{self, TicketBook};
use escucha_core::protocol::{authorize, Context, ErrorCode, Message, ProtocolError, Reply};
use escucha_core::settings::Settings;
use escucha_core::sites::SiteDecision;
use wasm_bindgen::JsValue;

use crate::platform::{self, PlatformError};
use crate::store::{MergeSource, Store};

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
    static STORAGE_PROBLEM: RefCell<Option<String>> = const { RefCell::new(None) };
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
    platform::session_set(CARD_TICKETS_KEY, &json).await.map_err(|e| ProtocolError::new(ErrorCode::Storage, e.0))?;
    Ok(result)
}

/// Called once per worker start.
pub async fn start() -> Result<(), PlatformError> {
    // Content scripts must never read our storage (it will hold the sync token).
    let level = js_sys::Object::new();
    js_sys::Reflect::set(&level, &"accessLevel".into(), &"TRUSTED_CONTEXTS".into())?;
    if let Err(e) = platform::call("storage.local.setAccessLevel", &[level.into()]).await {
        // Firefox has no setAccessLevel: its content scripts cannot read
        // extension storage.local of their own accord anyway.
        web_sys::console::debug_1(&format!("Escucha: storage.local.setAccessLevel unavailable: {e}").into());
    }
    if let Err(e) = create_menus().await {
        web_sys::console::warn_1(&format!("Escucha: context menu unavailable: {e}").into());
    }
    // Not awaited: the alarm check and a resumed sync must not hold up messages.
    wasm_bindgen_futures::spawn_local(sync::start());
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
        let _ = platform::send_to_tab(tab_id, Some(frame_id), &Message::LogSelection).await;
    }
}

/// A keyboard command in a tab: every frame hears it, the focused one acts.
pub async fn command(name: String, tab_id: i32) {
    if name == COMMAND_OPEN_CARD && tab_id >= 0 {
        let _ = platform::send_to_tab(tab_id, None, &Message::OpenCard).await;
    }
}

pub async fn handle(message: JsValue, sender: JsValue) -> Reply {
    let sender = platform::sender_info(&sender);
    let own_id = match platform::runtime_id() {
        Ok(id) => id,
        Err(e) => return Reply::Error(ProtocolError::new(ErrorCode::Internal, e.0)),
    };
    let message = match platform::message_from_js(message) {
        Ok(m) => m,
        Err(e) => return Reply::Error(e),
    };
    let context = match authorize(&message, &sender, &own_id) {
        Ok(c) => c,
        Err(e) => return Reply::Error(e),
    };
    match dispatch(message, context, sender.tab_id, sender.url.unwrap_or_default()).await {
        Ok(reply) => reply,
        Err(e) => Reply::Error(e),
    }
}

/// `sender_tab`: the tab the sender lives in, if any (a matcher frame lives
/// in its page's tab); `sender_url`: its address as the browser reports it.
async fn dispatch(message: Message, context: Context, sender_tab: Option<i32>, sender_url: String) -> Result<Reply, ProtocolError> {
    match message {
        Message::Ping => Ok(Reply::Pong { version: escucha_core::VERSION.into(), context: "service_worker".into() }),
        Message::ContentHello { url } => {
            if let Context::ContentScript { tab_id, frame_id: 0 } = context {
                // A new top-level page: counts from the previous one are stale.
                MENTIONS.with(|m| m.borrow_mut().retain(|(t, _), _| *t != tab_id));
            }
            content_config(&url).await
        }
        Message::OpenMatcher { url } => {
            let Context::ContentScript { tab_id, frame_id } = context else {
                return Err(ProtocolError::new(ErrorCode::Forbidden, "Only a content script in a tab opens a matcher frame."));
            };
            if frame_id == 0 {
                MENTIONS.with(|m| m.borrow_mut().retain(|(t, _), _| *t != tab_id));
            }
            let ticket = matcher_frame::ticket_from_bytes(&platform::random_bytes().map_err(internal)?);
            TICKETS.with(|t| t.borrow_mut().issue(ticket.clone(), tab_id, url));
            Ok(Reply::MatcherTicket { ticket })
        }
        Message::MatcherHello { ticket } => {
            let url = TICKETS
                .with(|t| t.borrow_mut().redeem(&ticket, sender_tab))
                .ok_or_else(|| ProtocolError::new(ErrorCode::Forbidden, "This matcher ticket is unknown, used, or from another tab."))?;
            content_config(&url).await
        }
        Message::OpenCardFrame => {
            let Context::ContentScript { tab_id, .. } = context else {
                return Err(ProtocolError::new(ErrorCode::Forbidden, "Only a content script in a tab opens the card."));
            };
            // Bound to the page the browser says the content script is on.
            let ticket = matcher_frame::ticket_from_bytes(&platform::random_bytes().map_err(internal)?);
            let issued = ticket.clone();
            with_card_tickets(move |t| t.issue(issued, tab_id, sender_url)).await?;
            Ok(Reply::CardTicket { ticket })
        }
        Message::CardHello { ticket } => {
            let page_url = with_card_tickets(|t| t.claim(&ticket, sender_tab))
                .await?
                .ok_or_else(|| ProtocolError::new(ErrorCode::Forbidden, "This card ticket is unknown, used, or from another tab."))?;
            let (settings, _problem) = load_settings().await?;
            Ok(Reply::CardConfig {
                page_url,
                member: settings.sync.member.trim().to_string(),
                brands: settings.brands,
                departments: settings.departments,
                defaults: settings.capture_defaults,
            })
        }
        Message::CardLog { ticket, context: captured, tags } => {
            let page = card_session(&ticket, sender_tab).await?;
            if !card_frame::cited_page_allowed(&page, &captured.page_url) {
                return Err(ProtocolError::new(
                    ErrorCode::Forbidden,
                    format!("A card opened on {page} may not log a capture of {}.", captured.page_url),
                ));
            }
            log_capture(captured, tags).await
        }
        Message::CardEdit { ticket, id, edit } => {
            card_session(&ticket, sender_tab).await?;
            edit_capture(&id, &edit).await
        }
        Message::MentionsFound { count, .. } => {
            if let Context::ContentScript { tab_id, frame_id } = context {
                // Each frame reports its own count; the badge shows the page's sum.
                let total: u32 = MENTIONS.with(|m| {
                    let mut m = m.borrow_mut();
                    m.insert((tab_id, frame_id), count);
                    m.iter().filter(|((t, _), _)| *t == tab_id).map(|(_, c)| *c).sum()
                });
                platform::set_badge(tab_id, &badge_text(total)).await.map_err(internal)?;
            }
            Ok(Reply::Ok)
        }
        Message::GetSettings => {
            let (settings, problem) = load_settings().await?;
            Ok(Reply::Settings { settings, problem: problem.map(|p| p.message) })
        }
        Message::SaveSettings { settings } => {
            settings.validate().map_err(|m| ProtocolError::new(ErrorCode::Invalid, m.to_string()))?;
            save_settings(&settings).await?;
            // A new endpoint or mode: sync soon, without waiting out an old backoff.
            sync::changed();
            Ok(Reply::Ok)
        }
        Message::ToggleSite { url } => {
            let (mut settings, problem) = load_settings().await?;
            if let Some(p) = problem {
                // Saving now would replace the unreadable stored copy with defaults.
                return Err(ProtocolError::new(ErrorCode::Invalid, p.message));
            }
            let enabled = settings
                .sites
                .toggle_site(&url)
                .ok_or_else(|| ProtocolError::new(ErrorCode::Invalid, "This page has no site to switch Escucha on or off for."))?;
            save_settings(&settings).await?;
            Ok(Reply::SiteToggled { enabled: !enabled })
        }
        Message::LogCapture { context: captured, tags } => log_capture(captured, tags).await,
        Message::EditCapture { id, edit } => edit_capture(&id, &edit).await,
        Message::GetPageCaptures { url } => {
            let captures = open_store().await?.page_captures(&url).await?;
            // A tab opened by the log page's "open comment" shows that capture.
            let reveal = match context {
                Context::ContentScript { tab_id, frame_id: 0 } => platform::session_take(&reveal_key(tab_id)).await.ok().flatten(),
                _ => None,
            };
            Ok(Reply::PageCaptures { captures, reveal })
        }
        Message::ImportCaptures { json } => {
            // One reader for export files: checks the format and version, then each record.
            let parsed = escucha_core::log::import::parse_import(&json, now_ms())
                .map_err(|m| ProtocolError::new(ErrorCode::Invalid, m.to_string()))?;
            let store = open_store().await?;
            let counts = noted(store.merge_records(parsed.records, MergeSource::Import).await)?;
            announce_log_changed();
            sync::changed();
            Ok(Reply::Imported {
                added: counts.added,
                merged: counts.merged,
                rejected: parsed.rejected.iter().map(ToString::to_string).collect(),
            })
        }
        Message::OpenCapture { id } => {
            let capture = open_store()
                .await?
                .get(&id)
                .await?
                .ok_or_else(|| ProtocolError::new(ErrorCode::Invalid, "That capture is no longer in the log."))?;
            let url = escucha_core::log::links::comment_link(&capture.context.value)
                .ok_or_else(|| ProtocolError::new(ErrorCode::Invalid, "This capture has no web link to open."))?;
            let tab = platform::open_tab(url).await.map_err(internal)?;
            // The tab's content script reads this when it starts, re-anchors
            // the capture and flashes it.
            platform::session_set(&reveal_key(tab), &id).await.map_err(|e| ProtocolError::new(ErrorCode::Storage, e.0))?;
            Ok(Reply::Ok)
        }
        Message::LogChanged if context == Context::ExtensionPage => {
            // The log page wrote to the store itself (an import): tell the
            // tabs, and queue the new records for the team log.
            broadcast(&Message::LogChanged).await;
            sync::changed();
            Ok(Reply::Ok)
        }
        Message::GetLogStatus => {
            let memory = STORAGE_PROBLEM.with(|p| p.borrow().clone());
            let status = match open_store().await {
                Ok(store) => store.status().await,
                Err(e) => Err(e),
            };
            let mut status = match (status, &memory) {
                (Ok(s), _) => s,
                // Chromium will not reopen a database on a full disk; the write
                // that failed first said why, which is what the manager needs.
                (Err(e), Some(why)) if e.code == ErrorCode::Storage => return Err(ProtocolError::new(ErrorCode::Storage, why.clone())),
                (Err(e), _) => return Err(e),
            };
            // A failed write outranks an older sync problem: it is what the
            // manager just ran into.
            if memory.is_some() {
                status.problem = memory;
            }
            Ok(Reply::LogStatus(status))
        }
        Message::SyncNow => {
            let summary = sync::run(true).await?;
            let status = open_store().await?.status().await?;
            Ok(Reply::Synced { sent: summary.sent, received: summary.received, problem: summary.problem, status })
        }
        Message::TestConnection { mode, endpoint, token } => {
            let (settings, _) = load_settings().await?;
            Ok(Reply::ConnectionTested(sync::test_connection(mode, &endpoint, token, &settings.sync.member).await))
        }
        Message::SaveSyncToken { token } => {
            sync::save_token(&token).await?;
            Ok(Reply::Ok)
        }
        Message::GetSyncState => {
            let store = open_store().await?;
            Ok(Reply::SyncState {
                token_saved: sync::token_saved().await,
                status: store.status().await?,
                quarantined: sync::quarantined(&store).await?,
            })
        }
        Message::RetryCapture { id } => {
            noted(open_store().await?.retry(&id).await)?;
            announce_log_changed();
            sync::changed();
            Ok(Reply::Ok)
        }
        Message::DiscardCapture { id } => {
            noted(open_store().await?.discard(&id).await)?;
            announce_log_changed();
            Ok(Reply::Ok)
        }
        Message::SettingsChanged
        | Message::LogChanged
        | Message::OpenCard
        | Message::LogSelection
        | Message::GetPageMentions
        | Message::RevealMention { .. }
        | Message::BenchScan
        | Message::BenchFloor => {
            Err(ProtocolError::new(ErrorCode::Forbidden, format!("'{}' is for content scripts, not the service worker.", message.kind())))
        }
    }
}

/// The page a card frame's claimed ticket was issued for, if the ticket
/// comes from that tab.
async fn card_session(ticket: &str, sender_tab: Option<i32>) -> Result<String, ProtocolError> {
    with_card_tickets(|t| t.session(ticket, sender_tab).map(str::to_string))
        .await?
        .ok_or_else(|| ProtocolError::new(ErrorCode::Forbidden, "This card's ticket is unknown or from another tab: open the card again."))
}

async fn log_capture(captured: escucha_core::log::CaptureContext, tags: Option<escucha_core::log::Tags>) -> Result<Reply, ProtocolError> {
    let (settings, _problem) = load_settings().await?;
    let store = open_store().await?;
    let member = settings.sync.member.trim();
    let capture = noted(store.log_capture(captured, tags, &settings.capture_defaults, member, now_ms()).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Reply::Logged { capture })
}

async fn edit_capture(id: &str, edit: &escucha_core::log::CaptureEdit) -> Result<Reply, ProtocolError> {
    let store = open_store().await?;
    let capture = noted(store.edit(id, edit, now_ms()).await)?;
    announce_log_changed();
    sync::changed();
    Ok(Reply::Logged { capture })
}

/// What a page may know: whether Escucha runs there, and the brand list.
async fn content_config(url: &str) -> Result<Reply, ProtocolError> {
    let (settings, _problem) = load_settings().await?;
    let (enabled, reason) = match settings.sites.allows(url) {
        SiteDecision::Allowed => (true, None),
        other => (false, Some(format!("{other:?}"))),
    };
    Ok(Reply::ContentConfig {
        enabled,
        reason,
        brands: settings.brands,
        departments: settings.departments,
        defaults: settings.capture_defaults,
    })
}

/// Settings as stored, or the defaults plus what was wrong with the stored copy.
async fn load_settings() -> Result<(Settings, Option<escucha_core::settings::SettingsProblem>), ProtocolError> {
    let stored = platform::storage_get(SETTINGS_KEY).await.map_err(|e| ProtocolError::new(ErrorCode::Storage, e.0))?;
    Ok(Settings::load(stored.as_deref()))
}

/// Store settings, then tell open tabs so they re-highlight without a reload.
async fn save_settings(settings: &Settings) -> Result<(), ProtocolError> {
    let json = serde_json::to_string(settings).map_err(|e| internal(PlatformError(e.to_string())))?;
    platform::storage_set(&[(SETTINGS_KEY, &json)]).await.map_err(|e| ProtocolError::new(ErrorCode::Storage, e.0))?;
    broadcast(&Message::SettingsChanged).await;
    Ok(())
}

/// Tell every tab's content scripts; tabs without one just don't answer.
async fn broadcast(message: &Message) {
    let Ok(tabs) = platform::all_tab_ids().await else { return };
    for tab in tabs {
        let _ = platform::send_to_tab(tab, None, message).await;
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
    if e.code == ErrorCode::Storage && STORAGE_PROBLEM.with(|p| p.borrow().is_none()) {
        STORAGE_PROBLEM.with(|p| *p.borrow_mut() = Some(e.message.clone()));
    }
}

/// Tell extension pages (popup, log page) and content scripts that the log
/// changed, without delaying the reply: the change is already committed.
pub(crate) fn announce_log_changed() {
    wasm_bindgen_futures::spawn_local(async {
        // No page open is the usual case, not an error.
        let _ = platform::send_message(&Message::LogChanged).await;
    });
    wasm_bindgen_futures::spawn_local(async { broadcast(&Message::LogChanged).await });
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

/// Badges fit about four characters.
fn badge_text(count: u32) -> String {
    match count {
        0 => String::new(),
        n if n > 999 => "999+".into(),
        n => n.to_string(),
    }
}

fn internal(e: PlatformError) -> ProtocolError {
    ProtocolError::new(ErrorCode::Internal, e.0)
}
