//! The capture fidelity benchmark over `../shared/corpus/forums/`: real forum
//! threads with per-post ground truth (text, time, author, permalink), scored
//! as a manager sees it.
//!
//! Placement: each gold post is found in the page by its offsets. The gold
//! spans are offsets into the thread's `text` rendering; a text node belongs
//! to the post when its fingerprint lies inside the post's gold text *and*
//! its occurrence in the page (the k-th among equal ones, in document order)
//! maps to the post's span of `text` (the k-th there too; when the counts
//! differ, the occurrence nearest the same relative position, for nodes of
//! 12+ letters and digits only). So a quote of the post inside a later post
//! is never taken for it. Three mentions are captured per post: its first,
//! middle and last word, among its sentence-long nodes (12+ letters and
//! digits) when it has any, as a manager clicks a word in a sentence.
//!
//! Scoring, per field (a field is scored only where the gold has it):
//! - text: the gold text's letters+digits occur in the extracted text's, and
//!   the extracted text is at most 2x the gold length + 200 characters (so a
//!   whole thread or page does not count as a post);
//! - author: gold is a profile link (contains `/`, `?` or `.php`): the
//!   extracted profile URL equals it once both are resolved against the page
//!   and session ids (`sid`, `s`, `PHPSESSID`) dropped; gold is a name: the
//!   extracted name equals it (case and spacing ignored);
//! - time: the gold surface form is parsed with the same parser; with a clock
//!   time, ours is the same minute, or differs by whole quarter hours up to
//!   14 h when ours carries an explicit zone (the page printed local time);
//!   date only: ours falls on that day (±14 h for an explicit zone). Gold
//!   forms that do not parse are left out of the time score and counted;
//! - permalink (posts with one): equal once resolved and normalized as above,
//!   or, when gold is a bare fragment name, ours ends with `#` + it, or ours
//!   is the thread page with the anchor's post number as a query value
//!   (`?do=findComment&comment=158142` for `comment-158142`). Gold links
//!   that name no post are not scored (counted): an action link (the post's
//!   "quote" button) and the thread page itself without a fragment. Text
//!   scoring ignores character references shown as text (`&quot`), which
//!   the gold rendering of pages showing escaped HTML decoded once more.
//!
//! A field is *returned* when extraction found it with a confidence at or
//! above its threshold ([`Thresholds`]); otherwise it is *missing*, never
//! correct nor wrong. For the text this is the product's contract: a text
//! below `thresholds.text` is not claimed as the post ("clicked passage
//! only"). Precision = correct / returned; recall = correct / gold.
//!
//! Confidences are computed once per capture, so any thresholds can be scored
//! without extracting again: that makes leave-one-site-out cheap (for each
//! site, thresholds chosen on the other sites from [`GRID`], then applied to
//! it), which is the honest estimate for a site nobody tuned for.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use escucha_core::capture::fields::is_action_href;
use escucha_core::capture::json_ld::fingerprint;
use escucha_core::capture::time::{parse_text, CommentTime, Precision, Zone};
use escucha_core::capture::url::resolve_http;
use escucha_core::capture::{extract_scored, Confidence, Extraction, Thresholds};
use serde::Deserialize;

use crate::mention::{occurrences, words, Fingerprinted, PageText, Placement};
use crate::pages::PagesReport;
use crate::Doc;

/// The capture time used for the whole run (yearless dates and the like
/// resolve against it the same way for gold and ours).
pub const NOW_MS: i64 = 1_609_459_200_000; // 2021-01-01T00:00:00Z

/// The thresholds leave-one-site-out chooses from (per field).
pub const GRID: [f32; 21] =
    [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0];

/// The precision leave-one-site-out asks of each field before maximizing recall.
pub const TARGET_PRECISION: f64 = 0.98;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Text,
    Author,
    Time,
    Permalink,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Text, Field::Author, Field::Time, Field::Permalink];

    pub fn name(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::Author => "author",
            Field::Time => "time",
            Field::Permalink => "permalink",
        }
    }

    fn threshold(self, t: &Thresholds) -> f32 {
        match self {
            Field::Text => t.text,
            Field::Author => t.author,
            Field::Time => t.time,
            Field::Permalink => t.permalink,
        }
    }

    fn set(self, t: &mut Thresholds, v: f32) {
        match self {
            Field::Text => t.text = v,
            Field::Author => t.author = v,
            Field::Time => t.time = v,
            Field::Permalink => t.permalink = v,
        }
    }
}

/// One field of one capture: how sure extraction was, and how the value it
/// found scores if kept (`None`: it found nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    pub confidence: f32,
    pub found: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Correct,
    Wrong,
    Missing,
}

impl Judged {
    /// The rule [`Thresholds::apply`] follows (checked against it on every capture).
    pub fn outcome(&self, threshold: f32) -> Outcome {
        match self.found {
            Some(ok) if self.confidence > 0.0 && self.confidence >= threshold => {
                if ok {
                    Outcome::Correct
                } else {
                    Outcome::Wrong
                }
            }
            _ => Outcome::Missing,
        }
    }
}

