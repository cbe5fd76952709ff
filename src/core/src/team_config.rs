//! The team configuration: the parts of [`Settings`] that belong to the team
//! (brand list, departments, capture defaults, deny rules) as one versioned
//! document the team-log server keeps, and its merge with a member's personal
//! additions (extra terms, switched-off sites) into the settings a browser runs.
//!
//! There is one validation, [`validate`], used by the options page, the
//! server and the dashboard; its errors are data ([`ConfigError`]), worded at
//! display time ([`ConfigError::words`]). The sync target is never part of the
//! team document: each browser keeps its own endpoint, member and token.

use serde::{Deserialize, Serialize};

use crate::brands::{BrandError, BrandList, Term};
use crate::i18n::{Key, Words};
use crate::log::Tags;
use crate::settings::{canonical_department, Settings, SyncSettings};
use crate::sites::{SiteRuleError, SiteRules};
use crate::team_accounts::{AccountProblem, TeamAccounts};

/// What a team shares. Every field defaults, so a partial document reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TeamConfig {
    pub brands: BrandList,
    pub departments: Vec<String>,
    pub capture_defaults: Tags,
    /// Site rules that are never scanned (hosts, wildcards, URL prefixes).
    pub deny: Vec<String>,
    /// rules13: the ordered routing rules (see [`crate::routing`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::routing::Rule>,
    /// sla13: service targets, working hours and time zone (issue 13).
    #[serde(default)]
    pub service: crate::service::ServiceTargets,
    /// verify13: the team's own accounts per site (verified response).
    #[serde(default, skip_serializing_if = "TeamAccounts::is_empty")]
    pub team_accounts: TeamAccounts,
    /// digest13: the weekly digest and spike alerts (absent: none sent).
    #[serde(default)]
    pub feedback: crate::feedback::FeedbackConfig,
}

impl Default for TeamConfig {
    fn default() -> Self {
        TeamConfig::from_settings(&Settings::default())
    }
}

/// The team document as the server stores and serves it: `version` starts at
/// 1 with the first save and grows by one with each; it is the ETag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionedConfig {
    pub version: u64,
    pub config: TeamConfig,
    /// Who saved this version (the member name), and when (ms since epoch).
    #[serde(default)]
    pub updated_by: String,
    #[serde(default)]
    pub updated_at: i64,
}

/// The ETag of a version: a strong entity tag, `"7"`.
pub fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

/// Read an `If-Match` / `If-None-Match` value back into a version: `"7"`,
/// `W/"7"` or a bare `7`. Anything else (including `*`) is `None`.
pub fn parse_etag(value: &str) -> Option<u64> {
    let v = value.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    let v = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(v);
    v.parse().ok()
}

/// The body of `PUT /api/v1/config`: the whole document, wrapped so that a
/// stray object (say, the `GET` answer sent back) is refused, not read as
/// an empty configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PutConfig {
    pub config: TeamConfig,
}

/// Why the server refused a configuration request, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// 428: a `PUT` without `If-Match: "<version>"`.
    PreconditionRequired,
    /// 412: the version edited is not the current one (`current_version`).
    PreconditionFailed,
    /// 400: the document is malformed or fails [`validate`] (`problems`).
    BadRequest,
    /// 404: the team has no configuration yet.
    NotFound,
}

/// `{"error": {...}}`, the server's one error shape, with this route's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub code: RefusalCode,
    /// English, for logs and scripts; clients word the data.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ConfigError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalBody {
    pub error: Refusal,
}

/// Why a team configuration (or the team parts of settings) is refused.
/// `index` is the position in the list it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ConfigError {
    /// A brand-list problem, exactly as the brand editor reports it.
    Brand { error: BrandError },
    /// A deny rule that can't be understood.
    SiteRule { index: usize, rule: String },
    /// No department at all.
    DepartmentsEmpty,
    /// A department whose name is blank.
    DepartmentBlank { index: usize },
    /// The same department twice (in any language: "Engineering"/"Ingeniería").
    DepartmentDuplicate { index: usize, name: String },
    /// The capture defaults name a department the list does not have.
    DefaultDepartmentUnknown { name: String },
    /// rules13: a routing rule's problem.
    Rule { error: crate::routing::RuleError },
    /// sla13: a service-target problem (`TeamConfig.service`).
    Service { error: crate::service::ServiceError },
    /// verify13: a team-accounts entry that can't be used.
    TeamAccount { problem: AccountProblem },
    /// digest13: a problem of the `feedback` part.
    Feedback { error: crate::feedback::FeedbackError },
}

