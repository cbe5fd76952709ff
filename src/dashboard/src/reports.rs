//! sla13: the Reports section (response times by department, member, brand
//! and week; captures breaching target) and its per-department form, which
//! prints cleanly (the print stylesheet in `www/dashboard.css` leaves only
//! this section) and downloads as CSV. The figures come from the server
//! (`GET /api/v1/reports`, computed there); the CSV is the core's
//! `service::csv` of the very report shown. Also the due line of each queue
//! row, from the team's service targets (`GET /api/v1/config`).

use std::cell::RefCell;

use escucha_core::dashboard::client::Failure;
use escucha_core::dashboard::i18n::{department_label, tr, Lang, Text};
use escucha_core::log::Capture;
use escucha_core::service::due::short_duration;
use escucha_core::service::{due_with, Calendar, DueKind, Figures, Report, ServiceTargets};
use escucha_core::sync::api::Me;
use escucha_core::team_config::VersionedConfig;
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

use crate::api::request;

#[derive(Default)]
struct Section {
    token: Option<String>,
    lang: Lang,
    report: Option<Report>,
    failure: Option<Failure>,
    /// The team's targets and their calendar, for the queue's due line.
    targets: Option<(ServiceTargets, Calendar)>,
    departments: Vec<String>,
    /// The dashboard, to redraw the queue's due lines once the targets arrive.
    app: Option<crate::app::Shared>,
}

thread_local! {
    static SECTION: RefCell<Section> = RefCell::new(Section::default());
}

pub fn wire() {
    crate::app::on("report-form", "submit", |e| {
        e.prevent_default();
        load();
    });
    crate::app::on("report-print", "click", |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    crate::app::on("report-csv", "click", |_| {
        let (report, lang) = SECTION.with(|s| (s.borrow().report.clone(), s.borrow().lang));
        if let Some(r) = report {
            let dep = r.query.department.clone().unwrap_or_default();
            let name = if dep.is_empty() { "escucha-report.csv".to_string() } else { format!("escucha-report-{}.csv", file_part(&dep)) };
            let _ = escucha_ui::dom::download(&name, "text/csv;charset=utf-8", &escucha_core::service::csv::report_csv(&r, lang));
        }
    });
}

/// A department name as part of a file name.
fn file_part(name: &str) -> String {
    name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}

pub fn show(app: &crate::app::Shared, token: &str, _me: &Me, lang: Lang) {
    SECTION.with(|s| *s.borrow_mut() = Section { token: Some(token.to_string()), lang, app: Some(app.clone()), ..Section::default() });
    set_hidden("reports", false);
    load_targets();
    load();
}

pub fn hide() {
    SECTION.with(|s| *s.borrow_mut() = Section::default());
    set_hidden("reports", true);
    for id in ["report-total", "report-groups", "report-breaches"] {
        clear(&by_id::<Element>(id));
    }
    set_text("report-note", "");
}

pub fn set_lang(lang: Lang) {
    SECTION.with(|s| s.borrow_mut().lang = lang);
    if SECTION.with(|s| s.borrow().token.is_some()) {
        fill_departments();
        draw();
    }
}

fn load_targets() {
    let Some(token) = SECTION.with(|s| s.borrow().token.clone()) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        // No configuration yet (404) means no targets: nothing is due.
        if let Ok(doc) = request::<VersionedConfig>("GET", "/api/v1/config", Some(&token), None).await {
            let departments = doc.config.departments.clone();
            let targets = doc.config.service.calendar().map(|c| (doc.config.service, c));
            let app = SECTION.with(|s| {
                let mut s = s.borrow_mut();
                s.targets = targets;
                s.departments = departments;
                s.app.clone()
            });
            fill_departments();
            if let Some(app) = app {
                crate::app::render_rows(&app);
            }
        }
    });
}

fn fill_departments() {
    let (lang, mut deps, report) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.departments.clone(), s.report.clone())
    });
    if let Some(r) = report {
        for f in &r.by_department {
            if !f.key.is_empty() && !deps.contains(&f.key) {
                deps.push(f.key.clone());
            }
        }
    }
    let select: HtmlSelectElement = by_id("report-department");
    let chosen = select.value();
    clear(&select);
    append(&select, &el("option", &[("value", "")], Text::ReportsAllDepartments.get(lang)));
    for d in &deps {
        append(&select, &el("option", &[("value", d)], &department_label(lang, d)));
    }
    select.set_value(&chosen);
}

