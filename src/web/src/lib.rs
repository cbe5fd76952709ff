//! Escucha's wasm glue: binds `escucha-core` to the browser.
//!
//! Each extension context has its own module (`service_worker`, `content`,
//! `pages::popup`, `pages::options`, `matcher_frame`, `card_frame`); `platform` is the one place that touches
//! the WebExtension APIs, and `dom` the one place that builds our UI. The
//! exported functions below are all the JavaScript loaders ever call.
//!
//! The crate is built twice (see `Cargo.toml`'s features): the `content`
//! build holds only what web pages load (the content script and the matcher
//! frame); the `full` build adds the service worker and the extension pages.

#[cfg(feature = "full")]
pub mod card_frame;
#[cfg(feature = "content")]
pub mod content;
/// The UI kit shared with the dashboard.
pub use escucha_ui::dom;
#[cfg(feature = "content")]
pub mod frame_port;
#[cfg(feature = "content")]
pub mod matcher_frame;
#[cfg(feature = "full")]
pub mod pages;
pub mod platform;
#[cfg(feature = "full")]
pub mod service_worker;
#[cfg(feature = "full")]
pub mod store;
pub mod words;

#[cfg(feature = "full")]
mod extension_entry;
#[cfg(feature = "content")]
mod page_entry;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn init() {
    console_error_panic_hook::set_once();
}

/// The build's version, for tests and the popup.
#[wasm_bindgen]
pub fn version() -> String {
    escucha_core::VERSION.to_string()
}
