//! Reading author, time and permalink out of a comment root. Platform
//! adapters name the exact elements; these generic finders cover the rest:
//! schema.org and microformats properties first, then common class names,
//! then link and text shapes. A finder returns `None` rather than guess.

use std::sync::OnceLock;

use regex_lite::Regex;

use super::css::Selector;
use super::page::{collapse, PageInfo};
use super::snapshot::Snapshot;
use super::time::{parse_machine, parse_text, CommentTime};
use super::url::{resolve_http, without_fragment};

/// Where fields are looked for: the comment root minus nested comments,
/// quotes and (for author/time/permalink) the comment body.
pub struct Scope<'a> {
    pub s: &'a Snapshot,
    pub root: u32,
    pub body: Option<u32>,
    pub nested: &'a dyn Fn(u32) -> bool,
    pub page: &'a PageInfo,
    pub now_ms: i64,
}

impl Scope<'_> {
    fn lang(&self) -> Option<&str> {
        self.page.lang.as_deref()
    }

    /// Elements outside the body, nested comments and quotes, preorder.
    pub fn field_elements(&self) -> Vec<u32> {
        let s = self.s;
        s.descendants(self.root, |id| Some(id) == self.body.filter(|b| *b != self.root) || (self.nested)(id) || is_quote(s, id))
            .filter(|id| s.node(*id).is_element())
            .collect()
    }

    pub fn first_match(&self, selector: &str) -> Option<u32> {
        self.all_matches(selector).into_iter().next()
    }

    pub fn all_matches(&self, selector: &str) -> Vec<u32> {
        if selector.is_empty() {
            return Vec::new();
        }
        let sel = Selector::parse(selector);
        self.field_elements().into_iter().filter(|id| sel.matches(self.s, *id, Some(self.root))).collect()
    }

    pub fn resolve(&self, href: &str) -> Option<String> {
        resolve_http(self.page.base(), href)
    }
}

pub fn is_quote(s: &Snapshot, id: u32) -> bool {
    let n = s.node(id);
    // Some forums (XenForo 1, vBulletin 4) hold the post body itself in a
    // <blockquote class="messageText|postcontent">: that is not a quote.
    let bodyish = n.classes().any(|c| {
        let c = c.to_ascii_lowercase();
        ["message", "post", "content", "text", "body"].iter().any(|w| c.contains(w))
    });
    // Inline elements named "quote" are icons and buttons, not quoted posts.
    let block = !crate::page_text::INLINE_TAGS.contains(&n.tag());
    !bodyish && (n.tag() == "blockquote" || (block && n.classes().any(|c| c.to_ascii_lowercase().contains("quote"))))
}

/// Text of an element, whitespace collapsed, bounded.
pub fn element_text(s: &Snapshot, id: u32, max_bytes: usize) -> String {
    let mut out = String::new();
    for d in s.descendants(id, |_| false) {
        let n = s.node(d);
        if !n.is_element() {
            out.push_str(&n.text);
            out.push(' ');
            if out.len() > max_bytes * 2 {
                break;
            }
        }
    }
    let mut t = collapse(&out);
    if t.len() > max_bytes {
        t.truncate(super::snapshot::floor_char_boundary(&t, max_bytes));
    }
    t
}

// ---------------------------------------------------------------- author

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Author {
    pub name: Option<String>,
    pub url: Option<String>,
}

const AUTHOR_WORDS: &[&str] = &[
    "author",
    "username",
    "user-name",
    "user_name",
    "poster",
    "byline",
    "nickname",
    "membername",
    "member-name",
    "uname",
    "hnuser",
    "commenter",
    "creator",
    "display-name",
    "displayname",
    "message-name",
    "postername",
];
const NOT_AUTHOR_WORDS: &[&str] =
    &["avatar", "title", "signature", "text", "content", "date", "says", "info", "time", "badge", "rank", "stats"];

fn re_profile() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(/members?/|member\.php|/users?/|/u/|/profile|profile\.php|memberlist\.php\?mode=viewprofile|/people/|/author/|/by/|/@|showuser|action=profile|user\?id=|/usuarios?/|/benutzer/|/mitglied|/membre|/perfil|/member/|/user-|userid=|user_?profile|user_?info\.|userinfo\.)")
            .expect("profile regex")
    })
}

