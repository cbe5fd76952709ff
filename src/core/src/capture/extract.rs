//! From a snapshot to a capture record: root, body, text, author, time,
//! permalink, page fields and selectors for re-finding the mention.

use serde::{Deserialize, Serialize};

use super::confidence::{Confidence, Thresholds};
use super::css::Selector;
use super::detect::{detect, same_kind, signature, Method};
use super::fields::{anchor_permalink, author_from, find_author, find_permalink, find_time, is_quote, time_from, Author, Scope};
use super::json_ld;
use super::page::PageInfo;
use super::selector::{describe, TextPositionSelector, TextQuoteSelector};
use super::snapshot::Snapshot;
use super::text::{raw_text, render};
use super::time::CommentTime;
use super::url::resolve_http;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extraction {
    /// The comment's text, plain, bounded (see `truncated`).
    pub comment_text: String,
    /// True when `comment_text` was cut; it then ends with a marker.
    pub truncated: bool,
    /// UTF-16 length of the comment's full text in the page.
    pub original_length: u32,
    pub author_name: Option<String>,
    /// Absolute http(s) only.
    pub author_url: Option<String>,
    pub time: Option<CommentTime>,
    /// Absolute http(s) only.
    pub permalink: Option<String>,
    /// The adapter that recognised the platform, if any.
    pub platform: Option<String>,
    pub method: Method,
    /// Page fields.
    pub page_url: String,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub site_name: Option<String>,
    pub lang: Option<String>,
    /// Re-finding the mention in the comment's text later.
    pub quote: TextQuoteSelector,
    pub position: TextPositionSelector,
}

/// Body markers shared by many platforms, nearest to the mention first.
const GENERIC_BODY: &str =
    "[itemprop=text], [itemprop=articleBody], [itemprop=commentText], [itemprop=reviewBody], .e-content, .entry-content";
const BODY_WORDS: &[&str] =
    &["content", "message", "body", "text", "postbody", "post_body", "entry", "bbwrapper", "cooked", "commtext", "comment-copy", "md"];

fn body_for(s: &Snapshot, root: u32, adapter_body: Option<&str>) -> Option<u32> {
    // The mention's ancestors strictly inside the root, outermost first,
    // stopping at quotes (a quoted post is not this post's body).
    let mut path: Vec<u32> = s.ancestors(s.mention_node).take_while(|a| *a != root).collect();
    path.reverse();
    if let Some(q) = path.iter().position(|id| is_quote(s, *id)) {
        path.truncate(q);
    }
    for sel in adapter_body.into_iter().chain([GENERIC_BODY]) {
        // Selector lists are in priority order: try each alternative.
        for alt in sel.split(',') {
            let alt = Selector::parse(alt.trim());
            if let Some(b) = path.iter().copied().find(|id| alt.matches(s, *id, Some(root))) {
                return Some(b);
            }
        }
    }
    path.iter().copied().find(|id| {
        let n = s.node(*id);
        n.classes().chain(n.attr("id")).any(|c| {
            let c = c.to_ascii_lowercase();
            BODY_WORDS.iter().any(|w| c == *w || c.ends_with(w) || c.contains(&format!("-{w}")) || c.contains(&format!("_{w}")))
                && !c.contains("header")
                && !c.contains("footer")
        })
    })
}

/// Find the comment the mention sits in and read its fields, keeping only
/// those that clear [`Thresholds::DEFAULT`].
/// `now_utc_ms` resolves relative times ("3 hours ago").
pub fn extract(snapshot: &Snapshot, page: &PageInfo, now_utc_ms: i64) -> Extraction {
    let (mut ex, confidence) = extract_scored(snapshot, page, now_utc_ms);
    Thresholds::DEFAULT.apply(&mut ex, &confidence);
    ex
}

