//! Queries over the team log, run in the database.
//!
//! [`escucha_core::log::query_api`] defines what a query means (and answers
//! it over a slice of captures: the reference). Here the same query becomes
//! SQL text plus typed parameters for a [`Dialect`], over a narrow query
//! table, `capture_query`, that [`write_index`] (SQLite) and the PostgreSQL
//! push keep next to each stored record in the same transaction: folded
//! sort keys, facet values, times, page. Records stay in `captures`; a
//! facet count or chart reads only the narrow rows, mostly from covering
//! indexes. `team_id` leads every key and every query names one team, so the
//! schema can be distributed by team (the one join, from a page's keys to
//! their records, is on `(team_id, id)`: co-located).
//!
//! Search is "every folded word is a substring of the folded text": on
//! PostgreSQL `LIKE '%word%'` answered from a trigram (pg_trgm) GIN index;
//! on SQLite an FTS5 trigram index narrows the rows and `instr` decides.

use std::collections::BTreeMap;

use escucha_core::log::query::{Facets, SortKey};
use escucha_core::log::query_api::{
    search_words, sorted_departments, sorted_named, AggregateChart, Aggregates, CapturePage, CaptureQuery, Cells, Facet, FacetCounts,
    IndexFields, SortValue, MAX_PAGE_LOOKUP, TAG_SEP,
};
use escucha_core::log::{Capture, Priority, Sentiment, Status};
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::rollup;

/// Bump when [`IndexFields`] changes: rows below it are re-derived at start.
pub const INDEX_VERSION: i64 = 2;

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

/// SQLite migration 5: the narrow query table, its covering indexes and the
/// trigram index of the folded text; `captures` rebuilt as a rowid table.
///
/// The facet and chart indexes carry `deleted` as a key column, not as a
/// partial-index condition: SQLite still checks a query's `deleted = 0` on
/// the row, so a partial index was not covering and every entry cost a
/// look-up in the table (measured: 4× slower per facet).
///
/// Why: the derived columns shared rows with the record's JSON (about 5 KB
/// of page per capture), so every facet count read the whole team's
/// records; and `captures` was `WITHOUT ROWID`, which SQLite advises only
/// for rows under about 1/20 of a page: a 2 KB record left most of each page
/// empty. A rowid table keeps the record in its own b-tree, found through the
/// unique `(team_id, id)` index. [`backfill`] derives the query rows.
///
/// Search: `capture_text` is an FTS5 table with the trigram tokenizer over
/// the folded text (case-sensitive: the text is already folded, so a
/// trigram is exact bytes), `detail=none` (postings without positions: the
/// smallest index; the words are then checked with `instr` on the few
/// candidates, so the answer is exactly the core's substring rule).
pub const SQLITE_NARROW_MIGRATION: &str = "
    CREATE TABLE captures_rowid (
        team_id INTEGER NOT NULL REFERENCES teams(id),
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        record TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        first_pushed_by INTEGER NOT NULL REFERENCES members(id),
        last_pushed_by INTEGER NOT NULL REFERENCES members(id),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        UNIQUE (team_id, id)
    ) STRICT;
    INSERT INTO captures_rowid (team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by, updated_at)
        SELECT team_id, id, seq, record, created_ms, deleted, first_pushed_by, last_pushed_by, updated_at FROM captures ORDER BY team_id, seq;
    DROP TABLE captures;
    ALTER TABLE captures_rowid RENAME TO captures;
    CREATE UNIQUE INDEX captures_by_change ON captures (team_id, seq);
    CREATE INDEX captures_live_by_time ON captures (team_id, created_ms, id) WHERE deleted = 0;
    CREATE TABLE capture_query (
        team_id INTEGER NOT NULL,
        id TEXT NOT NULL,
        ix_version INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        tags TEXT NOT NULL,
        brand TEXT NOT NULL,
        brand_fold TEXT NOT NULL,
        site TEXT NOT NULL,
        site_fold TEXT NOT NULL,
        author TEXT NOT NULL,
        author_fold TEXT NOT NULL,
        member TEXT NOT NULL,
        member_fold TEXT NOT NULL,
        department TEXT NOT NULL,
        department_fold TEXT NOT NULL,
        department_none INTEGER NOT NULL,
        sentiment INTEGER NOT NULL,
        status INTEGER NOT NULL,
        priority INTEGER NOT NULL,
        comment_ms INTEGER,
        comment_sort INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL,
        status_ms INTEGER NOT NULL,
        page TEXT NOT NULL,
        text_id INTEGER NOT NULL,
        PRIMARY KEY (team_id, id)
    ) STRICT, WITHOUT ROWID;
    CREATE VIRTUAL TABLE capture_text USING fts5(search, tokenize = 'trigram case_sensitive 1', detail = none);
    CREATE INDEX capture_query_by_time ON capture_query (team_id, deleted, created_ms);
    CREATE INDEX capture_query_by_page ON capture_query (team_id, page, created_ms) WHERE deleted = 0;
    CREATE INDEX capture_query_by_text ON capture_query (team_id, text_id);
    CREATE INDEX capture_query_by_brand ON capture_query (team_id, deleted, brand, created_ms);
    CREATE INDEX capture_query_by_site ON capture_query (team_id, deleted, site, created_ms);
    CREATE INDEX capture_query_by_member ON capture_query (team_id, deleted, member);
    CREATE INDEX capture_query_by_department ON capture_query (team_id, deleted, department_none, department, created_ms);
    CREATE INDEX capture_query_by_sentiment ON capture_query (team_id, deleted, sentiment, created_ms);
    CREATE INDEX capture_query_by_status ON capture_query (team_id, deleted, status, status_ms);
    CREATE INDEX capture_query_by_priority ON capture_query (team_id, deleted, priority);";

