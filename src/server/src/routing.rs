//! rules13: the team's routing rules ([`escucha_core::routing`]) applied by
//! the server, which is the authority on what they decided.
//!
//! * **At ingest.** Rules run once per capture, in the push transaction that
//!   first stores its id ([`route_new`], called by both engines' push). A
//!   re-sent copy, a later push of the same id with edits, or a member's
//!   dashboard edit never runs them again: a member who moves a capture to
//!   another department is not overruled by a rule.
//! * **Each decision is an edit by the rule.** One edit per matched rule
//!   that changes something, stamped after the record's latest stamp as
//!   `rule:<name>` and written to the history as member `rule <name>`, so
//!   it wins over what the card sent, syncs back to every browser through
//!   pull, and the timeline says which rule did it.
//! * **Re-run** (`POST /api/v1/rules/rerun`, admins): the current rules over
//!   every live capture; `dryRun` counts the captures that would change and
//!   writes nothing; a real run writes them through the ordinary push merge
//!   (so a teammate's concurrent edit is merged, not lost). A re-run changes
//!   fields only; it sends nothing to destinations.
//! * **Deliveries** (outbox13): [`Routed`] lists each first-arrived capture
//!   with its [`Outcome`] (`send_to`, the department decided). Each engine's
//!   push hands them to [`sqlite_routed`] / [`postgres_routed`] inside the
//!   same transaction, before commit: the place to enqueue deliveries so
//!   that a stored capture always has its deliveries queued.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Json;
use escucha_core::log::{Capture, Stamp};
use escucha_core::routing::{Compiled, Outcome, RerunReport, Rule};
use escucha_core::team_config::TeamConfig;
use escucha_core::workspace::role::Action;
use serde::Deserialize;

use crate::accounts::Identity;
use crate::auth::Authed;
use crate::db::DbError;
use crate::errors::ApiFailure;
use crate::store::ExportCursor;
use crate::{now_ms, AppState};

/// One capture the rules ran on at ingest, and what they decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    pub capture_id: String,
    pub outcome: Outcome,
}

/// `capture` with `outcome` applied: per matched rule, the fields it decided
/// that differ from the record, as one edit by that rule. An edit the record
/// refuses (a value past a limit) is skipped: no value beats a wrong one.
pub fn apply(capture: &Capture, outcome: &Outcome, now_ms: i64) -> Capture {
    let mut c = capture.clone();
    for (actor, mut edit) in outcome.edits() {
        if edit.department.as_ref().is_some_and(|d| *d == c.department.value) {
            edit.department = None;
        }
        if edit.assignee.as_ref().is_some_and(|a| *a == c.assignee.value) {
            edit.assignee = None;
        }
        if edit.priority == Some(c.priority.value) {
            edit.priority = None;
        }
        let present = c.tags.values();
        edit.add_tags.retain(|t| !present.iter().any(|p| p.to_lowercase() == t.to_lowercase()));
        if edit.is_empty() {
            continue;
        }
        let stamp = Stamp::next(c.last_stamp(), now_ms, &actor.replacen("rule ", "rule:", 1));
        let mut next = c.clone();
        if next.apply(&edit, &stamp, &actor).is_ok() {
            c = next;
        }
    }
    c
}

/// Run `rules` on each capture of `writes` whose id is not in `existed`
/// (stored before this push): they are first arrivals. Applies the outcome
/// in place and returns what was decided for each (matched or not).
pub fn route_new(rules: &[Rule], existed: &HashSet<String>, writes: &mut [Capture], now_ms: i64) -> Vec<Routed> {
    if rules.is_empty() {
        return vec![];
    }
    let compiled = Compiled::new(rules);
    let mut routed = vec![];
    for c in writes.iter_mut().filter(|c| !existed.contains(&c.id)) {
        let outcome = compiled.evaluate(&*c);
        if !outcome.is_empty() {
            *c = apply(c, &outcome, now_ms);
        }
        routed.push(Routed { capture_id: c.id.clone(), outcome });
    }
    routed
}

/// The rules in a stored configuration's JSON; none when it does not read
/// (a push is never refused for the configuration's sake).
fn rules_of(json: Option<String>) -> Vec<Rule> {
    json.and_then(|j| serde_json::from_str::<TeamConfig>(&j).ok()).map(|c| c.rules).unwrap_or_default()
}

