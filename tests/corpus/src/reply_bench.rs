//! The verified response measured on real threads (`../shared/corpus/forums`).
//!
//! The gold gives each post's text and user, not who answers whom, so the
//! pairs are derived from the gold texts alone: post P *quotes* an earlier
//! post C when P's gold text holds a run of [`WINDOW`] words of C's gold text
//! that no post between them holds (a quote of a quote is left out), and P's
//! user is not C's. For each post C located in the page (its gold text's
//! nodes, as the fidelity benchmark places it), the card's path runs on the
//! snapshot of its middle word: the thread's posts are extracted, and for
//! every user U posting after C, U alone is declared the team's account:
//! - a *gold pair* (U quoted C): the reply returned is correct when it is a
//!   post by U whose gold quotes C, wrong otherwise, missed when none;
//! - no gold pair: anything returned is wrong (a reply the gold cannot see,
//!   an "@C" answer without a quote, counts against us too).
//!
//! Precision = correct / returned; recall = correct / gold pairs.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::Path;

use escucha_core::capture::reply::{fold_text, reply_index, thread_posts, Evidence};
use escucha_core::capture::url::resolve_http;
use escucha_core::team_accounts::{fold_handle, profile_key, Account};
use serde::Deserialize;

use crate::fidelity::{post_nodes, site_of, NOW_MS};
use crate::mention::{words, Fingerprinted, PageText, Placement};
use crate::Doc;

/// Words in a row that make a quote.
pub const WINDOW: usize = 8;

#[derive(Deserialize)]
struct Span {
    surface_form: String,
    start: u32,
    end: u32,
}

#[derive(Deserialize)]
struct GoldPost {
    post_text: Option<Span>,
    user: Option<Span>,
}

#[derive(Deserialize)]
struct Thread {
    url: String,
    html: String,
    text: String,
    gold_standard_annotation: Vec<GoldPost>,
}

#[derive(Debug, Default, Clone)]
pub struct ReplyReport {
    pub threads: u32,
    /// Threads with at least one gold pair.
    pub threads_with_pairs: u32,
    pub gold_pairs: u32,
    /// Gold pairs whose quoted post was located in the page.
    pub located_pairs: u32,
    pub correct: u32,
    pub wrong_on_pair: u32,
    /// Returned where the gold has no quote by that user of that post.
    pub wrong_off_pair: u32,
    /// (C, U) combinations run without a gold pair.
    pub negatives: u32,
    pub by_evidence: BTreeMap<String, (u32, u32)>,
    pub wrong_examples: Vec<String>,
    pub missed_by_site: BTreeMap<String, u32>,
}

