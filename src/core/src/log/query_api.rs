//! The team log queried on the server: one typed [`CaptureQuery`] that the
//! dashboard writes into a URL, the server parses and turns into SQL, and
//! [`evaluate`] answers over a slice of captures: the reference semantics
//! the server's SQL is tested against (see the server's property test).
//!
//! Search uses the same folding as the extension's log search
//! ([`super::query::LogIndex`]): every word must appear, case- and
//! accent-insensitively, inside one of the record's searchable fields.
//! [`IndexFields::of`] derives, once per stored record, the columns a
//! database needs for that: the folded text, folded sort keys, facet values.
//!
//! Paging is by keyset: a page ends with an opaque cursor holding the last
//! row's sort key, and the next page starts strictly after it, so inserts
//! and edits between pages never repeat or skip a row that kept its place.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dates::{day_of, parse_rfc3339};
use super::ingest::page_key;
use super::query::{DateField, Facets, SortKey};
use super::record::{Capture, Priority, Sentiment, Status};
use super::stats::{self, DailySeries};
use crate::matching::normalize::{normalize, Fold, FoldTable, NormText};

/// Rows per page when the query names no limit.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most rows one page may ask for.
pub const MAX_LIMIT: u32 = 500;
/// Most captures one page look-up returns.
pub const MAX_PAGE_LOOKUP: u32 = 1_000;
/// Separates fields in the folded text, so a word never spans two fields.
pub const FIELD_SEP: char = '\u{1E}';
/// Wraps each tag in the stored tag list, so a tag filter matches whole tags.
pub const TAG_SEP: char = '\u{1F}';

/// The lenient fold table, built once (building it folds 2,048 characters).
fn table() -> &'static FoldTable {
    static TABLE: std::sync::OnceLock<FoldTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| FoldTable::new(Fold::LENIENT))
}

/// Fold text the way the extension's log search does (lenient: no case,
/// no accents, typographic punctuation and white space unified).
pub fn fold(s: &str) -> String {
    let mut nt = NormText::default();
    normalize(s, Fold::LENIENT, Some(table()), &mut nt);
    // Folding maps UTF-8 to UTF-8; lossy only guards the type.
    String::from_utf8_lossy(&nt.bytes).into_owned()
}

/// The search words of a query text: folded, split on spaces, empty ones dropped.
pub fn search_words(text: &str) -> Vec<String> {
    fold(&text.replace(FIELD_SEP, " ")).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// What the server stores next to each record so queries run in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFields {
    /// The searchable fields, folded, each followed by [`FIELD_SEP`].
    pub search: String,
    /// Every tag wrapped as `\x1Ftag\x1F` (empty when none).
    pub tags: String,
    pub brand: String,
    pub brand_fold: String,
    pub site: String,
    pub site_fold: String,
    pub author: String,
    pub author_fold: String,
    pub member: String,
    pub member_fold: String,
    /// `None`: unassigned.
    pub assignee: Option<String>,
    /// "" when none; see `department_none`.
    pub department: String,
    pub department_fold: String,
    pub department_none: bool,
    pub sentiment: i64,
    pub status: i64,
    pub priority: i64,
    /// When the comment was written, if known.
    pub comment_ms: Option<i64>,
    /// `comment_ms` for sorting: unknown times sort first ascending.
    pub comment_sort: i64,
    pub modified_ms: i64,
    /// When the status was last set (the status chart's day).
    pub status_ms: i64,
    /// The page it belongs to (URL without fragment), for page look-ups.
    pub page: String,
}

impl IndexFields {
    pub fn of(c: &Capture) -> IndexFields {
        let table = table();
        let mut nt = NormText::default();
        let mut f = |s: &str| {
            normalize(s, Fold::LENIENT, Some(table), &mut nt);
            String::from_utf8_lossy(&nt.bytes).into_owned()
        };
        let ctx = &c.context.value;
        let tags_joined = c.tags.values().join(" ");
        let comments = c.comments_text();
        let author = ctx.author_name.clone().unwrap_or_default();
        let department = c.department.value.clone().unwrap_or_default();
        let mut search = String::new();
        for field in [
            ctx.comment_text.as_str(),
            &author,
            &ctx.page_title,
            &ctx.site,
            &ctx.brand,
            &ctx.term,
            &ctx.quote.exact,
            &tags_joined,
            &comments,
            &department,
            &c.created_by,
        ] {
            if field.is_empty() {
                continue;
            }
            search.push_str(&f(field));
            search.push(FIELD_SEP);
        }
        let tags = c.tags.values().iter().map(|t| format!("{TAG_SEP}{t}{TAG_SEP}")).collect();
        let comment_ms = ctx.comment_time.as_ref().and_then(|t| t.utc.as_deref()).and_then(parse_rfc3339);
        IndexFields {
            search,
            tags,
            brand_fold: f(&ctx.brand),
            brand: ctx.brand.clone(),
            site_fold: f(&ctx.site),
            site: ctx.site.clone(),
            author_fold: f(&author),
            author,
            member_fold: f(&c.created_by),
            member: c.created_by.clone(),
            assignee: c.assignee.value.clone(),
            department_fold: f(&department),
            department,
            department_none: c.department.value.is_none(),
            sentiment: c.sentiment.value as i64,
            status: c.status.value as i64,
            priority: c.priority.value as i64,
            comment_ms,
            comment_sort: comment_ms.unwrap_or(i64::MIN),
            modified_ms: c.last_stamp().ms,
            status_ms: c.status.stamp.ms,
            page: page_key(&ctx.page_url).to_string(),
        }
    }

