//! The log page's DOM: toolbar, virtual list, rows, toast. Built with
//! `crate::dom`, so comment text, authors and notes only ever become text.

use escucha_core::i18n::Key;
use escucha_core::log::{Capture, Priority, Sentiment, Status};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use super::model::{facet_options, Facet, FacetValue, ROW_HEIGHT, SORTS};
use crate::dom::{self, append, el};
use crate::pages::{app_root, heading};
use crate::platform::t;
use escucha_core::log::query::Facets;
use escucha_core::pages::workspace::{assignee_options, chip_words, QuickCount, QuickView};

/// Handles to the page's fixed elements.
pub struct Ui {
    pub toolbar: HtmlElement,
    pub search: HtmlInputElement,
    pub facets: Vec<(Facet, HtmlSelectElement)>,
    pub date_field: HtmlSelectElement,
    pub date_from: HtmlInputElement,
    pub date_to: HtmlInputElement,
    pub sort: HtmlSelectElement,
    pub descending: HtmlInputElement,
    pub actions: HtmlElement,
    pub import_input: HtmlInputElement,
    pub count: HtmlElement,
    /// "Loading N of M": shown while the log is read in pieces.
    pub progress: HtmlElement,
    pub status: HtmlElement,
    pub problems: HtmlElement,
    pub viewport: HtmlElement,
    pub spacer: HtmlElement,
    pub toast: HtmlElement,
    /// Captures the team log refused, with why and what to do.
    pub not_synced: HtmlElement,
    /// wsui12: the quick views ("All", "Mine", "Unassigned", "My department").
    pub views: HtmlElement,
    /// wsui12: one capture's assignment, comment thread and history.
    pub details: HtmlElement,
}

fn select(attrs: &[(&str, &str)], options: &[(&str, &str)]) -> HtmlSelectElement {
    let s = el("select", attrs, "");
    for (value, label) in options {
        s.append_child(&el("option", &[("value", value)], label)).ok();
    }
    s.unchecked_into()
}

fn labelled(label: Key, control: &Element) -> HtmlElement {
    let l = el("label", &[], "");
    append(l, &[&el("span", &[], &t(label, &[])), control])
}

