//! When things are due, decided from the clock the caller passes in (ms
//! since the epoch): nothing here reads the time, so tests step a fake clock
//! across week boundaries and DST changes without waiting.
//!
//! The weekly digest has one slot per ISO week of the team's zone: the
//! configured weekday at the configured hour, local time. It covers the
//! seven local days before the slot (168 hours, or 167/169 across a DST
//! change), and compares them with the seven before those. A slot is due
//! from its instant until the end of that local week, once: the caller says
//! which week it last sent, and a server that was down on the day sends late
//! rather than never. A missed week is not sent in the next one.
//!
//! A spike window ends at the last full UTC hour, so servers whose ticks
//! fall in the same hour judge the same window and agree on its key.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use super::config::{FeedbackConfig, SpikeRule};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// The baseline a spike window is compared with: the 7 days before it.
pub const BASELINE_MS: i64 = 7 * DAY_MS;

/// A half-open time range `[start_ms, end_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Period {
    pub fn hours(&self) -> i64 {
        (self.end_ms - self.start_ms) / HOUR_MS
    }
}

/// One week's digest slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DigestSlot {
    /// The local ISO week the slot falls in, `2026-W49`: the run key.
    pub week: String,
    /// When it is sent (the slot's instant).
    pub at_ms: i64,
    /// The seven local days it reports on, ending at `at_ms`.
    pub period: Period,
    /// The seven before those, for the comparison.
    pub previous: Period,
}

fn local_date(tz: &TimeZone, ms: i64) -> Option<Date> {
    Some(tz.to_datetime(Timestamp::from_millisecond(ms).ok()?).date())
}

/// A local wall-clock time as an instant. A time the clocks skip (spring
/// forward) is read after the gap, an hour they repeat as its first
/// occurrence (jiff's "compatible" rule, as RFC 5545 does).
fn instant(tz: &TimeZone, dt: DateTime) -> Option<i64> {
    Some(tz.to_timestamp(dt).ok()?.as_millisecond())
}

fn days_before(d: Date, n: i64) -> Option<Date> {
    d.checked_sub(Span::new().days(n)).ok()
}

/// The slot of the local ISO week that `now_ms` falls in (`None`: the zone
/// is unknown, which validation refuses, or the date is out of range).
pub fn digest_slot(config: &FeedbackConfig, now_ms: i64) -> Option<DigestSlot> {
    let tz = config.zone()?;
    let today = local_date(&tz, now_ms)?;
    let monday = days_before(today, today.weekday().to_monday_zero_offset() as i64)?;
    let day = monday.checked_add(Span::new().days(config.digest.weekday.days_from_monday() as i64)).ok()?;
    let at = |d: Date| instant(&tz, d.at(config.digest.hour.min(23) as i8, 0, 0, 0));
    let at_ms = at(day)?;
    let week_ago = at(days_before(day, 7)?)?;
    let two_weeks_ago = at(days_before(day, 14)?)?;
    let iso = day.iso_week_date();
    Some(DigestSlot {
        week: format!("{:04}-W{:02}", iso.year(), iso.week()),
        at_ms,
        period: Period { start_ms: week_ago, end_ms: at_ms },
        previous: Period { start_ms: two_weeks_ago, end_ms: week_ago },
    })
}

/// The digest to send now, if any: this local week's slot once its instant
/// has come and `last_week` (the week last sent for this department) is not
/// it.
pub fn digest_due(config: &FeedbackConfig, now_ms: i64, last_week: Option<&str>) -> Option<DigestSlot> {
    let slot = digest_slot(config, now_ms)?;
    (now_ms >= slot.at_ms && last_week != Some(slot.week.as_str())).then_some(slot)
}

/// The spike window judged at `now_ms` and the baseline before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpikeWindow {
    pub window: Period,
    pub baseline: Period,
}

pub fn spike_window(rule: &SpikeRule, now_ms: i64) -> SpikeWindow {
    let end = now_ms.div_euclid(HOUR_MS) * HOUR_MS;
    let start = end - rule.window_hours.max(1) as i64 * HOUR_MS;
    SpikeWindow { window: Period { start_ms: start, end_ms: end }, baseline: Period { start_ms: start - BASELINE_MS, end_ms: start } }
}

#[cfg(test)]
mod tests {
    use super::super::config::{DigestSchedule, Weekday};
    use super::*;

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn config(zone: &str, weekday: Weekday, hour: u8) -> FeedbackConfig {
        FeedbackConfig { time_zone: zone.into(), digest: DigestSchedule { weekday, hour }, ..FeedbackConfig::default() }
    }

