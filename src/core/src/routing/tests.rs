//! The routing semantics as tables: which rules match, what wins, what adds up.

use super::*;
use crate::brands::BrandList;
use crate::log::{CaptureContext, Priority, Sentiment, Tags};

fn ctx(text: &str) -> CaptureContext {
    CaptureContext {
        page_url: "https://forum.example.com/t/123".into(),
        page_title: "Where is my order?".into(),
        site: "Example Forum".into(),
        lang: Some("es-ES".into()),
        comment_text: text.into(),
        author_name: Some("@Marta_G".into()),
        author_url: Some("https://forum.example.com/u/marta".into()),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        ..CaptureContext::default()
    }
}

fn rule(name: &str, when: Condition, then: Vec<Action>) -> Rule {
    Rule { name: name.into(), enabled: true, when, then, stop: false }
}

fn words(w: &[&str]) -> Condition {
    Condition::Words { words: w.iter().map(|s| s.to_string()).collect() }
}

fn dep(name: &str) -> Action {
    Action::SetDepartment { name: name.into() }
}

fn tags(t: &[&str]) -> Action {
    Action::AddTags { tags: t.iter().map(|s| s.to_string()).collect() }
}

fn send(d: &str) -> Action {
    Action::SendTo { destination: d.into() }
}

fn prio(p: Priority) -> Action {
    Action::SetPriority { priority: p }
}

/// Each condition alone, against the one context above (sentiment negative,
/// priority normal): does it hold?
#[test]
fn conditions_table() {
    use Condition as C;
    let s = |v: &str| v.to_string();
    let cases: Vec<(&str, Condition, bool)> = vec![
        ("brand, folded", C::Brand { name: s("TELEFONICA") }, true),
        ("brand, other", C::Brand { name: s("Orange") }, false),
        ("term", C::Term { text: s("movistar") }, true),
        ("term, other", C::Term { text: s("Telefónica") }, false),
        ("site host", C::Site { rule: s("example.com") }, true),
        ("site wildcard", C::Site { rule: s("*.example.com") }, true),
        ("site prefix", C::Site { rule: s("https://forum.example.com/t/") }, true),
        ("site prefix, other path", C::Site { rule: s("https://forum.example.com/u/") }, false),
        ("site other", C::Site { rule: s("example.org") }, false),
        ("language primary", C::Language { code: s("es") }, true),
        ("language exact", C::Language { code: s("ES-es") }, true),
        ("language region other", C::Language { code: s("es-MX") }, false),
        ("language prefix is not a subtag", C::Language { code: s("e") }, false),
        ("sentiment", C::Sentiment { is: Sentiment::Negative }, true),
        ("sentiment other", C::Sentiment { is: Sentiment::Positive }, false),
        ("priority", C::Priority { is: Priority::Normal }, true),
        ("priority other", C::Priority { is: Priority::High }, false),
        ("author by handle, @ and case ignored", C::Author { name: s("marta_g") }, true),
        ("author by profile URL", C::Author { name: s("https://forum.example.com/u/marta") }, true),
        ("author other", C::Author { name: s("pedro") }, false),
        ("word, case and accents folded", words(&["ENTREGA"]), true),
        ("phrase across typographic space", words(&["no llegó"]), true),
        ("word inside a longer word is no match", words(&["entregad"]), false),
        ("any of the words", words(&["factura", "paquete"]), true),
        ("none of the words", words(&["factura"]), false),
        ("all", C::All { of: vec![words(&["paquete"]), C::Sentiment { is: Sentiment::Negative }] }, true),
        ("all, one fails", C::All { of: vec![words(&["paquete"]), C::Sentiment { is: Sentiment::Positive }] }, false),
        ("empty all never holds", C::All { of: vec![] }, false),
        ("any", C::Any { of: vec![words(&["factura"]), C::Term { text: s("Movistar") }] }, true),
        ("empty any", C::Any { of: vec![] }, false),
        ("not", C::Not { of: Box::new(words(&["factura"])) }, true),
        ("empty word list never holds", words(&[]), false),
        ("an invalid word list never holds", words(&["  "]), false),
    ];
    let context = ctx("Mi PAQUETE no\u{A0}llegó: la entrégà lleva 3 semanas de retraso");
    let chosen = Tags { sentiment: Sentiment::Negative, ..Tags::default() };
    for (label, when, want) in cases {
        let rules = [rule("r", when, vec![tags(&["x"])])];
        let got = !evaluate(&rules, (&context, &chosen)).is_empty();
        assert_eq!(got, want, "{label}");
    }
}

