//! A bounded copy of the DOM around a mention, and the rules for taking it.
//!
//! The content script cannot hand the whole page to the core (pages run to
//! megabytes), and the core must decide what "the comment" is without a
//! browser. So the core owns the gathering rules, written against the
//! [`DomSource`] trait: the browser implements it over web-sys nodes, the
//! corpus harness over a parsed HTML tree, and both get the same snapshot.
//!
//! What goes in, nearest first, within fixed budgets:
//! - every ancestor of the mention's text node (up to [`MAX_ANCESTORS`]);
//! - the full subtree of each ancestor while the running total stays within
//!   [`MAX_NODES`] nodes and [`MAX_TEXT_BYTES`] of text; a comment root and
//!   its author/time/permalink are in there for any normal comment;
//! - above that, only the ancestors' other children as shallow signatures
//!   (tag and attributes, no children), which is what structural repetition
//!   needs to see that siblings look alike.
//!
//! Every walk is iterative so hostile nesting cannot overflow the stack, and
//! each text node keeps at most [`MAX_NODE_TEXT_BYTES`] (the mention's node
//! keeps a window around the mention).

use serde::{Deserialize, Serialize};

/// How many ancestors of the mention are kept, nearest first.
pub const MAX_ANCESTORS: usize = 256;
/// Nodes taken as full subtrees (the shallow rim does not count).
pub const MAX_NODES: usize = 6000;
/// Text taken as full subtrees, in UTF-8 bytes.
pub const MAX_TEXT_BYTES: usize = 384 * 1024;
/// Text kept from any one text node, in UTF-8 bytes.
pub const MAX_NODE_TEXT_BYTES: usize = 64 * 1024;
/// Shallow siblings kept per ancestor above the full zone.
pub const MAX_SHALLOW_SIBLINGS: usize = 400;
/// Attributes kept per element, and bytes kept per attribute value.
pub const MAX_ATTRIBUTES: usize = 24;
pub const MAX_ATTRIBUTE_BYTES: usize = 1024;

/// Elements whose content is never copied: code, media, form controls.
pub const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed", "head", "select", "textarea", "input",
    "button", "video", "audio", "picture", "source",
];

/// Attributes that detection and extraction read. `data-*` ones are kept too.
pub const KEPT_ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "role",
    "itemprop",
    "itemtype",
    "itemscope",
    "itemid",
    "href",
    "datetime",
    "title",
    "content",
    "rel",
    "name",
    "lang",
    "aria-label",
    "property",
    "author",
    "permalink",
    "thingid",
    "ts",
    "created",
    "created-timestamp",
    "indent",
    "slot",
    "dir",
];

/// The read-only view of a DOM that gathering needs.
pub trait DomSource {
    type Node: Clone;
    /// True if `a` and `b` are the same node.
    fn same(&self, a: &Self::Node, b: &Self::Node) -> bool;
    fn parent(&self, node: &Self::Node) -> Option<Self::Node>;
    fn children(&self, node: &Self::Node) -> Vec<Self::Node>;
    /// Lower-case tag name of an element; `None` for text and other nodes.
    fn tag(&self, node: &Self::Node) -> Option<String>;
    /// Attribute names of an element (any case; compared lower-cased).
    fn attribute_names(&self, node: &Self::Node) -> Vec<String>;
    fn attribute(&self, node: &Self::Node, name: &str) -> Option<String>;
    /// The data of a text node; `None` for anything else.
    fn text(&self, node: &Self::Node) -> Option<String>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attr {
    pub name: String,
    pub value: String,
}

/// One element or text node of the snapshot. Text nodes have no `tag`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapNode {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<u32>,
    /// True when this element's children were left out (shallow rim).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub elided: bool,
    /// Kept text of a text node (a window of it when cut).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// UTF-16 length of the node's full data.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub text_len: u32,
    /// UTF-16 offset in the full data where `text` starts (non-zero only when cut).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub text_from: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl SnapNode {
    pub fn is_element(&self) -> bool {
        self.tag.is_some()
    }
    pub fn tag(&self) -> &str {
        self.tag.as_deref().unwrap_or("")
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.name == name).map(|a| a.value.as_str())
    }
    pub fn classes(&self) -> impl Iterator<Item = &str> {
        self.attr("class").unwrap_or("").split_ascii_whitespace()
    }
    pub fn has_class(&self, class: &str) -> bool {
        self.classes().any(|c| c == class)
    }
    /// True if the kept text is only part of the node's data.
    pub fn text_cut(&self) -> bool {
        utf16_len(&self.text) < self.text_len
    }
}

