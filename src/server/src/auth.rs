//! `Authorization: Bearer <token>` → the member, then the per-token rate
//! limit. Unknown and revoked tokens count against their client's address.

use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use escucha_core::sync::api::{ApiError, ErrorCode};
use escucha_core::workspace::role::Action;

use crate::accounts::{Authentication, Identity};
use crate::errors::ApiFailure;
use crate::guard::client_ip;
use crate::request_log::MemberSlot;
use crate::AppState;

/// An authenticated, rate-limited request's member.
pub struct Authed(pub Identity);

impl Identity {
    /// The route's permission check: `who.require(Action::Edit)?` answers
    /// `403 role_forbidden` (with the role and the action) when the
    /// member's role does not allow `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiFailure> {
        if self.role.allows(action) {
            return Ok(());
        }
        let message = format!(
            "The member \u{201c}{}\u{201d} has the role {} in this team, which does not allow {}; ask a team admin.",
            self.member,
            self.role,
            action.as_str()
        );
        Err(ApiFailure { error: ApiError::role_forbidden(self.role, action, message), retry_after_secs: None })
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiFailure> {
    let missing = || ApiFailure::new(ErrorCode::Unauthorized, "Send the member's token in the header `Authorization: Bearer <token>`.");
    let value = parts.headers.get(AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?.to_owned();
        // An address that keeps sending unknown or revoked tokens is guessing:
        // it waits before any token from it is looked up again.
        let ip = client_ip(&parts.extensions);
        if let Some(wait) = state.auth_failures.blocked(ip, Instant::now()) {
            return Err(wait_failure(wait, "Too many requests with unknown or revoked tokens from your address"));
        }
        let found = state.storage.authenticate(&token).await.map_err(|e| ApiFailure::internal("checking the token", e))?;
        let who = match found {
            Authentication::Valid(who) => who,
            Authentication::Unknown => {
                state.auth_failures.record(ip, Instant::now());
                return Err(ApiFailure::new(
                    ErrorCode::Unauthorized,
                    "This server does not know that token; check it was copied whole, or ask your team admin for one.",
                ));
            }
            Authentication::Revoked { revoked_at } => {
                state.auth_failures.record(ip, Instant::now());
                return Err(ApiFailure::new(
                    ErrorCode::Forbidden,
                    format!("This token was revoked at {revoked_at}; ask your team admin for a new one."),
                ));
            }
        };
        if let Some(slot) = parts.extensions.get::<MemberSlot>() {
            slot.set(&who.team, &who.member);
        }
        if let Err(wait) = state.check_rate(&who).await.map_err(|e| ApiFailure::internal("checking the rate limit", e))? {
            return Err(wait_failure(wait, "Too many requests with this token"));
        }
        Ok(Authed(who))
    }
}

/// A 429 that says how long to wait, in the message and in `Retry-After`.
fn wait_failure(wait: Duration, what: &str) -> ApiFailure {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut failure = ApiFailure::new(ErrorCode::RateLimited, format!("{what}; try again in {secs} s."));
    failure.retry_after_secs = Some(secs.max(1));
    failure
}
