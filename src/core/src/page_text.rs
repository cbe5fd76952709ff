//! How a page's DOM becomes text to match, and how matches map back to it.
//!
//! The content script walks the DOM once and hands over every visible text
//! node's data joined into one string, plus where each node starts. This
//! module holds the rules for that walk (which elements are skipped, which are
//! inline so that `<b>Acme</b> Corp` stays one phrase) and turns matcher
//! offsets in the joined text back into (node, offset) pairs for DOM ranges.
//! All offsets are UTF-16 code units, as the DOM counts them.

use crate::matching::{Mention, BLOCK_SEPARATOR};

/// Elements whose text is never scanned: code, form fields, and embedded
/// documents (iframes get their own content script).
pub const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "textarea", "input", "select", "option", "button",
    "iframe", "object", "embed", "canvas", "svg", "math", "head", "title",
];

/// Elements that do not break a phrase: text on both sides joins up.
/// Everything else starts a new block, so matches never span two blocks.
pub const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr",
];

/// The attribute that marks Escucha's own UI; the walk skips it.
pub const OWN_UI_ATTRIBUTE: &str = "data-escucha-ui";

/// The walk's rules, as handed to the JavaScript collector.
pub fn walk_rules() -> WalkRules {
    WalkRules {
        skip_tags: SKIP_TAGS.iter().map(|s| s.to_string()).collect(),
        inline_tags: INLINE_TAGS.iter().map(|s| s.to_string()).collect(),
        own_ui_attribute: OWN_UI_ATTRIBUTE.into(),
        block_separator: BLOCK_SEPARATOR.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalkRules {
    pub skip_tags: Vec<String>,
    pub inline_tags: Vec<String>,
    pub own_ui_attribute: String,
    pub block_separator: String,
}

/// A mention located in the DOM: start and end as (node index, UTF-16 offset
/// within that node's data). The end is exclusive and may sit in a later node
/// when the mention crosses inline elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    pub start_node: u32,
    pub start_offset: u32,
    pub end_node: u32,
    pub end_offset: u32,
    pub group: u32,
    pub term: u32,
}

/// Map mentions in the joined text back to nodes.
///
/// `node_starts[i]` is where node `i`'s data begins in the joined text, and
/// `node_ends[i]` where it ends (separators sit between a node's end and the
/// next node's start). Mentions are sorted by start, as the matcher returns
/// them, so one forward pass suffices. A mention whose ends fall outside any
/// node (only possible if the inputs disagree) is dropped rather than guessed.
pub fn locate(mentions: &[Mention], node_starts: &[u32], node_ends: &[u32]) -> Vec<NodeSpan> {
    debug_assert_eq!(node_starts.len(), node_ends.len());
    let mut out = Vec::with_capacity(mentions.len());
    let mut cursor = 0usize;
    for m in mentions {
        // First node whose end is past the mention's start.
        while cursor < node_ends.len() && node_ends[cursor] <= m.start {
            cursor += 1;
        }
        let Some(start_node) = (cursor < node_starts.len() && node_starts[cursor] <= m.start).then_some(cursor) else {
            continue;
        };
        // Last node whose start is before the mention's end.
        let mut end_node = start_node;
        while end_node + 1 < node_starts.len() && node_starts[end_node + 1] < m.end {
            end_node += 1;
        }
        if m.end > node_ends[end_node] || m.end < node_starts[end_node] {
            continue;
        }
        out.push(NodeSpan {
            start_node: start_node as u32,
            start_offset: m.start - node_starts[start_node],
            end_node: end_node as u32,
            end_offset: m.end - node_starts[end_node],
            group: m.group,
            term: m.term,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(start: u32, end: u32) -> Mention {
        Mention { start, end, group: 0, term: 0 }
    }

    /// Join node texts the way the collector does; `true` before a node means
    /// a block boundary precedes it.
    fn join(nodes: &[(bool, &str)]) -> (String, Vec<u32>, Vec<u32>) {
        let (mut text, mut starts, mut ends) = (String::new(), vec![], vec![]);
        let mut len = 0u32;
        for (i, (block, data)) in nodes.iter().enumerate() {
            if *block && i > 0 {
                text.push(BLOCK_SEPARATOR);
                len += 1;
            }
            starts.push(len);
            text.push_str(data);
            len += data.encode_utf16().count() as u32;
            ends.push(len);
        }
        (text, starts, ends)
    }

    #[test]
    fn spans_within_and_across_nodes() {
        // "<p>Hola <b>Acme</b> Corp</p><p>😀 Acme</p>"
        let (_text, starts, ends) = join(&[(true, "Hola "), (false, "Acme"), (false, " Corp"), (true, "😀 Acme")]);
        // Joined: "Hola Acme Corp\u{1e}😀 Acme": "Acme Corp" is 5..14, second "Acme" after the emoji (2 units) is 18..22.
        let spans = locate(&[mention(5, 14), mention(18, 22)], &starts, &ends);
        assert_eq!(
            spans,
            vec![
                NodeSpan { start_node: 1, start_offset: 0, end_node: 2, end_offset: 5, group: 0, term: 0 },
                NodeSpan { start_node: 3, start_offset: 3, end_node: 3, end_offset: 7, group: 0, term: 0 },
            ]
        );
    }

    #[test]
    fn a_mention_ending_exactly_at_a_node_end_stays_in_that_node() {
        let (_t, starts, ends) = join(&[(true, "Acme"), (false, " rocks")]);
        let spans = locate(&[mention(0, 4)], &starts, &ends);
        assert_eq!((spans[0].end_node, spans[0].end_offset), (0, 4));
    }

    #[test]
    fn inconsistent_input_is_dropped_not_guessed() {
        let (_t, starts, ends) = join(&[(true, "abc"), (true, "def")]);
        // 3 is the separator between the nodes; 20 is past the end.
        assert!(locate(&[mention(3, 5), mention(18, 20)], &starts, &ends).is_empty());
    }

    #[test]
    fn rules_keep_inline_and_skip_sets_apart() {
        for t in SKIP_TAGS {
            assert!(!INLINE_TAGS.contains(t), "{t} cannot be both skipped and inline");
        }
        let rules = walk_rules();
        assert!(rules.skip_tags.iter().any(|t| t == "textarea"));
        assert_eq!(rules.block_separator, "\u{1e}");
    }
}