pub fn build() -> Ui {
    let root = app_root();
    let search: HtmlInputElement = el(
        "input",
        &[("type", "search"), ("id", "search"), ("placeholder", &t(Key::LogSearch, &[])), ("aria-label", &t(Key::LogSearch, &[]))],
        "",
    )
    .unchecked_into();
    let toolbar = el("div", &[("class", "toolbar"), ("id", "filters")], "");
    toolbar.append_child(&search).ok();
    let mut facets = Vec::new();
    for f in Facet::ALL {
        let s = select(&[("data-facet", f.name()), ("id", &format!("filter-{}", f.name()))], &[("", &t(Key::LogAny, &[]))]);
        toolbar.append_child(&labelled(f.label(), &s)).ok();
        facets.push((f, s));
    }
    let date_field =
        select(&[("id", "date-field")], &[("created", &t(Key::LogDateCreated, &[])), ("comment", &t(Key::LogDateComment, &[]))]);
    let date_from: HtmlInputElement = el("input", &[("type", "date"), ("id", "date-from")], "").unchecked_into();
    let date_to: HtmlInputElement = el("input", &[("type", "date"), ("id", "date-to")], "").unchecked_into();
    let sort_labels: Vec<(String, String)> = SORTS.iter().enumerate().map(|(i, (_, k))| (i.to_string(), t(*k, &[]))).collect();
    let sort = select(&[("id", "sort")], &sort_labels.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>());
    let descending: HtmlInputElement = el("input", &[("type", "checkbox"), ("id", "descending")], "").unchecked_into();
    descending.set_checked(true);
    append(
        &toolbar,
        &[
            &labelled(Key::LogDateField, &date_field),
            &labelled(Key::LogDateFrom, &date_from),
            &labelled(Key::LogDateTo, &date_to),
            &labelled(Key::LogSort, &sort),
            &labelled(Key::LogDescending, &descending),
        ],
    );

    let actions = el("div", &[("class", "actions"), ("id", "actions")], "");
    let import_input: HtmlInputElement =
        el("input", &[("type", "file"), ("id", "import-file"), ("accept", ".json,application/json"), ("hidden", "")], "").unchecked_into();
    append(
        &actions,
        &[
            &el("button", &[("type", "button"), ("data-action", "export-csv"), ("id", "export-csv")], &t(Key::LogExportCsv, &[])),
            &el("button", &[("type", "button"), ("data-action", "export-json"), ("id", "export-json")], &t(Key::LogExportJson, &[])),
            &el("button", &[("type", "button"), ("data-action", "export-jsonld"), ("id", "export-jsonld")], &t(Key::LogExportJsonLd, &[])),
            &el("button", &[("type", "button"), ("data-action", "import"), ("id", "import")], &t(Key::LogImport, &[])),
            &import_input,
        ],
    );
    let count = el("p", &[("id", "count"), ("class", "muted")], &t(Key::LogLoading, &[]));
    let progress = el("p", &[("id", "progress"), ("class", "muted"), ("hidden", "")], "");
    let status = el("p", &[("id", "status"), ("role", "status")], "");
    let problems = el("ul", &[("id", "problems"), ("class", "problems")], "");
    let viewport = el("div", &[("id", "list"), ("class", "viewport"), ("tabindex", "0")], "");
    // The rows are `role="listitem"`, so their container is the list.
    let spacer = el("div", &[("class", "spacer"), ("id", "rows"), ("role", "list"), ("aria-label", &t(Key::LogTitle, &[]))], "");
    viewport.append_child(&spacer).ok();
    let toast = el("div", &[("id", "toast"), ("class", "toast"), ("hidden", "")], "");
    let not_synced = super::not_synced::build();
    let views = el("nav", &[("id", "views"), ("class", "views"), ("aria-label", &t(Key::WsViews, &[]))], "");
    let details = el("aside", &[("id", "details"), ("class", "details"), ("hidden", ""), ("aria-labelledby", "details-title")], "");
    append(
        &root,
        &[
            &heading(&t(Key::LogTitle, &[])),
            &not_synced,
            &views,
            &toolbar,
            &actions,
            &count,
            &progress,
            &status,
            &problems,
            &viewport,
            &toast,
            &details,
        ],
    );
    Ui {
        toolbar,
        search,
        facets,
        date_field,
        date_from,
        date_to,
        sort,
        descending,
        actions,
        import_input,
        count,
        progress,
        status,
        problems,
        viewport,
        spacer,
        toast,
        not_synced,
        views,
        details,
    }
}

/// The quick-view chips: "All" and each view with its count, the chosen one pressed.
pub fn render_views(ui: &Ui, counts: &[QuickCount], chosen: Option<QuickView>, format_count: &dyn Fn(u32) -> String) {
    ui.views.set_text_content(None);
    let all = el(
        "button",
        &[
            ("type", "button"),
            ("data-action", "view"),
            ("data-view", ""),
            ("aria-pressed", if chosen.is_none() { "true" } else { "false" }),
        ],
        &t(Key::WsViewAll, &[]),
    );
    ui.views.append_child(&all).ok();
    for q in counts {
        let pressed = if chosen == Some(q.view) { "true" } else { "false" };
        let b = el(
            "button",
            &[
                ("type", "button"),
                ("data-action", "view"),
                ("data-view", q.view.name()),
                ("aria-pressed", pressed),
                ("data-count", &q.count.to_string()),
            ],
            &crate::words::say(&chip_words(q, format_count)),
        );
        if !q.available {
            b.set_attribute("disabled", "").ok();
        }
        ui.views.append_child(&b).ok();
    }
}

