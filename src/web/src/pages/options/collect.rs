//! Everything the page edits, gathered and validated before a save.

use super::*;

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
    // The one validation of the team's parts (the dashboard and the server use it too).
    let defaults = read_defaults(&app.ui.defaults);
    let department_errs = escucha_core::team_config::validate_departments(&departments)
        .into_iter()
        .chain(escucha_core::team_config::validate_defaults(&defaults, &departments));
    for e in department_errs {
        use escucha_core::team_config::ConfigError;
        let (field, line) = match &e {
            ConfigError::DefaultDepartmentUnknown { .. } => ("default-department", None),
            ConfigError::DepartmentBlank { index } | ConfigError::DepartmentDuplicate { index, .. } => {
                ("departments", dep_lines.get(*index).copied())
            }
            _ => ("departments", None),
        };
        errs.push(UiError { message: e.words(None), field: field.into(), line });
    }
    if errs.is_empty() {
        Ok((list, deny, departments))
    } else {
        Err(errs)
    }
}
