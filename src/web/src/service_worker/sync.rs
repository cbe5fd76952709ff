//! Sync to the team log (or a webhook), carried out here and decided in
//! `escucha_core::sync::client`.
//!
//! The local log is the outbox. A run pushes pending records in batches,
//! acknowledges each by the stamp it sent (an edit made meanwhile stays
//! pending), quarantines what the server refuses, then pulls teammates'
//! changes since the stored cursor and merges them. Every step's result
//! (acknowledgements, cursor, backoff, last sync, problem) is written to the
//! log's meta before the next step, so a worker killed mid-run resumes where
//! it stopped and re-sending is harmless (the server merges idempotently).
//!
//! Runs start after local changes (debounced), from the periodic alarm
//! (created at every worker start if missing), at worker start when changes
//! wait, after a backoff delay, and on "Sync now".

use std::cell::Cell;

use escucha_core::log::outbox::QuarantineReason;
use escucha_core::log::store_error::{StoreAction, StoreFailure};
use escucha_core::log::window::{self, Holder, WINDOW};
use escucha_core::log::Capture;
use escucha_core::protocol::{ConnectionReport, ProtocolError, QuarantinedItem};
use escucha_core::settings::{Settings, SyncMode};
use escucha_core::sync::api::{PullResponse, PushRequest, PushResponse};
use escucha_core::sync::client::{
    self, after_attempt, parse_endpoint, push_actions, Attempt, Backoff, Endpoint, ItemAction, Next, Problem, PullCursor,
};

use crate::platform::{self, FetchFailure, HttpResponse};
use crate::store::{MergeSource, Store, META_LAST_SYNC_MS, META_PROBLEM, META_SYNC_CURSOR, META_SYNC_TOKEN};

/// Where versions before issue 10 kept the token, in `storage.local`: moved
/// into the log's meta ([`META_SYNC_TOKEN`]) at worker start.
const LEGACY_TOKEN_KEY: &str = "syncToken";
/// The periodic sync alarm.
pub const ALARM: &str = "escucha-sync";
/// Meta keys owned by sync (besides the store's cursor/last-sync/problem).
const META_BACKOFF: &str = "syncBackoff";
const META_PROBLEM_CODE: &str = "syncProblemCode";

thread_local! {
    /// A run is in progress in this worker: later triggers only ask for another.
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    /// Debounce generation: only the last change's timer starts a run.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

/// What one run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub sent: u32,
    pub received: u32,
    pub problem: Option<Problem>,
}

/// Worker start: make sure the alarm exists; resume if changes wait.
pub async fn start() {
    if let Err(e) = platform::ensure_alarm(ALARM, client::ALARM_PERIOD_MINUTES).await {
        web_sys::console::warn_1(&format!("Escucha: sync alarm unavailable: {e}").into());
    }
    let Ok(store) = Store::shared().await else { return };
    if let Err(e) = move_legacy_token(&store).await {
        web_sys::console::warn_1(&format!("Escucha: could not move the sync token out of storage.local: {e}").into());
    }
    // A new version may clean what an older one sent unclean (and the server
    // refused): those go back in the queue now.
    match store.recheck_quarantined(now_ms()).await {
        Ok(n) if n > 0 => super::announce_log_changed(),
        Ok(_) => {}
        Err(e) => web_sys::console::warn_1(&format!("Escucha: could not recheck refused captures: {e}").into()),
    }
    if !store.status().await.map(|s| s.pending > 0).unwrap_or(false) {
        return;
    }
    // Resume, but not before a backoff set by the previous worker runs out.
    let backoff: Backoff = store.meta(META_BACKOFF).await.ok().flatten().unwrap_or_default();
    let wait = backoff.not_before_ms.map_or(0, |t| (t - now_ms()).max(0));
    gloo_timers::future::TimeoutFuture::new(wait.min(u32::MAX as i64) as u32).await;
    spawn_run(false);
}

/// The periodic alarm fired.
pub fn alarm(name: &str) {
    if name == ALARM {
        spawn_run(false);
    }
}

/// A local change was committed: sync shortly, once the burst is over.
pub fn changed() {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    wasm_bindgen_futures::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(client::DEBOUNCE_MS as u32).await;
        if GENERATION.with(|g| g.get()) == generation {
            spawn_run(false);
        }
    });
}

