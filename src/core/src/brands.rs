//! The brand list: groups of terms to highlight, their JSON form and validation.
//!
//! JSON is camelCase and forgiving on import: every field but a term's `text`
//! has a default, so this is a complete list:
//!
//! ```
//! use escucha_core::brands::BrandList;
//! let list = BrandList::from_json(r##"{"groups":[{"name":"Acme","color":"#f90","terms":[{"text":"Acme"}]}]}"##).unwrap();
//! assert_eq!(list.groups[0].id, "acme");
//! assert!(list.groups[0].terms[0].options.whole_word);
//! ```
//!
//! Defaults: `version` 1, `kind` "own", `color` "#ffd54f", `enabled` true,
//! `exclusions` empty, term options case- and diacritic-insensitive,
//! whole-word, not a regex. A missing `id` is derived from the name
//! ("Telefónica" → "telefonica", made unique with "-2", "-3" …).
//!
//! Validation ([`BrandList::validate`]) reports every problem at once, each with
//! a path like `groups[2].terms[0]`, a stable [`BrandErrorCode`] (for localized
//! UI messages) and an English sentence naming the term.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::matching::normalize::{fold_term, strict_folded, Fold};
use crate::matching::regex_term::{self, RegexProblem, MAX_REGEX_CHARS, REGEX_SIZE_LIMIT};

/// The brand-list format this build reads and writes.
pub const BRAND_LIST_VERSION: u32 = 1;

/// Most terms (literal and regex) plus exclusions a list may hold, across all
/// groups. 20,000 is four times the 5,000 a large agency list needs: the
/// automaton for 20,000 terms still builds in well under a second natively
/// and a few MB of memory, while an unbounded list pasted by mistake (a
/// dictionary, a CSV of posts) would freeze the page being scanned and bloat
/// storage sync.
pub const MAX_TERMS: usize = 20_000;

/// Longest literal term, in characters. Brand and product names are short;
/// 200 also fits long slogans.
pub const MAX_TERM_CHARS: usize = 200;

/// Most regex terms in a list. Each one is its own linear-time scan of the
/// page at roughly 25 ns per byte (about 2.5 ms per 100 KB of text natively),
/// while all literal terms together share one scan at about 2.5 ns per byte.
pub const MAX_REGEX_TERMS: usize = 20;

/// Default highlight colour for groups imported without one.
pub const DEFAULT_COLOR: &str = "#ffd54f";

/// A whole brand list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "BrandListWire")]
pub struct BrandList {
    /// Format version, [`BRAND_LIST_VERSION`].
    pub version: u32,
    pub groups: Vec<BrandGroup>,
}

/// A named group of terms highlighted in one colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandGroup {
    /// Stable identifier; derived from the name when missing.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: BrandKind,
    /// `#rgb` or `#rrggbb`.
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default = "default_true")]
    pub enabled: bool,
    #[serde(default)]
    pub terms: Vec<Term>,
    /// Phrases inside which this group's mentions are not highlighted
    /// ("Orange County" for "Orange"). Matched like default terms.
    #[serde(default)]
    pub exclusions: Vec<String>,
}

/// Whose brand a group is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrandKind {
    #[default]
    Own,
    Product,
    Competitor,
}

/// One thing to look for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Term {
    pub text: String,
    #[serde(default)]
    pub options: TermOptions,
}

/// Per-term overrides of the matching defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TermOptions {
    /// "ONCE" does not match "once". Default false.
    pub case_sensitive: bool,
    /// "Niño" does not match "Nino". Default false.
    pub diacritic_sensitive: bool,
    /// "Zara" does not match inside "Zaragoza". Default true.
    pub whole_word: bool,
    /// `text` is a regular expression (see `matching::regex_term`). Default false.
    pub regex: bool,
}

impl Default for TermOptions {
    fn default() -> Self {
        TermOptions { case_sensitive: false, diacritic_sensitive: false, whole_word: true, regex: false }
    }
}

impl Term {
    /// A term with default options.
    pub fn new(text: impl Into<String>) -> Term {
        Term { text: text.into(), options: TermOptions::default() }
    }
}

