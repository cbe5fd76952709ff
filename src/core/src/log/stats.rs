//! Aggregations for the team dashboard: daily counts split by one dimension.
//!
//! Every series is "per local day, how many captures had each value", over
//! whatever records the caller passes (typically a query's rows, so the
//! dashboard's filters apply). Days run contiguously from the first to the
//! last day with data, zeros included, so a chart needs no gap filling.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dates::{day_of, format_day, parse_rfc3339};
use super::record::{Capture, Sentiment, Status};

/// Which time puts a capture on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DayBasis {
    /// When it was captured.
    #[default]
    Created,
    /// When the comment was written (captures without a known time are left out).
    Comment,
    /// When its status was last set: "responded per day" shows response
    /// activity, not when the complaint arrived.
    StatusChanged,
}

/// Daily counts per value of one dimension.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailySeries {
    /// `YYYY-MM-DD`, contiguous.
    pub days: Vec<String>,
    /// One line per value, `counts[i]` for `days[i]`; values sorted by total, largest first.
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    pub key: String,
    pub total: u32,
    pub counts: Vec<u32>,
}

/// Longest span of days a series covers; older data is cut (a chart of
/// decades of zeros helps no one, and a bad timestamp must not allocate gigabytes).
pub const MAX_DAYS: i64 = 3_660;

/// Count live captures per day and per `key(capture)`. `tz_offset_min`:
/// the user's offset east of UTC, so days are the user's days.
pub fn daily<'a>(
    captures: impl IntoIterator<Item = &'a Capture>,
    basis: DayBasis,
    tz_offset_min: i32,
    key: impl Fn(&Capture) -> String,
) -> DailySeries {
    let mut cells: BTreeMap<String, BTreeMap<i64, u32>> = BTreeMap::new();
    for c in captures {
        if c.deleted.value {
            continue;
        }
        let ms = match basis {
            DayBasis::Created => Some(c.created_ms),
            DayBasis::Comment => c.context.value.comment_time.as_ref().and_then(|t| t.utc.as_deref()).and_then(parse_rfc3339),
            DayBasis::StatusChanged => Some(c.status.stamp.ms),
        };
        let Some(ms) = ms else { continue };
        let day = day_of(ms, tz_offset_min);
        *cells.entry(key(c)).or_default().entry(day).or_default() += 1;
    }
    series_from_cells(cells)
}

/// Per value, per day number, a count: what a database's `GROUP BY key, day`
/// gives, turned into contiguous series exactly as [`daily`] does.
pub fn series_from_cells(cells: BTreeMap<String, BTreeMap<i64, u32>>) -> DailySeries {
    let first = cells.values().filter_map(|d| d.keys().next()).min().copied();
    let last = cells.values().filter_map(|d| d.keys().next_back()).max().copied();
    let (Some(first), Some(last)) = (first, last) else { return DailySeries::default() };
    let first = first.max(last - MAX_DAYS + 1);
    let n = (last - first + 1) as usize;
    let mut series: Vec<Series> = cells
        .into_iter()
        .map(|(key, days)| {
            let mut counts = vec![0u32; n];
            for (day, k) in days.range(first..) {
                counts[(day - first) as usize] += k;
            }
            Series { key, total: counts.iter().sum(), counts }
        })
        .filter(|s| s.total > 0)
        .collect();
    series.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    DailySeries { days: (first..=last).map(format_day).collect(), series }
}

/// Mentions per day by sentiment (every sentiment present, even at zero).
pub fn by_sentiment<'a>(captures: impl IntoIterator<Item = &'a Capture>, tz_offset_min: i32) -> DailySeries {
    let mut s = daily(captures, DayBasis::Created, tz_offset_min, |c| c.sentiment.value.as_str().to_string());
    with_all_keys(&mut s, Sentiment::ALL.iter().map(|x| x.as_str()));
    s
}

/// Mentions per day by brand group ("" for "Log selection" captures).
pub fn by_brand<'a>(captures: impl IntoIterator<Item = &'a Capture>, tz_offset_min: i32) -> DailySeries {
    daily(captures, DayBasis::Created, tz_offset_min, |c| c.context.value.brand.clone())
}

/// Mentions per day by department ("" for none).
pub fn by_department<'a>(captures: impl IntoIterator<Item = &'a Capture>, tz_offset_min: i32) -> DailySeries {
    daily(captures, DayBasis::Created, tz_offset_min, |c| c.department.value.clone().unwrap_or_default())
}

/// Mentions per day by site.
pub fn by_site<'a>(captures: impl IntoIterator<Item = &'a Capture>, tz_offset_min: i32) -> DailySeries {
    daily(captures, DayBasis::Created, tz_offset_min, |c| c.context.value.site.clone())
}

/// Response status over time: per day, how many captures were set to each
/// status that day (see [`DayBasis::StatusChanged`]); every status present.
pub fn status_over_time<'a>(captures: impl IntoIterator<Item = &'a Capture>, tz_offset_min: i32) -> DailySeries {
    let mut s = daily(captures, DayBasis::StatusChanged, tz_offset_min, |c| c.status.value.as_str().to_string());
    with_all_keys(&mut s, Status::ALL.iter().map(|x| x.as_str()));
    s
}

