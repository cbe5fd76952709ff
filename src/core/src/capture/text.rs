//! The comment's text as a reader sees it: blocks on their own lines,
//! whitespace collapsed, bounded to [`MAX_COMMENT_BYTES`] with a marker that
//! says how long the original was. Always plain text: markup in the page's
//! text nodes is just characters here.

use super::snapshot::{utf16_len, Snapshot};
use crate::page_text::INLINE_TAGS;

/// Comment text kept, in UTF-8 bytes.
pub const MAX_COMMENT_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedText {
    pub text: String,
    pub truncated: bool,
    /// UTF-16 length of the comment's raw text in the page.
    pub original_len: u32,
}

/// The marker appended to a cut comment.
pub fn truncation_marker(original_len: u32) -> String {
    format!("\n[… truncated by Escucha: the comment is {original_len} characters long]")
}

/// Render `root`'s text, leaving out subtrees `prune` names.
pub fn render(s: &Snapshot, root: u32, prune: &dyn Fn(u32) -> bool) -> RenderedText {
    let mut raw = String::new();
    let mut original_len = 0u32;
    let mut cut = false;
    let mut stack = vec![(root, true)];
    while let Some((id, entering)) = stack.pop() {
        let node = s.node(id);
        let block = node.is_element() && !INLINE_TAGS.contains(&node.tag());
        if !entering {
            if block {
                raw.push('\n');
            }
            continue;
        }
        if id != root && prune(id) {
            continue;
        }
        if !node.is_element() {
            original_len = original_len.saturating_add(node.text_len.max(utf16_len(&node.text)));
            cut |= node.text_cut();
            if raw.len() <= 2 * MAX_COMMENT_BYTES {
                // Newlines inside text are spaces to a reader; only blocks break lines.
                raw.extend(node.text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }));
            } else {
                cut = true;
            }
            continue;
        }
        if node.tag() == "br" {
            raw.push('\n');
        }
        if block {
            raw.push('\n');
        }
        stack.push((id, false));
        stack.extend(node.children.iter().rev().map(|c| (*c, true)));
    }
    let mut text = String::with_capacity(raw.len().min(MAX_COMMENT_BYTES + 128));
    for line in raw.lines() {
        let mut first = true;
        for word in line.split_whitespace() {
            if first {
                if !text.is_empty() {
                    text.push('\n');
                }
                first = false;
            } else {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
    if text.len() > MAX_COMMENT_BYTES {
        text.truncate(super::snapshot::floor_char_boundary(&text, MAX_COMMENT_BYTES));
        cut = true;
    }
    if cut {
        text.push_str(&truncation_marker(original_len));
    }
    RenderedText { text, truncated: cut, original_len }
}

/// `root`'s text nodes joined as the DOM's `textContent` would (pruned
/// subtrees left out), with the mention's UTF-16 range in that joined text:
/// `kept` indexes the joined kept text, `full` counts full node lengths so it
/// matches the live page even where the snapshot cut a node.
pub struct RawText {
    pub text: String,
    pub kept: Option<(u32, u32)>,
    pub full: Option<(u32, u32)>,
}

pub fn raw_text(s: &Snapshot, root: u32, prune: &dyn Fn(u32) -> bool) -> RawText {
    let mut text = String::new();
    let (mut kept_len, mut full_len) = (0u32, 0u32);
    let mut out = RawText { text: String::new(), kept: None, full: None };
    for id in s.descendants(root, prune) {
        let node = s.node(id);
        if node.is_element() {
            continue;
        }
        if id == s.mention_node {
            let from = node.text_from;
            let start = s.mention_start.saturating_sub(from).min(utf16_len(&node.text));
            let end = s.mention_end.saturating_sub(from).min(utf16_len(&node.text)).max(start);
            out.kept = Some((kept_len + start, kept_len + end));
            out.full = Some((full_len + s.mention_start, full_len + s.mention_end.max(s.mention_start)));
        }
        if text.len() < 4 * MAX_COMMENT_BYTES || id == s.mention_node {
            text.push_str(&node.text);
            kept_len += utf16_len(&node.text);
        }
        full_len = full_len.saturating_add(node.text_len.max(utf16_len(&node.text)));
    }
    out.text = text;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_dom::snap;

    #[test]
    fn renders_blocks_and_inline() {
        let s = snap("<html><body><div id=\"c\"><p>I  love <b>Acme</b>\n phones.</p><p>Line<br>two &lt;b&gt;</p><script>x()</script></div></body></html>", "Acme");
        let root = (0..s.nodes.len() as u32).find(|i| s.node(*i).attr("id") == Some("c")).unwrap();
        let r = render(&s, root, &|_| false);
        assert_eq!(r.text, "I love Acme phones.\nLine\ntwo <b>");
        assert!(!r.truncated);
        let raw = raw_text(&s, root, &|_| false);
        assert_eq!(raw.kept, Some((8, 12)));
        assert_eq!(&raw.text[8..12], "Acme");
    }
}
