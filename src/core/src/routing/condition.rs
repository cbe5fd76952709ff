//! Conditions, compiled once per rule list: each `Words` condition becomes
//! the highlighter's own [`Matcher`] over a one-group brand list, so words
//! fold and respect word boundaries exactly as highlighting does.

use super::{apply_actions, Condition, Facts, Outcome, Rule};
use crate::brands::{BrandGroup, BrandKind, BrandList, Term, BRAND_LIST_VERSION, DEFAULT_COLOR};
use crate::matching::normalize::{strict_folded, Fold};
use crate::matching::Matcher;
use crate::sites::{SiteDecision, SiteRules};

/// A condition ready to test.
#[derive(Debug)]
enum Test {
    Brand(String),
    Term(String),
    Site(SiteRules),
    Language(String),
    Sentiment(crate::log::Sentiment),
    Priority(crate::log::Priority),
    Author {
        name: String,
        url: String,
    },
    /// `None`: the words do not make a valid list (validation says why);
    /// such a condition never holds: a wrong route is worse than none.
    Words(Option<Matcher>),
    All(Vec<Test>),
    Any(Vec<Test>),
    Not(Box<Test>),
}

/// A rule list ready to evaluate many captures.
#[derive(Debug)]
pub struct Compiled<'r> {
    rules: Vec<(&'r Rule, Test)>,
}

/// Folded the way highlighting folds a default term (case and accents off).
fn folded(s: &str) -> String {
    strict_folded(s.trim(), Fold::LENIENT)
}

/// A handle without its `@`, folded.
fn handle(s: &str) -> String {
    folded(s.trim().trim_start_matches('@'))
}

/// The brand list a word condition is matched with: one group, default terms.
pub(super) fn words_list(words: &[String]) -> BrandList {
    BrandList {
        version: BRAND_LIST_VERSION,
        groups: vec![BrandGroup {
            id: "words".into(),
            name: "words".into(),
            kind: BrandKind::Own,
            color: DEFAULT_COLOR.into(),
            enabled: true,
            terms: words.iter().map(|w| Term::new(w.trim())).collect(),
            exclusions: vec![],
        }],
    }
}

fn compile(c: &Condition) -> Test {
    match c {
        Condition::Brand { name } => Test::Brand(folded(name)),
        Condition::Term { text } => Test::Term(folded(text)),
        Condition::Site { rule } => Test::Site(SiteRules { deny: vec![rule.trim().to_string()], disabled_sites: vec![] }),
        Condition::Language { code } => Test::Language(code.trim().to_ascii_lowercase().replace('_', "-")),
        Condition::Sentiment { is } => Test::Sentiment(*is),
        Condition::Priority { is } => Test::Priority(*is),
        Condition::Author { name } => Test::Author { name: handle(name), url: name.trim().to_string() },
        Condition::Words { words } => Test::Words(if words.is_empty() { None } else { Matcher::new(&words_list(words)).ok() }),
        Condition::All { of } => Test::All(of.iter().map(compile).collect()),
        Condition::Any { of } => Test::Any(of.iter().map(compile).collect()),
        Condition::Not { of } => Test::Not(Box::new(compile(of))),
    }
}

impl Test {
    fn holds(&self, f: &Facts<'_>) -> bool {
        let ctx = f.context;
        match self {
            Test::Brand(name) => !name.is_empty() && folded(&ctx.brand) == *name,
            Test::Term(text) => !text.is_empty() && folded(&ctx.term) == *text,
            Test::Site(rules) => matches!(rules.allows(&ctx.page_url), SiteDecision::Denied { .. }),
            Test::Language(code) => {
                let Some(lang) = ctx.lang.as_deref() else { return false };
                let lang = lang.trim().to_ascii_lowercase().replace('_', "-");
                !code.is_empty() && (lang == *code || lang.strip_prefix(code.as_str()).is_some_and(|rest| rest.starts_with('-')))
            }
            Test::Sentiment(s) => f.sentiment == *s,
            Test::Priority(p) => f.priority == *p,
            Test::Author { name, url } => {
                let by_name = !name.is_empty() && ctx.author_name.as_deref().is_some_and(|a| handle(a) == *name);
                let by_url = !url.is_empty() && ctx.author_url.as_deref().is_some_and(|u| u.trim() == url);
                by_name || by_url
            }
            Test::Words(m) => m.as_ref().is_some_and(|m| !m.find(&ctx.comment_text).is_empty()),
            // An empty `All` would hold for everything: validation refuses
            // it, and it never holds here.
            Test::All(of) => !of.is_empty() && of.iter().all(|t| t.holds(f)),
            Test::Any(of) => of.iter().any(|t| t.holds(f)),
            Test::Not(t) => !t.holds(f),
        }
    }
}

impl<'r> Compiled<'r> {
    pub fn new(rules: &'r [Rule]) -> Compiled<'r> {
        Compiled { rules: rules.iter().map(|r| (r, compile(&r.when))).collect() }
    }

    /// The outcome for one capture (see the module's semantics).
    pub fn evaluate<'a>(&self, capture: impl Into<Facts<'a>>) -> Outcome {
        let facts = capture.into();
        let mut out = Outcome::default();
        for (index, (rule, test)) in self.rules.iter().enumerate() {
            if !rule.enabled || !test.holds(&facts) {
                continue;
            }
            apply_actions(&mut out, index, rule);
            if rule.stop {
                break;
            }
        }
        out
    }
}