/// SQLite migration (wsmodel12, issue 12): who owns a capture, as a query
/// column (`NULL`: unassigned) led by `team_id` like every other. Rows
/// written before it are re-derived by [`backfill`] ([`INDEX_VERSION`] 2).
pub const SQLITE_ASSIGNEE_MIGRATION: &str = "
    ALTER TABLE capture_query ADD COLUMN assignee TEXT;
    CREATE INDEX capture_query_by_assignee ON capture_query (team_id, deleted, assignee, created_ms);";

/// PostgreSQL migration: the same column and index.
pub const POSTGRES_ASSIGNEE_MIGRATION: &str = r#"
    ALTER TABLE capture_query ADD COLUMN assignee text COLLATE "C";
    CREATE INDEX capture_query_live_by_assignee ON capture_query (team_id, assignee, created_ms) WHERE NOT deleted;"#;

/// SQLite's full-text index: the FTS5 table and its shadow tables. Not
/// keyed by team (FTS5 keys by its own rowid), and never distributed: a
/// deployment that shards by team runs PostgreSQL, whose trigram index sits
/// in `capture_query` behind `team_id`. Every search reaches it from the
/// team's own query rows (`text_id`), so no answer mixes teams.
pub const SQLITE_SEARCH_TABLES: [&str; 6] =
    ["capture_text", "capture_text_data", "capture_text_idx", "capture_text_content", "capture_text_docsize", "capture_text_config"];

