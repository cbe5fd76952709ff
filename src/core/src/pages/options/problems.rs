//! The options page's problems: the core's validation errors turned into
//! sentences (as [`Words`], worded at display time) that point at the field
//! (and line) they are about. Only data is read here, never an error's English.

use crate::brands::{
    BrandDetail, BrandError, BrandErrorCode, BrandList, JsonProblem, RegexSyntax, MAX_REGEX_TERMS, MAX_TERMS, MAX_TERM_CHARS,
};
use crate::i18n::{Key, Words};
use crate::matching::regex_term::MAX_REGEX_CHARS;
use crate::sites::SiteRuleError;

/// One problem as the page shows it: a sentence and where it belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    pub message: Words,
    /// Id of the field the problem is about (its error list is `<id>-errors`).
    pub field: String,
    /// 1-based line inside that field (textareas), to select it on "go to".
    pub line: Option<u32>,
}

/// A brand-error path, `groups[2].terms[0]` → (Some(2), "terms", Some(0)).
pub fn parse_path(path: &str) -> (Option<usize>, &str, Option<usize>) {
    let Some(rest) = path.strip_prefix("groups[") else { return (None, path, None) };
    let Some(close) = rest.find(']') else { return (None, path, None) };
    let group = rest[..close].parse().ok();
    let rest = rest[close + 1..].trim_start_matches('.');
    match rest.find('[') {
        Some(open) => {
            let field = &rest[..open];
            let item = rest[open + 1..].trim_end_matches(']').parse().ok();
            (group, field, item)
        }
        None => (group, rest, None),
    }
}

/// User text shortened for a message (the message is set as text, never HTML).
pub fn short(s: &str) -> String {
    let s = s.trim();
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    q
}

fn group_label(list: Option<&BrandList>, gi: usize) -> String {
    match list.and_then(|l| l.groups.get(gi)) {
        Some(g) if !g.name.trim().is_empty() => short(&g.name),
        _ => format!("#{}", gi + 1),
    }
}

/// Where a brand error is shown, and the line numbers its message uses.
pub trait Locator {
    /// Field id for an error about group `gi`'s `field` ("name", "color", "terms", "exclusions", "id").
    fn field(&self, gi: Option<usize>, field: &str) -> String;
    /// Line shown for item `i` of group `gi`'s `field` (1-based).
    fn line(&self, gi: usize, field: &str, i: usize) -> u32;
}

