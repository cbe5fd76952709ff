//! The team's members over the API: the list any role may read, and the
//! admin's changes (add, role, token); plus rotating one's own token.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use escucha_core::sync::api::{MemberInfo, MembersResponse, NewToken};
use escucha_core::workspace::members::{parse_new_member, parse_role_change};
use escucha_core::workspace::role::{Action, Role};

use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::members::MemberError;
use crate::routes::json_body;
use crate::AppState;

pub async fn list(State(state): State<AppState>, Authed(who): Authed) -> Result<Json<MembersResponse>, ApiFailure> {
    who.require(Action::Read)?;
    let rows = state.storage.directory(Some(who.team_id)).await.map_err(MemberError::failure)?;
    Ok(Json(MembersResponse { members: rows.into_iter().map(|(_, m)| m).collect() }))
}

pub async fn add(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<MemberInfo>), ApiFailure> {
    who.require(Action::ManageMembers)?;
    let value = json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let new = parse_new_member(&value).map_err(ApiFailure::bad_request)?;
    let role = new.role.unwrap_or(Role::DEFAULT);
    let added = state.storage.add_member_as(who.team_id, &new.name, role).await.map_err(MemberError::failure)?;
    Ok((StatusCode::CREATED, Json(added)))
}

pub async fn set_role(
    State(state): State<AppState>,
    Authed(who): Authed,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<MemberInfo>, ApiFailure> {
    who.require(Action::ManageMembers)?;
    let value = json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let change = parse_role_change(&value).map_err(ApiFailure::bad_request)?;
    Ok(Json(state.storage.set_role(who.team_id, &name, change.role).await.map_err(MemberError::failure)?))
}

/// A token response: the secret is in it, so no cache may keep it.
fn secret(token: NewToken) -> Response {
    (StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(token)).into_response()
}

pub async fn issue_token(State(state): State<AppState>, Authed(who): Authed, Path(name): Path<String>) -> Result<Response, ApiFailure> {
    who.require(Action::ManageMembers)?;
    Ok(secret(state.storage.issue_member_token(who.team_id, &who.team, &name).await.map_err(MemberError::failure)?))
}

pub async fn rotate_own_token(State(state): State<AppState>, Authed(who): Authed) -> Result<Response, ApiFailure> {
    who.require(Action::RotateOwnToken)?;
    Ok(secret(state.storage.rotate_token(&who).await.map_err(MemberError::failure)?))
}
