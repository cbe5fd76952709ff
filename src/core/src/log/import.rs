//! Importing a JSON export: parse, validate each record, merge by id.
//!
//! A file that is not an export at all (bad JSON, another format, a newer
//! version) is refused whole with one message, and nothing changes. Inside a
//! good file each record is checked on its own: bad ones are listed with
//! their position and reason, good ones are kept. Merging uses
//! [`Capture::merge`], so importing the same file twice, or an older copy,
//! changes nothing, and newer edits win field by field as in sync.

use std::collections::HashMap;

use serde_json::Value;

use super::export::{JSON_FORMAT, JSON_VERSION};
use super::record::{is_uuid, Capture, MAX_NOTE_CHARS, MAX_TAGS, MAX_TAG_CHARS};

/// More records than this in one file is refused (a log is tens of thousands).
pub const MAX_IMPORT_RECORDS: usize = 1_000_000;

/// A record the file held but we refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Position in the file's list, from 1 (as a person counts).
    pub number: usize,
    pub id: Option<String>,
    pub reason: String,
}

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

/// Whether `url` is an absolute http(s) link: the only links the log shows
/// as clickable or opens (never `javascript:`, `data:` …).
pub fn is_http_url(url: &str) -> bool {
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|p| url.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &url[p.len()..]));
    matches!(rest, Some(r) if !r.is_empty() && !r.starts_with('/') && !r.chars().any(|c| c.is_control() || c.is_whitespace()))
}

/// Parse a JSON export (the versioned wrapper or a bare array of records).
pub fn parse_import(json: &str) -> Result<ImportBatch, String> {
    let json = json.trim_start_matches('\u{FEFF}');
    // Fast path: a well-formed export deserializes straight into records
    // (about 3x faster than going through `Value`); any problem falls back to
    // the per-record path, which says what is wrong with which record.
    if let Ok(doc) = serde_json::from_str::<TypedExport>(json) {
        if doc.format == JSON_FORMAT && (1..=JSON_VERSION).contains(&doc.version) && doc.captures.len() <= MAX_IMPORT_RECORDS {
            let mut batch = ImportBatch::default();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (i, c) in doc.captures.into_iter().enumerate() {
                match check(c) {
                    Ok(c) => add(&mut batch, &mut seen, c),
                    Err((id, reason)) => batch.rejected.push(Rejected { number: i + 1, id: Some(id), reason }),
                }
            }
            return Ok(batch);
        }
    }
    let doc: Value = serde_json::from_str(json)
        .map_err(|e| format!("The file is not valid JSON ({e})."))?;
    let items = match doc {
        Value::Array(items) => items,
        Value::Object(mut obj) => {
            match obj.get("format").and_then(Value::as_str) {
                Some(JSON_FORMAT) => {}
                Some(other) => return Err(format!("The file is a \u{201c}{other}\u{201d} file, not an Escucha log export.")),
                None => return Err("The file is not an Escucha log export (no \u{201c}format\u{201d} field).".into()),
            }
            match obj.get("version").and_then(Value::as_u64) {
                Some(v) if v <= JSON_VERSION as u64 && v >= 1 => {}
                Some(v) => return Err(format!("The export is version {v}; this Escucha reads up to version {JSON_VERSION}. Update Escucha first.")),
                None => return Err("The export has no valid \u{201c}version\u{201d}.".into()),
            }
            match obj.remove("captures") {
                Some(Value::Array(items)) => items,
                _ => return Err("The export has no \u{201c}captures\u{201d} list.".into()),
            }
        }
        _ => return Err("The file holds neither an Escucha log export nor a list of captures.".into()),
    };
    if items.len() > MAX_IMPORT_RECORDS {
        return Err(format!("The file holds {} records; at most {MAX_IMPORT_RECORDS} can be imported at once.", items.len()));
    }
    let mut batch = ImportBatch::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str).map(String::from);
        match validate(item) {
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
        Some(&at) => batch.records[at].merge(&c),
        None => {
            seen.insert(c.id.clone(), batch.records.len());
            batch.records.push(c);
        }
    }
}

