//! Checking a rule list against the team configuration it belongs to. Every
//! problem is reported at once, as data ([`RuleError`]); the sentence is
//! chosen at display time ([`RuleError::words`]) in the reader's language.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::condition::words_list;
use super::{Action, Condition, Rule};
use crate::brands::{BrandErrorCode, BrandList};
use crate::i18n::{Key, Words};
use crate::log::record::MAX_TAG_CHARS;
use crate::matching::normalize::{strict_folded, Fold};
use crate::settings::canonical_department;
use crate::sites::SiteRules;

/// Most rules a team keeps: every capture is tested against each one.
pub const MAX_RULES: usize = 200;
/// Longest rule name, in characters (it is shown in history events).
pub const MAX_NAME_CHARS: usize = 80;
/// How deep all/any/not may nest: deeper is unreadable in the editor.
pub const MAX_CONDITION_DEPTH: usize = 4;
/// Most words one condition lists.
pub const MAX_WORDS: usize = 100;

/// One problem of one rule (`rule`: its position in the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleError {
    pub rule: usize,
    pub problem: RuleProblem,
}

/// What is wrong, with the values the sentence needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum RuleProblem {
    /// More rules than [`MAX_RULES`] (reported on the first one over).
    TooManyRules {
        count: usize,
        max: usize,
    },
    NameBlank,
    NameTooLong {
        chars: usize,
        max: usize,
    },
    /// The name is already used by rule `first` (0-based).
    NameDuplicate {
        name: String,
        first: usize,
    },
    /// No action at all: the rule would do nothing.
    NoAction,
    /// An all/any with no conditions, or a word condition with no words.
    ConditionEmpty,
    ConditionTooDeep {
        max: usize,
    },
    /// The brand condition names no group of the brand list.
    BrandUnknown {
        brand: String,
    },
    TermBlank,
    SiteInvalid {
        site: String,
    },
    LanguageInvalid {
        code: String,
    },
    AuthorBlank,
    /// A word the highlighter cannot match (blank, invisible, too long).
    WordInvalid {
        word: String,
    },
    TooManyWords {
        count: usize,
        max: usize,
    },
    DepartmentUnknown {
        department: String,
    },
    AssigneeBlank,
    /// A tag that is blank or longer than a record's tag may be.
    TagInvalid {
        tag: String,
        max: usize,
    },
    DestinationBlank,
}

