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
    let pass = match dialect {
        Dialect::Postgres => grouping_sets(team_id, q, &free),
        Dialect::Sqlite => {
            let kept = query::matching_sql(
                dialect,
                team_id,
                q,
                "brand, sentiment, department_none, department, status, priority, site, member, assignee",
            );
            query::Sql { text: format!("WITH kept AS MATERIALIZED ({}) {}", kept.text, parts.join(" UNION ALL ")), params: kept.params }
        }
    };
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

/// q16d, PostgreSQL: the same rows (`k, ival, tval, n`) from one scan
/// grouped by `GROUPING SETS` (the total and one set per free facet)
/// instead of a materialized set of rows read once per facet: 20–40 %
/// faster at 1 M (README, "Charts from daily rows"). `GROUPING(…)` says
/// which set a row is of; the columns outside its set are NULL, so the
/// `COALESCE`s pick the set's own value.
fn grouping_sets(team_id: i64, q: &CaptureQuery, free: &[bool]) -> query::Sql {
    const COLUMNS: [&str; 9] = ["brand", "sentiment", "department_none", "department", "status", "priority", "site", "member", "assignee"];
    let of = |f: Facet| -> &'static [usize] {
        match f {
            Facet::Brand => &[0],
            Facet::Sentiment => &[1],
            Facet::Department => &[2, 3],
            Facet::Status => &[4],
            Facet::Priority => &[5],
            Facet::Site => &[6],
            Facet::Member => &[7],
            Facet::Assignee => &[8],
        }
    };
    // GROUPING takes only columns some set groups by (the free facets');
    // its bit for one (the first argument is the highest bit) is set when
    // the row is not grouped by it.
    let used: Vec<usize> = Facet::ALL.iter().zip(free).filter(|(_, &f)| f).flat_map(|(&facet, _)| of(facet).iter().copied()).collect();
    let all = (1 << used.len()) - 1;
    let bit = |c: usize| 1 << (used.len() - 1 - used.iter().position(|&u| u == c).expect("a used column"));
    let mask = |cols: &[usize]| cols.iter().fold(all, |m, &c| m & !bit(c));
    let mut cases = vec![format!("WHEN {all} THEN -1")];
    let mut sets = vec!["()".to_string()];
    for (i, &f) in Facet::ALL.iter().enumerate().filter(|(i, _)| free[*i]) {
        cases.push(format!("WHEN {} THEN {i}", mask(of(f))));
        sets.push(format!("({})", of(f).iter().map(|&c| COLUMNS[c]).collect::<Vec<_>>().join(", ")));
    }
    // Only grouped columns may be named outside an aggregate.
    let ints: Vec<&str> = [1, 2, 4, 5].into_iter().filter(|c| used.contains(c)).map(|c| COLUMNS[c]).collect();
    let texts: Vec<String> =
        [0, 3, 6, 7, 8].into_iter().filter(|c| used.contains(c)).map(|c| format!("{} COLLATE \"C\"", COLUMNS[c])).collect();
    let list = format!(
        "CASE GROUPING({}) {} END, COALESCE({}CAST(NULL AS BIGINT)), COALESCE({}CAST(NULL AS TEXT)), count(*)",
        used.iter().map(|&c| COLUMNS[c]).collect::<Vec<_>>().join(", "),
        cases.join(" "),
        ints.iter().map(|c| format!("{c}, ")).collect::<String>(),
        texts.iter().map(|c| format!("{c}, ")).collect::<String>(),
    );
    let scan = query::matching_sql(Dialect::Postgres, team_id, q, &list);
    query::Sql { text: format!("{} GROUP BY GROUPING SETS ({})", scan.text, sets.join(", ")), params: scan.params }
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
