//! W3C Web Annotation selectors for re-finding a mention later: a
//! `TextQuoteSelector` (the words and a little context on each side) and a
//! `TextPositionSelector` (UTF-16 offsets), both over the comment's text.
//! Pages change, so [`anchor`] trusts the quote first and uses the position
//! only to choose between equal matches.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::snapshot::{utf16_len, utf16_to_byte};

/// Characters of context kept on each side of the quote.
pub const CONTEXT_CHARS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub struct TextQuoteSelector {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub struct TextPositionSelector {
    pub start: u32,
    pub end: u32,
}

/// Both selectors for the UTF-16 range `start..end` of `text`.
pub fn describe(text: &str, start: u32, end: u32) -> (TextQuoteSelector, TextPositionSelector) {
    let s = utf16_to_byte(text, start);
    let e = utf16_to_byte(text, end.max(start)).max(s);
    let before = &text[..s];
    let prefix_start = before.char_indices().rev().nth(CONTEXT_CHARS - 1).map_or(0, |(i, _)| i);
    let after = &text[e..];
    let suffix_end = after.char_indices().nth(CONTEXT_CHARS).map_or(after.len(), |(i, _)| i);
    let quote = TextQuoteSelector {
        exact: text[s..e].to_string(),
        prefix: before[prefix_start..].to_string(),
        suffix: after[..suffix_end].to_string(),
    };
    let start = utf16_len(&text[..s]);
    (quote, TextPositionSelector { start, end: start + utf16_len(&text[s..e]) })
}

/// `text` with whitespace runs collapsed to one space, and for each kept
/// char the UTF-16 range it covers in the original.
struct Normalized {
    chars: Vec<char>,
    starts: Vec<u32>,
    ends: Vec<u32>,
}

fn normalize(text: &str) -> Normalized {
    let mut n = Normalized { chars: Vec::new(), starts: Vec::new(), ends: Vec::new() };
    let mut offset = 0u32;
    for c in text.chars() {
        let width = c.len_utf16() as u32;
        // The page text's block separators count as whitespace: a stored
        // quote has them cleaned to spaces (log::sanitize).
        if c.is_whitespace() || matches!(c, '\u{1C}'..='\u{1F}') {
            if n.chars.last() == Some(&' ') {
                *n.ends.last_mut().expect("a char was pushed") = offset + width;
            } else {
                n.chars.push(' ');
                n.starts.push(offset);
                n.ends.push(offset + width);
            }
        } else {
            n.chars.push(c);
            n.starts.push(offset);
            n.ends.push(offset + width);
        }
        offset += width;
    }
    n
}

fn squash(s: &str) -> Vec<char> {
    normalize(s).chars
}

/// Re-find `quote` in `text`: every exact occurrence (whitespace-tolerant) is
/// scored by how much of the prefix and suffix agree; ties go to the one
/// nearest `hint` (a UTF-16 offset, e.g. the stored position's start).
/// Returns the UTF-16 range in `text`.
pub fn anchor(text: &str, quote: &TextQuoteSelector, hint: Option<u32>) -> Option<Range<u32>> {
    let exact = squash(&quote.exact);
    if exact.is_empty() || exact == [' '] {
        return None;
    }
    let prefix = squash(&quote.prefix);
    let suffix = squash(&quote.suffix);
    let hay = normalize(text);
    let n = exact.len();
    if hay.chars.len() < n {
        return None;
    }
    let mut best: Option<(usize, u32, usize)> = None; // score, distance, start
    for i in 0..=hay.chars.len() - n {
        if hay.chars[i..i + n] != exact[..] {
            continue;
        }
        let before = hay.chars[..i].iter().rev().zip(prefix.iter().rev()).take_while(|(a, b)| a == b).count();
        let after = hay.chars[i + n..].iter().zip(suffix.iter()).take_while(|(a, b)| a == b).count();
        let score = before + after;
        let distance = hint.map_or(0, |h| hay.starts[i].abs_diff(h));
        let better = match best {
            None => true,
            Some((s, d, _)) => score > s || (score == s && distance < d),
        };
        if better {
            best = Some((score, distance, i));
        }
    }
    let (_, _, i) = best?;
    Some(hay.starts[i]..hay.ends[i + n - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_with_context() {
        let text = "I bought an Acme phone. Acme support was great.";
        let (q, p) = describe(text, 24, 28);
        assert_eq!(q.exact, "Acme");
        assert_eq!(q.prefix, "I bought an Acme phone. ");
        assert_eq!(q.suffix, " support was great.");
        assert_eq!((p.start, p.end), (24, 28));
        let long = "x".repeat(100) + "Acme" + &"y".repeat(100);
        let (q, _) = describe(&long, 100, 104);
        assert_eq!((q.prefix.chars().count(), q.suffix.chars().count()), (CONTEXT_CHARS, CONTEXT_CHARS));
    }

    #[test]
    fn counts_utf16_like_the_dom() {
        // "😀" is two UTF-16 units; "é" one.
        let text = "😀 é Acme!";
        let (q, p) = describe(text, 5, 9);
        assert_eq!(q.exact, "Acme");
        assert_eq!((p.start, p.end), (5, 9));
        assert_eq!(anchor(text, &q, None), Some(5..9));
    }

    #[test]
    fn serializes_as_w3c_selectors() {
        let (q, p) = describe("a Acme b", 2, 6);
        let json = serde_json::to_value((&q, &p)).unwrap();
        assert_eq!(json[0]["type"], "TextQuoteSelector");
        assert_eq!(json[1], serde_json::json!({"type": "TextPositionSelector", "start": 2, "end": 6}));
    }

    #[test]
    fn anchors_table() {
        let quote = |exact: &str, prefix: &str, suffix: &str| TextQuoteSelector {
            exact: exact.into(),
            prefix: prefix.into(),
            suffix: suffix.into(),
        };
        let text = "Acme is fine. I love Acme phones. Acme phones break.";
        for (name, q, hint, want) in [
            ("unique", quote("love", "", ""), None, Some(16..20)),
            ("prefix decides", quote("Acme", "I love ", " phones"), None, Some(21..25)),
            ("suffix decides", quote("Acme", "", " phones break"), None, Some(34..38)),
            ("hint breaks ties", quote("Acme", "", ""), Some(33), Some(34..38)),
            ("first without hint", quote("Acme", "", ""), None, Some(0..4)),
            ("context beats hint", quote("Acme", "I love ", ""), Some(0), Some(21..25)),
            ("missing", quote("Zeta", "", ""), None, None),
            ("empty", quote("", "a", "b"), None, None),
        ] {
            assert_eq!(anchor(text, &q, hint), want, "{name}");
        }
        // Whitespace differs between capture and now.
        let now = "I  love\n\tAcme\n phones";
        assert_eq!(anchor(now, &quote("love Acme phones", "I ", ""), None), Some(3..21));
        let (q, _) = describe("I love Acme phones", 7, 11);
        assert_eq!(anchor(now, &q, None), Some(9..13));
    }
}
