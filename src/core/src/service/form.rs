//! The configuration editor's text for the service targets: the time zone,
//! working hours one range per line (`mon 09:00 18:00`) and targets one per
//! line (`high 60 480 Logistics`: priority, first-response minutes, close
//! minutes — `-` for none — and optionally a department, which may contain
//! spaces). Reading never drops a line: what is not understood becomes a
//! value the validation refuses with its line number.

use super::targets::{ServiceError, ServiceTargets, Target, WorkingHours};
use crate::log::Priority;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceForm {
    pub time_zone: String,
    pub hours: String,
    pub targets: String,
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

impl ServiceForm {
    pub fn of(t: &ServiceTargets) -> ServiceForm {
        let minutes = |m: Option<u32>| m.map(|m| m.to_string()).unwrap_or_else(|| "-".into());
        ServiceForm {
            time_zone: t.time_zone.clone(),
            hours: t.hours.iter().map(|h| format!("{} {} {}", h.day, h.start, h.end)).collect::<Vec<_>>().join("\n"),
            targets: t
                .targets
                .iter()
                .map(|t| {
                    let line = format!("{} {} {}", t.priority.as_str(), minutes(t.first_response_minutes), minutes(t.close_minutes));
                    match &t.department {
                        Some(d) => format!("{line} {d}"),
                        None => line,
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The targets the text describes, or the lines of the targets box that
    /// are not of its form.
    pub fn parse(&self) -> Result<ServiceTargets, Vec<ServiceError>> {
        let hours = lines(&self.hours)
            .map(|l| {
                let mut w = l.split_whitespace();
                let (day, start, end) = (w.next().unwrap_or(""), w.next().unwrap_or(""), w.next().unwrap_or(""));
                // Extra words make the range unreadable rather than vanish.
                let end = if w.next().is_some() { l.to_string() } else { end.to_string() };
                WorkingHours { day: day.into(), start: start.into(), end }
            })
            .collect();
        let mut targets = vec![];
        let mut errs = vec![];
        for (index, l) in lines(&self.targets).enumerate() {
            let words: Vec<&str> = l.split_whitespace().collect();
            let priority = words.first().and_then(|p| Priority::ALL.into_iter().find(|x| x.as_str().eq_ignore_ascii_case(p)));
            let minutes = |i: usize| -> Option<Option<u32>> {
                match words.get(i).copied() {
                    Some("-") => Some(None),
                    Some(n) => n.parse::<u32>().ok().map(Some),
                    None => None,
                }
            };
            match (priority, minutes(1), minutes(2)) {
                (Some(priority), Some(first), Some(close)) => {
                    let department = (words.len() > 3).then(|| words[3..].join(" "));
                    targets.push(Target { priority, department, first_response_minutes: first, close_minutes: close });
                }
                _ => errs.push(ServiceError::TargetUnreadable { index, line: l.to_string() }),
            }
        }
        if errs.is_empty() {
            // A blank zone box is UTC (the default), not an unknown zone.
            let time_zone = match self.time_zone.trim() {
                "" => ServiceTargets::default().time_zone,
                tz => tz.to_string(),
            };
            Ok(ServiceTargets { time_zone, hours, targets })
        } else {
            Err(errs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_round_trips_and_refuses_lines_with_their_number() {
        let form = ServiceForm {
            time_zone: " Europe/Madrid ".into(),
            hours: "mon 09:00 14:00\n\nmon 15:00 18:00\nfri 09:00 15:00".into(),
            targets: "high 60 480\nurgent 15 - Customer Service".into(),
        };
        let t = form.parse().unwrap();
        assert_eq!(t.time_zone, "Europe/Madrid");
        assert_eq!(t.hours.len(), 3);
        assert_eq!(
            t.targets[1],
            Target {
                priority: Priority::Urgent,
                department: Some("Customer Service".into()),
                first_response_minutes: Some(15),
                close_minutes: None
            }
        );
        assert_eq!(t.validate(&["Customer Service".into()]), vec![]);
        assert_eq!(ServiceForm::of(&t).parse().unwrap(), t);
        let bad = ServiceForm { targets: "high 60 480\nsoon 10 20\nlow ten -".into(), ..form.clone() };
        assert_eq!(
            bad.parse(),
            Err(vec![
                ServiceError::TargetUnreadable { index: 1, line: "soon 10 20".into() },
                ServiceError::TargetUnreadable { index: 2, line: "low ten -".into() }
            ])
        );
        let hours = ServiceForm { hours: "mon 9 18\nmonday 09:00 10:00\ntue 09:00 10:00 extra".into(), ..form }.parse().unwrap();
        assert_eq!(
            hours.validate(&["Customer Service".into()]),
            vec![
                ServiceError::HoursInvalid { index: 0, start: "9".into(), end: "18".into() },
                ServiceError::DayUnknown { index: 1, day: "monday".into() },
                ServiceError::HoursInvalid { index: 2, start: "09:00".into(), end: "tue 09:00 10:00 extra".into() },
            ]
        );
    }
}
