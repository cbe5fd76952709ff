//! The wire types of sync API v1. All JSON is camelCase.
//!
//! Captures travel as [`Capture`] records (a state-based CRDT): the server
//! merges what it receives into what it has, so re-sending is harmless and
//! concurrent edits converge whatever the order of arrival.

use serde::{Deserialize, Serialize};

use crate::log::validate::Register;
use crate::log::Capture;
use crate::workspace::role::{Action, Role};

/// The protocol version: the `/api/v1/` prefix and `Me::protocol`.
pub const PROTOCOL_VERSION: u32 = 1;
/// Most items in one push; more is `413 too_many_items`.
pub const MAX_PUSH_ITEMS: usize = 500;
/// Largest request body; more is `413 payload_too_large`.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Pull page size when the client does not say, and the most it may ask.
pub const DEFAULT_PULL_LIMIT: u32 = 200;
pub const MAX_PULL_LIMIT: u32 = 1000;

/// `POST /api/v1/push`. Generic so the server can read items one by one
/// (`PushRequest<serde_json::Value>`): a malformed item is rejected alone
/// instead of failing the whole batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushRequest<T = Capture> {
    pub items: Vec<T>,
}

/// What happened to one pushed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemStatus {
    /// The merged record changed and is on disk.
    Stored,
    /// The server already had everything in it (a re-send).
    Unchanged,
    /// Invalid; `error` says why. Re-sending it unchanged will not help.
    Rejected,
}

/// One result per pushed item, in the order of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    /// The item's id as sent ("" when it had none).
    pub id: String,
    pub status: ItemStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ApiError>,
    /// Fields whose pushed value lost to a newer edit already in the team
    /// log (a teammate's, say): the push was taken, but not that part of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<Register>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResponse {
    /// One per pushed item, in request order. No cursor here on purpose: a
    /// client's pull cursor must come from pull, or it would skip teammates'
    /// changes made between its last pull and this push.
    pub results: Vec<ItemResult>,
}

/// `GET /api/v1/pull?since=<cursor>&limit=<n>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullResponse {
    /// Every record changed after `since`, tombstones included, in change order.
    pub items: Vec<Capture>,
    /// Pass as `since` next time (opaque).
    pub cursor: String,
    /// True when more changes wait: pull again at once with the new cursor.
    pub more: bool,
}

/// `GET /api/v1/me`: who this token belongs to ("Test connection").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub team: String,
    pub member: String,
    pub protocol: u32,
    /// The member's role; absent from servers older than roles (read such
    /// an answer as "role unknown", never as a guessed role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}

/// One member of the team, as `GET /api/v1/members` lists them (any role may
/// read it, so the extension and dashboard can offer assignees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberInfo {
    pub name: String,
    pub role: Role,
}

/// `GET /api/v1/members`: the team's members by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersResponse {
    pub members: Vec<MemberInfo>,
}

/// `POST /api/v1/members` (admin): add a member; the role defaults to
/// [`Role::DEFAULT`] (member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMember {
    pub name: String,
    #[serde(default)]
    pub role: Option<Role>,
}

/// `PUT /api/v1/members/{name}/role` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// A token just issued (`POST /api/v1/members/{name}/tokens`, `POST
/// /api/v1/me/token`): `token` is shown this once; the server keeps only its
/// digest. `id` names it in `token list` and `token revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    pub id: String,
    pub token: String,
    pub member: String,
    pub team: String,
}

/// With `role_forbidden`: the caller's role and the action it lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRefusal {
    pub role: Role,
    pub action: Action,
}

