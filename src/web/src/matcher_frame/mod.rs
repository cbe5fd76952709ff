//! The matcher frame (`extension/matcher/matcher.html`): an extension page
//! that runs the brand matcher for a content script whose page forbids it
//! WebAssembly. See [`escucha_core::matcher_frame`] for the design, the
//! ticket and the typed channel; this module moves buffers and runs the
//! core's decisions ([`channel::Brain`]) for the content script, whose
//! JavaScript only reads and paints the DOM.

use std::cell::RefCell;

use escucha_core::brands::BrandGroup;
use escucha_core::matcher_frame::{self as channel, Act, Brain, FrameHello, FrameReply, FrameRequest};
use escucha_core::matching::{Matcher, Mention, Scratch};
use escucha_core::page_text;
use escucha_core::protocol::requests::{MatcherHello, PageMentions};
use escucha_core::protocol::{Answer, SenderInfo};
use escucha_core::sender::OwnExtension;
use js_sys::{Array, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, MessagePort};

use crate::frame_port;
use crate::platform::{self, PlatformError};

struct Engine {
    matcher: Matcher,
    groups: Vec<BrandGroup>,
    scratch: Scratch,
    hello: FrameHello,
    brain: Brain,
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
    let ticket = frame_port::ticket()?;
    STATE.with(|s| s.borrow_mut().ticket = ticket.clone());
    // The content script may post its port while we still wait for the brand list.
    frame_port::listen(early, accept_port)?;

    let config = platform::send(&MatcherHello { ticket }).await.map_err(|e| PlatformError(e.to_string()))?;
    let (enabled, brands) = (config.enabled, config.brands);
    let matcher = Matcher::new(&brands).map_err(|e| PlatformError(e.to_string()))?;
    let hello = channel::hello(enabled, &brands.groups, platform::t(escucha_core::i18n::Key::MentionTooltip, &[]));
    STATE.with(|s| {
        s.borrow_mut().engine = Some(Engine {
            matcher,
            groups: brands.groups,
            scratch: Scratch::default(),
            hello,
            brain: Brain::new(enabled, cfg!(feature = "bench")),
        })
    });
    greet();
    Ok(())
}

/// Take the channel port from the one message that carries our ticket.
fn accept_port(event: MessageEvent) {
    let accepted = STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.port.is_some() {
            return false;
        }
        let Some(port) = frame_port::offered(&event, &s.ticket) else { return false };
        frame_port::on_message(&port, |e: MessageEvent| {
            if let Err(err) = handle(e.data()) {
                web_sys::console::warn_1(&err);
            }
        });
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
        let msg = platform::to_js(&FrameReply::Hello { hello: Box::new(engine.hello.clone()) });
        if port.post_message(&msg).is_ok() {
            s.greeted = true;
        }
    });
}

fn field(obj: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(obj, &key.into())
}