/// Localize one brand error. `list` is the list that was validated (None when
/// the JSON did not parse).
pub fn brand_error(e: &BrandError, list: Option<&BrandList>, at: &dyn Locator) -> UiError {
    let (gi, field, item) = parse_path(&e.path);
    let g = gi.map(|gi| group_label(list, gi)).unwrap_or_default();
    let line = match (gi, item) {
        (Some(gi), Some(i)) => Some(at.line(gi, field, i)),
        _ => None,
    };
    let line_s = line.map(|l| l.to_string()).unwrap_or_default();
    let item_text = |field: &str| -> String {
        let (Some(gi), Some(i)) = (gi, item) else { return String::new() };
        let Some(group) = list.and_then(|l| l.groups.get(gi)) else { return String::new() };
        match field {
            "terms" => group.terms.get(i).map(|t| short(&t.text)).unwrap_or_default(),
            _ => group.exclusions.get(i).map(|x| short(x)).unwrap_or_default(),
        }
    };
    let totals = || {
        let l = list.map(|l| {
            let all: usize = l.groups.iter().map(|g| g.terms.len() + g.exclusions.len()).sum();
            let re = l.groups.iter().flat_map(|g| &g.terms).filter(|t| t.options.regex).count();
            (all, re)
        });
        l.unwrap_or((0, 0))
    };
    let mut ui_line = line;
    let message = match e.code {
        BrandErrorCode::MalformedJson => {
            let (l, c) = (e.line.unwrap_or(1).to_string(), e.column.unwrap_or(1).to_string());
            ui_line = e.line;
            match &e.detail {
                BrandDetail::Json { problem: JsonProblem::CutOff, .. } => w(Key::BrandErrJsonCutOff, &[&l, &c]),
                BrandDetail::Json { problem: JsonProblem::WrongKind, technical } => {
                    w(Key::BrandErrJsonWrongKind, &[&l, &c, &short_technical(technical)])
                }
                BrandDetail::Json { technical, .. } => w(Key::BrandErrMalformedJson, &[&l, &c, &short_technical(technical)]),
                _ => w(Key::BrandErrMalformedJson, &[&l, &c, ""]),
            }
        }
        BrandErrorCode::UnsupportedVersion => w(Key::BrandErrUnsupportedVersion, &[]),
        BrandErrorCode::EmptyGroupName => w(Key::BrandErrEmptyGroupName, &[&gi.map(|g| (g + 1).to_string()).unwrap_or_default()]),
        BrandErrorCode::DuplicateGroupId => {
            let id = gi.and_then(|gi| list?.groups.get(gi)).map(|g| g.id.clone()).unwrap_or_default();
            w(Key::BrandErrDuplicateGroupId, &[&g, &short(&id)])
        }
        BrandErrorCode::InvalidColor => {
            let color = gi.and_then(|gi| list?.groups.get(gi)).map(|g| short(&g.color)).unwrap_or_default();
            w(Key::BrandErrInvalidColor, &[&g, &color])
        }
        BrandErrorCode::EmptyTerm => w(Key::BrandErrEmptyTerm, &[&g, &line_s]),
        BrandErrorCode::TermTooLong if field == "exclusions" => {
            w(Key::BrandErrExclusionTooLong, &[&g, &line_s, &item_text(field), &MAX_TERM_CHARS.to_string()])
        }
        BrandErrorCode::TermTooLong => {
            let regex = gi.zip(item).and_then(|(gi, i)| list?.groups.get(gi)?.terms.get(i)).is_some_and(|t| t.options.regex);
            let limit = if regex { MAX_REGEX_CHARS } else { MAX_TERM_CHARS };
            w(Key::BrandErrTermTooLong, &[&g, &line_s, &item_text(field), &limit.to_string()])
        }
        BrandErrorCode::DuplicateTerm => {
            let (other, other_line) = match e.detail {
                BrandDetail::FirstAt { group, term } => (group_label(list, group), at.line(group, "terms", term).to_string()),
                _ => (String::new(), String::new()),
            };
            w(Key::BrandErrDuplicateTerm, &[&g, &line_s, &item_text(field), &other, &other_line])
        }
        BrandErrorCode::TooManyTerms => w(Key::BrandErrTooManyTerms, &[&totals().0.to_string(), &MAX_TERMS.to_string()]),
        BrandErrorCode::TooManyRegexes => w(Key::BrandErrTooManyRegexes, &[&totals().1.to_string(), &MAX_REGEX_TERMS.to_string()]),
        BrandErrorCode::InvalidRegex => {
            let (kind, technical) = match &e.detail {
                BrandDetail::Regex { problem, technical } => (*problem, short_technical(technical)),
                _ => (RegexSyntax::Other, String::new()),
            };
            w(Key::BrandErrInvalidRegex, &[&g, &line_s, &item_text(field), &technical]).word(Words::new(regex_syntax_key(kind)))
        }
        BrandErrorCode::RegexTooBig => w(Key::BrandErrRegexTooBig, &[&g, &line_s, &item_text(field)]),
        BrandErrorCode::RegexMatchesEmpty => w(Key::BrandErrRegexMatchesEmpty, &[&g, &line_s, &item_text(field)]),
        BrandErrorCode::EmptyExclusion => w(Key::BrandErrEmptyExclusion, &[&g, &line_s]),
    };
    let field_name = match (e.code, field) {
        (BrandErrorCode::MalformedJson, _) => "json",
        (_, "id") => "name",
        (_, f) => f,
    };
    UiError { message, field: at.field(gi, field_name), line: ui_line }
}

/// A sentence from a key and text placeholders.
fn w(key: Key, args: &[&str]) -> Words {
    args.iter().fold(Words::new(key), |w, a| w.text(*a))
}

/// A parser's or engine's own (English) words, kept short: shown only quoted, as a technical detail.
fn short_technical(s: &str) -> String {
    let mut q: String = s.chars().take(120).collect();
    if s.chars().count() > 120 {
        q.push('…');
    }
    q
}

/// The words for a kind of regex mistake.
pub fn regex_syntax_key(kind: RegexSyntax) -> Key {
    match kind {
        RegexSyntax::UnclosedGroup => Key::RegexUnclosedGroup,
        RegexSyntax::UnopenedGroup => Key::RegexUnopenedGroup,
        RegexSyntax::UnclosedClass => Key::RegexUnclosedClass,
        RegexSyntax::BadRepetition => Key::RegexBadRepetition,
        RegexSyntax::BadEscape => Key::RegexBadEscape,
        RegexSyntax::Unsupported => Key::RegexUnsupported,
        RegexSyntax::TooNested => Key::RegexTooNested,
        RegexSyntax::Other => Key::RegexOther,
    }
}

/// Localize deny-list problems; `lines[i]` is the textarea line of rule `i`.
pub fn site_errors(errs: &[SiteRuleError], lines: &[u32]) -> Vec<UiError> {
    errs.iter()
        .map(|e| {
            let line = lines.get(e.index).copied().unwrap_or(e.index as u32 + 1);
            UiError { message: w(Key::ErrSiteRule, &[&line.to_string(), &short(&e.rule)]), field: "deny".into(), line: Some(line) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(parse_path("groups[2].terms[10]"), (Some(2), "terms", Some(10)));
        assert_eq!(parse_path("groups[0].color"), (Some(0), "color", None));
        assert_eq!(parse_path("groups"), (None, "groups", None));
        assert_eq!(parse_path(""), (None, "", None));
    }
}
