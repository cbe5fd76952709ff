//! Regex terms (`options.regex = true`).
//!
//! A regex term is compiled with `regex-lite` and run on the page text folded
//! the way the term's options say (see [`super::normalize`]); the pattern's
//! literal non-ASCII characters are folded the same way, and ASCII letters
//! match either case through the `i` flag unless the term is case-sensitive.
//! So `telef[oó]nica`, `Telefónica` and `telefonica` all behave alike on
//! "TELEFÓNICA". Syntax is the `regex` crate's, minus Unicode classes: `\w`,
//! `\d`, `\s` and `\b` are ASCII-only; `^`/`$` mean the start/end of a block.
//!
//! **No catastrophic backtracking.** `regex-lite` never backtracks: every
//! search runs a Pike VM, which advances all NFA states in lockstep over the
//! text, so matching takes time proportional to pattern size × text length,
//! always. `(a+)+$` on "aaaa…b" costs what `a+$` costs. That is the time limit:
//! it is structural, not a clock. (It is also slower per byte than the literal
//! automaton — tens of MB/s — hence the cap on regex terms per list.) On top of it, patterns are capped in length ([`MAX_REGEX_CHARS`]) and
//! compiled size ([`REGEX_SIZE_LIMIT`]), patterns that can match empty text are
//! rejected, and each term reports at most [`MAX_REGEX_MATCHES_PER_BLOCK`]
//! matches per block.
//!
//! Whole-word (the default) applies to regex matches too: a match whose edges
//! are not at word boundaries is dropped and the search resumes at the next
//! word start. When only the end fails ("acme corp|acme" on "Acme
//! Corporation"), shorter matches at the same start are looked for first (up
//! to 16 tries), so "Acme" is still found there.

use regex_lite::{Regex, RegexBuilder};

use super::boundary::{char_at, char_before, is_whole_word, is_word_char};
use super::normalize::{fold_char, is_diacritic, is_ignorable, Fold};

/// Longest accepted regex pattern, in characters.
pub const MAX_REGEX_CHARS: usize = 500;
/// Compiled-size cap handed to `regex-lite` (bytes of NFA).
pub const REGEX_SIZE_LIMIT: usize = 64 * 1024;
/// Maximum nesting depth of groups/repetitions.
pub const REGEX_NEST_LIMIT: u32 = 25;
/// At most this many matches of one regex term are reported per block.
pub const MAX_REGEX_MATCHES_PER_BLOCK: usize = 256;
/// At most this many rejected (non-whole-word) matches are retried per block.
const MAX_REGEX_ATTEMPTS_PER_BLOCK: usize = 4096;

/// Why a regex term can't be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegexProblem {
    Invalid(String),
    TooBig,
    MatchesEmpty,
}

/// Fold a pattern's literal characters like text folded with `fold`.
/// ASCII is left to the regex engine (`i` flag); escapes are copied verbatim.
pub(crate) fn fold_pattern(pattern: &str, fold: Fold) -> String {
    let composed: String;
    let pattern = if fold.strip {
        pattern
    } else {
        composed = compose_marks(pattern);
        &composed
    };
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut class_depth = 0usize;
    let mut chars = pattern.chars().peekable();
    let mut buf = Vec::with_capacity(8);
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(c);
            if let Some(n) = chars.next() {
                out.push(n);
                if matches!(n, 'p' | 'P' | 'x' | 'u' | 'U') && chars.peek() == Some(&'{') {
                    for m in chars.by_ref() {
                        out.push(m);
                        if m == '}' {
                            break;
                        }
                    }
                }
            }
            continue;
        }
        if c.is_ascii() {
            match c {
                '[' => class_depth += 1,
                ']' if class_depth > 0 => class_depth -= 1,
                _ => {}
            }
            out.push(c);
            continue;
        }
        if is_ignorable(c) || (fold.strip && is_diacritic(c)) {
            continue;
        }
        if c.is_whitespace() {
            out.push(' ');
            continue;
        }
        buf.clear();
        fold_char(c, fold, &mut buf);
        let folded = String::from_utf8_lossy(&buf);
        let many = folded.chars().count() > 1;
        if many && class_depth == 0 {
            out.push_str("(?:");
        }
        for f in folded.chars() {
            if f.is_ascii() && !f.is_ascii_alphanumeric() && f != ' ' {
                out.push('\\');
            }
            out.push(f);
        }
        if many && class_depth == 0 {
            out.push(')');
        }
    }
    out
}

/// Compose each diacritic mark into the character before it where Unicode
/// has a precomposed form (like the text fold does), so "n\u{303}" is "ñ".
fn compose_marks(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len());
    for c in s.chars() {
        if is_diacritic(c) {
            if let Some(k) = out.last().and_then(|&p| unicode_normalization::char::compose(p, c)) {
                *out.last_mut().unwrap() = k;
                continue;
            }
        }
        out.push(c);
    }
    out.into_iter().collect()
}

