//! Per-team roll-ups of the query table: how many live captures per team ×
//! dimension × time bucket × value, kept by triggers on `capture_query` in
//! the writing transaction (both engines), so the dashboard's unfiltered
//! facets and charts read a few thousand summed rows instead of counting
//! the team's whole log.
//!
//! `capture_rollup (team_id, dim, hour, ival, tval, n)`: `dim` names a
//! dimension and its bucket size ([`Dim`]); `hour` is the bucket's first
//! UTC hour (hours since the epoch); a value is `ival` (sentiment, status,
//! priority, "no department") and `tval` (brand, department, site, member).
//! Daily buckets answer facets (every value of every facet, a few hundred
//! rows a year per value); hourly buckets answer the charts, whose days are
//! the user's (`tz`): a local day is whole UTC hours when the offset is.
//!
//! A query is answered here only when its result is exactly a sum of
//! buckets ([`range`]): no filter but the facet being counted, and a
//! capture-time range on whole buckets. Anything else (a search, a tag, a
//! second facet, a range inside a day) is counted over its rows as before.
//! A count that moved to zero leaves its row (`n = 0`); reads drop those
//! with `HAVING`.

use escucha_core::log::query::DateField;
use escucha_core::log::query_api::{AggregateChart, CaptureQuery, Facet};

use crate::query::{Dialect, Param, Sql};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// The rolled-up dimensions: `dim % 10` is the value, `dim / 10` the bucket
/// (0: UTC day, by capture time; 1: hour). `StatusHour` buckets by the time
/// the status was set (the status chart's day), the rest by capture time.
/// The triggers' SQL below spells the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    SentimentDay = 0,
    BrandDay = 1,
    DepartmentDay = 2,
    SiteDay = 3,
    StatusDay = 4,
    PriorityDay = 5,
    MemberDay = 6,
    SentimentHour = 10,
    BrandHour = 11,
    DepartmentHour = 12,
    SiteHour = 13,
    StatusHour = 14,
}