impl ConfigError {
    /// The sentence for this problem (brand problems are worded by the
    /// options page's [`crate::pages::options::problems::brand_error`],
    /// which also knows where they are shown; this is its place-free form).
    pub fn words(&self, config: Option<&TeamConfig>) -> Words {
        use crate::pages::options::problems::{brand_error, short, Locator};
        struct Nowhere;
        impl Locator for Nowhere {
            fn field(&self, _: Option<usize>, _: &str) -> String {
                String::new()
            }
            fn line(&self, _: usize, _: &str, i: usize) -> u32 {
                i as u32 + 1
            }
        }
        match self {
            ConfigError::Brand { error } => brand_error(error, config.map(|c| &c.brands), &Nowhere).message,
            ConfigError::SiteRule { index, rule } => Words::new(Key::ErrSiteRule).text((index + 1).to_string()).text(short(rule)),
            ConfigError::DepartmentsEmpty => Words::new(Key::ErrDepartmentsEmpty),
            ConfigError::DepartmentBlank { .. } => Words::new(Key::ErrDepartmentBlank),
            ConfigError::DepartmentDuplicate { name, .. } => Words::new(Key::ErrDepartmentDuplicate).text(short(name)),
            ConfigError::DefaultDepartmentUnknown { name } => Words::new(Key::ErrDefaultDepartmentUnknown).text(short(name)),
            ConfigError::Rule { error } => error.words(),
            ConfigError::Service { error } => error.words(),
            ConfigError::TeamAccount { problem: AccountProblem::Site { site } } => Words::new(Key::ErrTeamAccountSite).text(short(site)),
            ConfigError::TeamAccount { problem: AccountProblem::Account { site, account } } => {
                Words::new(Key::ErrTeamAccount).text(short(account)).text(short(site))
            }
            ConfigError::Feedback { error } => crate::feedback::config::words(error),
        }
    }

    /// A technical English sentence (logs, the service worker's `Invalid`
    /// detail); the UI uses [`ConfigError::words`].
    pub fn english(&self) -> String {
        match self {
            ConfigError::Brand { error } => error.message.clone(),
            ConfigError::SiteRule { rule, .. } => format!(
                "The site rule \"{}\" is not understood; write a host (intranet.acme.com), a wildcard (*.acme.internal) or a URL prefix (https://wiki.acme.com/private/).",
                rule.trim()
            ),
            ConfigError::DepartmentsEmpty => "Add at least one department.".into(),
            ConfigError::DepartmentBlank { .. } => "A department name is empty.".into(),
            ConfigError::DepartmentDuplicate { name, .. } => format!("The department \u{201c}{name}\u{201d} is listed twice."),
            ConfigError::DefaultDepartmentUnknown { name } => {
                format!("The default department \u{201c}{name}\u{201d} is not in the list of departments.")
            }
            ConfigError::Rule { error } => error.english(),
            ConfigError::Service { error } => error.english(),
            ConfigError::TeamAccount { problem: AccountProblem::Site { site } } => {
                format!("Team accounts: \u{201c}{}\u{201d} is not a site; write its host (forum.acme.com).", site.trim())
            }
            ConfigError::TeamAccount { problem: AccountProblem::Account { site, account } } => format!(
                "Team accounts: \u{201c}{}\u{201d} on {} is not a handle or a profile link on that site.",
                account.trim(),
                site.trim()
            ),
            ConfigError::Feedback { error } => error.english(),
        }
    }
}

impl From<&SiteRuleError> for ConfigError {
    fn from(e: &SiteRuleError) -> Self {
        ConfigError::SiteRule { index: e.index, rule: e.rule.clone() }
    }
}

