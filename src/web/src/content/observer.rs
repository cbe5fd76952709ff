//! Watches the page for changes and hands the changed text runs to a rescan.
//!
//! The whole document is observed (not just `<body>`), so a replaced body
//! is seen and the old one's mentions are pruned. Mutation records arrive
//! in batches per microtask; we describe each one to
//! [`escucha_core::page_watch::rescan_unit`], which says what the reader
//! sees as the changed run (an edit inside `<b>` is an edit of its whole
//! block), collect those roots and rescan them in the observer's own
//! callback (a microtask, before the browser restyles the page), so a burst
//! of appends becomes one rescan of just the new content.
//! Shadow roots attached after their host was scanned make no mutation
//! record; Escucha's page-world hook announces them with
//! [`SHADOW_ATTACHED_EVENT`], and their hosts are rescanned in the next task.
//! Escucha's own painting never mutates the DOM (highlights live in
//! `CSS.highlights`); the `<mark>` fallback is excluded by [`is_excluded`]
//! on its own-UI attribute.

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::page_watch::{self, Change, Flow, Unit, SHADOW_ATTACHED_EVENT};
use js_sys::Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MutationObserver, MutationObserverInit, MutationRecord, Node};

#[derive(Default)]
struct Pending {
    roots: Vec<Node>,
    removed: bool,
    /// Hosts of shadow roots attached after their scan: flushed by a timer.
    hosts: Vec<Node>,
    scheduled: bool,
}

type Shared = Rc<RefCell<Pending>>;

pub struct Observer {
    inner: MutationObserver,
    _callback: Closure<dyn FnMut(Array, MutationObserver)>,
    _shadow_listener: Closure<dyn FnMut(web_sys::Event)>,
}

/// Rescan what the observer's batch changed, now: the observer's callback
/// runs as a microtask right after the script that changed the page, before
/// the browser restyles it, so a new post's mentions are registered in the
/// same frame. (A zero-delay timer waited for that restyle: 392 ms p95 on
/// the 10k-post page, measured in issue 15.) The batch is already one per
/// microtask checkpoint, so a burst of appends is still one rescan.
fn flush_now(pending: &Shared, since: f64) {
    let (roots, removed) = {
        let mut p = pending.borrow_mut();
        (std::mem::take(&mut p.roots), std::mem::replace(&mut p.removed, false))
    };
    if roots.is_empty() && !removed {
        return;
    }
    super::rescan(roots, removed);
    super::scan::record_latency(since); // new-post latency
}

/// Rescan announced shadow hosts in the next task: the script that attached
/// the root usually fills it right after, and a root filled later is
/// observed from then on.
fn schedule_hosts(pending: &Shared) {
    let mut p = pending.borrow_mut();
    if p.scheduled || p.hosts.is_empty() {
        return;
    }
    p.scheduled = true;
    let pending = pending.clone();
    gloo_timers::callback::Timeout::new(0, move || {
        let hosts = {
            let mut p = pending.borrow_mut();
            p.scheduled = false;
            std::mem::take(&mut p.hosts)
        };
        super::rescan(hosts, false);
    })
    .forget();
}

/// How `node` takes part in the text the reader sees.
pub fn flow(node: &Node) -> Flow {
    match node.node_type() {
        Node::TEXT_NODE => Flow::Text,
        Node::ELEMENT_NODE => {
            let el: &Element = node.unchecked_ref();
            // The walk's layout rule; the computed style is asked only where
            // the tag cannot tell (custom elements, an inline style).
            page_watch::element_flow(&el.local_name(), |a| el.has_attribute(a), || computed_display(el))
        }
        Node::DOCUMENT_NODE | Node::DOCUMENT_FRAGMENT_NODE => Flow::Root,
        _ => Flow::Other,
    }
}

fn computed_display(el: &Element) -> String {
    web_sys::window()
        .and_then(|w| w.get_computed_style(el).ok().flatten())
        .and_then(|st| st.get_property_value("display").ok())
        .unwrap_or_default()
}

/// The block `node` belongs to: itself if it is one, else up through
/// inline elements to the first block or tree top.
pub fn enclosing_block(node: &Node) -> Node {
    let mut n = node.clone();
    loop {
        if matches!(flow(&n), Flow::Block | Flow::Root) {
            return n;
        }
        match n.parent_node() {
            Some(p) => n = p,
            None => return n,
        }
    }
}

