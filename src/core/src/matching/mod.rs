//! Brand matching: finds the brand list's terms in a page's text.
//!
//! # How it works
//! 1. The page text is **folded** once ([`normalize`]): invisible characters
//!    dropped, white space runs collapsed to one space, lowercased, diacritics
//!    removed, typographic punctuation made ASCII. An ASCII fast path handles 8
//!    bytes at a time; only characters whose folded length differs from their
//!    UTF-16 length leave a record in a sparse offset map, so plain Spanish text
//!    (á, é, ñ fold to one byte each) costs no map entries at all.
//! 2. **One Aho–Corasick automaton** (all terms and exclusions, folded the
//!    same way) reports every occurrence, overlapping ones included.
//! 3. Each occurrence is checked for **whole-word** boundaries on the folded
//!    text, and terms with per-term overrides (case- or diacritic-sensitive)
//!    are **verified** by folding the original slice the term's own way.
//! 4. **Exclusions** drop a group's candidates lying inside one of that
//!    group's exclusion phrases; **regex terms** add their candidates.
//! 5. A greedy pass keeps the **leftmost, then longest** candidate and drops
//!    anything overlapping it (ties: the more specific term, then list order).
//!
//! Searching overlapping occurrences first and choosing afterwards is what
//! keeps "Acme" in "Acme Corporation" when the longer term "ACME Corp" fails
//! its word boundary there; a leftmost-longest automaton would lose it.
//!
//! Offsets in [`Mention`] are UTF-16 code units of the original text, because
//! that is what the DOM's `Range` measures.
//!
//! See [`normalize`] for exactly what counts as "the same text", [`boundary`]
//! for word boundaries and [`regex_term`] for regex terms.

pub mod boundary;
pub mod normalize;
pub mod regex_term;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex_lite::Regex;
use serde::{Deserialize, Serialize};

use crate::brands::{BrandError, BrandErrorCode, BrandErrors, BrandList};
use boundary::is_whole_word;
use normalize::{fold_term, normalize, strict_fold, strict_folded, Fold, FoldTable, NormText};

pub use regex_term::{MAX_REGEX_CHARS, MAX_REGEX_MATCHES_PER_BLOCK, REGEX_NEST_LIMIT, REGEX_SIZE_LIMIT};

/// Separates two blocks of page text in the string given to [`Matcher::find`].
/// No match ever spans it; it is a word boundary.
pub const BLOCK_SEPARATOR: char = '\u{1E}';

/// Texts this long or longer (in UTF-8 bytes) are not scanned: offsets are u32.
pub const MAX_TEXT_BYTES: usize = 1 << 30;

/// Up to this many patterns, the automaton is a full DFA (fastest, more
/// memory); above it a contiguous NFA (compact, builds fast).
const DFA_MAX_PATTERNS: usize = 2_000;

/// Up to this many patterns, a SIMD-prefiltered leftmost search spots where
/// to run the overlapping search (native x86_64/aarch64 only).
const SPOTTER_MAX_PATTERNS: usize = 16;

/// One brand mention found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mention {
    /// UTF-16 code-unit offset of the first unit of the mention.
    pub start: u32,
    /// UTF-16 code-unit offset just past the mention (exclusive).
    pub end: u32,
    /// Index into [`BrandList::groups`].
    pub group: u32,
    /// Index into that group's `terms`.
    pub term: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatKind {
    Term,
    Exclusion,
}

#[derive(Debug)]
struct PatInfo {
    kind: PatKind,
    group: u32,
    term: u32,
    whole_word: bool,
    /// More specific terms win ties at the same span.
    prio: u8,
    /// For case/diacritic-sensitive terms: the fold and the folded term the
    /// original slice must equal.
    verify: Option<(Fold, String)>,
}

#[derive(Debug)]
struct RegexTerm {
    group: u32,
    term: u32,
    re: Regex,
    fold: Fold,
    whole_word: bool,
    prio: u8,
}

