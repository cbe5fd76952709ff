//! The Destinations section and the delivery log: admins list, add, edit,
//! delete and test destinations; everyone reads the delivery log (all, per
//! destination, and per capture in the queue's detail pane); admins get
//! "Retry now" on failed rows. Wording, the retry rule, the form's fields per
//! kind and its body are decided in `escucha_core::dashboard::deliveries`.
//! Everything, server strings included, is set as text.

use std::cell::RefCell;

use escucha_core::dashboard::client::Failure;
use escucha_core::dashboard::deliveries::{
    delivery_lines, destination_path, destination_problem_text, fields_for, form_values, kind_label, log_path, may_configure, problem_text,
    problems_in, retry_path, secret_text, DeliveryLine, DeliveryLog, DestinationForm, DestinationList, FormField, KINDS,
};
use escucha_core::dashboard::i18n::{tr, Lang, Text};
use escucha_core::delivery::DestinationView;
use escucha_core::sync::api::Me;
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement};

use crate::api::{request, request_empty};
use crate::app::format_time;

#[derive(Default)]
struct Section {
    token: Option<String>,
    lang: Lang,
    admin: bool,
    destinations: Vec<DestinationView>,
    /// The destination being edited (its view), `None` when adding.
    editing: Option<DestinationView>,
    log: DeliveryLog,
}

thread_local! {
    static SECTION: RefCell<Section> = RefCell::new(Section::default());
}

fn state() -> (Option<String>, Lang, bool) {
    SECTION.with(|s| {
        let s = s.borrow();
        (s.token.clone(), s.lang, s.admin)
    })
}

/// After sign-in: the log for everyone, the destinations for admins.
pub fn show(token: &str, me: &Me, lang: Lang) {
    let admin = may_configure(me.role);
    SECTION.with(|s| {
        *s.borrow_mut() = Section { token: Some(token.to_string()), lang, admin, ..Section::default() };
    });
    set_hidden("destinations", false);
    set_hidden("dest-admin", !admin);
    set_text("dest-status", "");
    set_text("deliveries-status", "");
    clear(&by_id("dest-problems"));
    fill_kind_select(lang);
    reset_form();
    if admin {
        refresh_destinations();
    }
    refresh_log();
}

pub fn hide() {
    SECTION.with(|s| *s.borrow_mut() = Section::default());
    set_hidden("destinations", true);
    clear(&by_id("dest-rows"));
    clear(&by_id("delivery-rows"));
}

pub fn set_lang(lang: Lang) {
    SECTION.with(|s| s.borrow_mut().lang = lang);
    if state().0.is_none() {
        return;
    }
    let kind = by_id::<HtmlSelectElement>("dest-kind").value();
    fill_kind_select(lang);
    by_id::<HtmlSelectElement>("dest-kind").set_value(&kind);
    draw_form_title();
    draw_fields();
    draw_destinations();
    fill_destination_filter();
    draw_log();
}

fn fill_kind_select(lang: Lang) {
    let select: HtmlSelectElement = by_id("dest-kind");
    clear(&select);
    for k in KINDS {
        append(&select, &el("option", &[("value", k)], kind_label(k).get(lang)));
    }
}

fn failed(status_id: &str, text: Text, f: &Failure) {
    let lang = state().1;
    set_text(status_id, &tr(lang, text, &[&f.message(lang)]));
}

fn refresh_destinations() {
    let (Some(token), _, true) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request::<DestinationList>("GET", "/api/v1/destinations", Some(&token), None).await {
            Ok(list) => {
                SECTION.with(|s| s.borrow_mut().destinations = list.destinations);
                draw_destinations();
                fill_destination_filter();
            }
            Err(f) => failed("dest-status", Text::DestFailed, &f),
        }
    });
}

fn yes_no(lang: Lang, b: bool) -> &'static str {
    if b {
        Text::DestYes.get(lang)
    } else {
        Text::DestNo.get(lang)
    }
}