fn describe(record: &MutationRecord, p: &mut Pending) {
    let Some(target) = record.target() else { return };
    if record.type_() == "characterData" {
        if page_watch::rescan_unit(Change::Text) == Unit::EnclosingBlock {
            p.roots.push(enclosing_block(&target));
        }
        return;
    }
    let parent = flow(&target);
    let added = record.added_nodes();
    for i in 0..added.length() {
        let Some(node) = added.item(i) else { continue };
        let change = Change::Added {
            node: flow(&node),
            parent,
            before: node.previous_sibling().map(|s| flow(&s)),
            after: node.next_sibling().map(|s| flow(&s)),
        };
        match page_watch::rescan_unit(change) {
            Unit::Node => p.roots.push(node),
            Unit::EnclosingBlock => p.roots.push(enclosing_block(&target)),
            Unit::Nothing => {}
        }
    }
    let removed = record.removed_nodes();
    if removed.length() > 0 {
        let page_nodes: Vec<Node> = (0..removed.length()).filter_map(|i| removed.item(i)).filter(|n| !is_own_ui(n)).collect();
        let change = Change::Removed {
            any_joining: page_nodes.iter().any(|n| flow(n) != Flow::Block),
            only_ours: page_nodes.is_empty(),
            parent,
            before: record.previous_sibling().map(|s| flow(&s)),
            after: record.next_sibling().map(|s| flow(&s)),
        };
        p.removed |= page_watch::prunes(change);
        if page_watch::rescan_unit(change) == Unit::EnclosingBlock {
            p.roots.push(enclosing_block(&target));
        }
    }
}

impl Observer {
    pub fn new() -> Result<Observer, JsValue> {
        let pending: Shared = Rc::new(RefCell::new(Pending::default()));
        let batch = pending.clone();
        let callback = Closure::<dyn FnMut(Array, MutationObserver)>::new(move |records: Array, _obs| {
            let since = super::now(); // new-post latency, see scan::record_latency
            {
                let mut p = batch.borrow_mut();
                for record in records.iter() {
                    describe(record.unchecked_ref(), &mut p);
                }
            }
            flush_now(&batch, since);
        });
        let inner = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let batch = pending.clone();
        let shadow_listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            // The host, even when it sits in an open shadow tree itself.
            let Some(host) = e.composed_path().get(0).dyn_into::<Node>().ok() else { return };
            batch.borrow_mut().hosts.push(host);
            schedule_hosts(&batch);
        });
        crate::dom::document().add_event_listener_with_callback(SHADOW_ATTACHED_EVENT, shadow_listener.as_ref().unchecked_ref())?;
        Ok(Observer { inner, _callback: callback, _shadow_listener: shadow_listener })
    }

    pub fn observe(&self, target: &Node) -> Result<(), JsValue> {
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        init.set_character_data(true);
        self.inner.observe_with_options(target, &init)
    }

    pub fn disconnect(&self) {
        self.inner.disconnect();
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.inner.disconnect();
        let _ = crate::dom::document()
            .remove_event_listener_with_callback(SHADOW_ATTACHED_EVENT, self._shadow_listener.as_ref().unchecked_ref());
    }
}

/// Whether `node` is `root` or inside it, also through shadow roots
/// (`Node::contains` stops at a shadow boundary).
pub fn contains_deep(root: &Node, node: &Node) -> bool {
    let mut n = node.clone();
    loop {
        if root.contains(Some(&n)) {
            return true;
        }
        match n.get_root_node().dyn_into::<web_sys::ShadowRoot>() {
            Ok(shadow) => n = shadow.host().into(),
            Err(_) => return false,
        }
    }
}

/// The roots to scan again: still on the page, not inside another one,
/// not in a field ([`page_watch::outermost`], the strict-CSP path's rule too).
pub fn outermost(roots: Vec<Node>) -> Vec<Node> {
    let keep = page_watch::outermost(
        roots.len(),
        |r| roots[r].is_connected(),
        |a, b| contains_deep(&roots[a], &roots[b]),
        |r| is_excluded(&roots[r]),
    );
    keep.into_iter().map(|i| roots[i].clone()).collect()
}

/// Escucha's own UI (the card's or the tooltip's host): it holds no page text.
fn is_own_ui(node: &Node) -> bool {
    node.dyn_ref::<Element>().is_some_and(|e| e.has_attribute(escucha_core::page_text::OWN_UI_ATTRIBUTE))
}

/// True when `root` sits inside something the walk never scans (a form
/// field, an editable region, Escucha's own UI; the one rule,
/// [`page_watch::excluded_selector`]). Typing there must never cause a
/// rescan, let alone a DOM change.
fn is_excluded(root: &Node) -> bool {
    let element = match root.dyn_ref::<Element>() {
        Some(e) => e.clone(),
        None => match root.parent_element() {
            Some(p) => p,
            None => return false,
        },
    };
    let selector = EXCLUDED_SELECTOR.with(|s| s.borrow_mut().get_or_insert_with(page_watch::excluded_selector).clone());
    element.closest(&selector).ok().flatten().is_some()
}

thread_local! {
    static EXCLUDED_SELECTOR: RefCell<Option<String>> = const { RefCell::new(None) };
}
