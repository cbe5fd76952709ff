//! Comment timestamps: machine-readable values (`<time datetime>`, schema.org,
//! epoch attributes) and the human text forums print, in English, Spanish,
//! German and French, absolute ("Mar 3, 2015 at 4:12 PM", "03.05.2015, 14:22",
//! "3 de marzo de 2015") or relative ("hace 3 días", "3 hours ago", "ayer").
//!
//! Relative text resolves against the capture time; text without a zone is
//! read as UTC and says so (`zone: assumed`), so nothing pretends to a
//! precision it does not have. The calendar arithmetic is the two well-known
//! day-count conversions (H. Hinnant's `days_from_civil`); a date crate would
//! add size to the wasm build without removing the parsing written here.

use std::sync::OnceLock;

use regex_lite::{Captures, Regex};
use serde::{Deserialize, Serialize};

/// Where the UTC instant's zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Zone {
    /// The source gave an offset, `Z`, a zone name, or an epoch.
    Explicit,
    /// No zone in the source: read as UTC.
    Assumed,
    /// Relative text ("3 hours ago") resolved against the capture time.
    Relative,
}

/// The finest unit the source states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Precision {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentTime {
    /// The text or attribute value it was read from, as found.
    pub original: String,
    /// RFC 3339, UTC (`2015-03-03T16:12:00Z`).
    pub utc: String,
    pub epoch_ms: i64,
    pub zone: Zone,
    pub precision: Precision,
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

impl CommentTime {
    fn new(original: &str, epoch_ms: i64, zone: Zone, precision: Precision) -> CommentTime {
        CommentTime { original: original.trim().to_string(), utc: rfc3339(epoch_ms), epoch_ms, zone, precision }
    }
}

/// A machine-readable value: ISO 8601 / RFC 3339 (as in `<time datetime>`,
/// schema.org `dateCreated`) or a Unix epoch in seconds or milliseconds.
/// `original` is the human text shown next to it, kept for the record.
pub fn parse_machine(value: &str, original: &str, now_ms: i64) -> Option<CommentTime> {
    let value = value.trim();
    let shown = if original.trim().is_empty() { value } else { original };
    if let Some(ms) = parse_epoch(value) {
        return Some(CommentTime::new(shown, ms, Zone::Explicit, Precision::Second));
    }
    let lower = value.to_lowercase();
    let caps = re_iso().captures(&lower)?;
    if caps.get(0)?.start() != 0 {
        return None;
    }
    let mut t = iso_from(&caps, now_ms)?;
    t.original = shown.trim().to_string();
    Some(t)
}

/// A Unix epoch in seconds (10 digits) or milliseconds (13 digits), within
/// 1995..2100 so that ids and counters are not read as times.
pub fn parse_epoch(value: &str) -> Option<i64> {
    let v = value.trim();
    if v.is_empty() || v.len() > 14 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = v.parse().ok()?;
    let ms = if v.len() >= 12 { n } else { n * 1000 };
    (788_918_400_000..4_102_444_800_000).contains(&ms).then_some(ms)
}

/// Human-readable text, absolute or relative, possibly with words around it
/// ("Posted: Sat Jan 12, 2018 12:15 pm"). `lang` (a BCP 47 tag) settles
/// whether 03/05/2015 is March or May: English reads month first.
pub fn parse_text(text: &str, now_ms: i64, lang: Option<&str>) -> Option<CommentTime> {
    let original = text.trim();
    if original.is_empty() || original.len() > 300 {
        return None;
    }
    let lower = original.to_lowercase().replace(['\u{a0}', '\u{202f}'], " ");
    if let Some(caps) = re_iso().captures(&lower) {
        let mut t = iso_from(&caps, now_ms)?;
        t.original = original.to_string();
        return Some(t);
    }
    if let Some(t) = absolute(&lower, now_ms, lang) {
        return Some(CommentTime::new(original, t.0, t.1, t.2));
    }
    relative(&lower, now_ms).map(|(ms, precision)| CommentTime::new(original, ms, Zone::Relative, precision))
}

fn re(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    cell.get_or_init(|| Regex::new(&pattern()).expect("valid time regex"))
}

fn re_iso() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || {
        r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:t|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2}|[+-]\d{2}\b)?"
            .into()
    })
}

