//! The dashboard's state and its drawing. Every decision (what a filter
//! means, which links open, chart configs, error sentences) is made in
//! `escucha_core::dashboard`; here we read controls, call it, and build DOM.
//!
//! The log stays on the server: the page asks for one page of rows, the
//! facet counts and the chart aggregates of the current filters
//! (`/api/v1/captures`, `/facets`, `/aggregates`), never the whole log.
//! The shared state is borrowed only for short, DOM-free moments, so a
//! failure while drawing can never leave it borrowed (a trap inside a
//! `borrow_mut` used to make every later refresh panic).

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::dashboard::charts::{chart_config, ChartKind};
use escucha_core::dashboard::client::{
    aggregates_path, captures_path, edit_body, edit_path, facets_path, FILTER_DEBOUNCE_MS, REFRESH_SECONDS,
};
use escucha_core::dashboard::i18n::{count_text, department_label, status_label, tr, Lang, Text};
use escucha_core::dashboard::queue::{may, Selection};
use escucha_core::dashboard::saved_view::SavedView;
use escucha_core::dashboard::view::{detail_view, filter_options, page_view, row_view, Filters, LinkView, OptionView};
use escucha_core::log::query::SortKey;
use escucha_core::log::query_api::{Aggregates, CapturePage, Cursor, FacetCounts};
use escucha_core::log::{Capture, CaptureEdit, Priority, Status};
use escucha_core::sync::api::Me;
use escucha_core::sync::api::MemberInfo;
use escucha_core::workspace::role::Action;
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::api::request;
use crate::chart::{self, Chart};
use crate::queue;
use escucha_ui::dom::{append_child as append, by_id, clear, document, el, set_hidden, set_text};

const TOKEN_KEY: &str = "escucha.dashboard.token";
const LANG_KEY: &str = "escucha.dashboard.lang";
const PAGE_SIZE: u32 = 50;

pub(crate) struct App {
    pub(crate) lang: Lang,
    pub(crate) token: Option<String>,
    pub(crate) filters: Filters,
    /// The `after` cursor of every page up to the current one (`None`: the first).
    cursors: Vec<Option<String>>,
    pub(crate) page: Option<CapturePage>,
    pub(crate) counts: Option<FacetCounts>,
    aggregates: Option<Aggregates>,
    pub(crate) selected: Option<String>,
    charts: Vec<Chart>,
    /// Minutes east of UTC, so days in filters and charts are the user's days.
    tz_offset_min: i32,
    /// Requests of the current load still out.
    loading: u32,
    /// Which of the current load's list page (1) and counts (2) arrived:
    /// they are drawn together, so the summary always describes the rows shown.
    arrived: u8,
    /// Bumped by every load; answers of an older one are dropped.
    generation: u64,
    /// The status line shows a failed load (cleared by the next good one).
    pull_error: bool,
    updated_ms: Option<f64>,
    pub(crate) me: Option<Me>,
    /// queue12: the server-side sort (key, descending) the headers chose.
    pub(crate) sort: (SortKey, bool),
    /// Rows ticked for a bulk change.
    pub(crate) selection: Selection,
    /// The member's saved views (from the server).
    pub(crate) views: Vec<SavedView>,
    /// The team's members, for assigning.
    pub(crate) members: Vec<MemberInfo>,
    /// The department "My department" shows (kept in this browser).
    pub(crate) my_department: Option<String>,
    /// The pending filter change (dropping it cancels it).
    pub(crate) debounce: Option<Timeout>,
    /// One `Intl.DateTimeFormat` per language for chart days (creating one
    /// per label cost about a third of a keystroke).
    day_format: Option<(Lang, js_sys::Function)>,
}

pub(crate) type Shared = Rc<RefCell<App>>;

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

pub(crate) fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `Intl` date and time in the user's language.
pub(crate) fn format_time(ms: f64, lang: Lang, with_time: bool) -> String {
    let opts = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    };
    set("dateStyle", "medium");
    if with_time {
        set("timeStyle", "short");
    }
    String::from(js_sys::Date::new(&JsValue::from_f64(ms)).to_locale_string(lang.tag(), &opts))
}

fn format_number(n: usize, lang: Lang) -> String {
    String::from(js_sys::Number::from(n as f64).to_locale_string(lang.tag()))
}

