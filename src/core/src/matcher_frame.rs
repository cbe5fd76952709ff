//! The matcher frame: how pages whose CSP forbids WebAssembly in content
//! scripts (`script-src 'self'`) still get highlighted by the same matcher.
//!
//! There the content script runs JavaScript only. It asks the service worker
//! for a one-time ticket ([`OpenMatcher`](crate::protocol::requests::OpenMatcher)),
//! opens `matcher/matcher.html#<ticket>` (an extension page, which may run
//! wasm) in a closed shadow root, and hands it one end of a `MessageChannel`
//! together with the ticket. The frame redeems the ticket with the service
//! worker for its page's brand list ([`TicketBook`]) and only ever answers the
//! port that came with that ticket, so a page script cannot use a matcher
//! frame as an oracle for the brand list: it never learns a ticket, and a
//! frame it opens itself has none to redeem.
//!
//! # Channel layout
//! Every message on the port is one of the typed enums below, serialized
//! as a plain object with a `type` tag (a request is wrapped as
//! `{request, ...buffers}`); bulk data travels beside the typed fields as
//! transferred `ArrayBuffer`s under fixed names. Each request
//! names its reply: the frame answers a [`FrameRequest`] variant only with
//! the [`FrameReply`] variant of the same name, carrying the same `id`.
//! - frame → content script, once: [`FrameReply::Hello`].
//! - [`FrameRequest::Scan`], with buffers `text` (the joined text of the
//!   scanned subtree, UTF-8 from `TextEncoder`; blocks separated by
//!   [`BLOCK_SEPARATOR`](crate::matching::BLOCK_SEPARATOR)), `starts` and
//!   `ends` (`u32`: where each text node begins and ends in that text, in
//!   UTF-16 units) → [`FrameReply::Scan`], with buffer `spans` (`u32`,
//!   [`SPAN_WORDS`] per mention in page order, see [`encode_spans`]).
//! - [`FrameRequest::Changes`]: mutation records described as
//!   [`Change`]s → [`FrameReply::Changes`]: what to rescan for each
//!   ([`crate::page_watch::rescan_unit`]).
//! - [`FrameRequest::Pointer`] / [`FrameRequest::CardClosed`]: the hover
//!   intent ([`crate::page_watch::HoverIntent`]) → [`FrameReply::Pointer`].
//! - [`FrameRequest::Painted`]: how many mentions are painted →
//!   [`FrameReply::Painted`]: whether to report the count (for the badge).

use serde::{Deserialize, Serialize};

use crate::brands::BrandGroup;
use crate::card_frame::{self, DumpRules};
use crate::page_text::{self, NodeSpan, WalkRules};
use crate::page_watch::{Change, HoverAction, Unit};
use crate::protocol::requests::PageMentions;
use crate::protocol::{Answer, GroupMentions, MentionSummary};

/// Pending tickets kept at most; the oldest go first. A content script
/// redeems its ticket within a second, so only abandoned ones are dropped.
pub const MAX_PENDING_TICKETS: usize = 64;

/// A ticket is 128 random bits as 32 lowercase hex digits.
pub const TICKET_HEX_LEN: usize = 32;

/// `u32` words per mention in a `spans` buffer: start node, start offset,
/// end node, end offset (exclusive), group.
pub const SPAN_WORDS: usize = 5;

/// Excerpt radius for the popup's list, in UTF-16 units each side.
pub const EXCERPT_RADIUS: u32 = 40;

