//! What a failed storage operation means, in words a manager can act on.
//!
//! The browser store maps the browser's error names onto these kinds; the
//! sentences live here so every context says the same thing. Each one states
//! whether the thing just attempted was saved and that earlier captures are
//! safe, because a failed write transaction changes nothing.

/// Why the local log could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreFailure {
    /// The disk (or the browser's quota) is full.
    Full,
    /// The browser could not open or use its database (disk error, profile
    /// damage, private-mode limits, another version holding it open).
    Unavailable(String),
    /// The write was aborted for another reason.
    Aborted(String),
}

/// What was being attempted when storage failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAction {
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

/// The sentence for a failure during `action`.
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
