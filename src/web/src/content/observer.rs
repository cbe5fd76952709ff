//! Watches the page for changes and hands the changed subtrees to a rescan.
//!
//! Mutation records arrive in batches per microtask; we collect the roots
//! they touch and flush once per task (a zero-delay timer), so a burst of
//! appends becomes one rescan of just the new content. Escucha's own painting
//! never mutates the DOM (highlights live in `CSS.highlights`), so there is
//! nothing of ours to ignore; the `<mark>` fallback is excluded by
//! `is_excluded` on its own-UI attribute.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MutationObserver, MutationObserverInit, MutationRecord, Node};

#[derive(Default)]
struct Pending {
    roots: Vec<Node>,
    removed: bool,
    scheduled: bool,
}

pub struct Observer {
    inner: MutationObserver,
    _callback: Closure<dyn FnMut(Array, MutationObserver)>,
}

impl Observer {
    pub fn new() -> Result<Observer, JsValue> {
        let pending = Rc::new(RefCell::new(Pending::default()));
        let callback = Closure::<dyn FnMut(Array, MutationObserver)>::new(move |records: Array, _obs| {
            let mut p = pending.borrow_mut();
            for record in records.iter() {
                let record: MutationRecord = record.unchecked_into();
                match record.type_().as_str() {
                    "characterData" => {
                        if let Some(parent) = record.target().and_then(|t| t.parent_node()) {
                            p.roots.push(parent);
                        }
                    }
                    _ => {
                        let added = record.added_nodes();
                        for i in 0..added.length() {
                            let Some(node) = added.item(i) else { continue };
                            // New text joins its neighbours: rescan its parent.
                            let root = if node.node_type() == Node::TEXT_NODE { node.parent_node() } else { Some(node) };
                            if let Some(root) = root {
                                p.roots.push(root);
                            }
                        }
                        if record.removed_nodes().length() > 0 {
                            p.removed = true;
                        }
                    }
                }
            }
            if !p.scheduled && (!p.roots.is_empty() || p.removed) {
                p.scheduled = true;
                let pending = pending.clone();
                let since = super::now(); // new-post latency, see scan::record_latency
                gloo_timers::callback::Timeout::new(0, move || {
                    let (roots, removed) = {
                        let mut p = pending.borrow_mut();
                        p.scheduled = false;
                        (std::mem::take(&mut p.roots), std::mem::replace(&mut p.removed, false))
                    };
                    super::rescan(roots, removed);
                    super::scan::record_latency(since);
                })
                .forget();
            }
        });
        let inner = MutationObserver::new(callback.as_ref().unchecked_ref())?;
        Ok(Observer { inner, _callback: callback })
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

/// Keep only roots that are still on the page and not inside another root.
pub fn outermost(mut roots: Vec<Node>) -> Vec<Node> {
    roots.retain(|r| r.is_connected());
    let mut out: Vec<Node> = Vec::with_capacity(roots.len());
    for r in roots {
        if out.iter().any(|o| o.contains(Some(&r))) {
            continue;
        }
        out.retain(|o| !r.contains(Some(o)));
        out.push(r);
    }
    out
}

/// True when `root` sits inside something the walk never scans (a form
/// field, an editable region, Escucha's own UI). Typing there must never
/// cause a rescan, let alone a DOM change.
pub fn is_excluded(root: &Node, rules: &JsValue) -> bool {
    let element = match root.dyn_ref::<web_sys::Element>() {
        Some(e) => e.clone(),
        None => match root.parent_element() {
            Some(p) => p,
            None => return false,
        },
    };
    let selector = EXCLUDED_SELECTOR.with(|s| {
        s.borrow_mut()
            .get_or_insert_with(|| {
                let tags: Vec<String> = Reflect::get(rules, &"skipTags".into())
                    .ok()
                    .map(|v| Array::from(&v).iter().filter_map(|t| t.as_string()).collect())
                    .unwrap_or_default();
                let own: String = Reflect::get(rules, &"ownUiAttribute".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
                format!("{}, [contenteditable]:not([contenteditable=\"false\"]), [{own}]", tags.join(", "))
            })
            .clone()
    });
    element.closest(&selector).ok().flatten().is_some()
}

thread_local! {
    static EXCLUDED_SELECTOR: RefCell<Option<String>> = const { RefCell::new(None) };
}
