//! The team's feedback settings (`TeamConfig.feedback`): when the weekly
//! digest goes out (a weekday and hour in the team's time zone), which
//! departments get it and in which language, and the spike alert's rule.
//! Validated like every other part of the team document: every problem at
//! once, as data ([`FeedbackError`]), worded at display time.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::dashboard::i18n::Lang;
use crate::i18n::{Key, Words};
use crate::pages::options::problems::short;
use crate::settings::canonical_department;

/// A day of the week, as the digest's schedule names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Weekday {
    #[default]
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday, Weekday::Sunday];

    /// Days after Monday (Monday is 0), as ISO weeks count.
    pub fn days_from_monday(self) -> i8 {
        self as i8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }
}

/// When the weekly digest is sent: a weekday and a whole hour, read in
/// [`FeedbackConfig::time_zone`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DigestSchedule {
    pub weekday: Weekday,
    /// 0–23, local wall-clock hour.
    pub hour: u8,
}

impl Default for DigestSchedule {
    fn default() -> Self {
        DigestSchedule { weekday: Weekday::Monday, hour: 9 }
    }
}

/// One department's part: whether it gets the weekly digest and spike
/// alerts, and in which language they are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentFeedback {
    /// A department of the team's list (any language; compared canonically).
    pub name: String,
    /// "en" or "es".
    #[serde(default = "english")]
    pub language: String,
    #[serde(default = "yes")]
    pub digest: bool,
    #[serde(default)]
    pub spikes: bool,
}

fn english() -> String {
    "en".into()
}

fn yes() -> bool {
    true
}

impl DepartmentFeedback {
    /// The language its messages are written in (validated to be one we speak).
    pub fn lang(&self) -> Lang {
        Lang::from_tag(&self.language).unwrap_or_default()
    }

    /// The department as captures store it.
    pub fn canonical(&self) -> String {
        canonical_department(&self.name)
    }
}

/// The spike alert's rule: a brand's negative captures in the last
/// `window_hours` (whole hours, ending at the last full hour) against its
/// 7-day baseline before that window, scaled to the window's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SpikeRule {
    pub window_hours: u32,
    /// The factor over the baseline, in percent (300: three times), kept
    /// whole so a document compares and round-trips exactly.
    pub factor_percent: u32,
    /// Fewer negative captures than this in the window never alert.
    pub minimum: u32,
    /// After an alert for a brand, no other for it until this has passed.
    pub cool_down_hours: u32,
}

impl Default for SpikeRule {
    fn default() -> Self {
        SpikeRule { window_hours: 3, factor_percent: 300, minimum: 5, cool_down_hours: 12 }
    }
}

/// Limits the validation enforces (also what the editor's help says).
pub const MAX_WINDOW_HOURS: u32 = 48;
pub const MIN_FACTOR_PERCENT: u32 = 101;
pub const MAX_FACTOR_PERCENT: u32 = 10_000;
pub const MAX_COOL_DOWN_HOURS: u32 = 24 * 30;

/// Everything about feeding back. The default sends nothing: no department
/// is listed until an admin lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FeedbackConfig {
    /// The IANA time zone the digest's weekday and hour are read in.
    pub time_zone: String,
    pub digest: DigestSchedule,
    pub departments: Vec<DepartmentFeedback>,
    pub spike: SpikeRule,
}

impl Default for FeedbackConfig {
    fn default() -> Self {
        FeedbackConfig { time_zone: "UTC".into(), digest: DigestSchedule::default(), departments: vec![], spike: SpikeRule::default() }
    }
}

impl FeedbackConfig {
    /// The zone, when it is one the tz database knows.
    pub fn zone(&self) -> Option<TimeZone> {
        TimeZone::get(self.time_zone.trim()).ok()
    }

    /// The departments that get the weekly digest.
    pub fn digest_departments(&self) -> impl Iterator<Item = &DepartmentFeedback> {
        self.departments.iter().filter(|d| d.digest)
    }

    /// The departments that get spike alerts.
    pub fn spike_departments(&self) -> impl Iterator<Item = &DepartmentFeedback> {
        self.departments.iter().filter(|d| d.spikes)
    }
}