/// Compile a regex term for text folded with `fold`, with every limit applied.
pub(crate) fn compile(pattern: &str, fold: Fold) -> Result<Regex, RegexProblem> {
    let folded = fold_pattern(pattern.trim(), fold);
    let build =
        |limit: usize| RegexBuilder::new(&folded).case_insensitive(fold.lower).size_limit(limit).nest_limit(REGEX_NEST_LIMIT).build();
    let re = match build(REGEX_SIZE_LIMIT) {
        Ok(re) => re,
        Err(e) => {
            // Tell "too big" from "invalid": does it build with a generous limit?
            let msg = e.to_string();
            if msg.contains("size limit") || build(64 * REGEX_SIZE_LIMIT).is_ok() {
                return Err(RegexProblem::TooBig);
            }
            return Err(RegexProblem::Invalid(first_line(&msg)));
        }
    };
    // Patterns that can match empty text would match "everywhere" (or nowhere
    // visible). regex-lite has no way to ask this of the pattern itself, so
    // probe: any empty match at the start of these haystacks rejects it.
    const PROBES: &[&str] = &["", " ", "a", "aa", "a a", "0", "-", "e", "\u{1E}", "zz z"];
    for probe in PROBES {
        let mut at = 0;
        while at <= probe.len() {
            match re.find_at(probe, at) {
                Some(m) if m.start() == m.end() => return Err(RegexProblem::MatchesEmpty),
                Some(m) => at = m.end().max(at + 1),
                None => break,
            }
            while at < probe.len() && !probe.is_char_boundary(at) {
                at += 1;
            }
        }
    }
    Ok(re)
}

fn first_line(msg: &str) -> String {
    // regex-lite errors are one line; keep them short for the UI regardless.
    let line = msg.lines().next().unwrap_or("").trim();
    let mut s: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        s.push('…');
    }
    s
}

/// Run `re` over `text` (folded, blocks separated by U+001E), block by block,
/// calling `emit(start, end)` with folded byte offsets.
pub(crate) fn find_blocks(re: &Regex, text: &str, whole_word: bool, mut emit: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let mut block_start = 0usize;
    for block in text.split('\u{1E}') {
        let mut at = 0usize;
        let mut found = 0usize;
        let mut attempts = 0usize;
        while at <= block.len() && found < MAX_REGEX_MATCHES_PER_BLOCK && attempts < MAX_REGEX_ATTEMPTS_PER_BLOCK {
            let Some(m) = re.find_at(block, at) else {
                break;
            };
            attempts += 1;
            let (s, e) = (block_start + m.start(), block_start + m.end());
            if m.start() == m.end() {
                at = next_boundary(block, m.start());
                continue;
            }
            let mut end = m.end();
            if whole_word && !is_whole_word(bytes, s, e) {
                // The end may be what fails ("acme corp|acme" on "Acme
                // Corporation"): look for a shorter match at the same start by
                // searching a haystack cut before the failing match's last char.
                let shorter = shorter_whole_word(re, block, bytes, block_start, m.start(), m.end());
                attempts += 1;
                match shorter {
                    Some(e2) => end = e2,
                    None => {
                        // Resume at the next word start after this match's start.
                        at = next_word_start(block, m.start());
                        continue;
                    }
                }
            }
            emit(s, block_start + end);
            found += 1;
            at = end;
        }
        block_start += block.len() + 1;
    }
}

/// A whole-word match of `re` starting exactly at `start` and ending before
/// `end` (block-relative offsets), trying a few successively shorter cuts.
fn shorter_whole_word(re: &Regex, block: &str, bytes: &[u8], block_start: usize, start: usize, mut end: usize) -> Option<usize> {
    // Only worth it when the start is fine on its own.
    let first_is_word = char_at(bytes, block_start + start).is_some_and(is_word_char);
    if first_is_word && char_before(bytes, block_start + start).is_some_and(is_word_char) {
        return None;
    }
    for _ in 0..16 {
        let mut cut = end - 1;
        while cut > start && !block.is_char_boundary(cut) {
            cut -= 1;
        }
        if cut <= start {
            return None;
        }
        let m = re.find_at(&block[..cut], start)?;
        if m.start() != start || m.end() == m.start() {
            return None;
        }
        if is_whole_word(bytes, block_start + start, block_start + m.end()) {
            return Some(m.end());
        }
        end = m.end();
    }
    None
}

fn next_boundary(s: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && !s.is_char_boundary(j) {
        j += 1;
    }
    j
}

/// The first position after `i` where a word starts (or any non-word char
/// position, where a match starting with punctuation could begin).
fn next_word_start(s: &str, i: usize) -> usize {
    let bytes = s.as_bytes();
    let mut j = next_boundary(s, i);
    let mut prev_word = char_at(bytes, i).is_some_and(is_word_char);
    while j < s.len() {
        let c = char_at(bytes, j).unwrap_or(' ');
        let w = is_word_char(c);
        if !w || !prev_word {
            return j;
        }
        prev_word = w;
        j += c.len_utf8();
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_folding() {
        let l = Fold::LENIENT;
        assert_eq!(fold_pattern("Telef[óo]nica", l), "Telef[oo]nica");
        assert_eq!(fold_pattern("Straße+", l), "Stra(?:ss)e+");
        assert_eq!(fold_pattern("¿Qué\\?", l), "\\?Que\\?");
        assert_eq!(fold_pattern(r"\x{E9}\p{L}é", l), r"\x{E9}\p{L}e");
        let d = Fold { lower: true, strip: false };
        assert_eq!(fold_pattern("Nin\u{303}o", d), "Niño");
    }

    #[test]
    fn limits_and_empty_matches() {
        let l = Fold::LENIENT;
        assert!(compile("acme", l).is_ok());
        assert!(matches!(compile("(a", l), Err(RegexProblem::Invalid(_))));
        assert_eq!(compile("a*", l).unwrap_err(), RegexProblem::MatchesEmpty);
        assert_eq!(compile("x|", l).unwrap_err(), RegexProblem::MatchesEmpty);
        assert_eq!(compile(r"\b", l).unwrap_err(), RegexProblem::MatchesEmpty);
        assert_eq!(compile("^", l).unwrap_err(), RegexProblem::MatchesEmpty);
        assert_eq!(compile(r"\w{50}{50}{50}", l).unwrap_err(), RegexProblem::TooBig);
        assert!(compile("a+", l).is_ok());
    }
}
