//! Gathering a mention's DOM context for capture: the web-sys side of
//! `escucha_core::capture::DomSource`. Read-only: nothing here changes the
//! page. What to copy (and how much) is decided by the core's
//! `Snapshot::gather`; this file only answers its questions about nodes.

use escucha_core::capture::{DomSource, PageInfo, Snapshot};
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// The live document, as `DomSource` sees it.
pub struct WebDom;

impl DomSource for WebDom {
    type Node = Node;

    fn same(&self, a: &Node, b: &Node) -> bool {
        a.is_same_node(Some(b))
    }

    fn parent(&self, node: &Node) -> Option<Node> {
        node.parent_node()
    }

    fn children(&self, node: &Node) -> Vec<Node> {
        let list = node.child_nodes();
        (0..list.length()).filter_map(|i| list.item(i)).collect()
    }

    fn tag(&self, node: &Node) -> Option<String> {
        (node.node_type() == Node::ELEMENT_NODE).then(|| node.unchecked_ref::<Element>().local_name().to_ascii_lowercase())
    }

    fn attribute_names(&self, node: &Node) -> Vec<String> {
        match node.dyn_ref::<Element>() {
            Some(e) => e.get_attribute_names().iter().filter_map(|v| v.as_string()).collect(),
            None => Vec::new(),
        }
    }

    fn attribute(&self, node: &Node, name: &str) -> Option<String> {
        node.dyn_ref::<Element>()?.get_attribute(name)
    }

    fn text(&self, node: &Node) -> Option<String> {
        match node.node_type() {
            Node::TEXT_NODE | Node::CDATA_SECTION_NODE => node.node_value(),
            _ => None,
        }
    }
}

/// The URL captures on this page cite: its canonical link when present.
pub fn cited_url() -> String {
    let document = crate::dom::document();
    let url = document.url().unwrap_or_default();
    match document.document_element() {
        Some(root) => PageInfo::gather(&WebDom, &root.into(), &url).cite_url().to_string(),
        None => url,
    }
}

/// The snapshot around a mention (UTF-16 offsets `start..end` in
/// `text_node`) and the page facts, ready for `capture::extract`.
pub fn gather(text_node: &Node, start: u32, end: u32) -> (Snapshot, PageInfo) {
    let snapshot = Snapshot::gather(&WebDom, text_node, start, end);
    let document = text_node.owner_document().unwrap_or_else(crate::dom::document);
    let url = document.url().unwrap_or_default();
    let page = match document.document_element() {
        Some(root) => PageInfo::gather(&WebDom, &root.into(), &url),
        None => PageInfo { url, ..Default::default() },
    };
    (snapshot, page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dom;
    use escucha_core::capture::{extract, Method};
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    /// A WordPress comment pair built with text-only DOM calls.
    fn wordpress_thread() -> (web_sys::HtmlElement, Node) {
        let list = dom::el("ol", &[("class", "comment-list")], "");
        let li = dom::el("li", &[("id", "comment-12"), ("class", "comment even depth-1")], "");
        let body = dom::el("article", &[("class", "comment-body"), ("id", "div-comment-12")], "");
        let author = dom::el("div", &[("class", "comment-author vcard")], "");
        let fn_ = dom::el("b", &[("class", "fn")], "");
        dom::append(&fn_, &[&dom::el("a", &[("href", "https://maria.example.org/"), ("class", "url")], "María")]);
        dom::append(&author, &[&fn_, &dom::el("span", &[("class", "says")], "says:")]);
        let meta = dom::el("div", &[("class", "comment-metadata")], "");
        let link = dom::el("a", &[("href", "/post/#comment-12")], "");
        dom::append(&link, &[&dom::el("time", &[("datetime", "2015-03-03T16:12:00+00:00")], "March 3, 2015")]);
        dom::append(&meta, &[&link]);
        let content = dom::el("div", &[("class", "comment-content")], "");
        let p = dom::el("p", &[], "The Acme One survived the drop test.");
        dom::append(&content, &[&p]);
        dom::append(&body, &[&author, &meta, &content]);
        dom::append(&li, &[&body]);
        let other = dom::el("li", &[("id", "comment-13"), ("class", "comment odd depth-1")], "");
        dom::append(&other, &[&dom::el("div", &[("class", "comment-content")], "Other text <b>not markup</b>")]);
        dom::append(&list, &[&li, &other]);
        dom::document().body().unwrap().append_child(&list).unwrap();
        let text = p.first_child().unwrap();
        (list, text)
    }

    #[wasm_bindgen_test]
    fn gathers_and_extracts_a_comment_without_touching_the_page() {
        let (list, text) = wordpress_thread();
        let before = list.outer_html();
        let (snapshot, page) = gather(&text, 4, 8);
        assert_eq!(list.outer_html(), before, "gathering must not change the page");
        assert_eq!(snapshot.node(snapshot.mention_node).text, "The Acme One survived the drop test.");
        assert!(page.url.starts_with("http"));
        let ex = extract(&snapshot, &page, 0);
        assert_eq!(ex.platform.as_deref(), Some("wordpress"));
        assert_eq!(ex.method, Method::Adapter);
        assert_eq!(ex.author_name.as_deref(), Some("María"));
        assert_eq!(ex.author_url.as_deref(), Some("https://maria.example.org/"));
        assert_eq!(ex.time.as_ref().map(|t| t.utc.as_str()), Some("2015-03-03T16:12:00Z"));
        assert!(ex.permalink.as_deref().is_some_and(|p| p.ends_with("/post/#comment-12")), "{:?}", ex.permalink);
        assert_eq!(ex.comment_text, "The Acme One survived the drop test.");
        assert_eq!((ex.quote.exact.as_str(), ex.position.start, ex.position.end), ("Acme", 4, 8));
        list.remove();
    }

    #[wasm_bindgen_test]
    fn snapshot_survives_the_message_round_trip() {
        let (list, text) = wordpress_thread();
        let (snapshot, page) = gather(&text, 4, 8);
        // The content script sends these to the core as JSON; nothing is lost.
        let json = serde_json::to_string(&(&snapshot, &page)).unwrap();
        let (back, back_page): (Snapshot, PageInfo) = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snapshot);
        assert_eq!(extract(&back, &back_page, 0), extract(&snapshot, &page, 0));
        list.remove();
    }
}
