//! What a change on a live page means for highlighting, decided once for
//! both content-script paths: the WebAssembly content script calls these
//! directly; on strict-CSP pages the matcher frame runs them and the
//! content script's JavaScript only reads the DOM and executes the answer.
//!
//! The DOM glue describes each node by its [`Flow`] (read with the walk's
//! own layout rule, [`element_flow`]) and each mutation as a [`Change`]; [`rescan_unit`]
//! says what to scan again. The unit is what the reader sees as one run of
//! text: text joins across inline elements, so an edit inside `<b>` must
//! rescan the enclosing block, and every range touching that block is
//! dropped before it is scanned again.

use serde::{Deserialize, Serialize};

use crate::page_text;

/// The event Escucha's page-world hook (`extension/content/shadow_hook.js`)
/// dispatches on an element right after the page attached an open shadow
/// root to it. Content scripts cannot see `attachShadow` calls otherwise:
/// attaching a shadow root makes no mutation record, and a custom element
/// defined after load upgrades (and attaches) without any DOM change.
pub const SHADOW_ATTACHED_EVENT: &str = "escucha-shadow-attached";

/// The one rule for regions Escucha never scans and where typing must never
/// cause a rescan: skipped tags (form fields, scripts, `<head>`), editable
/// regions and Escucha's own UI.
pub fn excluded_selector() -> String {
    format!("{}, [contenteditable]:not([contenteditable=\"false\"]), [{}]", page_text::SKIP_TAGS.join(", "), page_text::OWN_UI_ATTRIBUTE)
}

/// How a node takes part in the text the reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Flow {
    /// A text node.
    Text,
    /// An element whose text joins its neighbours' (`<b>`, `<a>`, …).
    Inline,
    /// An element that starts its own block.
    Block,
    /// A document, shadow root or fragment: the top of a tree.
    Root,
    /// Comments and the like: invisible, but not a break either.
    Other,
}

impl Flow {
    /// Whether text on the far side of a neighbour with this flow can join
    /// text on the near side (`None`: no neighbour).
    fn joins_across(neighbour: Option<Flow>, parent: Flow) -> bool {
        match neighbour {
            Some(Flow::Block) => false,
            Some(_) => true,
            // The edge of the parent: a block parent or a tree top ends the run.
            None => parent == Flow::Inline,
        }
    }
}

/// One mutation record, as the glue describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum Change {
    /// A text node's data changed.
    Text,
    /// `node` was inserted into `parent`, between `before` and `after`.
    Added { node: Flow, parent: Flow, before: Option<Flow>, after: Option<Flow> },
    /// Nodes left `parent`; `any_joining` is true when one of the page's
    /// nodes among them was text, inline or other (not a block);
    /// `only_ours`: every node that left was Escucha's own UI (the card's
    /// or the tooltip's host, marked with
    /// [`page_text::OWN_UI_ATTRIBUTE`]), which held no page text;
    /// `before`/`after` are the record's siblings around the gap.
    Removed {
        any_joining: bool,
        #[serde(default)]
        only_ours: bool,
        parent: Flow,
        before: Option<Flow>,
        after: Option<Flow>,
    },
}

/// What to scan again for a [`Change`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Unit {
    /// The added node itself: a block, or a run cut off on both sides.
    Node,
    /// The block enclosing the change's target (the parent of an added node,
    /// the text node's parent, the element nodes left): walk up through
    /// inline elements to the first block or tree top.
    EnclosingBlock,
    /// Nothing to scan; ranges on removed nodes are pruned as detached.
    Nothing,
}

