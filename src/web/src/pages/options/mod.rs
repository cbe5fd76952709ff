//! The options page: brand groups, import/export, site control, departments,
//! capture defaults and sync — one file per section (see the `mod` list).
//!
//! Everything is edited in a working copy and validated by the core before it
//! is sent to the service worker; an invalid edit is never saved and the stored
//! settings stay exactly as they were. Terms are edited one per line in a
//! textarea (fast with thousands of terms); the options of the term on the
//! caret's line are shown next to it. The DOM is built with `crate::dom`, so
//! brand names and imported JSON only ever become text.
//!
//! The pure parts (the editor's model, the problems' words) live in the core:
//! `escucha_core::pages::options`.

mod capture_defaults;
mod collect;
mod events;
mod groups;
mod import_export;
mod problems;
mod save;
mod sites;
mod sync_section;
mod team;
mod team_accounts; // verify13
mod view;

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::brands::{BrandGroup, BrandKind, BrandList, TermOptions};
use escucha_core::i18n::Key;
use escucha_core::protocol::requests::GetSettings;
use escucha_core::settings::Settings;
use escucha_core::sites::SiteRules;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent};

use crate::dom;
use crate::platform::{self, t, PlatformError};
use crate::words::{self, say};
use capture_defaults::*;
use collect::*;
use errors::{Locator, UiError};
use escucha_core::pages::options::editor as model;
use escucha_core::pages::options::problems as errors;
use events::*;
use groups::*;
use import_export::*;
use model::GroupModel;
use problems::*;
use save::*;
use sites::*;
use view::Ui;

/// Colours offered to new groups, in turn.
const PALETTE: [&str; 6] = ["#ffd54f", "#80d8ff", "#b9f6ca", "#ffb74d", "#f48fb1", "#b39ddb"];

/// Most problems listed in the summary (each field's own list has the rest).
const SUMMARY_LIMIT: usize = 50;

struct State {
    /// Settings as loaded or last saved.
    base: Settings,
    /// What was wrong with the stored copy (never silently overwritten).
    problem: Option<escucha_core::settings::SettingsProblem>,
    overwrite_confirmed: bool,
    version: u32,
    groups: Vec<GroupModel>,
    /// Sites switched back on here, applied on save.
    reenabled: Vec<String>,
    dirty: bool,
    /// Edits so far; a save only clears `dirty` if none happened meanwhile.
    edits: u64,
    /// The JSON box was edited and not yet loaded into the editor.
    json_dirty: bool,
    undo: Option<(usize, GroupModel)>,
    saving: bool,
    /// Groups whose terms textarea changed and is not parsed yet. Parsing is
    /// deferred to the end of the task so that a burst of input events (a big
    /// paste or scripted insert fires one per line) costs one parse.
    pending_terms: Vec<usize>,
    flush_scheduled: bool,
}

struct App {
    ui: Ui,
    state: RefCell<State>,
}

pub async fn start() -> Result<(), PlatformError> {
    let doc = dom::document();
    if let Some(html) = doc.document_element() {
        html.set_attribute("lang", &page_language()).ok();
    }
    doc.set_title(&t(Key::OptionsTitle, &[]));

    let ui = view::build();
    let reply = platform::send(&GetSettings {}).await.map_err(|e| PlatformError(platform::error_text(&e)))?;
    let (settings, problem) = (reply.settings, reply.problem);
    // config12: a team configuration's parts are shown (read-only) instead of this browser's.
    let team = team::load().await;
    let settings = team::shown(settings, team.as_ref());
    if let Some(p) = &problem {
        ui.problem.set_text_content(Some(&crate::words::say(&escucha_core::i18n::Words::new(Key::OptionsSettingsProblem).word(p.words()))));
        ui.problem.remove_attribute("hidden").ok();
    }
    ui.deny.set_value(&settings.sites.deny.join("\n"));
    ui.departments.set_value(&settings.departments.iter().map(|d| words::department(d)).collect::<Vec<_>>().join("\n"));
    show_defaults(&ui.defaults, &settings.capture_defaults, &settings.departments);
    ui.json.set_value(&settings.brands.to_json_pretty());

    let state = State {
        version: settings.brands.version,
        groups: settings.brands.groups.iter().cloned().map(GroupModel::new).collect(),
        base: settings,
        problem,
        overwrite_confirmed: false,
        reenabled: vec![],
        dirty: false,
        edits: 0,
        json_dirty: false,
        undo: None,
        saving: false,
        pending_terms: vec![],
        flush_scheduled: false,
    };
    let app = Rc::new(App { ui, state: RefCell::new(state) });
    render_groups(&app);
    render_disabled_sites(&app);
    wire(&app);
    let policy_state = team.clone();
    if let Some(team) = team {
        team::mount(&app, team);
    }
    sync_section::mount(&app.ui.root, &app.state.borrow().base.sync, &app.state.borrow().base.departments);
    team::lock_policy(policy_state.as_ref());
    app.ui.root.set_attribute("data-ready", "true").ok();
    Ok(())
}

/// The page's `lang`: `i18n.getUILanguage()` when the strings shown are in that
/// language, otherwise the language of the strings themselves. (Headless
/// Chromium started with `--lang=es` serves Spanish messages but still reports
/// "en-US" as its UI language.)
fn page_language() -> String {
    let shown = t(Key::OptionsLanguageCode, &[]);
    let ui = platform::call_sync("i18n.getUILanguage", &[]).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let primary = ui.split(['-', '_']).next().unwrap_or("");
    if !primary.is_empty() && primary.eq_ignore_ascii_case(&shown) {
        ui
    } else if shown.len() <= 3 {
        shown
    } else {
        ui
    }
}

fn mark_dirty(app: &App) {
    let mut st = app.state.borrow_mut();
    let was = std::mem::replace(&mut st.dirty, true);
    st.edits += 1;
    drop(st);
    if !was {
        show_dirty(app, true);
    }
}

fn show_dirty(app: &App, dirty: bool) {
    if dirty {
        app.ui.dirty.remove_attribute("hidden").ok();
        app.ui.root.set_attribute("data-dirty", "true").ok();
    } else {
        app.ui.dirty.set_attribute("hidden", "").ok();
        app.ui.root.remove_attribute("data-dirty").ok();
    }
}

fn set_status(app: &App, text: &str, class: &str) {
    app.ui.status.set_text_content(Some(text));
    app.ui.status.set_class_name(class);
}