fn iso_from(caps: &Captures, now_ms: i64) -> Option<CommentTime> {
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<i64>().ok());
    let (y, mo, d) = (num(1)?, num(2)?, num(3)?);
    // Placeholder dates (epoch zero, 0001-01-01) are not comment times.
    if !(1990..=2100).contains(&y) {
        return None;
    }
    let (h, mi, s) = (num(4), num(5), num(6));
    let offset = match caps.get(7).map(|m| m.as_str()) {
        Some("z" | "utc" | "gmt") => Some(0),
        Some(o) => Some(parse_offset(o)?),
        None => None,
    };
    let precision = match (h, s) {
        (None, _) => Precision::Day,
        (Some(_), None) => Precision::Minute,
        _ => Precision::Second,
    };
    let ms = civil_ms(y, mo, d, h.unwrap_or(0), mi.unwrap_or(0), s.unwrap_or(0), now_ms)? - offset.unwrap_or(0) * MINUTE_MS;
    let zone = if offset.is_some() { Zone::Explicit } else { Zone::Assumed };
    Some(CommentTime::new(caps.get(0)?.as_str(), ms, zone, precision))
}

/// `+02:00`, `-0400`, `+05` in minutes east of UTC.
fn parse_offset(o: &str) -> Option<i64> {
    let sign = if o.starts_with('-') { -1 } else { 1 };
    let digits: String = o.chars().filter(|c| c.is_ascii_digit()).collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i64>().ok()?, 0),
        3 => (digits[..1].parse::<i64>().ok()?, digits[1..].parse::<i64>().ok()?),
        4 => (digits[..2].parse::<i64>().ok()?, digits[2..].parse::<i64>().ok()?),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// Month names and abbreviations in EN/ES/DE/FR, lower-case.
const MONTHS: &[(&str, i64)] = &[
    ("january", 1),
    ("janvier", 1),
    ("januar", 1),
    ("jänner", 1),
    ("enero", 1),
    ("janv", 1),
    ("ene", 1),
    ("jan", 1),
    ("february", 2),
    ("febrero", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("fevr", 2),
    ("feb", 2),
    ("fév", 2),
    ("march", 3),
    ("marzo", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("mär", 3),
    ("mrz", 3),
    ("mar", 3),
    ("april", 4),
    ("abril", 4),
    ("avril", 4),
    ("apr", 4),
    ("abr", 4),
    ("avr", 4),
    ("mayo", 5),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("junio", 6),
    ("juni", 6),
    ("juin", 6),
    ("jun", 6),
    ("july", 7),
    ("julio", 7),
    ("juli", 7),
    ("juillet", 7),
    ("juil", 7),
    ("jul", 7),
    ("august", 8),
    ("agosto", 8),
    ("août", 8),
    ("aout", 8),
    ("aug", 8),
    ("ago", 8),
    ("september", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("sept", 9),
    ("sep", 9),
    ("set", 9),
    ("october", 10),
    ("octubre", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("oct", 10),
    ("okt", 10),
    ("november", 11),
    ("noviembre", 11),
    ("novembre", 11),
    ("nov", 11),
    ("december", 12),
    ("diciembre", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("dic", 12),
    ("dez", 12),
    ("déc", 12),
    ("dec", 12),
];

fn month_alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.join("|")
}

fn month_number(name: &str) -> Option<i64> {
    MONTHS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

fn re_numeric() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || r"(?:^|[^\d.:/-])(\d{1,4})([./-])(\d{1,2})([./-])(\d{4}|\d{2})(?:$|[^\d])".into())
}

fn re_day_month() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || {
        format!(
            r"(?:^|[^\w\u{{e0}}-\u{{ff}}])(\d{{1,2}})(?:st|nd|rd|th|er|º|ª)?\.?\s*(?:de\s+|-)?({})\b\.?(?:\s*,?\s*(?:de\s+|del\s+|-)?(\d{{4}})\b)?",
            month_alternation()
        )
    })
}

fn re_month_day() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || format!(r"\b({})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(\d{{4}})\b)?", month_alternation()))
}

fn re_clock() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || r"\b(\d{1,2})(?::|h)(\d{2})(?::(\d{2}))?\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?)?".into())
}

fn re_zone() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || r"\b(utc|gmt|z|cet|cest|mez|mesz|bst|est|edt|cst|cdt|pst|pdt)\b\s*([+-]\d{1,2}(?::?\d{2})?)?|\s([+-]\d{2}:?\d{2})\b".into())
}