/// Machine-readable error codes; each implies one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No token, or one the server does not know.
    Unauthorized,
    /// A known token that was revoked.
    Forbidden,
    /// A valid token whose member's role does not allow the request
    /// (`ApiError::role_refusal` says which role and action). 403 like a
    /// revoked token, but a different code: the token is fine, the role is not.
    RoleForbidden,
    /// The request would leave the team without an admin.
    LastAdmin,
    /// A member of that name already exists in the team.
    Conflict,
    NotFound,
    /// Malformed JSON or an invalid field; the message names the field.
    BadRequest,
    UnsupportedMediaType,
    MethodNotAllowed,
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// More items in one push than the server accepts.
    TooManyItems,
    /// Too many requests for this token; wait `Retry-After` seconds.
    RateLimited,
    /// A path under an API version this server does not speak.
    UnsupportedVersion,
    Internal,
    /// The database cannot be reached.
    StorageUnavailable,
    /// The request body did not arrive within the server's deadline.
    RequestTimeout,
    /// The request target (path and query) is longer than the server accepts.
    UriTooLong,
    /// The request headers are larger than the server accepts.
    HeadersTooLarge,
    /// The team's log is at its quota (captures or bytes); `ApiError::quota`
    /// says which, the limit and the use. Nothing in the request was written.
    QuotaExceeded,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::BadRequest,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TooManyItems,
        ErrorCode::RateLimited,
        ErrorCode::UnsupportedVersion,
        ErrorCode::Internal,
        ErrorCode::StorageUnavailable,
        ErrorCode::RequestTimeout,
        ErrorCode::UriTooLong,
        ErrorCode::HeadersTooLarge,
        ErrorCode::QuotaExceeded,
        ErrorCode::RoleForbidden,
        ErrorCode::LastAdmin,
        ErrorCode::Conflict,
    ];

    /// The HTTP status that carries this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::RoleForbidden => 403,
            ErrorCode::LastAdmin | ErrorCode::Conflict => 409,
            ErrorCode::NotFound | ErrorCode::UnsupportedVersion => 404,
            ErrorCode::BadRequest => 400,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::PayloadTooLarge | ErrorCode::TooManyItems => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::UriTooLong => 414,
            ErrorCode::HeadersTooLarge => 431,
            // 409 Conflict: the request is fine but the team log's state (full)
            // refuses it until someone changes that state. Not 403 (clients
            // read it as a revoked token), not 413 (clients split the batch and
            // a single capture would then look too large), not 429 (it does
            // not pass with time), not 507 (a 5xx is retried as a fault).
            ErrorCode::QuotaExceeded => 409,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TooManyItems => "too_many_items",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::Internal => "internal",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::HeadersTooLarge => "headers_too_large",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::RoleForbidden => "role_forbidden",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::Conflict => "conflict",
        }
    }
}

/// An error: a code for programs, a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// With `quota_exceeded`: which quota, its limit and the team's use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaUsage>,
    /// With `role_forbidden`: the role and the action it does not allow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_refusal: Option<RoleRefusal>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), quota: None, role_refusal: None }
    }

    pub fn quota_exceeded(usage: QuotaUsage, message: impl Into<String>) -> ApiError {
        ApiError { code: ErrorCode::QuotaExceeded, message: message.into(), quota: Some(usage), role_refusal: None }
    }

    pub fn role_forbidden(role: Role, action: Action, message: impl Into<String>) -> ApiError {
        ApiError { code: ErrorCode::RoleForbidden, message: message.into(), quota: None, role_refusal: Some(RoleRefusal { role, action }) }
    }
}

/// What a per-team quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuotaKind {
    /// Capture records (tombstones included: they stay in the log).
    Captures,
    /// Bytes of stored capture JSON.
    Bytes,
}

/// A quota the request would pass: its limit and the team's use before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaUsage {
    pub kind: QuotaKind,
    pub limit: u64,
    pub used: u64,
}

/// Every non-2xx response body: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error: ApiError,
}

/// Cursors are opaque to clients; the server writes its change sequence
/// number in decimal. `None` for anything else, so the caller can name it.
pub fn parse_cursor(cursor: &str) -> Option<u64> {
    if cursor.is_empty() || cursor.len() > 20 || !cursor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    cursor.parse().ok()
}

