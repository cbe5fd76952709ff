//! The log page's model: what it shows, decided without touching the DOM: labels for
//! the record's enums, which rows a scroll position shows, what the filter
//! controls mean as a [`Query`].

use crate::i18n::Key;
use crate::log::dates::{day_start_ms, parse_day};
use crate::log::query::{DateField, Facets, Query, SortKey};
use crate::log::{Capture, Priority, Sentiment, Status};
use crate::pages::workspace::{quick_counts, Me, QuickCount, QuickView};

/// Every row is this tall (CSS `.row` matches): fixed heights are what make
/// the list virtual — the row under any scroll offset is one division away.
pub const ROW_HEIGHT: f64 = 112.0;

/// Rows rendered above and below the visible ones, so a fast scroll does not
/// show blank space before the next frame.
pub const OVERSCAN: u32 = 6;

/// The rows `[first, last)` to render for a viewport scrolled to `scroll_top`.
pub fn visible_range(scroll_top: f64, viewport_height: f64, total: u32) -> (u32, u32) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as u32;
    let shown = (viewport_height.max(0.0) / ROW_HEIGHT).ceil() as u32 + 1;
    let first = first.saturating_sub(OVERSCAN).min(total);
    let last = (first + shown + 2 * OVERSCAN).min(total);
    (first, last)
}

/// The sort choices, in menu order.
pub const SORTS: [(SortKey, Key); 11] = [
    (SortKey::Created, Key::LogSortCreated),
    (SortKey::CommentTime, Key::LogSortComment),
    (SortKey::Modified, Key::LogSortModified),
    (SortKey::Brand, Key::LogFilterBrand),
    (SortKey::Site, Key::LogFilterSite),
    (SortKey::Author, Key::LogSortAuthor),
    (SortKey::Member, Key::LogFilterMember),
    (SortKey::Sentiment, Key::LogFilterSentiment),
    (SortKey::Department, Key::LogFilterDepartment),
    (SortKey::Status, Key::LogFilterStatus),
    (SortKey::Priority, Key::LogFilterPriority),
];

/// A facet filter control: which facet (the server query's own type), and
/// what its options stand for.
pub use crate::log::query_api::Facet;

impl Facet {
    pub fn name(self) -> &'static str {
        match self {
            Facet::Brand => "brand",
            Facet::Sentiment => "sentiment",
            Facet::Department => "department",
            Facet::Status => "status",
            Facet::Priority => "priority",
            Facet::Site => "site",
            Facet::Member => "member",
            Facet::Assignee => "assignee",
        }
    }

    pub fn label(self) -> Key {
        match self {
            Facet::Brand => Key::LogFilterBrand,
            Facet::Sentiment => Key::LogFilterSentiment,
            Facet::Department => Key::LogFilterDepartment,
            Facet::Status => Key::LogFilterStatus,
            Facet::Priority => Key::LogFilterPriority,
            Facet::Site => Key::LogFilterSite,
            Facet::Member => Key::LogFilterMember,
            Facet::Assignee => Key::LogFilterAssignee,
        }
    }
}

/// One option of a facet control: the value it selects and its count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetValue {
    Text(String),
    /// Brand "" (a "Log selection" capture) or no department.
    None,
    Sentiment(Sentiment),
    Status(Status),
    Priority(Priority),
}

/// A facet's options as the query counted them (values with no records
/// are left out, except the one currently selected).
pub fn facet_options(facets: &Facets, facet: Facet) -> Vec<(FacetValue, u32)> {
    let text = |v: &[(String, u32)]| -> Vec<(FacetValue, u32)> {
        v.iter().map(|(s, n)| (if s.is_empty() { FacetValue::None } else { FacetValue::Text(s.clone()) }, *n)).collect()
    };
    match facet {
        Facet::Brand => text(&facets.brands),
        Facet::Site => text(&facets.sites),
        Facet::Member => text(&facets.members),
        Facet::Department => facets.departments.iter().map(|(d, n)| (d.clone().map_or(FacetValue::None, FacetValue::Text), *n)).collect(),
        Facet::Assignee => facets.assignees.iter().map(|(d, n)| (d.clone().map_or(FacetValue::None, FacetValue::Text), *n)).collect(),
        Facet::Sentiment => facets.sentiments.iter().map(|(s, n)| (FacetValue::Sentiment(*s), *n)).collect(),
        Facet::Status => facets.statuses.iter().map(|(s, n)| (FacetValue::Status(*s), *n)).collect(),
        Facet::Priority => facets.priorities.iter().map(|(s, n)| (FacetValue::Priority(*s), *n)).collect(),
    }
}

