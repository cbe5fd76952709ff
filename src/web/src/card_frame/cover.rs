//! top11: whether the page draws over the card, asked of the content script
//! over the card's channel at Log time (it answers with
//! `escucha_core::card_cover::CoverFacts`; the decision is
//! `escucha_core::card_cover::covered`). The check that holds on Firefox,
//! which has no IntersectionObserver v2; kept on Chromium too.

use std::cell::{Cell, RefCell};

use escucha_core::card_cover::{covered, CoverFacts, CoverReason};
use escucha_core::card_frame::FromCardFrame;

thread_local! {
    static SEQ: Cell<u32> = const { Cell::new(0) };
    static ANSWER: RefCell<Option<(u32, CoverFacts)>> = const { RefCell::new(None) };
}

/// The content script's answer (`ToCardFrame::Cover`).
pub fn on_answer(seq: u32, facts: CoverFacts) {
    ANSWER.with(|a| *a.borrow_mut() = Some((seq, facts)));
}

/// Ask now; None when nothing the page can do draws over the card, else why.
/// No answer within a second refuses.
pub async fn check() -> Option<CoverReason> {
    let seq = SEQ.with(|s| {
        s.set(s.get().wrapping_add(1));
        s.get()
    });
    super::post(&FromCardFrame::cover(seq));
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