fn default_color() -> String {
    DEFAULT_COLOR.to_string()
}
fn default_true() -> bool {
    true
}

/// What JSON deserializes into before ids are filled in.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrandListWire {
    #[serde(default = "default_version")]
    version: u32,
    #[serde(default)]
    groups: Vec<BrandGroup>,
}
fn default_version() -> u32 {
    BRAND_LIST_VERSION
}

impl From<BrandListWire> for BrandList {
    fn from(w: BrandListWire) -> Self {
        let mut list = BrandList { version: w.version, groups: w.groups };
        list.fill_missing_ids();
        list
    }
}

impl BrandList {
    /// No groups: what a fresh install starts with (see `first_run`).
    pub fn empty() -> BrandList {
        BrandList { version: BRAND_LIST_VERSION, groups: Vec::new() }
    }

    /// The demo list (Telefónica, Orange, ACME) the welcome page offers with one click.
    pub fn demo() -> BrandList {
        BrandList::default()
    }
}

impl Default for BrandList {
    /// The demo list; settings start from [`BrandList::empty`] instead.
    fn default() -> Self {
        let group = |id: &str, name: &str, kind, color: &str, terms: &[&str], exclusions: &[&str]| BrandGroup {
            id: id.into(),
            name: name.into(),
            kind,
            color: color.into(),
            enabled: true,
            terms: terms.iter().map(|t| Term::new(*t)).collect(),
            exclusions: exclusions.iter().map(|x| x.to_string()).collect(),
        };
        BrandList {
            version: BRAND_LIST_VERSION,
            groups: vec![
                group("telefonica", "Telefónica", BrandKind::Own, "#80d8ff", &["Telefónica", "Movistar"], &[]),
                group("orange", "Orange", BrandKind::Competitor, "#ffb74d", &["Orange"], &["Orange County"]),
                group("acme", "ACME", BrandKind::Product, "#b9f6ca", &["ACME Corp", "Acme"], &[]),
            ],
        }
    }
}

/// Stable machine-readable reason, for localized messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrandErrorCode {
    MalformedJson,
    UnsupportedVersion,
    EmptyGroupName,
    DuplicateGroupId,
    InvalidColor,
    EmptyTerm,
    TermTooLong,
    DuplicateTerm,
    TooManyTerms,
    TooManyRegexes,
    InvalidRegex,
    RegexTooBig,
    RegexMatchesEmpty,
    EmptyExclusion,
}

impl BrandErrorCode {
    /// The snake_case code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BrandErrorCode::MalformedJson => "malformed_json",
            BrandErrorCode::UnsupportedVersion => "unsupported_version",
            BrandErrorCode::EmptyGroupName => "empty_group_name",
            BrandErrorCode::DuplicateGroupId => "duplicate_group_id",
            BrandErrorCode::InvalidColor => "invalid_color",
            BrandErrorCode::EmptyTerm => "empty_term",
            BrandErrorCode::TermTooLong => "term_too_long",
            BrandErrorCode::DuplicateTerm => "duplicate_term",
            BrandErrorCode::TooManyTerms => "too_many_terms",
            BrandErrorCode::TooManyRegexes => "too_many_regexes",
            BrandErrorCode::InvalidRegex => "invalid_regex",
            BrandErrorCode::RegexTooBig => "regex_too_big",
            BrandErrorCode::RegexMatchesEmpty => "regex_matches_empty",
            BrandErrorCode::EmptyExclusion => "empty_exclusion",
        }
    }
}

/// One problem with a brand list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BrandError {
    /// Where: "" (the whole document), "version", "groups", "groups[2].color",
    /// "groups[2].terms[0]", "groups[1].exclusions[0]".
    pub path: String,
    pub code: BrandErrorCode,
    /// A plain English sentence naming the group and term.
    pub message: String,
    /// For `malformed_json`: 1-based position of the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// What the words need beyond `path` and `code` (the UI reads this, never `message`).
    #[serde(default, skip_serializing_if = "BrandDetail::is_none")]
    pub detail: BrandDetail,
}

