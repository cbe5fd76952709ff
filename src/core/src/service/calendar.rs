//! Working time in the team's time zone: how many working milliseconds lie
//! between two instants, and which instant is a number of working
//! milliseconds after another. Service targets count working time, so a
//! comment captured on Friday evening is not overdue on Saturday morning.
//!
//! Days are walked in the zone's civil calendar and each working range is
//! turned into instants with the zone's rules ([`jiff`], bundled tz
//! database), so a DST change shortens or lengthens that day's range by
//! what the clocks do (a 09:00–18:00 day is still 09:00–18:00 on the wall).

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// One working range of one weekday, in minutes since local midnight
/// (`end` may be 1440: until midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start_min: u16,
    pub end_min: u16,
}

/// A time zone and the working ranges of each weekday (Monday first). No
/// range at all on any day means "around the clock".
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    week: [Vec<Range>; 7],
}

/// How far the walk looks ahead or back (days): a capture open longer than
/// this counts only its last ten years, and a calendar is never walked
/// without end.
const MAX_DAYS: i64 = 3660;

impl Calendar {
    /// `week[0]` is Monday. Ranges of a day must be sorted and disjoint
    /// (the targets' validation guarantees it; this sorts anyway).
    pub fn new(tz: TimeZone, mut week: [Vec<Range>; 7]) -> Calendar {
        for day in week.iter_mut() {
            day.retain(|r| r.start_min < r.end_min && r.end_min <= 1440);
            day.sort_by_key(|r| r.start_min);
        }
        Calendar { tz, week }
    }

    /// Around the clock in UTC.
    pub fn always() -> Calendar {
        Calendar::new(TimeZone::UTC, Default::default())
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    fn around_the_clock(&self) -> bool {
        self.week.iter().all(Vec::is_empty)
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, ms: i64) -> Option<Date> {
        Some(Timestamp::from_millisecond(ms).ok()?.to_zoned_datetime(self.tz.clone()).date())
    }

    /// The instant a local wall time happens (a time skipped by a DST jump
    /// is read as the clocks would show it after the jump, jiff's
    /// "compatible" rule).
    fn instant(&self, date: Date, minute: u16) -> Option<i64> {
        let (date, minute) = if minute >= 1440 { (date.tomorrow().ok()?, minute - 1440) } else { (date, minute) };
        let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        Some(self.tz.to_timestamp(dt).ok()?.as_millisecond())
    }

    /// The working ranges of `date` as instants `[start, end)`.
    fn day_ranges(&self, date: Date) -> Vec<(i64, i64)> {
        let day = &self.week[date.weekday().to_monday_zero_offset() as usize];
        day.iter().filter_map(|r| Some((self.instant(date, r.start_min)?, self.instant(date, r.end_min)?))).filter(|(s, e)| s < e).collect()
    }

    /// Working milliseconds in `[from, to)`; 0 when `to <= from`.
    pub fn working_ms(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        if self.around_the_clock() {
            return to - from;
        }
        let (Some(mut date), Some(last)) = (self.local_date(from), self.local_date(to)) else { return 0 };
        let mut total = 0;
        for _ in 0..MAX_DAYS {
            for (s, e) in self.day_ranges(date) {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e - s;
                }
            }
            if date >= last {
                break;
            }
            let Ok(next) = date.tomorrow() else { break };
            date = next;
        }
        total
    }