/// One mention captured in one gold post.
#[derive(Debug, Clone)]
pub struct Capture {
    pub site: String,
    /// The adapter that recognised the platform, else `generic:<method>`;
    /// `(not located)` when the post could not be found in the page.
    pub platform: String,
    pub placement: Placement,
    /// Per [`Field::ALL`]; `None` where the gold has no such field (or a time
    /// that does not parse).
    pub fields: [Option<Judged>; 4],
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Tally {
    pub correct: u32,
    pub wrong: u32,
    pub missing: u32,
}

impl Tally {
    pub fn gold(&self) -> u32 {
        self.correct + self.wrong + self.missing
    }
    pub fn returned(&self) -> u32 {
        self.correct + self.wrong
    }
    /// Correct among returned; 1 when nothing was returned (nothing wrong).
    pub fn precision(&self) -> f64 {
        if self.returned() == 0 {
            1.0
        } else {
            self.correct as f64 / self.returned() as f64
        }
    }
    /// Correct among gold.
    pub fn recall(&self) -> f64 {
        if self.gold() == 0 {
            0.0
        } else {
            self.correct as f64 / self.gold() as f64
        }
    }
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Correct => self.correct += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Missing => self.missing += 1,
        }
    }
    fn merge(&mut self, o: &Tally) {
        self.correct += o.correct;
        self.wrong += o.wrong;
        self.missing += o.missing;
    }
}

/// Per field, in [`Field::ALL`] order.
pub type Tallies = [Tally; 4];

/// Score `captures` under thresholds `t`.
pub fn tally<'a>(captures: impl IntoIterator<Item = &'a Capture>, t: &Thresholds) -> Tallies {
    let mut out = Tallies::default();
    for c in captures {
        for (i, f) in Field::ALL.iter().enumerate() {
            if let Some(j) = c.fields[i] {
                out[i].add(j.outcome(f.threshold(t)));
            }
        }
    }
    out
}

/// Per field, the threshold from [`GRID`] with the highest recall among those
/// reaching [`TARGET_PRECISION`]; when none does, the highest precision.
/// Thresholds that return nothing are not candidates; ties go to the value
/// nearest [`Thresholds::DEFAULT`].
pub fn choose_thresholds<'a>(captures: impl IntoIterator<Item = &'a Capture> + Clone) -> Thresholds {
    let mut chosen = Thresholds::DEFAULT;
    for (i, f) in Field::ALL.iter().enumerate() {
        let default = f.threshold(&Thresholds::DEFAULT);
        let mut scored: Vec<(f32, Tally)> = GRID
            .iter()
            .map(|&g| {
                let mut t = Tally::default();
                for c in captures.clone() {
                    if let Some(j) = c.fields[i] {
                        t.add(j.outcome(g));
                    }
                }
                (g, t)
            })
            .filter(|(_, t)| t.returned() > 0)
            .collect();
        scored.sort_by(|a, b| (a.0 - default).abs().total_cmp(&(b.0 - default).abs()));
        let reaching = scored.iter().filter(|(_, t)| t.precision() >= TARGET_PRECISION);
        let best = reaching
            .fold(None::<&(f32, Tally)>, |best, x| match best {
                Some(b) if (b.1.recall(), b.1.precision()) >= (x.1.recall(), x.1.precision()) => Some(b),
                _ => Some(x),
            })
            .or_else(|| {
                scored.iter().fold(None, |best, x| match best {
                    Some(b) if (b.1.precision(), b.1.recall()) >= (x.1.precision(), x.1.recall()) => Some(b),
                    _ => Some(x),
                })
            });
        if let Some((g, _)) = best {
            f.set(&mut chosen, *g);
        }
    }
    chosen
}

/// Leave-one-site-out: each site scored with thresholds chosen on all others.
#[derive(Debug, Clone, Default)]
pub struct Loso {
    pub by_site: BTreeMap<String, (Thresholds, Tallies)>,
    pub total: Tallies,
}

pub fn leave_one_site_out(captures: &[Capture]) -> Loso {
    let mut loso = Loso::default();
    let sites: std::collections::BTreeSet<&str> = captures.iter().map(|c| c.site.as_str()).collect();
    for site in sites {
        let t = choose_thresholds(captures.iter().filter(|c| c.site != site));
        let scored = tally(captures.iter().filter(|c| c.site == site), &t);
        for (a, b) in loso.total.iter_mut().zip(&scored) {
            a.merge(b);
        }
        loso.by_site.insert(site.to_string(), (t, scored));
    }
    loso
}

/// Do the three placements in one post give the same value (after
/// [`Thresholds::DEFAULT`])?
#[derive(Debug, Default, Clone, Copy)]
pub struct Consistency {
    /// Posts captured at all three placements.
    pub posts: u32,
    /// Per [`Field::ALL`]: posts whose three captures agree on the field.
    pub agree: [u32; 4],
    /// Posts whose three captures agree on every field.
    pub all: u32,
}

