//! Queries over the team log, run in the database.
//!
//! [`escucha_core::log::query_api`] defines what a query means (and answers
//! it over a slice of captures: the reference). Here the same query becomes
//! SQL text plus typed parameters for a [`Dialect`], over derived columns
//! that [`write_index`] keeps next to each stored record (folded search
//! text, folded sort keys, facet values). `team_id` leads every index and
//! every query names one team, so the schema can be distributed by team.
//!
//! Search is "every folded word is a substring of the folded text": SQLite
//! scans the team's rows with `instr`; PostgreSQL answers the same `LIKE
//! '%word%'` from a trigram (pg_trgm) GIN index.

use std::collections::BTreeMap;

use escucha_core::log::query::{Facets, SortKey};
use escucha_core::log::query_api::{
    search_words, sorted_departments, sorted_named, AggregateChart, Aggregates, CapturePage, CaptureQuery, Cells, Facet, FacetCounts,
    IndexFields, SortValue, MAX_PAGE_LOOKUP, TAG_SEP,
};
use escucha_core::log::{Capture, Priority, Sentiment, Status};
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{params, Connection, ToSql};

/// Bump when [`IndexFields`] changes: rows below it are re-derived at start.
pub const INDEX_VERSION: i64 = 1;

/// SQLite migration: the derived columns and their indexes (appended to
/// `db::MIGRATIONS`). Existing rows get defaults and `ix_version = 0`, and
/// [`backfill`] fills them.
pub const SQLITE_MIGRATION: &str = "
    ALTER TABLE captures ADD COLUMN ix_version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN search TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN brand TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN brand_fold TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN site TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN site_fold TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN author TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN author_fold TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN member TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN member_fold TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN department TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN department_fold TEXT NOT NULL DEFAULT '';
    ALTER TABLE captures ADD COLUMN department_none INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE captures ADD COLUMN sentiment INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN comment_ms INTEGER;
    ALTER TABLE captures ADD COLUMN comment_sort INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN modified_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN status_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE captures ADD COLUMN page TEXT NOT NULL DEFAULT '';
    CREATE INDEX captures_by_page ON captures (team_id, page, created_ms);
    CREATE INDEX captures_live_by_status ON captures (team_id, status, created_ms) WHERE deleted = 0;
    CREATE INDEX captures_live_by_brand ON captures (team_id, brand, created_ms) WHERE deleted = 0;
    CREATE INDEX captures_live_by_site ON captures (team_id, site, created_ms) WHERE deleted = 0;
    CREATE INDEX captures_live_by_department ON captures (team_id, department_none, department, created_ms) WHERE deleted = 0;";

/// The same columns and indexes on PostgreSQL (for the PostgreSQL engine's
/// migrations). Text that is sorted or compared is `COLLATE "C"` so the
/// order is byte order, as in SQLite and the core's reference; the folded
/// text has a trigram GIN index so `LIKE '%word%'` does not scan.
pub const POSTGRES_MIGRATION: &str = r#"
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS btree_gin;
    ALTER TABLE captures
        ADD COLUMN ix_version BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN search TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN tags TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN brand TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN brand_fold TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN site TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN site_fold TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN author TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN author_fold TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN member TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN member_fold TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN department TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN department_fold TEXT COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN department_none BIGINT NOT NULL DEFAULT 1,
        ADD COLUMN sentiment BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN status BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN priority BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN comment_ms BIGINT,
        ADD COLUMN comment_sort BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN modified_ms BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN status_ms BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN page TEXT COLLATE "C" NOT NULL DEFAULT '';
    CREATE INDEX captures_search_trgm ON captures USING gin (team_id, search gin_trgm_ops);
    CREATE INDEX captures_by_page ON captures (team_id, page, created_ms);
    CREATE INDEX captures_live_by_status ON captures (team_id, status, created_ms) WHERE NOT deleted;
    CREATE INDEX captures_live_by_brand ON captures (team_id, brand, created_ms) WHERE NOT deleted;
    CREATE INDEX captures_live_by_site ON captures (team_id, site, created_ms) WHERE NOT deleted;
    CREATE INDEX captures_live_by_department ON captures (team_id, department_none, department, created_ms) WHERE NOT deleted;"#;
// btree_gin lets the trigram GIN index lead with team_id like every other.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Text(String),
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(i) => ToSqlOutput::from(*i),
            Param::Text(s) => ToSqlOutput::from(s.as_str()),
        })
    }
}

