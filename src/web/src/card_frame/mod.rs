//! The card frame (`extension/card/card.html`): the capture card, as an
//! extension page inside the web page. See [`escucha_core::card_frame`] for
//! the design, the ticket and the channel; this module redeems the ticket,
//! runs the one extraction ([`card_frame::capture_context`]) and draws the
//! form (`form.rs`).

mod cover; // top11
mod fit;
mod form;
mod visibility;

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::capture::extract::TextScope;
use escucha_core::card::CardModel;
use escucha_core::card_frame::{self, CardOpening, FromCardFrame, ToCardFrame, Viewport};
use escucha_core::log::Capture;
use escucha_core::protocol::requests::{CardHello, GetPageCaptures};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, MessagePort};

use crate::dom;
use crate::frame_port;
use crate::platform::{self, PlatformError};

/// What the service worker told us when we claimed the ticket.
struct Config {
    page_url: String,
    member: String,
    brands: escucha_core::brands::BrandList,
    departments: Vec<String>,
    defaults: escucha_core::log::Tags,
    members: Vec<String>,
    rules: Vec<escucha_core::routing::Rule>,
}

#[derive(Default)]
struct State {
    ticket: String,
    /// The content script's end of the channel: the first port that came
    /// with our ticket, and no other.
    port: Option<MessagePort>,
    opening: Option<CardOpening>,
    config: Option<Config>,
    shown: bool,
    anchor: card_frame::Rect,
    viewport: Viewport,
    keyboard: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

pub async fn start(early: Array) -> Result<(), PlatformError> {
    let ticket = frame_port::ticket()?;
    STATE.with(|s| s.borrow_mut().ticket = ticket.clone());
    crate::pages::set_document_lang();
    frame_port::listen(early, accept_port)?;
    let c = platform::send(&CardHello { ticket }).await.map_err(|e| PlatformError(platform::error_text(&e)))?;
    let config = Config {
        page_url: c.page_url,
        member: c.member,
        brands: c.brands,
        departments: c.departments,
        defaults: c.defaults,
        members: c.members,
        rules: c.rules,
    };
    STATE.with(|s| s.borrow_mut().config = Some(config));
    try_show();
    Ok(())
}

/// Take the channel port from the one message that carries our ticket.
fn accept_port(event: MessageEvent) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        if s.port.is_some() {
            return;
        }
        let Some(port) = frame_port::offered(&event, &s.ticket) else { return };
        frame_port::on_message(&port, |e: MessageEvent| on_port_message(e.data()));
        s.port = Some(port);
    });
}

fn on_port_message(data: JsValue) {
    match platform::from_js::<ToCardFrame>(data) {
        Ok(ToCardFrame::Open { opening }) => {
            STATE.with(|s| s.borrow_mut().opening = Some(*opening));
            try_show();
        }
        Ok(ToCardFrame::Focus) => focus_card(),
        Ok(ToCardFrame::Cover { seq, facts }) => cover::on_answer(seq, facts),
        Err(e) => web_sys::console::warn_1(&format!("Escucha card: bad message: {e}").into()),
    }
}

/// Draw the card once the port, the opening and our config are all here.
fn try_show() {
    let ready = STATE.with(|s| {
        let mut s = s.borrow_mut();
        let ready = !s.shown && s.port.is_some() && s.opening.is_some() && s.config.is_some();
        s.shown |= ready;
        ready
    });
    if ready {
        wasm_bindgen_futures::spawn_local(async {
            if let Err(e) = show().await {
                web_sys::console::warn_1(&format!("Escucha card: {e}").into());
            }
        });
    }
}

async fn show() -> Result<(), PlatformError> {
    let (opening, page_url, brands) = STATE.with(|s| {
        let mut s = s.borrow_mut();
        let opening = s.opening.take().expect("checked in try_show");
        s.anchor = opening.anchor;
        s.viewport = opening.viewport;
        s.keyboard = opening.keyboard;
        let c = s.config.as_ref().expect("checked in try_show");
        (opening, c.page_url.clone(), c.brands.clone())
    });
    let (context, scope) = card_frame::capture_context(opening, &page_url, &brands, js_sys::Date::now() as i64)
        .map_err(|e| PlatformError(format!("The page copy was refused: {e}")))?;
    // Captures cite the canonical URL when the page has one; older ones (or
    // pages without it) are filed under the address itself. Ask for both.
    let mut captures: Vec<Capture> = Vec::new();
    let urls = if context.page_url != page_url { vec![page_url.clone(), context.page_url.clone()] } else { vec![page_url.clone()] };
    for url in urls {
        if let Ok(escucha_core::protocol::PageCaptures { captures: found, .. }) = platform::send(&GetPageCaptures { url }).await {
            for c in found {
                if !captures.iter().any(|k| k.id == c.id) {
                    captures.push(c);
                }
            }
        }
    }
    let state = STATE.with(|s| {
        let s = s.borrow();
        let c = s.config.as_ref().expect("config");
        let mut model = CardModel::new(&context, &captures, &c.defaults, &c.departments, &c.member).team(
            &context,
            &captures,
            &c.member,
            &c.members,
            js_sys::Date::now() as i64,
        );
        model.passage_only = scope == TextScope::Passage;
        let logged_id = model.logged.as_ref().map(|l| l.id.clone());
        Rc::new(RefCell::new(form::CardState {
            ticket: s.ticket.clone(),
            context,
            model,
            logged_id,
            touched: false,
            member: c.member.clone(),
            members: c.members.clone(),
            rules: c.rules.clone(),
        }))
    });
    form::render(&dom::document(), &state)?;
    // paint11: "Log" asks whether it is visibly on top (visibility.rs): the
    // button itself, so a card partly scrolled out of view still logs.
    if let Some(log) = dom::document().get_element_by_id("log") {
        visibility::watch(&log)?;
    }
    report_place();
    if let Some(card) = dom::document().get_element_by_id("card") {
        fit::watch(&card, report_place)?;
    }
    // When the first frame with the card is painted (for the benchmark).
    let painted = Closure::once_into_js(|| {
        let _ = Reflect::set(&js_sys::global(), &"escuchaPaintedAt".into(), &now_epoch().into());
    });
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(painted.unchecked_ref());
    }
    Ok(())
}

