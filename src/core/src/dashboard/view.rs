//! What the dashboard shows, decided here so it can be tested natively: the
//! filter bar's state and choices, the page of rows, the detail view and
//! which links may be opened. The wasm crate only turns these into DOM.

use super::i18n::{department_label, priority_label, sentiment_label, status_label, Lang, Text};
use crate::log::dates::{day_start_ms, parse_day};
use crate::log::query::{Facets, Query, SortKey};
use crate::log::query_api::CaptureQuery;
use crate::log::{Capture, Sentiment, Status};

/// `<select>` values: "" is "any", [`NONE_VALUE`] is "no department", and a
/// real value is prefixed so an empty brand or a department named "none"
/// stay distinct from both.
pub const ANY_VALUE: &str = "";
pub const NONE_VALUE: &str = "none";
const VALUE_PREFIX: &str = "v:";

pub fn choice_value(v: &str) -> String {
    format!("{VALUE_PREFIX}{v}")
}

/// What a `<select>` value means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Any,
    None,
    Value(String),
}

pub fn parse_choice(v: &str) -> Choice {
    match v {
        ANY_VALUE => Choice::Any,
        NONE_VALUE => Choice::None,
        _ => v.strip_prefix(VALUE_PREFIX).map_or(Choice::Any, |s| Choice::Value(s.to_string())),
    }
}

/// The filter bar as the user left it (raw control values).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    pub text: String,
    pub brand: String,
    pub sentiment: String,
    pub department: String,
    pub status: String,
    pub site: String,
    pub member: String,
    /// `YYYY-MM-DD` (what `<input type=date>` gives), inclusive; "" for open.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive; "" for open.
    pub to: String,
}

impl Filters {
    /// The log query these filters ask for, newest first. Days are the
    /// user's days (`tz_offset_min` east of UTC). A date that is not a
    /// valid day is an error, not silently ignored.
    pub fn to_query(&self, tz_offset_min: i32) -> Result<Query, Text> {
        let day = |s: &str| -> Result<Option<i64>, Text> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                parse_day(s).map(Some).ok_or(Text::BadDate)
            }
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        let names = |v: &str| match parse_choice(v) {
            Choice::Value(s) => vec![s],
            _ => Vec::new(),
        };
        Ok(Query {
            text: self.text.clone(),
            brands: names(&self.brand),
            sentiments: names(&self.sentiment).iter().filter_map(|s| sentiment_from_str(s)).collect(),
            departments: match parse_choice(&self.department) {
                Choice::Any => Vec::new(),
                Choice::None => vec![None],
                Choice::Value(d) => vec![Some(d)],
            },
            statuses: names(&self.status).iter().filter_map(|s| status_from_str(s)).collect(),
            sites: names(&self.site),
            members: names(&self.member),
            from_ms: from.map(|d| day_start_ms(d, tz_offset_min)),
            to_ms: to.map(|d| day_start_ms(d + 1, tz_offset_min)),
            sort: SortKey::Created,
            descending: true,
            ..Query::default()
        })
    }
}

impl Filters {
    /// The server-side query for these filters, newest first, `limit` rows a page.
    pub fn to_capture_query(&self, tz_offset_min: i32, limit: u32) -> Result<CaptureQuery, Text> {
        let q = self.to_query(tz_offset_min)?;
        Ok(CaptureQuery {
            text: q.text,
            brands: q.brands,
            sentiments: q.sentiments,
            departments: q.departments,
            statuses: q.statuses,
            sites: q.sites,
            members: q.members,
            date_field: q.date_field,
            from_ms: q.from_ms,
            to_ms: q.to_ms,
            sort: q.sort,
            descending: q.descending,
            limit,
            ..CaptureQuery::default()
        })
    }
}

pub fn sentiment_from_str(s: &str) -> Option<Sentiment> {
    Sentiment::ALL.into_iter().find(|x| x.as_str() == s)
}

pub fn status_from_str(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|x| x.as_str() == s)
}

/// One `<option>`: value, label, and how many records choosing it would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub count: Option<u32>,
}

/// Every filter's choices, "All" first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterOptions {
    pub brands: Vec<OptionView>,
    pub sentiments: Vec<OptionView>,
    pub departments: Vec<OptionView>,
    pub statuses: Vec<OptionView>,
    pub sites: Vec<OptionView>,
    pub members: Vec<OptionView>,
}