pub fn format_cursor(seq: u64) -> String {
    seq.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_codes_serialize_as_their_names_and_map_to_one_status() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
            let status = code.http_status();
            assert!((400..600).contains(&status), "{code:?}");
        }
        let body = ErrorBody { error: ApiError::new(ErrorCode::TooManyItems, "At most 500 items per push.") };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"error": {"code": "too_many_items", "message": "At most 500 items per push."}})
        );
    }

    #[test]
    fn a_quota_error_carries_its_numbers() {
        let usage = QuotaUsage { kind: QuotaKind::Bytes, limit: 1_000, used: 990 };
        let body = ErrorBody { error: ApiError::quota_exceeded(usage, "full") };
        let wire = serde_json::to_value(&body).unwrap();
        assert_eq!(
            wire,
            json!({"error": {"code": "quota_exceeded", "message": "full", "quota": {"kind": "bytes", "limit": 1000, "used": 990}}})
        );
        assert_eq!(serde_json::from_value::<ErrorBody>(wire).unwrap(), body);
        assert_eq!(ErrorCode::QuotaExceeded.http_status(), 409);
        // Other errors keep the two-field shape.
        assert!(serde_json::to_value(ApiError::new(ErrorCode::NotFound, "x")).unwrap().get("quota").is_none());
    }

    #[test]
    fn a_role_refusal_carries_the_role_and_the_action() {
        let body = ErrorBody { error: ApiError::role_forbidden(Role::Viewer, Action::Capture, "no") };
        let wire = serde_json::to_value(&body).unwrap();
        assert_eq!(
            wire,
            json!({"error": {"code": "role_forbidden", "message": "no", "roleRefusal": {"role": "viewer", "action": "capture"}}})
        );
        assert_eq!(serde_json::from_value::<ErrorBody>(wire).unwrap(), body);
        assert_eq!(ErrorCode::RoleForbidden.http_status(), 403);
        // An older server's /me (no role) still reads, as "role unknown".
        let me: Me = serde_json::from_value(json!({"team": "t", "member": "ana", "protocol": 1})).unwrap();
        assert_eq!(me.role, None);
    }

    #[test]
    fn item_results_omit_absent_errors() {
        let ok = ItemResult { id: "a".into(), status: ItemStatus::Unchanged, error: None, superseded: vec![] };
        assert_eq!(serde_json::to_value(&ok).unwrap(), json!({"id": "a", "status": "unchanged"}));
        let bad = ItemResult {
            id: "b".into(),
            status: ItemStatus::Rejected,
            error: Some(ApiError::new(ErrorCode::BadRequest, "id: not a UUID")),
            superseded: vec![],
        };
        let back: ItemResult = serde_json::from_value(serde_json::to_value(&bad).unwrap()).unwrap();
        assert_eq!(back, bad);
        let lost = ItemResult { id: "c".into(), status: ItemStatus::Stored, error: None, superseded: vec![Register::Status] };
        assert_eq!(serde_json::to_value(&lost).unwrap(), json!({"id": "c", "status": "stored", "superseded": ["status"]}));
    }

    #[test]
    fn push_requests_refuse_unknown_top_level_fields() {
        let err = serde_json::from_value::<PushRequest<serde_json::Value>>(json!({"itens": []})).unwrap_err();
        assert!(err.to_string().contains("itens"), "{err}");
        let ok: PushRequest<serde_json::Value> = serde_json::from_value(json!({"items": [1, {}]})).unwrap();
        assert_eq!(ok.items.len(), 2);
    }

    #[test]
    fn cursors_are_decimal_sequence_numbers() {
        let cases =
            [("0", Some(0)), ("42", Some(42)), ("", None), ("-1", None), ("1e3", None), ("99999999999999999999999", None), ("+1", None)];
        for (text, want) in cases {
            assert_eq!(parse_cursor(text), want, "{text:?}");
        }
        assert_eq!(parse_cursor(&format_cursor(u64::MAX)), Some(u64::MAX));
    }
}