fn now_epoch() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.time_origin() + p.now()).unwrap_or(0.0)
}

fn post(message: &FromCardFrame) {
    STATE.with(|s| {
        if let Some(port) = &s.borrow().port {
            let _ = port.post_message(&platform::to_js(message));
        }
    });
}

/// Tell the content script where to put us, sized to the card.
pub(crate) fn report_place() {
    let Some(card) = dom::document().get_element_by_id("card") else { return };
    let height = card.scroll_height() as f64 + 2.0; // the border
    let (anchor, viewport) = STATE.with(|s| (s.borrow().anchor, s.borrow().viewport));
    let at = card_frame::place(anchor, height, viewport);
    post(&FromCardFrame::Place { at, keyboard: STATE.with(|s| s.borrow().keyboard) });
}

/// The content script focused our frame (keyboard opening): focus the card.
fn focus_card() {
    if let Some(card) = dom::document().get_element_by_id("card").and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = card.focus();
    }
}

pub(crate) fn close() {
    post(&FromCardFrame::Close);
}

pub(crate) fn logged(capture: &Capture) {
    post(&FromCardFrame::Logged { capture: Box::new(capture.clone()) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use escucha_core::log::{CaptureContext, Status, Tags};
    use wasm_bindgen_test::*;
    use web_sys::{HtmlInputElement, HtmlSelectElement};
    wasm_bindgen_test_configure!(run_in_browser);

    fn state(text: &str, author: Option<&str>, defaults: &Tags, departments: &[String]) -> Rc<RefCell<form::CardState>> {
        let context = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            comment_text: text.into(),
            brand: "ACME".into(),
            term: "ACME Corp".into(),
            author_name: author.map(String::from),
            ..Default::default()
        };
        let model = CardModel::new(&context, &[], defaults, departments, "ana");
        Rc::new(RefCell::new(form::CardState {
            ticket: "t".into(),
            context,
            model,
            logged_id: None,
            touched: false,
            member: "ana".into(),
            members: vec![],
            rules: vec![],
        }))
    }

    fn clear() {
        if let Some(c) = dom::document().get_element_by_id("card") {
            c.remove();
        }
    }

    #[wasm_bindgen_test]
    fn the_card_shows_page_text_as_text() {
        let payload = r#"<img src=x onerror="window.__pwned=1">ACME Corp"#;
        let doc = dom::document();
        form::render(&doc, &state(payload, Some("<b>evil</b>"), &Tags::default(), &["PR".into()])).unwrap();
        let quote = doc.get_element_by_id("excerpt").unwrap();
        assert_eq!(quote.text_content().unwrap(), payload);
        assert_eq!(quote.child_element_count(), 0);
        assert!(doc.query_selector("#card img").unwrap().is_none());
        // Author found, link and time missing: inputs offered instead.
        assert!(doc.get_element_by_id("manual-author").is_none());
        assert!(doc.get_element_by_id("manual-link").is_some());
        assert!(doc.get_element_by_id("manual-time").is_some());
        assert!(Reflect::get(&js_sys::global(), &"__pwned".into()).unwrap().is_undefined());
        clear();
    }

    #[wasm_bindgen_test]
    fn widgets_read_back_as_tags() {
        let doc = dom::document();
        let defaults = Tags { status: Status::NeedsResponse, ..Default::default() };
        form::render(&doc, &state("ACME Corp rocks", None, &defaults, &["PR".into(), "Logística".into()])).unwrap();
        let tags = form::read_tags(&doc);
        assert_eq!(tags.status, Status::NeedsResponse, "defaults preselected");
        form::by_id::<HtmlSelectElement>(&doc, "department").unwrap().set_value("Logística");
        form::by_id::<HtmlInputElement>(&doc, "tags").unwrap().set_value(" envío, , urgente ");
        let tags = form::read_tags(&doc);
        assert_eq!(tags.department.as_deref(), Some("Logística"));
        assert_eq!(tags.tags, vec!["envío".to_string(), "urgente".to_string()]);
        clear();
    }
}
