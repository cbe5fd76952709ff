//! One-click capture: from a highlighted mention to the comment it sits in.
//!
//! The content script gathers a bounded [`Snapshot`] of the DOM around the
//! mention and the page's [`PageInfo`] (both through [`DomSource`], so the
//! gathering rules live here); [`extract`] then finds the comment root
//! (platform adapters first, then schema.org, microformats, ARIA roles and
//! structural repetition) and reads its text, author, time and permalink.

pub mod adapters;
pub mod confidence;
pub mod css;
pub mod detect;
pub mod extract;
pub mod fields;
pub mod json_ld;
pub mod page;
pub mod reply;
pub mod selector;
pub mod snapshot;
pub mod template;
#[cfg(test)]
pub(crate) mod test_dom;
pub mod text;
pub mod time;
pub mod url;

pub use confidence::{Confidence, Thresholds};
pub use detect::Method;
pub use extract::{extract, extract_scored, Extraction, TextScope};
pub use page::PageInfo;
pub use selector::{anchor, describe, TextPositionSelector, TextQuoteSelector};
pub use snapshot::{DomSource, SnapNode, Snapshot};
pub use time::{CommentTime, Precision, Zone};