/// The DOM context of one mention. Node 0 is the farthest kept ancestor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub nodes: Vec<SnapNode>,
    /// The text node holding the mention.
    pub mention_node: u32,
    /// UTF-16 offsets of the mention in that node's full data.
    pub mention_start: u32,
    pub mention_end: u32,
    /// True when a budget cut something (text, nodes or ancestors).
    #[serde(default)]
    pub bounded: bool,
}

/// The mention text node's ancestors, nearest first (each an arena index).
impl Snapshot {
    pub fn node(&self, id: u32) -> &SnapNode {
        &self.nodes[id as usize]
    }

    pub fn ancestors(&self, id: u32) -> Ancestors<'_> {
        Ancestors { snapshot: self, next: self.nodes.get(id as usize).and_then(|n| n.parent) }
    }

    /// True if `node` is `ancestor` or lies inside it.
    pub fn contains(&self, ancestor: u32, node: u32) -> bool {
        node == ancestor || self.ancestors(node).any(|a| a == ancestor)
    }

    /// Preorder over `root`'s subtree (root included), skipping the subtrees
    /// for which `prune` says so (their roots are not yielded either).
    pub fn descendants<'a>(&'a self, root: u32, prune: impl Fn(u32) -> bool + 'a) -> impl Iterator<Item = u32> + 'a {
        let mut stack = vec![root];
        std::iter::from_fn(move || loop {
            let id = stack.pop()?;
            if id != root && prune(id) {
                continue;
            }
            stack.extend(self.node(id).children.iter().rev().copied());
            return Some(id);
        })
    }

    /// Build the snapshot of `mention_node`'s surroundings. `start`/`end` are
    /// UTF-16 offsets of the mention in that text node.
    pub fn gather<S: DomSource>(source: &S, mention_node: &S::Node, start: u32, end: u32) -> Snapshot {
        Gatherer::new(source).run(mention_node, start, end)
    }
}

pub struct Ancestors<'a> {
    snapshot: &'a Snapshot,
    next: Option<u32>,
}

impl Iterator for Ancestors<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let id = self.next?;
        self.next = self.snapshot.nodes[id as usize].parent;
        Some(id)
    }
}

pub fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

/// Byte index of UTF-16 offset `units` in `s` (clamped to the end, and to a
/// char boundary when it falls inside a surrogate pair).
pub fn utf16_to_byte(s: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in s.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    s.len()
}