fn draw_destinations() {
    let (lang, list) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.destinations.clone())
    });
    let body: Element = by_id("dest-rows");
    clear(&body);
    if list.is_empty() {
        let tr_el = el("tr", &[], "");
        append(&tr_el, &el("td", &[("colspan", "8"), ("class", "hint")], Text::DestNone.get(lang)));
        append(&body, &tr_el);
    }
    for d in list {
        let row = el("tr", &[("data-destination", &d.name)], "");
        append(&row, &el("td", &[], &d.name));
        append(&row, &el("td", &[], kind_label(&d.kind).get(lang)));
        append(&row, &el("td", &[], d.department.as_deref().unwrap_or(Text::DestNoDepartment.get(lang))));
        append(&row, &el("td", &[], d.language.code()));
        append(&row, &el("td", &[], yes_no(lang, d.enabled)));
        append(&row, &el("td", &[], &d.host));
        append(&row, &el("td", &[("data-field", "secret")], secret_text(lang, &d)));
        let actions = el("td", &[("class", "dest-actions")], "");
        for (action, label) in [("edit", Text::DestEdit), ("test", Text::DestTest), ("log", Text::DestLog), ("delete", Text::DestDelete)] {
            let b = el("button", &[("type", "button"), ("data-action", action)], label.get(lang));
            b.set_attribute("aria-label", &format!("{} {}", label.get(lang), d.name)).expect("attribute");
            append(&actions, &b);
        }
        append(&row, &actions);
        append(&body, &row);
    }
}

/// The log's destination filter: the admin's list, or the names the log shows.
fn fill_destination_filter() {
    let (lang, mut names, chosen) = SECTION.with(|s| {
        let s = s.borrow();
        let mut names: Vec<String> = s.destinations.iter().map(|d| d.name.clone()).collect();
        names.extend(s.log.deliveries.iter().map(|d| d.destination.clone()));
        (s.lang, names, by_id::<HtmlSelectElement>("deliveries-destination").value())
    });
    names.sort();
    names.dedup();
    let select: HtmlSelectElement = by_id("deliveries-destination");
    clear(&select);
    append(&select, &el("option", &[("value", "")], Text::DeliveriesAll.get(lang)));
    for n in &names {
        append(&select, &el("option", &[("value", n)], n));
    }
    select.set_value(if names.contains(&chosen) { &chosen } else { "" });
}

fn refresh_log() {
    let (Some(token), _, _) = state() else { return };
    let chosen = by_id::<HtmlSelectElement>("deliveries-destination").value();
    let path = log_path(None, Some(chosen.as_str()).filter(|c| !c.is_empty()));
    wasm_bindgen_futures::spawn_local(async move {
        match request::<DeliveryLog>("GET", &path, Some(&token), None).await {
            Ok(log) => {
                SECTION.with(|s| s.borrow_mut().log = log);
                set_text("deliveries-status", "");
                fill_destination_filter();
                draw_log();
            }
            Err(f) => failed("deliveries-status", Text::DeliveriesFailed, &f),
        }
    });
}

fn draw_log() {
    let (lang, admin, log) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.admin, s.log.clone())
    });
    let body: Element = by_id("delivery-rows");
    clear(&body);
    let lines = delivery_lines(lang, &log, admin);
    if lines.is_empty() {
        let tr_el = el("tr", &[], "");
        append(&tr_el, &el("td", &[("colspan", "7"), ("class", "hint")], Text::DeliveriesNone.get(lang)));
        append(&body, &tr_el);
    }
    for line in lines {
        let row = el("tr", &[("data-delivery", &line.id), ("data-state", line.status.as_str())], "");
        append(&row, &el("td", &[], &line.destination));
        append(&row, &el("td", &[("data-field", "state")], &line.state));
        append(&row, &el("td", &[("data-field", "attempts")], &line.attempts));
        append(&row, &el("td", &[("data-field", "answer")], &line.last_answer));
        append(&row, &el("td", &[], &line.next_ms.map(|ms| format_time(ms as f64, lang, true)).unwrap_or_default()));
        append(&row, &el("td", &[], &format_time(line.created_ms as f64, lang, true)));
        let actions = el("td", &[], "");
        if line.can_retry {
            append(&actions, &retry_button(lang, &line));
        }
        append(&row, &actions);
        append(&body, &row);
    }
}

