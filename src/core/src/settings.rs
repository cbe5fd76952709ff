//! The settings document: brands, site rules, departments and sync target.
//!
//! Settings are stored as one JSON document. Loading never fails: a document
//! that does not parse yields the defaults plus a [`SettingsProblem`] naming
//! what was wrong, and the caller keeps the stored original untouched so that
//! nothing the manager configured is lost. The sync token is deliberately not
//! part of this document: it lives in its own storage key that only trusted
//! extension contexts can read.

use serde::{Deserialize, Serialize};

use crate::brands::BrandList;
use crate::sites::SiteRules;

/// Bumped when the stored shape changes incompatibly.
pub const SETTINGS_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub version: u32,
    pub brands: BrandList,
    pub sites: SiteRules,
    /// The departments a capture can be routed to; configurable per team.
    pub departments: Vec<String>,
    /// The tags a one-click "Log" applies; the card can change them.
    pub capture_defaults: crate::log::Tags,
    pub sync: SyncSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: SETTINGS_VERSION,
            // Nothing is preconfigured: the welcome page offers the demo list.
            brands: BrandList::empty(),
            sites: SiteRules::default(),
            departments: DEFAULT_DEPARTMENTS.iter().map(|d| d.to_string()).collect(),
            capture_defaults: crate::log::Tags::default(),
            sync: SyncSettings::default(),
        }
    }
}

/// The departments a new install starts with, as stored: their English names
/// are their stable ids (what a capture records and what syncs), whatever the
/// language of whoever picked them. Each is shown in the viewer's language
/// ([`DefaultDepartment::key`]; the dashboard's table for the dashboard), and a
/// name typed in any language is stored as the id ([`canonical_department`]),
/// so a team that mixes languages still routes to one "Engineering".
pub const DEFAULT_DEPARTMENTS: [&str; 6] = ["Product", "Marketing", "PR", "Engineering", "Logistics", "Customer Service"];

/// One of the default departments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultDepartment {
    Product,
    Marketing,
    Pr,
    Engineering,
    Logistics,
    CustomerService,
}

impl DefaultDepartment {
    pub const ALL: [DefaultDepartment; 6] = [
        DefaultDepartment::Product,
        DefaultDepartment::Marketing,
        DefaultDepartment::Pr,
        DefaultDepartment::Engineering,
        DefaultDepartment::Logistics,
        DefaultDepartment::CustomerService,
    ];

    /// The stored id (the English name, as earlier versions stored it).
    pub fn id(self) -> &'static str {
        DEFAULT_DEPARTMENTS[self as usize]
    }

    /// Its name in the extension's tables.
    pub fn key(self) -> crate::i18n::Key {
        use crate::i18n::Key;
        match self {
            DefaultDepartment::Product => Key::DepartmentProduct,
            DefaultDepartment::Marketing => Key::DepartmentMarketing,
            DefaultDepartment::Pr => Key::DepartmentPr,
            DefaultDepartment::Engineering => Key::DepartmentEngineering,
            DefaultDepartment::Logistics => Key::DepartmentLogistics,
            DefaultDepartment::CustomerService => Key::DepartmentCustomerService,
        }
    }

    /// Every name it is known by: the id and each language's word (Spanish
    /// also "Prensa" for PR, as Spanish teams often say).
    fn names(self) -> &'static [&'static str] {
        match self {
            DefaultDepartment::Product => &["Product", "Producto"],
            DefaultDepartment::Marketing => &["Marketing"],
            DefaultDepartment::Pr => &["PR", "Public Relations", "Relaciones públicas", "Prensa"],
            DefaultDepartment::Engineering => &["Engineering", "Ingeniería"],
            DefaultDepartment::Logistics => &["Logistics", "Logística"],
            DefaultDepartment::CustomerService => &["Customer Service", "Atención al cliente"],
        }
    }

    /// The default department a stored or typed name stands for.
    pub fn of(name: &str) -> Option<DefaultDepartment> {
        let name = name.trim();
        DefaultDepartment::ALL.into_iter().find(|d| d.names().iter().any(|n| n.to_lowercase() == name.to_lowercase()))
    }
}

