//! Members' roles, the team directory as the API shows it, and tokens issued
//! or rotated over the API: both engines' SQL for them in one place (the
//! older directory code is in `accounts.rs` and `postgres.rs`).

/// SQLite: the `role` column. Members that exist before it become admins, so
/// no one loses what they could do; members added later default to `member`.
pub const SQLITE_ROLE_MIGRATION: &str = "ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
         CHECK (role IN ('admin', 'member', 'viewer'));
     UPDATE members SET role = 'admin';";

/// PostgreSQL: the same column and rule.
pub const POSTGRES_ROLE_MIGRATION: &str = "ALTER TABLE members ADD COLUMN role text NOT NULL DEFAULT 'member'
         CHECK (role IN ('admin', 'member', 'viewer'));
     UPDATE members SET role = 'admin';";

use escucha_core::sync::api::{ErrorCode, MemberInfo, NewToken};
use escucha_core::workspace::role::Role;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::accounts::{self, stored_role, Identity};
use crate::db::DbError;
use crate::errors::ApiFailure;
use crate::postgres::PgDb;
use crate::storage::{blocking, Storage};

/// Why a directory change was refused, as data; worded by [`MemberError::failure`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberError {
    /// The team has no member of that name.
    NoSuchMember {
        name: String,
    },
    /// The team already has a member of that name.
    Exists {
        name: String,
    },
    /// `name` is the team's only admin; demoting them would leave no one
    /// able to manage the team.
    LastAdmin {
        name: String,
    },
    /// The token presented for a rotation was revoked meanwhile.
    TokenRevoked,
    Db(String),
}

impl MemberError {
    pub fn failure(self) -> ApiFailure {
        match self {
            MemberError::NoSuchMember { name } => {
                ApiFailure::new(ErrorCode::NotFound, format!("Your team has no member named \u{201c}{name}\u{201d}."))
            }
            MemberError::Exists { name } => {
                ApiFailure::new(ErrorCode::Conflict, format!("Your team already has a member named \u{201c}{name}\u{201d}."))
            }
            MemberError::LastAdmin { name } => ApiFailure::new(
                ErrorCode::LastAdmin,
                format!("\u{201c}{name}\u{201d} is the team's only admin; make another member admin first, so the team keeps one."),
            ),
            MemberError::TokenRevoked => ApiFailure::new(
                ErrorCode::Forbidden,
                "This token was revoked while it was being replaced; ask your team admin for a new one.",
            ),
            MemberError::Db(e) => ApiFailure::internal("changing the team's members", e),
        }
    }

    /// The admin CLI's sentence.
    pub fn sentence(&self) -> String {
        match self {
            MemberError::Db(e) => format!("Database error: {e}"),
            other => other.clone().failure().error.message,
        }
    }
}

fn sqlite(e: rusqlite::Error) -> MemberError {
    MemberError::Db(format!("SQLite: {e}"))
}

fn pg(e: tokio_postgres::Error) -> MemberError {
    match e.as_db_error() {
        Some(db) => MemberError::Db(format!("{}: {}", db.code().code(), db.message())),
        None => MemberError::Db(e.to_string()),
    }
}

