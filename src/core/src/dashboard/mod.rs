//! The team-log dashboard's logic (the page itself is `src/dashboard`, a
//! thin wasm crate): its strings in English and Spanish, its view models,
//! its chart configurations and its use of the sync API.

pub mod bulk;
pub mod charts;
pub mod client;
pub mod config_editor;
pub mod deliveries;
pub mod i18n;
pub mod queue;
pub mod saved_view;
pub mod view;

pub use i18n::{Lang, Text};
