//! How sure extraction is of each field, and the bar a field must clear to be
//! returned. A wrong author, time or permalink is worse than a missing one
//! (the manager replies to the wrong person), so extraction scores every
//! field it finds and [`Thresholds`] drops those below the bar.
//!
//! The bar is a parameter, not a rule: the fidelity benchmark chooses it
//! leave-one-site-out (on every site but the one scored) to estimate how the
//! product's [`Thresholds::DEFAULT`] does on a site nobody tuned for.

use serde::{Deserialize, Serialize};

use super::extract::{Extraction, TextScope};

/// Per-field confidence in `[0, 1]`; 0 for a field that was not found.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Confidence {
    pub text: f32,
    pub author: f32,
    pub time: f32,
    pub permalink: f32,
}

/// The least confidence a field needs to be kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub text: f32,
    pub author: f32,
    pub time: f32,
    pub permalink: f32,
}

impl Thresholds {
    /// What the product uses.
    pub const DEFAULT: Thresholds = Thresholds { text: 0.5, author: 0.5, time: 0.5, permalink: 0.5 };
    /// Keeps everything that was found (for measuring).
    pub const KEEP_ALL: Thresholds = Thresholds { text: 0.0, author: 0.0, time: 0.0, permalink: 0.0 };

    /// Clear the author, time and permalink of `ex` where their confidence is
    /// below the bar. The text is never cleared: the card always shows what
    /// was clicked. A text below the bar is marked [`TextScope::Passage`]
    /// (extraction narrows a text it is unsure of to the clicked block).
    pub fn apply(&self, ex: &mut Extraction, c: &Confidence) {
        if c.text < self.text || c.text <= 0.0 {
            ex.text_scope = TextScope::Passage;
        }
        if c.author < self.author || c.author <= 0.0 {
            ex.author_name = None;
            ex.author_url = None;
        }
        if c.time < self.time || c.time <= 0.0 {
            ex.time = None;
        }
        if c.permalink < self.permalink || c.permalink <= 0.0 {
            ex.permalink = None;
        }
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::DEFAULT
    }
}
