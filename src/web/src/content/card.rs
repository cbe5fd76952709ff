//! The capture card: a small form next to a mention, inside a CLOSED shadow
//! root so the page's scripts cannot reach into it and its CSS cannot
//! restyle it. Everything it shows comes from `escucha_core::card::CardModel`
//! and page text only ever enters it as text nodes or input values.

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::card::{fill_in, CardModel, FieldView, FillInError, ManualFields};
use escucha_core::i18n::Key;
use escucha_core::log::{Capture, CaptureContext, CaptureEdit, Priority, Sentiment, Status, Tags};
use escucha_core::page_text::OWN_UI_ATTRIBUTE;
use escucha_core::protocol::{Message, Reply};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::dom;
use crate::platform::{self, t};

const CARD_CSS: &str = r#"
:host { all: initial; }
.card { box-sizing: border-box; width: 340px; max-height: 70vh; overflow: auto; padding: 10px 12px;
  font: 13px/1.35 system-ui, sans-serif; color: #1d1d1f; background: #fff; border: 1px solid #c9c9c9;
  border-radius: 10px; box-shadow: 0 6px 24px rgba(0,0,0,.18); }
.head { display: flex; align-items: center; gap: 6px; margin-bottom: 6px; }
.brand { font-weight: 600; }
.term { color: #555; }
.close { margin-left: auto; border: 0; background: none; font-size: 18px; cursor: pointer; color: #555; }
.logged { background: #e7f5ff; color: #1c4a6e; border-radius: 6px; padding: 3px 6px; margin: 4px 0; }
blockquote { margin: 4px 0 8px; padding: 4px 8px; border-left: 3px solid #d9480f; color: #333; white-space: pre-wrap; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 0 0 8px; }
dt { color: #666; } dd { margin: 0; overflow-wrap: anywhere; }
.missing { width: 100%; box-sizing: border-box; font: inherit; border: 1px dashed #c92a2a; border-radius: 4px; padding: 1px 4px; }
fieldset { border: 0; padding: 0; margin: 0 0 6px; display: flex; flex-wrap: wrap; gap: 4px; }
legend { color: #666; margin-bottom: 2px; }
.seg { font: inherit; border: 1px solid #bbb; border-radius: 12px; padding: 1px 8px; background: #fff; cursor: pointer; }
.seg[aria-pressed="true"] { background: #d9480f; border-color: #d9480f; color: #fff; }
label { display: block; color: #666; margin: 4px 0 1px; }
select, input[type=text], textarea { font: inherit; width: 100%; box-sizing: border-box; }
textarea { min-height: 48px; resize: vertical; }
.row { display: flex; gap: 8px; } .row > div { flex: 1; }
.actions { display: flex; align-items: center; gap: 8px; margin-top: 8px; }
.log { font: inherit; font-weight: 600; padding: 4px 14px; border-radius: 6px; border: 1px solid #d9480f; background: #d9480f; color: #fff; cursor: pointer; }
.state { color: #555; } .state.error { color: #c92a2a; } .state.ok { color: #2b8a3e; }
"#;

/// Events that must not reach the page's listeners while the manager types.
const CONTAINED_EVENTS: [&str; 9] = ["keydown", "keyup", "keypress", "input", "beforeinput", "mousedown", "mouseup", "click", "focusin"];

/// Where the card was opened from: a mention (brand + term) or a selection.
pub struct Opening {
    pub context: CaptureContext,
    /// Page-relative position of the mention, for placing the card.
    pub anchor_rect: (f64, f64, f64, f64),
}

struct CardState {
    context: CaptureContext,
    model: CardModel,
    logged_id: Option<String>,
    /// The manager changed a tag widget before the first "Log".
    touched: bool,
}

pub struct Card {
    host: HtmlElement,
    /// Kept so tests (and future updates) reach inside the closed root.
    #[allow(dead_code)]
    shadow: ShadowRoot,
    /// Kept alive with the card; the handlers hold clones.
    #[allow(dead_code)]
    state: Rc<RefCell<CardState>>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static OPEN: RefCell<Option<Card>> = const { RefCell::new(None) };
}

/// Whether `node` is inside the card (its host, since the root is closed).
pub fn is_card_event(target: &JsValue) -> bool {
    OPEN.with(|o| o.borrow().as_ref().is_some_and(|c| target.dyn_ref::<web_sys::Node>().is_some_and(|n| c.host.contains(Some(n)))))
}

pub fn is_open() -> bool {
    OPEN.with(|o| o.borrow().is_some())
}

pub fn close() {
    OPEN.with(|o| {
        if let Some(card) = o.borrow_mut().take() {
            card.host.remove();
        }
    });
}

/// Open (or replace) the card for `opening`.
pub fn open(opening: Opening, existing: &[Capture], defaults: &Tags, departments: &[String]) -> Result<(), JsValue> {
    close();
    let model = CardModel::new(&opening.context, existing, defaults, departments, "");
    let logged_id = model.logged.as_ref().map(|l| l.id.clone());
    let state = Rc::new(RefCell::new(CardState { context: opening.context, model, logged_id, touched: false }));

    let doc = dom::document();
    let host: HtmlElement = doc.create_element("escucha-card")?.unchecked_into();
    host.set_attribute(OWN_UI_ATTRIBUTE, "card")?;
    // Inline !important beats any page rule aimed at our host element.
    let (x, y, w, h) = opening.anchor_rect;
    let win = web_sys::window().expect("window");
    let view_w = win.inner_width()?.as_f64().unwrap_or(1024.0);
    let left = (x + win.scroll_x()?).min(win.scroll_x()? + view_w - 350.0).max(win.scroll_x()? + 4.0);
    let top = y + h + win.scroll_y()? + 6.0;
    let _ = w;
    let style = host.style();
    for (k, v) in [
        ("all", "initial".to_string()),
        ("position", "absolute".into()),
        ("z-index", "2147483647".into()),
        ("left", format!("{left}px")),
        ("top", format!("{top}px")),
        ("display", "block".into()),
    ] {
        style.set_property_with_priority(k, &v, "important")?;
    }
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Closed))?;
    adopt_css(&shadow)?;

    let mut listeners = Vec::new();
    for name in CONTAINED_EVENTS {
        let cb = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| e.stop_propagation());
        shadow.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref())?;
        listeners.push(cb);
    }
    render(&shadow, &state)?;
    doc.document_element().expect("html").append_child(&host)?;
    OPEN.with(|o| *o.borrow_mut() = Some(Card { host, shadow, state, _listeners: listeners }));
    Ok(())
}

fn adopt_css(shadow: &ShadowRoot) -> Result<(), JsValue> {
    // A constructed sheet: page CSP (style-src) does not apply to it.
    let ctor: Function = Reflect::get(&js_sys::global(), &"CSSStyleSheet".into())?.dyn_into()?;
    let sheet = Reflect::construct(&ctor, &Array::new())?;
    let replace: Function = Reflect::get(&sheet, &"replaceSync".into())?.dyn_into()?;
    replace.call1(&sheet, &CARD_CSS.into())?;
    Reflect::set(shadow, &"adoptedStyleSheets".into(), &Array::of1(&sheet))?;
    Ok(())
}

fn status_from(s: &str) -> Status {
    Status::ALL.into_iter().find(|v| v.as_str() == s).unwrap_or_default()
}

/// The "Logged by … · status" line, or None when not yet logged.
fn logged_line(model: &CardModel) -> Option<String> {
    let l = model.logged.as_ref()?;
    let status = t(Key::status(status_from(l.status)), &[]);
    Some(if l.by_teammate { t(Key::CardLoggedBy, &[&l.by, &status]) } else { t(Key::CardLoggedByYou, &[&status]) })
}

fn select(id: &str, options: &[(String, String)], selected: &str) -> HtmlSelectElement {
    let s: HtmlSelectElement = dom::el("select", &[("id", id)], "").unchecked_into();
    for (value, label) in options {
        let o = dom::el("option", &[("value", value)], label);
        if value == selected {
            o.set_attribute("selected", "").ok();
        }
        s.append_child(&o).ok();
    }
    s
}

fn labelled(label: &str, control: &Element) -> HtmlElement {
    let div = dom::el("div", &[], "");
    let l = dom::el("label", &[("for", &control.id())], label);
    dom::append(div, &[&l, control])
}

fn field_row(dl: &Element, label: &str, view: &FieldView, input_id: &str) {
    dl.append_child(&dom::el("dt", &[], label)).ok();
    let dd = dom::el("dd", &[], "");
    match view {
        FieldView::Found(v) => dd.set_text_content(Some(v)),
        FieldView::Missing => {
            let input = dom::el(
                "input",
                &[
                    ("type", "text"),
                    ("class", "missing"),
                    ("id", input_id),
                    ("placeholder", &t(Key::CardMissing, &[])),
                    ("aria-label", label),
                ],
                "",
            );
            dd.append_child(&input).ok();
        }
    }
    dl.append_child(&dd).ok();
}

/// The comment time in the reader's locale, with the page's wording kept.
fn time_text(model: &CardModel) -> FieldView {
    match (&model.time_utc, &model.time_original) {
        (Some(utc), FieldView::Found(original)) => {
            let date = js_sys::Date::new(&JsValue::from_str(utc));
            let local =
                if date.get_time().is_nan() { utc.clone() } else { String::from(date.to_locale_string("default", &JsValue::UNDEFINED)) };
            if &local == original {
                FieldView::Found(local)
            } else {
                FieldView::Found(format!("{local} ({original})"))
            }
        }
        (_, v) => v.clone(),
    }
}

fn render(shadow: &ShadowRoot, state: &Rc<RefCell<CardState>>) -> Result<(), JsValue> {
    let st = state.borrow();
    let m = &st.model;
    let card = dom::el("div", &[("class", "card"), ("role", "dialog"), ("aria-label", "Escucha")], "");
    let close_btn =
        dom::el("button", &[("class", "close"), ("type", "button"), ("aria-label", &t(Key::CardClose, &[])), ("id", "close")], "\u{00d7}");
    let brand_text = if m.brand.is_empty() { t(Key::CardSelection, &[]) } else { m.brand.clone() };
    let head = dom::append(
        dom::el("div", &[("class", "head")], ""),
        &[&dom::el("span", &[("class", "brand")], &brand_text), &dom::el("span", &[("class", "term")], &m.term), &close_btn],
    );
    card.append_child(&head)?;
    let logged = dom::el("div", &[("class", "logged"), ("id", "logged")], &logged_line(m).unwrap_or_default());
    if m.logged.is_none() {
        logged.set_attribute("hidden", "")?;
    }
    card.append_child(&logged)?;
    card.append_child(&dom::el("blockquote", &[("id", "excerpt")], &m.excerpt))?;

    let dl = dom::el("dl", &[], "");
    field_row(&dl, &t(Key::CardAuthor, &[]), &m.author, "manual-author");
    field_row(&dl, &t(Key::CardTime, &[]), &time_text(m), "manual-time");
    field_row(&dl, &t(Key::CardLink, &[]), &m.permalink, "manual-link");
    card.append_child(&dl)?;

    let sentiments = dom::el("fieldset", &[("id", "sentiment")], "");
    sentiments.append_child(&dom::el("legend", &[], &t(Key::CardSentiment, &[])))?;
    for s in Sentiment::ALL {
        let pressed = if s == m.tags.sentiment { "true" } else { "false" };
        let b = dom::el(
            "button",
            &[("type", "button"), ("class", "seg"), ("data-value", s.as_str()), ("aria-pressed", pressed)],
            &t(Key::sentiment(s), &[]),
        );
        sentiments.append_child(&b)?;
    }
    card.append_child(&sentiments)?;

    let mut deps = vec![(String::new(), t(Key::CardNoDepartment, &[]))];
    deps.extend(m.departments.iter().map(|d| (d.clone(), d.clone())));
    let dep = select("department", &deps, m.tags.department.as_deref().unwrap_or(""));
    let status = select("status", &Status::ALL.map(|s| (s.as_str().to_string(), t(Key::status(s), &[])))[..], m.tags.status.as_str());
    let prio = select("priority", &Priority::ALL.map(|p| (p.as_str().to_string(), t(Key::priority(p), &[])))[..], m.tags.priority.as_str());
    card.append_child(&labelled(&t(Key::CardDepartment, &[]), &dep))?;
    let row = dom::append(
        dom::el("div", &[("class", "row")], ""),
        &[&labelled(&t(Key::CardStatus, &[]), &status), &labelled(&t(Key::CardPriority, &[]), &prio)],
    );
    card.append_child(&row)?;
    let tags: HtmlInputElement = dom::el("input", &[("type", "text"), ("id", "tags")], "").unchecked_into();
    tags.set_value(&m.tags.tags.join(", "));
    card.append_child(&labelled(&t(Key::CardTags, &[]), &tags))?;
    let note: HtmlTextAreaElement = dom::el("textarea", &[("id", "note")], "").unchecked_into();
    note.set_value(&m.tags.note);
    card.append_child(&labelled(&t(Key::CardNote, &[]), &note))?;

    let label = if m.logged.is_some() { t(Key::CardUpdate, &[]) } else { t(Key::CardLog, &[]) };
    let log_btn = dom::el("button", &[("type", "button"), ("class", "log"), ("id", "log")], &label);
    let state_line = dom::el("span", &[("class", "state"), ("id", "state"), ("role", "status"), ("aria-live", "polite")], "");
    let actions = dom::append(dom::el("div", &[("class", "actions")], ""), &[&log_btn, &state_line]);
    card.append_child(&actions)?;
    drop(st);
    shadow.append_child(&card)?;

    // Wiring: every handler reads the widgets back into a Tags value.
    on(&close_btn, "click", |_| close());
    {
        let state = state.clone();
        let shadow2 = shadow.clone();
        on(&sentiments, "click", move |e| {
            let Some(b) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let Some(value) = b.get_attribute("data-value") else { return };
            if let Ok(all) = shadow2.query_selector_all("#sentiment .seg") {
                for i in 0..all.length() {
                    if let Some(el) = all.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                        let on = el.get_attribute("data-value").as_deref() == Some(value.as_str());
                        el.set_attribute("aria-pressed", if on { "true" } else { "false" }).ok();
                    }
                }
            }
            state.borrow_mut().touched = true;
        });
    }
    for control in
        [dep.unchecked_ref::<Element>(), status.unchecked_ref(), prio.unchecked_ref(), tags.unchecked_ref(), note.unchecked_ref()]
    {
        let state = state.clone();
        on(control, "input", move |_| state.borrow_mut().touched = true);
    }
    {
        let state = state.clone();
        let shadow2 = shadow.clone();
        on(&log_btn, "click", move |_| {
            let (state, shadow) = (state.clone(), shadow2.clone());
            wasm_bindgen_futures::spawn_local(async move { submit(&shadow, &state).await });
        });
    }
    {
        // Escape closes, as any popover does.
        on(&card, "keydown", |e| {
            if e.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape") {
                close();
            }
        });
    }
    Ok(())
}

fn on(target: &Element, event: &str, f: impl FnMut(web_sys::Event) + 'static) {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).ok();
    cb.forget(); // lives as long as the card's elements
}

fn by_id<T: JsCast>(shadow: &ShadowRoot, id: &str) -> Option<T> {
    shadow.get_element_by_id(id).and_then(|e| e.dyn_into::<T>().ok())
}

fn input_value(shadow: &ShadowRoot, id: &str) -> String {
    by_id::<HtmlInputElement>(shadow, id).map(|i| i.value()).unwrap_or_default()
}

/// The tag widgets' current values.
fn read_tags(shadow: &ShadowRoot) -> Tags {
    let sentiment = shadow
        .query_selector("#sentiment .seg[aria-pressed=\"true\"]")
        .ok()
        .flatten()
        .and_then(|b| b.get_attribute("data-value"))
        .and_then(|v| Sentiment::ALL.into_iter().find(|s| s.as_str() == v))
        .unwrap_or_default();
    let select_value = |id: &str| by_id::<HtmlSelectElement>(shadow, id).map(|s| s.value()).unwrap_or_default();
    let department = select_value("department");
    Tags {
        sentiment,
        department: (!department.is_empty()).then_some(department),
        status: status_from(&select_value("status")),
        priority: Priority::ALL.into_iter().find(|p| p.as_str() == select_value("priority")).unwrap_or_default(),
        tags: input_value(shadow, "tags").split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        note: by_id::<HtmlTextAreaElement>(shadow, "note").map(|n| n.value()).unwrap_or_default(),
    }
}

fn show_state(shadow: &ShadowRoot, text: &str, class: &str) {
    if let Some(s) = by_id::<HtmlElement>(shadow, "state") {
        s.set_text_content(Some(text));
        s.set_class_name(&format!("state {class}"));
    }
}

/// "Log" (first time) or "Update": acknowledged only once the service worker
/// replies that the record is durably stored.
async fn submit(shadow: &ShadowRoot, state: &Rc<RefCell<CardState>>) {
    let manual = ManualFields {
        author_name: input_value(shadow, "manual-author"),
        permalink: input_value(shadow, "manual-link"),
        time: input_value(shadow, "manual-time"),
    };
    let (context, logged_id, touched) = {
        let st = state.borrow();
        (st.context.clone(), st.logged_id.clone(), st.touched)
    };
    let context = match fill_in(context, &manual) {
        Ok(c) => c,
        Err(FillInError::NotAWebLink(link)) => return show_state(shadow, &t(Key::CardNotAWebLink, &[&link]), "error"),
    };
    let tags = read_tags(shadow);
    show_state(shadow, &t(Key::CardSaving, &[]), "");
    let message = match &logged_id {
        None => Message::LogCapture { context: context.clone(), tags: touched.then(|| tags.clone()) },
        Some(id) => Message::EditCapture { id: id.clone(), edit: CaptureEdit::set_tags(&tags) },
    };
    match platform::send_message(&message).await {
        Ok(Reply::Logged { capture }) => {
            {
                let mut st = state.borrow_mut();
                st.logged_id = Some(capture.id.clone());
                st.context = context;
            }
            show_state(shadow, &t(Key::CardSaved, &[]), "ok");
            if let Some(b) = by_id::<HtmlElement>(shadow, "log") {
                b.set_text_content(Some(&t(Key::CardUpdate, &[])));
            }
            if let Some(l) = by_id::<HtmlElement>(shadow, "logged") {
                l.set_text_content(Some(&t(Key::CardLoggedByYou, &[&t(Key::status(capture.status.value), &[])])));
                l.remove_attribute("hidden").ok();
            }
            super::on_logged(capture);
        }
        Ok(Reply::Error(e)) => show_state(shadow, &t(Key::CardSaveFailed, &[&e.message]), "error"),
        Ok(other) => show_state(shadow, &t(Key::CardSaveFailed, &[&format!("{other:?}")]), "error"),
        Err(e) => show_state(shadow, &t(Key::CardSaveFailed, &[&e.0]), "error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::*;
    wasm_bindgen_test_configure!(run_in_browser);

    fn opening(text: &str, author: Option<&str>) -> Opening {
        Opening {
            context: CaptureContext {
                page_url: "https://foro.example/t/1".into(),
                comment_text: text.into(),
                brand: "ACME".into(),
                term: "ACME Corp".into(),
                author_name: author.map(String::from),
                ..Default::default()
            },
            anchor_rect: (10.0, 10.0, 50.0, 14.0),
        }
    }

    #[wasm_bindgen_test]
    fn the_card_is_closed_to_the_page_and_shows_page_text_as_text() {
        let payload = r#"<img src=x onerror="window.__pwned=1">ACME Corp"#;
        open(opening(payload, Some("<b>evil</b>")), &[], &Tags::default(), &["PR".into()]).unwrap();
        let host = dom::document().query_selector("escucha-card").unwrap().expect("card host");
        assert!(host.shadow_root().is_none(), "closed root: the page cannot reach inside");
        assert_eq!(host.get_attribute(OWN_UI_ATTRIBUTE).as_deref(), Some("card"));
        OPEN.with(|o| {
            let o = o.borrow();
            let card = o.as_ref().unwrap();
            let quote = card.shadow.get_element_by_id("excerpt").unwrap();
            assert_eq!(quote.text_content().unwrap(), payload);
            assert_eq!(quote.child_element_count(), 0);
            assert!(card.shadow.query_selector("img").unwrap().is_none());
            // Author found, link and time missing: inputs offered instead.
            assert!(card.shadow.get_element_by_id("manual-author").is_none());
            assert!(card.shadow.get_element_by_id("manual-link").is_some());
            assert!(card.shadow.get_element_by_id("manual-time").is_some());
        });
        assert!(Reflect::get(&js_sys::global(), &"__pwned".into()).unwrap().is_undefined());
        close();
        assert!(dom::document().query_selector("escucha-card").unwrap().is_none());
    }

    #[wasm_bindgen_test]
    fn widgets_read_back_as_tags() {
        open(
            opening("ACME Corp rocks", None),
            &[],
            &Tags { status: Status::NeedsResponse, ..Default::default() },
            &["PR".into(), "Logística".into()],
        )
        .unwrap();
        OPEN.with(|o| {
            let o = o.borrow();
            let card = o.as_ref().unwrap();
            let tags = read_tags(&card.shadow);
            assert_eq!(tags.status, Status::NeedsResponse, "defaults preselected");
            by_id::<HtmlSelectElement>(&card.shadow, "department").unwrap().set_value("Logística");
            by_id::<HtmlInputElement>(&card.shadow, "tags").unwrap().set_value(" envío, , urgente ");
            let tags = read_tags(&card.shadow);
            assert_eq!(tags.department.as_deref(), Some("Logística"));
            assert_eq!(tags.tags, vec!["envío".to_string(), "urgente".to_string()]);
        });
        close();
    }
}