/// One row's contributions, for `r` (a row alias with its dot, or SQLite's
/// `NEW.`/`OLD.`) with sign `s`: one row per [`Dim`].
macro_rules! contributions {
    ($r:literal, $s:literal) => {
        concat!(
            "SELECT ",
            $r,
            "team_id AS team_id, k.column1 AS dim,
                 CASE WHEN k.column1 = 14 THEN (",
            $r,
            "status_ms - ((",
            $r,
            "status_ms % 3600000 + 3600000) % 3600000)) / 3600000
                      WHEN k.column1 >= 10 THEN (",
            $r,
            "created_ms - ((",
            $r,
            "created_ms % 3600000 + 3600000) % 3600000)) / 3600000
                      ELSE (",
            $r,
            "created_ms - ((",
            $r,
            "created_ms % 86400000 + 86400000) % 86400000)) / 3600000 END AS hour,
                 CASE k.column1 % 10 WHEN 0 THEN ",
            $r,
            "sentiment WHEN 2 THEN ",
            $r,
            "department_none WHEN 4 THEN ",
            $r,
            "status
                      WHEN 5 THEN ",
            $r,
            "priority ELSE 0 END AS ival,
                 CASE k.column1 % 10 WHEN 1 THEN ",
            $r,
            "brand WHEN 2 THEN ",
            $r,
            "department WHEN 3 THEN ",
            $r,
            "site
                      WHEN 6 THEN ",
            $r,
            "member ELSE '' END AS tval,
                 ",
            $s,
            " AS n
             FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (10), (11), (12), (13), (14)) AS k"
        )
    };
}

/// Every live query row's contributions summed (`$live`: the engine's "not
/// a tombstone"): what the roll-up holds, computed afresh.
macro_rules! recount {
    ($live:literal) => {
        concat!(
            "SELECT team_id, dim, hour, ival, tval, sum(n) AS n FROM (",
            contributions!("q.", "1"),
            " CROSS JOIN capture_query q WHERE ",
            $live,
            ") AS c GROUP BY 1, 2, 3, 4, 5"
        )
    };
}

/// Whether an update moved anything the roll-up counts (SQLite triggers).
macro_rules! moved {
    () => {
        "OLD.deleted IS NOT NEW.deleted OR OLD.created_ms IS NOT NEW.created_ms OR OLD.status_ms IS NOT NEW.status_ms
         OR OLD.sentiment IS NOT NEW.sentiment OR OLD.brand IS NOT NEW.brand OR OLD.department_none IS NOT NEW.department_none
         OR OLD.department IS NOT NEW.department OR OLD.site IS NOT NEW.site OR OLD.status IS NOT NEW.status
         OR OLD.priority IS NOT NEW.priority OR OLD.member IS NOT NEW.member OR OLD.team_id IS NOT NEW.team_id"
    };
}

/// q16d: one row's contributions as `contributions!`, with the bucket's UTC
/// hour of day (`hod`: 0 for daily buckets) as its own key column, so the
/// hours a whole-hour `tz` moves across a day boundary are index ranges.
macro_rules! contributions_hod {
    ($r:literal, $s:literal) => {
        concat!(
            "SELECT ",
            $r,
            "team_id AS team_id, k.column1 AS dim,
                 CASE WHEN k.column1 = 14 THEN ((",
            $r,
            "status_ms % 86400000 + 86400000) % 86400000) / 3600000
                      WHEN k.column1 >= 10 THEN ((",
            $r,
            "created_ms % 86400000 + 86400000) % 86400000) / 3600000
                      ELSE 0 END AS hod,
                 CASE WHEN k.column1 = 14 THEN (",
            $r,
            "status_ms - ((",
            $r,
            "status_ms % 3600000 + 3600000) % 3600000)) / 3600000
                      WHEN k.column1 >= 10 THEN (",
            $r,
            "created_ms - ((",
            $r,
            "created_ms % 3600000 + 3600000) % 3600000)) / 3600000
                      ELSE (",
            $r,
            "created_ms - ((",
            $r,
            "created_ms % 86400000 + 86400000) % 86400000)) / 3600000 END AS hour,
                 CASE k.column1 % 10 WHEN 0 THEN ",
            $r,
            "sentiment WHEN 2 THEN ",
            $r,
            "department_none WHEN 4 THEN ",
            $r,
            "status
                      WHEN 5 THEN ",
            $r,
            "priority ELSE 0 END AS ival,
                 CASE k.column1 % 10 WHEN 1 THEN ",
            $r,
            "brand WHEN 2 THEN ",
            $r,
            "department WHEN 3 THEN ",
            $r,
            "site
                      WHEN 6 THEN ",
            $r,
            "member ELSE '' END AS tval,
                 ",
            $s,
            " AS n
             FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (10), (11), (12), (13), (14)) AS k"
        )
    };
}

/// `recount!` with the hour-of-day column.
macro_rules! recount_hod {
    ($live:literal) => {
        concat!(
            "SELECT team_id, dim, hod, hour, ival, tval, sum(n) AS n FROM (",
            contributions_hod!("q.", "1"),
            " CROSS JOIN capture_query q WHERE ",
            $live,
            ") AS c GROUP BY 1, 2, 3, 4, 5, 6"
        )
    };
}

/// SQLite migration 6: the roll-up table, its triggers, and the counts of
/// the rows already stored. Row triggers: SQLite has no statement triggers.
pub const SQLITE_MIGRATION: &str = concat!(
    "CREATE TABLE capture_rollup (
         team_id INTEGER NOT NULL,
         dim INTEGER NOT NULL,
         hour INTEGER NOT NULL,
         ival INTEGER NOT NULL,
         tval TEXT NOT NULL,
         n INTEGER NOT NULL,
         PRIMARY KEY (team_id, dim, hour, ival, tval)
     ) STRICT, WITHOUT ROWID;
     INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) ",
    recount!("q.deleted = 0"),
    ";
     CREATE TRIGGER capture_rollup_inserted AFTER INSERT ON capture_query WHEN NEW.deleted = 0 BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) ",
    contributions!("NEW.", "1"),
    " WHERE true ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_updated_from AFTER UPDATE ON capture_query WHEN OLD.deleted = 0 AND (",
    moved!(),
    ") BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) ",
    contributions!("OLD.", "-1"),
    " WHERE true ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_updated_to AFTER UPDATE ON capture_query WHEN NEW.deleted = 0 AND (",
    moved!(),
    ") BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) ",
    contributions!("NEW.", "1"),
    " WHERE true ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_deleted AFTER DELETE ON capture_query WHEN OLD.deleted = 0 BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) ",
    contributions!("OLD.", "-1"),
    " WHERE true ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;"
);

/// PostgreSQL migration 4: the same table, kept by statement triggers over
/// transition tables (one grouped upsert per statement, not one per row: a
/// push of 1,000 captures is one `INSERT … ON CONFLICT` here). The push
/// holds the team's counter row, so two writers of one team never race on
/// its roll-up rows; other teams' rows are other keys.
pub const POSTGRES_MIGRATION: &str = concat!(
    r#"CREATE TABLE capture_rollup (
         team_id bigint NOT NULL,
         dim bigint NOT NULL,
         hour bigint NOT NULL,
         ival bigint NOT NULL,
         tval text COLLATE "C" NOT NULL,
         n bigint NOT NULL,
         PRIMARY KEY (team_id, dim, hour, ival, tval)
     );
     INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n) "#,
    recount!("NOT q.deleted"),
    r#";
     CREATE FUNCTION capture_rollup_inserted() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n)
             SELECT team_id, dim, hour, ival, tval, sum(n) FROM ("#,
    contributions!("r.", "1"),
    r#" CROSS JOIN new_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5
         ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE FUNCTION capture_rollup_updated() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n)
             SELECT team_id, dim, hour, ival, tval, sum(n) FROM ("#,
    contributions!("r.", "1"),
    r#" CROSS JOIN new_rows r WHERE NOT r.deleted UNION ALL "#,
    contributions!("r.", "-1"),
    r#" CROSS JOIN old_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0
         ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE FUNCTION capture_rollup_deleted() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hour, ival, tval, n)
             SELECT team_id, dim, hour, ival, tval, sum(n) FROM ("#,
    contributions!("r.", "-1"),
    r#" CROSS JOIN old_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5
         ON CONFLICT (team_id, dim, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE TRIGGER capture_rollup_inserted AFTER INSERT ON capture_query
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_inserted();
     CREATE TRIGGER capture_rollup_updated AFTER UPDATE ON capture_query
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_updated();
     CREATE TRIGGER capture_rollup_deleted AFTER DELETE ON capture_query
         REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_deleted();"#
);

/// q16d, SQLite: the roll-up rebuilt keyed `(team_id, dim, hod, hour, ival,
/// tval)` (recounted from the query rows; triggers as in migration 6).
pub const SQLITE_HOD_MIGRATION: &str = concat!(
    "DROP TRIGGER IF EXISTS capture_rollup_inserted;
     DROP TRIGGER IF EXISTS capture_rollup_updated_from;
     DROP TRIGGER IF EXISTS capture_rollup_updated_to;
     DROP TRIGGER IF EXISTS capture_rollup_deleted;
     DROP TABLE IF EXISTS capture_rollup;
     CREATE TABLE capture_rollup (
         team_id INTEGER NOT NULL,
         dim INTEGER NOT NULL,
         hod INTEGER NOT NULL,
         hour INTEGER NOT NULL,
         ival INTEGER NOT NULL,
         tval TEXT NOT NULL,
         n INTEGER NOT NULL,
         PRIMARY KEY (team_id, dim, hod, hour, ival, tval)
     ) STRICT, WITHOUT ROWID;
     INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) ",
    recount_hod!("q.deleted = 0"),
    ";
     CREATE TRIGGER capture_rollup_inserted AFTER INSERT ON capture_query WHEN NEW.deleted = 0 BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) ",
    contributions_hod!("NEW.", "1"),
    " WHERE true ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_updated_from AFTER UPDATE ON capture_query WHEN OLD.deleted = 0 AND (",
    moved!(),
    ") BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) ",
    contributions_hod!("OLD.", "-1"),
    " WHERE true ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_updated_to AFTER UPDATE ON capture_query WHEN NEW.deleted = 0 AND (",
    moved!(),
    ") BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) ",
    contributions_hod!("NEW.", "1"),
    " WHERE true ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;
     CREATE TRIGGER capture_rollup_deleted AFTER DELETE ON capture_query WHEN OLD.deleted = 0 BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) ",
    contributions_hod!("OLD.", "-1"),
    " WHERE true ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = n + excluded.n;
     END;"
);

/// q16d, PostgreSQL: the same rebuild (statement triggers as in migration 4).
pub const POSTGRES_HOD_MIGRATION: &str = concat!(
    r#"DROP TRIGGER IF EXISTS capture_rollup_inserted ON capture_query;
     DROP TRIGGER IF EXISTS capture_rollup_updated ON capture_query;
     DROP TRIGGER IF EXISTS capture_rollup_deleted ON capture_query;
     DROP TABLE IF EXISTS capture_rollup;
     CREATE TABLE capture_rollup (
         team_id bigint NOT NULL,
         dim bigint NOT NULL,
         hod bigint NOT NULL,
         hour bigint NOT NULL,
         ival bigint NOT NULL,
         tval text COLLATE "C" NOT NULL,
         n bigint NOT NULL,
         PRIMARY KEY (team_id, dim, hod, hour, ival, tval)
     );
     INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n) "#,
    recount_hod!("NOT q.deleted"),
    r#";
     CREATE OR REPLACE FUNCTION capture_rollup_inserted() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n)
             SELECT team_id, dim, hod, hour, ival, tval, sum(n) FROM ("#,
    contributions_hod!("r.", "1"),
    r#" CROSS JOIN new_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5, 6
         ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE OR REPLACE FUNCTION capture_rollup_updated() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n)
             SELECT team_id, dim, hod, hour, ival, tval, sum(n) FROM ("#,
    contributions_hod!("r.", "1"),
    r#" CROSS JOIN new_rows r WHERE NOT r.deleted UNION ALL "#,
    contributions_hod!("r.", "-1"),
    r#" CROSS JOIN old_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0
         ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE OR REPLACE FUNCTION capture_rollup_deleted() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN
         INSERT INTO capture_rollup (team_id, dim, hod, hour, ival, tval, n)
             SELECT team_id, dim, hod, hour, ival, tval, sum(n) FROM ("#,
    contributions_hod!("r.", "-1"),
    r#" CROSS JOIN old_rows r WHERE NOT r.deleted) AS c GROUP BY 1, 2, 3, 4, 5, 6
         ON CONFLICT (team_id, dim, hod, hour, ival, tval) DO UPDATE SET n = capture_rollup.n + excluded.n;
         RETURN NULL;
     END $f$;
     CREATE TRIGGER capture_rollup_inserted AFTER INSERT ON capture_query
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_inserted();
     CREATE TRIGGER capture_rollup_updated AFTER UPDATE ON capture_query
         REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_updated();
     CREATE TRIGGER capture_rollup_deleted AFTER DELETE ON capture_query
         REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION capture_rollup_deleted();"#
);

/// Bucket bounds in hours since the epoch, from (inclusive) and to
/// (exclusive); `None`: open.
pub type Hours = (Option<i64>, Option<i64>);

/// The roll-up's bucket bounds for `q` with `skip`'s filter left out, when
/// the answer is exactly a sum of buckets of `bucket_ms`: `Some((from, to))`
/// in hours (either open). `None`: count the rows instead.
///
/// Decided by elimination, so a filter added to [`CaptureQuery`] later
/// sends its queries to the row counts until the roll-up learns it: clear
/// what the roll-up answers (order and paging change no count; the facet
/// being counted; a capture-time range on whole buckets) and what is left
/// must be the empty query.
pub fn range(q: &CaptureQuery, skip: Option<Facet>, bucket_ms: i64) -> Option<Hours> {
    let blank = CaptureQuery::default();
    let mut rest = q.clone();
    rest.sort = blank.sort;
    rest.descending = blank.descending;
    rest.after = None;
    rest.limit = blank.limit;
    match skip {
        None => {}
        Some(Facet::Brand) => rest.brands.clear(),
        Some(Facet::Sentiment) => rest.sentiments.clear(),
        Some(Facet::Department) => rest.departments.clear(),
        Some(Facet::Status) => rest.statuses.clear(),
        Some(Facet::Priority) => rest.priorities.clear(),
        Some(Facet::Site) => rest.sites.clear(),
        Some(Facet::Member) => rest.members.clear(),
        Some(Facet::Assignee) => rest.assignees.clear(),
    }
    let (from, to) = (rest.from_ms.take(), rest.to_ms.take());
    if (from.is_some() || to.is_some()) && rest.date_field != DateField::Created {
        return None;
    }
    rest.date_field = blank.date_field;
    let whole = |t: Option<i64>| t.is_none_or(|t| t.rem_euclid(bucket_ms) == 0);
    (rest == blank && whole(from) && whole(to)).then(|| (from.map(|t| t.div_euclid(HOUR_MS)), to.map(|t| t.div_euclid(HOUR_MS))))
}

fn ph(dialect: Dialect, params: &mut Vec<Param>, p: Param) -> String {
    params.push(p);
    match dialect {
        Dialect::Sqlite => format!("?{}", params.len()),
        Dialect::Postgres => format!("${}", params.len()),
    }
}

/// `team_id = … AND dim = …` and the bucket bounds; daily rows' `hod` is 0
/// (the key's third column), hourly rows' one of `hods` (all when empty).
fn rollup_where(dialect: Dialect, params: &mut Vec<Param>, team_id: i64, dim: Dim, (from, to): Hours) -> String {
    hours_where(dialect, params, team_id, dim, &[], (from, to))
}

fn hours_where(dialect: Dialect, params: &mut Vec<Param>, team_id: i64, dim: Dim, hods: &[i64], (from, to): Hours) -> String {
    let t = ph(dialect, params, Param::Int(team_id));
    let d = ph(dialect, params, Param::Int(dim as i64));
    let mut w = format!("team_id = {t} AND dim = {d}");
    if (dim as i64) < 10 {
        w.push_str(" AND hod = 0");
    } else if !hods.is_empty() {
        // One index range per hour of day (both engines probe an `IN` list).
        let list: Vec<String> = hods.iter().map(i64::to_string).collect();
        w.push_str(&format!(" AND hod IN ({})", list.join(", ")));
    }
    if let Some(f) = from {
        w.push_str(&format!(" AND hour >= {}", ph(dialect, params, Param::Int(f))));
    }
    if let Some(to) = to {
        w.push_str(&format!(" AND hour < {}", ph(dialect, params, Param::Int(to))));
    }
    w
}

/// The value columns of a dimension, as the row counts select them.
fn value_columns(dim: Dim) -> &'static str {
    match dim {
        Dim::SentimentDay | Dim::StatusDay | Dim::PriorityDay | Dim::SentimentHour | Dim::StatusHour => "ival",
        Dim::DepartmentDay => "ival, tval",
        Dim::BrandDay | Dim::SiteDay | Dim::MemberDay | Dim::BrandHour | Dim::DepartmentHour | Dim::SiteHour => "tval",
    }
}

