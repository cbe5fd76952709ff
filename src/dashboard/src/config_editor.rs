//! The Team configuration section, for admins (cfgedit12): the team's
//! document as text to edit (departments, deny rules, capture defaults, the
//! brand list's JSON), saved with `If-Match` on the version it was loaded
//! at. What the text means and how problems are worded is
//! `escucha_core::dashboard::config_editor` (the options page's one
//! validation and its `_locales` sentences). Everything is set as text.

use std::cell::RefCell;

use escucha_core::dashboard::client::Failure;
use escucha_core::dashboard::config_editor::{default_choices, defaults_from, problem_texts, save_outcome, ConfigForm, SaveOutcome, Shown};
use escucha_core::dashboard::i18n::{tr, Lang, Text};
use escucha_core::log::Tags;
use escucha_core::sync::api::Me;
use escucha_core::team_config::{etag, ConfigError, PutConfig, VersionedConfig};
use escucha_core::workspace::role::Action;
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};
use escucha_ui::http::{fetch, FetchFailure};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlSelectElement, HtmlTextAreaElement};

use crate::api::request;

const PATH: &str = "/api/v1/config";

/// The last thing said under the form, kept as data to redraw in another language.
#[derive(Clone, Default)]
enum Note {
    #[default]
    None,
    Saved(u64),
    Stale(u64),
    Invalid(Vec<ConfigError>),
    Failed(Failure),
}

#[derive(Default)]
struct Section {
    token: Option<String>,
    lang: Lang,
    shown: Option<Shown>,
    /// The capture defaults as loaded (their tags and note are not edited here).
    base: Tags,
    note: Note,
}

thread_local! {
    static SECTION: RefCell<Section> = RefCell::new(Section::default());
}

fn token() -> Option<String> {
    SECTION.with(|s| s.borrow().token.clone())
}

/// After sign-in: the editor for those who may configure, nothing for anyone else.
pub fn show(token: &str, me: &Me, lang: Lang) {
    let admin = me.role.is_some_and(|r| r.allows(Action::Configure));
    SECTION.with(|s| {
        *s.borrow_mut() = Section { token: admin.then(|| token.to_string()), lang, ..Section::default() };
    });
    set_hidden("config", !admin);
    crate::rules_editor::signed_in(token, me, lang);
    if admin {
        load();
    }
}

/// Sign-out: forget the token, the text and hide the section.
pub fn hide() {
    SECTION.with(|s| *s.borrow_mut() = Section::default());
    set_hidden("config", true);
    for id in ["config-departments", "config-deny", "config-brands", "config-team-accounts", "config-feedback"] {
        textarea(id).set_value("");
    }
    set_text("config-version", "");
    draw_note();
    crate::rules_editor::hide();
}

/// The language switch: redraw what is said in `lang` (the text typed stays).
pub fn set_lang(lang: Lang) {
    SECTION.with(|s| s.borrow_mut().lang = lang);
    crate::rules_editor::set_lang(lang);
    if token().is_some() {
        let defaults = read_form().capture_defaults;
        fill_defaults(&defaults);
        draw_version();
        draw_note();
    }
}

fn textarea(id: &str) -> HtmlTextAreaElement {
    by_id(id)
}

fn select(id: &str) -> HtmlSelectElement {
    by_id(id)
}

fn fill(id: &str, options: &[(String, String)], chosen: &str) {
    let s = select(id);
    clear(&s);
    for (value, label) in options {
        append(&s, &el("option", &[("value", value)], label));
    }
    s.set_value(chosen);
}

/// The defaults' selects for `defaults`, the department choices from the departments typed.
fn fill_defaults(defaults: &Tags) {
    let lang = SECTION.with(|s| s.borrow().lang);
    let c = default_choices(lang, &textarea("config-departments").value());
    fill("config-default-status", &c.status, defaults.status.as_str());
    fill("config-default-priority", &c.priority, defaults.priority.as_str());
    fill("config-default-sentiment", &c.sentiment, defaults.sentiment.as_str());
    let dep = defaults.department.clone().unwrap_or_default();
    let mut department = c.department;
    // A stored default no longer typed stays choosable (validation says why it is wrong).
    if !department.iter().any(|(v, _)| *v == dep) {
        department.push((dep.clone(), dep.clone()));
    }
    fill("config-default-department", &department, &dep);
}

fn read_form() -> ConfigForm {
    let base = SECTION.with(|s| s.borrow().base.clone());
    ConfigForm {
        departments: textarea("config-departments").value(),
        deny: textarea("config-deny").value(),
        brands_json: textarea("config-brands").value(),
        service: crate::service_editor::read(), // sla13
        team_accounts: crate::team_accounts::read(),
        feedback_json: textarea("config-feedback").value(),
        capture_defaults: defaults_from(
            &base,
            &select("config-default-status").value(),
            &select("config-default-priority").value(),
            &select("config-default-sentiment").value(),
            &select("config-default-department").value(),
        ),
        rules: crate::rules_editor::rules(),
    }
}