fn spawn_run(manual: bool) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = run(manual).await;
    });
}

/// One run (or, when one is already going, a request for another after it).
/// `manual` ("Sync now") ignores the backoff.
pub async fn run(manual: bool) -> Result<Summary, ProtocolError> {
    if RUNNING.with(|r| r.replace(true)) {
        AGAIN.with(|a| a.set(true));
        return Ok(Summary::default());
    }
    let mut total = Summary::default();
    let result = loop {
        AGAIN.with(|a| a.set(false));
        match run_once(manual).await {
            Ok(s) => {
                total.sent += s.sent;
                total.received += s.received;
                total.problem = s.problem;
            }
            Err(e) => break Err(e),
        }
        if !AGAIN.with(|a| a.get()) {
            break Ok(total);
        }
    };
    RUNNING.with(|r| r.set(false));
    result
}

async fn run_once(manual: bool) -> Result<Summary, ProtocolError> {
    let store = Store::shared().await?;
    let settings = load_settings().await?;
    if !client::active(settings.sync.mode) {
        return Ok(Summary::default());
    }
    let mut backoff: Backoff = store.meta(META_BACKOFF).await?.unwrap_or_default();
    if !manual && !backoff.ready(now_ms()) {
        return Ok(Summary::default());
    }
    // config12: every run also asks for the team configuration (a 304 when unchanged).
    if settings.sync.mode == SyncMode::TeamLog {
        super::team_config::refresh().await;
    }
    let mut summary = Summary::default();
    let outcome = match prepare(&settings).await {
        Ok((endpoint, token)) => match settings.sync.mode {
            SyncMode::Webhook => deliver_webhooks(&store, &endpoint, token.as_deref(), &settings.sync.member, &mut summary).await,
            _ => exchange(&store, &endpoint, token.as_deref().unwrap_or(""), &settings.sync.member, &mut summary).await,
        },
        Err(problem) => Err((problem, None)),
    };
    match outcome {
        Ok(()) => {
            backoff.succeeded();
            store.set_meta(META_BACKOFF, Some(&backoff)).await?;
            store.set_meta(META_LAST_SYNC_MS, Some(&now_ms())).await?;
            store.set_meta::<Problem>(META_PROBLEM, None).await?;
            store.set_meta::<String>(META_PROBLEM_CODE, None).await?;
            // wsui12 (issue 12): the member list, and mentions the pull brought.
            super::workspace::synced().await;
        }
        Err((problem, retry)) => {
            if let Some(server_wait_ms) = retry {
                let delay = backoff.failed(&client::policy(), server_wait_ms, now_ms(), js_sys::Math::random());
                store.set_meta(META_BACKOFF, Some(&backoff)).await?;
                // Try again after the delay if this worker is still alive;
                // otherwise the alarm (or the next change) picks it up.
                wasm_bindgen_futures::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(delay.min(u32::MAX as u64) as u32).await;
                    spawn_run(false);
                });
            }
            // Data: the popup and the options page word it in their language.
            store.set_meta(META_PROBLEM, Some(&problem)).await?;
            store.set_meta(META_PROBLEM_CODE, Some(&problem.code().to_string())).await?;
            summary.problem = Some(problem);
        }
    }
    if summary.sent > 0 || summary.received > 0 || summary.problem.is_some() {
        super::announce_log_changed();
    }
    Ok(summary)
}

/// A failure: the problem, and `Some(server wait)` when it is worth retrying.
type Failure = (Problem, Option<Option<u64>>);

/// The endpoint, the token and the browser's permission, or why not.
async fn prepare(settings: &Settings) -> Result<(Endpoint, Option<String>), Problem> {
    let endpoint =
        parse_endpoint(&settings.sync.endpoint, settings.sync.mode).map_err(|e| Problem::Endpoint { key: e.key().name().to_string() })?;
    let token = saved_token().await;
    if token.is_none() && settings.sync.mode == SyncMode::TeamLog {
        return Err(Problem::NoToken);
    }
    if !platform::has_origin_permission(&endpoint.permission_pattern).await.unwrap_or(false) {
        return Err(Problem::Permission { origin: endpoint.origin.clone() });
    }
    Ok((endpoint, token))
}