fn retry_button(lang: Lang, line: &DeliveryLine) -> Element {
    let b = el("button", &[("type", "button"), ("data-action", "retry-delivery"), ("data-id", &line.id)], Text::DeliveryRetry.get(lang));
    b.set_attribute("aria-label", &format!("{} ({})", Text::DeliveryRetry.get(lang), line.destination)).expect("attribute");
    b.into()
}

/// The queue's detail pane: a small "Deliveries" list for `capture`.
pub fn detail(body: &Element, capture: &str) {
    let (Some(token), lang, admin) = state() else { return };
    append(body, &el("h3", &[], Text::DestLog.get(lang)));
    let list = el("ul", &[("class", "deliveries"), ("id", "detail-deliveries"), ("data-capture", capture)], "");
    append(body, &list);
    let path = log_path(Some(capture), None);
    let capture = capture.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        let answer = request::<DeliveryLog>("GET", &path, Some(&token), None).await;
        // The pane may show another capture by now.
        if list.get_attribute("data-capture").as_deref() != Some(capture.as_str()) || !list.is_connected() {
            return;
        }
        clear(&list);
        match answer {
            Ok(log) => {
                let lines = delivery_lines(lang, &log, admin);
                if lines.is_empty() {
                    append(&list, &el("li", &[("class", "hint")], Text::DeliveriesNone.get(lang)));
                }
                for line in lines {
                    let li = el("li", &[("data-delivery", &line.id), ("data-state", line.status.as_str())], "");
                    append(&li, &el("strong", &[], &line.destination));
                    let mut text = format!(" · {} · {} {}", line.state, Text::DeliveryAttempts.get(lang), line.attempts);
                    if !line.last_answer.is_empty() {
                        text.push_str(&format!(" · {}", line.last_answer));
                    }
                    if let Some(ms) = line.next_ms {
                        text.push_str(&format!(" · {} {}", Text::DeliveryNextTry.get(lang), format_time(ms as f64, lang, true)));
                    }
                    append(&li, &el("span", &[], &text));
                    if line.can_retry {
                        append(&li, &retry_button(lang, &line));
                    }
                    append(&list, &li);
                }
            }
            Err(f) => {
                append(&list, &el("li", &[("class", "hint")], &tr(lang, Text::DeliveriesFailed, &[&f.message(lang)])));
            }
        }
    });
}

fn retry(id: String) {
    let (Some(token), lang, true) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request_empty("POST", &retry_path(&id), Some(&token), None).await {
            Ok(()) => {
                set_text("deliveries-status", Text::DeliveryRetried.get(lang));
                refresh_log();
                // The worker sends at once; show its answer shortly after.
                later(1500, refresh_log);
            }
            Err(f) => failed("deliveries-status", Text::DeliveriesFailed, &f),
        }
    });
}

fn later(ms: i32, f: fn()) {
    let cb = Closure::once_into_js(f);
    let _ = web_sys::window().expect("window").set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), ms);
}

fn draw_form_title() {
    let (lang, editing) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.editing.as_ref().map(|d| d.name.clone()))
    });
    match editing {
        Some(name) => set_text("dest-form-title", &tr(lang, Text::DestEditing, &[&name])),
        None => set_text("dest-form-title", Text::DestAdd.get(lang)),
    }
}