/// Compiled brand list: build once per list change, then call [`find`](Matcher::find)
/// for each text.
///
/// ```
/// use escucha_core::brands::BrandList;
/// use escucha_core::matching::{Matcher, BLOCK_SEPARATOR};
///
/// let list = BrandList::from_json(r##"{"groups":[
///     {"name":"Telefónica","color":"#09f","terms":[{"text":"Telefónica"},{"text":"Movistar"}]},
///     {"name":"ACME","kind":"product","color":"#f90","terms":[{"text":"ACME Corp"},{"text":"Acme"}]}
/// ]}"##).unwrap();
/// let matcher = Matcher::new(&list).unwrap();
///
/// let text = format!("😀 Llamé a TELEFONICA{BLOCK_SEPARATOR}Acme Corporation y ACME\u{A0}corp");
/// let found = matcher.find(&text);
/// let utf16: Vec<u16> = text.encode_utf16().collect();
/// let words: Vec<String> = found
///     .iter()
///     .map(|m| String::from_utf16(&utf16[m.start as usize..m.end as usize]).unwrap())
///     .collect();
/// assert_eq!(words, ["TELEFONICA", "Acme", "ACME\u{A0}corp"]);
/// assert_eq!((found[0].group, found[0].term), (0, 0));
/// assert_eq!((found[2].group, found[2].term), (1, 0));
/// ```
#[derive(Debug)]
pub struct Matcher {
    ac: Option<AhoCorasick>,
    /// Leftmost search used to find where to run `ac` (see `find_into`).
    spotter: Option<AhoCorasick>,
    max_pattern_len: usize,
    pats: Vec<PatInfo>,
    regexes: Vec<RegexTerm>,
    table: FoldTable,
    group_count: u32,
    empty: bool,
}

/// Reusable buffers for [`Matcher::find_into`]; keep one per thread/worker.
#[derive(Debug, Default)]
pub struct Scratch {
    norm: NormText,
    variants: [NormText; 3],
    cands: Vec<Cand>,
    excl: Vec<Excl>,
    active: Vec<(u32, u32)>,
    fold_buf: String,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    u0: u32,
    u1: u32,
    group: u32,
    term: u32,
    prio: u8,
    /// Pattern index needing verification, or `u32::MAX`.
    verify: u32,
}

#[derive(Debug, Clone, Copy)]
struct Excl {
    u0: u32,
    u1: u32,
    group: u32,
}

