//! A tiny in-memory DOM for the core's own tests: parses well-formed markup
//! (the subset the tests write) and implements `DomSource` over it. The real
//! sources are web-sys (the extension) and html5ever (tests/corpus).

use super::snapshot::DomSource;

#[derive(Debug, Default)]
pub struct TestNode {
    pub parent: Option<usize>,
    pub tag: Option<String>,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<usize>,
}

#[derive(Debug)]
pub struct TestDom {
    pub nodes: Vec<TestNode>,
}

const VOID: &[&str] = &["br", "img", "meta", "link", "hr", "input", "base", "wbr", "source"];

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

impl TestDom {
    /// Node 0 is the document; its element child is `<html>` when given.
    pub fn parse(html: &str) -> TestDom {
        let mut dom = TestDom { nodes: vec![TestNode::default()] };
        let mut open = vec![0usize];
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("</") {
                let end = after.find('>').expect("closing >");
                let name = after[..end].trim().to_ascii_lowercase();
                while let Some(top) = open.pop() {
                    if dom.nodes[top].tag.as_deref() == Some(name.as_str()) || top == 0 {
                        if top == 0 {
                            open.push(0);
                        }
                        break;
                    }
                }
                rest = &after[end + 1..];
            } else if let Some(after) = rest.strip_prefix("<!--") {
                let end = after.find("-->").expect("comment end");
                rest = &after[end + 3..];
            } else if let Some(after) = rest.strip_prefix('<') {
                let end = after.find('>').expect("tag >");
                let inner = after[..end].trim_end_matches('/');
                let self_closing = after[..end].ends_with('/');
                let (name, mut attrs_src) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
                let name = name.to_ascii_lowercase();
                let mut attrs = Vec::new();
                loop {
                    attrs_src = attrs_src.trim_start();
                    if attrs_src.is_empty() {
                        break;
                    }
                    let key_end = attrs_src.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(attrs_src.len());
                    let key = attrs_src[..key_end].to_ascii_lowercase();
                    attrs_src = &attrs_src[key_end..];
                    let mut value = String::new();
                    if let Some(v) = attrs_src.strip_prefix('=') {
                        let quote = v.chars().next().expect("value");
                        let close = v[1..].find(quote).expect("closing quote");
                        value = unescape(&v[1..1 + close]);
                        attrs_src = &v[close + 2..];
                    }
                    attrs.push((key, value));
                }
                let id = dom.push(*open.last().expect("open"), TestNode { tag: Some(name.clone()), attrs, ..Default::default() });
                rest = &after[end + 1..];
                if name == "script" || name == "style" {
                    let close = rest.find("</").expect("raw text end");
                    if close > 0 {
                        dom.push(id, TestNode { text: rest[..close].to_string(), ..Default::default() });
                    }
                    rest = &rest[close..];
                    open.push(id);
                } else if !self_closing && !VOID.contains(&name.as_str()) {
                    open.push(id);
                }
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                dom.push(*open.last().expect("open"), TestNode { text: unescape(&rest[..end]), ..Default::default() });
                rest = &rest[end..];
            }
        }
        dom
    }

    fn push(&mut self, parent: usize, mut node: TestNode) -> usize {
        node.parent = Some(parent);
        let id = self.nodes.len();
        self.nodes.push(node);
        self.nodes[parent].children.push(id);
        id
    }

    /// The document element.
    pub fn root(&self) -> usize {
        self.nodes[0].children.iter().copied().find(|c| self.nodes[*c].tag.is_some()).expect("an element")
    }

    /// The first text node containing `needle`, and the needle's UTF-16 range.
    pub fn find_text(&self, needle: &str) -> (usize, u32, u32) {
        for (i, n) in self.nodes.iter().enumerate() {
            if n.tag.is_none() {
                if let Some(b) = n.text.find(needle) {
                    let start = n.text[..b].encode_utf16().count() as u32;
                    return (i, start, start + needle.encode_utf16().count() as u32);
                }
            }
        }
        panic!("no text node contains {needle:?}")
    }
}

impl DomSource for TestDom {
    type Node = usize;
    fn same(&self, a: &usize, b: &usize) -> bool {
        a == b
    }
    fn parent(&self, node: &usize) -> Option<usize> {
        self.nodes[*node].parent
    }
    fn children(&self, node: &usize) -> Vec<usize> {
        self.nodes[*node].children.clone()
    }
    fn tag(&self, node: &usize) -> Option<String> {
        self.nodes[*node].tag.clone()
    }
    fn attribute_names(&self, node: &usize) -> Vec<String> {
        self.nodes[*node].attrs.iter().map(|(k, _)| k.clone()).collect()
    }
    fn attribute(&self, node: &usize, name: &str) -> Option<String> {
        self.nodes[*node].attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }
    fn text(&self, node: &usize) -> Option<String> {
        let n = &self.nodes[*node];
        n.tag.is_none().then(|| n.text.clone())
    }
}

/// The snapshot a mention of `needle` in `html` would give.
pub fn snap(html: &str, needle: &str) -> super::snapshot::Snapshot {
    let dom = TestDom::parse(html);
    let (node, s, e) = dom.find_text(needle);
    super::snapshot::Snapshot::gather(&dom, &node, s, e)
}