/// A ticket from 16 random bytes.
pub fn ticket_from_bytes(bytes: &[u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn is_well_formed_ticket(ticket: &str) -> bool {
    ticket.len() == TICKET_HEX_LEN && ticket.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    ticket: String,
    tab_id: i32,
    url: String,
}

/// The service worker's pending tickets: issued to a content script for its
/// page, redeemed once by the matcher frame in the same tab.
#[derive(Debug, Default)]
pub struct TicketBook {
    pending: Vec<Pending>,
}

impl TicketBook {
    /// Remember `ticket` for the page `url` in `tab_id`.
    pub fn issue(&mut self, ticket: String, tab_id: i32, url: String) {
        if self.pending.len() >= MAX_PENDING_TICKETS {
            self.pending.remove(0);
        }
        self.pending.push(Pending { ticket, tab_id, url });
    }

    /// The page URL the ticket was issued for, if it is pending and the
    /// redeeming frame is in the same tab. A ticket redeems once: a second
    /// frame holding a copy gets nothing.
    pub fn redeem(&mut self, ticket: &str, tab_id: Option<i32>) -> Option<String> {
        let i = self.pending.iter().position(|p| p.ticket == ticket)?;
        if Some(self.pending[i].tab_id) != tab_id {
            return None;
        }
        Some(self.pending.remove(i).url)
    }

    pub fn forget_tab(&mut self, tab_id: i32) {
        self.pending.retain(|p| p.tab_id != tab_id);
    }
}

/// Content script → matcher frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FrameRequest {
    /// Match the text in the `text`/`starts`/`ends` buffers; with `url`, the
    /// reply also carries the popup's list.
    Scan { id: u32, url: Option<String> },
    /// What to rescan for these mutation records; whether the page moved
    /// from `started_at` (where highlighting started) to `now`.
    Changes { id: u32, started_at: String, now: String, changes: Vec<Change> },
    /// The pointer rests at (`x`, `y`) in a `width` × `height` viewport,
    /// over mention `mention` (or none) since the last request.
    Pointer { id: u32, mention: Option<u32>, card_open: bool, x: f64, y: f64, width: f64, height: f64 },
    /// The card closed while the pointer was over `mention` (if any).
    CardClosed { id: u32, mention: Option<u32> },
    /// `count` mentions are painted now.
    Painted { id: u32, count: u32 },
}

/// Matcher frame → content script; see [`FrameRequest`] for the pairing.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FrameReply {
    /// Sent once, when both the port and the brand list are here.
    Hello {
        hello: Box<FrameHello>,
    },
    /// The `spans` buffer travels beside; `phases` are timings for benchmarks.
    Scan {
        id: u32,
        phases: Vec<(String, f64)>,
        page_mentions: Option<Box<Answer<PageMentions>>>,
    },
    /// With `restart`, start over (a route change); else one unit per
    /// change, in order.
    Changes {
        id: u32,
        restart: bool,
        units: Vec<Unit>,
    },
    /// `tooltip`: where the tooltip goes, when over a mention.
    Pointer {
        id: u32,
        action: HoverAction,
        tooltip: Option<(f64, f64)>,
    },
    CardClosed {
        id: u32,
    },
    /// The count to tell the service worker, if it changed.
    Painted {
        id: u32,
        report: Option<u32>,
    },
    /// The request could not be read (a bug on one side): the waiting
    /// caller gets this instead of waiting forever.
    Refused {
        id: u32,
        reason: String,
    },
}

impl FrameRequest {
    pub fn id(&self) -> u32 {
        match self {
            FrameRequest::Scan { id, .. }
            | FrameRequest::Changes { id, .. }
            | FrameRequest::Pointer { id, .. }
            | FrameRequest::CardClosed { id, .. }
            | FrameRequest::Painted { id, .. } => *id,
        }
    }
}

/// The frame's decisions that are not matching: rescan units, hover
/// intent and count reporting, for one content script.
#[derive(Debug, Default)]
pub struct Brain {
    hover: crate::page_watch::HoverIntent,
    reported: Option<u32>,
}

impl Brain {
    /// Answer every request but `Scan` (which needs the matcher and buffers).
    pub fn answer(&mut self, request: &FrameRequest) -> Option<FrameReply> {
        Some(match request {
            FrameRequest::Scan { .. } => return None,
            FrameRequest::Changes { id, started_at, now, changes } => {
                let restart = crate::page_watch::navigated(started_at, now);
                let units = if restart { Vec::new() } else { changes.iter().map(|c| crate::page_watch::rescan_unit(*c)).collect() };
                FrameReply::Changes { id: *id, restart, units }
            }
            FrameRequest::Pointer { id, mention, card_open, x, y, width, height } => FrameReply::Pointer {
                id: *id,
                action: self.hover.moved(*mention, *card_open),
                tooltip: mention.map(|_| crate::page_watch::tooltip_position(*x, *y, *width, *height)),
            },
            FrameRequest::CardClosed { id, mention } => {
                self.hover.closed(*mention);
                FrameReply::CardClosed { id: *id }
            }
            FrameRequest::Painted { id, count } => {
                let report = crate::page_watch::count_to_report(self.reported, *count);
                if report.is_some() {
                    self.reported = report;
                }
                FrameReply::Painted { id: *id, report }
            }
        })
    }
}