/// The team log's endpoint and token when syncing with one in `mode` is
/// set up and allowed (the page look-up asks only then).
pub async fn team_log_access(mode: SyncMode) -> Option<(Endpoint, String)> {
    let settings = load_settings().await.ok()?;
    if settings.sync.mode != mode {
        return None;
    }
    match prepare(&settings).await {
        Ok((endpoint, Some(token))) => Some((endpoint, token)),
        _ => None,
    }
}

/// A pending batch as the sync client plans it ([`client::plan_push`]):
/// named and cleaned copies written locally first, the ones only the
/// manager can fix quarantined without sending. Returns what to send.
async fn planned(store: &Store, batch: Vec<Capture>, member: &str) -> Result<Vec<Capture>, Failure> {
    let plan = client::plan_push(batch, member, now_ms());
    store.replace_records(&plan.store).await.map_err(storage)?;
    for (c, why) in plan.hold {
        store.quarantine(&c.id, c.last_stamp(), why, now_ms()).await.map_err(storage)?;
    }
    Ok(plan.send)
}

/// Push every pending record in batches, then pull until the server has no more.
async fn exchange(store: &Store, endpoint: &Endpoint, token: &str, member: &str, summary: &mut Summary) -> Result<(), Failure> {
    let url = endpoint.api("push");
    let mut batch_size = client::PUSH_BATCH;
    let mut previous: Vec<String> = Vec::new();
    loop {
        let batch = store.pending(batch_size as u32).await.map_err(storage)?;
        let ids: Vec<String> = batch.iter().map(|c| c.id.clone()).collect();
        // Nothing left, or the same records again with nothing settled
        // (edited faster than we send, or a server that omits results):
        // stop here; the next run picks them up.
        if batch.is_empty() || ids == previous {
            break;
        }
        let batch = planned(store, batch, member).await?;
        if batch.is_empty() {
            previous = ids;
            continue;
        }
        let body = serde_json::to_string(&PushRequest { items: batch.clone() }).map_err(|e| unexpected(e.to_string()))?;
        let response = request(endpoint, "POST", &url, Some(token), &[], Some(&body), batch.len()).await?;
        let Some(response) = response else {
            batch_size = (batch_size / 2).max(1);
            continue;
        };
        let pushed: PushResponse = serde_json::from_str(&response.body).map_err(|e| unexpected(e.to_string()))?;
        for action in push_actions(&batch, &pushed, now_ms()) {
            match action {
                ItemAction::Acknowledge { id, stamp } => {
                    store.acknowledge(&id, &stamp).await.map_err(storage)?;
                    summary.sent += 1;
                }
                ItemAction::Quarantine { id, stamp, why } => {
                    store.quarantine(&id, &stamp, why, now_ms()).await.map_err(storage)?;
                }
                ItemAction::Keep { .. } => {}
            }
        }
        previous = ids;
    }
    let actor = store.actor().await.map_err(storage)?;
    let stored: Option<PullCursor> = store.meta(META_SYNC_CURSOR).await.map_err(storage)?;
    let mut cursor = PullCursor::for_endpoint(stored.as_ref(), endpoint).map(str::to_string);
    loop {
        let url = endpoint.pull_url(cursor.as_deref());
        let Some(response) = request(endpoint, "GET", &url, Some(token), &[], None, 0).await? else { break };
        let page: PullResponse = serde_json::from_str(&response.body).map_err(|e| unexpected(e.to_string()))?;
        summary.received += page.items.len() as u32;
        if !page.items.is_empty() {
            // Teammates' captures outside the window are not stored: the
            // server answers for them page by page (`super::page_lookup`).
            let holder = Holder { member, department: None, actor: &actor };
            let now = now_ms();
            store
                .merge_records_where(page.items, MergeSource::Server, |c| window::admit(c, &holder, &WINDOW, now))
                .await
                .map_err(storage)?;
        }
        // Only after the merge is on disk: a crash in between re-pulls the page.
        let next = PullCursor { endpoint: endpoint.url.clone(), cursor: page.cursor.clone() };
        store.set_meta(META_SYNC_CURSOR, Some(&next)).await.map_err(storage)?;
        if !page.more || cursor.as_deref() == Some(page.cursor.as_str()) {
            break;
        }
        cursor = Some(page.cursor);
    }
    super::window::sweep_if_due(store, member, &actor, summary.sent).await.map_err(storage)?;
    Ok(())
}