/// One record as JSON: shape first, then [`check`].
fn validate(item: Value) -> Result<Capture, String> {
    if !item.is_object() {
        return Err("not a capture record (expected an object).".into());
    }
    let c: Capture = serde_json::from_value(item).map_err(|e| format!("{e}."))?;
    check(c).map_err(|(_, reason)| reason)
}

/// One parsed record, checked as strictly as a local edit would be.
fn check(c: Capture) -> Result<Capture, (String, String)> {
    let id = c.id.clone();
    check_fields(&c).map(|()| c).map_err(|reason| (id, reason))
}

fn check_fields(c: &Capture) -> Result<(), String> {
    if !is_uuid(&c.id) {
        return Err("the id is not a UUID.".into());
    }
    if c.created_ms < 0 {
        return Err("the creation time is before 1970.".into());
    }
    if c.created_by.trim().is_empty() {
        return Err("no member is named as its author (createdBy).".into());
    }
    let ctx = &c.context.value;
    if !is_http_url(&ctx.page_url) {
        return Err("the page address is not an http(s) link.".into());
    }
    for (name, link) in [("permalink", &ctx.permalink), ("author link", &ctx.author_url)] {
        if let Some(l) = link.as_deref().filter(|l| !l.is_empty()) {
            if !is_http_url(l) {
                return Err(format!("the {name} is not an http(s) link."));
            }
        }
    }
    if c.note.value.chars().count() > MAX_NOTE_CHARS {
        return Err(format!("the note is longer than {MAX_NOTE_CHARS} characters."));
    }
    if c.tags.value.len() > MAX_TAGS {
        return Err(format!("more than {MAX_TAGS} tags."));
    }
    if let Some(t) = c.tags.value.iter().find(|t| t.chars().count() > MAX_TAG_CHARS) {
        return Err(format!("the tag \u{201c}{t}\u{201d} is longer than {MAX_TAG_CHARS} characters."));
    }
    Ok(())
}

/// What merging a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeCounts {
    /// New ids.
    pub added: u32,
    /// Known ids whose stored copy changed.
    pub merged: u32,
    /// Known ids the file had nothing newer for.
    pub unchanged: u32,
}

