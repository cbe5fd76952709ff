//! The queue view's decisions, tested natively: how each column sorts (on
//! the server), the one-click views ("Mine", "Unassigned", "My
//! department") and their counts, the selection a bulk change applies to,
//! and what a bulk change's answer tells the user.

use std::collections::BTreeSet;

use super::bulk::BulkEditResponse;
use super::i18n::{count_text, tr, Lang, Text};
use super::i18n::{department_label, priority_label, sentiment_label, status_label};
use super::view::{choice_value, parse_choice, Choice, Filters, OptionView, NONE_VALUE};
use crate::log::history::EventField;
use crate::log::query::SortKey;
use crate::log::{Capture, CaptureEdit, Priority, Sentiment, Status};
use crate::workspace::role::{Action, Role};

/// The queue table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Date,
    Site,
    Brand,
    Author,
    Comment,
    Sentiment,
    Priority,
    Department,
    Status,
    Assignee,
    Member,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::Date,
        Column::Site,
        Column::Brand,
        Column::Author,
        Column::Comment,
        Column::Sentiment,
        Column::Priority,
        Column::Department,
        Column::Status,
        Column::Assignee,
        Column::Member,
    ];

    pub fn label(self) -> Text {
        match self {
            Column::Date => Text::ColDate,
            Column::Site => Text::Site,
            Column::Brand => Text::Brand,
            Column::Author => Text::ColAuthor,
            Column::Comment => Text::ColComment,
            Column::Sentiment => Text::Sentiment,
            Column::Priority => Text::Priority,
            Column::Department => Text::Department,
            Column::Status => Text::Status,
            Column::Assignee => Text::Assignee,
            Column::Member => Text::Member,
        }
    }

    /// The server's sort for this column; `None`: the column does not sort
    /// (a comment's text has no useful order).
    pub fn sort_key(self) -> Option<SortKey> {
        Some(match self {
            Column::Date => SortKey::Created,
            Column::Site => SortKey::Site,
            Column::Brand => SortKey::Brand,
            Column::Author => SortKey::Author,
            Column::Comment => return None,
            Column::Sentiment => SortKey::Sentiment,
            Column::Priority => SortKey::Priority,
            Column::Department => SortKey::Department,
            Column::Status => SortKey::Status,
            Column::Assignee => return None,
            Column::Member => SortKey::Member,
        })
    }
}

/// A column's first click: times and priority read best newest/highest
/// first, names A to Z.
pub fn default_descending(key: SortKey) -> bool {
    matches!(key, SortKey::Created | SortKey::Modified | SortKey::CommentTime | SortKey::Priority)
}

/// The sort after a click on the header of `key`: the same column flips,
/// another starts in its natural direction.
pub fn next_sort(current: (SortKey, bool), key: SortKey) -> (SortKey, bool) {
    if current.0 == key {
        (key, !current.1)
    } else {
        (key, default_descending(key))
    }
}

/// The header's `aria-sort` for `column` under the current sort.
pub fn aria_sort(current: (SortKey, bool), column: Column) -> &'static str {
    match column.sort_key() {
        Some(k) if k == current.0 => {
            if current.1 {
                "descending"
            } else {
                "ascending"
            }
        }
        _ => "none",
    }
}

/// The line under the table saying how it is sorted ("Oldest first", …).
pub fn sort_summary(lang: Lang, current: (SortKey, bool)) -> String {
    match current {
        (SortKey::Created, true) => Text::SortNewest.get(lang).to_string(),
        (SortKey::Created, false) => Text::SortOldest.get(lang).to_string(),
        (SortKey::Priority, true) => Text::SortPriorityHigh.get(lang).to_string(),
        (SortKey::Priority, false) => Text::SortPriorityLow.get(lang).to_string(),
        (key, descending) => {
            let column = Column::ALL.into_iter().find(|c| c.sort_key() == Some(key)).map_or(Text::ColDate, Column::label);
            let way = if descending { Text::SortDescending } else { Text::SortAscending };
            tr(lang, way, &[column.get(lang)])
        }
    }
}

/// The one-click views above the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickView {
    Mine,
    Unassigned,
    MyDepartment,
}

impl QuickView {
    pub const ALL: [QuickView; 3] = [QuickView::Mine, QuickView::Unassigned, QuickView::MyDepartment];

