//! The card frame: where the capture card lives, and what crosses into it.
//!
//! The card is an extension page (`extension/card/card.html`) loaded in an
//! iframe inside a closed shadow root that the content script places next to
//! the mention. Being cross-origin to the page, what the manager types there
//! never reaches the page's key listeners, page scripts cannot script or
//! click into it, and — being an extension page — it runs the full Rust
//! engine even on pages whose CSP forbids WebAssembly in content scripts.
//!
//! # Tickets
//! The content script asks the service worker for a one-time ticket
//! ([`OpenCardFrame`](crate::protocol::requests::OpenCardFrame)); the worker binds
//! it to the sender's tab and to the URL the browser reports for the sender
//! ([`CardTickets::issue`]). The frame, loaded as `card.html#<ticket>`,
//! claims it once ([`CardTickets::claim`]) and from then on every log or
//! edit it sends carries the ticket, which the worker checks against the
//! sender's tab ([`CardTickets::session`]). A page that embeds `card.html`
//! itself has no ticket (or one already claimed) and gets nothing.
//!
//! # Channel layout
//! The content script hands the frame one end of a `MessageChannel` in a
//! window message `{ticket}`; then every message on the port is one of two
//! typed enums, a plain object with a `type` tag (the JavaScript glue uses
//! the generated names `ToCardFrame` / `FromCardFrame`, see
//! `protocol::generated`):
//! - content script → frame: [`ToCardFrame`] (`open`, `focus`);
//! - frame → content script: [`FromCardFrame`] (`place`, `logged`, `close`).
//!
//! Port messages are one-way: a `MessageChannel` has no replies, so no
//! message waits for an answer (the frame's response to `open` is its first
//! `place`; each variant's doc says what the other side does). Which opening
//! shows a card is decided by [`Openings`], on both highlighting paths.
//!
//! # What the frame is given
//! Extraction runs in the frame only, over one of two page sources
//! ([`PageSource`]): the content script's own [`Snapshot`] and [`PageInfo`]
//! (the WebAssembly path), or, where no wasm runs in the content script, a
//! [`DomDump`] made by `extension/content/dom_dump.js` under [`DumpRules`]:
//! a bounded copy of the mention's ancestors' subtrees that is a superset of
//! what [`Snapshot::gather`] reads, so the same gathering rules run over it
//! here and give the same snapshot.

use serde::{Deserialize, Serialize};

use crate::brands::BrandList;
use crate::capture::extract::TextScope;
use crate::capture::page::MAX_JSON_LD_BYTES;
use crate::capture::snapshot::{self, DomSource};
use crate::capture::{extract, selector, url, PageInfo, Snapshot};
use crate::log::{Capture, CaptureContext, TextPosition, TextQuote};
use crate::matching::Matcher;

/// Clicks on these open what they are (links, controls), never the card.
pub const INTERACTIVE_SELECTOR: &str = "a[href], button, input, textarea, select, [contenteditable]";
/// How long the pointer rests on a mention before the card opens by itself.
pub const HOVER_OPEN_MS: u32 = 700;

/// The card's host element's inline styles, each `!important` so no page
/// rule reaches it; hidden until the frame says where it goes.
pub const HOST_STYLE: &[(&str, &str)] = &[
    ("all", "initial"),
    ("position", "absolute"),
    ("z-index", "2147483647"),
    ("left", "0px"),
    ("top", "0px"),
    ("width", "340px"),
    ("height", "0px"),
    // top11: the user agent's, so a closed popover (the page called
    // hidePopover or took the attribute away) is not drawn at all; shown,
    // the absolute position makes it a block.
    ("display", "revert"),
    ("visibility", "hidden"),
];

/// The card's iframe's inline styles (`!important`).
pub const FRAME_STYLE: &[(&str, &str)] =
    &[("border", "0"), ("width", "100%"), ("height", "100%"), ("display", "block"), ("color-scheme", "normal")];

pub use crate::frame_ticket::MAX_TICKETS;

/// Gap between the mention and the card, and the card's margin from the viewport's edges, in CSS px.
pub const GAP: f64 = 6.0;
pub const MARGIN: f64 = 8.0;
/// The card's width, in CSS px.
pub const CARD_WIDTH: f64 = 340.0;

/// The service worker's card tickets: issued to a content script, claimed
/// once by the card frame in the same tab, then presented with every write
/// ([`crate::frame_ticket`], shared with the matcher frame).
pub type CardTickets = crate::frame_ticket::Tickets;

