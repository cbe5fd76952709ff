//! Facet counts and charts under filters in one pass: the rows passing every filter
//! are found once (a materialized `WITH`), and every facet that has no
//! filter of its own is counted from them, plus their total, in one
//! statement (`UNION ALL` of small `GROUP BY`s over the kept rows). Such a
//! facet's "every other filter" is every filter, so its rows are those.
//!
//! The charts the roll-up cannot answer are grouped the same way: one
//! pass over the matching rows, one `GROUP BY` per chart.
//!
//! Before, each facet was its own statement repeating the filters (a search
//! ran its trigram match and `instr` checks nine times). A facet with a
//! filter of its own still counts with its own statement (the roll-up's
//! when that is its only filter; see `crate::rollup`).

use escucha_core::log::query_api::{AggregateChart, Aggregates, CaptureQuery, Facet, FacetCounts};

use crate::query::{self, Cell, Dialect, Plan, Rows};
use crate::rollup;

/// Whether `q` filters on `facet` itself.
fn filters_itself(q: &CaptureQuery, facet: Facet) -> bool {
    match facet {
        Facet::Brand => !q.brands.is_empty(),
        Facet::Sentiment => !q.sentiments.is_empty(),
        Facet::Department => !q.departments.is_empty(),
        Facet::Status => !q.statuses.is_empty(),
        Facet::Priority => !q.priorities.is_empty(),
        Facet::Site => !q.sites.is_empty(),
        Facet::Member => !q.members.is_empty(),
        Facet::Assignee => !q.assignees.is_empty(),
    }
}

/// A facet's `(ival, tval)` select list in the pass (one of them NULL but
/// for the department's flag and name), typed: PostgreSQL types a `UNION`
/// pairwise, and two bare NULLs would become text.
fn pass_columns(facet: Facet) -> &'static str {
    match facet {
        Facet::Brand => "CAST(NULL AS BIGINT), brand",
        Facet::Sentiment => "sentiment, CAST(NULL AS TEXT)",
        Facet::Department => "department_none, department",
        Facet::Status => "status, CAST(NULL AS TEXT)",
        Facet::Priority => "priority, CAST(NULL AS TEXT)",
        Facet::Site => "CAST(NULL AS BIGINT), site",
        Facet::Member => "CAST(NULL AS BIGINT), member",
        Facet::Assignee => "CAST(NULL AS BIGINT), assignee",
    }
}

/// `plan` (from `query::facets_plan`: count, live, then one statement per
/// [`Facet::ALL`]) with the count and every facet without a filter of its
/// own answered by one pass; unchanged when the roll-up answers it all or
/// every facet filters itself.
pub fn one_pass(dialect: Dialect, team_id: i64, q: &CaptureQuery, plan: Plan<FacetCounts>) -> Plan<FacetCounts> {
    if rollup::range(q, None, 86_400_000).is_some() {
        return plan;
    }
    let free: Vec<bool> = Facet::ALL.iter().map(|&f| !filters_itself(q, f)).collect();
    if !free.iter().any(|&x| x) {
        return plan;
    }
    let mut parts = vec!["SELECT -1, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), count(*) FROM kept".to_string()];
    for (i, &f) in Facet::ALL.iter().enumerate().filter(|(i, _)| free[*i]) {
        let cols = pass_columns(f);
        let group = query::facet_columns(f);
        parts.push(format!("SELECT {i}, {cols}, count(*) FROM kept GROUP BY {group}"));
    }
    let kept =
        query::matching_sql(dialect, team_id, q, "brand, sentiment, department_none, department, status, priority, site, member, assignee");
    let pass = query::Sql { text: format!("WITH kept AS MATERIALIZED ({}) {}", kept.text, parts.join(" UNION ALL ")), params: kept.params };
    let mut statements = plan.statements;
    let own: Vec<query::Sql> = statements.drain(2..).zip(&free).filter(|(_, &f)| !f).map(|(s, _)| s).collect();
    let live = statements.pop().expect("the live count");
    let answer = plan.answer;
    Plan {
        statements: [vec![pass, live], own].concat(),
        answer: Box::new(move |results| {
            let mut results = results.into_iter();
            let pass = results.next().unwrap_or_default();
            let live = results.next().unwrap_or_default();
            let mut per_facet: Vec<Rows> = vec![Vec::new(); Facet::ALL.len()];
            let mut total = 0;
            for mut row in pass {
                let n = row.pop().unwrap_or(Cell::Int(0));
                let t = row.pop().unwrap_or(Cell::Null);
                let i = row.pop().unwrap_or(Cell::Null);
                let k = match row.pop() {
                    Some(Cell::Int(k)) => k,
                    _ => continue,
                };
                if k < 0 {
                    total = match n {
                        Cell::Int(n) => n,
                        _ => 0,
                    };
                    continue;
                }
                // The same cells as the facet's own statement would give.
                per_facet[k as usize].push(match (Facet::ALL[k as usize], i, t) {
                    (Facet::Department, i, t) => vec![i, t, n],
                    (_, Cell::Null, t) => vec![t, n],
                    (_, i, _) => vec![i, n],
                });
            }
            let mut all = vec![vec![vec![Cell::Int(total)]], live];
            for (rows, free) in per_facet.into_iter().zip(&free) {
                all.push(if *free { rows } else { results.next().unwrap_or_default() });
            }
            answer(all)
        }),
    }
}