/// What to store for a department typed in any language: a default
/// department's id, or the name as typed (trimmed).
pub fn canonical_department(name: &str) -> String {
    match DefaultDepartment::of(name) {
        Some(d) => d.id().to_string(),
        None => name.trim().to_string(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncSettings {
    pub mode: SyncMode,
    /// The team-log endpoint or webhook URL; empty means "not syncing".
    pub endpoint: String,
    /// The member name shown to teammates.
    pub member: String,
    /// wsui12 (issue 12): the member's own department, for the "My
    /// department" view (stored canonical, like a capture's department).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SyncMode {
    #[default]
    Off,
    TeamLog,
    Webhook,
}

/// Why stored settings could not be used as they are.
/// Data; the words are chosen where it is shown ([`SettingsProblem::words`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SettingsProblem {
    /// Saved by a newer Escucha in format `found`; this one reads `reads`.
    Newer { found: u32, reads: u32 },
    /// Not a settings document; `detail` is the parser's (technical) report.
    Unreadable { detail: String },
}

/// Only so that every protocol error can be listed with empty fields.
impl Default for SettingsProblem {
    fn default() -> Self {
        SettingsProblem::Unreadable { detail: String::new() }
    }
}

impl SettingsProblem {
    pub fn words(&self) -> crate::i18n::Words {
        use crate::i18n::{Key, Words};
        match self {
            SettingsProblem::Newer { found, reads } => {
                Words::new(Key::SettingsProblemNewer).text(found.to_string()).text(reads.to_string())
            }
            SettingsProblem::Unreadable { detail } => Words::new(Key::SettingsProblemUnreadable).text(detail),
        }
    }
}

impl Settings {
    /// Read a stored document. `None` (first run) gives the defaults silently.
    /// A document that does not parse, or is from a newer Escucha, gives the
    /// defaults and a problem to show; the caller must not overwrite the stored
    /// original until the manager saves on purpose.
    pub fn load(stored: Option<&str>) -> (Settings, Option<SettingsProblem>) {
        let Some(text) = stored else { return (Settings::default(), None) };
        match serde_json::from_str::<Settings>(text) {
            Ok(s) if s.version > SETTINGS_VERSION => {
                (Settings::default(), Some(SettingsProblem::Newer { found: s.version, reads: SETTINGS_VERSION }))
            }
            Ok(s) => (s, None),
            Err(e) => (Settings::default(), Some(SettingsProblem::Unreadable { detail: e.to_string() })),
        }
    }

    /// Check a document before it is saved; nothing invalid is ever stored.
    /// The team's parts go through the one validation,
    /// [`crate::team_config::validate`]; this is its English for logs and the
    /// service worker's `Invalid` detail.
    pub fn validate(&self) -> Result<(), String> {
        let team = crate::team_config::TeamConfig::from_settings(self);
        // A browser without a team may clear its list (the options page asks
        // for one); only a team document must name at least one department.
        let errs: Vec<String> = match crate::team_config::validate(&team) {
            Ok(()) => vec![],
            Err(errs) => errs.iter().filter(|e| **e != crate::team_config::ConfigError::DepartmentsEmpty).map(|e| e.english()).collect(),
        };
        if !errs.is_empty() {
            return Err(errs.join("\n"));
        }
        self.sites.validate().map_err(|errs| errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("\n"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_gives_defaults_without_a_problem() {
        let (s, problem) = Settings::load(None);
        assert_eq!(s, Settings::default());
        assert!(problem.is_none());
        assert_eq!(s.departments.len(), 6);
    }

    #[test]
    fn round_trip_keeps_everything() {
        let mut s = Settings::default();
        s.departments.push("Legal".into());
        s.sync.endpoint = "http://127.0.0.1:8080".into();
        s.sync.mode = SyncMode::TeamLog;
        let json = serde_json::to_string(&s).unwrap();
        let (back, problem) = Settings::load(Some(&json));
        assert!(problem.is_none());
        assert_eq!(back, s);
    }

    #[test]
    fn partial_documents_fill_in_defaults() {
        let (s, problem) = Settings::load(Some(r#"{"version":1,"departments":["Ventas"]}"#));
        assert!(problem.is_none());
        assert_eq!(s.departments, vec!["Ventas".to_string()]);
        assert_eq!(s.brands, BrandList::empty());
    }

    #[test]
    fn malformed_or_future_documents_are_reported_not_used() {
        use crate::i18n::Key;
        for (stored, needle) in [
            ("{not json", Key::SettingsProblemUnreadable),
            (r#"{"version":"one"}"#, Key::SettingsProblemUnreadable),
            (r#"{"version":99}"#, Key::SettingsProblemNewer),
        ] {
            let (s, problem) = Settings::load(Some(stored));
            assert_eq!(s, Settings::default(), "{stored}");
            let problem = problem.expect(stored);
            assert_eq!(problem.words().key, needle, "{stored}");
            // Data on the wire, worded at display time.
            assert_eq!(serde_json::from_str::<SettingsProblem>(&serde_json::to_string(&problem).unwrap()).unwrap(), problem);
        }
        assert_eq!(Settings::load(Some(r#"{"version":99}"#)).1, Some(SettingsProblem::Newer { found: 99, reads: SETTINGS_VERSION }));
    }

    #[test]
    fn an_unreadable_deny_rule_is_rejected_before_saving() {
        let mut s = Settings::default();
        s.sites.deny.push("https://".into());
        let err = s.validate().unwrap_err();
        assert!(err.contains("is not understood"), "{err}");
    }

    #[test]
    fn the_default_department_must_be_one_of_the_departments() {
        let mut s = Settings::default();
        s.capture_defaults.department = Some("customer service".into());
        assert!(s.validate().is_ok(), "case-insensitive");
        s.capture_defaults.department = Some("Ventas".into());
        assert!(s.validate().unwrap_err().contains("Ventas"));
    }

    #[test]
    fn empty_department_is_rejected() {
        let mut s = Settings::default();
        s.departments.push("  ".into());
        assert_eq!(s.validate().unwrap_err(), "A department name is empty.");
    }

    #[test]
    fn default_departments_keep_one_id_in_every_language() {
        for (typed, stored) in [
            ("Ingeniería", "Engineering"),
            ("ingeniería", "Engineering"),
            ("Engineering", "Engineering"),
            ("Atención al cliente", "Customer Service"),
            ("Relaciones públicas", "PR"),
            ("Prensa", "PR"),
            ("Producto", "Product"),
            ("Logística", "Logistics"),
            ("  Ventas ", "Ventas"),
        ] {
            assert_eq!(canonical_department(typed), stored, "{typed}");
        }
        for d in DefaultDepartment::ALL {
            assert_eq!(DefaultDepartment::of(d.id()), Some(d));
            assert_eq!(canonical_department(d.id()), d.id());
        }
        assert_eq!(Settings::default().departments, DEFAULT_DEPARTMENTS.map(String::from));
    }
}
