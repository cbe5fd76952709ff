//! The options page: brand groups, import/export, site control and departments.
//!
//! Everything is edited in a working copy and validated by the core before it
//! is sent to the service worker; an invalid edit is never saved and the stored
//! settings stay exactly as they were. Terms are edited one per line in a
//! textarea (fast with thousands of terms); the options of the term on the
//! caret's line are shown next to it. The DOM is built with `crate::dom`, so
//! brand names and imported JSON only ever become text.
//!
//! Events are delegated: one listener per container, which reads the target's
//! `data-field` / `data-action` and the group's `data-index`. Re-rendering a
//! group list therefore creates no closures.

mod errors;
mod model;
mod sync_section;
mod view;

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::brands::{BrandGroup, BrandKind, BrandList, TermOptions};
use escucha_core::i18n::Key;
use escucha_core::protocol::requests::{GetSettings, SaveSettings};
use escucha_core::protocol::ProtocolError;
use escucha_core::settings::Settings;
use escucha_core::sites::SiteRules;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent};

use crate::dom;
use crate::platform::{self, t, PlatformError};
use errors::{Locator, UiError};
use model::GroupModel;
use view::Ui;

/// Colours offered to new groups, in turn.
const PALETTE: [&str; 6] = ["#ffd54f", "#80d8ff", "#b9f6ca", "#ffb74d", "#f48fb1", "#b39ddb"];

/// Most problems listed in the summary (each field's own list has the rest).
const SUMMARY_LIMIT: usize = 50;

struct State {
    /// Settings as loaded or last saved.
    base: Settings,
    /// What was wrong with the stored copy (never silently overwritten).
    problem: Option<String>,
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
    if let Some(p) = &problem {
        ui.problem.set_text_content(Some(&t(Key::OptionsSettingsProblem, &[p])));
        ui.problem.remove_attribute("hidden").ok();
    }
    ui.deny.set_value(&settings.sites.deny.join("\n"));
    ui.departments.set_value(&settings.departments.join("\n"));
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
    sync_section::mount(&app.ui.root, &app.state.borrow().base.sync);
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

// ---------------------------------------------------------------- events

fn listen<E: JsCast + 'static>(target: &web_sys::EventTarget, event: &str, f: impl Fn(E) + 'static) {
    let cb = Closure::<dyn Fn(Event)>::new(move |e: Event| f(e.unchecked_into()));
    target.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget(); // page-lifetime listeners on long-lived containers
}

fn target_el(e: &Event) -> Option<Element> {
    e.target()?.dyn_into::<Element>().ok()
}

fn group_index(el: &Element) -> Option<usize> {
    el.closest(".group").ok()??.get_attribute("data-index")?.parse().ok()
}

