//! Saved views: a member's named filters and sort, kept on the server per
//! member (a department head opens the queue from several machines, so
//! `localStorage` would strand them on one) and reopened in one click.
//! `GET`/`POST /api/v1/views`, `DELETE /api/v1/views/{name}`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::view::Filters;
use crate::log::query::SortKey;
use crate::log::validate::{is_bidi_control, is_forbidden_control};
use crate::sync::validate::parse_strict;

/// The longest view name, in characters.
pub const MAX_VIEW_NAME_CHARS: usize = 60;
/// The most views one member keeps.
pub const MAX_VIEWS_PER_MEMBER: usize = 50;
/// The longest value of one filter control (the search box included).
pub const MAX_FILTER_CHARS: usize = 500;

/// One saved view.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedView {
    pub name: String,
    pub filters: Filters,
    #[serde(default)]
    pub sort: SortKey,
    #[serde(default)]
    pub descending: bool,
}

/// `GET /api/v1/views` (and the answer of every change): by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedViews {
    pub views: Vec<SavedView>,
}

/// Why a name is not a view name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewNameProblem {
    Empty,
    TooLong { chars: usize, max: usize },
    ControlCharacter,
}

impl std::fmt::Display for ViewNameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ViewNameProblem::Empty => write!(f, "name: a view needs a name"),
            ViewNameProblem::TooLong { chars, max } => write!(f, "name: {chars} characters; at most {max}"),
            ViewNameProblem::ControlCharacter => write!(f, "name: contains control characters"),
        }
    }
}

/// The name as stored (trimmed), or why it cannot be one.
pub fn view_name(raw: &str) -> Result<String, ViewNameProblem> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ViewNameProblem::Empty);
    }
    let chars = name.chars().count();
    if chars > MAX_VIEW_NAME_CHARS {
        return Err(ViewNameProblem::TooLong { chars, max: MAX_VIEW_NAME_CHARS });
    }
    if name.chars().any(|c| c.is_control() || is_forbidden_control(c) || is_bidi_control(c)) {
        return Err(ViewNameProblem::ControlCharacter);
    }
    Ok(name.to_string())
}

/// A view as the server stores it: known fields only, a good name, filter
/// values of sane length, and filters that make a query (a bad date is
/// refused now, not when the view is opened).
pub fn parse_view(value: &Value) -> Result<SavedView, String> {
    let mut view: SavedView = parse_strict(value)?;
    view.name = view_name(&view.name).map_err(|e| e.to_string())?;
    let f = &view.filters;
    let fields = [
        ("text", &f.text),
        ("brand", &f.brand),
        ("sentiment", &f.sentiment),
        ("department", &f.department),
        ("status", &f.status),
        ("site", &f.site),
        ("member", &f.member),
        ("assignee", &f.assignee),
        ("from", &f.from),
        ("to", &f.to),
    ];
    for (name, v) in fields {
        let chars = v.chars().count();
        if chars > MAX_FILTER_CHARS {
            return Err(format!("filters.{name}: {chars} characters; at most {MAX_FILTER_CHARS}"));
        }
        if v.chars().any(|c| is_forbidden_control(c) || (c.is_control() && c != ' ')) {
            return Err(format!("filters.{name}: contains control characters"));
        }
    }
    f.to_query(0).map_err(|_| "filters: from and to must be days written YYYY-MM-DD".to_string())?;
    Ok(view)
}

/// `/api/v1/views/{name}` with the name percent-encoded.
pub fn view_path(name: &str) -> String {
    let mut out = String::from("/api/v1/views/");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_trimmed_and_checked() {
        let cases: Vec<(&str, Result<&str, ViewNameProblem>)> = vec![
            ("  Urgentes de Soporte ", Ok("Urgentes de Soporte")),
            ("", Err(ViewNameProblem::Empty)),
            ("   ", Err(ViewNameProblem::Empty)),
            ("a\nb", Err(ViewNameProblem::ControlCharacter)),
            ("a\u{202e}b", Err(ViewNameProblem::ControlCharacter)),
        ];
        for (raw, want) in cases {
            assert_eq!(view_name(raw), want.map(String::from), "{raw:?}");
        }
        let long = "ñ".repeat(MAX_VIEW_NAME_CHARS + 1);
        assert_eq!(view_name(&long), Err(ViewNameProblem::TooLong { chars: 61, max: 60 }));
        assert!(view_name(&"ñ".repeat(MAX_VIEW_NAME_CHARS)).is_ok());
    }

    #[test]
    fn a_view_round_trips_and_bad_ones_name_their_field() {
        let v = json!({"name": " Mías ", "filters": {"status": "v:needsResponse", "from": "2024-05-01"}, "sort": "priority", "descending": true});
        let view = parse_view(&v).unwrap();
        assert_eq!(view.name, "Mías");
        assert_eq!((view.sort, view.descending), (SortKey::Priority, true));
        assert_eq!(view.filters.status, "v:needsResponse");
        assert_eq!(parse_view(&serde_json::to_value(&view).unwrap()).unwrap(), view);
        let cases = [
            (json!({"name": "x", "filters": {}, "colour": 1}), "unknown field"),
            (json!({"name": "", "filters": {}}), "name: a view needs a name"),
            (json!({"name": "x", "filters": {"from": "ayer"}}), "filters: from and to"),
            (json!({"name": "x", "filters": {"text": "a".repeat(501)}}), "filters.text: 501"),
            (json!({"name": "x", "filters": {"brand": "a\u{0}"}}), "filters.brand: contains control"),
            (json!({"name": "x", "filters": {}, "sort": "colour"}), "sort:"),
        ];
        for (v, want) in cases {
            let err = parse_view(&v).unwrap_err();
            assert!(err.contains(want), "{v}: {err}");
        }
    }

    #[test]
    fn view_paths_encode_the_name() {
        assert_eq!(view_path("Mías / hoy"), "/api/v1/views/M%C3%ADas%20%2F%20hoy");
    }
}