/// Whether a capture citing `cited` may be logged from a card opened on
/// `page`: the page itself, or a canonical link on the same host (`www.`
/// aside). A page cannot file captures under another site's address.
pub fn cited_page_allowed(page: &str, cited: &str) -> bool {
    if page == cited {
        return true;
    }
    let host = |u: &str| url::host(u).map(|h| h.trim_start_matches("www.").to_ascii_lowercase());
    matches!((host(page), host(cited)), (Some(a), Some(b)) if a == b)
}

/// What the card was opened for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum CardTarget {
    /// A painted mention of brand group `group`; the frame names the brand and term.
    Mention { group: u32 },
    /// A logged comment, with the brand and term it was logged under.
    Named { brand: String, term: String },
    /// A selection that is not a mention.
    Selection,
}

/// Where the extraction reads the page from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum PageSource {
    /// Gathered by the WebAssembly content script (`content/context.rs`).
    Snapshot { snapshot: Snapshot, page: PageInfo },
    /// Dumped by `dom_dump.js` on pages without wasm in the content script.
    /// `node_start..node_end`: the mention in its text node (UTF-16).
    Dump { tree: DomDump, node_start: u32, node_end: u32, page: DomDump },
}

/// Everything the content script sends when the card opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardOpening {
    pub target: CardTarget,
    pub source: PageSource,
    /// The page's text as the highlighter joins it, and the mention in it
    /// (UTF-16), for the quote selectors; `None` when it was not found.
    pub text: String,
    pub text_start: Option<u32>,
    pub text_end: Option<u32>,
    /// The mention's words as the page shows them.
    pub exact: String,
    /// The mention's viewport rectangle and the viewport, for [`place`].
    pub anchor: Rect,
    pub viewport: Viewport,
    /// Opened from the keyboard: focus moves into the card.
    #[serde(default)]
    pub keyboard: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// The viewport's size and the page's scroll offset, in CSS px.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Viewport {
    pub width: f64,
    pub height: f64,
    pub scroll_x: f64,
    pub scroll_y: f64,
}

/// Content script → card frame, on the channel's port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
// Every variant, for the generated JavaScript names (protocol::generated).
#[cfg_attr(test, derive(strum::VariantNames), strum(serialize_all = "camelCase"))]
pub enum ToCardFrame {
    /// Show the card for this opening (sent once, right after the port).
    Open { opening: Box<CardOpening> },
    /// The content script focused the frame (a keyboard opening): move the
    /// focus into the card's form.
    Focus,
    /// The answer to [`FromCardFrame::Cover`]: what the page shows of and
    /// around the card now (the decision: `card_cover::covered`).
    Cover { seq: u32, facts: crate::card_cover::CoverFacts },
}

/// Card frame → content script, on the channel's port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(test, derive(strum::VariantNames), strum(serialize_all = "camelCase"))]
pub enum FromCardFrame {
    /// Put the host here (page coordinates, from [`place`]) and show it;
    /// `keyboard`: the card was opened from the keyboard, focus it.
    Place { at: Placement, keyboard: bool },
    /// The card logged `capture` (the content script repaints the mention).
    Logged { capture: Box<Capture> },
    /// The manager closed the card.
    Close,
    /// Log asks what the page shows of and around the card: the host's
    /// computed `properties`, its `pseudo` elements' content, and which
    /// top-layer `selectors` match another element (the lists are
    /// `card_cover`'s, sent so the strict-CSP JavaScript reads what Rust says).
    Cover { seq: u32, properties: Vec<String>, pseudo: Vec<String>, selectors: Vec<(String, crate::card_cover::TopLayerKind)> },
}

impl FromCardFrame {
    /// Log's question to the content script, with `card_cover`'s lists.
    pub fn cover(seq: u32) -> FromCardFrame {
        use crate::card_cover::{TopLayerKind, PSEUDO_ELEMENTS, STYLE_EXPECTED};
        FromCardFrame::Cover {
            seq,
            properties: STYLE_EXPECTED.iter().map(|(p, _)| p.to_string()).collect(),
            pseudo: PSEUDO_ELEMENTS.iter().map(|p| p.to_string()).collect(),
            selectors: TopLayerKind::SELECTORS.iter().map(|(s, k)| (s.to_string(), *k)).collect(),
        }
    }
}