/// How many captures pass `q` (every filter), from the roll-up when it can.
pub fn count_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery) -> Option<Sql> {
    let r = range(q, None, DAY_MS)?;
    let mut params = Vec::new();
    let w = rollup_where(dialect, &mut params, team_id, Dim::SentimentDay, r);
    Some(Sql { text: format!("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM capture_rollup WHERE {w}"), params })
}

/// Live captures in the team's log.
pub fn live_sql(dialect: Dialect, team_id: i64) -> Sql {
    count_sql(dialect, team_id, &CaptureQuery::default()).expect("the empty query is a sum of buckets")
}

/// Counts per value of one facet under every other filter, when those are
/// a sum of daily buckets. The same columns as `query::facet_sql`.
pub fn facet_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, facet: Facet) -> Option<Sql> {
    let r = range(q, Some(facet), DAY_MS)?;
    let dim = match facet {
        Facet::Brand => Dim::BrandDay,
        Facet::Sentiment => Dim::SentimentDay,
        Facet::Department => Dim::DepartmentDay,
        Facet::Status => Dim::StatusDay,
        Facet::Priority => Dim::PriorityDay,
        Facet::Site => Dim::SiteDay,
        Facet::Member => Dim::MemberDay,
        // Not kept in the roll-up: counted from the query rows.
        Facet::Assignee => return None,
    };
    let mut params = Vec::new();
    let w = rollup_where(dialect, &mut params, team_id, dim, r);
    let cols = value_columns(dim);
    Some(Sql {
        text: format!("SELECT {cols}, CAST(sum(n) AS BIGINT) FROM capture_rollup WHERE {w} GROUP BY {cols} HAVING sum(n) > 0"),
        params,
    })
}

