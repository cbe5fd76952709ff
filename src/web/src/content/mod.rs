//! The content script: runs inside web pages, finds and paints mentions, and
//! keeps them current as the page changes.
//!
//! It is untrusted by design: it only receives the brand list for its page
//! and can only send what `protocol::ContentRequest` holds. It answers
//! `protocol::TabRequest`s (and, in a `bench` build, `BenchRequest`s).

mod capture;
mod card;
mod context;
mod hit;
mod observer;
mod painter;
mod pointer;
mod scan;

use std::cell::{Cell, RefCell};

use escucha_core::card_frame::{self, CardTarget};
use escucha_core::log::{Capture, Status};
use escucha_core::matcher_frame::{Candidate, Edges};
use escucha_core::matching::{Matcher, Scratch};
use escucha_core::page_text;
use escucha_core::protocol::requests::*;
use escucha_core::protocol::{Channel, GroupMentions, MentionSummary, ProtocolError, TabRequest};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Node, ScrollIntoViewOptions, ScrollLogicalPosition, StaticRange};

use crate::dom;
use crate::platform::{self, PlatformError};
use painter::Painter;

/// Everything the content script knows about its page.
struct Engine {
    matcher: Matcher,
    /// Captures of this page (own and teammates'), and where each was re-anchored.
    captures: Vec<Capture>,
    logged: Vec<(usize, Status, StaticRange)>,
    group_names: Vec<(String, String)>,
    rules: JsValue,
    scratch: Scratch,
    painter: Painter,
    /// The nodes of every range painted since the last full scan.
    painted: js_sys::WeakSet,
    observer: observer::Observer,
    url: String,
    reported: Option<u32>,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

fn page_url() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// The address whose site rules apply here: the page's own, or for an
/// `about:blank` / `about:srcdoc` frame, its maker's
/// ([`escucha_core::page_watch::deciding_url`]).
fn site_url() -> String {
    let own = page_url();
    if !escucha_core::page_watch::inherits_address(&own) {
        return own;
    }
    let mut ancestors: Vec<Option<String>> = Vec::new();
    let mut w = web_sys::window();
    while let Some(current) = w {
        let Ok(Some(parent)) = current.parent() else { break };
        if parent == current {
            break;
        }
        // Another origin's address is unreadable (an error), and says so.
        ancestors.push(parent.location().href().ok());
        w = Some(parent);
    }
    let refs: Vec<Option<&str>> = ancestors.iter().map(|a| a.as_deref()).collect();
    escucha_core::page_watch::deciding_url(&own, &refs).to_string()
}

/// The root we scan: the whole document, including `<head>`-less pages.
fn page_root() -> Node {
    let doc = dom::document();
    doc.body().map(Into::into).or_else(|| doc.document_element().map(Into::into)).unwrap_or_else(|| doc.into())
}

/// Ask the service worker for this page's config and (re)start highlighting.
pub async fn start() -> Result<(), PlatformError> {
    let url = page_url();
    let config = platform::send(&ContentHello { url: site_url() }).await.map_err(|e| PlatformError(e.to_string()))?;
    let (enabled, brands) = (config.enabled, config.brands);
    stop();
    if !enabled {
        report_count(0, &url);
        return Ok(());
    }
    let matcher = Matcher::new(&brands).map_err(|e| PlatformError(e.to_string()))?;
    let mut painter = Painter::new();
    painter.configure(&brands.groups).map_err(PlatformError::from)?;
    let engine = Engine {
        matcher,
        captures: Vec::new(),
        logged: Vec::new(),
        group_names: brands.groups.iter().map(|g| (g.name.clone(), g.color.clone())).collect(),
        rules: scan::rules_object(),
        scratch: Scratch::default(),
        painter,
        painted: js_sys::WeakSet::new(),
        observer: observer::Observer::new().map_err(PlatformError::from)?,
        url,
        reported: None,
    };
    ENGINE.with(|e| *e.borrow_mut() = Some(engine));
    full_scan().map_err(PlatformError::from)?;
    install_pointer_listeners();
    refresh_captures().await;
    Ok(())
}

/// Fetch this page's captures from the log and paint them as logged.
async fn refresh_captures() {
    // Captures cite the canonical URL when the page has one; older ones (or
    // pages without it) are filed under the address itself. Ask for both.
    let here = page_url();
    let cited = context::cited_url();
    let mut captures = Vec::new();
    let mut reveal = None;
    for url in if cited != here { vec![here, cited] } else { vec![here] } {
        match platform::send(&GetPageCaptures { url }).await {
            Ok(escucha_core::protocol::PageCaptures { captures: found, reveal: r }) => {
                for c in found {
                    if !captures.iter().any(|k: &Capture| k.id == c.id) {
                        captures.push(c);
                    }
                }
                reveal = reveal.or(r);
            }
            _ => return, // no log yet, or the worker is busy: the page still works
        }
    }
    let range = ENGINE.with(|e| {
        let mut guard = e.borrow_mut();
        let engine = guard.as_mut()?;
        engine.captures = captures;
        reanchor(engine);
        let id = reveal?;
        let index = engine.captures.iter().position(|c| c.id == id)?;
        engine.logged.iter().find(|(i, _, _)| *i == index).map(|(_, _, r)| r.clone())
    });
    if let Some(range) = range {
        show_range(&range);
    }
}

/// Scroll a range to mid-screen and flash it briefly.
fn show_range(range: &StaticRange) -> Option<()> {
    let node = range.start_container();
    let element = node.dyn_ref::<web_sys::Element>().cloned().or_else(|| node.parent_element())?;
    let opts = ScrollIntoViewOptions::new();
    opts.set_block(ScrollLogicalPosition::Center);
    element.scroll_into_view_with_scroll_into_view_options(&opts);
    ENGINE.with(|e| e.borrow().as_ref().map(|engine| engine.painter.flash(range)))?.ok()?;
    wasm_bindgen_futures::spawn_local(async {
        gloo_timers::future::TimeoutFuture::new(page_text::FLASH_MS).await;
        ENGINE.with(|e| {
            if let Some(engine) = e.borrow().as_ref() {
                engine.painter.unflash();
            }
        });
    });
    Some(())
}

/// Find each capture's quote on the page again and paint it by status.
fn reanchor(engine: &mut Engine) {
    engine.logged.clear();
    let live: Vec<(usize, &Capture)> = engine.captures.iter().enumerate().filter(|(_, c)| !c.deleted.value).collect();
    if live.is_empty() {
        let _ = engine.painter.set_logged(&[]);
        return;
    }
    let Ok(collected) = scan::collect_page() else { return };
    let text = collected.text();
    let (starts, ends, nodes) = (collected.starts(), collected.ends(), collected.nodes());
    for (i, c) in live {
        let ctx = &c.context.value;
        let Some((start, end)) = capture::anchor(&text, &ctx.quote, ctx.position) else { continue };
        let m = escucha_core::matching::Mention { start, end, group: 0, term: 0 };
        let Some(span) = page_text::locate(&[m], &starts, &ends).into_iter().next() else { continue };
        let init = web_sys::StaticRangeInit::new(
            &nodes.get(span.end_node).unchecked_into(),
            span.end_offset,
            &nodes.get(span.start_node).unchecked_into(),
            span.start_offset,
        );
        if let Ok(r) = StaticRange::new(&init) {
            engine.logged.push((i, c.status.value, r));
        }
    }
    let painted: Vec<(Status, StaticRange)> = engine.logged.iter().map(|(_, s, r)| (*s, r.clone())).collect();
    if let Err(e) = engine.painter.set_logged(&painted) {
        web_sys::console::warn_1(&e);
    }
}

/// The card saved a capture: remember it and show it as logged.
pub(crate) fn on_logged(capture: Capture) {
    ENGINE.with(|e| {
        if let Some(engine) = e.borrow_mut().as_mut() {
            match engine.captures.iter_mut().find(|c| c.id == capture.id) {
                Some(c) => *c = capture,
                None => engine.captures.push(capture),
            }
            reanchor(engine);
        }
    });
}

/// What is under the pointer: a painted mention or a logged comment.
enum Target {
    Mention(usize),
    Logged(usize),
}

fn target_at(node: &Node, offset: u32) -> Option<Target> {
    ENGINE.with(|e| {
        let guard = e.borrow();
        let engine = guard.as_ref()?;
        if let Some(i) = hit::containing(engine.logged.iter().map(|(_, _, r)| r), node, offset) {
            return Some(Target::Logged(i));
        }
        hit::containing(engine.painter.found.iter().map(|f| &f.range), node, offset).map(Target::Mention)
    })
}

/// Open the capture card for a painted mention, a logged comment, or a
/// selection. `keyboard`: opened from the keyboard, so focus moves into it.
fn open_card(target: Option<Target>, selection: Option<StaticRange>, keyboard: bool) {
    let opening = ENGINE.with(|e| {
        let guard = e.borrow();
        let engine = guard.as_ref()?;
        let (range, target) = match (target, selection) {
            (Some(Target::Mention(i)), _) => {
                let f = engine.painter.found.get(i)?;
                (f.range.clone(), CardTarget::Mention { group: f.group })
            }
            (Some(Target::Logged(i)), _) => {
                let (ci, _, r) = engine.logged.get(i)?;
                let ctx = &engine.captures.get(*ci)?.context.value;
                (r.clone(), CardTarget::Named { brand: ctx.brand.clone(), term: ctx.term.clone() })
            }
            (None, Some(r)) => {
                // A selection that covers a painted mention keeps its brand.
                let start = r.start_container();
                let hit = hit::containing(engine.painter.found.iter().map(|f| &f.range), &start, r.start_offset());
                let target = match hit.and_then(|i| engine.painter.found.get(i)) {
                    Some(f) => CardTarget::Mention { group: f.group },
                    None => CardTarget::Selection,
                };
                (r, target)
            }
            (None, None) => return None,
        };
        Some(capture::opening_for(&range, target, keyboard))
    });
    if let Some(opening) = opening {
        pointer::reset_display();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = card::open(opening).await {
                web_sys::console::warn_1(&e);
            }
        });
    }
}