/// Everything extraction found, each field with its [`Confidence`]; nothing
/// is dropped (the fidelity benchmark chooses thresholds from these).
pub fn extract_scored(snapshot: &Snapshot, page: &PageInfo, now_utc_ms: i64) -> (Extraction, Confidence) {
    let s = snapshot;
    let det = detect(s, page, now_utc_ms);
    let root = det.root;
    let root_sig = signature(s, root);
    let nested = |id: u32| same_kind(s, &det, &root_sig, id);
    let adapter = det.adapter;
    let body = body_for(s, root, adapter.map(|a| a.body));
    let scope = Scope { s, root, body, nested: &nested, page, now_ms: now_utc_ms };

    let found = det.method != Method::Block;
    let mut author = Author::default();
    let mut time: Option<CommentTime> = None;
    let mut time_el = None;
    let mut permalink = None;
    if found {
        if let Some(a) = adapter {
            // The first candidate with a name; else the first with a link
            // (avatar links carry the profile URL but no name).
            let candidates: Vec<Author> =
                a.author.split(',').flat_map(|alt| scope.all_matches(alt.trim())).take(16).map(|el| author_from(&scope, el)).collect();
            if let Some(named) = candidates.iter().find(|c| c.name.is_some()) {
                author = named.clone();
                if author.url.is_none() {
                    author.url = candidates.iter().find_map(|c| c.url.clone());
                }
            } else if let Some(linked) = candidates.into_iter().find(|c| c.url.is_some()) {
                author = linked;
            }
            if let Some(el) = first_of(&scope, a.time) {
                if let Some(t) = time_from(&scope, el) {
                    time = Some(t);
                    time_el = Some(el);
                }
            }
            if let Some(el) = first_of(&scope, a.permalink) {
                permalink = s.node(el).attr("href").or_else(|| s.node(el).attr("content")).and_then(|h| scope.resolve(h));
            }
            if permalink.is_none() {
                permalink = a.permalink_attr.and_then(|attr| s.node(root).attr(attr)).and_then(|h| scope.resolve(h));
            }
        }
        if author.name.is_none() && author.url.is_none() {
            author = find_author(&scope);
        }
        if time.is_none() {
            if let Some((t, el)) = find_time(&scope) {
                time = Some(t);
                time_el = Some(el);
            }
        }
        if permalink.is_none() {
            permalink = find_permalink(&scope, time_el);
        }
    }
    // No body marker: the body is the outermost element on the mention's path
    // that holds neither the time nor a profile link (the post's header).
    let body = body.or_else(|| if found { derived_body(s, root, time_el) } else { None });
    let text_root = body.unwrap_or(root);
    let rendered = render(s, text_root, &|id| nested(id));

    // Platforms that describe posts only in JSON-LD: fill what is missing.
    if let Some(post) = json_ld::matching_post(&page.json_ld, &rendered.text, now_utc_ms) {
        if author.name.is_none() {
            author.name = post.author_name;
        }
        if author.url.is_none() {
            author.url = post.author_url.and_then(|u| resolve_http(page.base(), &u));
        }
        if time.is_none() {
            time = post.time;
        }
        if permalink.is_none() {
            permalink = post.url.and_then(|u| resolve_http(page.base(), &u));
        }
    }

    if permalink.is_none() && found {
        permalink = anchor_permalink(&scope);
    }

    let raw = raw_text(s, text_root, &|id| nested(id));
    let (quote, position) = match (raw.kept, raw.full) {
        (Some((ks, ke)), Some((fs, fe))) => {
            let (q, _) = describe(&raw.text, ks, ke);
            (q, TextPositionSelector { start: fs, end: fe })
        }
        _ => {
            let node = s.node(s.mention_node);
            let from = node.text_from;
            let (q, _) = describe(&node.text, s.mention_start.saturating_sub(from), s.mention_end.saturating_sub(from));
            (q, TextPositionSelector { start: s.mention_start, end: s.mention_end })
        }
    };

    let present = |b: bool| if b { 1.0 } else { 0.0 };
    let confidence = Confidence {
        text: present(!rendered.text.trim().is_empty()),
        author: present(author.name.is_some() || author.url.is_some()),
        time: present(time.is_some()),
        permalink: present(permalink.is_some()),
    };
    let ex = Extraction {
        comment_text: rendered.text,
        truncated: rendered.truncated,
        original_length: rendered.original_len,
        author_name: author.name,
        author_url: author.url,
        time,
        permalink,
        platform: adapter.map(|a| a.name.to_string()),
        method: det.method,
        page_url: page.url.clone(),
        canonical_url: page.canonical_url.clone(),
        title: page.title.clone(),
        site_name: page.site_name.clone(),
        lang: page.lang.clone(),
        quote,
        position,
    };
    (ex, confidence)
}