fn is_unique(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// One member and their team's name.
pub type DirectoryRow = (String, MemberInfo);

/// Whether a member whose role is `current` (`None`: no such member) may
/// become `new` when the team has `admins` admins.
fn judge_role_change(name: &str, current: Option<Role>, new: Role, admins: usize) -> Result<(), MemberError> {
    match current {
        None => Err(MemberError::NoSuchMember { name: name.to_string() }),
        Some(Role::Admin) if new != Role::Admin && admins <= 1 => Err(MemberError::LastAdmin { name: name.to_string() }),
        Some(_) => Ok(()),
    }
}

// --- SQLite -----------------------------------------------------------------

/// A team's members (`team_id`), or every team's (`None`), sorted by team
/// then name.
pub fn sqlite_directory(conn: &Connection, team_id: Option<i64>) -> Result<Vec<DirectoryRow>, MemberError> {
    let mut stmt = conn
        .prepare(
            "SELECT tm.name, m.name, m.role FROM members m JOIN teams tm ON tm.id = m.team_id
             WHERE ?1 IS NULL OR m.team_id = ?1 ORDER BY tm.name, m.name",
        )
        .map_err(sqlite)?;
    let rows = stmt
        .query_map([team_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .map_err(sqlite)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sqlite)?;
    rows.into_iter().map(|(team, name, role)| Ok((team, MemberInfo { name, role: stored_role(&role).map_err(MemberError::Db)? }))).collect()
}

pub fn sqlite_add(conn: &Connection, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
    match conn.execute("INSERT INTO members (team_id, name, role) VALUES (?1, ?2, ?3)", params![team_id, name, role.as_str()]) {
        Ok(_) => Ok(MemberInfo { name: name.to_string(), role }),
        Err(e) if is_unique(&e) => Err(MemberError::Exists { name: name.to_string() }),
        Err(e) => Err(sqlite(e)),
    }
}

pub fn sqlite_set_role(conn: &mut Connection, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite)?;
    let current: Option<String> = tx
        .query_row("SELECT role FROM members WHERE team_id = ?1 AND name = ?2", params![team_id, name], |r| r.get(0))
        .optional()
        .map_err(sqlite)?;
    let current = current.map(|r| stored_role(&r)).transpose().map_err(MemberError::Db)?;
    let admins: i64 =
        tx.query_row("SELECT count(*) FROM members WHERE team_id = ?1 AND role = 'admin'", [team_id], |r| r.get(0)).map_err(sqlite)?;
    judge_role_change(name, current, role, admins as usize)?;
    tx.execute("UPDATE members SET role = ?3 WHERE team_id = ?1 AND name = ?2", params![team_id, name, role.as_str()]).map_err(sqlite)?;
    tx.commit().map_err(sqlite)?;
    Ok(MemberInfo { name: name.to_string(), role })
}

pub fn sqlite_issue(conn: &Connection, team_id: i64, team: &str, name: &str) -> Result<NewToken, MemberError> {
    let member_id: Option<i64> = conn
        .query_row("SELECT id FROM members WHERE team_id = ?1 AND name = ?2", params![team_id, name], |r| r.get(0))
        .optional()
        .map_err(sqlite)?;
    let member_id = member_id.ok_or_else(|| MemberError::NoSuchMember { name: name.to_string() })?;
    let (id, secret) = accounts::new_token().map_err(MemberError::Db)?;
    conn.execute(
        "INSERT INTO tokens (id, member_id, sha256) VALUES (?1, ?2, ?3)",
        params![id, member_id, accounts::digest(&secret).as_slice()],
    )
    .map_err(sqlite)?;
    Ok(NewToken { id, token: secret, member: name.to_string(), team: team.to_string() })
}

/// A new token for the caller and the presented one revoked, both or neither.
pub fn sqlite_rotate(conn: &mut Connection, who: &Identity) -> Result<NewToken, MemberError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sqlite)?;
    let revoked = tx
        .execute(
            "UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1 AND revoked_at IS NULL",
            [&who.token_id],
        )
        .map_err(sqlite)?;
    if revoked != 1 {
        return Err(MemberError::TokenRevoked);
    }
    let (id, secret) = accounts::new_token().map_err(MemberError::Db)?;
    tx.execute(
        "INSERT INTO tokens (id, member_id, sha256) VALUES (?1, ?2, ?3)",
        params![id, who.member_id, accounts::digest(&secret).as_slice()],
    )
    .map_err(sqlite)?;
    tx.commit().map_err(sqlite)?;
    Ok(NewToken { id, token: secret, member: who.member.clone(), team: who.team.clone() })
}

// --- PostgreSQL ---------------------------------------------------------------

impl PgDb {
    pub async fn directory(&self, team_id: Option<i64>) -> Result<Vec<DirectoryRow>, MemberError> {
        let c = self.client().await.map_err(|e| MemberError::Db(e.0))?;
        let rows = c
            .query(
                "SELECT tm.name, m.name, m.role FROM members m JOIN teams tm ON tm.id = m.team_id
                 WHERE $1::bigint IS NULL OR m.team_id = $1 ORDER BY tm.name, m.name",
                &[&team_id],
            )
            .await
            .map_err(pg)?;
        rows.iter().map(|r| Ok((r.get(0), MemberInfo { name: r.get(1), role: stored_role(r.get(2)).map_err(MemberError::Db)? }))).collect()
    }