/// The data a brand error's sentence needs, so that the UI picks the words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BrandDetail {
    #[default]
    None,
    /// `malformed_json`: what kind of problem, and the parser's own words
    /// (English, shown only as a quoted technical detail).
    Json { problem: JsonProblem, technical: String },
    /// `duplicate_term`: where the first occurrence is.
    FirstAt { group: usize, term: usize },
    /// `invalid_regex`: what is wrong, and the engine's own words (a quoted technical detail).
    Regex { problem: RegexSyntax, technical: String },
}

impl BrandDetail {
    fn is_none(&self) -> bool {
        *self == BrandDetail::None
    }
}

/// Why a brand list file did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonProblem {
    /// The text ends in the middle of a value.
    CutOff,
    /// Not JSON at that point.
    Syntax,
    /// JSON, but a value of the wrong kind for a brand list.
    WrongKind,
    /// The text could not be read at all.
    Unreadable,
}

/// What kind of mistake an invalid regular expression has, sorted from the
/// regex engine's error (its words stay a technical detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegexSyntax {
    /// A "(" without its ")".
    UnclosedGroup,
    /// A ")" without its "(".
    UnopenedGroup,
    /// A "[" without its "]".
    UnclosedClass,
    /// A "*", "+", "?" or "{…}" with nothing to repeat, or a bad count.
    BadRepetition,
    /// An unknown escape like "\q".
    BadEscape,
    /// Look-around or backreferences, which the engine does not have.
    Unsupported,
    /// Too deeply nested.
    TooNested,
    /// Anything else.
    Other,
}

impl RegexSyntax {
    /// Sort regex-lite's message (its texts are constants in its parser).
    pub fn classify(engine_message: &str) -> RegexSyntax {
        let m = engine_message.to_ascii_lowercase();
        if m.contains("without closing ')'") || m.contains("unclosed group") || m.contains("open group") {
            RegexSyntax::UnclosedGroup
        } else if m.contains("without matching '('") {
            RegexSyntax::UnopenedGroup
        } else if m.contains("character class") || m.contains("unclosed class") {
            RegexSyntax::UnclosedClass
        } else if m.contains("repetition") || m.contains("decimal") {
            RegexSyntax::BadRepetition
        } else if m.contains("escape") || m.contains("hexadecimal") {
            RegexSyntax::BadEscape
        } else if m.contains("not supported") {
            RegexSyntax::Unsupported
        } else if m.contains("nesting") {
            RegexSyntax::TooNested
        } else {
            RegexSyntax::Other
        }
    }
}

impl BrandError {
    pub fn new(path: String, code: BrandErrorCode, message: String) -> BrandError {
        BrandError { path, code, message, line: None, column: None, detail: BrandDetail::None }
    }

    pub fn with(mut self, detail: BrandDetail) -> BrandError {
        self.detail = detail;
        self
    }
}

impl fmt::Display for BrandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every problem found, in document order. Derefs to a slice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BrandErrors(pub Vec<BrandError>);

impl std::ops::Deref for BrandErrors {
    type Target = [BrandError];
    fn deref(&self) -> &[BrandError] {
        &self.0
    }
}