/// Build the choices from a query's facet counts. The current selection is
/// always kept, at zero, so a filter never silently resets itself.
pub fn filter_options(facets: &Facets, current: &Filters, lang: Lang) -> FilterOptions {
    let any = || OptionView { value: ANY_VALUE.into(), label: Text::Any.get(lang).into(), count: None };
    let named = |values: &[(String, u32)], selected: &str, empty: Text| {
        let mut out = vec![any()];
        out.extend(values.iter().map(|(v, n)| OptionView {
            value: choice_value(v),
            label: if v.is_empty() { empty.get(lang).to_string() } else { v.clone() },
            count: Some(*n),
        }));
        keep_selected(&mut out, selected, |v| if v.is_empty() { empty.get(lang).to_string() } else { v.to_string() });
        out
    };
    let mut departments = vec![any()];
    for (d, n) in &facets.departments {
        departments.push(match d {
            None => OptionView { value: NONE_VALUE.into(), label: Text::NoDepartment.get(lang).into(), count: Some(*n) },
            Some(d) => OptionView { value: choice_value(d), label: super::i18n::department_label(lang, d), count: Some(*n) },
        });
    }
    if current.department == NONE_VALUE && !departments.iter().any(|o| o.value == NONE_VALUE) {
        departments.push(OptionView { value: NONE_VALUE.into(), label: Text::NoDepartment.get(lang).into(), count: Some(0) });
    }
    keep_selected(&mut departments, &current.department, str::to_string);
    let mut sentiments = vec![any()];
    sentiments.extend(facets.sentiments.iter().map(|(s, n)| OptionView {
        value: choice_value(s.as_str()),
        label: sentiment_label(lang, *s).into(),
        count: Some(*n),
    }));
    let mut statuses = vec![any()];
    statuses.extend(facets.statuses.iter().map(|(s, n)| OptionView {
        value: choice_value(s.as_str()),
        label: status_label(lang, *s).into(),
        count: Some(*n),
    }));
    FilterOptions {
        brands: named(&facets.brands, &current.brand, Text::NoBrand),
        sentiments,
        departments,
        statuses,
        sites: named(&facets.sites, &current.site, Text::NoSite),
        members: named(&facets.members, &current.member, Text::Any),
    }
}

fn keep_selected(options: &mut Vec<OptionView>, selected: &str, label: impl Fn(&str) -> String) {
    if let Choice::Value(v) = parse_choice(selected) {
        if !options.iter().any(|o| o.value == selected) {
            options.push(OptionView { value: selected.to_string(), label: label(&v), count: Some(0) });
        }
    }
}

/// Which slice of the rows one page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageView {
    /// Zero-based page actually shown (clamped).
    pub page: usize,
    pub pages: usize,
    pub start: usize,
    pub end: usize,
}

/// Page `page` of `total` rows, `size` per page; past the end shows the last page.
pub fn page_view(total: usize, page: usize, size: usize) -> PageView {
    let size = size.max(1);
    let pages = total.div_ceil(size).max(1);
    let page = page.min(pages - 1);
    let start = (page * size).min(total);
    PageView { page, pages, start, end: (start + size).min(total) }
}

/// A link we let the user open: absolute http(s) only, no white space or
/// control characters (a `javascript:` or `data:` permalink is shown as
/// not openable rather than made clickable).
pub fn safe_link(url: &str) -> Option<String> {
    let url = url.trim();
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    ((scheme == "http" || scheme == "https") && rest.starts_with("//") && rest.len() > 2).then(|| url.to_string())
}

/// Single-line excerpt of at most `max` characters, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowView {
    pub id: String,
    pub created_ms: i64,
    pub site: String,
    pub brand: String,
    pub author: String,
    pub excerpt: String,
    pub sentiment: Sentiment,
    pub sentiment_label: String,
    pub department: String,
    pub status: Status,
    pub member: String,
}

pub const EXCERPT_CHARS: usize = 140;

pub fn row_view(c: &Capture, lang: Lang) -> RowView {
    let ctx = &c.context.value;
    RowView {
        id: c.id.clone(),
        created_ms: c.created_ms,
        site: if ctx.site.is_empty() { Text::NoSite.get(lang).into() } else { ctx.site.clone() },
        brand: if ctx.brand.is_empty() { Text::NoBrand.get(lang).into() } else { ctx.brand.clone() },
        author: ctx.author_name.clone().unwrap_or_default(),
        excerpt: excerpt(&ctx.comment_text, EXCERPT_CHARS),
        sentiment: c.sentiment.value,
        sentiment_label: sentiment_label(lang, c.sentiment.value).into(),
        department: c.department.value.clone().unwrap_or_default(),
        status: c.status.value,
        member: c.created_by.clone(),
    }
}

/// A link in the detail view: openable, or shown as plain text with why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkView {
    Open(String),
    NotSafe(String),
}

fn link_view(url: &str) -> Option<LinkView> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    Some(safe_link(url).map_or_else(|| LinkView::NotSafe(url.to_string()), LinkView::Open))
}

