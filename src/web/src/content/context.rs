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

    /// `extension/content/dom_dump.js`, the strict-CSP path's DOM primitive,
    /// loaded as the content script loads it.
    fn dom_dump(node: &Node, start: u32, end: u32) -> escucha_core::card_frame::PageSource {
        use js_sys::{Function, Reflect};
        let global = js_sys::global();
        if Reflect::get(&global, &"escuchaDomDump".into()).unwrap().is_undefined() {
            js_sys::eval(include_str!("../../../../extension/content/dom_dump.js")).unwrap();
        }
        let f: Function = Reflect::get(&global, &"escuchaDomDump".into()).unwrap().dyn_into().unwrap();
        let rules = crate::platform::to_js(&escucha_core::card_frame::dump_rules());
        let args = js_sys::Array::of4(node, &start.into(), &end.into(), &rules);
        crate::platform::from_js(f.apply(&JsValue::NULL, &args).unwrap()).unwrap()
    }

    /// Gathering over the dump must equal gathering over the page, for the
    /// mention in `node` (UTF-16 `start..end`).
    fn assert_dump_gathers_the_same(node: &Node, start: u32, end: u32, what: &str) {
        use escucha_core::card_frame::{DumpTree, PageSource};
        let (snapshot, page) = gather(node, start, end);
        let PageSource::Dump { tree, node_start, node_end, page: page_dump } = dom_dump(node, start, end) else { panic!("not a dump") };
        let tree = DumpTree::of_tree(tree).unwrap();
        assert_eq!(tree.snapshot(node_start, node_end), snapshot, "{what}");
        assert_eq!(DumpTree::of_page(page_dump).unwrap().page_info(&page.url), page, "{what}: page facts");
    }

    use wasm_bindgen::JsValue;

    fn text_nodes(root: &Node) -> Vec<Node> {
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(n) = stack.pop() {
            if n.node_type() == Node::TEXT_NODE && n.node_value().is_some_and(|v| v.trim().len() > 2) {
                out.push(n.clone());
            }
            let kids = n.child_nodes();
            for i in (0..kids.length()).rev() {
                stack.push(kids.item(i).unwrap());
            }
        }
        out
    }

    /// Put a fixture page's body into this document (as the browser parsed
    /// it: DOMParser, then imported nodes — no markup is ever assigned).
    fn mount(html: &str) -> web_sys::HtmlElement {
        let parser = web_sys::DomParser::new().unwrap();
        let parsed = parser.parse_from_string(html, web_sys::SupportedType::TextHtml).unwrap();
        let holder = dom::el("div", &[("id", "mounted")], "");
        let body = parsed.body().unwrap();
        let kids = body.child_nodes();
        for i in 0..kids.length() {
            let n = dom::document().import_node_with_deep(&kids.item(i).unwrap(), true).unwrap();
            holder.append_child(&n).unwrap();
        }
        dom::document().body().unwrap().append_child(&holder).unwrap();
        holder
    }

    #[wasm_bindgen_test]
    fn the_strict_csp_dump_gathers_the_same_snapshot_on_every_adapter_fixture() {
        let pages = [
            ("wordpress", include_str!("../../../../tests/fixtures/adapters/wordpress.html")),
            ("discourse", include_str!("../../../../tests/fixtures/adapters/discourse.html")),
            ("phpbb", include_str!("../../../../tests/fixtures/adapters/phpbb.html")),
            ("xenforo", include_str!("../../../../tests/fixtures/adapters/xenforo.html")),
            ("vbulletin", include_str!("../../../../tests/fixtures/adapters/vbulletin.html")),
            ("reddit-new", include_str!("../../../../tests/fixtures/adapters/reddit-new.html")),
            ("stackexchange", include_str!("../../../../tests/fixtures/adapters/stackexchange.html")),
            ("generic-repetition", include_str!("../../../../tests/fixtures/adapters/generic-repetition.html")),
            ("youtube", include_str!("../../../../tests/fixtures/adapters/youtube.html")),
        ];
        let mut checked = 0;
        for (name, html) in pages {
            let holder = mount(html);
            for (i, node) in text_nodes(&holder).into_iter().enumerate() {
                let len = node.node_value().unwrap().encode_utf16().count() as u32;
                assert_dump_gathers_the_same(&node, 1, len.min(4), &format!("{name}, text node {i}"));
                checked += 1;
            }
            holder.remove();
        }
        assert!(checked > 100, "{checked} mentions checked");
    }

    #[wasm_bindgen_test]
    fn the_dump_gathers_the_same_where_the_budgets_run_out() {
        // A thread too big even for the dump's budget: 7,000 posts of 200
        // characters around the mention's post, a post holding only a
        // comment node, 300 levels of nesting above it with siblings on the
        // way, and a 120 KB text node.
        let thread = dom::el("div", &[("class", "thread"), ("data-big", "1")], "");
        let mut inner = thread.clone();
        for depth in 0..300 {
            let d = dom::el("div", &[("class", &format!("lvl lvl-{depth}"))], "");
            if depth % 50 == 0 {
                inner.append_child(&dom::el("header", &[("class", "side")], "al lado")).unwrap();
                inner.append_child(&dom::el("script", &[], "var x = 1;")).unwrap();
            }
            inner.append_child(&d).unwrap();
            inner = d;
        }
        for i in 0..7000 {
            let post = dom::el("article", &[("class", "post"), ("id", &format!("p{i}"))], &"palabra ".repeat(25));
            inner.append_child(&post).unwrap();
            if i == 3500 {
                let lone = dom::el("span", &[("class", "empty")], "");
                lone.append_child(&dom::document().create_comment("only a comment")).unwrap();
                inner.append_child(&lone).unwrap();
                inner.append_child(&dom::el("p", &[("title", &"x".repeat(3000))], &"largo ".repeat(20000))).unwrap();
            }
        }
        let mention_post = dom::el("article", &[("class", "post mine")], "");
        let p = dom::el("p", &[], "Aquí se habla de Movistar, y mucho.");
        mention_post.append_child(&p).unwrap();
        inner.insert_before(&mention_post, inner.children().item(3600).map(|e| e.unchecked_into::<Node>()).as_ref()).unwrap();
        dom::document().body().unwrap().append_child(&thread).unwrap();
        let text = p.first_child().unwrap();
        let (snapshot, _) = gather(&text, 17, 25);
        assert!(snapshot.bounded, "the budgets really ran out");
        assert_dump_gathers_the_same(&text, 17, 25, "budget overflow");
        thread.remove();
    }
}