/// The kind's own fields, filled from the destination being edited; secrets blank.
fn draw_fields() {
    let (lang, editing) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.editing.clone())
    });
    let kind = by_id::<HtmlSelectElement>("dest-kind").value();
    let box_el: Element = by_id("dest-fields");
    // Keep what was typed across a language switch.
    let typed: Vec<(FormField, String)> = read_fields();
    clear(&box_el);
    let values = editing.as_ref().filter(|d| d.kind == kind).map(form_values).unwrap_or_default();
    let secret_set = editing.as_ref().is_some_and(|d| d.kind == kind && d.secret_set);
    for &f in fields_for(&kind) {
        let id = format!("dest-f-{}", f.key());
        let label = el("label", &[], "");
        append(&label, &el("span", &[], f.label().get(lang)));
        let value = typed.iter().chain(values.iter()).find(|(k, _)| *k == f).map(|(_, v)| v.clone()).unwrap_or_else(|| {
            if f == FormField::SmtpPort {
                "587".into()
            } else {
                String::new()
            }
        });
        let input: Element = if f == FormField::Security {
            let s: HtmlSelectElement = el("select", &[("id", &id)], "").unchecked_into();
            for v in ["starttls", "tls", "none"] {
                append(&s, &el("option", &[("value", v)], v));
            }
            s.set_value(&value);
            s.into()
        } else {
            let t = if f.is_secret() {
                "password"
            } else if f == FormField::SmtpPort {
                "number"
            } else {
                "text"
            };
            let i: HtmlInputElement =
                el("input", &[("id", &id), ("type", t), ("autocomplete", "off"), ("spellcheck", "false")], "").unchecked_into();
            if f.is_secret() {
                if secret_set {
                    i.set_placeholder(Text::DestSecretKept.get(lang));
                }
            } else {
                i.set_value(&value);
            }
            i.into()
        };
        append(&label, &el("span", &[], " "));
        append(&label, &input);
        append(&box_el, &label);
    }
}

fn read_fields() -> Vec<(FormField, String)> {
    let doc = escucha_ui::dom::document();
    FormField::ALL
        .iter()
        .filter_map(|&f| {
            let e = doc.get_element_by_id(&format!("dest-f-{}", f.key()))?;
            if f.is_secret() {
                return None;
            }
            let v = if let Some(s) = e.dyn_ref::<HtmlSelectElement>() { s.value() } else { e.dyn_ref::<HtmlInputElement>()?.value() };
            Some((f, v))
        })
        .collect()
}

fn read_form() -> DestinationForm {
    let doc = escucha_ui::dom::document();
    let fields = FormField::ALL
        .iter()
        .filter_map(|&f| {
            let e = doc.get_element_by_id(&format!("dest-f-{}", f.key()))?;
            let v = if let Some(s) = e.dyn_ref::<HtmlSelectElement>() { s.value() } else { e.dyn_ref::<HtmlInputElement>()?.value() };
            Some((f, v))
        })
        .collect();
    DestinationForm {
        name: by_id::<HtmlInputElement>("dest-name").value(),
        kind: by_id::<HtmlSelectElement>("dest-kind").value(),
        department: by_id::<HtmlInputElement>("dest-department").value(),
        language: by_id::<HtmlSelectElement>("dest-language").value(),
        enabled: by_id::<HtmlInputElement>("dest-enabled").checked(),
        fields,
    }
}

fn reset_form() {
    SECTION.with(|s| s.borrow_mut().editing = None);
    let name: HtmlInputElement = by_id("dest-name");
    name.set_value("");
    name.set_read_only(false);
    by_id::<HtmlInputElement>("dest-department").set_value("");
    by_id::<HtmlSelectElement>("dest-language").set_value(state().1.tag());
    by_id::<HtmlInputElement>("dest-enabled").set_checked(true);
    by_id::<HtmlSelectElement>("dest-kind").set_value("slack");
    clear(&by_id("dest-fields"));
    draw_form_title();
    draw_fields();
}

