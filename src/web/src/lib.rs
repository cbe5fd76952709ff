//! Escucha's wasm glue: binds `escucha-core` to the browser.
//!
//! Each extension context has its own module (`service_worker`, `content`,
//! `pages::popup`, `pages::options`, `matcher_frame`); `platform` is the one place that touches
//! the WebExtension APIs, and `dom` the one place that builds our UI. The
//! exported functions below are all the JavaScript loaders ever call.

pub mod content;
pub mod dom;
pub mod matcher_frame;
pub mod pages;
pub mod platform;
pub mod service_worker;
pub mod store;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

#[wasm_bindgen(start)]
fn init() {
    console_error_panic_hook::set_once();
}

/// The build's version, for tests and the popup.
#[wasm_bindgen]
pub fn version() -> String {
    escucha_core::VERSION.to_string()
}

#[wasm_bindgen]
pub fn sw_start() -> Promise {
    future_to_promise(async { service_worker::start().await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

#[wasm_bindgen]
pub fn sw_handle_message(message: JsValue, sender: JsValue) -> Promise {
    future_to_promise(async move { Ok(platform::to_js(&service_worker::handle(message, sender).await)) })
}

#[wasm_bindgen]
pub fn sw_tab_closed(tab_id: i32) {
    service_worker::tab_closed(tab_id);
}

#[wasm_bindgen]
pub fn sw_menu_clicked(menu_id: String, tab_id: i32, frame_id: i32) -> Promise {
    future_to_promise(async move {
        service_worker::menu_clicked(menu_id, tab_id, frame_id).await;
        Ok(JsValue::TRUE)
    })
}

#[wasm_bindgen]
pub fn sw_command(name: String, tab_id: i32) -> Promise {
    future_to_promise(async move {
        service_worker::command(name, tab_id).await;
        Ok(JsValue::TRUE)
    })
}

#[wasm_bindgen]
pub fn content_start() -> Promise {
    future_to_promise(async { content::start().await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

#[wasm_bindgen]
pub fn content_handle_message(message: JsValue, sender: JsValue) -> Promise {
    future_to_promise(async move { Ok(platform::to_js(&content::handle(message, sender).await)) })
}

/// Entry point of every extension page; `page` comes from the loader's `data-page`.
#[wasm_bindgen]
pub fn page_start(page: String) -> Promise {
    future_to_promise(async move {
        let result = match page.as_str() {
            "popup" => pages::popup::start().await,
            "options" => pages::options::start().await,
            other => Err(platform::PlatformError(format!("Unknown page '{other}'."))),
        };
        result.map(|_| JsValue::TRUE).map_err(Into::into)
    })
}

/// Entry point of the matcher frame; `early` holds the window messages that
/// arrived while the engine was loading.
#[wasm_bindgen]
pub fn matcher_frame_start(early: js_sys::Array) -> Promise {
    future_to_promise(async move { matcher_frame::start(early).await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

/// Benchmarks only (`tests/bench/store.mjs`): fill database `name` with
/// `count` captures and time the local log's bulk paths.
#[wasm_bindgen]
pub fn bench_store(name: String, count: u32) -> Promise {
    future_to_promise(async move { Ok(platform::to_js(&store::bench::run(&name, count).await?)) })
}
