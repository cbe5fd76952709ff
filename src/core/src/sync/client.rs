//! The extension's sync client, decided here and only carried out by the
//! service worker: which endpoint may be used and which host permission it
//! needs, what each push result does to the outbox, when to try again
//! (persisted, so a killed worker resumes where it was), what "Test
//! connection" tells the manager, and what a webhook receives.
//!
//! Nothing here sends anything; every function takes what came back and says
//! what to do, so the whole client is tested natively.

use serde::{Deserialize, Serialize};

use super::api::{ErrorBody, ErrorCode, ItemStatus, Me, PushResponse, QuotaKind};
use super::retry::{classify, Outcome, RetryPolicy, Verdict};
use crate::i18n::{Key, Words};
use crate::log::outbox::QuarantineReason;
use crate::log::sanitize::{one_line, repair, Repair};
use crate::log::validate::MAX_LABEL_CHARS;
use crate::log::{Capture, Stamp};
use crate::settings::SyncMode;

/// Items per push: well under the server's 500 and 8 MiB even with long comments.
pub const PUSH_BATCH: usize = 100;
/// Items per pull page.
pub const PULL_LIMIT: u32 = 500;
/// Every request is aborted after this long (the contract says under 30 s).
pub const REQUEST_TIMEOUT_MS: u64 = 20_000;
/// Sync this long after the last local change, so a burst of edits is one push.
pub const DEBOUNCE_MS: u64 = 2_000;
/// The periodic sync alarm (minutes; Chromium's floor is 0.5).
pub const ALARM_PERIOD_MINUTES: f64 = 1.0;

/// A usable sync endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The URL as entered, trimmed; a team log's base has no trailing slash.
    pub url: String,
    /// `scheme://host[:port]`.
    pub origin: String,
    /// The match pattern to ask the browser's permission for: this origin only.
    pub permission_pattern: String,
}

/// Why an endpoint cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointError {
    Empty,
    NotAUrl,
    /// Only https (or http to this machine) can carry a token.
    Scheme,
    /// Plain http to another machine would expose the token on the network.
    InsecureHttp,
    /// `user:password@` in the URL: credentials belong in the token field.
    Credentials,
    /// A team-log base URL with `?query` or `#fragment`.
    QueryInBase,
}

impl EndpointError {
    pub fn key(self) -> Key {
        match self {
            EndpointError::Empty => Key::SyncErrEndpointEmpty,
            EndpointError::NotAUrl => Key::SyncErrEndpointNotUrl,
            EndpointError::Scheme => Key::SyncErrEndpointScheme,
            EndpointError::InsecureHttp => Key::SyncErrEndpointInsecure,
            EndpointError::Credentials => Key::SyncErrEndpointCredentials,
            EndpointError::QueryInBase => Key::SyncErrEndpointQuery,
        }
    }
}

/// Check an endpoint for `mode`. A webhook URL is used exactly as given
/// (chat webhooks carry their secret in the path or query); a team-log URL
/// is a base under which `/api/v1/…` lives.
pub fn parse_endpoint(input: &str, mode: SyncMode) -> Result<Endpoint, EndpointError> {
    let url = input.trim();
    if url.is_empty() {
        return Err(EndpointError::Empty);
    }
    let (scheme, rest) = url.split_once("://").ok_or(EndpointError::NotAUrl)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(if scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) && !scheme.is_empty() {
            EndpointError::Scheme
        } else {
            EndpointError::NotAUrl
        });
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(EndpointError::Credentials);
    }
    let (host, port) = split_host_port(authority).ok_or(EndpointError::NotAUrl)?;
    if scheme == "http" && !is_loopback(&host) {
        return Err(EndpointError::InsecureHttp);
    }
    if mode != SyncMode::Webhook && tail.contains(['?', '#']) {
        return Err(EndpointError::QueryInBase);
    }
    let host_port = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let origin = format!("{scheme}://{host_port}");
    let url = if mode == SyncMode::Webhook { format!("{origin}{tail}") } else { format!("{origin}{}", tail.trim_end_matches('/')) };
    Ok(Endpoint { url, permission_pattern: format!("{origin}/*"), origin })
}

/// Lower-cased host (IPv6 kept in brackets) and an optional numeric port.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return None;
        }
        (format!("[{}]", inside.to_ascii_lowercase()), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
            None => (authority.to_ascii_lowercase(), None),
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[') || host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || !c.is_ascii()));
    if !host_ok {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse::<u16>().ok()?),
        Some(_) => return None,
    };
    Some((host, port))
}

/// `localhost`, 127.0.0.0/8 and ::1: traffic that never leaves this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    if host == "localhost" || host.ends_with(".localhost") || host == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

impl Endpoint {
    /// `<base>/api/v1/<path>` for the team log.
    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.url)
    }

    pub fn pull_url(&self, cursor: Option<&str>) -> String {
        match cursor {
            Some(c) => format!("{}?since={}&limit={PULL_LIMIT}", self.api("pull"), percent_encode(c)),
            None => format!("{}?limit={PULL_LIMIT}", self.api("pull")),
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Where pulling resumes, tied to the endpoint it came from: a new endpoint
/// starts from the beginning instead of skipping another server's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullCursor {
    pub endpoint: String,
    pub cursor: String,
}

impl PullCursor {
    pub fn for_endpoint<'a>(stored: Option<&'a PullCursor>, endpoint: &Endpoint) -> Option<&'a str> {
        stored.filter(|c| c.endpoint == endpoint.url).map(|c| c.cursor.as_str())
    }
}

