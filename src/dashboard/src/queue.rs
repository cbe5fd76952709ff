//! The queue's DOM (queue12): sortable headers, the one-click views, the
//! selection and its bulk change, saved views, and the detail pane's
//! history and comments. Every decision is in
//! `escucha_core::dashboard::{queue, bulk, saved_view}`; here we read
//! controls, call the server and build elements (text only, never HTML).

use escucha_core::dashboard::bulk::{bulk_body, BulkEditResponse};
use escucha_core::dashboard::client::Failure;
use escucha_core::dashboard::i18n::{department_label, tr, Lang, Text};
use escucha_core::dashboard::queue::{
    aria_sort, assignee_choices, assignee_filter_options, bulk_outcome, comment_lines, history_lines, may, next_sort, selection_text,
    sort_summary, BulkField, Column, PageTick, QuickView,
};
use escucha_core::dashboard::saved_view::{view_name, view_path, SavedView, SavedViews, ViewNameProblem, MAX_VIEW_NAME_CHARS};
use escucha_core::dashboard::view::{Filters, OptionView};
use escucha_core::log::{Capture, CaptureEdit};
use escucha_core::sync::api::MembersResponse;
use escucha_core::workspace::role::Action;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::api::request;
use crate::app::{format_time, load, local, on, render_counts, render_rows, save_edit, write_filters, Shared};
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};

const DEPARTMENT_KEY: &str = "escucha.dashboard.myDepartment";

/// "My department" is kept in this browser: the server's member record has
/// no department (roles12's members list names and roles only).
pub fn stored_department() -> Option<String> {
    local().and_then(|s| s.get_item(DEPARTMENT_KEY).ok().flatten()).filter(|d| !d.trim().is_empty())
}

fn target(e: &web_sys::Event) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

fn role_may(app: &Shared, action: Action) -> bool {
    may(app.borrow().me.as_ref().and_then(|m| m.role), action)
}

fn member_names(app: &Shared) -> Vec<String> {
    app.borrow().members.iter().map(|m| m.name.clone()).collect()
}

/// Apply new filters as if typed: controls, choices, then a fresh first page.
fn set_filters(app: &Shared, f: Filters) {
    write_filters(&f);
    {
        let mut a = app.borrow_mut();
        a.filters = f;
        a.debounce = None;
    }
    render_counts(app);
    load(app, false);
}

pub fn wire(app: &Shared) {
    for (id, view) in
        [("quick-mine", QuickView::Mine), ("quick-unassigned", QuickView::Unassigned), ("quick-department", QuickView::MyDepartment)]
    {
        let a = app.clone();
        on(id, "click", move |_| {
            let next = {
                let b = a.borrow();
                let me = b.me.as_ref().map(|m| m.member.clone()).unwrap_or_default();
                view.toggle(&b.filters, &me, b.my_department.as_deref())
            };
            match next {
                Some(f) => set_filters(&a, f),
                None => {
                    let lang = a.borrow().lang;
                    set_text("status", Text::MyDepartmentMissing.get(lang));
                    by_id::<HtmlInputElement>("my-department").focus().ok();
                }
            }
        });
    }
    let a = app.clone();
    on("my-department", "change", move |_| {
        let d = escucha_core::settings::canonical_department(&by_id::<HtmlInputElement>("my-department").value());
        if let Some(s) = local() {
            let _ = if d.is_empty() { s.remove_item(DEPARTMENT_KEY) } else { s.set_item(DEPARTMENT_KEY, &d) };
        }
        a.borrow_mut().my_department = (!d.is_empty()).then_some(d);
        render_quick(&a);
    });
    let a = app.clone();
    on("head", "click", move |e| {
        let Some(button) = target(&e).and_then(|t| t.closest("button[data-sort]").ok().flatten()) else { return };
        let Some(col) = button.get_attribute("data-sort").and_then(|i| i.parse::<usize>().ok()).and_then(|i| Column::ALL.get(i).copied())
        else {
            return;
        };
        let Some(key) = col.sort_key() else { return };
        {
            let mut b = a.borrow_mut();
            b.sort = next_sort(b.sort, key);
        }
        load(&a, false);
        render_head(&a);
    });
    let a = app.clone();
    on("head", "change", move |e| {
        let Some(t) = target(&e) else { return };
        if t.id() != "select-page" {
            return;
        }
        let on = t.unchecked_ref::<HtmlInputElement>().checked();
        {
            let mut b = a.borrow_mut();
            let ids: Vec<String> = b.page.as_ref().map(|p| p.items.iter().map(|c| c.id.clone()).collect()).unwrap_or_default();
            b.selection.set_page(ids.iter().map(String::as_str), on);
        }
        render_rows(&a);
    });
    let a = app.clone();
    on("bulk-field", "change", move |_| render_bulk_value(&a));
    let a = app.clone();
    on("bulk-clear", "click", move |_| {
        a.borrow_mut().selection.clear();
        render_rows(&a);
    });
    let a = app.clone();
    on("bulk", "submit", move |e| {
        e.prevent_default();
        apply_bulk(&a);
    });
    let a = app.clone();
    on("view-form", "submit", move |e| {
        e.prevent_default();
        save_view(&a);
    });
    let a = app.clone();
    on("view-list", "click", move |e| {
        let Some(button) = target(&e).and_then(|t| t.closest("button[data-name]").ok().flatten()) else { return };
        let Some(name) = button.get_attribute("data-name") else { return };
        let view = a.borrow().views.iter().find(|v| v.name == name).cloned();
        match (button.get_attribute("data-act").as_deref(), view) {
            (Some("open"), Some(v)) => open_view(&a, v),
            (Some("delete"), Some(_)) => delete_view(&a, name),
            _ => {}
        }
    });
    let a = app.clone();
    on("detail-body", "submit", move |e| {
        e.prevent_default();
        let Some(form) = target(&e) else { return };
        if form.id() != "comment-form" {
            return;
        }
        let Some(id) = form.get_attribute("data-id") else { return };
        let area: HtmlTextAreaElement = by_id("comment-text");
        let text = area.value();
        let lang = a.borrow().lang;
        if text.trim().is_empty() {
            set_text("comment-error", Text::CommentEmpty.get(lang));
            return;
        }
        area.set_value("");
        save_edit(a.clone(), id, CaptureEdit { add_comment: Some(text), ..Default::default() });
    });
}

