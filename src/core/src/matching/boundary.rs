//! Whole-word checks on folded text.
//!
//! A match is whole-word when the character before it and the character after
//! it are not word characters — but only on a side where the match itself
//! begins/ends with a word character (so a term like "C++" needs no boundary
//! after its last "+", like `\b` in regexes). Word characters are letters of
//! any script (ñ, ç, accented letters, CJK, …), digits of any script and
//! combining marks. Punctuation, symbols, emoji, white space, apostrophes and
//! quotes, and the block separator are not. The check runs on the folded text,
//! where invisible characters are already gone, so "Zara\u{AD}goza" is one word.

use unicode_normalization::char::canonical_combining_class;

/// Letters and digits of any script, and combining marks: Unicode
/// `Alphabetic` (which includes most spacing marks, e.g. Indic vowel signs)
/// or `Numeric`, or a non-zero canonical combining class (accents, viramas,
/// Thai tone marks …). Variation selectors (the U+FE0F after "❤") have class
/// 0 and are not word characters, so "❤️Movistar" still finds Movistar.
#[inline]
pub(crate) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || canonical_combining_class(c) != 0
    }
}

/// The character starting at byte `pos` of valid UTF-8 `bytes`.
#[inline]
pub(crate) fn char_at(bytes: &[u8], pos: usize) -> Option<char> {
    let b0 = *bytes.get(pos)?;
    if b0 < 0x80 {
        return Some(b0 as char);
    }
    let w = if b0 >= 0xF0 {
        4
    } else if b0 >= 0xE0 {
        3
    } else {
        2
    };
    std::str::from_utf8(bytes.get(pos..pos + w)?).ok()?.chars().next()
}

/// The character ending at byte `pos` of valid UTF-8 `bytes`.
#[inline]
pub(crate) fn char_before(bytes: &[u8], pos: usize) -> Option<char> {
    if pos == 0 {
        return None;
    }
    let b = bytes[pos - 1];
    if b < 0x80 {
        return Some(b as char);
    }
    let mut start = pos - 1;
    while start > 0 && pos - start < 4 && (bytes[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    std::str::from_utf8(&bytes[start..pos]).ok()?.chars().next()
}

/// Whether folded `bytes[start..end]` stands as a whole word.
#[inline]
pub(crate) fn is_whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    if start >= end {
        return false;
    }
    // ASCII fast path for the common case.
    let first = bytes[start];
    let last = bytes[end - 1];
    let first_word = if first < 0x80 { first.is_ascii_alphanumeric() } else { char_at(bytes, start).is_some_and(is_word_char) };
    if first_word {
        if let Some(p) = char_before(bytes, start) {
            if is_word_char(p) {
                return false;
            }
        }
    }
    let last_word = if last < 0x80 { last.is_ascii_alphanumeric() } else { char_before(bytes, end).is_some_and(is_word_char) };
    if last_word {
        if let Some(n) = char_at(bytes, end) {
            if is_word_char(n) {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_table() {
        // (folded text, start, end, whole word?)
        let cases: &[(&str, &str, bool)] = &[
            ("zara zaragoza", "zara", true),
            ("zaragoza", "zara", false),
            ("la zara.", "zara", true),
            ("'zara'", "zara", true),
            ("\"zara\"", "zara", true),
            ("#zara!", "zara", true),
            ("xzara", "zara", false),
            ("zara2", "zara", false),
            ("zaraç", "zara", false),
            ("ñzara", "zara", false),
            ("東zara", "zara", false),
            ("zara\u{1E}x", "zara", true),
            ("zara\u{301}", "zara", false),
            ("😀zara😀", "zara", true),
            ("❤\u{FE0F}zara", "zara", true),
            ("zara\u{94D}", "zara", false),
            ("zara\u{E48}", "zara", false),
            ("c++x", "c++", true),
            ("xc++", "c++", false),
        ];
        for (text, needle, want) in cases {
            let s = text.find(needle).unwrap();
            assert_eq!(is_whole_word(text.as_bytes(), s, s + needle.len()), *want, "{text:?} {needle:?}");
        }
    }
}
