//! What the extension's pages show and decide, without the DOM: the glue in
//! `escucha-web` reads the controls, asks these models, and writes text back.
//! Tested natively, like the rest of the core.

pub mod log;
pub mod options;
pub mod popup;
// wsui12 (issue 12): quick views, mentions, badge, thread and timeline.
pub mod workspace;