    pub fn label(self) -> Text {
        match self {
            QuickView::Mine => Text::QuickMine,
            QuickView::Unassigned => Text::QuickUnassigned,
            QuickView::MyDepartment => Text::QuickMyDepartment,
        }
    }

    /// The filter value this view sets (`None`: "My department" for a
    /// member who has none).
    fn value(self, me: &str, my_department: Option<&str>) -> Option<String> {
        match self {
            QuickView::Mine => Some(choice_value(me)),
            QuickView::Unassigned => Some(NONE_VALUE.to_string()),
            QuickView::MyDepartment => my_department.filter(|d| !d.trim().is_empty()).map(choice_value),
        }
    }

    /// Is the view what the filters show now?
    pub fn is_active(self, f: &Filters, me: &str, my_department: Option<&str>) -> bool {
        let Some(v) = self.value(me, my_department) else { return false };
        match self {
            QuickView::Mine | QuickView::Unassigned => f.assignee == v,
            QuickView::MyDepartment => f.department == v,
        }
    }

    /// The filters after a click: the view's filter set (the other filters
    /// kept), or cleared again when it was on. `None`: nothing to do.
    pub fn toggle(self, f: &Filters, me: &str, my_department: Option<&str>) -> Option<Filters> {
        let v = self.value(me, my_department)?;
        let on = self.is_active(f, me, my_department);
        let mut out = f.clone();
        let slot = match self {
            QuickView::Mine | QuickView::Unassigned => &mut out.assignee,
            QuickView::MyDepartment => &mut out.department,
        };
        *slot = if on { String::new() } else { v };
        Some(out)
    }

    /// How many captures the view would show, from the facet counts of the
    /// current filters (each facet is counted without its own filter, so the
    /// number is what a click gives).
    pub fn count(
        self,
        assignees: &[(Option<String>, u32)],
        departments: &[(Option<String>, u32)],
        me: &str,
        my_department: Option<&str>,
    ) -> Option<u32> {
        let find =
            |list: &[(Option<String>, u32)], want: Option<&str>| list.iter().find(|(v, _)| v.as_deref() == want).map_or(0, |(_, n)| *n);
        match self {
            QuickView::Mine => Some(find(assignees, Some(me))),
            QuickView::Unassigned => Some(find(assignees, None)),
            QuickView::MyDepartment => {
                let d = my_department.filter(|d| !d.trim().is_empty())?;
                Some(find(departments, Some(d)))
            }
        }
    }
}

/// Who a filter's assignee choice means, for the query.
pub fn assignee_choice(f: &Filters) -> Vec<Option<String>> {
    match parse_choice(&f.assignee) {
        Choice::Any => Vec::new(),
        Choice::None => vec![None],
        Choice::Value(v) => vec![Some(v)],
    }
}

/// The captures a bulk change applies to: ids of the rows ticked, kept
/// across refreshes for the rows still shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selection {
    ids: BTreeSet<String>,
}

/// The header checkbox: none, some or all of the page's rows ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageTick {
    None,
    Some,
    All,
}

impl Selection {
    pub fn set(&mut self, id: &str, on: bool) {
        if on {
            self.ids.insert(id.to_string());
        } else {
            self.ids.remove(id);
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Tick or untick every row of the page.
    pub fn set_page<'a>(&mut self, page: impl IntoIterator<Item = &'a str>, on: bool) {
        for id in page {
            self.set(id, on);
        }
    }

    /// Keep only rows still on the page (a refresh or a new filter):
    /// a change must never reach a capture the user no longer sees.
    pub fn retain_shown<'a>(&mut self, page: impl IntoIterator<Item = &'a str>) {
        let shown: BTreeSet<&str> = page.into_iter().collect();
        self.ids.retain(|id| shown.contains(id.as_str()));
    }

    pub fn page_tick<'a>(&self, page: impl IntoIterator<Item = &'a str>) -> PageTick {
        let (mut on, mut all) = (0, 0);
        for id in page {
            all += 1;
            on += usize::from(self.ids.contains(id));
        }
        match on {
            0 => PageTick::None,
            n if n == all => PageTick::All,
            _ => PageTick::Some,
        }
    }

    pub fn ids(&self) -> Vec<String> {
        self.ids.iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn clear(&mut self) {
        self.ids.clear();
    }
}

/// "3 selected" in the user's language.
pub fn selection_text(lang: Lang, n: usize) -> String {
    tr(lang, count_text(lang, n as u64, Text::SelectedOne, Text::SelectedMany), &[&n.to_string()])
}

