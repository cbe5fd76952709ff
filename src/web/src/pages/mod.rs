//! Extension pages (popup, options, log, welcome): each renders its UI from Rust.

// sla13: due lines of listed captures.
pub mod due_lines;
pub mod log;
pub mod options;
pub mod popup;
pub mod welcome;

use web_sys::HtmlElement;

use crate::dom;

/// The `<main id="app">` every page renders into.
pub fn app_root() -> HtmlElement {
    use wasm_bindgen::JsCast;
    dom::document().get_element_by_id("app").expect("#app").unchecked_into()
}

/// Tell assistive technology (and spell-checkers) which language the page is
/// in: the UI language the extension's tables were chosen in.
pub fn set_document_lang() {
    if let Some(html) = dom::document().document_element() {
        html.set_attribute("lang", &crate::platform::t(escucha_core::i18n::Key::OptionsLanguageCode, &[])).ok();
    }
}

/// The page heading with the extension icon.
pub fn heading(text: &str) -> HtmlElement {
    let h1 = dom::el("h1", &[], "");
    let icon = dom::el("img", &[("src", "/icons/icon-32.png"), ("alt", "")], "");
    let label = dom::el("span", &[], text);
    dom::append(h1, &[&icon, &label])
}