pub fn is_profile_href(href: &str) -> bool {
    !is_action_href(href) && re_profile().is_match(href)
}

/// What member stats count ("4 replies", "2.474 Beiträge").
const COUNTED: &[&str] = &[
    "replies",
    "reply",
    "threads",
    "thread",
    "posts",
    "post",
    "comments",
    "comment",
    "messages",
    "message",
    "points",
    "point",
    "likes",
    "reputation",
    "discussions",
    "answers",
    "beiträge",
    "beitrag",
    "antworten",
    "themen",
    "mensajes",
    "respuestas",
    "temas",
    "réponses",
    "sujets",
];

/// Labels that introduce the author of the post being answered.
const REPLY_LABELS: &[&str] =
    &["in reply to", "replying to", "reply to", "antwort auf", "en respuesta a", "respuesta a", "en réponse à", "répondre à"];

/// True if the text just before `id` (in its parent and grandparent) ends
/// with a reply label: "in reply to <a>ann</a>" names another post's author.
fn after_reply_label(s: &Snapshot, id: u32) -> bool {
    let mut cur = id;
    for _ in 0..2 {
        let Some(parent) = s.node(cur).parent else { return false };
        let mut before = String::new();
        for c in &s.node(parent).children {
            if *c == cur {
                break;
            }
            before.push_str(&element_text(s, *c, 200));
            before.push(' ');
        }
        let before = collapse(&before).to_lowercase();
        let tail = before.trim_end_matches([':', ' ']);
        if REPLY_LABELS.iter().any(|l| tail.ends_with(l)) {
            return true;
        }
        if !before.trim().is_empty() {
            return false;
        }
        cur = parent;
    }
    false
}

fn clean_name(raw: &str) -> Option<String> {
    let mut name = collapse(raw);
    for prefix in ["posted by ", "written by ", "geschrieben von ", "publicado por ", "by ", "von ", "por ", "par ", "de "] {
        if name.len() > prefix.len() && name.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            name = name[prefix.len()..].trim().to_string();
        }
    }
    for suffix in [" says:", " says", " said:", " dijo:", " dijo...", " dijo", " schrieb:", " a écrit :", " a écrit:", ":"] {
        if let Some(stripped) = name.strip_suffix(suffix) {
            name = stripped.trim().to_string();
        }
    }
    // Post counts, reputation and revision labels glued to a name ("2,474
    // ann", "ann 0", "4 revs, 4 users 71%") are not part of it.
    let mut words: Vec<&str> = name.split_whitespace().collect();
    // "ann 4 replies 1 threads New Member": a count followed by what it
    // counts starts the member's stats, not the name.
    if let Some(cut) = words.windows(2).position(|w| {
        w[0].chars().all(|c| c.is_ascii_digit() || ",.".contains(c))
            && COUNTED.contains(&w[1].trim_end_matches([',', ':']).to_lowercase().as_str())
    }) {
        words.truncate(cut);
    }
    let numeric = |w: &str| w.chars().all(|c| c.is_ascii_digit() || ",.%+-()".contains(c)) && w.chars().any(|c| c.is_ascii_digit());
    let label = |w: &str| {
        matches!(
            w.trim_end_matches(',').to_ascii_lowercase().as_str(),
            "rev" | "revs" | "user" | "users" | "posts" | "beiträge" | "mensajes"
        )
    };
    while words.first().is_some_and(|w| numeric(w) || label(w)) {
        words.remove(0);
    }
    while words.last().is_some_and(|w| numeric(w) || label(w)) {
        words.pop();
    }
    let name = words.join(" ");
    // An "in reply to X" label names the other post's author.
    let lower = name.to_lowercase();
    if REPLY_LABELS.iter().any(|l| lower.starts_with(l)) {
        return None;
    }
    let ok = !name.is_empty() && name.chars().count() <= 64 && name.chars().any(|c| c.is_alphanumeric());
    ok.then_some(name)
}

/// Member states and ranks that sit where names sit and vary between posts.
const STATUS_WORDS: &[&str] = &["online", "offline", "abwesend", "anwesend", "conectado", "desconectado", "en ligne", "hors ligne"];