/// The detail view: the full comment, labelled fields, and its links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailView {
    pub id: String,
    pub comment: String,
    /// Set when the stored comment was cut: (kept, full) characters.
    pub truncated: Option<(u32, u32)>,
    /// Label and value, empty values left out. Dates are added by the UI (Intl).
    pub fields: Vec<(Text, String)>,
    pub created_ms: i64,
    pub comment_time_ms: Option<i64>,
    pub comment_time_original: Option<String>,
    pub permalink: Option<LinkView>,
    pub page: Option<LinkView>,
    pub page_title: String,
}

pub fn detail_view(c: &Capture, lang: Lang) -> DetailView {
    let ctx = &c.context.value;
    let t = c.current_tags();
    let mut fields: Vec<(Text, String)> = vec![
        (Text::Brand, ctx.brand.clone()),
        (Text::Term, ctx.term.clone()),
        (Text::Site, ctx.site.clone()),
        (Text::ColAuthor, ctx.author_name.clone().unwrap_or_default()),
        (Text::Sentiment, sentiment_label(lang, t.sentiment).into()),
        (Text::Status, status_label(lang, t.status).into()),
        (Text::Department, t.department.as_deref().map(|d| department_label(lang, d)).unwrap_or_default()),
        (Text::Priority, priority_label(lang, t.priority).into()),
        (Text::Tags, t.tags.join(", ")),
        (Text::Note, c.comments_text()),
        (Text::CapturedBy, c.created_by.clone()),
    ];
    fields.retain(|(_, v)| !v.trim().is_empty());
    let comment_len = ctx.comment_text.chars().count() as u32;
    DetailView {
        id: c.id.clone(),
        comment: ctx.comment_text.clone(),
        truncated: ctx.comment_length.filter(|&full| full > comment_len).map(|full| (comment_len, full)),
        fields,
        created_ms: c.created_ms,
        comment_time_ms: ctx.comment_time.as_ref().and_then(|t| t.utc.as_deref()).and_then(crate::log::dates::parse_rfc3339),
        comment_time_original: ctx.comment_time.as_ref().map(|t| t.original.clone()).filter(|s| !s.trim().is_empty()),
        permalink: ctx.permalink.as_deref().and_then(link_view),
        page: link_view(&ctx.page_url),
        page_title: ctx.page_title.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::query::LogIndex;
    use crate::log::{CaptureContext, CaptureEdit, CommentTime, Stamp, Tags};

    fn capture(id: &str, ms: i64, brand: &str, site: &str, dept: Option<&str>, text: &str) -> Capture {
        let ctx = CaptureContext {
            page_url: format!("https://{site}/t/1"),
            site: site.into(),
            brand: brand.into(),
            comment_text: text.into(),
            author_name: Some("Ana".into()),
            permalink: Some(format!("https://{site}/p/{id}")),
            ..Default::default()
        };
        let tags = Tags { department: dept.map(String::from), ..Default::default() };
        Capture::new(id.into(), ctx, &tags, "ana", Stamp { ms, counter: 0, actor: "a".into() })
    }

    #[test]
    fn choices_round_trip_and_keep_empty_values_distinct() {
        let cases = [
            ("", Choice::Any),
            ("none", Choice::None),
            ("v:", Choice::Value("".into())),
            ("v:none", Choice::Value("none".into())),
            ("junk", Choice::Any),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_choice(raw), want, "{raw:?}");
        }
        assert_eq!(parse_choice(&choice_value("Soporte")), Choice::Value("Soporte".into()));
    }

    #[test]
    fn filters_become_a_query_over_the_users_days() {
        let f = Filters {
            text: "cobró".into(),
            brand: choice_value("Movistar"),
            sentiment: choice_value("negative"),
            department: NONE_VALUE.into(),
            status: choice_value("needsResponse"),
            site: choice_value("foro.example"),
            member: choice_value("ana"),
            from: "2024-05-01".into(),
            to: "2024-05-01".into(),
        };
        let q = f.to_query(120).unwrap();
        assert_eq!(q.brands, vec!["Movistar".to_string()]);
        assert_eq!(q.sentiments, vec![Sentiment::Negative]);
        assert_eq!(q.departments, vec![None]);
        assert_eq!(q.statuses, vec![Status::NeedsResponse]);
        assert_eq!(q.members, vec!["ana".to_string()]);
        // 2024-05-01 00:00 at UTC+2 is 2024-04-30 22:00 UTC; the day is 24 h long.
        assert_eq!(q.from_ms, Some(1_714_514_400_000));
        assert_eq!(q.to_ms, Some(1_714_514_400_000 + 86_400_000));
        assert!(q.descending);
        assert_eq!(Filters { from: "2024-13-01".into(), ..Default::default() }.to_query(0), Err(Text::BadDate));
        assert_eq!(Filters::default().to_query(0).unwrap().from_ms, None);
    }

    #[test]
    fn filter_choices_come_from_facets_and_keep_the_selection() {
        let index = LogIndex::new(vec![
            capture("a", 1, "Movistar", "foro.example", Some("Soporte"), "uno"),
            capture("b", 2, "", "foro.example", None, "dos"),
        ]);
        let current = Filters { site: choice_value("gone.example"), ..Default::default() };
        let q = Filters::default().to_query(0).unwrap();
        let opts = filter_options(&index.run(&q).facets, &current, Lang::Es);
        let labels = |o: &[OptionView]| o.iter().map(|o| (o.label.clone(), o.count)).collect::<Vec<_>>();
        assert_eq!(labels(&opts.brands), vec![("Todos".into(), None), ("(sin marca)".into(), Some(1)), ("Movistar".into(), Some(1))]);
        assert_eq!(opts.departments.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), vec!["", "none", "v:Soporte"]);
        assert!(opts.sites.iter().any(|o| o.value == "v:gone.example" && o.count == Some(0)), "selection kept");
        assert_eq!(opts.statuses.len(), 1 + Status::ALL.len());
        assert_eq!(opts.sentiments[3].label, "Negativo");
    }

    #[test]
    fn pages_are_clamped() {
        let cases = [
            ((0, 0, 50), PageView { page: 0, pages: 1, start: 0, end: 0 }),
            ((120, 0, 50), PageView { page: 0, pages: 3, start: 0, end: 50 }),
            ((120, 2, 50), PageView { page: 2, pages: 3, start: 100, end: 120 }),
            ((120, 9, 50), PageView { page: 2, pages: 3, start: 100, end: 120 }),
            ((100, 1, 50), PageView { page: 1, pages: 2, start: 50, end: 100 }),
        ];
        for ((total, page, size), want) in cases {
            assert_eq!(page_view(total, page, size), want, "{total} {page} {size}");
        }
    }

    #[test]
    fn only_absolute_http_links_are_openable() {
        let cases = [
            ("https://foro.example/p/1", true),
            ("HTTP://foro.example/p/1", true),
            ("  https://foro.example/  ", true),
            ("javascript:alert(1)", false),
            ("JaVaScRiPt:window.__pwned=1", false),
            ("data:text/html,<script>1</script>", false),
            ("https:/foro.example", false),
            ("https://", false),
            ("https://foro.example/\nx", false),
            ("//foro.example/p", false),
            ("foro.example/p", false),
            ("", false),
        ];
        for (url, ok) in cases {
            assert_eq!(safe_link(url).is_some(), ok, "{url:?}");
        }
    }

    #[test]
    fn excerpts_are_one_line_and_bounded() {
        assert_eq!(excerpt("  a\n\n b\tc ", 10), "a b c");
        assert_eq!(excerpt("abcdef ghij", 8), "abcdef…");
        assert_eq!(excerpt("ñññññ", 5), "ñññññ");
        assert_eq!(excerpt("ññññññ", 5), "ññññ…");
    }

    #[test]
    fn rows_and_details_show_the_record_and_mark_unsafe_links() {
        let mut c = capture("a", 1_700_000_000_000, "", "", None, "<img src=x onerror=alert(1)> full text");
        {
            let ctx = &mut c.context.value;
            ctx.permalink = Some("javascript:window.__pwned=1".into());
            ctx.comment_length = Some(500);
            ctx.page_url = "https://foro.example/t/1".into();
            ctx.comment_time =
                Some(CommentTime { utc: Some("2024-05-01T10:00:00Z".into()), original: "hace 3 días".into(), zone_assumed: false });
        }
        c.apply(
            &CaptureEdit { add_comment: Some("llamar".into()), ..Default::default() },
            &Stamp { ms: 1_700_000_000_001, counter: 0, actor: "b".into() },
            "ana",
        )
        .unwrap();
        let row = row_view(&c, Lang::En);
        assert_eq!((row.brand.as_str(), row.site.as_str()), ("(no brand)", "(unknown site)"));
        assert_eq!(row.excerpt, "<img src=x onerror=alert(1)> full text");
        let d = detail_view(&c, Lang::Es);
        assert_eq!(d.permalink, Some(LinkView::NotSafe("javascript:window.__pwned=1".into())));
        assert_eq!(d.page, Some(LinkView::Open("https://foro.example/t/1".into())));
        assert_eq!(d.truncated, Some((38, 500)));
        assert_eq!(d.comment_time_ms, Some(1_714_557_600_000));
        assert_eq!(d.comment_time_original.as_deref(), Some("hace 3 días"));
        assert!(d.fields.contains(&(Text::Note, "llamar".into())));
        assert!(!d.fields.iter().any(|(t, _)| *t == Text::Department), "empty fields are left out");
    }
}