fn re_day_word() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || r"\b(today|yesterday|heute|gestern|hoy|ayer|aujourd'hui|aujourd’hui|hier)\b".into())
}

fn re_year() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || r"\b(19\d{2}|20\d{2})\b".into())
}

/// An absolute date (and time if given) found in `lower`.
fn absolute(lower: &str, now_ms: i64, lang: Option<&str>) -> Option<(i64, Zone, Precision)> {
    let (now_y, _, _) = civil_from_days(now_ms.div_euclid(DAY_MS));
    let month_first = lang.is_none_or(|l| {
        let l = l.to_ascii_lowercase();
        l == "en" || l.starts_with("en-us") || l.starts_with("en_us")
    });
    // The earliest date form in the text wins.
    let mut best: Option<(usize, usize, i64, i64, Option<i64>)> = None; // start, end, y/m/d
    let mut consider = |start: usize, end: usize, y: Option<i64>, m: i64, d: i64| {
        if best.as_ref().is_none_or(|b| start < b.0) {
            best = Some((start, end, m, d, y));
        }
    };
    if let Some(c) = re_numeric().captures(lower) {
        let whole = c.get(0)?;
        let (a, s1, b, s2, y) = (c[1].parse::<i64>().ok()?, &c[2], c[3].parse::<i64>().ok()?, &c[4], &c[5]);
        if s1 == s2 {
            if c[1].len() == 4 {
                // 2015/03/05: year first, then month.
                let yy: i64 = a;
                if let Ok(d) = y.parse::<i64>() {
                    if y.len() <= 2 {
                        consider(whole.start(), whole.end(), Some(yy), b, d);
                    }
                }
            } else {
                let year = expand_year(y.parse().ok()?, now_y);
                // Day first after a dot or when the first number cannot be a
                // month; month first when the second cannot be, or by locale.
                let (m, d) = if s1 == "." || a > 12 {
                    (b, a)
                } else if b > 12 || month_first {
                    (a, b)
                } else {
                    (b, a)
                };
                consider(whole.start(), whole.end(), Some(year), m, d);
            }
        }
    }
    if let Some(c) = re_day_month().captures(lower) {
        let whole = c.get(0)?;
        let d = c[1].parse().ok()?;
        let m = month_number(&c[2])?;
        consider(whole.start(), whole.end(), c.get(3).and_then(|y| y.as_str().parse().ok()), m, d);
    }
    if let Some(c) = re_month_day().captures(lower) {
        let whole = c.get(0)?;
        let m = month_number(&c[1])?;
        let d = c[2].parse().ok()?;
        consider(whole.start(), whole.end(), c.get(3).and_then(|y| y.as_str().parse().ok()), m, d);
    }
    let day_word = re_day_word().captures(lower);
    let rest_of = |start: usize, end: usize| format!("{} {}", &lower[..start], &lower[end..]);
    let (y, m, d, rest, from_word) = match (best, day_word) {
        (Some((start, end, m, d, y)), _) => {
            let rest = rest_of(start, end);
            let y = match y.or_else(|| re_year().captures(&rest).and_then(|c| c[1].parse().ok())) {
                Some(y) => y,
                None => {
                    // No year: this year, unless that lies in the future.
                    let this = civil_ms(now_y, m, d, 0, 0, 0, now_ms)?;
                    if this > now_ms + DAY_MS {
                        now_y - 1
                    } else {
                        now_y
                    }
                }
            };
            (y, m, d, rest, false)
        }
        (None, Some(w)) => {
            let word = w.get(1)?;
            let back = match word.as_str() {
                "today" | "heute" | "hoy" | "aujourd'hui" | "aujourd’hui" => 0,
                "hier" if !lang.is_some_and(|l| l.starts_with("fr")) && !re_clock().is_match(lower) => return None,
                _ => 1,
            };
            let (y, m, d) = civil_from_days(now_ms.div_euclid(DAY_MS) - back);
            (y, m as i64, d as i64, rest_of(word.start(), word.end()), true)
        }
        (None, None) => return None,
    };
    if !(1990..=now_y + 1).contains(&y) {
        return None;
    }
    let clock = re_clock().captures(&rest).and_then(|c| {
        let mut h: i64 = c[1].parse().ok()?;
        let mi: i64 = c[2].parse().ok()?;
        let s: Option<i64> = c.get(3).and_then(|s| s.as_str().parse().ok());
        if let Some(ampm) = c.get(4) {
            if !(1..=12).contains(&h) {
                return None;
            }
            let pm = ampm.as_str().starts_with('p');
            h = match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            };
        }
        (h < 24 && mi < 60 && s.unwrap_or(0) < 60).then_some((h, mi, s))
    });
    let zone = clock.as_ref().and_then(|_| re_zone().captures(&rest)).and_then(|c| {
        if let Some(o) = c.get(3) {
            return parse_offset(o.as_str());
        }
        let base = match &c[1] {
            "utc" | "gmt" | "z" => 0,
            "cet" | "mez" | "bst" => 60,
            "cest" | "mesz" => 120,
            "est" | "cdt" => -300,
            "edt" => -240,
            "cst" => -360,
            "pst" => -480,
            "pdt" => -420,
            _ => return None,
        };
        Some(base + c.get(2).map_or(Some(0), |o| parse_offset(o.as_str()))?)
    });
    let (h, mi, s) = clock.unwrap_or((0, 0, None));
    let ms = civil_ms(y, m, d, h, mi, s.unwrap_or(0), now_ms)? - zone.unwrap_or(0) * MINUTE_MS;
    let precision = match (clock, s) {
        (None, _) => Precision::Day,
        (Some(_), None) => Precision::Minute,
        _ => Precision::Second,
    };
    let zone = if zone.is_some() {
        Zone::Explicit
    } else if from_word {
        Zone::Relative
    } else {
        Zone::Assumed
    };
    Some((ms, zone, precision))
}