/// Refill each facet control from the counts, keeping the selection.
/// Returns, per facet, the values behind its options (option `i+1` ↔ `values[i]`).
pub fn render_facets(
    ui: &Ui,
    facets: &Facets,
    selected: &[(Facet, Option<FacetValue>)],
    format_count: &dyn Fn(u32) -> String,
) -> Vec<(Facet, Vec<FacetValue>)> {
    let mut out = Vec::new();
    for (facet, s) in &ui.facets {
        let current = selected.iter().find(|(f, _)| f == facet).and_then(|(_, v)| v.clone());
        let mut options = facet_options(facets, *facet);
        if let Some(c) = &current {
            if !options.iter().any(|(v, _)| v == c) {
                options.push((c.clone(), 0));
            }
        }
        s.set_text_content(None);
        s.append_child(&el("option", &[("value", "")], &t(Key::LogAny, &[]))).ok();
        let mut values = Vec::new();
        for (i, (v, n)) in options.into_iter().enumerate() {
            let label = format!("{} ({})", facet_label(*facet, &v), format_count(n));
            let o = el("option", &[("value", &i.to_string())], &label);
            s.append_child(&o).ok();
            if current.as_ref() == Some(&v) {
                s.set_value(&i.to_string());
            }
            values.push(v);
        }
        if current.is_none() {
            s.set_value("");
        }
        out.push((*facet, values));
    }
    out
}

pub fn facet_label(facet: Facet, v: &FacetValue) -> String {
    match v {
        FacetValue::Text(s) => s.clone(),
        FacetValue::None if facet == Facet::Department => t(Key::LogNoDepartment, &[]),
        FacetValue::None if facet == Facet::Brand => t(Key::LogNoBrand, &[]),
        FacetValue::None if facet == Facet::Assignee => t(Key::LogUnassigned, &[]),
        FacetValue::None => "—".into(),
        FacetValue::Sentiment(s) => t(Key::sentiment(*s), &[]),
        FacetValue::Status(s) => t(Key::status(*s), &[]),
        FacetValue::Priority(p) => t(Key::priority(*p), &[]),
    }
}

/// How a row shows dates, from the page's `Intl` formatter.
pub struct RowFormat<'a> {
    pub date: &'a dyn Fn(i64) -> String,
    pub departments: &'a [String],
    /// This browser's member name, for "In your log" vs "Logged by ana".
    pub member: &'a str,
    /// The team's names, for the assignee menu.
    pub members: &'a [String],
}

