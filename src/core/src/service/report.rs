//! Response-time reports: median and 90th percentile of first response and
//! time to close, grouped by department, member, brand and week, and the
//! captures that breached their target. The server feeds captures one page
//! at a time ([`ReportBuilder::add`]); only the durations are kept, never
//! the log.
//!
//! Percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the sorted
//! durations): always a duration that really happened.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::due::{due_with, DueKind};
use super::targets::ServiceTargets;
use super::times::times;
use crate::log::{Capture, Priority};

/// What a report covers: captures created in `[from_ms, to_ms)`, of one
/// department or all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReportQuery {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub department: Option<String>,
}

/// The figures of one group (or the whole report). Durations are working ms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub key: String,
    pub captures: u32,
    pub responded: u32,
    pub closed: u32,
    pub first_response_median: Option<i64>,
    pub first_response_p90: Option<i64>,
    pub close_median: Option<i64>,
    pub close_p90: Option<i64>,
    /// Captures that missed a target (or are past it and still open).
    pub breaching: u32,
}

/// One capture that missed its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breach {
    pub id: String,
    pub kind: DueKind,
    pub department: String,
    pub member: String,
    pub brand: String,
    pub priority: Priority,
    pub created_ms: i64,
    pub due_at: i64,
    /// Working ms past the target (so far, when still open).
    pub over: i64,
    pub page_url: String,
    pub page_title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub query: ReportQuery,
    /// When it was computed; open captures are measured up to it.
    pub now_ms: i64,
    pub total: Figures,
    pub by_department: Vec<Figures>,
    pub by_member: Vec<Figures>,
    pub by_brand: Vec<Figures>,
    /// Keyed by the week's Monday (`YYYY-MM-DD`, team time zone).
    pub by_week: Vec<Figures>,
    /// Worst first (most working time over target), at most [`MAX_BREACHES`].
    pub breaches: Vec<Breach>,
    /// How many breaches there were in all (the list may be cut).
    pub breach_count: u32,
}

pub const MAX_BREACHES: usize = 500;

/// The nearest-rank percentile `p` (1–100) of sorted values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// Labels for a group whose value is missing: the words are chosen at
/// display time (`""` is "none").
pub const NONE_KEY: &str = "";

#[derive(Default)]
struct Acc {
    captures: u32,
    first: Vec<i64>,
    close: Vec<i64>,
    breaching: u32,
}

impl Acc {
    fn figures(mut self, key: String) -> Figures {
        self.first.sort_unstable();
        self.close.sort_unstable();
        Figures {
            key,
            captures: self.captures,
            responded: self.first.len() as u32,
            closed: self.close.len() as u32,
            first_response_median: percentile(&self.first, 50),
            first_response_p90: percentile(&self.first, 90),
            close_median: percentile(&self.close, 50),
            close_p90: percentile(&self.close, 90),
            breaching: self.breaching,
        }
    }
}

/// Accumulates captures into a [`Report`].
pub struct ReportBuilder {
    query: ReportQuery,
    targets: ServiceTargets,
    calendar: Calendar,
    now: i64,
    total: Acc,
    groups: [BTreeMap<String, Acc>; 4],
    breaches: Vec<Breach>,
}

/// The member a capture counts for: its assignee, else who captured it.
pub fn member_of(c: &Capture) -> String {
    c.assignee.value.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| c.created_by.clone())
}

impl ReportBuilder {
    /// `None` when the targets' calendar cannot be read.
    pub fn new(query: ReportQuery, targets: &ServiceTargets, now: i64) -> Option<ReportBuilder> {
        Some(ReportBuilder {
            query,
            calendar: targets.calendar()?,
            targets: targets.clone(),
            now,
            total: Acc::default(),
            groups: Default::default(),
            breaches: vec![],
        })
    }

    /// Whether a capture is in the report.
    pub fn covers(&self, c: &Capture) -> bool {
        let q = &self.query;
        !c.deleted.value
            && q.from_ms.is_none_or(|f| c.created_ms >= f)
            && q.to_ms.is_none_or(|t| c.created_ms < t)
            && q.department.as_deref().is_none_or(|d| {
                c.department.value.as_deref().is_some_and(|cd| {
                    crate::settings::canonical_department(cd).to_lowercase() == crate::settings::canonical_department(d).to_lowercase()
                })
            })
    }

