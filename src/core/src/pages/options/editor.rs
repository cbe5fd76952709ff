//! The options page's editing state, independent of the DOM: a brand group as
//! edited in its "one per line" text boxes, and parsing of those boxes.

use std::collections::{HashMap, VecDeque};

use crate::brands::{BrandGroup, Term, TermOptions};

/// A brand group being edited, plus which textarea line each item came from.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupModel {
    pub group: BrandGroup,
    /// 1-based textarea line of each term (blank lines are skipped).
    pub term_lines: Vec<u32>,
    pub excl_lines: Vec<u32>,
    /// Index of the term whose options are shown (the caret's line).
    pub selected: Option<usize>,
}

impl GroupModel {
    pub fn new(group: BrandGroup) -> GroupModel {
        let mut m = GroupModel { group, term_lines: vec![], excl_lines: vec![], selected: None };
        m.reset_lines();
        m
    }

    /// After rendering the text boxes from the model, items sit on lines 1..=n.
    pub fn reset_lines(&mut self) {
        self.term_lines = (1..=self.group.terms.len() as u32).collect();
        self.excl_lines = (1..=self.group.exclusions.len() as u32).collect();
        self.selected = None;
    }

    pub fn terms_text(&self) -> String {
        join(self.group.terms.iter().map(|t| t.text.as_str()))
    }

    pub fn exclusions_text(&self) -> String {
        join(self.group.exclusions.iter().map(|x| x.as_str()))
    }

    /// The terms textarea changed. Options follow their term: by position when
    /// the number of terms is unchanged (editing a term's text in place), by
    /// text otherwise (adding, removing or reordering lines).
    pub fn set_terms_text(&mut self, text: &str) {
        let (texts, lines) = split_lines(text);
        let old = std::mem::take(&mut self.group.terms);
        self.group.terms = if texts.len() == old.len() {
            texts.into_iter().zip(old).map(|(text, o)| Term { text, options: o.options }).collect()
        } else {
            let mut custom: HashMap<String, VecDeque<TermOptions>> = HashMap::new();
            for t in old.into_iter().filter(|t| t.options != TermOptions::default()) {
                custom.entry(t.text).or_default().push_back(t.options);
            }
            texts
                .into_iter()
                .map(|text| {
                    let options = custom.get_mut(&text).and_then(|q| q.pop_front()).unwrap_or_default();
                    Term { text, options }
                })
                .collect()
        };
        self.term_lines = lines;
    }

    pub fn set_exclusions_text(&mut self, text: &str) {
        let (items, lines) = split_lines(text);
        self.group.exclusions = items;
        self.excl_lines = lines;
    }

    /// The term on textarea line `line` (1-based), if any.
    pub fn term_at_line(&self, line: u32) -> Option<usize> {
        self.term_lines.binary_search(&line).ok()
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(item);
    }
    s
}

/// One item per non-empty line, trimmed, with its 1-based line number. A line
/// of only spaces or invisible characters is kept as it is so that validation
/// can point at it; a truly empty line is just spacing.
pub fn split_lines(text: &str) -> (Vec<String>, Vec<u32>) {
    let mut items = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let trimmed = line.trim();
        items.push(if trimmed.is_empty() { line.to_string() } else { trimmed.to_string() });
        lines.push(i as u32 + 1);
    }
    (items, lines)
}

/// Departments: trimmed non-empty lines.
pub fn split_trimmed(text: &str) -> (Vec<String>, Vec<u32>) {
    let mut items = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim();
        if !line.is_empty() {
            items.push(line.to_string());
            lines.push(i as u32 + 1);
        }
    }
    (items, lines)
}

/// 1-based line of the UTF-16 offset `pos` (what `selectionStart` reports).
pub fn line_of_utf16_offset(text: &str, pos: u32) -> u32 {
    let mut units = 0u32;
    let mut line = 1;
    for c in text.chars() {
        if units >= pos {
            break;
        }
        units += c.len_utf16() as u32;
        if c == '\n' {
            line += 1;
        }
    }
    line
}

/// UTF-16 start and end offsets of 1-based `line` (end excludes the newline).
pub fn utf16_range_of_line(text: &str, line: u32) -> (u32, u32) {
    let mut units = 0u32;
    let mut current = 1;
    let mut start = if line <= 1 { Some(0) } else { None };
    for c in text.chars() {
        if c == '\n' {
            if current == line {
                return (start.unwrap_or(units), units);
            }
            current += 1;
            units += 1;
            if current == line {
                start = Some(units);
            }
            continue;
        }
        units += c.len_utf16() as u32;
    }
    (start.unwrap_or(units), units)
}

/// `#rgb` → `#rrggbb`, lowercased, for `<input type=color>`; None if not a hex colour.
pub fn picker_color(c: &str) -> Option<String> {
    let hex = c.trim().strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>().to_ascii_lowercase())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brands::BrandKind;

    fn model(terms: &[(&str, bool)]) -> GroupModel {
        GroupModel::new(BrandGroup {
            id: "g".into(),
            name: "G".into(),
            kind: BrandKind::Own,
            color: "#abc".into(),
            enabled: true,
            terms: terms
                .iter()
                .map(|(t, re)| Term { text: t.to_string(), options: TermOptions { regex: *re, ..Default::default() } })
                .collect(),
            exclusions: vec![],
        })
    }

    #[test]
    fn lines_skip_blanks_keep_whitespace_only() {
        let (items, lines) = split_lines(" Acme \r\n\n  \nZara\n");
        assert_eq!(items, ["Acme", "  ", "Zara"]);
        assert_eq!(lines, [1, 3, 4]);
    }

    #[test]
    fn options_follow_terms() {
        let mut m = model(&[("acme+", true), ("Zara", false)]);
        m.set_terms_text("acmee+\nZara");
        assert!(m.group.terms[0].options.regex, "edited in place keeps options");
        m.set_terms_text("new\nZara\n\nacmee+");
        assert!(m.group.terms[2].options.regex && !m.group.terms[0].options.regex);
        assert_eq!(m.term_lines, [1, 2, 4]);
        assert_eq!(m.term_at_line(4), Some(2));
        assert_eq!(m.term_at_line(3), None);
    }

    #[test]
    fn utf16_offsets() {
        let text = "ñ😀\nsegunda\ntercera";
        assert_eq!(line_of_utf16_offset(text, 0), 1);
        assert_eq!(line_of_utf16_offset(text, 4), 2);
        assert_eq!(utf16_range_of_line(text, 1), (0, 3));
        assert_eq!(utf16_range_of_line(text, 2), (4, 11));
        assert_eq!(utf16_range_of_line(text, 3), (12, 19));
        assert_eq!(picker_color("#F90").as_deref(), Some("#ff9900"));
        assert_eq!(picker_color("red"), None);
    }
}