/// A short text shaped like a member's name: one to four words, a letter,
/// no sentence or label punctuation, no bare number (a day, a year, a
/// count), not a date or a status.
/// (Plain-text author names, without a profile link, look like this.)
pub fn name_like(t: &str, now_ms: i64, lang: Option<&str>) -> bool {
    let t = t.trim();
    let chars = t.chars().count();
    let words: Vec<String> = t.split_whitespace().map(str::to_lowercase).collect();
    (2..=40).contains(&chars)
        && (1..=4).contains(&words.len())
        && t.chars().any(char::is_alphabetic)
        && !t.chars().any(|c| ":?!,;()[]{}|\"«»<>=+*#%/\\…".contains(c))
        && !(t.ends_with('.') && words.len() > 1)
        && !words.iter().any(|w| COUNTED.contains(&w.as_str()) || !w.chars().any(char::is_alphabetic))
        && !STATUS_WORDS.contains(&words.join(" ").as_str())
        && !REPLY_LABELS.iter().any(|l| words.join(" ").starts_with(l))
        && parse_text(t, now_ms, lang).is_none()
}

/// Name and profile link from an author element (the element itself, its
/// `name`/`p-name`/`fn` part, and the link in or around it).
pub fn author_from(scope: &Scope, id: u32) -> Author {
    let s = scope.s;
    let n = s.node(id);
    if after_reply_label(s, id) {
        return Author::default();
    }
    let name_sel = Selector::parse("[itemprop=name], .p-name, .fn, .username, .author-name, strong, b");
    let name_node = s.descendants(id, |_| false).skip(1).find(|d| name_sel.matches(s, *d, Some(id)));
    let name = n
        .attr("content")
        .filter(|_| n.attr("itemprop").is_some())
        .map(str::to_string)
        .or_else(|| name_node.and_then(|d| s.node(d).attr("content").map(str::to_string)))
        .or_else(|| name_node.map(|d| element_text(s, d, 256)))
        .or_else(|| Some(element_text(s, id, 256)))
        .and_then(|t| clean_name(&t))
        .filter(|t| parse_text(t, scope.now_ms, scope.lang()).is_none());
    let link = if n.tag() == "a" && n.attr("href").is_some() {
        Some(id)
    } else {
        let in_el: Vec<u32> =
            s.descendants(id, |_| false).filter(|d| s.node(*d).tag() == "a" && s.node(*d).attr("href").is_some()).collect();
        in_el
            .iter()
            .copied()
            .find(|d| is_profile_href(s.node(*d).attr("href").unwrap_or("")))
            .or_else(|| in_el.first().copied())
            .or_else(|| s.ancestors(id).take_while(|a| *a != scope.root).find(|a| s.node(*a).tag() == "a"))
    };
    let url = n
        .attr("href")
        .filter(|_| n.attr("itemprop") == Some("url"))
        .or_else(|| link.and_then(|l| s.node(l).attr("href")))
        .filter(|h| !is_action_href(h))
        .and_then(|h| scope.resolve(h));
    Author { name, url }
}

pub fn find_author(scope: &Scope) -> Author {
    find_author_at(scope).map(|(a, _)| a).unwrap_or_default()
}

