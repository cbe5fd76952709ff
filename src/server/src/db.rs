//! The SQLite engine's file: one SQLite file, its durability settings and
//! its migrations (the zero-setup default; `postgres.rs` is the other engine,
//! `storage.rs` the one interface over both).
//!
//! Durability is checked, not assumed: [`Db::open`] sets `journal_mode=WAL`
//! and `synchronous=FULL`, reads both back and refuses to start if SQLite did
//! not take them, so a 2xx from the server always means the data is on disk.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use serde::Serialize;

/// Schema migrations, applied in order; `PRAGMA user_version` records how
/// many have run. Append only: never edit a migration that has shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: server identity, written once at creation.
    "CREATE TABLE server_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
     INSERT INTO server_info (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ','now'));",
    // 2: teams, members, their tokens (SHA-256 only; the token itself is shown
    // once and never stored), and the team log. `seq` is one server-wide change
    // counter: every insert or change of a capture takes the next value, so
    // "changes since cursor N" is `seq > N`. Writes are serialized (one
    // connection), so a reader never sees seq 6 committed before seq 5.
    "CREATE TABLE teams (
         id INTEGER PRIMARY KEY,
         name TEXT NOT NULL UNIQUE,
         created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
     ) STRICT;
     CREATE TABLE members (
         id INTEGER PRIMARY KEY,
         team_id INTEGER NOT NULL REFERENCES teams(id),
         name TEXT NOT NULL,
         created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
         UNIQUE (team_id, name)
     ) STRICT;
     CREATE TABLE tokens (
         id TEXT PRIMARY KEY,
         member_id INTEGER NOT NULL REFERENCES members(id),
         sha256 BLOB NOT NULL UNIQUE,
         created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
         revoked_at TEXT
     ) STRICT;
     CREATE TABLE change_counter (
         only INTEGER PRIMARY KEY CHECK (only = 1),
         seq INTEGER NOT NULL
     ) STRICT;
     INSERT INTO change_counter (only, seq) VALUES (1, 0);
     CREATE TABLE captures (
         team_id INTEGER NOT NULL REFERENCES teams(id),
         id TEXT NOT NULL,
         seq INTEGER NOT NULL,
         record TEXT NOT NULL,
         created_ms INTEGER NOT NULL,
         deleted INTEGER NOT NULL,
         first_pushed_by INTEGER NOT NULL REFERENCES members(id),
         last_pushed_by INTEGER NOT NULL REFERENCES members(id),
         updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
         PRIMARY KEY (team_id, id)
     ) STRICT, WITHOUT ROWID;
     CREATE UNIQUE INDEX captures_by_change ON captures (team_id, seq);
     CREATE INDEX captures_live_by_time ON captures (team_id, created_ms, id) WHERE deleted = 0;",
    // 3: one change counter per team, advanced inside the push transaction
    // (the same design as PostgreSQL's, where a server-wide counter would be
    // a hot row shared by every team). Each team starts past the old global
    // counter, so every cursor a client already holds stays valid.
    "CREATE TABLE team_changes (
         team_id INTEGER PRIMARY KEY REFERENCES teams(id),
         seq INTEGER NOT NULL
     ) STRICT;
     INSERT INTO team_changes (team_id, seq) SELECT id, (SELECT seq FROM change_counter) FROM teams;
     DROP TABLE change_counter;",
    // 4: derived query columns (folded search text, sort keys, facets) and their indexes.
    crate::query::SQLITE_MIGRATION,
    // 5: the narrow query table and the folded text's trigram index;
    // `captures` as a rowid table (see `crate::query`).
    crate::query::SQLITE_NARROW_MIGRATION,
    // roles12: members' roles (see `crate::members`).
    crate::members::SQLITE_ROLE_MIGRATION,
    // config12: the team configuration (see `crate::team_config`).
    crate::team_config::SQLITE_MIGRATION,
    // wsmodel12 (issue 12): the assignee query column.
    crate::query::SQLITE_ASSIGNEE_MIGRATION,
    // queue12: each member's saved dashboard views.
    crate::saved_views::SQLITE_MIGRATION,
    // q16c: per-team roll-ups of the query rows, kept by triggers (see `crate::rollup`).
    crate::rollup::SQLITE_MIGRATION,
    // outbox13: destinations, the delivery outbox and its attempt log (see `crate::delivery`).
    crate::delivery::store::SQLITE_MIGRATION,
    // digest13: the feedback scheduler's team leases and runs (see `crate::feedback`).
    crate::feedback::SQLITE_MIGRATION,
    // q16d: the roll-up keyed by hour of day (charts from daily rows; see `crate::rollup`).
    crate::rollup::SQLITE_HOD_MIGRATION,
];