impl Consistency {
    pub fn rate(&self, n: u32) -> f64 {
        if self.posts == 0 {
            0.0
        } else {
            n as f64 / self.posts as f64
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub threads: u32,
    pub posts: u32,
    /// Posts with at least one text node found inside their own body.
    pub located: u32,
    /// Of those, posts placed by the nearest relative position (the counts of
    /// equal text in page and rendering differed).
    pub located_by_position: u32,
    /// Posts whose longest matching text node lies outside the post (a quote
    /// of it elsewhere, say): where the old first-match placement went wrong.
    pub longest_match_elsewhere: u32,
    pub time_unscorable: u32,
    /// Gold permalinks that name no post (an action link, the thread page).
    pub permalink_unscorable: u32,
    pub captures: Vec<Capture>,
    pub consistency: Consistency,
    /// Examples of misses (at DEFAULT thresholds), for development.
    pub misses: Vec<String>,
}

#[derive(Deserialize)]
struct Span {
    surface_form: String,
    start: u32,
    end: u32,
}

#[derive(Deserialize)]
struct GoldPost {
    post_text: Option<Span>,
    datetime: Option<Span>,
    user: Option<Span>,
    post_link: Option<Span>,
}

#[derive(Deserialize)]
struct Thread {
    url: String,
    html: String,
    text: String,
    gold_standard_annotation: Vec<GoldPost>,
}

fn normalize_url(u: &str) -> String {
    let (main, frag) = match u.split_once('#') {
        Some((m, f)) => (m, Some(f)),
        None => (u, None),
    };
    let (path, query) = main.split_once('?').unwrap_or((main, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("");
            !kv.is_empty() && !matches!(k.to_ascii_lowercase().as_str(), "sid" | "s" | "phpsessid")
        })
        .collect();
    let mut out = path.trim_end_matches('/').to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn looks_like_link(gold: &str) -> bool {
    gold.contains('/') || gold.contains('?') || gold.contains(".php") || gold.starts_with("http")
}

fn score_author(e: &Extraction, gold: &str, base: &str) -> Option<bool> {
    let gold = gold.trim();
    if looks_like_link(gold) {
        let want = resolve_http(base, gold).map(|u| normalize_url(&u));
        e.author_url.as_ref().map(|u| Some(normalize_url(u)) == want)
    } else {
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        e.author_name.as_ref().map(|n| norm(n) == norm(gold) || (!fingerprint(gold).is_empty() && fingerprint(n) == fingerprint(gold)))
    }
}

fn score_permalink(e: &Extraction, gold: &str, base: &str) -> Option<bool> {
    let gold = gold.trim();
    let ours = e.permalink.as_ref()?;
    let want = resolve_http(base, gold).map(|u| normalize_url(&u));
    let bare = !gold.contains(['/', '#', '?', '.']);
    // A gold fragment ("#post123") names the post wherever the link's path points.
    let fragment = gold.strip_prefix('#').filter(|f| !f.is_empty()).or(bare.then_some(gold));
    Some(
        Some(normalize_url(ours)) == want || fragment.is_some_and(|f| ours.ends_with(&format!("#{f}")) || names_post_number(ours, f, base)),
    )
}

/// Whether `ours` is a link to the thread page itself that names the post a
/// gold anchor ("comment-158142") names, by its number as a query value
/// ("?do=findComment&comment=158142", the link a forum offers to share a
/// post): it opens that post as the anchor does.
fn names_post_number(ours: &str, anchor: &str, base: &str) -> bool {
    let number: String = anchor.chars().filter(char::is_ascii_digit).collect();
    if number.len() < 4 || !anchor.trim_start_matches(|c: char| !c.is_ascii_digit()).chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let main = ours.split('#').next().unwrap_or(ours);
    let (path, query) = main.split_once('?').unwrap_or((main, ""));
    let page_path = base.split(['#', '?']).next().unwrap_or(base);
    path.trim_end_matches('/') == page_path.trim_end_matches('/')
        && query.split('&').any(|kv| kv.split_once('=').is_some_and(|(_, v)| v == number))
}

fn time_ok(ours: &CommentTime, gold: &CommentTime) -> bool {
    const H: i64 = 3_600_000;
    let diff = ours.epoch_ms - gold.epoch_ms;
    let explicit = ours.zone == Zone::Explicit;
    if gold.precision >= Precision::Day {
        if explicit {
            (-14 * H..38 * H).contains(&diff)
        } else {
            (0..24 * H).contains(&diff)
        }
    } else if explicit {
        diff.abs() <= 14 * H && diff.rem_euclid(15 * 60_000) < 60_000
    } else {
        diff.abs() < 60_000
    }
}

pub fn site_of(url: &str) -> String {
    escucha_core::capture::url::host(url).unwrap_or_else(|| "?".into()).trim_start_matches("www.").to_string()
}

/// Occurrences of one fingerprint in the page and in the thread's text rendering.
type Occurrences = (Vec<usize>, Vec<usize>);

/// Where a gold post is in the page: its text nodes (indices into `page`), in
/// document order.
pub struct PostNodes {
    pub nodes: Vec<usize>,
    pub by_position: bool,
    /// The longest node whose fingerprint lies in the gold text, wherever it is.
    pub longest_match: Option<usize>,
}

/// Find the text nodes of the gold post spanning characters `start..end` of
/// the thread's text rendering `rendering` (see the module comment).
pub fn post_nodes<'p>(
    page: &'p PageText,
    rendering: &Fingerprinted,
    gold: &str,
    start: u32,
    end: u32,
    memo: &mut HashMap<&'p str, Occurrences>,
) -> PostNodes {
    let gfp = fingerprint(gold);
    let (ts, te) = rendering.range(start, end);
    let mut out = PostNodes { nodes: Vec::new(), by_position: false, longest_match: None };
    if gfp.chars().count() < 4 {
        return out;
    }
    for (i, c) in page.fps.iter().enumerate() {
        if c.chars().count() < 4 || !gfp.contains(c.as_str()) {
            continue;
        }
        let longer = match out.longest_match {
            Some(b) => c.len() > page.fps[b].len(),
            None => true,
        };
        if c.chars().count() >= 10 && longer {
            out.longest_match = Some(i);
        }
        let (in_page, in_text) = memo.entry(c.as_str()).or_insert_with(|| (occurrences(&page.all, c), occurrences(&rendering.fp, c)));
        let Ok(rank) = in_page.binary_search(&page.starts[i]) else { continue };
        let (at, by_position) = if in_page.len() == in_text.len() {
            (in_text[rank], false)
        } else if c.chars().count() < SENTENCE {
            // A short text ("Thanks!") is too common to place by position.
            continue;
        } else {
            let target = (page.starts[i] as f64 / page.all.len().max(1) as f64 * rendering.fp.len() as f64) as i64;
            match in_text.iter().min_by_key(|&&p| (p as i64 - target).abs()) {
                Some(&p) => (p, true),
                None => continue,
            }
        };
        if ts <= at && at + c.len() <= te {
            out.nodes.push(i);
            out.by_position |= by_position;
        }
    }
    // A manager clicks a word in a sentence: sentence-long nodes when the post
    // has any (a short one is likelier to be mistaken for another's).
    if out.nodes.iter().any(|&n| page.fps[n].chars().count() >= SENTENCE) {
        out.nodes.retain(|&n| page.fps[n].chars().count() >= SENTENCE);
    }
    out
}

/// Letters and digits that make a text node a sentence (for placing mentions).
const SENTENCE: usize = 12;

/// The value of each field a manager would see (after DEFAULT), to compare placements.
fn shown(ex: &Extraction, c: &Confidence) -> [Option<String>; 4] {
    let mut ex = ex.clone();
    Thresholds::DEFAULT.apply(&mut ex, c);
    let text_kept = Field::Text.threshold(&Thresholds::DEFAULT);
    [
        (c.text > 0.0 && c.text >= text_kept && !ex.comment_text.trim().is_empty()).then(|| ex.comment_text.clone()),
        (ex.author_name.is_some() || ex.author_url.is_some()).then(|| format!("{:?} {:?}", ex.author_name, ex.author_url)),
        ex.time.as_ref().map(|t| t.epoch_ms.to_string()),
        ex.permalink.clone(),
    ]
}

struct Gold<'a> {
    text: &'a str,
    author: Option<&'a str>,
    time: Option<CommentTime>,
    permalink: Option<&'a str>,
}

/// The fingerprint a text is scored by, without character references left
/// in the text as written ("&quot"): some pages show escaped HTML, which the
/// gold rendering decoded once more (the page shows `jpg&quot; class`, the
/// gold `jpg"; class`), and an entity name is not part of anyone's words.
fn text_fingerprint(text: &str) -> String {
    const ENTITIES: [&str; 6] = ["quot", "amp", "lt", "gt", "apos", "nbsp"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = match after.strip_prefix('#') {
            Some(num) => {
                let d = num.bytes().take_while(u8::is_ascii_digit).count();
                (d > 0).then_some(d + 1)
            }
            None => ENTITIES.iter().find(|e| after.starts_with(*e)).map(|e| e.len()),
        };
        rest = match name_len {
            Some(n) => after[n..].strip_prefix(';').unwrap_or(&after[n..]),
            None => after,
        };
    }
    out.push_str(rest);
    fingerprint(&out)
}

/// Whether a gold permalink names a post at all. Two gold forms do not: an
/// action link (quote, reply, report: the gold took the post's "quote"
/// button), and a link to the thread page itself without a fragment (the
/// gold gave the first post the thread's URL). Those are left out of the
/// permalink score and counted, as unparsable gold times are.
fn permalink_scorable(gold: &str, base: &str, page_urls: &[String]) -> bool {
    let gold = gold.trim();
    if is_action_href(gold) {
        return false;
    }
    match resolve_http(base, gold) {
        Some(u) if !u.contains('#') => !page_urls.contains(&normalize_url(&u)),
        _ => true,
    }
}

/// How each field of `ex` scores against the gold, whatever its confidence.
fn judge(ex: &Extraction, c: &Confidence, gold: &Gold, base: &str) -> [Option<Judged>; 4] {
    let gfp = text_fingerprint(gold.text);
    let efp = text_fingerprint(&ex.comment_text);
    let text_ok = efp.contains(&gfp) && efp.chars().count() <= 2 * gfp.chars().count() + 200;
    let text = Judged { confidence: c.text, found: (!ex.comment_text.trim().is_empty()).then_some(text_ok) };
    let author = gold.author.map(|g| Judged { confidence: c.author, found: score_author(ex, g, base) });
    let time = gold.time.as_ref().map(|g| Judged { confidence: c.time, found: ex.time.as_ref().map(|t| time_ok(t, g)) });
    let permalink = gold.permalink.map(|g| Judged { confidence: c.permalink, found: score_permalink(ex, g, base) });
    [Some(text), author, time, permalink]
}

/// Run over every `*.json` thread in `dir`.
pub fn run(dir: &Path) -> std::io::Result<Report> {
    let mut report = Report::default();
    let mut paths: Vec<_> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path)?;
        let thread: Thread = serde_json::from_str(&raw)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))?;
        report.threads += 1;
        let doc = Doc::parse(&thread.html, &thread.url);
        let page = doc.page();
        let base = page.base().to_string();
        let lang = page.lang.clone();
        let page_urls: Vec<String> =
            [Some(&page.url), page.canonical_url.as_ref()].into_iter().flatten().map(|u| normalize_url(u)).collect();
        let text = PageText::new(&doc);
        let rendering = Fingerprinted::new(&thread.text);
        let mut memo = HashMap::new();
        let site = site_of(&thread.url);
        for g in &thread.gold_standard_annotation {
            let Some(post) = g.post_text.as_ref() else { continue };
            report.posts += 1;
            let time = g.datetime.as_ref().and_then(|d| {
                let parsed = parse_text(&d.surface_form, NOW_MS, lang.as_deref()).filter(|t| t.zone != Zone::Relative);
                if parsed.is_none() {
                    report.time_unscorable += 1;
                }
                parsed
            });
            let gold = Gold {
                text: &post.surface_form,
                author: g.user.as_ref().map(|u| u.surface_form.as_str()),
                time,
                permalink: g.post_link.as_ref().map(|l| l.surface_form.as_str()).filter(|l| {
                    let scorable = permalink_scorable(l, &base, &page_urls);
                    report.permalink_unscorable += u32::from(!scorable);
                    scorable
                }),
            };
            let found = post_nodes(&text, &rendering, &post.surface_form, post.start, post.end, &mut memo);
            if found.longest_match.is_some_and(|l| !found.nodes.contains(&l)) {
                report.longest_match_elsewhere += 1;
            }
            // Every word of the post's nodes, in reading order.
            let post_words: Vec<(usize, (u32, u32))> =
                found.nodes.iter().flat_map(|&n| words(text.nodes[n].1).into_iter().map(move |w| (n, w.utf16))).collect();
            if post_words.is_empty() {
                // Not locatable: every gold field of every placement is missing.
                let missing = |present: bool| present.then_some(Judged { confidence: 0.0, found: None });
                for placement in Placement::ALL {
                    report.captures.push(Capture {
                        site: site.clone(),
                        platform: "(not located)".into(),
                        placement,
                        fields: [
                            missing(true),
                            missing(gold.author.is_some()),
                            missing(gold.time.is_some()),
                            missing(gold.permalink.is_some()),
                        ],
                    });
                }
                continue;
            }
            report.located += 1;
            report.located_by_position += found.by_position as u32;
            let mut seen: Vec<[Option<String>; 4]> = Vec::new();
            for placement in Placement::ALL {
                let (n, (s, e)) = placement.pick(&post_words).expect("words");
                let snapshot = doc.snapshot(text.nodes[n].0, s, e);
                let (ex, conf) = extract_scored(&snapshot, &page, NOW_MS);
                let fields = judge(&ex, &conf, &gold, &base);
                // The benchmark's keep rule must be the product's: score what
                // `Thresholds::apply` leaves and compare.
                let mut applied = ex.clone();
                Thresholds::DEFAULT.apply(&mut applied, &conf);
                let after = judge(&applied, &conf, &gold, &base);
                for (i, f) in Field::ALL.iter().enumerate().skip(1) {
                    let rule = fields[i].map(|j| j.outcome(f.threshold(&Thresholds::DEFAULT)));
                    let product = after[i].map(|j| if j.found.is_some() { j.outcome(0.0) } else { Outcome::Missing });
                    assert_eq!(rule, product, "{site}: the benchmark's keep rule differs from Thresholds::apply for {}", f.name());
                }
                for (i, f) in Field::ALL.iter().enumerate() {
                    if let Some(j) = fields[i] {
                        if j.outcome(f.threshold(&Thresholds::DEFAULT)) != Outcome::Correct && report.misses.len() < 6000 {
                            report.misses.push(miss(&site, *f, placement, &ex, &j, g));
                        }
                    }
                }
                seen.push(shown(&ex, &conf));
                let platform = ex.platform.clone().unwrap_or_else(|| format!("generic:{:?}", ex.method).to_lowercase());
                report.captures.push(Capture { site: site.clone(), platform, placement, fields });
            }
            report.consistency.posts += 1;
            let mut all = true;
            for i in 0..4 {
                let same = seen.iter().all(|v| v[i] == seen[0][i]);
                report.consistency.agree[i] += same as u32;
                all &= same;
            }
            report.consistency.all += all as u32;
        }
    }
    Ok(report)
}