/// One row: page text as text nodes only; inline editors carry `data-field`.
pub fn row(c: &Capture, position: u32, f: &RowFormat) -> HtmlElement {
    let ctx = &c.context.value;
    let r = el("div", &[("class", "row"), ("data-id", &c.id), ("role", "listitem")], "");
    r.style().set_property("top", &format!("{}px", position as f64 * ROW_HEIGHT)).ok();
    let comment_when = ctx.comment_time.as_ref().and_then(|t| t.utc.as_deref()).and_then(escucha_core::log::dates::parse_rfc3339);
    let when = el("time", &[("class", "when")], &(f.date)(comment_when.unwrap_or(c.created_ms)));
    let author = el(
        "span",
        &[("class", "author")],
        ctx.author_name.as_deref().filter(|a| !a.is_empty()).map_or_else(|| t(Key::LogUnknownAuthor, &[]), String::from).as_str(),
    );
    let site = el("span", &[("class", "site")], &ctx.site);
    let brand_text = if ctx.brand.is_empty() {
        t(Key::LogNoBrand, &[])
    } else if ctx.term.is_empty() || ctx.term == ctx.brand {
        ctx.brand.clone()
    } else {
        format!("{} · {}", ctx.brand, ctx.term)
    };
    let brand = el("span", &[("class", "brand")], &brand_text);
    let (key, args) = escucha_core::card::Attribution::of(&c.created_by, f.member).label();
    let member = el("span", &[("class", "member")], &t(key, &args.iter().map(String::as_str).collect::<Vec<_>>()));
    let meta = append(el("div", &[("class", "meta")], ""), &[&when, &author, &site, &brand, &member]);
    if let Some(due) = crate::pages::due_lines::span(c) {
        meta.append_child(&due).ok(); // sla13
    }
    let comment = el("p", &[("class", "comment"), ("title", &ctx.comment_text)], &ctx.comment_text);

    let sentiment = enum_select(
        "sentiment",
        Facet::Sentiment.label(),
        &Sentiment::ALL.map(|s| (s.as_str(), t(Key::sentiment(s), &[]))),
        c.sentiment.value.as_str(),
    );
    let status =
        enum_select("status", Facet::Status.label(), &Status::ALL.map(|s| (s.as_str(), t(Key::status(s), &[]))), c.status.value.as_str());
    let priority = enum_select(
        "priority",
        Facet::Priority.label(),
        &Priority::ALL.map(|s| (s.as_str(), t(Key::priority(s), &[]))),
        c.priority.value.as_str(),
    );
    let mut depts: Vec<(String, String)> = vec![(String::new(), t(Key::LogNoDepartment, &[]))];
    depts.extend(f.departments.iter().map(|d| (d.clone(), crate::words::department(d))));
    if let Some(d) = &c.department.value {
        if !f.departments.contains(d) {
            depts.push((d.clone(), crate::words::department(d)));
        }
    }
    let department = select(
        &[("data-field", "department"), ("aria-label", &t(Key::LogFilterDepartment, &[]))],
        &depts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>(),
    );
    department.set_value(c.department.value.as_deref().unwrap_or(""));
    let tags = el(
        "input",
        &[("type", "text"), ("data-field", "tags"), ("placeholder", &t(Key::LogTags, &[])), ("aria-label", &t(Key::LogTags, &[]))],
        "",
    );
    tags.unchecked_ref::<HtmlInputElement>().set_value(&c.tags.values().join(", "));
    // wsui12: the note is the comment thread: this box shows its latest word
    // and posts what is typed as a new comment (the thread is in Details).
    let note = el(
        "input",
        &[
            ("type", "text"),
            ("data-field", "note"),
            ("placeholder", &t(Key::WsAddComment, &[])),
            ("aria-label", &t(Key::WsAddComment, &[])),
        ],
        "",
    );
    note.unchecked_ref::<HtmlInputElement>().set_value(&latest_comment(c));
    let assignee = assignee_select(c, f.members);
    let details = el(
        "button",
        &[("type", "button"), ("data-action", "details"), ("title", &t(Key::WsDetails, &[])), ("aria-label", &t(Key::WsDetails, &[]))],
        "\u{2026}",
    );
    let open = el(
        "button",
        &[("type", "button"), ("data-action", "open"), ("title", &t(Key::LogOpen, &[])), ("aria-label", &t(Key::LogOpen, &[]))],
        "↗",
    );
    if escucha_core::log::links::comment_link(ctx).is_none() {
        open.set_attribute("disabled", "").ok();
        open.set_attribute("title", &t(Key::LogNoLink, &[])).ok();
        open.set_attribute("aria-label", &t(Key::LogNoLink, &[])).ok();
    }
    let delete = el(
        "button",
        &[
            ("type", "button"),
            ("data-action", "delete"),
            ("title", &t(Key::LogDelete, &[])),
            ("aria-label", &t(Key::LogDelete, &[])),
            ("class", "danger"),
        ],
        "✕",
    );
    let edit = append(
        el("div", &[("class", "edit")], ""),
        &[&sentiment, &department, &assignee, &status, &priority, &tags, &note, &details, &open, &delete],
    );
    append(r, &[&meta, &comment, &edit])
}

fn enum_select(field: &str, label: Key, options: &[(&str, String)], value: &str) -> HtmlSelectElement {
    let s = select(
        &[("data-field", field), ("aria-label", &t(label, &[]))],
        &options.iter().map(|(a, b)| (*a, b.as_str())).collect::<Vec<_>>(),
    );
    s.set_value(value);
    s
}

/// Replace the rendered rows.
pub fn render_rows(ui: &Ui, rows: &[HtmlElement]) {
    let refs: Vec<&Element> = rows.iter().map(|r| r.as_ref()).collect();
    dom::replace_children(&ui.spacer, &refs);
}

/// The text of a capture's latest visible comment ("" when none).
pub fn latest_comment(c: &Capture) -> String {
    c.comments.visible().last().map(|k| k.text.value.clone()).unwrap_or_default()
}

/// A capture's assignee menu (`data-field="assignee"`).
pub fn assignee_select(c: &Capture, members: &[String]) -> HtmlSelectElement {
    let current = c.assignee.value.as_deref();
    let options: Vec<(String, String)> =
        assignee_options(members, current).into_iter().map(|(v, name)| (v, name.unwrap_or_else(|| t(Key::WsUnassigned, &[])))).collect();
    let s = select(
        &[("data-field", "assignee"), ("aria-label", &t(Key::WsAssignee, &[]))],
        &options.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>(),
    );
    s.set_value(current.unwrap_or(""));
    s
}
