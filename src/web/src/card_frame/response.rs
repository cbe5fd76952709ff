//! verify13: the card's verified-response line. A reply by a team account
//! found on the page is proposed ("Responded by @handle at <time>", a link
//! to the reply, one Confirm click); a confirmed one is shown as verified.
//! What is said and what Confirm sends are `escucha_core::response_view`;
//! page text enters only as text nodes, the link only as an http(s) href.

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::protocol::requests::CardEdit;
use escucha_core::response_view::ResponseView;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement};

use super::form::{by_id, CardState};
use crate::dom;
use crate::platform::{self, t};

/// The reply's time in the reader's locale.
fn local_time(view: &ResponseView) -> Option<String> {
    let utc = view.time_utc()?;
    let d = js_sys::Date::new(&JsValue::from_str(utc));
    (!d.get_time().is_nan()).then(|| String::from(d.to_locale_string("default", &JsValue::UNDEFINED)))
}

/// The section (hidden when there is nothing to say), wired.
pub fn section(doc: &Document, state: &Rc<RefCell<CardState>>) -> HtmlElement {
    let bx = dom::el("div", &[("id", "response"), ("class", "response"), ("hidden", "")], "");
    let line = dom::el("p", &[("id", "response-line")], "");
    let link = dom::el("a", &[("id", "response-link"), ("target", "_blank"), ("rel", "noopener noreferrer"), ("hidden", "")], "");
    link.set_text_content(Some(&t(ResponseView::open_label(), &[])));
    let confirm =
        dom::el("button", &[("type", "button"), ("id", "confirm-response"), ("hidden", "")], &t(ResponseView::confirm_label(), &[]));
    let _ = bx.append_child(&line);
    let _ = bx.append_child(&link);
    let _ = bx.append_child(&confirm);
    draw(&bx, state.borrow().response.as_ref());
    let (state, doc) = (state.clone(), doc.clone());
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let (state, doc, trusted) = (state.clone(), doc.clone(), e.is_trusted());
        wasm_bindgen_futures::spawn_local(async move { confirm_reply(&doc, &state, trusted).await });
    });
    let _ = confirm.add_event_listener_with_callback("click", cb.as_ref().unchecked_ref());
    cb.forget();
    bx
}

fn draw(bx: &Element, view: Option<&ResponseView>) {
    let Some(view) = view else {
        let _ = bx.set_attribute("hidden", "");
        return;
    };
    let _ = bx.remove_attribute("hidden");
    let find = |id: &str| bx.query_selector(&format!("#{id}")).ok().flatten();
    if let Some(line) = find("response-line") {
        line.set_text_content(Some(&crate::words::say(&view.line(local_time(view).as_deref()))));
    }
    if let Some(link) = find("response-link") {
        match view.link() {
            Some(href) => {
                let _ = link.set_attribute("href", href);
                let _ = link.remove_attribute("hidden");
            }
            None => {
                let _ = link.set_attribute("hidden", "");
            }
        }
    }
    if let Some(b) = find("confirm-response") {
        if view.confirm_edit().is_some() {
            let _ = b.remove_attribute("hidden");
        } else {
            let _ = b.set_attribute("hidden", "");
        }
    }
}

/// One click: the same deliberate-click and visibility checks as Log, then
/// the edit; the card shows the verified line once the worker has stored it.
async fn confirm_reply(doc: &Document, state: &Rc<RefCell<CardState>>, trusted: bool) {
    if let Err(refusal) = escucha_core::card::log_allowed(trusted, super::visibility::current().await) {
        return say(doc, &t(refusal.key(), &[]));
    }
    if super::cover::check().await.is_some() {
        return say(doc, &t(escucha_core::card::LogRefusal::NotVisible.key(), &[]));
    }
    let (ticket, id, edit) = {
        let st = state.borrow();
        let Some(edit) = st.response.as_ref().and_then(ResponseView::confirm_edit) else { return };
        let Some(id) = st.logged_id.clone() else { return };
        (st.ticket.clone(), id, edit)
    };
    match platform::send(&CardEdit { ticket, id, edit }).await {
        Ok(escucha_core::protocol::requests::Logged { capture }) => {
            let view = ResponseView::of(Some(&capture), None);
            state.borrow_mut().response = view.clone();
            if let Some(bx) = by_id::<Element>(doc, "response") {
                draw(&bx, view.as_ref());
            }
            if let Some(l) = by_id::<HtmlElement>(doc, "logged") {
                let status = t(escucha_core::i18n::Key::status(capture.status.value), &[]);
                let by = capture.created_by.clone();
                let line = if state.borrow().member.trim() == by.trim() {
                    t(escucha_core::i18n::Key::CardLoggedByYou, &[&status])
                } else {
                    l.text_content().unwrap_or_default()
                };
                l.set_text_content(Some(&line));
            }
            super::logged(&capture);
            say(doc, &t(escucha_core::i18n::Key::CardSaved, &[]));
        }
        Err(e) => say(doc, &t(escucha_core::i18n::Key::CardSaveFailed, &[&platform::error_text(&e)])),
    }
}

fn say(doc: &Document, text: &str) {
    if let Some(s) = by_id::<HtmlElement>(doc, "state") {
        s.set_text_content(Some(text));
    }
}
