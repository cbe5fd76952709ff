//! Small, safe DOM builders for Escucha's own UI (extension pages and dashboard).
//!
//! Page text reaches our UI only through [`text`] and `set_text_content`, which
//! the browser never parses as HTML. This module offers no way to set markup.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
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

/// Append `children` to `parent`, returning `parent` for chaining.
pub fn append<E: AsRef<Element>>(parent: E, children: &[&Element]) -> E {
    for c in children {
        parent.as_ref().append_child(c).expect("append");
    }
    parent
}

/// Append one child (the dashboard's form of [`append`]).
pub fn append_child(parent: &Element, child: &Element) {
    parent.append_child(child).expect("append");
}

/// The element `#id` of the page's own markup, of type `T`.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("#{id} is missing from the page"))
        .dyn_into::<T>()
        .unwrap_or_else(|_| panic!("#{id} has an unexpected element type"))
}

/// Remove everything inside `parent`.
pub fn clear(parent: &Element) {
    parent.set_text_content(None);
}

/// Set `#id`'s text.
pub fn set_text(id: &str, text: &str) {
    by_id::<Element>(id).set_text_content(Some(text));
}

/// Show or hide `#id`.
pub fn set_hidden(id: &str, hidden: bool) {
    by_id::<HtmlElement>(id).set_hidden(hidden);
}

/// Replace everything inside `parent` with `children`.
pub fn replace_children(parent: &Element, children: &[&Element]) {
    parent.set_text_content(None);
    for c in children {
        parent.append_child(c).expect("append");
    }
}

/// Offer `text` as a file download named `name` (Blob + object URL + a
/// temporary link). The one download of the extension's pages.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = el("a", &[("href", &url), ("download", name), ("hidden", "")], "").unchecked_into();
    document().body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    // Revoke later: the download has started reading the blob by then.
    gloo_timers::callback::Timeout::new(60_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn hostile_text_stays_text() {
        let payload = r#"<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"#;
        let p = el("p", &[("class", "quote")], payload);
        assert_eq!(p.text_content().unwrap(), payload);
        assert_eq!(p.child_element_count(), 0, "no element was parsed out of page text");
        assert_eq!(p.get_attribute("class").as_deref(), Some("quote"));
    }

    #[wasm_bindgen_test]
    fn replace_children_clears_previous_content() {
        let ul = el("ul", &[], "");
        append(&ul, &[&el("li", &[], "a"), &el("li", &[], "b")]);
        assert_eq!(ul.child_element_count(), 2);
        replace_children(&ul, &[&el("li", &[], "c")]);
        assert_eq!(ul.text_content().unwrap(), "c");
    }
}