    /// The row's position in `sort` order (ties: creation time, then id).
    pub fn sort_key(&self, sort: SortKey, created_ms: i64, id: &str) -> Vec<SortValue> {
        use SortValue::{Int, Text};
        let mut k = match sort {
            SortKey::Created => vec![],
            SortKey::CommentTime => vec![Int(self.comment_sort)],
            SortKey::Modified => vec![Int(self.modified_ms)],
            SortKey::Brand => vec![Text(self.brand_fold.clone()), Text(self.brand.clone())],
            SortKey::Site => vec![Text(self.site_fold.clone()), Text(self.site.clone())],
            SortKey::Author => vec![Text(self.author_fold.clone()), Text(self.author.clone())],
            SortKey::Member => vec![Text(self.member_fold.clone()), Text(self.member.clone())],
            SortKey::Department => {
                vec![Int(self.department_none as i64), Text(self.department_fold.clone()), Text(self.department.clone())]
            }
            SortKey::Sentiment => vec![Int(self.sentiment)],
            SortKey::Status => vec![Int(self.status)],
            SortKey::Priority => vec![Int(self.priority)],
        };
        k.push(Int(created_ms));
        k.push(Text(id.to_string()));
        k
    }
}

/// One component of a sort key. Text compares byte-wise (SQLite's BINARY,
/// PostgreSQL's "C" collation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    Int(i64),
    Text(String),
}

/// Where the previous page ended: its sort order and last row's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: SortKey,
    #[serde(rename = "d")]
    pub descending: bool,
    #[serde(rename = "k")]
    pub key: Vec<SortValue>,
}

impl Cursor {
    /// Opaque to clients: hex of a small JSON document.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor serializes");
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        if !s.len().is_multiple_of(2) || s.len() > 8_192 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect();
        serde_json::from_slice(&bytes?).ok()
    }
}

/// A query over the team log. Empty lists mean "any"; values within one
/// list are alternatives, different lists must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CaptureQuery {
    /// Words that must all appear (see module docs).
    pub text: String,
    pub statuses: Vec<Status>,
    /// `None` selects captures without a department.
    pub departments: Vec<Option<String>>,
    /// Brand groups ("" is "Log selection").
    pub brands: Vec<String>,
    /// Captures carrying any of these tags (exact tag).
    pub tags: Vec<String>,
    pub sites: Vec<String>,
    /// Comment authors (exact name).
    pub authors: Vec<String>,
    /// Who captured it.
    pub members: Vec<String>,
    /// Who owns it; `None` selects unassigned captures.
    pub assignees: Vec<Option<String>>,
    pub sentiments: Vec<Sentiment>,
    pub priorities: Vec<Priority>,
    pub date_field: DateField,
    /// Inclusive, ms since the epoch.
    pub from_ms: Option<i64>,
    /// Exclusive, ms since the epoch.
    pub to_ms: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
    /// Start after this row (from the previous page's `next`).
    pub after: Option<Vec<SortValue>>,
    pub limit: u32,
}

impl Default for CaptureQuery {
    fn default() -> Self {
        CaptureQuery {
            text: String::new(),
            statuses: vec![],
            departments: vec![],
            brands: vec![],
            tags: vec![],
            sites: vec![],
            authors: vec![],
            members: vec![],
            assignees: vec![],
            sentiments: vec![],
            priorities: vec![],
            date_field: DateField::Created,
            from_ms: None,
            to_ms: None,
            sort: SortKey::Created,
            descending: true,
            after: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A facet: a filter whose values the dashboard counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Brand,
    Sentiment,
    Department,
    Status,
    Priority,
    Site,
    Member,
    Assignee,
}

impl Facet {
    pub const ALL: [Facet; 8] =
        [Facet::Brand, Facet::Sentiment, Facet::Department, Facet::Status, Facet::Priority, Facet::Site, Facet::Member, Facet::Assignee];
}

/// Why a query string was refused; words are chosen at display time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    UnknownParameter {
        name: String,
    },
    BadValue {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    Repeated {
        name: &'static str,
    },
    LimitOutOfRange {
        value: u32,
        max: u32,
    },
    BadCursor,
    /// The cursor came from a query sorted differently.
    CursorForOtherSort,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::UnknownParameter { name } => write!(f, "{name}: unknown query parameter."),
            QueryError::BadValue { name, value, expected } => write!(f, "{name}: \u{201c}{value}\u{201d} is not {expected}."),
            QueryError::Repeated { name } => write!(f, "{name}: give it at most once."),
            QueryError::LimitOutOfRange { value, max } => write!(f, "limit: {value} must be from 1 to {max}."),
            QueryError::BadCursor => write!(f, "after: not a cursor from this server; omit it to start from the first page."),
            QueryError::CursorForOtherSort => {
                write!(f, "after: the cursor belongs to a different sort order; omit it to start from the first page.")
            }
        }
    }
}