fn expand_year(y: i64, now_y: i64) -> i64 {
    if y >= 100 {
        y
    } else if 2000 + y <= now_y + 1 {
        2000 + y
    } else {
        1900 + y
    }
}

fn re_relative() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || {
        concat!(
            r"\b(\d+|an?|one|un|una|uno|une|ein|eine|einem|einer|einen|few|a few|unos|unas|quelques|ein paar|wenigen)\s*",
            r"(seconds?|secs?|segundos?|sekunden?|secondes?|minutes?|mins?|minutos?|minuten?|hours?|hrs?|horas?|stunden?|heures?|",
            r"days?|días?|dias?|tagen?|jours?|weeks?|wks?|semanas?|wochen?|woche|semaines?|months?|mos?|meses|mes|monaten?|monate|monat|mois|",
            r"years?|yrs?|años?|anos?|jahren?|jahre|jahr|années?|annees?|ans?|s|m|h|d|w|y)\b\.?"
        )
        .into()
    })
}

fn re_now_words() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, || {
        r"^(just now|right now|now|a moment ago|moments ago|hace un momento|hace unos momentos|ahora mismo|ahora|gerade eben|soeben|jetzt|à l'instant|a l'instant|à l’instant)$".into()
    })
}

/// "3 hours ago", "hace 3 días", "vor 2 Tagen", "il y a 5 minutes", "3h".
fn relative(lower: &str, now_ms: i64) -> Option<(i64, Precision)> {
    let trimmed = lower.trim().trim_end_matches('.');
    if re_now_words().is_match(trimmed) {
        return Some((now_ms, Precision::Minute));
    }
    if trimmed.len() > 60 {
        return None;
    }
    let caps = re_relative().captures(trimmed)?;
    let directed = ["ago", "hace", "vor ", "il y a", "atrás", "avant"].iter().any(|w| trimmed.contains(w));
    // Bare "3h"/"5d" only when that is all the text says.
    if !directed && trimmed.len() > 8 {
        return None;
    }
    let amount: i64 = match &caps[1] {
        n if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok()?,
        "few" | "a few" | "unos" | "unas" | "quelques" | "ein paar" | "wenigen" => 2,
        _ => 1,
    };
    let unit = &caps[2];
    let (unit_ms, precision) = if unit.starts_with("mo") || unit.starts_with("mes") || unit.starts_with("mois") {
        (30 * DAY_MS, Precision::Month)
    } else if unit.starts_with('h') || unit.starts_with("stund") {
        (HOUR_MS, Precision::Hour)
    } else if unit == "s" || (unit.starts_with("se") && !unit.starts_with("sem")) {
        (1000, Precision::Second)
    } else if unit.starts_with('m') {
        (MINUTE_MS, Precision::Minute)
    } else if unit.starts_with('d') || unit.starts_with('t') || unit.starts_with("jo") {
        (DAY_MS, Precision::Day)
    } else if unit.starts_with('w') || unit.starts_with("sem") {
        (7 * DAY_MS, Precision::Week)
    } else {
        (365 * DAY_MS, Precision::Year)
    };
    let precision = if precision == Precision::Second { Precision::Minute } else { precision };
    Some((now_ms - amount.checked_mul(unit_ms)?, precision))
}