pub fn rescan_unit(change: Change) -> Unit {
    match change {
        Change::Text => Unit::EnclosingBlock,
        Change::Added { node, parent, before, after } => {
            let cut_off = !Flow::joins_across(before, parent) && !Flow::joins_across(after, parent);
            match node {
                // A block never joins its neighbours' text, but splits a run it lands in.
                Flow::Block | Flow::Inline if cut_off => Unit::Node,
                Flow::Block => Unit::EnclosingBlock,
                Flow::Text | Flow::Inline => Unit::EnclosingBlock,
                Flow::Root | Flow::Other => Unit::Nothing,
            }
        }
        // Closing the card or hiding the tooltip changes no text (a whole-page
        // rescan there once left a click right after closing the card without
        // its mention).
        Change::Removed { only_ours: true, .. } => Unit::Nothing,
        Change::Removed { any_joining, parent, before, after, .. } => {
            // Removing a block between two runs lets them join; removing text
            // or an inline element changes the run it was in.
            let rejoins = Flow::joins_across(before, parent) && Flow::joins_across(after, parent);
            if any_joining || rejoins {
                Unit::EnclosingBlock
            } else {
                Unit::Nothing
            }
        }
    }
}

/// Whether a change took page nodes away, so that mentions on nodes that
/// left the page must be dropped (pruned) before the rescan.
pub fn prunes(change: Change) -> bool {
    matches!(change, Change::Removed { only_ours: false, .. })
}

/// Which of a batch's changed roots to scan again, by index: those still
/// on the page (`connected`), not inside another one kept (`contains(a, b)`:
/// `a` is `b` or holds it, also through shadow roots; the first of equal
/// roots is kept), and not in a region the walk never scans (`excluded`,
/// [`excluded_selector`]: typing in a form field never causes a rescan).
/// Both paths call this: the WebAssembly content script with the DOM's own
/// answers, the matcher frame with the facts the strict-CSP glue read
/// ([`RootFacts`]).
pub fn outermost(
    count: usize,
    connected: impl Fn(usize) -> bool,
    contains: impl Fn(usize, usize) -> bool,
    excluded: impl Fn(usize) -> bool,
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(count);
    for r in (0..count).filter(|&r| connected(r)) {
        if out.iter().any(|&o| contains(o, r)) {
            continue;
        }
        out.retain(|&o| !contains(r, o));
        out.push(r);
    }
    out.retain(|&r| !excluded(r));
    out
}

/// What the strict-CSP glue reads about one changed root, for
/// [`outermost`] in the matcher frame.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootFacts {
    /// Still on the page.
    pub connected: bool,
    /// Inside a region matching [`excluded_selector`].
    pub excluded: bool,
    /// The other roots of the batch (by index) that are this same node or
    /// hold it, also through shadow roots.
    pub within: Vec<u32>,
}

/// [`outermost`] over facts read by the glue.
pub fn outermost_of(roots: &[RootFacts]) -> Vec<usize> {
    outermost(roots.len(), |r| roots[r].connected, |a, b| a == b || roots[b].within.contains(&(a as u32)), |r| roots[r].excluded)
}

/// Where a point lies against a mention's range (`Range.comparePoint`:
/// -1, 0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    Inside,
    After,
}

impl Side {
    pub fn from_compare(c: i16) -> Side {
        match c {
            ..0 => Side::Before,
            0 => Side::Inside,
            _ => Side::After,
        }
    }
}

/// The mention the keyboard command opens a card for. `has_focus`: this
/// frame has the focus (else another frame of the tab answers, and this one
/// says it is done); `count`: mentions painted, in page order; `sides`:
/// where the selection's start lies against each of them (`None` for one
/// that cannot be compared, e.g. it left the page), or no `sides` at all
/// when nothing is selected. The first mention holding the point or after
/// it, else the last one before it; with no selection the first one.
/// `Ok(None)`: not this frame's to open.
pub fn near_selection(
    has_focus: bool,
    count: usize,
    sides: Option<impl IntoIterator<Item = Option<Side>>>,
) -> Result<Option<usize>, crate::protocol::ProtocolError> {
    if !has_focus {
        return Ok(None);
    }
    let found = match sides {
        None => (count > 0).then_some(0),
        Some(sides) => {
            let mut last_before = None;
            let mut at = None;
            for (i, side) in sides.into_iter().enumerate() {
                match side {
                    Some(Side::Before | Side::Inside) => {
                        at = Some(i);
                        break;
                    }
                    Some(Side::After) => last_before = Some(i),
                    None => {}
                }
            }
            at.or(last_before)
        }
    };
    found.map(Some).ok_or(crate::protocol::ProtocolError::NoMention)
}