impl Matcher {
    /// Validate `list` and compile its enabled groups.
    pub fn new(list: &BrandList) -> Result<Matcher, BrandErrors> {
        list.validate()?;
        let mut patterns: Vec<String> = Vec::new();
        let mut pats = Vec::new();
        let mut regexes = Vec::new();
        for (gi, g) in list.groups.iter().enumerate() {
            if !g.enabled {
                continue;
            }
            for (ti, t) in g.terms.iter().enumerate() {
                let o = &t.options;
                let prio = o.case_sensitive as u8 + o.diacritic_sensitive as u8;
                let fold = Fold::for_options(o.case_sensitive, o.diacritic_sensitive);
                if o.regex {
                    let re = regex_term::compile(&t.text, fold).map_err(|_| {
                        // validate() accepted it, so this can't happen; stay safe.
                        BrandErrors(vec![BrandError::new(
                            format!("groups[{gi}].terms[{ti}]"),
                            BrandErrorCode::InvalidRegex,
                            format!("The pattern \"{}\" could not be compiled.", t.text),
                        )])
                    })?;
                    regexes.push(RegexTerm { group: gi as u32, term: ti as u32, re, fold, whole_word: o.whole_word, prio });
                    continue;
                }
                let verify = (fold != Fold::LENIENT).then(|| (fold, strict_folded(&t.text, fold)));
                patterns.push(fold_term(&t.text, Fold::LENIENT));
                pats.push(PatInfo { kind: PatKind::Term, group: gi as u32, term: ti as u32, whole_word: o.whole_word, prio, verify });
            }
            for x in &g.exclusions {
                patterns.push(fold_term(x, Fold::LENIENT));
                pats.push(PatInfo { kind: PatKind::Exclusion, group: gi as u32, term: 0, whole_word: true, prio: 0, verify: None });
            }
        }
        let max_pattern_len = patterns.iter().map(|p| p.len()).max().unwrap_or(0);
        // Where aho-corasick has a SIMD "Teddy" prefilter (x86_64, aarch64) it
        // uses it for up to 16 patterns, and only for leftmost searches.
        let spotter =
            if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) && !patterns.is_empty() && patterns.len() <= SPOTTER_MAX_PATTERNS
            {
                AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(&patterns).ok()
            } else {
                None
            };
        let ac = if patterns.is_empty() {
            None
        } else {
            let kind = if patterns.len() <= DFA_MAX_PATTERNS { Some(AhoCorasickKind::DFA) } else { None };
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(kind)
                .build(&patterns)
                .or_else(|_| AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns))
                .map_err(|e| {
                    BrandErrors(vec![BrandError::new(
                        "groups".into(),
                        BrandErrorCode::TooManyTerms,
                        format!("The brand list is too large to compile ({e}); remove some terms."),
                    )])
                })?;
            Some(ac)
        };
        let empty = regexes.is_empty() && !pats.iter().any(|p| p.kind == PatKind::Term);
        Ok(Matcher {
            empty,
            ac,
            spotter,
            max_pattern_len,
            pats,
            regexes,
            table: FoldTable::new(Fold::LENIENT),
            group_count: list.groups.len() as u32,
        })
    }

    /// Number of groups in the list this matcher was built from (enabled or
    /// not): the range of [`Mention::group`].
    pub fn group_count(&self) -> usize {
        self.group_count as usize
    }

    /// True when nothing can ever match (no enabled terms): callers can skip
    /// collecting page text altogether.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// All mentions in `text`, sorted by start, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<Mention> {
        let mut out = Vec::new();
        self.find_into(text, &mut Scratch::default(), &mut out);
        out
    }

    /// Like [`find`](Matcher::find), reusing `scratch`'s buffers and writing
    /// into `out` (cleared first).
    pub fn find_into(&self, text: &str, scratch: &mut Scratch, out: &mut Vec<Mention>) {
        out.clear();
        if self.is_empty() || text.is_empty() || text.len() >= MAX_TEXT_BYTES {
            return;
        }
        let Scratch { norm, variants, cands, excl, active, fold_buf } = scratch;
        cands.clear();
        excl.clear();
        normalize(text, Fold::LENIENT, Some(&self.table), norm);

        // 1. Literal terms and exclusions: every occurrence, overlapping ones
        //    included.
        let mut any_verify = false;
        if let Some(ac) = &self.ac {
            let bytes = &norm.bytes[..];
            let mut take = |m: aho_corasick::Match| {
                let pid = m.pattern().as_usize();
                let info = &self.pats[pid];
                if info.whole_word && !is_whole_word(bytes, m.start(), m.end()) {
                    return;
                }
                let u0 = norm.start16(m.start() as u32);
                let u1 = norm.end16(m.end() as u32);
                match info.kind {
                    PatKind::Exclusion => excl.push(Excl { u0, u1, group: info.group }),
                    PatKind::Term => {
                        let verify = if info.verify.is_some() {
                            any_verify = true;
                            pid as u32
                        } else {
                            u32::MAX
                        };
                        cands.push(Cand { u0, u1, group: info.group, term: info.term, prio: info.prio, verify });
                    }
                }
            };
            match &self.spotter {
                // Few patterns: a SIMD-prefiltered leftmost search finds where
                // occurrences begin; the overlapping search then only runs on
                // a window after each such start. Complete: nothing starts
                // between the end of one leftmost match's start range and the
                // next leftmost start.
                Some(spot) => {
                    for hit in spot.find_iter(bytes) {
                        let end = (hit.end() - 1 + self.max_pattern_len).min(bytes.len());
                        let input = aho_corasick::Input::new(bytes).range(hit.start()..end);
                        for m in ac.find_overlapping_iter(input) {
                            if m.start() < hit.end() {
                                take(m);
                            }
                        }
                    }
                }
                None => ac.find_overlapping_iter(bytes).for_each(take),
            }
        }

        // 2. Regex terms, each on the text folded its own way.
        if !self.regexes.is_empty() {
            let mut done = [false; 3];
            for rt in &self.regexes {
                let nt: &NormText = match rt.fold.index() {
                    0 => norm,
                    k => {
                        if !done[k - 1] {
                            normalize(text, rt.fold, None, &mut variants[k - 1]);
                            done[k - 1] = true;
                        }
                        &variants[k - 1]
                    }
                };
                let Ok(s) = std::str::from_utf8(&nt.bytes) else {
                    continue;
                };
                regex_term::find_blocks(&rt.re, s, rt.whole_word, |a, b| {
                    cands.push(Cand {
                        u0: nt.start16(a as u32),
                        u1: nt.end16(b as u32),
                        group: rt.group,
                        term: rt.term,
                        prio: rt.prio,
                        verify: u32::MAX,
                    })
                });
            }
        }
        if cands.is_empty() {
            return;
        }
        cands.sort_unstable_by(|a, b| {
            a.u0.cmp(&b.u0).then(b.u1.cmp(&a.u1)).then(b.prio.cmp(&a.prio)).then(a.group.cmp(&b.group)).then(a.term.cmp(&b.term))
        });

        // 3. Verify case/diacritic-sensitive terms on the original text.
        if any_verify {
            let mut cur = Utf16Cursor::default();
            cands.retain(|c| {
                if c.verify == u32::MAX {
                    return true;
                }
                let Some((fold, want)) = &self.pats[c.verify as usize].verify else {
                    return true;
                };
                let b0 = cur.advance(text, c.u0);
                let b1 = Utf16Cursor { b: b0, u: c.u0 }.advance(text, c.u1);
                strict_fold(&text[b0..b1], *fold, fold_buf);
                fold_buf == want
            });
        }

        // 4. Exclusions: drop a group's candidates inside its exclusion phrases.
        if !excl.is_empty() {
            excl.sort_unstable_by_key(|x| x.u0);
            active.clear();
            let mut next = 0;
            cands.retain(|c| {
                while next < excl.len() && excl[next].u0 <= c.u0 {
                    active.push((excl[next].group, excl[next].u1));
                    next += 1;
                }
                active.retain(|&(_, xe)| xe > c.u0);
                !active.iter().any(|&(g, xe)| g == c.group && xe >= c.u1)
            });
        }

        // 5. Leftmost, then longest; nothing overlapping.
        let mut last_end = 0u32;
        for c in cands.iter() {
            if c.u0 >= last_end && c.u1 > c.u0 {
                out.push(Mention { start: c.u0, end: c.u1, group: c.group, term: c.term });
                last_end = c.u1;
            }
        }
    }
}

/// Walks a `&str` converting UTF-16 offsets to byte offsets, forward only
/// (restarting from 0 when asked to go back).
#[derive(Default, Clone, Copy)]
struct Utf16Cursor {
    b: usize,
    u: u32,
}

impl Utf16Cursor {
    fn advance(&mut self, text: &str, target: u32) -> usize {
        if target < self.u {
            *self = Utf16Cursor::default();
        }
        let bytes = text.as_bytes();
        while self.u < target && self.b < bytes.len() {
            let c0 = bytes[self.b];
            if c0 < 0x80 {
                self.b += 1;
                self.u += 1;
            } else if c0 >= 0xF0 {
                self.b += 4;
                self.u += 2;
            } else if c0 >= 0xE0 {
                self.b += 3;
                self.u += 1;
            } else {
                self.b += 2;
                self.u += 1;
            }
        }
        self.b
    }
}

#[cfg(test)]
mod tests;