/// The cached `format` of an `Intl.DateTimeFormat` for chart days ("3 may").
fn day_formatter(app: &Shared, lang: Lang) -> js_sys::Function {
    if let Some((l, f)) = &app.borrow().day_format {
        if *l == lang {
            return f.clone();
        }
    }
    let opts = js_sys::Object::new();
    for (k, v) in [("month", "short"), ("day", "numeric"), ("timeZone", "UTC")] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    }
    let locales = js_sys::Array::of1(&JsValue::from_str(lang.tag()));
    let f = js_sys::Intl::DateTimeFormat::new(&locales, &opts).format();
    app.borrow_mut().day_format = Some((lang, f.clone()));
    f
}

/// A `YYYY-MM-DD` chart day through the cached formatter.
fn format_day(format: &js_sys::Function, day: &str) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(&format!("{day}T12:00:00Z")));
    format.call1(&JsValue::NULL, &d).ok().and_then(|v| v.as_string()).unwrap_or_else(|| day.to_string())
}

pub fn start() {
    let window = web_sys::window().expect("a window");
    let stored = local().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).and_then(|t| Lang::from_tag(&t));
    let preferred: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    let lang = stored.unwrap_or_else(|| Lang::pick(&preferred));
    let app: Shared = Rc::new(RefCell::new(App {
        lang,
        token: None,
        filters: Filters::default(),
        cursors: vec![None],
        page: None,
        counts: None,
        aggregates: None,
        selected: None,
        charts: Vec::new(),
        tz_offset_min: -(js_sys::Date::new_0().get_timezone_offset() as i32),
        loading: 0,
        arrived: 0,
        generation: 0,
        pull_error: false,
        updated_ms: None,
        me: None,
        sort: (SortKey::Created, true),
        selection: Selection::default(),
        views: Vec::new(),
        members: Vec::new(),
        my_department: queue::stored_department(),
        debounce: None,
        day_format: None,
    }));
    fill_language_switch(lang);
    apply_language(lang);
    wire(&app);
    crate::members::wire();
    crate::config_editor::wire();
    crate::reports::wire(); // sla13
    crate::deliveries::wire(); // outbox13
    check_health(lang);
    match session().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten()) {
        Some(token) => sign_in(app.clone(), token),
        None => show_login(None, lang),
    }
    let tick = app.clone();
    let refresh = Closure::<dyn FnMut()>::new(move || {
        // try_borrow: a tick never panics, whatever else is going on.
        let ready = tick.try_borrow().is_ok_and(|a| a.token.is_some() && a.loading == 0);
        if ready {
            load(&tick, true);
        }
    });
    window
        .set_interval_with_callback_and_timeout_and_arguments_0(refresh.as_ref().unchecked_ref(), (REFRESH_SECONDS * 1000) as i32)
        .expect("setInterval");
    refresh.forget();
}

fn fill_language_switch(lang: Lang) {
    let select: HtmlSelectElement = by_id("lang");
    clear(&select);
    for l in Lang::ALL {
        let o = el("option", &[("value", l.tag())], l.native_name());
        append(&select, &o);
    }
    select.set_value(lang.tag());
}

/// Every `data-i18n` element gets its string; placeholders and the page language follow.
fn apply_language(lang: Lang) {
    let doc = document();
    if let Some(root) = doc.document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
    doc.set_title(Text::AppTitle.get(lang));
    let nodes = doc.query_selector_all("[data-i18n]").expect("selector");
    for i in 0..nodes.length() {
        let Some(e) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        if let Some(t) = e.get_attribute("data-i18n").as_deref().and_then(Text::from_name) {
            e.set_text_content(Some(t.get(lang)));
        }
    }
    by_id::<HtmlInputElement>("q").set_placeholder(Text::SearchPlaceholder.get(lang));
}

pub(crate) fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