/// SQLite: the team's rules, read in the push's own transaction.
pub fn sqlite_rules(c: &rusqlite::Connection, team_id: i64) -> rusqlite::Result<Vec<Rule>> {
    use rusqlite::OptionalExtension;
    let json: Option<String> =
        c.prepare_cached("SELECT config FROM team_config WHERE team_id = ?1")?.query_row([team_id], |r| r.get(0)).optional()?;
    Ok(rules_of(json))
}

/// PostgreSQL: the same, in the push's transaction.
pub async fn postgres_rules(tx: &deadpool_postgres::Transaction<'_>, team_id: i64) -> Result<Vec<Rule>, DbError> {
    let row = tx
        .query_opt("SELECT config FROM team_config WHERE team_id = $1", &[&team_id])
        .await
        .map_err(|e| DbError(format!("Reading the routing rules: {e}")))?;
    Ok(rules_of(row.map(|r| r.get::<_, String>(0))))
}

/// SQLite: what the rules decided at ingest, inside the push transaction
/// before it commits. Nothing more is done with it yet; outbox13 enqueues
/// the outcome's deliveries here.
pub fn sqlite_routed(_tx: &rusqlite::Connection, _who: &Identity, _routed: &[Routed]) -> rusqlite::Result<()> {
    Ok(())
}

/// PostgreSQL: the same seam as [`sqlite_routed`].
pub async fn postgres_routed(_tx: &deadpool_postgres::Transaction<'_>, _who: &Identity, _routed: &[Routed]) -> Result<(), DbError> {
    Ok(())
}

/// `POST /api/v1/rules/rerun` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RerunRequest {
    /// Count only; write nothing.
    pub dry_run: bool,
}

/// Captures written back per push during a real re-run.
const RERUN_BATCH: usize = 200;

/// Run the team's current rules over its live captures (see the module).
pub async fn rerun(state: &AppState, who: &Identity, dry_run: bool) -> Result<RerunReport, ApiFailure> {
    let doc = state.storage.team_config(who.team_id).await.map_err(|e| ApiFailure::internal("reading the routing rules", e))?;
    let version = doc.as_ref().map(|d| d.version).unwrap_or(0);
    let rules = doc.map(|d| d.config.rules).unwrap_or_default();
    let compiled = Compiled::new(&rules);
    let mut report = RerunReport { dry_run, examined: 0, changed: 0, version };
    let mut cursor: ExportCursor = (i64::MIN, String::new());
    let now = now_ms();
    loop {
        let page = state
            .storage
            .export_page(who.team_id, cursor.clone(), crate::store::EXPORT_PAGE_ROWS)
            .await
            .map_err(|e| ApiFailure::internal("reading the captures", e))?;
        let Some(last) = page.last() else { break };
        cursor = (last.created_ms, last.id.clone());
        let mut writes = vec![];
        for row in &page {
            let capture = crate::store::decode(&row.record).map_err(|e| ApiFailure::internal("reading a capture", e.to_string()))?;
            report.examined += 1;
            let outcome = compiled.evaluate(&capture);
            if outcome.would_change(&capture) {
                report.changed += 1;
                if !dry_run {
                    writes.push(Ok(apply(&capture, &outcome, now)));
                }
            }
        }
        while !writes.is_empty() {
            let batch: Vec<_> = writes.drain(..writes.len().min(RERUN_BATCH)).collect();
            state
                .storage
                .push_within(who, batch, &state.config.quotas)
                .await
                .map_err(|e| ApiFailure::internal("writing the re-routed captures", e))?
                .map_err(ApiFailure::quota)?;
        }
    }
    if !dry_run {
        tracing::info!(team = %who.team, member = %who.member, changed = report.changed, "routing rules re-run");
    }
    Ok(report)
}

/// `POST /api/v1/rules/rerun`: admins only (it edits the whole log).
pub async fn rerun_route(
    State(state): State<AppState>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<RerunReport>, ApiFailure> {
    who.require(Action::Configure)?;
    let value = crate::routes::json_body(&headers, body, state.config.limits.max_body_bytes)?;
    let req: RerunRequest =
        serde_json::from_value(value).map_err(|e| ApiFailure::bad_request(format!("The body is not {{\"dryRun\": true|false}}: {e}.")))?;
    Ok(Json(rerun(&state, &who, req.dry_run).await?))
}
