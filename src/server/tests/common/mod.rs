//! What the server's integration tests share: the real binary started on
//! 127.0.0.1 with a SQLite file or a scratch PostgreSQL database, its admin
//! commands, an HTTP client, and the captures the tests push.
//!
//! Each test file includes it with `#[macro_use] mod common;`; not every file
//! uses every helper.
#![allow(dead_code, unused_macros)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use escucha_core::log::{Capture, CaptureContext, Stamp, Tags, TextQuote};
use escucha_core::sync::api::{PullResponse, PushResponse};
use serde_json::{json, Value};

pub const BIN: &str = env!("CARGO_BIN_EXE_escucha-server");

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Each test body as two tests, `<name>::sqlite` and `<name>::postgres`.
macro_rules! both_engines {
    ($(fn $name:ident($e:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            #[test]
            fn sqlite() {
                body(Engine::Sqlite)
            }
            #[test]
            fn postgres() {
                body(Engine::Postgres)
            }
            fn body($e: Engine) $body
        }
    )*};
}

/// A scratch database on the test PostgreSQL cluster (`ESCUCHA_TEST_POSTGRES`),
/// or `None` without one (the caller skips).
pub fn scratch_postgres(prefix: &str) -> Option<String> {
    let admin = escucha_server::postgres::test_postgres_url()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    Some(rt.block_on(escucha_server::postgres::scratch_database(&admin, prefix)).unwrap())
}

/// Run an admin command on `db`; its stdout, or panic with its stderr.
pub fn admin(db: &str, args: &[&str]) -> String {
    let out = admin_raw(db, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn admin_raw(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(["--db", db]).args(args).output().unwrap()
}

/// Add a member (and the team, if new) and return a fresh token.
pub fn issue_token(db: &str, team: &str, name: &str) -> String {
    let _ = admin_raw(db, &["team", "create", team]);
    admin(db, &["member", "add", "--team", team, name]);
    admin(db, &["token", "issue", "--member", name, "--team", team]).lines().last().unwrap().trim().to_string()
}

/// Start `escucha-server serve` on a free port; the child and its base URL
/// (`http://127.0.0.1:<port>`). `log` describes the server's stderr when it
/// exits before listening.
pub fn spawn_server(db: &str, www: &std::path::Path, extra: &[&str], stderr: Stdio, log: impl Fn() -> String) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["--db", db, "serve", "--addr", "127.0.0.1:0", "--www"])
        .arg(www)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let _ = child.wait();
            panic!("the server exited: {}", log());
        }
        if let Some(url) = line.trim().strip_prefix("escucha-server listening on ") {
            break url.to_string();
        }
    };
    (child, base)
}

/// A temporary directory with a dashboard stub, and the database a test uses.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// `--db`: a SQLite file or a scratch PostgreSQL database's URL.
    pub db: String,
    pub engine: Engine,
}

impl Workspace {
    /// `None` (skipped) when PostgreSQL is asked for and no test cluster is
    /// configured.
    pub fn new(engine: Engine) -> Option<Workspace> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("www")).unwrap();
        std::fs::write(dir.path().join("www/index.html"), "<h1>Team log</h1>").unwrap();
        let db = match engine {
            Engine::Sqlite => dir.path().join("data/team.sqlite3").to_str().unwrap().to_string(),
            Engine::Postgres => scratch_postgres("escucha_http")?,
        };
        Some(Workspace { dir, db, engine })
    }

    pub fn db(&self) -> &str {
        &self.db
    }

    pub fn admin(&self, args: &[&str]) -> String {
        admin(&self.db, args)
    }

    pub fn admin_raw(&self, args: &[&str]) -> std::process::Output {
        admin_raw(&self.db, args)
    }

    /// Add a member (and the team, if new) and return a fresh token.
    pub fn member(&self, team: &str, name: &str) -> String {
        issue_token(&self.db, team, name)
    }

    pub fn start(&self, extra: &[&str]) -> Server {
        let log_path = self.dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let (child, base) = spawn_server(&self.db, &self.dir.path().join("www"), extra, log.into(), || {
            std::fs::read_to_string(&log_path).unwrap_or_default()
        });
        Server { child, base, agent: agent() }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(20))).build().into()
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub agent: ureq::Agent,
}

pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or("").to_string()
    }
}

impl Server {
    pub fn send(&self, method: &str, path: &str, token: Option<&str>, headers: &[(&str, &str)], body: Option<String>) -> Reply {
        let mut req = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut res = match body {
            Some(b) => self.agent.run(req.body(b).unwrap()),
            None => self.agent.run(req.body(()).unwrap()),
        }
        .unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        Reply { status, headers, body }
    }

    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.send("GET", path, Some(token), &[], None)
    }

    /// `POST /api/v1/push` with `items`, whatever the answer.
    pub fn push_raw(&self, token: &str, items: &[Capture]) -> Reply {
        self.send("POST", "/api/v1/push", Some(token), &[], Some(json!({ "items": items }).to_string()))
    }

    pub fn push(&self, token: &str, items: &[Capture]) -> PushResponse {
        let r = self.push_raw(token, items);
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    /// Everything from the beginning, following `more`.
    pub fn pull_all(&self, token: &str) -> Vec<Capture> {
        let mut cursor = String::new();
        let mut items = Vec::new();
        loop {
            let r = self.get(&format!("/api/v1/pull?since={cursor}&limit=100"), token);
            assert_eq!(r.status, 200, "{}", r.body);
            let page: PullResponse = serde_json::from_str(&r.body).unwrap();
            items.extend(page.items);
            cursor = page.cursor;
            if !page.more {
                return items;
            }
        }
    }

    pub fn kill_hard(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no shutdown code runs.
        self.child.wait().unwrap();
    }

    pub fn stop_gracefully(mut self) {
        let ok = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap().success();
        assert!(ok);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful stop exits 0: {status:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Capture number `n`, made by `member` at `ms` (its id follows from both).
pub fn capture_at(n: u32, member: &str, ms: i64) -> Capture {
    let ctx = CaptureContext {
        page_url: format!("https://foro.example/t/{n}"),
        comment_text: format!("Movistar me cobró dos veces ({n})"),
        brand: "Telefónica".into(),
        term: "Movistar".into(),
        quote: TextQuote { exact: "Movistar".into(), ..Default::default() },
        ..Default::default()
    };
    let mut random = [0u8; 10];
    random[..4].copy_from_slice(&n.to_be_bytes());
    let id = escucha_core::log::record::uuid_v7(ms, random);
    Capture::new(id, ctx, &Tags::default(), member, Stamp { ms, counter: 0, actor: format!("{member}-device") })
}

/// Capture number `n`, made by `member` ten minutes ago.
pub fn capture(n: u32, member: &str) -> Capture {
    capture_at(n, member, now_ms() - 600_000 + i64::from(n))
}

pub fn by_id(mut items: Vec<Capture>) -> Vec<Capture> {
    items.sort_by(|a, b| a.id.cmp(&b.id));
    items
}
