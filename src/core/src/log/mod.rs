//! The capture log: records, their merge rules, and (in sibling modules)
//! querying, import and export.

pub mod counts;
pub mod dates;
pub mod export;
pub mod import;
pub mod ingest;
pub mod links;
pub mod outbox;
pub mod page_lookup;
pub mod query;
pub mod query_api;
pub mod record;
pub mod sanitize;
pub mod stamp;
pub mod stats;
pub mod store_error;
pub mod validate;
pub mod window;

pub use record::{Capture, CaptureContext, CaptureEdit, CommentTime, Priority, Sentiment, Status, Tags, TextPosition, TextQuote};
pub use stamp::{Lww, Merge, Stamp, MAX_STAMP_COUNTER};
