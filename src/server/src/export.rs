//! The team log as a spreadsheet (CSV) or as JSON records.
//!
//! CSV is RFC 4180 (CRLF, quotes doubled) in UTF-8 with a byte-order mark,
//! which is what makes Excel read "Telefónica" rather than "TelefÃ³nica".
//! Cells that a spreadsheet would run as a formula (leading = + - @, tab or
//! CR) get a leading apostrophe: comment text is written by strangers.
//!
//! Both stream: the team log is read page by page ([`EXPORT_PAGE_ROWS`]
//! rows, each page its own short read) and each page is written out before
//! the next is read, so memory stays bounded whatever the team's size, and
//! a long export never holds the database from health checks or other teams.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use escucha_core::log::Capture;
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub const CSV_COLUMNS: [&str; 26] = [
    "id",
    "createdAt",
    "createdBy",
    "site",
    "pageUrl",
    "pageTitle",
    "permalink",
    "authorName",
    "authorUrl",
    "commentTime",
    "commentTimeOriginal",
    "brand",
    "term",
    "quote",
    "commentText",
    "lang",
    "sentiment",
    "department",
    "status",
    "priority",
    "tags",
    // The comment thread (the old note's place), one comment per line.
    "comments",
    "updatedAt",
    "updatedBy",
    "assignee",
    // The history as a timeline, one event per line.
    "history",
];

/// Milliseconds since the epoch as RFC 3339 UTC (`2024-05-01T10:00:00.123Z`).
pub fn iso_time(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok().and_then(|t| t.format(&Rfc3339).ok()).unwrap_or_default()
}