/// A chart's `(ival, tval)` select list and the time its day is of (the
/// same values and times as `query::aggregate_sql`).
fn chart_columns(chart: AggregateChart) -> (&'static str, &'static str, &'static str) {
    match chart {
        AggregateChart::SentimentPerDay => ("sentiment, CAST(NULL AS TEXT)", "sentiment", "created_ms"),
        AggregateChart::ByBrand => ("CAST(NULL AS BIGINT), brand", "brand", "created_ms"),
        AggregateChart::ByDepartment => ("CAST(NULL AS BIGINT), department", "department", "created_ms"),
        AggregateChart::BySite => ("CAST(NULL AS BIGINT), site", "site", "created_ms"),
        AggregateChart::StatusOverTime => ("status, CAST(NULL AS TEXT)", "status", "status_ms"),
    }
}

/// `plan` (from `query::aggregates_plan`: one statement per
/// [`AggregateChart::ALL`]) with every chart the roll-up does not answer
/// grouped from one pass over the matching rows; unchanged when at most
/// one chart needs the rows.
pub fn charts_one_pass(dialect: Dialect, team_id: i64, q: &CaptureQuery, tz_offset_min: i32, plan: Plan<Aggregates>) -> Plan<Aggregates> {
    let scanned: Vec<bool> =
        AggregateChart::ALL.iter().map(|&c| rollup::aggregate_sql(dialect, team_id, q, c, tz_offset_min).is_none()).collect();
    if scanned.iter().filter(|&&x| x).count() < 2 {
        return plan;
    }
    let mut kept = query::matching_sql(dialect, team_id, q, "sentiment, brand, department, site, status, created_ms, status_ms");
    kept.params.push(query::Param::Int(i64::from(tz_offset_min) * 60_000));
    let off = match dialect {
        Dialect::Sqlite => format!("?{}", kept.params.len()),
        Dialect::Postgres => format!("${}", kept.params.len()),
    };
    let mut parts = Vec::new();
    for (i, &c) in AggregateChart::ALL.iter().enumerate().filter(|(i, _)| scanned[*i]) {
        let (cols, key, time) = chart_columns(c);
        let local = format!("({time} + {off})");
        let day = format!("(({local} - ((({local} % 86400000) + 86400000) % 86400000)) / 86400000)");
        parts.push(format!("SELECT {i}, {cols}, {day}, count(*) FROM kept GROUP BY {key}, {day}"));
    }
    let pass = query::Sql { text: format!("WITH kept AS MATERIALIZED ({}) {}", kept.text, parts.join(" UNION ALL ")), params: kept.params };
    let own: Vec<query::Sql> = plan.statements.into_iter().zip(&scanned).filter(|(_, &s)| !s).map(|(s, _)| s).collect();
    let answer = plan.answer;
    Plan {
        statements: [vec![pass], own].concat(),
        answer: Box::new(move |results| {
            let mut results = results.into_iter();
            let mut per_chart: Vec<Rows> = vec![Vec::new(); AggregateChart::ALL.len()];
            for mut row in results.next().unwrap_or_default() {
                let n = row.pop().unwrap_or(Cell::Int(0));
                let day = row.pop().unwrap_or(Cell::Null);
                let t = row.pop().unwrap_or(Cell::Null);
                let i = row.pop().unwrap_or(Cell::Null);
                let Some(Cell::Int(k)) = row.pop() else { continue };
                // The same cells as the chart's own statement would give.
                per_chart[k as usize].push(vec![if i == Cell::Null { t } else { i }, day, n]);
            }
            let all = per_chart.into_iter().zip(&scanned).map(|(rows, s)| if *s { rows } else { results.next().unwrap_or_default() });
            answer(all.collect())
        }),
    }
}
