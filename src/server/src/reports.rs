//! sla13: response-time reports, computed on the server. One streaming pass
//! over the team's live captures in creation order (the export's pages, from
//! the report's first day): each page is decoded, fed to the core's
//! [`ReportBuilder`] (which keeps only durations) and dropped, so neither the
//! server nor the browser ever holds the log. The figures, percentiles and
//! grouping are `escucha_core::service::report`'s, tested natively; the
//! same pass runs on either engine.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Json;
use escucha_core::service::{Report, ReportBuilder, ReportQuery, ReportQueryError, ServiceTargets};
use escucha_core::workspace::role::Action;

use crate::auth::Authed;
use crate::errors::ApiFailure;
use crate::storage::Storage;
use crate::store::EXPORT_PAGE_ROWS;
use crate::{now_ms, AppState};

/// The report for one team: `query` over its captures, `targets` (the team
/// configuration's) deciding working time and breaches, open captures
/// measured up to `now`.
pub async fn compute(storage: &Storage, team_id: i64, query: ReportQuery, targets: &ServiceTargets, now: i64) -> Result<Report, String> {
    // Targets are validated when saved; a document from before that
    // validation that does not read falls back to around the clock, UTC.
    let mut builder = ReportBuilder::new(query.clone(), targets, now)
        .or_else(|| ReportBuilder::new(query.clone(), &ServiceTargets::default(), now))
        .ok_or("the default service targets do not read")?;
    let mut after = (query.from_ms.map_or(i64::MIN, |f| f - 1), "\u{10FFFF}".to_string());
    loop {
        let rows = storage.export_page(team_id, after.clone(), EXPORT_PAGE_ROWS).await.map_err(|e| e.to_string())?;
        let full = rows.len() == EXPORT_PAGE_ROWS as usize;
        for row in &rows {
            if query.to_ms.is_some_and(|t| row.created_ms >= t) {
                return Ok(builder.finish());
            }
            let capture = crate::store::decode(&row.record).map_err(|e| format!("A stored capture is not readable: {e}"))?;
            builder.add(&capture);
        }
        match rows.last() {
            Some(last) if full => after = (last.created_ms, last.id.clone()),
            _ => return Ok(builder.finish()),
        }
    }
}

fn refusal(e: ReportQueryError) -> ApiFailure {
    ApiFailure::bad_request(match e {
        ReportQueryError::Date { name, value } => format!("{name}: \u{201c}{value}\u{201d} is not a date; write YYYY-MM-DD."),
        ReportQueryError::Reversed => "to: the last day is before the first (from).".to_string(),
    })
}

/// `GET /api/v1/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&department=Name`:
/// every parameter optional; dates are the team's local days, both included.
pub async fn get(
    State(state): State<AppState>,
    Authed(who): Authed,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Report>, ApiFailure> {
    who.require(Action::Read)?;
    if let Some(k) = params.keys().find(|k| !matches!(k.as_str(), "from" | "to" | "department")) {
        return Err(ApiFailure::bad_request(format!("{k}: unknown query parameter; reports take from, to and department.")));
    }
    let targets = state
        .storage
        .team_config(who.team_id)
        .await
        .map_err(|e| ApiFailure::internal("reading the team configuration", e))?
        .map(|doc| doc.config.service)
        .unwrap_or_default();
    let calendar = targets.calendar().unwrap_or_else(escucha_core::service::Calendar::always);
    let query = ReportQuery::from_dates(
        params.get("from").map(String::as_str),
        params.get("to").map(String::as_str),
        params.get("department").map(String::as_str),
        &calendar,
    )
    .map_err(refusal)?;
    let report = compute(&state.storage, who.team_id, query, &targets, now_ms())
        .await
        .map_err(|e| ApiFailure::internal("computing the report", e))?;
    Ok(Json(report))
}