fn wire(app: &Rc<App>) {
    let ui = &app.ui;
    {
        let a = app.clone();
        listen(&ui.groups, "input", move |e: Event| on_group_input(&a, &e));
    }
    {
        let a = app.clone();
        listen(&ui.groups, "change", move |e: Event| on_group_change(&a, &e));
    }
    {
        let a = app.clone();
        listen(&ui.groups, "click", move |e: Event| on_group_click(&a, &e));
    }
    for ev in ["keyup", "focusin", "select"] {
        let a = app.clone();
        listen(&ui.groups, ev, move |e: Event| {
            if let Some(el) = target_el(&e) {
                if el.get_attribute("data-field").as_deref() == Some("terms") {
                    caret_moved(&a, &el);
                }
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.add_group, "click", move |_: Event| add_group(&a));
    }
    {
        let a = app.clone();
        listen(&ui.undo, "click", move |_: Event| undo_delete(&a));
    }
    {
        let a = app.clone();
        listen(&ui.save, "click", move |_: Event| spawn_save(&a));
    }
    {
        let a = app.clone();
        listen(&dom::document(), "keydown", move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
                e.prevent_default();
                spawn_save(&a);
            }
        });
    }
    {
        let a = app.clone();
        let window = web_sys::window().expect("window");
        listen(&window, "beforeunload", move |e: Event| {
            if a.state.borrow().dirty {
                e.prevent_default();
                js_sys::Reflect::set(&e, &"returnValue".into(), &"".into()).ok();
            }
        });
    }
    for area in [&ui.deny, &ui.departments] {
        let a = app.clone();
        listen(area, "input", move |_: Event| mark_dirty(&a));
    }
    let d = &ui.defaults;
    for control in [
        d.sentiment.unchecked_ref::<web_sys::EventTarget>(),
        d.status.unchecked_ref(),
        d.priority.unchecked_ref(),
        d.department.unchecked_ref(),
        d.tags.unchecked_ref(),
    ] {
        let a = app.clone();
        listen(control, "input", move |_: Event| mark_dirty(&a));
    }
    {
        let a = app.clone();
        listen(&ui.json, "input", move |_: Event| {
            a.state.borrow_mut().json_dirty = true;
            mark_dirty(&a);
        });
    }
    {
        let a = app.clone();
        listen(&ui.json_details, "toggle", move |_: Event| {
            // Show the editor's current list when opened (unless the box holds unapplied edits).
            if a.ui.json_details.has_attribute("open") && !a.state.borrow().json_dirty {
                let list = current_list(&a);
                a.ui.json.set_value(&list.to_json_pretty());
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.json_apply, "click", move |_: Event| {
            if let Err(errs) = apply_json(&a) {
                set_status(&a, &t(Key::OptionsImportFailed, &[first_message(&errs)]), "error");
            }
        });
    }
    {
        let a = app.clone();
        listen(&ui.export, "click", move |_: Event| export(&a));
    }
    {
        let a = app.clone();
        listen(&ui.import_file, "change", move |_: Event| {
            let a = a.clone();
            wasm_bindgen_futures::spawn_local(async move { import_file(&a).await });
        });
    }
    {
        let a = app.clone();
        listen(&ui.disabled, "click", move |e: Event| {
            let Some(el) = target_el(&e) else { return };
            let Some(site) = el.closest("button[data-site]").ok().flatten().and_then(|b| b.get_attribute("data-site")) else {
                return;
            };
            a.state.borrow_mut().reenabled.push(site);
            render_disabled_sites(&a);
            mark_dirty(&a);
        });
    }
    {
        let a = app.clone();
        listen(&ui.summary_list, "click", move |e: Event| {
            let Some(b) = target_el(&e).and_then(|el| el.closest("button[data-goto]").ok().flatten()) else { return };
            let field = b.get_attribute("data-goto").unwrap_or_default();
            let line = b.get_attribute("data-line").and_then(|l| l.parse().ok());
            go_to(&a, &field, line);
        });
    }
}

fn on_group_input(app: &Rc<App>, e: &Event) {
    let Some(el) = target_el(e) else { return };
    let Some(gi) = group_index(&el) else { return };
    let field = el.get_attribute("data-field").unwrap_or_default();
    let fieldset = el.closest(".group").ok().flatten();
    if field == "terms" {
        let mut st = app.state.borrow_mut();
        if !st.pending_terms.contains(&gi) {
            st.pending_terms.push(gi);
        }
        if !st.flush_scheduled {
            st.flush_scheduled = true;
            let a = app.clone();
            gloo_timers::callback::Timeout::new(0, move || flush_terms(&a)).forget();
        }
        drop(st);
        return mark_dirty(app);
    }
    {
        let mut st = app.state.borrow_mut();
        let Some(gm) = st.groups.get_mut(gi) else { return };
        match field.as_str() {
            "name" => {
                gm.group.name = el.unchecked_ref::<HtmlInputElement>().value();
                if let Some(fs) = &fieldset {
                    view::update_legend(fs, gi, &gm.group.name);
                }
            }
            "color-hex" => {
                let v = el.unchecked_ref::<HtmlInputElement>().value();
                if let (Some(c), Some(fs)) = (model::picker_color(&v), &fieldset) {
                    if let Some(picker) = view::find::<HtmlInputElement>(fs, "[data-field=color]") {
                        picker.set_value(&c);
                    }
                }
                gm.group.color = v.trim().to_string();
            }
            "color" => {
                let v = el.unchecked_ref::<HtmlInputElement>().value();
                if let Some(hex) = fieldset.as_ref().and_then(|fs| view::find::<HtmlInputElement>(fs, "[data-field=color-hex]")) {
                    hex.set_value(&v);
                }
                gm.group.color = v;
            }
            "exclusions" => gm.set_exclusions_text(&el.unchecked_ref::<HtmlTextAreaElement>().value()),
            _ => return,
        }
    }
    mark_dirty(app);
}

fn on_group_change(app: &Rc<App>, e: &Event) {
    flush_terms(app);
    let Some(el) = target_el(e) else { return };
    let Some(gi) = group_index(&el) else { return };
    let field = el.get_attribute("data-field").unwrap_or_default();
    {
        let mut st = app.state.borrow_mut();
        let Some(gm) = st.groups.get_mut(gi) else { return };
        match field.as_str() {
            "kind" => {
                gm.group.kind = match el.unchecked_ref::<HtmlSelectElement>().value().as_str() {
                    "product" => BrandKind::Product,
                    "competitor" => BrandKind::Competitor,
                    _ => BrandKind::Own,
                }
            }
            "enabled" => gm.group.enabled = el.unchecked_ref::<HtmlInputElement>().checked(),
            "opt" => {
                let Some(ti) = gm.selected else { return };
                let Some(term) = gm.group.terms.get_mut(ti) else { return };
                let on = el.unchecked_ref::<HtmlInputElement>().checked();
                let o: &mut TermOptions = &mut term.options;
                match el.get_attribute("data-opt").as_deref() {
                    Some("case") => o.case_sensitive = on,
                    Some("diacritics") => o.diacritic_sensitive = on,
                    Some("word") => o.whole_word = on,
                    Some("regex") => o.regex = on,
                    _ => return,
                }
                if let Some(fs) = el.closest(".group").ok().flatten() {
                    view::update_terms_info(&fs, gi, gm);
                }
            }
            _ => return,
        }
    }
    mark_dirty(app);
}

fn on_group_click(app: &Rc<App>, e: &Event) {
    let Some(el) = target_el(e) else { return };
    if el.get_attribute("data-field").as_deref() == Some("terms") {
        caret_moved(app, &el);
        return;
    }
    let Some(button) = el.closest("button[data-action]").ok().flatten() else { return };
    let Some(gi) = group_index(&button) else { return };
    flush_terms(app);
    match button.get_attribute("data-action").as_deref() {
        Some("up") if gi > 0 => move_group(app, gi, gi - 1, "up"),
        Some("down") => {
            let n = app.state.borrow().groups.len();
            if gi + 1 < n {
                move_group(app, gi, gi + 1, "down");
            }
        }
        Some("delete") => delete_group(app, gi),
        Some("goto-term") => {
            let line = button.get_attribute("data-line").and_then(|l| l.parse().ok());
            go_to(app, &format!("group-{gi}-terms"), line);
        }
        _ => {}
    }
}

/// The term on the caret's line of a terms textarea.
fn caret_term(gm: &GroupModel, area: &HtmlTextAreaElement) -> Option<usize> {
    let pos = area.selection_start().ok().flatten()?;
    gm.term_at_line(model::line_of_utf16_offset(&area.value(), pos))
}

/// Parse the terms textareas that changed since the last flush.
fn flush_terms(app: &App) {
    let pending = {
        let mut st = app.state.borrow_mut();
        st.flush_scheduled = false;
        std::mem::take(&mut st.pending_terms)
    };
    if pending.is_empty() {
        return;
    }
    let doc = dom::document();
    let mut st = app.state.borrow_mut();
    for gi in pending {
        let (Some(gm), Some(area)) = (st.groups.get_mut(gi), doc.get_element_by_id(&format!("group-{gi}-terms"))) else {
            continue;
        };
        let area: HtmlTextAreaElement = area.unchecked_into();
        gm.set_terms_text(&area.value());
        gm.selected = caret_term(gm, &area);
        if let Some(fs) = area.closest(".group").ok().flatten() {
            view::update_terms_info(&fs, gi, gm);
        }
    }
}

fn caret_moved(app: &App, el: &Element) {
    flush_terms(app);
    let Some(gi) = group_index(el) else { return };
    let mut st = app.state.borrow_mut();
    let Some(gm) = st.groups.get_mut(gi) else { return };
    let sel = caret_term(gm, el.unchecked_ref());
    if sel != gm.selected {
        gm.selected = sel;
        if let Some(fs) = el.closest(".group").ok().flatten() {
            view::update_term_options(&fs, gi, gm);
        }
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

// ---------------------------------------------------------------- groups

fn render_groups(app: &App) {
    flush_terms(app);
    let mut st = app.state.borrow_mut();
    let n = st.groups.len();
    let frag = dom::document().create_document_fragment();
    for (i, gm) in st.groups.iter_mut().enumerate() {
        gm.reset_lines();
        frag.append_child(&view::group(i, n, gm)).expect("append");
    }
    app.ui.groups.set_text_content(None);
    app.ui.groups.append_child(&frag).expect("append");
}

fn focus(id: &str) {
    if let Some(el) = dom::document().get_element_by_id(id) {
        el.unchecked_into::<HtmlElement>().focus().ok();
    }
}

fn add_group(app: &Rc<App>) {
    flush_terms(app);
    let i = {
        let mut st = app.state.borrow_mut();
        let color = PALETTE[st.groups.len() % PALETTE.len()].to_string();
        st.groups.push(GroupModel::new(BrandGroup {
            id: String::new(),
            name: String::new(),
            kind: BrandKind::Own,
            color,
            enabled: true,
            terms: vec![],
            exclusions: vec![],
        }));
        st.groups.len() - 1
    };
    render_groups(app);
    mark_dirty(app);
    focus(&format!("group-{i}-name"));
}

fn move_group(app: &Rc<App>, from: usize, to: usize, dir: &str) {
    app.state.borrow_mut().groups.swap(from, to);
    render_groups(app);
    mark_dirty(app);
    let n = app.state.borrow().groups.len();
    // Keep the keyboard where it was; at the edge the button is disabled.
    let at_edge = (dir == "up" && to == 0) || (dir == "down" && to + 1 == n);
    let other = if dir == "up" { "down" } else { "up" };
    focus(&format!("group-{to}-{}", if at_edge { other } else { dir }));
}

fn delete_group(app: &Rc<App>, gi: usize) {
    let name = {
        let mut st = app.state.borrow_mut();
        if gi >= st.groups.len() {
            return;
        }
        let gm = st.groups.remove(gi);
        let name = if gm.group.name.trim().is_empty() { format!("#{}", gi + 1) } else { errors::short(&gm.group.name) };
        st.undo = Some((gi, gm));
        name
    };
    render_groups(app);
    mark_dirty(app);
    app.ui.undo_text.set_text_content(Some(&t(Key::OptionsGroupDeleted, &[&name])));
    app.ui.undo_bar.remove_attribute("hidden").ok();
    app.ui.undo.focus().ok();
}

fn undo_delete(app: &Rc<App>) {
    flush_terms(app);
    let Some((gi, gm)) = app.state.borrow_mut().undo.take() else { return };
    let i = {
        let mut st = app.state.borrow_mut();
        let i = gi.min(st.groups.len());
        st.groups.insert(i, gm);
        i
    };
    app.ui.undo_bar.set_attribute("hidden", "").ok();
    render_groups(app);
    mark_dirty(app);
    focus(&format!("group-{i}-name"));
}

/// Select `line` of a textarea (or just focus the field).
fn go_to(app: &App, field: &str, line: Option<u32>) {
    let Some(el) = dom::document().get_element_by_id(field) else { return };
    if let Some(details) = el.closest("details").ok().flatten() {
        details.set_attribute("open", "").ok();
    }
    let el: HtmlElement = el.unchecked_into();
    el.focus().ok();
    if let (Some(line), Some(area)) = (line, el.dyn_ref::<HtmlTextAreaElement>()) {
        let (start, end) = model::utf16_range_of_line(&area.value(), line);
        area.set_selection_range(start, end).ok();
        // Scroll the line into view (textareas use a fixed line height, see options.css).
        area.set_scroll_top(((line as i32 - 3).max(0)) * view::LINE_HEIGHT_PX);
        // Show the options of the term on that line.
        if area.get_attribute("data-field").as_deref() == Some("terms") {
            caret_moved(app, area);
        }
    }
}

// ---------------------------------------------------------------- errors and status

fn set_status(app: &App, text: &str, class: &str) {
    app.ui.status.set_text_content(Some(text));
    app.ui.status.set_class_name(class);
}

fn clear_errors(app: &App) {
    let doc = dom::document();
    if let Ok(lists) = doc.query_selector_all(".field-errors") {
        for i in 0..lists.length() {
            if let Some(n) = lists.get(i) {
                n.set_text_content(None);
            }
        }
    }
    if let Ok(invalid) = doc.query_selector_all("[aria-invalid]") {
        for i in 0..invalid.length() {
            if let Some(n) = invalid.get(i) {
                n.unchecked_into::<Element>().remove_attribute("aria-invalid").ok();
            }
        }
    }
    app.ui.summary_list.set_text_content(None);
    app.ui.summary.set_attribute("hidden", "").ok();
}

fn show_errors(app: &App, errs: &[UiError]) {
    clear_errors(app);
    if errs.is_empty() {
        return;
    }
    let doc = dom::document();
    let mut per_field: std::collections::HashMap<&str, usize> = Default::default();
    for e in errs {
        let count = per_field.entry(e.field.as_str()).or_default();
        *count += 1;
        if let Some(field) = doc.get_element_by_id(&e.field) {
            field.set_attribute("aria-invalid", "true").ok();
        }
        if *count <= SUMMARY_LIMIT {
            if let Some(list) = doc.get_element_by_id(&format!("{}-errors", e.field)) {
                list.append_child(&dom::el("li", &[], &e.message)).ok();
            }
        }
    }
    for (i, e) in errs.iter().enumerate().take(SUMMARY_LIMIT) {
        let mut attrs = vec![("type", "button"), ("class", "linklike"), ("data-goto", e.field.as_str())];
        let line = e.line.map(|l| l.to_string()).unwrap_or_default();
        if e.line.is_some() {
            attrs.push(("data-line", &line));
        }
        let li = dom::el("li", &[("data-error-index", &i.to_string())], "");
        li.append_child(&dom::el("button", &attrs, &e.message)).ok();
        app.ui.summary_list.append_child(&li).ok();
    }
    if errs.len() > SUMMARY_LIMIT {
        let more = (errs.len() - SUMMARY_LIMIT).to_string();
        app.ui.summary_list.append_child(&dom::el("li", &[], &t(Key::OptionsCustomTermsMore, &[&more]))).ok();
    }
    app.ui.summary.remove_attribute("hidden").ok();
}

fn not_saved(app: &App, errs: &[UiError]) {
    show_errors(app, errs);
    let first = errs.first().map(|e| e.message.as_str()).unwrap_or("");
    let text = if errs.len() > 1 {
        t(Key::OptionsNotSavedMore, &[first, &(errs.len() - 1).to_string()])
    } else {
        t(Key::OptionsNotSaved, &[first])
    };
    set_status(app, &text, "error");
}

// ---------------------------------------------------------------- collecting and validating

struct EditorLocator<'a>(&'a [GroupModel]);

impl Locator for EditorLocator<'_> {
    fn field(&self, gi: Option<usize>, field: &str) -> String {
        match (gi, field) {
            (_, "json") => "brands-json".into(),
            (Some(i), "color") => format!("group-{i}-color-hex"),
            (Some(i), "terms" | "exclusions" | "name") => format!("group-{i}-{field}"),
            (Some(i), _) => format!("group-{i}-name"),
            (None, _) => "brands".into(),
        }
    }
    fn line(&self, gi: usize, field: &str, i: usize) -> u32 {
        let lines = self.0.get(gi).map(|g| if field == "terms" { &g.term_lines } else { &g.excl_lines });
        lines.and_then(|l| l.get(i).copied()).unwrap_or(i as u32 + 1)
    }
}

/// Errors in JSON that is not (yet) in the editor all belong to the JSON box.
struct JsonLocator;

impl Locator for JsonLocator {
    fn field(&self, _: Option<usize>, _: &str) -> String {
        "brands-json".into()
    }
    fn line(&self, _: usize, _: &str, i: usize) -> u32 {
        i as u32 + 1
    }
}

/// The editor's brand list, with ids given to new groups (kept in the model
/// so that they stay stable across renames).
fn current_list(app: &App) -> BrandList {
    flush_terms(app);
    let mut st = app.state.borrow_mut();
    let mut list = BrandList { version: st.version, groups: st.groups.iter().map(|g| g.group.clone()).collect() };
    list.fill_missing_ids();
    for (gm, g) in st.groups.iter_mut().zip(&list.groups) {
        gm.group.id.clone_from(&g.id);
    }
    list
}

fn brand_errors(app: &App, list: &BrandList) -> Vec<UiError> {
    match list.validate() {
        Ok(()) => vec![],
        Err(errs) => {
            let st = app.state.borrow();
            let at = EditorLocator(&st.groups);
            errs.iter().map(|e| errors::brand_error(e, Some(list), &at)).collect()
        }
    }
}

/// Everything the page edits, validated. Errors are already localized.
/// Put the stored defaults into the widgets; the department suggestions are the team's departments.
fn show_defaults(d: &view::DefaultsUi, tags: &escucha_core::log::Tags, departments: &[String]) {
    d.sentiment.set_value(tags.sentiment.as_str());
    d.status.set_value(tags.status.as_str());
    d.priority.set_value(tags.priority.as_str());
    d.department.set_value(tags.department.as_deref().unwrap_or(""));
    d.tags.set_value(&tags.tags.join(", "));
    if let Some(list) = dom::document().get_element_by_id("default-department-choices") {
        list.set_text_content(None);
        for dep in departments {
            list.append_child(&dom::el("option", &[("value", dep)], "")).ok();
        }
    }
}

/// The defaults as the widgets hold them (checked against the departments by `Settings::validate`).
fn read_defaults(d: &view::DefaultsUi) -> escucha_core::log::Tags {
    use escucha_core::log::{Priority, Sentiment, Status, Tags};
    let department = d.department.value().trim().to_string();
    Tags {
        sentiment: Sentiment::ALL.into_iter().find(|v| v.as_str() == d.sentiment.value()).unwrap_or_default(),
        status: Status::ALL.into_iter().find(|v| v.as_str() == d.status.value()).unwrap_or_default(),
        priority: Priority::ALL.into_iter().find(|v| v.as_str() == d.priority.value()).unwrap_or_default(),
        department: (!department.is_empty()).then_some(department),
        tags: escucha_core::log::record::normalize_tags(&d.tags.value().split(',').map(String::from).collect::<Vec<_>>()),
        note: String::new(),
    }
}

fn collect(app: &App) -> Result<(BrandList, Vec<String>, Vec<String>), Vec<UiError>> {
    let list = current_list(app);
    let mut errs = brand_errors(app, &list);

    let (deny, deny_lines) = model::split_trimmed(&app.ui.deny.value());
    let rules = SiteRules { deny: deny.clone(), disabled_sites: vec![] };
    if let Err(site_errs) = rules.validate() {
        errs.extend(errors::site_errors(&site_errs, &deny_lines));
    }

    let (departments, dep_lines) = model::split_trimmed(&app.ui.departments.value());
    if departments.is_empty() {
        errs.push(UiError { message: t(Key::ErrDepartmentsEmpty, &[]), field: "departments".into(), line: None });
    }
    let mut seen = std::collections::HashSet::new();
    for (d, line) in departments.iter().zip(&dep_lines) {
        if !seen.insert(d.to_lowercase()) {
            errs.push(UiError {
                message: t(Key::ErrDepartmentDuplicate, &[&errors::short(d)]),
                field: "departments".into(),
                line: Some(*line),
            });
        }
    }
    let defaults = read_defaults(&app.ui.defaults);
    if let Some(dep) = &defaults.department {
        if !departments.iter().any(|d| d.eq_ignore_ascii_case(dep)) {
            errs.push(UiError {
                message: t(Key::ErrDefaultDepartmentUnknown, &[&errors::short(dep)]),
                field: "default-department".into(),
                line: None,
            });
        }
    }
    if errs.is_empty() {
        Ok((list, deny, departments))
    } else {
        Err(errs)
    }
}

/// Parse JSON (the box or a file); Ok with the list, or localized errors.
fn parse_json(text: &str) -> Result<BrandList, Vec<UiError>> {
    BrandList::from_json(text).map_err(|errs| {
        // Validation errors name groups and terms of the list that was read.
        let parsed: Option<BrandList> = serde_json::from_str(text).ok();
        errs.iter()
            .map(|e| {
                let mut ui = errors::brand_error(e, parsed.as_ref(), &JsonLocator);
                if e.line.is_none() {
                    ui.line = None;
                }
                ui
            })
            .collect()
    })
}

/// Replace the editor's groups with `list` (after a successful import).
fn load_list(app: &App, list: BrandList) {
    flush_terms(app);
    {
        let mut st = app.state.borrow_mut();
        st.version = list.version;
        st.groups = list.groups.into_iter().map(GroupModel::new).collect();
        st.json_dirty = false;
        st.undo = None;
    }
    app.ui.undo_bar.set_attribute("hidden", "").ok();
    render_groups(app);
    mark_dirty(app);
}

/// Put an imported list into the editor (and the JSON box); not saved yet.
fn load_imported(app: &App, list: BrandList) {
    let count = list.groups.len().to_string();
    app.ui.json.set_value(&list.to_json_pretty());
    load_list(app, list);
    clear_errors(app);
    set_status(app, &t(Key::OptionsImported, &[&count]), "");
}

/// Load the JSON box into the editor. On failure the errors are shown and the
/// editor is unchanged; the caller words the status line.
fn apply_json(app: &App) -> Result<(), Vec<UiError>> {
    match parse_json(&app.ui.json.value()) {
        Ok(list) => {
            load_imported(app, list);
            Ok(())
        }
        Err(errs) => {
            show_errors(app, &errs);
            Err(errs)
        }
    }
}

fn first_message(errs: &[UiError]) -> &str {
    errs.first().map(|e| e.message.as_str()).unwrap_or("")
}

async fn import_file(app: &Rc<App>) {
    let input = &app.ui.import_file;
    let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
    let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
        Ok(v) => v.as_string().unwrap_or_default(),
        Err(e) => {
            set_status(app, &t(Key::ErrorGeneric, &[&platform::describe_js_error(&e)]), "error");
            return;
        }
    };
    input.set_value(""); // the same file can be chosen again after fixing it
    match parse_json(&text) {
        Ok(list) => {
            load_imported(app, list);
        }
        Err(errs) => {
            // The file's problems are listed under the import controls; the
            // JSON box is left as it was.
            let errs: Vec<UiError> = errs.into_iter().map(|e| UiError { field: "import-file".into(), line: None, ..e }).collect();
            show_errors(app, &errs);
            set_status(app, &t(Key::OptionsImportFailed, &[first_message(&errs)]), "error");
        }
    }
}

fn export(app: &App) {
    if app.state.borrow().json_dirty {
        if let Err(errs) = apply_json(app) {
            return set_status(app, &t(Key::OptionsImportFailed, &[first_message(&errs)]), "error");
        }
    }
    let list = current_list(app);
    let errs = brand_errors(app, &list);
    if !errs.is_empty() {
        show_errors(app, &errs);
        set_status(app, &t(Key::OptionsExportFailed, &[]), "error");
        return;
    }
    if let Err(e) = download("escucha-brands.json", &list.to_json_pretty()) {
        set_status(app, &t(Key::ErrorGeneric, &[&e.0]), "error");
        return;
    }
    clear_errors(app);
    set_status(app, &t(Key::OptionsExported, &[]), "ok");
}

fn download(name: &str, text: &str) -> Result<(), PlatformError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &bag)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = dom::el("a", &[("href", &url), ("download", name), ("hidden", "")], "").unchecked_into();
    let body = dom::document().body().ok_or_else(|| PlatformError("no body".into()))?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    gloo_timers::callback::Timeout::new(10_000, move || {
        web_sys::Url::revoke_object_url(&url).ok();
    })
    .forget();
    Ok(())
}

