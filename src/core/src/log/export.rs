//! Exporting the log: CSV for spreadsheets, JSON for backup and re-import,
//! and W3C Web Annotation JSON-LD for other annotation tools.

use serde::Serialize;

use super::dates::format_rfc3339;
use super::record::Capture;

/// Tag of the JSON export wrapper; [`super::import`] checks it.
pub const JSON_FORMAT: &str = "escucha-log";
/// Bumped when the record shape changes incompatibly. 2 (issue 12): tags
/// as an add-wins set, the note as a comment thread, assignee, claim and
/// history. Version 1 files still import (their records migrate on read).
pub const JSON_VERSION: u32 = 2;

/// The CSV's columns, in order (English, stable: scripts read them).
pub const CSV_COLUMNS: [&str; 26] = [
    "id",
    "created",
    "createdBy",
    "modified",
    "brand",
    "term",
    "sentiment",
    "department",
    "status",
    "priority",
    "tags",
    // The comment thread (the old note's place), one comment per line.
    "comments",
    "site",
    "pageTitle",
    "pageUrl",
    "permalink",
    "author",
    "authorUrl",
    "commentTime",
    "commentTimeOriginal",
    "comment",
    "quote",
    "lang",
    "platform",
    "assignee",
    // The history as a timeline, one event per line.
    "history",
];

/// One row's cells, in [`CSV_COLUMNS`] order.
fn csv_cells(c: &Capture) -> [String; 26] {
    let ctx = &c.context.value;
    let time = ctx.comment_time.as_ref();
    [
        c.id.clone(),
        format_rfc3339(c.created_ms),
        c.created_by.clone(),
        format_rfc3339(c.last_stamp().ms),
        ctx.brand.clone(),
        ctx.term.clone(),
        c.sentiment.value.as_str().to_string(),
        c.department.value.clone().unwrap_or_default(),
        c.status.value.as_str().to_string(),
        c.priority.value.as_str().to_string(),
        c.tags.values().join("; "),
        comments_cell(c),
        ctx.site.clone(),
        ctx.page_title.clone(),
        ctx.page_url.clone(),
        ctx.permalink.clone().unwrap_or_default(),
        ctx.author_name.clone().unwrap_or_default(),
        ctx.author_url.clone().unwrap_or_default(),
        time.and_then(|t| t.utc.clone()).unwrap_or_default(),
        time.map(|t| t.original.clone()).unwrap_or_default(),
        ctx.comment_text.clone(),
        ctx.quote.exact.clone(),
        ctx.lang.clone().unwrap_or_default(),
        ctx.platform.clone().unwrap_or_default(),
        c.assignee.value.clone().unwrap_or_default(),
        history_cell(c),
    ]
}