/// After /me: the role decides the controls; the members and the saved views load.
pub fn signed_in(app: &Shared) {
    let editable = role_may(app, Action::Edit);
    set_hidden("read-only", editable);
    let department = app.borrow().my_department.clone().unwrap_or_default();
    by_id::<HtmlInputElement>("my-department").set_value(&department_label(app.borrow().lang, &department));
    fill_bulk_fields(app);
    let Some(token) = app.borrow().token.clone() else { return };
    let a = app.clone();
    let t = token.clone();
    wasm_bindgen_futures::spawn_local(async move {
        // A server without the members list (older) leaves only the names the log already holds.
        if let Ok(m) = request::<MembersResponse>("GET", "/api/v1/members", Some(&t), None).await {
            a.borrow_mut().members = m.members;
            render_rows(&a);
            render_counts(&a);
            render_bulk_value(&a);
        }
    });
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match request::<SavedViews>("GET", "/api/v1/views", Some(&token), None).await {
            Ok(v) => {
                a.borrow_mut().views = v.views;
                render_views(&a);
            }
            Err(f) => show_failure(&a, &f),
        }
    });
}

fn show_failure(app: &Shared, f: &Failure) {
    let lang = app.borrow().lang;
    set_text("status", &tr(lang, Text::EditFailed, &[&f.message(lang)]));
}

/// The header: a tick-all box for those who may edit, then each column
/// (a button for the sortable ones, `aria-sort` on the sorted one).
pub fn render_head(app: &Shared) {
    let (lang, sort, editable, tick) = {
        let a = app.borrow();
        let ids: Vec<&str> = a.page.as_ref().map(|p| p.items.iter().map(|c| c.id.as_str()).collect()).unwrap_or_default();
        let tick = a.selection.page_tick(ids.iter().copied());
        (a.lang, a.sort, may(a.me.as_ref().and_then(|m| m.role), Action::Edit), (tick, ids.is_empty()))
    };
    let head: Element = by_id("head");
    clear(&head);
    if editable {
        let th = el("th", &[("class", "pick")], "");
        let boxed: HtmlInputElement =
            el("input", &[("type", "checkbox"), ("id", "select-page"), ("aria-label", Text::SelectPage.get(lang))], "").unchecked_into();
        boxed.set_checked(tick.0 == PageTick::All && !tick.1);
        boxed.set_indeterminate(tick.0 == PageTick::Some);
        append(&th, &boxed);
        append(&head, &th);
    }
    for (i, col) in Column::ALL.into_iter().enumerate() {
        let th = el("th", &[("scope", "col")], "");
        match col.sort_key() {
            Some(_) => {
                th.set_attribute("aria-sort", aria_sort(sort, col)).expect("attribute");
                let b = el(
                    "button",
                    &[
                        ("type", "button"),
                        ("class", "sort"),
                        ("data-sort", &i.to_string()),
                        ("title", &tr(lang, Text::SortBy, &[col.label().get(lang)])),
                    ],
                    col.label().get(lang),
                );
                append(&th, &b);
            }
            None => th.set_text_content(Some(col.label().get(lang))),
        }
        append(&head, &th);
    }
    set_text("sort-summary", &sort_summary(lang, sort));
}