/// Several rules: order, first-setter-wins, unions, stop, disabled rules.
#[test]
fn semantics_table() {
    let c = ctx("El paquete no llegó y la factura está mal");
    let negative = Tags { sentiment: Sentiment::Negative, ..Tags::default() };
    let delivery = || words(&["paquete", "entrega"]);
    let billing = || words(&["factura"]);
    struct Case {
        label: &'static str,
        rules: Vec<Rule>,
        department: Option<&'static str>,
        priority: Option<Priority>,
        tags: &'static [&'static str],
        send_to: &'static [&'static str],
        matched: &'static [usize],
    }
    let stopping = |mut r: Rule| {
        r.stop = true;
        r
    };
    let off = |mut r: Rule| {
        r.enabled = false;
        r
    };
    let cases = vec![
        Case { label: "no rules", rules: vec![], department: None, priority: None, tags: &[], send_to: &[], matched: &[] },
        Case {
            label: "first rule that sets a field wins",
            rules: vec![
                rule("delivery", delivery(), vec![dep("Logistics"), tags(&["delivery"]), send("logistics-slack")]),
                rule("billing", billing(), vec![dep("Customer Service"), prio(Priority::High), tags(&["billing", "Delivery"])]),
            ],
            department: Some("Logistics"),
            priority: Some(Priority::High),
            tags: &["delivery", "billing"],
            send_to: &["logistics-slack"],
            matched: &[0, 1],
        },
        Case {
            label: "stop ends evaluation after its own actions",
            rules: vec![
                stopping(rule("delivery", delivery(), vec![dep("Logistics"), send("a")])),
                rule("billing", billing(), vec![prio(Priority::High), send("b")]),
            ],
            department: Some("Logistics"),
            priority: None,
            tags: &[],
            send_to: &["a"],
            matched: &[0],
        },
        Case {
            label: "stop on a rule that does not match stops nothing",
            rules: vec![
                stopping(rule("praise", words(&["gracias"]), vec![dep("Marketing")])),
                rule("billing", billing(), vec![dep("Customer Service"), send("b"), send("b")]),
            ],
            department: Some("Customer Service"),
            priority: None,
            tags: &[],
            send_to: &["b"],
            matched: &[1],
        },
        Case {
            label: "a disabled rule is skipped",
            rules: vec![off(rule("delivery", delivery(), vec![dep("Logistics")])), rule("billing", billing(), vec![dep("PR")])],
            department: Some("PR"),
            priority: None,
            tags: &[],
            send_to: &[],
            matched: &[1],
        },
        Case {
            label: "conditions see the capture as it arrived, not earlier rules' priority",
            rules: vec![
                rule("raise", delivery(), vec![prio(Priority::Urgent)]),
                rule("urgent only", Condition::Priority { is: Priority::Urgent }, vec![tags(&["never"])]),
                rule("normal", Condition::Priority { is: Priority::Normal }, vec![tags(&["seen-normal"])]),
            ],
            department: None,
            priority: Some(Priority::Urgent),
            tags: &["seen-normal"],
            send_to: &[],
            matched: &[0, 2],
        },
        Case {
            label: "a department in Spanish is stored as the team's id",
            rules: vec![rule("es", delivery(), vec![dep("Logística")])],
            department: Some("Logistics"),
            priority: None,
            tags: &[],
            send_to: &[],
            matched: &[0],
        },
    ];
    for case in cases {
        let out = evaluate(&case.rules, (&c, &negative));
        assert_eq!(out.department.as_deref(), case.department, "{}", case.label);
        assert_eq!(out.priority, case.priority, "{}", case.label);
        assert_eq!(out.tags, case.tags, "{}", case.label);
        assert_eq!(out.send_to, case.send_to, "{}", case.label);
        assert_eq!(out.matched.iter().map(|m| m.index).collect::<Vec<_>>(), case.matched, "{}", case.label);
    }
}