impl IntoIterator for BrandErrors {
    type Item = BrandError;
    type IntoIter = std::vec::IntoIter<BrandError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a BrandErrors {
    type Item = &'a BrandError;
    type IntoIter = std::slice::Iter<'a, BrandError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for BrandErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for BrandErrors {}

/// A short quoted form of user text for messages.
fn quote(s: &str) -> String {
    let s = s.trim();
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    format!("\"{q}\"")
}

fn is_hex_color(c: &str) -> bool {
    let Some(hex) = c.strip_prefix('#') else {
        return false;
    };
    (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A stable id from a group name: folded, ASCII letters/digits, dashes.
fn slug(name: &str) -> String {
    let folded = fold_term(name, Fold::LENIENT);
    let mut out = String::new();
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            out.push(c);
            dash = false;
        } else {
            dash = true;
        }
        if out.len() >= 40 {
            break;
        }
    }
    out
}

impl BrandList {
    /// Parse (import) a brand list. Malformed JSON gives one `malformed_json`
    /// error with line and column; otherwise the list is validated and every
    /// problem is returned.
    pub fn from_json(json: &str) -> Result<BrandList, BrandErrors> {
        let list = BrandList::parse_json(json)?;
        list.validate()?;
        Ok(list)
    }

    /// Read a brand list without validating it: `from_json`'s one
    /// `malformed_json` error, or the list as written (the dashboard's editor
    /// reads it so, and leaves validating to the server's one validation).
    pub fn parse_json(json: &str) -> Result<BrandList, BrandErrors> {
        serde_json::from_str(json).map_err(|e| {
            use serde_json::error::Category;
            let (line, column) = (e.line() as u32, e.column() as u32);
            let detail = e.to_string();
            let detail = match detail.rfind(" at line ") {
                Some(i) => detail[..i].to_string(),
                None => detail,
            };
            let problem = match e.classify() {
                Category::Eof => JsonProblem::CutOff,
                Category::Syntax => JsonProblem::Syntax,
                Category::Data => JsonProblem::WrongKind,
                Category::Io => JsonProblem::Unreadable,
            };
            let what = match e.classify() {
                Category::Eof => "The brand list file ends too early; it looks cut off".to_string(),
                Category::Syntax => format!("The brand list file is not valid JSON ({detail})"),
                Category::Data => {
                    format!("The brand list file has a value of the wrong kind ({detail})")
                }
                Category::Io => format!("The brand list file could not be read ({detail})"),
            };
            BrandErrors(vec![BrandError {
                path: String::new(),
                code: BrandErrorCode::MalformedJson,
                message: format!("{what} at line {line}, column {column}."),
                line: Some(line),
                column: Some(column),
                detail: BrandDetail::Json { problem, technical: detail },
            }])
        })
    }

    /// Export as pretty-printed JSON (what [`from_json`](BrandList::from_json) reads).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a brand list always serializes")
    }

    /// Give every group without an id one derived from its name, unique in the list.
    pub fn fill_missing_ids(&mut self) {
        let mut taken: std::collections::HashSet<String> = self.groups.iter().filter(|g| !g.id.is_empty()).map(|g| g.id.clone()).collect();
        for (i, g) in self.groups.iter_mut().enumerate() {
            if !g.id.is_empty() {
                continue;
            }
            let mut base = slug(&g.name);
            if base.is_empty() {
                base = format!("group-{}", i + 1);
            }
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(id.clone());
            g.id = id;
        }
    }

    /// Check every rule; never changes the list. All problems are reported.
    pub fn validate(&self) -> Result<(), BrandErrors> {
        let mut errs = Vec::new();
        // The data for the next error's words, if it needs more than path and code.
        let detail = std::cell::Cell::new(BrandDetail::None);
        let mut push = |path: String, code, message: String| errs.push(BrandError::new(path, code, message).with(detail.take()));

        if self.version > BRAND_LIST_VERSION {
            push(
                "version".into(),
                BrandErrorCode::UnsupportedVersion,
                format!(
                    "This brand list uses format {}, which is newer than this Escucha reads ({}). Update Escucha to import it.",
                    self.version, BRAND_LIST_VERSION
                ),
            );
        }

        let total: usize = self.groups.iter().map(|g| g.terms.len() + g.exclusions.len()).sum();
        if total > MAX_TERMS {
            push(
                "groups".into(),
                BrandErrorCode::TooManyTerms,
                format!("The brand list has {total} terms and exclusions; the limit is {MAX_TERMS}. Remove some, or split the list."),
            );
        }
        let regexes = self.groups.iter().flat_map(|g| &g.terms).filter(|t| t.options.regex).count();
        if regexes > MAX_REGEX_TERMS {
            push(
                "groups".into(),
                BrandErrorCode::TooManyRegexes,
                format!("The brand list has {regexes} regular-expression terms; the limit is {MAX_REGEX_TERMS}."),
            );
        }

        let mut ids: HashMap<&str, usize> = HashMap::new();
        // Folded term (with a kind prefix) → (group index, term index).
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        for (gi, g) in self.groups.iter().enumerate() {
            let gname = if g.name.trim().is_empty() { format!("number {}", gi + 1) } else { quote(&g.name) };
            if g.name.trim().is_empty() {
                push(format!("groups[{gi}].name"), BrandErrorCode::EmptyGroupName, format!("Group {} has no name.", gi + 1));
            }
            if !g.id.is_empty() {
                if let Some(&other) = ids.get(g.id.as_str()) {
                    push(
                        format!("groups[{gi}].id"),
                        BrandErrorCode::DuplicateGroupId,
                        format!("Group {gname} has the id {}, already used by group {}.", quote(&g.id), quote(&self.groups[other].name)),
                    );
                } else {
                    ids.insert(&g.id, gi);
                }
            }
            if !is_hex_color(g.color.trim()) {
                push(
                    format!("groups[{gi}].color"),
                    BrandErrorCode::InvalidColor,
                    format!("Group {gname} has the colour {}; use a hex colour like #f90 or #ff9900.", quote(&g.color)),
                );
            }
            for (ti, t) in g.terms.iter().enumerate() {
                let path = format!("groups[{gi}].terms[{ti}]");
                let o = t.options;
                let chars = t.text.chars().count();
                let limit = if o.regex { MAX_REGEX_CHARS } else { MAX_TERM_CHARS };
                if chars > limit {
                    push(
                        path,
                        BrandErrorCode::TermTooLong,
                        format!("The term {} in group {gname} is {chars} characters long; the limit is {limit}.", quote(&t.text)),
                    );
                    continue;
                }
                let fold = Fold::for_options(o.case_sensitive, o.diacritic_sensitive);
                let key = if o.regex {
                    if t.text.trim().is_empty() {
                        push(path, BrandErrorCode::EmptyTerm, format!("A pattern in group {gname} is empty."));
                        continue;
                    }
                    match regex_term::compile(&t.text, fold) {
                        Ok(_) => {}
                        Err(RegexProblem::Invalid(why)) => {
                            detail.set(BrandDetail::Regex { problem: RegexSyntax::classify(&why), technical: why.clone() });
                            push(
                                path,
                                BrandErrorCode::InvalidRegex,
                                format!("The pattern {} in group {gname} is not a valid regular expression: {why}.", quote(&t.text)),
                            );
                            continue;
                        }
                        Err(RegexProblem::TooBig) => {
                            push(
                                path,
                                BrandErrorCode::RegexTooBig,
                                format!(
                                    "The pattern {} in group {gname} is too complex (over {} KiB compiled); simplify its repetitions.",
                                    quote(&t.text),
                                    REGEX_SIZE_LIMIT / 1024
                                ),
                            );
                            continue;
                        }
                        Err(RegexProblem::MatchesEmpty) => {
                            push(
                                path,
                                BrandErrorCode::RegexMatchesEmpty,
                                format!(
                                    "The pattern {} in group {gname} can match empty text; make it require at least one character.",
                                    quote(&t.text)
                                ),
                            );
                            continue;
                        }
                    }
                    format!("re:{}", t.text.trim())
                } else {
                    if fold_term(&t.text, Fold::LENIENT).is_empty() {
                        push(
                            path,
                            BrandErrorCode::EmptyTerm,
                            format!("A term in group {gname} is empty or has only spaces or invisible characters."),
                        );
                        continue;
                    }
                    format!("lit:{}", strict_folded(&t.text, fold))
                };
                if let Some(&(og, ot)) = seen.get(&key) {
                    let other = &self.groups[og];
                    detail.set(BrandDetail::FirstAt { group: og, term: ot });
                    push(
                        path,
                        BrandErrorCode::DuplicateTerm,
                        format!(
                            "The term {} in group {gname} repeats {} in group {} (groups[{og}].terms[{ot}]).",
                            quote(&t.text),
                            quote(&other.terms[ot].text),
                            quote(&other.name)
                        ),
                    );
                } else {
                    seen.insert(key, (gi, ti));
                }
            }
            for (xi, x) in g.exclusions.iter().enumerate() {
                let path = format!("groups[{gi}].exclusions[{xi}]");
                let chars = x.chars().count();
                if chars > MAX_TERM_CHARS {
                    push(
                        path,
                        BrandErrorCode::TermTooLong,
                        format!("The exclusion {} in group {gname} is {chars} characters long; the limit is {MAX_TERM_CHARS}.", quote(x)),
                    );
                } else if fold_term(x, Fold::LENIENT).is_empty() {
                    push(path, BrandErrorCode::EmptyExclusion, format!("An exclusion in group {gname} is empty."));
                }
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(BrandErrors(errs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<(), BrandErrors>) -> Vec<(String, BrandErrorCode)> {
        r.err().map(|e| e.0.into_iter().map(|e| (e.path, e.code)).collect()).unwrap_or_default()
    }

    fn one_group(terms: Vec<Term>) -> BrandList {
        BrandList {
            version: 1,
            groups: vec![BrandGroup {
                id: "g".into(),
                name: "G".into(),
                kind: BrandKind::Own,
                color: "#abc".into(),
                enabled: true,
                terms,
                exclusions: vec![],
            }],
        }
    }

    fn re(text: &str) -> Term {
        Term { text: text.into(), options: TermOptions { regex: true, ..Default::default() } }
    }

    #[test]
    fn minimal_json_imports_with_defaults() {
        let l = BrandList::from_json(r##"{"groups":[{"name":"Acme","color":"#f90","terms":[{"text":"Acme"}]}]}"##).unwrap();
        assert_eq!(l.version, 1);
        let g = &l.groups[0];
        assert_eq!((g.id.as_str(), g.kind, g.enabled), ("acme", BrandKind::Own, true));
        assert!(g.exclusions.is_empty());
        assert_eq!(g.terms[0].options, TermOptions::default());
        assert!(g.terms[0].options.whole_word && !g.terms[0].options.regex);
    }

    #[test]
    fn ids_are_derived_stable_and_unique() {
        let l = BrandList::from_json(
            r##"{"groups":[{"name":"Telefónica España","color":"#f90"},{"name":"telefonica  españa!","color":"#f90"},{"name":"   ","id":"","color":"#f90"},{"id":"x","name":"X","color":"#f90"}]}"##,
        );
        // The third group has no name: an error, but ids were still filled.
        let errs = l.unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, BrandErrorCode::EmptyGroupName);
        let l: BrandList = serde_json::from_str(
            r##"{"groups":[{"name":"Telefónica España","color":"#f90"},{"name":"telefonica  españa!","color":"#f90"},{"name":"","color":"#f90"}]}"##,
        )
        .unwrap();
        let ids: Vec<&str> = l.groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["telefonica-espana", "telefonica-espana-2", "group-3"]);
    }

    #[test]
    fn round_trip_and_default_list() {
        let d = BrandList::default();
        d.validate().unwrap();
        assert_eq!(d.groups.len(), 3);
        assert_eq!(d.groups[1].exclusions, ["Orange County"]);
        let json = d.to_json_pretty();
        assert!(json.contains("\"caseSensitive\": false") && json.contains("\"kind\": \"competitor\""), "{json}");
        assert_eq!(BrandList::from_json(&json).unwrap(), d);
    }

    #[test]
    fn malformed_json_has_line_and_column() {
        let errs = BrandList::from_json("{\n  \"groups\": [\n    {\"name\": \"A\",, }\n  ]\n}").unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert_eq!(e.code, BrandErrorCode::MalformedJson);
        assert_eq!((e.line, e.column), (Some(3), Some(18)));
        assert!(e.message.contains("line 3, column 18") && e.message.contains("not valid JSON"), "{}", e.message);
        let e = &BrandList::from_json("{\"groups\": [").unwrap_err()[0];
        assert!(e.message.contains("ends too early"), "{}", e.message);
        let e = &BrandList::from_json(r#"{"groups": [{"name": "A", "enabled": "yes"}]}"#).unwrap_err()[0];
        assert_eq!(e.code, BrandErrorCode::MalformedJson);
        assert!(e.message.contains("wrong kind"), "{}", e.message);
    }

    #[test]
    fn error_codes_serialize_snake_case() {
        let e = BrandError::new("groups[0].terms[1]".into(), BrandErrorCode::RegexMatchesEmpty, "m".into());
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"path":"groups[0].terms[1]","code":"regex_matches_empty","message":"m"}"#);
        for code in [BrandErrorCode::EmptyTerm, BrandErrorCode::TooManyTerms, BrandErrorCode::MalformedJson] {
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn validation_table() {
        let t = Term::new;
        let cs = |s: &str| Term { text: s.into(), options: TermOptions { case_sensitive: true, ..Default::default() } };
        type Row = (Vec<Term>, Vec<(&'static str, BrandErrorCode)>);
        let cases: Vec<Row> = vec![
            (vec![t("Acme")], vec![]),
            (vec![t("  ")], vec![("groups[0].terms[0]", BrandErrorCode::EmptyTerm)]),
            (vec![t("\u{AD}\u{200B}")], vec![("groups[0].terms[0]", BrandErrorCode::EmptyTerm)]),
            (vec![t("Acme"), t(" ACME ")], vec![("groups[0].terms[1]", BrandErrorCode::DuplicateTerm)]),
            (vec![t("Telefónica"), t("telefonica")], vec![("groups[0].terms[1]", BrandErrorCode::DuplicateTerm)]),
            (vec![t("El Corte Inglés"), t("el  corte\u{A0}ingles")], vec![("groups[0].terms[1]", BrandErrorCode::DuplicateTerm)]),
            // Different per-term normalizations are different terms.
            (vec![t("once"), cs("ONCE")], vec![]),
            (vec![t("once"), cs("once")], vec![("groups[0].terms[1]", BrandErrorCode::DuplicateTerm)]),
            (vec![t(&"x".repeat(MAX_TERM_CHARS + 1))], vec![("groups[0].terms[0]", BrandErrorCode::TermTooLong)]),
            (vec![t(&"x".repeat(MAX_TERM_CHARS))], vec![]),
            (vec![re("(a")], vec![("groups[0].terms[0]", BrandErrorCode::InvalidRegex)]),
            (vec![re("a*")], vec![("groups[0].terms[0]", BrandErrorCode::RegexMatchesEmpty)]),
            (vec![re(r"\w{100}{100}")], vec![("groups[0].terms[0]", BrandErrorCode::RegexTooBig)]),
            (vec![re("telef[oó]nica"), t("telefonica")], vec![]),
            (vec![re("acme"), re("acme")], vec![("groups[0].terms[1]", BrandErrorCode::DuplicateTerm)]),
        ];
        for (terms, want) in cases {
            let l = one_group(terms.clone());
            let got = codes(l.validate());
            let want: Vec<(String, BrandErrorCode)> = want.into_iter().map(|(p, c)| (p.to_string(), c)).collect();
            assert_eq!(got, want, "terms {terms:?}");
        }
    }

    #[test]
    fn duplicates_across_groups_name_both_places() {
        let mut l = BrandList::default();
        l.groups[2].terms.push(Term::new("MOVISTAR"));
        let errs = l.validate().unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].path, "groups[2].terms[2]");
        assert_eq!(errs[0].code, BrandErrorCode::DuplicateTerm);
        let m = &errs[0].message;
        assert!(
            m.contains("\"MOVISTAR\"") && m.contains("\"Movistar\"") && m.contains("groups[0].terms[1]") && m.contains("\"Telefónica\""),
            "{m}"
        );
    }

    #[test]
    fn group_level_rules() {
        let mut l = BrandList::default();
        for (color, ok) in
            [("#f90", true), ("#FF9900", true), ("#ff990", false), ("red", false), ("#ggg", false), ("", false), ("f90", false)]
        {
            l.groups[0].color = color.into();
            assert_eq!(l.validate().is_ok(), ok, "{color}");
        }
        l.groups[0].color = "#f90".into();
        l.groups[1].name = " ".into();
        l.groups[2].id = "telefonica".into();
        l.groups[2].exclusions.push("\u{200B}".into());
        l.version = 2;
        let got = codes(l.validate());
        assert_eq!(
            got,
            vec![
                ("version".to_string(), BrandErrorCode::UnsupportedVersion),
                ("groups[1].name".to_string(), BrandErrorCode::EmptyGroupName),
                ("groups[2].id".to_string(), BrandErrorCode::DuplicateGroupId),
                ("groups[2].exclusions[0]".to_string(), BrandErrorCode::EmptyExclusion),
            ]
        );
    }

    #[test]
    fn term_caps() {
        let mut l = one_group((0..MAX_TERMS).map(|i| Term::new(format!("marca{i}"))).collect());
        assert!(l.validate().is_ok());
        l.groups[0].terms.push(Term::new("una más"));
        assert_eq!(codes(l.validate()), vec![("groups".to_string(), BrandErrorCode::TooManyTerms)]);
        let l = one_group((0..=MAX_REGEX_TERMS).map(|i| re(&format!("marca{i}x+"))).collect());
        assert_eq!(codes(l.validate()), vec![("groups".to_string(), BrandErrorCode::TooManyRegexes)]);
    }

    #[test]
    fn validation_does_not_mutate() {
        let mut l = BrandList::default();
        l.groups[0].terms.push(Term::new(""));
        let before = l.clone();
        assert!(l.validate().is_err());
        assert_eq!(l, before);
    }

    /// The UI words errors from data: the parse problem, the first
    /// occurrence of a duplicate and the kind of regex mistake are fields.
    #[test]
    fn errors_carry_the_data_their_words_need() {
        let e = &BrandList::from_json(r#"{"version":1,"groups":["#).unwrap_err()[0];
        assert!(matches!(&e.detail, BrandDetail::Json { problem: JsonProblem::CutOff, .. }), "{e:?}");
        let e = &BrandList::from_json(r#"{"version":1,"groups":[{"name":3}]}"#).unwrap_err()[0];
        assert!(matches!(&e.detail, BrandDetail::Json { problem: JsonProblem::WrongKind, .. }), "{e:?}");
        let e = &BrandList::from_json("{oops").unwrap_err()[0];
        assert!(matches!(&e.detail, BrandDetail::Json { problem: JsonProblem::Syntax, .. }), "{e:?}");

        // Its own list: the default one may change (first-run brands).
        let two = r#"{"version":1,"groups":[{"name":"A","terms":[{"text":"x"},{"text":"Movistar"}]},{"name":"B","terms":[{"text":"MOVISTAR"}]}]}"#;
        let l: BrandList = serde_json::from_str(two).unwrap();
        let errs = l.validate().unwrap_err();
        assert_eq!(errs[0].detail, BrandDetail::FirstAt { group: 0, term: 1 });

        let re = |p: &str| {
            let mut l: BrandList = serde_json::from_str(two).unwrap();
            l.groups.truncate(1);
            l.groups[0].terms = vec![Term { text: p.into(), options: TermOptions { regex: true, ..Default::default() } }];
            match l.validate().unwrap_err()[0].detail.clone() {
                BrandDetail::Regex { problem, technical } => {
                    assert!(!technical.is_empty());
                    problem
                }
                other => panic!("{p}: {other:?}"),
            }
        };
        assert_eq!(re("(acme"), RegexSyntax::UnclosedGroup);
        assert_eq!(re("acme)"), RegexSyntax::UnopenedGroup);
        assert_eq!(re("[acme"), RegexSyntax::UnclosedClass);
        assert_eq!(re("*acme"), RegexSyntax::BadRepetition);
        assert_eq!(re(r"acme\q"), RegexSyntax::BadEscape);
        assert_eq!(re("acme(?=x)"), RegexSyntax::Unsupported);
    }
}