thread_local! {
    static LISTENING: Cell<bool> = const { Cell::new(false) };
    static REST_TIMER: RefCell<Option<gloo_timers::callback::Timeout>> = const { RefCell::new(None) };
}

/// The painted mention under client point (x, y), with its range.
fn mention_at(x: f64, y: f64) -> Option<(u32, StaticRange)> {
    let (node, offset) = hit::caret_at(x, y)?;
    ENGINE.with(|e| {
        let guard = e.borrow();
        let engine = guard.as_ref()?;
        let i = hit::containing(engine.painter.found.iter().map(|f| &f.range), &node, offset)?;
        let range = engine.painter.found.get(i)?.range.clone();
        // The caret snaps to the nearest text: the point must be on one of the mention's boxes too
        // (escucha_core::matcher_frame::hit, the strict-CSP path's rule).
        let live = dom::document().create_range().ok()?;
        live.set_start(&range.start_container(), range.start_offset()).ok()?;
        live.set_end(&range.end_container(), range.end_offset()).ok()?;
        let rects = live.get_client_rects()?;
        let boxes = (0..rects.length())
            .filter_map(|k| rects.get(k))
            .map(|r| Edges { left: r.left(), top: r.top(), right: r.right(), bottom: r.bottom() })
            .collect();
        escucha_core::matcher_frame::hit(x, y, &[Candidate { index: i as u32, boxes }]).map(|i| (i, range))
    })
}

