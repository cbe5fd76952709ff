//! The capture card's form, drawn by the card frame (an extension page): a
//! view of `escucha_core::card::CardModel`. Page text only ever enters it as
//! text nodes or input values.

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::card::{fill_in, update_edit, CardModel, ClaimAction, FieldView, FillInError, ManualFields, TeamView};
use escucha_core::i18n::Key;
use escucha_core::log::{CaptureContext, CaptureEdit, Priority, Sentiment, Status, Tags};
use escucha_core::protocol::requests::{CardEdit, CardLog};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::dom;
use crate::platform::{self, t};

pub struct CardState {
    pub ticket: String,
    pub context: CaptureContext,
    pub model: CardModel,
    pub logged_id: Option<String>,
    /// The manager changed a tag widget before the first "Log".
    pub touched: bool,
    /// This browser's member and the team's names (issue 12).
    pub member: String,
    pub members: Vec<String>,
    /// rules13: the team's routing rules (the preview line).
    pub rules: Vec<escucha_core::routing::Rule>,
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

pub fn render(doc: &Document, state: &Rc<RefCell<CardState>>) -> Result<(), JsValue> {
    let st = state.borrow();
    let m = &st.model;
    let card = dom::el("div", &[("class", "card"), ("id", "card"), ("role", "dialog"), ("aria-label", "Escucha"), ("tabindex", "-1")], "");
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
    // wsui12: "Ana is responding (until 10:32)", before anyone types.
    card.append_child(&dom::el("p", &[("class", "claim-line"), ("id", "claim-line"), ("hidden", "")], ""))?;
    card.append_child(&dom::el("blockquote", &[("id", "excerpt")], &m.excerpt))?;
    if m.passage_only {
        card.append_child(&dom::el("p", &[("id", "passage-only"), ("class", "hint")], &t(Key::CardPassageOnly, &[])))?;
    }

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
    deps.extend(m.departments.iter().map(|d| (d.clone(), crate::words::department(d))));
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
    // rules13: "→ Logistics · High · #delivery", what the team's rules will do.
    card.append_child(&dom::el(
        "p",
        &[("class", "route-line"), ("id", "route-line"), ("title", &t(Key::CardRouteTitle, &[])), ("hidden", "")],
        "",
    ))?;
    // wsui12: assignee and the comment thread of a logged capture (drawn by render_team).
    card.append_child(&dom::el("div", &[("id", "assignee-box")], ""))?;
    card.append_child(&dom::el("div", &[("id", "thread-box")], ""))?;
    // The note is the first comment of a new capture, a new comment of a logged one.
    let note: HtmlTextAreaElement = dom::el("textarea", &[("id", "note")], "").unchecked_into();
    if m.logged.is_none() {
        note.set_value(&m.tags.note);
    }
    card.append_child(&labelled(&t(Key::WsAddComment, &[]), &note))?;

    let label = if m.logged.is_some() { t(Key::CardUpdate, &[]) } else { t(Key::CardLog, &[]) };
    let log_btn = dom::el("button", &[("type", "button"), ("class", "log"), ("id", "log")], &label);
    let claim_btn = dom::el("button", &[("type", "button"), ("class", "claim"), ("id", "claim"), ("hidden", "")], "");
    let state_line = dom::el("span", &[("class", "state"), ("id", "state"), ("role", "status"), ("aria-live", "polite")], "");
    let actions = dom::append(dom::el("div", &[("class", "actions")], ""), &[&log_btn, &claim_btn, &state_line]);
    card.append_child(&actions)?;
    drop(st);
    let body = doc.body().ok_or_else(|| JsValue::from("Escucha card: no body"))?;
    body.append_child(&card)?;
    render_team(doc, state);
    render_route(doc, state);

    // Wiring: every handler reads the widgets back into a Tags value.
    on(&close_btn, "click", |_| super::close());
    {
        let state = state.clone();
        let doc2 = doc.clone();
        on(&sentiments, "click", move |e| {
            let Some(b) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let Some(value) = b.get_attribute("data-value") else { return };
            if let Ok(all) = doc2.query_selector_all("#sentiment .seg") {
                for i in 0..all.length() {
                    if let Some(el) = all.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                        let on = el.get_attribute("data-value").as_deref() == Some(value.as_str());
                        el.set_attribute("aria-pressed", if on { "true" } else { "false" }).ok();
                    }
                }
            }
            state.borrow_mut().touched = true;
            render_route(&doc2, &state);
        });
    }
    for control in [dep.unchecked_ref::<Element>(), status.unchecked_ref(), prio.unchecked_ref(), tags.unchecked_ref()] {
        let state = state.clone();
        let doc2 = doc.clone();
        on(control, "input", move |_| {
            state.borrow_mut().touched = true;
            render_route(&doc2, &state);
        });
    }
    {
        let state = state.clone();
        let doc2 = doc.clone();
        on(&log_btn, "click", move |e| {
            let (state, doc, trusted) = (state.clone(), doc2.clone(), e.is_trusted());
            wasm_bindgen_futures::spawn_local(async move { submit(&doc, &state, trusted, None).await });
        });
    }
    {
        let state = state.clone();
        let doc2 = doc.clone();
        on(&claim_btn, "click", move |e| {
            let (state, doc, trusted) = (state.clone(), doc2.clone(), e.is_trusted());
            let action = state.borrow().model.team.as_ref().map(TeamView::claim_action);
            wasm_bindgen_futures::spawn_local(async move { submit(&doc, &state, trusted, action).await });
        });
    }
    {
        // Escape closes, as any popover does.
        on(&card, "keydown", |e| {
            if e.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape") {
                super::close();
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

pub fn by_id<T: JsCast>(doc: &Document, id: &str) -> Option<T> {
    doc.get_element_by_id(id).and_then(|e| e.dyn_into::<T>().ok())
}

fn input_value(doc: &Document, id: &str) -> String {
    by_id::<HtmlInputElement>(doc, id).map(|i| i.value()).unwrap_or_default()
}

/// The tag widgets' current values.
pub fn read_tags(doc: &Document) -> Tags {
    let sentiment = doc
        .query_selector("#sentiment .seg[aria-pressed=\"true\"]")
        .ok()
        .flatten()
        .and_then(|b| b.get_attribute("data-value"))
        .and_then(|v| Sentiment::ALL.into_iter().find(|s| s.as_str() == v))
        .unwrap_or_default();
    let select_value = |id: &str| by_id::<HtmlSelectElement>(doc, id).map(|s| s.value()).unwrap_or_default();
    let department = select_value("department");
    Tags {
        sentiment,
        department: (!department.is_empty()).then_some(department),
        status: status_from(&select_value("status")),
        priority: Priority::ALL.into_iter().find(|p| p.as_str() == select_value("priority")).unwrap_or_default(),
        tags: input_value(doc, "tags").split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        note: by_id::<HtmlTextAreaElement>(doc, "note").map(|n| n.value()).unwrap_or_default(),
    }
}

fn show_state(doc: &Document, text: &str, class: &str) {
    if let Some(s) = by_id::<HtmlElement>(doc, "state") {
        s.set_text_content(Some(text));
        s.set_class_name(&format!("state {class}"));
    }
    super::report_place(); // the card may have grown
}

/// "Log" (first time) or "Update": acknowledged only once the service worker
/// replies that the record is durably stored.
/// `claim`: the claim button was clicked (only the claim changes).
async fn submit(doc: &Document, state: &Rc<RefCell<CardState>>, trusted: bool, claim: Option<ClaimAction>) {
    // paint11: only a deliberate click on a card visibly on top logs.
    if let Err(refusal) = escucha_core::card::log_allowed(trusted, super::visibility::current().await) {
        return show_state(doc, &t(refusal.key(), &[]), "error");
    }
    // top11: and nothing the page put in the top layer or did to our host
    // draws over it (the occlusion check Firefox has).
    if super::cover::check().await.is_some() {
        return show_state(doc, &t(escucha_core::card::LogRefusal::NotVisible.key(), &[]), "error");
    }
    let manual = ManualFields {
        author_name: input_value(doc, "manual-author"),
        permalink: input_value(doc, "manual-link"),
        time: input_value(doc, "manual-time"),
    };
    let (context, logged_id, touched, ticket, team, member) = {
        let st = state.borrow();
        (st.context.clone(), st.logged_id.clone(), st.touched, st.ticket.clone(), st.model.team.clone(), st.member.clone())
    };
    let context = match fill_in(context, &manual) {
        Ok(c) => c,
        Err(FillInError::NotAWebLink(link)) => return show_state(doc, &t(Key::CardNotAWebLink, &[&link]), "error"),
    };
    let tags = read_tags(doc);
    show_state(doc, &t(Key::CardSaving, &[]), "");
    let now = js_sys::Date::now() as i64;
    let sent = match (&logged_id, claim) {
        (None, _) => {
            // A note typed before the first Log is the capture's first comment.
            let touched = touched || !tags.note.trim().is_empty();
            platform::send(&CardLog { ticket, context: context.clone(), tags: touched.then(|| tags.clone()) }).await
        }
        (Some(id), Some(action)) => platform::send(&CardEdit { ticket, id: id.clone(), edit: action.edit(&member, now) }).await,
        (Some(id), None) => {
            let assignee = by_id::<HtmlSelectElement>(doc, "assignee").map(|s| s.value()).unwrap_or_default();
            let edit = match &team {
                Some(team) => update_edit(team, &tags, &assignee, &tags.note, &member, now),
                None => CaptureEdit::set_tags(&tags),
            };
            platform::send(&CardEdit { ticket, id: id.clone(), edit }).await
        }
    };
    match sent {
        Ok(escucha_core::protocol::requests::Logged { capture }) => {
            {
                let mut st = state.borrow_mut();
                st.logged_id = Some(capture.id.clone());
                st.context = context;
                let team = TeamView::of(&capture, &st.member, &st.members, js_sys::Date::now() as i64);
                st.model.team = Some(team);
            }
            // Posted: the comment box empties and the thread shows it.
            if let Some(n) = by_id::<HtmlTextAreaElement>(doc, "note") {
                n.set_value("");
            }
            render_team(doc, state);
            render_route(doc, state);
            // The page repaints the comment as logged before we say "Saved".
            super::logged(&capture);
            show_state(doc, &t(Key::CardSaved, &[]), "ok");
            if let Some(b) = by_id::<HtmlElement>(doc, "log") {
                b.set_text_content(Some(&t(Key::CardUpdate, &[])));
            }
            if let Some(l) = by_id::<HtmlElement>(doc, "logged") {
                l.set_text_content(Some(&t(Key::CardLoggedByYou, &[&t(Key::status(capture.status.value), &[])])));
                l.remove_attribute("hidden").ok();
            }
        }
        Err(e) => show_state(doc, &t(Key::CardSaveFailed, &[&platform::error_text(&e)]), "error"),
    }
}

/// rules13: the route line, from the tags chosen now (hidden when the rules
/// change nothing, or once the comment is logged).
fn render_route(doc: &Document, state: &Rc<RefCell<CardState>>) {
    let Some(line) = by_id::<HtmlElement>(doc, "route-line") else { return };
    let tags = read_tags(doc);
    let text = {
        let st = state.borrow();
        let logged = st.logged_id.is_some();
        escucha_core::card::route_line(&st.rules, &st.context, &tags, logged, crate::words::department, |p| t(Key::priority(p), &[]))
    };
    match text {
        Some(text) => {
            line.set_text_content(Some(&text));
            line.remove_attribute("hidden").ok();
        }
        None => {
            line.set_text_content(None);
            line.set_attribute("hidden", "").ok();
        }
    }
    super::report_place();
}

/// A time of day in the reader's locale ("10:32").
fn clock(ms: i64) -> String {
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"hour".into(), &"2-digit".into()).ok();
    js_sys::Reflect::set(&opts, &"minute".into(), &"2-digit".into()).ok();
    String::from(js_sys::Date::new(&(ms as f64).into()).to_locale_time_string_with_options("default", &opts))
}

/// A date and time in the reader's locale.
fn when(ms: i64) -> String {
    String::from(js_sys::Date::new(&(ms as f64).into()).to_locale_string("default", &JsValue::UNDEFINED))
}

/// The team's side of a logged capture: the claim line and button, the
/// assignee menu and the comment thread (comment text as text nodes only).
/// Drawn at opening and again from every reply.
pub fn render_team(doc: &Document, state: &Rc<RefCell<CardState>>) {
    let st = state.borrow();
    let team = st.model.team.as_ref();
    if let Some(line) = by_id::<HtmlElement>(doc, "claim-line") {
        match team.and_then(|tm| tm.claim.as_ref().map(|k| (tm, k))) {
            Some((tm, k)) => {
                let words = tm.claim_line(&clock(k.until_ms)).map(|w| crate::words::say(&w)).unwrap_or_default();
                line.set_text_content(Some(&words));
                line.set_class_name(if k.mine { "claim-line mine" } else { "claim-line" });
                line.remove_attribute("hidden").ok();
            }
            None => {
                line.set_text_content(None);
                line.set_attribute("hidden", "").ok();
            }
        }
    }
    if let Some(b) = by_id::<HtmlElement>(doc, "claim") {
        match team {
            Some(tm) => {
                b.set_text_content(Some(&t(tm.claim_action().label(), &[])));
                b.remove_attribute("hidden").ok();
            }
            None => {
                b.set_attribute("hidden", "").ok();
            }
        }
    }
    if let Some(bx) = by_id::<HtmlElement>(doc, "assignee-box") {
        bx.set_text_content(None);
        if let Some(tm) = team {
            let options: Vec<(String, String)> =
                tm.assignees.iter().map(|(v, name)| (v.clone(), name.clone().unwrap_or_else(|| t(Key::WsUnassigned, &[])))).collect();
            let s = select("assignee", &options, tm.assignee.as_deref().unwrap_or(""));
            bx.append_child(&labelled(&t(Key::WsAssignee, &[]), &s)).ok();
        }
    }
    if let Some(bx) = by_id::<HtmlElement>(doc, "thread-box") {
        bx.set_text_content(None);
        if let Some(tm) = team.filter(|tm| !tm.comments.is_empty()) {
            bx.append_child(&dom::el("h2", &[("class", "thread-title")], &t(Key::WsComments, &[]))).ok();
            let list = dom::el("ol", &[("id", "thread"), ("class", "thread")], "");
            for k in &tm.comments {
                let item = dom::el("li", &[("data-comment", &k.id)], "");
                let head = dom::append(
                    dom::el("div", &[("class", "comment-head")], ""),
                    &[&dom::el("strong", &[("class", "comment-author")], &k.author), &dom::el("time", &[], &when(k.created_ms))],
                );
                dom::append(&item, &[&head, &dom::el("p", &[("class", "comment-text")], &k.text)]);
                list.append_child(&item).ok();
            }
            bx.append_child(&list).ok();
        }
    }
    drop(st);
    super::report_place(); // the card may have grown
}
