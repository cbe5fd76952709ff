//! Deliveries (issue 13): the team's destinations, stored here with their
//! secrets (which no client ever reads back), and the durable outbox that
//! delivers notifications to them at least once.
//!
//! - [`store`]: both engines' SQL for the three tables (destinations, the
//!   outbox, the attempt log), `team_id` leading every key.
//! - enqueueing (`Storage::enqueue_notification`): one outbox row per
//!   matching destination, unique on (team, destination, idempotency key), so
//!   enqueueing the same event again is a no-op. A capture routed to a
//!   department is enqueued in the same transaction that stores it.
//! - [`worker`]: leases due rows (PostgreSQL `FOR UPDATE SKIP LOCKED`, so
//!   several servers share the work; SQLite's single process a lease column),
//!   sends, logs each attempt and decides retry / dead by the core's policy.
//! - [`send`]: the HTTP (Slack, Teams, signed webhook) and SMTP senders, the
//!   SSRF guard applied to the addresses actually connected to.
//! - [`routes`]: destinations (admin), the delivery log, "retry now", test.
//!
//! Not the extension's sync outbox (`escucha_core::log::outbox`).

pub mod routes;
pub mod send;
pub mod store;
pub mod worker;

use std::collections::HashMap;
use std::sync::OnceLock;

use escucha_core::delivery::{self as core, DeliveryState, Notification};
use escucha_core::log::Capture;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use escucha_core::delivery::Target;

/// What an enqueue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enqueued {
    /// Destinations the target named (enabled ones).
    pub matched: u32,
    /// New outbox rows; `matched - enqueued` were already there.
    pub enqueued: u32,
}

/// The outbox row's id, which is also the webhook's `webhook-id`: derived
/// from (team, destination, idempotency key), so the same event has the same
/// id on every attempt, on every server, after every restart.
pub fn message_id(team_id: i64, destination: &str, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(team_id.to_be_bytes());
    h.update(destination.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let d = h.finalize();
    let hex: String = d.iter().take(15).map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxRow {
    pub id: String,
    pub destination: String,
    pub idempotency_key: String,
    pub kind: String,
    pub capture_id: Option<String>,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_ms: i64,
    pub created_ms: i64,
    pub done_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    pub outbox_id: String,
    pub attempt: u32,
    pub destination: String,
    pub capture_id: Option<String>,
    pub at_ms: i64,
    pub duration_ms: i64,
    /// `delivered`, `retry` or `dead`.
    pub result: String,
    pub http_status: Option<u16>,
    pub smtp_code: Option<u16>,
    pub error: Option<String>,
}

/// A leased row: what the worker sends, and the attempt number it holds.
#[derive(Debug, Clone)]
pub struct Leased {
    pub team_id: i64,
    pub id: String,
    pub destination: String,
    pub notification: Notification,
    pub capture_id: Option<String>,
    /// This attempt's number (from 1), taken when the lease was.
    pub attempt: u32,
    /// Attempts counted against the limit (since the last "retry now").
    pub budget_used: u32,
}

/// The dashboard's address, when the server was told it (`--public-url`),
/// for the "Open in Escucha" link of routed captures.
static PUBLIC_URL: OnceLock<String> = OnceLock::new();

pub fn set_public_url(url: &str) {
    let _ = PUBLIC_URL.set(url.trim_end_matches('/').to_string());
}

pub fn capture_link(capture_id: &str) -> Option<String> {
    PUBLIC_URL.get().map(|base| format!("{base}/#capture={capture_id}"))
}

/// The departments of the stored copies, before a write changes them.
pub fn departments_before(current: &HashMap<String, Capture>) -> HashMap<String, Option<String>> {
    current.iter().map(|(id, c)| (id.clone(), c.department.value.clone())).collect()
}

/// The captures this write routes to a department: live, with a department
/// that differs from the one stored before (a new capture counts).
pub fn newly_routed<'a>(before: &HashMap<String, Option<String>>, writes: &'a [Capture]) -> Vec<&'a Capture> {
    writes
        .iter()
        .filter(|c| !c.deleted.value)
        .filter(|c| c.department.value.as_ref().is_some_and(|d| before.get(&c.id).map(|b| b.as_ref()) != Some(Some(d))))
        .collect()
}

/// The event id of a department change: its register's stamp, so moving a
/// capture A → B → A tells A twice, and re-sending the same push tells no one.
pub fn routed_key(c: &Capture) -> String {
    let s = &c.department.stamp;
    core::routed_key(&c.id, c.department.value.as_deref().unwrap_or(""), &format!("{}.{}.{}", s.ms, s.counter, s.actor))
}

/// The notification a destination in `language` gets for a routed capture.
pub fn routed_notification(c: &Capture, department: &str, language: core::Language) -> Notification {
    let message = core::message::capture_message(c, department, capture_link(&c.id).as_deref(), language);
    let ctx = &c.context.value;
    Notification {
        kind: core::NotificationKind::CaptureRouted,
        message,
        data: serde_json::json!({
            "captureId": c.id,
            "department": department,
            "pageUrl": ctx.page_url,
            "permalink": ctx.permalink,
            "site": ctx.site,
            "author": ctx.author_name,
            "brand": ctx.brand,
            "comment": ctx.comment_text,
            "sentiment": c.sentiment.value,
            "priority": c.priority.value,
        }),
        capture_id: Some(c.id.clone()),
    }
}

/// Wakes the worker when a row is enqueued, so a delivery does not wait for
/// the next poll.
pub static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();
