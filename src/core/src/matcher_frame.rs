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
//!   ([`crate::page_watch::rescan_unit`]) and whether mentions on nodes
//!   that left must be dropped ([`crate::page_watch::prunes`]).
//! - [`FrameRequest::Roots`]: the roots those units named, described as
//!   [`RootFacts`] (on the page? in a field? which others hold it?) →
//!   [`FrameReply::Roots`]: which of them to scan again
//!   ([`crate::page_watch::outermost`], the WebAssembly path's rule too).
//! - [`FrameRequest::NearSelection`]: for the keyboard command, where the
//!   selection's start lies against each painted mention →
//!   [`FrameReply::NearSelection`]: which one's card to open and the
//!   answer to give ([`crate::page_watch::near_selection`]).
//! - [`FrameRequest::Pointer`] / [`FrameRequest::CardClosed`]: the hover
//!   intent ([`crate::page_watch::HoverIntent`]) → [`FrameReply::Pointer`].
//!   The content script sends the mentions whose range holds the caret at
//!   the point, with their boxes; the frame decides which one the point is
//!   on ([`hit`]), also for a click ([`FrameRequest::Hit`]).
//! - [`FrameRequest::Painted`]: how many mentions are painted →
//!   [`FrameReply::Painted`]: whether to report the count (for the badge).
//! - [`FrameRequest::CardOpening`] / [`FrameRequest::CardTicket`]: a card
//!   opening starts, and its ticket arrived → whether it is still the latest
//!   ([`card_frame::Openings`], the WebAssembly path's rule too).
//! - [`FrameRequest::Incoming`]: a message that reached the content script's
//!   `runtime.onMessage`, relayed whole with its sender → [`FrameReply::Incoming`]
//!   with the [`Act`] to carry out and the answers to give: the sender check
//!   and the request's meaning are decided here, never in JavaScript.

use serde::{Deserialize, Serialize};

use crate::brands::BrandGroup;
use crate::card_frame::{self, DumpRules};
use crate::page_text::{self, NodeSpan, WalkRules};
use crate::page_watch::{Change, HoverAction, RootFacts, Side, Unit};
use crate::protocol::requests::{Done, PageMentions, Pong};
use crate::protocol::{Answer, BenchRequest, Channel, GroupMentions, MentionSummary, ProtocolError, SenderInfo, TabRequest};
use crate::sender::OwnExtension;

pub use crate::frame_ticket::{is_well_formed_ticket, ticket_from_bytes, MAX_TICKETS as MAX_PENDING_TICKETS, TICKET_HEX_LEN};

/// `u32` words per mention in a `spans` buffer: start node, start offset,
/// end node, end offset (exclusive), group.
pub const SPAN_WORDS: usize = 5;

/// Excerpt radius for the popup's list, in UTF-16 units each side.
pub const EXCERPT_RADIUS: u32 = 40;

/// The service worker's pending matcher tickets: issued to a content script
/// for its page, redeemed once by the matcher frame in the same tab
/// ([`crate::frame_ticket`], shared with the card frame).
pub type TicketBook = crate::frame_ticket::Tickets;

