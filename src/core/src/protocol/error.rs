//! Why a request failed, as data. The words are chosen where it is shown, in
//! the manager's language ([`ProtocolError::words`]); `Display` is English
//! for the console only.

use serde::{Deserialize, Serialize};

use crate::i18n::{Key, Words};
use crate::log::store_error::{self, StoreAction, StoreFailure};

/// Why a request failed. On the wire: `{"type":"error","code":<code>, ...fields}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case", rename_all_fields = "camelCase")]
// Every variant, for the generated JavaScript codes (protocol::generated).
#[cfg_attr(test, derive(strum::EnumIter))]
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
    /// The stored settings cannot be used (unreadable, or from a newer
    /// Escucha), so nothing that would overwrite them is done.
    SettingsUnusable { problem: crate::settings::SettingsProblem },
    /// Browser storage failed (quota, disk) during `action`; nothing was
    /// changed. Data, so the status line words it in the manager's language.
    Storage { failure: StoreFailure, action: StoreAction },
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
            CaptureGone | NoLink | NoSite | NoMention | NoSelection | MentionGone | Invalid { .. } | SettingsUnusable { .. } => {
                ErrorCode::Invalid
            }
            Storage { .. } => ErrorCode::Storage,
            Internal { .. } => ErrorCode::Internal,
            NoAnswer { .. } => ErrorCode::Unreachable,
        }
    }

    /// What says this to a person: a key and its placeholders, worded at
    /// display time in the manager's language.
    pub fn words(&self) -> Words {
        use ProtocolError::*;
        let with = |key: Key, args: &[&String]| args.iter().fold(Words::new(key), |w, a| w.text(a.as_str()));
        match self {
            BadMessage { detail } => with(Key::ProtoBadMessage, &[detail]),
            UnknownSender => with(Key::ProtoUnknownSender, &[]),
            Forbidden { request } => with(Key::ProtoForbidden, &[request]),
            StaleTicket => with(Key::ProtoStaleTicket, &[]),
            CaptureGone => with(Key::ProtoCaptureGone, &[]),
            NoLink => with(Key::ProtoNoLink, &[]),
            NoSite => with(Key::ProtoNoSite, &[]),
            NoMention => with(Key::ProtoNoMention, &[]),
            NoSelection => with(Key::ProtoNoSelection, &[]),
            MentionGone => with(Key::ProtoMentionGone, &[]),
            OtherPage { page, cited } => with(Key::ProtoOtherPage, &[page, cited]),
            Invalid { detail } => with(Key::ProtoInvalid, &[detail]),
            SettingsUnusable { problem } => Words::new(Key::OptionsSettingsProblem).word(problem.words()),
            Storage { failure, action } => store_error::words(failure, *action),
            Internal { detail } => with(Key::ErrorGeneric, &[detail]),
            NoAnswer { detail } => with(Key::ProtoNoAnswer, &[detail]),
            BadReply { request, detail } => with(Key::ProtoBadReply, &[request, detail]),
        }
    }

    /// The free text the error carries (a validator's report, the browser's
    /// own words), if any: what a status line that already says "not saved"
    /// adds.
    pub fn detail(&self) -> Option<&str> {
        use ProtocolError::*;
        match self {
            BadMessage { detail } | Invalid { detail } | Internal { detail } | NoAnswer { detail } => Some(detail),
            Storage { failure: StoreFailure::Unavailable(detail) | StoreFailure::Aborted(detail), .. } => Some(detail),
            BadReply { detail, .. } => Some(detail),
            _ => None,
        }
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // English, for the console: people see `words()`.
        if let ProtocolError::Storage { failure, action } = self {
            return write!(f, "{}", store_error::describe(failure, *action));
        }
        write!(f, "{}", self.words().english_outline())
    }
}

impl std::error::Error for ProtocolError {}