/// The flow of an element, by the walk's own layout rule
/// ([`page_text::breaks_flow`]): `tag` is its lowercase local name,
/// `has_attribute` says which attributes it carries, and
/// `computed_display` is asked only where the tag cannot tell (custom
/// elements, tags with an inline style). So a custom element laid out
/// inline joins its neighbours' text, and a `<span style="display:block">`
/// starts its own block, exactly as the walk reads them.
///
/// A node that left the page has no computed style (an empty `display`):
/// it is taken as inline, the safe side, since a joining node makes the
/// glue rescan its whole block rather than miss a run that changed.
pub fn element_flow(tag: &str, has_attribute: impl Fn(&str) -> bool, computed_display: impl FnOnce() -> String) -> Flow {
    let display = || match computed_display() {
        d if d.is_empty() => "inline".to_string(),
        d => d,
    };
    if page_text::breaks_flow(tag, has_attribute, display) {
        Flow::Block
    } else {
        Flow::Inline
    }
}

/// Which count to tell the service worker (for the badge) after a change:
/// only a new one.
pub fn count_to_report(reported: Option<u32>, now: u32) -> Option<u32> {
    (reported != Some(now)).then_some(now)
}

/// Whether the page moved to another address since highlighting started
/// (a single-page app's route change): the site, and so the rules, may
/// differ, and everything starts over.
pub fn navigated(started_at: &str, now: &str) -> bool {
    started_at != now
}

/// A frame whose document has no address of its own (`about:blank`,
/// `about:srcdoc`) belongs to the document that made it, so the site rules
/// are decided by the nearest ancestor whose address the frame can read.
/// `ancestors` are the parent's, grandparent's, … addresses, `None` where
/// the frame cannot read one (another origin): the walk stops there, since
/// an unreadable parent is not the frame's maker's page we could vouch for.
pub fn deciding_url<'a>(own: &'a str, ancestors: &[Option<&'a str>]) -> &'a str {
    let mut url = own;
    for a in ancestors {
        if !inherits_address(url) {
            break;
        }
        match a {
            Some(parent) => url = parent,
            None => break,
        }
    }
    url
}

/// `about:blank` and `about:srcdoc` (with or without a fragment or query).
pub fn inherits_address(url: &str) -> bool {
    let base = url.split(['#', '?']).next().unwrap_or(url);
    base.eq_ignore_ascii_case("about:blank") || base.eq_ignore_ascii_case("about:srcdoc")
}

/// Adopted while the pointer rests on a mention, taken out when it leaves:
/// the Custom Highlight API cannot style the cursor, and this changes no
/// element of the page (the innermost hovered element is under the pointer).
pub const MENTION_HOVER_CSS: &str = "*:hover { cursor: pointer !important; }";

/// How long the pointer rests before we look what is under it (a hit test
/// per `mousemove` would cost more than it shows).
pub const POINTER_REST_MS: u32 = 60;

/// The tooltip's host: Escucha's own UI, fixed beside the pointer, never
/// catching the pointer, reset against the page's styles. Its text is set
/// as text, in its own shadow root.
pub const TOOLTIP_HOST_STYLE: &[(&str, &str)] = &[
    ("all", "initial"),
    ("position", "fixed"),
    ("z-index", "2147483647"),
    ("pointer-events", "none"),
    ("display", "block"),
    ("max-width", "320px"),
    ("padding", "4px 8px"),
    ("border-radius", "4px"),
    ("background", "#222"),
    ("color", "#fff"),
    ("font", "12px/1.4 system-ui, sans-serif"),
    ("box-shadow", "0 1px 4px rgba(0,0,0,.3)"),
];

/// Where the tooltip goes for a pointer at (x, y) in a viewport of
/// `width` × `height`: below and right of the pointer, kept on screen.
pub fn tooltip_position(x: f64, y: f64, width: f64, height: f64) -> (f64, f64) {
    let (w, h) = (320.0, 28.0);
    let left = (x + 12.0).min(width - w - 4.0).max(4.0);
    let top = if y + 20.0 + h > height { (y - h - 8.0).max(4.0) } else { y + 20.0 };
    (left, top)
}

/// How long the pointer must rest on a mention before its card opens, and
/// when it must not: a card the manager closed while the pointer rests on
/// its mention stays closed until the pointer leaves that mention.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HoverIntent {
    /// The mention whose card was closed under the pointer.
    dismissed: Option<u32>,
}