const SORT_NAMES: [(SortKey, &str); 11] = [
    (SortKey::Created, "created"),
    (SortKey::CommentTime, "commentTime"),
    (SortKey::Modified, "modified"),
    (SortKey::Brand, "brand"),
    (SortKey::Site, "site"),
    (SortKey::Author, "author"),
    (SortKey::Member, "member"),
    (SortKey::Sentiment, "sentiment"),
    (SortKey::Department, "department"),
    (SortKey::Status, "status"),
    (SortKey::Priority, "priority"),
];

fn sort_name(s: SortKey) -> &'static str {
    SORT_NAMES.iter().find(|(k, _)| *k == s).map(|(_, n)| *n).unwrap_or("created")
}

impl CaptureQuery {
    /// Parse decoded `key=value` pairs of a URL query (repeat a key for
    /// alternatives). `department=` (empty) selects "no department".
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<CaptureQuery, QueryError> {
        let mut q = CaptureQuery::default();
        let mut seen: Vec<&'static str> = Vec::new();
        let mut once = |name: &'static str| {
            if seen.contains(&name) {
                return Err(QueryError::Repeated { name });
            }
            seen.push(name);
            Ok(())
        };
        let mut after = None;
        let int = |name: &'static str, v: &str| {
            v.parse::<i64>().map_err(|_| QueryError::BadValue { name, value: v.to_string(), expected: "a whole number" })
        };
        for (k, v) in pairs {
            match k {
                "q" => {
                    once("q")?;
                    q.text = v.to_string()
                }
                "status" => q.statuses.push(Status::ALL.into_iter().find(|s| s.as_str() == v).ok_or_else(|| QueryError::BadValue {
                    name: "status",
                    value: v.into(),
                    expected: "a status (new, needsResponse, …)",
                })?),
                "sentiment" => q.sentiments.push(Sentiment::ALL.into_iter().find(|s| s.as_str() == v).ok_or_else(|| {
                    QueryError::BadValue { name: "sentiment", value: v.into(), expected: "a sentiment (positive, neutral, …)" }
                })?),
                "priority" => q.priorities.push(Priority::ALL.into_iter().find(|s| s.as_str() == v).ok_or_else(|| {
                    QueryError::BadValue { name: "priority", value: v.into(), expected: "a priority (low, normal, high, urgent)" }
                })?),
                "department" => q.departments.push((!v.is_empty()).then(|| v.to_string())),
                "brand" => q.brands.push(v.into()),
                "tag" => q.tags.push(v.into()),
                "site" => q.sites.push(v.into()),
                "author" => q.authors.push(v.into()),
                "member" => q.members.push(v.into()),
                "assignee" => q.assignees.push((!v.is_empty()).then(|| v.to_string())),
                "dateField" => {
                    once("dateField")?;
                    q.date_field = match v {
                        "created" => DateField::Created,
                        "comment" => DateField::Comment,
                        _ => return Err(QueryError::BadValue { name: "dateField", value: v.into(), expected: "created or comment" }),
                    }
                }
                "from" => {
                    once("from")?;
                    q.from_ms = Some(int("from", v)?)
                }
                "to" => {
                    once("to")?;
                    q.to_ms = Some(int("to", v)?)
                }
                "sort" => {
                    once("sort")?;
                    q.sort = SORT_NAMES.iter().find(|(_, n)| *n == v).map(|(k, _)| *k).ok_or_else(|| QueryError::BadValue {
                        name: "sort",
                        value: v.into(),
                        expected: "a sort key (created, commentTime, modified, brand, site, author, member, sentiment, department, status, priority)",
                    })?
                }
                "order" => {
                    once("order")?;
                    q.descending = match v {
                        "asc" => false,
                        "desc" => true,
                        _ => return Err(QueryError::BadValue { name: "order", value: v.into(), expected: "asc or desc" }),
                    }
                }
                "after" => {
                    once("after")?;
                    after = Some(Cursor::decode(v).ok_or(QueryError::BadCursor)?)
                }
                "limit" => {
                    once("limit")?;
                    let n: u32 =
                        v.parse().map_err(|_| QueryError::BadValue { name: "limit", value: v.into(), expected: "a whole number" })?;
                    if n == 0 || n > MAX_LIMIT {
                        return Err(QueryError::LimitOutOfRange { value: n, max: MAX_LIMIT });
                    }
                    q.limit = n
                }
                other => return Err(QueryError::UnknownParameter { name: other.chars().take(100).collect() }),
            }
        }
        if let Some(c) = after {
            if c.sort != q.sort || c.descending != q.descending || c.key.len() != sort_len(q.sort) {
                return Err(QueryError::CursorForOtherSort);
            }
            q.after = Some(c.key);
        }
        Ok(q)
    }

    /// The URL query string (percent-encoded, no leading `?`) that
    /// [`CaptureQuery::from_pairs`] reads back as this query.
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.text.is_empty() {
            pairs.push(("q", self.text.clone()));
        }
        pairs.extend(self.statuses.iter().map(|s| ("status", s.as_str().to_string())));
        pairs.extend(self.departments.iter().map(|d| ("department", d.clone().unwrap_or_default())));
        pairs.extend(self.brands.iter().map(|s| ("brand", s.clone())));
        pairs.extend(self.tags.iter().map(|s| ("tag", s.clone())));
        pairs.extend(self.sites.iter().map(|s| ("site", s.clone())));
        pairs.extend(self.authors.iter().map(|s| ("author", s.clone())));
        pairs.extend(self.members.iter().map(|s| ("member", s.clone())));
        pairs.extend(self.assignees.iter().map(|a| ("assignee", a.clone().unwrap_or_default())));
        pairs.extend(self.sentiments.iter().map(|s| ("sentiment", s.as_str().to_string())));
        pairs.extend(self.priorities.iter().map(|s| ("priority", s.as_str().to_string())));
        if self.date_field == DateField::Comment {
            pairs.push(("dateField", "comment".into()));
        }
        if let Some(f) = self.from_ms {
            pairs.push(("from", f.to_string()));
        }
        if let Some(t) = self.to_ms {
            pairs.push(("to", t.to_string()));
        }
        pairs.push(("sort", sort_name(self.sort).into()));
        pairs.push(("order", if self.descending { "desc" } else { "asc" }.into()));
        if let Some(k) = &self.after {
            pairs.push(("after", self.cursor_for(k.clone()).encode()));
        }
        pairs.push(("limit", self.limit.to_string()));
        pairs.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect::<Vec<_>>().join("&")
    }

    pub fn cursor_for(&self, key: Vec<SortValue>) -> Cursor {
        Cursor { sort: self.sort, descending: self.descending, key }
    }

    /// Whether a stored capture passes every filter except `skip`'s (paging aside).
    pub fn matches(&self, c: &Capture, f: &IndexFields, words: &[String], skip: Option<Facet>) -> bool {
        if c.deleted.value {
            return false;
        }
        if self.from_ms.is_some() || self.to_ms.is_some() {
            let t = match self.date_field {
                DateField::Created => Some(c.created_ms),
                DateField::Comment => f.comment_ms,
            };
            let Some(t) = t else { return false };
            if self.from_ms.is_some_and(|from| t < from) || self.to_ms.is_some_and(|to| t >= to) {
                return false;
            }
        }
        if !words.iter().all(|w| f.search.contains(w.as_str())) {
            return false;
        }
        fn any<T: PartialEq>(set: &[T], v: &T) -> bool {
            set.is_empty() || set.contains(v)
        }
        let dept = (!f.department_none).then(|| f.department.clone());
        (skip == Some(Facet::Brand) || any(&self.brands, &f.brand))
            && (skip == Some(Facet::Sentiment) || any(&self.sentiments, &c.sentiment.value))
            && (skip == Some(Facet::Department) || any(&self.departments, &dept))
            && (skip == Some(Facet::Status) || any(&self.statuses, &c.status.value))
            && (skip == Some(Facet::Priority) || any(&self.priorities, &c.priority.value))
            && (skip == Some(Facet::Site) || any(&self.sites, &f.site))
            && (skip == Some(Facet::Member) || any(&self.members, &f.member))
            && (skip == Some(Facet::Assignee) || any(&self.assignees, &f.assignee))
            && any(&self.authors, &f.author)
            && (self.tags.is_empty() || self.tags.iter().any(|t| c.tags.values().contains(t)))
    }
}

