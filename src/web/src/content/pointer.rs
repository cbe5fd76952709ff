//! What shows that a mention can be clicked, and when resting on one opens
//! its card. The Custom Highlight API cannot style the cursor, so while the
//! pointer rests on a mention a one-rule stylesheet
//! ([`page_watch::MENTION_HOVER_CSS`]) is adopted and a tooltip (our own UI,
//! text only, in a shadow root) sits beside the pointer; both go
//! when it leaves. The decisions are the core's ([`page_watch`]), the same
//! the matcher frame makes for the strict-CSP path.

use std::cell::RefCell;

use escucha_core::i18n::Key;
use escucha_core::page_text::OWN_UI_ATTRIBUTE;
use escucha_core::page_watch::{self, HoverAction, HoverIntent};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::StaticRange;

use crate::{dom, platform};

#[derive(Default)]
struct State {
    intent: HoverIntent,
    /// The mention the pointer rests on, as an index into the painted ones.
    under: Option<u32>,
    card_was_open: bool,
    shown: Option<Shown>,
    open_timer: Option<gloo_timers::callback::Timeout>,
}

struct Shown {
    host: Option<web_sys::Element>,
    sheet: JsValue,
    roots: Vec<JsValue>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn adopt(root: &JsValue, sheet: &JsValue, add: bool) {
    let Ok(current) = Reflect::get(root, &"adoptedStyleSheets".into()) else { return };
    let current = Array::from(&current);
    let next = if add { current.concat(&Array::of1(sheet)) } else { current.filter(&mut |s, _, _| &s != sheet) };
    let _ = Reflect::set(root, &"adoptedStyleSheets".into(), &next);
}

fn show(range: &StaticRange, x: f64, y: f64, with_tooltip: bool) -> Result<Shown, JsValue> {
    let sheet_ctor: Function = Reflect::get(&js_sys::global(), &"CSSStyleSheet".into())?.dyn_into()?;
    let sheet = Reflect::construct(&sheet_ctor, &Array::new())?;
    let replace: Function = Reflect::get(&sheet, &"replaceSync".into())?.dyn_into()?;
    replace.call1(&sheet, &page_watch::MENTION_HOVER_CSS.into())?;
    let doc: JsValue = dom::document().into();
    let mut roots = vec![doc.clone()];
    let own_root: JsValue = range.start_container().get_root_node().into();
    if own_root != doc {
        roots.push(own_root);
    }
    for root in &roots {
        adopt(root, &sheet, true);
    }
    let host = if with_tooltip {
        let window = web_sys::window().ok_or("no window")?;
        let width = window.inner_width()?.as_f64().unwrap_or(0.0);
        let height = window.inner_height()?.as_f64().unwrap_or(0.0);
        let (left, top) = page_watch::tooltip_position(x, y, width, height);
        let host = dom::el("div", &[(OWN_UI_ATTRIBUTE, "tooltip")], "");
        let style = host.style();
        for (k, v) in page_watch::TOOLTIP_HOST_STYLE {
            style.set_property_with_priority(k, v, "important")?;
        }
        style.set_property_with_priority("left", &format!("{left}px"), "important")?;
        style.set_property_with_priority("top", &format!("{top}px"), "important")?;
        // Open: it holds one fixed string in the user's language, nothing to hide.
        let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?;
        let text = dom::el("span", &[("role", "tooltip")], &platform::t(Key::MentionTooltip, &[]));
        shadow.append_child(&text)?;
        dom::document().document_element().ok_or("no root")?.append_child(&host)?;
        Some(host.into())
    } else {
        None
    };
    Ok(Shown { host, sheet, roots })
}

fn hide(shown: Shown) {
    if let Some(host) = shown.host {
        host.remove();
    }
    for root in &shown.roots {
        adopt(root, &shown.sheet, false);
    }
}

/// Forget the pointer state (highlighting stopped or a card opened).
pub fn reset_display() {
    STATE.with(|s| {
        if let Some(shown) = s.borrow_mut().shown.take() {
            hide(shown);
        }
    });
}

/// The pointer rested at (`x`, `y`) over the painted mention `mention`
/// (with its range), or none. `card_open`: a card shows. `open`: opens the
/// card of a mention, called when the pointer stays long enough.
pub fn rested(mention: Option<(u32, StaticRange)>, x: f64, y: f64, card_open: bool, open: impl Fn(u32) + 'static) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.card_was_open && !card_open {
            // The card closed (Escape, its close button, a click elsewhere)
            // while the pointer was here: it stays closed until it leaves.
            let under = s.under;
            s.intent.closed(under);
        }
        s.card_was_open = card_open;
        let index = mention.as_ref().map(|(i, _)| *i);
        if index == s.under {
            return;
        }
        s.under = index;
        s.open_timer = None;
        if let Some(shown) = s.shown.take() {
            hide(shown);
        }
        if let Some((_, range)) = &mention {
            match show(range, x, y, !card_open) {
                Ok(shown) => s.shown = Some(shown),
                Err(e) => web_sys::console::warn_1(&e),
            }
        }
        if let HoverAction::OpenAfter { mention, ms } = s.intent.moved(index, card_open) {
            // Counted from this rest (page_watch::HoverAction::OpenAfter).
            s.open_timer = Some(gloo_timers::callback::Timeout::new(ms, move || {
                let still = STATE.with(|s| s.borrow().under == Some(mention));
                if still {
                    reset_display();
                    open(mention);
                }
            }));
        }
    });
}