/// What to do with a batch of pending records before it is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushPlan {
    /// Records to write to the local log first (named after the member, or
    /// cleaned): the local copy must be what the team log gets.
    pub store: Vec<Capture>,
    /// What to send.
    pub send: Vec<Capture>,
    /// Held back without sending: they fail the one validation and only the
    /// manager can fix them. Quarantined here, with the reason as data.
    pub hold: Vec<(Capture, QuarantineReason)>,
}

/// Before a push: a capture made before the member name was set takes the
/// name now (the team log would name it after the pusher anyway; this way
/// the local copy says so too, and webhooks get it); then each record gets
/// the same check the server makes, cleaning what cleaning fixes.
pub fn plan_push(batch: Vec<Capture>, member: &str, now_ms: i64) -> PushPlan {
    let member = one_line(member, MAX_LABEL_CHARS);
    let mut plan = PushPlan::default();
    for mut c in batch {
        let mut changed = false;
        if c.created_by.trim().is_empty() && !member.is_empty() {
            c.created_by = member.clone();
            changed = true;
        }
        match repair(&c, now_ms) {
            Repair::Valid => {}
            Repair::Repaired(fixed) => {
                c = *fixed;
                changed = true;
            }
            Repair::NeedsManager(error) => {
                plan.hold.push((c, QuarantineReason::Invalid { error }));
                continue;
            }
        }
        if changed {
            plan.store.push(c.clone());
        }
        plan.send.push(c);
    }
    plan
}

/// What one pushed item does to the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemAction {
    /// Stored up to `stamp` (the version sent): a later local edit stays pending.
    Acknowledge { id: String, stamp: Stamp },
    /// Refused: kept aside with the reason as data; the rest goes on.
    Quarantine { id: String, stamp: Stamp, why: QuarantineReason },
    /// No result for it: stays pending and is sent again.
    Keep { id: String },
}

/// Pair a push response with what was sent (by id, not position, so a
/// server that reorders or omits results cannot acknowledge the wrong item).
/// A refusal's reason is our own check's, as data, when it finds one.
pub fn push_actions(sent: &[Capture], response: &PushResponse, now_ms: i64) -> Vec<ItemAction> {
    sent.iter()
        .map(|c| {
            let result = response.results.iter().find(|r| r.id == c.id);
            match result {
                Some(r) if r.status == ItemStatus::Rejected => ItemAction::Quarantine {
                    id: c.id.clone(),
                    stamp: c.last_stamp().clone(),
                    why: QuarantineReason::for_refused(
                        c,
                        r.error.as_ref().map(|e| e.code),
                        &r.error.as_ref().map(|e| e.message.clone()).unwrap_or_else(|| "rejected by the team log".into()),
                        now_ms,
                    ),
                },
                Some(_) => ItemAction::Acknowledge { id: c.id.clone(), stamp: c.last_stamp().clone() },
                None => ItemAction::Keep { id: c.id.clone() },
            }
        })
        .collect()
}

/// Retry state, persisted in the log's meta so a restarted worker keeps
/// waiting instead of hammering a server that is down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Backoff {
    /// Failed attempts in a row.
    pub failures: u32,
    /// Do not try before this time (ms since the epoch).
    pub not_before_ms: Option<i64>,
}

impl Backoff {
    /// Whether an automatic sync may run now. "Sync now" ignores this.
    pub fn ready(&self, now_ms: i64) -> bool {
        self.not_before_ms.is_none_or(|t| now_ms >= t)
    }

    /// Record a transient failure; returns how long to wait.
    pub fn failed(&mut self, policy: &RetryPolicy, server_wait_ms: Option<u64>, now_ms: i64, random: f64) -> u64 {
        let delay = policy.delay_ms(self.failures, server_wait_ms, random);
        self.failures = self.failures.saturating_add(1);
        self.not_before_ms = Some(now_ms.saturating_add(delay as i64));
        delay
    }

    pub fn succeeded(&mut self) {
        *self = Backoff::default();
    }
}

/// The retry policy the extension uses: first retry after 1–2 s, never more
/// than 5 minutes apart.
pub fn policy() -> RetryPolicy {
    RetryPolicy { base_ms: 2_000, max_ms: 5 * 60_000, max_server_wait_ms: 60 * 60_000 }
}

/// What one request attempt came to, as the platform saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt<'a> {
    /// `fetch` rejected: offline, DNS, refused, reset, TLS, or blocked by CORS.
    NetworkError,
    /// Our own timeout aborted it.
    Timeout,
    Response {
        status: u16,
        retry_after: Option<&'a str>,
        body: &'a str,
    },
}

/// A problem to show the manager (and to keep in the log's meta).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Problem {
    /// No endpoint or a bad one.
    Endpoint {
        key: String,
    },
    NoToken,
    /// The browser has not granted access to this origin.
    Permission {
        origin: String,
    },
    /// No response: DNS, refused, TLS, offline, CORS.
    Unreachable {
        origin: String,
        https: bool,
    },
    Timeout {
        seconds: u64,
    },
    Unauthorized,
    Forbidden,
    /// `403 role_forbidden`: the token is fine, but the member's role does
    /// not allow `action` (a viewer's push). Nothing is sent until it changes.
    RoleForbidden {
        role: crate::workspace::role::Role,
        action: crate::workspace::role::Action,
    },
    NotFound {
        url: String,
    },
    /// 5xx, 408 or 429.
    ServerBusy {
        status: u16,
    },
    /// The team log refused the request with its API error `error`; `detail`
    /// is the server's own (English) message, shown only as a quoted detail.
    Refused {
        status: u16,
        error: crate::sync::api::ErrorCode,
        detail: String,
    },
    /// The team log is at its quota (`409 quota_exceeded`): nothing in the
    /// push was written and every capture stays queued here; sync tries again
    /// at its next run, so they go once the team's admin makes room.
    QuotaExceeded {
        kind: QuotaKind,
        limit: u64,
        used: u64,
    },
    /// A success whose body is not the team log API's: a website, a proxy
    /// page or a truncated answer at that address.
    NotTeamLog {
        status: u16,
    },
    /// The local log failed during `action` (the sync's own progress, or a
    /// capture or edit the popup reports as the standing problem).
    LocalStore {
        failure: crate::log::store_error::StoreFailure,
        action: crate::log::store_error::StoreAction,
    },
    /// Any other unexpected response; `detail` is the first line of what
    /// came back (not ours to translate).
    Unexpected {
        status: u16,
        detail: String,
    },
}

