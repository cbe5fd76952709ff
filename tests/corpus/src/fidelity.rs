//! The capture fidelity benchmark over `../shared/corpus/forums/`: real forum
//! threads with per-post ground truth (text, time, author, permalink).
//!
//! For every gold post we locate the post in the parsed page (the longest
//! text node whose letters and digits all occur in the gold post text), take
//! a word in it as the mention, capture, and score each field:
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
//!   or, when gold is a bare fragment name, ours ends with `#` + it.
//! A field we leave empty (None) is never correct.

use std::collections::BTreeMap;
use std::path::Path;

use escucha_core::capture::json_ld::fingerprint;
use escucha_core::capture::time::{parse_text, CommentTime, Precision, Zone};
use escucha_core::capture::url::resolve_http;
use escucha_core::capture::Extraction;
use serde::Deserialize;

use crate::Doc;

/// The capture time used for the whole run (yearless dates and the like
/// resolve against it the same way for gold and ours).
pub const NOW_MS: i64 = 1_609_459_200_000; // 2021-01-01T00:00:00Z

#[derive(Deserialize)]
struct Span {
    surface_form: String,
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
    gold_standard_annotation: Vec<GoldPost>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Score {
    pub correct: u32,
    /// We returned None.
    pub missing: u32,
    /// We returned something else.
    pub wrong: u32,
}

impl Score {
    pub fn total(&self) -> u32 {
        self.correct + self.missing + self.wrong
    }
    pub fn accuracy(&self) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            self.correct as f64 / self.total() as f64
        }
    }
    fn add(&mut self, outcome: Option<bool>) {
        match outcome {
            Some(true) => self.correct += 1,
            Some(false) => self.wrong += 1,
            None => self.missing += 1,
        }
    }
    fn merge(&mut self, o: &Score) {
        self.correct += o.correct;
        self.missing += o.missing;
        self.wrong += o.wrong;
    }
}

#[derive(Debug, Default, Clone)]
pub struct Fields {
    pub posts: u32,
    pub located: u32,
    pub text: Score,
    pub author: Score,
    pub time: Score,
    pub time_unscorable: u32,
    pub permalink: Score,
}