/// One brand group's highlight in `CSS.highlights`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HighlightSpec {
    pub name: String,
    /// Earlier groups win where highlights overlap.
    pub priority: u32,
}

/// Everything the content script needs to walk, paint and watch a page,
/// decided here so that its JavaScript decides nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameHello {
    pub version: String,
    /// False when Escucha is off for this site: paint nothing.
    pub enabled: bool,
    /// Indexed by the group word of a span.
    pub highlights: Vec<HighlightSpec>,
    pub flash: HighlightSpec,
    /// How long the flash stays.
    pub flash_ms: u32,
    pub css: String,
    pub rules: WalkRules,
    /// Matches elements whose changes never cause a rescan (form fields,
    /// editable regions, our own UI).
    pub excluded_selector: String,
    /// How the content script opens the capture card on this page.
    pub card: CardRules,
    /// What shows that a mention can be clicked.
    pub pointer: PointerRules,
    /// The event Escucha's page-world hook sends when a shadow root is attached.
    pub shadow_attached_event: String,
}

/// The pointer cursor and tooltip over a mention ([`crate::page_watch`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointerRules {
    pub hover_css: String,
    pub rest_ms: u32,
    /// In the user's language.
    pub tooltip: String,
    pub tooltip_style: Vec<(String, String)>,
}

/// What the strict-CSP content script needs to open the capture card: which
/// clicks are not for the card, how long a hover waits, and how to copy the
/// DOM around a mention (see [`crate::card_frame`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardRules {
    pub interactive_selector: String,
    pub hover_open_ms: u32,
    pub dump: DumpRules,
}

/// `tooltip`: the mention tooltip in the user's language (`Key::MentionTooltip`).
pub fn hello(enabled: bool, groups: &[BrandGroup], tooltip: String) -> FrameHello {
    let groups = if enabled { groups } else { &[] };
    FrameHello {
        version: crate::VERSION.into(),
        enabled,
        highlights: (0..groups.len())
            .map(|i| HighlightSpec { name: page_text::highlight_name(i as u32), priority: (groups.len() - i) as u32 })
            .collect(),
        flash: HighlightSpec { name: page_text::FLASH_HIGHLIGHT.into(), priority: 1000 },
        flash_ms: page_text::FLASH_MS,
        css: crate::paint::overlay_css(groups),
        rules: page_text::walk_rules(),
        excluded_selector: excluded_selector(),
        card: CardRules {
            interactive_selector: card_frame::INTERACTIVE_SELECTOR.into(),
            hover_open_ms: card_frame::HOVER_OPEN_MS,
            dump: card_frame::dump_rules(),
        },
        shadow_attached_event: crate::page_watch::SHADOW_ATTACHED_EVENT.into(),
        pointer: PointerRules {
            hover_css: crate::page_watch::MENTION_HOVER_CSS.into(),
            rest_ms: crate::page_watch::POINTER_REST_MS,
            tooltip,
            tooltip_style: crate::page_watch::TOOLTIP_HOST_STYLE.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        },
    }
}

/// A selector for everything the walk never scans and typing in which must
/// never cause a rescan.
pub fn excluded_selector() -> String {
    crate::page_watch::excluded_selector()
}

/// Spans as the channel's `u32` layout ([`SPAN_WORDS`] per mention).
pub fn encode_spans(spans: &[NodeSpan]) -> Vec<u32> {
    let mut out = Vec::with_capacity(spans.len() * SPAN_WORDS);
    for s in spans {
        out.extend_from_slice(&[s.start_node, s.start_offset, s.end_node, s.end_offset, s.group]);
    }
    out
}