/// Each matched rule carries only what it won, and becomes one edit by "rule <name>".
#[test]
fn each_rule_keeps_what_it_decided() {
    let c = ctx("El paquete no llegó y la factura está mal");
    let rules = [
        rule("Delivery", words(&["paquete"]), vec![dep("Logistics"), tags(&["delivery"])]),
        rule("Billing", words(&["factura"]), vec![dep("PR"), tags(&["delivery", "billing"])]),
        rule("Also", words(&["factura"]), vec![dep("PR")]),
    ];
    let out = evaluate(&rules, (&c, &Tags::default()));
    assert_eq!(out.matched.len(), 3);
    assert_eq!(out.matched[0].department.as_deref(), Some("Logistics"));
    assert_eq!(out.matched[1].department, None);
    assert_eq!(out.matched[1].tags, ["billing"]);
    let edits = out.edits();
    // "Also" matched but won nothing: no edit.
    assert_eq!(edits.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(), ["rule Delivery", "rule Billing"]);
    assert_eq!(edits[0].1.department, Some(Some("Logistics".into())));
    assert_eq!(edits[1].1.add_tags, ["billing"]);
}

#[test]
fn rules_read_from_json_with_defaults() {
    let json = r#"[{"name":"Delivery","when":{"kind":"all","of":[{"kind":"words","words":["entrega"]},{"kind":"sentiment","is":"negative"}]},
        "then":[{"kind":"setDepartment","name":"Logistics"},{"kind":"setPriority","priority":"high"},{"kind":"addTags","tags":["delivery"]},{"kind":"sendTo","destination":"logistics"}]}]"#;
    let rules: Vec<Rule> = serde_json::from_str(json).unwrap();
    assert!(rules[0].enabled && !rules[0].stop);
    let back: Vec<Rule> = serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
    assert_eq!(back, rules);
    // An unknown priority is refused when read, not guessed.
    assert!(serde_json::from_str::<Action>(r#"{"kind":"setPriority","priority":"asap"}"#).is_err());
    // A team document without rules reads as no rules.
    let doc: crate::team_config::TeamConfig = serde_json::from_str(r#"{"departments":["PR"]}"#).unwrap();
    assert!(doc.rules.is_empty());
}

#[test]
fn validation_table() {
    use RuleProblem as P;
    let departments: Vec<String> = ["Logistics", "PR"].iter().map(|s| s.to_string()).collect();
    let brands = BrandList::demo();
    let ok = || rule("Delivery", words(&["entrega"]), vec![dep("Logistics")]);
    let with = |f: &dyn Fn(&mut Rule)| {
        let mut r = ok();
        f(&mut r);
        r
    };
    let cases: Vec<(&str, Vec<Rule>, Vec<(usize, RuleProblem)>)> = vec![
        ("fine", vec![ok()], vec![]),
        ("department in another language", vec![with(&|r| r.then = vec![dep("Logística")])], vec![]),
        ("blank name", vec![with(&|r| r.name = "  ".into())], vec![(0, P::NameBlank)]),
        ("long name", vec![with(&|r| r.name = "x".repeat(81))], vec![(0, P::NameTooLong { chars: 81, max: MAX_NAME_CHARS })]),
        (
            "duplicate name, case-insensitive",
            vec![ok(), with(&|r| r.name = "delivery".into())],
            vec![(1, P::NameDuplicate { name: "delivery".into(), first: 0 })],
        ),
        ("no action", vec![with(&|r| r.then = vec![])], vec![(0, P::NoAction)]),
        ("empty all", vec![with(&|r| r.when = Condition::All { of: vec![] })], vec![(0, P::ConditionEmpty)]),
        ("empty words", vec![with(&|r| r.when = words(&[]))], vec![(0, P::ConditionEmpty)]),
        ("blank word", vec![with(&|r| r.when = words(&["ok", " \u{200B} "]))], vec![(0, P::WordInvalid { word: "\u{200B}".into() })]),
        ("a word twice is harmless", vec![with(&|r| r.when = words(&["Entrega", "entrega"]))], vec![]),
        (
            "too many words",
            vec![with(&|r| r.when = Condition::Words { words: (0..101).map(|i| format!("w{i}")).collect() })],
            vec![(0, P::TooManyWords { count: 101, max: MAX_WORDS })],
        ),
        (
            "unknown department",
            vec![with(&|r| r.then = vec![dep("Sales")])],
            vec![(0, P::DepartmentUnknown { department: "Sales".into() })],
        ),
        (
            "unknown brand",
            vec![with(&|r| r.when = Condition::Brand { name: "Nokia".into() })],
            vec![(0, P::BrandUnknown { brand: "Nokia".into() })],
        ),
        ("known brand, folded", vec![with(&|r| r.when = Condition::Brand { name: "telefonica".into() })], vec![]),
        (
            "bad site",
            vec![with(&|r| r.when = Condition::Site { rule: "http://".into() })],
            vec![(0, P::SiteInvalid { site: "http://".into() })],
        ),
        (
            "bad language",
            vec![with(&|r| r.when = Condition::Language { code: "spanish!".into() })],
            vec![(0, P::LanguageInvalid { code: "spanish!".into() })],
        ),
        ("blank author", vec![with(&|r| r.when = Condition::Author { name: "@".into() })], vec![(0, P::AuthorBlank)]),
        ("blank term", vec![with(&|r| r.when = Condition::Term { text: " ".into() })], vec![(0, P::TermBlank)]),
        ("blank tag", vec![with(&|r| r.then = vec![tags(&["ok", ""])])], vec![(0, P::TagInvalid { tag: "".into(), max: 60 })]),
        ("blank destination", vec![with(&|r| r.then = vec![send(" ")])], vec![(0, P::DestinationBlank)]),
        ("blank assignee", vec![with(&|r| r.then = vec![Action::SetAssignee { member: "".into() }])], vec![(0, P::AssigneeBlank)]),
        (
            "too deep",
            vec![with(&|r| {
                let mut c = words(&["x"]);
                for _ in 0..5 {
                    c = Condition::Not { of: Box::new(c) };
                }
                r.when = c;
            })],
            vec![(0, P::ConditionTooDeep { max: MAX_CONDITION_DEPTH })],
        ),
        (
            "every problem at once",
            vec![with(&|r| {
                r.name = "".into();
                r.when = Condition::Any { of: vec![] };
                r.then = vec![];
            })],
            vec![(0, P::NameBlank), (0, P::ConditionEmpty), (0, P::NoAction)],
        ),
    ];
    for (label, rules, want) in cases {
        let got: Vec<(usize, RuleProblem)> = validate(&rules, &departments, &brands).into_iter().map(|e| (e.rule, e.problem)).collect();
        assert_eq!(got, want, "{label}");
    }
    let many: Vec<Rule> = (0..MAX_RULES + 1).map(|i| with(&|r| r.name = format!("r{i}"))).collect();
    let errs = validate(&many, &departments, &brands);
    assert_eq!(errs.iter().map(|e| &e.problem).collect::<Vec<_>>(), [&P::TooManyRules { count: 201, max: MAX_RULES }]);
}

/// The team configuration's one validation reports rule problems too, worded
/// in both languages with the rule's number.
#[test]
fn team_validation_includes_rules_and_words_them() {
    use crate::dashboard::config_editor::problem_text;
    use crate::dashboard::i18n::Lang;
    use crate::team_config::{validate as validate_team, ConfigError, TeamConfig};
    let config = TeamConfig {
        departments: vec!["Logistics".into()],
        rules: vec![rule("Ok", words(&["entrega"]), vec![dep("Logistics")]), rule("Bad", words(&["x"]), vec![dep("Ventas")])],
        ..TeamConfig::default()
    };
    let errs = validate_team(&config).unwrap_err();
    assert_eq!(
        errs,
        [ConfigError::Rule { error: RuleError { rule: 1, problem: RuleProblem::DepartmentUnknown { department: "Ventas".into() } } }]
    );
    assert_eq!(problem_text(Lang::En, &errs[0], Some(&config)), "Rule 2: there is no department “Ventas”.");
    assert_eq!(problem_text(Lang::Es, &errs[0], Some(&config)), "Regla 2: no hay ningún departamento «Ventas».");
    for p in [
        RuleProblem::NameBlank,
        RuleProblem::TooManyRules { count: 3, max: 2 },
        RuleProblem::NameDuplicate { name: "a".into(), first: 0 },
        RuleProblem::TagInvalid { tag: "t".into(), max: 60 },
    ] {
        let e = ConfigError::Rule { error: RuleError { rule: 0, problem: p } };
        for lang in Lang::ALL {
            let text = problem_text(lang, &e, None);
            assert!(!text.contains('$') && text.len() > 10, "{lang:?}: {text}");
        }
        assert!(!e.english().is_empty());
    }
}
