//! Storage behind one interface: the team log and its directory on SQLite
//! (one file, the zero-setup default) or PostgreSQL (larger deployments,
//! several servers on one database). `--db` picks: a `postgres://` URL, or a
//! file path.
//!
//! An enum rather than a trait object: every operation is one `match` with
//! an arm per engine, so adding a query means one method here and one
//! function per engine (SQLite's in `store.rs`/`accounts.rs`, run on a
//! blocking thread; PostgreSQL's in `postgres.rs`, async).

use std::time::Duration;

use escucha_core::log::query_api::{Aggregates, CapturePage, CaptureQuery, FacetCounts};
use escucha_core::log::{Capture, CaptureEdit};
use escucha_core::sync::api::ItemResult;

use crate::accounts::{self, Authentication, Identity, IssuedToken, TokenInfo};
use crate::db::{Db, DbError, StorageHealth};
use crate::postgres::{self, PgDb};
use crate::query::{self, Dialect, Plan};
use crate::quota::{Quotas, Usage};
use crate::store::{self, Checked, EditError, ExportCursor, ExportRow};
use escucha_core::sync::api::QuotaUsage;

#[derive(Clone)]
pub enum Storage {
    Sqlite(Db),
    Postgres(PgDb),
}

/// Run SQLite work off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce(&mut rusqlite::Connection) -> T + Send + 'static,
) -> Result<T, DbError> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || db.with(f)).await.map_err(|e| DbError(format!("The database task failed: {e}")))
}

fn sql(e: rusqlite::Error) -> DbError {
    DbError(format!("SQLite: {e}"))
}

impl Storage {
    /// `spec` is a `postgres://` URL or a SQLite file path.
    pub async fn open(spec: &str) -> Result<Storage, DbError> {
        if postgres::is_postgres_url(spec) {
            Ok(Storage::Postgres(PgDb::open(spec).await?))
        } else {
            let path = std::path::PathBuf::from(spec);
            Ok(Storage::Sqlite(tokio::task::spawn_blocking(move || Db::open(&path)).await.map_err(|e| DbError(e.to_string()))??))
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Storage::Sqlite(_) => "sqlite",
            Storage::Postgres(_) => "postgres",
        }
    }

