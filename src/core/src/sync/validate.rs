//! What the server accepts: strict checks on pushed captures and edits.
//!
//! Every refusal is one sentence that names the field (`context.value.pageUrl`,
//! `tags.value[2]`), so whoever wrote the client can fix it without guessing.
//! The limits are generous for real comments and small enough that one
//! client cannot fill the team's disk with one record.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::log::record::{is_uuid, MAX_NOTE_CHARS, MAX_TAGS, MAX_TAG_CHARS};
use crate::log::{Capture, CaptureEdit, Stamp};

/// Longest URL (page, author, permalink).
pub const MAX_URL_CHARS: usize = 4096;
/// Longest comment text kept (the extension bounds it well below this).
pub const MAX_COMMENT_CHARS: usize = 20_000;
/// Longest quoted mention and each side of context around it.
pub const MAX_QUOTE_CHARS: usize = 2_000;
/// Longest short label: title, site, author, brand, term, department, member.
pub const MAX_LABEL_CHARS: usize = 500;
/// Longest stamp actor (a device id or `member:<name>`).
pub const MAX_ACTOR_CHARS: usize = 200;
/// How far ahead of the server's clock a stamp may be. A stamp far in the
/// future would win every later edit, so it is refused instead.
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;
/// No capture predates this (2020-01-01T00:00:00Z).
pub const MIN_TIME_MS: i64 = 1_577_836_800_000;

/// Deserialize one value, naming the path of the first bad field.
pub fn parse_strict<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })
}

/// A pushed capture: well-formed JSON for [`Capture`], then [`validate_capture`].
pub fn parse_capture(value: &Value, now_ms: i64) -> Result<Capture, String> {
    if !value.is_object() {
        return Err("each item must be a JSON object (a capture record)".into());
    }
    let capture: Capture = parse_strict(value)?;
    validate_capture(&capture, now_ms)?;
    Ok(capture)
}

/// Check every field of a capture against the limits above.
pub fn validate_capture(c: &Capture, now_ms: i64) -> Result<(), String> {
    if !is_uuid(&c.id) {
        return Err(format!("id: \u{201c}{}\u{201d} is not a UUID (8-4-4-4-12 hex digits)", shorten(&c.id)));
    }
    if c.created_ms < MIN_TIME_MS || c.created_ms > now_ms + MAX_CLOCK_SKEW_MS {
        return Err(format!("createdMs: {} is not a plausible capture time (ms since 1970, UTC)", c.created_ms));
    }
    // May be empty: a capture made before its member set a name; the server
    // names it after the member who pushes it.
    label("createdBy", &c.created_by, MAX_LABEL_CHARS, false)?;
    let stamps = [
        ("context", &c.context.stamp),
        ("sentiment", &c.sentiment.stamp),
        ("department", &c.department.stamp),
        ("status", &c.status.stamp),
        ("priority", &c.priority.stamp),
        ("tags", &c.tags.stamp),
        ("note", &c.note.stamp),
        ("deleted", &c.deleted.stamp),
    ];
    for (field, stamp) in stamps {
        check_stamp(field, stamp, now_ms)?;
    }

    let x = &c.context.value;
    url("context.value.pageUrl", &x.page_url, true)?;
    label("context.value.pageTitle", &x.page_title, MAX_LABEL_CHARS, false)?;
    label("context.value.site", &x.site, MAX_LABEL_CHARS, false)?;
    if let Some(lang) = &x.lang {
        label("context.value.lang", lang, 35, false)?;
    }
    text("context.value.commentText", &x.comment_text, MAX_COMMENT_CHARS)?;
    if let Some(name) = &x.author_name {
        label("context.value.authorName", name, MAX_LABEL_CHARS, false)?;
    }
    if let Some(u) = &x.author_url {
        url("context.value.authorUrl", u, false)?;
    }
    if let Some(t) = &x.comment_time {
        if let Some(utc) = &t.utc {
            label("context.value.commentTime.utc", utc, 64, false)?;
        }
        label("context.value.commentTime.original", &t.original, MAX_LABEL_CHARS, false)?;
    }
    if let Some(u) = &x.permalink {
        url("context.value.permalink", u, false)?;
    }
    label("context.value.brand", &x.brand, MAX_LABEL_CHARS, false)?;
    label("context.value.term", &x.term, MAX_LABEL_CHARS, false)?;
    text("context.value.quote.exact", &x.quote.exact, MAX_QUOTE_CHARS)?;
    text("context.value.quote.prefix", &x.quote.prefix, MAX_QUOTE_CHARS)?;
    text("context.value.quote.suffix", &x.quote.suffix, MAX_QUOTE_CHARS)?;
    if let Some(p) = &x.position {
        if p.start > p.end {
            return Err(format!("context.value.position: start {} is after end {}", p.start, p.end));
        }
    }
    if let Some(p) = &x.platform {
        label("context.value.platform", p, 64, false)?;
    }

    if let Some(d) = &c.department.value {
        label("department.value", d, MAX_LABEL_CHARS, false)?;
    }
    if c.tags.value.len() > MAX_TAGS {
        return Err(format!("tags.value: {} tags; at most {MAX_TAGS} per capture", c.tags.value.len()));
    }
    for (i, t) in c.tags.value.iter().enumerate() {
        label(&format!("tags.value[{i}]"), t, MAX_TAG_CHARS, true)?;
    }
    text("note.value", &c.note.value, MAX_NOTE_CHARS)?;
    Ok(())
}