/// PostgreSQL migration 3: the same narrow query table (with the folded
/// text and its trigram index in it), filled from the columns migration 2
/// added to `captures`, which are then dropped with their indexes.
pub const POSTGRES_NARROW_MIGRATION: &str = r#"
    CREATE TABLE capture_query (
        team_id bigint NOT NULL,
        id text COLLATE "C" NOT NULL,
        ix_version bigint NOT NULL,
        created_ms bigint NOT NULL,
        deleted boolean NOT NULL,
        tags text COLLATE "C" NOT NULL,
        brand text COLLATE "C" NOT NULL,
        brand_fold text COLLATE "C" NOT NULL,
        site text COLLATE "C" NOT NULL,
        site_fold text COLLATE "C" NOT NULL,
        author text COLLATE "C" NOT NULL,
        author_fold text COLLATE "C" NOT NULL,
        member text COLLATE "C" NOT NULL,
        member_fold text COLLATE "C" NOT NULL,
        department text COLLATE "C" NOT NULL,
        department_fold text COLLATE "C" NOT NULL,
        department_none bigint NOT NULL,
        sentiment bigint NOT NULL,
        status bigint NOT NULL,
        priority bigint NOT NULL,
        comment_ms bigint,
        comment_sort bigint NOT NULL,
        modified_ms bigint NOT NULL,
        status_ms bigint NOT NULL,
        page text COLLATE "C" NOT NULL,
        search text COLLATE "C" NOT NULL,
        PRIMARY KEY (team_id, id)
    );
    INSERT INTO capture_query
        SELECT team_id, id, ix_version, created_ms, deleted, tags, brand, brand_fold, site, site_fold, author, author_fold,
               member, member_fold, department, department_fold, department_none, sentiment, status, priority, comment_ms,
               comment_sort, modified_ms, status_ms, page, search
        FROM captures;
    DROP INDEX captures_search_trgm, captures_by_page, captures_live_by_status, captures_live_by_brand, captures_live_by_site,
        captures_live_by_department;
    ALTER TABLE captures
        DROP COLUMN ix_version, DROP COLUMN search, DROP COLUMN tags, DROP COLUMN brand, DROP COLUMN brand_fold,
        DROP COLUMN site, DROP COLUMN site_fold, DROP COLUMN author, DROP COLUMN author_fold, DROP COLUMN member,
        DROP COLUMN member_fold, DROP COLUMN department, DROP COLUMN department_fold, DROP COLUMN department_none,
        DROP COLUMN sentiment, DROP COLUMN status, DROP COLUMN priority, DROP COLUMN comment_ms, DROP COLUMN comment_sort,
        DROP COLUMN modified_ms, DROP COLUMN status_ms, DROP COLUMN page;
    CREATE INDEX capture_query_search_trgm ON capture_query USING gin (team_id, search gin_trgm_ops);
    CREATE INDEX capture_query_live_by_time ON capture_query (team_id, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_by_page ON capture_query (team_id, page, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_brand ON capture_query (team_id, brand, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_site ON capture_query (team_id, site, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_member ON capture_query (team_id, member) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_department ON capture_query (team_id, department_none, department, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_sentiment ON capture_query (team_id, sentiment, created_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_status ON capture_query (team_id, status, status_ms) WHERE NOT deleted;
    CREATE INDEX capture_query_live_by_priority ON capture_query (team_id, priority) WHERE NOT deleted;"#;

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
    /// SQLite: check the words on each row reached through the other
    /// filters (in the page's order), not through the trigram index.
    walk_search: bool,
}

impl Builder {
    fn new(dialect: Dialect) -> Builder {
        Builder { dialect, params: Vec::new(), walk_search: false }
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

    /// `haystack` contains `needle` as a substring (tags; the folded text
    /// goes through [`Builder::search`]).
    fn contains(&mut self, haystack: &str, needle: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => {
                let p = self.text(needle);
                format!("instr({haystack}, {p}) > 0")
            }
            Dialect::Postgres => {
                let p = self.text(&like_pattern(needle));
                format!("{haystack} LIKE {p}")
            }
        }
    }

    /// Every word is a substring of the folded text.
    ///
    /// PostgreSQL: `search LIKE '%word%'` per word, answered from the
    /// trigram GIN index. SQLite: the FTS5 trigram index gives the rows
    /// holding every trigram of every word of 3 characters or more (a
    /// superset), and `instr` keeps those where each whole word occurs, so
    /// the answer is exactly the core's. Words all shorter than 3 characters
    /// have no trigram: their rows are checked one by one.
    fn search(&mut self, words: &[String]) -> String {
        match self.dialect {
            Dialect::Postgres => words.iter().map(|w| self.contains("search", w)).collect::<Vec<_>>().join(" AND "),
            Dialect::Sqlite => {
                let grams = fts_trigrams(words);
                let m = (!grams.is_empty() && !self.walk_search).then(|| self.text(&grams));
                let checks = words.iter().map(|w| self.contains("search", w)).collect::<Vec<_>>().join(" AND ");
                match m {
                    Some(m) => format!("text_id IN (SELECT rowid FROM capture_text WHERE capture_text MATCH {m} AND {checks})"),
                    None => format!("(SELECT {checks} FROM capture_text WHERE rowid = text_id)"),
                }
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
        let words = search_words(&q.text);
        if !words.is_empty() {
            w.push(self.search(&words));
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
        if !q.assignees.is_empty() && skip != Some(Facet::Assignee) {
            let mut alts = Vec::new();
            if q.assignees.iter().any(Option::is_none) {
                alts.push("assignee IS NULL".to_string());
            }
            let named: Vec<String> = q.assignees.iter().flatten().cloned().collect();
            if !named.is_empty() {
                alts.push(self.in_texts("assignee", &named));
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

/// `%needle%` for LIKE, with LIKE's own wildcards escaped.
fn like_pattern(needle: &str) -> String {
    let escaped: String = needle.chars().flat_map(|c| if matches!(c, '\\' | '%' | '_') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{escaped}%")
}

/// An FTS5 query asking for every trigram of every word of 3 characters or
/// more (each a quoted string, `"` doubled); empty when there is none.
fn fts_trigrams(words: &[String]) -> String {
    let mut grams: Vec<String> = Vec::new();
    for w in words {
        let chars: Vec<char> = w.chars().collect();
        for g in chars.windows(3) {
            let g: String = g.iter().collect();
            let quoted = format!("\"{}\"", g.replace('"', "\"\""));
            if !grams.contains(&quoted) {
                grams.push(quoted);
            }
        }
    }
    grams.join(" AND ")
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
    list_sql_by(Builder::new(dialect), team_id, q)
}

fn list_sql_by(mut b: Builder, team_id: i64, q: &CaptureQuery) -> Sql {
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
        // The page's keys from the narrow table first, then each kept row's
        // record (so a sorted scan never carries records).
        text: format!(
            "SELECT (SELECT record FROM captures c WHERE c.team_id = k.team_id AND c.id = k.id), {cols} \
             FROM (SELECT team_id, {cols} FROM capture_query WHERE {w} ORDER BY {order} LIMIT {limit}) AS k ORDER BY {order}",
            cols = cols.join(", "),
            order = order.join(", ")
        ),
        params: b.params,
    }
}

/// The columns a facet groups by.
pub(crate) fn facet_columns(f: Facet) -> &'static str {
    match f {
        Facet::Brand => "brand",
        Facet::Sentiment => "sentiment",
        Facet::Department => "department_none, department",
        Facet::Status => "status",
        Facet::Priority => "priority",
        Facet::Site => "site",
        Facet::Member => "member",
        Facet::Assignee => "assignee",
    }
}

/// Counts per value of one facet, under every other filter.
pub fn facet_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, facet: Facet) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, Some(facet));
    let cols = facet_columns(facet);
    Sql { text: format!("SELECT {cols}, count(*) FROM capture_query WHERE {w} GROUP BY {cols}"), params: b.params }
}

/// q16c: `cols` of the rows passing every filter (`crate::facet_pass`).
pub(crate) fn matching_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, cols: &str) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, None);
    Sql { text: format!("SELECT {cols} FROM capture_query WHERE {w}"), params: b.params }
}

/// How many captures pass every filter.
pub fn count_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Sql {
    let mut b = Builder::new(dialect);
    let w = b.filters(team_id, q, None);
    Sql { text: format!("SELECT count(*) FROM capture_query WHERE {w}"), params: b.params }
}

/// Live captures in the team's log.
pub fn live_sql(dialect: Dialect, team_id: i64) -> Sql {
    let mut b = Builder::new(dialect);
    let live = b.live(team_id);
    Sql { text: format!("SELECT count(*) FROM capture_query WHERE {live}"), params: b.params }
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
    Sql { text: format!("SELECT {key}, {day} AS day, count(*) FROM capture_query WHERE {w} GROUP BY {key}, day"), params: b.params }
}

/// The live captures of one page (URL without fragment), newest first.
pub fn page_sql(dialect: Dialect, team_id: i64, page: &str) -> Sql {
    let mut b = Builder::new(dialect);
    let live = b.live(team_id);
    let p = b.text(page);
    let limit = b.int(i64::from(MAX_PAGE_LOOKUP));
    Sql {
        text: format!(
            "SELECT (SELECT record FROM captures c WHERE c.team_id = k.team_id AND c.id = k.id) \
             FROM (SELECT team_id, id, created_ms FROM capture_query WHERE {live} AND page = {p} \
                   ORDER BY created_ms DESC, id DESC LIMIT {limit}) AS k \
             ORDER BY created_ms DESC, id DESC"
        ),
        params: b.params,
    }
}

// ---- SQLite: writing the derived columns ----

/// Derive and store the query row of a just-written record (its folded
/// text in `capture_text` only when it changed: most edits leave it).
pub fn write_index(conn: &Connection, team_id: i64, c: &Capture) -> rusqlite::Result<()> {
    let f = IndexFields::of(c);
    let old: Option<i64> = conn
        .prepare_cached("SELECT text_id FROM capture_query WHERE team_id = ?1 AND id = ?2")?
        .query_row(params![team_id, c.id], |r| r.get(0))
        .optional()?;
    let text_id = match old {
        Some(text_id) => {
            let stored: Option<String> = conn
                .prepare_cached("SELECT search FROM capture_text WHERE rowid = ?1")?
                .query_row(params![text_id], |r| r.get(0))
                .optional()?;
            if stored.as_deref() != Some(f.search.as_str()) {
                conn.prepare_cached("DELETE FROM capture_text WHERE rowid = ?1")?.execute(params![text_id])?;
                conn.prepare_cached("INSERT INTO capture_text (rowid, search) VALUES (?1, ?2)")?.execute(params![text_id, f.search])?;
            }
            text_id
        }
        None => {
            conn.prepare_cached("INSERT INTO capture_text (search) VALUES (?1)")?.execute(params![f.search])?;
            conn.last_insert_rowid()
        }
    };
    let mut stmt = conn.prepare_cached(
        "INSERT INTO capture_query (team_id, id, ix_version, created_ms, deleted, tags, brand, brand_fold, site, site_fold,
             author, author_fold, member, member_fold, department, department_fold, department_none, sentiment, status, priority,
             comment_ms, comment_sort, modified_ms, status_ms, page, text_id, assignee)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
         ON CONFLICT (team_id, id) DO UPDATE SET
             ix_version = excluded.ix_version, created_ms = excluded.created_ms, deleted = excluded.deleted, tags = excluded.tags,
             brand = excluded.brand, brand_fold = excluded.brand_fold, site = excluded.site, site_fold = excluded.site_fold,
             author = excluded.author, author_fold = excluded.author_fold, member = excluded.member, member_fold = excluded.member_fold,
             department = excluded.department, department_fold = excluded.department_fold, department_none = excluded.department_none,
             sentiment = excluded.sentiment, status = excluded.status, priority = excluded.priority, comment_ms = excluded.comment_ms,
             comment_sort = excluded.comment_sort, modified_ms = excluded.modified_ms, status_ms = excluded.status_ms,
             page = excluded.page, text_id = excluded.text_id, assignee = excluded.assignee",
    )?;
    stmt.execute(params![
        team_id,
        c.id,
        INDEX_VERSION,
        c.created_ms,
        c.deleted.value,
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
        f.page,
        text_id,
        f.assignee
    ])?;
    Ok(())
}

/// Derive the query rows of records stored without one (before the narrow
/// table existed) or by an older [`INDEX_VERSION`], in short transactions
/// walking the team's records in key order.
pub fn backfill(conn: &mut Connection) -> rusqlite::Result<u64> {
    // Most starts have nothing to do: two counts instead of a walk.
    let (records, current): (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM captures), (SELECT count(*) FROM capture_query WHERE ix_version >= ?1)",
        params![INDEX_VERSION],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if records == current {
        return Ok(0);
    }
    let mut done = 0u64;
    let mut last: (i64, String) = (i64::MIN, String::new());
    loop {
        let tx = conn.transaction()?;
        let batch: Vec<(i64, String, String)> = {
            let mut stmt = tx.prepare_cached(
                "SELECT c.team_id, c.id, c.record FROM captures c
                 WHERE (c.team_id, c.id) > (?1, ?2)
                   AND NOT EXISTS (SELECT 1 FROM capture_query q WHERE q.team_id = c.team_id AND q.id = c.id AND q.ix_version >= ?3)
                 ORDER BY c.team_id, c.id LIMIT 1000",
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
    list_plan_of(list_sql(dialect, team_id, q), q)
}

fn list_plan_of(sql: Sql, q: &CaptureQuery) -> Plan<CapturePage> {
    let q = q.clone();
    Plan {
        statements: vec![sql],
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
    // q16c: from the roll-up where the answer is a sum of its buckets.
    let count = rollup::count_sql(dialect, team_id, q).unwrap_or_else(|| count_sql(dialect, team_id, q));
    let mut statements = vec![count, rollup::live_sql(dialect, team_id)];
    statements
        .extend(Facet::ALL.iter().map(|&f| rollup::facet_sql(dialect, team_id, q, f).unwrap_or_else(|| facet_sql(dialect, team_id, q, f))));
    let plan = Plan {
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
                if *facet == Facet::Assignee {
                    let v = rows.iter().map(|r| (Some(r[0].text()).filter(|_| r[0] != Cell::Null), r[1].int() as u32)).collect();
                    f.assignees = sorted_departments(v);
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
                    Facet::Department | Facet::Assignee => unreachable!("handled above"),
                }
            }
            Ok(out)
        }),
    };
    crate::facet_pass::one_pass(dialect, team_id, q, plan)
}

/// What the dashboard's charts show, under the query's filters.
pub fn aggregates_plan(dialect: Dialect, team_id: i64, q: &CaptureQuery, tz_offset_min: i32) -> Plan<Aggregates> {
    let plan = Plan {
        statements: AggregateChart::ALL
            .iter()
            .map(|&c| {
                rollup::aggregate_sql(dialect, team_id, q, c, tz_offset_min)
                    .unwrap_or_else(|| aggregate_sql(dialect, team_id, q, c, tz_offset_min))
            })
            .collect(),
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
    };
    crate::facet_pass::charts_one_pass(dialect, team_id, q, tz_offset_min, plan)
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
///
/// q16c: a search whose words are common (their trigrams match at least
/// [`COMMON_MATCHES`] rows) in time order walks the team's time index and
/// checks each row's text, stopping at the page's end, instead of
/// collecting every match from the trigram index and sorting them: the
/// page is then found within its first hundreds of rows. Rarer words keep
/// the index (a walk would read most of the team to fill a page).
pub fn list(conn: &mut Connection, team_id: i64, q: &CaptureQuery) -> rusqlite::Result<CapturePage> {
    let grams = fts_trigrams(&search_words(&q.text));
    let walk = q.sort == SortKey::Created && !grams.is_empty() && {
        let n: i64 = conn
            .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM capture_text WHERE capture_text MATCH ?1 LIMIT ?2)")?
            .query_row(params![grams, COMMON_MATCHES], |r| r.get(0))?;
        n >= COMMON_MATCHES
    };
    if walk {
        return list_walking(conn, team_id, q);
    }
    run(conn, list_plan(Dialect::Sqlite, team_id, q))
}

/// [`list`] with the words checked row by row (tests compare both plans).
pub(crate) fn list_walking(conn: &mut Connection, team_id: i64, q: &CaptureQuery) -> rusqlite::Result<CapturePage> {
    let b = Builder { walk_search: true, ..Builder::new(Dialect::Sqlite) };
    run(conn, list_plan_of(list_sql_by(b, team_id, q), q))
}

/// How many trigram matches (every team's) make a search's words common.
pub const COMMON_MATCHES: i64 = 2_000;

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
        // SQLite: the FTS5 trigram index narrows, instr decides (one more parameter: the trigram query).
        assert!(
            lite.text.contains("text_id IN (SELECT rowid FROM capture_text WHERE capture_text MATCH ?2 AND instr(search, ?3) > 0 AND instr(search, ?4) > 0)"),
            "{}",
            lite.text
        );
        // PostgreSQL: LIKE with the wildcards of the word escaped (the trigram index answers it).
        assert!(pg.text.contains("search LIKE $2"), "{}", pg.text);
        assert_eq!(pg.params[1..3], [Param::Text("%50\\%%".into()), Param::Text("%off\\_%".into())]);
        assert_eq!(
            lite.params[1..4],
            [Param::Text(r#""50%" AND "off" AND "ff_""#.into()), Param::Text("50%".into()), Param::Text("off_".into())]
        );
        assert_eq!(lite.params.len(), pg.params.len() + 1);
        assert!(pg.text.ends_with("ORDER BY created_ms DESC, id DESC LIMIT $7) AS k ORDER BY created_ms DESC, id DESC"), "{}", pg.text);
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
        for sql in [SQLITE_MIGRATION, POSTGRES_MIGRATION, SQLITE_NARROW_MIGRATION, POSTGRES_NARROW_MIGRATION] {
            for line in sql.lines().filter(|l| l.contains("CREATE INDEX")) {
                let cols = line.split_once('(').unwrap().1;
                assert!(cols.trim_start().starts_with("team_id"), "{line}");
            }
        }
    }
}
