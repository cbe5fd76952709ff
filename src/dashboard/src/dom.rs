//! Small, safe DOM helpers. Text reaches the page only through
//! `set_text_content` (never parsed as HTML); this module offers no way to
//! set markup, and links are set only from `view::safe_link` results.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("#{id} is missing from index.html"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has an unexpected element type"))
}

/// `<tag attr=value…>text</tag>`, with `text` as plain text.
pub fn el(tag: &str, attrs: &[(&str, &str)], text: &str) -> HtmlElement {
    let e = document().create_element(tag).expect("valid tag name");
    for (k, v) in attrs {
        e.set_attribute(k, v).expect("valid attribute name");
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e.unchecked_into()
}

pub fn append(parent: &Element, child: &Element) {
    parent.append_child(child).expect("append");
}

pub fn clear(parent: &Element) {
    parent.set_text_content(None);
}

pub fn set_text(id: &str, text: &str) {
    by_id::<Element>(id).set_text_content(Some(text));
}

pub fn set_hidden(id: &str, hidden: bool) {
    by_id::<HtmlElement>(id).set_hidden(hidden);
}
