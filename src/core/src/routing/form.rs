//! The dashboard's rule editor as a page model: one [`RuleForm`] per rule,
//! with the condition as "all/any of these rows" (each row one condition,
//! possibly negated) and the actions as fixed fields. A condition the rows
//! cannot show (all/any nested inside) is kept as a `json` row holding its
//! JSON, so nothing a rule says is lost by opening it in the editor.

use super::{Action, Condition, Rule};
use crate::dashboard::i18n::Lang;
use crate::log::{Priority, Sentiment};

/// The kinds a condition row offers, in menu order.
pub const ROW_KINDS: [&str; 9] = ["words", "brand", "term", "site", "language", "sentiment", "priority", "author", "json"];

/// One condition row as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConditionRow {
    /// One of [`ROW_KINDS`].
    pub kind: String,
    /// The value: text, words separated by commas, a sentiment's or
    /// priority's wire name, or JSON.
    pub value: String,
    pub negate: bool,
}

/// One rule as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleForm {
    pub name: String,
    pub enabled: bool,
    pub stop: bool,
    /// True: any row may hold; false: every row must.
    pub any: bool,
    pub rows: Vec<ConditionRow>,
    /// "" for none.
    pub department: String,
    pub assignee: String,
    /// A priority's wire name, "" for none.
    pub priority: String,
    /// Comma-separated.
    pub tags: String,
    /// Comma-separated destination names.
    pub send_to: String,
}

/// Why a form does not read as a rule (everything else is the one validation's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    /// Rule `rule`, row `row`: its JSON does not read as a condition.
    BadJson { rule: usize, row: usize, detail: String },
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

fn row_of(c: &Condition) -> ConditionRow {
    let (negate, leaf) = match c {
        Condition::Not { of } if !matches!(**of, Condition::All { .. } | Condition::Any { .. } | Condition::Not { .. }) => (true, &**of),
        other => (false, other),
    };
    let row = |kind: &str, value: String| ConditionRow { kind: kind.into(), value, negate };
    match leaf {
        Condition::Words { words } => row("words", words.join(", ")),
        Condition::Brand { name } => row("brand", name.clone()),
        Condition::Term { text } => row("term", text.clone()),
        Condition::Site { rule } => row("site", rule.clone()),
        Condition::Language { code } => row("language", code.clone()),
        Condition::Sentiment { is } => row("sentiment", is.as_str().into()),
        Condition::Priority { is } => row("priority", is.as_str().into()),
        Condition::Author { name } => row("author", name.clone()),
        other => ConditionRow { kind: "json".into(), value: serde_json::to_string(other).unwrap_or_default(), negate: false },
    }
}

fn condition_of(r: &ConditionRow) -> Result<Condition, String> {
    let v = r.value.trim().to_string();
    let c = match r.kind.as_str() {
        "words" => Condition::Words { words: list(&r.value) },
        "brand" => Condition::Brand { name: v },
        "term" => Condition::Term { text: v },
        "site" => Condition::Site { rule: v },
        "language" => Condition::Language { code: v },
        "sentiment" => Condition::Sentiment { is: Sentiment::ALL.into_iter().find(|s| s.as_str() == v).unwrap_or_default() },
        "priority" => Condition::Priority { is: Priority::ALL.into_iter().find(|p| p.as_str() == v).unwrap_or_default() },
        "author" => Condition::Author { name: v },
        _ => serde_json::from_str(&v).map_err(|e| e.to_string())?,
    };
    Ok(if r.negate { Condition::Not { of: Box::new(c) } } else { c })
}

impl RuleForm {
    /// The form showing `rule` (what [`RuleForm::read`] turns back into it).
    pub fn of(rule: &Rule) -> RuleForm {
        let (any, rows) = match &rule.when {
            Condition::All { of } => (false, of.iter().map(row_of).collect()),
            Condition::Any { of } => (true, of.iter().map(row_of).collect()),
            one => (false, vec![row_of(one)]),
        };
        let mut f = RuleForm { name: rule.name.clone(), enabled: rule.enabled, stop: rule.stop, any, rows, ..RuleForm::default() };
        let (mut tags, mut send) = (vec![], vec![]);
        for a in &rule.then {
            match a {
                Action::SetDepartment { name } => f.department = name.clone(),
                Action::SetAssignee { member } => f.assignee = member.clone(),
                Action::SetPriority { priority } => f.priority = priority.as_str().into(),
                Action::AddTags { tags: t } => tags.extend(t.iter().cloned()),
                Action::SendTo { destination } => send.push(destination.clone()),
            }
        }
        f.tags = tags.join(", ");
        f.send_to = send.join(", ");
        f
    }

    /// A new rule: one empty words row, enabled.
    pub fn blank() -> RuleForm {
        RuleForm { enabled: true, rows: vec![ConditionRow { kind: "words".into(), ..ConditionRow::default() }], ..RuleForm::default() }
    }