/// Why a feedback setting is refused; `index` is the position in
/// `feedback.departments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FeedbackError {
    /// Not a time zone of the tz database ("Europe/Madrid", "UTC").
    TimeZoneUnknown { name: String },
    /// The digest hour is not 0–23.
    DigestHour { hour: u8 },
    /// A listed department that is not one of the team's departments.
    DepartmentUnknown { index: usize, name: String },
    /// The same department listed twice (in any language).
    DepartmentDuplicate { index: usize, name: String },
    /// A language we do not write messages in.
    LanguageUnknown { index: usize, language: String },
    /// The spike window is not 1–[`MAX_WINDOW_HOURS`] hours.
    SpikeWindow { hours: u32 },
    /// The factor is not [`MIN_FACTOR_PERCENT`]–[`MAX_FACTOR_PERCENT`] percent.
    SpikeFactor { percent: u32 },
    /// The minimum is 0 (every window with one capture over a zero baseline would alert).
    SpikeMinimum { count: u32 },
    /// The cool-down is shorter than the window or longer than [`MAX_COOL_DOWN_HOURS`].
    SpikeCoolDown { hours: u32, window_hours: u32 },
    /// The dashboard's JSON for this part does not read (1-based line and column).
    Malformed { line: u32, column: u32 },
}

impl FeedbackError {
    /// A technical English sentence (logs); people get [`crate::team_config::ConfigError::words`].
    pub fn english(&self) -> String {
        match self {
            FeedbackError::TimeZoneUnknown { name } => format!("\u{201c}{name}\u{201d} is not a time zone (write one like Europe/Madrid)."),
            FeedbackError::DigestHour { hour } => format!("The digest hour {hour} is not between 0 and 23."),
            FeedbackError::DepartmentUnknown { name, .. } => format!("\u{201c}{name}\u{201d} is not one of the team's departments."),
            FeedbackError::DepartmentDuplicate { name, .. } => {
                format!("The department \u{201c}{name}\u{201d} is listed twice for feedback.")
            }
            FeedbackError::LanguageUnknown { language, .. } => {
                format!("\u{201c}{language}\u{201d} is not a language messages are written in (en, es).")
            }
            FeedbackError::SpikeWindow { hours } => format!("The spike window of {hours} hours is not between 1 and {MAX_WINDOW_HOURS}."),
            FeedbackError::SpikeFactor { percent } => {
                format!("The spike factor {percent}% is not between {MIN_FACTOR_PERCENT}% and {MAX_FACTOR_PERCENT}%.")
            }
            FeedbackError::SpikeMinimum { count } => format!("The spike minimum {count} must be at least 1."),
            FeedbackError::SpikeCoolDown { hours, window_hours } => format!(
                "The cool-down of {hours} hours must be at least the window ({window_hours} hours) and at most {MAX_COOL_DOWN_HOURS}."
            ),
            FeedbackError::Malformed { line, column } => {
                format!("The digests and alerts JSON does not read at line {line}, column {column}.")
            }
        }
    }
}

/// A factor in percent as people read it: 300 → "3", 250 → "2.5", 125 → "1.25".
pub fn factor_text(percent: u32) -> String {
    let whole = percent / 100;
    match percent % 100 {
        0 => whole.to_string(),
        r if r % 10 == 0 => format!("{whole}.{}", r / 10),
        r => format!("{whole}.{r:02}"),
    }
}

/// The sentence for a problem, from the `_locales` tables.
pub fn words(e: &FeedbackError) -> Words {
    let n = |x: u32| x.to_string();
    match e {
        FeedbackError::TimeZoneUnknown { name } => Words::new(Key::ErrFeedbackTimeZone).text(short(name)),
        FeedbackError::DigestHour { hour } => Words::new(Key::ErrFeedbackDigestHour).text(hour.to_string()),
        FeedbackError::DepartmentUnknown { name, .. } => Words::new(Key::ErrFeedbackDepartmentUnknown).text(short(name)),
        FeedbackError::DepartmentDuplicate { name, .. } => Words::new(Key::ErrFeedbackDepartmentDuplicate).text(short(name)),
        FeedbackError::LanguageUnknown { language, .. } => Words::new(Key::ErrFeedbackLanguage).text(short(language)),
        FeedbackError::SpikeWindow { hours } => Words::new(Key::ErrFeedbackSpikeWindow).text(n(*hours)).text(n(MAX_WINDOW_HOURS)),
        FeedbackError::SpikeFactor { percent } => Words::new(Key::ErrFeedbackSpikeFactor)
            .text(factor_text(*percent))
            .text(factor_text(MIN_FACTOR_PERCENT))
            .text(factor_text(MAX_FACTOR_PERCENT)),
        FeedbackError::SpikeMinimum { .. } => Words::new(Key::ErrFeedbackSpikeMinimum),
        FeedbackError::SpikeCoolDown { hours, window_hours } => {
            Words::new(Key::ErrFeedbackSpikeCoolDown).text(n(*hours)).text(n(*window_hours)).text(n(MAX_COOL_DOWN_HOURS))
        }
        FeedbackError::Malformed { line, column } => Words::new(Key::ErrFeedbackMalformed).text(n(*line)).text(n(*column)),
    }
}

