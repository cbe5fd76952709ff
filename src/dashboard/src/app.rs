//! The dashboard's state and its drawing. Every decision (what a filter
//! means, which links open, chart configs, error sentences) is made in
//! `escucha_core::dashboard`; here we read controls, call it, and build DOM.

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::dashboard::charts::{chart_config, ChartKind};
use escucha_core::dashboard::client::{edit_body, edit_path, pull_path, REFRESH_SECONDS};
use escucha_core::dashboard::i18n::{count_text, department_label, status_label, tr, Lang, Text};
use escucha_core::dashboard::view::{detail_view, filter_options, page_view, row_view, Filters, LinkView, OptionView};
use escucha_core::log::query::LogIndex;
use escucha_core::log::{stats, Capture, CaptureEdit, Status};
use escucha_core::sync::api::{Me, PullResponse};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::api::request;
use crate::chart::{self, Chart};
use escucha_ui::dom::{append_child as append, by_id, clear, document, el, set_hidden, set_text};

const TOKEN_KEY: &str = "escucha.dashboard.token";
const LANG_KEY: &str = "escucha.dashboard.lang";
const PAGE_SIZE: usize = 50;

struct App {
    lang: Lang,
    token: Option<String>,
    index: LogIndex,
    cursor: Option<String>,
    filters: Filters,
    page: usize,
    rows: Vec<u32>,
    selected: Option<String>,
    charts: Vec<Chart>,
    /// Minutes east of UTC, so days in filters and charts are the user's days.
    tz_offset_min: i32,
    pulling: bool,
    /// The status line shows a failed pull (cleared by the next good one).
    pull_error: bool,
    updated_ms: Option<f64>,
    me: Option<Me>,
}