fn miss(site: &str, f: Field, p: Placement, ex: &Extraction, j: &Judged, g: &GoldPost) -> String {
    let span = |s: &Option<Span>| s.as_ref().map(|s| s.surface_form.chars().take(100).collect::<String>());
    let (gold, ours) = match f {
        Field::Text => (span(&g.post_text), Some(ex.comment_text.chars().take(100).collect())),
        Field::Author => (span(&g.user), Some(format!("{:?} {:?}", ex.author_name, ex.author_url))),
        Field::Time => (span(&g.datetime), ex.time.as_ref().map(|t| format!("{:?} {}", t.original, t.utc))),
        Field::Permalink => (span(&g.post_link), ex.permalink.clone()),
    };
    format!(
        "{site}\t{}\t{p:?}\t{}\tconf={:.2}\tmethod={:?}\tgold={:?}\tours={:?}",
        f.name(),
        match j.found {
            Some(true) => "below-threshold",
            Some(false) => "wrong",
            None => "none",
        },
        j.confidence,
        ex.method,
        gold.unwrap_or_default(),
        ours.unwrap_or_default()
    )
}

/// Everything `make bench-capture` measures.
#[derive(Debug)]
pub struct Bench {
    pub forums: Report,
    pub loso: Loso,
    pub pages: PagesReport,
}