/// Keys a [`CaptureEdit`] may carry. Unknown keys are refused rather than
/// ignored: a misspelt `"stauts"` would otherwise be a silent no-op.
const EDIT_KEYS: [&str; 7] = ["sentiment", "department", "status", "priority", "tags", "note", "deleted"];

/// A dashboard edit: known keys only, at least one of them.
pub fn parse_edit(value: &Value) -> Result<CaptureEdit, String> {
    let Some(obj) = value.as_object() else {
        return Err("the edit must be a JSON object".into());
    };
    if let Some(k) = obj.keys().find(|k| !EDIT_KEYS.contains(&k.as_str())) {
        return Err(format!("{k}: unknown field; an edit may set {}", EDIT_KEYS.join(", ")));
    }
    if obj.is_empty() {
        return Err(format!("the edit changes nothing; set at least one of {}", EDIT_KEYS.join(", ")));
    }
    let edit: CaptureEdit = parse_strict(value)?;
    if let Some(Some(d)) = &edit.department {
        label("department", d, MAX_LABEL_CHARS, false)?;
    }
    Ok(edit)
}

fn check_stamp(field: &str, s: &Stamp, now_ms: i64) -> Result<(), String> {
    if s.ms < 0 || s.ms > now_ms + MAX_CLOCK_SKEW_MS {
        return Err(format!(
            "{field}.stamp.ms: {} is more than a day ahead of the server's clock (or negative); check the device's clock",
            s.ms
        ));
    }
    label(&format!("{field}.stamp.actor"), &s.actor, MAX_ACTOR_CHARS, true)
}

fn count_over(field: &str, value: &str, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if n > max {
        return Err(format!("{field}: {n} characters; at most {max}"));
    }
    Ok(())
}

/// Free text: bounded; line breaks and tabs allowed.
fn text(field: &str, value: &str, max: usize) -> Result<(), String> {
    count_over(field, value, max)?;
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(format!("{field}: contains control characters"));
    }
    Ok(())
}

/// One-line text: bounded, no control characters, non-blank when required.
fn label(field: &str, value: &str, max: usize, required: bool) -> Result<(), String> {
    count_over(field, value, max)?;
    if value.chars().any(char::is_control) {
        return Err(format!("{field}: contains control characters or line breaks"));
    }
    if required && value.trim().is_empty() {
        return Err(format!("{field}: must not be empty"));
    }
    Ok(())
}