/// The assignee filter's choices.
pub fn assignee_options(app: &Shared, filters: &Filters, lang: Lang) -> Vec<OptionView> {
    let counts = app.borrow().counts.as_ref().map(|c| c.facets.assignees.clone()).unwrap_or_default();
    assignee_filter_options(&member_names(app), &counts, &filters.assignee, lang)
}

/// A row's assignee choices.
pub fn assignee_choices_for(members: &[escucha_core::sync::api::MemberInfo], current: &str, lang: Lang) -> Vec<(String, String)> {
    let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
    assignee_choices(&names, current, lang)
}

/// The one-click views: label with the count a click gives, and pressed when on.
pub fn render_quick(app: &Shared) {
    let a = app.borrow();
    let lang = a.lang;
    let me = a.me.as_ref().map(|m| m.member.clone()).unwrap_or_default();
    let dept = a.my_department.as_deref();
    let (assignees, departments) =
        a.counts.as_ref().map(|c| (c.facets.assignees.clone(), c.facets.departments.clone())).unwrap_or_default();
    for (id, view) in
        [("quick-mine", QuickView::Mine), ("quick-unassigned", QuickView::Unassigned), ("quick-department", QuickView::MyDepartment)]
    {
        let label = view.label().get(lang);
        let text = match view.count(&assignees, &departments, &me, dept) {
            Some(n) => format!("{label} ({})", n),
            None => label.to_string(),
        };
        let b: HtmlButtonElement = by_id(id);
        b.set_text_content(Some(&text));
        let _ = b.set_attribute("aria-pressed", if view.is_active(&a.filters, &me, dept) { "true" } else { "false" });
    }
}

fn fill_bulk_fields(app: &Shared) {
    let lang = app.borrow().lang;
    let select: HtmlSelectElement = by_id("bulk-field");
    let current = select.value();
    clear(&select);
    for f in BulkField::ALL {
        append(&select, &el("option", &[("value", f.as_str())], f.label().get(lang)));
    }
    if BulkField::parse(&current).is_some() {
        select.set_value(&current);
    }
    render_bulk_value(app);
}

/// The value control of the bulk bar follows the field: a choice, or a
/// typed department.
fn render_bulk_value(app: &Shared) {
    let lang = app.borrow().lang;
    let field = BulkField::parse(&by_id::<HtmlSelectElement>("bulk-field").value()).unwrap_or(BulkField::Status);
    let typed = field == BulkField::Department;
    set_hidden("bulk-department-label", !typed);
    let select: HtmlSelectElement = by_id("bulk-value");
    let label = select.parent_element().expect("a label");
    label.unchecked_ref::<web_sys::HtmlElement>().set_hidden(typed);
    let current = select.value();
    clear(&select);
    for (v, text) in field.values(&member_names(app), lang) {
        append(&select, &el("option", &[("value", &v)], &text));
    }
    select.set_value(&current);
}

/// The bulk bar shows while something is ticked (and the role may edit).
pub fn render_bulk(app: &Shared) {
    let (lang, n, editable) = {
        let a = app.borrow();
        (a.lang, a.selection.len(), may(a.me.as_ref().and_then(|m| m.role), Action::Edit))
    };
    set_hidden("bulk", !editable || n == 0);
    set_text("selected-count", &selection_text(lang, n));
    if by_id::<HtmlSelectElement>("bulk-field").length() == 0 {
        fill_bulk_fields(app);
    }
    render_head(app);
}

fn apply_bulk(app: &Shared) {
    let (lang, token, ids) = {
        let a = app.borrow();
        (a.lang, a.token.clone(), a.selection.ids())
    };
    let Some(token) = token else { return };
    if ids.is_empty() {
        set_text("status", Text::BulkNothingSelected.get(lang));
        return;
    }
    let field = BulkField::parse(&by_id::<HtmlSelectElement>("bulk-field").value()).unwrap_or(BulkField::Status);
    let value = if field == BulkField::Department {
        by_id::<HtmlInputElement>("bulk-department").value()
    } else {
        by_id::<HtmlSelectElement>("bulk-value").value()
    };
    let Some(edit) = field.edit(&value) else { return };
    let body = bulk_body(&ids, &edit);
    set_text("status", Text::Saving.get(lang));
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match request::<BulkEditResponse>("POST", "/api/v1/captures/bulk-edit", Some(&token), Some(body)).await {
            Ok(r) => {
                set_text("status", &bulk_outcome(lang, &r));
                a.borrow_mut().selection.clear();
                load(&a, true);
            }
            Err(f) => show_failure(&a, &f),
        }
    });
}

