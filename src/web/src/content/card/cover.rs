//! The card's host in the browser's top layer, and the facts Log needs to
//! know nothing of the page draws over it (the decision:
//! `escucha_core::card_cover::covered`, made in the card frame).
//!
//! Shown as a manual popover, the host is above every ordinary element of
//! the page whatever its z-index. A MutationObserver on the host notes any
//! change the page makes to its attributes (its inline style is the only
//! way to restyle it; removing `popover` takes it out of the top layer):
//! our own writes go through [`ours`], which takes their records away.

use std::cell::{Cell, RefCell};

use escucha_core::card_cover::{CoverFacts, TopLayerKind, PSEUDO_ELEMENTS, STYLE_EXPECTED};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MutationObserver, MutationObserverInit};

use crate::dom;

/// The observer on our host and its callback (kept alive with the card).
type Watch = (MutationObserver, Closure<dyn FnMut(Array)>);

thread_local! {
    static TAMPERED: Cell<bool> = const { Cell::new(false) };
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// Before the host is in the document: make it a manual popover (no light
/// dismiss; the page's own popovers do not close it).
pub fn prepare(host: &Element) -> Result<(), JsValue> {
    host.set_attribute("popover", "manual")
}

/// Once the host is in the document: into the top layer, watched.
pub fn show(host: &Element) -> Result<(), JsValue> {
    let show: Function = Reflect::get(host, &"showPopover".into())?.dyn_into()?;
    show.call0(host)?;
    TAMPERED.with(|t| t.set(false));
    let on_records = Closure::<dyn FnMut(Array)>::new(|records: Array| {
        if records.length() > 0 {
            TAMPERED.with(|t| t.set(true));
        }
    });
    let observer = MutationObserver::new(on_records.as_ref().unchecked_ref())?;
    let init = MutationObserverInit::new();
    init.set_attributes(true);
    observer.observe_with_options(host, &init)?;
    WATCH.with(|w| *w.borrow_mut() = Some((observer, on_records)));
    Ok(())
}

/// Stop watching (the card closed).
pub fn forget() {
    if let Some((observer, _)) = WATCH.with(|w| w.borrow_mut().take()) {
        observer.disconnect();
    }
    TAMPERED.with(|t| t.set(false));
}

/// Run our own change to the host: records queued before it are the page's,
/// the ones it makes are ours.
pub fn ours(f: impl FnOnce()) {
    let observer = WATCH.with(|w| w.borrow().as_ref().map(|(o, _)| o.clone()));
    if let Some(o) = &observer {
        if o.take_records().length() > 0 {
            TAMPERED.with(|t| t.set(true));
        }
    }
    f();
    if let Some(o) = &observer {
        o.take_records();
    }
}

/// What the page shows of and around the host now.
pub fn facts(host: &Element) -> CoverFacts {
    if let Some(o) = WATCH.with(|w| w.borrow().as_ref().map(|(o, _)| o.clone())) {
        if o.take_records().length() > 0 {
            TAMPERED.with(|t| t.set(true));
        }
    }
    let doc = dom::document();
    let on_top_layer = host.matches(":popover-open").unwrap_or(false);
    let mut others = Vec::new();
    for (selector, kind) in TopLayerKind::SELECTORS {
        if let Ok(list) = doc.query_selector_all(selector) {
            for i in 0..list.length() {
                if list.item(i).is_some_and(|n| !n.is_same_node(Some(host))) {
                    others.push(kind);
                }
            }
        }
    }
    let window = web_sys::window();
    let computed = |pseudo: Option<&str>| {
        window.as_ref().and_then(|w| match pseudo {
            None => w.get_computed_style(host).ok().flatten(),
            Some(p) => w.get_computed_style_with_pseudo_elt(host, p).ok().flatten(),
        })
    };
    let style = match computed(None) {
        Some(s) => STYLE_EXPECTED.iter().map(|(p, _)| (p.to_string(), s.get_property_value(p).unwrap_or_default())).collect(),
        None => Vec::new(),
    };
    let pseudo = PSEUDO_ELEMENTS
        .iter()
        .filter_map(|p| computed(Some(p)).map(|s| (p.to_string(), s.get_property_value("content").unwrap_or_default())))
        .collect();
    let check_visibility = Reflect::get(host, &"checkVisibility".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()).and_then(|f| {
        let options = Object::new();
        for k in ["contentVisibilityAuto", "opacityProperty", "visibilityProperty"] {
            let _ = Reflect::set(&options, &k.into(), &true.into());
        }
        f.call1(host, &options).ok().and_then(|v| v.as_bool())
    });
    CoverFacts { on_top_layer, tampered: TAMPERED.with(Cell::get), others, style, pseudo, check_visibility }
}
