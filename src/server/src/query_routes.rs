//! The query routes: list, facets, chart aggregates and page look-up, each
//! answered in the database (see [`crate::query`]) for the caller's team.

use axum::extract::{RawQuery, State};
use axum::response::Json;
use escucha_core::log::query_api::{Aggregates, CapturePage, CaptureQuery, FacetCounts};
use escucha_core::log::Capture;
use serde::Serialize;

use escucha_core::workspace::role::Action;

use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::AppState;

/// Decoded `key=value` pairs of the URL query.
fn pairs(raw: Option<String>) -> Result<Vec<(String, String)>, ApiFailure> {
    let raw = raw.unwrap_or_default();
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(s: &str) -> Result<String, ApiFailure> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                let b = hex.ok_or_else(|| {
                    ApiFailure::bad_request(format!(
                        "The query string has a bad escape near \u{201c}{}\u{201d}.",
                        &s[i..s.len().min(i + 3)]
                    ))
                })?;
                out.push(b);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| ApiFailure::bad_request("The query string is not UTF-8."))
}

/// The query, with `extra` parameters taken out first.
fn parse(raw: Option<String>, extra: &[&str]) -> Result<(CaptureQuery, Vec<(String, String)>), ApiFailure> {
    let (taken, rest): (Vec<_>, Vec<_>) = pairs(raw)?.into_iter().partition(|(k, _)| extra.contains(&k.as_str()));
    let q =
        CaptureQuery::from_pairs(rest.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| ApiFailure::bad_request(e.to_string()))?;
    Ok((q, taken))
}

pub async fn captures(
    State(state): State<AppState>,
    Authed(who): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<CapturePage>, ApiFailure> {
    who.require(Action::Read)?;
    let (q, _) = parse(raw, &[])?;
    Ok(Json(state.storage.list(who.team_id, &q).await.map_err(|e| ApiFailure::internal("searching the team log", e))?))
}

pub async fn facets(State(state): State<AppState>, Authed(who): Authed, RawQuery(raw): RawQuery) -> Result<Json<FacetCounts>, ApiFailure> {
    who.require(Action::Read)?;
    let (q, _) = parse(raw, &[])?;
    Ok(Json(state.storage.facets(who.team_id, &q).await.map_err(|e| ApiFailure::internal("counting the team log", e))?))
}

/// Most minutes a time zone is east or west of UTC.
const MAX_TZ_MIN: i32 = 14 * 60;

pub async fn aggregates(
    State(state): State<AppState>,
    Authed(who): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Aggregates>, ApiFailure> {
    who.require(Action::Read)?;
    let (q, extra) = parse(raw, &["tz"])?;
    let tz = match extra.as_slice() {
        [] => 0,
        [(_, v)] => v.parse::<i32>().ok().filter(|m| m.abs() <= MAX_TZ_MIN).ok_or_else(|| {
            ApiFailure::bad_request(format!("tz: \u{201c}{v}\u{201d} must be minutes east of UTC, from -{MAX_TZ_MIN} to {MAX_TZ_MIN}."))
        })?,
        _ => return Err(ApiFailure::bad_request("tz: give it at most once.")),
    };
    Ok(Json(state.storage.aggregates(who.team_id, &q, tz).await.map_err(|e| ApiFailure::internal("charting the team log", e))?))
}

#[derive(Serialize)]
pub struct PageCaptures {
    pub items: Vec<Capture>,
}

pub async fn page_captures(
    State(state): State<AppState>,
    Authed(who): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageCaptures>, ApiFailure> {
    who.require(Action::Read)?;
    let pairs = pairs(raw)?;
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "url") {
        return Err(ApiFailure::bad_request(format!("{k}: unknown query parameter; page-captures takes url.")));
    }
    let url = match pairs.as_slice() {
        [(_, u)] if escucha_core::log::links::is_http_url(u) => u.clone(),
        [(_, u)] => {
            return Err(ApiFailure::bad_request(format!(
                "url: \u{201c}{}\u{201d} is not an http(s) address.",
                u.chars().take(200).collect::<String>()
            )))
        }
        _ => return Err(ApiFailure::bad_request("url: give the page's address once.")),
    };
    let page = escucha_core::log::ingest::page_key(&url).to_string();
    let items = state.storage.page_captures(who.team_id, &page).await.map_err(|e| ApiFailure::internal("looking up the page", e))?;
    Ok(Json(PageCaptures { items }))
}