    pub fn add(&mut self, c: &Capture) {
        if !self.covers(c) {
            return;
        }
        let t = times(c, &self.calendar, self.now);
        let breach = self.breach(c, t.first_response_ms, t.close_ms);
        let keys = [
            c.department.value.clone().unwrap_or_default(),
            member_of(c),
            c.context.value.brand.clone(),
            self.calendar.week_of(c.created_ms).unwrap_or_default(),
        ];
        for acc in std::iter::once(&mut self.total).chain(self.groups.iter_mut().zip(keys).map(|(g, k)| g.entry(k).or_default())) {
            acc.captures += 1;
            acc.first.extend(t.first_response_ms);
            acc.close.extend(t.close_ms);
            acc.breaching += u32::from(breach.is_some());
        }
        if let Some(b) = breach {
            self.breaches.push(b);
        }
    }

    /// The first target this capture missed: a response later than its
    /// target (or none yet, past it), else a close later than its target.
    fn breach(&self, c: &Capture, first_ms: Option<i64>, close_ms: Option<i64>) -> Option<Breach> {
        let target = self.targets.target_for(c.priority.value, c.department.value.as_deref())?;
        let created = c.created_ms;
        let now_working = self.calendar.working_ms(created, self.now);
        let check = |kind: DueKind, minutes: Option<u32>, took: Option<i64>, open: bool| -> Option<(DueKind, i64, i64)> {
            let limit = i64::from(minutes?) * 60_000;
            let took = took.or(if open { Some(now_working) } else { None })?;
            (took > limit).then(|| (kind, self.calendar.add_working(created, limit).unwrap_or(created + limit), took - limit))
        };
        let closed = c.status.value == crate::log::Status::Closed;
        let (kind, due_at, over) = check(DueKind::FirstResponse, target.first_response_minutes, first_ms, !closed && first_ms.is_none())
            .or_else(|| check(DueKind::Close, target.close_minutes, close_ms, !closed))?;
        Some(Breach {
            id: c.id.clone(),
            kind,
            department: c.department.value.clone().unwrap_or_default(),
            member: member_of(c),
            brand: c.context.value.brand.clone(),
            priority: c.priority.value,
            created_ms: created,
            due_at,
            over,
            page_url: c.context.value.page_url.clone(),
            page_title: c.context.value.page_title.clone(),
        })
    }

    pub fn finish(self) -> Report {
        let [dep, member, brand, week] = self.groups.map(|g| g.into_iter().map(|(k, acc)| acc.figures(k)).collect::<Vec<_>>());
        let mut breaches = self.breaches;
        let breach_count = breaches.len() as u32;
        breaches.sort_by(|a, b| b.over.cmp(&a.over).then_with(|| a.id.cmp(&b.id)));
        breaches.truncate(MAX_BREACHES);
        Report {
            query: self.query,
            now_ms: self.now,
            total: self.total.figures(String::new()),
            by_department: dep,
            by_member: member,
            by_brand: brand,
            by_week: week,
            breaches,
            breach_count,
        }
    }
}

/// The whole report over a list (tests, small logs): the server streams.
pub fn report(captures: &[Capture], query: ReportQuery, targets: &ServiceTargets, now: i64) -> Option<Report> {
    let mut b = ReportBuilder::new(query, targets, now)?;
    captures.iter().for_each(|c| b.add(c));
    Some(b.finish())
}

