//! The small CSS selector subset the platform adapters are written in:
//! type, `.class`, `#id`, `[attr]`, `[attr=v]`, `[attr^=v]`, `[attr$=v]`,
//! `[attr*=v]`, `[attr~=v]`, descendant (` `) and child (`>`) combinators, and
//! `,` lists. Matched against snapshot nodes, so adapters stay data.

use super::snapshot::{SnapNode, Snapshot};

#[derive(Debug, Clone, PartialEq)]
enum AttrOp {
    Exists,
    Equals(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    Word(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Compound {
    tag: Option<String>,
    classes: Vec<String>,
    id: Option<String>,
    attrs: Vec<(String, AttrOp)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

/// One complex selector: compounds right to left with the combinator that
/// joins each to the one on its left.
#[derive(Debug, Clone, PartialEq)]
struct Complex {
    parts: Vec<(Compound, Combinator)>,
}

/// A parsed selector list.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    list: Vec<Complex>,
}

impl Selector {
    /// Parse; panics on syntax outside the subset (adapter tables are code).
    pub fn parse(src: &str) -> Selector {
        Selector { list: src.split(',').map(|s| parse_complex(s.trim())).collect() }
    }

    /// Does `node` match, with ancestors for combinators searched strictly
    /// inside `scope` when given?
    pub fn matches(&self, snapshot: &Snapshot, node: u32, scope: Option<u32>) -> bool {
        self.list.iter().any(|c| complex_matches(c, snapshot, node, scope))
    }
}

fn parse_complex(src: &str) -> Complex {
    let spaced = src.replace('>', " > ");
    let mut parts: Vec<(Compound, Combinator)> = Vec::new();
    let mut pending = Combinator::Descendant;
    for token in tokens(&spaced) {
        if token == ">" {
            pending = Combinator::Child;
            continue;
        }
        parts.push((parse_compound(&token), pending));
        pending = Combinator::Descendant;
    }
    assert!(!parts.is_empty(), "empty selector {src:?}");
    // Store right to left; each entry's combinator links it to its left part.
    let mut out = Vec::with_capacity(parts.len());
    for i in (0..parts.len()).rev() {
        out.push((parts[i].0.clone(), if i > 0 { parts[i].1 } else { Combinator::Descendant }));
    }
    Complex { parts: out }
}

/// Split on whitespace outside `[...]`.
fn tokens(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in src.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        if c.is_whitespace() && depth == 0 {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_compound(src: &str) -> Compound {
    let mut c = Compound::default();
    let mut rest = src;
    let name_end = rest.find(['.', '#', '[']).unwrap_or(rest.len());
    if name_end > 0 && &rest[..name_end] != "*" {
        c.tag = Some(rest[..name_end].to_ascii_lowercase());
    }
    rest = &rest[name_end..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').expect("]");
            let body = &r[..end];
            let (name, op) = match body.find('=') {
                None => (body.to_string(), AttrOp::Exists),
                Some(eq) => {
                    let (left, value) = (&body[..eq], body[eq + 1..].trim_matches(|c| c == '"' || c == '\'').to_string());
                    match left.chars().last() {
                        Some('^') => (left[..left.len() - 1].to_string(), AttrOp::Prefix(value)),
                        Some('$') => (left[..left.len() - 1].to_string(), AttrOp::Suffix(value)),
                        Some('*') => (left[..left.len() - 1].to_string(), AttrOp::Contains(value)),
                        Some('~') => (left[..left.len() - 1].to_string(), AttrOp::Word(value)),
                        _ => (left.to_string(), AttrOp::Equals(value)),
                    }
                }
            };
            c.attrs.push((name.trim().to_ascii_lowercase(), op));
            rest = &r[end + 1..];
        } else {
            let kind = rest.as_bytes()[0];
            let r = &rest[1..];
            let end = r.find(['.', '#', '[']).unwrap_or(r.len());
            let name = r[..end].to_string();
            if kind == b'.' {
                c.classes.push(name);
            } else {
                c.id = Some(name);
            }
            rest = &r[end..];
        }
    }
    c
}

fn compound_matches(c: &Compound, node: &SnapNode) -> bool {
    let Some(tag) = &node.tag else { return false };
    if c.tag.as_ref().is_some_and(|t| t != tag) {
        return false;
    }
    if c.id.as_ref().is_some_and(|id| node.attr("id") != Some(id.as_str())) {
        return false;
    }
    if !c.classes.iter().all(|cl| node.has_class(cl)) {
        return false;
    }
    c.attrs.iter().all(|(name, op)| match (node.attr(name), op) {
        (None, _) => false,
        (Some(_), AttrOp::Exists) => true,
        (Some(v), AttrOp::Equals(w)) => v == w,
        (Some(v), AttrOp::Prefix(w)) => v.starts_with(w.as_str()),
        (Some(v), AttrOp::Suffix(w)) => v.ends_with(w.as_str()),
        (Some(v), AttrOp::Contains(w)) => v.contains(w.as_str()),
        (Some(v), AttrOp::Word(w)) => v.split_ascii_whitespace().any(|x| x == w),
    })
}

fn complex_matches(c: &Complex, s: &Snapshot, node: u32, scope: Option<u32>) -> bool {
    // Right-most compound must match the node itself.
    if !compound_matches(&c.parts[0].0, s.node(node)) {
        return false;
    }
    match_left(c, 1, s, node, scope)
}

/// Match parts[i..] against the ancestors of `node` (backtracking for
/// descendant combinators).
fn match_left(c: &Complex, i: usize, s: &Snapshot, node: u32, scope: Option<u32>) -> bool {
    if i == c.parts.len() {
        return true;
    }
    // The combinator between parts[i-1] (to the right) and parts[i].
    let comb = c.parts[i - 1].1;
    let mut cur = node;
    loop {
        if Some(cur) == scope {
            return false;
        }
        let Some(parent) = s.node(cur).parent else { return false };
        if Some(parent) == scope {
            return false;
        }
        if compound_matches(&c.parts[i].0, s.node(parent)) && match_left(c, i + 1, s, parent, scope) {
            return true;
        }
        if comb == Combinator::Child {
            return false;
        }
        cur = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_dom::snap;

    #[test]
    fn matches_the_subset() {
        let s = snap(
            r#"<html><body><div class="post bg2" id="p12"><div class="inner"><p class="author"><a href="./memberlist.php?mode=viewprofile&amp;u=2" class="username">ann</a></p><div class="content">Acme</div></div></div></body></html>"#,
            "Acme",
        );
        let find = |tag: &str| (0..s.nodes.len() as u32).find(|i| s.node(*i).tag() == tag).unwrap();
        let a = find("a");
        let post = find("div");
        for (sel, node, scope, want) in [
            ("a.username", a, None, true),
            ("div.post a", a, None, true),
            ("div.post > a", a, None, false),
            ("p.author > a", a, None, true),
            ("div.post div.inner > p > a.username", a, None, true),
            ("[href*=viewprofile]", a, None, true),
            ("a[href^='./member']", a, None, true),
            ("a[href$=u=2]", a, None, true),
            ("a[class~=username]", a, None, true),
            ("a[class=username]", a, None, true),
            ("span, a.username", a, None, true),
            ("div#p12.post", post, None, true),
            ("div#p13", post, None, false),
            ("div.post a", a, Some(post), false),
            ("div.inner a", a, Some(post), true),
            ("*.post", post, None, true),
        ] {
            assert_eq!(Selector::parse(sel).matches(&s, node, scope), want, "{sel}");
        }
    }
}
