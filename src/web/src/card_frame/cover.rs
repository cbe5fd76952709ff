//! top11: whether the page draws over the card, asked of the content script
//! over the card's channel at Log time (it answers with
//! `escucha_core::card_cover::CoverFacts`; the decision is
//! `escucha_core::card_cover::covered`). The check that holds on Firefox,
//! which has no IntersectionObserver v2; kept on Chromium too.

use std::cell::{Cell, RefCell};

use escucha_core::card_cover::{covered, CoverFacts, CoverReason, TopLayerKind, PSEUDO_ELEMENTS, STYLE_EXPECTED};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

thread_local! {
    static SEQ: Cell<u32> = const { Cell::new(0) };
    static ANSWER: RefCell<Option<(u32, CoverFacts)>> = const { RefCell::new(None) };
}

/// The content script's answer (`{type: "cover", seq, facts}`).
pub fn on_answer(data: &JsValue) {
    let seq = Reflect::get(data, &"seq".into()).ok().and_then(|s| s.as_f64()).map(|s| s as u32);
    let facts = Reflect::get(data, &"facts".into()).ok().and_then(|f| crate::platform::from_js::<CoverFacts>(f).ok());
    if let (Some(seq), Some(facts)) = (seq, facts) {
        ANSWER.with(|a| *a.borrow_mut() = Some((seq, facts)));
    }
}

/// Ask now; None when nothing the page can do draws over the card, else why.
/// No answer within a second refuses.
pub async fn check() -> Option<CoverReason> {
    let seq = SEQ.with(|s| {
        s.set(s.get().wrapping_add(1));
        s.get()
    });
    let msg = super::message("cover");
    let _ = Reflect::set(&msg, &"seq".into(), &seq.into());
    // What to read, for the strict-CSP path's JavaScript (the lists live here).
    let properties: js_sys::Array = STYLE_EXPECTED.iter().map(|(p, _)| JsValue::from_str(p)).collect();
    let pseudo: js_sys::Array = PSEUDO_ELEMENTS.iter().map(|p| JsValue::from_str(p)).collect();
    let selectors: js_sys::Array = TopLayerKind::SELECTORS
        .iter()
        .map(|(sel, kind)| js_sys::Array::of2(&JsValue::from_str(sel), &crate::platform::to_js(kind)))
        .collect();
    let _ = Reflect::set(&msg, &"properties".into(), &properties);
    let _ = Reflect::set(&msg, &"pseudo".into(), &pseudo);
    let _ = Reflect::set(&msg, &"selectors".into(), &selectors);
    super::post(&msg);
    for _ in 0..40 {
        let facts = ANSWER.with(|a| a.borrow().as_ref().filter(|(s, _)| *s == seq).map(|(_, f)| f.clone()));
        if facts.is_some() {
            let reason = covered(facts.as_ref());
            if let Some(r) = &reason {
                web_sys::console::info_1(&format!("Escucha card: Log refused, covered: {r:?}").into());
            }
            return reason;
        }
        gloo_timers::future::TimeoutFuture::new(25).await;
    }
    covered(None)
}