/// Set `facet`'s filter in `q` to `value` (`None`: any).
pub fn set_facet(q: &mut Query, facet: Facet, value: Option<&FacetValue>) {
    let text = |v: Option<&FacetValue>| -> Vec<String> {
        match v {
            Some(FacetValue::Text(s)) => vec![s.clone()],
            Some(FacetValue::None) => vec![String::new()],
            _ => vec![],
        }
    };
    match facet {
        Facet::Brand => q.brands = text(value),
        Facet::Site => q.sites = text(value),
        Facet::Member => q.members = text(value),
        Facet::Department => {
            q.departments = match value {
                Some(FacetValue::Text(s)) => vec![Some(s.clone())],
                Some(FacetValue::None) => vec![None],
                _ => vec![],
            }
        }
        Facet::Assignee => {
            q.assignees = match value {
                Some(FacetValue::Text(s)) => vec![Some(s.clone())],
                Some(FacetValue::None) => vec![None],
                _ => vec![],
            }
        }
        Facet::Sentiment => {
            q.sentiments = match value {
                Some(FacetValue::Sentiment(s)) => vec![*s],
                _ => vec![],
            }
        }
        Facet::Status => {
            q.statuses = match value {
                Some(FacetValue::Status(s)) => vec![*s],
                _ => vec![],
            }
        }
        Facet::Priority => {
            q.priorities = match value {
                Some(FacetValue::Priority(s)) => vec![*s],
                _ => vec![],
            }
        }
    }
}

/// The value currently selected for `facet` in `q`, if one.
pub fn selected(q: &Query, facet: Facet) -> Option<FacetValue> {
    let text = |v: &[String]| v.first().map(|s| if s.is_empty() { FacetValue::None } else { FacetValue::Text(s.clone()) });
    match facet {
        Facet::Brand => text(&q.brands),
        Facet::Site => text(&q.sites),
        Facet::Member => text(&q.members),
        Facet::Department => q.departments.first().map(|d| d.clone().map_or(FacetValue::None, FacetValue::Text)),
        Facet::Assignee => q.assignees.first().map(|d| d.clone().map_or(FacetValue::None, FacetValue::Text)),
        Facet::Sentiment => q.sentiments.first().map(|s| FacetValue::Sentiment(*s)),
        Facet::Status => q.statuses.first().map(|s| FacetValue::Status(*s)),
        Facet::Priority => q.priorities.first().map(|s| FacetValue::Priority(*s)),
    }
}

/// The date inputs (`YYYY-MM-DD`, inclusive both ends, the user's days) as
/// the query's `[from, to)` in UTC milliseconds. Unparsable input is no bound.
pub fn set_dates(q: &mut Query, field: DateField, from: &str, to: &str, tz_offset_min: i32) {
    q.date_field = field;
    q.from_ms = parse_day(from).map(|d| day_start_ms(d, tz_offset_min));
    q.to_ms = parse_day(to).map(|d| day_start_ms(d + 1, tz_offset_min));
}

/// Tags as typed in the row's box: comma-separated.
pub fn parse_tags(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
}

/// A quick view ("Mine", "Unassigned", "My department") over a query's
/// rows: the rows it keeps, and every view's count over the query's rows
/// (what clicking that chip would show with the other filters as they are).
/// `None` keeps every row.
pub fn apply_quick_view(captures: &[Capture], rows: &[u32], view: Option<QuickView>, me: &Me) -> (Vec<u32>, Vec<QuickCount>) {
    let counts = quick_counts(rows.iter().map(|&i| &captures[i as usize]), me);
    let kept = match view {
        Some(v) if v.available(me) => rows.iter().copied().filter(|&i| v.includes(&captures[i as usize], me)).collect(),
        Some(_) => Vec::new(),
        None => rows.to_vec(),
    };
    (kept, counts)
}

/// The view the page opens with: `?view=mine` (the popup's chips link here).
pub fn view_from_search(search: &str) -> Option<QuickView> {
    search.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("view=")).and_then(QuickView::parse)
}