/// How many components a sort key of `sort` has.
pub fn sort_len(sort: SortKey) -> usize {
    2 + match sort {
        SortKey::Created => 0,
        SortKey::CommentTime | SortKey::Modified | SortKey::Sentiment | SortKey::Status | SortKey::Priority => 1,
        SortKey::Brand | SortKey::Site | SortKey::Author | SortKey::Member => 2,
        SortKey::Department => 3,
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One page of a query's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapturePage {
    pub items: Vec<Capture>,
    /// Cursor for the next page (`after=`); absent on the last page.
    pub next: Option<String>,
}

/// Facet counts plus how many captures match and how many are live.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FacetCounts {
    pub facets: Facets,
    /// Captures passing every filter.
    pub total: u32,
    /// Live captures in the team's log.
    pub live: u32,
}

/// What the dashboard's charts show, over the captures passing the filters.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregates {
    pub sentiment_per_day: DailySeries,
    pub by_brand: DailySeries,
    pub by_department: DailySeries,
    pub by_site: DailySeries,
    pub status_over_time: DailySeries,
}

/// One chart: which value splits it and which time puts a capture on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateChart {
    SentimentPerDay,
    ByBrand,
    ByDepartment,
    BySite,
    StatusOverTime,
}

impl AggregateChart {
    pub const ALL: [AggregateChart; 5] = [
        AggregateChart::SentimentPerDay,
        AggregateChart::ByBrand,
        AggregateChart::ByDepartment,
        AggregateChart::BySite,
        AggregateChart::StatusOverTime,
    ];
}

