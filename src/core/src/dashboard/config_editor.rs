//! The dashboard's team-configuration editor (cfgedit12), as a page model:
//! the form's text (departments and deny rules one per line, the brand list
//! as the JSON the options page imports and exports, the capture defaults'
//! choices) becomes a [`TeamConfig`] or the same data errors
//! ([`ConfigError`]) the options page shows, from the one validation
//! [`team_config::validate`]. Problems are worded by [`problem_text`] from
//! the extension's own `_locales` tables, so the dashboard and the options
//! page say the same sentence in the same language.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::brands::BrandList;
use crate::dashboard::i18n::Lang;
use crate::i18n::{Arg, Words};
use crate::log::Tags;
use crate::team_config::{self, ConfigError, TeamConfig, VersionedConfig};

/// The editor's fields as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigForm {
    /// One department per line.
    pub departments: String,
    /// One deny rule per line.
    pub deny: String,
    /// The brand list as JSON (the options page's import/export format).
    pub brands_json: String,
    /// The capture defaults as chosen (tags and note are kept from the
    /// loaded document: the editor does not show them).
    pub capture_defaults: Tags,
    /// rules13: the routing rules as the rules editor holds them.
    pub rules: Vec<crate::routing::Rule>,
    /// sla13: the service targets' text boxes.
    pub service: crate::service::form::ServiceForm,
    /// verify13: the team accounts, one `site: handle, profile URL` per line.
    pub team_accounts: String,
    /// digest13: the digests and alerts part as JSON (blank: none sent).
    pub feedback_json: String,
}

/// The non-blank lines of a text box, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

impl ConfigForm {
    /// The form showing `config` (what `read` turns back into it).
    pub fn of(config: &TeamConfig) -> ConfigForm {
        ConfigForm {
            departments: config.departments.join("\n"),
            deny: config.deny.join("\n"),
            brands_json: config.brands.to_json_pretty(),
            capture_defaults: config.capture_defaults.clone(),
            rules: config.rules.clone(),
            service: crate::service::form::ServiceForm::of(&config.service),
            team_accounts: config.team_accounts.to_lines(),
            feedback_json: crate::feedback::config::to_json_pretty(&config.feedback),
        }
    }

    /// The document the form describes, unvalidated: what the dashboard
    /// sends (the server answers with the one validation's problems, so the
    /// page does not carry the brand list's matcher). Only a brand list that
    /// is not JSON (or not a brand list) is refused here, as one `Brand`
    /// problem carrying its line and column.
    pub fn parse(&self) -> Result<TeamConfig, Vec<ConfigError>> {
        // sla13: an unreadable targets line is refused here, like unreadable brand JSON.
        let service =
            self.service.parse().map_err(|errs| errs.into_iter().map(|error| ConfigError::Service { error }).collect::<Vec<_>>())?;
        // digest13: the feedback JSON's problem joins the brand list's.
        let feedback = crate::feedback::config::parse_json(&self.feedback_json).map_err(|error| ConfigError::Feedback { error });
        match BrandList::parse_json(&self.brands_json) {
            Ok(brands) => Ok(TeamConfig {
                brands,
                departments: lines(&self.departments),
                capture_defaults: self.capture_defaults.clone(),
                deny: lines(&self.deny),
                rules: self.rules.clone(),
                service,
                team_accounts: crate::team_accounts::TeamAccounts::from_lines(&self.team_accounts),
                feedback: feedback.map_err(|e| vec![e])?,
            }),
            Err(errs) => Err(errs.into_iter().map(|error| ConfigError::Brand { error }).chain(feedback.err()).collect()),
        }
    }

    /// The document the form describes, or every problem at once: the
    /// parse, then [`team_config::validate`] (what the server answers).
    pub fn read(&self) -> Result<TeamConfig, Vec<ConfigError>> {
        let config = self.parse()?;
        team_config::validate(&config).map(|()| config)
    }
}

/// The capture defaults' selects: `(value, label)` options in `lang`.
pub struct DefaultChoices {
    pub status: Vec<(String, String)>,
    pub priority: Vec<(String, String)>,
    pub sentiment: Vec<(String, String)>,
    /// `""` is "no department"; then the departments typed so far.
    pub department: Vec<(String, String)>,
}