fn edit(name: &str) {
    let Some(d) = SECTION.with(|s| s.borrow().destinations.iter().find(|d| d.name == name).cloned()) else { return };
    clear(&by_id("dest-fields"));
    SECTION.with(|s| s.borrow_mut().editing = Some(d.clone()));
    let input: HtmlInputElement = by_id("dest-name");
    input.set_value(&d.name);
    // The name is the key: renaming is delete + add.
    input.set_read_only(true);
    by_id::<HtmlInputElement>("dest-department").set_value(d.department.as_deref().unwrap_or(""));
    by_id::<HtmlSelectElement>("dest-language").set_value(d.language.code());
    by_id::<HtmlInputElement>("dest-enabled").set_checked(d.enabled);
    by_id::<HtmlSelectElement>("dest-kind").set_value(&d.kind);
    draw_form_title();
    draw_fields();
    let _ = by_id::<web_sys::HtmlElement>("dest-name").focus();
}

fn show_problems(lines: Vec<String>) {
    let list: Element = by_id("dest-problems");
    clear(&list);
    for l in lines {
        append(&list, &el("li", &[], &l));
    }
}

fn save() {
    let (Some(token), lang, true) = state() else { return };
    let form = read_form();
    let body = match form.to_body() {
        Ok(b) => b,
        Err(problems) => return show_problems(problems.iter().map(|p| problem_text(lang, p)).collect()),
    };
    show_problems(vec![]);
    let name = form.name.trim().to_string();
    let body = body.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        match request::<DestinationView>("PUT", &destination_path(&name), Some(&token), Some(body)).await {
            Ok(d) => {
                set_text("dest-status", &tr(lang, Text::DestSaved, &[&d.name]));
                reset_form();
                refresh_destinations();
            }
            Err(f) => {
                let problems = match &f {
                    Failure::Http { body, .. } => problems_in(body),
                    _ => vec![],
                };
                if problems.is_empty() {
                    failed("dest-status", Text::DestFailed, &f);
                } else {
                    set_text("dest-status", "");
                    show_problems(problems.iter().map(|p| destination_problem_text(lang, p)).collect());
                }
            }
        }
    });
}

fn delete(name: String) {
    let (Some(token), lang, true) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request_empty("DELETE", &destination_path(&name), Some(&token), None).await {
            Ok(()) => {
                set_text("dest-status", &tr(lang, Text::DestDeleted, &[&name]));
                refresh_destinations();
            }
            Err(f) => failed("dest-status", Text::DestFailed, &f),
        }
    });
}

fn send_test(name: String) {
    let (Some(token), lang, true) = state() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request_empty("POST", &format!("{}/test", destination_path(&name)), Some(&token), None).await {
            Ok(()) => {
                set_text("dest-status", &tr(lang, Text::DestTestSent, &[&name]));
                later(1500, refresh_log);
            }
            Err(f) => failed("dest-status", Text::DestFailed, &f),
        }
    });
}

fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

fn action_of(e: &Event) -> Option<(Element, String)> {
    let target = e.target()?.dyn_into::<Element>().ok()?.closest("[data-action]").ok()??;
    let action = target.get_attribute("data-action")?;
    Some((target, action))
}

/// Listeners, once at start.
pub fn wire() {
    on("dest-kind", "change", |_| draw_fields());
    on("dest-form", "submit", |e| {
        e.prevent_default();
        save();
    });
    on("dest-cancel", "click", |_| {
        show_problems(vec![]);
        reset_form();
    });
    on("dest-rows", "click", |e| {
        let Some((target, action)) = action_of(&e) else { return };
        let Some(name) = target.closest("tr[data-destination]").ok().flatten().and_then(|r| r.get_attribute("data-destination")) else {
            return;
        };
        match action.as_str() {
            "edit" => edit(&name),
            "delete" => delete(name),
            "test" => send_test(name),
            "log" => {
                by_id::<HtmlSelectElement>("deliveries-destination").set_value(&name);
                refresh_log();
            }
            _ => {}
        }
    });
    on("deliveries-destination", "change", |_| refresh_log());
    on("deliveries-refresh", "click", |_| refresh_log());
    let retry_click = |e: Event| {
        let Some((target, action)) = action_of(&e) else { return };
        if action == "retry-delivery" {
            if let Some(id) = target.get_attribute("data-id") {
                retry(id);
            }
        }
    };
    on("delivery-rows", "click", retry_click);
    on("detail-body", "click", retry_click);
}