/// `escucha-log-2024-05-01.csv`.
pub fn export_file_name(today: &str, extension: &str) -> String {
    format!("escucha-log-{today}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_range_covers_the_viewport_plus_overscan() {
        let cases = [
            // (scroll_top, viewport, total) -> range
            (0.0, 560.0, 50_000, (0, 18)),
            (ROW_HEIGHT * 1000.0, 560.0, 50_000, (994, 1012)),
            (ROW_HEIGHT * 49_999.0, 560.0, 50_000, (49_993, 50_000)),
            (0.0, 560.0, 3, (0, 3)),
            (0.0, 560.0, 0, (0, 0)),
            (-40.0, 0.0, 10, (0, 10.min(2 + 2 * OVERSCAN))),
        ];
        for (top, h, total, want) in cases {
            assert_eq!(visible_range(top, h, total), want, "{top} {h} {total}");
        }
    }

    #[test]
    fn facet_choices_round_trip_through_the_query() {
        let mut q = Query::default();
        let values = [
            (Facet::Brand, FacetValue::Text("Telefónica".into())),
            (Facet::Brand, FacetValue::None),
            (Facet::Department, FacetValue::None),
            (Facet::Department, FacetValue::Text("PR".into())),
            (Facet::Sentiment, FacetValue::Sentiment(Sentiment::Negative)),
            (Facet::Status, FacetValue::Status(Status::Closed)),
            (Facet::Priority, FacetValue::Priority(Priority::Urgent)),
            (Facet::Site, FacetValue::Text("x.example".into())),
            (Facet::Member, FacetValue::Text("ana".into())),
        ];
        for (facet, value) in values {
            set_facet(&mut q, facet, Some(&value));
            assert_eq!(selected(&q, facet), Some(value.clone()), "{facet:?}");
            set_facet(&mut q, facet, None);
            assert_eq!(selected(&q, facet), None);
        }
        assert_eq!(q, Query::default());
    }

    #[test]
    fn quick_views_filter_the_rows_the_query_left() {
        use crate::log::{CaptureContext, CaptureEdit, Stamp, Tags};
        let make = |id: &str, to: Option<&str>, dept: Option<&str>| {
            let mut c =
                Capture::new(id.into(), CaptureContext::default(), &Tags::default(), "bo", Stamp { ms: 1, counter: 0, actor: "d".into() });
            let e = CaptureEdit { assignee: Some(to.map(String::from)), department: Some(dept.map(String::from)), ..Default::default() };
            c.apply(&e, &Stamp { ms: 2, counter: 0, actor: "d".into() }, "bo").unwrap();
            c
        };
        let captures = vec![
            make("a", Some("ana"), Some("PR")),
            make("b", None, Some("PR")),
            make("c", Some("bo"), None),
            make("d", Some("ana"), None),
        ];
        let me = Me { member: "ana", department: Some("PR") };
        // The query left rows 3, 1, 0 (in its order); c was filtered out.
        let rows = [3, 1, 0];
        let cases: [(Option<QuickView>, &[u32], [u32; 3]); 4] = [
            (None, &[3, 1, 0], [2, 1, 2]),
            (Some(QuickView::Mine), &[3, 0], [2, 1, 2]),
            (Some(QuickView::Unassigned), &[1], [2, 1, 2]),
            (Some(QuickView::MyDepartment), &[1, 0], [2, 1, 2]),
        ];
        for (view, want, counts) in cases {
            let (kept, got) = apply_quick_view(&captures, &rows, view, &me);
            assert_eq!(kept, want, "{view:?}: the query's order is kept");
            assert_eq!(got.iter().map(|q| q.count).collect::<Vec<_>>(), counts);
        }
        let nobody = Me { member: "", department: None };
        assert!(apply_quick_view(&captures, &rows, Some(QuickView::Mine), &nobody).0.is_empty(), "an unavailable view shows nothing");
        let table = [
            ("?view=mine", Some(QuickView::Mine)),
            ("?x=1&view=department", Some(QuickView::MyDepartment)),
            ("", None),
            ("?view=all", None),
        ];
        for (search, want) in table {
            assert_eq!(view_from_search(search), want, "{search}");
        }
    }

    #[test]
    fn date_inputs_are_inclusive_local_days() {
        let mut q = Query::default();
        set_dates(&mut q, DateField::Comment, "2024-05-01", "2024-05-01", 120);
        let start = crate::log::dates::parse_rfc3339("2024-04-30T22:00:00Z");
        assert_eq!((q.from_ms, q.to_ms.map(|t| t - q.from_ms.unwrap())), (start, Some(86_400_000)));
        set_dates(&mut q, DateField::Created, "", "nonsense", 0);
        assert_eq!((q.from_ms, q.to_ms), (None, None));
        assert_eq!(parse_tags(" factura, , urgente ,"), ["factura", "urgente"]);
    }
}