/// Content script → matcher frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
// Every variant, for the generated JavaScript names (protocol::generated).
#[cfg_attr(test, derive(strum::EnumIter))]
pub enum FrameRequest {
    /// Match the text in the `text`/`starts`/`ends` buffers; with `url`, the
    /// reply also carries the popup's list.
    Scan { id: u32, url: Option<String> },
    /// What to rescan for these mutation records; whether the page moved
    /// from `started_at` (where highlighting started) to `now`.
    Changes { id: u32, started_at: String, now: String, changes: Vec<Change> },
    /// The pointer rests at (`x`, `y`) in a `width` × `height` viewport;
    /// `candidates` are the painted mentions whose range holds the caret there.
    Pointer { id: u32, candidates: Vec<Candidate>, card_open: bool, x: f64, y: f64, width: f64, height: f64 },
    /// A click at (`x`, `y`): which of `candidates`, if any, it was on;
    /// `interactive`: the click was inside a link, button or field (the
    /// hello's `card.interactiveSelector`), which keeps working as such.
    Hit {
        id: u32,
        x: f64,
        y: f64,
        candidates: Vec<Candidate>,
        #[serde(default)]
        interactive: bool,
    },
    /// A message from `runtime.onMessage`, relayed whole beside the request
    /// (as `message`, read like the service worker reads one: a second
    /// deserializer for JSON values here would cost the content module
    /// ~30 KB): who sent it (`sender_id`, `sender_url`, and whether from a
    /// tab), this extension's own id and pages' base URL
    /// (`runtime.getURL("")`), and `url`, the page's address now. Answered by
    /// [`Brain::act`].
    Incoming {
        id: u32,
        sender_id: Option<String>,
        #[serde(default)]
        sender_url: Option<String>,
        own_id: String,
        #[serde(default)]
        own_base: String,
        from_tab: bool,
        url: String,
    },
    /// The card closed while the pointer was over `mention` (if any).
    CardClosed { id: u32, mention: Option<u32> },
    /// `count` mentions are painted now.
    Painted { id: u32, count: u32 },
    /// A card opening starts (before its ticket is asked for).
    CardOpening { id: u32 },
    /// Opening `attempt`'s ticket arrived: show its card?
    CardTicket { id: u32, attempt: u32 },
    /// The roots the units of a `Changes` answer named, in order.
    Roots { id: u32, roots: Vec<RootFacts> },
    /// The keyboard command: whether this frame has the focus, how many
    /// mentions are painted, and where the selection's start lies against
    /// each, as `Range.comparePoint` answered (-1 before, 0 inside, 1 after;
    /// null where it could not; no list: nothing selected).
    NearSelection { id: u32, has_focus: bool, count: u32, sides: Option<Vec<Option<i8>>> },
}

/// Matcher frame → content script; see [`FrameRequest`] for the pairing.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(test, derive(strum::VariantNames), strum(serialize_all = "camelCase"))]
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
    /// change, in order, and with `prune`, drop the mentions on nodes that
    /// left the page first.
    Changes {
        id: u32,
        restart: bool,
        units: Vec<Unit>,
        prune: bool,
    },
    /// `changed`: the mention under the pointer is not the one before (else
    /// do nothing); `mention`: the one it is on now; `tooltip`: where the
    /// tooltip goes, when over a mention.
    Pointer {
        id: u32,
        changed: bool,
        mention: Option<u32>,
        action: HoverAction,
        tooltip: Option<(f64, f64)>,
    },
    /// The mention whose card the click opens; none: the click closes a
    /// card that is open.
    Hit {
        id: u32,
        mention: Option<u32>,
    },
    Incoming {
        id: u32,
        act: Act,
    },
    CardClosed {
        id: u32,
    },
    /// The count to tell the service worker, if it changed.
    Painted {
        id: u32,
        report: Option<u32>,
    },
    /// The opening's number ([`card_frame::Openings::start`]).
    CardOpening {
        id: u32,
        attempt: u32,
    },
    /// `show`: no later opening started meanwhile ([`card_frame::Openings::shows`]).
    CardTicket {
        id: u32,
        show: bool,
    },
    /// The roots to scan again (indices into the request's), in order.
    Roots {
        id: u32,
        rescan: Vec<u32>,
    },
    /// Open the card of `mention` (if any), then give `answer`.
    NearSelection {
        id: u32,
        mention: Option<u32>,
        answer: Reply,
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
            | FrameRequest::Hit { id, .. }
            | FrameRequest::Incoming { id, .. }
            | FrameRequest::CardClosed { id, .. }
            | FrameRequest::Painted { id, .. }
            | FrameRequest::CardOpening { id }
            | FrameRequest::CardTicket { id, .. }
            | FrameRequest::Roots { id, .. }
            | FrameRequest::NearSelection { id, .. } => *id,
        }
    }
}

/// A painted mention whose range holds the caret at a point, with its
/// boxes (the range's client rects).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub index: u32,
    pub boxes: Vec<Edges>,
}

/// A client rect's edges, in CSS pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Edges {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// The mention the point (`x`, `y`) is on: the caret snaps to the nearest
/// text, so a candidate counts only when the point is on one of its own
/// boxes too (edges included). The first such candidate, in page order.
pub fn hit(x: f64, y: f64, candidates: &[Candidate]) -> Option<u32> {
    let on = |b: &Edges| x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
    candidates.iter().find(|c| c.boxes.iter().any(on)).map(|c| c.index)
}

