//! Which captures exist for a page: the local window's, plus the team log's
//! answer from `GET /api/v1/page-captures` (decided and cached per
//! `escucha_core::log::page_lookup`). Offline, or without a team log, the
//! local window answers alone and nothing is reported: the card still works.

use std::cell::RefCell;

use escucha_core::log::page_lookup::{self, PageCapturesAnswer, PageLookups, Plan};
use escucha_core::log::Capture;
use escucha_core::settings::SyncMode;

use crate::platform;

thread_local! {
    /// Answers per page; only a cache (lost with the worker).
    static LOOKUPS: RefCell<PageLookups> = RefCell::new(PageLookups::default());
}

/// The page's captures: `local` (this browser's window) combined with the
/// team log's, one per id.
pub async fn combined(page_url: &str, local: Vec<Capture>) -> Vec<Capture> {
    let remote = match LOOKUPS.with(|l| l.borrow().plan(page_url, now_ms())) {
        Plan::Cached(items) => items,
        Plan::LocalOnly => Vec::new(),
        Plan::Ask => ask(page_url).await.unwrap_or_default(),
    };
    page_lookup::combine(local, &remote)
}

/// A capture this browser does not hold, from a recent look-up (to store it
/// before a manager's edit).
pub fn remembered(id: &str) -> Option<Capture> {
    LOOKUPS.with(|l| l.borrow().find(id).cloned())
}

/// The endpoint or token changed: earlier answers are another team's.
pub fn forget() {
    LOOKUPS.with(|l| l.borrow_mut().clear());
}

/// Ask the team log; `None` when there is none to ask or it did not answer.
async fn ask(page_url: &str) -> Option<Vec<Capture>> {
    let (endpoint, token) = super::sync::team_log_access(SyncMode::TeamLog).await?;
    let url = page_lookup::lookup_url(&endpoint.api(""), page_url);
    let bearer = format!("Bearer {token}");
    let headers = [("Accept", "application/json"), ("Authorization", bearer.as_str())];
    let answer = platform::fetch("GET", &url, &headers, None, page_lookup::TIMEOUT_MS).await;
    let items = match answer {
        Ok(r) if r.status == 200 => serde_json::from_str::<PageCapturesAnswer>(&r.body).ok().map(|p| p.items),
        _ => None,
    };
    LOOKUPS.with(|l| {
        let mut l = l.borrow_mut();
        match &items {
            Some(items) => l.answered(page_url, items.clone(), now_ms()),
            // Sync's own runs report problems; here the local window answers.
            None => l.failed(now_ms()),
        }
    });
    items
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
