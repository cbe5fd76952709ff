//! Entry points of the contexts that web pages load (the `content` build):
//! the content script and the matcher frame.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::{content, matcher_frame};

#[wasm_bindgen]
pub fn content_start() -> Promise {
    future_to_promise(async { content::start().await.map(|_| JsValue::TRUE).map_err(Into::into) })
}

#[wasm_bindgen]
pub fn content_handle_message(message: JsValue, sender: JsValue) -> Promise {
    future_to_promise(async move { Ok(content::handle(message, sender).await) })
}

/// Entry point of the matcher frame; `early` holds the window messages that
/// arrived while the engine was loading.
#[wasm_bindgen]
pub fn matcher_frame_start(early: js_sys::Array) -> Promise {
    future_to_promise(async move { matcher_frame::start(early).await.map(|_| JsValue::TRUE).map_err(Into::into) })
}