/// The largest char boundary at or below `max` bytes.
pub fn floor_char_boundary(s: &str, max: usize) -> usize {
    if max >= s.len() {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn is_skipped(tag: &str) -> bool {
    SKIP_TAGS.contains(&tag)
}

fn keep_attribute(name: &str) -> bool {
    KEPT_ATTRIBUTES.contains(&name) || (name.starts_with("data-") && name.len() < 40)
}

struct Gatherer<'s, S: DomSource> {
    source: &'s S,
    nodes: Vec<SnapNode>,
    bounded: bool,
}

impl<'s, S: DomSource> Gatherer<'s, S> {
    fn new(source: &'s S) -> Self {
        Gatherer { source, nodes: Vec::new(), bounded: false }
    }

    fn run(mut self, mention: &S::Node, start: u32, end: u32) -> Snapshot {
        // The ancestor chain, nearest first.
        let mut chain = Vec::new();
        let mut cur = self.source.parent(mention);
        while let Some(node) = cur {
            if self.source.tag(&node).is_none() {
                break; // the document itself
            }
            if chain.len() == MAX_ANCESTORS {
                self.bounded = true;
                break;
            }
            cur = self.source.parent(&node);
            chain.push(node);
        }

        // How far up the full subtrees fit: the nearest `full_levels`
        // ancestors are copied whole.
        let mention_text = self.source.text(mention).unwrap_or_default();
        let mut budget = Budget { nodes: MAX_NODES, text: MAX_TEXT_BYTES };
        budget.take(1, mention_text.len().min(MAX_NODE_TEXT_BYTES));
        let mut full_levels = 0;
        let mut below: Option<&S::Node> = None;
        for ancestor in &chain {
            let mut trial = budget;
            if !trial.take(1, 0) {
                break;
            }
            let mut fits = true;
            for child in self.source.children(ancestor) {
                if below.is_some_and(|b| self.source.same(b, &child)) || (below.is_none() && self.source.same(mention, &child)) {
                    continue;
                }
                if !self.measure(&child, &mut trial) {
                    fits = false;
                    break;
                }
            }
            if !fits {
                break;
            }
            budget = trial;
            full_levels += 1;
            below = Some(ancestor);
        }
        if full_levels < chain.len() {
            self.bounded = true;
        }

        // Copy top-down: node 0 is the farthest ancestor.
        let mut parent_id: Option<u32> = None;
        let mut mention_id = 0;
        for level in (0..chain.len()).rev() {
            let ancestor = &chain[level];
            let id = self.push_element(ancestor, parent_id, false);
            let on_path: &S::Node = if level == 0 { mention } else { &chain[level - 1] };
            let full = level < full_levels;
            let mut shallow_count = 0;
            for child in self.source.children(ancestor) {
                if self.source.same(on_path, &child) {
                    if level == 0 {
                        mention_id = self.push_mention_text(&child, id, start, end);
                    } else {
                        // The next level pushes the path child; mark its place.
                        self.nodes[id as usize].children.push(PLACEHOLDER);
                    }
                    continue;
                }
                if full {
                    self.copy_subtree(&child, id);
                } else if self.source.tag(&child).is_some_and(|t| !is_skipped(&t)) {
                    if shallow_count < MAX_SHALLOW_SIBLINGS {
                        self.push_element(&child, Some(id), true);
                        shallow_count += 1;
                    } else {
                        self.bounded = true;
                    }
                }
            }
            parent_id = Some(id);
        }
        if chain.is_empty() {
            mention_id = self.push_mention_text(mention, u32::MAX, start, end);
        }
        self.fix_path_children();
        Snapshot { nodes: self.nodes, mention_node: mention_id, mention_start: start, mention_end: end, bounded: self.bounded }
    }

    /// Charge `node`'s subtree to `budget`; false when it does not fit.
    fn measure(&self, node: &S::Node, budget: &mut Budget) -> bool {
        let mut stack = vec![node.clone()];
        while let Some(n) = stack.pop() {
            match self.source.tag(&n) {
                Some(tag) => {
                    if !budget.take(1, 0) {
                        return false;
                    }
                    if !is_skipped(&tag) {
                        stack.extend(self.source.children(&n));
                    }
                }
                None => {
                    if let Some(text) = self.source.text(&n) {
                        if !budget.take(1, text.len().min(MAX_NODE_TEXT_BYTES)) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    fn push_element(&mut self, node: &S::Node, parent: Option<u32>, elided: bool) -> u32 {
        let tag = self.source.tag(node).unwrap_or_default();
        let mut attrs = Vec::new();
        for name in self.source.attribute_names(node) {
            let name = name.to_ascii_lowercase();
            if !keep_attribute(&name) || attrs.iter().any(|a: &Attr| a.name == name) {
                continue;
            }
            if attrs.len() == MAX_ATTRIBUTES {
                self.bounded = true;
                break;
            }
            if let Some(mut value) = self.source.attribute(node, &name) {
                if value.len() > MAX_ATTRIBUTE_BYTES {
                    value.truncate(floor_char_boundary(&value, MAX_ATTRIBUTE_BYTES));
                    self.bounded = true;
                }
                attrs.push(Attr { name, value });
            }
        }
        let id = self.nodes.len() as u32;
        let has_children = elided && !self.source.children(node).is_empty();
        self.nodes.push(SnapNode { parent, tag: Some(tag), attrs, elided: has_children, ..Default::default() });
        if let Some(p) = parent {
            self.nodes[p as usize].children.push(id);
        }
        id
    }

    fn push_text(&mut self, parent: u32, data: &str) {
        let len = utf16_len(data);
        let mut text = data.to_string();
        if text.len() > MAX_NODE_TEXT_BYTES {
            text.truncate(floor_char_boundary(&text, MAX_NODE_TEXT_BYTES));
            self.bounded = true;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(SnapNode { parent: Some(parent), text, text_len: len, ..Default::default() });
        self.nodes[parent as usize].children.push(id);
    }

    /// The mention's own text node: a window around the mention when cut.
    fn push_mention_text(&mut self, node: &S::Node, parent: u32, start: u32, end: u32) -> u32 {
        let data = self.source.text(node).unwrap_or_default();
        let len = utf16_len(&data);
        let (mut from_byte, mut to_byte) = (0, data.len());
        if data.len() > MAX_NODE_TEXT_BYTES {
            self.bounded = true;
            let s = utf16_to_byte(&data, start);
            let e = utf16_to_byte(&data, end.max(start));
            if e <= MAX_NODE_TEXT_BYTES {
                to_byte = floor_char_boundary(&data, MAX_NODE_TEXT_BYTES);
            } else {
                let half = MAX_NODE_TEXT_BYTES / 2;
                from_byte = floor_char_boundary(&data, s.saturating_sub(half));
                to_byte = floor_char_boundary(&data, (from_byte + MAX_NODE_TEXT_BYTES).max(e));
            }
        }
        let text = data[from_byte..to_byte].to_string();
        let text_from = utf16_len(&data[..from_byte]);
        let id = self.nodes.len() as u32;
        let parent_opt = if parent == u32::MAX { None } else { Some(parent) };
        self.nodes.push(SnapNode { parent: parent_opt, text, text_len: len, text_from, ..Default::default() });
        if let Some(p) = parent_opt {
            self.nodes[p as usize].children.push(id);
        }
        id
    }

    /// Copy `node`'s whole subtree under `parent`, iteratively.
    fn copy_subtree(&mut self, node: &S::Node, parent: u32) {
        let mut stack = vec![(node.clone(), parent)];
        while let Some((n, p)) = stack.pop() {
            match self.source.tag(&n) {
                Some(tag) if is_skipped(&tag) => {}
                Some(_) => {
                    let id = self.push_element(&n, Some(p), false);
                    let children = self.source.children(&n);
                    stack.extend(children.into_iter().rev().map(|c| (c, id)));
                }
                None => {
                    if let Some(text) = self.source.text(&n) {
                        if !text.is_empty() {
                            self.push_text(p, &text);
                        }
                    }
                }
            }
        }
    }

    /// The path child was pushed after its parent's other children; restore
    /// document order using the placeholder markers.
    fn fix_path_children(&mut self) {
        for node in &mut self.nodes {
            if let Some(pos) = node.children.iter().position(|c| *c == PLACEHOLDER) {
                node.children.remove(pos);
                // The path child was created last, after this node's siblings.
                if let Some(path_child) = node.children.pop() {
                    node.children.insert(pos, path_child);
                }
            }
        }
    }
}

const PLACEHOLDER: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Budget {
    nodes: usize,
    text: usize,
}

impl Budget {
    fn take(&mut self, nodes: usize, text: usize) -> bool {
        if nodes > self.nodes || text > self.text {
            return false;
        }
        self.nodes -= nodes;
        self.text -= text;
        true
    }
}
