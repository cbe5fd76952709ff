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
    "script", "style", "noscript", "template", "textarea", "input", "select", "option", "button", "iframe", "object", "embed", "canvas",
    "svg", "math", "head", "title",
];

/// Elements that do not break a phrase: text on both sides joins up.
/// Everything else starts a new block, so matches never span two blocks.
pub const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "q", "s",
    "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
];

/// The attribute that marks Escucha's own UI; the walk skips it.
pub const OWN_UI_ATTRIBUTE: &str = "data-escucha-ui";

/// How an element takes part in the flow of text, judged by its tag; the
/// walk asks the computed style only where the tag cannot tell (see
/// [`needs_computed_style`]). The numbers are what the JavaScript walk gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Flow {
    /// Laid out inline: text on both sides joins up (`<b>Acme</b> Corp`).
    Inline = 0,
    /// Laid out as a block: a phrase never runs across its edges.
    Block = 1,
    /// Never scanned, and separates what is on either side of it.
    Skip = 2,
    /// A line break or a replaced element (an image, a video): no text of
    /// its own, but the words on either side are apart.
    Break = 3,
    /// The tag says nothing about layout (custom elements, unknown tags):
    /// only the computed `display` can tell.
    Computed = 4,
}

/// Tags that are inline by default, beyond [`INLINE_TAGS`] (which the
/// capture code shares and which stays the phrase-joining core).
const MORE_INLINE_TAGS: &[&str] = &["acronym", "big", "nobr", "ruby", "rb", "picture", "output", "map", "slot"];

/// Elements that render as boxes without text of their own.
pub const BREAK_TAGS: &[&str] = &["br", "img", "hr", "video", "audio", "meter", "progress", "area"];

/// Tags that are blocks by default.
const BLOCK_TAGS: &[&str] = &[
    "html",
    "body",
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dd",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "li",
    "legend",
    "listing",
    "main",
    "marquee",
    "menu",
    "nav",
    "ol",
    "p",
    "plaintext",
    "pre",
    "rt",
    "search",
    "section",
    "summary",
    "table",
    "caption",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "ul",
    "xmp",
    "frameset",
    "frame",
];

/// Editable regions and Escucha's own UI: skipped, whatever their tag.
const EDITABLE_SELECTOR: &str = "[contenteditable]:not([contenteditable=\"false\"]), [data-escucha-ui]";

/// The flow of an element by its tag alone.
pub fn flow_of(tag: &str) -> Flow {
    if SKIP_TAGS.contains(&tag) {
        Flow::Skip
    } else if BREAK_TAGS.contains(&tag) {
        Flow::Break
    } else if INLINE_TAGS.contains(&tag) || MORE_INLINE_TAGS.contains(&tag) {
        Flow::Inline
    } else if BLOCK_TAGS.contains(&tag) {
        Flow::Block
    } else {
        // Custom elements (`x-b`, `shreddit-comment`) are inline unless a
        // stylesheet says otherwise, and they are usually styled.
        Flow::Computed
    }
}

/// Attributes whose presence may change an inline tag's `display`. Only an
/// inline style: a class was tried and measured (issue 15): the first
/// computed-style question after the page changed forces the browser to
/// restyle the whole page, which cost 160 ms a walk on the 10k-post thread
/// (`<a class="author">` in every post) against 74 ms for the walk itself.
/// So `<span class="block">` (utility-class sites) is read as inline.
pub const INLINE_RESTYLED_BY: &[&str] = &["style"];

/// Attributes whose presence may change a block tag's `display`. Only an
/// inline style: asking every `<div class>` would cost the computed style of
/// nearly the whole page for the rare block made inline by a class.
pub const BLOCK_RESTYLED_BY: &[&str] = &["style"];

/// Whether the walk must ask the computed style of an element with this
/// tag, given which attributes it carries.
pub fn needs_computed_style(flow: Flow, has_attribute: impl Fn(&str) -> bool) -> bool {
    match flow {
        Flow::Computed => true,
        Flow::Inline => INLINE_RESTYLED_BY.iter().any(|a| has_attribute(a)),
        Flow::Block => BLOCK_RESTYLED_BY.iter().any(|a| has_attribute(a)),
        Flow::Skip | Flow::Break => false,
    }
}