impl Problem {
    /// A stable machine code, for tests and the DOM.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Endpoint { .. } => "endpoint",
            Problem::NoToken => "noToken",
            Problem::Permission { .. } => "permission",
            Problem::Unreachable { .. } => "unreachable",
            Problem::Timeout { .. } => "timeout",
            Problem::Unauthorized => "unauthorized",
            Problem::Forbidden => "forbidden",
            Problem::RoleForbidden { .. } => "roleForbidden",
            Problem::NotFound { .. } => "notFound",
            Problem::ServerBusy { .. } => "serverError",
            Problem::Refused { .. } => "refused",
            Problem::QuotaExceeded { .. } => "quotaExceeded",
            Problem::NotTeamLog { .. } => "notTeamLog",
            Problem::LocalStore { .. } => "localStore",
            Problem::Unexpected { .. } => "unexpected",
        }
    }

    /// Plain words for the manager, chosen where they are shown.
    pub fn words(&self) -> Words {
        let w = Words::new;
        match self {
            Problem::Endpoint { key } => w(Key::ALL.iter().copied().find(|k| k.name() == key).unwrap_or(Key::SyncErrEndpointNotUrl)),
            Problem::NoToken => w(Key::SyncProblemNoToken),
            Problem::Permission { origin } => w(Key::SyncProblemPermission).text(origin),
            Problem::Unreachable { origin, https: true } => w(Key::SyncProblemUnreachableTls).text(origin),
            Problem::Unreachable { origin, https: false } => w(Key::SyncProblemUnreachable).text(origin),
            Problem::Timeout { seconds } => w(Key::SyncProblemTimeout).text(seconds.to_string()),
            Problem::Unauthorized => w(Key::SyncProblemUnauthorized),
            Problem::Forbidden => w(Key::SyncProblemForbidden),
            Problem::RoleForbidden { role, action } => {
                w(Key::SyncProblemRoleForbidden).word(w(Key::role(*role))).word(w(Key::action(*action)))
            }
            Problem::NotFound { url } => w(Key::SyncProblemNotFound).text(url),
            Problem::ServerBusy { status } => w(Key::SyncProblemServer).text(status.to_string()),
            Problem::Refused { status, error, detail } => {
                w(Key::SyncProblemRefused).text(status.to_string()).word(w(Key::server_error(*error))).text(detail)
            }
            Problem::QuotaExceeded { kind: QuotaKind::Captures, limit, used } => {
                w(Key::SyncProblemQuotaCaptures).text(used.to_string()).text(limit.to_string())
            }
            Problem::QuotaExceeded { kind: QuotaKind::Bytes, limit, used } => {
                w(Key::SyncProblemQuotaBytes).text(byte_size(*used)).text(byte_size(*limit))
            }
            Problem::NotTeamLog { status } => w(Key::SyncProblemNotTeamLog).text(status.to_string()),
            Problem::LocalStore { failure, action } => crate::log::store_error::words(failure, *action),
            Problem::Unexpected { status, detail } => w(Key::SyncProblemUnexpected).text(status.to_string()).text(detail),
        }
    }
}

/// A size in the units both languages write the same way, never rounded
/// down to a smaller figure than the truth would read (MB above 10 MB).
fn byte_size(bytes: u64) -> String {
    match bytes {
        0..10_000 => format!("{bytes} B"),
        10_000..10_000_000 => format!("{} KB", bytes.div_ceil(1_000)),
        _ => format!("{} MB", bytes.div_ceil(1_000_000)),
    }
}

/// What to do after one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// 2xx: go on with the body.
    Go,
    /// Transient: back off (honouring the server's wait) and try later.
    Retry { server_wait_ms: Option<u64>, problem: Problem },
    /// 413 for a batch: send fewer items per request.
    Split,
    /// Stop until the manager changes something (token, endpoint).
    Stop(Problem),
}

/// Decide after one attempt of a request to `url` carrying `items` records.
pub fn after_attempt(attempt: Attempt<'_>, endpoint: &Endpoint, url: &str, items: usize, now_ms: i64) -> Next {
    let unreachable = || Problem::Unreachable { origin: endpoint.origin.clone(), https: endpoint.origin.starts_with("https:") };
    let (status, retry_after, body) = match attempt {
        Attempt::NetworkError => return Next::Retry { server_wait_ms: None, problem: unreachable() },
        Attempt::Timeout => return Next::Retry { server_wait_ms: None, problem: Problem::Timeout { seconds: REQUEST_TIMEOUT_MS / 1000 } },
        Attempt::Response { status, retry_after, body } => (status, retry_after, body),
    };
    match classify(Outcome::Response { status, retry_after }, items, now_ms) {
        Verdict::Delivered => Next::Go,
        Verdict::Retry { server_wait_ms } => Next::Retry { server_wait_ms, problem: Problem::ServerBusy { status } },
        Verdict::Reauthorize if status == 401 => Next::Stop(Problem::Unauthorized),
        Verdict::Reauthorize => Next::Stop(forbidden(body)),
        Verdict::SplitBatch => Next::Split,
        Verdict::Quarantine if status == 404 => Next::Stop(Problem::NotFound { url: url.to_string() }),
        Verdict::Quarantine => Next::Stop(refusal(status, body)),
    }
}

