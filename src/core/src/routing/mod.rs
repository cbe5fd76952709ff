//! Routing rules: the team's ordered list of "when a capture looks like this,
//! route it like that", decided here once for every place that needs it (the
//! card's preview before Log, the team-log server at ingest, the dashboard's
//! "re-run rules").
//!
//! # Semantics
//! * Rules run **in list order**; a rule switched off (`enabled: false`) is
//!   skipped.
//! * Conditions look at the capture **as it arrived** (its context and the
//!   sentiment and priority the member chose), never at what an earlier rule
//!   decided: a rule's match does not depend on the rules above it, only its
//!   effect does.
//! * Of the single-valued actions (department, assignee, priority) the
//!   **first matching rule that sets a field wins**; later rules setting the
//!   same field change nothing (so put the specific rules first).
//! * Tags and destinations **accumulate**: the union in order of first
//!   appearance (tags compared case-insensitively, as the record does).
//! * A matching rule with `stop` ends the evaluation after its own actions.
//! * Words in the comment are matched by the highlighter's own matcher
//!   ([`crate::matching::Matcher`]): the same folding (case, accents,
//!   typographic punctuation, invisible characters) and whole-word
//!   boundaries, so "entrega" matches "ENTREGA" and "Entrégà" but not
//!   "entregado".
//!
//! The result is an [`Outcome`]: the totals, and per matched rule what it
//! decided ([`Matched`]), which is what lets the server write each change as
//! a history event by "rule <name>".

mod condition;
pub mod form;
mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::log::record::normalize_tags;
use crate::log::{Capture, CaptureContext, CaptureEdit, Priority, Sentiment, Tags};

pub use condition::Compiled;
pub use validate::{validate, RuleError, RuleProblem, MAX_CONDITION_DEPTH, MAX_NAME_CHARS, MAX_RULES, MAX_WORDS};

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Unique in the list; history events name it ("rule Delivery problems").
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub when: Condition,
    pub then: Vec<Action>,
    /// Stop evaluating after this rule when it matches.
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// What a rule looks for. Text comparisons fold like highlighting does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Condition {
    /// The brand group that matched (its name, as the capture stores it).
    Brand {
        name: String,
    },
    /// The term that matched.
    Term {
        text: String,
    },
    /// The page is on a site: a host (and its subdomains), a wildcard
    /// (`*.example.com`) or a URL prefix, written like the deny rules.
    Site {
        rule: String,
    },
    /// The page's language: `es` matches `es` and `es-MX`; `es-MX` only itself.
    Language {
        code: String,
    },
    Sentiment {
        is: Sentiment,
    },
    Priority {
        is: Priority,
    },
    /// The comment's author: a name (a leading `@` ignored) or profile URL.
    Author {
        name: String,
    },
    /// Any of these words or phrases is in the comment.
    Words {
        words: Vec<String>,
    },
    /// Every condition holds.
    All {
        of: Vec<Condition>,
    },
    /// At least one condition holds.
    Any {
        of: Vec<Condition>,
    },
    /// The condition does not hold.
    Not {
        of: Box<Condition>,
    },
}

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Action {
    /// One of the team's departments.
    SetDepartment {
        name: String,
    },
    /// A member (by name).
    SetAssignee {
        member: String,
    },
    SetPriority {
        priority: Priority,
    },
    AddTags {
        tags: Vec<String>,
    },
    /// A destination the server keeps, by name (delivered by the server).
    SendTo {
        destination: String,
    },
}

/// What one matched rule decided: only what it won (a field an earlier rule
/// already set, a tag or destination already added, is not repeated).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matched {
    /// Position in the rule list.
    pub index: usize,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub send_to: Vec<String>,
}

/// Everything the rules decided for one capture.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub priority: Option<Priority>,
    /// Tags to add, in order of first appearance.
    pub tags: Vec<String>,
    /// Destination names, in order of first appearance.
    pub send_to: Vec<String>,
    /// The rules that matched, in order, each with what it decided.
    pub matched: Vec<Matched>,
}

/// What `POST /api/v1/rules/rerun` found (and, unless dry, changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RerunReport {
    pub dry_run: bool,
    /// Live captures the rules ran on.
    pub examined: u64,
    /// Captures whose department, assignee, priority or tags the rules
    /// change (would change, when dry).
    pub changed: u64,
    /// The configuration version whose rules ran (0: none saved).
    pub version: u64,
}