/// SQL text and its parameters, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sql {
    pub text: String,
    pub params: Vec<Param>,
}

struct Builder {
    dialect: Dialect,
    params: Vec<Param>,
}

impl Builder {
    fn new(dialect: Dialect) -> Builder {
        Builder { dialect, params: Vec::new() }
    }

    /// Bind a parameter; its placeholder.
    fn bind(&mut self, p: Param) -> String {
        self.params.push(p);
        match self.dialect {
            Dialect::Sqlite => format!("?{}", self.params.len()),
            Dialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn int(&mut self, i: i64) -> String {
        self.bind(Param::Int(i))
    }

    fn text(&mut self, s: &str) -> String {
        self.bind(Param::Text(s.to_string()))
    }

    /// `team_id = …` and not a tombstone (`deleted` is an integer on
    /// SQLite, a boolean on PostgreSQL).
    fn live(&mut self, team_id: i64) -> String {
        let t = self.int(team_id);
        match self.dialect {
            Dialect::Sqlite => format!("team_id = {t} AND deleted = 0"),
            Dialect::Postgres => format!("team_id = {t} AND NOT deleted"),
        }
    }

    /// `col IN (…)` over text values.
    fn in_texts(&mut self, col: &str, values: &[String]) -> String {
        let ph: Vec<String> = values.iter().map(|v| self.text(v)).collect();
        format!("{col} IN ({})", ph.join(", "))
    }

    fn in_ints(&mut self, col: &str, values: impl Iterator<Item = i64>) -> String {
        let ph: Vec<String> = values.map(|v| self.int(v)).collect();
        format!("{col} IN ({})", ph.join(", "))
    }

    /// `haystack` contains `needle` as a substring.
    fn contains(&mut self, haystack: &str, needle: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => {
                let p = self.text(needle);
                format!("instr({haystack}, {p}) > 0")
            }
            // LIKE (not strpos) so the trigram index answers it.
            Dialect::Postgres => {
                let escaped: String =
                    needle.chars().flat_map(|c| if matches!(c, '\\' | '%' | '_') { vec!['\\', c] } else { vec![c] }).collect();
                let p = self.text(&format!("%{escaped}%"));
                format!("{haystack} LIKE {p}")
            }
        }
    }

    /// The WHERE clause of `q` for one team, leaving out `skip`'s filter.
    fn filters(&mut self, team_id: i64, q: &CaptureQuery, skip: Option<Facet>) -> String {
        let mut w = vec![self.live(team_id)];
        let time = match q.date_field {
            escucha_core::log::query::DateField::Created => "created_ms",
            escucha_core::log::query::DateField::Comment => "comment_ms",
        };
        if let Some(f) = q.from_ms {
            let p = self.int(f);
            w.push(format!("{time} >= {p}"));
        }
        if let Some(to) = q.to_ms {
            let p = self.int(to);
            w.push(format!("{time} < {p}"));
        }
        for word in search_words(&q.text) {
            w.push(self.contains("search", &word));
        }
        if !q.brands.is_empty() && skip != Some(Facet::Brand) {
            w.push(self.in_texts("brand", &q.brands));
        }
        if !q.sites.is_empty() && skip != Some(Facet::Site) {
            w.push(self.in_texts("site", &q.sites));
        }
        if !q.members.is_empty() && skip != Some(Facet::Member) {
            w.push(self.in_texts("member", &q.members));
        }
        if !q.authors.is_empty() {
            w.push(self.in_texts("author", &q.authors));
        }
        if !q.sentiments.is_empty() && skip != Some(Facet::Sentiment) {
            w.push(self.in_ints("sentiment", q.sentiments.iter().map(|&s| s as i64)));
        }
        if !q.statuses.is_empty() && skip != Some(Facet::Status) {
            w.push(self.in_ints("status", q.statuses.iter().map(|&s| s as i64)));
        }
        if !q.priorities.is_empty() && skip != Some(Facet::Priority) {
            w.push(self.in_ints("priority", q.priorities.iter().map(|&s| s as i64)));
        }
        if !q.departments.is_empty() && skip != Some(Facet::Department) {
            let mut alts = Vec::new();
            if q.departments.iter().any(Option::is_none) {
                alts.push("department_none = 1".to_string());
            }
            let named: Vec<String> = q.departments.iter().flatten().cloned().collect();
            if !named.is_empty() {
                alts.push(format!("(department_none = 0 AND {})", self.in_texts("department", &named)));
            }
            w.push(format!("({})", alts.join(" OR ")));
        }
        if !q.tags.is_empty() {
            let alts: Vec<String> = q.tags.iter().map(|t| self.contains("tags", &format!("{TAG_SEP}{t}{TAG_SEP}"))).collect();
            w.push(format!("({})", alts.join(" OR ")));
        }
        w.join(" AND ")
    }
}

/// The columns of a sort key, in [`IndexFields::sort_key`]'s order.
pub fn sort_columns(sort: SortKey) -> &'static [&'static str] {
    match sort {
        SortKey::Created => &["created_ms", "id"],
        SortKey::CommentTime => &["comment_sort", "created_ms", "id"],
        SortKey::Modified => &["modified_ms", "created_ms", "id"],
        SortKey::Brand => &["brand_fold", "brand", "created_ms", "id"],
        SortKey::Site => &["site_fold", "site", "created_ms", "id"],
        SortKey::Author => &["author_fold", "author", "created_ms", "id"],
        SortKey::Member => &["member_fold", "member", "created_ms", "id"],
        SortKey::Department => &["department_none", "department_fold", "department", "created_ms", "id"],
        SortKey::Sentiment => &["sentiment", "created_ms", "id"],
        SortKey::Status => &["status", "created_ms", "id"],
        SortKey::Priority => &["priority", "created_ms", "id"],
    }
}

