//! Escucha's one UI kit, shared by the extension's pages (`escucha-web`) and
//! the dashboard (`escucha-dashboard`): [`dom`] builds UI from text only (no
//! way to set markup), with the one file download; [`http`] is the one
//! `fetch` with a timeout.

pub mod dom;
pub mod http;

/// A JavaScript error's message (or the value itself), for a technical detail.
pub fn describe_js_error(v: &wasm_bindgen::JsValue) -> String {
    js_sys::Reflect::get(v, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| v.as_string())
        .unwrap_or_else(|| format!("{v:?}"))
}
