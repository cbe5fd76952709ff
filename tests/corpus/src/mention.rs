//! Placing a mention the way a manager clicks one: a word inside a chosen
//! stretch of the page, found through the page's letters-and-digits
//! fingerprint (which ignores spacing, punctuation and case, so the page and
//! a text rendering of it can be compared).

use ego_tree::NodeId;
use escucha_core::capture::json_ld::fingerprint;

use crate::Doc;

/// A page's text nodes in document order with their fingerprints, and all of
/// them concatenated (to find a stretch of text that spans nodes).
pub struct PageText<'a> {
    pub nodes: Vec<(NodeId, &'a str)>,
    pub fps: Vec<String>,
    /// Every node's fingerprint, concatenated in document order.
    pub all: String,
    /// Byte offset of each node's fingerprint in `all`.
    pub starts: Vec<usize>,
}

impl<'a> PageText<'a> {
    pub fn new(doc: &'a Doc) -> PageText<'a> {
        let nodes = doc.text_nodes();
        let fps: Vec<String> = nodes.iter().map(|(_, t)| fingerprint(t)).collect();
        let mut all = String::new();
        let mut starts = Vec::with_capacity(fps.len());
        for f in &fps {
            starts.push(all.len());
            all.push_str(f);
        }
        PageText { nodes, fps, all, starts }
    }

    /// The node whose fingerprint holds byte `at` of `all`.
    pub fn node_at(&self, at: usize) -> usize {
        // The last node starting at or before `at` with a non-empty fingerprint.
        let mut i = self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        while i > 0 && self.fps[i].is_empty() {
            i -= 1;
        }
        i
    }
}

/// A text's fingerprint and, for each of its bytes, the index (in chars) of
/// the character it came from.
pub struct Fingerprinted {
    pub fp: String,
    pub char_of: Vec<u32>,
}

impl Fingerprinted {
    pub fn new(text: &str) -> Fingerprinted {
        let mut fp = String::new();
        let mut char_of = Vec::new();
        for (i, c) in text.chars().enumerate() {
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    fp.push(l);
                    for _ in 0..l.len_utf8() {
                        char_of.push(i as u32);
                    }
                }
            }
        }
        Fingerprinted { fp, char_of }
    }

    /// The fingerprint byte range of the characters `start..end` of the text.
    pub fn range(&self, start: u32, end: u32) -> (usize, usize) {
        (self.char_of.partition_point(|&c| c < start), self.char_of.partition_point(|&c| c < end))
    }
}

/// Every start of `needle` in `hay`, overlapping ones included.
pub fn occurrences(hay: &str, needle: &str) -> Vec<usize> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let step = needle.chars().next().map_or(1, char::len_utf8);
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        out.push(from + i);
        from += i + step;
    }
    out
}

/// A word of a text node: its byte range and its UTF-16 range (what a
/// mention's selection is).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word {
    pub bytes: (usize, usize),
    pub utf16: (u32, u32),
}

/// The words (maximal runs of letters and digits) of `text`.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<(usize, u32)> = None;
    let mut u16 = 0u32;
    for (b, c) in text.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert((b, u16));
        } else if let Some((sb, su)) = start.take() {
            out.push(Word { bytes: (sb, b), utf16: (su, u16) });
        }
        u16 += c.len_utf16() as u32;
    }
    if let Some((sb, su)) = start {
        out.push(Word { bytes: (sb, text.len()), utf16: (su, u16) });
    }
    out
}

/// The word of `text` holding byte `at` of the text's fingerprint.
pub fn word_at_fingerprint(text: &str, at: usize) -> Option<Word> {
    let mut fp_len = 0usize;
    let mut byte = None;
    for (b, c) in text.char_indices() {
        if c.is_alphanumeric() {
            fp_len += c.to_lowercase().map(char::len_utf8).sum::<usize>();
            if fp_len > at {
                byte = Some(b);
                break;
            }
        }
    }
    let byte = byte?;
    words(text).into_iter().find(|w| w.bytes.0 <= byte && byte < w.bytes.1)
}

/// Where in a post the manager clicks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placement {
    Start,
    Middle,
    End,
}

impl Placement {
    pub const ALL: [Placement; 3] = [Placement::Start, Placement::Middle, Placement::End];

    /// Pick the word at this placement among `words` (in reading order).
    pub fn pick<T: Copy>(self, words: &[T]) -> Option<T> {
        let i = match self {
            Placement::Start => 0,
            Placement::Middle => words.len() / 2,
            Placement::End => words.len().checked_sub(1)?,
        };
        words.get(i).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_carry_utf16_ranges() {
        let w = words("¡Hola, 𝒜cme! x");
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].utf16, (1, 5));
        // 𝒜 is two UTF-16 units and alphanumeric.
        assert_eq!(w[1].utf16, (7, 12));
        assert_eq!(w[2].utf16, (14, 15));
    }

    #[test]
    fn a_fingerprint_byte_finds_its_word() {
        let text = "Hi, Ünïcode world";
        // fingerprint: "hiünïcodeworld"; byte 2 is the start of "ü".
        assert_eq!(word_at_fingerprint(text, 2).map(|w| &text[w.bytes.0..w.bytes.1]), Some("Ünïcode"));
        assert_eq!(word_at_fingerprint(text, 13).map(|w| &text[w.bytes.0..w.bytes.1]), Some("world"));
        assert_eq!(word_at_fingerprint(text, 99), None);
    }

    #[test]
    fn occurrences_overlap_and_ranges_map_characters() {
        assert_eq!(occurrences("aaaa", "aa"), vec![0, 1, 2]);
        let f = Fingerprinted::new("a, é b");
        assert_eq!(f.fp, "aéb");
        assert_eq!(f.range(2, 4), (1, 3));
        assert_eq!(f.range(0, 6), (0, 4));
    }

    #[test]
    fn placements_pick_first_middle_last() {
        let w = [1, 2, 3, 4, 5];
        assert_eq!(Placement::ALL.map(|p| p.pick(&w)), [Some(1), Some(3), Some(5)]);
        assert_eq!(Placement::End.pick::<u8>(&[]), None);
    }
}