/// One page: `record` then the sort columns, one row more than the limit
/// (so the caller knows whether another page follows).
pub fn list_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Sql {
    let mut b = Builder::new(dialect);
    let mut w = b.filters(team_id, q, None);
    let cols = sort_columns(q.sort);
    if let Some(after) = &q.after {
        let ph: Vec<String> = after
            .iter()
            .map(|v| match v {
                SortValue::Int(i) => b.int(*i),
                SortValue::Text(s) => b.text(s),
            })
            .collect();
        let op = if q.descending { "<" } else { ">" };
        w.push_str(&format!(" AND ({}) {op} ({})", cols.join(", "), ph.join(", ")));
    }
    let dir = if q.descending { " DESC" } else { "" };
    let order: Vec<String> = cols.iter().map(|c| format!("{c}{dir}")).collect();
    let limit = b.int(i64::from(q.limit) + 1);
    Sql {
        text: format!("SELECT record, {} FROM captures WHERE {w} ORDER BY {} LIMIT {limit}", cols.join(", "), order.join(", ")),
        params: b.params,
    }
}

/// The columns a facet groups by.
fn facet_columns(f: Facet) -> &'static str {
    match f {
        Facet::Brand => "brand",
        Facet::Sentiment => "sentiment",
        Facet::Department => "department_none, department",
        Facet::Status => "status",
        Facet::Priority => "priority",
        Facet::Site => "site",
        Facet::Member => "member",
    }
}

/// Counts per value of one facet, under every other filter.
pub fn facet_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, facet: Facet) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, Some(facet));
    let cols = facet_columns(facet);
    Sql { text: format!("SELECT {cols}, count(*) FROM captures WHERE {w} GROUP BY {cols}"), params: b.params }
}

/// How many captures pass every filter.
pub fn count_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, None);
    Sql { text: format!("SELECT count(*) FROM captures WHERE {w}"), params: b.params }
}

/// Live captures in the team's log.
pub fn live_sql(dialect: Dialect, team_id: i64) -> Sql {
    let mut b = Builder::new(dialect);
    let live = b.live(team_id);
    Sql { text: format!("SELECT count(*) FROM captures WHERE {live}"), params: b.params }
}

/// Per value and local day, a count, for one chart. The day is a floor
/// division (both engines truncate `/` and `%` toward zero).
pub fn aggregate_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, chart: AggregateChart, tz_offset_min: i32) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, None);
    let (key, time) = match chart {
        AggregateChart::SentimentPerDay => ("sentiment", "created_ms"),
        AggregateChart::ByBrand => ("brand", "created_ms"),
        AggregateChart::ByDepartment => ("department", "created_ms"),
        AggregateChart::BySite => ("site", "created_ms"),
        AggregateChart::StatusOverTime => ("status", "status_ms"),
    };
    let off = b.int(i64::from(tz_offset_min) * 60_000);
    let local = format!("({time} + {off})");
    let day = format!("(({local} - ((({local} % 86400000) + 86400000) % 86400000)) / 86400000)");
    Sql { text: format!("SELECT {key}, {day} AS day, count(*) FROM captures WHERE {w} GROUP BY {key}, day"), params: b.params }
}

