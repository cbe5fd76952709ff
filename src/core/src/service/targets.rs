//! The team's service targets: how soon a capture should get its first
//! response and be closed, per priority and optionally per department, in
//! working time (hours per weekday in one IANA time zone). Part of the team
//! configuration (`TeamConfig.service`).
//!
//! JSON:
//! ```json
//! {"timeZone": "Europe/Madrid",
//!  "hours": [{"day": "mon", "start": "09:00", "end": "18:00"}],
//!  "targets": [{"priority": "high", "department": "Logistics",
//!               "firstResponseMinutes": 60, "closeMinutes": 480}]}
//! ```
//! No `hours` means around the clock; no target for a capture's priority
//! means nothing is due for it.

use serde::{Deserialize, Serialize};

use super::calendar::{day_index, parse_clock, Calendar, Range};
use crate::i18n::{Key, Words};
use crate::log::Priority;
use crate::settings::canonical_department;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceTargets {
    /// An IANA zone name (`Europe/Madrid`); working hours are its wall time.
    pub time_zone: String,
    /// Working ranges; a day may have several (a lunch break), none at all
    /// means around the clock.
    pub hours: Vec<WorkingHours>,
    pub targets: Vec<Target>,
}

impl Default for ServiceTargets {
    fn default() -> Self {
        ServiceTargets { time_zone: "UTC".into(), hours: vec![], targets: vec![] }
    }
}

/// One working range of one weekday: `day` is `mon`…`sun`, `start`/`end`
/// are `HH:MM` local (`end` may be `24:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkingHours {
    pub day: String,
    pub start: String,
    pub end: String,
}

/// The targets of one priority (for one department, or every department
/// without its own), in working minutes. A missing figure is no target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub priority: Priority,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_minutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_minutes: Option<u32>,
}

/// The longest target accepted: a year of minutes (a bigger number is a typo).
pub const MAX_TARGET_MINUTES: u32 = 525_600;

/// Why the service targets are refused; `index` is the position in the
/// list named (`hours` or `targets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ServiceError {
    /// Not a time zone of the tz database.
    TimeZoneUnknown { name: String },
    /// A weekday that is not `mon`…`sun`.
    DayUnknown { index: usize, day: String },
    /// A time that is not `HH:MM`, or a range that ends before it starts.
    HoursInvalid { index: usize, start: String, end: String },
    /// Two ranges of one day overlap.
    HoursOverlap { index: usize, day: String },
    /// A target with neither figure, or a figure of 0 or over a year.
    TargetMinutesInvalid { index: usize },
    /// Two targets for the same priority and department.
    TargetDuplicate { index: usize, priority: Priority, department: Option<String> },
    /// A target names a department the team does not have.
    TargetDepartmentUnknown { index: usize, name: String },
    /// A line of the editor's targets box that is not
    /// `priority first-minutes close-minutes [department]`.
    TargetUnreadable { index: usize, line: String },
}

impl ServiceError {
    /// The sentence, worded at display time (`_locales`).
    pub fn words(&self) -> Words {
        use crate::pages::options::problems::short;
        let n = |i: &usize| (i + 1).to_string();
        match self {
            ServiceError::TimeZoneUnknown { name } => Words::new(Key::ErrServiceTimeZone).text(short(name)),
            ServiceError::DayUnknown { index, day } => Words::new(Key::ErrServiceDay).text(n(index)).text(short(day)),
            ServiceError::HoursInvalid { index, start, end } => {
                Words::new(Key::ErrServiceHours).text(n(index)).text(short(&format!("{start}\u{2013}{end}")))
            }
            ServiceError::HoursOverlap { index, day } => Words::new(Key::ErrServiceOverlap).text(n(index)).text(short(day)),
            ServiceError::TargetMinutesInvalid { index } => {
                Words::new(Key::ErrServiceMinutes).text(n(index)).text(MAX_TARGET_MINUTES.to_string())
            }
            ServiceError::TargetDuplicate { index, .. } => Words::new(Key::ErrServiceDuplicate).text(n(index)),
            ServiceError::TargetDepartmentUnknown { index, name } => Words::new(Key::ErrServiceDepartment).text(n(index)).text(short(name)),
            ServiceError::TargetUnreadable { index, line } => Words::new(Key::ErrServiceTargetLine).text(n(index)).text(short(line)),
        }
    }