fn query_string() -> String {
    let mut parts = vec![];
    let enc = |v: &str| String::from(js_sys::encode_uri_component(v));
    for (key, id) in [("from", "report-from"), ("to", "report-to")] {
        let v = by_id::<HtmlInputElement>(id).value();
        if !v.is_empty() {
            parts.push(format!("{key}={}", enc(&v)));
        }
    }
    let dep = by_id::<HtmlSelectElement>("report-department").value();
    if !dep.is_empty() {
        parts.push(format!("department={}", enc(&dep)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn load() {
    let Some(token) = SECTION.with(|s| s.borrow().token.clone()) else { return };
    let path = format!("/api/v1/reports{}", query_string());
    let lang = SECTION.with(|s| s.borrow().lang);
    set_text("report-note", Text::Loading.get(lang));
    wasm_bindgen_futures::spawn_local(async move {
        let answer = request::<Report>("GET", &path, Some(&token), None).await;
        SECTION.with(|s| {
            let mut s = s.borrow_mut();
            match answer {
                Ok(r) => {
                    s.report = Some(r);
                    s.failure = None;
                }
                Err(f) => s.failure = Some(f),
            }
        });
        fill_departments();
        draw();
    });
}

fn minutes_text(v: Option<i64>) -> String {
    v.map(short_duration).unwrap_or_else(|| "\u{2014}".into())
}

fn figures_table(caption: &str, first_col: Text, groups: &[Figures], lang: Lang, label: &dyn Fn(&str) -> String) -> Element {
    let table: Element = el("table", &[("class", "report-table")], "").into();
    append(&table, &el("caption", &[], caption));
    let head = el("thead", &[], "");
    let row = el("tr", &[], "");
    for t in [
        first_col,
        Text::ReportsCaptures,
        Text::ReportsResponded,
        Text::ReportsClosed,
        Text::ReportsFirstMedian,
        Text::ReportsFirstP90,
        Text::ReportsCloseMedian,
        Text::ReportsCloseP90,
        Text::ReportsBreaching,
    ] {
        append(&row, &el("th", &[("scope", "col")], t.get(lang)));
    }
    append(&head, &row);
    append(&table, &head);
    let body = el("tbody", &[], "");
    for f in groups {
        let tr_el = el("tr", &[("data-key", &f.key)], "");
        let key = if f.key.is_empty() { Text::NoValue.get(lang).to_string() } else { label(&f.key) };
        append(&tr_el, &el("th", &[("scope", "row")], &key));
        for (cell, class) in [
            (f.captures.to_string(), "n"),
            (f.responded.to_string(), "n"),
            (f.closed.to_string(), "n"),
            (minutes_text(f.first_response_median), "first-median"),
            (minutes_text(f.first_response_p90), "first-p90"),
            (minutes_text(f.close_median), "close-median"),
            (minutes_text(f.close_p90), "close-p90"),
            (f.breaching.to_string(), "breaching"),
        ] {
            append(&tr_el, &el("td", &[("class", class)], &cell));
        }
        append(&body, &tr_el);
    }
    append(&table, &body);
    table
}

fn draw() {
    let (lang, report, failure, has_targets) = SECTION.with(|s| {
        let s = s.borrow();
        (s.lang, s.report.clone(), s.failure.clone(), s.targets.as_ref().is_some_and(|(t, _)| !t.targets.is_empty()))
    });
    let total: Element = by_id("report-total");
    let groups: Element = by_id("report-groups");
    let breaches: Element = by_id("report-breaches");
    for e in [&total, &groups, &breaches] {
        clear(e);
    }
    if let Some(f) = failure {
        set_text("report-note", &tr(lang, Text::ReportsFailed, &[&f.message(lang)]));
        return;
    }
    let Some(r) = report else { return };
    let dep = r.query.department.clone().unwrap_or_default();
    let title = if dep.is_empty() {
        Text::ReportsTitle.get(lang).to_string()
    } else {
        format!("{}: {}", Text::ReportsOpen.get(lang), department_label(lang, &dep))
    };
    set_text("report-heading", &title);
    let scope = if dep.is_empty() { Text::ReportsAllDepartments.get(lang).to_string() } else { department_label(lang, &dep) };
    let mut note = tr(lang, Text::ReportsGenerated, &[&scope, &crate::app::format_time(r.now_ms as f64, lang, true)]);
    if !has_targets {
        note = format!("{note}. {}", Text::ReportsNoTargets.get(lang));
    }
    set_text("report-note", &note);
    let plain = |k: &str| k.to_string();
    let dept = |k: &str| department_label(lang, k);
    let week = |k: &str| tr(lang, Text::ReportsWeekOf, &[k]);
    append(
        &total,
        &figures_table(Text::ReportsTotal.get(lang), Text::ReportsGroup, std::slice::from_ref(&r.total), lang, &|_| {
            Text::ReportsTotal.get(lang).to_string()
        }),
    );
    for (caption, col, list, label) in [
        (Text::ReportsByDepartment, Text::ReportsDepartment, &r.by_department, &dept as &dyn Fn(&str) -> String),
        (Text::ReportsByMember, Text::Member, &r.by_member, &plain),
        (Text::ReportsByBrand, Text::Brand, &r.by_brand, &plain),
        (Text::ReportsByWeek, Text::ReportsGroup, &r.by_week, &week),
    ] {
        if !dep.is_empty() && caption == Text::ReportsByDepartment {
            continue;
        }
        append(&groups, &figures_table(caption.get(lang), col, list, lang, label));
    }
    append(&breaches, &el("h3", &[], &tr(lang, Text::ReportsBreachesTitle, &[&r.breach_count.to_string()])));
    if r.breaches.is_empty() {
        append(&breaches, &el("p", &[], Text::ReportsNoBreaches.get(lang)));
        return;
    }
    let table: Element = el("table", &[("class", "report-table"), ("id", "breach-table")], "").into();
    let head = el("tr", &[], "");
    for t in [Text::ReportsCapture, Text::ReportsDepartment, Text::Member, Text::ReportsBreachKind, Text::ReportsDueAt, Text::ReportsOver] {
        append(&head, &el("th", &[("scope", "col")], t.get(lang)));
    }
    let thead = el("thead", &[], "");
    append(&thead, &head);
    append(&table, &thead);
    let body = el("tbody", &[], "");
    for b in &r.breaches {
        let row = el("tr", &[("data-id", &b.id)], "");
        let title = if b.page_title.trim().is_empty() { b.page_url.clone() } else { b.page_title.clone() };
        let cell = el("td", &[], "");
        if b.page_url.starts_with("https://") || b.page_url.starts_with("http://") {
            append(&cell, &el("a", &[("href", &b.page_url), ("rel", "noopener noreferrer"), ("target", "_blank")], &title));
        } else {
            cell.set_text_content(Some(&title));
        }
        append(&row, &cell);
        append(&row, &el("td", &[], &department_label(lang, &b.department)));
        append(&row, &el("td", &[], &b.member));
        let kind = match b.kind {
            DueKind::FirstResponse => Text::DueFirstResponse,
            DueKind::Close => Text::DueClose,
        };
        append(&row, &el("td", &[], kind.get(lang)));
        append(&row, &el("td", &[], &crate::app::format_time(b.due_at as f64, lang, true)));
        append(&row, &el("td", &[("class", "over")], &short_duration(b.over)));
        append(&body, &row);
    }
    append(&table, &body);
    append(&breaches, &table);
}

/// The queue row's due line under the capture's date: "Due <when> (in 2 h)"
/// or, overdue, "Overdue since <when> (…)", from the team's targets.
pub fn due_badge(cell: &Element, c: &Capture, lang: Lang) {
    let due = SECTION.with(|s| {
        let s = s.borrow();
        let (targets, calendar) = s.targets.as_ref()?;
        due_with(c, targets, calendar, crate::app::now_ms() as i64)
    });
    let Some(due) = due else { return };
    let when = crate::app::format_time(due.due_at as f64, lang, true);
    let kind = match due.kind {
        DueKind::FirstResponse => Text::DueFirstResponse,
        DueKind::Close => Text::DueClose,
    };
    let sentence = if due.overdue { Text::DueOverdue } else { Text::DueIn };
    let text = format!("{}: {}", kind.get(lang), tr(lang, sentence, &[&when, &short_duration(due.remaining)]));
    let class = if due.overdue { "due overdue" } else { "due" };
    let line: Element = el("span", &[("class", class)], &text).unchecked_into();
    append(cell, &line);
}
