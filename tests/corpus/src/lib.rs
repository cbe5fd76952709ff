//! Capture over parsed HTML: a `DomSource` for html5ever trees (via
//! `scraper`), so the native tests and the fidelity benchmark exercise the
//! exact gathering and extraction code the extension runs.

pub mod fidelity;
pub mod mention;
pub mod pages;
pub mod reply_bench;

use std::path::PathBuf;

use ego_tree::NodeId;
use escucha_core::capture::{extract, extract_scored, Confidence, DomSource, Extraction, PageInfo, Snapshot};
use scraper::{Html, Node};

/// The env var that makes a missing corpus a failure (CI sets it).
pub const REQUIRE_CORPUS: &str = "ESCUCHA_REQUIRE_CORPUS";

/// `../shared/corpus` next to the repository (real pages, never copied into
/// it). A clone without it has `None`, after one line saying so, and the
/// test needing it skips; with `ESCUCHA_REQUIRE_CORPUS=1` its absence panics.
pub fn corpus_dir() -> Option<PathBuf> {
    let required = std::env::var(REQUIRE_CORPUS).is_ok_and(|v| v == "1");
    corpus_at(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"), required)
}

fn corpus_at(dir: PathBuf, required: bool) -> Option<PathBuf> {
    if dir.join("forums").is_dir() && dir.join("pages").is_dir() {
        return Some(dir);
    }
    assert!(!required, "{REQUIRE_CORPUS}=1 but the corpus is missing at {}", dir.display());
    println!("skipped: needs the real-page corpus ../shared/corpus, which is missing (set {REQUIRE_CORPUS}=1 to fail instead)");
    None
}

/// A parsed page and its address.
pub struct Doc {
    pub html: Html,
    pub url: String,
}

impl Doc {
    pub fn parse(html: &str, url: &str) -> Doc {
        Doc { html: Html::parse_document(html), url: url.to_string() }
    }

    pub fn root(&self) -> NodeId {
        self.html.root_element().id()
    }

    /// Text nodes in document order, outside elements whose text is never shown.
    pub fn text_nodes(&self) -> Vec<(NodeId, &str)> {
        let mut out = Vec::new();
        let mut stack = vec![self.html.tree.root().id()];
        while let Some(id) = stack.pop() {
            let node = self.html.tree.get(id).expect("node");
            match node.value() {
                Node::Text(t) => out.push((id, &**t)),
                Node::Element(e) if escucha_core::capture::snapshot::SKIP_TAGS.contains(&e.name()) => {}
                _ => {
                    let children: Vec<NodeId> = node.children().map(|c| c.id()).collect();
                    stack.extend(children.into_iter().rev());
                }
            }
        }
        out
    }

    /// The first text node containing `needle`, with the needle's UTF-16 range.
    pub fn find(&self, needle: &str) -> Option<(NodeId, u32, u32)> {
        self.text_nodes().into_iter().find_map(|(id, t)| {
            let b = t.find(needle)?;
            let start = t[..b].encode_utf16().count() as u32;
            Some((id, start, start + needle.encode_utf16().count() as u32))
        })
    }

    pub fn page(&self) -> PageInfo {
        PageInfo::gather(self, &self.root(), &self.url)
    }

    pub fn snapshot(&self, node: NodeId, start: u32, end: u32) -> Snapshot {
        Snapshot::gather(self, &node, start, end)
    }

    /// Gather and extract, as the extension does on a click.
    pub fn capture(&self, node: NodeId, start: u32, end: u32, now_ms: i64) -> Extraction {
        let snapshot = self.snapshot(node, start, end);
        // Round-trip through JSON as the content script's message would.
        let snapshot: Snapshot = serde_json::from_str(&serde_json::to_string(&snapshot).expect("serialize")).expect("deserialize");
        extract(&snapshot, &self.page(), now_ms)
    }

    /// Gather and extract keeping every field found, with its confidence (the
    /// benchmark applies thresholds itself).
    pub fn capture_scored(&self, node: NodeId, start: u32, end: u32, now_ms: i64) -> (Extraction, Confidence) {
        let snapshot = self.snapshot(node, start, end);
        extract_scored(&snapshot, &self.page(), now_ms)
    }

    /// Capture the first occurrence of `needle`.
    pub fn capture_text(&self, needle: &str, now_ms: i64) -> Extraction {
        let (node, s, e) = self.find(needle).unwrap_or_else(|| panic!("{needle:?} not in page"));
        self.capture(node, s, e, now_ms)
    }
}

impl DomSource for Doc {
    type Node = NodeId;
    fn same(&self, a: &NodeId, b: &NodeId) -> bool {
        a == b
    }
    fn parent(&self, node: &NodeId) -> Option<NodeId> {
        self.html.tree.get(*node)?.parent().map(|p| p.id())
    }
    fn children(&self, node: &NodeId) -> Vec<NodeId> {
        self.html.tree.get(*node).map(|n| n.children().map(|c| c.id()).collect()).unwrap_or_default()
    }
    fn tag(&self, node: &NodeId) -> Option<String> {
        match self.html.tree.get(*node)?.value() {
            Node::Element(e) => Some(e.name().to_ascii_lowercase()),
            _ => None,
        }
    }
    fn attribute_names(&self, node: &NodeId) -> Vec<String> {
        match self.html.tree.get(*node).map(|n| n.value()) {
            Some(Node::Element(e)) => e.attrs().map(|(k, _)| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }
    fn attribute(&self, node: &NodeId, name: &str) -> Option<String> {
        match self.html.tree.get(*node)?.value() {
            Node::Element(e) => e.attr(name).map(str::to_string),
            _ => None,
        }
    }
    fn text(&self, node: &NodeId) -> Option<String> {
        match self.html.tree.get(*node)?.value() {
            Node::Text(t) => Some(t.to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_corpus_skips_unless_required() {
        let nowhere = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("no-such-corpus");
        assert_eq!(corpus_at(nowhere.clone(), false), None);
        let required = std::panic::catch_unwind(|| corpus_at(nowhere, true));
        assert!(required.is_err(), "absence must fail when required");
        // The crate's own folder has no forums/: also missing.
        assert_eq!(corpus_at(PathBuf::from(env!("CARGO_MANIFEST_DIR")), false), None);
    }
}
