//! The schema is ready to be sharded by team (e.g. Citus
//! `create_distributed_table('captures', 'team_id')`): on every table that
//! holds team data, `team_id` leads the primary key and every index, and the
//! server's SQL on those tables is always for one team, never a join. Every
//! other table must be declared a small reference table. Checked on the real
//! schemas (SQLite file; PostgreSQL when `ESCUCHA_TEST_POSTGRES` is set) and
//! on the PostgreSQL engine's source.

use escucha_server::postgres::{self, DISTRIBUTED_TABLES, REFERENCE_TABLES};
use escucha_server::query::SQLITE_SEARCH_TABLES;
use escucha_server::{Db, Storage};

/// Statements allowed to read every team at once, and why.
const ALL_TEAMS_ALLOWED: [&str; 1] = [
    // Storage::capture_rows: tests and benchmarks count rows.
    "SELECT count(*) FROM captures",
];

fn check_indexes(engine: &str, indexes: &[(String, String, String)]) {
    // (table, index, first column)
    for table in DISTRIBUTED_TABLES {
        let on_table: Vec<_> = indexes.iter().filter(|(t, _, _)| t == table).collect();
        assert!(!on_table.is_empty() || engine == "sqlite", "{engine}: {table} has no primary key or index");
        for (_, index, first) in on_table {
            assert_eq!(first, "team_id", "{engine}: index {index} on {table} does not start with team_id");
        }
    }
}

#[test]
fn sqlite_team_tables_lead_with_team_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("t.sqlite3")).unwrap();
    let indexes = db.with(|c| {
        let mut out = Vec::new();
        let tables: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in &tables {
            // SQLite's FTS5 search index is SQLite-only (see its constant's why).
            if SQLITE_SEARCH_TABLES.contains(&table.as_str()) {
                continue;
            }
            assert!(
                DISTRIBUTED_TABLES.contains(&table.as_str()) || REFERENCE_TABLES.contains(&table.as_str()) || table == "server_info",
                "sqlite: table {table} is neither distributed by team nor a reference table"
            );
            if !DISTRIBUTED_TABLES.contains(&table.as_str()) {
                continue;
            }
            // Every index, the primary key's included (origin "pk"); a rowid
            // table's INTEGER PRIMARY KEY is the rowid itself.
            let list: Vec<String> = c
                .prepare(&format!("PRAGMA index_list({table})"))
                .unwrap()
                .query_map([], |r| r.get(1))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for index in list {
                let first: String = c.query_row(&format!("PRAGMA index_info({index})"), [], |r| r.get(2)).unwrap();
                out.push((table.clone(), index, first));
            }
            let pk: Vec<String> = c
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            if let Some(first) = pk.first() {
                out.push((table.clone(), format!("{table} primary key"), first.clone()));
            }
        }
        out
    });
    assert!(indexes.iter().any(|(t, _, _)| t == "captures"));
    assert!(indexes.iter().filter(|(t, _, _)| t == "capture_query").count() >= 8, "{indexes:?}");
    check_indexes("sqlite", &indexes);
}

#[tokio::test]
async fn postgres_team_tables_lead_with_team_id() {
    let Some(admin) = postgres::test_postgres_url() else { return };
    let url = postgres::scratch_database(&admin, "escucha_lint").await.unwrap();
    let Storage::Postgres(pg) = Storage::open(&url).await.unwrap() else { unreachable!() };
    let tables = pg.texts("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").await.unwrap();
    for table in &tables {
        assert!(
            DISTRIBUTED_TABLES.contains(&table.as_str()) || REFERENCE_TABLES.contains(&table.as_str()),
            "postgres: table {table} is neither distributed by team nor a reference table"
        );
    }
    let rows = pg
        .texts(
            "SELECT t.relname || '|' || i.relname || '|' || a.attname
             FROM pg_index x
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
             WHERE n.nspname = 'public'",
        )
        .await
        .unwrap();
    let indexes: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let mut p = r.splitn(3, '|');
            (p.next().unwrap().into(), p.next().unwrap().into(), p.next().unwrap().into())
        })
        .collect();
    assert!(indexes.iter().filter(|(t, _, _)| t == "captures").count() >= 3, "{indexes:?}");
    check_indexes("postgres", &indexes);
}

/// Every string literal in a Rust source file (plain and raw).
fn literals(src: &str) -> Vec<String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'r' && b.get(i + 1) == Some(&b'#') && b.get(i + 2) == Some(&b'"') {
            let end = src[i + 3..].find("\"#").unwrap() + i + 3;
            out.push(src[i + 3..end].to_string());
            i = end + 2;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3; // a char literal such as '"'
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push(src[i + 1..j].to_string());
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn postgres_statements_on_team_tables_are_for_one_team() {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/postgres.rs")).unwrap();
    let migrations_end = src.find("\n];").expect("the MIGRATIONS list");
    let mut code = src[migrations_end..].to_string();
    // config12: the team configuration's PostgreSQL statements live in their own module.
    let config = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/team_config.rs")).unwrap();
    let pg = config.find("// --- PostgreSQL").expect("team_config.rs: the PostgreSQL section");
    let end = config.find("// --- the routes").expect("team_config.rs: the routes section");
    code.push_str(&config[pg..end]);
    // queue12: saved views keep their PostgreSQL SQL in their own module.
    let views = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/saved_views.rs")).unwrap();
    let views_pg = &views[views.find("// --- PostgreSQL").expect("the PostgreSQL section")..];
    code.push_str(views_pg);
    // outbox13: the delivery tables' PostgreSQL statements.
    let delivery = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/delivery/store.rs")).unwrap();
    code.push_str(&delivery[delivery.find("// --- PostgreSQL").expect("delivery/store.rs: the PostgreSQL section")..]);
    // digest13: the feedback scheduler's PostgreSQL SQL.
    let fb = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/feedback.rs")).unwrap();
    code.push_str(
        &fb[fb.find("// --- PostgreSQL").expect("feedback.rs: the PostgreSQL section")
            ..fb.find("// --- the engine-neutral").expect("feedback.rs: its end")],
    );
    let mut checked = 0;
    for sql in literals(&code) {
        let flat = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let upper = flat.to_uppercase();
        let touches = DISTRIBUTED_TABLES
            .iter()
            .find(|t| ["FROM ", "INTO ", "UPDATE ", "JOIN "].iter().any(|kw| upper.contains(&format!("{kw}{}", t.to_uppercase()))));
        let Some(table) = touches else { continue };
        checked += 1;
        if ALL_TEAMS_ALLOWED.contains(&flat.as_str()) {
            continue;
        }
        assert!(!upper.contains(" JOIN "), "a join on {table}: {flat}");
        let one_team = flat.contains("team_id = $1") || upper.contains("VALUES ($1,") || upper.contains("SELECT $1,");
        assert!(one_team, "a statement on {table} not bound to one team: {flat}");
    }
    assert!(checked >= 8, "only {checked} statements found: the scanner is broken");
}