/// The part as the dashboard shows it.
pub fn to_json_pretty(f: &FeedbackConfig) -> String {
    serde_json::to_string_pretty(f).expect("the feedback part serializes")
}

/// The dashboard's text back into the part (blank: the default, nothing sent).
pub fn parse_json(text: &str) -> Result<FeedbackConfig, FeedbackError> {
    if text.trim().is_empty() {
        return Ok(FeedbackConfig::default());
    }
    serde_json::from_str(text).map_err(|e| FeedbackError::Malformed { line: e.line() as u32, column: e.column() as u32 })
}

/// Every problem of `feedback` against the team's `departments`.
pub fn validate(feedback: &FeedbackConfig, departments: &[String]) -> Vec<FeedbackError> {
    let mut errs = vec![];
    if feedback.zone().is_none() {
        errs.push(FeedbackError::TimeZoneUnknown { name: feedback.time_zone.clone() });
    }
    if feedback.digest.hour > 23 {
        errs.push(FeedbackError::DigestHour { hour: feedback.digest.hour });
    }
    let known: Vec<String> = departments.iter().map(|d| canonical_department(d).to_lowercase()).collect();
    let mut seen = std::collections::HashSet::new();
    for (index, d) in feedback.departments.iter().enumerate() {
        let canonical = d.canonical().to_lowercase();
        if !known.contains(&canonical) {
            errs.push(FeedbackError::DepartmentUnknown { index, name: d.name.trim().to_string() });
        } else if !seen.insert(canonical) {
            errs.push(FeedbackError::DepartmentDuplicate { index, name: d.name.trim().to_string() });
        }
        if Lang::from_tag(&d.language).is_none() {
            errs.push(FeedbackError::LanguageUnknown { index, language: d.language.clone() });
        }
    }
    let s = &feedback.spike;
    if s.window_hours == 0 || s.window_hours > MAX_WINDOW_HOURS {
        errs.push(FeedbackError::SpikeWindow { hours: s.window_hours });
    }
    if !(MIN_FACTOR_PERCENT..=MAX_FACTOR_PERCENT).contains(&s.factor_percent) {
        errs.push(FeedbackError::SpikeFactor { percent: s.factor_percent });
    }
    if s.minimum == 0 {
        errs.push(FeedbackError::SpikeMinimum { count: s.minimum });
    }
    if s.cool_down_hours < s.window_hours.max(1) || s.cool_down_hours > MAX_COOL_DOWN_HOURS {
        errs.push(FeedbackError::SpikeCoolDown { hours: s.cool_down_hours, window_hours: s.window_hours });
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(name: &str, language: &str) -> DepartmentFeedback {
        DepartmentFeedback { name: name.into(), language: language.into(), digest: true, spikes: false }
    }

    #[test]
    fn validation_table() {
        let team: Vec<String> = ["Logistics", "PR", "Ventas"].iter().map(|s| s.to_string()).collect();
        let ok = FeedbackConfig {
            time_zone: "Europe/Madrid".into(),
            departments: vec![dept("Logistics", "es"), dept("ventas", "en-GB")],
            ..FeedbackConfig::default()
        };
        let with = |f: &dyn Fn(&mut FeedbackConfig)| {
            let mut c = ok.clone();
            f(&mut c);
            c
        };
        let cases: Vec<(&str, FeedbackConfig, Vec<FeedbackError>)> = vec![
            ("valid", ok.clone(), vec![]),
            ("the default is valid for any team", FeedbackConfig::default(), vec![]),
            (
                "unknown zone",
                with(&|c| c.time_zone = "Mars/Olympus".into()),
                vec![FeedbackError::TimeZoneUnknown { name: "Mars/Olympus".into() }],
            ),
            ("hour 24", with(&|c| c.digest.hour = 24), vec![FeedbackError::DigestHour { hour: 24 }]),
            (
                "a department the team lacks",
                with(&|c| c.departments.push(dept("Finance", "en"))),
                vec![FeedbackError::DepartmentUnknown { index: 2, name: "Finance".into() }],
            ),
            (
                "the same department in Spanish",
                with(&|c| c.departments.push(dept("Logística", "es"))),
                vec![FeedbackError::DepartmentDuplicate { index: 2, name: "Logística".into() }],
            ),
            (
                "a language we do not write",
                with(&|c| c.departments[0].language = "fr".into()),
                vec![FeedbackError::LanguageUnknown { index: 0, language: "fr".into() }],
            ),
            ("window 0", with(&|c| c.spike.window_hours = 0), vec![FeedbackError::SpikeWindow { hours: 0 }]),
            (
                "window 49",
                with(&|c| {
                    c.spike.window_hours = 49;
                    c.spike.cool_down_hours = 72;
                }),
                vec![FeedbackError::SpikeWindow { hours: 49 }],
            ),
            ("factor 100% is no spike", with(&|c| c.spike.factor_percent = 100), vec![FeedbackError::SpikeFactor { percent: 100 }]),
            ("minimum 0", with(&|c| c.spike.minimum = 0), vec![FeedbackError::SpikeMinimum { count: 0 }]),
            (
                "cool-down shorter than the window",
                with(&|c| c.spike.cool_down_hours = 2),
                vec![FeedbackError::SpikeCoolDown { hours: 2, window_hours: 3 }],
            ),
        ];
        for (name, config, want) in cases {
            assert_eq!(validate(&config, &team), want, "{name}");
            for e in &want {
                assert!(!e.english().is_empty());
                let back: FeedbackError = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
                assert_eq!(&back, e, "{name}: errors are data on the wire");
            }
        }
    }

    #[test]
    fn every_problem_has_its_sentence() {
        let cases = [
            (FeedbackError::TimeZoneUnknown { name: "Mars".into() }, Key::ErrFeedbackTimeZone, 1),
            (FeedbackError::DigestHour { hour: 24 }, Key::ErrFeedbackDigestHour, 1),
            (FeedbackError::DepartmentUnknown { index: 0, name: "X".into() }, Key::ErrFeedbackDepartmentUnknown, 1),
            (FeedbackError::DepartmentDuplicate { index: 0, name: "X".into() }, Key::ErrFeedbackDepartmentDuplicate, 1),
            (FeedbackError::LanguageUnknown { index: 0, language: "fr".into() }, Key::ErrFeedbackLanguage, 1),
            (FeedbackError::SpikeWindow { hours: 0 }, Key::ErrFeedbackSpikeWindow, 2),
            (FeedbackError::SpikeFactor { percent: 100 }, Key::ErrFeedbackSpikeFactor, 3),
            (FeedbackError::SpikeMinimum { count: 0 }, Key::ErrFeedbackSpikeMinimum, 0),
            (FeedbackError::SpikeCoolDown { hours: 1, window_hours: 3 }, Key::ErrFeedbackSpikeCoolDown, 3),
            (FeedbackError::Malformed { line: 2, column: 5 }, Key::ErrFeedbackMalformed, 2),
        ];
        for (e, key, args) in cases {
            let w = words(&e);
            assert_eq!((w.key, w.args.len()), (key, args), "{e:?}");
        }
        assert_eq!([factor_text(300), factor_text(250), factor_text(125), factor_text(101)], ["3", "2.5", "1.25", "1.01"]);
    }

    #[test]
    fn a_partial_document_reads_with_defaults() {
        let c: FeedbackConfig = serde_json::from_str(r#"{"departments":[{"name":"PR"}],"spike":{"minimum":2}}"#).unwrap();
        assert_eq!(c.time_zone, "UTC");
        assert_eq!(c.departments, vec![DepartmentFeedback { name: "PR".into(), language: "en".into(), digest: true, spikes: false }]);
        assert_eq!(c.spike, SpikeRule { minimum: 2, ..SpikeRule::default() });
        assert_eq!(serde_json::from_str::<FeedbackConfig>(&serde_json::to_string(&c).unwrap()).unwrap(), c);
        // The dashboard's text: pretty JSON that reads back, blank for none, a slip located.
        assert_eq!(parse_json(&to_json_pretty(&c)), Ok(c));
        assert_eq!(parse_json("  \n"), Ok(FeedbackConfig::default()));
        assert_eq!(parse_json("{\n  \"timeZone\": 7\n}"), Err(FeedbackError::Malformed { line: 2, column: 15 }));
    }
}
