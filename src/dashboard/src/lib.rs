//! The team-log dashboard page (`www/`), compiled to wasm. Thin glue: the
//! views, strings, charts' configs and API rules live in
//! `escucha_core::dashboard` and `escucha_core::log`; this crate wires them
//! to the DOM, `fetch` and Chart.js.

mod api;
mod app;
mod chart;
mod config_editor;
mod deliveries; // outbox13
mod members;
mod queue;
mod reports;
mod rules_editor;
mod service_editor;
mod team_accounts;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    app::start();
}