// ---------------------------------------------------------------- sites

fn render_disabled_sites(app: &App) {
    let st = app.state.borrow();
    let list = &app.ui.disabled;
    list.set_text_content(None);
    let sites: Vec<&String> = st.base.sites.disabled_sites.iter().filter(|s| !st.reenabled.contains(s)).collect();
    if sites.is_empty() {
        list.append_child(&dom::el("li", &[("class", "muted")], &t(Key::OptionsDisabledSitesNone, &[]))).ok();
    }
    for site in sites {
        let li = dom::el("li", &[], "");
        let host = dom::el("span", &[("class", "site")], site);
        let label = t(Key::OptionsReenableSiteLabel, &[site]);
        let button = dom::el(
            "button",
            &[("type", "button"), ("data-site", site), ("aria-label", &label), ("title", &label)],
            &t(Key::OptionsReenableSite, &[]),
        );
        dom::append(&li, &[&host, &button]);
        list.append_child(&li).ok();
    }
}

// ---------------------------------------------------------------- saving

fn spawn_save(app: &Rc<App>) {
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move { save(&a).await });
}

async fn save(app: &Rc<App>) {
    if app.state.borrow().saving {
        return;
    }
    let pending_json = app.state.borrow().json_dirty;
    if pending_json {
        if let Err(errs) = apply_json(app) {
            return not_saved(app, &errs);
        }
    }
    let (brands, deny, departments) = match collect(app) {
        Ok(v) => v,
        Err(errs) => return not_saved(app, &errs),
    };
    clear_errors(app);
    {
        let mut st = app.state.borrow_mut();
        if st.problem.is_some() && !st.overwrite_confirmed {
            st.overwrite_confirmed = true;
            drop(st);
            set_status(app, &t(Key::OptionsConfirmOverwrite, &[]), "error");
            return;
        }
        st.saving = true;
    }
    app.ui.save.set_attribute("aria-busy", "true").ok();
    set_status(app, &t(Key::OptionsSaving, &[]), "");
    let edits_at_start = app.state.borrow().edits;

    // Start from what is stored now, so that a site switched off from the
    // popup while this page was open is kept.
    let fresh = platform::send(&GetSettings {}).await.ok().filter(|r| r.problem.is_none()).map(|r| r.settings);
    let mut settings = {
        let st = app.state.borrow();
        let mut s = fresh.unwrap_or_else(|| st.base.clone());
        s.sites.disabled_sites.retain(|site| !st.reenabled.contains(site));
        s
    };
    settings.brands = brands;
    settings.sites.deny = deny;
    settings.departments = departments;
    settings.capture_defaults = read_defaults(&app.ui.defaults);

    let reply = platform::send(&SaveSettings { settings: settings.clone() }).await;
    app.state.borrow_mut().saving = false;
    app.ui.save.remove_attribute("aria-busy").ok();
    match reply {
        Ok(_) => {
            {
                let mut st = app.state.borrow_mut();
                st.base = settings;
                st.problem = None;
                st.reenabled.clear();
                st.dirty = st.edits != edits_at_start;
            }
            app.ui.problem.set_attribute("hidden", "").ok();
            if !app.state.borrow().json_dirty {
                app.ui.json.set_value(&app.state.borrow().base.brands.to_json_pretty());
            }
            render_disabled_sites(app);
            show_dirty(app, app.state.borrow().dirty);
            set_status(app, &t(Key::OptionsSaved, &[]), "ok");
        }
        // The validator's report follows "Not saved:" as before.
        Err(ProtocolError::Invalid { detail }) => set_status(app, &t(Key::OptionsNotSaved, &[&detail]), "error"),
        Err(e) => set_status(app, &platform::error_text(&e), "error"),
    }
}