/// The first field element matching an adapter selector list, trying its
/// alternatives in the order written.
fn first_of(scope: &Scope, list: &str) -> Option<u32> {
    list.split(',').map(str::trim).filter(|a| !a.is_empty()).find_map(|alt| scope.first_match(alt))
}

fn derived_body(s: &Snapshot, root: u32, time_el: Option<u32>) -> Option<u32> {
    let mut path: Vec<u32> = s.ancestors(s.mention_node).take_while(|a| *a != root).collect();
    path.reverse();
    path.into_iter().find(|id| {
        let holds_time = time_el.is_some_and(|t| s.contains(*id, t));
        let holds_profile = s.descendants(*id, |_| false).any(|d| s.node(d).attr("href").is_some_and(super::fields::is_profile_href));
        !holds_time && !holds_profile && !crate::page_text::INLINE_TAGS.contains(&s.node(*id).tag())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_dom::TestDom;

    const NOW: i64 = 1_718_452_800_000; // 2024-06-15T12:00:00Z

    fn run(html: &str, needle: &str) -> Extraction {
        let dom = TestDom::parse(html);
        let (node, s, e) = dom.find_text(needle);
        let snapshot = Snapshot::gather(&dom, &node, s, e);
        let page = PageInfo::gather(&dom, &dom.root(), "https://site.example/t/1");
        extract(&snapshot, &page, NOW)
    }

    #[test]
    fn generic_methods_table() {
        let microdata = r#"<html><body><div itemscope itemtype="https://schema.org/Comment"><span itemprop="author" itemscope itemtype="https://schema.org/Person"><a itemprop="url" href="/u/ann"><span itemprop="name">Ann</span></a></span><meta itemprop="dateCreated" content="2020-02-02T10:00:00Z"><div itemprop="text">Acme rules</div></div><div itemscope itemtype="https://schema.org/Comment"><div itemprop="text">No</div></div></body></html>"#;
        let repetition = r#"<html><body><div class="row"><div class="who"><a href="/members/bo.2/">bo</a> 3 hours ago</div><div class="said">Acme again</div></div><div class="row"><div class="who"><a href="/members/cy.3/">cy</a> 2 hours ago</div><div class="said">meh</div></div></body></html>"#;
        let block = r#"<html><body><div><p>Only Acme here.</p><p>by nobody</p></div></body></html>"#;
        for (name, html, method, author, time, text) in [
            ("microdata", microdata, Method::Microdata, Some("Ann"), Some("2020-02-02T10:00:00Z"), "Acme rules"),
            ("repetition", repetition, Method::Repetition, Some("bo"), Some("2024-06-15T09:00:00Z"), "Acme again"),
            ("block", block, Method::Block, None, None, "Only Acme here."),
        ] {
            let ex = run(html, "Acme");
            assert_eq!(ex.method, method, "{name}");
            assert_eq!(ex.author_name.as_deref(), author, "{name}");
            assert_eq!(ex.time.as_ref().map(|t| t.utc.as_str()), time, "{name}");
            assert_eq!(ex.comment_text, text, "{name}");
            assert_eq!(ex.quote.exact, "Acme", "{name}");
        }
        assert_eq!(run(microdata, "Acme").author_url.as_deref(), Some("https://site.example/u/ann"));
        assert_eq!(run(block, "Acme").permalink, None);
    }
}