/// Webhook mode: each pending record is one POST, keyed for idempotency.
async fn deliver_webhooks(
    store: &Store,
    endpoint: &Endpoint,
    token: Option<&str>,
    member: &str,
    summary: &mut Summary,
) -> Result<(), Failure> {
    let mut previous: Vec<String> = Vec::new();
    loop {
        let batch = store.pending(client::PUSH_BATCH as u32).await.map_err(storage)?;
        let ids: Vec<String> = batch.iter().map(|c| c.id.clone()).collect();
        if batch.is_empty() || ids == previous {
            return Ok(());
        }
        let batch = planned(store, batch, member).await?;
        for capture in &batch {
            let delivery = client::webhook_delivery(capture, member);
            let body = delivery.body.to_string();
            let headers = [("Idempotency-Key", delivery.idempotency_key.as_str())];
            match request(endpoint, "POST", &endpoint.url, token, &headers, Some(&body), 1).await {
                Ok(_) => {
                    store.acknowledge(&capture.id, capture.last_stamp()).await.map_err(storage)?;
                    summary.sent += 1;
                }
                // This one item can never be delivered as it is: set it aside.
                Err((Problem::Refused { error, detail, .. }, None)) => {
                    let why = QuarantineReason::RefusedCode { code: error, message: detail };
                    store.quarantine(&capture.id, capture.last_stamp(), why, now_ms()).await.map_err(storage)?;
                }
                Err((Problem::Unexpected { detail, status }, None)) => {
                    let why = QuarantineReason::Refused { message: format!("HTTP {status}: {detail}") };
                    store.quarantine(&capture.id, capture.last_stamp(), why, now_ms()).await.map_err(storage)?;
                }
                Err(other) => return Err(other),
            }
        }
        previous = ids;
    }
}