/// Add zero lines for values with no data, so every chart has the same legend.
pub fn with_all_keys<'k>(s: &mut DailySeries, keys: impl Iterator<Item = &'k str>) {
    for k in keys {
        if !s.series.iter().any(|x| x.key == k) {
            s.series.push(Series { key: k.to_string(), total: 0, counts: vec![0; s.days.len()] });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::dates::parse_rfc3339;
    use crate::log::record::{CaptureContext, CommentTime, Tags};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    fn at(s: &str) -> i64 {
        parse_rfc3339(s).unwrap()
    }

    fn cap(n: u32, created: &str, brand: &str, sentiment: Sentiment, status: Option<(Status, &str)>) -> Capture {
        let ctx = CaptureContext {
            page_url: "https://f.example/".into(),
            site: if n.is_multiple_of(2) { "x.example".into() } else { "foro.example".into() },
            brand: brand.into(),
            comment_time: Some(CommentTime { utc: Some("2024-04-30T12:00:00Z".into()), ..Default::default() }),
            ..Default::default()
        };
        let mut c = Capture::new(
            format!("id{n}"),
            ctx,
            &Tags { sentiment, ..Default::default() },
            "ana",
            Stamp { ms: at(created), counter: 0, actor: "a".into() },
        );
        if let Some((st, when)) = status {
            c.apply(
                &CaptureEdit { status: Some(st), department: Some(Some("PR".into())), ..Default::default() },
                &Stamp { ms: at(when), counter: 0, actor: "a".into() },
                "ana",
            )
            .unwrap();
        }
        c
    }

    fn sample() -> Vec<Capture> {
        let mut v = vec![
            cap(1, "2024-05-01T10:00:00Z", "Movistar", Sentiment::Negative, Some((Status::Responded, "2024-05-03T09:00:00Z"))),
            cap(2, "2024-05-01T23:30:00Z", "Movistar", Sentiment::Negative, None),
            cap(3, "2024-05-03T08:00:00Z", "Iberia", Sentiment::Positive, Some((Status::Responded, "2024-05-03T10:00:00Z"))),
            cap(4, "2024-05-03T09:00:00Z", "Iberia", Sentiment::Question, Some((Status::Escalated, "2024-05-04T10:00:00Z"))),
        ];
        let mut gone = cap(5, "2024-05-02T10:00:00Z", "Zara", Sentiment::Negative, None);
        gone.apply(
            &CaptureEdit { deleted: Some(true), ..Default::default() },
            &Stamp { ms: at("2024-05-02T11:00:00Z"), counter: 0, actor: "a".into() },
            "ana",
        )
        .unwrap();
        v.push(gone);
        v
    }

    fn line<'a>(s: &'a DailySeries, key: &str) -> &'a [u32] {
        &s.series.iter().find(|x| x.key == key).unwrap_or_else(|| panic!("no {key}")).counts
    }

    #[test]
    fn per_day_by_dimension_with_gaps_filled_and_tombstones_out() {
        let v = sample();
        let s = by_sentiment(&v, 0);
        assert_eq!(s.days, ["2024-05-01", "2024-05-02", "2024-05-03"]);
        assert_eq!(line(&s, "negative"), [2, 0, 0]);
        assert_eq!(line(&s, "positive"), [0, 0, 1]);
        assert_eq!(line(&s, "question"), [0, 0, 1]);
        assert_eq!(line(&s, "neutral"), [0, 0, 0]);
        assert_eq!(s.series[0].key, "negative", "largest first");
        let b = by_brand(&v, 0);
        assert_eq!(b.series.iter().map(|x| (x.key.as_str(), x.total)).collect::<Vec<_>>(), [("Iberia", 2), ("Movistar", 2)]);
        assert_eq!(line(&by_site(&v, 0), "foro.example"), [1, 0, 1]);
        let d = by_department(&v, 0);
        assert_eq!((line(&d, "PR"), line(&d, "")), (&[1, 0, 2][..], &[1, 0, 0][..]));
    }

    #[test]
    fn days_are_the_users_days() {
        let v = sample();
        // At UTC+2 capture 2 (23:30 UTC on the 1st) falls on the 2nd.
        let s = by_sentiment(&v, 120);
        assert_eq!(line(&s, "negative"), [1, 1, 0]);
        // By comment time everything is on 30 April.
        let c = daily(&v, DayBasis::Comment, 0, |_| "all".into());
        assert_eq!((c.days.as_slice(), line(&c, "all")), (&["2024-04-30".to_string()][..], &[4][..]));
    }

    #[test]
    fn status_over_time_uses_the_day_the_status_was_set() {
        let v = sample();
        let s = status_over_time(&v, 0);
        assert_eq!(s.days, ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"]);
        assert_eq!(line(&s, "new"), [1, 0, 0, 0]);
        assert_eq!(line(&s, "responded"), [0, 0, 2, 0]);
        assert_eq!(line(&s, "escalated"), [0, 0, 0, 1]);
        assert_eq!(line(&s, "closed"), [0, 0, 0, 0]);
        assert_eq!(daily(&[], DayBasis::Created, 0, |_| String::new()), DailySeries::default());
    }

    #[test]
    fn a_wild_timestamp_cannot_blow_up_the_series() {
        let mut v = sample();
        v[0].created_ms = 0;
        let s = by_brand(&v, 0);
        assert_eq!(s.days.len() as i64, MAX_DAYS);
        assert_eq!(s.series.iter().map(|x| x.total).sum::<u32>(), 3, "the 1970 capture is cut");
    }
}