/// The author and the element it was read from.
pub fn find_author_at(scope: &Scope) -> Option<(Author, u32)> {
    let s = scope.s;
    let elements = scope.field_elements();
    let by_selector = |sel: &str| {
        let sel = Selector::parse(sel);
        elements.iter().copied().filter(move |id| sel.matches(s, *id, Some(scope.root)))
    };
    let accept = |a: Author| if a.name.is_some() || a.url.is_some() { Some(a) } else { None };
    for sel in ["[itemprop=author], [itemprop=creator]", ".p-author, .h-card, .vcard", "a[rel~=author]"] {
        if let Some(hit) = by_selector(sel).find_map(|id| accept(author_from(scope, id)).map(|a| (a, id))) {
            return Some(hit);
        }
    }
    // Class or id naming an author, with a short text.
    for id in &elements {
        let n = s.node(*id);
        let marks = n
            .classes()
            .chain(n.attr("id"))
            .map(|c| c.to_ascii_lowercase())
            .any(|c| AUTHOR_WORDS.iter().any(|w| c.contains(w)) && !NOT_AUTHOR_WORDS.iter().any(|w| c.contains(w)));
        if !marks {
            continue;
        }
        let text_len = element_text(s, *id, 512).chars().count();
        let a = author_from(scope, *id);
        if text_len > 64 {
            // A whole "by X » date" line: only its profile link tells the name.
            if let Some(link) = s.descendants(*id, |_| false).find(|d| s.node(*d).attr("href").is_some_and(is_profile_href)) {
                if let Some(a) = accept(author_from(scope, link)) {
                    return Some((a, link));
                }
            }
            continue;
        }
        if let Some(a) = accept(a) {
            return Some((a, *id));
        }
    }
    // A link shaped like a profile with a name as its text.
    for id in &elements {
        let n = s.node(*id);
        if n.tag() == "a" && n.attr("href").is_some_and(is_profile_href) {
            let a = author_from(scope, *id);
            if a.name.is_some() {
                return Some((a, *id));
            }
        }
    }
    // A link whose address carries its own text: profile addresses embed
    // the member's name ("/flyingngel", "/u/ann-b").
    for id in &elements {
        let n = s.node(*id);
        let Some(href) = n.attr("href").filter(|h| !is_action_href(h) && !h.starts_with('#')) else { continue };
        let text = element_text(s, *id, 80);
        let slug: String = text.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
        let path: String =
            href.split(['?', '#']).next().unwrap_or("").to_lowercase().chars().filter(|c| c.is_alphanumeric() || *c == '/').collect();
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if n.tag() == "a" && slug.chars().count() >= 3 && !text.contains(char::is_whitespace) && last == slug {
            let a = author_from(scope, *id);
            if a.name.is_some() {
                return Some((a, *id));
            }
        }
    }
    None
}

// ---------------------------------------------------------------- time

const TIME_ATTRS: &[&str] =
    &["data-time", "data-timestamp", "data-utime", "data-unix", "data-datetime", "data-date", "ts", "created-timestamp", "data-created"];
const DATE_WORDS: &[&str] = &["date", "time", "posted", "timestamp", "datum", "fecha", "zeit", "published", "created", "ago"];
const NOT_DATE_PHRASES: &[&str] = &[
    "joined",
    "regist",
    "member since",
    "inscri",
    "mitglied seit",
    "dabei seit",
    "beigetreten",
    "miembro desde",
    "last seen",
    "zuletzt",
    "edited",
    "bearbeitet",
    "editado",
    "modifi",
    "last active",
    "membre depuis",
];

/// True if a "Registered"/"Joined"/"Member since" label sits with the
/// element: in its own text, or in an enclosing line short enough to be just
/// the label and the date (a longer block may hold the post's own date too).
pub fn labelled_not_post_time(s: &Snapshot, id: u32, root: u32) -> bool {
    std::iter::once(id).chain(s.ancestors(id).take_while(|a| *a != root).take(2)).enumerate().any(|(i, a)| {
        let text = element_text(s, a, 240).to_lowercase();
        (i == 0 || text.chars().count() <= 60) && NOT_DATE_PHRASES.iter().any(|p| text.contains(p))
    })
}

fn is_profile_block(s: &Snapshot, id: u32, root: u32) -> bool {
    std::iter::once(id).chain(s.ancestors(id).take_while(|a| *a != root)).any(|a| {
        s.node(a).classes().any(|c| {
            let c = c.to_ascii_lowercase();
            [
                "profile",
                "userinfo",
                "user-info",
                "user_info",
                "author-info",
                "signature",
                "userdetails",
                "user-details",
                "postdetails",
                "extra",
                "userstats",
                "user-stats",
                "edit",
            ]
            .iter()
            .any(|w| c.contains(w))
        })
    })
}