/// Card openings in one page. A hover and a click can start two openings
/// before the first one's ticket has arrived; only the latest one shows a
/// card. One decision for both paths: the WebAssembly content script keeps
/// one, and on strict-CSP pages the matcher frame keeps it for the
/// JavaScript (`FrameRequest::CardOpening` / `CardTicket`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Openings {
    started: u32,
}

impl Openings {
    pub const fn new() -> Openings {
        Openings { started: 0 }
    }

    /// An opening starts: its number, to present when its ticket is here.
    pub fn start(&mut self) -> u32 {
        self.started = self.started.wrapping_add(1);
        self.started
    }

    /// Whether opening `attempt` (its ticket now here) is the one to show:
    /// no later opening started meanwhile.
    pub fn shows(&self, attempt: u32) -> bool {
        attempt == self.started
    }
}

/// Where the card goes, in page coordinates, and its height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// Place a card of natural height `card_h` next to `anchor`: below the
/// mention when it fits, else above it, else as low as it fits; always
/// inside the viewport (taller cards are cut to it and scroll inside).
pub fn place(anchor: Rect, card_h: f64, view: Viewport) -> Placement {
    let room = (view.height - 2.0 * MARGIN).max(40.0);
    let height = card_h.min(room).max(1.0);
    let width = CARD_WIDTH.min((view.width - 2.0 * MARGIN).max(120.0));
    let below = anchor.y + anchor.h + GAP;
    let above = anchor.y - GAP - height;
    let lowest = (view.height - MARGIN - height).max(MARGIN);
    let top = if below >= MARGIN && below + height <= view.height - MARGIN {
        below
    } else if above >= MARGIN && above <= lowest {
        above
    } else {
        // The mention is off screen (opened from the keyboard, or the page
        // scrolled), or there is no room either side: as close as fits.
        below.clamp(MARGIN, lowest)
    };
    let left = anchor.x.min(view.width - MARGIN - width).max(MARGIN);
    Placement { left: left + view.scroll_x, top: top + view.scroll_y, width, height }
}

/// The capture context the card shows for `opening`, and how much of the
/// post its text covers: the one place extraction runs, whichever path the
/// page came by. `page_url` is the address the browser reported for the
/// content script (not what it says).
pub fn capture_context(
    opening: CardOpening,
    page_url: &str,
    brands: &BrandList,
    now_ms: i64,
) -> Result<(CaptureContext, TextScope), DumpError> {
    let (snapshot, mut page) = match opening.source {
        PageSource::Snapshot { snapshot, page } => (snapshot, page),
        PageSource::Dump { tree, node_start, node_end, page } => {
            let tree = DumpTree::of_tree(tree)?;
            (tree.snapshot(node_start, node_end), DumpTree::of_page(page)?.page_info(page_url))
        }
    };
    page.url = page_url.to_string();
    // A canonical link on another host (a mobile or mirror host, a saved
    // copy) would be refused when logged (`cited_page_allowed`): the page's
    // own address is cited instead.
    if page.canonical_url.as_deref().is_some_and(|c| !cited_page_allowed(page_url, c)) {
        page.canonical_url = None;
    }
    let (brand, term) = match opening.target {
        CardTarget::Mention { group } => name_mention(brands, group, &opening.exact),
        CardTarget::Named { brand, term } => (brand, term),
        CardTarget::Selection => Default::default(),
    };
    let (quote, position) = match (opening.text_start, opening.text_end) {
        (Some(start), Some(end)) if start <= end => {
            let (quote, position) = selector::describe(&opening.text, start, end);
            (
                TextQuote { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix },
                Some(TextPosition { start: position.start, end: position.end }),
            )
        }
        _ => (TextQuote { exact: opening.exact, ..Default::default() }, None),
    };
    // The core builds (and cleans) the context: what it returns is a capture the team log accepts.
    let extraction = extract(&snapshot, &page, now_ms);
    let scope = extraction.text_scope;
    Ok((crate::log::sanitize::from_extraction(extraction, &brand, &term, quote, position), scope))
}

/// verify13: the team's reply to the comment under the card's mention
/// (`capture::reply`), read from the same page copy the extraction reads.
pub fn team_reply(
    source: &PageSource,
    page_url: &str,
    accounts: &crate::team_accounts::TeamAccounts,
    now_ms: i64,
) -> Option<crate::capture::reply::ReplyFound> {
    if accounts.is_empty() {
        return None;
    }
    let (snapshot, mut page) = match source.clone() {
        PageSource::Snapshot { snapshot, page } => (snapshot, page),
        PageSource::Dump { tree, node_start, node_end, page } => {
            let tree = DumpTree::of_tree(tree).ok()?;
            (tree.snapshot(node_start, node_end), DumpTree::of_page(page).ok()?.page_info(page_url))
        }
    };
    page.url = page_url.to_string();
    // The same base as the capture's (see `capture_context`).
    if page.canonical_url.as_deref().is_some_and(|c| !cited_page_allowed(page_url, c)) {
        page.canonical_url = None;
    }
    let on_page = accounts.for_page(page_url);
    crate::capture::reply::find_reply(&snapshot, &page, now_ms, &on_page)
}