/// What to do when the pointer moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "do")]
pub enum HoverAction {
    /// Cancel any pending open; nothing else.
    Wait,
    /// Open the card of `mention` if the pointer still rests there after
    /// `ms`, counted from the rest that found it (the pointer already rested
    /// [`POINTER_REST_MS`] of [`HOVER_OPEN_MS`](crate::card_frame::HOVER_OPEN_MS)).
    OpenAfter { mention: u32, ms: u32 },
}

impl HoverIntent {
    /// The pointer is now over `mention` (or none); `card_open`: a card is showing.
    pub fn moved(&mut self, mention: Option<u32>, card_open: bool) -> HoverAction {
        if self.dismissed.is_some() && self.dismissed != mention {
            self.dismissed = None;
        }
        match mention {
            Some(m) if !card_open && self.dismissed != Some(m) => {
                HoverAction::OpenAfter { mention: m, ms: crate::card_frame::HOVER_OPEN_MS.saturating_sub(POINTER_REST_MS) }
            }
            _ => HoverAction::Wait,
        }
    }

    /// The card was closed while the pointer was over `mention` (if any).
    pub fn closed(&mut self, mention_under_pointer: Option<u32>) {
        self.dismissed = mention_under_pointer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Flow::*;

    #[test]
    fn rescan_units() {
        let added = |node, parent, before, after| Change::Added { node, parent, before, after };
        let removed = |any_joining, parent, before, after| Change::Removed { any_joining, only_ours: false, parent, before, after };
        let cases: Vec<(&str, Change, Unit)> = vec![
            ("edited text: its whole block", Change::Text, Unit::EnclosingBlock),
            ("<b>Corp</b> appended after \"ACME \"", added(Inline, Block, Some(Text), None), Unit::EnclosingBlock),
            ("text replacing <b>'s text (textContent)", added(Text, Inline, None, None), Unit::EnclosingBlock),
            ("a post appended to a feed", added(Block, Block, Some(Block), None), Unit::Node),
            ("the first post of an empty feed", added(Block, Block, None, None), Unit::Node),
            ("a new <body>", added(Block, Block, Some(Block), None), Unit::Node),
            ("a block landing inside a run splits it", added(Block, Block, Some(Text), Some(Text)), Unit::EnclosingBlock),
            ("a block at the end of an inline parent", added(Block, Inline, Some(Block), None), Unit::EnclosingBlock),
            ("an inline wrapper between two posts", added(Inline, Block, Some(Block), Some(Block)), Unit::Node),
            ("a comment", added(Other, Block, Some(Text), None), Unit::Nothing),
            ("a post removed from a feed", removed(false, Block, Some(Block), Some(Block)), Unit::Nothing),
            ("the last post removed", removed(false, Block, Some(Block), None), Unit::Nothing),
            ("<b>Corp</b> removed", removed(true, Block, Some(Text), None), Unit::EnclosingBlock),
            ("a block between two runs removed: they join", removed(false, Block, Some(Text), Some(Inline)), Unit::EnclosingBlock),
            (
                "our card's host removed from <html>",
                Change::Removed { any_joining: false, only_ours: true, parent: Block, before: Some(Block), after: None },
                Unit::Nothing,
            ),
            (
                "our inline-laid-out host removed between two runs",
                Change::Removed { any_joining: false, only_ours: true, parent: Block, before: Some(Text), after: Some(Text) },
                Unit::Nothing,
            ),
        ];
        for (name, change, want) in cases {
            assert_eq!(rescan_unit(change), want, "{name}");
        }
    }

    #[test]
    fn only_page_nodes_that_left_prune() {
        let removed = |only_ours| Change::Removed { any_joining: true, only_ours, parent: Block, before: None, after: None };
        assert!(prunes(removed(false)));
        assert!(!prunes(removed(true)), "closing the card drops no mention");
        assert!(!prunes(Change::Text));
        assert!(!prunes(Change::Added { node: Block, parent: Block, before: None, after: None }));
        // A description from before `only_ours` existed reads as the page's.
        let old: Change =
            serde_json::from_str(r#"{"kind":"removed","anyJoining":false,"parent":"block","before":null,"after":null}"#).unwrap();
        assert!(prunes(old));
    }

    /// A batch of roots in a toy tree: each root names its node, and a node
    /// its parent (`None`: the top; `Some(h)` across a shadow boundary too).
    #[test]
    fn the_outermost_roots_still_on_the_page_and_outside_fields_are_rescanned() {
        // Nodes: 0 body, 1 post A (in 0), 2 <b> in A, 3 post B (in 0),
        // 4 shadow host in B, 5 a node inside 4's shadow root, 6 textarea
        // (in 0), 7 text in the textarea, 8 a detached post.
        let parent = [None, Some(0), Some(1), Some(0), Some(3), Some(4), Some(0), Some(6), None];
        let excluded_nodes = [6, 7];
        let detached = [8];
        let holds = |a: usize, b: usize| {
            let mut n = Some(b);
            while let Some(x) = n {
                if x == a {
                    return true;
                }
                n = parent[x];
            }
            false
        };
        type Case = (&'static str, Vec<usize>, Vec<usize>);
        let cases: Vec<Case> = vec![
            ("nothing changed", vec![], vec![]),
            ("one post", vec![1], vec![0]),
            ("an inline edit inside a new post: the post", vec![2, 1], vec![1]),
            ("the post, then an edit inside it", vec![1, 2], vec![0]),
            ("two posts side by side", vec![1, 3], vec![0, 1]),
            ("the same post twice: the first", vec![3, 3], vec![0]),
            ("inside a shadow root: its host's post holds it", vec![5, 3], vec![1]),
            ("the body swallows everything", vec![2, 5, 0, 3], vec![2]),
            ("typing in a field rescans nothing", vec![7], vec![]),
            ("a field and a post", vec![7, 1], vec![1]),
            ("a post that left the page", vec![8, 1], vec![1]),
        ];
        for (name, roots, want) in cases {
            let got = outermost(
                roots.len(),
                |r| !detached.contains(&roots[r]),
                |a, b| holds(roots[a], roots[b]),
                |r| roots[r] != 0 && excluded_nodes.iter().any(|&e| holds(e, roots[r])),
            );
            assert_eq!(got, want, "{name}");
            // The same batch described as facts, as the strict-CSP glue sends it.
            let facts: Vec<RootFacts> = roots
                .iter()
                .enumerate()
                .map(|(i, &node)| RootFacts {
                    connected: !detached.contains(&node),
                    excluded: node != 0 && excluded_nodes.iter().any(|&e| holds(e, node)),
                    within: (0..roots.len()).filter(|&j| j != i && holds(roots[j], node)).map(|j| j as u32).collect(),
                })
                .collect();
            assert_eq!(outermost_of(&facts), want, "{name}, from facts");
        }
    }

    #[test]
    fn the_keyboard_opens_the_mention_at_or_after_the_selection() {
        use Side::*;
        type Case = (&'static str, bool, usize, Option<Vec<Option<Side>>>, Result<Option<usize>, crate::protocol::ProtocolError>);
        let none = Err(crate::protocol::ProtocolError::NoMention);
        let cases: Vec<Case> = vec![
            ("another frame has the focus", false, 3, None, Ok(None)),
            ("nothing selected: the first", true, 3, None, Ok(Some(0))),
            ("nothing selected, nothing painted", true, 0, None, none.clone()),
            ("a selection, nothing painted", true, 0, Some(vec![]), none.clone()),
            ("the caret inside the second", true, 3, Some(vec![Some(After), Some(Inside), Some(Before)]), Ok(Some(1))),
            ("the caret between the first and second", true, 3, Some(vec![Some(After), Some(Before), Some(Before)]), Ok(Some(1))),
            ("the caret before all", true, 2, Some(vec![Some(Before), Some(Before)]), Ok(Some(0))),
            ("after the last: the last", true, 2, Some(vec![Some(After), Some(After)]), Ok(Some(1))),
            ("one that left the page is skipped", true, 3, Some(vec![Some(After), None, Some(Before)]), Ok(Some(2))),
            ("none comparable", true, 2, Some(vec![None, None]), none.clone()),
        ];
        for (name, focus, count, sides, want) in cases {
            assert_eq!(near_selection(focus, count, sides), want, "{name}");
        }
        assert_eq!([-1, 0, 1].map(Side::from_compare), [Before, Inside, After]);
    }

    #[test]
    fn element_flows_follow_the_layout_rule() {
        // The walk's own cases (page_text::LAYOUT_CASES): the same answers
        // wherever there is a layout.
        let walk = page_text::LAYOUT_CASES
            .iter()
            .map(|&(tag, attrs, display, breaks, asked)| (tag, attrs, display, if breaks { Block } else { Inline }, asked));
        // Detached: no computed style, taken as inline (rescans more, misses nothing).
        let detached: &[(&str, &[&str], &str, Flow, bool)] = &[("x-b", &[], "", Inline, true), ("span", &["style"], "", Inline, true)];
        for (tag, attrs, display, want, want_asked) in walk.chain(detached.iter().copied()) {
            let asked = std::cell::Cell::new(false);
            let got = element_flow(
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
    fn an_edit_inside_a_custom_inline_element_rescans_its_block() {
        // `<p>ACME <x-b>Co</x-b></p>`, x-b's text edited to "Corp": the
        // glue walks up from x-b while it is inline; x-b laid out inline is
        // not a block, so the unit is <p> and "ACME Corp" is found again.
        let x_b = element_flow("x-b", |_| false, || "inline".into());
        assert_eq!(x_b, Inline);
        assert_eq!(rescan_unit(Change::Text), Unit::EnclosingBlock);
        // Appending a custom inline element after text joins the run.
        assert_eq!(rescan_unit(Change::Added { node: x_b, parent: Block, before: Some(Text), after: None }), Unit::EnclosingBlock);
        // A block inside an inline parent (`<a><div>x</div></a>`) is its own unit only when cut off.
        let div = element_flow("div", |_| false, || unreachable!());
        assert_eq!(rescan_unit(Change::Added { node: div, parent: Inline, before: None, after: None }), Unit::EnclosingBlock);
    }

    #[test]
    fn excluded_selector_names_fields_editables_and_our_ui() {
        let s = excluded_selector();
        for part in ["textarea", "input", "head", "[contenteditable]:not([contenteditable=\"false\"])", "[data-escucha-ui]"] {
            assert!(s.contains(part), "{part} in {s}");
        }
    }

    #[test]
    fn counts_are_reported_when_they_change() {
        assert_eq!(count_to_report(None, 0), Some(0));
        assert_eq!(count_to_report(Some(3), 3), None);
        assert_eq!(count_to_report(Some(3), 2), Some(2));
        assert!(navigated("https://a.example/t/1", "https://a.example/t/2"));
        assert!(!navigated("https://a.example/t/1", "https://a.example/t/1"));
    }

    #[test]
    fn frames_without_an_address_are_decided_by_their_makers_page() {
        let cases: Vec<(&str, &str, Vec<Option<&str>>, &str)> = vec![
            ("a normal page decides for itself", "https://a.example/x", vec![Some("https://b.example/")], "https://a.example/x"),
            ("srcdoc: its parent", "about:srcdoc", vec![Some("https://a.example/t/1")], "https://a.example/t/1"),
            (
                "blank: its parent",
                "about:blank",
                vec![Some("https://a.example/t/1"), Some("https://top.example/")],
                "https://a.example/t/1",
            ),
            (
                "blank in blank: the first real address",
                "about:blank",
                vec![Some("about:blank"), Some("https://a.example/")],
                "https://a.example/",
            ),
            ("unreadable parent: stays about:, so unsupported", "about:blank", vec![None, Some("https://a.example/")], "about:blank"),
            ("no parent", "about:blank", vec![], "about:blank"),
            ("other about: pages are not inherited", "about:settings", vec![Some("https://a.example/")], "about:settings"),
            ("blank with a fragment", "about:blank#x", vec![Some("https://a.example/")], "https://a.example/"),
        ];
        for (name, own, ancestors, want) in cases {
            assert_eq!(deciding_url(own, &ancestors), want, "{name}");
        }
        // And the site rules then decide by that address.
        let rules = crate::sites::SiteRules::default();
        assert_eq!(rules.allows(deciding_url("about:srcdoc", &[Some("https://a.example/")])), crate::sites::SiteDecision::Allowed);
        assert_eq!(rules.allows(deciding_url("about:srcdoc", &[None])), crate::sites::SiteDecision::Unsupported);
    }

    #[test]
    fn the_tooltip_stays_on_screen() {
        assert_eq!(tooltip_position(100.0, 100.0, 1000.0, 800.0), (112.0, 120.0));
        assert_eq!(tooltip_position(990.0, 100.0, 1000.0, 800.0), (676.0, 120.0), "right edge");
        assert_eq!(tooltip_position(100.0, 790.0, 1000.0, 800.0), (112.0, 754.0), "bottom edge: above the pointer");
        assert!(MENTION_HOVER_CSS.contains("cursor: pointer"));
    }

    #[test]
    fn a_card_closed_under_the_pointer_stays_closed_until_the_pointer_leaves() {
        let ms = crate::card_frame::HOVER_OPEN_MS - POINTER_REST_MS;
        let mut h = HoverIntent::default();
        assert_eq!(h.moved(None, false), HoverAction::Wait);
        assert_eq!(h.moved(Some(2), false), HoverAction::OpenAfter { mention: 2, ms });
        assert_eq!(h.moved(Some(2), true), HoverAction::Wait, "a card is open");
        h.closed(Some(2));
        assert_eq!(h.moved(Some(2), false), HoverAction::Wait, "resting on the closed one: no reopen");
        assert_eq!(h.moved(Some(2), false), HoverAction::Wait, "still resting");
        assert_eq!(h.moved(Some(3), false), HoverAction::OpenAfter { mention: 3, ms }, "another mention opens");
        h.closed(Some(3));
        assert_eq!(h.moved(None, false), HoverAction::Wait);
        assert_eq!(h.moved(Some(3), false), HoverAction::OpenAfter { mention: 3, ms }, "left and came back");
        h.closed(None);
        assert_eq!(h.moved(Some(3), false), HoverAction::OpenAfter { mention: 3, ms }, "closed elsewhere");
    }
}