/// The saved views: open and delete buttons, by name.
pub fn render_views(app: &Shared) {
    let (lang, views) = {
        let a = app.borrow();
        (a.lang, a.views.clone())
    };
    let list: Element = by_id("view-list");
    clear(&list);
    for v in &views {
        let li = el("li", &[], "");
        append(
            &li,
            &el(
                "button",
                &[("type", "button"), ("data-act", "open"), ("data-name", &v.name), ("title", &tr(lang, Text::OpenView, &[&v.name]))],
                &v.name,
            ),
        );
        append(
            &li,
            &el(
                "button",
                &[
                    ("type", "button"),
                    ("data-act", "delete"),
                    ("data-name", &v.name),
                    ("aria-label", &tr(lang, Text::DeleteView, &[&v.name])),
                ],
                "×",
            ),
        );
        append(&list, &li);
    }
    set_hidden("no-views", !views.is_empty());
}

fn open_view(app: &Shared, v: SavedView) {
    app.borrow_mut().sort = (v.sort, v.descending);
    set_filters(app, v.filters);
    render_head(app);
}

fn save_view(app: &Shared) {
    let (lang, token, filters, sort) = {
        let a = app.borrow();
        (a.lang, a.token.clone(), a.filters.clone(), a.sort)
    };
    let Some(token) = token else { return };
    let input: HtmlInputElement = by_id("view-name");
    let name = match view_name(&input.value()) {
        Ok(n) => n,
        Err(ViewNameProblem::TooLong { .. }) => {
            set_text("status", &tr(lang, Text::ViewNameTooLong, &[&MAX_VIEW_NAME_CHARS.to_string()]));
            return;
        }
        Err(_) => {
            set_text("status", Text::ViewNameEmpty.get(lang));
            return;
        }
    };
    let view = SavedView { name: name.clone(), filters, sort: sort.0, descending: sort.1 };
    let body = serde_json::to_string(&view).expect("a view serializes");
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match request::<SavedViews>("POST", "/api/v1/views", Some(&token), Some(body)).await {
            Ok(v) => {
                a.borrow_mut().views = v.views;
                input.set_value("");
                set_text("status", &tr(lang, Text::ViewSaved, &[&name]));
                render_views(&a);
            }
            Err(f) => show_failure(&a, &f),
        }
    });
}

fn delete_view(app: &Shared, name: String) {
    let Some(token) = app.borrow().token.clone() else { return };
    let a = app.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match request::<SavedViews>("DELETE", &view_path(&name), Some(&token), None).await {
            Ok(v) => {
                a.borrow_mut().views = v.views;
                render_views(&a);
            }
            Err(f) => show_failure(&a, &f),
        }
    });
}

/// Under the detail's fields: the history timeline, the comment thread and,
/// for a role that may comment, the form to add one.
pub fn detail_extras(app: &Shared, body: &Element, c: &Capture, draft: Option<String>) {
    let lang = app.borrow().lang;
    append(body, &el("h3", &[], Text::History.get(lang)));
    let history = history_lines(c, lang);
    if history.is_empty() {
        append(body, &el("p", &[("class", "hint")], Text::NoHistory.get(lang)));
    } else {
        let ol = el("ol", &[("class", "history")], "");
        for line in history {
            let li = el("li", &[], "");
            append(&li, &el("time", &[], &format_time(line.ms as f64, lang, true)));
            append(&li, &el("span", &[], &format!(" · {}", line.text)));
            append(&ol, &li);
        }
        append(body, &ol);
    }
    append(body, &el("h3", &[], Text::Comments.get(lang)));
    let comments = comment_lines(c);
    if comments.is_empty() {
        append(body, &el("p", &[("class", "hint")], Text::NoComments.get(lang)));
    } else {
        let ol = el("ol", &[("class", "comments")], "");
        for k in comments {
            let li = el("li", &[("data-comment", &k.id)], "");
            append(&li, &el("strong", &[], &k.author));
            append(&li, &el("span", &[("class", "hint")], &format!(" · {}", format_time(k.ms as f64, lang, true))));
            append(&li, &el("p", &[("class", "comment-text")], &k.text));
            append(&ol, &li);
        }
        append(body, &ol);
    }
    if role_may(app, Action::Comment) {
        let form = el("form", &[("id", "comment-form"), ("data-id", &c.id)], "");
        append(&form, &el("label", &[("for", "comment-text")], Text::AddComment.get(lang)));
        let area: HtmlTextAreaElement = el("textarea", &[("id", "comment-text"), ("maxlength", "10000")], "").unchecked_into();
        area.set_value(&draft.unwrap_or_default());
        append(&form, &area);
        append(&form, &el("p", &[("id", "comment-error"), ("role", "alert")], ""));
        append(&form, &el("button", &[("type", "submit")], Text::PostComment.get(lang)));
        append(body, &form);
    }
}

/// Re-fill what depends on the language (called on a language switch).
pub fn relabel(app: &Shared) {
    fill_bulk_fields(app);
    render_views(app);
    render_quick(app);
}