/// The departments on their own (the options page checks them as typed).
pub fn validate_departments(departments: &[String]) -> Vec<ConfigError> {
    let mut errs = vec![];
    if departments.is_empty() {
        errs.push(ConfigError::DepartmentsEmpty);
    }
    let mut seen = std::collections::HashSet::new();
    for (index, d) in departments.iter().enumerate() {
        if d.trim().is_empty() {
            errs.push(ConfigError::DepartmentBlank { index });
        } else if !seen.insert(canonical_department(d).to_lowercase()) {
            errs.push(ConfigError::DepartmentDuplicate { index, name: d.trim().to_string() });
        }
    }
    errs
}

/// The capture defaults against the departments.
pub fn validate_defaults(defaults: &Tags, departments: &[String]) -> Vec<ConfigError> {
    match &defaults.department {
        Some(dep) if !departments.iter().any(|d| canonical_department(d).eq_ignore_ascii_case(&canonical_department(dep))) => {
            vec![ConfigError::DefaultDepartmentUnknown { name: dep.clone() }]
        }
        _ => vec![],
    }
}

/// The one validation of the team's parts: every problem at once.
pub fn validate(config: &TeamConfig) -> Result<(), Vec<ConfigError>> {
    let mut errs: Vec<ConfigError> = vec![];
    if let Err(brand) = config.brands.validate() {
        errs.extend(brand.0.into_iter().map(|error| ConfigError::Brand { error }));
    }
    if let Err(sites) = (SiteRules { deny: config.deny.clone(), disabled_sites: vec![] }).validate() {
        errs.extend(sites.iter().map(ConfigError::from));
    }
    errs.extend(validate_departments(&config.departments));
    errs.extend(validate_defaults(&config.capture_defaults, &config.departments));
    errs.extend(
        crate::routing::validate(&config.rules, &config.departments, &config.brands).into_iter().map(|error| ConfigError::Rule { error }),
    );
    errs.extend(config.service.validate(&config.departments).into_iter().map(|error| ConfigError::Service { error }));
    errs.extend(config.team_accounts.validate().into_iter().map(|problem| ConfigError::TeamAccount { problem }));
    errs.extend(crate::feedback::validate(&config.feedback, &config.departments).into_iter().map(|error| ConfigError::Feedback { error }));
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

impl TeamConfig {
    /// The team's parts of a browser's settings (what an admin publishes
    /// from a configured browser, and what a team starts from).
    pub fn from_settings(s: &Settings) -> TeamConfig {
        TeamConfig {
            brands: s.brands.clone(),
            departments: s.departments.clone(),
            capture_defaults: s.capture_defaults.clone(),
            deny: s.sites.deny.clone(),
            rules: vec![],
            service: Default::default(),
            team_accounts: TeamAccounts::default(),
            feedback: Default::default(),
        }
    }
}

/// A member's own additions on top of the team document. They stay in the
/// browser; they are never sent to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersonalAdditions {
    /// Extra terms, each for one of the team's groups.
    pub terms: Vec<PersonalTerm>,
    /// Sites this member switched off (site keys, as the popup stores them).
    pub disabled_sites: Vec<String>,
}

/// One extra term and the team group (by id) it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalTerm {
    pub group: String,
    pub text: String,
}

/// What became of a personal term in the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PersonalTermState {
    /// Highlighted with the team's group.
    Applied,
    /// The team list already has it; nothing to add.
    InTeamList,
    /// The team removed its group: kept here, not applied.
    GroupGone,
    /// It would make the list invalid (e.g. too many terms): kept, not applied.
    Refused,
}

/// The settings a browser runs and which of their terms are the member's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Merged {
    pub settings: Settings,
    /// Each personal term, in the member's order, with what became of it.
    pub personal: Vec<(PersonalTerm, PersonalTermState)>,
}

