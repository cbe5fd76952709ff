//! Why a request failed, as data. The words are chosen where it is shown, in
//! the manager's language ([`ProtocolError::words`]); `Display` is English
//! for the console only.

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// Why a request failed. On the wire: `{"type":"error","code":<code>, ...fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum ProtocolError {
    /// The message did not parse as any request of the sender's channel.
    BadMessage { detail: String },
    /// The sender is not one of this extension's contexts.
    UnknownSender,
    /// The sender is ours but its channel does not hold `request`.
    Forbidden { request: String },
    /// A matcher or card ticket that is unknown, used, or from another tab.
    StaleTicket,
    /// The capture is no longer in the log.
    CaptureGone,
    /// The capture has no web link to open.
    NoLink,
    /// The page has no site to switch Escucha on or off for.
    NoSite,
    /// The keyboard shortcut found no highlighted mention on the page.
    NoMention,
    /// "Log selection" without a selection.
    NoSelection,
    /// The mention the popup named is no longer on the page.
    MentionGone,
    /// A card opened on `page` tried to log a capture of another page.
    OtherPage { page: String, cited: String },
    /// The content was refused by its validator; `detail` is the validator's report.
    Invalid { detail: String },
    /// Browser storage failed (quota, disk); nothing was changed.
    Storage { detail: String },
    /// Something that should not happen; `detail` for the developer.
    Internal { detail: String },
    /// Nobody answered (no content script in the tab, the worker stopped).
    NoAnswer { detail: String },
    /// The answer to `request` did not parse as its reply type (a build mismatch).
    BadReply { request: String, detail: String },
}

/// The coarse class of a [`ProtocolError`], for decisions (retry, which
/// status line) that do not need the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadMessage,
    UnknownSender,
    Forbidden,
    Invalid,
    Storage,
    Internal,
    Unreachable,
}

impl ProtocolError {
    pub fn code(&self) -> ErrorCode {
        use ProtocolError::*;
        match self {
            BadMessage { .. } | BadReply { .. } => ErrorCode::BadMessage,
            UnknownSender => ErrorCode::UnknownSender,
            Forbidden { .. } | StaleTicket | OtherPage { .. } => ErrorCode::Forbidden,
            CaptureGone | NoLink | NoSite | NoMention | NoSelection | MentionGone | Invalid { .. } => ErrorCode::Invalid,
            Storage { .. } => ErrorCode::Storage,
            Internal { .. } => ErrorCode::Internal,
            NoAnswer { .. } => ErrorCode::Unreachable,
        }
    }

    /// The UI string and its substitutions that say this to a person.
    pub fn words(&self) -> (Key, Vec<String>) {
        use ProtocolError::*;
        match self {
            BadMessage { detail } => (Key::ProtoBadMessage, vec![detail.clone()]),
            UnknownSender => (Key::ProtoUnknownSender, vec![]),
            Forbidden { request } => (Key::ProtoForbidden, vec![request.clone()]),
            StaleTicket => (Key::ProtoStaleTicket, vec![]),
            CaptureGone => (Key::ProtoCaptureGone, vec![]),
            NoLink => (Key::ProtoNoLink, vec![]),
            NoSite => (Key::ProtoNoSite, vec![]),
            NoMention => (Key::ProtoNoMention, vec![]),
            NoSelection => (Key::ProtoNoSelection, vec![]),
            MentionGone => (Key::ProtoMentionGone, vec![]),
            OtherPage { page, cited } => (Key::ProtoOtherPage, vec![page.clone(), cited.clone()]),
            Invalid { detail } => (Key::ProtoInvalid, vec![detail.clone()]),
            Storage { detail } => (Key::ErrorStorage, vec![detail.clone()]),
            Internal { detail } => (Key::ErrorGeneric, vec![detail.clone()]),
            NoAnswer { detail } => (Key::ProtoNoAnswer, vec![detail.clone()]),
            BadReply { request, detail } => (Key::ProtoBadReply, vec![request.clone(), detail.clone()]),
        }
    }

    /// The free text the error carries (a validator's report, the browser's
    /// own words), if any: what a status line that already says "not saved"
    /// adds.
    pub fn detail(&self) -> Option<&str> {
        use ProtocolError::*;
        match self {
            BadMessage { detail } | Invalid { detail } | Storage { detail } | Internal { detail } | NoAnswer { detail } => Some(detail),
            BadReply { detail, .. } => Some(detail),
            _ => None,
        }
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // English, for the console: people see `words()`.
        let (key, args) = self.words();
        write!(f, "{}", key.name())?;
        if !args.is_empty() {
            write!(f, ": {}", args.join(" / "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ProtocolError {}
