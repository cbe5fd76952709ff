//! Issue 12 in the service worker: the team's member names (cached from
//! `GET /api/v1/members` after every sync, so the card and the pages offer
//! assignees offline), the popup's quick views and @mentions, and the
//! toolbar badge that combines the page's mention count with the @mentions
//! of this member not opened yet. Every decision is
//! `escucha_core::pages::workspace`'s; this module reads, stores and draws.

use std::cell::Cell;

use escucha_core::pages::workspace::{self, Me, MentionsSeen, WorkspaceSummary};
use escucha_core::protocol::requests::{Done, Members};
use escucha_core::protocol::ProtocolError;
use escucha_core::settings::SyncMode;
use escucha_core::sync::api::MembersResponse;

use crate::platform;

/// `storage.local`: the team's member names (JSON list).
const MEMBERS_KEY: &str = "teamMembers";
/// `storage.local`: which mentions this member opened ([`MentionsSeen`]).
const SEEN_KEY: &str = "mentionsSeen";
/// The badge's colours: the page count's (the browser's usual red-brown
/// is kept for it) and the @mentions'.
const PAGE_COLOUR: &str = "#c2410c";
const MENTION_COLOUR: &str = "#1c4a6e";

thread_local! {
    /// Unopened @mentions of this member, once counted in this worker.
    static UNSEEN: Cell<u32> = const { Cell::new(0) };
    /// A recount is waiting (several log changes in a burst count once).
    static RECOUNT_QUEUED: Cell<bool> = const { Cell::new(false) };
}

/// The cached member names (empty until a sync with a team log fetched them).
pub async fn members() -> Vec<String> {
    let stored = platform::storage_get(MEMBERS_KEY).await.ok().flatten();
    stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
}

pub async fn members_reply() -> Result<Members, ProtocolError> {
    Ok(Members { members: members().await })
}

/// After a sync run: fetch the member list (a failure keeps the last one),
/// then recount the mentions the pull may have brought.
pub async fn synced() {
    if let Some((endpoint, token)) = super::sync::team_log_access(SyncMode::TeamLog).await {
        let bearer = format!("Bearer {token}");
        let headers = [("Accept", "application/json"), ("Authorization", bearer.as_str())];
        let answer = platform::fetch("GET", &endpoint.api("members"), &headers, None, 10_000).await;
        if let Ok(r) = answer {
            if r.status == 200 {
                if let Ok(list) = serde_json::from_str::<MembersResponse>(&r.body) {
                    let names: Vec<String> = list.members.into_iter().map(|m| m.name).collect();
                    if let Ok(json) = serde_json::to_string(&names) {
                        let _ = platform::storage_set(&[(MEMBERS_KEY, &json)]).await;
                    }
                }
            }
        }
    }
    recount().await;
}

async fn seen() -> MentionsSeen {
    let stored = platform::storage_get(SEEN_KEY).await.ok().flatten();
    stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
}

/// The popup's summary over the local window of the log.
pub async fn summary() -> Result<WorkspaceSummary, ProtocolError> {
    let (settings, _) = super::load_settings().await?;
    let captures = super::open_store().await?.all().await?;
    let me = Me { member: &settings.sync.member, department: settings.sync.department.as_deref() };
    let s = workspace::summary(&captures, &me, &members().await, &seen().await);
    set_unseen(s.unseen).await;
    Ok(s)
}

/// The popup opened a mention: remember it, and the badge drops it.
pub async fn mention_opened(comment_id: &str) -> Result<Done, ProtocolError> {
    let (settings, _) = super::load_settings().await?;
    let captures = super::open_store().await?.all().await?;
    let items = workspace::mentions_of(&captures, &settings.sync.member, &members().await);
    let mut seen = seen().await;
    seen.mark(comment_id, &items);
    let json = serde_json::to_string(&seen).map_err(|e| ProtocolError::Internal { detail: e.to_string() })?;
    platform::storage_set(&[(SEEN_KEY, &json)]).await.map_err(super::storage)?;
    set_unseen(seen.unseen(&items).len() as u32).await;
    Ok(Done {})
}

/// Count the unopened mentions again, soon (the log changed).
pub fn recount_soon() {
    if RECOUNT_QUEUED.with(|q| q.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        gloo_timers::future::TimeoutFuture::new(1_000).await;
        RECOUNT_QUEUED.with(|q| q.set(false));
        recount().await;
    });
}

async fn recount() {
    let Ok((settings, _)) = super::load_settings().await else { return };
    let Ok(store) = super::open_store().await else { return };
    let Ok(captures) = store.all().await else { return };
    let items = workspace::mentions_of(&captures, &settings.sync.member, &members().await);
    set_unseen(seen().await.unseen(&items).len() as u32).await;
}

/// A new unseen count: redraw every badge when it changed.
async fn set_unseen(n: u32) {
    if UNSEEN.with(|u| u.replace(n)) == n {
        return;
    }
    // Tabs without a page count show the browser-wide badge.
    let _ = draw(None, 0).await;
    for (tab, count) in super::page_counts() {
        let _ = draw(Some(tab), count).await;
    }
}

/// The badge of `tab` (or the browser-wide one) for its page's mention count.
pub async fn draw(tab: Option<i32>, page_mentions: u32) -> Result<(), platform::PlatformError> {
    let b = workspace::badge(page_mentions, UNSEEN.with(Cell::get));
    let details = js_sys::Object::new();
    match tab {
        Some(tab) => {
            platform::set_badge(tab, &b.text).await?;
            js_sys::Reflect::set(&details, &"tabId".into(), &tab.into())?;
        }
        None => {
            let all = js_sys::Object::new();
            js_sys::Reflect::set(&all, &"text".into(), &b.text.as_str().into())?;
            platform::call("action.setBadgeText", &[all.into()]).await?;
        }
    }
    js_sys::Reflect::set(&details, &"color".into(), &(if b.mentions { MENTION_COLOUR } else { PAGE_COLOUR }).into())?;
    platform::call("action.setBadgeBackgroundColor", &[details.into()]).await?;
    Ok(())
}