    /// The instant `working` milliseconds of working time after `from`
    /// (`from` itself when `working <= 0` and `from` is in working time;
    /// else the next working instant). `None` when the calendar has no
    /// working time within ten years.
    pub fn add_working(&self, from: i64, working: i64) -> Option<i64> {
        if self.around_the_clock() {
            return from.checked_add(working.max(0));
        }
        let mut left = working.max(0);
        let mut date = self.local_date(from)?;
        // A range of the day before can run past midnight only when it ends at 24:00,
        // which is today's 00:00: starting on `from`'s own date is enough.
        for _ in 0..MAX_DAYS {
            for (s, e) in self.day_ranges(date) {
                let start = s.max(from);
                if start >= e {
                    continue;
                }
                if left <= e - start {
                    return Some(start + left);
                }
                left -= e - start;
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The Monday (local date) of the week an instant falls in, as
    /// `YYYY-MM-DD`: the reports' week key.
    pub fn week_of(&self, ms: i64) -> Option<String> {
        let date = self.local_date(ms)?;
        let monday = date.checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset() as i64)).ok()?;
        Some(monday.to_string())
    }
}

/// Weekday names as the configuration writes them, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `mon`… `sun` to its Monday-first index.
pub fn day_index(name: &str) -> Option<usize> {
    let n = name.trim().to_ascii_lowercase();
    DAY_NAMES.iter().position(|d| *d == n)
}

/// `HH:MM` (00:00–24:00) to minutes since midnight.
pub fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Used by tests and the weekday check of the reports.
pub fn weekday_index(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Madrid, Monday–Friday 09:00–18:00 (a lunch-free day: 9 h).
    fn madrid_office() -> Calendar {
        let day = vec![Range { start_min: 9 * 60, end_min: 18 * 60 }];
        let week = [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]];
        Calendar::new(TimeZone::get("Europe/Madrid").unwrap(), week)
    }

    fn ms(rfc3339: &str) -> i64 {
        rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
    }

    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;

    #[test]
    fn working_time_between_two_instants() {
        let c = madrid_office();
        // 2026-01-16 is a Friday; Madrid is UTC+1 in winter.
        let table: &[(&str, &str, &str, i64)] = &[
            ("inside one day", "2026-01-14T09:00:00Z", "2026-01-14T10:30:00Z", 90 * MIN),
            ("before opening counts from 09:00", "2026-01-14T06:00:00Z", "2026-01-14T09:00:00Z", HOUR),
            ("after closing counts nothing", "2026-01-14T17:30:00Z", "2026-01-14T20:00:00Z", 0),
            ("across a weekend: Fri 17:00 to Mon 10:00 local", "2026-01-16T16:00:00Z", "2026-01-19T09:00:00Z", 2 * HOUR),
            ("a whole week", "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z", 45 * HOUR),
            ("reversed is zero", "2026-01-14T10:00:00Z", "2026-01-14T09:00:00Z", 0),
            // 2026-03-29 (Sunday) Madrid goes from UTC+1 to UTC+2: Friday 17:00
            // local is 16:00Z, Monday 10:00 local is 08:00Z.
            ("across the spring DST change", "2026-03-27T16:00:00Z", "2026-03-30T08:00:00Z", 2 * HOUR),
            // 2026-10-25 back to UTC+1: Monday 09:00 local is 08:00Z.
            ("across the autumn DST change", "2026-10-23T15:00:00Z", "2026-10-26T09:00:00Z", 2 * HOUR),
        ];
        for (name, from, to, want) in table {
            assert_eq!(c.working_ms(ms(from), ms(to)), *want, "{name}");
        }
    }

    #[test]
    fn adding_working_time() {
        let c = madrid_office();
        let table: &[(&str, &str, i64, &str)] = &[
            ("inside the day", "2026-01-14T09:00:00Z", 60 * MIN, "2026-01-14T10:00:00Z"),
            ("captured at night starts at 09:00", "2026-01-13T22:00:00Z", 30 * MIN, "2026-01-14T08:30:00Z"),
            ("Friday 17:00 local + 2 h is Monday 10:00 local", "2026-01-16T16:00:00Z", 2 * HOUR, "2026-01-19T09:00:00Z"),
            ("exactly the rest of the day ends at closing", "2026-01-14T16:00:00Z", HOUR, "2026-01-14T17:00:00Z"),
            ("zero on a Saturday is Monday's opening", "2026-01-17T12:00:00Z", 0, "2026-01-19T08:00:00Z"),
            // Spring forward: Monday 09:00 local is 07:00Z after the change.
            ("over the spring DST weekend", "2026-03-27T16:00:00Z", 2 * HOUR, "2026-03-30T08:00:00Z"),
            ("over the autumn DST weekend", "2026-10-23T15:00:00Z", 2 * HOUR, "2026-10-26T09:00:00Z"),
        ];
        for (name, from, add, want) in table {
            assert_eq!(c.add_working(ms(from), *add), Some(ms(want)), "{name}");
        }
    }