fn wire(app: &Shared) {
    queue::wire(app);
    let a = app.clone();
    on("login-form", "submit", move |e| {
        e.prevent_default();
        let token = by_id::<HtmlInputElement>("token").value().trim().to_string();
        let lang = a.borrow().lang;
        if token.is_empty() {
            show_login(Some(Text::TokenEmpty.get(lang).to_string()), lang);
        } else {
            sign_in(a.clone(), token);
        }
    });
    let a = app.clone();
    on("signout", "click", move |_| sign_out(&a, None));
    let a = app.clone();
    on("refresh", "click", move |_| load(&a, true));
    let a = app.clone();
    on("lang", "change", move |_| {
        let Some(lang) = Lang::from_tag(&by_id::<HtmlSelectElement>("lang").value()) else { return };
        if let Some(s) = local() {
            let _ = s.set_item(LANG_KEY, lang.tag());
        }
        a.borrow_mut().lang = lang;
        apply_language(lang);
        show_who(&a);
        render(&a);
        crate::members::set_lang(lang);
        crate::config_editor::set_lang(lang);
        crate::reports::set_lang(lang); // sla13
        crate::deliveries::set_lang(lang); // outbox13
        queue::relabel(&a);
    });
    let a = app.clone();
    on("filters", "input", move |_| {
        let filters = read_filters();
        let later = a.clone();
        let timer = Timeout::new(FILTER_DEBOUNCE_MS, move || load(&later, false));
        let mut app = a.borrow_mut();
        app.filters = filters;
        app.debounce = Some(timer); // replaces (cancels) the previous keystroke's
    });
    on("filters", "submit", |e| e.prevent_default());
    let a = app.clone();
    on("clear", "click", move |_| {
        write_filters(&Filters::default());
        {
            let mut app = a.borrow_mut();
            app.filters = Filters::default();
            app.debounce = None;
        }
        load(&a, false);
    });
    let a = app.clone();
    on("prev", "click", move |_| {
        {
            let mut app = a.borrow_mut();
            if app.cursors.len() > 1 {
                app.cursors.pop();
            }
        }
        load(&a, true);
    });
    let a = app.clone();
    on("next", "click", move |_| {
        {
            let mut app = a.borrow_mut();
            let Some(next) = app.page.as_ref().and_then(|p| p.next.clone()) else { return };
            app.cursors.push(Some(next));
        }
        load(&a, true);
    });
    let a = app.clone();
    on("rows", "change", move |e| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        let Some(field) = target.get_attribute("data-field") else { return };
        let Some(id) = target.closest("tr[data-id]").ok().flatten().and_then(|tr| tr.get_attribute("data-id")) else { return };
        let edit = match field.as_str() {
            "status" => {
                let v = target.unchecked_ref::<HtmlSelectElement>().value();
                let Some(s) = escucha_core::dashboard::view::status_from_str(&v) else { return };
                CaptureEdit { status: Some(s), ..Default::default() }
            }
            "department" => {
                // Stored by id: a default department typed in either language is one department.
                let v = escucha_core::settings::canonical_department(&target.unchecked_ref::<HtmlInputElement>().value());
                CaptureEdit { department: Some((!v.is_empty()).then_some(v)), ..Default::default() }
            }
            "priority" => {
                let v = target.unchecked_ref::<HtmlSelectElement>().value();
                let Some(p) = Priority::ALL.into_iter().find(|p| p.as_str() == v) else { return };
                CaptureEdit { priority: Some(p), ..Default::default() }
            }
            "assignee" => {
                let v = target.unchecked_ref::<HtmlSelectElement>().value();
                CaptureEdit { assignee: Some((!v.is_empty()).then_some(v)), ..Default::default() }
            }
            "pick" => {
                let on = target.unchecked_ref::<HtmlInputElement>().checked();
                a.borrow_mut().selection.set(&id, on);
                queue::render_bulk(&a);
                return;
            }
            _ => return,
        };
        save_edit(a.clone(), id, edit);
    });
    let a = app.clone();
    on("rows", "click", move |e| {
        let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
        if target.closest("input, select, button, a").ok().flatten().is_some() {
            return;
        }
        let Some(id) = target.closest("tr[data-id]").ok().flatten().and_then(|tr| tr.get_attribute("data-id")) else { return };
        a.borrow_mut().selected = Some(id);
        render_detail(&a);
    });
    let a = app.clone();
    on("detail-close", "click", move |_| {
        a.borrow_mut().selected = None;
        set_hidden("detail", true);
    });
}

pub(crate) fn select_value(id: &str) -> String {
    by_id::<HtmlSelectElement>(id).value()
}

pub(crate) fn input_value(id: &str) -> String {
    by_id::<HtmlInputElement>(id).value()
}

const FILTER_SELECTS: [&str; 7] = ["f-brand", "f-sentiment", "f-department", "f-status", "f-site", "f-member", "f-assignee"];

