//! Escucha's platform-free core.
//!
//! Nothing in this crate names a browser or wasm type: the wasm glue
//! (`escucha-web`) and the team-log server (`escucha-server`) both build on it,
//! and `cargo test` exercises all of it natively.

pub mod brands;
pub mod capture;
pub mod card;
pub mod card_cover;
pub mod card_frame;
pub mod dashboard;
pub mod delivery;
// digest13 (issue 13): weekly digests and spike alerts.
pub mod feedback;
pub mod first_run;
pub mod frame_ticket;
pub mod i18n;
pub mod log;
pub mod matcher_frame;
pub mod matching;
pub mod page_text;
pub mod page_watch;
pub mod pages;
pub mod paint;
pub mod protocol;
pub mod response_view;
pub mod routing;
pub mod sender;
// sla13 (issue 13): response times, service targets, reports.
pub mod service;
pub mod settings;
pub mod sites;
pub mod sync;
pub mod team_accounts;
pub mod team_config;
pub mod workspace;

/// The version every context reports, so a test can prove which build runs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
