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
