//! Importing a JSON export: parse, validate each record, merge by id.
//!
//! A file that is not an export at all (bad JSON, another format, a newer
//! version) is refused whole with one message, and nothing changes. Inside a
//! good file each record is checked on its own: bad ones are listed with
//! their position and reason, good ones are kept. The store then merges them
//! by id ([`super::ingest::merge_incoming`], i.e. [`Capture::merge`]), so
//! importing the same file twice, or an older copy, changes nothing, and
//! newer edits win field by field as in sync.

use std::collections::HashMap;

use serde_json::Value;

use super::export::{JSON_FORMAT, JSON_VERSION};
use super::record::Capture;
use super::sanitize::{repair, Repair};
use super::validate::ValidationError;
use crate::i18n::{Key, Words};

/// More records than this in one file is refused (a log is tens of thousands).
pub const MAX_IMPORT_RECORDS: usize = 1_000_000;

/// A record the file held but we refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Position in the file's list, from 1 (as a person counts).
    pub number: usize,
    pub id: Option<String>,
    pub reason: RejectReason,
}

/// Why one record was refused, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The list item is not a JSON object.
    NotObject,
    /// Its fields do not make a capture (a missing field, an unknown value);
    /// the parser's own English words, shown only as a quoted technical detail.
    BadShape { technical: String },
    /// A capture, but the one validation refuses it.
    Invalid(ValidationError),
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectReason::NotObject => f.write_str("not a capture record (expected an object)."),
            RejectReason::BadShape { technical } => write!(f, "{technical}."),
            RejectReason::Invalid(e) => write!(f, "{e}."),
        }
    }
}

impl Rejected {
    /// The sentence in the manager's language.
    pub fn words(&self) -> Words {
        let reason = match &self.reason {
            RejectReason::NotObject => Words::new(Key::ImportRecordNotObject),
            RejectReason::BadShape { technical } => Words::new(Key::ImportRecordBadShape).text(technical.clone()),
            RejectReason::Invalid(e) => {
                let (key, field, args) = e.words();
                args.into_iter().fold(Words::new(key).word(Words::new(field)), |w, a| w.text(a))
            }
        };
        match &self.id {
            Some(id) => Words::new(Key::ImportRecord).text(self.number.to_string()).text(id.clone()).word(reason),
            None => Words::new(Key::ImportRecordNoId).text(self.number.to_string()).word(reason),
        }
    }
}

/// Why a whole file was refused (nothing imported), as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    NotJson { line: usize, column: usize },
    OtherFormat { format: String },
    NoFormat,
    TooNew { version: u64 },
    NoVersion,
    NoCaptures,
    NotALog,
    TooMany { count: usize },
}

impl ImportError {
    /// The sentence in the manager's language.
    pub fn words(&self) -> Words {
        match self {
            ImportError::NotJson { line, column } => Words::new(Key::ImportNotJson).text(line.to_string()).text(column.to_string()),
            ImportError::OtherFormat { format } => Words::new(Key::ImportOtherFormat).text(format.clone()),
            ImportError::NoFormat => Words::new(Key::ImportNoFormat),
            ImportError::TooNew { version } => Words::new(Key::ImportTooNew).text(version.to_string()).text(JSON_VERSION.to_string()),
            ImportError::NoVersion => Words::new(Key::ImportNoVersion),
            ImportError::NoCaptures => Words::new(Key::ImportNoCaptures),
            ImportError::NotALog => Words::new(Key::ImportNotALog),
            ImportError::TooMany { count } => Words::new(Key::ImportTooMany).text(count.to_string()).text(MAX_IMPORT_RECORDS.to_string()),
        }
    }
}