/// Click a mention to open its card; rest the pointer on one to open it too.
/// Clicks on links keep working as links (the hover path still opens the card).
/// Only the manager's own gestures count: events a page script made up
/// (`isTrusted` false) never open the card.
fn install_pointer_listeners() {
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let doc = dom::document();
    let click = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
        if !e.is_trusted() || e.target().is_some_and(|t| card::is_card_event(&t)) {
            return;
        }
        let in_link = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(card_frame::INTERACTIVE_SELECTOR).ok().flatten())
            .is_some();
        let target =
            if in_link { None } else { hit::caret_at(e.client_x() as f64, e.client_y() as f64).and_then(|(n, o)| target_at(&n, o)) };
        match target {
            Some(t) => open_card(Some(t), None, false),
            None if card::is_open() => card::close(),
            None => {}
        }
    });
    let _ = doc.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    click.forget();
    // Resting on a mention shows that it can be clicked, and after a while
    // opens its card (pointer.rs; the rules are escucha_core::page_watch's).
    let hover = Closure::<dyn FnMut(web_sys::MouseEvent)>::new(|e: web_sys::MouseEvent| {
        REST_TIMER.with(|t| t.borrow_mut().take()); // moving cancels a pending look
        if !e.is_trusted() || e.buttons() != 0 {
            return;
        }
        let (x, y) = (e.client_x() as f64, e.client_y() as f64);
        let timer = gloo_timers::callback::Timeout::new(escucha_core::page_watch::POINTER_REST_MS, move || {
            let open = |i: u32| {
                if !card::is_open() {
                    open_card(Some(Target::Mention(i as usize)), None, false);
                }
            };
            pointer::rested(mention_at(x, y), x, y, card::is_open(), open);
        });
        REST_TIMER.with(|t| *t.borrow_mut() = Some(timer));
    });
    let opts = web_sys::AddEventListenerOptions::new();
    opts.set_passive(true);
    let _ = doc.add_event_listener_with_callback_and_add_event_listener_options("mousemove", hover.as_ref().unchecked_ref(), &opts);
    hover.forget();
    // Escape closes the card also when the pointer opened it (focus is then
    // still on the page, not in the card's frame).
    let escape = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|e: web_sys::KeyboardEvent| {
        if e.is_trusted() && e.key() == "Escape" && card::is_open() {
            card::close();
        }
    });
    let _ = doc.add_event_listener_with_callback_and_bool("keydown", escape.as_ref().unchecked_ref(), true);
    escape.forget();
}