/// An absolute http(s) URL with a host; anything else (javascript:, data:,
/// relative paths) could turn into a live link in someone's dashboard.
fn url(field: &str, value: &str, required: bool) -> Result<(), String> {
    if value.is_empty() && !required {
        return Ok(());
    }
    count_over(field, value, MAX_URL_CHARS)?;
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &value[8..]
    } else if lower.starts_with("http://") {
        &value[7..]
    } else {
        return Err(format!("{field}: \u{201c}{}\u{201d} is not an http:// or https:// URL", shorten(value)));
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..host_end].is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{field}: \u{201c}{}\u{201d} is not a well-formed URL", shorten(value)));
    }
    Ok(())
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        format!("{}\u{2026}", s.chars().take(60).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{CaptureContext, Tags, TextQuote};
    use serde_json::json;

    const NOW: i64 = 1_750_000_000_000;

    fn good() -> Capture {
        let ctx = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            comment_text: "Movistar me cobró dos veces".into(),
            brand: "Telefónica".into(),
            term: "Movistar".into(),
            quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
            ..Default::default()
        };
        let stamp = Stamp { ms: NOW - 1000, counter: 0, actor: "dev-a".into() };
        Capture::new("01890a5d-ac96-774b-bcce-b302099a8057".into(), ctx, &Tags::default(), "ana", stamp)
    }

    #[test]
    fn a_well_formed_capture_passes() {
        let v = serde_json::to_value(good()).unwrap();
        assert_eq!(parse_capture(&v, NOW).unwrap(), good());
    }

    #[test]
    fn each_bad_field_is_named() {
        type Breaker = fn(&mut Capture);
        let cases: Vec<(Breaker, &str)> = vec![
            (|c| c.id = "123".into(), "id:"),
            (|c| c.created_ms = 5, "createdMs:"),
            (|c| c.created_by = "x".repeat(MAX_LABEL_CHARS + 1), "createdBy:"),
            (|c| c.status.stamp.ms = NOW + MAX_CLOCK_SKEW_MS + 1, "status.stamp.ms:"),
            (|c| c.note.stamp.actor = String::new(), "note.stamp.actor:"),
            (|c| c.context.value.page_url = "javascript:alert(1)".into(), "context.value.pageUrl:"),
            (|c| c.context.value.page_url = "https:///path".into(), "not a well-formed URL"),
            (|c| c.context.value.page_url = String::new(), "context.value.pageUrl:"),
            (|c| c.context.value.permalink = Some("data:text/html,x".into()), "context.value.permalink:"),
            (|c| c.context.value.author_url = Some("ftp://x.example/".into()), "context.value.authorUrl:"),
            (|c| c.context.value.comment_text = "x".repeat(MAX_COMMENT_CHARS + 1), "context.value.commentText: 20001 characters"),
            (|c| c.context.value.page_title = "a\nb".into(), "context.value.pageTitle: contains control"),
            (|c| c.context.value.quote.exact = "\u{0}".into(), "context.value.quote.exact: contains control"),
            (|c| c.context.value.position = Some(crate::log::TextPosition { start: 9, end: 2 }), "context.value.position:"),
            (|c| c.tags.value = vec!["ok".into(), "y".repeat(MAX_TAG_CHARS + 1)], "tags.value[1]:"),
            (|c| c.tags.value = (0..=MAX_TAGS).map(|i| i.to_string()).collect(), "tags.value: 51 tags"),
            (|c| c.note.value = "n".repeat(MAX_NOTE_CHARS + 1), "note.value:"),
            (|c| c.department.value = Some("d".repeat(MAX_LABEL_CHARS + 1)), "department.value:"),
        ];
        for (i, (breaker, want)) in cases.into_iter().enumerate() {
            let mut c = good();
            breaker(&mut c);
            let err = validate_capture(&c, NOW).unwrap_err();
            assert!(err.contains(want), "case {i}: {err:?} lacks {want:?}");
        }
    }

    #[test]
    fn free_text_keeps_line_breaks_and_accents() {
        let mut c = good();
        c.context.value.comment_text = "Línea uno\nlínea dos\tñ 😀".into();
        c.note.value = "llamado\r\nok".into();
        c.context.value.permalink = Some("HTTPS://Foro.example/p/3?x=1#c".into());
        assert_eq!(validate_capture(&c, NOW), Ok(()));
    }

    #[test]
    fn json_errors_name_the_path() {
        let mut v = serde_json::to_value(good()).unwrap();
        v["status"]["value"] = json!("urgentísimo");
        let err = parse_capture(&v, NOW).unwrap_err();
        assert!(err.starts_with("status.value: unknown variant"), "{err}");
        let mut v = serde_json::to_value(good()).unwrap();
        v.as_object_mut().unwrap().remove("deleted");
        assert!(parse_capture(&v, NOW).unwrap_err().contains("missing field `deleted`"));
        assert!(parse_capture(&json!([1]), NOW).unwrap_err().contains("JSON object"));
    }

    #[test]
    fn edits_accept_known_keys_only() {
        let cases = [
            (json!({"status": "closed"}), Ok(())),
            (json!({"department": null, "tags": ["a"]}), Ok(())),
            (json!({"stauts": "closed"}), Err("stauts: unknown field")),
            (json!({}), Err("changes nothing")),
            (json!({"status": "done"}), Err("status: unknown variant")),
            (json!({"note": 5}), Err("note: invalid type")),
            (json!("closed"), Err("JSON object")),
        ];
        for (value, want) in cases {
            match (parse_edit(&value), want) {
                (Ok(_), Ok(())) => {}
                (Err(e), Err(w)) => assert!(e.contains(w), "{value}: {e:?} lacks {w:?}"),
                (got, want) => panic!("{value}: got {got:?}, want {want:?}"),
            }
        }
    }
}