/// A language code as the page declares them: 2–3 letters, then subtags.
fn is_language_code(code: &str) -> bool {
    let mut parts = code.split(['-', '_']);
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn check_condition(c: &Condition, depth: usize, brands: &BrandList, out: &mut Vec<RuleProblem>) {
    if depth > MAX_CONDITION_DEPTH {
        out.push(RuleProblem::ConditionTooDeep { max: MAX_CONDITION_DEPTH });
        return;
    }
    let folded = |s: &str| strict_folded(s.trim(), Fold::LENIENT);
    match c {
        Condition::Brand { name } => {
            if !brands.groups.iter().any(|g| !name.trim().is_empty() && folded(&g.name) == folded(name)) {
                out.push(RuleProblem::BrandUnknown { brand: name.trim().to_string() });
            }
        }
        Condition::Term { text } => {
            if folded(text).is_empty() {
                out.push(RuleProblem::TermBlank);
            }
        }
        Condition::Site { rule } => {
            let rules = SiteRules { deny: vec![rule.clone()], disabled_sites: vec![] };
            if rule.trim().is_empty() || rules.validate().is_err() {
                out.push(RuleProblem::SiteInvalid { site: rule.trim().to_string() });
            }
        }
        Condition::Language { code } => {
            if !is_language_code(code.trim()) {
                out.push(RuleProblem::LanguageInvalid { code: code.trim().to_string() });
            }
        }
        Condition::Sentiment { .. } | Condition::Priority { .. } => {}
        Condition::Author { name } => {
            if name.trim().trim_start_matches('@').trim().is_empty() {
                out.push(RuleProblem::AuthorBlank);
            }
        }
        Condition::Words { words } => {
            if words.is_empty() {
                out.push(RuleProblem::ConditionEmpty);
            } else if words.len() > MAX_WORDS {
                out.push(RuleProblem::TooManyWords { count: words.len(), max: MAX_WORDS });
            } else if let Err(errs) = words_list(words).validate() {
                // The highlighter's own checks, reported per word. Two
                // spellings of one word are harmless here: skip those.
                for e in errs.0 {
                    if e.code == BrandErrorCode::DuplicateTerm {
                        continue;
                    }
                    let word = term_index(&e.path).and_then(|i| words.get(i)).map(|w| w.trim().to_string()).unwrap_or_default();
                    let p = RuleProblem::WordInvalid { word };
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        Condition::All { of } | Condition::Any { of } => {
            if of.is_empty() {
                out.push(RuleProblem::ConditionEmpty);
            }
            for c in of {
                check_condition(c, depth + 1, brands, out);
            }
        }
        Condition::Not { of } => check_condition(of, depth + 1, brands, out),
    }
}

/// `groups[0].terms[3]` → 3.
fn term_index(path: &str) -> Option<usize> {
    path.split("terms[").nth(1)?.split(']').next()?.parse().ok()
}

fn check_action(a: &Action, departments: &[String], out: &mut Vec<RuleProblem>) {
    match a {
        Action::SetDepartment { name } => {
            let canon = canonical_department(name);
            if canon.is_empty() || !departments.iter().any(|d| canonical_department(d).to_lowercase() == canon.to_lowercase()) {
                out.push(RuleProblem::DepartmentUnknown { department: name.trim().to_string() });
            }
        }
        Action::SetAssignee { member } => {
            if member.trim().is_empty() {
                out.push(RuleProblem::AssigneeBlank);
            }
        }
        Action::SetPriority { .. } => {}
        Action::AddTags { tags } => {
            if tags.is_empty() {
                out.push(RuleProblem::TagInvalid { tag: String::new(), max: MAX_TAG_CHARS });
            }
            for t in tags {
                if t.trim().is_empty() || t.trim().chars().count() > MAX_TAG_CHARS {
                    out.push(RuleProblem::TagInvalid { tag: t.trim().to_string(), max: MAX_TAG_CHARS });
                }
            }
        }
        Action::SendTo { destination } => {
            if destination.trim().is_empty() {
                out.push(RuleProblem::DestinationBlank);
            }
        }
    }
}

/// Every problem of `rules` for a team with these departments and brands.
/// Destinations are named, not checked: the server keeps them.
pub fn validate(rules: &[Rule], departments: &[String], brands: &BrandList) -> Vec<RuleError> {
    let mut errs = vec![];
    if rules.len() > MAX_RULES {
        errs.push(RuleError { rule: MAX_RULES, problem: RuleProblem::TooManyRules { count: rules.len(), max: MAX_RULES } });
    }
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        let mut problems = vec![];
        let name = r.name.trim();
        let chars = name.chars().count();
        if name.is_empty() {
            problems.push(RuleProblem::NameBlank);
        } else if chars > MAX_NAME_CHARS {
            problems.push(RuleProblem::NameTooLong { chars, max: MAX_NAME_CHARS });
        } else if let Some(&first) = names.get(&name.to_lowercase()) {
            problems.push(RuleProblem::NameDuplicate { name: name.to_string(), first });
        } else {
            names.insert(name.to_lowercase(), i);
        }
        check_condition(&r.when, 0, brands, &mut problems);
        if r.then.is_empty() {
            problems.push(RuleProblem::NoAction);
        }
        for a in &r.then {
            check_action(a, departments, &mut problems);
        }
        errs.extend(problems.into_iter().map(|problem| RuleError { rule: i, problem }));
    }
    errs
}

fn quoted(s: &str) -> String {
    crate::pages::options::problems::short(s)
}

impl RuleProblem {
    /// The problem's own sentence (without the rule it is in).
    pub fn words(&self) -> Words {
        let n = |v: &usize| v.to_string();
        match self {
            RuleProblem::TooManyRules { count, max } => Words::new(Key::RuleErrTooMany).text(n(count)).text(n(max)),
            RuleProblem::NameBlank => Words::new(Key::RuleErrNameBlank),
            RuleProblem::NameTooLong { chars, max } => Words::new(Key::RuleErrNameTooLong).text(n(chars)).text(n(max)),
            RuleProblem::NameDuplicate { name, first } => Words::new(Key::RuleErrNameDuplicate).text(quoted(name)).text(n(&(first + 1))),
            RuleProblem::NoAction => Words::new(Key::RuleErrNoAction),
            RuleProblem::ConditionEmpty => Words::new(Key::RuleErrConditionEmpty),
            RuleProblem::ConditionTooDeep { max } => Words::new(Key::RuleErrConditionTooDeep).text(n(max)),
            RuleProblem::BrandUnknown { brand } => Words::new(Key::RuleErrBrandUnknown).text(quoted(brand)),
            RuleProblem::TermBlank => Words::new(Key::RuleErrTermBlank),
            RuleProblem::SiteInvalid { site } => Words::new(Key::RuleErrSiteInvalid).text(quoted(site)),
            RuleProblem::LanguageInvalid { code } => Words::new(Key::RuleErrLanguageInvalid).text(quoted(code)),
            RuleProblem::AuthorBlank => Words::new(Key::RuleErrAuthorBlank),
            RuleProblem::WordInvalid { word } => Words::new(Key::RuleErrWordInvalid).text(quoted(word)),
            RuleProblem::TooManyWords { count, max } => Words::new(Key::RuleErrTooManyWords).text(n(count)).text(n(max)),
            RuleProblem::DepartmentUnknown { department } => Words::new(Key::RuleErrDepartmentUnknown).text(quoted(department)),
            RuleProblem::AssigneeBlank => Words::new(Key::RuleErrAssigneeBlank),
            RuleProblem::TagInvalid { tag, max } => Words::new(Key::RuleErrTagInvalid).text(quoted(tag)).text(n(max)),
            RuleProblem::DestinationBlank => Words::new(Key::RuleErrDestinationBlank),
        }
    }

    /// A technical English sentence (logs, the server's message).
    pub fn english(&self) -> String {
        match self {
            RuleProblem::TooManyRules { count, max } => format!("there are {count} rules; the limit is {max}"),
            RuleProblem::NameBlank => "the rule has no name".into(),
            RuleProblem::NameTooLong { chars, max } => format!("the name is {chars} characters long; the limit is {max}"),
            RuleProblem::NameDuplicate { name, first } => format!("the name \"{name}\" is already used by rule {}", first + 1),
            RuleProblem::NoAction => "the rule has no action".into(),
            RuleProblem::ConditionEmpty => "a condition is empty".into(),
            RuleProblem::ConditionTooDeep { max } => format!("conditions nest more than {max} levels"),
            RuleProblem::BrandUnknown { brand } => format!("no brand group is named \"{brand}\""),
            RuleProblem::TermBlank => "the term is empty".into(),
            RuleProblem::SiteInvalid { site } => format!("the site \"{site}\" is not understood"),
            RuleProblem::LanguageInvalid { code } => format!("\"{code}\" is not a language code"),
            RuleProblem::AuthorBlank => "the author is empty".into(),
            RuleProblem::WordInvalid { word } => format!("the word \"{word}\" cannot be matched"),
            RuleProblem::TooManyWords { count, max } => format!("{count} words; the limit is {max}"),
            RuleProblem::DepartmentUnknown { department } => format!("there is no department \"{department}\""),
            RuleProblem::AssigneeBlank => "the assignee is empty".into(),
            RuleProblem::TagInvalid { tag, max } => format!("the tag \"{tag}\" is empty or longer than {max} characters"),
            RuleProblem::DestinationBlank => "the destination is empty".into(),
        }
    }
}

impl RuleError {
    /// "Rule 3: <problem>" (the count of rules stands alone).
    pub fn words(&self) -> Words {
        match self.problem {
            RuleProblem::TooManyRules { .. } => self.problem.words(),
            _ => Words::new(Key::RuleErr).text((self.rule + 1).to_string()).word(self.problem.words()),
        }
    }

    pub fn english(&self) -> String {
        format!("Rule {}: {}.", self.rule + 1, self.problem.english())
    }
}