pub(crate) fn read_filters() -> Filters {
    Filters {
        text: input_value("q"),
        brand: select_value("f-brand"),
        sentiment: select_value("f-sentiment"),
        department: select_value("f-department"),
        status: select_value("f-status"),
        site: select_value("f-site"),
        member: select_value("f-member"),
        assignee: select_value("f-assignee"),
        from: input_value("f-from"),
        to: input_value("f-to"),
    }
}

/// Put `f` in the controls. The selects get their choices again from the
/// last counts (the chosen values kept, at zero if absent), so a saved
/// view's filters show before its counts arrive.
pub(crate) fn write_filters(f: &Filters) {
    by_id::<HtmlInputElement>("q").set_value(&f.text);
    by_id::<HtmlInputElement>("f-from").set_value(&f.from);
    by_id::<HtmlInputElement>("f-to").set_value(&f.to);
    for id in FILTER_SELECTS {
        by_id::<HtmlSelectElement>(id).set_value("");
    }
}

fn check_health(lang: Lang) {
    wasm_bindgen_futures::spawn_local(async move {
        let text = match request::<serde_json::Value>("GET", "/healthz", None, None).await {
            Ok(h) if h["status"] == "ok" => tr(
                lang,
                Text::HealthUp,
                &[
                    h["version"].as_str().unwrap_or("?"),
                    h["storage"]["engine"].as_str().unwrap_or("?"),
                    h["storage"]["journalMode"].as_str().unwrap_or("?"),
                    h["storage"]["synchronous"].as_str().unwrap_or("?"),
                ],
            ),
            Ok(h) => tr(lang, Text::ServerError, &[h["message"].as_str().unwrap_or("?")]),
            Err(f) => f.message(lang),
        };
        set_text("health", &text);
    });
}

fn show_login(message: Option<String>, lang: Lang) {
    set_hidden("login", false);
    set_hidden("log", true);
    set_hidden("signout", true);
    set_hidden("refresh", true);
    set_text("who", "");
    set_text("login-error", message.as_deref().unwrap_or(""));
    let _ = lang;
}

fn show_who(app: &Shared) {
    let (lang, me, updated_ms) = {
        let a = app.borrow();
        (a.lang, a.me.clone(), a.updated_ms)
    };
    let text = me.map(|m| tr(lang, Text::SignedInAs, &[&m.member, &m.team])).unwrap_or_default();
    set_text("who", &text);
    let updated = updated_ms.map(|ms| tr(lang, Text::UpdatedAt, &[&format_time(ms, lang, true)])).unwrap_or_default();
    set_text("updated", &updated);
}

fn sign_in(app: Shared, token: String) {
    let lang = app.borrow().lang;
    set_text("login-error", Text::Loading.get(lang));
    wasm_bindgen_futures::spawn_local(async move {
        match request::<Me>("GET", "/api/v1/me", Some(&token), None).await {
            Ok(me) => {
                if let Some(s) = session() {
                    let _ = s.set_item(TOKEN_KEY, &token);
                }
                by_id::<HtmlInputElement>("token").set_value("");
                crate::members::show(&token, &me, lang);
                crate::config_editor::show(&token, &me, lang);
                crate::reports::show(&app, &token, &me, lang); // sla13
                crate::deliveries::show(&token, &me, lang); // outbox13
                {
                    let mut a = app.borrow_mut();
                    a.token = Some(token);
                    a.me = Some(me);
                    a.page = None;
                    a.counts = None;
                    a.aggregates = None;
                }
                show_who(&app);
                queue::signed_in(&app);
                set_hidden("login", true);
                set_hidden("log", false);
                set_hidden("signout", false);
                set_hidden("refresh", false);
                set_text("status", Text::Loading.get(lang));
                load(&app, false);
            }
            Err(f) => {
                if f.is_auth() {
                    if let Some(s) = session() {
                        let _ = s.remove_item(TOKEN_KEY);
                    }
                }
                show_login(Some(f.message(lang)), lang);
            }
        }
    });
}