/// Run the whole benchmark over the corpus at `corpus` (`forums/`, `pages/`).
pub fn run_all(corpus: &Path) -> std::io::Result<Bench> {
    let forums = run(&corpus.join("forums"))?;
    let loso = leave_one_site_out(&forums.captures);
    let pages = crate::pages::run(&corpus.join("pages"))?;
    Ok(Bench { forums, loso, pages })
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", 100.0 * x)
}

impl Bench {
    pub fn in_sample(&self, t: &Thresholds) -> Tallies {
        tally(&self.forums.captures, t)
    }

    /// Every figure the guard holds, named `<set> <field> <measure>`; all are
    /// rates in [0, 1] where higher is better.
    pub fn figures(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        let default = self.in_sample(&Thresholds::DEFAULT);
        for (set, t) in [("default", &default), ("loso", &self.loso.total)] {
            for (i, f) in Field::ALL.iter().enumerate() {
                out.push((format!("{set} {} precision", f.name()), t[i].precision()));
                out.push((format!("{set} {} recall", f.name()), t[i].recall()));
            }
        }
        let c = &self.forums.consistency;
        for (i, f) in Field::ALL.iter().enumerate() {
            out.push((format!("consistency {}", f.name()), c.rate(c.agree[i])));
        }
        out.push(("consistency all".into(), c.rate(c.all)));
        for (set, p) in [("wcxb", &self.pages.wcxb), ("trafilatura", &self.pages.trafilatura)] {
            out.push((format!("{set} text ok"), p.ok_rate()));
            out.push((format!("{set} text ok among returned"), p.ok_among_returned()));
        }
        out
    }