/// The brand group's name and the term of it that `exact` matches.
fn name_mention(brands: &BrandList, group: u32, exact: &str) -> (String, String) {
    let Some(g) = brands.groups.get(group as usize) else { return Default::default() };
    let term = Matcher::new(brands)
        .ok()
        .and_then(|m| m.find(exact).into_iter().find(|x| x.group == group))
        .and_then(|x| g.terms.get(x.term as usize))
        .map(|t| t.text.clone())
        .unwrap_or_default();
    (g.name.clone(), term)
}

/// The rules `dom_dump.js` follows. Its budgets are twice the snapshot's
/// and it charges text in UTF-16 units, never more than the UTF-8 bytes the
/// snapshot charges; so wherever the dump stops copying whole subtrees,
/// gathering has already stopped, and the dump holds all it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpRules {
    /// Attributes copied (lower-case names), besides `data_prefix` ones.
    pub kept_attributes: Vec<String>,
    pub data_prefix: String,
    /// `data-*` names this long or longer are left out.
    pub max_data_name: usize,
    pub max_attributes: usize,
    /// UTF-16 units kept per attribute value in the tree (one more than the snapshot keeps).
    pub max_attribute_value: usize,
    /// Elements whose children are never copied.
    pub skip_tags: Vec<String>,
    /// Ancestors of the mention copied (one more than the snapshot keeps).
    pub max_ancestors: usize,
    /// Budget for whole subtrees: nodes, and text in UTF-16 units.
    pub max_nodes: usize,
    pub max_text: usize,
    /// Text charged per text node at most.
    pub max_node_text: usize,
    /// Text sent per text node at most (a node longer than this is cut).
    pub max_sent_text: usize,
    /// Element siblings copied per ancestor above the budget.
    pub max_shallow: usize,
    /// The page facts: elements matching this selector, with their text.
    pub page_selector: String,
    pub max_page_elements: usize,
    pub max_page_text: usize,
}

/// Attributes [`PageInfo::gather`] reads that the snapshot does not keep.
const PAGE_ATTRIBUTES: &[&str] = &["type", "http-equiv"];
/// Longest text node sent, in UTF-16 units: a longer one is cut (and the
/// snapshot's record of its full length is then this).
pub const MAX_SENT_TEXT: usize = 4 << 20;

pub fn dump_rules() -> DumpRules {
    DumpRules {
        kept_attributes: snapshot::KEPT_ATTRIBUTES.iter().chain(PAGE_ATTRIBUTES).map(|s| s.to_string()).collect(),
        data_prefix: "data-".into(),
        max_data_name: 40,
        max_attributes: snapshot::MAX_ATTRIBUTES + PAGE_ATTRIBUTES.len() + 1,
        max_attribute_value: snapshot::MAX_ATTRIBUTE_BYTES + 1,
        skip_tags: snapshot::SKIP_TAGS.iter().map(|s| s.to_string()).collect(),
        max_ancestors: snapshot::MAX_ANCESTORS + 1,
        max_nodes: 2 * snapshot::MAX_NODES,
        max_text: 2 * snapshot::MAX_TEXT_BYTES,
        max_node_text: snapshot::MAX_NODE_TEXT_BYTES,
        max_sent_text: MAX_SENT_TEXT,
        max_shallow: snapshot::MAX_SHALLOW_SIBLINGS + 1,
        page_selector: "title, meta, link, base, script[type]".into(),
        max_page_elements: 4000,
        max_page_text: MAX_JSON_LD_BYTES + 2,
    }
}

/// One node of a [`DomDump`]: an element (`tag`) or a text node (`text`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DumpNode {
    pub tag: Option<String>,
    /// Name, value, name, value…
    pub attrs: Vec<String>,
    pub text: Option<String>,
    pub children: Vec<u32>,
    /// The element has child nodes in the page (some may not be copied).
    pub has_children: bool,
}