fn sign_out(app: &Shared, message: Option<String>) {
    if let Some(s) = session() {
        let _ = s.remove_item(TOKEN_KEY);
    }
    let (lang, charts) = {
        let mut a = app.borrow_mut();
        a.token = None;
        a.me = None;
        a.page = None;
        a.counts = None;
        a.aggregates = None;
        a.cursors = vec![None];
        a.selected = None;
        a.generation += 1;
        a.debounce = None;
        a.selection.clear();
        a.views.clear();
        a.members.clear();
        (a.lang, std::mem::take(&mut a.charts))
    };
    for c in charts {
        c.destroy();
    }
    crate::members::hide();
    crate::config_editor::hide();
    crate::reports::hide(); // sla13
    crate::deliveries::hide(); // outbox13
    show_login(message, lang);
}

/// What one request of a load brings back.
enum Answer {
    Page(CapturePage),
    Counts(FacetCounts),
    Charts(Aggregates),
}

/// Ask the server for the current filters' page, facet counts and charts
/// (three requests at once; each part is drawn when it arrives).
/// `keep_page`: stay on the current page (refresh, edit, paging) instead
/// of going back to the first (a filter change).
pub(crate) fn load(app: &Shared, keep_page: bool) {
    let prepared = {
        let mut a = app.borrow_mut();
        if !keep_page {
            a.cursors = vec![None];
        }
        let query = a.filters.to_capture_query(a.tz_offset_min, PAGE_SIZE);
        match (a.token.clone(), query) {
            (None, _) => return,
            (Some(_), Err(t)) => Err((t, a.lang)),
            (Some(token), Ok(mut q)) => {
                (q.sort, q.descending) = a.sort;
                q.after = a.cursors.last().cloned().flatten().and_then(|c| Cursor::decode(&c)).map(|c| c.key);
                a.generation += 1;
                a.loading = 3;
                a.arrived = 0;
                Ok((token, q, a.tz_offset_min, a.generation))
            }
        }
    };
    let (token, query, tz, generation) = match prepared {
        Ok(p) => p,
        Err((t, lang)) => {
            set_text("filter-error", t.get(lang));
            return;
        }
    };
    set_text("filter-error", "");
    let requests = [captures_path(&query), facets_path(&query), aggregates_path(&query, tz)];
    for (i, path) in requests.into_iter().enumerate() {
        let app = app.clone();
        let token = token.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = match i {
                0 => request::<CapturePage>("GET", &path, Some(&token), None).await.map(Answer::Page),
                1 => request::<FacetCounts>("GET", &path, Some(&token), None).await.map(Answer::Counts),
                _ => request::<Aggregates>("GET", &path, Some(&token), None).await.map(Answer::Charts),
            };
            arrived(&app, generation, answer);
        });
    }
}

fn arrived(app: &Shared, generation: u64, answer: Result<Answer, escucha_core::dashboard::client::Failure>) {
    let lang = {
        let mut a = app.borrow_mut();
        if a.generation != generation {
            return; // a newer load (or sign-out) took over
        }
        a.loading = a.loading.saturating_sub(1);
        a.lang
    };
    match answer {
        Ok(answer) => {
            let (clear_status, draw_list, draw_charts) = {
                let mut a = app.borrow_mut();
                let charts = matches!(answer, Answer::Charts(_));
                match answer {
                    Answer::Page(p) => {
                        a.page = Some(p);
                        a.arrived |= 1;
                    }
                    Answer::Counts(c) => {
                        a.counts = Some(c);
                        a.arrived |= 2;
                    }
                    Answer::Charts(c) => a.aggregates = Some(c),
                }
                let list = !charts && a.arrived == 3;
                if a.loading == 0 {
                    a.updated_ms = Some(now_ms());
                }
                // Clear "Loading…" or a previous load's error, never an edit's "Saved.".
                (std::mem::take(&mut a.pull_error), list, charts)
            };
            let clear_status = clear_status || by_id::<Element>("status").text_content().as_deref() == Some(Text::Loading.get(lang));
            if clear_status {
                set_text("status", "");
            }
            show_who(app);
            if draw_list {
                // Ticks never outlive the rows shown (a change must not reach a capture out of sight).
                {
                    let mut a = app.borrow_mut();
                    let shown: Vec<String> = a.page.as_ref().map(|p| p.items.iter().map(|c| c.id.clone()).collect()).unwrap_or_default();
                    a.selection.retain_shown(shown.iter().map(String::as_str));
                }
                render_counts(app);
                render_rows(app);
            }
            if draw_charts {
                render_charts(app);
            }
        }
        Err(f) if f.is_auth() => sign_out(app, Some(f.message(lang))),
        Err(f) => {
            app.borrow_mut().pull_error = true;
            set_text("status", &f.message(lang));
        }
    }
}