/// Whether a capture is still waiting for its due target (used by due
/// lists); re-exported for the server's breaching filter.
pub fn is_overdue(c: &Capture, targets: &ServiceTargets, calendar: &Calendar, now: i64) -> bool {
    due_with(c, targets, calendar, now).is_some_and(|d| d.overdue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{Lww, Stamp, Status};
    use crate::service::targets::Target;
    use crate::service::times::tests::capture_with;

    const MIN: i64 = 60_000;

    #[test]
    fn nearest_rank_percentiles() {
        let table: &[(&[i64], u32, Option<i64>)] = &[
            (&[], 50, None),
            (&[7], 50, Some(7)),
            (&[7], 90, Some(7)),
            (&[1, 2], 50, Some(1)),
            (&[1, 2, 3], 50, Some(2)),
            (&[1, 2, 3, 4], 50, Some(2)),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, Some(9)),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, Some(10)),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 100, Some(10)),
        ];
        for (values, p, want) in table {
            assert_eq!(percentile(values, *p), *want, "p{p} of {values:?}");
        }
    }

    fn with(mut c: Capture, dep: &str, brand: &str, assignee: Option<&str>) -> Capture {
        let s = Stamp { ms: c.created_ms, counter: 1, actor: "a".into() };
        c.department = Lww::new(Some(dep.into()), s.clone());
        c.assignee = Lww::new(assignee.map(String::from), s.clone());
        let mut ctx = c.context.value.clone();
        ctx.brand = brand.into();
        c.context = Lww::new(ctx, s);
        c
    }

    #[test]
    fn groups_medians_p90_and_breaches() {
        let t0 = 1_768_780_800_000; // 2026-01-19T00:00:00Z, a Monday.
        let targets = ServiceTargets {
            targets: vec![Target { priority: Priority::Normal, department: None, first_response_minutes: Some(60), close_minutes: None }],
            ..ServiceTargets::default()
        };
        let responded = |i: i64, after: i64| capture_with(t0 + i, Status::Responded, &[(t0 + i + after * MIN, "new", "responded")]);
        let captures = vec![
            with(responded(1, 10), "Logistics", "Acme", Some("ana")),
            with(responded(2, 30), "Logistics", "Acme", Some("ana")),
            with(responded(3, 90), "Logistics", "Globex", Some("luis")),
            with(responded(4, 20), "PR", "Acme", None),
            // Open and never answered: 5 hours old at `now`, past its 60 minutes.
            with(capture_with(t0 + 5, Status::New, &[]), "PR", "Acme", None),
            // Next week.
            with(responded(7 * 24 * 60 * MIN + 6, 5), "PR", "Acme", None),
        ];
        let now = t0 + 8 * 24 * 60 * MIN;
        let r = report(&captures, ReportQuery::default(), &targets, now).unwrap();
        assert_eq!((r.total.captures, r.total.responded), (6, 5));
        // First responses 5, 10, 20, 30, 90 minutes: median 20, p90 90.
        assert_eq!((r.total.first_response_median, r.total.first_response_p90), (Some(20 * MIN), Some(90 * MIN)));
        let dep: Vec<_> = r.by_department.iter().map(|f| (f.key.as_str(), f.captures, f.first_response_median, f.breaching)).collect();
        assert_eq!(dep, vec![("Logistics", 3, Some(30 * MIN), 1), ("PR", 3, Some(5 * MIN), 1)]);
        let members: Vec<_> = r.by_member.iter().map(|f| (f.key.as_str(), f.captures)).collect();
        assert_eq!(members, vec![("ana", 5), ("luis", 1)], "unassigned captures count for who captured them (ana)");
        let brands: Vec<_> = r.by_brand.iter().map(|f| (f.key.as_str(), f.captures, f.first_response_p90)).collect();
        assert_eq!(brands, vec![("Acme", 5, Some(30 * MIN)), ("Globex", 1, Some(90 * MIN))]);
        let weeks: Vec<_> = r.by_week.iter().map(|f| (f.key.as_str(), f.captures)).collect();
        assert_eq!(weeks, vec![("2026-01-19", 5), ("2026-01-26", 1)]);
        assert_eq!(r.breach_count, 2);
        let over: Vec<_> = r.breaches.iter().map(|b| (b.id.clone(), b.kind, b.over)).collect();
        assert_eq!(
            over,
            vec![
                (format!("c{}", t0 + 5), DueKind::FirstResponse, now - (t0 + 5) - 60 * MIN),
                (format!("c{}", t0 + 3), DueKind::FirstResponse, 30 * MIN)
            ]
        );
        let only_pr = report(&captures, ReportQuery { department: Some("pr".into()), ..Default::default() }, &targets, now).unwrap();
        assert_eq!(only_pr.total.captures, 3);
        let first_week =
            report(&captures, ReportQuery { to_ms: Some(t0 + 7 * 24 * 60 * MIN), ..Default::default() }, &targets, now).unwrap();
        assert_eq!(first_week.total.captures, 5);
    }
}
