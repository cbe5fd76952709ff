//! Keep the frame the card's size. The card's height is first measured
//! before its frame has its final width and before late parts (the "already
//! logged" line, a state message, a grown note) are in; a card cut shorter
//! than its content hid half of its Log button, which the visibility check
//! then rightly refused. The browser says when the card's box changes; each
//! change places the card again (the decision: `card_frame::place`).

use std::cell::RefCell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The observer and its callback, alive as long as the card.
type Watch = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

thread_local! {
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// Watch `card` and call `place` whenever its box changes size.
pub fn watch(card: &web_sys::Element, place: fn()) -> Result<(), wasm_bindgen::JsValue> {
    let on_resize = Closure::<dyn FnMut()>::new(place);
    let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref())?;
    observer.observe(card);
    WATCH.with(|w| *w.borrow_mut() = Some((observer, on_resize)));
    Ok(())
}