/// Milliseconds since the epoch for a UTC civil time, validating every field.
fn civil_ms(y: i64, m: i64, d: i64, h: i64, mi: i64, s: i64, _now_ms: i64) -> Option<i64> {
    if !(1..=12).contains(&m)
        || d < 1
        || d > days_in_month(y, m)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..61).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(y, m as u32, d as u32) * DAY_MS + h * HOUR_MS + mi * MINUTE_MS + s.min(59) * 1000)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One implementation of the calendar arithmetic for the whole core.
pub use crate::log::dates::{civil_from_days, days_from_civil};

/// `2015-03-03T16:12:00Z`.
pub fn rfc3339(epoch_ms: i64) -> String {
    let (y, m, d) = civil_from_days(epoch_ms.div_euclid(DAY_MS));
    let ms = epoch_ms.rem_euclid(DAY_MS);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", ms / HOUR_MS, ms % HOUR_MS / MINUTE_MS, ms % MINUTE_MS / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-06-15T12:00:00Z, a Saturday.
    const NOW: i64 = 1_718_452_800_000;

    #[test]
    fn calendar_round_trips() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2015, 3, 3), (2024, 12, 31), (1999, 12, 31)] {
            let days = days_from_civil(y, m as u32, d as u32);
            assert_eq!(civil_from_days(days), (y, m as u32, d as u32));
        }
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(NOW), "2024-06-15T12:00:00Z");
    }

    #[test]
    fn machine_values() {
        for (value, want, zone) in [
            ("2015-03-03T16:12:00Z", "2015-03-03T16:12:00Z", Zone::Explicit),
            ("2015-03-03T16:12:00+01:00", "2015-03-03T15:12:00Z", Zone::Explicit),
            ("2020-04-18T10:00:00-0400", "2020-04-18T14:00:00Z", Zone::Explicit),
            ("2019-02-23T13:00:00.000Z", "2019-02-23T13:00:00Z", Zone::Explicit),
            ("2015-03-03 16:12:00", "2015-03-03T16:12:00Z", Zone::Assumed),
            ("2015-03-03", "2015-03-03T00:00:00Z", Zone::Assumed),
            ("1425399120", "2015-03-03T16:12:00Z", Zone::Explicit),
            ("1425399120000", "2015-03-03T16:12:00Z", Zone::Explicit),
        ] {
            let t = parse_machine(value, "", NOW).unwrap_or_else(|| panic!("{value}"));
            assert_eq!((t.utc.as_str(), t.zone), (want, zone), "{value}");
        }
        for bad in ["", "42", "yesterday", "2015-13-03", "2015-02-30T10:00Z", "not 2015-03-03"] {
            assert_eq!(parse_machine(bad, "", NOW), None, "{bad}");
        }
        assert_eq!(parse_machine("2015-03-03T16:12Z", "Mar 3", NOW).unwrap().original, "Mar 3");
    }

    #[test]
    fn human_absolute_text() {
        for (text, lang, want, precision) in [
            ("Mar 3, 2015 at 4:12 PM", None, "2015-03-03T16:12:00Z", Precision::Minute),
            ("March 3, 2015", Some("en"), "2015-03-03T00:00:00Z", Precision::Day),
            ("03.05.2015, 14:22", Some("de"), "2015-05-03T14:22:00Z", Precision::Minute),
            ("3 de marzo de 2015", Some("es"), "2015-03-03T00:00:00Z", Precision::Day),
            ("3 de marzo de 2015, 16:12", Some("es"), "2015-03-03T16:12:00Z", Precision::Minute),
            ("9. März 2020", Some("de"), "2020-03-09T00:00:00Z", Precision::Day),
            ("1er mars 2020 à 14h05", Some("fr"), "2020-03-01T14:05:00Z", Precision::Minute),
            ("12 Jan 2018, 12:15", Some("de"), "2018-01-12T12:15:00Z", Precision::Minute),
            ("Posted: Sat Jan 12, 2018 12:15 am", Some("en"), "2018-01-12T00:15:00Z", Precision::Minute),
            ("10-04-2017, 11:00 AM", Some("en"), "2017-10-04T11:00:00Z", Precision::Minute),
            ("10-31-2017, 01:56 PM", None, "2017-10-31T13:56:00Z", Precision::Minute),
            ("05/03/2015", Some("es"), "2015-03-05T00:00:00Z", Precision::Day),
            ("05/03/2015", Some("en-US"), "2015-05-03T00:00:00Z", Precision::Day),
            ("13.11.2019", Some("de"), "2019-11-13T00:00:00Z", Precision::Day),
            ("05.01.12 11:27", Some("de"), "2012-01-05T11:27:00Z", Precision::Minute),
            ("10-August-2011 20:18", Some("es"), "2011-08-10T20:18:00Z", Precision::Minute),
            ("Tue Mar 3 16:12:00 2015 UTC", None, "2015-03-03T16:12:00Z", Precision::Second),
            ("Mar 3, 2015 4:12 pm CET", None, "2015-03-03T15:12:00Z", Precision::Minute),
            ("Apr 18", None, "2024-04-18T00:00:00Z", Precision::Day),
            ("Dec 24", None, "2023-12-24T00:00:00Z", Precision::Day),
            ("2015/03/05", None, "2015-03-05T00:00:00Z", Precision::Day),
        ] {
            let t = parse_text(text, NOW, lang).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((t.utc.as_str(), t.precision), (want, precision), "{text}");
            assert_eq!(t.original, text.trim());
        }
        let t = parse_text("Mar 3, 2015 4:12 pm CET", NOW, None).unwrap();
        assert_eq!(t.zone, Zone::Explicit);
        assert_eq!(parse_text("Mar 3, 2015", NOW, None).unwrap().zone, Zone::Assumed);
    }

    #[test]
    fn relative_text_resolves_against_capture_time() {
        for (text, back_ms, precision) in [
            ("hace 3 días", 3 * DAY_MS, Precision::Day),
            ("3 hours ago", 3 * HOUR_MS, Precision::Hour),
            ("an hour ago", HOUR_MS, Precision::Hour),
            ("vor 2 Tagen", 2 * DAY_MS, Precision::Day),
            ("il y a 5 minutes", 5 * MINUTE_MS, Precision::Minute),
            ("hace un mes", 30 * DAY_MS, Precision::Month),
            ("2 years ago", 730 * DAY_MS, Precision::Year),
            ("3 wks ago", 21 * DAY_MS, Precision::Week),
            ("10 hr. ago", 10 * HOUR_MS, Precision::Hour),
            ("3h", 3 * HOUR_MS, Precision::Hour),
            ("just now", 0, Precision::Minute),
            ("hace un momento", 0, Precision::Minute),
            ("Just now.", 0, Precision::Minute),
        ] {
            let t = parse_text(text, NOW, None).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((t.epoch_ms, t.precision, t.zone), (NOW - back_ms, precision, Zone::Relative), "{text}");
            assert_eq!(t.original, text);
        }
    }

    #[test]
    fn day_words() {
        for (text, lang, want) in [
            ("ayer", None, "2024-06-14T00:00:00Z"),
            ("yesterday at 4:12 PM", None, "2024-06-14T16:12:00Z"),
            ("Heute, 09:30", Some("de"), "2024-06-15T09:30:00Z"),
            ("Gestern, 18:01", Some("de"), "2024-06-14T18:01:00Z"),
            ("hier à 10h02", Some("fr"), "2024-06-14T10:02:00Z"),
        ] {
            let t = parse_text(text, NOW, lang).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(t.utc, want, "{text}");
        }
        // German "hier" means "here".
        assert_eq!(parse_text("hier", NOW, Some("de")), None);
    }

    #[test]
    fn not_times() {
        for text in ["", "Posts: 1234", "Re: Acme 3000", "version 2.5.1", "call 555-1234", "32/45/2019", "hello world", "#12"] {
            assert_eq!(parse_text(text, NOW, Some("en")), None, "{text}");
        }
    }
}
