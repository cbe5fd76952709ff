//! Deliveries to the team's destinations (issue 13): what the server sends to
//! a department's Slack, Teams, email or signed webhook, decided here so every
//! rule is tested natively and the server only moves bytes.
//!
//! One channel-neutral document ([`Message`]) is written once by whoever has
//! something to say (a routed capture, a rule's "send to", a digest, a spike
//! alert) and each channel renders it with its own escaping ([`slack`],
//! [`teams`], [`email`], [`webhook`]). Page text only ever enters a message as
//! plain text; the renderers are the one place it is escaped.
//!
//! Not to be confused with `log::outbox`, the extension's sync outbox.

pub mod destination;
pub mod email;
pub mod message;
pub mod retry;
pub mod slack;
pub mod ssrf;
pub mod teams;
pub mod webhook;

use serde::{Deserialize, Serialize};

pub use destination::{Destination, DestinationKind, DestinationProblem, DestinationView, Language};
pub use message::{Block, Field, Item, Message};

/// What kind of event a notification is; the generic webhook's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A capture reached a department (rules at ingest, or a member's edit).
    CaptureRouted,
    /// A rule's "send to" named a destination.
    RuleSendTo,
    /// The weekly department digest.
    Digest,
    /// A brand's negative captures spiked.
    SpikeAlert,
    /// An admin's "test send" from the destinations page.
    Test,
}

impl NotificationKind {
    /// The Standard Webhooks event type (`type` in the payload).
    pub fn event_type(self) -> &'static str {
        match self {
            NotificationKind::CaptureRouted => "capture.routed",
            NotificationKind::RuleSendTo => "capture.sent",
            NotificationKind::Digest => "digest.weekly",
            NotificationKind::SpikeAlert => "alert.spike",
            NotificationKind::Test => "destination.test",
        }
    }
}

/// One thing to tell: the message every channel renders, plus structured
/// data for the generic webhook's receivers (`data` in its payload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub kind: NotificationKind,
    pub message: Message,
    #[serde(default)]
    pub data: serde_json::Value,
    /// The capture it is about, if one: the delivery log per capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
}

/// Whom a notification is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "name")]
pub enum Target {
    /// Every enabled destination of that department.
    Department(String),
    /// One destination, by its name.
    Destination(String),
}

/// The idempotency key of "capture `id` reached `department` by `event`": the
/// same event enqueued twice (a re-sent push, a retried edit, a second server)
/// is one delivery per destination.
pub fn routed_key(capture_id: &str, department: &str, event: &str) -> String {
    format!("capture:{capture_id}:{department}:{event}")
}

/// Delivery states of one outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt (`next_ms`).
    Pending,
    Delivered,
    /// Gave up: a permanent refusal, or the attempt limit was reached.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "dead" => Some(DeliveryState::Dead),
            _ => None,
        }
    }
}
