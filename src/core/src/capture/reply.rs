//! Verified response (issue 13): on a revisited page, the later post by one
//! of the team's accounts that answers a captured comment.
//!
//! The thread's posts are read with the capture extraction itself: the
//! captured post is detected as on a click, its look-alike siblings are the
//! other posts, and each is extracted as if a word in it had been clicked
//! (same adapters, template and thresholds). A later post answers the
//! captured one when, by what its markup says:
//! - it **quotes** it: a quote naming the post (XenForo `data-source="post:
//!   N"`, Discourse `aside.quote[data-post]`, phpBB's cite link `?p=N#pN`, a
//!   link to its permalink), or, without such a reference, a quote whose text
//!   is in the captured post and in no other earlier post, under a name that
//!   is not someone else's ("X wrote:");
//! - it **replies** to it: nested under it (WordPress `ol.children`), a
//!   reply-to link naming it, or "@author" at its start when the captured
//!   post is that author's latest before it.
//!
//! Precision first: a quote referring to another post, a text found in two
//! earlier posts, a name that differs, a reply dated before the comment all
//! give nothing. The reply's time and permalink are what extraction read
//! from the page (below its thresholds: none), never guessed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::detect::{detect, Method};
use super::extract::{extract, Extraction};
use super::fields::{is_profile_href, is_quote};
use super::page::PageInfo;
use super::snapshot::{utf16_len, Snapshot};
use super::template::siblings_up_to;
use super::time::CommentTime;
use super::url::{resolve_http, without_fragment};
use crate::team_accounts::{fold_handle, is_team_author, Account};

/// Posts of a thread read at most.
pub const MAX_THREAD_POSTS: usize = 150;
/// Letters and digits a quote needs before its text alone may name a post.
pub const MIN_QUOTE_CHARS: usize = 12;

/// One post of the thread, as extraction reads it.
#[derive(Debug, Clone)]
pub struct Post {
    pub root: u32,
    pub ex: Extraction,
}

/// Why a post is taken for a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Evidence {
    /// A quote whose markup names the captured post (id, number or link).
    QuoteReference,
    /// A quote of text found in the captured post and no other earlier one.
    QuoteText,
    /// Nested under the captured post (a comment tree's children).
    Nested,
    /// A reply-to link naming the captured post.
    ReplyTo,
    /// "@author" at the start, the captured post being that author's latest.
    AtMention,
}

/// The reply found: who, when and where, as the page gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyFound {
    /// The reply's author as shown (or its profile link when no name shows).
    pub handle: String,
    pub author_url: Option<String>,
    pub time: Option<CommentTime>,
    pub permalink: Option<String>,
    pub evidence: Evidence,
}

/// A captured comment as the log knows it (to find it among the posts).
#[derive(Debug, Clone, Default)]
pub struct Captured<'a> {
    pub permalink: Option<&'a str>,
    pub text: &'a str,
}

/// Preorder position of every node (document order).
fn preorder(s: &Snapshot) -> Vec<usize> {
    let mut order = vec![usize::MAX; s.nodes.len()];
    let mut next = 0;
    for top in (0..s.nodes.len() as u32).filter(|id| s.node(*id).parent.is_none()) {
        for id in s.descendants(top, |_| false) {
            order[id as usize] = next;
            next += 1;
        }
    }
    order
}

/// The longest text node of a post outside quotes, links and other posts:
/// where a manager would click.
fn click_point(s: &Snapshot, root: u32, others: &BTreeSet<u32>) -> Option<u32> {
    let prune = |id: u32| others.contains(&id) || is_quote(s, id) || s.node(id).tag() == "a";
    s.descendants(root, prune)
        .filter(|id| !s.node(*id).is_element())
        .map(|id| (id, s.node(id).text.chars().filter(|c| c.is_alphanumeric()).count()))
        .filter(|(_, n)| *n >= 3)
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id)))
        .map(|(id, _)| id)
}