    /// A technical English sentence (logs, the server's 400 message).
    pub fn english(&self) -> String {
        match self {
            ServiceError::TimeZoneUnknown { name } => {
                format!("The time zone \u{201c}{name}\u{201d} is not known; write an IANA name such as Europe/Madrid.")
            }
            ServiceError::DayUnknown { index, day } => {
                format!("Working hours line {}: \u{201c}{day}\u{201d} is not a weekday (mon, tue, wed, thu, fri, sat, sun).", index + 1)
            }
            ServiceError::HoursInvalid { index, start, end } => {
                format!("Working hours line {}: {start}\u{2013}{end} is not a range of HH:MM times that ends after it starts.", index + 1)
            }
            ServiceError::HoursOverlap { index, day } => format!("Working hours line {}: it overlaps another range of {day}.", index + 1),
            ServiceError::TargetMinutesInvalid { index } => {
                format!("Target line {}: give a first-response or close time from 1 to {MAX_TARGET_MINUTES} minutes.", index + 1)
            }
            ServiceError::TargetDuplicate { index, .. } => {
                format!("Target line {}: that priority and department already have a target.", index + 1)
            }
            ServiceError::TargetDepartmentUnknown { index, name } => {
                format!("Target line {}: the department \u{201c}{name}\u{201d} is not in the list of departments.", index + 1)
            }
            ServiceError::TargetUnreadable { index, line } => format!(
                "Target line {}: \u{201c}{line}\u{201d} is not \u{201c}priority first-response-minutes close-minutes [department]\u{201d}.",
                index + 1
            ),
        }
    }
}

