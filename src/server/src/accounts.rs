//! Teams, members and their bearer tokens (the SQLite engine's SQL; the
//! PostgreSQL engine's is in `postgres.rs`, the rules here serve both).
//!
//! A token is shown once, when issued, and only its SHA-256 digest is kept:
//! a stolen database file grants nothing. Tokens carry 256 random bits, so
//! hashing without a salt is safe (nothing to guess), and looking the digest
//! up by index reveals nothing about the secret; the final comparison is in
//! constant time anyway.

use escucha_core::workspace::role::Role;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Every token starts with this, so a leaked one is easy to recognise.
pub const TOKEN_PREFIX: &str = "esc_";
const MAX_NAME_CHARS: usize = 64;

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub token_id: String,
    pub team_id: i64,
    pub team: String,
    pub member_id: i64,
    pub member: String,
    /// What the member may do (checked by `Identity::require` on every route).
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    Valid(Identity),
    Revoked { revoked_at: String },
    Unknown,
}

/// One row of `token list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: String,
    pub team: String,
    pub member: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A freshly issued token: `secret` is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub id: String,
    pub secret: String,
    pub team: String,
    pub member: String,
}

pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub(crate) fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).map_err(|e| format!("The system random generator failed: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn db_err(e: rusqlite::Error) -> String {
    format!("Database error: {e}")
}

/// Team and member names: short, one line, no surrounding spaces.
pub fn check_name(kind: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.trim() != name {
        return Err(format!("The {kind} name must not be empty or start/end with spaces."));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!("The {kind} name must be one line of at most {MAX_NAME_CHARS} characters."));
    }
    Ok(())
}

pub fn authenticate(conn: &Connection, token: &str) -> rusqlite::Result<Authentication> {
    let presented = digest(token);
    let row = conn
        .query_row(
            "SELECT t.id, t.sha256, t.revoked_at, m.id, m.name, tm.id, tm.name, m.role
             FROM tokens t JOIN members m ON m.id = t.member_id JOIN teams tm ON tm.id = m.team_id
             WHERE t.sha256 = ?1",
            [presented.as_slice()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    Identity {
                        token_id: String::new(),
                        member_id: r.get(3)?,
                        member: r.get(4)?,
                        team_id: r.get(5)?,
                        team: r.get(6)?,
                        role: stored_role(&r.get::<_, String>(7)?)
                            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into()))?,
                    },
                ))
            },
        )
        .optional()?;
    Ok(judge(row, &presented))
}

/// A role as the `members.role` column holds it (a CHECK constraint keeps
/// it one of the three; anything else is a fault, never a guessed role).
pub(crate) fn stored_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| format!("The database holds an unknown role \u{201c}{name}\u{201d}."))
}

/// A token row found by digest (id, stored digest, revoked at, its member)
/// → the answer, comparing the digest in constant time.
pub(crate) fn judge(row: Option<(String, Vec<u8>, Option<String>, Identity)>, presented: &[u8; 32]) -> Authentication {
    match row {
        Some((id, stored, revoked, mut identity)) if bool::from(stored.ct_eq(presented.as_slice())) => match revoked {
            Some(revoked_at) => Authentication::Revoked { revoked_at },
            None => {
                identity.token_id = id;
                Authentication::Valid(identity)
            }
        },
        _ => Authentication::Unknown,
    }
}

pub fn create_team(conn: &Connection, name: &str) -> Result<i64, String> {
    check_name("team", name)?;
    match conn.execute("INSERT INTO teams (name) VALUES (?1)", [name]) {
        Ok(_) => {
            let id = conn.last_insert_rowid();
            conn.execute("INSERT INTO team_changes (team_id, seq) VALUES (?1, 0)", [id]).map_err(db_err)?;
            Ok(id)
        }
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(format!("A team named \u{201c}{name}\u{201d} already exists."))
        }
        Err(e) => Err(db_err(e)),
    }
}

pub fn find_team(conn: &Connection, name: &str) -> Result<Option<i64>, String> {
    conn.query_row("SELECT id FROM teams WHERE name = ?1", [name], |r| r.get(0)).optional().map_err(db_err)
}

pub fn add_member(conn: &Connection, team: &str, name: &str) -> Result<i64, String> {
    check_name("member", name)?;
    let team_id = find_team(conn, team)?.ok_or_else(|| format!("No team named \u{201c}{team}\u{201d}; create it with `team create`."))?;
    match conn.execute("INSERT INTO members (team_id, name) VALUES (?1, ?2)", params![team_id, name]) {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(format!("The team \u{201c}{team}\u{201d} already has a member named \u{201c}{name}\u{201d}."))
        }
        Err(e) => Err(db_err(e)),
    }
}

/// The one member a `token issue` means, from the (member id, team name)
/// rows matching its name (and team, if given).
pub fn choose_member(found: &[(i64, String)], member: &str, team: Option<&str>) -> Result<(i64, String), String> {
    match found {
        [one] => Ok(one.clone()),
        [] => Err(match team {
            Some(t) => format!("The team \u{201c}{t}\u{201d} has no member named \u{201c}{member}\u{201d}."),
            None => format!("No member named \u{201c}{member}\u{201d}; add one with `member add`."),
        }),
        many => {
            let teams: Vec<&str> = many.iter().map(|(_, t)| t.as_str()).collect();
            Err(format!("\u{201c}{member}\u{201d} is a member of several teams ({}); say which with --team.", teams.join(", ")))
        }
    }
}