#[derive(Debug)]
pub struct DbError(pub String);

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

/// A shared handle to the database. SQLite serializes writers anyway; one
/// connection behind a mutex keeps the durability settings in one place.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageHealth {
    pub engine: &'static str,
    /// SQLite's journal mode (`wal`); PostgreSQL has none to report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal_mode: Option<String>,
    /// SQLite's `synchronous` pragma or PostgreSQL's `synchronous_commit`.
    pub synchronous: String,
    pub schema_version: u32,
}

impl Db {
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError(format!("Cannot create the data folder {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| DbError(format!("Cannot open the database {}: {e}", path.display())))?;
        let db = Db { conn: Arc::new(Mutex::new(conn)), path: path.to_owned() };
        db.configure()?;
        db.migrate()?;
        db.with(crate::query::backfill).map_err(|e| DbError(format!("Deriving the query columns failed: {e}")))?;
        Ok(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` with the connection. Blocking: call it from
    /// `spawn_blocking` (or the admin CLI), never on an async worker.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut conn)
    }

    fn configure(&self) -> Result<(), DbError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let err = |e: rusqlite::Error| DbError(format!("Cannot configure the database {}: {e}", self.path.display()));
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(err)?;
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;").map_err(err)?;
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") || sync != 2 {
            return Err(DbError(format!(
                "SQLite refused the durability settings for {} (journal_mode={mode}, synchronous={sync}); \
                 put the database on a local disk that supports WAL.",
                self.path.display()
            )));
        }
        Ok(())
    }

    fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let err = |e: rusqlite::Error| DbError(format!("Database migration failed: {e}"));
        let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        if current as usize > MIGRATIONS.len() {
            return Err(DbError(format!(
                "The database {} has schema version {current}, newer than this server knows ({}). Update the server.",
                self.path.display(),
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = conn.transaction().map_err(err)?;
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32).map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(())
    }

    /// Read back the settings that matter, proving the database answers.
    pub fn health(&self) -> Result<StorageHealth, DbError> {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let err = |e: rusqlite::Error| DbError(format!("Database health check failed: {e}"));
        let journal_mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(err)?;
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).map_err(err)?;
        let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        let synchronous = match sync {
            0 => "off",
            1 => "normal",
            2 => "full",
            3 => "extra",
            _ => "unknown",
        }
        .to_string();
        Ok(StorageHealth { engine: "sqlite", journal_mode: Some(journal_mode.to_lowercase()), synchronous, schema_version })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_with_wal_and_full_sync_and_migrates_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/team.sqlite3");
        let db = Db::open(&path).unwrap();
        let h = db.health().unwrap();
        assert_eq!((h.journal_mode.as_deref(), h.synchronous.as_str()), (Some("wal"), "full"));
        assert_eq!(h.schema_version as usize, MIGRATIONS.len());
        drop(db);
        // Re-opening does not re-run migrations (the INSERT would duplicate a key).
        let again = Db::open(&path).unwrap();
        assert_eq!(again.health().unwrap().schema_version as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_newer_schema_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.sqlite3");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 999).unwrap();
        let err = Db::open(&path).err().expect("refused").0;
        assert!(err.contains("newer than this server knows"), "{err}");
    }

    #[test]
    fn an_unusable_path_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let err = Db::open(&file.join("team.sqlite3")).err().expect("refused").0;
        assert!(err.starts_with("Cannot create the data folder"), "{err}");
    }
}