/// What the content script does with a message it relayed, and the answers
/// it gives (built here, so the JavaScript only returns them).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "do", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(test, derive(strum::VariantNames), strum(serialize_all = "camelCase"))]
pub enum Act {
    /// Reply with `answer` as it is (a pong, a refusal).
    Answer {
        answer: Reply,
    },
    /// The settings changed: start over, then reply with `answer`.
    Restart {
        answer: Reply,
    },
    /// Scan the whole page for the popup's list and reply with it;
    /// `otherwise` when the scan was cut short (the page moved on).
    PageMentions {
        otherwise: Box<Reply>,
    },
    /// Answer with what the overlay painter holds (the JavaScript painter's
    /// own state: tests observe painting through this, never the page).
    Painted,
    /// Scroll to mention `index` and flash it: `done`, or `gone` when it
    /// is no longer on the page.
    Reveal {
        index: u32,
        done: Reply,
        gone: Reply,
    },
    /// Open the card for the mention nearest the selection: ask
    /// [`FrameRequest::NearSelection`] which one, and answer with its reply.
    OpenCard,
    /// Benchmarks (a `bench` build only): a timed full scan, the floor walk.
    BenchScan,
    BenchFloor,
}

/// What the content script answers a relayed request with, as it travels
/// (`{"type": "ok", …}` or `{"type": "error", "code": …}`). Typed, not JSON
/// built here: the frame's one serializer writes it (a `serde_json` copy of
/// the capture types cost the content module about 100 KB).
pub type Reply = Answer<TabReply>;

/// The reply types of the tab requests the strict-CSP path answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TabReply {
    Pong(Pong),
    Mentions(PageMentions),
    Done(Done),
}

fn refusal(e: ProtocolError) -> Reply {
    Answer::Error(e)
}

/// The frame's decisions that are not matching: rescan units, hover
/// intent, hit tests, count reporting and what a relayed message means,
/// for one content script.
#[derive(Debug, Default)]
pub struct Brain {
    hover: crate::page_watch::HoverIntent,
    reported: Option<u32>,
    /// The mention under the pointer at the last rest.
    under: Option<u32>,
    /// Escucha runs on this page (the hello's `enabled`).
    enabled: bool,
    /// A `bench` build: benchmark requests are answered.
    bench: bool,
    /// Which card opening shows a card (the same rule as the WebAssembly path's).
    openings: card_frame::Openings,
}

impl Brain {
    pub fn new(enabled: bool, bench: bool) -> Brain {
        Brain { enabled, bench, ..Brain::default() }
    }

    /// What to do with a message relayed from `runtime.onMessage`. Who may
    /// ask is [`crate::sender::authorize_tab_message`]'s rule, the same as
    /// the WebAssembly path's: this extension's own contexts (its service
    /// worker, its pages, also when a browser reports them in a tab); pages
    /// cannot reach `runtime.onMessage`, another tab's content script could.
    pub fn act(&self, message: serde_json::Value, sender: &SenderInfo, own: &OwnExtension, url: &str) -> Act {
        let refuse = |e: ProtocolError| Act::Answer { answer: refusal(e) };
        if let Err(e) = crate::sender::authorize_tab_message(sender, own) {
            return refuse(e);
        }
        if self.bench {
            if let Ok(b) = BenchRequest::from_wire(message.clone()) {
                return match b {
                    BenchRequest::BenchScan(_) => Act::BenchScan,
                    BenchRequest::BenchFloor(_) => Act::BenchFloor,
                };
            }
        }
        let request = match TabRequest::from_wire(message) {
            Ok(r) => r,
            Err(e) => return refuse(e),
        };
        let done = || Answer::Ok(TabReply::Done(Done {}));
        match request {
            TabRequest::Ping(_) => Act::Answer {
                answer: Answer::Ok(TabReply::Pong(Pong { version: crate::VERSION.into(), context: "content_script".into() })),
            },
            TabRequest::SettingsChanged(_) => Act::Restart { answer: done() },
            TabRequest::GetPageMentions(_) => {
                let none =
                    Answer::Ok(TabReply::Mentions(PageMentions { url: url.to_string(), total: 0, groups: vec![], captures: vec![] }));
                if self.enabled {
                    Act::PageMentions { otherwise: Box::new(none) }
                } else {
                    Act::Answer { answer: none }
                }
            }
            TabRequest::RevealMention(r) => Act::Reveal { index: r.index, done: done(), gone: refusal(ProtocolError::MentionGone) },
            TabRequest::GetPainted(_) => Act::Painted,
            TabRequest::OpenCard(_) => Act::OpenCard,
            // Selections are captured by the WebAssembly path only; the
            // strict-CSP page's card opens from mentions.
            other @ (TabRequest::LogSelection(_) | TabRequest::LogChanged(_)) => {
                refuse(ProtocolError::Forbidden { request: other.name().into() })
            }
        }
    }

