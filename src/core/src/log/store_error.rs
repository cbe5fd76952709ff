//! What a failed storage operation means, in words a manager can act on.
//!
//! The browser store maps the browser's error names onto these kinds; the
//! sentences live here so every context says the same thing. Each one states
//! whether the thing just attempted was saved and that earlier captures are
//! safe, because a failed write transaction changes nothing.

/// Why the local log could not be read or written. Travels as data
/// (`{"kind": "full"}`, `{"kind": "unavailable", "detail": …}`); the words
/// are chosen where it is shown ([`words`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "camelCase")]
pub enum StoreFailure {
    /// The disk (or the browser's quota) is full.
    #[default]
    Full,
    /// The browser could not open or use its database (disk error, profile
    /// damage, private-mode limits, another version holding it open).
    Unavailable(String),
    /// The write was aborted for another reason.
    Aborted(String),
}

/// Classify a browser storage error by its `name` and `message`.
///
/// Chromium reports a full disk during an IndexedDB write not as
/// `QuotaExceededError` but as `UnknownError` whose message carries LevelDB's
/// `FILE_ERROR_NO_SPACE` (measured with Chromium 156 on a full tmpfs), and
/// then refuses to reopen the database until space is freed.
pub fn classify(name: &str, message: &str) -> StoreFailure {
    let detail = if message.is_empty() { name.to_string() } else { format!("{name}: {message}") };
    let lower = message.to_ascii_lowercase();
    if name == "QuotaExceededError" || lower.contains("no_space") || lower.contains("no space") || lower.contains("disk full") {
        return StoreFailure::Full;
    }
    // Keep the first clause: the rest is file paths and internal codes.
    let short: String = detail.split(" because of").next().unwrap_or(&detail).chars().take(120).collect();
    match name {
        "UnknownError" | "InvalidStateError" | "VersionError" | "NotFoundError" | "SecurityError" | "" => {
            StoreFailure::Unavailable(if short.is_empty() { "unknown error".into() } else { short })
        }
        _ => StoreFailure::Aborted(short),
    }
}

/// What was being attempted when storage failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StoreAction {
    #[default]
    Capture,
    Edit,
    Import,
    Read,
    Sync,
}

impl StoreAction {
    fn not_saved(self) -> &'static str {
        match self {
            StoreAction::Capture => "this capture was NOT saved",
            StoreAction::Edit => "this change was NOT saved",
            StoreAction::Import => "nothing from this import was saved",
            StoreAction::Read => "the log could not be read",
            StoreAction::Sync => "the sync progress was NOT saved (it will be redone)",
        }
    }
}

/// The sentence for a failure during `action`, in the manager's language
/// (worded at display time). The browser's own detail is a quoted technical detail.
pub fn words(failure: &StoreFailure, action: StoreAction) -> crate::i18n::Words {
    use crate::i18n::{Key, Words};
    let not_saved = Words::new(match action {
        StoreAction::Capture => Key::StoreNotSavedCapture,
        StoreAction::Edit => Key::StoreNotSavedEdit,
        StoreAction::Import => Key::StoreNotSavedImport,
        StoreAction::Read => Key::StoreNotSavedRead,
        StoreAction::Sync => Key::StoreNotSavedSync,
    });
    match failure {
        StoreFailure::Full => Words::new(Key::StoreFull).word(not_saved),
        StoreFailure::Unavailable(detail) => Words::new(Key::StoreUnavailable).text(detail.clone()).word(not_saved),
        StoreFailure::Aborted(detail) => Words::new(Key::StoreAborted).text(detail.clone()).word(not_saved),
    }
}

/// The sentence for a failure during `action`, in English (logs).
pub fn describe(failure: &StoreFailure, action: StoreAction) -> String {
    let not_saved = action.not_saved();
    match failure {
        StoreFailure::Full => format!(
            "The browser's storage is full: {not_saved}; your earlier captures are safe. Free disk space and try again."
        ),
        StoreFailure::Unavailable(detail) => format!(
            "The browser could not use Escucha's local log ({detail}): {not_saved}; your earlier captures are untouched. Restart the browser and try again."
        ),
        StoreFailure::Aborted(detail) => format!(
            "Saving to the local log was interrupted ({detail}): {not_saved}; your earlier captures are untouched. Try again."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_errors_are_classified() {
        let no_space = "Connection is closing because of: IO error: /p/x.leveldb/000003.log: FILE_ERROR_NO_SPACE (ChromeMethodBFE: 3::WritableFileAppend::8)";
        let cases = [
            ("QuotaExceededError", "", StoreFailure::Full),
            ("UnknownError", no_space, StoreFailure::Full),
            (
                "UnknownError",
                "Internal error opening backing store for indexedDB.open.",
                StoreFailure::Unavailable("UnknownError: Internal error opening backing store for indexedDB.open.".into()),
            ),
            (
                "InvalidStateError",
                "The database connection is closing. because of x",
                StoreFailure::Unavailable("InvalidStateError: The database connection is closing.".into()),
            ),
            ("AbortError", "", StoreFailure::Aborted("AbortError".into())),
            ("", "", StoreFailure::Unavailable("unknown error".into())),
        ];
        for (name, message, want) in cases {
            assert_eq!(classify(name, message), want, "{name} {message}");
        }
    }

    #[test]
    fn every_sentence_says_what_was_lost_and_what_is_safe() {
        let cases = [
            (StoreFailure::Full, StoreAction::Capture, "storage is full: this capture was NOT saved"),
            (StoreFailure::Full, StoreAction::Import, "nothing from this import was saved"),
            (StoreFailure::Unavailable("disk error".into()), StoreAction::Edit, "(disk error): this change was NOT saved"),
            (StoreFailure::Aborted("AbortError".into()), StoreAction::Capture, "interrupted (AbortError)"),
        ];
        for (f, a, want) in cases {
            let s = describe(&f, a);
            assert!(s.contains(want), "{s}");
            assert!(s.contains("earlier captures are"), "{s}");
        }
    }
}