impl Fields {
    fn merge(&mut self, o: &Fields) {
        self.posts += o.posts;
        self.located += o.located;
        self.text.merge(&o.text);
        self.author.merge(&o.author);
        self.time.merge(&o.time);
        self.time_unscorable += o.time_unscorable;
        self.permalink.merge(&o.permalink);
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub total: Fields,
    pub by_site: BTreeMap<String, Fields>,
    pub by_platform: BTreeMap<String, Fields>,
    pub files: u32,
    /// Examples of misses, for development.
    pub misses: Vec<String>,
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
    Some(Some(normalize_url(ours)) == want || fragment.is_some_and(|f| ours.ends_with(&format!("#{f}"))))
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

fn site_of(url: &str) -> String {
    escucha_core::capture::url::host(url).unwrap_or_else(|| "?".into()).trim_start_matches("www.").to_string()
}

/// Pick the mention for a gold post: a word in the longest text node wholly
/// inside the post's text. `None` if the post cannot be found in the page.
pub fn locate(nodes: &[(ego_tree::NodeId, &str, String)], gold_text: &str) -> Option<(ego_tree::NodeId, u32, u32)> {
    let gfp = fingerprint(gold_text);
    if gfp.chars().count() < 4 {
        return None;
    }
    let mut best: Option<&(ego_tree::NodeId, &str, String)> = None;
    for n in nodes {
        if n.2.chars().count() >= 10 && gfp.contains(&n.2) && best.map_or(true, |b| n.2.len() > b.2.len()) {
            best = Some(n);
        }
    }
    let (id, text, _) = best?;
    // The first word of 4+ letters, else the first word.
    let mut pick = None;
    let mut offset = 0usize;
    for word in text.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let w = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        if w.chars().count() >= 4 || (pick.is_none() && !w.is_empty()) {
            let start = text[..offset].encode_utf16().count() as u32;
            pick = Some((start, start + w.encode_utf16().count() as u32));
            if w.chars().count() >= 4 {
                break;
            }
        }
        offset += word.len();
    }
    let (s, e) = pick?;
    Some((*id, s, e))
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
        report.files += 1;
        let doc = Doc::parse(&thread.html, &thread.url);
        let page = doc.page();
        let base = page.base().to_string();
        let lang = page.lang.clone();
        let nodes: Vec<(ego_tree::NodeId, &str, String)> = doc.text_nodes().into_iter().map(|(id, t)| (id, t, fingerprint(t))).collect();
        let site = site_of(&thread.url);
        let mut site_fields = Fields::default();
        for gold in &thread.gold_standard_annotation {
            let Some(text) = gold.post_text.as_ref() else { continue };
            let mut f = Fields { posts: 1, ..Default::default() };
            let Some((node, s, e)) = locate(&nodes, &text.surface_form) else {
                // Not locatable: every field counts as missing.
                f.text.add(None);
                if gold.user.is_some() {
                    f.author.add(None);
                }
                if gold.datetime.is_some() {
                    f.time.add(None);
                }
                if gold.post_link.is_some() {
                    f.permalink.add(None);
                }
                site_fields.merge(&f);
                report.by_platform.entry("(not located)".into()).or_default().merge(&f);
                continue;
            };
            f.located = 1;
            let ex = doc.capture(node, s, e, NOW_MS);
            let gfp = fingerprint(&text.surface_form);
            let efp = fingerprint(&ex.comment_text);
            let text_ok = efp.contains(&gfp) && efp.chars().count() <= 2 * gfp.chars().count() + 200;
            f.text.add(if ex.comment_text.trim().is_empty() { None } else { Some(text_ok) });
            if let Some(u) = &gold.user {
                let r = score_author(&ex, &u.surface_form, &base);
                if r != Some(true) && report.misses.len() < 4000 {
                    report
                        .misses
                        .push(format!("{site}\tauthor\tgold={:?}\tname={:?}\turl={:?}", u.surface_form, ex.author_name, ex.author_url));
                }
                f.author.add(r);
            }
            if let Some(d) = &gold.datetime {
                match parse_text(&d.surface_form, NOW_MS, lang.as_deref()).filter(|g| g.zone != Zone::Relative) {
                    None => f.time_unscorable += 1,
                    Some(g) => {
                        let r = ex.time.as_ref().map(|t| time_ok(t, &g));
                        if r != Some(true) && report.misses.len() < 4000 {
                            report.misses.push(format!(
                                "{site}\ttime\tgold={:?}\tours={:?}",
                                d.surface_form,
                                ex.time.as_ref().map(|t| (&t.original, &t.utc))
                            ));
                        }
                        f.time.add(r);
                    }
                }
            }
            if let Some(l) = &gold.post_link {
                let r = score_permalink(&ex, &l.surface_form, &base);
                if r != Some(true) && report.misses.len() < 4000 {
                    report.misses.push(format!("{site}\tlink\tgold={:?}\tours={:?}", l.surface_form, ex.permalink));
                }
                f.permalink.add(r);
            }
            if !text_ok && report.misses.len() < 4000 {
                let head: String = ex.comment_text.chars().take(100).collect();
                report.misses.push(format!(
                    "{site}\ttext\tgold_len={}\tours_len={}\tmethod={:?}\tours={head:?}",
                    gfp.len(),
                    efp.len(),
                    ex.method
                ));
            }
            let platform = ex.platform.clone().unwrap_or_else(|| format!("generic:{:?}", ex.method).to_lowercase());
            report.by_platform.entry(platform).or_default().merge(&f);
            site_fields.merge(&f);
        }
        report.by_site.entry(site).or_default().merge(&site_fields);
        report.total.merge(&site_fields);
    }
    Ok(report)
}

fn pct(s: &Score) -> String {
    format!("{:5.1}% ({}/{}, {} none, {} wrong)", 100.0 * s.accuracy(), s.correct, s.total(), s.missing, s.wrong)
}

impl Report {
    pub fn print(&self) {
        println!(
            "capture fidelity over {} threads, {} gold posts ({} located in the page)",
            self.files, self.total.posts, self.total.located
        );
        println!("scoring: see tests/corpus/src/fidelity.rs; in short: text = gold letters+digits contained and at most 2x+200 long;");
        println!("  author = same profile URL (or same name when gold has no link); time = same minute, or same day for date-only gold,");
        println!("  allowing a whole-quarter-hour zone shift up to 14 h when ours has an explicit zone; permalink = same URL (session ids ignored).");
        println!("  None (not found) is never correct.");
        let t = &self.total;
        println!("  text       {}", pct(&t.text));
        println!("  author     {}", pct(&t.author));
        println!("  time       {}   [{} gold times unparseable, not scored]", pct(&t.time), t.time_unscorable);
        println!("  permalink  {}", pct(&t.permalink));
        println!("by detected platform (adapter or generic method):");
        println!("  {:28} {:>5} {:>6} {:>6} {:>6} {:>6}", "platform", "posts", "text", "author", "time", "link");
        for (name, f) in &self.by_platform {
            row(name, f);
        }
        println!("by site:");
        for (name, f) in &self.by_site {
            row(name, f);
        }
    }
}

fn row(name: &str, f: &Fields) {
    let p = |s: &Score| if s.total() == 0 { "   -  ".to_string() } else { format!("{:5.0}%", 100.0 * s.accuracy()) };
    println!("  {:28} {:>5} {:>6} {:>6} {:>6} {:>6}", name, f.posts, p(&f.text), p(&f.author), p(&f.time), p(&f.permalink));
}