pub(crate) fn save_edit(app: Shared, id: String, edit: CaptureEdit) {
    let (token, lang) = {
        let a = app.borrow();
        (a.token.clone(), a.lang)
    };
    let Some(token) = token else { return };
    set_text("status", Text::Saving.get(lang));
    let body = edit_body(&edit);
    wasm_bindgen_futures::spawn_local(async move {
        match request::<Capture>("POST", &edit_path(&id), Some(&token), Some(body)).await {
            Ok(merged) => {
                if let Some(page) = app.borrow_mut().page.as_mut() {
                    for c in page.items.iter_mut().filter(|c| c.id == merged.id) {
                        *c = merged.clone();
                    }
                }
                set_text("status", Text::Saved.get(lang));
                render(&app);
                load(&app, true); // counts and charts follow the edit
            }
            Err(f) => {
                set_text("status", &tr(lang, Text::EditFailed, &[&f.message(lang)]));
                if f.is_auth() {
                    sign_out(&app, Some(f.message(lang)));
                } else {
                    render(&app); // put the control back to the stored value
                }
            }
        }
    });
}

/// Redraw everything from what the server last answered (language switch, edits).
pub(crate) fn render(app: &Shared) {
    render_counts(app);
    render_rows(app);
    render_charts(app);
}

/// The filter bar's choices with their counts, the summary and the empty-state line.
pub(crate) fn render_counts(app: &Shared) {
    let (lang, filters, counts) = {
        let a = app.borrow();
        (a.lang, a.filters.clone(), a.counts.clone())
    };
    let Some(counts) = counts else { return };
    let options = filter_options(&counts.facets, &filters, lang);
    fill_select("f-brand", &options.brands, &filters.brand, lang);
    fill_select("f-sentiment", &options.sentiments, &filters.sentiment, lang);
    fill_select("f-department", &options.departments, &filters.department, lang);
    fill_select("f-status", &options.statuses, &filters.status, lang);
    fill_select("f-site", &options.sites, &filters.site, lang);
    fill_select("f-member", &options.members, &filters.member, lang);
    fill_select("f-assignee", &queue::assignee_options(app, &filters, lang), &filters.assignee, lang);
    queue::render_quick(app);
    let datalist: Element = by_id("departments");
    clear(&datalist);
    for o in options.departments.iter().filter(|o| o.value.starts_with("v:")) {
        append(&datalist, &el("option", &[("value", &o.label)], ""));
    }
    let live = counts.live as usize;
    let summary = count_text(lang, live as u64, Text::SummaryOne, Text::Summary);
    set_text("summary", &tr(lang, summary, &[&format_number(counts.total as usize, lang), &format_number(live, lang)]));
    let empty = if live == 0 {
        Text::EmptyLog.get(lang)
    } else if counts.total == 0 {
        Text::NoResults.get(lang)
    } else {
        ""
    };
    set_text("empty", empty);
    render_pager(app);
}

/// The page of rows, the pager and the detail panel.
pub(crate) fn render_rows(app: &Shared) {
    let (lang, page, editable, selection, members) = {
        let a = app.borrow();
        let role = a.me.as_ref().and_then(|m| m.role);
        (a.lang, a.page.clone(), may(role, Action::Edit), a.selection.clone(), a.members.clone())
    };
    let Some(page) = page else { return };
    queue::render_head(app);
    let tbody: Element = by_id("rows");
    clear(&tbody);
    for c in &page.items {
        append(&tbody, &table_row(c, lang, editable, selection.contains(&c.id), &members));
    }
    queue::render_bulk(app);
    render_pager(app);
    render_detail(app);
}

/// "Page n of m" (m from the facet count) and which way one can go.
pub(crate) fn render_pager(app: &Shared) {
    let (lang, total, page_no, rows, has_next) = {
        let a = app.borrow();
        let Some(page) = &a.page else { return };
        (a.lang, a.counts.as_ref().map(|c| c.total as usize), a.cursors.len() - 1, page.items.len(), page.next.is_some())
    };
    let total = total.unwrap_or(rows);
    let pv = page_view(total, page_no, PAGE_SIZE as usize);
    let pages = pv.pages.max(page_no + 1);
    set_text("page", &tr(lang, Text::PageOf, &[&format_number(page_no + 1, lang), &format_number(pages, lang)]));
    by_id::<web_sys::HtmlButtonElement>("prev").set_disabled(page_no == 0);
    by_id::<web_sys::HtmlButtonElement>("next").set_disabled(!has_next);
}