/// A time from one element: machine attributes first, then its title, then its text.
pub fn time_from(scope: &Scope, id: u32) -> Option<CommentTime> {
    let s = scope.s;
    let n = s.node(id);
    let text = element_text(s, id, 200);
    let lang = scope.lang();
    for attr in ["datetime", "content"] {
        if let Some(v) = n.attr(attr) {
            if let Some(t) = parse_machine(v, &text, scope.now_ms) {
                return Some(t);
            }
        }
    }
    for attr in TIME_ATTRS {
        if let Some(v) = n.attr(attr) {
            if let Some(t) = parse_machine(v, &text, scope.now_ms).or_else(|| parse_text(v, scope.now_ms, lang)) {
                return Some(t);
            }
        }
    }
    if let Some(title) = n.attr("title") {
        if let Some(mut t) = parse_machine(title, &text, scope.now_ms).or_else(|| parse_text(title, scope.now_ms, lang)) {
            if !text.is_empty() {
                t.original = text.clone();
            }
            return Some(t);
        }
    }
    parse_text(&text, scope.now_ms, lang)
}

pub fn find_time(scope: &Scope) -> Option<(CommentTime, u32)> {
    let s = scope.s;
    let elements = scope.field_elements();
    let usable = |id: &u32| !is_profile_block(s, *id, scope.root) && !labelled_not_post_time(s, *id, scope.root);
    let try_sel = |sel: &str| -> Option<(CommentTime, u32)> {
        let sel = Selector::parse(sel);
        elements
            .iter()
            .filter(|id| usable(id) && sel.matches(s, **id, Some(scope.root)))
            .find_map(|id| time_from(scope, *id).map(|t| (t, *id)))
    };
    let machine = "time[datetime], [itemprop=dateCreated], [itemprop=datePublished], [itemprop=commentTime], [itemprop=uploadDate], .dt-published, .published";
    if let Some(hit) = try_sel(machine) {
        return Some(hit);
    }
    for id in elements.iter().filter(|id| usable(id)) {
        let n = s.node(*id);
        if TIME_ATTRS.iter().any(|a| n.attr(a).is_some_and(|v| super::time::parse_epoch(v).is_some() || v.contains('-'))) {
            if let Some(t) = time_from(scope, *id) {
                return Some((t, *id));
            }
        }
    }
    // Elements whose class or id names a date.
    for id in elements.iter().filter(|id| usable(id)) {
        let n = s.node(*id);
        let named = n.classes().chain(n.attr("id")).any(|c| {
            let c = c.to_ascii_lowercase();
            DATE_WORDS.iter().any(|w| c.contains(w)) && !c.contains("update") && !c.contains("edit")
        });
        if named && element_text(s, *id, 400).len() <= 200 {
            if let Some(t) = time_from(scope, *id) {
                return Some((t, *id));
            }
        }
    }
    // Short texts that read as a date, outside profile blocks.
    for id in s.descendants(scope.root, |id| Some(id) == scope.body.filter(|b| *b != scope.root) || (scope.nested)(id) || is_quote(s, id)) {
        let n = s.node(id);
        if n.is_element() || n.text.trim().is_empty() || n.text.len() > 160 {
            continue;
        }
        let parent = n.parent.unwrap_or(id);
        if is_profile_block(s, parent, scope.root) || labelled_not_post_time(s, parent, scope.root) {
            continue;
        }
        let lower = n.text.to_lowercase();
        if NOT_DATE_PHRASES.iter().any(|p| lower.contains(p)) {
            continue;
        }
        // The date and the clock may sit in sibling nodes: read the parent's text when short.
        let parent_text = element_text(s, parent, 400);
        let candidate = if parent_text.len() <= 200 { parent_text } else { n.text.clone() };
        if let Some(t) = parse_text(&candidate, scope.now_ms, scope.lang()).or_else(|| parse_text(&n.text, scope.now_ms, scope.lang())) {
            return Some((t, parent));
        }
    }
    None
}

// ---------------------------------------------------------------- permalink

fn re_post_href() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)([#?&/](p|post|posts|post-|post_|postid|pid|comment|comments|comment-|comment_|msg|entry|reply|c|findpost|answer|a|item\?id|showcomment)[=/_-]?\d+|showpost\.php|/post/[\w-]+|/comment/[\w-]+|/comments/[\w]+/[^/]+/[\w]+|#c\d+|showComment=|lc=)")
            .expect("post href regex")
    })
}