/// A bounded copy of part of a page, as `dom_dump.js` sends it. `root` is
/// node 0; `mention` the text node the card was opened on (the tree only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DomDump {
    pub nodes: Vec<DumpNode>,
    pub mention: u32,
}

/// Why a dump was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DumpError {
    Empty,
    /// A child index out of range, not after its parent, or listed twice.
    BadChild {
        parent: u32,
        child: u32,
    },
    BadMention(u32),
}

impl std::fmt::Display for DumpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DumpError::Empty => write!(f, "the page dump is empty"),
            DumpError::BadChild { parent, child } => write!(f, "node {parent} lists an impossible child {child}"),
            DumpError::BadMention(m) => write!(f, "the mention {m} is not a text node of the dump"),
        }
    }
}

/// A checked [`DomDump`] that gathering can read ([`DomSource`]): children
/// always come after their parent, so it is a forest without cycles.
#[derive(Debug)]
pub struct DumpTree {
    dump: DomDump,
    parents: Vec<Option<u32>>,
}

/// A stand-in child for an element whose children were not copied: like a
/// comment node, it has neither tag nor text.
const OPAQUE: u32 = u32::MAX;

impl DumpTree {
    /// A tree dump: its `mention` must be a text node.
    pub fn of_tree(dump: DomDump) -> Result<DumpTree, DumpError> {
        let tree = DumpTree::checked(dump)?;
        match tree.node(tree.dump.mention) {
            Some(n) if n.tag.is_none() && n.text.is_some() => Ok(tree),
            _ => Err(DumpError::BadMention(tree.dump.mention)),
        }
    }

    /// A page dump: node 0 must be the document element.
    pub fn of_page(dump: DomDump) -> Result<DumpTree, DumpError> {
        let tree = DumpTree::checked(dump)?;
        match tree.node(0) {
            Some(n) if n.tag.is_some() => Ok(tree),
            _ => Err(DumpError::BadMention(0)),
        }
    }

    fn checked(dump: DomDump) -> Result<DumpTree, DumpError> {
        if dump.nodes.is_empty() {
            return Err(DumpError::Empty);
        }
        let mut parents = vec![None; dump.nodes.len()];
        for (i, n) in dump.nodes.iter().enumerate() {
            for &c in &n.children {
                let ok = (c as usize) < dump.nodes.len() && c as usize > i && parents[c as usize].is_none();
                if !ok {
                    return Err(DumpError::BadChild { parent: i as u32, child: c });
                }
                parents[c as usize] = Some(i as u32);
            }
        }
        Ok(DumpTree { dump, parents })
    }

    pub fn mention(&self) -> u32 {
        self.dump.mention
    }

    fn node(&self, id: u32) -> Option<&DumpNode> {
        self.dump.nodes.get(id as usize)
    }

    /// The snapshot around the mention (`start..end` in its text node).
    pub fn snapshot(&self, start: u32, end: u32) -> Snapshot {
        Snapshot::gather(self, &self.dump.mention, start, end)
    }

    /// The page facts, read from a page dump whose node 0 is the document element.
    pub fn page_info(&self, url: &str) -> PageInfo {
        PageInfo::gather(self, &0, url)
    }
}

impl DomSource for DumpTree {
    type Node = u32;

    fn same(&self, a: &u32, b: &u32) -> bool {
        a == b
    }

    fn parent(&self, node: &u32) -> Option<u32> {
        self.parents.get(*node as usize).copied().flatten()
    }

    fn children(&self, node: &u32) -> Vec<u32> {
        match self.node(*node) {
            Some(n) if n.children.is_empty() && n.has_children => vec![OPAQUE],
            Some(n) => n.children.clone(),
            None => Vec::new(),
        }
    }

    fn tag(&self, node: &u32) -> Option<String> {
        self.node(*node)?.tag.clone()
    }

    fn attribute_names(&self, node: &u32) -> Vec<String> {
        self.node(*node).map(|n| n.attrs.chunks(2).map(|p| p[0].clone()).collect()).unwrap_or_default()
    }

    fn attribute(&self, node: &u32, name: &str) -> Option<String> {
        self.node(*node)?.attrs.chunks(2).find(|p| p[0] == name).and_then(|p| p.get(1).cloned())
    }

