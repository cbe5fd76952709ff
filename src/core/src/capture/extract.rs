//! From a snapshot to a capture record: root, body, text, author, time,
//! permalink, page fields and selectors for re-finding the mention.

use serde::{Deserialize, Serialize};

use super::confidence::{Confidence, Thresholds};
use super::css::Selector;
use super::detect::{detect, same_kind, signature, Method};
use super::fields::{anchor_permalink, is_quote, root_number, Scope};
use super::json_ld;
use super::page::PageInfo;
use super::selector::{describe, TextPositionSelector, TextQuoteSelector};
use super::snapshot::Snapshot;
use super::template::{path_of, read_post, split_post, Agreement, PostRead, Template};
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
    /// Whether `comment_text` is the whole post or, when extraction was
    /// unsure where the post ends, only the clicked passage.
    #[serde(default)]
    pub text_scope: TextScope,
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

/// How much of the post `comment_text` covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TextScope {
    /// The whole post.
    #[default]
    Post,
    /// Only the block around the mention: the post's bounds were unsure.
    Passage,
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
    let named: Vec<u32> = path
        .iter()
        .copied()
        .filter(|id| {
            let n = s.node(*id);
            n.classes().chain(n.attr("id")).any(|c| {
                let c = c.to_ascii_lowercase();
                BODY_WORDS.iter().any(|w| c == *w || c.ends_with(w) || c.contains(&format!("-{w}")) || c.contains(&format!("_{w}")))
                    && !c.contains("header")
                    && !c.contains("footer")
            })
        })
        .collect();
    // A "content" wrapper may hold the post's header too (its date in a
    // `<time>`): then a body-named block inside it, without that date, is the
    // body, so the header stays out of the text and its date is found.
    let dates = |id: u32| -> Vec<u32> {
        s.descendants(id, |d| is_quote(s, d)).filter(|d| s.node(*d).tag() == "time" && s.node(*d).attr("datetime").is_some()).collect()
    };
    let outer = *named.first()?;
    let outer_dates = dates(outer);
    if outer_dates.is_empty() {
        return Some(outer);
    }
    Some(named[1..].iter().copied().find(|inner| outer_dates.iter().all(|d| !s.contains(*inner, *d))).unwrap_or(outer))
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
    // Nested posts share the root's signature (a bare tag nests nothing).
    let root_sig = signature(s, root);
    let nested = |id: u32| same_kind(s, &det, &root_sig, id);
    let adapter = det.adapter;
    let body = body_for(s, root, adapter.map(|a| a.body));
    let scope = Scope { s, root, body, nested: &nested, page, now_ms: now_utc_ms };

    let found = det.method != Method::Block;
    let mut read = PostRead::default();
    // Without sibling posts to compare with, how far the detection method
    // alone is trusted: a named platform's selectors most, bare repetition least.
    let prior = match det.method {
        Method::Adapter => 0.8,
        Method::Microdata | Method::Microformats => 0.75,
        Method::AriaRole | Method::Repetition => 0.6,
        Method::Block => 0.0,
    };
    let mut scores = [Some(prior); 3];
    let mut siblings = Vec::new();
    if found {
        read = read_post(&scope, adapter);
        let body_path = body.map(|b| path_of(s, root, b));
        let template = Template::learn(s, page, now_utc_ms, &det, body_path.as_ref(), &nested);
        let learnt = template.apply(&scope, &mut read);
        for (score, l) in scores.iter_mut().zip(learnt) {
            if let Some(l) = l {
                *score = Some(l);
            }
        }
        siblings = template.siblings;
    }
    // (A platform's root whose body marker sits on the mention's path is
    // trusted: its selectors name the post.)
    let mut run = if found && (det.method != Method::Adapter || body.is_none()) { post_run(s, root, body) } else { None };
    // Posts split over a header block and a body block (table layouts):
    // the fields come from the header just before the clicked body, scored
    // against the other posts' headers.
    let split = if !found || run.is_some() { split_post(s, None) } else { None };
    let mut header_root = None;
    if let Some((header, post_body, others)) = split {
        let no_nesting = |_: u32| false;
        let hscope = Scope { s, root: header, body: None, nested: &no_nesting, page, now_ms: now_utc_ms };
        read = read_post(&hscope, None);
        let template = Template::over(s, page, now_utc_ms, header, others.clone(), None, None, &no_nesting);
        let learnt = template.apply(&hscope, &mut read);
        // Without other headers to compare with, a split is not trusted.
        scores = learnt.map(|l| Some(l.unwrap_or(0.0)));
        // No permalink, or one its siblings do not back (a "back to top"
        // link): the header's own anchor.
        if read.permalink.is_none() || scores[2].unwrap_or(0.0) < Thresholds::DEFAULT.permalink {
            if let Some(anchor) = anchor_permalink(&hscope) {
                scores[2] = Some(anchor_agreement(s, page, now_utc_ms, &others, Some(&anchor), 0.6));
                read.permalink = Some(anchor);
                read.permalink_el = Some(header);
            }
        }
        header_root = Some(header);
        run = Some(post_body);
        siblings = Vec::new();
    }
    let PostRead { mut author, author_el, mut time, time_el, mut permalink, permalink_el } = read;
    let [mut author_c, mut time_c, mut permalink_c] = scores.map(|c| c.unwrap_or(0.0));
    // A root holding a run of look-alike blocks around the mention is a
    // thread (or a thread-level wrapper), not one post: its author, time and
    // permalink are the thread's, and the post is the run's member.

    // No body marker: the post minus its header (the blocks holding the
    // author, time or permalink), not only the clicked paragraph.
    let (text_root, header) = match (run, body) {
        (Some(member), _) => (member, Vec::new()),
        (None, Some(b)) => (with_heading(s, root, b), Vec::new()),
        (None, None) if found => without_header(s, root, &[author_el, time_el, permalink_el]),
        (None, None) => (root, Vec::new()),
    };
    let prune = |id: u32| nested(id) || header.contains(&id);
    let mut text_root = text_root;
    // The nearest block holds the whole post about as often as a detected
    // root's body does (95 % against 97 % on the development corpus), so
    // both start at full confidence; only a text known to hold other posts
    // is narrowed and marked a passage.
    let mut text_c: f32 = 1.0;
    // A text holding other posts is the thread, not the post: keep the
    // clicked block only and say so.
    if siblings.iter().any(|sib| s.contains(text_root, *sib)) {
        text_root = mention_block(s, root);
        text_c = 0.2;
    }
    let rendered = render(s, text_root, &prune);

    // Platforms that describe posts only in JSON-LD: fill what is missing.
    if let Some(post) = json_ld::matching_post(&page.json_ld, &rendered.text, now_utc_ms) {
        if author.name.is_none() && author.url.is_none() {
            author.name = post.author_name;
            author.url = post.author_url.and_then(|u| resolve_http(page.base(), &u));
            author_c = 0.8;
        }
        if time.is_none() {
            time = post.time;
            time_c = 0.8;
        }
        if permalink.is_none() {
            permalink = post.url.and_then(|u| resolve_http(page.base(), &u));
            permalink_c = 0.8;
        }
    }

    // A permalink naming another number than the post's own id points elsewhere.
    // (A short number is a position on the page, not an id.)
    if let (Some(url), Some(num)) = (permalink.as_deref(), root_number(s, root).filter(|n| n.len() >= 4)) {
        if !url.contains(&num) {
            permalink_c = permalink_c.min(0.3);
        }
    }
    // No permalink, or one too doubtful to keep: the post's own anchor.
    if (permalink.is_none() || permalink_c < Thresholds::DEFAULT.permalink) && found && header_root.is_none() {
        if let Some(anchor) = anchor_permalink(&scope) {
            permalink_c = anchor_agreement(s, page, now_utc_ms, &siblings, Some(&anchor), prior);
            permalink = Some(anchor);
        }
    }

    if run.is_some() && header_root.is_none() {
        author_c = author_c.min(0.1);
        time_c = time_c.min(0.1);
        permalink_c = permalink_c.min(0.1);
    }

    let raw = raw_text(s, text_root, &prune);
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

    let present = |b: bool, c: f32| if b { c } else { 0.0 };
    let confidence = Confidence {
        text: present(!rendered.text.trim().is_empty(), text_c),
        author: present(author.name.is_some() || author.url.is_some(), author_c),
        time: present(time.is_some(), time_c),
        permalink: present(permalink.is_some(), permalink_c),
    };
    let ex = Extraction {
        comment_text: rendered.text,
        truncated: rendered.truncated,
        original_length: rendered.original_len,
        text_scope: TextScope::Post,
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

/// The member, on the mention's path strictly inside `root` (and outside
/// the body), of a run of at least three look-alike sibling blocks that each
/// hold text: posts listed inside what was taken for one post.
fn post_run(s: &Snapshot, root: u32, body: Option<u32>) -> Option<u32> {
    let path: Vec<u32> = s.ancestors(s.mention_node).take_while(|a| *a != root).collect();
    let stop = body.and_then(|b| path.iter().position(|a| *a == b)).map_or(0, |i| i + 1);
    // Outermost first: the largest unit that repeats is the post.
    path[stop..].iter().rev().copied().find(|&a| {
        let n = s.node(a);
        let Some(sig) = signature(s, a) else { return false };
        let Some(parent) = n.parent else { return false };
        if crate::page_text::INLINE_TAGS.contains(&n.tag()) || matches!(n.tag(), "p" | "li" | "dd" | "dt") {
            return false;
        }
        let texty = |id: u32| super::fields::element_text(s, id, 64).chars().filter(|c| c.is_alphanumeric()).count() >= 2;
        let alike =
            s.node(parent).children.iter().filter(|c| signature(s, **c).as_deref() == Some(sig.as_str()) && texty(**c)).take(3).count();
        alike >= 3
    })
}

/// How far a post's own anchor is trusted: like the other fields, by its
/// siblings ([`Agreement`]): the share of posts that carry an anchor of their
/// own; one anchor repeated in several posts is no post's. Without siblings
/// to compare, the detection method's `prior`.
fn anchor_agreement(s: &Snapshot, page: &PageInfo, now_ms: i64, siblings: &[u32], mine: Option<&str>, prior: f32) -> f32 {
    let Some(mine) = mine else { return 0.0 };
    if siblings.is_empty() {
        return prior;
    }
    let none = |_: u32| false;
    let mut seen = vec![mine.to_string()];
    for &sib in siblings {
        let scope = Scope { s, root: sib, body: None, nested: &none, page, now_ms };
        if let Some(a) = anchor_permalink(&scope) {
            if seen.contains(&a) {
                return 0.05;
            }
            seen.push(a);
        }
    }
    let agreement = Agreement { posts: 1 + siblings.len(), at_place: seen.len(), distinct: seen.len() };
    agreement.confidence().unwrap_or(prior)
}

/// The body with the post's own subject: a heading just before the body,
/// alone with it in their parent inside the post ("<div><h3>Subject</h3>
/// <p itemprop=text>…</p></div>"), is what the poster wrote first. A parent
/// holding anything else (the author line, the footer) is left alone.
fn with_heading(s: &Snapshot, root: u32, body: u32) -> u32 {
    let Some(parent) = s.node(body).parent.filter(|p| *p != root && s.contains(root, *p)) else { return body };
    let kids: Vec<u32> =
        s.node(parent).children.iter().copied().filter(|k| s.node(*k).is_element() || !s.node(*k).text.trim().is_empty()).collect();
    let heading = |id: u32| matches!(s.node(id).tag(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    if kids.len() == 2 && kids[1] == body && heading(kids[0]) {
        parent
    } else {
        body
    }
}

/// The nearest block around the mention inside `root`.
fn mention_block(s: &Snapshot, root: u32) -> u32 {
    s.ancestors(s.mention_node)
        .take_while(|a| s.contains(root, *a))
        .find(|a| !crate::page_text::INLINE_TAGS.contains(&s.node(*a).tag()))
        .unwrap_or(root)
}

/// The post's text root and the header blocks to leave out of it: the
/// deepest element on the mention's path that still holds a field element,
/// minus its children holding one (and not the mention).
fn without_header(s: &Snapshot, root: u32, fields: &[Option<u32>]) -> (u32, Vec<u32>) {
    let fields: Vec<u32> = fields.iter().flatten().copied().filter(|f| !s.contains(*f, s.mention_node)).collect();
    let mut path: Vec<u32> = s.ancestors(s.mention_node).take_while(|a| *a != root).collect();
    path.push(root);
    let Some(top) = path.iter().copied().find(|a| fields.iter().any(|f| s.contains(*a, *f))) else { return (root, Vec::new()) };
    let header = s.node(top).children.iter().copied().filter(|c| fields.iter().any(|f| s.contains(*c, *f))).collect();
    (top, header)
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

/// One synthetic page per failure class seen on sites nobody tuned for.
#[cfg(test)]
mod failure_classes {
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

    fn page(posts: &[String]) -> String {
        format!("<html><body><div class=\"thread\">{}</div></body></html>", posts.concat())
    }

    /// A plain forum post: header with author link and date, then a body.
    fn post(n: u32, who: &str, when: &str, extra_head: &str, body: &str) -> String {
        format!(
            "<div class=\"post\" id=\"post{n}\"><div class=\"head\"><a class=\"name\" href=\"/members/{who}.{n}/\">{who}</a>{extra_head} <span class=\"date\">{when}</span> <a href=\"/t/1#post{n}\">#{n}</a></div><div class=\"message\">{body}</div></div>"
        )
    }

    fn utc(ex: &Extraction) -> Option<&str> {
        ex.time.as_ref().map(|t| t.utc.as_str())
    }

    #[test]
    fn in_reply_to_label_is_not_the_author() {
        // Every reply names the post it answers before the poster's link.
        let posts: Vec<String> = [("bo", "ann"), ("cy", "bo"), ("di", "ann")]
            .iter()
            .enumerate()
            .map(|(i, (w, to))| {
                format!(
                    "<div class=\"comment\" id=\"c{n}\"><div class=\"meta\"><span>in reply to <a href=\"/users/{to}\">{to}</a></span> <a href=\"/users/{w}\">{w}</a> <time datetime=\"2024-06-0{n}T10:00:00Z\">June {n}</time></div><p>Text {w} Acme{n} here.</p></div>",
                    n = i + 1
                )
            })
            .collect();
        for (needle, who) in [("Acme1", "bo"), ("Acme2", "cy"), ("Acme3", "di")] {
            let ex = run(&page(&posts), needle);
            assert_eq!(ex.author_name.as_deref(), Some(who), "{needle}");
        }
    }

    #[test]
    fn counts_reputation_and_revision_labels_are_not_names() {
        for (label, head) in [
            ("post count", "<span class=\"postcount\">2,474</span>"),
            ("reputation", "<span class=\"rep\"> 0</span>"),
            ("revisions", "<span class=\"revs\">4 revs, 4 users 71%</span>"),
        ] {
            let posts: Vec<String> = ["ann", "bo", "cy"]
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    format!(
                        "<div class=\"entry\" id=\"e{n}\"><div class=\"user\"><div class=\"username\">{head}{w}</div></div><span class=\"date\">2024-06-0{n} 10:00</span><div class=\"message\">Words Acme{n} said.</div></div>",
                        n = i + 1
                    )
                })
                .collect();
            let ex = run(&page(&posts), "Acme2");
            assert!(ex.author_name.as_deref().is_none_or(|n| n == "bo"), "{label}: {:?}", ex.author_name);
        }
    }

    #[test]
    fn registration_date_is_not_the_post_time() {
        for label in ["Registered:", "Joined:", "Member since", "Mitglied seit:", "Registrado:", "Inscrit le"] {
            let posts: Vec<String> = ["ann", "bo", "cy"]
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    format!(
                        "<div class=\"box\" id=\"b{n}\"><div class=\"side\"><a href=\"/members/{w}.{n}/\">{w}</a><div><span>{label}</span> <span>2{n} January 2013</span></div></div><div class=\"message\">Text Acme{n} here.</div></div>",
                        n = i + 1
                    )
                })
                .collect();
            let ex = run(&page(&posts), "Acme2");
            assert_eq!(utc(&ex), None, "{label}");
        }
    }

    #[test]
    fn a_digit_glued_to_a_name_is_not_the_day() {
        let posts: Vec<String> = [("joe2", "March 5, 2021"), ("amy7", "March 6, 2021")]
            .iter()
            .enumerate()
            .map(|(i, (w, d))| {
                format!("<div class=\"row\"><div class=\"by\">{w} {d}</div><div class=\"said\">Hello Acme{i} there</div></div>")
            })
            .collect();
        let ex = run(&page(&posts), "Acme0");
        assert!(utc(&ex).is_none_or(|t| t.starts_with("2021-03-05")), "{:?}", utc(&ex));
    }

    #[test]
    fn a_thread_wrapper_does_not_give_replies_its_author_time_or_profile() {
        let replies: Vec<String> = ["bo", "cy", "di"]
            .iter()
            .enumerate()
            .map(|(i, w)| format!("<div class=\"reply\"><div><b>{w}</b></div><div>Reply Acme{i} from {w}.</div></div>"))
            .collect();
        let html = format!(
            "<html><body><div itemscope itemtype=\"https://schema.org/DiscussionForumPosting\"><span itemprop=\"author\" itemscope itemtype=\"https://schema.org/Person\"><a itemprop=\"url\" href=\"/users/ann\"><span itemprop=\"name\">ann</span></a></span><meta itemprop=\"datePublished\" content=\"2024-01-01T10:00:00Z\"><div itemprop=\"text\">Opening post.</div>{}</div></body></html>",
            replies.concat()
        );
        let ex = run(&html, "Acme1");
        assert_ne!(ex.author_name.as_deref(), Some("ann"));
        assert_eq!(utc(&ex), None);
        assert!(ex.permalink.as_deref().is_none_or(|p| !p.contains("/users/")), "{:?}", ex.permalink);
        assert!(!ex.comment_text.contains("Opening post"), "{:?}", ex.comment_text);
    }

    #[test]
    fn a_post_without_a_body_wrapper_keeps_all_its_paragraphs() {
        let posts: Vec<String> = ["ann", "bo", "cy"]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                format!(
                    "<div class=\"item\" id=\"item{n}\"><div class=\"hdr\"><a href=\"/profile/{w}\">{w}</a> <time datetime=\"2024-06-0{n}T10:00:00Z\">June {n}</time></div><p>First Acme{n} paragraph.</p><p>Second paragraph of {w}.</p></div>",
                    n = i + 1
                )
            })
            .collect();
        let ex = run(&page(&posts), "Acme2");
        assert_eq!(ex.comment_text, "First Acme2 paragraph.\nSecond paragraph of bo.");
        assert_eq!(ex.author_name.as_deref(), Some("bo"));
        assert_eq!(utc(&ex), Some("2024-06-02T10:00:00Z"));
        // The last sentence gives the same post.
        let last = run(&page(&posts), "Second paragraph of bo");
        assert_eq!((last.comment_text, last.author_name, last.time), (ex.comment_text.clone(), ex.author_name.clone(), ex.time.clone()));
    }

    #[test]
    fn the_text_is_never_the_whole_thread() {
        // A list of posts the detector cannot tell apart (header and body in
        // separate rows): the text is the clicked post's row, not the table.
        let rows: Vec<String> = ["ann", "bo", "cy"]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                format!(
                    "<tr><td class=\"hd\"><a href=\"/{w}\">{w}</a> {n}:00pm On Apr 2{n}</td></tr><tr><td class=\"bd\"><div>Body Acme{n} of {w}.</div></td></tr>",
                    n = i + 1
                )
            })
            .collect();
        let html = format!("<html><body><table>{}</table><table><tr><td>other</td></tr></table></body></html>", rows.concat());
        let ex = run(&html, "Acme2");
        assert!(!ex.comment_text.contains("Acme1") && !ex.comment_text.contains("Acme3"), "{:?}", ex.comment_text);
        assert!(ex.comment_text.contains("Acme2"));
        // The first row's header is not this post's.
        assert_ne!(ex.author_name.as_deref(), Some("ann"));
    }

    #[test]
    fn the_header_is_not_swallowed_into_the_text() {
        // Posts as plain <div>s: header line, then the text.
        let posts: Vec<String> = ["ann", "bo", "cy"]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                format!(
                    "<div><div><a href=\"/u/{w}\">{w}</a> <time datetime=\"2024-06-0{n}T10:00:00Z\">June {n}</time></div><div>Words Acme{n} here.</div></div>",
                    n = i + 1
                )
            })
            .collect();
        let ex = run(&format!("<html><body><div>{}</div></body></html>", posts.concat()), "Acme2");
        assert!(!ex.comment_text.contains("June"), "{:?}", ex.comment_text);
        assert_eq!(ex.author_name.as_deref(), Some("bo"), "{:?} {:?}", ex.method, ex.comment_text);
        assert_eq!(utc(&ex), Some("2024-06-02T10:00:00Z"));
    }

    #[test]
    fn a_content_wrapper_holding_the_header_is_not_the_body() {
        // The "content" block holds the date line too; the body sits inside it.
        let posts: Vec<String> = ["ann", "bo", "cy"]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                format!(
                    "<article class=\"cPost\" id=\"elComment_{n}0000\"><aside><a href=\"/profile/{n}-{w}/\">{w}</a></aside><div class=\"ipsComment_content\"><div class=\"ipsComment_meta\"><a href=\"/t/1/?do=reportComment&amp;comment={n}0000\">Report post</a> <a href=\"/t/1/?do=findComment&amp;comment={n}0000\">Posted <time datetime=\"2024-06-0{n}T10:00:00Z\">June {n}</time></a></div><div class=\"cPost_contentWrap\"><div>Words Acme{n} here.</div></div></div></article>",
                    n = i + 1
                )
            })
            .collect();
        let ex = run(&page(&posts), "Acme2");
        assert_eq!(ex.comment_text, "Words Acme2 here.");
        assert_eq!(utc(&ex), Some("2024-06-02T10:00:00Z"));
        assert_eq!(ex.permalink.as_deref(), Some("https://site.example/t/1/?do=findComment&comment=20000"));
    }

    #[test]
    fn a_posts_own_heading_is_part_of_its_text() {
        let posts: Vec<String> = [("ann", "Subject one"), ("bo", "Hase"), ("cy", "Re: Subject one")]
            .iter()
            .enumerate()
            .map(|(i, (w, title))| {
                format!(
                    "<article itemscope itemtype=\"http://schema.org/Answer\"><header><span itemprop=\"author\">{w}</span></header><div class=\"wrap\"><div><h3>{title}</h3><p itemprop=\"text\">Words Acme{n} here.</p></div><footer><time itemprop=\"dateCreated\" datetime=\"2024-06-0{n}T10:00\">0{n}.06.24</time> <a href=\"/melden?n={n}\">Melden</a></footer></div></article>",
                    n = i + 1
                )
            })
            .collect();
        assert_eq!(run(&page(&posts), "Acme2").comment_text, "Hase\nWords Acme2 here.");
        // A heading beside the author line is the header's, not the text's.
        let head = "<div class=\"post\"><div class=\"postbody\"><h3>Re: Topic</h3><p class=\"author\">by ann</p><div class=\"content\">Words Acme here.</div></div></div>";
        assert_eq!(run(&page(&[head.to_string()]), "Acme").comment_text, "Words Acme here.");
    }

    #[test]
    fn the_first_and_last_sentence_give_the_same_fields() {
        // Paragraphs with a class of their own; the last one mentions another
        // member by a profile link.
        let posts: Vec<String> = ["ann", "bo", "cy"]
            .iter()
            .enumerate()
            .map(|(i, w)| {
                post(
                    i as u32 + 1,
                    w,
                    &format!("2024-06-0{} 10:00", i + 1),
                    "",
                    &format!("<div class=\"para\">Start{i} words.</div><div class=\"para\">Middle.</div><div class=\"para\">End{i} words, ask <a href=\"/members/zed.9/\">@zed</a>.</div>"),
                )
            })
            .collect();
        let first = run(&page(&posts), "Start1");
        let last = run(&page(&posts), "End1");
        assert_eq!(first.author_name.as_deref(), Some("bo"));
        assert_eq!((&first.author_name, &first.time, &first.permalink), (&last.author_name, &last.time, &last.permalink));
        assert_eq!(first.comment_text, last.comment_text);
    }

    #[test]
    fn a_value_identical_in_every_post_is_not_the_posts() {
        // Each post repeats the thread starter and the thread's time.
        let posts: Vec<String> = (1..=3)
            .map(|n| {
                format!("<div class=\"msg\"><div class=\"top\"><a class=\"author\" href=\"/members/ann.1/\">ann</a> <span class=\"date\">2024-01-01 10:00</span></div><div class=\"content\">Reply Acme{n}.</div></div>")
            })
            .collect();
        let ex = run(&page(&posts), "Acme2");
        assert_eq!(ex.author_name, None);
        assert_eq!(utc(&ex), None);
    }

    #[test]
    fn a_plain_text_name_at_the_same_place_in_every_post_is_the_author() {
        // Header row (name in bold, a rank, the post number and date) then
        // the body row, as old table forums lay posts out; no profile links.
        let rows: String = [("Sober", "Inventar"), ("Django8", "Stammgast"), ("horst.b.", "Hat sich gelöscht"), ("marantz-fan", "Inventar")]
            .iter()
            .enumerate()
            .map(|(i, (who, rank))| {
                format!(
                    "<tr><td class=\"td2\"><a name=\"{n}\"></a><div class=\"box\"><b>{who}</b><br><span>{rank}</span></div></td><td class=\"td2 actions\">#{n} erstellt: 2{n}. Apr 2004, <span class=\"time\">09:1{n}</span> <a href=\"#top\">top</a></td></tr><tr class=\"posting-row\"><td class=\"td2\"><div class=\"posting-text\">Post number {n} says Acme{n} is fine by me.</div></td></tr>",
                    n = i + 1
                )
            })
            .collect();
        let html = format!("<html><body><table>{rows}</table></body></html>");
        for (needle, who) in [("Acme2", "Django8"), ("Acme3", "horst.b."), ("Acme4", "marantz-fan")] {
            let ex = run(&html, needle);
            assert_eq!(ex.author_name.as_deref(), Some(who), "{needle}: {:?}", ex.method);
            assert!(ex.permalink.as_deref().is_some_and(|p| !p.ends_with("#top")), "{:?}", ex.permalink);
        }
    }

    #[test]
    fn a_label_repeated_in_every_post_or_a_single_post_is_no_author() {
        // "Guest" in every post is a label; a sentence-like line is not a name.
        let same: Vec<String> =
            (1..=3).map(|n| format!("<div class=\"msg\"><div class=\"top\"><b>Guest</b></div><div class=\"content\">Reply Acme{n} with enough words to be a sentence.</div></div>")).collect();
        assert_eq!(run(&page(&same), "Acme2").author_name, None);
        let sentences: Vec<String> = ["Thanks all!", "Is that so?", "Well, yes."]
            .iter()
            .enumerate()
            .map(|(i, t)| format!("<div class=\"msg\"><div class=\"top\"><b>{t}</b></div><div class=\"content\">Reply Acme{i} with enough words to be a sentence.</div></div>"))
            .collect();
        assert_eq!(run(&page(&sentences), "Acme1").author_name, None);
    }

    #[test]
    fn name_like_texts() {
        use super::super::fields::name_like;
        for (text, want) in [
            ("Sober", true),
            ("horst.b.", true),
            ("Tanja G", true),
            ("marantz-fan", true),
            ("Hat sich gelöscht.", false),
            ("2,474", false),
            ("12 posts", false),
            ("Re: the title", false),
            ("Thanks!", false),
            ("20. Apr 2004", false),
            ("Offline", false),
            ("one two three four five", false),
        ] {
            assert_eq!(name_like(text, 0, Some("de")), want, "{text}");
        }
    }
}