fn re_action() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)(mode=(quote|reply|edit|delete|report)|posting\.php|newreply|do=(quote|edit|report|delete|like|vote)|/(quote|reply|edit|report|delete|like|vote|react|bookmark|share-to|login|register)\b|(action|act)=(reply|quote|edit|delete|report|like|vote|login|register)|replytocom=|/report/|^mailto:|^javascript:|#(top|bottom|oben|unten|arriba|haut|content|main)$|(^|/)[\w-]*(report|quote|reply|edit|delete|vote|like|flag|bookmark|subscribe|login|register)[\w-]*\.(php|aspx?|pl|cgi|jsp)\b)")
            .expect("action regex")
    })
}

pub fn is_action_href(href: &str) -> bool {
    re_action().is_match(href.trim())
}

fn re_page() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?i)([?&](page|pageno|pagenum|pagenumber|pg|start|offset)=\d+|/page[-/]?\d+/?)(&[^#]*)?$").expect("page regex")
    })
}

/// A link to a page of the thread ("?pageNo=2", "/page-3") without a
/// fragment naming a post: pagination, not any post's permalink.
pub fn is_page_href(href: &str) -> bool {
    let href = href.trim();
    !href.contains('#') && re_page().is_match(href)
}

fn digits_of(s: &str, min_len: usize) -> Option<String> {
    s.split(|c: char| !c.is_ascii_digit()).filter(|d| d.len() >= min_len).max_by_key(|d| d.len()).map(str::to_string)
}

/// The comment's own number, from its root's id or data attributes.
pub fn root_number(s: &Snapshot, root: u32) -> Option<String> {
    let n = s.node(root);
    ["id", "data-post-id", "data-content", "data-id", "data-comment-id", "data-fullname", "thingid", "data-answerid"]
        .iter()
        .filter_map(|a| n.attr(a))
        .find_map(|v| digits_of(v, 2))
}

pub fn find_permalink(scope: &Scope, time_el: Option<u32>) -> Option<String> {
    find_permalink_at(scope, time_el).map(|(u, _)| u)
}

/// The permalink and the link element it was read from.
pub fn find_permalink_at(scope: &Scope, time_el: Option<u32>) -> Option<(String, u32)> {
    let s = scope.s;
    let root = scope.root;
    let href_of = |id: u32| s.node(id).attr("href").filter(|h| !is_action_href(h) && !is_page_href(h) && !h.trim().is_empty());
    // 1. The link around (or inside) the time: forums link the date to the post.
    if let Some(t) = time_el {
        let around = std::iter::once(t).chain(s.ancestors(t).take_while(|a| *a != root)).find(|a| s.node(*a).tag() == "a");
        let inside = s.descendants(t, |_| false).find(|d| s.node(*d).tag() == "a");
        if let Some(link) = around.or(inside) {
            if let Some(url) = href_of(link).and_then(|h| scope.resolve(h)) {
                if !is_profile_href(&url) && (without_fragment(&url) != without_fragment(scope.page.base()) || url.contains('#')) {
                    return Some((url, link));
                }
            }
        }
    }
    let elements = scope.field_elements();
    // 2. Declared permalinks.
    let declared = Selector::parse(
        "a[rel~=bookmark], a[itemprop=url], link[itemprop=url], a.u-url, a.permalink, a[title*=ermalink], a[title*=ermalien], a[class*=permalink], a[class*=postlink], a[class*=post-link], a[class*=postcounter], a[class*=share-link], a[data-permalink]",
    );
    for id in &elements {
        let n = s.node(*id);
        if !declared.matches(s, *id, Some(root))
            || s.ancestors(*id).take_while(|a| *a != root).any(|a| s.node(a).classes().any(|c| c == "h-card" || c == "p-author"))
        {
            continue;
        }
        if let Some(url) = href_of(*id).and_then(|h| scope.resolve(h)) {
            if !is_profile_href(&url) {
                return Some((url, *id));
            }
        }
        let _ = n;
    }
    // 3. Links shaped like a post link; prefer one naming this comment's number.
    let number = root_number(s, root);
    let candidates: Vec<(&str, u32)> = elements
        .iter()
        .filter_map(|id| href_of(*id).map(|h| (h, *id)))
        .filter(|(h, _)| re_post_href().is_match(h) && !is_profile_href(h))
        .take(32)
        .collect();
    let pick = number.as_deref().and_then(|num| candidates.iter().find(|(h, _)| h.contains(num))).or_else(|| {
        if number.is_none() {
            candidates.first()
        } else {
            None
        }
    });
    pick.and_then(|(h, id)| scope.resolve(h).map(|u| (u, *id)))
}