    fn text(&self, node: &u32) -> Option<String> {
        let n = self.node(*node)?;
        if n.tag.is_some() {
            return None;
        }
        n.text.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_dom::TestDom;

    #[test]
    fn captures_may_cite_their_page_or_a_canonical_link_on_the_same_host() {
        let cases = [
            ("https://foro.example/t/1?p=2", "https://foro.example/t/1?p=2", true),
            ("https://foro.example/t/1?p=2", "https://foro.example/t/1", true),
            ("https://www.foro.example/t/1", "https://foro.example/t/1", true),
            ("http://127.0.0.1:8080/forum.html", "http://127.0.0.1/demo/forum.html", true),
            ("https://foro.example/t/1", "https://bank.example/", false),
            ("https://foro.example/t/1", "https://foro.example.evil/", false),
            ("https://foro.example/t/1", "not a url", false),
        ];
        for (page, cited, want) in cases {
            assert_eq!(cited_page_allowed(page, cited), want, "{page} → {cited}");
        }
    }

    #[test]
    fn only_the_latest_opening_shows_a_card() {
        // (openings started before each ticket arrives, which attempt's ticket arrives, shows)
        let mut o = Openings::default();
        let hover = o.start();
        let click = o.start();
        assert!(!o.shows(hover), "a later opening started while the hover's ticket was on its way");
        assert!(o.shows(click));
        let again = o.start();
        assert!(!o.shows(click) && o.shows(again), "each new opening supersedes the one before");
        let mut wrap = Openings { started: u32::MAX };
        let next = wrap.start();
        assert!(wrap.shows(next) && !wrap.shows(u32::MAX), "the count wraps without confusing two openings");
    }

    #[test]
    fn the_card_channel_travels_as_tagged_objects() {
        let place = FromCardFrame::Place { at: Placement { left: 1.0, top: 2.0, width: 3.0, height: 4.0 }, keyboard: true };
        let v = serde_json::to_value(&place).unwrap();
        assert_eq!(v, serde_json::json!({"type": "place", "at": {"left": 1.0, "top": 2.0, "width": 3.0, "height": 4.0}, "keyboard": true}));
        assert_eq!(serde_json::from_value::<FromCardFrame>(v).unwrap(), place);
        assert_eq!(serde_json::to_value(FromCardFrame::Close).unwrap(), serde_json::json!({"type": "close"}));
        assert_eq!(serde_json::to_value(ToCardFrame::Focus).unwrap(), serde_json::json!({"type": "focus"}));
        assert!(serde_json::from_value::<ToCardFrame>(serde_json::json!({"type": "open"})).is_err(), "an opening is required");
        assert!(serde_json::from_value::<ToCardFrame>(serde_json::json!({"type": "place"})).is_err(), "each direction has its own names");
    }

    #[test]
    fn the_card_stays_inside_the_viewport() {
        let view = Viewport { width: 1000.0, height: 600.0, scroll_x: 0.0, scroll_y: 2000.0 };
        let at = |x, y| Rect { x, y, w: 60.0, h: 16.0 };
        let cases = [
            ("room below", at(100.0, 100.0), 300.0, (100.0, 2122.0, 300.0)),
            ("low on screen: above", at(100.0, 500.0), 300.0, (100.0, 2194.0, 300.0)),
            ("near the right edge", at(900.0, 100.0), 300.0, (652.0, 2122.0, 300.0)),
            ("no room either side: as low as fits", at(100.0, 300.0), 400.0, (100.0, 2192.0, 400.0)),
            ("taller than the viewport: cut to it", at(100.0, 300.0), 900.0, (100.0, 2008.0, 584.0)),
            ("mention on the last line", at(100.0, 580.0), 300.0, (100.0, 2274.0, 300.0)),
            ("mention below the visible area", at(100.0, 1500.0), 300.0, (100.0, 2292.0, 300.0)),
            ("mention above the visible area", at(100.0, -400.0), 300.0, (100.0, 2008.0, 300.0)),
        ];
        for (name, anchor, h, (left, top, height)) in cases {
            let p = place(anchor, h, view);
            assert_eq!((p.left, p.top, p.height), (left, top, height), "{name}");
            assert!(p.top - view.scroll_y >= MARGIN && p.top - view.scroll_y + p.height <= view.height - MARGIN + 0.001, "{name}");
        }
    }

    /// A dump of the whole of `dom` (what `dom_dump.js` sends when
    /// everything fits): node ids renumbered in document order.
    fn whole_dump(dom: &TestDom, root: usize, mention: usize) -> DomDump {
        let mut out = DomDump::default();
        let mut stack = vec![(root, None::<u32>)];
        while let Some((n, parent)) = stack.pop() {
            let node = &dom.nodes[n];
            let id = out.nodes.len() as u32;
            if n == mention {
                out.mention = id;
            }
            out.nodes.push(DumpNode {
                tag: node.tag.clone(),
                attrs: node.attrs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect(),
                text: node.tag.is_none().then(|| node.text.clone()),
                children: vec![],
                has_children: !node.children.is_empty(),
            });
            if let Some(p) = parent {
                out.nodes[p as usize].children.push(id);
            }
            for &c in node.children.iter().rev() {
                stack.push((c, Some(id)));
            }
        }
        out
    }

    const THREAD: &str = r#"<html lang="es"><head><title>Hilo</title><link rel="canonical" href="https://foro.example/t/1"></head><body>
        <ol class="comment-list"><li id="comment-12" class="comment"><article class="comment-body">
        <div class="comment-author vcard"><b class="fn"><a href="https://maria.example.org/" class="url">María</a></b></div>
        <div class="comment-metadata"><a href="/t/1#comment-12"><time datetime="2015-03-03T16:12:00+00:00">3 marzo</time></a></div>
        <div class="comment-content"><p>The Acme One survived the drop test.</p><!-- a note --><span><!-- only a comment --></span></div>
        </article></li><li id="comment-13" class="comment"><div class="comment-content">Otro</div></li></ol></body></html>"#;

    #[test]
    fn gathering_over_a_dump_equals_gathering_over_the_page() {
        let dom = TestDom::parse(THREAD);
        let (text, s, e) = dom.find_text("Acme");
        let root = dom.root();
        let tree = DumpTree::of_tree(whole_dump(&dom, root, text)).unwrap();
        assert_eq!(tree.snapshot(s, e), Snapshot::gather(&dom, &text, s, e));
        let page = DumpTree::of_page(whole_dump(&dom, root, text)).unwrap();
        assert_eq!(page.page_info("https://foro.example/t/1?x"), PageInfo::gather(&dom, &root, "https://foro.example/t/1?x"));
    }

    #[test]
    fn uncopied_children_look_like_comment_nodes() {
        // The <span> holds only a comment (which the dump does not copy): it
        // still has children, as the page's own span does.
        let dom = TestDom::parse(THREAD);
        let (text, _, _) = dom.find_text("Acme");
        let mut dump = whole_dump(&dom, dom.root(), text);
        let span = dump.nodes.iter().position(|n| n.tag.as_deref() == Some("span")).unwrap();
        assert!(dump.nodes[span].children.is_empty());
        dump.nodes[span].has_children = true;
        let tree = DumpTree::of_tree(dump.clone()).unwrap();
        assert_eq!(tree.children(&(span as u32)), vec![OPAQUE]);
        assert_eq!((tree.tag(&OPAQUE), tree.text(&OPAQUE)), (None, None));
        dump.nodes[span].has_children = false;
        assert!(DumpTree::of_tree(dump).unwrap().children(&(span as u32)).is_empty());
    }

    fn opening(source: PageSource, text: &str, exact: &str) -> CardOpening {
        let start = text.find(exact).map(|b| text[..b].encode_utf16().count() as u32);
        CardOpening {
            target: CardTarget::Mention { group: 2 },
            source,
            text: text.into(),
            text_start: start,
            text_end: start.map(|s| s + exact.encode_utf16().count() as u32),
            exact: exact.into(),
            anchor: Rect::default(),
            viewport: Viewport::default(),
            keyboard: false,
        }
    }

    #[test]
    fn a_canonical_link_to_another_host_is_not_cited() {
        let dom = TestDom::parse(THREAD);
        let (text, s, e) = dom.find_text("Acme");
        let root = dom.root();
        let brands = BrandList::default();
        let page_text = "Hilo\u{1e}María\u{1e}The Acme One survived the drop test.";
        for (url, cited) in [
            // THREAD's canonical link is https://foro.example/t/1.
            ("https://foro.example/t/1?x", "https://foro.example/t/1"),
            ("https://www.foro.example/t/1?x", "https://foro.example/t/1"),
            ("http://127.0.0.1:8080/copy.html", "http://127.0.0.1:8080/copy.html"),
            ("https://m.foro.example/t/1", "https://m.foro.example/t/1"),
        ] {
            let snapshot = PageSource::Snapshot { snapshot: Snapshot::gather(&dom, &text, s, e), page: PageInfo::gather(&dom, &root, url) };
            let dump =
                PageSource::Dump { tree: whole_dump(&dom, root, text), node_start: s, node_end: e, page: whole_dump(&dom, root, text) };
            for source in [snapshot, dump] {
                let (ctx, _) = capture_context(opening(source, page_text, "Acme"), url, &brands, 0).unwrap();
                assert_eq!(ctx.page_url, cited, "{url}");
                assert!(cited_page_allowed(url, &ctx.page_url), "{url}: Log would refuse what the card cites");
            }
        }
    }

    #[test]
    fn both_paths_give_the_same_capture_and_name_the_mention() {
        let dom = TestDom::parse(THREAD);
        let (text, s, e) = dom.find_text("Acme");
        let root = dom.root();
        let url = "https://foro.example/t/1?x";
        let snapshot = PageSource::Snapshot { snapshot: Snapshot::gather(&dom, &text, s, e), page: PageInfo::gather(&dom, &root, url) };
        let dump = PageSource::Dump { tree: whole_dump(&dom, root, text), node_start: s, node_end: e, page: whole_dump(&dom, root, text) };
        let page_text = "Hilo\u{1e}María\u{1e}The Acme One survived the drop test.";
        let brands = BrandList::default();
        let a = capture_context(opening(snapshot, page_text, "Acme"), url, &brands, 0).unwrap();
        let b = capture_context(opening(dump, page_text, "Acme"), url, &brands, 0).unwrap();
        assert_eq!(a, b);
        let (a, scope) = a;
        assert_eq!(scope, TextScope::Post);
        assert_eq!(a.author_name.as_deref(), Some("María"));
        assert_eq!(a.page_url, "https://foro.example/t/1", "the canonical link is cited");
        assert_eq!(a.site, "foro.example");
        assert_eq!(a.quote.exact, "Acme");
        assert_eq!(a.position, Some(TextPosition { start: 15, end: 19 }));
        assert_eq!((a.brand.as_str(), a.term.as_str()), ("ACME", "Acme"));
    }

    #[test]
    fn malformed_dumps_are_refused() {
        let el = |children: Vec<u32>| DumpNode { tag: Some("p".into()), children, ..Default::default() };
        let text = DumpNode { text: Some("x".into()), ..Default::default() };
        let cases: Vec<(&str, DomDump, Option<DumpError>)> = vec![
            ("empty", DomDump::default(), Some(DumpError::Empty)),
            ("cycle", DomDump { nodes: vec![el(vec![1]), el(vec![0])], mention: 0 }, Some(DumpError::BadChild { parent: 1, child: 0 })),
            ("out of range", DomDump { nodes: vec![el(vec![5])], mention: 0 }, Some(DumpError::BadChild { parent: 0, child: 5 })),
            (
                "two parents",
                DomDump { nodes: vec![el(vec![1, 2]), el(vec![2]), text.clone()], mention: 2 },
                Some(DumpError::BadChild { parent: 1, child: 2 }),
            ),
            ("mention is an element", DomDump { nodes: vec![el(vec![1]), el(vec![])], mention: 1 }, Some(DumpError::BadMention(1))),
            ("fine", DomDump { nodes: vec![el(vec![1]), text.clone()], mention: 1 }, None),
        ];
        for (name, dump, want) in cases {
            assert_eq!(DumpTree::of_tree(dump).err(), want, "{name}");
        }
        assert!(DumpTree::of_page(DomDump { nodes: vec![el(vec![])], mention: 0 }).is_ok(), "a page dump: one element");
        assert_eq!(DumpTree::of_page(DomDump { nodes: vec![text], mention: 0 }).err(), Some(DumpError::BadMention(0)));
    }

    #[test]
    fn dump_rules_cover_what_gathering_reads() {
        let r = dump_rules();
        for a in snapshot::KEPT_ATTRIBUTES.iter().chain(["type", "http-equiv", "lang", "content", "rel", "href"].iter()) {
            assert!(r.kept_attributes.iter().any(|k| k == a), "{a}");
        }
        assert!(r.max_nodes >= snapshot::MAX_NODES && r.max_text >= snapshot::MAX_TEXT_BYTES);
        assert!(r.max_ancestors > snapshot::MAX_ANCESTORS && r.max_shallow > snapshot::MAX_SHALLOW_SIBLINGS);
        assert!(r.max_attribute_value > snapshot::MAX_ATTRIBUTE_BYTES && r.max_attributes > snapshot::MAX_ATTRIBUTES);
        assert!(r.max_page_text > MAX_JSON_LD_BYTES);
    }
}