/// The keyboard shortcut: the mention nearest the selection or caret.
fn open_card_near_selection() -> Result<Done, ProtocolError> {
    let has_focus = dom::document().has_focus().unwrap_or(false);
    let sel = web_sys::window().and_then(|w| w.get_selection().ok().flatten());
    let point = sel
        .filter(|s| s.range_count() > 0)
        .and_then(|s| s.get_range_at(0).ok())
        .and_then(|r| Some((r.start_container().ok()?, r.start_offset().ok()?)));
    // The rule (escucha_core::page_watch::near_selection) is the strict-CSP path's too; the sides are read lazily.
    let index = ENGINE.with(|e| {
        let guard = e.borrow();
        let found = guard.as_ref().map(|g| &g.painter.found[..]).unwrap_or_default();
        let sides = point.as_ref().map(|(node, offset)| found.iter().map(|f| hit::side(&f.range, node, *offset)));
        escucha_core::page_watch::near_selection(has_focus, found.len(), sides)
    })?;
    if let Some(i) = index {
        open_card(Some(Target::Mention(i)), None, true);
    }
    Ok(Done {})
}

/// Remove every highlight and stop observing.
fn stop() {
    card::close();
    pointer::reset_display();
    ENGINE.with(|e| {
        if let Some(mut engine) = e.borrow_mut().take() {
            engine.observer.disconnect();
            engine.painter.dispose();
        }
    });
}

/// Scan the whole page from scratch.
fn full_scan() -> Result<u32, JsValue> {
    let root = page_root();
    ENGINE
        .with(|e| {
            let mut guard = e.borrow_mut();
            let Some(engine) = guard.as_mut() else { return Ok(0) };
            engine.painter.clear();
            engine.painted = js_sys::WeakSet::new();
            engine.observer.disconnect();
            // The whole document: a replaced <body> must be seen too.
            engine.observer.observe(&dom::document())?;
            scan_into(engine, &root)?;
            Ok(engine.painter.found.len() as u32)
        })
        .inspect(|_| after_change())
}

/// Scan one subtree and paint what it holds (the caller removed old paint).
fn scan_into(engine: &mut Engine, root: &Node) -> Result<(), JsValue> {
    let result = scan::scan(root, &engine.matcher, &engine.rules, &mut engine.scratch, &engine.painted)?;
    for shadow in &result.shadow_roots {
        engine.observer.observe(shadow)?;
    }
    let t = now();
    engine.painter.add(result.found)?;
    scan::mark_phase("paint", t);
    Ok(())
}