/// What rules look at: the captured context and the tags the member chose.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub context: &'a CaptureContext,
    pub sentiment: Sentiment,
    pub priority: Priority,
}

impl<'a> From<&'a Capture> for Facts<'a> {
    fn from(c: &'a Capture) -> Facts<'a> {
        Facts { context: &c.context.value, sentiment: c.sentiment.value, priority: c.priority.value }
    }
}

/// The card's view: the context and the tags chosen so far.
impl<'a> From<(&'a CaptureContext, &'a Tags)> for Facts<'a> {
    fn from((context, tags): (&'a CaptureContext, &'a Tags)) -> Facts<'a> {
        Facts { context, sentiment: tags.sentiment, priority: tags.priority }
    }
}

/// The actor a rule's history events and stamps name.
pub fn rule_actor(name: &str) -> String {
    format!("rule {}", name.trim())
}

/// Evaluate `rules` for one capture (compiles them first; to evaluate many
/// captures, compile once with [`Compiled::new`]).
pub fn evaluate<'a>(rules: &[Rule], capture: impl Into<Facts<'a>>) -> Outcome {
    Compiled::new(rules).evaluate(capture)
}

impl Outcome {
    /// Whether no rule matched.
    pub fn is_empty(&self) -> bool {
        self.matched.is_empty()
    }

    /// Whether any rule changes something (a rule may match and only send,
    /// or set what an earlier rule already set).
    pub fn changes_anything(&self) -> bool {
        self.department.is_some() || self.assignee.is_some() || self.priority.is_some() || !self.tags.is_empty()
    }

    /// One edit per matched rule that changes the record, with the actor it
    /// is applied as (`rule <name>`), in rule order.
    pub fn edits(&self) -> Vec<(String, CaptureEdit)> {
        self.matched
            .iter()
            .filter_map(|m| {
                let edit = CaptureEdit {
                    department: m.department.clone().map(Some),
                    assignee: m.assignee.clone().map(Some),
                    priority: m.priority,
                    add_tags: m.tags.clone(),
                    ..CaptureEdit::default()
                };
                (!edit.is_empty()).then(|| (rule_actor(&m.name), edit))
            })
            .collect()
    }

    /// Whether applying this outcome to `capture` would change its
    /// department, assignee, priority or tags (the re-run dry count).
    pub fn would_change(&self, capture: &Capture) -> bool {
        let tags = capture.tags.values();
        self.department.as_ref().is_some_and(|d| capture.department.value.as_deref() != Some(d.as_str()))
            || self.assignee.as_ref().is_some_and(|a| capture.assignee.value.as_deref() != Some(a.as_str()))
            || self.priority.is_some_and(|p| capture.priority.value != p)
            || self.tags.iter().any(|t| !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()))
    }
}

/// Add `new` to `into` unless present (case-insensitively); true if added.
fn add_unique(into: &mut Vec<String>, new: &str, fold_case: bool) -> bool {
    let same = |a: &str| if fold_case { a.to_lowercase() == new.to_lowercase() } else { a == new };
    if new.is_empty() || into.iter().any(|x| same(x)) {
        return false;
    }
    into.push(new.to_string());
    true
}

/// Apply one matched rule's actions to the running outcome.
fn apply_actions(out: &mut Outcome, index: usize, rule: &Rule) {
    let mut m = Matched { index, name: rule.name.trim().to_string(), ..Matched::default() };
    for action in &rule.then {
        match action {
            Action::SetDepartment { name } => {
                let name = crate::settings::canonical_department(name);
                if out.department.is_none() && !name.is_empty() {
                    out.department = Some(name.clone());
                    m.department = Some(name);
                }
            }
            Action::SetAssignee { member } => {
                let member = member.trim();
                if out.assignee.is_none() && !member.is_empty() {
                    out.assignee = Some(member.to_string());
                    m.assignee = Some(member.to_string());
                }
            }
            Action::SetPriority { priority } => {
                if out.priority.is_none() {
                    out.priority = Some(*priority);
                    m.priority = Some(*priority);
                }
            }
            Action::AddTags { tags } => {
                for t in normalize_tags(tags) {
                    if add_unique(&mut out.tags, &t, true) {
                        m.tags.push(t);
                    }
                }
            }
            Action::SendTo { destination } => {
                let d = destination.trim();
                if add_unique(&mut out.send_to, d, false) {
                    m.send_to.push(d.to_string());
                }
            }
        }
    }
    out.matched.push(m);
}