/// A 403: the role's refusal when the body says so, else a revoked token.
fn forbidden(body: &str) -> Problem {
    match serde_json::from_str::<ErrorBody>(body).ok().and_then(|e| e.error.role_refusal) {
        Some(r) => Problem::RoleForbidden { role: r.role, action: r.action },
        None => Problem::Forbidden,
    }
}

/// The API's error as data when the server sent its error body, else the
/// first line of whatever came back (bounded: it is shown to the manager).
fn refusal(status: u16, body: &str) -> Problem {
    if let Ok(e) = serde_json::from_str::<ErrorBody>(body) {
        if let (ErrorCode::QuotaExceeded, Some(q)) = (e.error.code, e.error.quota) {
            return Problem::QuotaExceeded { kind: q.kind, limit: q.limit, used: q.used };
        }
        return Problem::Refused { status, error: e.error.code, detail: e.error.message };
    }
    Problem::Unexpected { status, detail: body.lines().next().unwrap_or("").chars().take(120).collect() }
}

/// The outcome of "Test connection", as data: the options page words it in
/// the manager's language ([`ConnectionReport::words`]). On the wire
/// `{"result": "teamLog", team, member}`, `{"result": "webhook"}` or
/// `{"result": "failed", "code": …, …the problem's fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ConnectionReport {
    /// The team log answered `GET /api/v1/me`: whose token it is.
    TeamLog { team: String, member: String },
    /// The webhook accepted the test delivery.
    Webhook,
    /// Nothing got through, and why.
    Failed(Problem),
}

impl ConnectionReport {
    pub fn ok(&self) -> bool {
        !matches!(self, ConnectionReport::Failed(_))
    }

    /// `ok`, or the [`Problem::code`] (the options page's `data-code`).
    pub fn code(&self) -> &'static str {
        match self {
            ConnectionReport::Failed(p) => p.code(),
            _ => "ok",
        }
    }

    pub fn words(&self) -> Words {
        match self {
            ConnectionReport::TeamLog { team, member } => Words::new(Key::OptionsSyncTestOk).text(team).text(member),
            ConnectionReport::Webhook => Words::new(Key::OptionsSyncWebhookOk),
            ConnectionReport::Failed(p) => p.words(),
        }
    }
}

/// Judge the answer to `GET /api/v1/me` (team log) or the test POST (webhook).
pub fn test_connection(attempt: Attempt<'_>, endpoint: &Endpoint, url: &str, mode: SyncMode, now_ms: i64) -> Result<Option<Me>, Problem> {
    match after_attempt(attempt, endpoint, url, 1, now_ms) {
        Next::Go if mode == SyncMode::Webhook => Ok(None),
        Next::Go => {
            let Attempt::Response { body, status, .. } = attempt else { unreachable!("Go needs a response") };
            match serde_json::from_str::<Me>(body) {
                Ok(me) => Ok(Some(me)),
                // A 2xx that is not our API: probably a website at that address.
                Err(_) => Err(Problem::NotTeamLog { status }),
            }
        }
        Next::Retry { problem, .. } | Next::Stop(problem) => Err(problem),
        Next::Split => Err(Problem::Unexpected { status: 413, detail: String::new() }),
    }
}

/// One webhook delivery: the JSON body and its `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub idempotency_key: String,
    pub body: serde_json::Value,
}

/// A capture as a webhook receives it. `text` is a one-line summary so chat
/// incoming webhooks (which show `text`) are readable; automation tools read
/// `capture`. The key is the capture id for its first version and
/// `<id>@<stamp>` for later edits, so a receiver that de-duplicates by key
/// drops re-sends but not edits.
pub fn webhook_delivery(c: &Capture, member: &str) -> WebhookDelivery {
    let last = c.last_stamp();
    let first_version = last.ms == c.created_ms
        && [&c.context.stamp, &c.status.stamp, &c.deleted.stamp].into_iter().chain(c.tags.dots().map(|d| &d.stamp)).all(|s| s == last)
        && c.comments.all().iter().all(|k| &k.text.stamp == last);
    let (event, key) = if first_version {
        ("capture.created", c.id.clone())
    } else {
        ("capture.updated", format!("{}@{}.{}.{}", c.id, last.ms, last.counter, last.actor))
    };
    let ctx = &c.context.value;
    let text = format!(
        "[{}] {} — {}: \u{201c}{}\u{201d} {}",
        c.status.value.as_str(),
        ctx.brand,
        ctx.author_name.as_deref().unwrap_or("?"),
        ctx.comment_text.chars().take(280).collect::<String>(),
        ctx.permalink.as_deref().unwrap_or(&ctx.page_url)
    );
    WebhookDelivery { idempotency_key: key, body: serde_json::json!({ "event": event, "member": member, "text": text, "capture": c }) }
}

/// The test POST "Test connection" sends to a webhook.
pub fn webhook_test_body(member: &str, now_ms: i64) -> WebhookDelivery {
    WebhookDelivery {
        idempotency_key: format!("escucha-test-{now_ms}"),
        body: serde_json::json!({ "event": "test", "member": member, "text": "Escucha: test message" }),
    }
}

