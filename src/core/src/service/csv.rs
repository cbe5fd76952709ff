//! A report as CSV: the figures the report page shows, one row per group,
//! durations in working minutes. Same escaping (and spreadsheet formula
//! guard) as the log's CSV export: brand and member names are typed by
//! people.

use super::report::{Figures, Report};
use crate::dashboard::i18n::{department_label, tr, Lang, Text};

/// Working ms as minutes: whole when exact, else one decimal.
pub fn minutes(ms: i64) -> String {
    if ms % 60_000 == 0 {
        (ms / 60_000).to_string()
    } else {
        format!("{:.1}", ms as f64 / 60_000.0)
    }
}

pub fn report_csv(report: &Report, lang: Lang) -> String {
    let t = |x: Text| tr(lang, x, &[]);
    let unit = t(Text::CsvMinutes);
    let head = [
        t(Text::ReportsGroup),
        String::new(),
        t(Text::ReportsCaptures),
        t(Text::ReportsResponded),
        t(Text::ReportsClosed),
        format!("{} ({unit})", t(Text::ReportsFirstMedian)),
        format!("{} ({unit})", t(Text::ReportsFirstP90)),
        format!("{} ({unit})", t(Text::ReportsCloseMedian)),
        format!("{} ({unit})", t(Text::ReportsCloseP90)),
        t(Text::ReportsBreaching),
    ];
    let mut out = String::from("\u{FEFF}");
    crate::log::export::push_row(&mut out, head.iter().map(String::as_str));
    let none = t(Text::NoValue);
    let sections: [(Text, &[Figures], bool); 5] = [
        (Text::ReportsTotal, std::slice::from_ref(&report.total), false),
        (Text::ReportsByDepartment, &report.by_department, true),
        (Text::ReportsByMember, &report.by_member, false),
        (Text::ReportsByBrand, &report.by_brand, false),
        (Text::ReportsByWeek, &report.by_week, false),
    ];
    for (section, groups, is_department) in sections {
        for f in groups {
            let key = if section == Text::ReportsTotal {
                String::new()
            } else if f.key.is_empty() {
                none.clone()
            } else if is_department {
                department_label(lang, &f.key)
            } else {
                f.key.clone()
            };
            let m = |v: Option<i64>| v.map(minutes).unwrap_or_default();
            let cells = [
                t(section),
                key,
                f.captures.to_string(),
                f.responded.to_string(),
                f.closed.to_string(),
                m(f.first_response_median),
                m(f.first_response_p90),
                m(f.close_median),
                m(f.close_p90),
                f.breaching.to_string(),
            ];
            crate::log::export::push_row(&mut out, cells.iter().map(String::as_str));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_whole_when_exact() {
        assert_eq!((minutes(0), minutes(42 * 60_000), minutes(90_000)), ("0".into(), "42".into(), "1.5".into()));
    }

    #[test]
    fn rows_per_group_in_both_languages_and_formula_guarded() {
        let f = |key: &str, first: Option<i64>| Figures {
            key: key.into(),
            captures: 2,
            responded: 1,
            first_response_median: first,
            first_response_p90: first,
            ..Default::default()
        };
        let report = Report {
            total: f("", Some(42 * 60_000)),
            by_department: vec![f("Logistics", Some(42 * 60_000))],
            by_member: vec![f("=cmd()", None)],
            by_brand: vec![f("", None)],
            ..Default::default()
        };
        let en = report_csv(&report, Lang::En);
        let lines: Vec<&str> = en.trim_start_matches('\u{FEFF}').split("\r\n").collect();
        assert_eq!(lines[0], "Group,,Captures,Responded,Closed,\"First response, median (minutes)\",\"First response, 90th percentile (minutes)\",\"Time to close, median (minutes)\",\"Time to close, 90th percentile (minutes)\",Breaching target");
        assert_eq!(lines[1], "All captures,,2,1,0,42,42,,,0");
        assert_eq!(lines[2], "By department,Logistics,2,1,0,42,42,,,0");
        assert_eq!(lines[3], "By member,\"'=cmd()\",2,1,0,,,,,0");
        assert_eq!(lines[4], "By brand,(none),2,1,0,,,,,0");
        let es = report_csv(&report, Lang::Es);
        assert!(es.contains("Por departamento,Logística,2,1,0,42,42"), "{es}");
    }
}
