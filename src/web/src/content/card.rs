//! The capture card's place in the page: an `<escucha-card>` host with a
//! CLOSED shadow root holding the card frame (`card/card.html`, an extension
//! page; see `escucha_core::card_frame`). Everything the card shows and does
//! happens in that frame; here we only open it with a ticket, hand it the
//! opening over a `MessageChannel`, put it where it says, and take it away.

use std::cell::RefCell;

use escucha_core::card_frame::{CardOpening, FromCardFrame, Openings, ToCardFrame};
use escucha_core::page_text::OWN_UI_ATTRIBUTE;
use escucha_core::protocol::requests::OpenCardFrame;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlElement, HtmlIFrameElement, MessageChannel, MessageEvent, MessagePort, ShadowRootInit, ShadowRootMode};

use crate::dom;
use crate::platform;

// top11: the host in the top layer, and what Log asks about it.
mod cover;

struct Card {
    host: HtmlElement,
    frame: HtmlIFrameElement,
    port: MessagePort,
    /// What had the focus before a keyboard opening, to give it back.
    previous: Option<HtmlElement>,
    focused: bool,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _load: Closure<dyn FnMut()>,
}

thread_local! {
    static OPEN: RefCell<Option<Card>> = const { RefCell::new(None) };
}

/// Whether `target` is the card (its host: the root is closed).
pub fn is_card_event(target: &JsValue) -> bool {
    OPEN.with(|o| o.borrow().as_ref().is_some_and(|c| target.dyn_ref::<web_sys::Node>().is_some_and(|n| c.host.contains(Some(n)))))
}

pub fn is_open() -> bool {
    OPEN.with(|o| o.borrow().is_some())
}

/// Take the card away; focus goes back to where it was if it was in the card.
pub fn close() {
    let Some(card) = OPEN.with(|o| o.borrow_mut().take()) else { return };
    let had_focus = dom::document().active_element().is_some_and(|a| &a == card.host.unchecked_ref::<web_sys::Element>());
    card.port.close();
    cover::forget();
    card.host.remove();
    if had_focus || card.focused {
        // The focus was in the frame we removed: back to the page, and to
        // what had it before.
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        if let Some(p) = card.previous {
            let _ = p.focus();
        }
    }
}

thread_local! {
    // Only the latest opening shows a card (the core's rule, both paths).
    static OPENINGS: std::cell::Cell<Openings> = const { std::cell::Cell::new(Openings::new()) };
}

/// Open (or replace) the card for `opening`.
pub async fn open(opening: CardOpening) -> Result<(), JsValue> {
    close();
    let mine = OPENINGS.with(|n| {
        let mut o = n.get();
        let mine = o.start();
        n.set(o);
        mine
    });
    let ticket = platform::send(&OpenCardFrame {}).await.map_err(|e| JsValue::from_str(&format!("Escucha: no card ticket: {e}")))?.ticket;
    // A later opening (a hover and a click, one after the other) started
    // while this one waited for its ticket: that one is the card to show.
    if !OPENINGS.with(|n| n.get().shows(mine)) {
        return Ok(());
    }
    // A tooltip shown while the ticket was on its way would cover the card
    // (and Log refuses a covered card).
    super::pointer::reset_display();
    let doc = dom::document();
    let host: HtmlElement = doc.create_element("escucha-card")?.unchecked_into();
    host.set_attribute(OWN_UI_ATTRIBUTE, "card")?;
    // Inline !important beats any page rule aimed at our host element. Hidden
    // until the frame says where it goes and how tall it is.
    let style = host.style();
    for (k, v) in escucha_core::card_frame::HOST_STYLE {
        style.set_property_with_priority(k, v, "important")?;
    }
    cover::prepare(&host)?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Closed))?;
    let frame: HtmlIFrameElement = doc.create_element("iframe")?.unchecked_into();
    let src = platform::call_sync("runtime.getURL", &["card/card.html".into()])?.as_string().unwrap_or_default();
    frame.set_src(&format!("{src}#{ticket}"));
    frame.set_title("Escucha");
    let fs = frame.style();
    for (k, v) in escucha_core::card_frame::FRAME_STYLE {
        fs.set_property_with_priority(k, v, "important")?;
    }
    shadow.append_child(&frame)?;

    let channel = MessageChannel::new()?;
    let port = channel.port1();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| on_frame_message(e.data()));
    port.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The frame is loaded from a dynamic address (manifest: use_dynamic_url,
    // so a page cannot probe for card.html) but its document has the
    // extension's own origin: post to that (a resource outside the dynamic
    // list names it).
    let own = platform::call_sync("runtime.getURL", &["manifest.json".into()])?.as_string().unwrap_or_default();
    let target_origin = own.split('/').take(3).collect::<Vec<_>>().join("/");
    let (frame2, ticket2, port2) = (frame.clone(), ticket.clone(), channel.port2());
    let load = Closure::<dyn FnMut()>::new(move || {
        let Some(win) = frame2.content_window() else { return };
        let hello = Object::new();
        let _ = Reflect::set(&hello, &"ticket".into(), &ticket2.as_str().into());
        let _ = win.post_message_with_transfer(&hello, &target_origin, &Array::of1(&port2));
    });
    frame.set_onload(Some(load.as_ref().unchecked_ref()));
    let keyboard = opening.keyboard;
    port.post_message(&platform::to_js(&ToCardFrame::Open { opening: Box::new(opening) }))?;
    let previous = keyboard.then(|| doc.active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok())).flatten();
    doc.document_element().ok_or("no html element")?.append_child(&host)?;
    cover::show(&host)?;
    OPEN.with(|o| *o.borrow_mut() = Some(Card { host, frame, port, previous, focused: false, _listeners: vec![on_message], _load: load }));
    Ok(())
}

/// What the card frame tells us: where to go, that it logged, to close.
fn on_frame_message(data: JsValue) {
    let Ok(message) = platform::from_js::<FromCardFrame>(data) else { return };
    match message {
        FromCardFrame::Place { at, keyboard } => OPEN.with(|o| {
            let mut o = o.borrow_mut();
            let Some(card) = o.as_mut() else { return };
            let style = card.host.style();
            cover::ours(|| {
                for (k, v) in [("left", at.left), ("top", at.top), ("width", at.width), ("height", at.height)] {
                    let _ = style.set_property_with_priority(k, &format!("{v}px"), "important");
                }
                let _ = style.set_property_with_priority("visibility", "visible", "important");
            });
            if keyboard && !card.focused {
                // Keyboard users land in the card; its frame then focuses the form.
                card.focused = true;
                let _ = card.frame.focus();
                let _ = card.port.post_message(&platform::to_js(&ToCardFrame::Focus));
            }
        }),
        FromCardFrame::Logged { capture } => super::on_logged(*capture),
        FromCardFrame::Close => close(),
        // top11: Log asks what the page shows of and around the card.
        FromCardFrame::Cover { seq, .. } => OPEN.with(|o| {
            if let Some(card) = o.borrow().as_ref() {
                let facts = cover::facts(&card.host);
                let _ = card.port.post_message(&platform::to_js(&ToCardFrame::Cover { seq, facts }));
            }
        }),
    }
}