    pub async fn add_member_as(&self, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
        let c = self.client().await.map_err(|e| MemberError::Db(e.0))?;
        match c.execute("INSERT INTO members (team_id, name, role) VALUES ($1, $2, $3)", &[&team_id, &name, &role.as_str()]).await {
            Ok(_) => Ok(MemberInfo { name: name.to_string(), role }),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                Err(MemberError::Exists { name: name.to_string() })
            }
            Err(e) => Err(pg(e)),
        }
    }

    pub async fn set_role(&self, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
        let mut c = self.client().await.map_err(|e| MemberError::Db(e.0))?;
        let tx = c.transaction().await.map_err(pg)?;
        // Lock the team's admins (in id order, so two changes never deadlock)
        // and then the member: two admins demoting each other at once cannot
        // both see "another admin is left".
        let admins = tx
            .query("SELECT id FROM members WHERE team_id = $1 AND role = 'admin' ORDER BY id FOR UPDATE", &[&team_id])
            .await
            .map_err(pg)?
            .len();
        let current = tx
            .query_opt("SELECT role FROM members WHERE team_id = $1 AND name = $2 FOR UPDATE", &[&team_id, &name])
            .await
            .map_err(pg)?
            .map(|r| stored_role(r.get(0)))
            .transpose()
            .map_err(MemberError::Db)?;
        judge_role_change(name, current, role, admins)?;
        tx.execute("UPDATE members SET role = $3 WHERE team_id = $1 AND name = $2", &[&team_id, &name, &role.as_str()])
            .await
            .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(MemberInfo { name: name.to_string(), role })
    }

    pub async fn issue_member_token(&self, team_id: i64, team: &str, name: &str) -> Result<NewToken, MemberError> {
        let c = self.client().await.map_err(|e| MemberError::Db(e.0))?;
        let member_id: i64 = c
            .query_opt("SELECT id FROM members WHERE team_id = $1 AND name = $2", &[&team_id, &name])
            .await
            .map_err(pg)?
            .ok_or_else(|| MemberError::NoSuchMember { name: name.to_string() })?
            .get(0);
        let (id, secret) = accounts::new_token().map_err(MemberError::Db)?;
        c.execute(
            "INSERT INTO tokens (id, member_id, sha256) VALUES ($1, $2, $3)",
            &[&id, &member_id, &accounts::digest(&secret).as_slice()],
        )
        .await
        .map_err(pg)?;
        Ok(NewToken { id, token: secret, member: name.to_string(), team: team.to_string() })
    }

    pub async fn rotate_token(&self, who: &Identity) -> Result<NewToken, MemberError> {
        let mut c = self.client().await.map_err(|e| MemberError::Db(e.0))?;
        let tx = c.transaction().await.map_err(pg)?;
        let revoked =
            tx.execute("UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", &[&who.token_id]).await.map_err(pg)?;
        if revoked != 1 {
            return Err(MemberError::TokenRevoked);
        }
        let (id, secret) = accounts::new_token().map_err(MemberError::Db)?;
        tx.execute(
            "INSERT INTO tokens (id, member_id, sha256) VALUES ($1, $2, $3)",
            &[&id, &who.member_id, &accounts::digest(&secret).as_slice()],
        )
        .await
        .map_err(pg)?;
        tx.commit().await.map_err(pg)?;
        Ok(NewToken { id, token: secret, member: who.member.clone(), team: who.team.clone() })
    }
}

// --- one interface ------------------------------------------------------------

fn task(e: DbError) -> MemberError {
    MemberError::Db(e.0)
}

impl Storage {
    /// The members of one team (`Some(team_id)`) or of every team, as (team, member).
    pub async fn directory(&self, team_id: Option<i64>) -> Result<Vec<DirectoryRow>, MemberError> {
        match self {
            Storage::Sqlite(db) => blocking(db, move |c| sqlite_directory(c, team_id)).await.map_err(task)?,
            Storage::Postgres(p) => p.directory(team_id).await,
        }
    }

