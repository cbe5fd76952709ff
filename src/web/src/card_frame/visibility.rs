//! Whether the card is visibly on top, as the browser itself sees it: an
//! IntersectionObserver with `trackVisibility` (v2) on the card, whose
//! `isVisible` is false when the card, its frame or any ancestor (in the
//! page too) is faded, filtered, transformed or drawn over. The page can
//! restyle our host and put a decoy where the manager will click; this is
//! how "Log" knows (the decision: `escucha_core::card::log_allowed`).

use std::cell::{Cell, RefCell};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The observer and its callback (kept alive as long as the card).
type Watch = (JsValue, Closure<dyn FnMut(Array)>);

thread_local! {
    static VISIBLE: Cell<Option<bool>> = const { Cell::new(None) };
    static OBSERVER: RefCell<Option<Watch>> = const { RefCell::new(None) };
    static TARGET: RefCell<Option<web_sys::Element>> = const { RefCell::new(None) };
}

/// Start watching `target` (the card).
pub fn watch(target: &web_sys::Element) -> Result<(), JsValue> {
    let ctor: Function = Reflect::get(&js_sys::global(), &"IntersectionObserver".into())?.dyn_into()?;
    let on_entries = Closure::<dyn FnMut(Array)>::new(|entries: Array| {
        // The newest entry is the browser's current verdict.
        if let Some(last) = entries.iter().last() {
            // Firefox has no IntersectionObserver v2 (`isVisible` is absent):
            // there this verdict is only "in view" (`isIntersecting`); the
            // occlusion check both browsers share is cover.rs (top layer).
            let visible = Reflect::get(&last, &"isVisible".into())
                .ok()
                .and_then(|v| v.as_bool())
                .or_else(|| Reflect::get(&last, &"isIntersecting".into()).ok().and_then(|v| v.as_bool()));
            VISIBLE.with(|v| v.set(visible));
        }
    });
    let init = Object::new();
    Reflect::set(&init, &"trackVisibility".into(), &true.into())?;
    Reflect::set(&init, &"delay".into(), &100.into())?; // the smallest the browser accepts
    Reflect::set(&init, &"threshold".into(), &Array::of1(&1.0.into()))?;
    let observer = Reflect::construct(&ctor, &Array::of2(on_entries.as_ref(), &init))?;
    let observe: Function = Reflect::get(&observer, &"observe".into())?.dyn_into()?;
    observe.call1(&observer, target)?;
    OBSERVER.with(|o| *o.borrow_mut() = Some((observer, on_entries)));
    TARGET.with(|t| *t.borrow_mut() = Some(target.clone()));
    Ok(())
}

/// The browser's verdict for now. A "visible" verdict is taken as it is; a
/// missing or "not visible" one may be stale (the page scrolled the card
/// into view a moment ago: verdicts come at most every 100 ms), so the card
/// is observed afresh and that verdict, the state after the click, decides.
/// A page that hid the card for the click would have to show it again
/// within that moment, in front of the manager, for a Log to pass.
pub async fn current() -> Option<bool> {
    if VISIBLE.with(Cell::get) == Some(true) {
        return Some(true);
    }
    VISIBLE.with(|v| v.set(None));
    OBSERVER.with(|o| {
        if let Some((observer, _)) = o.borrow().as_ref() {
            let target = TARGET.with(|t| t.borrow().clone());
            for (method, arg) in [("unobserve", &target), ("observe", &target)] {
                if let (Ok(f), Some(t)) = (Reflect::get(observer, &method.into()).and_then(|f| f.dyn_into::<Function>()), arg) {
                    let _ = f.call1(observer, t);
                }
            }
        }
    });
    for _ in 0..20 {
        if let Some(v) = VISIBLE.with(Cell::get) {
            return Some(v);
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    VISIBLE.with(Cell::get)
}