pub(crate) fn fill_select(id: &str, options: &[OptionView], selected: &str, lang: Lang) {
    let select: HtmlSelectElement = by_id(id);
    clear(&select);
    for o in options {
        let label = match o.count {
            Some(n) => format!("{} ({})", o.label, format_number(n as usize, lang)),
            None => o.label.clone(),
        };
        append(&select, &el("option", &[("value", &o.value)], &label));
    }
    select.set_value(selected);
}

/// One queue row. A role that cannot edit sees values as text, no controls.
fn table_row(c: &Capture, lang: Lang, editable: bool, picked: bool, members: &[MemberInfo]) -> Element {
    let r = row_view(c, lang);
    let tr: Element = el("tr", &[("data-id", &r.id)], "").into();
    if editable {
        let cell = el("td", &[("class", "pick")], "");
        let tick: HtmlInputElement =
            el("input", &[("type", "checkbox"), ("data-field", "pick"), ("aria-label", Text::SelectRow.get(lang))], "").unchecked_into();
        tick.set_checked(picked);
        append(&cell, &tick);
        append(&tr, &cell);
    }
    let date_cell = el("td", &[("class", "date")], &format_time(r.created_ms as f64, lang, true));
    crate::reports::due_badge(&date_cell, c, lang); // sla13
    append(&tr, &date_cell);
    append(&tr, &el("td", &[], &r.site));
    append(&tr, &el("td", &[], &r.brand));
    append(&tr, &el("td", &[("class", "author")], &r.author));
    append(&tr, &el("td", &[("class", "comment")], &r.excerpt));
    append(&tr, &el("td", &[("class", &format!("sentiment {}", r.sentiment.as_str()))], &r.sentiment_label));
    let select_cell = |field: &str, class: &str, label: Text, options: &[(String, String)], value: &str| {
        let cell = el("td", &[], "");
        let select: HtmlSelectElement =
            el("select", &[("data-field", field), ("aria-label", label.get(lang)), ("class", class)], "").unchecked_into();
        for (v, text) in options {
            append(&select, &el("option", &[("value", v)], text));
        }
        select.set_value(value);
        append(&cell, &select);
        cell
    };
    if editable {
        let priorities: Vec<(String, String)> = Priority::ALL
            .iter()
            .map(|p| (p.as_str().to_string(), escucha_core::dashboard::i18n::priority_label(lang, *p).to_string()))
            .collect();
        append(&tr, &select_cell("priority", "priority", Text::Priority, &priorities, r.priority.as_str()));
        let dept_cell = el("td", &[], "");
        let input: HtmlInputElement = el(
            "input",
            &[("data-field", "department"), ("list", "departments"), ("aria-label", Text::Department.get(lang)), ("class", "dept")],
            "",
        )
        .unchecked_into();
        input.set_value(&department_label(lang, &r.department));
        append(&dept_cell, &input);
        append(&tr, &dept_cell);
        let statuses: Vec<(String, String)> =
            Status::ALL.iter().map(|s| (s.as_str().to_string(), status_label(lang, *s).to_string())).collect();
        append(&tr, &select_cell("status", "status", Text::Status, &statuses, r.status.as_str()));
        let assignees = queue::assignee_choices_for(members, &r.assignee, lang);
        append(&tr, &select_cell("assignee", "assignee", Text::Assignee, &assignees, &r.assignee));
    } else {
        append(&tr, &el("td", &[("class", "priority")], &r.priority_label));
        append(&tr, &el("td", &[("class", "dept")], &department_label(lang, &r.department)));
        append(&tr, &el("td", &[("class", "status")], status_label(lang, r.status)));
        let who = if r.assignee.is_empty() { Text::Unassigned.get(lang).to_string() } else { r.assignee.clone() };
        append(&tr, &el("td", &[("class", "assignee")], &who));
    }
    append(&tr, &el("td", &[], &r.member));
    tr
}

