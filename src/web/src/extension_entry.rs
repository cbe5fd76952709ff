//! Entry points of the extension's own contexts (the `full` build only): the
//! service worker and the extension pages.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::{card_frame, pages, platform, service_worker};

#[wasm_bindgen]
pub fn sw_start() -> Promise {
    future_to_promise(async { service_worker::start().await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

#[wasm_bindgen]
pub fn sw_handle_message(message: JsValue, sender: JsValue) -> Promise {
    future_to_promise(async move { Ok(service_worker::handle(message, sender).await) })
}

#[wasm_bindgen]
pub fn sw_alarm(name: String) {
    service_worker::sync::alarm(&name);
}

/// `runtime.onInstalled`: a fresh install opens the welcome page.
#[wasm_bindgen]
pub fn sw_installed(reason: String) -> Promise {
    future_to_promise(async move {
        if let Some(page) = escucha_core::first_run::page_on_installed(&reason) {
            let url = platform::call_sync("runtime.getURL", &[page.into()])?.as_string().unwrap_or_default();
            platform::open_tab(&url).await?;
        }
        Ok(JsValue::TRUE)
    })
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

/// Entry point of every extension page; `page` comes from the loader's `data-page`.
#[wasm_bindgen]
pub fn page_start(page: String) -> Promise {
    future_to_promise(async move {
        let result = match page.as_str() {
            "popup" => pages::popup::start().await,
            "options" => pages::options::start().await,
            "log" => pages::log::start().await,
            "welcome" => pages::welcome::start().await,
            other => Err(platform::PlatformError(format!("Unknown page '{other}'."))),
        };
        result.map(|_| JsValue::TRUE).map_err(Into::into)
    })
}

/// Entry point of the card frame; `early` holds the window messages that
/// arrived while the engine was loading.
#[wasm_bindgen]
pub fn card_frame_start(early: js_sys::Array) -> Promise {
    future_to_promise(async move { card_frame::start(early).await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

/// Benchmarks only (`tests/bench/store.mjs`, the `bench` feature): fill
/// database `name` with `count` captures and time the local log's bulk paths.
#[cfg(feature = "bench")]
#[wasm_bindgen]
pub fn bench_store(name: String, count: u32) -> Promise {
    future_to_promise(async move { Ok(platform::to_js(&crate::store::bench::run(&name, count).await?)) })
}
