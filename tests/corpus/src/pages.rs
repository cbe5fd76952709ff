//! What the corpus pages without per-post gold can tell about the captured
//! text (`../shared/corpus/pages/`):
//! - WCXB forum pages carry the thread's text (`main_content`). Mentions go in
//!   text nodes that lie in it (fingerprint of 20+ letters and digits found
//!   in `main_content`), spread over the page, at most
//!   [`WCXB_MENTIONS_PER_PAGE`]; the captured text must lie within
//!   `main_content` (as a whole, or every line of it) and must not be the
//!   whole thread (at most half of it; a thread that is one long post would
//!   count as a miss, so the rate is a lower bound).
//! - trafilatura's news and blog pages list snippets of their reader
//!   comments. A word at the start of each snippet found in the page is
//!   captured; the captured text must contain the snippet and must not be the
//!   whole page (at most half of its text).
//!
//! There is no per-post author or time here, so those are only counted when
//! returned, as information. Thresholds: [`Thresholds::DEFAULT`].

use std::collections::BTreeMap;
use std::path::Path;

use escucha_core::capture::json_ld::fingerprint;
use escucha_core::capture::{extract_scored, Extraction, PageInfo, Thresholds};
use serde::Deserialize;

use crate::fidelity::NOW_MS;
use crate::mention::{word_at_fingerprint, words, PageText, Placement};
use crate::Doc;

pub const WCXB_MENTIONS_PER_PAGE: usize = 8;
/// Letters and digits a text node needs to be taken as part of the thread.
const MIN_NODE_FINGERPRINT: usize = 20;

/// Counts for one page set.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageChecks {
    pub pages: u32,
    /// Pages where no mention could be placed.
    pub pages_unused: u32,
    pub mentions: u32,
    /// Snippets (trafilatura) not found in the page's text.
    pub snippets_not_found: u32,
    /// Mentions whose text was returned (claimed as the comment).
    pub returned: u32,
    /// Returned and within the thread (WCXB) / containing the snippet (trafilatura).
    pub contained: u32,
    /// Returned and at most half the thread / page.
    pub not_whole: u32,
    /// Returned, contained and not whole: a plausible comment.
    pub ok: u32,
    pub author_returned: u32,
    pub time_returned: u32,
}