fn link(parent: &Element, view: &LinkView, label: Text, lang: Lang) {
    let p = el("p", &[], "");
    match view {
        LinkView::Open(url) => {
            // Only http(s) URLs from view::safe_link reach href.
            let a =
                el("a", &[("href", url), ("target", "_blank"), ("rel", "noopener noreferrer"), ("class", "open-link")], label.get(lang));
            append(&p, &a);
        }
        LinkView::NotSafe(url) => {
            append(&p, &el("span", &[("class", "unsafe-link")], Text::LinkNotSafe.get(lang)));
            append(&p, &el("code", &[], url));
        }
    }
    append(parent, &p);
}

pub(crate) fn render_detail(app: &Shared) {
    let (selected, lang) = {
        let a = app.borrow();
        let held = a.selected.as_deref().and_then(|id| a.page.as_ref()?.items.iter().find(|c| c.id == id)).cloned();
        (held, a.lang)
    };
    let Some(c) = selected.as_ref() else {
        set_hidden("detail", true);
        return;
    };
    let d = detail_view(c, lang);
    let body: Element = by_id("detail-body");
    // A refresh redraws the pane: a comment being written survives it.
    let draft = document()
        .get_element_by_id("comment-form")
        .filter(|f| f.get_attribute("data-id").as_deref() == Some(c.id.as_str()))
        .and_then(|_| document().get_element_by_id("comment-text"))
        .map(|t| t.unchecked_into::<web_sys::HtmlTextAreaElement>().value());
    clear(&body);
    if !d.page_title.is_empty() {
        append(&body, &el("h3", &[], &d.page_title));
    }
    append(&body, &el("blockquote", &[("class", "full-comment")], &d.comment));
    if let Some((kept, full)) = d.truncated {
        append(&body, &el("p", &[("class", "hint")], &tr(lang, Text::Truncated, &[&kept.to_string(), &full.to_string()])));
    }
    let dl = el("dl", &[], "");
    let row = |label: &str, value: &str| {
        append(&dl, &el("dt", &[], label));
        append(&dl, &el("dd", &[], value));
    };
    row(Text::ColDate.get(lang), &format_time(d.created_ms as f64, lang, true));
    if d.comment_time_ms.is_some() || d.comment_time_original.is_some() {
        let when = match (d.comment_time_ms, &d.comment_time_original) {
            (Some(ms), Some(orig)) => format!("{} ({orig})", format_time(ms as f64, lang, true)),
            (Some(ms), None) => format_time(ms as f64, lang, true),
            (None, Some(orig)) => orig.clone(),
            (None, None) => String::new(),
        };
        row(Text::CommentTime.get(lang), &when);
    }
    for (label, value) in &d.fields {
        row(label.get(lang), value);
    }
    append(&body, &dl);
    if let Some(l) = &d.permalink {
        link(&body, l, Text::OpenComment, lang);
    }
    if let Some(l) = &d.page {
        link(&body, l, Text::OpenPage, lang);
    }
    queue::detail_extras(app, &body, c, draft);
    crate::deliveries::detail(&body, &c.id); // outbox13
    let panel: HtmlElement = by_id("detail");
    panel.set_attribute("data-id", &d.id).expect("attribute");
    panel.set_hidden(false);
}

fn render_charts(app: &Shared) {
    let (lang, aggregates, old) = {
        let mut a = app.borrow_mut();
        let Some(aggregates) = a.aggregates.clone() else { return };
        (a.lang, aggregates, std::mem::take(&mut a.charts))
    };
    for c in old {
        c.destroy();
    }
    let format = day_formatter(app, lang);
    let mut made = Vec::new();
    let mut error = None;
    for kind in ChartKind::ALL {
        let series = match kind {
            ChartKind::SentimentPerDay => &aggregates.sentiment_per_day,
            ChartKind::ByBrand => &aggregates.by_brand,
            ChartKind::ByDepartment => &aggregates.by_department,
            ChartKind::BySite => &aggregates.by_site,
            ChartKind::StatusOverTime => &aggregates.status_over_time,
        };
        let days: Vec<String> = series.days.iter().map(|d| format_day(&format, d)).collect();
        let config = chart_config(kind, series, &days, lang);
        match chart::create(&by_id::<HtmlCanvasElement>(kind.canvas_id()), &config) {
            Ok(c) => made.push(c),
            Err(e) => error = Some(e),
        }
    }
    app.borrow_mut().charts = made;
    set_text("chart-error", &error.map(|e| tr(lang, Text::ChartsUnavailable, &[&e])).unwrap_or_default());
}
