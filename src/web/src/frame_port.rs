//! How an extension frame opened by a content script (the matcher frame, the
//! card frame) takes its end of the channel: the ticket is in the frame's
//! URL fragment, and the content script posts one window message `{ticket}`
//! with one `MessagePort`. Only that port is taken, once; see
//! [`escucha_core::frame_ticket`] for why a page cannot use either frame.

use escucha_core::frame_ticket::is_well_formed_ticket;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

use crate::platform::PlatformError;

/// This frame's ticket (its URL fragment), or why it has none.
pub fn ticket() -> Result<String, PlatformError> {
    let window = web_sys::window().ok_or_else(|| PlatformError("No window.".into()))?;
    let ticket = window.location().hash()?.trim_start_matches('#').to_string();
    if !is_well_formed_ticket(&ticket) {
        return Err(PlatformError("The frame was opened without a ticket.".into()));
    }
    Ok(ticket)
}

/// Hand every window `message` event to `accept`: the `early` ones (caught by
/// the loader before the wasm ran) now, later ones as they come. Call it
/// before the first await: the content script posts its port as soon as the
/// frame has loaded.
pub fn listen(early: Array, accept: fn(MessageEvent)) -> Result<(), PlatformError> {
    let window = web_sys::window().ok_or_else(|| PlatformError("No window.".into()))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(accept);
    window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
    on_message.forget(); // lives as long as the frame
    for event in early.iter() {
        accept(event.unchecked_into());
    }
    Ok(())
}

/// The port `event` offers, when it carries `ticket` and exactly one port.
pub fn offered(event: &MessageEvent, ticket: &str) -> Option<MessagePort> {
    let offered = Reflect::get(&event.data(), &"ticket".into()).ok().and_then(|t| t.as_string());
    let ports = event.ports();
    (offered.as_deref() == Some(ticket) && ports.length() == 1).then(|| ports.get(0).unchecked_into())
}

/// Set `handler` as `port`'s message handler for the frame's lifetime.
pub fn on_message(port: &MessagePort, handler: impl FnMut(MessageEvent) + 'static) {
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(handler);
    port.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
}