/// The live captures of one page (URL without fragment), newest first.
pub fn page_sql(dialect: Dialect, team_id: i64, page: &str) -> Sql {
    let mut b = Builder::new(dialect);
    let live = b.live(team_id);
    let p = b.text(page);
    let limit = b.int(i64::from(MAX_PAGE_LOOKUP));
    Sql {
        text: format!("SELECT record FROM captures WHERE {live} AND page = {p} ORDER BY created_ms DESC, id DESC LIMIT {limit}"),
        params: b.params,
    }
}

// ---- SQLite: writing the derived columns ----

/// Derive and store the query columns of a just-written record.
pub fn write_index(conn: &Connection, team_id: i64, c: &Capture) -> rusqlite::Result<()> {
    let f = IndexFields::of(c);
    let mut stmt = conn.prepare_cached(
        "UPDATE captures SET ix_version = ?3, search = ?4, tags = ?5, brand = ?6, brand_fold = ?7, site = ?8, site_fold = ?9,
             author = ?10, author_fold = ?11, member = ?12, member_fold = ?13, department = ?14, department_fold = ?15,
             department_none = ?16, sentiment = ?17, status = ?18, priority = ?19, comment_ms = ?20, comment_sort = ?21,
             modified_ms = ?22, status_ms = ?23, page = ?24
         WHERE team_id = ?1 AND id = ?2",
    )?;
    stmt.execute(params![
        team_id,
        c.id,
        INDEX_VERSION,
        f.search,
        f.tags,
        f.brand,
        f.brand_fold,
        f.site,
        f.site_fold,
        f.author,
        f.author_fold,
        f.member,
        f.member_fold,
        f.department,
        f.department_fold,
        f.department_none,
        f.sentiment,
        f.status,
        f.priority,
        f.comment_ms,
        f.comment_sort,
        f.modified_ms,
        f.status_ms,
        f.page
    ])?;
    Ok(())
}

/// Derive the query columns of rows stored before them (or by an older
/// [`INDEX_VERSION`]), in short transactions walking the primary key.
pub fn backfill(conn: &mut Connection) -> rusqlite::Result<u64> {
    let mut done = 0u64;
    let mut last: (i64, String) = (i64::MIN, String::new());
    loop {
        let tx = conn.transaction()?;
        let batch: Vec<(i64, String, String)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT team_id, id, record FROM captures WHERE (team_id, id) > (?1, ?2) AND ix_version < ?3 ORDER BY team_id, id LIMIT 1000",
            )?;
            let rows = stmt.query_map(params![last.0, last.1, INDEX_VERSION], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let Some((team, id, _)) = batch.last() else { break };
        last = (*team, id.clone());
        for (team, _, json) in &batch {
            write_index(&tx, *team, &decode(json)?)?;
        }
        tx.commit()?;
        done += batch.len() as u64;
    }
    Ok(done)
}

