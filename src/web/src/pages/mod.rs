//! Extension pages (popup, options, log): each renders its UI from Rust.

pub mod log;
pub mod options;
pub mod popup;

use web_sys::HtmlElement;

use crate::dom;

/// The `<main id="app">` every page renders into.
pub fn app_root() -> HtmlElement {
    use wasm_bindgen::JsCast;
    dom::document().get_element_by_id("app").expect("#app").unchecked_into()
}

/// The page heading with the extension icon.
pub fn heading(text: &str) -> HtmlElement {
    let h1 = dom::el("h1", &[], "");
    let icon = dom::el("img", &[("src", "/icons/icon-32.png"), ("alt", "")], "");
    let label = dom::el("span", &[], text);
    dom::append(h1, &[&icon, &label])
}