/// What a bulk change did, for the status line: how many changed and, if
/// some were refused, the first reason (worded at display time).
pub fn bulk_outcome(lang: Lang, r: &BulkEditResponse) -> String {
    let (ok, refused) = r.tally();
    if refused == 0 {
        return tr(lang, count_text(lang, ok as u64, Text::BulkDoneOne, Text::BulkDone), &[&ok.to_string()]);
    }
    let why = r
        .results
        .iter()
        .find_map(|i| i.error.as_ref())
        .map(|e| super::i18n::server_error_label(lang, e.code).to_string())
        .unwrap_or_default();
    tr(lang, Text::BulkPartial, &[&ok.to_string(), &refused.to_string(), &why])
}

/// The assignee filter's choices: any, unassigned, then every member (and
/// anyone else the counts name, e.g. a removed member), with counts when
/// the server gave them; the current choice is always kept.
pub fn assignee_filter_options(members: &[String], counts: &[(Option<String>, u32)], current: &str, lang: Lang) -> Vec<OptionView> {
    let count = |who: Option<&str>| counts.iter().find(|(v, _)| v.as_deref() == who).map(|(_, n)| *n);
    let mut out = vec![
        OptionView { value: String::new(), label: Text::Any.get(lang).into(), count: None },
        OptionView { value: NONE_VALUE.into(), label: Text::Unassigned.get(lang).into(), count: count(None) },
    ];
    let mut names: Vec<String> = members.to_vec();
    names.extend(counts.iter().filter_map(|(v, _)| v.clone()));
    if let Choice::Value(v) = parse_choice(current) {
        names.push(v);
    }
    let mut seen = BTreeSet::new();
    for name in names {
        if seen.insert(name.clone()) {
            let n = count(Some(&name)).unwrap_or(0);
            out.push(OptionView { value: choice_value(&name), label: name, count: Some(n) });
        }
    }
    out
}

/// A row's assignee `<select>`: "Unassigned" (value ""), then the members;
/// the current assignee is kept even if no longer a member.
pub fn assignee_choices(members: &[String], current: &str, lang: Lang) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), Text::Unassigned.get(lang).to_string())];
    for m in members.iter().map(String::as_str).chain((!current.is_empty()).then_some(current)) {
        if !out.iter().any(|(v, _)| v == m) {
            out.push((m.to_string(), m.to_string()));
        }
    }
    out
}

/// What a bulk change sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkField {
    Status,
    Assignee,
    Department,
    Priority,
}

impl BulkField {
    pub const ALL: [BulkField; 4] = [BulkField::Status, BulkField::Assignee, BulkField::Department, BulkField::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            BulkField::Status => "status",
            BulkField::Assignee => "assignee",
            BulkField::Department => "department",
            BulkField::Priority => "priority",
        }
    }

    pub fn parse(s: &str) -> Option<BulkField> {
        BulkField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            BulkField::Status => Text::Status,
            BulkField::Assignee => Text::Assignee,
            BulkField::Department => Text::Department,
            BulkField::Priority => Text::Priority,
        }
    }

    /// The choices of the value `<select>` (the department is typed instead).
    pub fn values(self, members: &[String], lang: Lang) -> Vec<(String, String)> {
        match self {
            BulkField::Status => Status::ALL.iter().map(|s| (s.as_str().to_string(), status_label(lang, *s).to_string())).collect(),
            BulkField::Priority => Priority::ALL.iter().map(|p| (p.as_str().to_string(), priority_label(lang, *p).to_string())).collect(),
            BulkField::Assignee => assignee_choices(members, "", lang),
            BulkField::Department => Vec::new(),
        }
    }

    /// The edit a bulk change with `value` makes; `None` for a value the
    /// field does not take. An empty department or assignee clears it.
    pub fn edit(self, value: &str) -> Option<CaptureEdit> {
        let value = value.trim();
        Some(match self {
            BulkField::Status => CaptureEdit { status: Some(Status::ALL.into_iter().find(|s| s.as_str() == value)?), ..Default::default() },
            BulkField::Priority => {
                CaptureEdit { priority: Some(Priority::ALL.into_iter().find(|p| p.as_str() == value)?), ..Default::default() }
            }
            BulkField::Assignee => CaptureEdit { assignee: Some((!value.is_empty()).then(|| value.to_string())), ..Default::default() },
            BulkField::Department => {
                let d = crate::settings::canonical_department(value);
                CaptureEdit { department: Some((!d.is_empty()).then_some(d)), ..Default::default() }
            }
        })
    }
}