fn decode(json: &str) -> rusqlite::Result<Capture> {
    serde_json::from_str(json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

// ---- Either engine: statements to run, and their rows into an answer ----

/// One cell of a result row, whichever engine read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
}

impl Cell {
    fn int(&self) -> i64 {
        match self {
            Cell::Int(i) => *i,
            _ => 0,
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Null => String::new(),
        }
    }

    fn sort_value(self) -> SortValue {
        match self {
            Cell::Int(i) => SortValue::Int(i),
            Cell::Text(s) => SortValue::Text(s),
            Cell::Null => SortValue::Text(String::new()),
        }
    }
}

/// The rows of one statement.
pub type Rows = Vec<Vec<Cell>>;

/// The statements one answer needs (run in order, in one snapshot) and how
/// their rows become it. Built per dialect; each engine only runs SQL and
/// reads cells, so the mapping from rows to answers exists once.
pub struct Plan<T> {
    pub statements: Vec<Sql>,
    pub answer: Box<dyn FnOnce(Vec<Rows>) -> Result<T, serde_json::Error> + Send>,
}

fn decode_record(cell: &Cell) -> Result<Capture, serde_json::Error> {
    serde_json::from_str(&cell.text())
}

/// One page of the query's rows.
pub fn list_plan(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Plan<CapturePage> {
    let q = q.clone();
    Plan {
        statements: vec![list_sql(dialect, team_id, &q)],
        answer: Box::new(move |mut results| {
            let mut items = Vec::new();
            let mut last_key = None;
            let mut more = false;
            for mut row in results.pop().unwrap_or_default() {
                if items.len() == q.limit as usize {
                    more = true;
                    break;
                }
                items.push(decode_record(&row[0])?);
                last_key = Some(row.drain(1..).map(Cell::sort_value).collect::<Vec<_>>());
            }
            let next = if more { last_key.map(|k| q.cursor_for(k).encode()) } else { None };
            Ok(CapturePage { items, next })
        }),
    }
}

/// Facet counts, how many match, how many are live.
pub fn facets_plan(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Plan<FacetCounts> {
    let mut statements = vec![count_sql(dialect, team_id, q), live_sql(dialect, team_id)];
    statements.extend(Facet::ALL.iter().map(|&f| facet_sql(dialect, team_id, q, f)));
    Plan {
        statements,
        answer: Box::new(|results| {
            let first = |rows: &Rows| rows.first().and_then(|r| r.first()).map_or(0, Cell::int) as u32;
            let mut out = FacetCounts { total: first(&results[0]), live: first(&results[1]), facets: Facets::default() };
            let f = &mut out.facets;
            for (facet, rows) in Facet::ALL.iter().zip(&results[2..]) {
                if *facet == Facet::Department {
                    let v = rows.iter().map(|r| ((r[0].int() == 0).then(|| r[1].text()), r[2].int() as u32)).collect();
                    f.departments = sorted_departments(v);
                    continue;
                }
                let ints: BTreeMap<i64, u32> =
                    rows.iter().filter_map(|r| if let Cell::Int(i) = r[0] { Some((i, r[1].int() as u32)) } else { None }).collect();
                let texts = || {
                    sorted_named(
                        rows.iter()
                            .filter_map(|r| if let Cell::Text(s) = &r[0] { Some((s.clone(), r[1].int() as u32)) } else { None })
                            .collect(),
                    )
                };
                let get = |i: i64| ints.get(&i).copied().unwrap_or(0);
                match facet {
                    Facet::Brand => f.brands = texts(),
                    Facet::Site => f.sites = texts(),
                    Facet::Member => f.members = texts(),
                    Facet::Sentiment => f.sentiments = Sentiment::ALL.iter().map(|&s| (s, get(s as i64))).collect(),
                    Facet::Status => f.statuses = Status::ALL.iter().map(|&s| (s, get(s as i64))).collect(),
                    Facet::Priority => f.priorities = Priority::ALL.iter().map(|&s| (s, get(s as i64))).collect(),
                    Facet::Department => unreachable!("handled above"),
                }
            }
            Ok(out)
        }),
    }
}

/// What the dashboard's charts show, under the query's filters.
pub fn aggregates_plan(dialect: Dialect, team_id: i64, q: &CaptureQuery, tz_offset_min: i32) -> Plan<Aggregates> {
    Plan {
        statements: AggregateChart::ALL.iter().map(|&c| aggregate_sql(dialect, team_id, q, c, tz_offset_min)).collect(),
        answer: Box::new(|results| {
            let mut per_chart: Vec<(AggregateChart, Cells)> = AggregateChart::ALL
                .iter()
                .zip(results)
                .map(|(&chart, rows)| {
                    let mut cells = Cells::new();
                    for r in rows {
                        let key = match (chart, &r[0]) {
                            (AggregateChart::SentimentPerDay, Cell::Int(i)) => {
                                Sentiment::ALL.get(*i as usize).map(|s| s.as_str().to_string()).unwrap_or_default()
                            }
                            (AggregateChart::StatusOverTime, Cell::Int(i)) => {
                                Status::ALL.get(*i as usize).map(|s| s.as_str().to_string()).unwrap_or_default()
                            }
                            (_, other) => other.text(),
                        };
                        *cells.entry(key).or_default().entry(r[1].int()).or_default() += r[2].int() as u32;
                    }
                    (chart, cells)
                })
                .collect();
            Ok(Aggregates::from_cells(|chart| {
                per_chart.iter_mut().find(|(c, _)| *c == chart).map(|(_, cells)| std::mem::take(cells)).unwrap_or_default()
            }))
        }),
    }
}

/// The live captures of one page, newest first (at most [`MAX_PAGE_LOOKUP`]).
pub fn page_plan(dialect: Dialect, team_id: i64, page: &str) -> Plan<Vec<Capture>> {
    Plan {
        statements: vec![page_sql(dialect, team_id, page)],
        answer: Box::new(|mut results| results.pop().unwrap_or_default().iter().map(|r| decode_record(&r[0])).collect()),
    }
}

// ---- SQLite: running a plan ----

fn cell(v: SqlValue) -> Cell {
    match v {
        SqlValue::Null => Cell::Null,
        SqlValue::Integer(i) => Cell::Int(i),
        SqlValue::Text(s) => Cell::Text(s),
        other => Cell::Text(format!("{other:?}")),
    }
}

/// Run a plan on SQLite, in one read transaction (one snapshot).
pub fn run<T>(conn: &mut Connection, plan: Plan<T>) -> rusqlite::Result<T> {
    let tx = conn.transaction()?;
    let mut results = Vec::with_capacity(plan.statements.len());
    for sql in &plan.statements {
        let mut stmt = tx.prepare_cached(&sql.text)?;
        let n = stmt.column_count();
        let rows = stmt.query_map(rusqlite::params_from_iter(&sql.params), |r| {
            (0..n).map(|i| r.get::<_, SqlValue>(i).map(cell)).collect::<rusqlite::Result<Vec<Cell>>>()
        })?;
        results.push(rows.collect::<rusqlite::Result<Rows>>()?);
    }
    drop(tx);
    (plan.answer)(results).map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// One page of the query's rows.
pub fn list(conn: &mut Connection, team_id: i64, q: &CaptureQuery) -> rusqlite::Result<CapturePage> {
    run(conn, list_plan(Dialect::Sqlite, team_id, q))
}

/// Facet counts, how many match, how many are live.
pub fn facets(conn: &mut Connection, team_id: i64, q: &CaptureQuery) -> rusqlite::Result<FacetCounts> {
    run(conn, facets_plan(Dialect::Sqlite, team_id, q))
}

/// What the dashboard's charts show, under the query's filters.
pub fn aggregates(conn: &mut Connection, team_id: i64, q: &CaptureQuery, tz_offset_min: i32) -> rusqlite::Result<Aggregates> {
    run(conn, aggregates_plan(Dialect::Sqlite, team_id, q, tz_offset_min))
}

/// The live captures of one page, newest first (at most [`MAX_PAGE_LOOKUP`]).
pub fn page_captures(conn: &mut Connection, team_id: i64, page: &str) -> rusqlite::Result<Vec<Capture>> {
    run(conn, page_plan(Dialect::Sqlite, team_id, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_numbers_its_placeholders_and_leads_with_the_team() {
        let q = CaptureQuery::from_pairs([("q", "50% off_"), ("brand", "A"), ("brand", "B"), ("department", ""), ("tag", "x")]).unwrap();
        let lite = list_sql(Dialect::Sqlite, 7, &q);
        let pg = list_sql(Dialect::Postgres, 7, &q);
        assert!(lite.text.contains("WHERE team_id = ?1 AND deleted = 0"), "{}", lite.text);
        assert!(pg.text.contains("WHERE team_id = $1 AND NOT deleted"), "{}", pg.text);
        assert!(lite.text.contains("instr(search, ?2) > 0"), "{}", lite.text);
        // PostgreSQL: LIKE with the wildcards of the word escaped (the trigram index answers it).
        assert!(pg.text.contains("search LIKE $2"), "{}", pg.text);
        assert_eq!(pg.params[1..3], [Param::Text("%50\\%%".into()), Param::Text("%off\\_%".into())]);
        assert_eq!(lite.params[1], Param::Text("50%".into()));
        assert_eq!(lite.params.len(), pg.params.len());
        assert!(pg.text.ends_with("ORDER BY created_ms DESC, id DESC LIMIT $7"), "{}", pg.text);
        for sql in [facet_sql(Dialect::Postgres, 7, &q, Facet::Brand), aggregate_sql(Dialect::Postgres, 7, &q, AggregateChart::BySite, 60)]
        {
            assert!(sql.text.contains("WHERE team_id = $1 "), "{}", sql.text);
        }
        // The brand facet leaves out only the brand filter.
        let f = facet_sql(Dialect::Sqlite, 7, &q, Facet::Brand);
        assert!(!f.text.contains("brand IN") && f.text.contains("department_none = 1"), "{}", f.text);
    }

    #[test]
    fn every_index_leads_with_the_team() {
        for sql in [SQLITE_MIGRATION, POSTGRES_MIGRATION] {
            for line in sql.lines().filter(|l| l.contains("CREATE INDEX")) {
                let cols = line.split_once('(').unwrap().1;
                assert!(cols.trim_start().starts_with("team_id"), "{line}");
            }
        }
    }
}