fn defuse(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

use crate::db::DbError;
use crate::storage::Storage;
use crate::store::{ExportCursor, ExportRow, EXPORT_PAGE_ROWS};

/// The whole export in memory (small logs and tests; the routes stream).
pub fn csv(captures: &[Capture]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv_head()?;
    out.extend(csv_rows(captures)?);
    Ok(out)
}

/// The byte-order mark and the header line.
pub fn csv_head() -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(CSV_COLUMNS)?;
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Rows only, for one page of a streamed export.
pub fn csv_rows(captures: &[Capture]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for c in captures {
        write_row(&mut out, c, &Cells::of(&c.context.value))?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The context's cells, borrowed: from a decoded [`Capture`], or straight
/// from the stored JSON ([`ContextView`]).
struct Cells<'a> {
    site: &'a str,
    page_url: &'a str,
    page_title: &'a str,
    permalink: &'a str,
    author_name: &'a str,
    author_url: &'a str,
    comment_time_utc: &'a str,
    comment_time_original: &'a str,
    brand: &'a str,
    term: &'a str,
    quote: &'a str,
    comment_text: &'a str,
    lang: &'a str,
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

impl<'a> Cells<'a> {
    fn of(x: &'a escucha_core::log::CaptureContext) -> Cells<'a> {
        let time = x.comment_time.as_ref();
        Cells {
            site: &x.site,
            page_url: &x.page_url,
            page_title: &x.page_title,
            permalink: opt(&x.permalink),
            author_name: opt(&x.author_name),
            author_url: opt(&x.author_url),
            comment_time_utc: time.and_then(|t| t.utc.as_deref()).unwrap_or(""),
            comment_time_original: time.map(|t| t.original.as_str()).unwrap_or(""),
            brand: &x.brand,
            term: &x.term,
            quote: &x.quote.exact,
            comment_text: &x.comment_text,
            lang: opt(&x.lang),
        }
    }
}

/// One capture's row: the context's cells from `x`, the rest from `c`.
fn write_row<W: std::io::Write>(out: &mut csv::Writer<W>, c: &Capture, x: &Cells) -> Result<(), csv::Error> {
    let last = c.last_stamp();
    let (created, updated, tags) = (iso_time(c.created_ms), iso_time(last.ms), c.tags.values().join("; "));
    let comments = escucha_core::log::export::comments_cell(c);
    let history = escucha_core::log::export::history_cell(c);
    let row: [&str; 26] = [
        &c.id,
        &created,
        &c.created_by,
        x.site,
        x.page_url,
        x.page_title,
        x.permalink,
        x.author_name,
        x.author_url,
        x.comment_time_utc,
        x.comment_time_original,
        x.brand,
        x.term,
        x.quote,
        x.comment_text,
        x.lang,
        c.sentiment.value.as_str(),
        opt(&c.department.value),
        c.status.value.as_str(),
        c.priority.value.as_str(),
        &tags,
        &comments,
        &updated,
        &last.actor,
        opt(&c.assignee.value),
        &history,
    ];
    out.write_record(row.iter().map(|cell| match defuse(cell) {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }))
}

// ---- q16d: CSV cells straight from the stored JSON ----
//
// Decoding a whole `Capture` per row (every context string allocated, then
// freed) was most of a CSV export's time. The view below borrows the
// context's strings from the stored text (owned only where the JSON escapes
// them) and decodes the rest into the core's own types, so the row is built
// by the same `write_row` and the core's `last_stamp`, tag, comment and
// history logic. A record the view does not read exactly as `Capture` does
// (the legacy `note` becomes a comment) is decoded in full.

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ContextView<'a> {
    #[serde(borrow)]
    page_url: Cow<'a, str>,
    #[serde(borrow)]
    page_title: Cow<'a, str>,
    #[serde(borrow)]
    site: Cow<'a, str>,
    #[serde(borrow)]
    lang: Option<Cow<'a, str>>,
    #[serde(borrow)]
    comment_text: Cow<'a, str>,
    #[serde(borrow)]
    author_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    author_url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    comment_time: Option<CommentTimeView<'a>>,
    #[serde(borrow)]
    permalink: Option<Cow<'a, str>>,
    #[serde(borrow)]
    brand: Cow<'a, str>,
    #[serde(borrow)]
    term: Cow<'a, str>,
    #[serde(borrow)]
    quote: QuoteView<'a>,
}

impl Default for ContextView<'_> {
    fn default() -> Self {
        let e = || Cow::Borrowed("");
        ContextView {
            page_url: e(),
            page_title: e(),
            site: e(),
            lang: None,
            comment_text: e(),
            author_name: None,
            author_url: None,
            comment_time: None,
            permalink: None,
            brand: e(),
            term: e(),
            quote: QuoteView::default(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CommentTimeView<'a> {
    #[serde(borrow)]
    utc: Option<Cow<'a, str>>,
    #[serde(borrow)]
    original: Cow<'a, str>,
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct QuoteView<'a> {
    #[serde(borrow)]
    exact: Cow<'a, str>,
}

/// `Capture`'s wire fields, the context borrowed.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordView<'a> {
    id: String,
    created_ms: i64,
    created_by: String,
    #[serde(borrow)]
    context: escucha_core::log::Lww<ContextView<'a>>,
    sentiment: escucha_core::log::Lww<escucha_core::log::Sentiment>,
    department: escucha_core::log::Lww<Option<String>>,
    status: escucha_core::log::Lww<escucha_core::log::Status>,
    priority: escucha_core::log::Lww<escucha_core::log::Priority>,
    #[serde(default)]
    tags: escucha_core::log::TagSet,
    #[serde(default)]
    assignee: escucha_core::log::Lww<Option<String>>,
    #[serde(default)]
    claim: escucha_core::log::Lww<Option<escucha_core::log::Claim>>,
    #[serde(default)]
    comments: escucha_core::log::Thread,
    #[serde(default)]
    history: escucha_core::log::History,
    deleted: escucha_core::log::Lww<bool>,
    #[serde(default)]
    verified_response: escucha_core::log::Lww<Option<escucha_core::log::VerifiedResponse>>,
    /// Present only in legacy records: those are decoded in full.
    #[serde(default)]
    note: Option<serde::de::IgnoredAny>,
}

fn view_str<'b>(v: &'b Option<Cow<'_, str>>) -> &'b str {
    v.as_deref().unwrap_or("")
}

/// One page of stored records as CSV rows, each written from its view.
pub fn csv_page(rows: &[ExportRow]) -> Result<Vec<u8>, DbError> {
    let bad = |e: serde_json::Error| DbError(format!("A stored capture is not readable: {e}"));
    let csv_err = |e: csv::Error| DbError(e.to_string());
    let size = rows.iter().map(|r| r.record.len()).sum::<usize>();
    let mut out = csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(Vec::with_capacity(size / 2));
    for row in rows {
        let v: RecordView = serde_json::from_str(&row.record).map_err(bad)?;
        if v.note.is_some() {
            let c = crate::store::decode(&row.record).map_err(bad)?;
            write_row(&mut out, &c, &Cells::of(&c.context.value)).map_err(csv_err)?;
            continue;
        }
        let x = &v.context.value;
        let time = x.comment_time.as_ref();
        let cells = Cells {
            site: &x.site,
            page_url: &x.page_url,
            page_title: &x.page_title,
            permalink: view_str(&x.permalink),
            author_name: view_str(&x.author_name),
            author_url: view_str(&x.author_url),
            comment_time_utc: time.map_or("", |t| view_str(&t.utc)),
            comment_time_original: time.map_or("", |t| &t.original),
            brand: &x.brand,
            term: &x.term,
            quote: &x.quote.exact,
            comment_text: &x.comment_text,
            lang: view_str(&x.lang),
        };
        // The record without its context's value (the cells above hold it):
        // every other cell comes from the core's own logic over it.
        let c = Capture {
            id: v.id,
            created_ms: v.created_ms,
            created_by: v.created_by,
            context: escucha_core::log::Lww { value: Default::default(), stamp: v.context.stamp.clone() },
            sentiment: v.sentiment,
            department: v.department,
            status: v.status,
            priority: v.priority,
            tags: v.tags,
            assignee: v.assignee,
            claim: v.claim,
            comments: v.comments,
            history: v.history,
            deleted: v.deleted,
            verified_response: v.verified_response,
        };
        write_row(&mut out, &c, &cells).map_err(csv_err)?;
    }
    out.into_inner().map_err(|e| DbError(e.into_error().to_string()))
}

/// The team's live captures, page after page; each page is read only when
/// the previous one has been sent.
pub fn pages(storage: Storage, team_id: i64) -> impl Stream<Item = Result<Vec<ExportRow>, DbError>> + Send + 'static {
    let start: Option<ExportCursor> = Some((i64::MIN, String::new()));
    stream::unfold(start, move |after| {
        let storage = storage.clone();
        async move {
            let after = after?;
            match storage.export_page(team_id, after, EXPORT_PAGE_ROWS).await {
                Ok(rows) if rows.is_empty() => None,
                Ok(rows) => {
                    let next = (rows.len() == EXPORT_PAGE_ROWS as usize).then(|| {
                        let last = &rows[rows.len() - 1];
                        (last.created_ms, last.id.clone())
                    });
                    Some((Ok(rows), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "export stopped");
                    Some((Err(e), None))
                }
            }
        }
    })
}

/// The CSV export as a stream of chunks (one per page).
pub fn csv_stream(storage: Storage, team_id: i64) -> impl Stream<Item = Result<Bytes, DbError>> + Send + 'static {
    let head = stream::once(async { csv_head().map(Bytes::from).map_err(|e| DbError(e.to_string())) });
    let body = pages(storage, team_id).map(|page| page.and_then(|rows| csv_page(&rows).map(Bytes::from)));
    head.chain(body)
}

/// The JSON export as a stream: `{"team", "exportedAt", "captures": [...],
/// "count"}`, each capture as stored, the count last (it is the number
/// actually written).
pub fn json_stream(
    storage: Storage,
    team_id: i64,
    team: String,
    now_ms: i64,
) -> impl Stream<Item = Result<Bytes, DbError>> + Send + 'static {
    let count = Arc::new(AtomicU64::new(0));
    let head = format!("{{\n  \"team\": {},\n  \"exportedAt\": {},\n  \"captures\": [", json!(team), json!(iso_time(now_ms)));
    let written = count.clone();
    let body = pages(storage, team_id).map(move |page| {
        page.map(|rows| {
            let mut out = String::with_capacity(rows.iter().map(|r| r.record.len() + 6).sum());
            for row in &rows {
                out.push_str(if written.fetch_add(1, Ordering::Relaxed) == 0 { "\n    " } else { ",\n    " });
                out.push_str(&row.record);
            }
            Bytes::from(out)
        })
    });
    let tail = stream::once(async move { Ok(Bytes::from(format!("\n  ],\n  \"count\": {}\n}}\n", count.load(Ordering::Relaxed)))) });
    stream::once(async move { Ok(Bytes::from(head)) }).chain(body).chain(tail)
}

/// A file name safe in any header: ASCII letters, digits and dashes.
pub fn file_name(team: &str, now_ms: i64, ext: &str) -> String {
    let slug: String = team.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    let date = iso_time(now_ms).get(..10).unwrap_or("").to_string();
    format!("escucha-{}-{date}.{ext}", if slug.is_empty() { "team" } else { &slug })
}

#[cfg(test)]
mod tests {
    use super::*;
    use escucha_core::log::{CaptureContext, CaptureEdit, CommentTime, Stamp, Status, Tags, TextQuote};

    #[test]
    fn csv_has_a_bom_crlf_quoting_and_defused_formulas() {
        let ctx = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            comment_text: "=HYPERLINK(\"http://evil\")\nsegunda línea, con coma".into(),
            brand: "Telefónica".into(),
            ..Default::default()
        };
        let tags = Tags { tags: vec!["factura".into(), "móvil".into()], ..Default::default() };
        let c = Capture::new("id-1".into(), ctx, &tags, "ana", Stamp { ms: 1_714_557_600_000, counter: 0, actor: "dev".into() });
        let bytes = csv(&[c]).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBFid,createdAt,"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0].split(',').count(), CSV_COLUMNS.len());
        assert!(text.contains("id-1,2024-05-01T10:00:00Z,ana,"), "{text}");
        assert!(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\nsegunda línea, con coma\""), "{text}");
        assert!(text.contains(",Telefónica,"));
        assert!(text.contains(",factura; móvil,"));
        assert!(text.ends_with("\r\n"));
    }

    /// q16d: the page writer (cells from the stored JSON) writes exactly
    /// what decoding each record and writing it does, for records with
    /// escaped text, comments, history, tags, an assignee, a missing
    /// context field, and a legacy `note` (decoded in full).
    #[test]
    fn csv_page_writes_what_decoding_writes() {
        let mut records = Vec::new();
        for n in 0..6i64 {
            let ctx = CaptureContext {
                page_url: format!("https://foro.example/t/{n}?a=\"b\""),
                page_title: "Título \"con\" comillas\ty tab".into(),
                site: "foro.example".into(),
                comment_text: format!("=SUMA(1)\nlínea {n}, \u{1F600} \\ fin"),
                author_name: (n % 2 == 0).then(|| "José".to_string()),
                comment_time: (n % 3 == 0).then(|| CommentTime {
                    utc: Some("2024-05-01T08:00:00Z".into()),
                    original: "ayer".into(),
                    zone_assumed: true,
                }),
                permalink: (n % 2 == 1).then(|| format!("https://foro.example/p/{n}")),
                brand: "Telefónica".into(),
                term: "Movistar".into(),
                quote: TextQuote { exact: "Movistar\"".into(), prefix: "a".into(), suffix: "b".into() },
                lang: Some("es".into()),
                ..Default::default()
            };
            let tags = Tags { tags: vec!["factura".into()], ..Default::default() };
            let stamp = Stamp { ms: 1_714_557_600_000 + n, counter: 0, actor: "dev".into() };
            let mut c = Capture::new(format!("id-{n}"), ctx, &tags, "ana", stamp.clone());
            let edit = CaptureEdit {
                status: Some(Status::ALL[n as usize % 5]),
                assignee: Some((n % 2 == 0).then(|| "luis".to_string())),
                add_tags: vec!["móvil".into()],
                add_comment: (n % 2 == 0).then(|| "llamé, \"sin\" respuesta\nmañana".to_string()),
                ..Default::default()
            };
            c.apply(&edit, &Stamp::next(&stamp, stamp.ms + 60_000, "member:luis"), "luis").unwrap();
            let mut json: serde_json::Value = serde_json::to_value(&c).unwrap();
            if n == 4 {
                json["context"]["value"].as_object_mut().unwrap().remove("pageTitle");
            }
            if n == 5 {
                json["note"] = json!({"value": "nota antigua", "stamp": {"ms": 1_714_557_000_000i64, "counter": 0, "actor": "member:ana"}});
            }
            records.push(ExportRow { created_ms: c.created_ms, id: c.id.clone(), record: json.to_string() });
        }
        let decoded: Vec<Capture> = records.iter().map(|r| crate::store::decode(&r.record).unwrap()).collect();
        assert!(!decoded[5].comments.visible().is_empty(), "the legacy note is a comment");
        let want = csv_rows(&decoded).unwrap();
        assert_eq!(String::from_utf8(csv_page(&records).unwrap()).unwrap(), String::from_utf8(want).unwrap());
    }

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(file_name("Atención al Cliente", 1_714_557_600_000, "csv"), "escucha-atenci-n-al-cliente-2024-05-01.csv");
        assert_eq!(file_name("ñ", 0, "json"), "escucha-team-1970-01-01.json");
    }
}