/// The popup's list for one scan of the whole page: mentions grouped by
/// brand group, each with its text and an excerpt of its block. `index` is
/// the mention's position in `spans`, which is page order.
pub fn summarize(units: &[u16], spans: &[NodeSpan], node_starts: &[u32], groups: &[BrandGroup]) -> Vec<GroupMentions> {
    let mut out: Vec<GroupMentions> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| GroupMentions { group: i as u32, name: g.name.clone(), color: g.color.clone(), mentions: vec![] })
        .collect();
    for (index, s) in spans.iter().enumerate() {
        let (Some(&a), Some(&b)) = (node_starts.get(s.start_node as usize), node_starts.get(s.end_node as usize)) else { continue };
        let (start, end) = (a + s.start_offset, b + s.end_offset);
        let Some(text) = units.get(start as usize..end as usize) else { continue };
        let Some(g) = out.get_mut(s.group as usize) else { continue };
        g.mentions.push(MentionSummary {
            index: index as u32,
            text: String::from_utf16_lossy(text),
            context: page_text::excerpt_units(units, start, end, EXCERPT_RADIUS, true),
        });
    }
    out.retain(|g| !g.mentions.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brands::BrandList;
    use crate::matching::{Matcher, BLOCK_SEPARATOR};

    const T1: &str = "0123456789abcdef0123456789abcdef";
    const T2: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn each_request_is_answered_by_its_own_reply_kind_and_id() {
        use crate::page_watch::Flow;
        let requests: Vec<(&str, &str)> = vec![
            (r#"{"type":"scan","id":1,"url":null}"#, "scan"),
            (
                r#"{"type":"changes","id":2,"startedAt":"https://a.example/","now":"https://a.example/","changes":[{"kind":"text"},{"kind":"added","node":"block","parent":"block","before":"block","after":null}]}"#,
                "changes",
            ),
            (r#"{"type":"pointer","id":3,"mention":4,"cardOpen":false,"x":1,"y":2,"width":800,"height":600}"#, "pointer"),
            (
                r#"{"type":"changes","id":7,"startedAt":"","now":"","changes":[{"kind":"removed","anyJoining":true,"parent":"block","before":"text","after":null}]}"#,
                "changes",
            ),
            (r#"{"type":"cardClosed","id":5,"mention":4}"#, "cardClosed"),
            (r#"{"type":"painted","id":6,"count":2}"#, "painted"),
        ];
        let mut brain = Brain::default();
        for (json, kind) in requests {
            let request: FrameRequest = serde_json::from_str(json).unwrap();
            let Some(reply) = brain.answer(&request) else {
                assert_eq!(kind, "scan", "only a scan needs the matcher");
                continue;
            };
            let v = serde_json::to_value(&reply).unwrap();
            assert_eq!(v["type"], kind, "{json}");
            assert_eq!(v["id"], request.id(), "{json}");
        }
        let route = |now: &str| FrameRequest::Changes {
            id: 8,
            started_at: "https://a.example/t/1".into(),
            now: now.into(),
            changes: vec![Change::Text],
        };
        assert_eq!(serde_json::to_value(brain.answer(&route("https://a.example/t/2")).unwrap()).unwrap()["restart"], true);
        assert_eq!(serde_json::to_value(brain.answer(&route("https://a.example/t/1")).unwrap()).unwrap()["restart"], false);
        let changes = FrameRequest::Changes {
            id: 9,
            started_at: String::new(),
            now: String::new(),
            changes: vec![Change::Text, Change::Added { node: Flow::Block, parent: Flow::Block, before: Some(Flow::Block), after: None }],
        };
        let v = serde_json::to_value(brain.answer(&changes).unwrap()).unwrap();
        assert_eq!(v["units"], serde_json::json!(["enclosingBlock", "node"]));
        // Counts: reported once per change.
        let mut painted =
            |n| serde_json::to_value(brain.answer(&FrameRequest::Painted { id: 1, count: n }).unwrap()).unwrap()["report"].clone();
        assert_eq!(painted(2), serde_json::json!(null), "2 was reported above");
        assert_eq!(painted(3), serde_json::json!(3));
        // Hover: the card closed under the pointer does not reopen there.
        let pointer = |b: &mut Brain, m| {
            let request = FrameRequest::Pointer { id: 1, mention: m, card_open: false, x: 10.0, y: 10.0, width: 800.0, height: 600.0 };
            let v = serde_json::to_value(b.answer(&request).unwrap()).unwrap();
            assert_eq!(v["tooltip"].is_null(), m.is_none(), "a tooltip over a mention only");
            v["action"]["do"].clone()
        };
        assert_eq!(pointer(&mut brain, Some(4)), serde_json::json!("wait"), "closed over 4 above");
        assert_eq!(pointer(&mut brain, None), serde_json::json!("wait"));
        assert_eq!(pointer(&mut brain, Some(4)), serde_json::json!("openAfter"));
    }

    #[test]
    fn tickets_redeem_once_in_their_own_tab_only() {
        let mut book = TicketBook::default();
        book.issue(T1.into(), 7, "https://a.example/".into());
        book.issue(T2.into(), 8, "https://b.example/".into());
        let cases: Vec<(&str, &str, Option<i32>, Option<&str>)> = vec![
            ("another tab cannot redeem", T1, Some(9), None),
            ("no tab cannot redeem", T1, None, None),
            ("unknown ticket", "00000000000000000000000000000000", Some(7), None),
            ("own tab redeems", T1, Some(7), Some("https://a.example/")),
            ("second redemption fails", T1, Some(7), None),
            ("other ticket untouched", T2, Some(8), Some("https://b.example/")),
        ];
        for (name, ticket, tab, want) in cases {
            assert_eq!(book.redeem(ticket, tab).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn ticket_book_is_bounded_and_forgets_closed_tabs() {
        let mut book = TicketBook::default();
        for i in 0..MAX_PENDING_TICKETS + 1 {
            book.issue(format!("{i:032x}"), 1, String::new());
        }
        assert_eq!(book.redeem(&format!("{:032x}", 0), Some(1)), None, "oldest dropped");
        assert!(book.redeem(&format!("{:032x}", 1), Some(1)).is_some());
        book.forget_tab(1);
        assert_eq!(book.redeem(&format!("{:032x}", 2), Some(1)), None);
    }

    #[test]
    fn tickets_are_32_lowercase_hex_digits() {
        let t = ticket_from_bytes(&[0xab; 16]);
        assert_eq!(t, "ab".repeat(16));
        for (s, ok) in [
            (t.as_str(), true),
            (T1, true),
            ("AB".repeat(16).as_str(), false),
            ("ab", false),
            ("", false),
            ("zz".repeat(16).as_str(), false),
        ] {
            assert_eq!(is_well_formed_ticket(s), ok, "{s}");
        }
    }

    #[test]
    fn hello_names_highlights_like_the_painter_and_is_empty_when_disabled() {
        let list = BrandList::default();
        let h = hello(true, &list.groups, "Click".into());
        assert_eq!(h.highlights.len(), list.groups.len());
        assert_eq!(h.highlights[0], HighlightSpec { name: "escucha-g0".into(), priority: list.groups.len() as u32 });
        assert_eq!(h.css, crate::paint::overlay_css(&list.groups));
        assert!(h.excluded_selector.contains("textarea") && h.excluded_selector.contains("[data-escucha-ui]"));
        let off = hello(false, &list.groups, "Click".into());
        assert!(!off.enabled && off.highlights.is_empty());
        assert!(!off.css.contains("escucha-g0"));
    }

    #[test]
    fn spans_and_summaries_from_a_joined_text() {
        // Nodes: "Hola " <b>"Movistar"</b> " y Zara" | "Otro post sobre Movistar"
        let nodes = [(false, "Hola "), (false, "Movistar"), (false, " y Zara"), (true, "Otro post sobre Movistar")];
        let (mut text, mut starts, mut ends) = (String::new(), vec![], vec![]);
        for (block, data) in nodes {
            if block {
                text.push(BLOCK_SEPARATOR);
            }
            starts.push(text.encode_utf16().count() as u32);
            text.push_str(data);
            ends.push(text.encode_utf16().count() as u32);
        }
        let list = BrandList::from_json(
            r##"{"groups":[{"name":"Telco","color":"#09f","terms":[{"text":"Movistar"}]},{"name":"Moda","color":"#f90","terms":[{"text":"Zara"}]}]}"##,
        )
        .unwrap();
        let matcher = Matcher::new(&list).unwrap();
        let spans = page_text::locate(&matcher.find(&text), &starts, &ends);
        assert_eq!(encode_spans(&spans), vec![1, 0, 1, 8, 0, 2, 3, 2, 7, 1, 3, 16, 3, 24, 0]);
        let units: Vec<u16> = text.encode_utf16().collect();
        let groups = summarize(&units, &spans, &starts, &list.groups);
        let flat: Vec<(u32, u32, &str, &str)> =
            groups.iter().flat_map(|g| g.mentions.iter().map(move |m| (g.group, m.index, m.text.as_str(), m.context.as_str()))).collect();
        assert_eq!(
            flat,
            vec![
                (0, 0, "Movistar", "Hola Movistar y Zara"),
                (0, 2, "Movistar", "Otro post sobre Movistar"),
                (1, 1, "Zara", "Hola Movistar y Zara"),
            ]
        );
    }
}
