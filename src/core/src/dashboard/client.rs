//! The dashboard's side of sync API v1: which requests it makes and what it
//! tells the user when one fails. The page only performs the fetches.

use super::i18n::{server_error_label, tr, Lang, Text};
use crate::log::query_api::CaptureQuery;
use crate::log::CaptureEdit;
use crate::sync::api::{ErrorBody, ErrorCode, MAX_PULL_LIMIT};

/// How often the dashboard pulls changes, so edits made in the extensions
/// (and by teammates) appear without a reload.
pub const REFRESH_SECONDS: u32 = 30;

/// Captures per pull page: the most the server allows, so a large log loads
/// in few round trips.
pub const PULL_LIMIT: u32 = MAX_PULL_LIMIT;

/// `GET /api/v1/pull` for the changes after `cursor` (all of them for `None`).
pub fn pull_path(cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("/api/v1/pull?since={}&limit={PULL_LIMIT}", percent_encode(c)),
        None => format!("/api/v1/pull?limit={PULL_LIMIT}"),
    }
}

/// How long the filter bar waits after the last keystroke before asking
/// the server, so typing a word costs one query, not one per letter.
pub const FILTER_DEBOUNCE_MS: u32 = 250;

/// `GET /api/v1/captures`: one page of the query's rows.
pub fn captures_path(q: &CaptureQuery) -> String {
    format!("/api/v1/captures?{}", q.to_query_string())
}

/// `GET /api/v1/facets`: counts for the filter bar (paging does not apply).
pub fn facets_path(q: &CaptureQuery) -> String {
    let q = CaptureQuery { after: None, ..q.clone() };
    format!("/api/v1/facets?{}", q.to_query_string())
}

/// `GET /api/v1/aggregates`: the charts, on the user's days.
pub fn aggregates_path(q: &CaptureQuery, tz_offset_min: i32) -> String {
    let q = CaptureQuery { after: None, ..q.clone() };
    format!("/api/v1/aggregates?{}&tz={tz_offset_min}", q.to_query_string())
}

/// `POST /api/v1/captures/{id}/edit`.
pub fn edit_path(id: &str) -> String {
    format!("/api/v1/captures/{}/edit", percent_encode(id))
}

/// The JSON body of an edit: only the fields it sets. Clearing the
/// department is sent as `""` (which `Capture::apply` stores as "none"),
/// because `null` reads back as "field absent" in a `CaptureEdit`.
pub fn edit_body(edit: &CaptureEdit) -> String {
    let mut v = serde_json::to_value(edit).expect("an edit serializes");
    if let Some(obj) = v.as_object_mut() {
        // `null` clears an assignee or a claim (wsmodel12); elsewhere it is "absent".
        obj.retain(|k, x| !x.is_null() || matches!(k.as_str(), "assignee" | "claim"));
        if matches!(edit.department, Some(None)) {
            obj.insert("department".into(), serde_json::Value::String(String::new()));
        }
    }
    v.to_string()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What went wrong with a request, as far as the page could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer (offline, DNS, refused, timed out).
    Network,
    /// An HTTP error status, its body, and `Retry-After` if any.
    Http { status: u16, body: String, retry_after: Option<String> },
    /// A 2xx whose body was not what API v1 promises.
    BadResponse(String),
}

impl Failure {
    /// The token is not (or no longer) good: go back to the sign-in form.
    pub fn is_auth(&self) -> bool {
        matches!(self, Failure::Http { status: 401 | 403, .. })
    }