/// A new token: its public id and its secret (shown once, stored as a digest).
pub(crate) fn new_token() -> Result<(String, String), String> {
    Ok((format!("tok_{}", random_hex(6)?), format!("{TOKEN_PREFIX}{}", random_hex(32)?)))
}

/// Issue a token for `member` (in `team`, needed only when several teams
/// have a member of that name).
pub fn issue_token(conn: &Connection, member: &str, team: Option<&str>) -> Result<IssuedToken, String> {
    let mut stmt = conn
        .prepare(
            "SELECT m.id, tm.name FROM members m JOIN teams tm ON tm.id = m.team_id
             WHERE m.name = ?1 AND (?2 IS NULL OR tm.name = ?2) ORDER BY tm.name",
        )
        .map_err(db_err)?;
    let found: Vec<(i64, String)> =
        stmt.query_map(params![member, team], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db_err)?.collect::<Result<_, _>>().map_err(db_err)?;
    let (member_id, team_name) = choose_member(&found, member, team)?;
    let (id, secret) = new_token()?;
    conn.execute("INSERT INTO tokens (id, member_id, sha256) VALUES (?1, ?2, ?3)", params![id, member_id, digest(&secret).as_slice()])
        .map_err(db_err)?;
    Ok(IssuedToken { id, secret, team: team_name, member: member.to_string() })
}

pub fn list_tokens(conn: &Connection) -> Result<Vec<TokenInfo>, String> {
    let mut stmt = conn
        .prepare(
            "SELECT t.id, tm.name, m.name, t.created_at, t.revoked_at
             FROM tokens t JOIN members m ON m.id = t.member_id JOIN teams tm ON tm.id = m.team_id
             ORDER BY tm.name, m.name, t.created_at",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(TokenInfo { id: r.get(0)?, team: r.get(1)?, member: r.get(2)?, created_at: r.get(3)?, revoked_at: r.get(4)? })
        })
        .map_err(db_err)?;
    rows.collect::<Result<_, _>>().map_err(db_err)
}

/// Revoke a token by id. Revoking twice is refused with a message, so a
/// typo'd id is never mistaken for success.
pub fn revoke_token(conn: &Connection, id: &str) -> Result<(), String> {
    let revoked: Option<Option<String>> =
        conn.query_row("SELECT revoked_at FROM tokens WHERE id = ?1", [id], |r| r.get(0)).optional().map_err(db_err)?;
    match revoked {
        None => Err(format!("No token with id \u{201c}{id}\u{201d}; `token list` shows them.")),
        Some(Some(at)) => Err(format!("The token {id} was already revoked at {at}.")),
        Some(None) => {
            conn.execute("UPDATE tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1", [id]).map_err(db_err)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.sqlite3")).unwrap();
        (dir, db)
    }

    #[test]
    fn issued_tokens_authenticate_until_revoked() {
        let (_dir, db) = db();
        db.with(|c| {
            create_team(c, "Atención").unwrap();
            add_member(c, "Atención", "ana").unwrap();
            let t = issue_token(c, "ana", None).unwrap();
            assert!(t.secret.starts_with(TOKEN_PREFIX) && t.secret.len() == 4 + 64);
            let Authentication::Valid(who) = authenticate(c, &t.secret).unwrap() else { panic!("valid") };
            assert_eq!((who.team.as_str(), who.member.as_str(), who.token_id.as_str()), ("Atención", "ana", t.id.as_str()));
            assert_eq!(authenticate(c, "esc_nope").unwrap(), Authentication::Unknown);
            // The secret is not in the database, only its digest.
            let stored: Vec<u8> = c.query_row("SELECT sha256 FROM tokens", [], |r| r.get(0)).unwrap();
            assert_eq!(stored, digest(&t.secret).to_vec());
            revoke_token(c, &t.id).unwrap();
            assert!(matches!(authenticate(c, &t.secret).unwrap(), Authentication::Revoked { .. }));
            assert!(revoke_token(c, &t.id).unwrap_err().contains("already revoked"));
            assert_eq!(list_tokens(c).unwrap().len(), 1);
        });
    }

    #[test]
    fn admin_mistakes_get_clear_messages() {
        let (_dir, db) = db();
        db.with(|c| {
            create_team(c, "a").unwrap();
            create_team(c, "b").unwrap();
            add_member(c, "a", "ana").unwrap();
            add_member(c, "b", "ana").unwrap();
            let cases: [(Result<(), String>, &str); 7] = [
                (create_team(c, "a").map(drop), "already exists"),
                (create_team(c, " x").map(drop), "spaces"),
                (add_member(c, "zz", "bo").map(drop), "No team named"),
                (add_member(c, "a", "ana").map(drop), "already has a member"),
                (issue_token(c, "ana", None).map(drop), "several teams (a, b)"),
                (issue_token(c, "bo", None).map(drop), "No member named"),
                (revoke_token(c, "tok_x"), "No token with id"),
            ];
            for (got, want) in cases {
                let err = got.unwrap_err();
                assert!(err.contains(want), "{err:?} lacks {want:?}");
            }
            assert_eq!(issue_token(c, "ana", Some("b")).unwrap().team, "b");
        });
    }
}
