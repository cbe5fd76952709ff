//! The capture log: records, their merge rules, and (in sibling modules)
//! querying, import and export.

pub mod claim;
pub mod counts;
pub mod dates;
pub mod edit;
pub mod export;
pub mod history;
pub mod import;
pub mod ingest;
pub mod links;
pub mod mentions;
#[cfg(test)]
mod merge_laws;
pub mod outbox;
pub mod page_lookup;
pub mod query;
pub mod query_api;
pub mod record;
pub mod sanitize;
pub mod stamp;
pub mod stats;
pub mod store_error;
pub mod tag_set;
pub mod thread;
pub mod validate;
pub mod verified;
pub mod window;

pub use claim::{Claim, CLAIM_MINUTES};
pub use edit::{CaptureEdit, CommentEdit, EditRefusal};
pub use history::{Event, EventField, History};
pub use record::{Capture, CaptureContext, CommentTime, Priority, Sentiment, Status, Tags, TextPosition, TextQuote};
pub use stamp::{Lww, Merge, Stamp, MAX_STAMP_COUNTER};
pub use tag_set::{TagDot, TagSet};
pub use thread::{Comment, Thread};
pub use verified::VerifiedResponse;
