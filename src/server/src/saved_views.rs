//! Saved views (queue12): each member's named dashboard filters and sort,
//! kept on the server so they follow the member from machine to machine.
//! Both engines' SQL is here; `storage.rs` has one small method block that
//! calls it, and the handlers below are the three routes.
//!
//! The table is team data: `team_id` leads its primary key and every
//! statement is for one `team_id = $1` (see `postgres::DISTRIBUTED_TABLES`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Json;
use escucha_core::dashboard::saved_view::{parse_view, view_name, SavedView, SavedViews, MAX_VIEWS_PER_MEMBER};
use escucha_core::sync::api::ErrorCode;
use escucha_core::workspace::role::Action;
use rusqlite::{params, Connection, OptionalExtension};

use crate::accounts::Identity;
use crate::auth::Authed;
use crate::db::DbError;
use crate::errors::ApiFailure;
use crate::postgres::PgDb;
use crate::{now_ms, AppState};

pub const SQLITE_MIGRATION: &str = "CREATE TABLE saved_views (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         member_id INTEGER NOT NULL REFERENCES members(id),
         name TEXT NOT NULL,
         view TEXT NOT NULL,
         updated_ms INTEGER NOT NULL,
         PRIMARY KEY (team_id, member_id, name)
     ) STRICT, WITHOUT ROWID;";

pub const POSTGRES_MIGRATION: &str = r#"CREATE TABLE saved_views (
         team_id bigint NOT NULL REFERENCES teams(id),
         member_id bigint NOT NULL REFERENCES members(id),
         name text COLLATE "C" NOT NULL,
         view text NOT NULL,
         updated_ms bigint NOT NULL,
         PRIMARY KEY (team_id, member_id, name)
     );"#;

/// "SV": the first half of the advisory lock key of one member's saves.
const SAVE_LOCK_TAG: i32 = 0x5356;

/// A save the member's limit refused: how many views they keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyViews {
    pub kept: usize,
}