/// The thread's posts in document order, each extracted as if clicked:
/// the snapshot's post (where its mention is) and the look-alike posts it
/// holds whole. Posts whose click does not detect the same post are left out.
pub fn thread_posts(s: &Snapshot, page: &PageInfo, now_ms: i64) -> Vec<Post> {
    let det = detect(s, page, now_ms);
    if det.method == Method::Block {
        return Vec::new();
    }
    let mut roots = siblings_up_to(s, &det, det.root, MAX_THREAD_POSTS);
    roots.push(det.root);
    let order = preorder(s);
    roots.sort_by_key(|r| order[*r as usize]);
    let all: BTreeSet<u32> = roots.iter().copied().collect();
    let mut moved = s.clone();
    let mut posts = Vec::new();
    for &root in &roots {
        let others: BTreeSet<u32> = all.iter().copied().filter(|r| *r != root).collect();
        if root != det.root {
            let Some(node) = click_point(s, root, &others) else { continue };
            let n = s.node(node);
            moved.mention_node = node;
            moved.mention_start = n.text_from;
            moved.mention_end = n.text_from + utf16_len(&n.text);
            if detect(&moved, page, now_ms).root != root {
                continue;
            }
            posts.push(Post { root, ex: extract(&moved, page, now_ms) });
        } else {
            posts.push(Post { root, ex: extract(s, page, now_ms) });
        }
    }
    posts
}

/// Letters and digits, lower-cased, words single-spaced: what a quote and
/// its source have in common whatever the markup.
pub fn fold_text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

fn same_link(a: &str, b: &str) -> bool {
    let norm = |u: &str| {
        let u = u.trim();
        let u = u.split_once("://").map_or(u, |(_, r)| r);
        let u = u.strip_prefix("www.").unwrap_or(u);
        u.strip_suffix('/').unwrap_or(u).to_string()
    };
    norm(a) == norm(b)
}

/// The post whose markup the captured comment is, if any.
pub fn find_captured(posts: &[Post], captured: &Captured) -> Option<usize> {
    if let Some(link) = captured.permalink.filter(|l| !l.is_empty()) {
        if let Some(i) = posts.iter().position(|p| p.ex.permalink.as_deref().is_some_and(|m| same_link(m, link))) {
            return Some(i);
        }
    }
    let want: String = fold_text(captured.text).chars().take(200).collect();
    if want.chars().filter(|c| c.is_alphanumeric()).count() < MIN_QUOTE_CHARS {
        return None;
    }
    // The post itself comes first in the thread; later holders quote it.
    posts.iter().position(|p| fold_text(&p.ex.comment_text).contains(&want))
}

/// Numbers that name a post: from its root's id and data attributes.
fn post_numbers(s: &Snapshot, root: u32) -> BTreeSet<String> {
    let n = s.node(root);
    ["id", "data-content", "data-post-id", "data-post-number", "data-post", "data-comment-id", "data-id"]
        .iter()
        .filter_map(|a| n.attr(a))
        .flat_map(|v| v.split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()).map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The post number a link names (`?p=5#p5`, `/posts/12/`, `#post-12`,
/// `comment-12`, Discourse's `/t/slug/123/4`), if it names one.
fn linked_number(href: &str) -> Option<String> {
    let h = href.to_ascii_lowercase();
    let after = |key: &str| -> Option<String> {
        let i = h.rfind(key)? + key.len();
        let d: String = h[i..].chars().take_while(|c| c.is_ascii_digit()).collect();
        (!d.is_empty()).then_some(d)
    };
    for key in ["#p", "?p=", "&p=", "#post-", "#post_", "/posts/", "post-", "#comment-", "comment-", "comment=", "#reply-"] {
        if let Some(d) = after(key) {
            return Some(d);
        }
    }
    // Discourse: /t/<slug>/<topic>/<post number>.
    let path = without_fragment(&h);
    let parts: Vec<&str> = path.split('/').collect();
    let t = parts.iter().position(|p| *p == "t")?;
    let nums: Vec<&&str> = parts[t + 1..].iter().filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())).collect();
    (nums.len() == 2).then(|| nums[1].to_string())
}

