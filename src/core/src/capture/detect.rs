//! Choosing the comment root: the element that holds the whole comment the
//! mention sits in, and nothing of its neighbours.
//!
//! Walking up from the mention, nearest first: a platform adapter's root
//! wins; otherwise the first ancestor that is a schema.org comment-like item
//! (microdata), a microformats entry, an ARIA `article`/`comment`, or one of
//! a run of look-alike siblings that carries a post's signals (a time or an
//! author link). If none qualifies, the nearest block holds the mention and
//! author/time stay unknown.

use serde::{Deserialize, Serialize};

use super::adapters::{Adapter, ADAPTERS};
use super::css::Selector;
use super::fields::{find_author, find_time, is_profile_href, Scope};
use super::page::PageInfo;
use super::snapshot::Snapshot;
use crate::page_text::INLINE_TAGS;

/// How the comment root was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Method {
    Adapter,
    Microdata,
    Microformats,
    AriaRole,
    Repetition,
    Block,
}

/// schema.org types that describe one contribution to a discussion.
pub const COMMENT_TYPES: &[&str] =
    &["Comment", "DiscussionForumPosting", "Answer", "Question", "SocialMediaPosting", "Review", "BlogPosting"];

#[derive(Debug, Clone, Copy)]
pub struct Detection {
    pub root: u32,
    pub method: Method,
    pub adapter: Option<&'static Adapter>,
    /// The alternative of the adapter's root selector list that matched.
    pub root_alt: Option<&'static str>,
}

/// Class tokens that say nothing about what an element is.
fn is_noise_class(c: &str) -> bool {
    c.bytes().any(|b| b.is_ascii_digit())
        || matches!(
            c,
            "odd"
                | "even"
                | "alt"
                | "alt1"
                | "alt2"
                | "first"
                | "last"
                | "new"
                | "old"
                | "unread"
                | "read"
                | "online"
                | "offline"
                | "bg1"
                | "bg2"
                | "highlight"
                | "selected"
                | "active"
                | "hidden"
                | "collapsed"
                | "noncollapsed"
                | "onscreen-post"
        )
}

/// What makes siblings "look alike": tag plus meaningful classes, else the id
/// with its digits masked.
pub fn signature(s: &Snapshot, id: u32) -> Option<String> {
    let n = s.node(id);
    if !n.is_element() {
        return None;
    }
    let mut classes: Vec<&str> = n.classes().filter(|c| !is_noise_class(c)).collect();
    classes.sort_unstable();
    classes.dedup();
    if !classes.is_empty() {
        return Some(format!("{}.{}", n.tag(), classes.join(".")));
    }
    if let Some(idv) = n.attr("id") {
        if idv.bytes().any(|b| b.is_ascii_digit()) {
            let masked: String = idv.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            return Some(format!("{}#{}", n.tag(), masked.split('#').next().unwrap_or("")));
        }
    }
    matches!(n.tag(), "li" | "tr" | "article" | "table" | "dl" | "section").then(|| n.tag().to_string())
}

/// The signature, or the bare tag of an element without classes or id (the
/// last resort for pages whose posts are plain `<div>`s).
pub fn shape(s: &Snapshot, id: u32) -> Option<String> {
    signature(s, id).or_else(|| s.node(id).is_element().then(|| s.node(id).tag().to_string()))
}

/// Look-alike siblings of `id` held whole in the snapshot (not elided).
fn full_look_alikes(s: &Snapshot, id: u32, sig: &str, shape_of: fn(&Snapshot, u32) -> Option<String>) -> Vec<u32> {
    let Some(parent) = s.node(id).parent else { return Vec::new() };
    s.node(parent)
        .children
        .iter()
        .copied()
        .filter(|c| *c != id && !s.node(*c).elided && shape_of(s, *c).as_deref() == Some(sig))
        .take(8)
        .collect()
}

fn repeated(s: &Snapshot, id: u32) -> bool {
    let Some(sig) = signature(s, id) else { return false };
    let Some(parent) = s.node(id).parent else { return false };
    s.node(parent).children.iter().filter(|c| **c != id && signature(s, **c).as_deref() == Some(sig.as_str())).take(1).count() == 1
}

fn microdata_kind(s: &Snapshot, id: u32) -> bool {
    s.node(id).attr("itemtype").is_some_and(|t| {
        let t = t.trim_end_matches('/');
        COMMENT_TYPES.iter().any(|k| t.rsplit('/').next() == Some(k))
    })
}

fn microformat_kind(s: &Snapshot, id: u32) -> bool {
    s.node(id).classes().any(|c| c == "h-entry" || c == "h-cite")
}

fn aria_kind(s: &Snapshot, id: u32) -> bool {
    matches!(s.node(id).attr("role"), Some("article" | "comment"))
}