/// The comment's own anchor as a link (`page#id`): the root's id or a named
/// anchor carrying the post's number. Last resort, after JSON-LD.
pub fn anchor_permalink(scope: &Scope) -> Option<String> {
    let s = scope.s;
    let root = scope.root;
    let elements = scope.field_elements();
    // Post numbers are database ids with several digits; a root id with a
    // short number ("message10") is more likely the post's position on this
    // page, used only when no named anchor carries a real id.
    let number = root_number(s, root).filter(|n| n.len() >= 4);
    // An empty named anchor just before the post ("<a name=N></a><div
    // class=post>") is the anchor the page declares for it.
    let before = s.node(root).parent.and_then(|p| {
        let kids = &s.node(p).children;
        let i = kids.iter().position(|k| *k == root)?;
        kids[..i].iter().rev().find(|k| s.node(**k).is_element() || !s.node(**k).text.trim().is_empty()).copied()
    });
    if let Some(a) = before.filter(|a| s.node(*a).tag() == "a" && s.node(*a).attr("href").is_none()) {
        let n = s.node(a);
        if let Some(name) = n.attr("name").or_else(|| n.attr("id")).filter(|v| v.len() <= 40) {
            if digits_of(name, 4).is_some_and(|d| number.as_deref().is_none_or(|want| want == d)) {
                return scope.resolve(&format!("{}#{name}", without_fragment(&scope.page.url)));
            }
        }
    }
    let anchors = elements.iter().copied().filter(|id| s.node(*id).tag() == "a");
    let order: Vec<(u32, usize)> = if number.is_some() {
        [(root, 4)].into_iter().chain(anchors.map(|a| (a, 2))).collect()
    } else {
        anchors
            .map(|a| (a, 4))
            .chain([(root, 2)])
            .chain(elements.iter().copied().filter(|id| s.node(*id).tag() == "a").map(|a| (a, 2)))
            .chain([(root, 1)])
            // A named anchor without a link ("<a name=7>") is a declared
            // target even when it is only the post's position.
            .chain(elements.iter().copied().filter(|id| s.node(*id).tag() == "a" && s.node(*id).attr("href").is_none()).map(|a| (a, 1)))
            .collect()
    };
    let anchor_name = order.into_iter().find_map(|(id, min_digits)| {
        let n = s.node(id);
        let name = if id == root { n.attr("id") } else { n.attr("name").or_else(|| n.attr("id")) }?;
        let num = digits_of(name, min_digits)?;
        (number.as_deref().is_none_or(|want| want == num) && name.len() <= 40).then(|| name.to_string())
    });
    anchor_name.and_then(|name| scope.resolve(&format!("{}#{name}", without_fragment(&scope.page.url))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_that_name_no_post() {
        // (href, an action, a page of the thread)
        for (href, action, page) in [
            ("post_report.asp?id=7", true, false),
            ("/forum/editpost.php?p=7", true, false),
            ("/t/1/?do=reportComment&comment=158142", true, false),
            ("/index.php?act=vote&id=3", true, false),
            ("/posts/7/like", true, false),
            ("/t/1/?pageNo=2", false, true),
            ("/threads/slug.123/page-3", false, true),
            ("showthread.php?t=5&page=2", false, true),
            ("viewtopic.php?t=5&start=20#p123", false, false),
            ("/threads/how-to-delete-files.123/post-456", false, false),
            ("/credit-immobilier-t2720.html#p10168", false, false),
            ("/t/1/?do=findComment&comment=158142", false, false),
            ("viewtopic.php?p=10168", false, false),
        ] {
            assert_eq!((is_action_href(href), is_page_href(href)), (action, page), "{href}");
        }
    }
}