impl PageChecks {
    /// Plausible comments among mentions.
    pub fn ok_rate(&self) -> f64 {
        ratio(self.ok, self.mentions)
    }
    /// Plausible comments among texts returned.
    pub fn ok_among_returned(&self) -> f64 {
        ratio(self.ok, self.returned)
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct PagesReport {
    pub wcxb: PageChecks,
    pub trafilatura: PageChecks,
}

/// The captured text's fingerprint, without the truncation marker.
fn text_fingerprint(ex: &Extraction) -> String {
    let text = if ex.truncated { ex.comment_text.rsplit_once('[').map_or(ex.comment_text.as_str(), |(a, _)| a) } else { &ex.comment_text };
    fingerprint(text)
}

/// A parsed page ready for mentions.
struct Mentionable<'a> {
    doc: &'a Doc,
    page: PageInfo,
    text: PageText<'a>,
}

impl<'a> Mentionable<'a> {
    fn new(doc: &'a Doc) -> Mentionable<'a> {
        Mentionable { doc, page: doc.page(), text: PageText::new(doc) }
    }

    /// Capture the word `word` (UTF-16 range) of text node `n` and count the
    /// outcome; `contained` judges the capture (given its text's
    /// fingerprint), `whole` is the fingerprint length it must stay within
    /// half of.
    fn check(&self, n: usize, word: (u32, u32), contained: impl Fn(&Extraction, &str) -> bool, whole: usize, out: &mut PageChecks) {
        let snapshot = self.doc.snapshot(self.text.nodes[n].0, word.0, word.1);
        let (mut ex, conf) = extract_scored(&snapshot, &self.page, NOW_MS);
        let t = Thresholds::DEFAULT;
        t.apply(&mut ex, &conf);
        out.mentions += 1;
        out.author_returned += (ex.author_name.is_some() || ex.author_url.is_some()) as u32;
        out.time_returned += ex.time.is_some() as u32;
        if ex.comment_text.trim().is_empty() || conf.text <= 0.0 || conf.text < t.text {
            return;
        }
        out.returned += 1;
        let efp = text_fingerprint(&ex);
        let inside = contained(&ex, &efp);
        let narrow = efp.len() * 2 <= whole;
        out.contained += inside as u32;
        out.not_whole += narrow as u32;
        out.ok += (inside && narrow) as u32;
    }
}

/// The captured text lies within the thread's text: as a whole, or line by
/// line (the reference renders a post's header lines its own way, or drops
/// them, so our header line may sit elsewhere in it).
fn within(thread: &str, ex: &Extraction, efp: &str) -> bool {
    thread.contains(efp) || {
        let lines: Vec<String> = ex.comment_text.lines().map(fingerprint).filter(|l| !l.is_empty()).collect();
        lines.len() > 1 && lines.iter().all(|l| thread.contains(l.as_str()))
    }
}

#[derive(Deserialize)]
struct WcxbTruth {
    url: String,
    ground_truth: WcxbGround,
}

#[derive(Deserialize)]
struct WcxbGround {
    #[serde(default)]
    main_content: Option<String>,
}

#[derive(Deserialize)]
struct TrafilaturaEntry {
    url: String,
    comments: Vec<String>,
}

/// A few saved pages are not UTF-8; their odd bytes become U+FFFD (a snippet
/// with such a character is then not found, and counted so).
fn read_lossy(path: &Path) -> std::io::Result<String> {
    Ok(String::from_utf8_lossy(&std::fs::read(path)?).into_owned())
}

/// Run over `dir/wcxb` and `dir/trafilatura`.
pub fn run(dir: &Path) -> std::io::Result<PagesReport> {
    let bad = |p: &Path, e: serde_json::Error| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", p.display()));
    let mut report = PagesReport::default();

    let wcxb = dir.join("wcxb");
    let mut truths: Vec<_> = std::fs::read_dir(&wcxb)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    for path in truths {
        let truth: WcxbTruth = serde_json::from_str(&std::fs::read_to_string(&path)?).map_err(|e| bad(&path, e))?;
        let html_path = path.to_string_lossy().replace(".truth.json", ".html");
        let html = read_lossy(Path::new(&html_path))?;
        let out = &mut report.wcxb;
        out.pages += 1;
        let doc = Doc::parse(&html, &truth.url);
        let m = Mentionable::new(&doc);
        let text = &m.text;
        let thread = fingerprint(truth.ground_truth.main_content.as_deref().unwrap_or_default());
        let in_thread: Vec<usize> = (0..text.nodes.len())
            .filter(|&i| !thread.is_empty() && text.fps[i].len() >= MIN_NODE_FINGERPRINT && thread.contains(text.fps[i].as_str()))
            .collect();
        if in_thread.is_empty() {
            out.pages_unused += 1;
            continue;
        }
        let k = in_thread.len().min(WCXB_MENTIONS_PER_PAGE);
        for j in 0..k {
            let n = in_thread[j * in_thread.len() / k];
            let Some(w) = Placement::Middle.pick(&words(text.nodes[n].1)) else { continue };
            m.check(n, w.utf16, |ex, efp| within(&thread, ex, efp), thread.len(), out);
        }
    }

    let traf = dir.join("trafilatura");
    let index_path = traf.join("index.json");
    let index: BTreeMap<String, TrafilaturaEntry> =
        serde_json::from_str(&std::fs::read_to_string(&index_path)?).map_err(|e| bad(&index_path, e))?;
    for (file, entry) in &index {
        if entry.comments.is_empty() {
            continue;
        }
        let html = read_lossy(&traf.join(file))?;
        let out = &mut report.trafilatura;
        out.pages += 1;
        let doc = Doc::parse(&html, &entry.url);
        let m = Mentionable::new(&doc);
        let text = &m.text;
        let mut used = false;
        for snippet in &entry.comments {
            let sfp = fingerprint(snippet);
            let Some(at) = (sfp.chars().count() >= 4).then(|| text.all.find(&sfp)).flatten() else {
                out.snippets_not_found += 1;
                continue;
            };
            let n = text.node_at(at);
            let Some(w) = word_at_fingerprint(text.nodes[n].1, at - text.starts[n]) else {
                out.snippets_not_found += 1;
                continue;
            };
            used = true;
            m.check(n, w.utf16, |_, efp| efp.contains(sfp.as_str()), text.all.len(), out);
        }
        out.pages_unused += !used as u32;
    }
    Ok(report)
}