/// The team document plus the member's additions plus the browser's own sync
/// target: the settings this browser runs. Never fails; a personal term that
/// cannot be applied is reported, not dropped.
pub fn merge(team: &TeamConfig, personal: &PersonalAdditions, sync: &SyncSettings) -> Merged {
    let mut settings = Settings {
        brands: team.brands.clone(),
        departments: team.departments.clone(),
        capture_defaults: team.capture_defaults.clone(),
        sites: SiteRules { deny: team.deny.clone(), disabled_sites: personal.disabled_sites.clone() },
        sync: sync.clone(),
        ..Settings::default()
    };
    let mut states = Vec::with_capacity(personal.terms.len());
    for p in &personal.terms {
        let text = p.text.trim();
        let state = match settings.brands.groups.iter_mut().find(|g| g.id == p.group) {
            None => PersonalTermState::GroupGone,
            Some(g) if g.terms.iter().any(|t| t.text.trim().to_lowercase() == text.to_lowercase()) => PersonalTermState::InTeamList,
            Some(g) => {
                g.terms.push(Term::new(text));
                if settings.brands.validate().is_ok() {
                    PersonalTermState::Applied
                } else {
                    // The team list is valid (it was validated when saved), so
                    // this term is what breaks it: take it back out.
                    let g = settings.brands.groups.iter_mut().find(|g| g.id == p.group).expect("found above");
                    g.terms.pop();
                    PersonalTermState::Refused
                }
            }
        };
        states.push((p.clone(), state));
    }
    Merged { settings, personal: states }
}

/// What a browser keeps of the last team document it fetched, and from
/// which team log (`server`: the endpoint's API base). It applies only while
/// this browser syncs with that team log, and it stays when the server cannot
/// be reached: the last configuration keeps working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredConfig {
    pub server: String,
    pub doc: VersionedConfig,
}

/// The settings a browser runs: its own when no team document applies, else
/// the team's merged with the member's additions (the disabled sites are the
/// ones the popup switched off, kept in the browser's own settings).
pub fn effective(local: &Settings, team: Option<&TeamConfig>, personal_terms: &[PersonalTerm]) -> Merged {
    match team {
        None => Merged { settings: local.clone(), personal: vec![] },
        Some(team) => {
            let personal = PersonalAdditions { terms: personal_terms.to_vec(), disabled_sites: local.sites.disabled_sites.clone() };
            merge(team, &personal, &local.sync)
        }
    }
}

/// Read the options page's personal-terms box: one `group id: term` per
/// line, blank lines skipped. `Err` lists the 1-based lines that are not
/// of that form (nothing is saved then).
pub fn parse_personal_terms(text: &str) -> Result<Vec<PersonalTerm>, Vec<u32>> {
    let mut terms = vec![];
    let mut bad = vec![];
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once(':') {
            Some((group, text)) if !group.trim().is_empty() && !text.trim().is_empty() => {
                terms.push(PersonalTerm { group: group.trim().to_string(), text: text.trim().to_string() })
            }
            _ => bad.push(i as u32 + 1),
        }
    }
    if bad.is_empty() {
        Ok(terms)
    } else {
        Err(bad)
    }
}

/// The box's text for stored personal terms (the inverse of [`parse_personal_terms`]).
pub fn personal_terms_text(terms: &[PersonalTerm]) -> String {
    terms.iter().map(|t| format!("{}: {}", t.group, t.text)).collect::<Vec<_>>().join("\n")
}

/// What an IT department presets through managed storage (a Chrome policy,
/// Firefox's policies.json `3rdparty.Extensions`; see docs/policy/): never
/// the token, which is each member's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedPolicy {
    /// The team log every member syncs with; locked in the options page.
    pub endpoint: Option<String>,
    /// The team's name on it, shown (locked) next to the endpoint.
    pub team: Option<String>,
}

impl ManagedPolicy {
    /// Read managed storage's object. A value of another type, or blank, is
    /// ignored: a wrong value is worse than a missing one.
    pub fn from_json(value: &serde_json::Value) -> ManagedPolicy {
        let text = |k: &str| value.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        ManagedPolicy { endpoint: text("endpoint"), team: text("team") }
    }

    /// The settings with what the policy sets: an endpoint means syncing
    /// with that team log, whatever was stored.
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(endpoint) = &self.endpoint {
            settings.sync.endpoint.clone_from(endpoint);
            settings.sync.mode = crate::settings::SyncMode::TeamLog;
        }
    }
}

