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
        let x = &c.context.value;
        let last = c.last_stamp();
        // Borrowed where the record has the text: a page of rows is written
        // without copying every cell.
        fn opt(v: &Option<String>) -> &str {
            v.as_deref().unwrap_or("")
        }
        let time = x.comment_time.as_ref();
        let (created, updated, tags) = (iso_time(c.created_ms), iso_time(last.ms), c.tags.values().join("; "));
        let comments = escucha_core::log::export::comments_cell(c);
        let history = escucha_core::log::export::history_cell(c);
        let row: [&str; 26] = [
            &c.id,
            &created,
            &c.created_by,
            &x.site,
            &x.page_url,
            &x.page_title,
            opt(&x.permalink),
            opt(&x.author_name),
            opt(&x.author_url),
            time.and_then(|t| t.utc.as_deref()).unwrap_or(""),
            time.map(|t| t.original.as_str()).unwrap_or(""),
            &x.brand,
            &x.term,
            &x.quote.exact,
            &x.comment_text,
            opt(&x.lang),
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
        }))?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
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

fn decode_page(rows: &[ExportRow]) -> Result<Vec<Capture>, DbError> {
    rows.iter().map(|r| crate::store::decode(&r.record).map_err(|e| DbError(format!("A stored capture is not readable: {e}")))).collect()
}

/// The CSV export as a stream of chunks (one per page).
pub fn csv_stream(storage: Storage, team_id: i64) -> impl Stream<Item = Result<Bytes, DbError>> + Send + 'static {
    let head = stream::once(async { csv_head().map(Bytes::from).map_err(|e| DbError(e.to_string())) });
    let body = pages(storage, team_id)
        .map(|page| page.and_then(|rows| csv_rows(&decode_page(&rows)?).map(Bytes::from).map_err(|e| DbError(e.to_string()))));
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
    use escucha_core::log::{CaptureContext, Stamp, Tags};

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

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(file_name("Atención al Cliente", 1_714_557_600_000, "csv"), "escucha-atenci-n-al-cliente-2024-05-01.csv");
        assert_eq!(file_name("ñ", 0, "json"), "escucha-team-1970-01-01.json");
    }
}