pub fn default_choices(lang: Lang, departments_text: &str) -> DefaultChoices {
    use crate::dashboard::i18n::{department_label, priority_label, sentiment_label, status_label, Text};
    use crate::log::{Priority, Sentiment, Status};
    let mut department = vec![(String::new(), Text::NoValue.get(lang).to_string())];
    department.extend(lines(departments_text).into_iter().map(|d| (d.clone(), department_label(lang, &d))));
    DefaultChoices {
        status: Status::ALL.iter().map(|s| (s.as_str().to_string(), status_label(lang, *s).to_string())).collect(),
        priority: Priority::ALL.iter().map(|p| (p.as_str().to_string(), priority_label(lang, *p).to_string())).collect(),
        sentiment: Sentiment::ALL.iter().map(|s| (s.as_str().to_string(), sentiment_label(lang, *s).to_string())).collect(),
        department,
    }
}

/// The capture defaults from the selects' values, over `base` (tags and
/// note, which the editor does not show). An unknown value keeps `base`'s.
pub fn defaults_from(base: &Tags, status: &str, priority: &str, sentiment: &str, department: &str) -> Tags {
    use crate::dashboard::view::{sentiment_from_str, status_from_str};
    use crate::log::Priority;
    Tags {
        status: status_from_str(status).unwrap_or(base.status),
        priority: Priority::ALL.into_iter().find(|p| p.as_str() == priority).unwrap_or(base.priority),
        sentiment: sentiment_from_str(sentiment).unwrap_or(base.sentiment),
        department: (!department.trim().is_empty()).then(|| department.trim().to_string()),
        ..base.clone()
    }
}

/// "Version N, saved by X at T" (or "no configuration yet") as data; the glue
/// formats the time.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// `GET /api/v1/config` answered 404: nothing saved yet (edit version 0).
    Nothing,
    Saved {
        version: u64,
        by: String,
        at_ms: i64,
    },
}

impl Shown {
    pub fn of(doc: Option<&VersionedConfig>) -> Shown {
        match doc {
            None => Shown::Nothing,
            Some(d) => Shown::Saved { version: d.version, by: d.updated_by.clone(), at_ms: d.updated_at },
        }
    }

    /// The version an edit starts from (`If-Match`).
    pub fn version(&self) -> u64 {
        match self {
            Shown::Nothing => 0,
            Shown::Saved { version, .. } => *version,
        }
    }
}

/// What a `PUT /api/v1/config` answer means for the editor.
#[derive(Debug, Clone, PartialEq)]
// sla13: the document grew (service targets); one outcome per save, so its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum SaveOutcome {
    Saved(VersionedConfig),
    /// 400: the server's problems (the same validation).
    Invalid(Vec<ConfigError>),
    /// 412: someone saved `current` meanwhile; the admin's text stays.
    Stale {
        current: u64,
    },
    /// Anything else: the dashboard's usual failure words.
    Other,
}

/// Read a `PUT` answer: `status` and body.
pub fn save_outcome(status: u16, body: &str) -> SaveOutcome {
    use crate::team_config::RefusalBody;
    match status {
        200..=299 => serde_json::from_str(body).map(SaveOutcome::Saved).unwrap_or(SaveOutcome::Other),
        400 => match serde_json::from_str::<RefusalBody>(body) {
            Ok(b) if !b.error.problems.is_empty() => SaveOutcome::Invalid(b.error.problems),
            _ => SaveOutcome::Other,
        },
        412 => match serde_json::from_str::<RefusalBody>(body) {
            Ok(RefusalBody { error }) => error.current_version.map(|current| SaveOutcome::Stale { current }).unwrap_or(SaveOutcome::Other),
            Err(_) => SaveOutcome::Other,
        },
        _ => SaveOutcome::Other,
    }
}

/// One message of `_locales/<lang>/messages.json`: its text and which
/// numbered substitution each `$NAME$` placeholder takes.
struct Message {
    text: String,
    placeholders: Vec<(String, usize)>,
}