/// What a quote says about its source.
#[derive(Debug, Default)]
struct QuoteFacts {
    /// Numbers of the posts its markup names.
    numbers: BTreeSet<String>,
    /// Links to posts it carries (resolved).
    links: Vec<String>,
    /// The quoted author's name, when given.
    name: Option<String>,
    /// The quoted text, folded (headers and nested quotes left out).
    text: String,
}

const SAID: &[&str] = &[
    "wrote:",
    "wrote",
    "said:",
    "said",
    "says:",
    "escribió:",
    "escribió",
    "dijo:",
    "schrieb:",
    "schrieb",
    "a écrit :",
    "a écrit:",
    "a écrit",
];
const QUOTE_FROM: &[&str] = &["quote from", "quote:", "quoting", "cita de", "citando a", "zitat von", "citation de"];

/// The name in a quote header ("alice wrote:", "Quote from alice").
fn header_name(t: &str) -> Option<String> {
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = t.to_lowercase();
    for said in SAID {
        if let Some(i) = lower.find(said) {
            let name = t[..i].trim().trim_end_matches([',', ':']).trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    for from in QUOTE_FROM {
        if let Some(rest) = lower.strip_prefix(from) {
            let name = t[t.len() - rest.len()..].trim().trim_start_matches(':').trim();
            let name = name.split(" on ").next().unwrap_or(name).trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
    }
    None
}

/// Header parts of a quote: its cite and title/attribution blocks.
fn is_quote_header(s: &Snapshot, id: u32) -> bool {
    let n = s.node(id);
    n.tag() == "cite"
        || n.classes().any(|c| {
            let c = c.to_ascii_lowercase();
            c.contains("title") || c.contains("attribution") || c.contains("quote-header") || c.contains("quoteheader") || c == "quotetitle"
        })
}

fn quote_facts(s: &Snapshot, q: u32, page: &PageInfo) -> QuoteFacts {
    let mut f = QuoteFacts::default();
    let inner = |id: u32| id != q && is_quote(s, id);
    for id in s.descendants(q, inner) {
        let n = s.node(id);
        for attr in ["data-source", "data-post", "data-post-id"] {
            if let Some(v) = n.attr(attr) {
                f.numbers.extend(v.split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()).map(str::to_string));
            }
        }
        if let Some(name) = n.attr("data-quote").or(n.attr("data-username")).or(n.attr("data-author")) {
            if f.name.is_none() && !name.trim().is_empty() {
                f.name = Some(name.trim().to_string());
            }
        }
        if n.tag() == "a" {
            if let Some(url) = n.attr("href").and_then(|h| resolve_http(page.base(), h)) {
                if !is_profile_href(&url) {
                    if let Some(num) = linked_number(&url) {
                        f.numbers.insert(num);
                    }
                    f.links.push(url);
                }
            }
        }
        if f.name.is_none() && is_quote_header(s, id) {
            f.name = header_name(&super::fields::element_text(s, id, 300));
        }
    }
    // An old-style header is the quote's first text: "alice wrote:".
    let mut text = String::new();
    let mut first = true;
    for id in s.descendants(q, |id| inner(id) || is_quote_header(s, id)) {
        let n = s.node(id);
        if n.is_element() || n.text.trim().is_empty() {
            continue;
        }
        if first && f.name.is_none() {
            if let Some(name) = header_name(&n.text).filter(|_| n.text.trim().len() < 120) {
                f.name = Some(name);
                first = false;
                continue;
            }
        }
        first = false;
        text.push_str(&n.text);
        text.push(' ');
    }
    f.text = fold_text(&text);
    f
}

/// The quotes a post makes (its outermost quotes).
fn quotes_of(s: &Snapshot, root: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if id != root && is_quote(s, id) {
            out.push(id);
            continue;
        }
        stack.extend(s.node(id).children.iter().rev().copied());
    }
    out
}

fn same_author(a: &Extraction, name: Option<&str>, url: Option<&str>) -> bool {
    match (a.author_url.as_deref(), url) {
        (Some(x), Some(y)) => same_link(x, y),
        _ => match (a.author_name.as_deref(), name) {
            (Some(x), Some(y)) => fold_handle(x) == fold_handle(y),
            _ => false,
        },
    }
}

/// The post a nested post hangs under: the nearest post containing it, or
/// the post just before the reply list (`ol.children`) holding it.
fn parent_post(s: &Snapshot, posts: &[Post], p: usize) -> Option<usize> {
    let root = posts[p].root;
    let index_of = |id: u32| posts.iter().position(|x| x.root == id);
    for a in s.ancestors(root) {
        if let Some(i) = index_of(a) {
            return Some(i);
        }
        let n = s.node(a);
        let listy = n.classes().any(|c| {
            let c = c.to_ascii_lowercase();
            c == "children" || c.contains("replies") || c == "comment-children"
        });
        if listy {
            let parent = n.parent?;
            let kids = &s.node(parent).children;
            let at = kids.iter().position(|k| *k == a)?;
            // The reply list's previous element sibling (or a post inside it).
            let prev = kids[..at].iter().rev().copied().find(|k| s.node(*k).is_element())?;
            return posts.iter().position(|x| s.contains(prev, x.root));
        }
    }
    None
}

/// Why post `p` answers post `c` (both indexes into `posts`), if it does.
pub fn relation(s: &Snapshot, page: &PageInfo, posts: &[Post], c: usize, p: usize) -> Option<Evidence> {
    if p <= c {
        return None;
    }
    let (cp, pp) = (&posts[c], &posts[p]);
    if let (Some(ct), Some(pt)) = (&cp.ex.time, &pp.ex.time) {
        if pt.epoch_ms < ct.epoch_ms {
            return None;
        }
    }
    let numbers = post_numbers(s, cp.root);
    // Quotes: a reference decides; otherwise the quoted text must be the
    // captured post's alone.
    for q in quotes_of(s, pp.root) {
        let f = quote_facts(s, q, page);
        let links_c = f.links.iter().any(|l| cp.ex.permalink.as_deref().is_some_and(|m| same_link(l, m)));
        let refers = !f.numbers.is_empty() || !f.links.is_empty();
        let names_c = f.numbers.iter().any(|n| numbers.contains(n));
        if links_c || (names_c && f.links.iter().all(|l| linked_number(l).is_none_or(|n| numbers.contains(&n)))) {
            return Some(Evidence::QuoteReference);
        }
        let names_other =
            f.numbers.iter().any(|n| posts[..p].iter().enumerate().any(|(i, x)| i != c && post_numbers(s, x.root).contains(n)));
        if refers && names_other {
            continue;
        }
        if let Some(name) = &f.name {
            if !same_author(&cp.ex, Some(name), None) {
                continue;
            }
        }
        if f.text.chars().filter(|ch| ch.is_alphanumeric()).count() >= MIN_QUOTE_CHARS {
            let holders: Vec<usize> = (0..p).filter(|i| fold_text(&posts[*i].ex.comment_text).contains(&f.text)).collect();
            if holders == [c] {
                return Some(Evidence::QuoteText);
            }
        }
    }
    if parent_post(s, posts, p) == Some(c) {
        return Some(Evidence::Nested);
    }
    // Reply-to links (Discourse's "in reply to" tab as a link).
    for id in s.descendants(pp.root, |id| is_quote(s, id)) {
        let n = s.node(id);
        let reply_to = n.classes().any(|k| k.to_ascii_lowercase().contains("reply-to"));
        if reply_to && n.tag() == "a" {
            let num = n.attr("href").and_then(|h| resolve_http(page.base(), h)).and_then(|u| linked_number(&u));
            if num.is_some_and(|n| numbers.contains(&n)) {
                return Some(Evidence::ReplyTo);
            }
        }
    }
    // "@alice …": alice's latest post before this one.
    let name = cp.ex.author_name.as_deref()?;
    let text = pp.ex.comment_text.trim_start();
    let rest = text.strip_prefix('@')?;
    let named = rest.get(..name.len()).is_some_and(|h| h.eq_ignore_ascii_case(name))
        && rest[name.len()..].chars().next().is_none_or(|ch| !ch.is_alphanumeric() && ch != '_');
    let latest = (0..p).rev().find(|i| same_author(&posts[*i].ex, Some(name), cp.ex.author_url.as_deref()));
    (named && latest == Some(c)).then_some(Evidence::AtMention)
}

/// The first later post by a team account that answers post `c`: its index and why.
pub fn reply_index(s: &Snapshot, page: &PageInfo, posts: &[Post], c: usize, accounts: &[Account]) -> Option<(usize, Evidence)> {
    if accounts.is_empty() || is_team_author(accounts, posts[c].ex.author_name.as_deref(), posts[c].ex.author_url.as_deref()) {
        return None;
    }
    (c + 1..posts.len()).find_map(|p| {
        let ex = &posts[p].ex;
        if !is_team_author(accounts, ex.author_name.as_deref(), ex.author_url.as_deref()) {
            return None;
        }
        relation(s, page, posts, c, p).map(|e| (p, e))
    })
}

/// [`reply_index`] as what the card proposes.
pub fn reply_to(s: &Snapshot, page: &PageInfo, posts: &[Post], c: usize, accounts: &[Account]) -> Option<ReplyFound> {
    let (p, evidence) = reply_index(s, page, posts, c, accounts)?;
    let ex = &posts[p].ex;
    let handle = ex.author_name.clone().or_else(|| ex.author_url.clone())?;
    Some(ReplyFound { handle, author_url: ex.author_url.clone(), time: ex.time.clone(), permalink: ex.permalink.clone(), evidence })
}

/// The post holding the snapshot's mention (the captured comment, when the
/// card opens on a logged capture).
pub fn post_of_mention(s: &Snapshot, posts: &[Post]) -> Option<usize> {
    posts.iter().position(|p| s.contains(p.root, s.mention_node))
}

/// All at once: the team's reply to the comment under the snapshot's mention.
pub fn find_reply(s: &Snapshot, page: &PageInfo, now_ms: i64, accounts: &[Account]) -> Option<ReplyFound> {
    if accounts.is_empty() {
        return None;
    }
    let posts = thread_posts(s, page, now_ms);
    let c = post_of_mention(s, &posts)?;
    reply_to(s, page, &posts, c, accounts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_dom::TestDom;

    #[test]
    fn quote_headers_and_post_links_table() {
        for (header, want) in [
            ("dieter wrote:", Some("dieter")),
            ("mara_k wrote: ↑ Tue Mar 05, 2024 9:12 am", Some("mara_k")),
            ("lucia said:", Some("lucia")),
            ("Ana escribió:", Some("Ana")),
            ("gärtner schrieb:", Some("gärtner")),
            ("Quote from bob on May 1", Some("bob")),
            ("Zitat von Rosi", Some("Rosi")),
            ("Quote", None),
            ("wrote:", None),
        ] {
            assert_eq!(header_name(header).as_deref(), want, "{header}");
        }
        for (href, want) in [
            ("https://f.example/viewtopic.php?p=101#p101", Some("101")),
            ("https://f.example/threads/x.900/post-2004", Some("2004")),
            ("https://f.example/t/acme-app/5120/4", Some("4")),
            ("https://f.example/2024/05/review/#comment-42", Some("42")),
            ("https://f.example/goto/post?id=2001", None),
            ("https://f.example/t/acme-app/5120", None),
        ] {
            assert_eq!(linked_number(href).as_deref(), want, "{href}");
        }
        assert_eq!(fold_text("  Hola, ¿QUÉ tal?\n Acme-X200 "), "hola qué tal acme x200");
    }

    /// One generic thread (no platform markup) per rule that must say no.
    #[test]
    fn precision_guards_table() {
        let post = |id: u32, who: &str, at: &str, body: &str| {
            format!(
                r#"<div class="post" id="post-{id}"><div class="who"><a href="/u/{who}">{who}</a> <time datetime="{at}">{at}</time></div><div class="body">{body}</div></div>"#
            )
        };
        let page = |posts: &[String]| format!("<html><body><div class=\"thread\">{}</div></body></html>", posts.join(""));
        let c = post(11, "cy", "2024-01-01T10:00:00Z", "<p>My Acme kettle leaks from the bottom seam.</p>");
        let other = post(12, "dee", "2024-01-01T10:30:00Z", "<p>Acme kettles are fine, mine leaks from the bottom seam too.</p>");
        let cases: Vec<(&str, String, Option<Evidence>)> = vec![
            (
                "quote naming the post",
                page(&[
                    c.clone(),
                    post(
                        13,
                        "team",
                        "2024-01-01T11:00:00Z",
                        r#"<blockquote data-source="post: 11"><p>leaks</p></blockquote><p>Send it back.</p>"#,
                    ),
                ]),
                Some(Evidence::QuoteReference),
            ),
            (
                "quote naming another post, same text",
                page(&[
                    c.clone(),
                    other.clone(),
                    post(
                        13,
                        "team",
                        "2024-01-01T11:00:00Z",
                        r#"<blockquote data-source="post: 12"><p>My Acme kettle leaks from the bottom seam.</p></blockquote><p>Hm.</p>"#,
                    ),
                ]),
                None,
            ),
            (
                "quoted text in two earlier posts",
                page(&[
                    c.clone(),
                    other.clone(),
                    post(13, "team", "2024-01-01T11:00:00Z", "<blockquote><p>leaks from the bottom seam</p></blockquote><p>Known.</p>"),
                ]),
                None,
            ),
            (
                "quoted text in the comment only",
                page(&[
                    c.clone(),
                    other.clone(),
                    post(13, "team", "2024-01-01T11:00:00Z", "<blockquote><p>My Acme kettle leaks</p></blockquote><p>Known.</p>"),
                ]),
                Some(Evidence::QuoteText),
            ),
            (
                "quote under another name",
                page(&[
                    c.clone(),
                    post(
                        13,
                        "team",
                        "2024-01-01T11:00:00Z",
                        "<blockquote><cite>dee wrote:</cite><p>My Acme kettle leaks</p></blockquote><p>Known.</p>",
                    ),
                ]),
                None,
            ),
            (
                "a reply dated before the comment",
                page(&[
                    c.clone(),
                    post(13, "team", "2023-12-31T11:00:00Z", r#"<blockquote data-source="post: 11"><p>leaks</p></blockquote>"#),
                ]),
                None,
            ),
            (
                "@cy at the start",
                page(&[c.clone(), post(13, "team", "2024-01-01T11:00:00Z", "<p>@cy please send us a photo.</p>")]),
                Some(Evidence::AtMention),
            ),
            (
                "@cy after cy posted again",
                page(&[
                    c.clone(),
                    post(14, "cy", "2024-01-01T10:40:00Z", "<p>Also the lid.</p>"),
                    post(13, "team", "2024-01-01T11:00:00Z", "<p>@cy please send us a photo.</p>"),
                ]),
                None,
            ),
            ("no relation", page(&[c.clone(), post(13, "team", "2024-01-01T11:00:00Z", "<p>Acme kettles: see our FAQ.</p>")]), None),
        ];
        let accounts = [Account::Handle("team".into())];
        for (name, html, want) in cases {
            let dom = TestDom::parse(&html);
            let (node, s, e) = dom.find_text("bottom seam.");
            let snapshot = Snapshot::gather(&dom, &node, s, e);
            let page = PageInfo::gather(&dom, &dom.root(), "https://forum.example/t/1");
            let posts = thread_posts(&snapshot, &page, 1_718_452_800_000);
            assert!(posts.len() >= 2, "{name}: {} posts", posts.len());
            let c = post_of_mention(&snapshot, &posts).expect(name);
            assert_eq!(reply_index(&snapshot, &page, &posts, c, &accounts).map(|(_, e)| e), want, "{name}");
        }
    }
}