/// One chart's (value, local day, count) rows from the roll-up, when the
/// user's offset is whole hours and the query a sum of hours. The same
/// columns and days as `query::aggregate_sql`.
///
/// q16d: the whole UTC days in the range come from the daily rows, and only
/// the hours the offset moves across a day boundary are corrected from the
/// hourly rows (UTC+1: hour 23 of each day belongs to the next local day;
/// UTC−5: hours 0–4 to the previous one), read as index ranges by hour of
/// day; the range's partial days at either end come from the hourly rows.
/// The status chart's hours are status times (no daily rows of those), so
/// it is summed from its hourly rows, and only without a capture-time range.
pub fn aggregate_sql(dialect: Dialect, team_id: i64, q: &CaptureQuery, chart: AggregateChart, tz_offset_min: i32) -> Option<Sql> {
    if i64::from(tz_offset_min) * 60_000 % HOUR_MS != 0 {
        return None;
    }
    let (from, to) = range(q, None, HOUR_MS)?;
    let off = i64::from(tz_offset_min) / 60;
    // Local day of an hourly row; UTC day of any row (floor divisions).
    let local = format!("((hour + {off}) - (((hour + {off}) % 24 + 24) % 24)) / 24");
    let utc = "(hour - ((hour % 24 + 24) % 24)) / 24";
    let (day_dim, hour_dim) = match chart {
        AggregateChart::SentimentPerDay => (Dim::SentimentDay, Dim::SentimentHour),
        AggregateChart::ByBrand => (Dim::BrandDay, Dim::BrandHour),
        AggregateChart::ByDepartment => (Dim::DepartmentDay, Dim::DepartmentHour),
        AggregateChart::BySite => (Dim::SiteDay, Dim::SiteHour),
        AggregateChart::StatusOverTime if (from, to) == (None, None) => {
            let mut params = Vec::new();
            let w = rollup_where(dialect, &mut params, team_id, Dim::StatusHour, (None, None));
            let text = format!(
                "SELECT ival, {local} AS day, CAST(sum(n) AS BIGINT) FROM capture_rollup WHERE {w} GROUP BY ival, day HAVING sum(n) > 0"
            );
            return Some(Sql { text, params });
        }
        AggregateChart::StatusOverTime => return None,
    };
    let cols = value_columns(hour_dim);
    let mut params = Vec::new();
    let mut parts = Vec::new();
    // The whole UTC days in the range: [d0, d1), either open.
    let d0 = from.map(|f| f.div_euclid(24) + i64::from(f.rem_euclid(24) != 0));
    let d1 = to.map(|t| t.div_euclid(24));
    let whole = match (d0, d1) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    };
    let mut edges = Vec::new();
    if whole {
        let days = (d0.map(|d| d * 24), d1.map(|d| d * 24));
        let w = rollup_where(dialect, &mut params, team_id, day_dim, days);
        parts.push(format!("SELECT {cols}, hour / 24 AS day, n FROM capture_rollup WHERE {w}"));
        let moved: Vec<i64> = if off > 0 { (24 - off..24).collect() } else { (0..-off).collect() };
        if !moved.is_empty() {
            let w = hours_where(dialect, &mut params, team_id, hour_dim, &moved, days);
            parts.push(format!("SELECT {cols}, {local} AS day, n FROM capture_rollup WHERE {w}"));
            let w = hours_where(dialect, &mut params, team_id, hour_dim, &moved, days);
            parts.push(format!("SELECT {cols}, {utc} AS day, -n FROM capture_rollup WHERE {w}"));
        }
        if let (Some(f), Some(d)) = (from, d0) {
            edges.push((f, d * 24));
        }
        if let (Some(t), Some(d)) = (to, d1) {
            edges.push((d * 24, t));
        }
    } else if let (Some(f), Some(t)) = (from, to) {
        edges.push((f, t));
    }
    for (a, b) in edges.into_iter().filter(|(a, b)| a < b) {
        let mut hods: Vec<i64> = (a..b.min(a + 24)).map(|h| h.rem_euclid(24)).collect();
        hods.sort_unstable();
        let w = hours_where(dialect, &mut params, team_id, hour_dim, &hods, (Some(a), Some(b)));
        parts.push(format!("SELECT {cols}, {local} AS day, n FROM capture_rollup WHERE {w}"));
    }
    if parts.is_empty() {
        // An empty range (`to` ≤ `from`): nothing to count.
        let w = rollup_where(dialect, &mut params, team_id, hour_dim, (Some(0), Some(0)));
        parts.push(format!("SELECT {cols}, hour AS day, n FROM capture_rollup WHERE {w}"));
    }
    Some(Sql {
        text: format!(
            "SELECT {cols}, day, CAST(sum(n) AS BIGINT) FROM ({}) AS r GROUP BY {cols}, day HAVING sum(n) > 0",
            parts.join(" UNION ALL ")
        ),
        params,
    })
}