/// Re-scan the subtrees the observer reports as changed.
pub(crate) fn rescan(roots: Vec<Node>, removed_something: bool) {
    let started_at = ENGINE.with(|e| e.borrow().as_ref().map(|g| g.url.clone()).unwrap_or_default());
    if escucha_core::page_watch::navigated(&started_at, &page_url()) {
        // SPA navigation: the site (and so the rules) may differ.
        wasm_bindgen_futures::spawn_local(async {
            if let Err(e) = start().await {
                web_sys::console::warn_1(&format!("Escucha: {e}").into());
            }
        });
        return;
    }
    let result: Result<(), JsValue> = ENGINE.with(|e| {
        let mut guard = e.borrow_mut();
        let Some(engine) = guard.as_mut() else { return Ok(()) };
        if removed_something {
            engine.painter.prune_detached();
        }
        for root in observer::outermost(roots) {
            // Dropping the mentions a root holds looks at every mention on
            // the page: skip it for a root that holds none (a new post).
            if scan::holds_painted(&root, &engine.painted) {
                engine.painter.remove_within(&root);
            }
            scan_into(engine, &root)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        web_sys::console::warn_1(&e);
    }
    after_change();
}

/// Tell the service worker the count (for the badge) when it changed.
fn after_change() {
    let update = ENGINE.with(|e| {
        let mut guard = e.borrow_mut();
        let engine = guard.as_mut()?;
        let count = engine.painter.found.len() as u32;
        let count = escucha_core::page_watch::count_to_report(engine.reported, count)?;
        engine.reported = Some(count);
        Some((count, engine.url.clone()))
    });
    if let Some((count, url)) = update {
        report_count(count, &url);
    }
}

fn report_count(count: u32, url: &str) {
    let msg = MentionsFound { url: url.to_string(), count };
    wasm_bindgen_futures::spawn_local(async move {
        let _ = platform::send(&msg).await;
    });
}

/// Messages from our service worker or popup. Pages cannot reach
/// `runtime.onMessage`; we still check the sender is this extension and not
/// another tab's content script (`escucha_core::sender::authorize_tab_message`).
pub async fn handle(message: JsValue, sender: JsValue) -> JsValue {
    let sender = platform::sender_info(&sender);
    if let Err(e) = platform::own_extension().and_then(|own| escucha_core::sender::authorize_tab_message(&sender, &own)) {
        return platform::refusal(e);
    }
    let value = match platform::wire_value(message) {
        Ok(v) => v,
        Err(e) => return platform::refusal(e),
    };
    #[cfg(feature = "bench")]
    if let Ok(request) = escucha_core::protocol::BenchRequest::from_wire(value.clone()) {
        return bench::handle(request).await;
    }
    let request = match TabRequest::from_wire(value) {
        Ok(r) => r,
        Err(e) => return platform::refusal(e),
    };
    use platform::answer;
    match request {
        TabRequest::Ping(r) => answer(&r, Ok(Pong { version: escucha_core::VERSION.into(), context: "content_script".into() })),
        TabRequest::SettingsChanged(r) => answer(&r, start().await.map(|_| Done {}).map_err(|e| ProtocolError::Internal { detail: e.0 })),
        TabRequest::GetPageMentions(r) => answer(&r, Ok(page_mentions())),
        TabRequest::OpenCard(r) => answer(&r, open_card_near_selection()),
        TabRequest::LogSelection(r) => {
            let result = match capture::selection_range() {
                Some(range) => {
                    open_card(None, Some(range), true);
                    Ok(Done {})
                }
                None => Err(ProtocolError::NoSelection),
            };
            answer(&r, result)
        }
        TabRequest::LogChanged(r) => {
            refresh_captures().await;
            answer(&r, Ok(Done {}))
        }
        TabRequest::RevealMention(r) => answer(&r, reveal(r.index)),
        TabRequest::GetPainted(r) => {
            let painted = ENGINE.with(|e| e.borrow().as_ref().map(|engine| engine.painter.painted()).unwrap_or_default());
            answer(&r, Ok(escucha_core::protocol::requests::Painted { url: page_url(), ..painted }))
        }
    }
}

pub(crate) fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// The text a static range covers, read from its nodes.
pub(crate) fn range_text(range: &web_sys::StaticRange) -> String {
    let doc = dom::document();
    let Ok(r) = doc.create_range() else { return String::new() };
    if r.set_start(&range.start_container(), range.start_offset()).is_err()
        || r.set_end(&range.end_container(), range.end_offset()).is_err()
    {
        return String::new();
    }
    String::from(r.to_string())
}

/// An excerpt of the block (paragraph, post) around a mention.
fn context_of(range: &web_sys::StaticRange, mention: &str) -> String {
    let start = range.start_container();
    let mut block = start.parent_element();
    while let Some(b) = &block {
        if !page_text::INLINE_TAGS.contains(&b.local_name().as_str()) {
            break;
        }
        block = b.parent_element();
    }
    let Some(block) = block else { return mention.to_string() };
    let Ok(before) = dom::document().create_range() else { return mention.to_string() };
    if before.set_start(&block, 0).is_err() || before.set_end(&start, range.start_offset()).is_err() {
        return mention.to_string();
    }
    let offset = String::from(before.to_string()).encode_utf16().count() as u32;
    let text = block.text_content().unwrap_or_default();
    page_text::excerpt(&text, offset, offset + mention.encode_utf16().count() as u32, 40)
}

fn page_mentions() -> PageMentions {
    ENGINE.with(|e| {
        let guard = e.borrow();
        let Some(engine) = guard.as_ref() else {
            return PageMentions { url: page_url(), total: 0, groups: Vec::new(), captures: Vec::new() };
        };
        let mut groups: Vec<GroupMentions> = engine
            .group_names
            .iter()
            .enumerate()
            .map(|(i, (name, color))| GroupMentions { group: i as u32, name: name.clone(), color: color.clone(), mentions: vec![] })
            .collect();
        for (index, f) in engine.painter.found.iter().enumerate() {
            let Some(g) = groups.get_mut(f.group as usize) else { continue };
            let text = range_text(&f.range);
            g.mentions.push(MentionSummary { index: index as u32, context: context_of(&f.range, &text), text });
        }
        groups.retain(|g| !g.mentions.is_empty());
        let captures = engine.captures.iter().filter(|c| !c.deleted.value).cloned().collect();
        PageMentions { url: page_url(), total: engine.painter.found.len() as u32, groups, captures }
    })
}

fn reveal(index: u32) -> Result<Done, ProtocolError> {
    let shown = ENGINE.with(|e| {
        let guard = e.borrow();
        let engine = guard.as_ref()?;
        let f = engine.painter.found.get(index as usize)?;
        let node = f.range.start_container();
        let element = node.dyn_ref::<web_sys::Element>().cloned().or_else(|| node.parent_element())?;
        let opts = ScrollIntoViewOptions::new();
        opts.set_block(ScrollLogicalPosition::Center);
        element.scroll_into_view_with_scroll_into_view_options(&opts);
        engine.painter.flash(&f.range).ok()?;
        Some(())
    });
    if shown.is_none() {
        return Err(ProtocolError::MentionGone);
    }
    wasm_bindgen_futures::spawn_local(async {
        gloo_timers::future::TimeoutFuture::new(page_text::FLASH_MS).await;
        ENGINE.with(|e| {
            if let Some(engine) = e.borrow().as_ref() {
                engine.painter.unflash();
            }
        });
    });
    Ok(Done {})
}

/// Benchmarks (`tests/bench/highlight.mjs`), in a `bench` build only.
#[cfg(feature = "bench")]
mod bench {
    use escucha_core::protocol::requests::BenchResult;
    use escucha_core::protocol::{BenchRequest, ProtocolError};
    use wasm_bindgen::JsValue;

    use super::{full_scan, now, scan, ENGINE};
    use crate::platform::{self, answer};

    pub(super) async fn handle(request: BenchRequest) -> JsValue {
        match request {
            BenchRequest::BenchScan(r) => answer(&r, bench_scan().await),
            BenchRequest::BenchFloor(r) => {
                let t0 = now();
                let nodes = scan::floor_walk();
                let result =
                    BenchResult { engine: "floor".into(), ms: now() - t0, mentions: nodes, path: "content-world".into(), phases: vec![] };
                answer(&r, Ok(result))
            }
        }
    }

    /// Resolve after the next frame is painted.
    async fn next_frame() {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.request_animation_frame(&resolve);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }

    async fn bench_scan() -> Result<BenchResult, ProtocolError> {
        scan::PHASES.with(|p| *p.borrow_mut() = Some(Vec::new()));
        let t0 = now();
        let count = full_scan().map_err(|e| ProtocolError::Internal { detail: platform::describe_js_error(&e) })?;
        next_frame().await;
        // Painted means drawn: the overlay's boxes for what is in view.
        if let Some(drawn) = ENGINE.with(|e| e.borrow().as_ref().and_then(|engine| engine.painter.drawn())) {
            let _ = wasm_bindgen_futures::JsFuture::from(drawn).await;
        }
        let ms = now() - t0;
        let phases: Vec<(String, f64)> =
            scan::PHASES.with(|p| p.borrow_mut().take()).unwrap_or_default().into_iter().map(|(n, t)| (n.to_string(), t)).collect();
        Ok(BenchResult { engine: "escucha".into(), ms, mentions: count, path: "wasm".into(), phases })
    }
}