/// One request from the content script, answered on the port with its own
/// reply kind. A `Scan` matches the text, maps mentions to nodes and answers
/// with the spans buffer (transferred) and, when asked, the popup's list.
fn handle(data: JsValue) -> Result<(), JsValue> {
    let request: FrameRequest = match platform::from_js(field(&data, "request")?) {
        Ok(r) => r,
        Err(reason) => {
            let id = field(&field(&data, "request")?, "id")?.as_f64().unwrap_or(0.0) as u32;
            let refused = platform::to_js(&FrameReply::Refused { id, reason: reason.clone() });
            STATE.with(|s| s.borrow().port.as_ref().map(|p| p.post_message(&refused)));
            return Err(format!("Escucha matcher: unreadable request: {reason}").into());
        }
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let State { port, engine, .. } = &mut *s;
        let (Some(port), Some(engine)) = (port.as_ref(), engine.as_mut()) else { return Ok(()) };
        if let Some(reply) = engine.brain.answer(&request) {
            return port.post_message(&platform::to_js(&reply));
        }
        if let FrameRequest::Incoming { id, sender_id, sender_url, own_id, own_base, from_tab, url } = &request {
            // The relayed message travels beside the request, read as the service worker reads one.
            let sender = SenderInfo {
                extension_id: sender_id.clone(),
                url: sender_url.clone(),
                // Only whether it is in a tab matters to the rule; the id is not relayed.
                tab_id: from_tab.then_some(-1),
                frame_id: None,
            };
            let act = match (platform::wire_value(field(&data, "message")?), OwnExtension::new(own_id, own_base)) {
                (Ok(message), Ok(own)) => engine.brain.act(message, &sender, &own, url),
                (Err(e), _) | (_, Err(e)) => Act::Answer { answer: Answer::Error(e) },
            };
            return port.post_message(&platform::to_js(&FrameReply::Incoming { id: *id, act }));
        }
        let FrameRequest::Scan { id, url } = request else { return Ok(()) };
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

        let page_mentions = url.map(|url| {
            let units: Vec<u16> = text.encode_utf16().collect();
            let groups = channel::summarize(&units, &spans, &starts, &engine.groups);
            // The content script's whole answer to `getPageMentions`.
            Box::new(Answer::Ok(PageMentions { url, total: spans.len() as u32, groups, captures: Vec::new() }))
        });
        let phases = vec![("frame decode".into(), t1 - t0), ("frame match".into(), t2 - t1), ("frame locate".into(), t3 - t2)];
        let reply = platform::to_js(&FrameReply::Scan { id, phases, page_mentions });
        Reflect::set(&reply, &"spans".into(), &words.buffer())?;
        port.post_message_with_transferable(&reply, &Array::of1(&words.buffer()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use escucha_core::brands::BrandList;
    use js_sys::Object;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    const TICKET: &str = "0123456789abcdef0123456789abcdef";

    fn reset(with_engine: bool) {
        let brands = BrandList::default();
        STATE.with(|s| {
            *s.borrow_mut() = State {
                ticket: TICKET.into(),
                engine: with_engine.then(|| Engine {
                    matcher: Matcher::new(&brands).unwrap(),
                    groups: brands.groups.clone(),
                    scratch: Scratch::default(),
                    hello: channel::hello(true, &brands.groups, "Click".into()),
                    brain: Brain::new(true, false),
                }),
                ..State::default()
            }
        });
    }

    /// A window `message` event carrying `ticket` and one port.
    fn offer(ticket: &str, port: &MessagePort) -> MessageEvent {
        let data = Object::new();
        Reflect::set(&data, &"ticket".into(), &ticket.into()).unwrap();
        let init = web_sys::MessageEventInit::new();
        init.set_data(&data);
        init.set_ports(&Array::of1(port));
        MessageEvent::new_with_event_init_dict("message", &init).unwrap()
    }

    fn next_message(port: &MessagePort) -> JsFuture {
        let port = port.clone();
        JsFuture::from(js_sys::Promise::new(&mut |resolve, _| port.set_onmessage(Some(&resolve))))
    }

    #[wasm_bindgen_test]
    fn only_the_port_offered_with_our_ticket_is_taken() {
        reset(false);
        let wrong = web_sys::MessageChannel::new().unwrap();
        accept_port(offer("fedcba9876543210fedcba9876543210", &wrong.port2()));
        assert!(STATE.with(|s| s.borrow().port.is_none()), "a wrong ticket is ignored");
        let right = web_sys::MessageChannel::new().unwrap();
        accept_port(offer(TICKET, &right.port2()));
        assert!(STATE.with(|s| s.borrow().port.is_some()));
        let late = web_sys::MessageChannel::new().unwrap();
        accept_port(offer(TICKET, &late.port2()));
        assert!(STATE.with(|s| s.borrow().port.as_ref() == Some(&right.port2())), "the first port stays");
    }

    #[wasm_bindgen_test]
    async fn a_changes_request_is_answered_with_units_and_a_bad_one_is_refused() {
        reset(true);
        let channel = web_sys::MessageChannel::new().unwrap();
        let hello = next_message(&channel.port1());
        accept_port(offer(TICKET, &channel.port2()));
        hello.await.unwrap();
        let wrap = |typed: JsValue| {
            let request = Object::new();
            Reflect::set(&request, &"request".into(), &typed).unwrap();
            JsValue::from(request)
        };
        let changes = escucha_core::matcher_frame::FrameRequest::Changes {
            id: 3,
            started_at: "https://a.example/".into(),
            now: "https://a.example/".into(),
            changes: vec![escucha_core::page_watch::Change::Text],
        };
        let reply = next_message(&channel.port1());
        handle(wrap(platform::to_js(&changes))).unwrap();
        let data = reply.await.unwrap().unchecked_into::<MessageEvent>().data();
        assert_eq!(Reflect::get(&data, &"type".into()).unwrap(), "changes");
        assert_eq!(Reflect::get(&data, &"id".into()).unwrap(), 3);
        assert_eq!(Array::from(&Reflect::get(&data, &"units".into()).unwrap()).get(0), "enclosingBlock");

        let bad = Object::new();
        Reflect::set(&bad, &"type".into(), &"changes".into()).unwrap();
        Reflect::set(&bad, &"id".into(), &4.into()).unwrap();
        let reply = next_message(&channel.port1());
        assert!(handle(wrap(bad.into())).is_err());
        let data = reply.await.unwrap().unchecked_into::<MessageEvent>().data();
        assert_eq!(Reflect::get(&data, &"type".into()).unwrap(), "refused");
        assert_eq!(Reflect::get(&data, &"id".into()).unwrap(), 4);
    }

    #[wasm_bindgen_test]
    async fn a_relayed_message_travels_beside_its_request_and_is_decided_here() {
        reset(true);
        let channel = web_sys::MessageChannel::new().unwrap();
        let hello = next_message(&channel.port1());
        accept_port(offer(TICKET, &channel.port2()));
        hello.await.unwrap();
        let ask = |sender: &str| {
            let request = Object::new();
            let typed = FrameRequest::Incoming {
                id: 9,
                sender_id: Some(sender.into()),
                sender_url: Some("chrome-extension://me/background/service_worker.js".into()),
                own_id: "me".into(),
                own_base: "chrome-extension://me/".into(),
                from_tab: false,
                url: "https://a.example/".into(),
            };
            Reflect::set(&request, &"request".into(), &platform::to_js(&typed)).unwrap();
            let message = Object::new();
            Reflect::set(&message, &"type".into(), &"ping".into()).unwrap();
            Reflect::set(&request, &"message".into(), &message).unwrap();
            JsValue::from(request)
        };
        for (sender, want) in [("me", "ok"), ("someone-else", "error")] {
            let reply = next_message(&channel.port1());
            handle(ask(sender)).unwrap();
            let data = reply.await.unwrap().unchecked_into::<MessageEvent>().data();
            assert_eq!(Reflect::get(&data, &"type".into()).unwrap(), "incoming");
            assert_eq!(Reflect::get(&data, &"id".into()).unwrap(), 9);
            let act = Reflect::get(&data, &"act".into()).unwrap();
            assert_eq!(Reflect::get(&act, &"do".into()).unwrap(), "answer");
            let answer = Reflect::get(&act, &"answer".into()).unwrap();
            assert_eq!(Reflect::get(&answer, &"type".into()).unwrap(), want, "{sender}");
        }
    }

    #[wasm_bindgen_test]
    async fn a_scan_request_gets_spans_and_the_popup_list() {
        reset(true);
        let channel = web_sys::MessageChannel::new().unwrap();
        let hello = next_message(&channel.port1());
        accept_port(offer(TICKET, &channel.port2()));
        let hello: MessageEvent = hello.await.unwrap().unchecked_into();
        assert_eq!(Reflect::get(&hello.data(), &"type".into()).unwrap(), "hello");

        // Nodes "Hola " and "Movistar" (one block), then "Orange County y Orange" (its own block).
        let text = "Hola Movistar\u{1e}Orange County y Orange";
        let request = Object::new();
        let typed = platform::to_js(&FrameRequest::Scan { id: 7, url: Some("https://foro.example/t/1".into()) });
        Reflect::set(&request, &"request".into(), &typed).unwrap();
        Reflect::set(&request, &"text".into(), &Uint8Array::from(text.as_bytes()).buffer()).unwrap();
        Reflect::set(&request, &"starts".into(), &Uint32Array::from(&[0u32, 5, 14][..]).buffer()).unwrap();
        Reflect::set(&request, &"ends".into(), &Uint32Array::from(&[5u32, 13, 36][..]).buffer()).unwrap();
        let reply = next_message(&channel.port1());
        handle(request.into()).unwrap();
        let reply: MessageEvent = reply.await.unwrap().unchecked_into();
        let data = reply.data();
        assert_eq!(Reflect::get(&data, &"type".into()).unwrap(), "scan");
        assert_eq!(Reflect::get(&data, &"id".into()).unwrap(), 7);
        let spans = Uint32Array::new(&Reflect::get(&data, &"spans".into()).unwrap()).to_vec();
        assert_eq!(spans, vec![1, 0, 1, 8, 0, 2, 16, 2, 22, 1], "Movistar (group 0); Orange County is excluded");
        let list: Answer<PageMentions> = platform::from_js(Reflect::get(&data, &"pageMentions".into()).unwrap()).unwrap();
        let Answer::Ok(PageMentions { total, groups, .. }) = list else { panic!("{list:?}") };
        assert_eq!(total, 2);
        assert_eq!(groups[1].mentions[0].index, 1);
        assert_eq!(groups[1].mentions[0].context, "Orange County y Orange");
    }
}