/// Whether the signed-in member's role lets them do `action`. An older
/// server that sends no role leaves the controls on: its own refusal is the
/// rule either way, and hiding them would guess a role.
pub fn may(role: Option<Role>, action: Action) -> bool {
    role.is_none_or(|r| r.allows(action))
}

/// One line of a capture's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub ms: i64,
    pub text: String,
}

/// An event's value as the reader says it (a status in their language, an
/// empty value as "(none)").
fn event_value(lang: Lang, field: EventField, v: &str) -> String {
    if v.trim().is_empty() {
        return Text::NoValue.get(lang).to_string();
    }
    let label = match field {
        EventField::Status => Status::ALL.into_iter().find(|s| s.as_str() == v).map(|s| status_label(lang, s)),
        EventField::Priority => Priority::ALL.into_iter().find(|p| p.as_str() == v).map(|p| priority_label(lang, p)),
        EventField::Sentiment => Sentiment::ALL.into_iter().find(|s| s.as_str() == v).map(|s| sentiment_label(lang, s)),
        EventField::Department => return department_label(lang, v),
        EventField::Assignee => None,
    };
    label.map_or_else(|| v.to_string(), str::to_string)
}

fn field_label(field: EventField) -> Text {
    match field {
        EventField::Status => Text::Status,
        EventField::Department => Text::Department,
        EventField::Assignee => Text::Assignee,
        EventField::Priority => Text::Priority,
        EventField::Sentiment => Text::Sentiment,
    }
}

/// The capture's history, oldest first: "ana changed Status from “New” to “Closed”".
pub fn history_lines(c: &Capture, lang: Lang) -> Vec<HistoryLine> {
    c.history
        .events()
        .into_iter()
        .map(|e| HistoryLine {
            ms: e.ms,
            text: tr(
                lang,
                Text::HistoryEntry,
                &[
                    &e.member,
                    &field_label(e.field).get(lang).to_lowercase(),
                    &event_value(lang, e.field, &e.from),
                    &event_value(lang, e.field, &e.to),
                ],
            ),
        })
        .collect()
}

/// One comment of the thread, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentLine {
    pub id: String,
    pub author: String,
    pub ms: i64,
    pub text: String,
}

