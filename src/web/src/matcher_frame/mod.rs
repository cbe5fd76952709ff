//! The matcher frame (`extension/matcher/matcher.html`): an extension page
//! that runs the brand matcher for a content script whose page forbids it
//! WebAssembly. See [`escucha_core::matcher_frame`] for the design, the
//! ticket and the channel layout; this module only moves buffers.

use std::cell::RefCell;

use escucha_core::brands::BrandGroup;
use escucha_core::matcher_frame::{self as channel, FrameHello};
use escucha_core::matching::{Matcher, Mention, Scratch};
use escucha_core::page_text;
use escucha_core::protocol::{Message, Reply};
use js_sys::{Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

use crate::platform::{self, PlatformError};

struct Engine {
    matcher: Matcher,
    groups: Vec<BrandGroup>,
    scratch: Scratch,
    hello: FrameHello,
}

#[derive(Default)]
struct State {
    ticket: String,
    /// The content script's end of the channel: the first port that came
    /// with our ticket, and no other.
    port: Option<MessagePort>,
    engine: Option<Engine>,
    greeted: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

pub async fn start(early: Array) -> Result<(), PlatformError> {
    let window = web_sys::window().ok_or_else(|| PlatformError("No window.".into()))?;
    let ticket = window.location().hash()?.trim_start_matches('#').to_string();
    if !channel::is_well_formed_ticket(&ticket) {
        return Err(PlatformError("The matcher frame was opened without a ticket.".into()));
    }
    STATE.with(|s| s.borrow_mut().ticket = ticket.clone());
    // Listen before the first await: the content script may post its port
    // while we still wait for the brand list.
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(accept_port);
    window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
    on_message.forget();
    for event in early.iter() {
        accept_port(event.unchecked_into());
    }

    let (enabled, brands) = match platform::send_message(&Message::MatcherHello { ticket }).await? {
        Reply::ContentConfig { enabled, brands, .. } => (enabled, brands),
        Reply::Error(e) => return Err(PlatformError(e.message)),
        other => return Err(PlatformError(format!("Unexpected reply to matcherHello: {other:?}"))),
    };
    let matcher = Matcher::new(&brands).map_err(|e| PlatformError(e.to_string()))?;
    let hello = channel::hello(enabled, &brands.groups);
    STATE.with(|s| s.borrow_mut().engine = Some(Engine { matcher, groups: brands.groups, scratch: Scratch::default(), hello }));
    greet();
    Ok(())
}

/// Take the channel port from the one message that carries our ticket.
fn accept_port(event: MessageEvent) {
    let offered = Reflect::get(&event.data(), &"ticket".into()).ok().and_then(|t| t.as_string());
    let ports = event.ports();
    let accepted = STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.port.is_some() || offered.as_deref() != Some(s.ticket.as_str()) || ports.length() != 1 {
            return false;
        }
        let port: MessagePort = ports.get(0).unchecked_into();
        let on_scan = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
            if let Err(err) = handle(e.data()) {
                web_sys::console::warn_1(&err);
            }
        });
        port.set_onmessage(Some(on_scan.as_ref().unchecked_ref()));
        on_scan.forget();
        s.port = Some(port);
        true
    });
    if accepted {
        greet();
    }
}

/// Send the hello once both the port and the brand list are here.
fn greet() {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.greeted {
            return;
        }
        let (Some(port), Some(engine)) = (&s.port, &s.engine) else { return };
        let msg = Object::new();
        let _ = Reflect::set(&msg, &"type".into(), &"hello".into());
        let _ = Reflect::set(&msg, &"hello".into(), &platform::to_js(&engine.hello));
        if port.post_message(&msg).is_ok() {
            s.greeted = true;
        }
    });
}

fn field(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &key.into())
}

/// One `scan` request: match the text, map mentions to nodes, answer with
/// the spans buffer (transferred) and, when asked, the popup's list.
fn handle(data: JsValue) -> Result<(), JsValue> {
    if field(&data, "type")?.as_string().as_deref() != Some("scan") {
        return Err(format!("Escucha matcher: unknown request {:?}", field(&data, "type")?.as_string()).into());
    }
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let State { port, engine, .. } = &mut *s;
        let (Some(port), Some(engine)) = (port.as_ref(), engine.as_mut()) else { return Ok(()) };
        let t0 = now();
        let bytes = Uint8Array::new(&field(&data, "text")?).to_vec();
        let starts = Uint32Array::new(&field(&data, "starts")?).to_vec();
        let ends = Uint32Array::new(&field(&data, "ends")?).to_vec();
        // TextEncoder output is UTF-8; anything else is a bug on the sender's side.
        let text = String::from_utf8(bytes).map_err(|e| JsValue::from(format!("Escucha matcher: text is not UTF-8: {e}")))?;
        let t1 = now();
        let mut mentions: Vec<Mention> = Vec::new();
        if engine.hello.enabled && starts.len() == ends.len() {
            engine.matcher.find_into(&text, &mut engine.scratch, &mut mentions);
        }
        let t2 = now();
        let spans = page_text::locate(&mentions, &starts, &ends);
        let words = Uint32Array::from(&channel::encode_spans(&spans)[..]);
        let t3 = now();

        let reply = Object::new();
        Reflect::set(&reply, &"type".into(), &"spans".into())?;
        Reflect::set(&reply, &"id".into(), &field(&data, "id")?)?;
        Reflect::set(&reply, &"spans".into(), &words.buffer())?;
        if let Some(url) = field(&data, "url")?.as_string() {
            let units: Vec<u16> = text.encode_utf16().collect();
            let groups = channel::summarize(&units, &spans, &starts, &engine.groups);
            let list = Reply::PageMentions { url, total: spans.len() as u32, groups };
            Reflect::set(&reply, &"pageMentions".into(), &platform::to_js(&list))?;
        }
        let phases = platform::to_js(&[("frame decode", t1 - t0), ("frame match", t2 - t1), ("frame locate", t3 - t2)]);
        Reflect::set(&reply, &"phases".into(), &phases)?;
        port.post_message_with_transferable(&reply, &Array::of1(&words.buffer()))
    })
}
