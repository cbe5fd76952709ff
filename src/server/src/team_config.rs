//! The team configuration (`GET`/`PUT /api/v1/config`): one versioned
//! document per team ([`escucha_core::team_config`]), both engines' SQL, and
//! the two handlers.
//!
//! Concurrency is optimistic: a `PUT` names the version it edited in
//! `If-Match`, and the write is one conditional statement (`UPDATE … WHERE
//! version = $2`, or an insert that does nothing when a row exists), so of
//! two admins saving over the same version one wins and the other gets 412
//! with the current version: a concurrent edit is refused, never lost. The
//! version grows by one in the same statement that stores the document.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use escucha_core::team_config::{self as core, PutConfig, Refusal, RefusalBody, RefusalCode, TeamConfig, VersionedConfig};
use escucha_core::workspace::role::Action;
use rusqlite::{params, OptionalExtension};

use crate::auth::Authed;
use crate::db::DbError;
use crate::errors::ApiFailure;
use crate::postgres::PgDb;
use crate::{now_ms, AppState};

/// SQLite: one row per team; `team_id` is the key (see `tests/schema_lint.rs`).
pub const SQLITE_MIGRATION: &str = "CREATE TABLE team_config (
         team_id INTEGER PRIMARY KEY REFERENCES teams(id),
         version INTEGER NOT NULL,
         config TEXT NOT NULL,
         updated_by TEXT NOT NULL,
         updated_ms INTEGER NOT NULL
     ) STRICT;";

/// PostgreSQL: the same, distributed by team.
pub const POSTGRES_MIGRATION: &str = "CREATE TABLE team_config (
         team_id bigint PRIMARY KEY REFERENCES teams(id),
         version bigint NOT NULL,
         config text NOT NULL,
         updated_by text NOT NULL,
         updated_ms bigint NOT NULL
     );";

/// What a conditional save did.
// Returned once per save, never stored in bulk: the size difference is harmless.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    Stored(VersionedConfig),
    /// The version edited is not the current one (0: there is none yet).
    Stale {
        current: u64,
    },
}

fn row(version: i64, config: &str, updated_by: String, updated_ms: i64) -> Result<VersionedConfig, String> {
    let config: TeamConfig = serde_json::from_str(config).map_err(|e| format!("The stored team configuration does not read: {e}"))?;
    Ok(VersionedConfig { version: version as u64, config, updated_by, updated_at: updated_ms })
}

// --- SQLite ------------------------------------------------------------------

pub fn sqlite_get(c: &mut rusqlite::Connection, team_id: i64) -> Result<Option<VersionedConfig>, DbError> {
    let found = c
        .query_row("SELECT version, config, updated_by, updated_ms FROM team_config WHERE team_id = ?1", params![team_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })
        .optional()
        .map_err(|e| DbError(format!("SQLite: {e}")))?;
    found.map(|(v, c, by, at)| row(v, &c, by, at)).transpose().map_err(DbError)
}

pub fn sqlite_put(
    c: &mut rusqlite::Connection,
    team_id: i64,
    expected: u64,
    config: &TeamConfig,
    by: &str,
    now: i64,
) -> Result<Saved, DbError> {
    let e = |e: rusqlite::Error| DbError(format!("SQLite: {e}"));
    let json = serde_json::to_string(config).map_err(|e| DbError(e.to_string()))?;
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(e)?;
    let changed = if expected == 0 {
        tx.execute(
            "INSERT INTO team_config (team_id, version, config, updated_by, updated_ms) VALUES (?1, 1, ?2, ?3, ?4)
             ON CONFLICT (team_id) DO NOTHING",
            params![team_id, json, by, now],
        )
        .map_err(e)?
    } else {
        tx.execute(
            "UPDATE team_config SET version = version + 1, config = ?3, updated_by = ?4, updated_ms = ?5
             WHERE team_id = ?1 AND version = ?2",
            params![team_id, expected as i64, json, by, now],
        )
        .map_err(e)?
    };
    if changed == 0 {
        let current: Option<i64> =
            tx.query_row("SELECT version FROM team_config WHERE team_id = ?1", params![team_id], |r| r.get(0)).optional().map_err(e)?;
        return Ok(Saved::Stale { current: current.unwrap_or(0) as u64 });
    }
    tx.commit().map_err(e)?;
    Ok(Saved::Stored(VersionedConfig { version: expected + 1, config: config.clone(), updated_by: by.into(), updated_at: now }))
}

// --- PostgreSQL ----------------------------------------------------------------

pub async fn postgres_get(pg: &PgDb, team_id: i64) -> Result<Option<VersionedConfig>, DbError> {
    let c = pg.client().await?;
    let e = |e: tokio_postgres::Error| DbError(format!("Reading the team configuration: {e}"));
    let found =
        c.query_opt("SELECT version, config, updated_by, updated_ms FROM team_config WHERE team_id = $1", &[&team_id]).await.map_err(e)?;
    found.map(|r| row(r.get(0), r.get::<_, &str>(1), r.get(2), r.get(3))).transpose().map_err(DbError)
}