/// The roll-up recounted from every live query row (SQLite), and the same
/// on PostgreSQL: the kept table must equal it, zero rows aside.
pub const SQLITE_RECOUNT: &str = recount_hod!("q.deleted = 0");
pub const POSTGRES_RECOUNT: &str = recount_hod!("NOT q.deleted");

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> CaptureQuery {
        CaptureQuery::from_pairs(pairs.iter().copied()).unwrap()
    }

    #[test]
    fn only_sums_of_whole_buckets_come_from_the_rollup() {
        let day = 19_675 * DAY_MS;
        let (d, h) = (day.to_string(), (day + 7 * HOUR_MS).to_string());
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<Facet>, i64, Option<Hours>);
        let cases: [Case; 9] = [
            (&[("sort", "brand"), ("order", "asc")], None, DAY_MS, Some((None, None))),
            (&[("brand", "A")], None, DAY_MS, None),
            (&[("brand", "A")], Some(Facet::Brand), DAY_MS, Some((None, None))),
            (&[("brand", "A"), ("site", "x")], Some(Facet::Brand), DAY_MS, None),
            (&[("q", "x")], Some(Facet::Brand), DAY_MS, None),
            (&[("from", &d)], None, DAY_MS, Some((Some(day / HOUR_MS), None))),
            (&[("to", &h)], None, DAY_MS, None),
            (&[("to", &h)], None, HOUR_MS, Some((None, Some(day / HOUR_MS + 7)))),
            (&[("from", &d), ("dateField", "comment")], None, DAY_MS, None),
        ];
        for (pairs, skip, bucket, want) in cases {
            assert_eq!(range(&q(pairs), skip, bucket), want, "{pairs:?} {skip:?}");
        }
    }

    #[test]
    fn charts_come_from_the_rollup_only_on_whole_hour_offsets() {
        let all = CaptureQuery::default();
        assert!(aggregate_sql(Dialect::Sqlite, 1, &all, AggregateChart::BySite, 60).is_some());
        assert!(aggregate_sql(Dialect::Sqlite, 1, &all, AggregateChart::BySite, 330).is_none());
        let ranged = q(&[("from", "3600000")]);
        assert!(aggregate_sql(Dialect::Postgres, 1, &ranged, AggregateChart::ByBrand, -300).is_some());
        assert!(aggregate_sql(Dialect::Postgres, 1, &ranged, AggregateChart::StatusOverTime, 0).is_none());
        let sql = facet_sql(Dialect::Postgres, 7, &all, Facet::Department).unwrap();
        assert!(sql.text.contains("WHERE team_id = $1 AND dim = $2"), "{}", sql.text);
        assert_eq!(sql.params, [Param::Int(7), Param::Int(Dim::DepartmentDay as i64)]);
    }
}