impl ServiceTargets {
    /// Every problem at once; `departments` is the team's list.
    pub fn validate(&self, departments: &[String]) -> Vec<ServiceError> {
        let mut errs = vec![];
        if jiff::tz::TimeZone::get(self.time_zone.trim()).is_err() {
            errs.push(ServiceError::TimeZoneUnknown { name: self.time_zone.clone() });
        }
        let mut by_day: [Vec<(usize, Range)>; 7] = Default::default();
        for (index, h) in self.hours.iter().enumerate() {
            let Some(day) = day_index(&h.day) else {
                errs.push(ServiceError::DayUnknown { index, day: h.day.clone() });
                continue;
            };
            match (parse_clock(&h.start), parse_clock(&h.end)) {
                (Some(s), Some(e)) if s < e => by_day[day].push((index, Range { start_min: s, end_min: e })),
                _ => errs.push(ServiceError::HoursInvalid { index, start: h.start.clone(), end: h.end.clone() }),
            }
        }
        for ranges in by_day.iter_mut() {
            ranges.sort_by_key(|(_, r)| r.start_min);
            for w in ranges.windows(2) {
                if w[1].1.start_min < w[0].1.end_min {
                    let index = w[0].0.max(w[1].0);
                    errs.push(ServiceError::HoursOverlap { index, day: self.hours[index].day.clone() });
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (index, t) in self.targets.iter().enumerate() {
            let ok = |m: Option<u32>| m.is_none_or(|m| (1..=MAX_TARGET_MINUTES).contains(&m));
            if (t.first_response_minutes.is_none() && t.close_minutes.is_none()) || !ok(t.first_response_minutes) || !ok(t.close_minutes) {
                errs.push(ServiceError::TargetMinutesInvalid { index });
            }
            let dep = t.department.as_deref().map(|d| canonical_department(d).to_lowercase());
            if let Some(name) = &t.department {
                if !departments.iter().any(|d| canonical_department(d).to_lowercase() == canonical_department(name).to_lowercase()) {
                    errs.push(ServiceError::TargetDepartmentUnknown { index, name: name.clone() });
                }
            }
            if !seen.insert((t.priority, dep)) {
                errs.push(ServiceError::TargetDuplicate { index, priority: t.priority, department: t.department.clone() });
            }
        }
        errs
    }

    /// The working calendar, or `None` when the zone or a range is not
    /// understood (a wrong due date is worse than none).
    pub fn calendar(&self) -> Option<Calendar> {
        let tz = jiff::tz::TimeZone::get(self.time_zone.trim()).ok()?;
        let mut week: [Vec<Range>; 7] = Default::default();
        for h in &self.hours {
            let day = day_index(&h.day)?;
            let (s, e) = (parse_clock(&h.start)?, parse_clock(&h.end)?);
            if s >= e {
                return None;
            }
            week[day].push(Range { start_min: s, end_min: e });
        }
        Some(Calendar::new(tz, week))
    }

    /// The target for a capture: its department's own for its priority,
    /// else the priority's general one.
    pub fn target_for(&self, priority: Priority, department: Option<&str>) -> Option<&Target> {
        let dep = department.map(|d| canonical_department(d).to_lowercase());
        let own = dep.as_ref().and_then(|dep| {
            self.targets
                .iter()
                .find(|t| t.priority == priority && t.department.as_deref().is_some_and(|d| canonical_department(d).to_lowercase() == *dep))
        });
        own.or_else(|| self.targets.iter().find(|t| t.priority == priority && t.department.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(day: &str, start: &str, end: &str) -> WorkingHours {
        WorkingHours { day: day.into(), start: start.into(), end: end.into() }
    }

    fn target(priority: Priority, department: Option<&str>, first: Option<u32>, close: Option<u32>) -> Target {
        Target { priority, department: department.map(String::from), first_response_minutes: first, close_minutes: close }
    }

    #[test]
    fn validation_table() {
        let deps = vec!["Logistics".to_string(), "Engineering".to_string()];
        let ok = ServiceTargets {
            time_zone: "Europe/Madrid".into(),
            hours: vec![hours("mon", "09:00", "14:00"), hours("mon", "15:00", "18:00")],
            targets: vec![target(Priority::High, None, Some(60), Some(480)), target(Priority::High, Some("Logistics"), Some(30), None)],
        };
        let table: Vec<(&str, ServiceTargets, Vec<ServiceError>)> = vec![
            ("valid", ok.clone(), vec![]),
            ("default is valid", ServiceTargets::default(), vec![]),
            (
                "unknown zone",
                ServiceTargets { time_zone: "Europe/Atlantis".into(), ..ok.clone() },
                vec![ServiceError::TimeZoneUnknown { name: "Europe/Atlantis".into() }],
            ),
            (
                "bad day and bad hours",
                ServiceTargets {
                    hours: vec![hours("lunes", "09:00", "10:00"), hours("tue", "18:00", "09:00"), hours("wed", "9", "10:00")],
                    ..ok.clone()
                },
                vec![
                    ServiceError::DayUnknown { index: 0, day: "lunes".into() },
                    ServiceError::HoursInvalid { index: 1, start: "18:00".into(), end: "09:00".into() },
                    ServiceError::HoursInvalid { index: 2, start: "9".into(), end: "10:00".into() },
                ],
            ),
            (
                "overlapping ranges",
                ServiceTargets { hours: vec![hours("fri", "09:00", "14:00"), hours("fri", "13:00", "18:00")], ..ok.clone() },
                vec![ServiceError::HoursOverlap { index: 1, day: "fri".into() }],
            ),
            (
                "target without figures, zero, duplicate, unknown department",
                ServiceTargets {
                    targets: vec![
                        target(Priority::Low, None, None, None),
                        target(Priority::Normal, None, Some(0), None),
                        target(Priority::High, Some("Logistics"), Some(30), None),
                        target(Priority::High, Some("logistics"), Some(20), None),
                        target(Priority::Urgent, Some("Ventas"), Some(10), None),
                    ],
                    ..ok.clone()
                },
                vec![
                    ServiceError::TargetMinutesInvalid { index: 0 },
                    ServiceError::TargetMinutesInvalid { index: 1 },
                    ServiceError::TargetDuplicate { index: 3, priority: Priority::High, department: Some("logistics".into()) },
                    ServiceError::TargetDepartmentUnknown { index: 4, name: "Ventas".into() },
                ],
            ),
        ];
        for (name, t, want) in table {
            assert_eq!(t.validate(&deps), want, "{name}");
            assert_eq!(t.calendar().is_some(), !name.contains("zone") && !name.contains("bad day"), "{name}: calendar");
        }
    }

    #[test]
    fn the_departments_own_target_wins_over_the_general_one() {
        let t = ServiceTargets {
            targets: vec![target(Priority::High, None, Some(60), None), target(Priority::High, Some("Logistics"), Some(30), None)],
            ..ServiceTargets::default()
        };
        assert_eq!(t.target_for(Priority::High, Some("logistics")).unwrap().first_response_minutes, Some(30));
        assert_eq!(t.target_for(Priority::High, Some("PR")).unwrap().first_response_minutes, Some(60));
        assert_eq!(t.target_for(Priority::High, None).unwrap().first_response_minutes, Some(60));
        assert!(t.target_for(Priority::Low, Some("Logistics")).is_none());
    }

    #[test]
    fn json_shape_and_defaults() {
        let t: ServiceTargets =
            serde_json::from_str(r#"{"timeZone":"America/Mexico_City","targets":[{"priority":"urgent","firstResponseMinutes":15}]}"#)
                .unwrap();
        assert_eq!(t.hours, vec![]);
        assert_eq!(t.targets[0], target(Priority::Urgent, None, Some(15), None));
        let empty: ServiceTargets = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ServiceTargets::default());
    }
}