    /// The per-field table: in-sample with DEFAULT, leave-one-site-out, KEEP_ALL.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let default = self.in_sample(&Thresholds::DEFAULT);
        let keep = self.in_sample(&Thresholds::KEEP_ALL);
        let loso = &self.loso.total;
        let _ = writeln!(
            s,
            "  {:9} {:>5} | {:^35} | {:^35} | {:^13}",
            "", "", "in-sample, Thresholds::DEFAULT", "leave-one-site-out (a new site)", "KEEP_ALL"
        );
        let _ = writeln!(
            s,
            "  {:9} {:>5} | {:>6} {:>6} {:>7} {:>5} {:>7} | {:>6} {:>6} {:>7} {:>5} {:>7} | {:>6} {:>6}",
            "field",
            "gold",
            "prec",
            "recall",
            "correct",
            "wrong",
            "missing",
            "prec",
            "recall",
            "correct",
            "wrong",
            "missing",
            "prec",
            "recall"
        );
        for (i, f) in Field::ALL.iter().enumerate() {
            let (d, l, k) = (&default[i], &loso[i], &keep[i]);
            let _ = writeln!(
                s,
                "  {:9} {:>5} | {} {} {:>7} {:>5} {:>7} | {} {} {:>7} {:>5} {:>7} | {} {}",
                f.name(),
                d.gold(),
                pct(d.precision()),
                pct(d.recall()),
                d.correct,
                d.wrong,
                d.missing,
                pct(l.precision()),
                pct(l.recall()),
                l.correct,
                l.wrong,
                l.missing,
                pct(k.precision()),
                pct(k.recall())
            );
        }
        let c = &self.forums.consistency;
        let _ = writeln!(
            s,
            "  same value at first, middle and last word (DEFAULT), over {} posts: text {}, author {}, time {}, permalink {}, all four {}",
            c.posts,
            pct(c.rate(c.agree[0])),
            pct(c.rate(c.agree[1])),
            pct(c.rate(c.agree[2])),
            pct(c.rate(c.agree[3])),
            pct(c.rate(c.all))
        );
        for (name, p, inside, whole) in [
            ("WCXB", &self.pages.wcxb, "within the thread text", "at most half the thread"),
            ("trafilatura", &self.pages.trafilatura, "containing the snippet", "at most half the page"),
        ] {
            let _ = writeln!(
                s,
                "  {name}: {} pages ({} without a usable mention), {} mentions{}: text returned {}, {inside} {}, {whole} {}, both {} = {} of mentions, {} of returned; author returned {}, time returned {}",
                p.pages,
                p.pages_unused,
                p.mentions,
                if p.snippets_not_found > 0 { format!(" ({} snippets not found in the page)", p.snippets_not_found) } else { String::new() },
                p.returned,
                p.contained,
                p.not_whole,
                p.ok,
                pct(p.ok_rate()).trim(),
                pct(p.ok_among_returned()).trim(),
                p.author_returned,
                p.time_returned
            );
        }
        s
    }

    pub fn print(&self) {
        let r = &self.forums;
        let sites: std::collections::BTreeSet<&str> = r.captures.iter().map(|c| c.site.as_str()).collect();
        println!(
            "capture fidelity over {} threads from {} sites: {} gold posts, {} located in their own body ({} of them by relative position), {} not located",
            r.threads,
            sites.len(),
            r.posts,
            r.located,
            r.located_by_position,
            r.posts - r.located
        );
        println!(
            "  3 mentions per post (its first, middle and last word) = {} captures; in {} posts the longest matching text node lies outside the post (a quote of it elsewhere, say)",
            r.captures.len(),
            r.longest_match_elsewhere
        );
        println!(
            "scoring (tests/corpus/src/fidelity.rs): text = gold letters+digits contained, at most 2x+200 long; author = same profile URL"
        );
        println!(
            "  (or name when gold has no link); time = same minute, or same day for date-only gold, allowing a whole-quarter-hour zone"
        );
        println!("  shift up to 14 h when ours has an explicit zone; permalink = same URL (session ids ignored).");
        println!("  precision = correct / returned; recall = correct / gold. A field not found, or found below its threshold, is missing,");
        println!("  never correct nor wrong (a text below its threshold is shown as the clicked passage only, not claimed as the post).");
        println!(
            "  {} gold times do not parse, and {} gold permalinks name no post (an action link such as \"quote\", or the thread page",
            r.time_unscorable, r.permalink_unscorable
        );
        println!("  itself without a fragment): neither is scored. Character references shown as text (\"&quot\") are not letters.");
        print!("{}", self.table());
        println!(
            "leave-one-site-out: each site is scored with thresholds chosen on the other {} sites only (per field, from {:.2}..{:.2} step 0.05:",
            sites.len().saturating_sub(1),
            GRID[0],
            GRID[GRID.len() - 1]
        );
        println!(
            "  the highest recall with precision >= {:.0}%, else the highest precision). It is the honest estimate for a site nobody tuned for;",
            100.0 * TARGET_PRECISION
        );
        println!("  in-sample figures are what the product's Thresholds::DEFAULT does on the sites it was developed on.");
        let mut chosen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (site, (t, _)) in &self.loso.by_site {
            chosen
                .entry(format!("text {:.2} author {:.2} time {:.2} permalink {:.2}", t.text, t.author, t.time, t.permalink))
                .or_default()
                .push(site);
        }
        for (t, s) in &chosen {
            println!("  thresholds {t}: chosen for {} held-out sites", s.len());
        }
        let cell = |t: &Tally| {
            if t.gold() == 0 {
                "    -    ".to_string()
            } else if t.returned() == 0 {
                format!("{:>4}/{:<4.0}", "-", 100.0 * t.recall())
            } else {
                format!("{:>4.0}/{:<4.0}", 100.0 * t.precision(), 100.0 * t.recall())
            }
        };
        let header = |what: &str| {
            println!(
                "{what} (precision/recall %, DEFAULT{}):",
                if what == "by site" { "; LOSO = leave-one-site-out on that site" } else { "" }
            );
            println!("  {:30} {:>5} {:^9} {:^9} {:^9} {:^9}", "", "caps", "text", "author", "time", "link");
        };
        header("by detected platform (adapter or generic method)");
        let mut platforms: BTreeMap<&str, Vec<&Capture>> = BTreeMap::new();
        for c in &r.captures {
            platforms.entry(c.platform.as_str()).or_default().push(c);
        }
        for (name, caps) in &platforms {
            let t = tally(caps.iter().copied(), &Thresholds::DEFAULT);
            println!("  {:30} {:>5} {} {} {} {}", name, caps.len(), cell(&t[0]), cell(&t[1]), cell(&t[2]), cell(&t[3]));
        }
        header("by site");
        for (site, (_, l)) in &self.loso.by_site {
            let caps: Vec<&Capture> = r.captures.iter().filter(|c| &c.site == site).collect();
            let t = tally(caps.iter().copied(), &Thresholds::DEFAULT);
            println!(
                "  {:30} {:>5} {} {} {} {}   LOSO {} {} {} {}",
                site,
                caps.len(),
                cell(&t[0]),
                cell(&t[1]),
                cell(&t[2]),
                cell(&t[3]),
                cell(&l[0]),
                cell(&l[1]),
                cell(&l[2]),
                cell(&l[3])
            );
        }
    }

    /// The guard's floor table as Rust, ready to paste into
    /// `tests/corpus/tests/fidelity_guard.rs`.
    pub fn floors_source(&self) -> String {
        let mut s = String::from("const MEASURED: &[(&str, f64)] = &[\n");
        for (name, v) in self.figures() {
            s.push_str(&format!("    ({name:?}, {:.4}),\n", (v * 10_000.0).floor() / 10_000.0));
        }
        s.push_str("];\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(site: &str, field: Field, confidence: f32, found: Option<bool>) -> Capture {
        let mut fields = [None; 4];
        fields[Field::ALL.iter().position(|f| *f == field).expect("field")] = Some(Judged { confidence, found });
        Capture { site: site.into(), platform: "p".into(), placement: Placement::Start, fields }
    }

    #[test]
    fn gold_quirks_are_neither_credited_nor_charged() {
        // Escaped HTML shown as text: the page shows `&quot`, the gold `"`.
        assert_eq!(text_fingerprint("a.jpg&quot; class=&#39;x&amp;y"), fingerprint("a.jpg\"; class='x&y"));
        // A literal ampersand stays text.
        assert_eq!(text_fingerprint("AT&T and B&Q"), "attandbq");
        let base = "https://f.example/t/1-title/";
        let page = [normalize_url(base)];
        for (gold, scorable) in [
            ("https://f.example/posting.php?mode=quote&f=2&p=10168", false),
            ("https://f.example/t/1-title/", false),
            ("t/1-title/", true), // resolves to /t/1-title/t/1-title/: another page, scored
            ("https://f.example/t/1-title/#post-12", true),
            ("#32554", true),
            ("comment-158142", true),
        ] {
            assert_eq!(permalink_scorable(gold, base, &page), scorable, "{gold}");
        }
        // A bare anchor: the same post by its number, on this thread page only.
        let ex = |permalink: &str| Extraction {
            comment_text: String::new(),
            truncated: false,
            original_length: 0,
            text_scope: Default::default(),
            author_name: None,
            author_url: None,
            time: None,
            permalink: Some(permalink.into()),
            platform: None,
            method: escucha_core::capture::Method::Block,
            page_url: base.into(),
            canonical_url: None,
            title: None,
            site_name: None,
            lang: None,
            quote: Default::default(),
            position: Default::default(),
        };
        for (ours, right) in [
            ("https://f.example/t/1-title/#comment-158142", true),
            ("https://f.example/t/1-title/?do=findComment&comment=158142", true),
            ("https://f.example/t/1-title/?do=findComment&comment=158143", false),
            ("https://f.example/t/2-other/?comment=158142", false),
            ("https://f.example/t/1-title/?page=1581420", false),
        ] {
            assert_eq!(score_permalink(&ex(ours), "comment-158142", base), Some(right), "{ours}");
        }
    }

    #[test]
    fn outcomes_follow_the_threshold() {
        let t = |confidence, found| Judged { confidence, found };
        assert_eq!(t(0.6, Some(true)).outcome(0.5), Outcome::Correct);
        assert_eq!(t(0.6, Some(false)).outcome(0.5), Outcome::Wrong);
        assert_eq!(t(0.4, Some(false)).outcome(0.5), Outcome::Missing);
        assert_eq!(t(0.5, Some(true)).outcome(0.5), Outcome::Correct);
        // Confidence 0 is "not found", even at threshold 0.
        assert_eq!(t(0.0, Some(true)).outcome(0.0), Outcome::Missing);
        assert_eq!(t(1.0, None).outcome(0.0), Outcome::Missing);
    }

    #[test]
    fn tallies_give_precision_over_returned_and_recall_over_gold() {
        let caps = [
            cap("a", Field::Author, 0.9, Some(true)),
            cap("a", Field::Author, 0.9, Some(false)),
            cap("a", Field::Author, 0.2, Some(false)),
            cap("a", Field::Author, 0.0, None),
        ];
        let t = tally(&caps, &Thresholds::DEFAULT)[1];
        assert_eq!((t.correct, t.wrong, t.missing), (1, 1, 2));
        assert_eq!((t.precision(), t.recall()), (0.5, 0.25));
        let all = tally(&caps, &Thresholds::KEEP_ALL)[1];
        assert_eq!((all.correct, all.wrong, all.missing), (1, 2, 1));
    }

    #[test]
    fn thresholds_maximize_recall_at_the_target_precision_else_precision() {
        // Wrong values at 0.3, right ones at 0.3 and 0.8: only a bar above 0.3
        // reaches 98 %; ties go to the value nearest DEFAULT (0.5).
        let mut caps = vec![cap("a", Field::Time, 0.3, Some(false)), cap("a", Field::Time, 0.3, Some(true))];
        caps.extend((0..10).map(|_| cap("a", Field::Time, 0.8, Some(true))));
        assert_eq!(choose_thresholds(&caps).time, 0.5);
        // Everything right: the lowest bar keeps most; 0.3 and below tie, nearest DEFAULT wins.
        let right: Vec<Capture> = [0.3, 0.8].iter().map(|&c| cap("a", Field::Time, c, Some(true))).collect();
        assert_eq!(choose_thresholds(&right).time, 0.3);
        // No bar reaches 98 %: the most precise one (0.85 keeps only the 0.9 value).
        let poor = [
            cap("a", Field::Author, 0.9, Some(true)),
            cap("a", Field::Author, 0.9, Some(false)),
            cap("a", Field::Author, 0.8, Some(false)),
        ];
        assert_eq!(choose_thresholds(&poor).author, 0.85);
    }

    #[test]
    fn each_site_is_scored_with_thresholds_chosen_without_it() {
        // Site b alone has wrong values at 0.4; site a's bar must not see them.
        let mut caps: Vec<Capture> = (0..5).map(|_| cap("a", Field::Permalink, 0.4, Some(true))).collect();
        caps.push(cap("b", Field::Permalink, 0.4, Some(false)));
        caps.push(cap("b", Field::Permalink, 0.9, Some(true)));
        let loso = leave_one_site_out(&caps);
        let (ta, a) = loso.by_site["a"];
        let (tb, b) = loso.by_site["b"];
        assert!(ta.permalink > 0.4, "chosen on b: {ta:?}");
        assert_eq!(a[3].missing, 5);
        assert!(tb.permalink <= 0.4, "chosen on a: {tb:?}");
        assert_eq!((b[3].correct, b[3].wrong), (1, 1));
        assert_eq!(loso.total[3].gold(), 7);
    }
}
