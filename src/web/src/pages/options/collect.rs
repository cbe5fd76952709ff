//! Everything the page edits, gathered and validated before a save.

use super::*;
use escucha_core::i18n::Words;

pub(super) fn collect(app: &App) -> Result<(BrandList, Vec<String>, Vec<String>), Vec<UiError>> {
    let list = current_list(app);
    let mut errs = brand_errors(app, &list);

    let (deny, deny_lines) = model::split_trimmed(&app.ui.deny.value());
    let rules = SiteRules { deny: deny.clone(), disabled_sites: vec![] };
    if let Err(site_errs) = rules.validate() {
        errs.extend(errors::site_errors(&site_errs, &deny_lines));
    }

    let (departments, dep_lines) = model::split_trimmed(&app.ui.departments.value());
    // Stored by id: a default department typed in any language is one department.
    let departments: Vec<String> = departments.iter().map(|d| escucha_core::settings::canonical_department(d)).collect();
    if departments.is_empty() {
        errs.push(UiError { message: Key::ErrDepartmentsEmpty.into(), field: "departments".into(), line: None });
    }
    let mut seen = std::collections::HashSet::new();
    for (d, line) in departments.iter().zip(&dep_lines) {
        if !seen.insert(d.to_lowercase()) {
            errs.push(UiError {
                message: Words::new(Key::ErrDepartmentDuplicate).text(errors::short(d)),
                field: "departments".into(),
                line: Some(*line),
            });
        }
    }
    let defaults = read_defaults(&app.ui.defaults);
    if let Some(dep) = &defaults.department {
        if !departments.iter().any(|d| d.eq_ignore_ascii_case(dep)) {
            errs.push(UiError {
                message: Words::new(Key::ErrDefaultDepartmentUnknown).text(errors::short(dep)),
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