/// Computed `display` values that keep an element in its line: its text
/// joins its neighbours'. Everything else (block, flex, grid, list-item,
/// table parts, none) breaks.
pub const INLINE_DISPLAYS: &[&str] =
    &["inline", "contents", "inline-block", "inline-flex", "inline-grid", "inline-table", "inline flow-root", "ruby", "ruby-base"];

/// Whether an element separates the text before it from the text after it.
/// `computed_display` is asked only when [`needs_computed_style`] says so.
pub fn breaks_flow(tag: &str, has_attribute: impl Fn(&str) -> bool, computed_display: impl FnOnce() -> String) -> bool {
    let flow = flow_of(tag);
    if needs_computed_style(flow, has_attribute) {
        return !INLINE_DISPLAYS.contains(&computed_display().as_str());
    }
    flow != Flow::Inline
}

/// The walk's rules, as handed to the JavaScript collector: data only, the
/// collector applies [`breaks_flow`] with them.
pub fn walk_rules() -> WalkRules {
    let mut tag_flow = std::collections::BTreeMap::new();
    for tags in [SKIP_TAGS, BREAK_TAGS, INLINE_TAGS, MORE_INLINE_TAGS, BLOCK_TAGS] {
        for t in tags {
            tag_flow.insert(t.to_string(), flow_of(t) as u8);
        }
    }
    let strs = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    WalkRules {
        skip_tags: strs(SKIP_TAGS),
        inline_tags: strs(INLINE_TAGS),
        tag_flow,
        unknown_flow: Flow::Computed as u8,
        inline_restyled_by: strs(INLINE_RESTYLED_BY),
        block_restyled_by: strs(BLOCK_RESTYLED_BY),
        inline_displays: strs(INLINE_DISPLAYS),
        editable_selector: EDITABLE_SELECTOR.into(),
        own_ui_attribute: OWN_UI_ATTRIBUTE.into(),
        block_separator: BLOCK_SEPARATOR.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalkRules {
    pub skip_tags: Vec<String>,
    /// The phrase-joining core of inline tags (kept for readers of the old
    /// rules); the walk itself uses `tag_flow`.
    pub inline_tags: Vec<String>,
    /// Tag → [`Flow`] as a number.
    pub tag_flow: std::collections::BTreeMap<String, u8>,
    /// The [`Flow`] of any tag not in `tag_flow`.
    pub unknown_flow: u8,
    pub inline_restyled_by: Vec<String>,
    pub block_restyled_by: Vec<String>,
    pub inline_displays: Vec<String>,
    /// Editable regions and Escucha's own UI: skipped like [`Flow::Skip`].
    pub editable_selector: String,
    pub own_ui_attribute: String,
    pub block_separator: String,
}

/// The name of a brand group's highlight in `CSS.highlights`.
pub fn highlight_name(group: u32) -> String {
    format!("escucha-g{group}")
}

/// The highlight for comments already in the log, one per status so that
/// the page shows where each stands (underline colour and style).
pub fn logged_highlight_name(status: crate::log::Status) -> String {
    format!("escucha-logged-{}", status.as_str())
}

/// Underline style per status: open work is wavy, settled work is solid.
fn logged_style(status: crate::log::Status) -> (&'static str, &'static str) {
    use crate::log::Status::*;
    match status {
        New => ("wavy", "#1c7ed6"),
        NeedsResponse => ("wavy", "#e8590c"),
        Escalated => ("wavy", "#c92a2a"),
        Responded => ("solid", "#2b8a3e"),
        Closed => ("solid", "#868e96"),
    }
}

/// The flash shown when the popup jumps to a mention.
pub const FLASH_HIGHLIGHT: &str = "escucha-flash";

/// How long the flash stays, in milliseconds.
pub const FLASH_MS: u32 = 1500;

/// The stylesheet that paints each group's highlight in its colour, with a
/// text colour that stays readable on it. Colours come from a validated
/// brand list (`#rgb`/`#rrggbb`); anything else falls back to the default so
/// nothing from settings can inject CSS.
pub fn highlight_css(groups: &[crate::brands::BrandGroup]) -> String {
    let mut css = String::new();
    for (i, g) in groups.iter().enumerate() {
        let (bg, fg) = match parse_hex_color(&g.color) {
            Some(rgb) => (hex(rgb), if luminance(rgb) > 0.45 { "#111" } else { "#fff" }),
            None => ("#ffd54f".to_string(), "#111"),
        };
        css.push_str(&format!("::highlight({}) {{ background-color: {bg}; color: {fg}; }}\n", highlight_name(i as u32)));
    }
    for status in crate::log::Status::ALL {
        let (style, color) = logged_style(status);
        css.push_str(&format!(
            "::highlight({}) {{ text-decoration: underline {style} 2px {color}; text-underline-offset: 3px; }}\n",
            logged_highlight_name(status)
        ));
    }
    css.push_str(&format!(
        "::highlight({FLASH_HIGHLIGHT}) {{ background-color: #1c7ed6; color: #fff; text-decoration: underline 3px #1c7ed6; }}\n"
    ));
    css
}

fn parse_hex_color(c: &str) -> Option<[u8; 3]> {
    let h = c.strip_prefix('#')?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = |s: &str| u8::from_str_radix(s, 16).ok();
    match h.len() {
        3 => Some([v(&h[0..1])? * 17, v(&h[1..2])? * 17, v(&h[2..3])? * 17]),
        6 => Some([v(&h[0..2])?, v(&h[2..4])?, v(&h[4..6])?]),
        _ => None,
    }
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// A short, single-line excerpt of `text` around the UTF-16 range
/// `start..end`, `radius` code units each side (whitespace runs folded),
/// marked with "…" where cut. Out-of-range input gives what is in range.
pub fn excerpt(text: &str, start: u32, end: u32, radius: u32) -> String {
    let units: Vec<u16> = text.encode_utf16().collect();
    excerpt_units(&units, start, end, radius, false)
}

/// Like [`excerpt`], on text already in UTF-16 units (so that excerpts of many
/// mentions in one long text cost no re-encoding). With `within_block`, the
/// excerpt also stops at the nearest [`BLOCK_SEPARATOR`] on each side, so an
/// excerpt of the joined page text never mixes two paragraphs or posts.
pub fn excerpt_units(units: &[u16], start: u32, end: u32, radius: u32, within_block: bool) -> String {
    let len = units.len() as u32;
    let (start, end) = (start.min(len), end.min(len).max(start.min(len)));
    // The excerpt may not reach past `lo..hi`: the whole text, or its block.
    let (mut lo, mut hi) = (0, len);
    if within_block {
        let sep = BLOCK_SEPARATOR as u16;
        if let Some(i) = units[..start as usize].iter().rposition(|&u| u == sep) {
            lo = i as u32 + 1;
        }
        if let Some(i) = units[end as usize..].iter().position(|&u| u == sep) {
            hi = end + i as u32;
        }
    }
    let mut from = start.saturating_sub(radius).max(lo);
    let mut to = (end + radius).min(hi);
    // Don't cut through a surrogate pair.
    if from > lo && (0xDC00..0xE000).contains(&units[from as usize]) {
        from -= 1;
    }
    if to < hi && (0xDC00..0xE000).contains(&units[to as usize]) {
        to += 1;
    }
    let (cut_before, cut_after) = (from > lo, to < hi);
    let body = String::from_utf16_lossy(&units[from as usize..to as usize]);
    let body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}{}{}", if cut_before { "…" } else { "" }, body, if cut_after { "…" } else { "" })
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

/// The layout rule's cases, shared by this module's tests and
/// `page_watch`'s (whose `element_flow` must give the same answers):
/// (tag, attributes present, computed display if asked, breaks?, asked?).
#[cfg(test)]
pub(crate) const LAYOUT_CASES: &[(&str, &[&str], &str, bool, bool)] = &[
    ("b", &[], "inline", false, false),
    ("a", &[], "inline", false, false),
    ("span", &["style"], "block", true, true),
    ("span", &["class"], "block", false, false),
    ("span", &["style", "class"], "inline-block", false, true),
    ("span", &["id"], "block", false, false),
    ("div", &[], "block", true, false),
    ("div", &["class"], "inline", true, false),
    ("div", &["style"], "inline", false, true),
    ("div", &["style"], "contents", false, true),
    ("p", &["style"], "flex", true, true),
    ("h3", &[], "block", true, false),
    ("li", &[], "list-item", true, false),
    ("x-b", &[], "inline", false, true),
    ("shreddit-comment", &[], "block", true, true),
    ("x-b", &[], "none", true, true),
    ("blink", &[], "inline", false, true),
    ("br", &["style"], "inline", true, false),
    ("img", &["class"], "inline", true, false),
    ("button", &[], "inline-block", true, false),
    ("script", &[], "none", true, false),
    ("wbr", &[], "inline", false, false),
    ("a", &["href"], "inline", false, false),
    ("p", &[], "block", true, false),
    ("body", &[], "block", true, false),
    ("x-b", &[], "contents", false, true),
    ("span", &["style"], "inline", false, true),
    ("div", &["style"], "inline-block", false, true),
    ("div", &["style"], "flex", true, true),
];

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
    fn css_uses_validated_colours_with_readable_text_and_never_injects() {
        use crate::brands::BrandList;
        let mut list = BrandList::default();
        list.groups[0].color = "#000".into();
        list.groups[1].color = "#ffeb3b".into();
        list.groups[2].color = "red;} body{display:none".into();
        let css = highlight_css(&list.groups);
        assert!(css.contains("::highlight(escucha-g0) { background-color: #000000; color: #fff; }"), "{css}");
        assert!(css.contains("::highlight(escucha-g1) { background-color: #ffeb3b; color: #111; }"), "{css}");
        assert!(css.contains("::highlight(escucha-g2) { background-color: #ffd54f; color: #111; }"), "{css}");
        assert!(!css.contains("display:none"));
        assert!(css.contains(FLASH_HIGHLIGHT));
    }

    #[test]
    fn excerpts_are_short_single_line_and_utf16_safe() {
        let text = "😀😀 Hola,\n  me encanta   Telefónica y su fibra óptica";
        let units: Vec<u16> = text.encode_utf16().collect();
        let start = text.encode_utf16().count() as u32 - "Telefónica y su fibra óptica".encode_utf16().count() as u32;
        let end = start + 10;
        assert_eq!(String::from_utf16_lossy(&units[start as usize..end as usize]), "Telefónica");
        assert_eq!(excerpt(text, start, end, 7), "…anta Telefónica y su f…");
        assert_eq!(excerpt(text, start, end, 500), "😀😀 Hola, me encanta Telefónica y su fibra óptica");
        // A cut inside the emoji's surrogate pair widens to keep it whole.
        assert!(excerpt(text, 3, 4, 2).starts_with("😀"), "{}", excerpt(text, 3, 4, 2));
        assert_eq!(excerpt("abc", 10, 20, 5), "abc");
    }

    #[test]
    fn block_excerpts_stop_at_block_separators() {
        let text = format!("Primer post largo{BLOCK_SEPARATOR}Hola Movistar qué tal{BLOCK_SEPARATOR}Otro post");
        let units: Vec<u16> = text.encode_utf16().collect();
        let start = 18 + 5;
        let cases = [(100, true, "Hola Movistar qué tal"), (3, true, "…la Movistar qu…"), (7, false, "…o\u{1e}Hola Movistar qué ta…")];
        for (radius, within, want) in cases {
            let got = excerpt_units(&units, start, start + 8, radius, within);
            assert_eq!(got, want, "radius {radius}, within {within}");
        }
    }

    #[test]
    fn breaks_follow_layout_and_ask_computed_style_only_where_ambiguous() {
        let cases = LAYOUT_CASES;
        for &(tag, attrs, display, want, want_asked) in cases {
            let asked = std::cell::Cell::new(false);
            let got = breaks_flow(
                tag,
                |a| attrs.contains(&a),
                || {
                    asked.set(true);
                    display.to_string()
                },
            );
            assert_eq!((got, asked.get()), (want, want_asked), "<{tag} {attrs:?}> display {display}");
        }
    }

    #[test]
    fn the_walk_gets_the_same_rule_as_data() {
        let rules = walk_rules();
        for tag in ["b", "span", "div", "br", "img", "script", "textarea", "li", "td", "x-b", "foo"] {
            let flow = rules.tag_flow.get(tag).copied().unwrap_or(rules.unknown_flow);
            assert_eq!(flow, flow_of(tag) as u8, "{tag}");
        }
        assert_eq!(rules.inline_restyled_by, ["style"]);
        assert_eq!(rules.block_restyled_by, ["style"]);
        assert!(rules.inline_displays.iter().any(|d| d == "inline"));
        assert!(rules.editable_selector.contains(OWN_UI_ATTRIBUTE));
        // No tag has two flows.
        let mut seen = std::collections::HashSet::new();
        for tags in [SKIP_TAGS, BREAK_TAGS, INLINE_TAGS, MORE_INLINE_TAGS, BLOCK_TAGS] {
            for t in tags {
                assert!(seen.insert(*t), "{t} listed twice");
            }
        }
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