pub async fn postgres_put(pg: &PgDb, team_id: i64, expected: u64, config: &TeamConfig, by: &str, now: i64) -> Result<Saved, DbError> {
    let mut c = pg.client().await?;
    let e = |e: tokio_postgres::Error| DbError(format!("Saving the team configuration: {e}"));
    let json = serde_json::to_string(config).map_err(|e| DbError(e.to_string()))?;
    let tx = c.transaction().await.map_err(e)?;
    let changed = if expected == 0 {
        tx.execute(
            "INSERT INTO team_config (team_id, version, config, updated_by, updated_ms) VALUES ($1, 1, $2, $3, $4)
             ON CONFLICT (team_id) DO NOTHING",
            &[&team_id, &json, &by, &now],
        )
        .await
        .map_err(e)?
    } else {
        tx.execute(
            "UPDATE team_config SET version = version + 1, config = $3, updated_by = $4, updated_ms = $5
             WHERE team_id = $1 AND version = $2",
            &[&team_id, &(expected as i64), &json, &by, &now],
        )
        .await
        .map_err(e)?
    };
    if changed == 0 {
        let current = tx.query_opt("SELECT version FROM team_config WHERE team_id = $1", &[&team_id]).await.map_err(e)?;
        return Ok(Saved::Stale { current: current.map(|r| r.get::<_, i64>(0)).unwrap_or(0) as u64 });
    }
    tx.commit().await.map_err(e)?;
    Ok(Saved::Stored(VersionedConfig { version: expected + 1, config: config.clone(), updated_by: by.into(), updated_at: now }))
}

// --- the routes ------------------------------------------------------------------

fn refuse(status: StatusCode, code: RefusalCode, message: String) -> Response {
    refusal(status, Refusal { code, message, current_version: None, problems: vec![] })
}

fn refusal(status: StatusCode, error: Refusal) -> Response {
    (status, Json(RefusalBody { error })).into_response()
}

fn with_etag(mut res: Response, version: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&core::etag(version)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// `GET /api/v1/config`: the team's document and its version as the ETag;
/// `If-None-Match` with the current version is a `304` without a body.
pub async fn get(State(state): State<AppState>, Authed(who): Authed, headers: HeaderMap) -> Result<Response, ApiFailure> {
    who.require(Action::Read)?;
    let found = state.storage.team_config(who.team_id).await.map_err(|e| ApiFailure::internal("reading the team configuration", e))?;
    let Some(doc) = found else {
        let message = "This team has no configuration yet; an admin saves the first one with If-Match: \"0\".".to_string();
        return Ok(with_etag(refuse(StatusCode::NOT_FOUND, RefusalCode::NotFound, message), 0));
    };
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').any(|t| core::parse_etag(t) == Some(doc.version)));
    if cached == Some(true) {
        return Ok(with_etag(StatusCode::NOT_MODIFIED.into_response(), doc.version));
    }
    let version = doc.version;
    Ok(with_etag(Json(doc).into_response(), version))
}

/// `PUT /api/v1/config`: a new version, only over the one named in `If-Match`.
pub async fn put(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiFailure> {
    // Admins only (roles12's guard): a member or viewer gets 403 role_forbidden.
    who.require(Action::Configure)?;
    let Some(expected) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()).and_then(core::parse_etag) else {
        return Ok(refuse(
            StatusCode::PRECONDITION_REQUIRED,
            RefusalCode::PreconditionRequired,
            "Send the version you edited as If-Match: \"<version>\" (\"0\" for a team's first configuration), so that no one's edit is lost.".into(),
        ));
    };
    let value = crate::routes::json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let put: PutConfig =
        serde_json::from_value(value).map_err(|e| ApiFailure::bad_request(format!("The body is not {{\"config\": {{…}}}}: {e}.")))?;
    if let Err(problems) = core::validate(&put.config) {
        let message = problems.iter().map(|p| p.english()).collect::<Vec<_>>().join("\n");
        return Ok(refusal(StatusCode::BAD_REQUEST, Refusal { code: RefusalCode::BadRequest, message, current_version: None, problems }));
    }
    let saved = state
        .storage
        .save_team_config(who.team_id, expected, &put.config, &who.member, now_ms())
        .await
        .map_err(|e| ApiFailure::internal("saving the team configuration", e))?;
    match saved {
        Saved::Stored(doc) => {
            tracing::info!(team = %who.team, member = %who.member, version = doc.version, "team configuration saved");
            let version = doc.version;
            Ok(with_etag(Json(doc).into_response(), version))
        }
        Saved::Stale { current } => Ok(with_etag(
            refusal(
                StatusCode::PRECONDITION_FAILED,
                Refusal {
                    code: RefusalCode::PreconditionFailed,
                    message: format!(
                        "You edited version {expected}, but version {current} was saved meanwhile; reload it and make your change again. Nothing was saved."
                    ),
                    current_version: Some(current),
                    problems: vec![],
                },
            ),
            current,
        )),
    }
}
