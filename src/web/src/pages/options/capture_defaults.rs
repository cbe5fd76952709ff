//! The *Capture defaults* section: the tags a new capture starts with.

use super::*;

/// Everything the page edits, validated. Errors are already localized.
/// Put the stored defaults into the widgets; the department suggestions are the team's departments.
pub(super) fn show_defaults(d: &view::DefaultsUi, tags: &escucha_core::log::Tags, departments: &[String]) {
    d.sentiment.set_value(tags.sentiment.as_str());
    d.status.set_value(tags.status.as_str());
    d.priority.set_value(tags.priority.as_str());
    d.department.set_value(&tags.department.as_deref().map(words::department).unwrap_or_default());
    d.tags.set_value(&tags.tags.join(", "));
    if let Some(list) = dom::document().get_element_by_id("default-department-choices") {
        list.set_text_content(None);
        for dep in departments {
            list.append_child(&dom::el("option", &[("value", &words::department(dep))], "")).ok();
        }
    }
}

/// The defaults as the widgets hold them (checked against the departments by `Settings::validate`).
pub(super) fn read_defaults(d: &view::DefaultsUi) -> escucha_core::log::Tags {
    use escucha_core::log::{Priority, Sentiment, Status, Tags};
    let department = escucha_core::settings::canonical_department(&d.department.value());
    Tags {
        sentiment: Sentiment::ALL.into_iter().find(|v| v.as_str() == d.sentiment.value()).unwrap_or_default(),
        status: Status::ALL.into_iter().find(|v| v.as_str() == d.status.value()).unwrap_or_default(),
        priority: Priority::ALL.into_iter().find(|v| v.as_str() == d.priority.value()).unwrap_or_default(),
        department: (!department.is_empty()).then_some(department),
        tags: escucha_core::log::record::normalize_tags(&d.tags.value().split(',').map(String::from).collect::<Vec<_>>()),
        note: String::new(),
    }
}