/// One CSV field per RFC 4180, made safe for spreadsheets.
///
/// Formula injection: a cell starting with `=`, `+`, `-` or `@` (or a tab or
/// CR, which some spreadsheets skip before reading a formula) would run as a
/// formula when the file is opened in Excel or LibreOffice, and comment text
/// comes from strangers. Such cells get a leading `'`, which spreadsheets
/// treat as "this is text"; the price is a visible `'` in other readers.
fn push_csv_field(out: &mut String, field: &str) {
    let guard = matches!(field.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    let quote = guard || field.contains(['"', ',', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if quote {
        for ch in field.chars() {
            if ch == '"' {
                out.push('"');
            }
            out.push(ch);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The visible comments for one cell, one per line:
/// `2024-05-01T10:00:00Z ana: text` (line breaks inside a comment become spaces).
pub fn comments_cell(c: &Capture) -> String {
    let line = |k: &&super::Comment| format!("{} {}: {}", format_rfc3339(k.created_ms), k.author, k.text.value.replace(['\r', '\n'], " "));
    c.comments.visible().iter().map(line).collect::<Vec<_>>().join("\n")
}

/// The history as a timeline for one cell, one event per line:
/// `2024-05-01T10:00:00Z ana status: new → responded` (an empty value is `-`).
pub fn history_cell(c: &Capture) -> String {
    let v = |s: &str| if s.is_empty() { "-".to_string() } else { s.to_string() };
    let line =
        |e: &&super::Event| format!("{} {} {}: {} \u{2192} {}", format_rfc3339(e.ms), e.member, e.field.as_str(), v(&e.from), v(&e.to));
    c.history.events().iter().map(line).collect::<Vec<_>>().join("\n")
}

/// The log as CSV: RFC 4180 (comma-separated, CRLF line ends, fields with
/// `"`, `,`, CR or LF quoted, `"` doubled), UTF-8 with a byte-order mark —
/// without it Excel reads UTF-8 as the local ANSI code page and "acción"
/// comes out as "acciÃ³n". LibreOffice honours the BOM too.
pub fn to_csv<'a>(captures: impl IntoIterator<Item = &'a Capture>) -> String {
    let mut out = String::from("\u{FEFF}");
    push_row(&mut out, CSV_COLUMNS.iter().copied());
    for c in captures {
        let cells = csv_cells(c);
        push_row(&mut out, cells.iter().map(String::as_str));
    }
    out
}

pub(crate) fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(out, cell);
    }
    out.push_str("\r\n");
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonExport<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    count: usize,
    captures: Vec<&'a Capture>,
}

/// The log as JSON: full CRDT records (every field with its edit stamp) in a
/// versioned wrapper, so importing it elsewhere merges exactly like sync.
pub fn to_json<'a>(captures: impl IntoIterator<Item = &'a Capture>, now_ms: i64) -> String {
    let captures: Vec<&Capture> = captures.into_iter().collect();
    let doc =
        JsonExport { format: JSON_FORMAT, version: JSON_VERSION, exported_at: format_rfc3339(now_ms), count: captures.len(), captures };
    // Compact: pretty-printing doubles a 50,000-record file (~60 → 120 MB).
    serde_json::to_string(&doc).expect("captures serialize")
}

/// One W3C Web Annotation for a capture.
///
/// Target: the page (`source`), with a `TextQuoteSelector` (the mention and
/// its surroundings) and, when known, a `TextPositionSelector`. Positions are
/// UTF-16 offsets in the page text as the DOM measures them (the model says
/// code points; they differ only for text outside the BMP, e.g. emoji).
/// Bodies: the note as a commenting `TextualBody`; brand, sentiment,
/// department, status, priority and each free tag as `tagging` bodies
/// (`"sentiment:negative"`, free tags verbatim); the comment's permalink as a
/// `linking` body.
#[derive(Serialize)]
pub struct Annotation<'a> {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    motivation: &'static str,
    created: String,
    modified: String,
    creator: Creator<'a>,
    body: Vec<Body<'a>>,
    target: Target<'a>,
}

#[derive(Serialize)]
struct Creator<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum Body<'a> {
    TextualBody {
        purpose: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        format: Option<&'static str>,
        value: std::borrow::Cow<'a, str>,
    },
    SpecificResource {
        purpose: &'static str,
        source: &'a str,
    },
}

#[derive(Serialize)]
struct Target<'a> {
    source: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    selector: Vec<Selector<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum Selector<'a> {
    TextQuoteSelector { exact: &'a str, prefix: &'a str, suffix: &'a str },
    TextPositionSelector { start: u32, end: u32 },
}

/// See [`Annotation`].
pub fn annotation(c: &Capture) -> Annotation<'_> {
    use std::borrow::Cow;
    let ctx = &c.context.value;
    let mut selector = vec![Selector::TextQuoteSelector { exact: &ctx.quote.exact, prefix: &ctx.quote.prefix, suffix: &ctx.quote.suffix }];
    if let Some(p) = ctx.position {
        selector.push(Selector::TextPositionSelector { start: p.start, end: p.end });
    }
    fn tag(value: Cow<'_, str>) -> Body<'_> {
        Body::TextualBody { purpose: "tagging", format: None, value }
    }
    let mut body = Vec::new();
    for k in c.comments.visible() {
        body.push(Body::TextualBody { purpose: "commenting", format: Some("text/plain"), value: Cow::Borrowed(&k.text.value) });
    }
    if !ctx.brand.is_empty() {
        body.push(tag(format!("brand:{}", ctx.brand).into()));
    }
    body.push(tag(format!("sentiment:{}", c.sentiment.value.as_str()).into()));
    if let Some(d) = &c.department.value {
        body.push(tag(format!("department:{d}").into()));
    }
    body.push(tag(format!("status:{}", c.status.value.as_str()).into()));
    body.push(tag(format!("priority:{}", c.priority.value.as_str()).into()));
    for t in c.tags.values() {
        body.push(tag(Cow::Owned(t)));
    }
    if let Some(link) = ctx.permalink.as_deref().filter(|l| !l.is_empty()) {
        body.push(Body::SpecificResource { purpose: "linking", source: link });
    }
    Annotation {
        id: format!("urn:uuid:{}", c.id),
        kind: "Annotation",
        motivation: if c.comments.visible().is_empty() { "tagging" } else { "commenting" },
        created: format_rfc3339(c.created_ms),
        modified: format_rfc3339(c.last_stamp().ms),
        creator: Creator { kind: "Person", name: &c.created_by },
        body,
        target: Target { source: &ctx.page_url, title: &ctx.page_title, selector },
    }
}

#[derive(Serialize)]
struct AnnotationCollection<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    label: &'static str,
    generated: String,
    total: usize,
    first: AnnotationPage<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AnnotationPage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    start_index: usize,
    items: Vec<Annotation<'a>>,
}

