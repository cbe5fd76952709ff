//! Showing problems: each next to its field and in the summary, worded at
//! display time from the core's [`errors`] model; the editor's brand list.

use super::*;

pub(super) fn clear_errors(app: &App) {
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

pub(super) fn show_errors(app: &App, errs: &[UiError]) {
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
                list.append_child(&dom::el("li", &[], &say(&e.message))).ok();
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
        li.append_child(&dom::el("button", &attrs, &say(&e.message))).ok();
        app.ui.summary_list.append_child(&li).ok();
    }
    if errs.len() > SUMMARY_LIMIT {
        let more = (errs.len() - SUMMARY_LIMIT).to_string();
        app.ui.summary_list.append_child(&dom::el("li", &[], &t(Key::OptionsCustomTermsMore, &[&more]))).ok();
    }
    app.ui.summary.remove_attribute("hidden").ok();
}

pub(super) fn not_saved(app: &App, errs: &[UiError]) {
    show_errors(app, errs);
    let first = first_message(errs);
    let text = if errs.len() > 1 {
        t(Key::OptionsNotSavedMore, &[&first, &(errs.len() - 1).to_string()])
    } else {
        t(Key::OptionsNotSaved, &[&first])
    };
    set_status(app, &text, "error");
}

pub(super) struct EditorLocator<'a>(&'a [GroupModel]);

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
pub(super) struct JsonLocator;

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
pub(super) fn current_list(app: &App) -> BrandList {
    flush_terms(app);
    let mut st = app.state.borrow_mut();
    let mut list = BrandList { version: st.version, groups: st.groups.iter().map(|g| g.group.clone()).collect() };
    list.fill_missing_ids();
    for (gm, g) in st.groups.iter_mut().zip(&list.groups) {
        gm.group.id.clone_from(&g.id);
    }
    list
}

pub(super) fn brand_errors(app: &App, list: &BrandList) -> Vec<UiError> {
    match list.validate() {
        Ok(()) => vec![],
        Err(errs) => {
            let st = app.state.borrow();
            let at = EditorLocator(&st.groups);
            errs.iter().map(|e| errors::brand_error(e, Some(list), &at)).collect()
        }
    }
}

pub(super) fn first_message(errs: &[UiError]) -> String {
    errs.first().map(|e| say(&e.message)).unwrap_or_default()
}