    /// The rule this form describes, unvalidated (the team configuration's
    /// one validation checks it); `index` names it in a problem.
    pub fn read(&self, index: usize) -> Result<Rule, FormProblem> {
        let mut of = vec![];
        for (row, r) in self.rows.iter().enumerate() {
            of.push(condition_of(r).map_err(|detail| FormProblem::BadJson { rule: index, row, detail })?);
        }
        // One row stands alone, so a rule read back is the rule written.
        let when = match (self.any, of.len()) {
            (false, 1) => of.pop().expect("one"),
            (false, _) => Condition::All { of },
            (true, _) => Condition::Any { of },
        };
        let mut then = vec![];
        if !self.department.trim().is_empty() {
            then.push(Action::SetDepartment { name: self.department.trim().into() });
        }
        if !self.assignee.trim().is_empty() {
            then.push(Action::SetAssignee { member: self.assignee.trim().into() });
        }
        if let Some(priority) = Priority::ALL.into_iter().find(|p| p.as_str() == self.priority) {
            then.push(Action::SetPriority { priority });
        }
        let tags = list(&self.tags);
        if !tags.is_empty() {
            then.push(Action::AddTags { tags });
        }
        then.extend(list(&self.send_to).into_iter().map(|destination| Action::SendTo { destination }));
        Ok(Rule { name: self.name.trim().into(), enabled: self.enabled, when, then, stop: self.stop })
    }
}

/// Every form as rules, or the first row that does not read.
pub fn read_all(forms: &[RuleForm]) -> Result<Vec<Rule>, FormProblem> {
    forms.iter().enumerate().map(|(i, f)| f.read(i)).collect()
}

impl FormProblem {
    pub fn text(&self, lang: Lang) -> String {
        use crate::dashboard::i18n::{tr, Text};
        match self {
            FormProblem::BadJson { rule, row, detail } => {
                tr(lang, Text::RuleBadJson, &[&(rule + 1).to_string(), &(row + 1).to_string(), detail])
            }
        }
    }
}

/// A row kind's label in `lang`.
pub fn kind_label(lang: Lang, kind: &str) -> &'static str {
    use crate::dashboard::i18n::Text;
    match kind {
        "words" => Text::RuleKindWords,
        "brand" => Text::RuleKindBrand,
        "term" => Text::RuleKindTerm,
        "site" => Text::RuleKindSite,
        "language" => Text::RuleKindLanguage,
        "sentiment" => Text::Sentiment,
        "priority" => Text::Priority,
        "author" => Text::RuleKindAuthor,
        _ => Text::RuleKindJson,
    }
    .get(lang)
}

/// Move `forms[i]` one place up (`up`) or down; out of range does nothing.
pub fn move_rule(forms: &mut [RuleForm], i: usize, up: bool) {
    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
    if let Some(j) = j.filter(|j| *j < forms.len() && i < forms.len()) {
        forms.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(when: Condition, then: Vec<Action>) -> Rule {
        Rule { name: "R".into(), enabled: true, when, then, stop: true }
    }

    #[test]
    fn forms_read_back_the_rules_they_show() {
        let words = Condition::Words { words: vec!["paquete".into(), "no llegó".into()] };
        let nested = Condition::Any { of: vec![Condition::Term { text: "x".into() }, Condition::Brand { name: "Orange".into() }] };
        let cases = vec![
            rule(words.clone(), vec![Action::SetDepartment { name: "Logistics".into() }]),
            rule(
                Condition::All {
                    of: vec![
                        words.clone(),
                        Condition::Not { of: Box::new(Condition::Sentiment { is: Sentiment::Positive }) },
                        Condition::Priority { is: Priority::Urgent },
                        Condition::Site { rule: "*.example.com".into() },
                        Condition::Language { code: "es".into() },
                        Condition::Author { name: "@marta".into() },
                        nested.clone(),
                    ],
                },
                vec![
                    Action::SetDepartment { name: "PR".into() },
                    Action::SetAssignee { member: "ana".into() },
                    Action::SetPriority { priority: Priority::High },
                    Action::AddTags { tags: vec!["a".into(), "b".into()] },
                    Action::SendTo { destination: "slack".into() },
                    Action::SendTo { destination: "mail".into() },
                ],
            ),
            rule(Condition::Any { of: vec![words, Condition::Not { of: Box::new(nested) }] }, vec![]),
        ];
        for r in cases {
            let f = RuleForm::of(&r);
            assert_eq!(f.read(0), Ok(r.clone()), "{f:?}");
        }
    }

    #[test]
    fn a_bad_json_row_is_named() {
        let mut f = RuleForm::blank();
        f.rows.push(ConditionRow { kind: "json".into(), value: "{".into(), negate: false });
        assert!(matches!(read_all(&[RuleForm::blank(), f]), Err(FormProblem::BadJson { rule: 1, row: 1, .. })));
        for lang in Lang::ALL {
            let p = FormProblem::BadJson { rule: 1, row: 1, detail: "eof".into() };
            assert!(p.text(lang).contains("2") && p.text(lang).contains("eof"));
        }
    }

    #[test]
    fn rules_move_up_and_down() {
        let mut forms: Vec<RuleForm> = ["a", "b", "c"].iter().map(|n| RuleForm { name: n.to_string(), ..RuleForm::blank() }).collect();
        move_rule(&mut forms, 0, true);
        move_rule(&mut forms, 2, false);
        move_rule(&mut forms, 1, true);
        move_rule(&mut forms, 1, false);
        assert_eq!(forms.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["b", "c", "a"]);
    }
}