type Shared = Rc<RefCell<App>>;

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `Intl` date and time in the user's language.
fn format_time(ms: f64, lang: Lang, with_time: bool) -> String {
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

/// A `YYYY-MM-DD` chart day as a short local date ("3 may").
fn format_day(day: &str, lang: Lang) -> String {
    let d = js_sys::Date::new(&JsValue::from_str(&format!("{day}T12:00:00Z")));
    let opts = js_sys::Object::new();
    for (k, v) in [("month", "short"), ("day", "numeric"), ("timeZone", "UTC")] {
        let _ = js_sys::Reflect::set(&opts, &k.into(), &v.into());
    }
    String::from(d.to_locale_date_string(lang.tag(), &opts))
}

pub fn start() {
    let window = web_sys::window().expect("a window");
    let stored = local().and_then(|s| s.get_item(LANG_KEY).ok().flatten()).and_then(|t| Lang::from_tag(&t));
    let preferred: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    let lang = stored.unwrap_or_else(|| Lang::pick(&preferred));
    let app: Shared = Rc::new(RefCell::new(App {
        lang,
        token: None,
        index: LogIndex::new(Vec::new()),
        cursor: None,
        filters: Filters::default(),
        page: 0,
        rows: Vec::new(),
        selected: None,
        charts: Vec::new(),
        tz_offset_min: -(js_sys::Date::new_0().get_timezone_offset() as i32),
        pulling: false,
        pull_error: false,
        updated_ms: None,
        me: None,
    }));
    fill_language_switch(lang);
    apply_language(lang);
    wire(&app);
    check_health(lang);
    match session().and_then(|s| s.get_item(TOKEN_KEY).ok().flatten()) {
        Some(token) => sign_in(app.clone(), token),
        None => show_login(None, lang),
    }
    let tick = app.clone();
    let refresh = Closure::<dyn FnMut()>::new(move || {
        let ready = tick.borrow().token.is_some() && !tick.borrow().pulling;
        if ready {
            pull(tick.clone());
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

fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

fn wire(app: &Shared) {
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
    on("refresh", "click", move |_| {
        if !a.borrow().pulling {
            pull(a.clone());
        }
    });
    let a = app.clone();
    on("lang", "change", move |_| {
        let Some(lang) = Lang::from_tag(&by_id::<HtmlSelectElement>("lang").value()) else { return };
        if let Some(s) = local() {
            let _ = s.set_item(LANG_KEY, lang.tag());
        }
        a.borrow_mut().lang = lang;
        apply_language(lang);
        show_who(&a.borrow());
        render(&a);
    });
    let a = app.clone();
    on("filters", "input", move |_| {
        {
            let mut app = a.borrow_mut();
            app.filters = read_filters();
            app.page = 0;
        }
        render(&a);
    });
    on("filters", "submit", |e| e.prevent_default());
    let a = app.clone();
    on("clear", "click", move |_| {
        write_filters(&Filters::default());
        {
            let mut app = a.borrow_mut();
            app.filters = Filters::default();
            app.page = 0;
        }
        render(&a);
    });
    for (id, step) in [("prev", -1isize), ("next", 1)] {
        let a = app.clone();
        on(id, "click", move |_| {
            {
                let mut app = a.borrow_mut();
                app.page = app.page.saturating_add_signed(step);
            }
            render(&a);
        });
    }
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
        render_detail(&a.borrow());
    });
    let a = app.clone();
    on("detail-close", "click", move |_| {
        a.borrow_mut().selected = None;
        set_hidden("detail", true);
    });
}

fn select_value(id: &str) -> String {
    by_id::<HtmlSelectElement>(id).value()
}

fn input_value(id: &str) -> String {
    by_id::<HtmlInputElement>(id).value()
}

const FILTER_SELECTS: [&str; 6] = ["f-brand", "f-sentiment", "f-department", "f-status", "f-site", "f-member"];

fn read_filters() -> Filters {
    Filters {
        text: input_value("q"),
        brand: select_value("f-brand"),
        sentiment: select_value("f-sentiment"),
        department: select_value("f-department"),
        status: select_value("f-status"),
        site: select_value("f-site"),
        member: select_value("f-member"),
        from: input_value("f-from"),
        to: input_value("f-to"),
    }
}

fn write_filters(f: &Filters) {
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

fn show_who(app: &App) {
    let text = app.me.as_ref().map(|m| tr(app.lang, Text::SignedInAs, &[&m.member, &m.team])).unwrap_or_default();
    set_text("who", &text);
    let updated = app.updated_ms.map(|ms| tr(app.lang, Text::UpdatedAt, &[&format_time(ms, app.lang, true)])).unwrap_or_default();
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
                {
                    let mut a = app.borrow_mut();
                    a.token = Some(token);
                    a.me = Some(me);
                    a.index = LogIndex::new(Vec::new());
                    a.cursor = None;
                    show_who(&a);
                }
                set_hidden("login", true);
                set_hidden("log", false);
                set_hidden("signout", false);
                set_hidden("refresh", false);
                set_text("status", Text::Loading.get(lang));
                pull(app.clone());
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
    let lang = {
        let mut a = app.borrow_mut();
        a.token = None;
        a.me = None;
        a.index = LogIndex::new(Vec::new());
        a.cursor = None;
        a.selected = None;
        for c in a.charts.drain(..) {
            c.destroy();
        }
        a.lang
    };
    show_login(message, lang);
}

/// Pull every change since the last cursor (the whole log the first time),
/// page by page, then redraw.
fn pull(app: Shared) {
    app.borrow_mut().pulling = true;
    wasm_bindgen_futures::spawn_local(async move {
        let result = loop {
            let (token, cursor) = {
                let a = app.borrow();
                (a.token.clone(), a.cursor.clone())
            };
            let Some(token) = token else { break Ok(()) };
            match request::<PullResponse>("GET", &pull_path(cursor.as_deref()), Some(&token), None).await {
                Ok(page) => {
                    let mut a = app.borrow_mut();
                    if a.token.as_deref() != Some(token.as_str()) {
                        break Ok(()); // signed out meanwhile
                    }
                    for c in page.items {
                        a.index.upsert(c);
                    }
                    a.cursor = Some(page.cursor);
                    if !page.more {
                        break Ok(());
                    }
                }
                Err(f) => break Err(f),
            }
        };
        app.borrow_mut().pulling = false;
        match result {
            Ok(()) => {
                let clear_status = {
                    let mut a = app.borrow_mut();
                    a.updated_ms = Some(now_ms());
                    // Clear "Loading…" or a previous pull's error, never an edit's "Saved.".
                    std::mem::take(&mut a.pull_error)
                        || by_id::<Element>("status").text_content().as_deref() == Some(Text::Loading.get(a.lang))
                };
                show_who(&app.borrow());
                if clear_status {
                    set_text("status", "");
                }
                render(&app);
            }
            Err(f) => {
                let lang = app.borrow().lang;
                if f.is_auth() {
                    sign_out(&app, Some(f.message(lang)));
                } else {
                    app.borrow_mut().pull_error = true;
                    set_text("status", &f.message(lang));
                }
            }
        }
    });
}

fn save_edit(app: Shared, id: String, edit: CaptureEdit) {
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
                app.borrow_mut().index.upsert(merged);
                set_text("status", Text::Saved.get(lang));
                render(&app);
                if !app.borrow().pulling {
                    pull(app.clone());
                }
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

/// Run the query and redraw filters, summary, table, pager, detail and charts.
fn render(app: &Shared) {
    let mut a = app.borrow_mut();
    let lang = a.lang;
    let query = match a.filters.to_query(a.tz_offset_min) {
        Ok(q) => q,
        Err(t) => {
            set_text("filter-error", t.get(lang));
            return;
        }
    };
    set_text("filter-error", "");
    let result = a.index.run(&query);
    let options = filter_options(&result.facets, &a.filters, lang);
    let f = a.filters.clone();
    fill_select("f-brand", &options.brands, &f.brand, lang);
    fill_select("f-sentiment", &options.sentiments, &f.sentiment, lang);
    fill_select("f-department", &options.departments, &f.department, lang);
    fill_select("f-status", &options.statuses, &f.status, lang);
    fill_select("f-site", &options.sites, &f.site, lang);
    fill_select("f-member", &options.members, &f.member, lang);
    let datalist: Element = by_id("departments");
    clear(&datalist);
    for o in options.departments.iter().filter(|o| o.value.starts_with("v:")) {
        append(&datalist, &el("option", &[("value", &o.label)], ""));
    }

    let total = result.live as usize;
    let summary = count_text(lang, total as u64, Text::SummaryOne, Text::Summary);
    set_text("summary", &tr(lang, summary, &[&format_number(result.rows.len(), lang), &format_number(total, lang)]));
    let empty = if total == 0 {
        Text::EmptyLog.get(lang)
    } else if result.rows.is_empty() {
        Text::NoResults.get(lang)
    } else {
        ""
    };
    set_text("empty", empty);

    let pv = page_view(result.rows.len(), a.page, PAGE_SIZE);
    a.page = pv.page;
    let tbody: Element = by_id("rows");
    clear(&tbody);
    for &i in &result.rows[pv.start..pv.end] {
        append(&tbody, &table_row(&a.index.captures()[i as usize], lang));
    }
    set_text("page", &tr(lang, Text::PageOf, &[&format_number(pv.page + 1, lang), &format_number(pv.pages, lang)]));
    by_id::<web_sys::HtmlButtonElement>("prev").set_disabled(pv.page == 0);
    by_id::<web_sys::HtmlButtonElement>("next").set_disabled(pv.page + 1 >= pv.pages);
    a.rows = result.rows;
    render_charts(&mut a);
    if a.selected.is_some() {
        render_detail(&a);
    }
}

fn fill_select(id: &str, options: &[OptionView], selected: &str, lang: Lang) {
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

fn table_row(c: &Capture, lang: Lang) -> Element {
    let r = row_view(c, lang);
    let tr: Element = el("tr", &[("data-id", &r.id)], "").into();
    append(&tr, &el("td", &[("class", "date")], &format_time(r.created_ms as f64, lang, true)));
    append(&tr, &el("td", &[], &r.site));
    append(&tr, &el("td", &[], &r.brand));
    append(&tr, &el("td", &[("class", "author")], &r.author));
    append(&tr, &el("td", &[("class", "comment")], &r.excerpt));
    append(&tr, &el("td", &[("class", &format!("sentiment {}", r.sentiment.as_str()))], &r.sentiment_label));
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
    let status_cell = el("td", &[], "");
    let select: HtmlSelectElement =
        el("select", &[("data-field", "status"), ("aria-label", Text::Status.get(lang)), ("class", "status")], "").unchecked_into();
    for s in Status::ALL {
        append(&select, &el("option", &[("value", s.as_str())], status_label(lang, s)));
    }
    select.set_value(r.status.as_str());
    append(&status_cell, &select);
    append(&tr, &status_cell);
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

fn render_detail(a: &App) {
    let Some(c) = a.selected.as_deref().and_then(|id| a.index.get(id)) else {
        set_hidden("detail", true);
        return;
    };
    let lang = a.lang;
    let d = detail_view(c, lang);
    let body: Element = by_id("detail-body");
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
    let panel: HtmlElement = by_id("detail");
    panel.set_attribute("data-id", &d.id).expect("attribute");
    panel.set_hidden(false);
}

fn render_charts(a: &mut App) {
    for c in a.charts.drain(..) {
        c.destroy();
    }
    let lang = a.lang;
    let caps = a.index.captures();
    let rows = || a.rows.iter().map(|&i| &caps[i as usize]);
    let tz = a.tz_offset_min;
    let mut made = Vec::new();
    let mut error = None;
    for kind in ChartKind::ALL {
        let series = match kind {
            ChartKind::SentimentPerDay => stats::by_sentiment(rows(), tz),
            ChartKind::ByBrand => stats::by_brand(rows(), tz),
            ChartKind::ByDepartment => stats::by_department(rows(), tz),
            ChartKind::BySite => stats::by_site(rows(), tz),
            ChartKind::StatusOverTime => stats::status_over_time(rows(), tz),
        };
        let days: Vec<String> = series.days.iter().map(|d| format_day(d, lang)).collect();
        let config = chart_config(kind, &series, &days, lang);
        match chart::create(&by_id::<HtmlCanvasElement>(kind.canvas_id()), &config) {
            Ok(c) => made.push(c),
            Err(e) => error = Some(e),
        }
    }
    a.charts = made;
    set_text("chart-error", &error.map(|e| tr(lang, Text::ChartsUnavailable, &[&e])).unwrap_or_default());
}