    pub async fn add_member_as(&self, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| sqlite_add(c, team_id, &name, role)).await.map_err(task)?
            }
            Storage::Postgres(p) => p.add_member_as(team_id, name, role).await,
        }
    }

    /// Change a member's role; never leaves the team without an admin.
    pub async fn set_role(&self, team_id: i64, name: &str, role: Role) -> Result<MemberInfo, MemberError> {
        match self {
            Storage::Sqlite(db) => {
                let name = name.to_owned();
                blocking(db, move |c| sqlite_set_role(c, team_id, &name, role)).await.map_err(task)?
            }
            Storage::Postgres(p) => p.set_role(team_id, name, role).await,
        }
    }

    /// A new token for the member `name` of the team (shown once).
    pub async fn issue_member_token(&self, team_id: i64, team: &str, name: &str) -> Result<NewToken, MemberError> {
        match self {
            Storage::Sqlite(db) => {
                let (team, name) = (team.to_owned(), name.to_owned());
                blocking(db, move |c| sqlite_issue(c, team_id, &team, &name)).await.map_err(task)?
            }
            Storage::Postgres(p) => p.issue_member_token(team_id, team, name).await,
        }
    }

    /// Replace the caller's token: the new one issued and the presented one
    /// revoked in one transaction.
    pub async fn rotate_token(&self, who: &Identity) -> Result<NewToken, MemberError> {
        match self {
            Storage::Sqlite(db) => {
                let who = who.clone();
                blocking(db, move |c| sqlite_rotate(c, &who)).await.map_err(task)?
            }
            Storage::Postgres(p) => p.rotate_token(who).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Authentication;

    /// Members that existed before roles became admins; later ones default
    /// to member. `before` holds the migrations that precede the role column.
    async fn members_before_roles_become_admins(storage: Storage) {
        let t = storage.find_team("old").await.unwrap().expect("the old team");
        let rows = storage.directory(Some(t)).await.unwrap();
        assert_eq!(rows.iter().map(|(_, m)| (m.name.as_str(), m.role)).collect::<Vec<_>>(), [("ana", Role::Admin), ("bo", Role::Admin)]);
        storage.add_member("old", "cy").await.unwrap();
        assert_eq!(storage.directory(Some(t)).await.unwrap()[2].1, MemberInfo { name: "cy".into(), role: Role::Member });
        let token = storage.issue_token("cy", Some("old")).await.unwrap().secret;
        let Authentication::Valid(who) = storage.authenticate(&token).await.unwrap() else { panic!("valid") };
        assert_eq!(who.role, Role::Member);
    }

    #[test]
    fn sqlite_migration_keeps_what_existing_members_could_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let before = crate::db::MIGRATIONS.iter().position(|m| *m == SQLITE_ROLE_MIGRATION).expect("the role migration is listed");
        {
            let conn = Connection::open(&path).unwrap();
            for m in &crate::db::MIGRATIONS[..before] {
                conn.execute_batch(m).unwrap();
            }
            conn.pragma_update(None, "user_version", before as u32).unwrap();
            conn.execute_batch(
                "INSERT INTO teams (name) VALUES ('old'); INSERT INTO team_changes (team_id, seq) VALUES (1, 0);
                 INSERT INTO members (team_id, name) VALUES (1, 'ana'), (1, 'bo');",
            )
            .unwrap();
        }
        let storage = Storage::Sqlite(crate::Db::open(&path).unwrap());
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(members_before_roles_become_admins(storage));
    }

    #[test]
    fn postgres_migration_keeps_what_existing_members_could_do() {
        let Some(admin) = crate::postgres::test_postgres_url() else { return };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let url = crate::postgres::scratch_database(&admin, "escucha_roles").await.unwrap();
            let before = crate::postgres::MIGRATIONS.iter().position(|m| *m == POSTGRES_ROLE_MIGRATION).expect("listed");
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(conn);
            client
                .batch_execute(
                    "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                )
                .await
                .unwrap();
            for (i, m) in crate::postgres::MIGRATIONS[..before].iter().enumerate() {
                client.batch_execute(m).await.unwrap();
                client.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&((i + 1) as i32)]).await.unwrap();
            }
            client
                .batch_execute(
                    "INSERT INTO teams (id, name) VALUES (1, 'old'); INSERT INTO team_changes (team_id, seq) VALUES (1, 0);
                     INSERT INTO members (team_id, name) VALUES (1, 'ana'), (1, 'bo');",
                )
                .await
                .unwrap();
            drop(client);
            members_before_roles_become_admins(Storage::open(&url).await.unwrap()).await;
        });
    }

    #[test]
    fn the_last_admin_keeps_the_role() {
        use Role::*;
        // (current role, new role, admins in the team, refused as)
        let cases: [(Option<Role>, Role, usize, Option<&str>); 8] = [
            (Some(Admin), Member, 1, Some("last")),
            (Some(Admin), Viewer, 1, Some("last")),
            (Some(Admin), Admin, 1, None),
            (Some(Admin), Viewer, 2, None),
            (Some(Member), Admin, 1, None),
            (Some(Viewer), Member, 0, None),
            (Some(Member), Viewer, 0, None),
            (None, Admin, 3, Some("none")),
        ];
        for (current, new, admins, want) in cases {
            let got = judge_role_change("ana", current, new, admins);
            let got = match got {
                Ok(()) => None,
                Err(MemberError::LastAdmin { .. }) => Some("last"),
                Err(MemberError::NoSuchMember { .. }) => Some("none"),
                Err(other) => panic!("{other:?}"),
            };
            assert_eq!(got, want, "{current:?} -> {new:?} with {admins} admins");
        }
    }
}
