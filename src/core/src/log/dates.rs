//! UTC calendar arithmetic for the log: RFC 3339 timestamps and day numbers.
//!
//! The log stores milliseconds since the epoch; filters, stats and exports
//! need calendar days and RFC 3339 strings. The proleptic-Gregorian day
//! conversion (Howard Hinnant's `days_from_civil`) is a dozen lines, so it is
//! written here rather than pulling a date crate into the wasm build.

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + if m <= 2 { 1 } else { 0 }, m, d)
}

/// The day number containing `ms`, for a user `tz_offset_min` minutes east of UTC.
pub fn day_of(ms: i64, tz_offset_min: i32) -> i64 {
    (ms + tz_offset_min as i64 * 60_000).div_euclid(MS_PER_DAY)
}

/// The UTC instant at which local day `day` starts.
pub fn day_start_ms(day: i64, tz_offset_min: i32) -> i64 {
    day * MS_PER_DAY - tz_offset_min as i64 * 60_000
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Day number of `YYYY-MM-DD` (what `<input type=date>` gives), if valid.
pub fn parse_day(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    valid_date(y, m, d).then(|| days_from_civil(y, m, d))
}

fn valid_date(y: i64, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]
}

/// `2024-05-01T10:00:00.000Z`.
pub fn format_rfc3339(ms: i64) -> String {
    let day = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (h, mi, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    format!("{}T{h:02}:{mi:02}:{s:02}.{milli:03}Z", format_day(day))
}

/// Milliseconds of an RFC 3339 timestamp (`Z` or `±hh:mm`, optional
/// fraction). A missing zone reads as UTC, as capture already assumed.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 19 || !s.is_char_boundary(10) {
        return None;
    }
    let day = parse_day(&s[..10])?;
    let b = s.as_bytes();
    if !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut milli = 0i64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &s[start..i.min(start + 3)];
        milli = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
    }
    let offset_min = match &s[i..] {
        "" | "Z" | "z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
            let oh: i64 = z[1..3].parse().ok()?;
            let om: i64 = z[4..6].parse().ok()?;
            let sign = if z.starts_with('-') { -1 } else { 1 };
            sign * (oh * 60 + om)
        }
        _ => return None,
    };
    Some(day * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + sec * 1000 + milli - offset_min * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_across_eras_and_leap_years() {
        for day in [-800_000i64, -1, 0, 1, 59, 60, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(parse_day("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_day("2023-02-29"), None);
        assert_eq!(parse_day("2024-13-01"), None);
        assert_eq!(format_day(days_from_civil(2000, 3, 1)), "2000-03-01");
    }

    #[test]
    fn rfc3339_parses_zones_and_fractions() {
        let base = days_from_civil(2024, 5, 1) * MS_PER_DAY;
        let cases = [
            ("2024-05-01T10:00:00Z", Some(base + 36_000_000)),
            ("2024-05-01T10:00:00.5Z", Some(base + 36_000_500)),
            ("2024-05-01T10:00:00.123456+02:00", Some(base + 28_800_123)),
            ("2024-05-01T10:00:00-03:30", Some(base + 36_000_000 + 12_600_000)),
            ("2024-05-01 10:00:00", Some(base + 36_000_000)),
            ("2024-05-01T25:00:00Z", None),
            ("2024-05-01T10:00:00+2", None),
            ("hace 3 días", None),
            ("2024-05-01Tá0:00:00Z", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_rfc3339(s), want, "{s}");
        }
        assert_eq!(format_rfc3339(base + 36_000_123), "2024-05-01T10:00:00.123Z");
        assert_eq!(parse_rfc3339(&format_rfc3339(-1)), Some(-1));
    }

    #[test]
    fn local_days_follow_the_offset() {
        let ms = parse_rfc3339("2024-05-01T23:30:00Z").unwrap();
        assert_eq!(format_day(day_of(ms, 0)), "2024-05-01");
        assert_eq!(format_day(day_of(ms, 120)), "2024-05-02");
        assert_eq!(format_day(day_of(ms, -300)), "2024-05-01");
        let d = parse_day("2024-05-02").unwrap();
        assert_eq!(day_start_ms(d, 120), parse_rfc3339("2024-05-01T22:00:00Z").unwrap());
    }
}