    /// A sentence for the user, in their language. Uses the server's own
    /// message (plain text, shown as text) when it sent one.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Failure::Network => Text::ServerUnreachable.get(lang).to_string(),
            Failure::BadResponse(why) => tr(lang, Text::ServerError, &[why]),
            Failure::Http { status, body, retry_after } => {
                let parsed = serde_json::from_str::<ErrorBody>(body).ok().map(|b| b.error);
                match (status, parsed.as_ref().map(|e| e.code)) {
                    (401, _) | (_, Some(ErrorCode::Unauthorized)) => Text::TokenRejected.get(lang).to_string(),
                    (403, _) | (_, Some(ErrorCode::Forbidden)) => Text::TokenRevoked.get(lang).to_string(),
                    (429, _) => {
                        let secs = retry_after.as_deref().and_then(|s| s.trim().parse::<u32>().ok()).unwrap_or(REFRESH_SECONDS);
                        tr(lang, Text::RateLimited, &[&secs.to_string()])
                    }
                    // The code is worded here; the server's English only as a quoted detail.
                    _ => match parsed {
                        Some(e) => tr(lang, Text::ServerRefused, &[server_error_label(lang, e.code), &e.message]),
                        None => tr(lang, Text::ServerError, &[&format!("HTTP {status}")]),
                    },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Status;
    use crate::sync::validate::parse_edit;

    #[test]
    fn paths_encode_what_they_carry() {
        assert_eq!(pull_path(None), "/api/v1/pull?limit=1000");
        assert_eq!(pull_path(Some("42")), "/api/v1/pull?since=42&limit=1000");
        assert_eq!(pull_path(Some("a&b=c")), "/api/v1/pull?since=a%26b%3Dc&limit=1000");
        assert_eq!(edit_path("0190-ab/../x"), "/api/v1/captures/0190-ab%2F..%2Fx/edit");
    }

    #[test]
    fn query_paths_carry_the_filters_and_only_the_list_pages() {
        let f = crate::dashboard::view::Filters {
            text: "a&b=c cobró".into(),
            brand: "v:Telefónica".into(),
            department: "none".into(),
            ..Default::default()
        };
        let mut q = f.to_capture_query(60, 50).unwrap();
        assert_eq!(
            captures_path(&q),
            "/api/v1/captures?q=a%26b%3Dc%20cobr%C3%B3&department=&brand=Telef%C3%B3nica&sort=created&order=desc&limit=50"
        );
        q.after = Some(vec![crate::log::query_api::SortValue::Int(5), crate::log::query_api::SortValue::Text("x".into())]);
        assert!(captures_path(&q).contains("&after="));
        assert!(!facets_path(&q).contains("after="));
        assert!(aggregates_path(&q, -300).ends_with("&limit=50&tz=-300"));
    }

    #[test]
    fn edit_bodies_carry_only_what_changed_and_the_server_reads_them_back() {
        let cases = [
            (CaptureEdit { status: Some(Status::Closed), ..Default::default() }, r#"{"status":"closed"}"#),
            (CaptureEdit { department: Some(Some("Soporte".into())), ..Default::default() }, r#"{"department":"Soporte"}"#),
            (CaptureEdit { department: Some(None), ..Default::default() }, r#"{"department":""}"#),
        ];
        for (edit, want) in cases {
            let body = edit_body(&edit);
            assert_eq!(body, want);
            let back = parse_edit(&serde_json::from_str(&body).unwrap()).unwrap();
            let expected = if edit.department == Some(None) {
                CaptureEdit { department: Some(Some(String::new())), ..Default::default() }
            } else {
                edit
            };
            assert_eq!(back, expected);
        }
    }

    #[test]
    fn failures_become_clear_sentences() {
        let http = |status: u16, body: &str, retry: Option<&str>| Failure::Http {
            status,
            body: body.into(),
            retry_after: retry.map(String::from),
        };
        let cases: Vec<(Failure, Lang, &str, bool)> = vec![
            (
                http(401, r#"{"error":{"code":"unauthorized","message":"Unknown token."}}"#, None),
                Lang::En,
                "did not accept this token",
                true,
            ),
            (http(401, "", None), Lang::Es, "no aceptó este token", true),
            (http(403, r#"{"error":{"code":"forbidden","message":"Revoked."}}"#, None), Lang::En, "revoked", true),
            (http(429, "", Some("7")), Lang::En, "in 7 s", false),
            (
                http(400, r#"{"error":{"code":"bad_request","message":"status: unknown variant `done`"}}"#, None),
                Lang::En,
                "status: unknown variant",
                false,
            ),
            (http(502, "<html>Bad gateway</html>", None), Lang::En, "HTTP 502", false),
            (Failure::Network, Lang::Es, "No se puede contactar", false),
            (Failure::BadResponse("items missing".into()), Lang::En, "items missing", false),
        ];
        for (f, lang, want, auth) in cases {
            let msg = f.message(lang);
            assert!(msg.contains(want), "{f:?}: {msg}");
            assert_eq!(f.is_auth(), auth, "{f:?}");
        }
    }
}