/// English, for logs and the service worker's protocol errors.
impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::NotJson { line, column } => write!(f, "The file is not valid JSON (line {line}, column {column})."),
            ImportError::OtherFormat { format } => {
                write!(f, "The file is a \u{201c}{format}\u{201d} file, not an Escucha log export.")
            }
            ImportError::NoFormat => f.write_str("The file is not an Escucha log export (no \u{201c}format\u{201d} field)."),
            ImportError::TooNew { version } => {
                write!(f, "The export is version {version}; this Escucha reads up to version {JSON_VERSION}. Update Escucha first.")
            }
            ImportError::NoVersion => f.write_str("The export has no valid \u{201c}version\u{201d}."),
            ImportError::NoCaptures => f.write_str("The export has no \u{201c}captures\u{201d} list."),
            ImportError::NotALog => f.write_str("The file holds neither an Escucha log export nor a list of captures."),
            ImportError::TooMany { count } => {
                write!(f, "The file holds {count} records; at most {MAX_IMPORT_RECORDS} can be imported at once.")
            }
        }
    }
}

impl std::error::Error for ImportError {}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "Record {} ({id}): {}", self.number, self.reason),
            None => write!(f, "Record {}: {}", self.number, self.reason),
        }
    }
}

/// What a file held: valid records (duplicates within the file already
/// merged) and the refused ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportBatch {
    pub records: Vec<Capture>,
    pub rejected: Vec<Rejected>,
}

/// Parse a JSON export (the versioned wrapper or a bare array of records).
pub fn parse_import(json: &str, now_ms: i64) -> Result<ImportBatch, ImportError> {
    let json = json.trim_start_matches('\u{FEFF}');
    // Fast path: a well-formed export deserializes straight into records
    // (about 3x faster than going through `Value`); any problem falls back to
    // the per-record path, which says what is wrong with which record.
    if let Ok(doc) = serde_json::from_str::<TypedExport>(json) {
        if doc.format == JSON_FORMAT && (1..=JSON_VERSION).contains(&doc.version) && doc.captures.len() <= MAX_IMPORT_RECORDS {
            let mut batch = ImportBatch::default();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, c) in doc.captures.into_iter().enumerate() {
                match check(c, now_ms) {
                    Ok(c) => add(&mut batch, &mut seen, c),
                    Err((id, reason)) => batch.rejected.push(Rejected { number: i + 1, id: Some(id), reason }),
                }
            }
            return Ok(batch);
        }
    }
    let doc: Value = serde_json::from_str(json).map_err(|e| ImportError::NotJson { line: e.line(), column: e.column() })?;
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut obj) => {
            match obj.get("format").and_then(Value::as_str) {
                Some(JSON_FORMAT) => {}
                Some(other) => return Err(ImportError::OtherFormat { format: other.chars().take(60).collect() }),
                None => return Err(ImportError::NoFormat),
            }
            match obj.get("version").and_then(Value::as_u64) {
                Some(v) if v <= JSON_VERSION as u64 && v >= 1 => {}
                Some(v) => return Err(ImportError::TooNew { version: v }),
                None => return Err(ImportError::NoVersion),
            }
            match obj.remove("captures") {
                Some(Value::Array(items)) => items,
                _ => return Err(ImportError::NoCaptures),
            }
        }
        _ => return Err(ImportError::NotALog),
    };
    if items.len() > MAX_IMPORT_RECORDS {
        return Err(ImportError::TooMany { count: items.len() });
    }
    let mut batch = ImportBatch::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(String::from);
        match validate(item, now_ms) {
            Ok(c) => add(&mut batch, &mut seen, c),
            Err(reason) => batch.rejected.push(Rejected { number: i + 1, id, reason }),
        }
    }
    Ok(batch)
}

#[derive(serde::Deserialize)]
struct TypedExport {
    format: String,
    version: u32,
    captures: Vec<Capture>,
}

/// Keep a valid record; a second copy of an id in the same file merges into the first.
fn add(batch: &mut ImportBatch, seen: &mut HashMap<String, usize>, c: Capture) {
    match seen.get(&c.id) {
        Some(&at) => {
            batch.records[at].merge(&c);
        }
        None => {
            seen.insert(c.id.clone(), batch.records.len());
            batch.records.push(c);
        }
    }
}

/// One record as JSON: shape first, then [`check`].
fn validate(item: Value, now_ms: i64) -> Result<Capture, RejectReason> {
    if !item.is_object() {
        return Err(RejectReason::NotObject);
    }
    let c: Capture = serde_json::from_value(item).map_err(|e| RejectReason::BadShape { technical: e.to_string() })?;
    check(c, now_ms).map_err(|(_, reason)| reason)
}