/// The log as a W3C Web Annotation collection (JSON-LD): one annotation per
/// capture, all on one `AnnotationPage`.
pub fn to_web_annotations<'a>(captures: impl IntoIterator<Item = &'a Capture>, now_ms: i64) -> String {
    let items: Vec<Annotation> = captures.into_iter().map(annotation).collect();
    let doc = AnnotationCollection {
        context: "http://www.w3.org/ns/anno.jsonld",
        id: format!("urn:escucha:export:{now_ms}"),
        kind: "AnnotationCollection",
        label: "Escucha log",
        generated: format_rfc3339(now_ms),
        total: items.len(),
        first: AnnotationPage { kind: "AnnotationPage", start_index: 0, items },
    };
    serde_json::to_string(&doc).expect("annotations serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{CaptureContext, Tags, TextPosition, TextQuote};
    use crate::log::stamp::Stamp;
    use crate::log::{CaptureEdit, Status};
    use serde_json::{json, Value};

    fn cap(text: &str, author: &str, note: &str) -> Capture {
        let ctx = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            page_title: "Atención al cliente".into(),
            site: "foro.example".into(),
            comment_text: text.into(),
            author_name: Some(author.into()),
            permalink: Some("https://foro.example/t/1#p3".into()),
            brand: "Telefónica".into(),
            term: "Movistar".into(),
            quote: TextQuote { exact: "Movistar".into(), prefix: "que ".into(), suffix: " cobra".into() },
            position: Some(TextPosition { start: 10, end: 18 }),
            ..Default::default()
        };
        let mut c = Capture::new(
            "01900000-0000-7000-8000-000000000001".into(),
            ctx,
            &Tags::default(),
            "ana",
            Stamp { ms: 1_714_557_600_000, counter: 0, actor: "a".into() },
        );
        c.apply(
            &CaptureEdit { add_comment: Some(note.into()), tags: Some(vec!["factura".into(), "urgente, ya".into()]), ..Default::default() },
            &Stamp { ms: 1_714_557_601_000, counter: 0, actor: "a".into() },
            "ana",
        )
        .unwrap();
        c
    }

    /// A minimal RFC 4180 reader, to prove what we write reads back.
    fn parse_csv(s: &str) -> Vec<Vec<String>> {
        let mut rows = vec![];
        let mut row = vec![];
        let mut field = String::new();
        let mut chars = s.chars().peekable();
        let mut quoted = false;
        while let Some(ch) = chars.next() {
            match (quoted, ch) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') => {
                    assert_eq!(chars.next(), Some('\n'), "bare CR outside quotes");
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, '\n') => panic!("bare LF outside quotes"),
                (false, c) => field.push(c),
            }
        }
        assert!(field.is_empty() && row.is_empty(), "file ends with CRLF");
        rows
    }

    #[test]
    fn csv_cells_round_trip_and_stay_literal() {
        let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        let cases: &[(&str, &str, &str, &str)] = &[
            // comment, author, note, expected comment cell after reading back
            ("Movistar me cobró dos veces, ¡qué vergüenza!", "José Núñez", "", "Movistar me cobró dos veces, ¡qué vergüenza!"),
            ("Dijo \"nunca más\"", "Ana", "ok", "Dijo \"nunca más\""),
            ("línea 1\nlínea 2\r\nlínea 3", "Zoë", "", "línea 1\nlínea 2\r\nlínea 3"),
            ("<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "", "<img src=x onerror=alert(1)>"),
            ("=HYPERLINK(\"http://evil\",\"x\")", "@admin", "+1 nota", "'=HYPERLINK(\"http://evil\",\"x\")"),
            ("-2+3", "Ana", "", "'-2+3"),
            ("emoji 👍 ok", "Ana", "", "emoji 👍 ok"),
        ];
        for (text, author, note, want) in cases {
            let c = cap(text, author, note);
            let csv = to_csv([&c]);
            assert!(csv.starts_with('\u{FEFF}'), "BOM");
            let rows = parse_csv(csv.trim_start_matches('\u{FEFF}'));
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0], CSV_COLUMNS.map(String::from).to_vec());
            assert_eq!(rows[1].len(), CSV_COLUMNS.len());
            assert_eq!(rows[1][col("comment")], *want, "{text:?}");
            let guarded = |s: &str| if matches!(s.chars().next(), Some('=' | '+' | '-' | '@')) { format!("'{s}") } else { s.to_string() };
            assert_eq!(rows[1][col("author")], guarded(author));
            // The note is the thread's first comment (issue 12): time, author, text.
            let comments = if note.is_empty() { String::new() } else { format!("2024-05-01T10:00:01.000Z ana: {note}") };
            assert_eq!(rows[1][col("comments")], comments);
            assert_eq!(rows[1][col("tags")], "factura; urgente, ya");
            assert_eq!(rows[1][col("created")], "2024-05-01T10:00:00.000Z");
            assert_eq!(rows[1][col("modified")], "2024-05-01T10:00:01.000Z");
            assert_eq!(rows[1][col("brand")], "Telefónica");
            assert_eq!(rows[1][col("permalink")], "https://foro.example/t/1#p3");
        }
    }

    #[test]
    fn history_and_comments_are_exported_as_timelines_and_fields() {
        let mut c = cap("hola", "Ana", "primera");
        let s = |ms: i64, a: &str| Stamp { ms: 1_714_557_600_000 + ms, counter: 0, actor: a.into() };
        c.apply(
            &CaptureEdit { status: Some(Status::Responded), assignee: Some(Some("bo".into())), ..Default::default() },
            &s(5_000, "b"),
            "bo",
        )
        .unwrap();
        c.apply(&CaptureEdit { add_comment: Some("dos\nlíneas".into()), ..Default::default() }, &s(6_000, "b"), "bo").unwrap();
        let rows = parse_csv(to_csv([&c]).trim_start_matches('\u{FEFF}'));
        let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
        assert_eq!(rows[1][col("comments")], "2024-05-01T10:00:01.000Z ana: primera\n2024-05-01T10:00:06.000Z bo: dos líneas");
        assert_eq!(rows[1][col("assignee")], "bo");
        assert_eq!(
            rows[1][col("history")],
            // One edit's events share a time; their ids order them.
            "2024-05-01T10:00:05.000Z bo assignee: - \u{2192} bo\n2024-05-01T10:00:05.000Z bo status: new \u{2192} responded"
        );
        let doc: Value = serde_json::from_str(&to_json([&c], 1_714_557_600_000)).unwrap();
        assert_eq!(doc["captures"][0]["history"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["captures"][0]["comments"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["captures"][0]["assignee"]["value"], "bo");
    }

    #[test]
    fn csv_bytes_are_utf8_with_bom_and_crlf() {
        let csv = to_csv([&cap("acción", "Núñez", "")]);
        let bytes = csv.as_bytes();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        assert!(csv.contains("acci\u{f3}n"));
        assert_eq!(csv.matches("\r\n").count(), 2);
        assert_eq!(csv.matches('\n').count(), 2, "no bare LF");
    }

    #[test]
    fn json_export_is_versioned_and_keeps_full_records() {
        let c = cap("<img src=x onerror=alert(1)> acción", "José", "nota");
        let doc: Value = serde_json::from_str(&to_json([&c], 1_714_557_600_000)).unwrap();
        assert_eq!(doc["format"], JSON_FORMAT);
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["exportedAt"], "2024-05-01T10:00:00.000Z");
        assert_eq!(doc["count"], 1);
        let back: Capture = serde_json::from_value(doc["captures"][0].clone()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn web_annotations_have_target_selectors_and_bodies() {
        let mut c = cap("<img src=x onerror=alert(1)>", "José", "Llamar mañana");
        c.apply(
            &CaptureEdit { department: Some(Some("Atención".into())), ..Default::default() },
            &Stamp { ms: 1_714_557_602_000, counter: 0, actor: "a".into() },
            "ana",
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&to_web_annotations([&c], 0)).unwrap();
        assert_eq!(doc["@context"], "http://www.w3.org/ns/anno.jsonld");
        assert_eq!(doc["total"], 1);
        let a = &doc["first"]["items"][0];
        assert_eq!(a["type"], "Annotation");
        assert_eq!(a["id"], "urn:uuid:01900000-0000-7000-8000-000000000001");
        assert_eq!(a["target"]["source"], "https://foro.example/t/1");
        assert_eq!(
            a["target"]["selector"][0],
            json!({"type": "TextQuoteSelector", "exact": "Movistar", "prefix": "que ", "suffix": " cobra"})
        );
        assert_eq!(a["target"]["selector"][1], json!({"type": "TextPositionSelector", "start": 10, "end": 18}));
        let bodies = a["body"].as_array().unwrap();
        assert_eq!(bodies[0]["value"], "Llamar mañana");
        assert_eq!(bodies[0]["purpose"], "commenting");
        let tags: Vec<&str> = bodies.iter().filter(|b| b["purpose"] == "tagging").map(|b| b["value"].as_str().unwrap()).collect();
        assert_eq!(
            tags,
            ["brand:Telefónica", "sentiment:neutral", "department:Atención", "status:new", "priority:normal", "factura", "urgente, ya"]
        );
        assert_eq!(bodies.last().unwrap()["source"], "https://foro.example/t/1#p3");
        // No position known: only the quote selector.
        c.context.value.position = None;
        assert_eq!(serde_json::to_value(annotation(&c)).unwrap()["target"]["selector"].as_array().unwrap().len(), 1);
    }
}