/// One HTTP exchange. `Ok(None)` means "split the batch".
async fn request(
    endpoint: &Endpoint,
    method: &str,
    url: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: Option<&str>,
    items: usize,
) -> Result<Option<HttpResponse>, Failure> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = vec![("Accept", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    headers.extend_from_slice(extra);
    let result = platform::fetch(method, url, &headers, body, client::REQUEST_TIMEOUT_MS as u32).await;
    let attempt = match &result {
        Ok(r) => Attempt::Response { status: r.status, retry_after: r.retry_after.as_deref(), body: &r.body },
        Err(FetchFailure::Timeout) => Attempt::Timeout,
        Err(FetchFailure::Network(_)) => Attempt::NetworkError,
    };
    match after_attempt(attempt, endpoint, url, items, now_ms()) {
        Next::Go => Ok(result.ok()),
        Next::Split => Ok(None),
        Next::Retry { server_wait_ms, problem } => Err((problem, Some(server_wait_ms))),
        Next::Stop(problem) => Err((problem, None)),
    }
}

/// "Test connection": `GET /api/v1/me` (or a test POST to a webhook) with
/// the given token, or the saved one when `token` is `None`.
pub async fn test_connection(mode: SyncMode, endpoint: &str, token: Option<String>, member: &str) -> ConnectionReport {
    // Data: the options page words it in the manager's language.
    let report = ConnectionReport::Failed;
    let endpoint = match parse_endpoint(endpoint, mode) {
        Ok(e) => e,
        Err(e) => return report(Problem::Endpoint { key: e.key().name().to_string() }),
    };
    let token = match token.filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(t.trim().to_string()),
        None => saved_token().await,
    };
    if token.is_none() && mode == SyncMode::TeamLog {
        return report(Problem::NoToken);
    }
    if !platform::has_origin_permission(&endpoint.permission_pattern).await.unwrap_or(false) {
        return report(Problem::Permission { origin: endpoint.origin.clone() });
    }
    let bearer = token.as_ref().map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = vec![("Accept", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    let (method, url, body, key) = if mode == SyncMode::Webhook {
        let d = client::webhook_test_body(member, now_ms());
        ("POST", endpoint.url.clone(), Some(d.body.to_string()), Some(d.idempotency_key))
    } else {
        ("GET", endpoint.api("me"), None, None)
    };
    if let Some(k) = &key {
        headers.push(("Idempotency-Key", k));
        headers.push(("Content-Type", "application/json"));
    }
    let result = platform::fetch(method, &url, &headers, body.as_deref(), client::REQUEST_TIMEOUT_MS as u32).await;
    let attempt = match &result {
        Ok(r) => Attempt::Response { status: r.status, retry_after: r.retry_after.as_deref(), body: &r.body },
        Err(FetchFailure::Timeout) => Attempt::Timeout,
        Err(FetchFailure::Network(_)) => Attempt::NetworkError,
    };
    match client::test_connection(attempt, &endpoint, &url, mode, now_ms()) {
        Ok(Some(me)) => ConnectionReport::TeamLog { team: me.team, member: me.member },
        Ok(None) => ConnectionReport::Webhook,
        Err(p) => report(p),
    }
}

/// Store (or with an empty string, remove) the token.
pub async fn save_token(token: &str) -> Result<(), ProtocolError> {
    let token = token.trim();
    let store = Store::shared().await?;
    store.set_meta(META_SYNC_TOKEN, (!token.is_empty()).then_some(&token)).await?;
    super::page_lookup::forget();
    // A new token may fix a 401: try at once rather than after the backoff.
    let _ = store.set_meta(META_BACKOFF, Some(&Backoff::default())).await;
    changed();
    Ok(())
}

pub async fn token_saved() -> bool {
    saved_token().await.is_some()
}

/// The saved token, if any (see [`META_SYNC_TOKEN`] for why it lives there).
async fn saved_token() -> Option<String> {
    let store = Store::shared().await.ok()?;
    store.meta::<String>(META_SYNC_TOKEN).await.ok().flatten().filter(|t| !t.is_empty())
}

/// A token saved by an older version in `storage.local` moves into the log's
/// meta: written there first, then removed, so a failure loses nothing.
async fn move_legacy_token(store: &Store) -> Result<(), ProtocolError> {
    let storage =
        |e: platform::PlatformError| ProtocolError::Storage { failure: StoreFailure::Unavailable(e.0), action: StoreAction::Sync };
    let Some(old) = platform::storage_get(LEGACY_TOKEN_KEY).await.map_err(storage)? else { return Ok(()) };
    if !old.is_empty() && store.meta::<String>(META_SYNC_TOKEN).await?.is_none() {
        store.set_meta(META_SYNC_TOKEN, Some(&old)).await?;
    }
    platform::storage_remove(LEGACY_TOKEN_KEY).await.map_err(storage)
}

/// Refused items with what the manager needs to recognise them.
pub async fn quarantined(store: &Store) -> Result<Vec<QuarantinedItem>, ProtocolError> {
    let mut out = Vec::new();
    for entry in store.quarantined().await? {
        let record: Option<Capture> = store.get(&entry.id).await?;
        let (quote, page_url) = record.map(|r| (r.context.value.quote.exact.clone(), r.context.value.page_url.clone())).unwrap_or_default();
        let q = entry.quarantine.unwrap_or_else(|| escucha_core::log::outbox::Quarantine { reason: String::new(), at_ms: 0, why: None });
        out.push(QuarantinedItem { id: entry.id, quote, page_url, reason: q.reason, why: q.why, at_ms: q.at_ms });
    }
    Ok(out)
}

fn storage(e: ProtocolError) -> Failure {
    // The local database failed: nothing was lost, try again later.
    let problem = match e {
        ProtocolError::Storage { failure, .. } => Problem::LocalStore { failure, action: StoreAction::Sync },
        other => Problem::LocalStore { failure: StoreFailure::Aborted(other.to_string()), action: StoreAction::Sync },
    };
    (problem, Some(None))
}

fn unexpected(detail: String) -> Failure {
    // A 2xx whose body is not the API's: a proxy page, a truncated answer.
    // Retried, since a half-delivered answer is what a dropped connection
    // looks like. The parser's (English) report goes to the console only.
    web_sys::console::warn_1(&format!("Escucha sync: the answer is not the team log API's: {detail}").into());
    (Problem::NotTeamLog { status: 200 }, Some(None))
}

async fn load_settings() -> Result<Settings, ProtocolError> {
    let stored = platform::storage_get(super::SETTINGS_KEY)
        .await
        .map_err(|e| ProtocolError::Storage { failure: StoreFailure::Unavailable(e.0), action: StoreAction::Read })?;
    let mut settings = Settings::load(stored.as_deref()).0;
    // config12: what the organization's policy sets wins over what was stored.
    platform::managed_policy().await.apply(&mut settings);
    Ok(settings)
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}