    /// Answer every request but `Scan` (which needs the matcher and buffers)
    /// and `Incoming` (which needs the message beside it: [`Brain::act`]).
    pub fn answer(&mut self, request: &FrameRequest) -> Option<FrameReply> {
        Some(match request {
            FrameRequest::Scan { .. } => return None,
            FrameRequest::Changes { id, started_at, now, changes } => {
                let restart = crate::page_watch::navigated(started_at, now);
                let units = if restart { Vec::new() } else { changes.iter().map(|c| crate::page_watch::rescan_unit(*c)).collect() };
                let prune = !restart && changes.iter().any(|c| crate::page_watch::prunes(*c));
                FrameReply::Changes { id: *id, restart, units, prune }
            }
            FrameRequest::Roots { id, roots } => {
                FrameReply::Roots { id: *id, rescan: crate::page_watch::outermost_of(roots).into_iter().map(|i| i as u32).collect() }
            }
            FrameRequest::NearSelection { id, has_focus, count, sides } => {
                let sides = sides.as_ref().map(|v| v.iter().map(|c| c.map(|c| Side::from_compare(c.into()))));
                match crate::page_watch::near_selection(*has_focus, *count as usize, sides) {
                    Ok(mention) => FrameReply::NearSelection {
                        id: *id,
                        mention: mention.map(|i| i as u32),
                        answer: Answer::Ok(TabReply::Done(Done {})),
                    },
                    Err(e) => FrameReply::NearSelection { id: *id, mention: None, answer: refusal(e) },
                }
            }
            FrameRequest::Pointer { id, candidates, card_open, x, y, width, height } => {
                let mention = hit(*x, *y, candidates);
                let changed = mention != self.under;
                self.under = mention;
                FrameReply::Pointer {
                    id: *id,
                    changed,
                    mention,
                    action: if changed { self.hover.moved(mention, *card_open) } else { HoverAction::Wait },
                    tooltip: mention.map(|_| crate::page_watch::tooltip_position(*x, *y, *width, *height)),
                }
            }
            FrameRequest::Hit { id, x, y, candidates, interactive } => {
                FrameReply::Hit { id: *id, mention: if *interactive { None } else { hit(*x, *y, candidates) } }
            }
            // Needs the message beside the request: see `act`.
            FrameRequest::Incoming { .. } => return None,
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
            FrameRequest::CardOpening { id } => FrameReply::CardOpening { id: *id, attempt: self.openings.start() },
            FrameRequest::CardTicket { id, attempt } => FrameReply::CardTicket { id: *id, show: self.openings.shows(*attempt) },
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
    /// The card host's and its iframe's inline styles ([`card_frame::HOST_STYLE`]).
    pub host_style: Vec<(String, String)>,
    pub frame_style: Vec<(String, String)>,
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
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
            host_style: pairs(card_frame::HOST_STYLE),
            frame_style: pairs(card_frame::FRAME_STYLE),
        },
        shadow_attached_event: crate::page_watch::SHADOW_ATTACHED_EVENT.into(),
        pointer: PointerRules {
            hover_css: crate::page_watch::MENTION_HOVER_CSS.into(),
            rest_ms: crate::page_watch::POINTER_REST_MS,
            tooltip,
            tooltip_style: pairs(crate::page_watch::TOOLTIP_HOST_STYLE),
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

    #[test]
    fn each_request_is_answered_by_its_own_reply_kind_and_id() {
        use crate::page_watch::Flow;
        let requests: Vec<(&str, &str)> = vec![
            (r#"{"type":"scan","id":1,"url":null}"#, "scan"),
            (
                r#"{"type":"changes","id":2,"startedAt":"https://a.example/","now":"https://a.example/","changes":[{"kind":"text"},{"kind":"added","node":"block","parent":"block","before":"block","after":null}]}"#,
                "changes",
            ),
            (
                r#"{"type":"pointer","id":3,"candidates":[{"index":4,"boxes":[{"left":0,"top":0,"right":20,"bottom":20}]}],"cardOpen":false,"x":1,"y":2,"width":800,"height":600}"#,
                "pointer",
            ),
            (r#"{"type":"hit","id":10,"x":1,"y":2,"candidates":[]}"#, "hit"),
            (r#"{"type":"incoming","id":11,"senderId":"me","ownId":"me","fromTab":false,"url":"https://a.example/"}"#, "incoming"),
            (
                r#"{"type":"changes","id":7,"startedAt":"","now":"","changes":[{"kind":"removed","anyJoining":true,"parent":"block","before":"text","after":null}]}"#,
                "changes",
            ),
            (r#"{"type":"cardClosed","id":5,"mention":4}"#, "cardClosed"),
            (r#"{"type":"painted","id":6,"count":2}"#, "painted"),
            (r#"{"type":"cardOpening","id":12}"#, "cardOpening"),
            (r#"{"type":"cardTicket","id":13,"attempt":1}"#, "cardTicket"),
            (r#"{"type":"roots","id":14,"roots":[{"connected":true,"excluded":false,"within":[]}]}"#, "roots"),
            (r#"{"type":"nearSelection","id":15,"hasFocus":true,"count":2,"sides":[null,-1]}"#, "nearSelection"),
        ];
        let mut brain = Brain::default();
        for (json, kind) in requests {
            let request: FrameRequest = serde_json::from_str(json).unwrap();
            let Some(reply) = brain.answer(&request) else {
                assert!(
                    kind == "scan" || kind == "incoming",
                    "only a scan (the matcher) and a relayed message (act) are answered elsewhere"
                );
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
        assert_eq!(v["prune"], false, "nothing left the page");
        let removal = |only_ours| FrameRequest::Changes {
            id: 10,
            started_at: String::new(),
            now: String::new(),
            changes: vec![Change::Removed { any_joining: true, only_ours, parent: Flow::Block, before: None, after: None }],
        };
        let v = serde_json::to_value(brain.answer(&removal(false)).unwrap()).unwrap();
        assert_eq!((v["units"].clone(), v["prune"].clone()), (serde_json::json!(["enclosingBlock"]), serde_json::json!(true)));
        let v = serde_json::to_value(brain.answer(&removal(true)).unwrap()).unwrap();
        assert_eq!((v["units"].clone(), v["prune"].clone()), (serde_json::json!(["nothing"]), serde_json::json!(false)), "our card closed");
        // Roots: the outermost, on the page, outside fields (page_watch::outermost).
        let roots: FrameRequest = serde_json::from_value(serde_json::json!({"type": "roots", "id": 11, "roots": [
            {"connected": true, "excluded": false, "within": [1]},
            {"connected": true, "excluded": false, "within": []},
            {"connected": false, "excluded": false, "within": []},
            {"connected": true, "excluded": true, "within": []},
            {"connected": true, "excluded": false, "within": []},
        ]}))
        .unwrap();
        assert_eq!(serde_json::to_value(brain.answer(&roots).unwrap()).unwrap()["rescan"], serde_json::json!([1, 4]));
        // The keyboard command: which card, and the answer.
        let near = |b: &mut Brain, has_focus, sides| {
            let r = FrameRequest::NearSelection { id: 12, has_focus, count: 2, sides };
            let v = serde_json::to_value(b.answer(&r).unwrap()).unwrap();
            (v["mention"].clone(), v["answer"].clone())
        };
        use serde_json::json;
        assert_eq!(near(&mut brain, true, None), (json!(0), json!({"type": "ok"})));
        // A click in a link stays the link's, even on a mention.
        let click = |b: &mut Brain, interactive| {
            let r = FrameRequest::Hit { id: 13, x: 10.0, y: 10.0, candidates: vec![Candidate { index: 2, boxes: vec![BOX] }], interactive };
            serde_json::to_value(b.answer(&r).unwrap()).unwrap()["mention"].clone()
        };
        assert_eq!((click(&mut brain, false), click(&mut brain, true)), (json!(2), json!(null)));
        assert_eq!(near(&mut brain, true, Some(vec![Some(1), Some(0)])), (json!(1), json!({"type": "ok"})), "inside the second");
        assert_eq!(near(&mut brain, true, Some(vec![Some(1), Some(-1)])), (json!(1), json!({"type": "ok"})), "before the second");
        assert_eq!(near(&mut brain, true, Some(vec![Some(1), Some(1)])), (json!(1), json!({"type": "ok"})), "after the last");
        assert_eq!(near(&mut brain, false, None), (json!(null), json!({"type": "ok"})), "another frame has the focus");
        assert_eq!(near(&mut brain, true, Some(vec![None, None])), (json!(null), json!({"type": "error", "code": "no_mention"})));
        // Counts: reported once per change.
        let mut painted =
            |n| serde_json::to_value(brain.answer(&FrameRequest::Painted { id: 1, count: n }).unwrap()).unwrap()["report"].clone();
        assert_eq!(painted(2), serde_json::json!(null), "2 was reported above");
        assert_eq!(painted(3), serde_json::json!(3));
        // Hover: the card closed under the pointer does not reopen there.
        let pointer = |b: &mut Brain, m: Option<u32>| {
            let candidates = m.map(|index| vec![Candidate { index, boxes: vec![BOX] }]).unwrap_or_default();
            let request = FrameRequest::Pointer { id: 1, candidates, card_open: false, x: 10.0, y: 10.0, width: 800.0, height: 600.0 };
            let v = serde_json::to_value(b.answer(&request).unwrap()).unwrap();
            assert_eq!(v["tooltip"].is_null(), m.is_none(), "a tooltip over a mention only");
            v["action"]["do"].clone()
        };
        assert_eq!(pointer(&mut brain, Some(4)), serde_json::json!("wait"), "still over 4, and closed over 4 above");
        assert_eq!(pointer(&mut brain, None), serde_json::json!("wait"));
        assert_eq!(pointer(&mut brain, Some(4)), serde_json::json!("openAfter"));
        // Card openings: a hover's, then a click's before the hover's ticket came.
        let mut ask = |r: FrameRequest| serde_json::to_value(brain.answer(&r).unwrap()).unwrap();
        let hover = ask(FrameRequest::CardOpening { id: 1 })["attempt"].as_u64().unwrap() as u32;
        let click = ask(FrameRequest::CardOpening { id: 2 })["attempt"].as_u64().unwrap() as u32;
        assert_eq!(ask(FrameRequest::CardTicket { id: 3, attempt: hover })["show"], false, "superseded by the click");
        assert_eq!(ask(FrameRequest::CardTicket { id: 4, attempt: click })["show"], true);
    }

    const BOX: Edges = Edges { left: 0.0, top: 0.0, right: 20.0, bottom: 20.0 };

    #[test]
    fn a_point_is_on_a_mention_only_on_its_own_boxes() {
        let two = |index, left| Candidate { index, boxes: vec![Edges { left, top: 0.0, right: left + 10.0, bottom: 10.0 }] };
        type Case = (&'static str, f64, f64, Vec<Candidate>, Option<u32>);
        let cases: Vec<Case> = vec![
            ("no candidate", 5.0, 5.0, vec![], None),
            ("inside", 5.0, 5.0, vec![two(3, 0.0)], Some(3)),
            ("on the edge", 10.0, 10.0, vec![two(3, 0.0)], Some(3)),
            ("caret snapped, point beside the box", 15.0, 5.0, vec![two(3, 0.0)], None),
            ("below the box", 5.0, 11.0, vec![two(3, 0.0)], None),
            ("the second candidate's box", 25.0, 5.0, vec![two(3, 0.0), two(4, 20.0)], Some(4)),
            (
                "a wrapped mention's second line",
                5.0,
                15.0,
                vec![Candidate { index: 7, boxes: vec![two(0, 50.0).boxes[0], Edges { left: 0.0, top: 12.0, right: 30.0, bottom: 20.0 }] }],
                Some(7),
            ),
        ];
        for (name, x, y, candidates, want) in cases {
            assert_eq!(hit(x, y, &candidates), want, "{name}");
        }
    }

    #[test]
    fn relayed_messages_are_checked_and_read_here() {
        use serde_json::json;
        let brain = Brain::new(true, false);
        let own = OwnExtension::new("me", "moz-extension://1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab/").unwrap();
        let act = |b: &Brain, message: serde_json::Value, sender: Option<&str>, from_tab: bool| {
            let sender = SenderInfo {
                extension_id: sender.map(str::to_string),
                url: Some(
                    if from_tab {
                        "https://b.example/other-tab"
                    } else {
                        "moz-extension://1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab/_generated_background_page.html"
                    }
                    .into(),
                ),
                tab_id: from_tab.then_some(4),
                frame_id: Some(0),
            };
            serde_json::to_value(b.act(message, &sender, &own, "https://a.example/t")).unwrap()
        };
        // Firefox reports our own pages opened in a tab (the popup as a page) with a tab: they may ask.
        let own_page_in_tab = SenderInfo {
            extension_id: Some("me".into()),
            url: Some("moz-extension://1b2c3d4e-aaaa-4bbb-8ccc-0123456789ab/popup/popup.html".into()),
            tab_id: Some(7),
            frame_id: Some(0),
        };
        assert_eq!(
            serde_json::to_value(brain.act(json!({"type": "getPainted"}), &own_page_in_tab, &own, "https://a.example/t")).unwrap(),
            json!({"do": "painted"})
        );
        let ping = json!({"type": "ping"});
        let cases: Vec<(&str, serde_json::Value, Option<&str>, bool, serde_json::Value)> = vec![
            (
                "another extension",
                ping.clone(),
                Some("other"),
                false,
                json!({"do": "answer", "answer": {"type": "error", "code": "unknown_sender"}}),
            ),
            ("no sender id", ping.clone(), None, false, json!({"do": "answer", "answer": {"type": "error", "code": "unknown_sender"}})),
            (
                "another tab's content script",
                ping.clone(),
                Some("me"),
                true,
                json!({"do": "answer", "answer": {"type": "error", "code": "unknown_sender"}}),
            ),
            (
                "ping",
                ping.clone(),
                Some("me"),
                false,
                json!({"do": "answer", "answer": {"type": "ok", "version": crate::VERSION, "context": "content_script"}}),
            ),
            ("settings changed", json!({"type": "settingsChanged"}), Some("me"), false, json!({"do": "restart", "answer": {"type": "ok"}})),
            (
                "reveal",
                json!({"type": "revealMention", "index": 2}),
                Some("me"),
                false,
                json!({"do": "reveal", "index": 2, "done": {"type": "ok"}, "gone": {"type": "error", "code": "mention_gone"}}),
            ),
            // Which mention, and the answer, come from `NearSelection` (tested above).
            ("open card", json!({"type": "openCard"}), Some("me"), false, json!({"do": "openCard"})),
            (
                "not for this path",
                json!({"type": "logSelection"}),
                Some("me"),
                false,
                json!({"do": "answer", "answer": {"type": "error", "code": "forbidden", "request": "logSelection"}}),
            ),
            (
                "a benchmark in a shipped build",
                json!({"type": "benchScan"}),
                Some("me"),
                false,
                json!({"do": "answer", "answer": {"type": "error", "code": "forbidden", "request": "benchScan"}}),
            ),
        ];
        for (name, message, sender, from_tab, want) in cases {
            assert_eq!(act(&brain, message, sender, from_tab), want, "{name}");
        }
        let mentions = act(&brain, json!({"type": "getPageMentions"}), Some("me"), false);
        assert_eq!(mentions["do"], "pageMentions");
        assert_eq!(mentions["otherwise"], json!({"type": "ok", "url": "https://a.example/t", "total": 0, "groups": [], "captures": []}));
        let off = Brain::new(false, false);
        assert_eq!(act(&off, json!({"type": "getPageMentions"}), Some("me"), false)["do"], "answer", "off: nothing to scan");
        let bench = Brain::new(true, true);
        assert_eq!(act(&bench, json!({"type": "benchScan"}), Some("me"), false), json!({"do": "benchScan"}));
        assert_eq!(act(&bench, json!({"type": "benchFloor"}), Some("me"), false), json!({"do": "benchFloor"}));
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
