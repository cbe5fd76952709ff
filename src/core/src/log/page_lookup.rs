//! Asking the team log which captures exist for the page being viewed
//! (`GET /api/v1/page-captures`), so a teammate's capture outside this
//! browser's window ([`super::window`]) still shows on the card and in the
//! popup.
//!
//! Answers are cached per page for [`FRESH_MS`] (the card, the popup and
//! every frame ask for the same page within seconds). A failed look-up
//! (offline, server down, 5xx) is not an error the manager sees: the local
//! window answers alone, and the server is not asked again for [`QUIET_MS`],
//! so a browser offline does not send a request per page view.

use std::collections::HashMap;

use super::ingest::page_key;
use super::record::Capture;

/// How long a page's answer is reused.
pub const FRESH_MS: i64 = 30_000;
/// After a failed look-up, how long only the local window answers.
pub const QUIET_MS: i64 = 60_000;
/// A look-up waits at most this long (the card is waiting on it).
pub const TIMEOUT_MS: u32 = 4_000;
/// Pages remembered (the oldest answer goes first).
pub const MAX_PAGES: usize = 64;

/// The look-up's URL under the team log's API base (`…/api/v1/`).
pub fn lookup_url(api_base: &str, page_url: &str) -> String {
    let encoded: String = page_url
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("{api_base}page-captures?url={encoded}")
}

/// The route's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageCapturesAnswer {
    pub items: Vec<Capture>,
}

/// What to do for a page now.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// A fresh answer is at hand.
    Cached(Vec<Capture>),
    /// Ask the server.
    Ask,
    /// Offline lately: the local window answers alone.
    LocalOnly,
}

/// The worker's cache of look-ups. Only a cache: losing it costs a request.
#[derive(Debug, Default)]
pub struct PageLookups {
    pages: HashMap<String, (i64, Vec<Capture>)>,
    quiet_until_ms: i64,
}

impl PageLookups {
    pub fn plan(&self, page_url: &str, now_ms: i64) -> Plan {
        match self.pages.get(page_key(page_url)) {
            Some((at, items)) if now_ms - at < FRESH_MS && now_ms >= *at => Plan::Cached(items.clone()),
            _ if now_ms < self.quiet_until_ms => Plan::LocalOnly,
            _ => Plan::Ask,
        }
    }

    /// The server answered for `page_url`.
    pub fn answered(&mut self, page_url: &str, items: Vec<Capture>, now_ms: i64) {
        self.quiet_until_ms = 0;
        if self.pages.len() >= MAX_PAGES {
            if let Some(oldest) = self.pages.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone()) {
                self.pages.remove(&oldest);
            }
        }
        self.pages.insert(page_key(page_url).to_string(), (now_ms, items));
    }

    /// The look-up failed (network, timeout, a refusal): be quiet a while.
    pub fn failed(&mut self, now_ms: i64) {
        self.quiet_until_ms = now_ms + QUIET_MS;
    }

    /// A capture of a looked-up page by id (to edit one this browser does
    /// not hold: it is stored first, then edited).
    pub fn find(&self, id: &str) -> Option<&Capture> {
        self.pages.values().flat_map(|(_, items)| items).find(|c| c.id == id)
    }

    /// Forget every answer (the endpoint or the token changed).
    pub fn clear(&mut self) {
        *self = PageLookups::default();
    }
}