/// Merge `incoming` into `log` (keyed by id); returns the records that
/// changed (to be written back) and the counts.
pub fn merge_into(log: &mut HashMap<String, Capture>, incoming: Vec<Capture>) -> (Vec<Capture>, MergeCounts) {
    let mut counts = MergeCounts::default();
    let mut changed = Vec::new();
    for c in incoming {
        match log.get_mut(&c.id) {
            Some(existing) => {
                let before = existing.clone();
                existing.merge(&c);
                if *existing == before {
                    counts.unchanged += 1;
                } else {
                    counts.merged += 1;
                    changed.push(existing.clone());
                }
            }
            None => {
                counts.added += 1;
                changed.push(c.clone());
                log.insert(c.id.clone(), c);
            }
        }
    }
    (changed, counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::export::to_json;
    use crate::log::record::{CaptureContext, CaptureEdit, Tags};
    use crate::log::stamp::Stamp;

    fn st(ms: i64) -> Stamp {
        Stamp { ms, counter: 0, actor: "dev".into() }
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
        let batch = parse_import(&json).unwrap();
        assert_eq!(batch.records, caps);
        assert!(batch.rejected.is_empty());
        let bare = serde_json::to_string(&caps).unwrap();
        assert_eq!(parse_import(&format!("\u{FEFF}{bare}")).unwrap().records, caps);
        // A well-formed export with an unsafe link: the typed path still checks each record.
        let mut bad = caps.clone();
        bad[1].context.value.permalink = Some("javascript:alert(1)".into());
        let batch = parse_import(&to_json(bad.iter(), 5)).unwrap();
        assert_eq!(batch.records, caps[..1]);
        assert_eq!(batch.rejected[0].to_string(), format!("Record 2 ({}): the permalink is not an http(s) link.", caps[1].id));
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
            let err = parse_import(json).unwrap_err();
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
            with(&|v| { v.as_object_mut().unwrap().remove("status"); }),
            with(&|v| v["context"]["value"]["permalink"] = "javascript:alert(1)".into()),
            with(&|v| v["context"]["value"]["pageUrl"] = "data:text/html,<script>".into()),
            with(&|v| { v["id"] = "01900000-0000-7000-8000-000000000009".into(); v["note"]["value"] = "x".repeat(MAX_NOTE_CHARS + 1).into(); }),
            with(&|v| v["createdBy"] = " ".into()),
            with(&|v| v["sentiment"]["value"] = "furious".into()),
        ];
        let batch = parse_import(&serde_json::to_string(&items).unwrap()).unwrap();
        assert_eq!(batch.records.len(), 1);
        let reasons: Vec<String> = batch.rejected.iter().map(|r| r.to_string()).collect();
        let want = [
            "Record 2: not a capture record",
            "Record 3 (nope): the id is not a UUID",
            "Record 4 (01900000-0000-7000-8000-000000000001): missing field `status`",
            "Record 5 (01900000-0000-7000-8000-000000000001): the permalink is not an http(s) link",
            "Record 6 (01900000-0000-7000-8000-000000000001): the page address",
            "Record 7 (01900000-0000-7000-8000-000000000009): the note is longer",
            "Record 8 (01900000-0000-7000-8000-000000000001): no member",
            "Record 9 (01900000-0000-7000-8000-000000000001): unknown variant `furious`",
        ];
        assert_eq!(reasons.len(), want.len(), "{reasons:#?}");
        for (r, w) in reasons.iter().zip(want) {
            assert!(r.starts_with(w), "{r} should start with {w}");
        }
    }

    #[test]
    fn merging_by_id_counts_added_merged_unchanged_and_is_idempotent() {
        let a = cap(1, "a");
        let mut a_newer = a.clone();
        a_newer.apply(&CaptureEdit { note: Some("from file".into()), ..Default::default() }, &st(9_000)).unwrap();
        let mut a_local = a.clone();
        a_local.apply(&CaptureEdit { status: Some(crate::log::Status::Closed), ..Default::default() }, &st(8_000)).unwrap();
        let b = cap(2, "b");
        let mut log: HashMap<String, Capture> = [(a.id.clone(), a_local), (b.id.clone(), b.clone())].into();
        // The file holds the same id twice: merged before anything is written.
        let mut a_dup = a.clone();
        a_dup.apply(&CaptureEdit { tags: Some(vec!["dup".into()]), ..Default::default() }, &st(7_000)).unwrap();
        let file = to_json([&a_newer, &b, &cap(3, "c"), &a_dup], 0);
        let batch = parse_import(&file).unwrap();
        assert_eq!(batch.records.len(), 3);
        let (changed, counts) = merge_into(&mut log, batch.records.clone());
        assert_eq!(counts, MergeCounts { added: 1, merged: 1, unchanged: 1 });
        assert_eq!(changed.len(), 2);
        let merged = &log[&a.id];
        assert_eq!(merged.note.value, "from file");
        assert_eq!(merged.status.value, crate::log::Status::Closed, "local edit kept");
        assert_eq!(merged.tags.value, vec!["dup".to_string()]);
        let (changed, again) = merge_into(&mut log, batch.records);
        assert_eq!(again, MergeCounts { added: 0, merged: 0, unchanged: 3 });
        assert!(changed.is_empty());
    }

    #[test]
    fn only_http_links_are_links() {
        let cases = [
            ("https://a.example/x", true),
            ("HTTP://A.EXAMPLE", true),
            ("javascript:alert(1)", false),
            (" javascript:alert(1)", false),
            ("JaVaScRiPt:alert(1)", false),
            ("data:text/html,x", false),
            ("https://", false),
            ("https://a.example/\nx", false),
            ("//a.example", false),
            ("", false),
        ];
        for (url, want) in cases {
            assert_eq!(is_http_url(url), want, "{url:?}");
        }
    }
}