    #[test]
    fn digest_due_table() {
        // (case, zone, weekday, hour, now, last week sent, the week due or None)
        type Case = (&'static str, &'static str, Weekday, u8, &'static str, Option<&'static str>, Option<&'static str>);
        let cases: Vec<Case> = vec![
            ("UTC, an hour before", "UTC", Weekday::Monday, 9, "2026-11-30T08:59:59Z", Some("2026-W48"), None),
            ("UTC, at the hour", "UTC", Weekday::Monday, 9, "2026-11-30T09:00:00Z", Some("2026-W48"), Some("2026-W49")),
            ("UTC, already sent", "UTC", Weekday::Monday, 9, "2026-11-30T09:00:00Z", Some("2026-W49"), None),
            ("UTC, late but the same week", "UTC", Weekday::Monday, 9, "2026-12-06T23:59:00Z", Some("2026-W48"), Some("2026-W49")),
            ("never sent", "UTC", Weekday::Monday, 9, "2026-11-30T10:00:00Z", None, Some("2026-W49")),
            // Monday 00:00 in Los Angeles is 08:00 UTC: at 07:59 UTC it is still
            // Sunday there, and last week's slot (already sent) is the current one.
            ("Los Angeles, Sunday night local", "America/Los_Angeles", Weekday::Monday, 0, "2026-11-30T07:59:00Z", Some("2026-W48"), None),
            (
                "Los Angeles, Monday midnight local",
                "America/Los_Angeles",
                Weekday::Monday,
                0,
                "2026-11-30T08:00:00Z",
                Some("2026-W48"),
                Some("2026-W49"),
            ),
            // Tokyo is ahead: Monday 09:00 there is Monday 00:00 UTC.
            ("Tokyo, ahead of UTC", "Asia/Tokyo", Weekday::Monday, 9, "2026-11-30T00:00:00Z", Some("2026-W48"), Some("2026-W49")),
            ("Tokyo, a second before", "Asia/Tokyo", Weekday::Monday, 9, "2026-11-29T23:59:59Z", Some("2026-W48"), None),
            // A Sunday slot is in the ISO week that starts the Monday before.
            ("Sunday slot", "Europe/Madrid", Weekday::Sunday, 18, "2026-12-06T17:00:00Z", Some("2026-W48"), Some("2026-W49")),
            // ISO week 53 of 2026 runs into January 2027.
            ("week 53", "UTC", Weekday::Friday, 9, "2027-01-01T09:00:00Z", Some("2026-W52"), Some("2026-W53")),
        ];
        for (name, zone, weekday, hour, now, last, want) in cases {
            let due = digest_due(&config(zone, weekday, hour), ms(now), last);
            assert_eq!(due.as_ref().map(|s| s.week.as_str()), want, "{name}");
        }
    }

    #[test]
    fn a_digest_week_follows_the_local_clock_across_dst() {
        // Madrid springs forward on 2026-03-29: the week before Monday 30 March
        // 09:00 is 167 hours long, the one before it 168.
        let c = config("Europe/Madrid", Weekday::Monday, 9);
        let slot = digest_due(&c, ms("2026-03-30T07:00:00Z"), None).expect("09:00 CEST is 07:00 UTC");
        assert_eq!(slot.at_ms, ms("2026-03-30T07:00:00Z"));
        assert_eq!(slot.period, Period { start_ms: ms("2026-03-23T08:00:00Z"), end_ms: ms("2026-03-30T07:00:00Z") });
        assert_eq!((slot.period.hours(), slot.previous.hours()), (167, 168));
        assert_eq!(slot.week, "2026-W14");
        assert_eq!(digest_due(&c, ms("2026-03-30T06:59:59Z"), None), None, "08:59:59 local: this week's slot is still ahead");
        // And falls back on 2026-10-25: that week is 169 hours long.
        let autumn = digest_slot(&c, ms("2026-10-26T12:00:00Z")).unwrap();
        assert_eq!(autumn.at_ms, ms("2026-10-26T08:00:00Z"));
        assert_eq!(autumn.period.hours(), 169);
        // An hour the clocks skip is read after the gap (02:00 → 03:00 CEST).
        let gap = digest_slot(&config("Europe/Madrid", Weekday::Sunday, 2), ms("2026-03-29T12:00:00Z")).unwrap();
        assert_eq!(gap.at_ms, ms("2026-03-29T01:00:00Z"));
        // An hour they repeat is its first occurrence (02:00 CEST, 00:00 UTC).
        let fold = digest_slot(&config("Europe/Madrid", Weekday::Sunday, 2), ms("2026-10-25T12:00:00Z")).unwrap();
        assert_eq!(fold.at_ms, ms("2026-10-25T00:00:00Z"));
        // Consecutive slots tile time: this week's period starts where last week's ended.
        let next = digest_slot(&c, ms("2026-04-06T07:00:00Z")).unwrap();
        assert_eq!(next.previous, slot.period);
    }

    #[test]
    fn an_unknown_zone_schedules_nothing() {
        assert_eq!(digest_due(&config("Nowhere/Land", Weekday::Monday, 9), ms("2026-11-30T10:00:00Z"), None), None);
    }

    #[test]
    fn spike_windows_end_at_the_last_full_hour() {
        let rule = SpikeRule { window_hours: 3, ..SpikeRule::default() };
        let w = spike_window(&rule, ms("2026-11-30T10:59:59.999Z"));
        assert_eq!(w.window, Period { start_ms: ms("2026-11-30T07:00:00Z"), end_ms: ms("2026-11-30T10:00:00Z") });
        assert_eq!(w.baseline, Period { start_ms: ms("2026-11-23T07:00:00Z"), end_ms: ms("2026-11-30T07:00:00Z") });
        assert_eq!(spike_window(&rule, ms("2026-11-30T10:00:00Z")), w, "two servers in the same hour judge the same window");
        assert_ne!(spike_window(&rule, ms("2026-11-30T11:00:00Z")), w);
    }
}