/// The options page's view of the team configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamConfigState {
    /// The team document this browser runs, if one applies.
    pub active: Option<StoredConfig>,
    /// The member's own terms as stored.
    pub personal_terms: Vec<PersonalTerm>,
    /// What became of each (empty when no team document applies).
    pub personal: Vec<(PersonalTerm, PersonalTermState)>,
    /// Sites this member switched off.
    pub disabled_sites: Vec<String>,
    /// What managed storage presets (shown locked).
    #[serde(default)]
    pub policy: ManagedPolicy,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brands::{BrandErrorCode, BrandGroup, BrandKind};

    fn group(id: &str, terms: &[&str]) -> BrandGroup {
        BrandGroup {
            id: id.into(),
            name: id.to_uppercase(),
            kind: BrandKind::Own,
            color: "#ffd54f".into(),
            enabled: true,
            terms: terms.iter().map(|t| Term::new(*t)).collect(),
            exclusions: vec![],
        }
    }

    fn team(groups: Vec<BrandGroup>) -> TeamConfig {
        TeamConfig { brands: BrandList { groups, ..BrandList::empty() }, ..TeamConfig::default() }
    }

    fn kinds(r: Result<(), Vec<ConfigError>>) -> Vec<ConfigError> {
        r.err().unwrap_or_default()
    }

    #[test]
    fn validation_table() {
        let ok = team(vec![group("acme", &["Acme"])]);
        let cases: Vec<(&str, TeamConfig, Vec<ConfigError>)> = vec![
            ("valid", ok.clone(), vec![]),
            ("no departments", TeamConfig { departments: vec![], ..ok.clone() }, vec![ConfigError::DepartmentsEmpty]),
            (
                "team account site",
                TeamConfig { team_accounts: TeamAccounts([("acme".to_string(), vec!["@care".to_string()])].into()), ..ok.clone() },
                vec![ConfigError::TeamAccount { problem: AccountProblem::Site { site: "acme".into() } }],
            ),
            (
                "blank department",
                TeamConfig { departments: vec!["PR".into(), " ".into()], ..ok.clone() },
                vec![ConfigError::DepartmentBlank { index: 1 }],
            ),
            (
                "duplicate across languages",
                TeamConfig { departments: vec!["Engineering".into(), "Ingeniería".into()], ..ok.clone() },
                vec![ConfigError::DepartmentDuplicate { index: 1, name: "Ingeniería".into() }],
            ),
            (
                "unknown default department",
                TeamConfig { capture_defaults: Tags { department: Some("Ventas".into()), ..Tags::default() }, ..ok.clone() },
                vec![ConfigError::DefaultDepartmentUnknown { name: "Ventas".into() }],
            ),
            (
                "default department in another language",
                TeamConfig { capture_defaults: Tags { department: Some("Atención al cliente".into()), ..Tags::default() }, ..ok.clone() },
                vec![],
            ),
            (
                "bad deny rule",
                TeamConfig { deny: vec!["intranet.acme.com".into(), "https://".into()], ..ok.clone() },
                vec![ConfigError::SiteRule { index: 1, rule: "https://".into() }],
            ),
        ];
        for (name, config, want) in cases {
            assert_eq!(kinds(validate(&config)), want, "{name}");
        }
    }

    #[test]
    fn brand_problems_are_the_brand_editors_with_their_data() {
        let mut bad = team(vec![group("acme", &["Acme", ""])]);
        bad.brands.groups[0].color = "red".into();
        let errs = kinds(validate(&bad));
        let codes: Vec<(String, BrandErrorCode)> = errs
            .iter()
            .map(|e| match e {
                ConfigError::Brand { error } => (error.path.clone(), error.code),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(codes.iter().any(|(p, _)| p == "groups[0].color"), "{codes:?}");
        assert!(codes.iter().any(|(p, _)| p == "groups[0].terms[1]"), "{codes:?}");
        // Data on the wire, worded at display time, never the English.
        for e in &errs {
            let back: ConfigError = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
            assert_eq!(&back, e);
            assert!(!e.words(Some(&bad)).key.name().is_empty());
        }
    }

    #[test]
    fn every_error_has_words_and_english() {
        for e in [
            ConfigError::DepartmentsEmpty,
            ConfigError::DepartmentBlank { index: 0 },
            ConfigError::DepartmentDuplicate { index: 1, name: "PR".into() },
            ConfigError::DefaultDepartmentUnknown { name: "Ventas".into() },
            ConfigError::SiteRule { index: 0, rule: "https://".into() },
            ConfigError::TeamAccount { problem: AccountProblem::Site { site: "acme".into() } },
            ConfigError::TeamAccount { problem: AccountProblem::Account { site: "acme.com".into(), account: " ".into() } },
        ] {
            assert!(!e.english().is_empty());
            let words = e.words(None);
            assert_eq!(
                words.key,
                match e {
                    ConfigError::DepartmentsEmpty => Key::ErrDepartmentsEmpty,
                    ConfigError::DepartmentBlank { .. } => Key::ErrDepartmentBlank,
                    ConfigError::DepartmentDuplicate { .. } => Key::ErrDepartmentDuplicate,
                    ConfigError::DefaultDepartmentUnknown { .. } => Key::ErrDefaultDepartmentUnknown,
                    ConfigError::TeamAccount { problem: AccountProblem::Site { .. } } => Key::ErrTeamAccountSite,
                    ConfigError::TeamAccount { .. } => Key::ErrTeamAccount,
                    _ => Key::ErrSiteRule,
                }
            );
        }
    }

    #[test]
    fn etags_round_trip() {
        for (header, want) in
            [("\"7\"", Some(7)), ("W/\"7\"", Some(7)), ("7", Some(7)), (" \"12\" ", Some(12)), ("*", None), ("\"x\"", None), ("", None)]
        {
            assert_eq!(parse_etag(header), want, "{header}");
        }
        assert_eq!(parse_etag(&etag(42)), Some(42));
    }

    #[test]
    fn merge_table() {
        let t = team(vec![group("acme", &["Acme"]), group("rival", &["Rival"])]);
        let sync = SyncSettings { endpoint: "http://127.0.0.1:1".into(), ..SyncSettings::default() };
        let p = |g: &str, text: &str| PersonalTerm { group: g.into(), text: text.into() };
        type Case<'a> = (&'a str, Vec<PersonalTerm>, Vec<PersonalTermState>, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            ("nothing personal", vec![], vec![], vec!["Acme"]),
            ("an extra term is applied", vec![p("acme", "AcmeCorp")], vec![PersonalTermState::Applied], vec!["Acme", "AcmeCorp"]),
            ("already in the team list", vec![p("acme", " acme ")], vec![PersonalTermState::InTeamList], vec!["Acme"]),
            ("group the team removed", vec![p("gone", "Old")], vec![PersonalTermState::GroupGone], vec!["Acme"]),
            (
                "an invalid term is refused, the others kept",
                vec![p("acme", "  "), p("acme", "Acme Labs")],
                vec![PersonalTermState::Refused, PersonalTermState::Applied],
                vec!["Acme", "Acme Labs"],
            ),
        ];
        for (name, terms, want_states, want_acme) in cases {
            let personal = PersonalAdditions { terms: terms.clone(), disabled_sites: vec!["forum.example".into()] };
            let m = merge(&t, &personal, &sync);
            let states: Vec<PersonalTermState> = m.personal.iter().map(|(_, s)| *s).collect();
            assert_eq!(states, want_states, "{name}");
            let acme: Vec<&str> = m.settings.brands.groups[0].terms.iter().map(|t| t.text.as_str()).collect();
            assert_eq!(acme, want_acme, "{name}");
            assert_eq!(m.settings.brands.groups[1].terms.len(), 1, "{name}: other groups untouched");
            // The browser's own parts are its own; the team's parts are the team's.
            assert_eq!(m.settings.sync, sync, "{name}");
            assert_eq!(m.settings.sites.disabled_sites, vec!["forum.example".to_string()], "{name}");
            assert_eq!(m.settings.departments, t.departments, "{name}");
            assert!(m.settings.validate().is_ok(), "{name}: the merged settings are valid");
            // The merge never changes the team document it started from.
            assert_eq!(t.brands.groups[0].terms.len(), 1);
        }
    }

    #[test]
    fn team_config_comes_from_settings_without_the_personal_parts() {
        let mut s = Settings::default();
        s.sites.deny.push("intranet.acme.com".into());
        s.sites.disabled_sites.push("forum.example".into());
        s.sync.endpoint = "http://127.0.0.1:9".into();
        let t = TeamConfig::from_settings(&s);
        assert_eq!(t.deny, vec!["intranet.acme.com".to_string()]);
        let json = serde_json::to_value(&t).unwrap();
        assert!(json.get("sync").is_none() && json.get("disabledSites").is_none(), "{json}");
        // A partial document reads with defaults.
        let partial: TeamConfig = serde_json::from_str(r#"{"departments":["Ventas"]}"#).unwrap();
        assert_eq!(partial.departments, vec!["Ventas".to_string()]);
        assert_eq!(partial.brands, BrandList::empty());
    }

    #[test]
    fn personal_terms_box_round_trips_and_names_bad_lines() {
        let terms = parse_personal_terms("acme: AcmeCorp\n\n rival :  Rival Labs \n").unwrap();
        assert_eq!(
            terms,
            vec![
                PersonalTerm { group: "acme".into(), text: "AcmeCorp".into() },
                PersonalTerm { group: "rival".into(), text: "Rival Labs".into() }
            ]
        );
        assert_eq!(parse_personal_terms(&personal_terms_text(&terms)).unwrap(), terms);
        assert_eq!(parse_personal_terms("acme: ok\nno colon\n: no group\nacme:  "), Err(vec![2, 3, 4]));
    }

    #[test]
    fn without_a_team_document_the_browser_runs_its_own_settings() {
        let local = Settings {
            departments: vec!["Ventas".into()],
            sites: SiteRules { disabled_sites: vec!["forum.example".into()], ..SiteRules::default() },
            ..Settings::default()
        };
        let terms = vec![PersonalTerm { group: "acme".into(), text: "AcmeCorp".into() }];
        let own = effective(&local, None, &terms);
        assert_eq!((own.settings, own.personal), (local.clone(), vec![]));
        let t = team(vec![group("acme", &["Acme"])]);
        let with_team = effective(&local, Some(&t), &terms);
        assert_eq!(with_team.settings.departments, t.departments, "the team's departments, not the browser's");
        assert_eq!(with_team.settings.sites.disabled_sites, local.sites.disabled_sites, "the member's switched-off sites stay");
        assert_eq!(with_team.personal[0].1, PersonalTermState::Applied);
    }

    #[test]
    fn a_policy_sets_the_endpoint_and_ignores_wrong_values() {
        use crate::settings::SyncMode;
        let table = [
            (serde_json::json!({}), ManagedPolicy::default()),
            (
                serde_json::json!({ "endpoint": " https://escucha.example.com ", "team": "Atención" }),
                ManagedPolicy { endpoint: Some("https://escucha.example.com".into()), team: Some("Atención".into()) },
            ),
            (serde_json::json!({ "endpoint": 42, "team": "" }), ManagedPolicy::default()),
            (serde_json::json!("not an object"), ManagedPolicy::default()),
        ];
        for (value, want) in table {
            assert_eq!(ManagedPolicy::from_json(&value), want, "{value}");
        }
        let mut s = Settings::default();
        s.sync.member = "ana".into();
        ManagedPolicy::default().apply(&mut s);
        assert_eq!(s.sync.mode, SyncMode::Off, "no policy, nothing changes");
        ManagedPolicy { endpoint: Some("https://escucha.example.com".into()), team: None }.apply(&mut s);
        assert_eq!(
            (s.sync.mode, s.sync.endpoint.as_str(), s.sync.member.as_str()),
            (SyncMode::TeamLog, "https://escucha.example.com", "ana")
        );
    }
}