    pub async fn health(&self) -> Result<StorageHealth, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let db = db.clone();
                tokio::task::spawn_blocking(move || db.health()).await.map_err(|e| DbError(format!("The database task failed: {e}")))?
            }
            Storage::Postgres(pg) => pg.health().await,
        }
    }

    pub async fn authenticate(&self, token: &str) -> Result<Authentication, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let token = token.to_owned();
                blocking(db, move |c| accounts::authenticate(c, &token)).await?.map_err(sql)
            }
            Storage::Postgres(pg) => pg.authenticate(token).await,
        }
    }

    /// The shared rate limit, for engines that several servers share (see
    /// `AppState::check_rate`). `None`: this engine has none (SQLite is one
    /// process's file, and the process keeps the buckets).
    pub async fn shared_rate_check(&self, who: &Identity, per_minute: u32, burst: u32) -> Option<Result<Result<(), Duration>, DbError>> {
        match self {
            Storage::Sqlite(_) => None,
            Storage::Postgres(pg) => Some(pg.rate_check(who, per_minute, burst).await),
        }
    }

    pub async fn push(&self, who: &Identity, items: Vec<Checked>) -> Result<Vec<ItemResult>, DbError> {
        Ok(self.push_within(who, items, &Quotas::OFF).await?.expect("no quota, no refusal"))
    }

    /// srv11b: [`Storage::push`] within the team's quotas; `Ok(Err(_))`: the
    /// batch would pass one and nothing was written.
    pub async fn push_within(
        &self,
        who: &Identity,
        items: Vec<Checked>,
        quotas: &Quotas,
    ) -> Result<Result<Vec<ItemResult>, QuotaUsage>, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (who, quotas) = (who.clone(), *quotas);
                blocking(db, move |c| store::push_within(c, &who, items, &quotas)).await?.map_err(sql)
            }
            Storage::Postgres(pg) => pg.push(who, items, quotas).await,
        }
        .inspect(|_| crate::delivery::WAKE.notify_one())
    }

    pub async fn pull(&self, team_id: i64, since: u64, limit: u32) -> Result<(Vec<Capture>, u64, bool), DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| store::pull(c, team_id, since, limit)).await?.map_err(sql),
            Storage::Postgres(pg) => pg.pull(team_id, since, limit).await,
        }
    }

    pub async fn edit(&self, who: &Identity, id: &str, change: &CaptureEdit, now_ms: i64, quotas: &Quotas) -> Result<Capture, EditError> {
        match self {
            Storage::Sqlite(db) => {
                let (who, id, change, quotas) = (who.clone(), id.to_owned(), change.clone(), *quotas);
                blocking(db, move |c| store::edit(c, &who, &id, &change, now_ms, &quotas)).await.map_err(|e| EditError::Db(e.0))?
            }
            Storage::Postgres(pg) => pg.edit(who, id, change, now_ms, quotas).await,
        }
        .inspect(|_| crate::delivery::WAKE.notify_one())
    }

    /// srv11b: one team's use, as its quotas count it.
    pub async fn team_usage(&self, team_id: i64) -> Result<Usage, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| store::team_usage(c, team_id)).await?.map_err(sql),
            Storage::Postgres(pg) => pg.team_usage(team_id).await,
        }
    }

    pub async fn export_page(&self, team_id: i64, after: ExportCursor, limit: u32) -> Result<Vec<ExportRow>, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| store::export_page(c, team_id, &after, limit)).await?.map_err(sql),
            Storage::Postgres(pg) => pg.export_page(team_id, &after, limit).await,
        }
    }

    // --- queries over the team log (crate::query) ---------------------------

    /// Build the plan in the engine's dialect and run it there: the rows
    /// become the answer by the same code on either engine.
    async fn query<T: Send + 'static>(&self, plan: impl FnOnce(Dialect) -> Plan<T>) -> Result<T, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let plan = plan(Dialect::Sqlite);
                blocking(db, move |c| query::run(c, plan)).await?.map_err(sql)
            }
            Storage::Postgres(pg) => pg.run(plan(Dialect::Postgres)).await,
        }
    }

    /// One page of the team's captures matching `q`.
    pub async fn list(&self, team_id: i64, q: &CaptureQuery) -> Result<CapturePage, DbError> {
        match self {
            // q16c: SQLite picks its search plan by how common the words are.
            Storage::Sqlite(db) => {
                let q = q.clone();
                blocking(db, move |c| query::list(c, team_id, &q)).await?.map_err(sql)
            }
            Storage::Postgres(_) => self.query(|d| query::list_plan(d, team_id, q)).await,
        }
    }

    pub async fn facets(&self, team_id: i64, q: &CaptureQuery) -> Result<FacetCounts, DbError> {
        self.query(|d| query::facets_plan(d, team_id, q)).await
    }

    pub async fn aggregates(&self, team_id: i64, q: &CaptureQuery, tz_offset_min: i32) -> Result<Aggregates, DbError> {
        self.query(|d| query::aggregates_plan(d, team_id, q, tz_offset_min)).await
    }

    /// The live captures of one page (URL without fragment), newest first.
    pub async fn page_captures(&self, team_id: i64, page: &str) -> Result<Vec<Capture>, DbError> {
        self.query(|d| query::page_plan(d, team_id, page)).await
    }

    // --- saved views (queue12; both engines' SQL in crate::saved_views) ------

    pub async fn saved_views(&self, who: &Identity) -> Result<escucha_core::dashboard::saved_view::SavedViews, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let who = who.clone();
                blocking(db, move |c| crate::saved_views::sqlite_list(c, &who)).await?
            }
            Storage::Postgres(pg) => pg.saved_views(who).await,
        }
    }

    pub async fn save_view(
        &self,
        who: &Identity,
        view: &escucha_core::dashboard::saved_view::SavedView,
        now_ms: i64,
    ) -> Result<Result<escucha_core::dashboard::saved_view::SavedViews, crate::saved_views::TooManyViews>, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (who, view) = (who.clone(), view.clone());
                blocking(db, move |c| crate::saved_views::sqlite_save(c, &who, &view, now_ms)).await?
            }
            Storage::Postgres(pg) => pg.save_view(who, view, now_ms).await,
        }
    }

    /// `Ok(None)`: no view of that name.
    pub async fn delete_view(
        &self,
        who: &Identity,
        name: &str,
    ) -> Result<Option<escucha_core::dashboard::saved_view::SavedViews>, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (who, name) = (who.clone(), name.to_owned());
                blocking(db, move |c| crate::saved_views::sqlite_delete(c, &who, &name)).await?
            }
            Storage::Postgres(pg) => pg.delete_view(who, name).await,
        }
    }

    // --- the directory ------------------------------------------------------

    pub async fn create_team(&self, name: &str) -> Result<i64, String> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| accounts::create_team(c, &name)).await.map_err(|e| e.0)?
            }
            Storage::Postgres(pg) => pg.create_team(name).await,
        }
    }

    pub async fn find_team(&self, name: &str) -> Result<Option<i64>, String> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| accounts::find_team(c, &name)).await.map_err(|e| e.0)?
            }
            Storage::Postgres(pg) => pg.find_team(name).await,
        }
    }

    pub async fn add_member(&self, team: &str, name: &str) -> Result<i64, String> {
        match self {
            Storage::Sqlite(db) => {
                let (team, name) = (team.to_owned(), name.to_owned());
                blocking(db, move |c| accounts::add_member(c, &team, &name)).await.map_err(|e| e.0)?
            }
            Storage::Postgres(pg) => pg.add_member(team, name).await,
        }
    }

    pub async fn issue_token(&self, member: &str, team: Option<&str>) -> Result<IssuedToken, String> {
        match self {
            Storage::Sqlite(db) => {
                let (member, team) = (member.to_owned(), team.map(str::to_owned));
                blocking(db, move |c| accounts::issue_token(c, &member, team.as_deref())).await.map_err(|e| e.0)?
            }
            Storage::Postgres(pg) => pg.issue_token(member, team).await,
        }
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, String> {
        match self {
            Storage::Sqlite(db) => blocking(db, |c| accounts::list_tokens(c)).await.map_err(|e| e.0)?,
            Storage::Postgres(pg) => pg.list_tokens().await,
        }
    }

    pub async fn revoke_token(&self, id: &str) -> Result<(), String> {
        match self {
            Storage::Sqlite(db) => {
                let id = id.to_owned();
                blocking(db, move |c| accounts::revoke_token(c, &id)).await.map_err(|e| e.0)?
            }
            Storage::Postgres(pg) => pg.revoke_token(id).await,
        }
    }

    // --- config12: the team configuration (crate::team_config) ----------------

    pub async fn team_config(&self, team_id: i64) -> Result<Option<escucha_core::team_config::VersionedConfig>, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| crate::team_config::sqlite_get(c, team_id)).await?,
            Storage::Postgres(pg) => crate::team_config::postgres_get(pg, team_id).await,
        }
    }

    /// Store `config` as the version after `expected`, only if `expected` is
    /// still the current one (0: none yet).
    pub async fn save_team_config(
        &self,
        team_id: i64,
        expected: u64,
        config: &escucha_core::team_config::TeamConfig,
        by: &str,
        now_ms: i64,
    ) -> Result<crate::team_config::Saved, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (config, by) = (config.clone(), by.to_owned());
                blocking(db, move |c| crate::team_config::sqlite_put(c, team_id, expected, &config, &by, now_ms)).await?
            }
            Storage::Postgres(pg) => crate::team_config::postgres_put(pg, team_id, expected, config, by, now_ms).await,
        }
    }

    // --- outbox13: destinations and the delivery outbox (crate::delivery) -------

    /// Enqueue `notification` for the target's enabled destinations: one
    /// outbox row each, unique on (team, destination, `key`), so the same
    /// event enqueued again (a retry, a second server) is a no-op.
    pub async fn enqueue_notification(
        &self,
        team_id: i64,
        target: &crate::delivery::Target,
        notification: &escucha_core::delivery::Notification,
        key: &str,
    ) -> Result<crate::delivery::Enqueued, DbError> {
        let now = crate::now_ms();
        let done = match self {
            Storage::Sqlite(db) => {
                let (target, n, key) = (target.clone(), notification.clone(), key.to_owned());
                blocking(db, move |c| crate::delivery::store::sqlite_enqueue(c, team_id, &target, &n, &key, now)).await?.map_err(sql)?
            }
            Storage::Postgres(pg) => {
                let c = pg.client().await?;
                crate::delivery::store::postgres_enqueue(&c, team_id, target, notification, key, now).await?
            }
        };
        if done.enqueued > 0 {
            crate::delivery::WAKE.notify_one();
        }
        Ok(done)
    }

    pub async fn destinations(&self, team_id: i64) -> Result<Vec<escucha_core::delivery::Destination>, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| crate::delivery::store::sqlite_destinations(c, team_id)).await?,
            Storage::Postgres(pg) => crate::delivery::store::postgres_destinations(pg, team_id).await,
        }
    }

    pub async fn destination(&self, team_id: i64, name: &str) -> Result<Option<escucha_core::delivery::Destination>, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| crate::delivery::store::sqlite_destination(c, team_id, &name)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_destination(pg, team_id, name).await,
        }
    }

    pub async fn save_destination(&self, team_id: i64, d: &escucha_core::delivery::Destination, by: &str, now: i64) -> Result<(), DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (d, by) = (d.clone(), by.to_owned());
                blocking(db, move |c| crate::delivery::store::sqlite_put_destination(c, team_id, &d, &by, now)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_put_destination(pg, team_id, d, by, now).await,
        }
    }

    pub async fn delete_destination(&self, team_id: i64, name: &str) -> Result<bool, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| crate::delivery::store::sqlite_delete_destination(c, team_id, &name)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_delete_destination(pg, team_id, name).await,
        }
    }

    /// At start: SQLite's leases belonged to a process that is gone (one
    /// process per file). PostgreSQL's may be another server's: they expire.
    pub async fn release_delivery_leases(&self) -> Result<(), DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, |c| crate::delivery::store::sqlite_release_leases(c)).await?.map(|_| ()),
            Storage::Postgres(_) => Ok(()),
        }
    }

    pub async fn lease_deliveries(
        &self,
        worker: &str,
        now: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<crate::delivery::Leased>, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let worker = worker.to_owned();
                blocking(db, move |c| crate::delivery::store::sqlite_lease(c, &worker, now, lease_ms, limit)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_lease(pg, worker, now, lease_ms, limit).await,
        }
    }

    pub async fn finish_delivery(&self, team_id: i64, worker: &str, f: &crate::delivery::store::Finish, now: i64) -> Result<(), DbError> {
        match self {
            Storage::Sqlite(db) => {
                let (worker, f) = (worker.to_owned(), f.clone());
                blocking(db, move |c| crate::delivery::store::sqlite_finish(c, team_id, &worker, &f, now)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_finish(pg, team_id, worker, f, now).await,
        }
    }

    pub async fn delivery_log(
        &self,
        team_id: i64,
        filter: &crate::delivery::store::LogFilter,
        limit: u32,
    ) -> Result<(Vec<crate::delivery::OutboxRow>, Vec<crate::delivery::AttemptRow>), DbError> {
        match self {
            Storage::Sqlite(db) => {
                let filter = filter.clone();
                blocking(db, move |c| crate::delivery::store::sqlite_log(c, team_id, &filter, limit)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_log(pg, team_id, filter, limit).await,
        }
    }

    pub async fn retry_delivery(&self, team_id: i64, id: &str, now: i64) -> Result<bool, DbError> {
        match self {
            Storage::Sqlite(db) => {
                let id = id.to_owned();
                blocking(db, move |c| crate::delivery::store::sqlite_retry_now(c, team_id, &id, now)).await?
            }
            Storage::Postgres(pg) => crate::delivery::store::postgres_retry_now(pg, team_id, id, now).await,
        }
    }

    /// How many capture rows the database holds, tombstones included (tests
    /// and benchmarks).
    pub async fn capture_rows(&self) -> Result<i64, DbError> {
        match self {
            Storage::Sqlite(db) => blocking(db, |c| c.query_row("SELECT count(*) FROM captures", [], |r| r.get(0))).await?.map_err(sql),
            Storage::Postgres(pg) => pg.capture_rows().await,
        }
    }
}