/// Put a document (or the defaults, before the first save) into the form.
fn put_in_form(doc: Option<&VersionedConfig>) {
    let config = doc.map(|d| d.config.clone()).unwrap_or_default();
    let form = ConfigForm::of(&config);
    textarea("config-departments").set_value(&form.departments);
    textarea("config-deny").set_value(&form.deny);
    textarea("config-brands").set_value(&form.brands_json);
    crate::service_editor::put(&form.service); // sla13
    crate::team_accounts::put(&form.team_accounts);
    textarea("config-feedback").set_value(&form.feedback_json);
    SECTION.with(|s| {
        let mut s = s.borrow_mut();
        s.base = config.capture_defaults.clone();
        s.shown = Some(Shown::of(doc));
    });
    fill_defaults(&config.capture_defaults);
    crate::rules_editor::show(&config.rules);
    draw_version();
}

fn draw_version() {
    let (lang, shown) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.shown.clone())
    });
    let text = match shown {
        None => String::new(),
        Some(Shown::Nothing) => Text::ConfigNone.get(lang).to_string(),
        Some(Shown::Saved { version, by, at_ms }) => {
            tr(lang, Text::ConfigVersion, &[&version.to_string(), &by, &crate::app::format_time(at_ms as f64, lang, true)])
        }
    };
    set_text("config-version", &text);
}

fn note(n: Note) {
    SECTION.with(|s| s.borrow_mut().note = n);
    draw_note();
}

fn draw_note() {
    let (lang, n) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.note.clone())
    });
    let list: Element = by_id("config-problems");
    clear(&list);
    let text = match n {
        Note::None => String::new(),
        Note::Saved(v) => tr(lang, Text::ConfigSaved, &[&v.to_string()]),
        Note::Stale(v) => tr(lang, Text::ConfigStale, &[&v.to_string()]),
        Note::Failed(f) => tr(lang, Text::ConfigFailed, &[&f.message(lang)]),
        Note::Invalid(problems) => {
            for p in problem_texts(lang, &read_form(), &problems) {
                append(&list, &el("li", &[], &p));
            }
            Text::ConfigInvalid.get(lang).to_string()
        }
    };
    set_text("config-note", &text);
}

fn load() {
    let Some(token) = token() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        match request::<VersionedConfig>("GET", PATH, Some(&token), None).await {
            Ok(doc) => put_in_form(Some(&doc)),
            Err(Failure::Http { status: 404, .. }) => put_in_form(None),
            Err(f) => note(Note::Failed(f)),
        }
    });
}

fn save() {
    let Some(token) = token() else { return };
    let form = read_form();
    // Only a brand list that is not JSON stops here; the server runs the one
    // validation and answers 400 with its problems.
    let config = match form.parse() {
        Ok(c) => c,
        Err(problems) => return note(Note::Invalid(problems)),
    };
    let version = SECTION.with(|s| s.borrow().shown.as_ref().map(Shown::version).unwrap_or(0));
    let body = serde_json::to_string(&PutConfig { config }).expect("serializes");
    wasm_bindgen_futures::spawn_local(async move {
        let bearer = format!("Bearer {token}");
        let if_match = etag(version);
        let headers = [("Authorization", bearer.as_str()), ("Content-Type", "application/json"), ("If-Match", if_match.as_str())];
        let resp = match fetch("PUT", PATH, &headers, Some(&body), 25_000).await {
            Ok(r) => r,
            Err(FetchFailure::Network(_) | FetchFailure::Timeout) => return note(Note::Failed(Failure::Network)),
        };
        match save_outcome(resp.status, &resp.body) {
            SaveOutcome::Saved(doc) => {
                SECTION.with(|s| {
                    let mut s = s.borrow_mut();
                    s.base = doc.config.capture_defaults.clone();
                    s.shown = Some(Shown::of(Some(&doc)));
                });
                draw_version();
                note(Note::Saved(doc.version));
            }
            SaveOutcome::Invalid(problems) => note(Note::Invalid(problems)),
            // The admin's text stays in the form; Reload brings the saved one.
            SaveOutcome::Stale { current } => note(Note::Stale(current)),
            SaveOutcome::Other => note(Note::Failed(Failure::Http { status: resp.status, body: resp.body, retry_after: resp.retry_after })),
        }
    });
}

fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

/// Listeners, once at start.
pub fn wire() {
    crate::rules_editor::wire();
    on("config-form", "submit", |e| {
        e.prevent_default();
        save();
    });
    on("config-reload", "click", |_| {
        note(Note::None);
        load();
    });
    // The department default offers the departments as typed.
    on("config-departments", "change", |_| {
        let defaults = read_form().capture_defaults;
        fill_defaults(&defaults);
    });
}
