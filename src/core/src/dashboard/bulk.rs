//! Bulk edits from the dashboard's queue: one change (status, assignee,
//! department, priority) applied to a selection of captures through
//! `POST /api/v1/captures/bulk-edit`. The request's shape and its checks
//! live here so the server and the page agree; each item then goes through
//! the server's one edit path, and the answer says per item what happened.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::log::CaptureEdit;
use crate::sync::api::ApiError;
use crate::sync::validate::{parse_edit, parse_id};

/// The most captures one bulk edit may name: a few pages of the queue, and
/// small enough that the per-item transactions answer within the request
/// deadline on a busy SQLite file.
pub const MAX_BULK_IDS: usize = 200;

/// The edit fields a bulk change may set. Comments, tags and deletion are
/// per-capture acts, never done to a selection.
pub const BULK_KEYS: [&str; 4] = ["status", "department", "priority", "assignee"];

/// `POST /api/v1/captures/bulk-edit`: which captures, and the one change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkEdit {
    pub ids: Vec<String>,
    pub edit: CaptureEdit,
}

/// What happened to one capture of a bulk edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    pub id: String,
    /// `true`: the change is committed (or the capture already had it).
    pub ok: bool,
    /// Why not, when `ok` is false (the same error the one-capture edit gives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
}

/// The answer: one item per id, in the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkEditResponse {
    pub results: Vec<BulkItem>,
}

impl BulkEditResponse {
    /// (changed, refused) counts.
    pub fn tally(&self) -> (usize, usize) {
        let ok = self.results.iter().filter(|r| r.ok).count();
        (ok, self.results.len() - ok)
    }
}

/// Why a bulk request was refused as a whole (nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkRefusal {
    /// More ids than [`MAX_BULK_IDS`].
    TooMany { count: usize, max: usize },
    /// Anything else malformed: the field and what is wrong with it.
    Invalid(String),
}

impl std::fmt::Display for BulkRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BulkRefusal::TooMany { count, max } => {
                write!(f, "ids: {count} captures in one bulk edit; select at most {max} and send the rest in another request.")
            }
            BulkRefusal::Invalid(why) => f.write_str(why),
        }
    }
}

/// A bulk request as the server reads it: `ids` (1 to [`MAX_BULK_IDS`]
/// canonical UUIDs, no repeats) and an `edit` that sets only [`BULK_KEYS`],
/// checked by the same validator as a one-capture edit.
pub fn parse_bulk(value: &Value) -> Result<BulkEdit, BulkRefusal> {
    let bad = |s: String| BulkRefusal::Invalid(s);
    let Some(obj) = value.as_object() else {
        return Err(bad("the body must be a JSON object with ids and edit".into()));
    };
    if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "ids" | "edit")) {
        return Err(bad(format!("{k}: unknown field; a bulk edit has ids and edit")));
    }
    let ids = obj.get("ids").and_then(Value::as_array).ok_or_else(|| bad("ids: a list of capture ids is required".into()))?;
    if ids.is_empty() {
        return Err(bad("ids: the selection is empty; select at least one capture".into()));
    }
    if ids.len() > MAX_BULK_IDS {
        return Err(BulkRefusal::TooMany { count: ids.len(), max: MAX_BULK_IDS });
    }
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for (i, v) in ids.iter().enumerate() {
        let id = v.as_str().ok_or_else(|| bad(format!("ids[{i}]: must be a string")))?;
        parse_id(id).map_err(|e| bad(format!("ids[{i}]: {e}")))?;
        if out.iter().any(|x| x == id) {
            return Err(bad(format!("ids[{i}]: \u{201c}{id}\u{201d} is listed twice")));
        }
        out.push(id.to_string());
    }
    let edit = obj.get("edit").ok_or_else(|| bad(format!("edit: required; set one of {}", BULK_KEYS.join(", "))))?;
    if let Some(k) = edit.as_object().and_then(|o| o.keys().find(|k| !BULK_KEYS.contains(&k.as_str()))) {
        return Err(bad(format!("edit.{k}: a bulk edit may only set {}", BULK_KEYS.join(", "))));
    }
    let edit = parse_edit(edit).map_err(|e| bad(format!("edit: {e}")))?;
    Ok(BulkEdit { ids: out, edit })
}

/// The JSON body the dashboard sends (the edit as [`super::client::edit_body`] writes it).
pub fn bulk_body(ids: &[String], edit: &CaptureEdit) -> String {
    let edit: Value = serde_json::from_str(&super::client::edit_body(edit)).expect("an edit body is JSON");
    serde_json::json!({ "ids": ids, "edit": edit }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::Status;
    use serde_json::json;

    const A: &str = "0190a5c4-1111-7000-8000-000000000001";
    const B: &str = "0190a5c4-1111-7000-8000-000000000002";

    #[test]
    fn a_good_request_reads_back_and_the_page_writes_it() {
        let body = bulk_body(&[A.into(), B.into()], &CaptureEdit { status: Some(Status::Closed), ..Default::default() });
        let v: Value = serde_json::from_str(&body).unwrap();
        let got = parse_bulk(&v).unwrap();
        assert_eq!(got.ids, vec![A.to_string(), B.to_string()]);
        assert_eq!(got.edit.status, Some(Status::Closed));
        let cleared = parse_bulk(&json!({"ids": [A], "edit": {"department": ""}})).unwrap();
        assert_eq!(cleared.edit.department, Some(Some(String::new())));
    }

    #[test]
    fn each_bad_request_is_refused_with_its_field() {
        let many: Vec<String> = (0..=MAX_BULK_IDS).map(|i| format!("0190a5c4-1111-7000-8000-{i:012}")).collect();
        let cases: Vec<(Value, &str)> = vec![
            (json!([A]), "JSON object"),
            (json!({"ids": [A], "edit": {"status": "closed"}, "x": 1}), "x: unknown field"),
            (json!({"edit": {"status": "closed"}}), "ids: a list"),
            (json!({"ids": [], "edit": {"status": "closed"}}), "selection is empty"),
            (json!({"ids": [7], "edit": {"status": "closed"}}), "ids[0]: must be a string"),
            (json!({"ids": [A, "nope"], "edit": {"status": "closed"}}), "ids[1]: id:"),
            (json!({"ids": [A, A], "edit": {"status": "closed"}}), "ids[1]:"),
            (json!({"ids": [A]}), "edit: required"),
            (json!({"ids": [A], "edit": {"deleted": true}}), "edit.deleted: a bulk edit may only set"),
            (json!({"ids": [A], "edit": {"status": "done"}}), "edit: status:"),
            (json!({"ids": [A], "edit": {}}), "edit: the edit changes nothing"),
        ];
        for (v, want) in cases {
            let err = parse_bulk(&v).unwrap_err().to_string();
            assert!(err.contains(want), "{v}: {err}");
        }
        let err = parse_bulk(&json!({"ids": many, "edit": {"status": "closed"}})).unwrap_err();
        assert_eq!(err, BulkRefusal::TooMany { count: MAX_BULK_IDS + 1, max: MAX_BULK_IDS });
        assert!(err.to_string().contains("at most 200"));
    }

    #[test]
    fn the_tally_counts_what_changed_and_what_did_not() {
        let r = BulkEditResponse {
            results: vec![
                BulkItem { id: A.into(), ok: true, error: None },
                BulkItem { id: B.into(), ok: false, error: Some(ApiError::new(crate::sync::api::ErrorCode::NotFound, "gone")) },
            ],
        };
        assert_eq!(r.tally(), (1, 1));
        let back: BulkEditResponse = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}