type Table = HashMap<String, Message>;

fn parse_table(json: &str) -> Table {
    let raw: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).expect("messages.json is JSON (tested)");
    raw.into_iter()
        .map(|(name, entry)| {
            let text = entry["message"].as_str().unwrap_or_default().to_string();
            let placeholders = entry
                .get("placeholders")
                .and_then(|p| p.as_object())
                .map(|o| {
                    o.iter()
                        .filter_map(|(ph, spec)| {
                            let n = spec["content"].as_str()?.trim().strip_prefix('$')?.parse().ok()?;
                            Some((ph.to_uppercase(), n))
                        })
                        .collect()
                })
                .unwrap_or_default();
            (name, Message { text, placeholders })
        })
        .collect()
}

/// The extension's tables, read once: the one source of these sentences.
fn table(lang: Lang) -> &'static Table {
    static EN: OnceLock<Table> = OnceLock::new();
    static ES: OnceLock<Table> = OnceLock::new();
    match lang {
        Lang::En => EN.get_or_init(|| parse_table(include_str!("../../../../extension/_locales/en/messages.json"))),
        Lang::Es => ES.get_or_init(|| parse_table(include_str!("../../../../extension/_locales/es/messages.json"))),
    }
}

/// `words` in `lang`, filled the way `chrome.i18n.getMessage` fills them:
/// each `$NAME$` (any case) takes the substitution its `content` (`$1`…)
/// names; `$$` is a dollar sign. Words that are placeholders are worded too.
pub fn say(lang: Lang, words: &Words) -> String {
    let Some(m) = table(lang).get(words.key.name()) else { return words.key.name().to_string() };
    let args: Vec<String> = words
        .args
        .iter()
        .map(|a| match a {
            Arg::Text(s) => s.clone(),
            Arg::Words(inner) => say(lang, inner),
        })
        .collect();
    let mut out = String::with_capacity(m.text.len());
    let mut rest = m.text.as_str();
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        match after.find('$') {
            Some(j) => {
                let name = after[..j].to_uppercase();
                match m.placeholders.iter().find(|(ph, _)| *ph == name) {
                    Some((_, n)) => {
                        out.push_str(args.get(n.wrapping_sub(1)).map(String::as_str).unwrap_or(""));
                        rest = &after[j + 1..];
                    }
                    None => {
                        out.push('$');
                        rest = after;
                    }
                }
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A configuration problem in `lang`, the options page's sentence.
/// `config` is the document as read (names the groups), when there is one.
pub fn problem_text(lang: Lang, problem: &ConfigError, config: Option<&TeamConfig>) -> String {
    say(lang, &problem.words(config))
}

/// Every problem in `lang`, in order, for `form` (its brand list, when it
/// reads, names the groups the way the options page does).
pub fn problem_texts(lang: Lang, form: &ConfigForm, problems: &[ConfigError]) -> Vec<String> {
    let named = serde_json::from_str::<BrandList>(&form.brands_json).ok().map(|brands| TeamConfig { brands, ..TeamConfig::default() });
    problems.iter().map(|p| problem_text(lang, p, named.as_ref())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Key;
    use crate::log::{Priority, Sentiment, Status};

    fn form(departments: &str, deny: &str, brands_json: &str) -> ConfigForm {
        ConfigForm {
            departments: departments.into(),
            deny: deny.into(),
            brands_json: brands_json.into(),
            capture_defaults: Tags::default(),
            rules: vec![],
            service: Default::default(),
            team_accounts: String::new(),
            ..ConfigForm::default()
        }
    }

    const BRANDS: &str =
        r##"{"version":1,"groups":[{"id":"acme","name":"Acme","color":"#ffd54f","terms":[{"text":"Acme"},{"text":"Acme Cloud"}]}]}"##;

    #[test]
    fn a_form_reads_back_the_document_it_shows() {
        let config = TeamConfig::default();
        assert_eq!(ConfigForm::of(&config).read(), Ok(config.clone()));
        let mut edited = ConfigForm::of(&config);
        edited.departments.push_str("\n  Legal  \n\n");
        edited.deny = "intranet.acme.com\n\n*.acme.internal\n".into();
        let read = edited.read().unwrap();
        assert_eq!(read.departments.last().map(String::as_str), Some("Legal"));
        assert_eq!(read.deny, vec!["intranet.acme.com", "*.acme.internal"]);
        assert_eq!(read.brands, config.brands);
    }

    /// Each bad form gives exactly these problems (by kind), every one at once.
    #[test]
    fn bad_forms_give_data_problems() {
        let kind = |e: &ConfigError| match e {
            ConfigError::Brand { error } => format!("brand:{:?}", error.code),
            ConfigError::SiteRule { index, .. } => format!("site:{index}"),
            ConfigError::DepartmentsEmpty => "departments-empty".into(),
            ConfigError::DepartmentBlank { index } => format!("blank:{index}"),
            ConfigError::DepartmentDuplicate { index, .. } => format!("duplicate:{index}"),
            ConfigError::DefaultDepartmentUnknown { name } => format!("default:{name}"),
            ConfigError::Rule { error } => format!("rule:{}", error.rule),
            ConfigError::Service { error } => format!("service:{error:?}"),
            ConfigError::TeamAccount { .. } => "team-account".into(),
            ConfigError::Feedback { error } => format!("feedback:{error:?}"),
        };
        // departments, deny, brand JSON, default department, the problems' kinds.
        type Case<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a [&'a str]);
        let cases: &[Case] = &[
            ("Sales\nLegal", "", BRANDS, None, &[]),
            ("", "", BRANDS, None, &["departments-empty"]),
            ("Sales\nsales", "", BRANDS, None, &["duplicate:1"]),
            ("Engineering\nIngeniería", "", BRANDS, None, &["duplicate:1"]),
            ("Sales", "http://\nok.example", BRANDS, None, &["site:0"]),
            ("Sales", "", BRANDS, Some("Legal"), &["default:Legal"]),
            ("Sales", "", BRANDS, Some("sales"), &[]),
            ("Sales", "", "{\"groups\": [", None, &["brand:MalformedJson"]),
            ("Sales", "", "[1, 2]", None, &["brand:MalformedJson"]),
            // Malformed JSON is the one problem until the list reads.
            ("", "", "not json", None, &["brand:MalformedJson"]),
        ];
        for (departments, deny, brands, default_dep, want) in cases {
            let mut f = form(departments, deny, brands);
            f.capture_defaults.department = default_dep.map(String::from);
            let got: Vec<String> = match f.read() {
                Ok(_) => vec![],
                Err(errs) => errs.iter().map(kind).collect(),
            };
            assert_eq!(got, *want, "{departments:?} {deny:?} {brands:?} {default_dep:?}");
        }
    }

    #[test]
    fn an_invalid_brand_list_is_the_brand_editors_problem() {
        let dup = r##"{"version":1,"groups":[{"id":"a","name":"Acme","color":"#ffd54f","terms":[{"text":"Acme"},{"text":"acme"}]}]}"##;
        let errs = form("Sales", "", dup).read().unwrap_err();
        assert!(!errs.is_empty() && errs.iter().all(|e| matches!(e, ConfigError::Brand { .. })), "{errs:?}");
        // The same problems the one validation gives for that list.
        let list: BrandList = serde_json::from_str(dup).unwrap();
        let config = TeamConfig { brands: list, departments: vec!["Sales".into()], ..TeamConfig::default() };
        assert_eq!(team_config::validate(&config).unwrap_err(), errs);
    }

    #[test]
    fn capture_defaults_are_kept() {
        let mut f = form("Sales", "", BRANDS);
        f.capture_defaults = Tags {
            sentiment: Sentiment::Negative,
            status: Status::NeedsResponse,
            priority: Priority::High,
            department: Some("Sales".into()),
            tags: vec!["vip".into()],
            note: "n".into(),
        };
        assert_eq!(f.read().unwrap().capture_defaults, f.capture_defaults);
    }

    /// Filled as `chrome.i18n.getMessage` fills them, from the same files.
    #[test]
    fn words_are_filled_from_the_extensions_tables() {
        let cases: &[(Lang, Words, &str)] = &[
            (Lang::En, Words::new(Key::ErrDepartmentsEmpty), "Add at least one department."),
            (Lang::En, Words::new(Key::ErrDepartmentDuplicate).text("Sales"), "The department “Sales” is listed twice."),
            (Lang::Es, Words::new(Key::ErrDepartmentDuplicate).text("$1 <b>"), "El departamento «$1 <b>» aparece dos veces."),
        ];
        for (lang, words, want) in cases {
            assert_eq!(say(*lang, words), *want, "{words:?}");
        }
        let site = say(Lang::En, &ConfigError::SiteRule { index: 0, rule: "http://".into() }.words(None));
        assert!(site.starts_with("Line 1: the site rule “http://”"), "{site}");
        // Every key the core names exists in both tables, with no `$NAME$` left over.
        for lang in Lang::ALL {
            for key in crate::i18n::Key::ALL {
                let m = &table(lang)[key.name()];
                let args: Vec<Arg> = (0..m.placeholders.len()).map(|i| Arg::Text(format!("<{i}>"))).collect();
                let text = say(lang, &Words { key: *key, args });
                for (ph, _) in &m.placeholders {
                    assert!(!text.contains(&format!("${ph}$")), "{lang:?} {}: {text}", key.name());
                }
            }
        }
    }

    #[test]
    fn malformed_json_is_worded_with_its_line_in_both_languages() {
        let errs = form("Sales", "", "{\n\"groups\": [").read().unwrap_err();
        let en = problem_text(Lang::En, &errs[0], None);
        let es = problem_text(Lang::Es, &errs[0], None);
        assert!(en.contains('2') && !en.contains('$'), "{en}");
        assert!(es.contains('2') && !es.contains('$') && en != es, "{es}");
    }

    #[test]
    fn save_answers_are_read() {
        let saved = r#"{"version":3,"config":{},"updatedBy":"ada","updatedAt":5}"#;
        assert!(matches!(save_outcome(200, saved), SaveOutcome::Saved(d) if d.version == 3 && d.updated_by == "ada"));
        let stale = r#"{"error":{"code":"precondition_failed","message":"m","currentVersion":4}}"#;
        assert_eq!(save_outcome(412, stale), SaveOutcome::Stale { current: 4 });
        let bad = r#"{"error":{"code":"bad_request","message":"m","problems":[{"kind":"departmentsEmpty"}]}}"#;
        assert_eq!(save_outcome(400, bad), SaveOutcome::Invalid(vec![ConfigError::DepartmentsEmpty]));
        assert_eq!(save_outcome(400, r#"{"error":{"code":"bad_request","message":"m"}}"#), SaveOutcome::Other);
        assert_eq!(save_outcome(500, "x"), SaveOutcome::Other);
        assert_eq!(Shown::of(None).version(), 0);
    }

    #[test]
    fn the_selects_read_back() {
        let base = Tags { tags: vec!["vip".into()], note: "n".into(), ..Tags::default() };
        // the selects' values, then what they read as.
        type Case<'a> = (&'a str, &'a str, &'a str, &'a str, Status, Priority, Sentiment, Option<&'a str>);
        let cases: &[Case] = &[
            ("closed", "urgent", "question", " Sales ", Status::Closed, Priority::Urgent, Sentiment::Question, Some("Sales")),
            ("nonsense", "", "", "", base.status, base.priority, base.sentiment, None),
        ];
        for (st, pr, se, dep, want_st, want_pr, want_se, want_dep) in cases {
            let t = defaults_from(&base, st, pr, se, dep);
            assert_eq!((t.status, t.priority, t.sentiment, t.department.as_deref()), (*want_st, *want_pr, *want_se, *want_dep), "{st}");
            assert_eq!((t.tags.clone(), t.note.clone()), (base.tags.clone(), base.note.clone()));
        }
        let c = default_choices(Lang::Es, "Sales\n\nEngineering");
        assert_eq!(c.department.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), ["", "Sales", "Engineering"]);
        assert_eq!(c.department[2].1, "Ingeniería");
        assert_eq!(c.status.len(), Status::ALL.len());
    }
}