impl ReplyReport {
    pub fn returned(&self) -> u32 {
        self.correct + self.wrong_on_pair + self.wrong_off_pair
    }
    pub fn precision(&self) -> f64 {
        if self.returned() == 0 {
            1.0
        } else {
            self.correct as f64 / self.returned() as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.gold_pairs == 0 {
            0.0
        } else {
            self.correct as f64 / self.gold_pairs as f64
        }
    }
    pub fn print(&self) {
        println!(
            "verified response on {} real threads ({} with quote pairs): gold pairs {}, located {}, returned {}, correct {}, wrong on a pair {}, wrong elsewhere {} (of {} negative runs), precision {:.1} %, recall {:.1} %",
            self.threads,
            self.threads_with_pairs,
            self.gold_pairs,
            self.located_pairs,
            self.returned(),
            self.correct,
            self.wrong_on_pair,
            self.wrong_off_pair,
            self.negatives,
            100.0 * self.precision(),
            100.0 * self.recall()
        );
        println!("by evidence (correct, wrong): {:?}", self.by_evidence);
        println!("missed pairs by site: {:?}", self.missed_by_site);
        for w in &self.wrong_examples {
            println!("wrong: {w}");
        }
    }
}

fn windows(t: &str) -> Vec<String> {
    let w: Vec<&str> = t.split(' ').filter(|x| !x.is_empty()).collect();
    if w.len() < WINDOW {
        return Vec::new();
    }
    (0..=w.len() - WINDOW).map(|i| w[i..i + WINDOW].join(" ")).collect()
}

/// Gold pairs (c, p): p quotes c (see the module comment).
fn gold_pairs(texts: &[String], users: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for c in 0..texts.len() {
        let wins = windows(&texts[c]);
        for p in c + 1..texts.len() {
            if users[p] == users[c] || users[p].is_empty() {
                continue;
            }
            let quoted = wins.iter().any(|w| texts[p].contains(w.as_str()) && (c + 1..p).all(|m| !texts[m].contains(w.as_str())));
            if quoted {
                out.push((c, p));
            }
        }
    }
    out
}

fn account(user: &str, base: &str) -> Option<Account> {
    if user.contains('/') || user.contains('?') || user.contains(".php") {
        resolve_http(base, user).and_then(|u| profile_key(&u)).map(Account::Profile)
    } else {
        Some(Account::Handle(fold_handle(user))).filter(|a| !matches!(a, Account::Handle(h) if h.is_empty()))
    }
}

pub fn run(dir: &Path) -> std::io::Result<ReplyReport> {
    let mut r = ReplyReport::default();
    let mut paths: Vec<_> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path)?;
        let thread: Thread = serde_json::from_str(&raw).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        r.threads += 1;
        let gold: Vec<&GoldPost> = thread.gold_standard_annotation.iter().filter(|g| g.post_text.is_some()).collect();
        let texts: Vec<String> = gold.iter().map(|g| fold_text(&g.post_text.as_ref().expect("text").surface_form)).collect();
        let users: Vec<String> =
            gold.iter().map(|g| g.user.as_ref().map(|u| u.surface_form.trim().to_string()).unwrap_or_default()).collect();
        let pairs = gold_pairs(&texts, &users);
        if pairs.is_empty() {
            continue;
        }
        r.threads_with_pairs += 1;
        r.gold_pairs += pairs.len() as u32;
        let doc = Doc::parse(&thread.html, &thread.url);
        let page = doc.page();
        let base = page.base().to_string();
        let text = PageText::new(&doc);
        let rendering = Fingerprinted::new(&thread.text);
        let mut memo = HashMap::new();
        let site = site_of(&thread.url);
        for c in 0..gold.len() {
            // The users posting after c, each once, and whether they quoted it.
            let mut later: Vec<&str> = Vec::new();
            for p in c + 1..gold.len() {
                if !users[p].is_empty() && users[p] != users[c] && !later.contains(&users[p].as_str()) {
                    later.push(&users[p]);
                }
            }
            if later.is_empty() {
                continue;
            }
            let span = gold[c].post_text.as_ref().expect("text");
            let found = post_nodes(&text, &rendering, &span.surface_form, span.start, span.end, &mut memo);
            let post_words: Vec<(usize, (u32, u32))> =
                found.nodes.iter().flat_map(|&n| words(text.nodes[n].1).into_iter().map(move |w| (n, w.utf16))).collect();
            let Some((n, (s, e))) = Placement::Middle.pick(&post_words) else {
                *r.missed_by_site.entry(site.clone()).or_default() += pairs.iter().filter(|(pc, _)| *pc == c).count() as u32;
                continue;
            };
            let snapshot = doc.snapshot(text.nodes[n].0, s, e);
            let posts = thread_posts(&snapshot, &page, NOW_MS);
            let Some(cp) = posts.iter().position(|p| snapshot.contains(p.root, snapshot.mention_node)) else {
                *r.missed_by_site.entry(site.clone()).or_default() += pairs.iter().filter(|(pc, _)| *pc == c).count() as u32;
                continue;
            };
            for user in later {
                let quoters: Vec<usize> = pairs.iter().filter(|(pc, pp)| *pc == c && users[*pp] == user).map(|(_, pp)| *pp).collect();
                let Some(acc) = account(user, &base) else { continue };
                if quoters.is_empty() {
                    r.negatives += 1;
                } else {
                    r.located_pairs += 1;
                }
                let got = reply_index(&snapshot, &page, &posts, cp, std::slice::from_ref(&acc));
                let ev = |e: Evidence| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                match got {
                    None => {
                        if !quoters.is_empty() {
                            *r.missed_by_site.entry(site.clone()).or_default() += 1;
                        }
                    }
                    Some((p, evidence)) => {
                        let reply_text = fold_text(&posts[p].ex.comment_text);
                        let head = |t: &str| t.chars().take(80).collect::<String>();
                        let is_gold = quoters.iter().any(|q| {
                            let g = &texts[*q];
                            !g.is_empty() && (reply_text.contains(&head(g)) || g.contains(&head(&reply_text)))
                        });
                        let slot = r.by_evidence.entry(ev(evidence)).or_default();
                        if is_gold {
                            r.correct += 1;
                            slot.0 += 1;
                        } else {
                            slot.1 += 1;
                            if quoters.is_empty() {
                                r.wrong_off_pair += 1;
                            } else {
                                r.wrong_on_pair += 1;
                            }
                            r.wrong_examples.push(format!(
                                "{site}: post {c} by {:?}, reply by {user:?} ({}): {:?}",
                                users[c],
                                ev(evidence),
                                head(&posts[p].ex.comment_text)
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(r)
}