/// Whether a sync should run for `mode` at all.
pub fn active(mode: SyncMode) -> bool {
    mode != SyncMode::Off
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CaptureContext, CaptureEdit, Tags};
    use crate::sync::api::{ApiError, ErrorCode, ItemResult};
    use crate::workspace::role::{Action, Role};

    const NOW: i64 = 1_750_000_000_000;

    #[test]
    fn endpoints_table() {
        use EndpointError::*;
        use SyncMode::*;
        type Expected = Result<(String, String), EndpointError>;
        let ok = |url: &str, origin: &str| Expected::Ok((url.into(), origin.into()));
        let cases: Vec<(&str, SyncMode, Expected)> = vec![
            ("https://log.example.com", TeamLog, ok("https://log.example.com", "https://log.example.com")),
            ("  HTTPS://Log.Example.com/escucha/ ", TeamLog, ok("https://log.example.com/escucha", "https://log.example.com")),
            ("https://log.example.com:8443/", TeamLog, ok("https://log.example.com:8443", "https://log.example.com:8443")),
            ("http://127.0.0.1:8787", TeamLog, ok("http://127.0.0.1:8787", "http://127.0.0.1:8787")),
            ("http://127.3.4.5/", TeamLog, ok("http://127.3.4.5", "http://127.3.4.5")),
            ("http://localhost:3000", TeamLog, ok("http://localhost:3000", "http://localhost:3000")),
            ("http://[::1]:9000", TeamLog, ok("http://[::1]:9000", "http://[::1]:9000")),
            ("http://192.168.1.10:8787", TeamLog, Err(InsecureHttp)),
            ("http://128.0.0.1", TeamLog, Err(InsecureHttp)),
            ("http://127.0.0.1.evil.example", TeamLog, Err(InsecureHttp)),
            ("http://localhost.evil.example", TeamLog, Err(InsecureHttp)),
            ("http://[::2]", TeamLog, Err(InsecureHttp)),
            ("", TeamLog, Err(Empty)),
            ("log.example.com", TeamLog, Err(NotAUrl)),
            ("ftp://log.example.com", TeamLog, Err(Scheme)),
            ("javascript://x", TeamLog, Err(Scheme)),
            ("https://user:pw@log.example.com", TeamLog, Err(Credentials)),
            ("https://log.example.com/?team=1", TeamLog, Err(QueryInBase)),
            (
                "https://hooks.example.com/services/T0/B0/xyz?x=1",
                Webhook,
                ok("https://hooks.example.com/services/T0/B0/xyz?x=1", "https://hooks.example.com"),
            ),
            ("https://log.example.com:99999", TeamLog, Err(NotAUrl)),
            ("https://:80", TeamLog, Err(NotAUrl)),
            ("https://exa mple.com", TeamLog, Err(NotAUrl)),
        ];
        for (input, mode, want) in cases {
            let got = parse_endpoint(input, mode).map(|e| {
                assert_eq!(e.permission_pattern, format!("{}/*", e.origin), "{input}");
                (e.url, e.origin)
            });
            assert_eq!(got, want, "{input:?}");
        }
        for e in [Empty, NotAUrl, Scheme, InsecureHttp, Credentials, QueryInBase] {
            assert!(e.key().name().starts_with("syncErr"));
        }
    }

    #[test]
    fn api_and_pull_urls() {
        let e = parse_endpoint("https://log.example.com/base/", SyncMode::TeamLog).unwrap();
        assert_eq!(e.api("push"), "https://log.example.com/base/api/v1/push");
        assert_eq!(e.pull_url(None), "https://log.example.com/base/api/v1/pull?limit=500");
        assert_eq!(e.pull_url(Some("42")), "https://log.example.com/base/api/v1/pull?since=42&limit=500");
        assert_eq!(e.pull_url(Some("a b&")), "https://log.example.com/base/api/v1/pull?since=a%20b%26&limit=500");
        let stored = PullCursor { endpoint: e.url.clone(), cursor: "7".into() };
        assert_eq!(PullCursor::for_endpoint(Some(&stored), &e), Some("7"));
        let other = parse_endpoint("https://other.example.com", SyncMode::TeamLog).unwrap();
        assert_eq!(PullCursor::for_endpoint(Some(&stored), &other), None);
    }

    fn capture(id: &str, ms: i64) -> Capture {
        let ctx = CaptureContext { page_url: "https://foro.example/t/1".into(), comment_text: "hola".into(), ..Default::default() };
        Capture::new(id.into(), ctx, &Tags::default(), "ana", Stamp { ms, counter: 0, actor: "dev-a".into() })
    }

    #[test]
    fn push_results_acknowledge_quarantine_or_keep() {
        let sent = vec![capture("a", 10), capture("b", 20), capture("c", 30), capture("d", 40)];
        let response = PushResponse {
            results: vec![
                // Out of order on purpose: matched by id.
                ItemResult { id: "b".into(), status: ItemStatus::Unchanged, error: None, superseded: vec![] },
                ItemResult { id: "a".into(), status: ItemStatus::Stored, error: None, superseded: vec![] },
                ItemResult {
                    id: "c".into(),
                    status: ItemStatus::Rejected,
                    error: Some(ApiError::new(ErrorCode::BadRequest, "note.value: too long")),
                    superseded: vec![],
                },
            ],
        };
        let st = |ms| Stamp { ms, counter: 0, actor: "dev-a".into() };
        assert_eq!(
            push_actions(&sent, &response, NOW),
            vec![
                ItemAction::Acknowledge { id: "a".into(), stamp: st(10) },
                ItemAction::Acknowledge { id: "b".into(), stamp: st(20) },
                // Our own check finds what is wrong (here the test's tiny id), as data.
                ItemAction::Quarantine {
                    id: "c".into(),
                    stamp: st(30),
                    why: QuarantineReason::Invalid {
                        error: crate::log::validate::ValidationError::new(
                            crate::log::validate::Field::Id,
                            crate::log::validate::Kind::NotUuid
                        )
                    }
                },
                ItemAction::Keep { id: "d".into() },
            ]
        );
    }

    #[test]
    fn the_acknowledged_stamp_is_the_one_sent_so_a_later_edit_stays_pending() {
        let sent = capture("a", 10);
        let mut edited = sent.clone();
        edited
            .apply(
                &CaptureEdit { add_comment: Some("later".into()), ..Default::default() },
                &Stamp { ms: 50, counter: 0, actor: "dev-a".into() },
                "ana",
            )
            .unwrap();
        let response =
            PushResponse { results: vec![ItemResult { id: "a".into(), status: ItemStatus::Stored, error: None, superseded: vec![] }] };
        let actions = push_actions(&[sent], &response, NOW);
        let [ItemAction::Acknowledge { stamp, .. }] = &actions[..] else { panic!("{actions:?}") };
        let entry = crate::log::outbox::queue(&edited);
        assert!(crate::log::outbox::acknowledge(entry, stamp).is_some(), "the edit made during the upload must stay queued");
    }

    #[test]
    fn a_refusal_we_cannot_reproduce_keeps_the_servers_words() {
        let c = valid(1, "ana");
        let response = PushResponse {
            results: vec![ItemResult {
                id: c.id.clone(),
                status: ItemStatus::Rejected,
                error: Some(ApiError::new(ErrorCode::BadRequest, "rule 12")),
                superseded: vec![],
            }],
        };
        let [ItemAction::Quarantine { why, .. }] = &push_actions(&[c], &response, NOW)[..] else { panic!() };
        // The code is kept as data (worded on the client), the words as a detail.
        assert_eq!(why, &QuarantineReason::RefusedCode { code: ErrorCode::BadRequest, message: "rule 12".into() });
    }

    fn valid(n: u8, by: &str) -> Capture {
        let ctx = CaptureContext { page_url: "https://foro.example/t/1".into(), comment_text: "hola".into(), ..Default::default() };
        let id = crate::log::record::uuid_v7(NOW, [n; 10]);
        Capture::new(id, ctx, &Tags::default(), by, Stamp { ms: NOW - 10, counter: 0, actor: "dev-a".into() })
    }

    #[test]
    fn before_a_push_unnamed_captures_take_the_member_name_and_bad_ones_are_cleaned_or_held() {
        let named = valid(1, "bo");
        let unnamed = valid(2, "");
        let mut separator = valid(3, "ana");
        separator.context.value.quote.prefix = "hace 2 horas\u{1e}".into();
        let mut long_note = valid(4, "ana");
        crate::log::validate::fixture::comment(&mut long_note, &"n".repeat(crate::log::record::MAX_NOTE_CHARS + 1));
        let plan = plan_push(vec![named.clone(), unnamed.clone(), separator.clone(), long_note.clone()], " ana\n", NOW);
        let ids = |v: &[Capture]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&plan.send), ids(&[named.clone(), unnamed.clone(), separator.clone()]));
        assert_eq!(plan.send[0], named, "a named capture keeps its author");
        assert_eq!(plan.send[1].created_by, "ana", "named after the member (cleaned), locally too:");
        assert_eq!(ids(&plan.store), ids(&[unnamed.clone(), separator.clone()]));
        assert_eq!(plan.store[1].context.value.quote.prefix, "hace 2 horas ");
        assert_eq!(plan.hold.len(), 1);
        assert_eq!(plan.hold[0].0.id, long_note.id);
        assert!(
            matches!(&plan.hold[0].1, QuarantineReason::Invalid { error } if error.field == crate::log::validate::Field::CommentBody(0))
        );
        // No member name yet: nothing to name them after; the team log will.
        assert!(plan_push(vec![unnamed.clone()], "  ", NOW).store.is_empty());
        // The stamp is unchanged: naming is not an edit.
        assert_eq!(plan.store[0].last_stamp(), unnamed.last_stamp());
    }

    #[test]
    fn backoff_grows_persists_and_resets() {
        let p = policy();
        let mut b = Backoff::default();
        assert!(b.ready(NOW));
        let mut last = 0;
        for i in 0..12 {
            let d = b.failed(&p, None, NOW, 0.999);
            assert!(d >= last || d >= p.max_ms / 2, "attempt {i}: {d} < {last}");
            assert!(d <= p.max_ms, "attempt {i}: {d}");
            last = d;
            assert!(!b.ready(NOW));
            assert!(b.ready(NOW + d as i64));
        }
        let json = serde_json::to_string(&b).unwrap();
        let back: Backoff = serde_json::from_str(&json).unwrap();
        assert_eq!(back, b);
        // Retry-After wins over the exponential schedule.
        let mut c = Backoff::default();
        assert_eq!(c.failed(&p, Some(7_000), NOW, 0.0), 7_000);
        b.succeeded();
        assert_eq!(b, Backoff::default());
        // An old stored document without fields still loads.
        assert_eq!(serde_json::from_str::<Backoff>("{}").unwrap(), Backoff::default());
    }

    #[test]
    fn attempts_table() {
        let e = parse_endpoint("https://log.example.com", SyncMode::TeamLog).unwrap();
        let url = e.api("push");
        let r = |status, retry_after, body| Attempt::Response { status, retry_after, body };
        let api_err = r#"{"error":{"code":"bad_request","message":"items[0].id: not a UUID"}}"#;
        let cases: Vec<(Attempt, usize, Next)> = vec![
            (r(200, None, "{}"), 3, Next::Go),
            (
                Attempt::NetworkError,
                1,
                Next::Retry { server_wait_ms: None, problem: Problem::Unreachable { origin: e.origin.clone(), https: true } },
            ),
            (Attempt::Timeout, 1, Next::Retry { server_wait_ms: None, problem: Problem::Timeout { seconds: 20 } }),
            (r(500, None, ""), 1, Next::Retry { server_wait_ms: None, problem: Problem::ServerBusy { status: 500 } }),
            (r(503, Some("3"), ""), 1, Next::Retry { server_wait_ms: Some(3000), problem: Problem::ServerBusy { status: 503 } }),
            (r(429, Some("10"), ""), 1, Next::Retry { server_wait_ms: Some(10_000), problem: Problem::ServerBusy { status: 429 } }),
            (r(408, None, ""), 1, Next::Retry { server_wait_ms: None, problem: Problem::ServerBusy { status: 408 } }),
            (r(401, None, ""), 1, Next::Stop(Problem::Unauthorized)),
            (r(403, None, ""), 1, Next::Stop(Problem::Forbidden)),
            (
                r(403, None, r#"{"error":{"code":"forbidden","message":"This token was revoked at 2026-01-01."}}"#),
                1,
                Next::Stop(Problem::Forbidden),
            ),
            (
                r(403, None, r#"{"error":{"code":"role_forbidden","message":"no","roleRefusal":{"role":"viewer","action":"capture"}}}"#),
                1,
                Next::Stop(Problem::RoleForbidden { role: Role::Viewer, action: Action::Capture }),
            ),
            (r(404, None, "<html>"), 1, Next::Stop(Problem::NotFound { url: url.clone() })),
            (r(413, None, ""), 5, Next::Split),
            (
                r(400, None, api_err),
                5,
                Next::Stop(Problem::Refused {
                    status: 400,
                    error: crate::sync::api::ErrorCode::BadRequest,
                    detail: "items[0].id: not a UUID".into(),
                }),
            ),
            (r(418, None, "I'm a teapot\nmore"), 1, Next::Stop(Problem::Unexpected { status: 418, detail: "I'm a teapot".into() })),
        ];
        for (attempt, items, want) in cases {
            assert_eq!(after_attempt(attempt, &e, &url, items, NOW), want, "{attempt:?}");
        }
    }

    /// `409 quota_exceeded` stops the push with the numbers as data (the
    /// batch stays queued: `Stop` neither splits nor quarantines), and is
    /// worded in both languages from those numbers.
    #[test]
    fn a_full_team_log_stops_the_push_and_keeps_the_numbers() {
        let e = parse_endpoint("https://log.example.com", SyncMode::TeamLog).unwrap();
        let url = e.api("push");
        let full = |kind: &str, limit: u64, used: u64| {
            format!(r#"{{"error":{{"code":"quota_exceeded","message":"full","quota":{{"kind":"{kind}","limit":{limit},"used":{used}}}}}}}"#)
        };
        let captures = full("captures", 1000, 998);
        let bytes = full("bytes", 50_000_000, 49_999_001);
        for items in [1, 5, 100] {
            let attempt = Attempt::Response { status: 409, retry_after: None, body: &captures };
            let want = Problem::QuotaExceeded { kind: QuotaKind::Captures, limit: 1000, used: 998 };
            assert_eq!(after_attempt(attempt, &e, &url, items, NOW), Next::Stop(want), "{items} items");
        }
        let attempt = Attempt::Response { status: 409, retry_after: None, body: &bytes };
        let Next::Stop(problem) = after_attempt(attempt, &e, &url, 3, NOW) else { panic!("stops") };
        assert_eq!(problem.code(), "quotaExceeded");
        // Kept as data in the log's meta: it round-trips.
        let back: Problem = serde_json::from_value(serde_json::to_value(&problem).unwrap()).unwrap();
        assert_eq!(back, problem);
        assert_eq!(
            render("en", &problem.words()),
            "The team log is full: it holds 50 MB and its limit is 50 MB. Your captures stay here, queued, and are sent once the team's admin makes room."
        );
        assert!(render("es", &problem.words()).starts_with("El registro del equipo está lleno: ocupa 50 MB y su límite es 50 MB."));
        let Next::Stop(p) = after_attempt(Attempt::Response { status: 409, retry_after: None, body: &captures }, &e, &url, 1, NOW) else {
            panic!("stops")
        };
        assert!(render("es", &p.words()).starts_with("El registro del equipo está lleno: guarda 998 capturas y su límite es 1000."));
        // Without the numbers it is still the team log's refusal, worded by code.
        let bare = r#"{"error":{"code":"quota_exceeded","message":"full"}}"#;
        let Next::Stop(p) = after_attempt(Attempt::Response { status: 409, retry_after: None, body: bare }, &e, &url, 1, NOW) else {
            panic!("stops")
        };
        assert!(render("es", &p.words()).contains("el registro del equipo está lleno"), "{}", render("es", &p.words()));
    }

    #[test]
    fn byte_sizes_never_read_smaller_than_they_are() {
        let cases = [
            (0, "0 B"),
            (9_999, "9999 B"),
            (10_000, "10 KB"),
            (10_001, "11 KB"),
            (9_999_999, "10000 KB"),
            (10_000_000, "10 MB"),
            (10_000_001, "11 MB"),
        ];
        for (n, want) in cases {
            assert_eq!(byte_size(n), want, "{n}");
        }
    }

    /// The words as the browser would fill them from `_locales/<lang>`.
    fn render(lang: &str, w: &Words) -> String {
        let path = format!("{}/../../extension/_locales/{lang}/messages.json", env!("CARGO_MANIFEST_DIR"));
        let table: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let entry = &table[w.key.name()];
        let mut text = entry["message"].as_str().unwrap_or_else(|| panic!("{} missing in {lang}", w.key.name())).to_string();
        if let Some(ph) = entry.get("placeholders").and_then(|p| p.as_object()) {
            for (name, spec) in ph {
                let n: usize = spec["content"].as_str().unwrap().trim_start_matches('$').parse().unwrap();
                let arg = match &w.args[n - 1] {
                    crate::i18n::Arg::Text(s) => s.clone(),
                    crate::i18n::Arg::Words(inner) => render(lang, inner),
                };
                text = text.replace(&format!("${}$", name.to_uppercase()), &arg);
            }
        }
        text
    }

    /// A viewer's push is refused by role: said with the role and the
    /// action in the user's words, not as a revoked token.
    #[test]
    fn a_role_refusal_is_worded_with_the_role_and_the_action() {
        let p = Problem::RoleForbidden { role: Role::Viewer, action: Action::Capture };
        assert_eq!(p.code(), "roleForbidden");
        assert_eq!(
            p.words(),
            Words::new(Key::SyncProblemRoleForbidden).word(Words::new(Key::RoleViewer)).word(Words::new(Key::ActionCapture))
        );
        assert_eq!(serde_json::from_str::<Problem>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
        for role in Role::ALL {
            for action in Action::ALL {
                let w = Problem::RoleForbidden { role, action }.words();
                assert_ne!(w.args[0], w.args[1], "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn test_connection_reports_in_plain_words() {
        let e = parse_endpoint("http://127.0.0.1:8787", SyncMode::TeamLog).unwrap();
        let url = e.api("me");
        let r = |status, body| Attempt::Response { status, retry_after: None, body };
        let me = r#"{"team":"Acme","member":"ana","protocol":1}"#;
        assert_eq!(test_connection(r(200, me), &e, &url, SyncMode::TeamLog, NOW).unwrap().unwrap().member, "ana");
        let cases: Vec<(Attempt, &str, Key)> = vec![
            (Attempt::NetworkError, "unreachable", Key::SyncProblemUnreachable),
            (Attempt::Timeout, "timeout", Key::SyncProblemTimeout),
            (r(401, ""), "unauthorized", Key::SyncProblemUnauthorized),
            (r(403, ""), "forbidden", Key::SyncProblemForbidden),
            (r(404, ""), "notFound", Key::SyncProblemNotFound),
            (r(502, ""), "serverError", Key::SyncProblemServer),
            (r(200, "<html>hello</html>"), "notTeamLog", Key::SyncProblemNotTeamLog),
        ];
        for (attempt, code, key) in cases {
            let p = test_connection(attempt, &e, &url, SyncMode::TeamLog, NOW).unwrap_err();
            assert_eq!((p.code(), p.words().key), (code, key), "{attempt:?}");
        }
        let tls = parse_endpoint("https://log.example.com", SyncMode::TeamLog).unwrap();
        let p = test_connection(Attempt::NetworkError, &tls, &url, SyncMode::TeamLog, NOW).unwrap_err();
        assert_eq!(p.words(), Words::new(Key::SyncProblemUnreachableTls).text("https://log.example.com"));
        // A webhook only has to accept the POST.
        let hook = parse_endpoint("https://hooks.example.com/x", SyncMode::Webhook).unwrap();
        assert_eq!(test_connection(r(204, ""), &hook, &hook.url, SyncMode::Webhook, NOW), Ok(None));
        // Problems survive a round trip through the log's meta.
        let p = Problem::Permission { origin: "https://log.example.com".into() };
        assert_eq!(serde_json::from_str::<Problem>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
        let bad = Problem::Endpoint { key: EndpointError::InsecureHttp.key().name().into() };
        assert_eq!(bad.words().key, Key::SyncErrEndpointInsecure);
        // A refusal is worded from its code; the server's English is only a quoted detail.
        let refused = Problem::Refused { status: 400, error: crate::sync::api::ErrorCode::BadRequest, detail: "items[0]".into() };
        assert_eq!(
            refused.words(),
            Words::new(Key::SyncProblemRefused)
                .text("400")
                .word(Words::new(Key::server_error(crate::sync::api::ErrorCode::BadRequest)))
                .text("items[0]")
        );
        assert_eq!(serde_json::from_str::<Problem>(&serde_json::to_string(&refused).unwrap()).unwrap(), refused);
        let local = Problem::LocalStore {
            failure: crate::log::store_error::StoreFailure::Full,
            action: crate::log::store_error::StoreAction::Sync,
        };
        assert_eq!(local.words().key, Key::StoreFull);
        assert_eq!(serde_json::from_str::<Problem>(&serde_json::to_string(&local).unwrap()).unwrap(), local);
    }

    #[test]
    fn webhook_keys_distinguish_edits_but_not_resends() {
        let c = capture("0190-a", 10);
        let first = webhook_delivery(&c, "ana");
        assert_eq!(first.idempotency_key, "0190-a");
        assert_eq!(first.body["event"], "capture.created");
        assert_eq!(first.body["capture"]["id"], "0190-a");
        assert_eq!(webhook_delivery(&c, "ana"), first, "a re-send is identical");
        let mut edited = c.clone();
        edited
            .apply(
                &CaptureEdit { status: Some(crate::log::Status::Closed), ..Default::default() },
                &Stamp { ms: 99, counter: 2, actor: "dev-b".into() },
                "ana",
            )
            .unwrap();
        let second = webhook_delivery(&edited, "ana");
        assert_eq!(second.idempotency_key, "0190-a@99.2.dev-b");
        assert_eq!(second.body["event"], "capture.updated");
        assert!(second.body["text"].as_str().unwrap().starts_with("[closed]"));
    }
}