/// Per chart, per value, per day: counts (what `GROUP BY` gives).
pub type Cells = BTreeMap<String, BTreeMap<i64, u32>>;

impl Aggregates {
    /// Build every chart from its cells exactly as [`stats`] does from records.
    pub fn from_cells(mut cells: impl FnMut(AggregateChart) -> Cells) -> Aggregates {
        let mut sentiment = stats::series_from_cells(cells(AggregateChart::SentimentPerDay));
        stats::with_all_keys(&mut sentiment, Sentiment::ALL.iter().map(|x| x.as_str()));
        let mut status = stats::series_from_cells(cells(AggregateChart::StatusOverTime));
        stats::with_all_keys(&mut status, Status::ALL.iter().map(|x| x.as_str()));
        Aggregates {
            sentiment_per_day: sentiment,
            by_brand: stats::series_from_cells(cells(AggregateChart::ByBrand)),
            by_department: stats::series_from_cells(cells(AggregateChart::ByDepartment)),
            by_site: stats::series_from_cells(cells(AggregateChart::BySite)),
            status_over_time: status,
        }
    }
}

/// The reference answers: what the server must return for the same captures.
pub struct Evaluated<'a> {
    rows: Vec<(&'a Capture, IndexFields)>,
}

impl<'a> Evaluated<'a> {
    pub fn new(captures: &'a [Capture]) -> Evaluated<'a> {
        Evaluated { rows: captures.iter().map(|c| (c, IndexFields::of(c))).collect() }
    }

    /// One page of rows in order, after the query's cursor.
    pub fn page(&self, q: &CaptureQuery) -> CapturePage {
        let words = search_words(&q.text);
        let mut hits: Vec<(Vec<SortValue>, &Capture)> = self
            .rows
            .iter()
            .filter(|(c, f)| q.matches(c, f, &words, None))
            .map(|(c, f)| (f.sort_key(q.sort, c.created_ms, &c.id), *c))
            .filter(|(k, _)| match &q.after {
                None => true,
                Some(a) => (k.cmp(a) == Ordering::Greater) != q.descending && k != a,
            })
            .collect();
        hits.sort_by(|a, b| if q.descending { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
        let more = hits.len() > q.limit as usize;
        hits.truncate(q.limit as usize);
        let next = if more { hits.last().map(|(k, _)| q.cursor_for(k.clone()).encode()) } else { None };
        CapturePage { items: hits.into_iter().map(|(_, c)| c.clone()).collect(), next }
    }

    /// Facet counts (each facet counts what every other filter allows).
    pub fn facets(&self, q: &CaptureQuery) -> FacetCounts {
        let words = search_words(&q.text);
        let count = |skip: Facet, key: &dyn Fn(&Capture, &IndexFields) -> String| -> BTreeMap<String, u32> {
            let mut m = BTreeMap::new();
            for (c, f) in &self.rows {
                if q.matches(c, f, &words, Some(skip)) {
                    *m.entry(key(c, f)).or_insert(0) += 1;
                }
            }
            m
        };
        let named = |m: BTreeMap<String, u32>| sorted_named(m.into_iter().collect());
        let brands = named(count(Facet::Brand, &|_, f| f.brand.clone()));
        let sites = named(count(Facet::Site, &|_, f| f.site.clone()));
        let members = named(count(Facet::Member, &|_, f| f.member.clone()));
        let depts = count(Facet::Department, &|_, f| if f.department_none { "\0".into() } else { format!("v{}", f.department) });
        let departments = sorted_departments(depts.into_iter().map(|(k, n)| (k.strip_prefix('v').map(str::to_string), n)).collect());
        let owners = count(Facet::Assignee, &|_, f| f.assignee.as_ref().map_or("\0".into(), |a| format!("v{a}")));
        let assignees = sorted_departments(owners.into_iter().map(|(k, n)| (k.strip_prefix('v').map(str::to_string), n)).collect());
        let sent = count(Facet::Sentiment, &|c, _| c.sentiment.value.as_str().into());
        let stat = count(Facet::Status, &|c, _| c.status.value.as_str().into());
        let prio = count(Facet::Priority, &|c, _| c.priority.value.as_str().into());
        let get = |m: &BTreeMap<String, u32>, k: &str| m.get(k).copied().unwrap_or(0);
        let total = self.rows.iter().filter(|(c, f)| q.matches(c, f, &words, None)).count() as u32;
        let live = self.rows.iter().filter(|(c, _)| !c.deleted.value).count() as u32;
        FacetCounts {
            facets: Facets {
                brands,
                sentiments: Sentiment::ALL.iter().map(|&s| (s, get(&sent, s.as_str()))).collect(),
                departments,
                statuses: Status::ALL.iter().map(|&s| (s, get(&stat, s.as_str()))).collect(),
                priorities: Priority::ALL.iter().map(|&s| (s, get(&prio, s.as_str()))).collect(),
                sites,
                members,
                assignees,
            },
            total,
            live,
        }
    }

    /// The charts over every row passing the filters (paging ignored).
    pub fn aggregates(&self, q: &CaptureQuery, tz_offset_min: i32) -> Aggregates {
        let words = search_words(&q.text);
        let hits: Vec<&(&Capture, IndexFields)> = self.rows.iter().filter(|(c, f)| q.matches(c, f, &words, None)).collect();
        Aggregates::from_cells(|chart| {
            let mut cells = Cells::new();
            for (c, f) in &hits {
                let (key, ms) = chart_point(chart, c, f);
                *cells.entry(key).or_default().entry(day_of(ms, tz_offset_min)).or_default() += 1;
            }
            cells
        })
    }
}

/// A row's value and time on one chart.
fn chart_point(chart: AggregateChart, c: &Capture, f: &IndexFields) -> (String, i64) {
    match chart {
        AggregateChart::SentimentPerDay => (c.sentiment.value.as_str().into(), c.created_ms),
        AggregateChart::ByBrand => (f.brand.clone(), c.created_ms),
        AggregateChart::ByDepartment => (f.department.clone(), c.created_ms),
        AggregateChart::BySite => (f.site.clone(), c.created_ms),
        AggregateChart::StatusOverTime => (c.status.value.as_str().into(), f.status_ms),
    }
}

/// Facet values by count, largest first, then by value.
pub fn sorted_named(mut v: Vec<(String, u32)>) -> Vec<(String, u32)> {
    v.retain(|x| x.1 > 0);
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Department facet values by count, then `None` before names.
pub fn sorted_departments(mut v: Vec<(Option<String>, u32)>) -> Vec<(Option<String>, u32)> {
    v.retain(|x| x.1 > 0);
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The captures of one page (URL without fragment), newest first.
pub fn page_captures<'a>(captures: &'a [Capture], url: &str) -> Vec<&'a Capture> {
    let key = page_key(url);
    let mut v: Vec<&Capture> = captures.iter().filter(|c| !c.deleted.value && page_key(&c.context.value.page_url) == key).collect();
    v.sort_by(|a, b| (b.created_ms, &b.id).cmp(&(a.created_ms, &a.id)));
    v.truncate(MAX_PAGE_LOOKUP as usize);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::query::{LogIndex, Query};
    use crate::log::record::{CaptureContext, CommentTime, Tags};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    fn cap(n: u8, brand: &str, site: &str, text: &str, author: &str, ms: i64) -> Capture {
        let ctx = CaptureContext {
            page_url: format!("https://{site}/t/{}#c{n}", n % 3),
            site: site.into(),
            comment_text: text.into(),
            author_name: Some(author.into()),
            brand: brand.into(),
            term: brand.into(),
            comment_time: (!n.is_multiple_of(4))
                .then(|| CommentTime { utc: Some(format!("2024-05-{:02}T10:00:00Z", n)), ..Default::default() }),
            ..Default::default()
        };
        let id = format!("0190{n:04x}-0000-7000-8000-000000000000");
        Capture::new(
            id,
            ctx,
            &Tags::default(),
            if n.is_multiple_of(2) { "ana" } else { "Luis" },
            Stamp { ms, counter: 0, actor: "a".into() },
        )
    }

    fn edit(c: &mut Capture, e: CaptureEdit) {
        let s = Stamp::next(c.last_stamp(), c.last_stamp().ms + 86_400_000, "a");
        c.apply(&e, &s, "ana").unwrap();
    }

    fn sample() -> Vec<Capture> {
        let mut v = vec![
            cap(1, "Telefónica", "foro.example", "Movistar me cobró DOS veces", "José Pérez", 1_714_000_000_000),
            cap(2, "Telefónica", "x.example", "La atención de Movistar fue excelente", "ana", 1_714_100_000_000),
            cap(3, "Iberia", "foro.example", "Iberia perdió mi maleta en Barajas", "Nuño", 1_714_200_000_000),
            cap(4, "iberia", "news.example", "¿Qué pasó con el vuelo?", "Émile", 1_714_300_000_000),
            cap(5, "", "x.example", "Zara’s return policy", "émile", 1_714_400_000_000),
            cap(7, "Zara", "x.example", "same time as five", "Bo", 1_714_400_000_000),
        ];
        edit(
            &mut v[0],
            CaptureEdit {
                sentiment: Some(Sentiment::Negative),
                status: Some(Status::NeedsResponse),
                department: Some(Some("Facturación".into())),
                tags: Some(vec!["urgente".into(), "factura".into()]),
                priority: Some(Priority::High),
                ..Default::default()
            },
        );
        edit(
            &mut v[2],
            CaptureEdit {
                sentiment: Some(Sentiment::Negative),
                status: Some(Status::Escalated),
                department: Some(Some("atención".into())),
                tags: Some(vec!["equipaje".into()]),
                ..Default::default()
            },
        );
        let mut gone = cap(6, "Zara", "x.example", "deleted Movistar", "X", 1_714_500_000_000);
        edit(&mut gone, CaptureEdit { deleted: Some(true), ..Default::default() });
        v.push(gone);
        v
    }

    fn ids(page: &CapturePage) -> Vec<u8> {
        page.items.iter().map(|c| u8::from_str_radix(&c.id[4..8], 16).unwrap()).collect()
    }

    /// Decode `%XX` (the test strings hold no `&` or `=` inside values).
    fn pct_decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn parse(s: &str) -> Result<CaptureQuery, QueryError> {
        let pairs: Vec<(&str, &str)> = s.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
        CaptureQuery::from_pairs(pairs)
    }

    #[test]
    fn filters_search_and_sort_like_the_extension() {
        let caps = sample();
        let ev = Evaluated::new(&caps);
        let cases: &[(&str, &[u8])] = &[
            ("", &[7, 5, 4, 3, 2, 1]),
            ("order=asc", &[1, 2, 3, 4, 5, 7]),
            ("q=MOVISTAR", &[2, 1]),
            ("q=cobro dos", &[1]),
            ("q=zara's", &[5]),
            ("q=jose perez", &[1]),
            ("q=perez jose", &[1]),
            ("q=movistar iberia", &[]),
            ("q=que", &[4]),
            ("q=facturacion", &[1]),
            ("status=needsResponse&status=escalated", &[3, 1]),
            ("department=", &[7, 5, 4, 2]),
            ("department=Facturación&department=atención", &[3, 1]),
            ("brand=", &[5]),
            ("brand=iberia", &[4]),
            ("tag=factura", &[1]),
            ("tag=fact", &[]),
            ("site=x.example", &[7, 5, 2]),
            ("author=émile", &[5]),
            ("member=ana", &[4, 2]),
            ("sentiment=negative", &[3, 1]),
            ("priority=high", &[1]),
            ("from=1714100000000&to=1714300000000", &[3, 2]),
            ("dateField=comment&from=1714478400000", &[7, 5, 3, 2, 1]),
            ("dateField=comment&to=1714644000001", &[2, 1]),
            ("sort=brand&order=asc", &[5, 3, 4, 1, 2, 7]),
            ("sort=author&order=asc", &[2, 7, 4, 5, 1, 3]),
            ("sort=department&order=asc", &[3, 1, 2, 4, 5, 7]),
            ("sort=commentTime&order=asc", &[4, 1, 2, 3, 5, 7]),
            ("sort=priority&order=desc", &[1, 7, 5, 4, 3, 2]),
        ];
        for (qs, want) in cases {
            let q = parse(qs).unwrap();
            assert_eq!(ids(&ev.page(&q)), *want, "{qs}");
            // The URL form reads back as the same query.
            assert_eq!(parse(&pct_decode(&q.to_query_string())).ok(), Some(q.clone()), "{qs}");
        }
    }

    #[test]
    fn search_agrees_with_the_extensions_log_index() {
        let caps = sample();
        let index = LogIndex::new(caps.clone());
        let ev = Evaluated::new(&caps);
        for text in ["", "movistar", "COBRO", "ana", "emile", "zara’s", "¿que", "x.example", "telefonica", "mi  maleta", "factura"] {
            let mut want: Vec<String> = index
                .run(&Query { text: text.into(), ..Default::default() })
                .rows
                .iter()
                .map(|&i| index.captures()[i as usize].id.clone())
                .collect();
            want.sort();
            let mut got: Vec<String> = ev
                .page(&CaptureQuery { text: text.into(), limit: MAX_LIMIT, ..Default::default() })
                .items
                .into_iter()
                .map(|c| c.id)
                .collect();
            got.sort();
            assert_eq!(got, want, "{text:?}");
        }
        // Sort orders agree too.
        for sort in SORT_NAMES.map(|(k, _)| k) {
            for descending in [false, true] {
                let want: Vec<String> = index
                    .run(&Query { sort, descending, ..Default::default() })
                    .rows
                    .iter()
                    .map(|&i| index.captures()[i as usize].id.clone())
                    .collect();
                let got: Vec<String> = ev
                    .page(&CaptureQuery { sort, descending, limit: MAX_LIMIT, ..Default::default() })
                    .items
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                assert_eq!(got, want, "{sort:?} {descending}");
            }
        }
    }

    #[test]
    fn keyset_pages_cover_every_row_once_in_order() {
        let caps = sample();
        let ev = Evaluated::new(&caps);
        for sort in SORT_NAMES.map(|(k, _)| k) {
            for descending in [false, true] {
                let all = ids(&ev.page(&CaptureQuery { sort, descending, limit: MAX_LIMIT, ..Default::default() }));
                let mut q = CaptureQuery { sort, descending, limit: 2, ..Default::default() };
                let mut seen = Vec::new();
                loop {
                    let p = ev.page(&q);
                    seen.extend(ids(&p));
                    let Some(next) = p.next else { break };
                    let c = Cursor::decode(&next).unwrap();
                    assert_eq!((c.sort, c.descending), (sort, descending));
                    q.after = Some(c.key);
                }
                assert_eq!(seen, all, "{sort:?} {descending}");
            }
        }
    }

    #[test]
    fn bad_query_strings_are_refused_with_what_was_wrong() {
        let cursor = CaptureQuery::default().cursor_for(vec![SortValue::Int(1), SortValue::Text("x".into())]).encode();
        let cases: Vec<(String, QueryError)> = vec![
            ("nope=1".into(), QueryError::UnknownParameter { name: "nope".into() }),
            (
                "status=open".into(),
                QueryError::BadValue { name: "status", value: "open".into(), expected: "a status (new, needsResponse, …)" },
            ),
            ("limit=0".into(), QueryError::LimitOutOfRange { value: 0, max: MAX_LIMIT }),
            ("limit=501".into(), QueryError::LimitOutOfRange { value: 501, max: MAX_LIMIT }),
            ("limit=x".into(), QueryError::BadValue { name: "limit", value: "x".into(), expected: "a whole number" }),
            ("q=a&q=b".into(), QueryError::Repeated { name: "q" }),
            ("after=zz".into(), QueryError::BadCursor),
            ("after=".into(), QueryError::BadCursor),
            (format!("after={cursor}&sort=brand"), QueryError::CursorForOtherSort),
            (format!("after={cursor}&order=asc"), QueryError::CursorForOtherSort),
            ("from=yesterday".into(), QueryError::BadValue { name: "from", value: "yesterday".into(), expected: "a whole number" }),
        ];
        for (qs, want) in cases {
            assert_eq!(parse(&qs), Err(want), "{qs}");
        }
        assert!(parse(&format!("after={cursor}")).is_ok());
    }

    #[test]
    fn facets_count_what_the_other_filters_allow() {
        let caps = sample();
        let ev = Evaluated::new(&caps);
        let r = ev.facets(&parse("brand=Telefónica&sentiment=negative").unwrap());
        assert_eq!((r.total, r.live), (1, 6));
        assert_eq!(r.facets.brands, vec![("Iberia".into(), 1), ("Telefónica".into(), 1)]);
        let sent: BTreeMap<_, _> = r.facets.sentiments.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        assert_eq!((sent["negative"], sent["neutral"], sent["positive"]), (1, 1, 0));
        assert_eq!(r.facets.departments, vec![(Some("Facturación".into()), 1)]);
        let all = ev.facets(&CaptureQuery::default());
        assert_eq!(all.facets.departments, vec![(None, 4), (Some("Facturación".into()), 1), (Some("atención".into()), 1)]);
        assert_eq!(all.facets.members, vec![("Luis".into(), 4), ("ana".into(), 2)]);
    }

    #[test]
    fn aggregates_equal_the_dashboards_charts_over_the_same_rows() {
        let caps = sample();
        let ev = Evaluated::new(&caps);
        for (qs, tz) in [("", 0), ("q=movistar", 120), ("site=x.example", -300)] {
            let q = parse(qs).unwrap();
            let rows: Vec<Capture> = ev.page(&CaptureQuery { limit: MAX_LIMIT, ..q.clone() }).items;
            let a = ev.aggregates(&q, tz);
            assert_eq!(a.sentiment_per_day, stats::by_sentiment(&rows, tz), "{qs}");
            assert_eq!(a.by_brand, stats::by_brand(&rows, tz), "{qs}");
            assert_eq!(a.by_department, stats::by_department(&rows, tz), "{qs}");
            assert_eq!(a.by_site, stats::by_site(&rows, tz), "{qs}");
            assert_eq!(a.status_over_time, stats::status_over_time(&rows, tz), "{qs}");
        }
    }

    #[test]
    fn index_fields_fold_once_and_keep_the_page() {
        let caps = sample();
        let f = IndexFields::of(&caps[0]);
        assert!(f.search.contains("movistar me cobro dos veces\u{1e}jose perez\u{1e}"), "{:?}", f.search);
        // Tags come sorted (an add-wins set has no order of its own).
        assert_eq!(f.tags, "\u{1f}factura\u{1f}\u{1f}urgente\u{1f}");
        assert_eq!((f.brand_fold.as_str(), f.department_fold.as_str(), f.department_none), ("telefonica", "facturacion", false));
        assert_eq!(f.page, "https://foro.example/t/1");
        let f4 = IndexFields::of(&caps[3]);
        assert_eq!((f4.comment_ms, f4.comment_sort), (None, i64::MIN));
        assert_eq!(page_captures(&caps, "https://foro.example/t/1#other").len(), 1);
        assert_eq!(page_captures(&caps, "https://x.example/t/2").iter().map(|c| &c.id[4..8]).collect::<Vec<_>>(), ["0005", "0002"]);
    }
}