fn decode(rows: Vec<String>) -> Result<SavedViews, DbError> {
    let views = rows
        .iter()
        .map(|v| serde_json::from_str::<SavedView>(v).map_err(|e| DbError(format!("A stored saved view does not read back: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SavedViews { views })
}

// --- SQLite ---------------------------------------------------------------

fn sqlite_rows(c: &Connection, who: &Identity) -> rusqlite::Result<Vec<String>> {
    let mut stmt = c.prepare_cached("SELECT view FROM saved_views WHERE team_id = ?1 AND member_id = ?2 ORDER BY name")?;
    let rows = stmt.query_map(params![who.team_id, who.member_id], |r| r.get(0))?;
    rows.collect()
}

pub fn sqlite_list(c: &Connection, who: &Identity) -> Result<SavedViews, DbError> {
    decode(sqlite_rows(c, who).map_err(sql)?)
}

fn sql(e: rusqlite::Error) -> DbError {
    DbError(format!("SQLite: {e}"))
}

pub fn sqlite_save(c: &mut Connection, who: &Identity, view: &SavedView, now: i64) -> Result<Result<SavedViews, TooManyViews>, DbError> {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sql)?;
    let exists: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM saved_views WHERE team_id = ?1 AND member_id = ?2 AND name = ?3",
            params![who.team_id, who.member_id, view.name],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?;
    let kept: i64 = tx
        .query_row("SELECT count(*) FROM saved_views WHERE team_id = ?1 AND member_id = ?2", params![who.team_id, who.member_id], |r| {
            r.get(0)
        })
        .map_err(sql)?;
    if exists.is_none() && kept as usize >= MAX_VIEWS_PER_MEMBER {
        return Ok(Err(TooManyViews { kept: kept as usize }));
    }
    let json = serde_json::to_string(view).expect("a view serializes");
    tx.execute(
        "INSERT INTO saved_views (team_id, member_id, name, view, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (team_id, member_id, name) DO UPDATE SET view = excluded.view, updated_ms = excluded.updated_ms",
        params![who.team_id, who.member_id, view.name, json, now],
    )
    .map_err(sql)?;
    let out = decode(sqlite_rows(&tx, who).map_err(sql)?)?;
    tx.commit().map_err(sql)?;
    Ok(Ok(out))
}

/// `None`: the member has no view of that name.
pub fn sqlite_delete(c: &mut Connection, who: &Identity, name: &str) -> Result<Option<SavedViews>, DbError> {
    let tx = c.transaction().map_err(sql)?;
    let n = tx
        .execute("DELETE FROM saved_views WHERE team_id = ?1 AND member_id = ?2 AND name = ?3", params![who.team_id, who.member_id, name])
        .map_err(sql)?;
    let out = decode(sqlite_rows(&tx, who).map_err(sql)?)?;
    tx.commit().map_err(sql)?;
    Ok((n > 0).then_some(out))
}

// --- PostgreSQL -----------------------------------------------------------

fn pg(context: &'static str) -> impl Fn(tokio_postgres::Error) -> DbError {
    move |e| DbError(format!("{context}: {}", e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())))
}

async fn pg_rows(c: &impl deadpool_postgres::GenericClient, who: &Identity) -> Result<Vec<String>, DbError> {
    let e = pg("Reading saved views");
    let stmt = c.prepare_cached("SELECT view FROM saved_views WHERE team_id = $1 AND member_id = $2 ORDER BY name").await.map_err(&e)?;
    let rows = c.query(&stmt, &[&who.team_id, &who.member_id]).await.map_err(&e)?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

impl PgDb {
    pub async fn saved_views(&self, who: &Identity) -> Result<SavedViews, DbError> {
        let c = self.client().await?;
        decode(pg_rows(&c, who).await?)
    }

    pub async fn save_view(&self, who: &Identity, view: &SavedView, now: i64) -> Result<Result<SavedViews, TooManyViews>, DbError> {
        let e = pg("Saving a view");
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(&e)?;
        // One member's saves in turn, so two tabs cannot both pass the limit.
        // (The two-int advisory key space: a tag for saved views, the member.)
        tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&SAVE_LOCK_TAG, &(who.member_id as i32)]).await.map_err(&e)?;
        let exists = tx
            .query_opt(
                "SELECT 1 FROM saved_views WHERE team_id = $1 AND member_id = $2 AND name = $3",
                &[&who.team_id, &who.member_id, &view.name],
            )
            .await
            .map_err(&e)?;
        let kept: i64 = tx
            .query_one("SELECT count(*) FROM saved_views WHERE team_id = $1 AND member_id = $2", &[&who.team_id, &who.member_id])
            .await
            .map_err(&e)?
            .get(0);
        if exists.is_none() && kept as usize >= MAX_VIEWS_PER_MEMBER {
            return Ok(Err(TooManyViews { kept: kept as usize }));
        }
        let json = serde_json::to_string(view).expect("a view serializes");
        tx.execute(
            "INSERT INTO saved_views (team_id, member_id, name, view, updated_ms) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (team_id, member_id, name) DO UPDATE SET view = excluded.view, updated_ms = excluded.updated_ms",
            &[&who.team_id, &who.member_id, &view.name, &json, &now],
        )
        .await
        .map_err(&e)?;
        let out = decode(pg_rows(&tx, who).await?)?;
        tx.commit().await.map_err(&e)?;
        Ok(Ok(out))
    }

    pub async fn delete_view(&self, who: &Identity, name: &str) -> Result<Option<SavedViews>, DbError> {
        let e = pg("Deleting a view");
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(&e)?;
        let n = tx
            .execute("DELETE FROM saved_views WHERE team_id = $1 AND member_id = $2 AND name = $3", &[&who.team_id, &who.member_id, &name])
            .await
            .map_err(&e)?;
        let out = decode(pg_rows(&tx, who).await?)?;
        tx.commit().await.map_err(&e)?;
        Ok((n > 0).then_some(out))
    }
}

// --- the routes -----------------------------------------------------------

fn too_many(t: TooManyViews) -> ApiFailure {
    ApiFailure::new(
        ErrorCode::TooManyItems,
        format!("You keep {} saved views, the most a member may; delete one before saving another.", t.kept),
    )
}

/// `GET /api/v1/views`: the member's saved views, by name.
pub async fn list(State(state): State<AppState>, Authed(who): Authed) -> Result<Json<SavedViews>, ApiFailure> {
    // Views are the member's own reading aid: every role, viewers included.
    who.require(Action::Read)?;
    state.storage.saved_views(&who).await.map(Json).map_err(|e| ApiFailure::internal("reading your saved views", e))
}

/// `POST /api/v1/views`: save (or replace, by name) one view; answers the list.
pub async fn save(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<SavedViews>, ApiFailure> {
    who.require(Action::Read)?;
    let value = crate::routes::json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let view = parse_view(&value).map_err(ApiFailure::bad_request)?;
    match state.storage.save_view(&who, &view, now_ms()).await {
        Ok(Ok(views)) => Ok(Json(views)),
        Ok(Err(t)) => Err(too_many(t)),
        Err(e) => Err(ApiFailure::internal("saving the view", e)),
    }
}

/// `DELETE /api/v1/views/{name}`: answers the list left.
pub async fn delete(State(state): State<AppState>, Authed(who): Authed, Path(name): Path<String>) -> Result<Json<SavedViews>, ApiFailure> {
    who.require(Action::Read)?;
    let name = view_name(&name).map_err(|e| ApiFailure::bad_request(e.to_string()))?;
    match state.storage.delete_view(&who, &name).await {
        Ok(Some(views)) => Ok(Json(views)),
        Ok(None) => Err(ApiFailure::new(ErrorCode::NotFound, format!("You have no saved view named \u{201c}{name}\u{201d}."))),
        Err(e) => Err(ApiFailure::internal("deleting the view", e)),
    }
}