/// The page's captures: the local window's and the server's, one per id
/// (two copies merge field by field, so an edit made here and not yet
/// pushed wins as it will on the server), deleted ones left out, in id order.
pub fn combine(local: Vec<Capture>, remote: &[Capture]) -> Vec<Capture> {
    let mut by_id: HashMap<String, Capture> = local.into_iter().map(|c| (c.id.clone(), c)).collect();
    for r in remote {
        by_id
            .entry(r.id.clone())
            .and_modify(|c| {
                c.merge(r);
            })
            .or_insert_with(|| r.clone());
    }
    let mut out: Vec<Capture> = by_id.into_values().filter(|c| !c.deleted.value).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{CaptureContext, Status, Tags};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    const NOW: i64 = 1_780_000_000_000;

    fn capture(id: &str, page: &str, by: &str) -> Capture {
        let ctx = CaptureContext { page_url: page.into(), ..Default::default() };
        Capture::new(id.into(), ctx, &Tags::default(), by, Stamp { ms: NOW - 1000, counter: 0, actor: format!("dev-{by}") })
    }

    fn edited(mut c: Capture, edit: CaptureEdit, ms: i64) -> Capture {
        c.apply(&edit, &Stamp { ms, counter: 0, actor: "dev-ana".into() }, "ana").unwrap();
        c
    }

    #[test]
    fn lookup_url_encodes_the_page() {
        let table = [
            ("https://foro.example/t/1", "https%3A%2F%2Fforo.example%2Ft%2F1"),
            ("https://foro.example/t?a=1&b=ñ", "https%3A%2F%2Fforo.example%2Ft%3Fa%3D1%26b%3D%C3%B1"),
            ("https://foro.example/t#c5", "https%3A%2F%2Fforo.example%2Ft%23c5"),
        ];
        for (page, query) in table {
            assert_eq!(
                lookup_url("http://127.0.0.1:8787/api/v1/", page),
                format!("http://127.0.0.1:8787/api/v1/page-captures?url={query}")
            );
        }
    }

    #[test]
    fn cache_plans() {
        let page = "https://foro.example/t/1";
        let item = capture("01", page, "bo");
        let mut cache = PageLookups::default();
        assert_eq!(cache.plan(page, NOW), Plan::Ask);
        cache.answered(page, vec![item.clone()], NOW);
        // (page asked, time) -> plan
        let table = [
            (page, NOW, Plan::Cached(vec![item.clone()])),
            ("https://foro.example/t/1#c9", NOW + 10, Plan::Cached(vec![item.clone()])),
            (page, NOW + FRESH_MS - 1, Plan::Cached(vec![item.clone()])),
            (page, NOW + FRESH_MS, Plan::Ask),
            // A clock set back does not make an answer fresh forever.
            (page, NOW - 5, Plan::Ask),
            ("https://foro.example/t/2", NOW, Plan::Ask),
        ];
        for (p, t, want) in table {
            assert_eq!(cache.plan(p, t), want, "{p} at {t}");
        }
        // Offline: quiet for a while, even for pages never asked; then ask again.
        cache.failed(NOW + 100);
        assert_eq!(cache.plan("https://foro.example/t/2", NOW + 200), Plan::LocalOnly);
        assert_eq!(cache.plan(page, NOW + 200), Plan::Cached(vec![item.clone()]));
        assert_eq!(cache.plan("https://foro.example/t/2", NOW + 100 + QUIET_MS), Plan::Ask);
        // An answer ends the quiet period.
        cache.answered("https://foro.example/t/3", vec![], NOW + 300);
        assert_eq!(cache.plan("https://foro.example/t/2", NOW + 300), Plan::Ask);
        assert_eq!(cache.find("01"), Some(&item));
        assert_eq!(cache.find("02"), None);
        cache.clear();
        assert_eq!(cache.plan(page, NOW), Plan::Ask);
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = PageLookups::default();
        for i in 0..(MAX_PAGES as i64 + 10) {
            cache.answered(&format!("https://foro.example/t/{i}"), vec![], NOW + i);
        }
        assert_eq!(cache.pages.len(), MAX_PAGES);
        assert_eq!(cache.plan("https://foro.example/t/0", NOW + 100), Plan::Ask);
        assert!(matches!(cache.plan(&format!("https://foro.example/t/{}", MAX_PAGES + 9), NOW + 100), Plan::Cached(_)));
    }

    #[test]
    fn combine_merges_by_id_and_hides_deleted() {
        let page = "https://foro.example/t/1";
        let mine = capture("01", page, "ana");
        let theirs = capture("02", page, "bo");
        let gone = capture("03", page, "bo");
        // An edit made here, not pushed yet, against the server's older copy.
        let mine_edited = edited(mine.clone(), CaptureEdit { status: Some(Status::Responded), ..Default::default() }, NOW);
        let deleted_here = edited(gone.clone(), CaptureEdit { deleted: Some(true), ..Default::default() }, NOW);
        // (local, remote) -> ids and statuses shown
        type Row = (Vec<Capture>, Vec<Capture>, Vec<(&'static str, Status)>);
        let table: Vec<Row> = vec![
            (vec![], vec![], vec![]),
            (vec![mine.clone()], vec![], vec![("01", Status::New)]),
            (vec![], vec![theirs.clone()], vec![("02", Status::New)]),
            (vec![mine_edited.clone()], vec![mine.clone(), theirs.clone()], vec![("01", Status::Responded), ("02", Status::New)]),
            (vec![mine.clone()], vec![mine_edited.clone()], vec![("01", Status::Responded)]),
            (vec![deleted_here.clone()], vec![gone.clone(), theirs.clone()], vec![("02", Status::New)]),
        ];
        for (i, (local, remote, want)) in table.into_iter().enumerate() {
            let got: Vec<(String, Status)> = combine(local, &remote).into_iter().map(|c| (c.id, c.status.value)).collect();
            let want: Vec<(String, Status)> = want.into_iter().map(|(id, s)| (id.to_string(), s)).collect();
            assert_eq!(got, want, "row {i}");
        }
    }
}