/// True if `id` is another root of the same kind (used to leave nested
/// replies out of a comment).
pub fn same_kind(s: &Snapshot, det: &Detection, root_sig: &Option<String>, id: u32) -> bool {
    match det.method {
        Method::Adapter => det.adapter.is_some_and(|a| Selector::parse(a.root).matches(s, id, None)),
        Method::Microdata => microdata_kind(s, id),
        Method::Microformats => microformat_kind(s, id),
        Method::AriaRole => aria_kind(s, id),
        Method::Repetition => root_sig.is_some() && signature(s, id) == *root_sig,
        Method::Block => false,
    }
}

/// Does this candidate look like a post: a time, or an author with a profile link?
fn has_post_signals(s: &Snapshot, page: &PageInfo, root: u32, now_ms: i64) -> bool {
    let sig = signature(s, root);
    let nested = |id: u32| sig.is_some() && signature(s, id) == sig;
    let scope = Scope { s, root, body: None, nested: &nested, page, now_ms };
    if find_time(&scope).is_some() {
        return true;
    }
    find_author(&scope).url.is_some_and(|u| is_profile_href(&u))
}

pub fn detect(s: &Snapshot, page: &PageInfo, now_ms: i64) -> Detection {
    let chain: Vec<u32> = s.ancestors(s.mention_node).take_while(|a| !matches!(s.node(*a).tag(), "body" | "html")).collect();
    // Platform adapters: first those the page names (host, generator), then
    // any whose root and confirm element both appear, nearest root first.
    let roots: Vec<Selector> = ADAPTERS.iter().map(|a| Selector::parse(a.root)).collect();
    for (adapter, root_sel) in ADAPTERS.iter().zip(&roots) {
        if adapter.hinted(page) {
            if let Some(&a) = chain.iter().find(|a| root_sel.matches(s, **a, None)) {
                return Detection { root: a, method: Method::Adapter, adapter: Some(adapter), root_alt: matched_alt(s, adapter, a) };
            }
        }
    }
    for &a in &chain {
        for (adapter, root_sel) in ADAPTERS.iter().zip(&roots) {
            if adapter.confirm.is_empty() || !root_sel.matches(s, a, None) {
                continue;
            }
            let confirm = Selector::parse(adapter.confirm);
            if s.descendants(a, |_| false).skip(1).any(|d| confirm.matches(s, d, None)) {
                return Detection { root: a, method: Method::Adapter, adapter: Some(adapter), root_alt: matched_alt(s, adapter, a) };
            }
        }
    }
    for &a in &chain {
        for (kind, method) in [
            (microdata_kind as fn(&Snapshot, u32) -> bool, Method::Microdata),
            (microformat_kind, Method::Microformats),
            (aria_kind, Method::AriaRole),
        ] {
            if kind(s, a) {
                return Detection { root: a, method, adapter: None, root_alt: None };
            }
        }
        let tag = s.node(a).tag();
        if (repeated(s, a) || tag == "article") && has_post_signals(s, page, a, now_ms) && signals_repeat(s, page, a, now_ms, signature) {
            return Detection { root: a, method: Method::Repetition, adapter: None, root_alt: None };
        }
    }
    // Posts as plain elements without classes: a run of same-tag siblings
    // that carry a post's signals.
    for &a in &chain {
        let n = s.node(a);
        if n.attr("class").is_some() || n.attr("id").is_some() || INLINE_TAGS.contains(&n.tag()) || matches!(n.tag(), "p" | "span") {
            continue;
        }
        if !full_look_alikes(s, a, n.tag(), shape).is_empty()
            && has_post_signals(s, page, a, now_ms)
            && signals_repeat(s, page, a, now_ms, |s, id| {
                (s.node(id).attr("class").is_none() && s.node(id).attr("id").is_none()).then(|| shape(s, id)).flatten()
            })
        {
            return Detection { root: a, method: Method::Repetition, adapter: None, root_alt: None };
        }
    }
    let block = chain.iter().copied().find(|a| !INLINE_TAGS.contains(&s.node(*a).tag())).or(chain.first().copied());
    Detection { root: block.unwrap_or(s.mention_node), method: Method::Block, adapter: None, root_alt: None }
}

/// Posts repeat: a candidate's post signals must show in a look-alike
/// sibling too (when the snapshot holds any whole), else they belong to what
/// the candidate holds (a link in one paragraph), not to a post template.
fn signals_repeat(s: &Snapshot, page: &PageInfo, a: u32, now_ms: i64, shape_of: fn(&Snapshot, u32) -> Option<String>) -> bool {
    let Some(sig) = shape_of(s, a) else { return true };
    let others = full_look_alikes(s, a, &sig, shape_of);
    others.is_empty() || others.iter().any(|o| has_post_signals(s, page, *o, now_ms))
}

fn matched_alt(s: &Snapshot, adapter: &'static Adapter, root: u32) -> Option<&'static str> {
    adapter.root.split(',').map(str::trim).find(|alt| Selector::parse(alt).matches(s, root, None))
}