/// The visible comments, oldest first.
pub fn comment_lines(c: &Capture) -> Vec<CommentLine> {
    c.comments
        .visible()
        .into_iter()
        .map(|k| CommentLine { id: k.id.clone(), author: k.author.clone(), ms: k.created_ms, text: k.text.value.clone() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::bulk::BulkItem;
    use crate::sync::api::{ApiError, ErrorCode};

    #[test]
    fn headers_sort_on_the_server_and_flip_on_a_second_click() {
        let start = (SortKey::Created, true);
        let cases = [
            (start, SortKey::Created, (SortKey::Created, false)), // age: oldest first
            ((SortKey::Created, false), SortKey::Created, (SortKey::Created, true)),
            (start, SortKey::Priority, (SortKey::Priority, true)), // urgent first
            ((SortKey::Priority, true), SortKey::Priority, (SortKey::Priority, false)),
            (start, SortKey::Brand, (SortKey::Brand, false)), // A to Z
            ((SortKey::Brand, false), SortKey::Status, (SortKey::Status, false)),
        ];
        for (cur, key, want) in cases {
            assert_eq!(next_sort(cur, key), want, "{cur:?} + {key:?}");
        }
        assert_eq!(aria_sort((SortKey::Priority, true), Column::Priority), "descending");
        assert_eq!(aria_sort((SortKey::Priority, false), Column::Priority), "ascending");
        assert_eq!(aria_sort((SortKey::Priority, false), Column::Date), "none");
        assert_eq!(aria_sort((SortKey::Priority, false), Column::Comment), "none");
        // Every sortable column has its own key, so a header never sorts by another's.
        let keys: Vec<SortKey> = Column::ALL.iter().filter_map(|c| c.sort_key()).collect();
        let unique: std::collections::HashSet<String> = keys.iter().map(|k| format!("{k:?}")).collect();
        assert_eq!(keys.len(), unique.len());
    }

    #[test]
    fn the_sort_is_said_in_words() {
        assert_eq!(sort_summary(Lang::En, (SortKey::Created, false)), "Oldest first");
        assert_eq!(sort_summary(Lang::Es, (SortKey::Priority, true)), "Prioridad: la más alta primero");
        assert_eq!(sort_summary(Lang::En, (SortKey::Brand, false)), "By Brand, A to Z");
        assert_eq!(sort_summary(Lang::Es, (SortKey::Status, true)), "Por Estado, de la Z a la A");
    }

    #[test]
    fn quick_views_set_one_filter_and_count_what_a_click_gives() {
        let base = Filters { status: choice_value("needsResponse"), ..Default::default() };
        let mine = QuickView::Mine.toggle(&base, "ana", Some("Soporte")).unwrap();
        assert_eq!((mine.assignee.as_str(), mine.status.as_str()), ("v:ana", "v:needsResponse"));
        assert!(QuickView::Mine.is_active(&mine, "ana", None));
        assert!(!QuickView::Unassigned.is_active(&mine, "ana", None));
        let unassigned = QuickView::Unassigned.toggle(&mine, "ana", None).unwrap();
        assert_eq!(unassigned.assignee, NONE_VALUE);
        assert_eq!(assignee_choice(&unassigned), vec![None]);
        assert_eq!(assignee_choice(&mine), vec![Some("ana".to_string())]);
        assert_eq!(QuickView::Unassigned.toggle(&unassigned, "ana", None).unwrap(), base, "a second click clears it");
        let dept = QuickView::MyDepartment.toggle(&base, "ana", Some("Soporte")).unwrap();
        assert_eq!(dept.department, "v:Soporte");
        assert_eq!(QuickView::MyDepartment.toggle(&base, "ana", None), None, "no department, nothing to show");

        let assignees = vec![(Some("ana".to_string()), 4), (None, 7), (Some("luis".to_string()), 2)];
        let departments = vec![(Some("Soporte".to_string()), 3), (None, 10)];
        assert_eq!(QuickView::Mine.count(&assignees, &departments, "ana", None), Some(4));
        assert_eq!(QuickView::Mine.count(&assignees, &departments, "eva", None), Some(0));
        assert_eq!(QuickView::Unassigned.count(&assignees, &departments, "ana", None), Some(7));
        assert_eq!(QuickView::MyDepartment.count(&assignees, &departments, "ana", Some("Soporte")), Some(3));
        assert_eq!(QuickView::MyDepartment.count(&assignees, &departments, "ana", None), None);
    }

    #[test]
    fn the_selection_never_outlives_the_rows_shown() {
        let mut s = Selection::default();
        let page = ["a", "b", "c"];
        assert_eq!(s.page_tick(page), PageTick::None);
        s.set("b", true);
        assert_eq!(s.page_tick(page), PageTick::Some);
        s.set_page(page, true);
        assert_eq!(s.page_tick(page), PageTick::All);
        s.retain_shown(["b", "c", "d"]);
        assert_eq!(s.ids(), vec!["b".to_string(), "c".to_string()]);
        s.set("c", false);
        assert_eq!((s.len(), s.contains("b"), s.contains("c")), (1, true, false));
        s.clear();
        assert!(s.is_empty());
        assert_eq!(selection_text(Lang::Es, 1), "1 seleccionada");
        assert_eq!(selection_text(Lang::En, 3), "3 selected");
    }

    #[test]
    fn a_bulk_answer_says_what_changed_and_why_not() {
        let ok = |id: &str| BulkItem { id: id.into(), ok: true, error: None };
        let all = BulkEditResponse { results: vec![ok("a"), ok("b")] };
        assert_eq!(bulk_outcome(Lang::En, &all), "2 captures changed.");
        let one = BulkEditResponse { results: vec![ok("a")] };
        assert_eq!(bulk_outcome(Lang::Es, &one), "1 captura cambiada.");
        let partial = BulkEditResponse {
            results: vec![ok("a"), BulkItem { id: "b".into(), ok: false, error: Some(ApiError::new(ErrorCode::NotFound, "gone")) }],
        };
        let text = bulk_outcome(Lang::En, &partial);
        assert!(text.contains("1 changed") && text.contains("1 not") && text.contains("no such address"), "{text}");
    }

    #[test]
    fn the_detail_shows_history_and_comments_in_the_readers_words() {
        use crate::log::{CaptureContext, CaptureEdit, Stamp, Tags};
        let st = |ms: i64| Stamp { ms, counter: 0, actor: "member:ana".into() };
        let mut c = Capture::new("c1".into(), CaptureContext::default(), &Tags::default(), "ana", st(1_000));
        let edits = [
            CaptureEdit { status: Some(Status::Closed), ..Default::default() },
            CaptureEdit { assignee: Some(Some("luis".into())), add_comment: Some("<b>llamo yo</b>".into()), ..Default::default() },
            CaptureEdit { department: Some(Some("Customer Service".into())), ..Default::default() },
        ];
        for (i, e) in edits.iter().enumerate() {
            c.apply(e, &st(2_000 + i as i64), "ana").unwrap();
        }
        let lines: Vec<String> = history_lines(&c, Lang::Es).into_iter().map(|l| l.text).collect();
        assert_eq!(
            lines,
            [
                "ana cambió estado de «Nuevo» a «Cerrado»",
                "ana cambió responsable de «(ninguno)» a «luis»",
                "ana cambió departamento de «(ninguno)» a «Atención al cliente»",
            ]
        );
        let comments = comment_lines(&c);
        assert_eq!(comments.len(), 1);
        assert_eq!((comments[0].author.as_str(), comments[0].text.as_str(), comments[0].ms), ("ana", "<b>llamo yo</b>", 2_001));
    }

    #[test]
    fn edit_controls_follow_the_role_and_an_unknown_role_keeps_them() {
        assert!(may(Some(Role::Member), Action::Edit));
        assert!(!may(Some(Role::Viewer), Action::Edit));
        assert!(!may(Some(Role::Viewer), Action::Comment));
        assert!(may(Some(Role::Viewer), Action::Read));
        assert!(may(None, Action::Edit));
    }

    #[test]
    fn assignee_choices_keep_who_is_set_and_count_when_known() {
        let members = vec!["ana".to_string(), "luis".to_string()];
        let counts = vec![(None, 5), (Some("ana".to_string()), 2), (Some("olga".to_string()), 1)];
        let opts = assignee_filter_options(&members, &counts, "v:eva", Lang::En);
        let got: Vec<(&str, &str, Option<u32>)> = opts.iter().map(|o| (o.value.as_str(), o.label.as_str(), o.count)).collect();
        assert_eq!(
            got,
            [
                ("", "All", None),
                ("none", "Unassigned", Some(5)),
                ("v:ana", "ana", Some(2)),
                ("v:luis", "luis", Some(0)),
                ("v:olga", "olga", Some(1)),
                ("v:eva", "eva", Some(0)),
            ]
        );
        let row = assignee_choices(&members, "olga", Lang::Es);
        assert_eq!(row.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), ["", "ana", "luis", "olga"]);
        assert_eq!(row[0].1, "Sin asignar");
    }

    #[test]
    fn a_bulk_field_makes_the_one_edit_the_server_reads() {
        use crate::sync::validate::parse_edit;
        let cases = [
            (BulkField::Status, "closed", Some(r#"{"status":"closed"}"#)),
            (BulkField::Status, "done", None),
            (BulkField::Priority, "urgent", Some(r#"{"priority":"urgent"}"#)),
            (BulkField::Assignee, "luis", Some(r#"{"assignee":"luis"}"#)),
            (BulkField::Assignee, "", Some(r#"{"assignee":null}"#)),
            (BulkField::Department, "Atención al cliente", Some(r#"{"department":"Customer Service"}"#)),
            (BulkField::Department, " ", Some(r#"{"department":""}"#)),
        ];
        for (field, value, want) in cases {
            let body = field.edit(value).map(|e| crate::dashboard::client::edit_body(&e));
            assert_eq!(body.as_deref(), want, "{field:?} {value:?}");
            assert_eq!(BulkField::parse(field.as_str()), Some(field));
        }
        let v: serde_json::Value =
            serde_json::from_str(&crate::dashboard::client::edit_body(&BulkField::Status.edit("closed").unwrap())).unwrap();
        assert_eq!(parse_edit(&v).unwrap().status, Some(Status::Closed));
        assert_eq!(BulkField::Status.values(&[], Lang::Es)[0].1, "Nuevo");
        assert!(BulkField::Department.values(&[], Lang::En).is_empty());
    }
}