    #[test]
    fn adding_and_measuring_agree() {
        let c = madrid_office();
        let from = ms("2026-03-26T11:17:00Z");
        for minutes in [0, 1, 59, 60, 61, 9 * 60, 9 * 60 + 1, 40 * 60, 100 * 60] {
            let at = c.add_working(from, minutes * MIN).unwrap();
            assert_eq!(c.working_ms(from, at), minutes * MIN, "{minutes} min");
        }
    }

    #[test]
    fn around_the_clock_is_wall_time_and_no_working_day_is_none() {
        let c = Calendar::always();
        assert_eq!(c.working_ms(0, 5 * HOUR), 5 * HOUR);
        assert_eq!(c.add_working(1000, HOUR), Some(1000 + HOUR));
        let never =
            Calendar::new(TimeZone::UTC, [vec![Range { start_min: 600, end_min: 600 }], vec![], vec![], vec![], vec![], vec![], vec![]]);
        // The empty range is dropped, which leaves an around-the-clock calendar.
        assert_eq!(never.add_working(0, HOUR), Some(HOUR));
    }

    #[test]
    fn a_range_until_midnight_and_week_keys() {
        let day = vec![Range { start_min: 22 * 60, end_min: 1440 }];
        let c = Calendar::new(TimeZone::UTC, [day.clone(), day.clone(), day.clone(), day.clone(), day.clone(), day.clone(), day]);
        assert_eq!(c.working_ms(ms("2026-01-14T00:00:00Z"), ms("2026-01-16T00:00:00Z")), 4 * HOUR);
        assert_eq!(c.week_of(ms("2026-01-18T23:59:00Z")).as_deref(), Some("2026-01-12"));
        assert_eq!(c.week_of(ms("2026-01-19T00:00:00Z")).as_deref(), Some("2026-01-19"));
        let madrid = madrid_office();
        // Sunday 23:30Z is already Monday 00:30 in Madrid.
        assert_eq!(madrid.week_of(ms("2026-01-18T23:30:00Z")).as_deref(), Some("2026-01-19"));
    }

    #[test]
    fn a_whole_day_on_the_dst_sundays_is_23_and_25_hours() {
        let sunday = vec![Range { start_min: 0, end_min: 1440 }];
        let c = Calendar::new(TimeZone::get("Europe/Madrid").unwrap(), [vec![], vec![], vec![], vec![], vec![], vec![], sunday]);
        assert_eq!(c.working_ms(ms("2026-03-28T00:00:00Z"), ms("2026-03-31T00:00:00Z")), 23 * HOUR);
        assert_eq!(c.working_ms(ms("2026-10-24T00:00:00Z"), ms("2026-10-27T00:00:00Z")), 25 * HOUR);
        // Saturday 23:00Z is Sunday 00:00 local (UTC+1): 23 h later is Monday 00:00 local.
        assert_eq!(c.add_working(ms("2026-03-28T20:00:00Z"), 23 * HOUR), Some(ms("2026-03-29T22:00:00Z")));
    }

    #[test]
    fn clock_texts() {
        for (text, want) in [
            ("09:00", Some(540)),
            ("9:30", Some(570)),
            ("24:00", Some(1440)),
            ("24:01", None),
            ("12:60", None),
            ("noon", None),
            ("", None),
            ("-1:00", None),
        ] {
            assert_eq!(parse_clock(text), want, "{text:?}");
        }
        assert_eq!(day_index(" Sat "), Some(5));
        assert_eq!(day_index("lunes"), None);
    }
}