/// One parsed record, held to the one validation (the team log's,
/// [`super::validate::validate_capture`]). Page text an older version stored
/// unclean (say, the page text's block separator in a quote) is cleaned the
/// same way a new capture is ([`repair`]); anything else is refused with its reason.
fn check(mut c: Capture, now_ms: i64) -> Result<Capture, (String, RejectReason)> {
    // Ids are canonical lower-case; a file written by another tool with
    // upper-case UUIDs names the same records.
    if super::record::is_uuid(&c.id) {
        c.id.make_ascii_lowercase();
    }
    match repair(&c, now_ms) {
        Repair::Valid => Ok(c),
        Repair::Repaired(fixed) => Ok(*fixed),
        Repair::NeedsManager(e) => Err((c.id.clone(), RejectReason::Invalid(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::export::to_json;
    use crate::log::record::{CaptureContext, Tags, MAX_NOTE_CHARS};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    // Records are held to the team log's rules, times included.
    const BASE: i64 = 1_750_000_000_000;
    const NOW: i64 = BASE + 1_000_000;

    fn st(ms: i64) -> Stamp {
        Stamp { ms: BASE + ms, counter: 0, actor: "dev".into() }
    }

    fn cap(n: u32, text: &str) -> Capture {
        let ctx = CaptureContext {
            page_url: format!("https://foro.example/t/{n}"),
            comment_text: text.into(),
            permalink: Some(format!("https://foro.example/t/{n}#p1")),
            ..Default::default()
        };
        Capture::new(format!("01900000-0000-7000-8000-{n:012}"), ctx, &Tags::default(), "ana", st(1_000 + n as i64))
    }

    #[test]
    fn round_trips_an_export_and_a_bare_array() {
        let caps = vec![cap(1, "acción <img src=x onerror=alert(1)>"), cap(2, "Nuño")];
        let json = to_json(caps.iter(), 5);
        let batch = parse_import(&json, NOW).unwrap();
        assert_eq!(batch.records, caps);
        assert!(batch.rejected.is_empty());
        let bare = serde_json::to_string(&caps).unwrap();
        assert_eq!(parse_import(&format!("\u{FEFF}{bare}"), NOW).unwrap().records, caps);
        // A well-formed export with an unsafe link: the typed path still checks each record.
        let mut bad = caps.clone();
        bad[1].context.value.permalink = Some("javascript:alert(1)".into());
        let batch = parse_import(&to_json(bad.iter(), 5), NOW).unwrap();
        assert_eq!(batch.records, caps[..1]);
        assert_eq!(
            batch.rejected[0].to_string(),
            format!("Record 2 ({}): context.value.permalink: is not an http:// or https:// URL.", caps[1].id)
        );
    }

    #[test]
    fn a_broken_file_is_one_clear_message() {
        let cases = [
            ("{not json", "not valid JSON"),
            ("42", "neither"),
            (r#"{"format":"other","version":1,"captures":[]}"#, "\u{201c}other\u{201d} file"),
            (r#"{"captures":[]}"#, "no \u{201c}format\u{201d}"),
            (r#"{"format":"escucha-log","version":9,"captures":[]}"#, "version 9"),
            (r#"{"format":"escucha-log","version":1,"captures":{}}"#, "no \u{201c}captures\u{201d} list"),
        ];
        for (json, want) in cases {
            let err = parse_import(json, NOW).unwrap_err().to_string();
            assert!(err.contains(want), "{json}: {err}");
        }
    }

    #[test]
    fn bad_records_are_listed_and_good_ones_kept() {
        let good = serde_json::to_value(cap(1, "ok")).unwrap();
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = good.clone();
            f(&mut v);
            v
        };
        let items = vec![
            good.clone(),
            Value::String("hello".into()),
            with(&|v| v["id"] = "nope".into()),
            with(&|v| {
                v.as_object_mut().unwrap().remove("status");
            }),
            with(&|v| v["context"]["value"]["permalink"] = "javascript:alert(1)".into()),
            with(&|v| v["context"]["value"]["pageUrl"] = "data:text/html,<script>".into()),
            with(&|v| {
                v["id"] = "01900000-0000-7000-8000-000000000009".into();
                // A legacy note (issue 12): read as the first comment, held to its limit.
                v["note"] = serde_json::json!({ "value": "x".repeat(MAX_NOTE_CHARS + 1), "stamp": v["status"]["stamp"].clone() });
            }),
            with(&|v| v["context"]["value"]["authorUrl"] = "javascript:alert(1)".into()),
            with(&|v| v["status"]["stamp"]["ms"] = (NOW + 2 * 86_400_000).into()),
            with(&|v| v["sentiment"]["value"] = "furious".into()),
            // An older version stored the page text's separator in a quote: cleaned, kept.
            with(&|v| {
                v["id"] = "01900000-0000-7000-8000-000000000010".into();
                v["context"]["value"]["quote"]["prefix"] = "hace 2 horas\u{1e}".into();
            }),
        ];
        let batch = parse_import(&serde_json::to_string(&items).unwrap(), NOW).unwrap();
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.records[1].context.value.quote.prefix, "hace 2 horas ");
        let reasons: Vec<String> = batch.rejected.iter().map(|r| r.to_string()).collect();
        let want = [
            "Record 2: not a capture record",
            "Record 3 (nope): id: is not a UUID",
            "Record 4 (01900000-0000-7000-8000-000000000001): missing field `status`",
            "Record 5 (01900000-0000-7000-8000-000000000001): context.value.permalink: is not an http:// or https:// URL.",
            "Record 6 (01900000-0000-7000-8000-000000000001): context.value.pageUrl: is not an http:// or https:// URL.",
            "Record 7 (01900000-0000-7000-8000-000000000009): comments[0].text.value: 10001 characters; at most 10000",
            "Record 8 (01900000-0000-7000-8000-000000000001): context.value.authorUrl: is not an http",
            "Record 9 (01900000-0000-7000-8000-000000000001): status.stamp.ms:",
            "Record 10 (01900000-0000-7000-8000-000000000001): unknown variant `furious`",
        ];
        assert_eq!(reasons.len(), want.len(), "{reasons:#?}");
        for (r, w) in reasons.iter().zip(want) {
            assert!(r.starts_with(w), "{r} should start with {w}");
        }
    }

    #[test]
    fn merging_an_import_by_id_keeps_newer_fields_from_both_sides() {
        use crate::log::ingest::{merge_incoming, MergeOutcome};
        let a = cap(1, "a");
        let mut a_newer = a.clone();
        a_newer.apply(&CaptureEdit { add_comment: Some("from file".into()), ..Default::default() }, &st(9_000), "ana").unwrap();
        let mut a_local = a.clone();
        a_local.apply(&CaptureEdit { status: Some(crate::log::Status::Closed), ..Default::default() }, &st(8_000), "ana").unwrap();
        // The file holds the same id twice: merged before anything is written.
        let mut a_dup = a.clone();
        a_dup.apply(&CaptureEdit { tags: Some(vec!["dup".into()]), ..Default::default() }, &st(7_000), "ana").unwrap();
        let b = cap(2, "b");
        let batch = parse_import(&to_json([&a_newer, &b, &a_dup], 0), NOW).unwrap();
        assert_eq!(batch.records.len(), 2);
        let (merged, outcome) = merge_incoming(Some(&a_local), &batch.records[0]);
        assert_eq!(outcome, MergeOutcome::Updated);
        assert_eq!(merged.comments_text(), "from file");
        assert_eq!(merged.status.value, crate::log::Status::Closed, "local edit kept");
        assert_eq!(merged.tags.values(), vec!["dup".to_string()]);
        assert_eq!(merge_incoming(Some(&merged), &batch.records[0]).1, MergeOutcome::Unchanged, "importing twice changes nothing");
        assert_eq!(merge_incoming(None, &batch.records[1]).1, MergeOutcome::Added);
    }
}
