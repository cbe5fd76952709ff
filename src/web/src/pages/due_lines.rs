//! sla13 (issue 13): the due line of each capture listed in the popup: when
//! its first response or close is due by the team's service targets (from
//! the team configuration this browser applies), or since when it is
//! overdue. What is due is `escucha_core::service::due`; the time is
//! formatted in the user's locale here.

use escucha_core::log::Capture;
use escucha_core::protocol::requests::GetTeamConfig;
use escucha_core::service::due::due_words;
use escucha_core::service::due_with;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::dom;
use crate::platform;
use crate::words::say;

thread_local! {
    /// The targets the log page loaded at start (`load`), for its rows.
    static TARGETS: std::cell::RefCell<Option<(escucha_core::service::ServiceTargets, escucha_core::service::Calendar)>> = const { std::cell::RefCell::new(None) };
}

/// The log page: read the team's targets once, before the first rows.
pub async fn load() {
    let Ok(state) = platform::send(&GetTeamConfig {}).await else { return };
    let Some(active) = state.active else { return };
    let targets = active.doc.config.service;
    if let Some(calendar) = targets.calendar() {
        TARGETS.with(|t| *t.borrow_mut() = Some((targets, calendar)));
    }
}

/// A log row's due line (`None` without targets or nothing due).
pub fn span(c: &Capture) -> Option<HtmlElement> {
    let due = TARGETS.with(|t| {
        let t = t.borrow();
        let (targets, calendar) = t.as_ref()?;
        due_with(c, targets, calendar, js_sys::Date::now() as i64)
    })?;
    let when = String::from(js_sys::Date::new(&(due.due_at as f64).into()).to_locale_string("default", &js_sys::Object::new()));
    let class = if due.overdue { "due overdue" } else { "due" };
    Some(dom::el("span", &[("class", class)], &say(&due_words(&due, when))))
}

/// Add a `span.due` to each `li[data-id]` of `list` whose capture has a due
/// date (nothing without a team configuration or targets).
pub fn add(list: HtmlElement, captures: Vec<Capture>) {
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(state) = platform::send(&GetTeamConfig {}).await else { return };
        let Some(active) = state.active else { return };
        let targets = active.doc.config.service;
        let Some(calendar) = targets.calendar() else { return };
        let now = js_sys::Date::now() as i64;
        let items = list.children();
        for i in 0..items.length() {
            let Some(item) = items.item(i) else { continue };
            let Some(id) = item.get_attribute("data-id") else { continue };
            let Some(c) = captures.iter().find(|c| c.id == id) else { continue };
            let Some(due) = due_with(c, &targets, &calendar, now) else { continue };
            let when = String::from(js_sys::Date::new(&(due.due_at as f64).into()).to_locale_string("default", &js_sys::Object::new()));
            let class = if due.overdue { "due overdue" } else { "due" };
            let line: Element = dom::el("span", &[("class", class)], &say(&due_words(&due, when))).unchecked_into();
            item.append_child(&line).ok();
        }
    });
}
