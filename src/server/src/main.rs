//! `escucha-server`: the team-log server binary and its admin commands.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use escucha_core::workspace::role::Role;
use escucha_server::accounts::Authentication;
use escucha_server::connections::{self, ConnectionCounts, ConnectionLimits};
use escucha_server::guard::Guards;
use escucha_server::{app, parse_origin, AppState, Limits, ServerConfig, StaticDirs, Storage};

#[derive(Parser)]
#[command(name = "escucha-server", version, about = "Escucha's team log: receives synced captures and serves the dashboard.")]
struct Cli {
    /// The database: a SQLite file (created if missing), or a PostgreSQL
    /// URL (postgres://user@host:port/database).
    #[arg(long, env = "ESCUCHA_DB", default_value = "data/escucha.sqlite3", global = true)]
    db: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
// Parsed once at start: the size of the serve variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Command {
    /// Serve the team log over HTTP (the default).
    Serve(ServeArgs),
    /// Manage teams.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Manage a team's members.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Issue, list and revoke members' bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Create a team.
    Create { name: String },
}

#[derive(Subcommand)]
enum MemberCommand {
    /// Add a member to a team.
    Add {
        #[arg(long)]
        team: String,
        /// admin (configuration, members, tokens), member (capture, edit,
        /// comment) or viewer (read only).
        #[arg(long, default_value = "member", value_parser = parse_role)]
        role: Role,
        name: String,
    },
    /// Change a member's role (a team always keeps at least one admin).
    Role {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
        /// Needed only when several teams have a member of that name.
        #[arg(long)]
        team: Option<String>,
    },
    /// List members and their roles (every team's, or one's).
    List {
        #[arg(long)]
        team: Option<String>,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).ok_or_else(|| format!("\u{201c}{name}\u{201d} is not a role; use admin, member or viewer."))
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a new token for a member; it is printed once and never stored.
    Issue {
        #[arg(long)]
        member: String,
        /// Needed only when several teams have a member of that name.
        #[arg(long)]
        team: Option<String>,
    },
    /// List every token (id, team, member, created, revoked); never the secrets.
    List,
    /// Revoke a token by its id (from `token list`).
    Revoke { id: String },
}

#[derive(Parser)]
struct ServeArgs {
    /// Address to listen on. Loopback by default: expose it on purpose.
    #[arg(long, env = "ESCUCHA_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// The dashboard folder.
    #[arg(long, env = "ESCUCHA_WWW", default_value = "www")]
    www: PathBuf,
    /// A folder of demo pages to serve at /demo/.
    #[arg(long, env = "ESCUCHA_DEMO")]
    demo: Option<PathBuf>,
    /// A browser origin allowed to call the API (repeatable), e.g.
    /// chrome-extension://<extension id>. None: no cross-origin calls.
    #[arg(long = "cors-origin", env = "ESCUCHA_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Vec<String>,
    /// Sustained API requests per minute per token.
    #[arg(long, env = "ESCUCHA_RATE_PER_MINUTE", default_value_t = Limits::default().rate_per_minute)]
    rate_per_minute: NonZeroU32,
    /// Requests a token may make at once before the per-minute rate applies.
    #[arg(long, env = "ESCUCHA_RATE_BURST", default_value_t = Limits::default().rate_burst)]
    rate_burst: NonZeroU32,
    /// Largest request body in bytes.
    #[arg(long, env = "ESCUCHA_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Most captures in one push.
    #[arg(long, env = "ESCUCHA_MAX_PUSH_ITEMS", default_value_t = Limits::default().max_push_items)]
    max_push_items: usize,
    /// Most client connections open at once (kept below the open-file limit).
    #[arg(long, env = "ESCUCHA_MAX_CONNECTIONS", default_value_t = ConnectionLimits::default().max_connections)]
    max_connections: usize,
    /// Seconds a request's head (and a kept-alive connection's next one) may take.
    #[arg(long, env = "ESCUCHA_HEADER_TIMEOUT_SECS", default_value_t = ConnectionLimits::default().header_timeout.as_secs())]
    header_timeout_secs: u64,
    /// Seconds a request's body may take to arrive.
    #[arg(long, env = "ESCUCHA_BODY_TIMEOUT_SECS", default_value_t = Guards::default().body_timeout.as_secs())]
    body_timeout_secs: u64,
    /// Seconds a connection may stay with no byte read or written.
    #[arg(long, env = "ESCUCHA_IDLE_TIMEOUT_SECS", default_value_t = ConnectionLimits::default().idle_timeout.as_secs())]
    idle_timeout_secs: u64,
    /// Requests per minute from one client address (before authentication).
    #[arg(long, env = "ESCUCHA_ADDRESS_RATE_PER_MINUTE", default_value_t = Guards::default().address_rate_per_minute)]
    address_rate_per_minute: u32,
    /// Requests one address may make at once before its per-minute rate applies.
    #[arg(long, env = "ESCUCHA_ADDRESS_BURST", default_value_t = Guards::default().address_burst)]
    address_burst: u32,
    /// Unknown or revoked tokens per minute from one address before it must wait.
    #[arg(long, env = "ESCUCHA_AUTH_FAILURES_PER_MINUTE", default_value_t = Guards::default().auth_failures_per_minute)]
    auth_failures_per_minute: u32,
    /// Per-team quota: the most capture records one team's log may hold
    /// (tombstones included). A push or edit that would add more is refused
    /// with 409 `quota_exceeded`; unset: no limit.
    #[arg(long, env = "ESCUCHA_TEAM_MAX_CAPTURES")]
    team_max_captures: Option<u64>,
    /// Per-team quota: the most bytes of stored capture JSON one team's log
    /// may hold; growth past it is refused with 409 `quota_exceeded`; unset:
    /// no limit.
    #[arg(long, env = "ESCUCHA_TEAM_MAX_BYTES")]
    team_max_bytes: Option<u64>,
    /// Demo set-up: make sure team "demo" has member "demo" with a working
    /// token written to this file (kept if still valid).
    #[arg(long)]
    demo_token: Option<PathBuf>,
    /// Log lines as JSON objects instead of text.
    #[arg(long, env = "ESCUCHA_LOG_JSON")]
    log_json: bool,
    /// outbox13: let destinations reach loopback, private, link-local and
    /// other non-public addresses (a relay on the LAN; tests). Off: refused.
    #[arg(long, env = "ESCUCHA_ALLOW_PRIVATE_DESTINATIONS")]
    allow_private_destinations: bool,
    /// The dashboard's public address, for "Open in Escucha" links in deliveries.
    #[arg(long, env = "ESCUCHA_PUBLIC_URL")]
    public_url: Option<String>,
    /// Delivery retries: the first backoff (doubling up to --delivery-max-backoff-ms).
    #[arg(long, env = "ESCUCHA_DELIVERY_BASE_MS", default_value_t = 2_000)]
    delivery_base_ms: u64,
    #[arg(long, env = "ESCUCHA_DELIVERY_MAX_BACKOFF_MS", default_value_t = 600_000)]
    delivery_max_backoff_ms: u64,
    /// Attempts before a delivery is dead (the dead-letter state).
    #[arg(long, env = "ESCUCHA_DELIVERY_MAX_ATTEMPTS", default_value_t = 10)]
    delivery_max_attempts: u32,
    /// How long a leased delivery is one server's (PostgreSQL: then another takes it).
    #[arg(long, env = "ESCUCHA_DELIVERY_LEASE_MS", default_value_t = 120_000)]
    delivery_lease_ms: i64,
    #[arg(long, env = "ESCUCHA_DELIVERY_POLL_MS", default_value_t = 1_000)]
    delivery_poll_ms: u64,
    /// One HTTP request or SMTP session gives up after this long.
    #[arg(long, env = "ESCUCHA_DELIVERY_TIMEOUT_MS", default_value_t = 25_000)]
    delivery_timeout_ms: u64,
}

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Logs go to stderr: stdout carries the one "listening on" line scripts read.
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        logs.json().flatten_event(true).init();
    } else {
        logs.init();
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["serve"])));
    let result = match command {
        Command::Serve(args) => {
            init_logs(args.log_json);
            serve(&cli.db, args).await
        }
        admin => run_admin(&cli.db, admin).await,
    };
    if let Err(e) = result {
        eprintln!("escucha-server: {e}");
        std::process::exit(1);
    }
}

/// A team or member name as the admin typed it, held to the record's rules
/// for names (they end up in every capture's `createdBy` and the dashboard).
fn check_name(what: &str, name: &str) -> Result<(), String> {
    escucha_core::workspace::members::check_name(what, name)
}

async fn run_admin(db: &str, command: Command) -> Result<(), Box<dyn std::error::Error>> {
    match &command {
        Command::Team(TeamCommand::Create { name }) => check_name("team", name)?,
        Command::Member(MemberCommand::Add { name, .. }) => check_name("member", name)?,
        _ => {}
    }
    let c = Storage::open(db).await?;
    {
        match command {
            Command::Serve(_) => unreachable!("handled in main"),
            Command::Team(TeamCommand::Create { name }) => {
                c.create_team(&name).await?;
                println!("Created team \u{201c}{name}\u{201d}.");
            }
            Command::Member(MemberCommand::Add { team, role, name }) => {
                let team_id = c.find_team(&team).await?.ok_or_else(|| no_team(&team))?;
                c.add_member_as(team_id, &name, role).await.map_err(|e| e.sentence())?;
                println!("Added \u{201c}{name}\u{201d} to team \u{201c}{team}\u{201d} as {role}.");
            }
            Command::Member(MemberCommand::Role { name, role, team }) => {
                let rows = c.directory(None).await.map_err(|e| e.sentence())?;
                let found: Vec<(i64, String)> = rows.into_iter().filter(|(_, m)| m.name == name).map(|(t, _)| (0, t)).collect();
                let found: Vec<(i64, String)> = found.into_iter().filter(|(_, t)| team.as_deref().is_none_or(|want| want == t)).collect();
                let (_, team) = escucha_server::accounts::choose_member(&found, &name, team.as_deref())?;
                let team_id = c.find_team(&team).await?.ok_or_else(|| no_team(&team))?;
                c.set_role(team_id, &name, role).await.map_err(|e| e.sentence())?;
                println!("\u{201c}{name}\u{201d} is now {role} in team \u{201c}{team}\u{201d}.");
            }
            Command::Member(MemberCommand::List { team }) => {
                let team_id = match &team {
                    Some(t) => Some(c.find_team(t).await?.ok_or_else(|| no_team(t))?),
                    None => None,
                };
                let rows = c.directory(team_id).await.map_err(|e| e.sentence())?;
                if rows.is_empty() {
                    println!("No members yet; add one with `member add --team <team> --role admin <name>`.");
                } else {
                    println!("{:<20} {:<20} role", "team", "member");
                }
                for (team, m) in rows {
                    println!("{:<20} {:<20} {}", team, m.name, m.role);
                }
            }
            Command::Token(TokenCommand::Issue { member, team }) => {
                let t = c.issue_token(&member, team.as_deref()).await?;
                println!("Token {} for {} in team \u{201c}{}\u{201d} (shown only now; store it safely):", t.id, t.member, t.team);
                println!("{}", t.secret);
            }
            Command::Token(TokenCommand::List) => {
                let tokens = c.list_tokens().await?;
                if tokens.is_empty() {
                    println!("No tokens yet; issue one with `token issue --member <name>`.");
                }
                println!("{:<16} {:<20} {:<20} {:<25} revoked", "id", "team", "member", "created");
                for t in tokens {
                    println!(
                        "{:<16} {:<20} {:<20} {:<25} {}",
                        t.id,
                        t.team,
                        t.member,
                        t.created_at,
                        t.revoked_at.as_deref().unwrap_or("-")
                    );
                }
            }
            Command::Token(TokenCommand::Revoke { id }) => {
                c.revoke_token(&id).await?;
                println!("Revoked token {id}; requests with it now get 403.");
            }
        }
    }
    Ok(())
}

/// `--demo-token FILE`: a working token for team "demo", member "demo",
/// so `make run` gives a usable set-up without any admin step.
fn no_team(team: &str) -> String {
    format!("No team named \u{201c}{team}\u{201d}; create it with `team create`.")
}

async fn ensure_demo_token(db: &Storage, file: &Path) -> Result<(), String> {
    if let Ok(existing) = std::fs::read_to_string(file) {
        if matches!(db.authenticate(existing.trim()).await, Ok(Authentication::Valid(_))) {
            println!("Demo token (team demo, member demo) is in {}", file.display());
            return Ok(());
        }
    }
    let team_id = match db.find_team("demo").await? {
        Some(id) => id,
        None => db.create_team("demo").await?,
    };
    // The demo team's one member runs it, so it is its admin.
    if db.add_member_as(team_id, "demo", Role::Admin).await.is_err() {
        // Already a member: fine.
    }
    let issued = db.issue_token("demo", Some("demo")).await?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("Cannot create {}: {e}", dir.display()))?;
    }
    write_private(file, &format!("{}\n", issued.secret)).map_err(|e| format!("Cannot write the demo token to {}: {e}", file.display()))?;
    println!("Demo token (team demo, member demo) written to {}", file.display());
    Ok(())
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

async fn serve(db_spec: &str, args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    if !args.www.join("index.html").is_file() {
        return Err(format!("no dashboard at {}: pass --www with the repository's www/ folder", args.www.display()).into());
    }
    let cors_origins = args.cors_origins.iter().filter(|o| !o.is_empty()).map(|o| parse_origin(o)).collect::<Result<Vec<_>, _>>()?;
    let db = Storage::open(db_spec).await?;
    // Fault injection for the change-feed tests only (see store.rs).
    if let Some(ms) = std::env::var("ESCUCHA_TEST_COMMIT_DELAY_MS").ok().and_then(|v| v.parse().ok()) {
        escucha_server::store::set_test_commit_delay(ms);
    }
    if let Some(file) = &args.demo_token {
        ensure_demo_token(&db, file).await?;
    }
    let config = ServerConfig {
        cors_origins,
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            max_push_items: args.max_push_items,
            rate_per_minute: args.rate_per_minute,
            rate_burst: args.rate_burst,
        },
        guards: Guards {
            body_timeout: Duration::from_secs(args.body_timeout_secs),
            address_rate_per_minute: args.address_rate_per_minute,
            address_burst: args.address_burst,
            auth_failures_per_minute: args.auth_failures_per_minute,
            ..Guards::default()
        },
        quotas: escucha_server::quota::Quotas { max_captures: args.team_max_captures, max_bytes: args.team_max_bytes },
        delivery: delivery_config(&args),
    };
    if let Some(url) = &args.public_url {
        escucha_server::delivery::set_public_url(url);
    }
    tokio::spawn(escucha_server::delivery::worker::run(db.clone(), config.delivery.clone()));
    // Each connection is an open file: use all the process may have, and
    // keep the cap below it so the database can always open its files.
    let (open_files, hard) = connections::raise_open_file_limit().map_err(|e| format!("cannot read the open-file limit: {e}"))?;
    let max_connections = connections::connection_cap(args.max_connections, open_files);
    if max_connections < args.max_connections {
        tracing::warn!(asked = args.max_connections, max_connections, open_files, "connection cap lowered to fit the open-file limit");
    }
    let limits = ConnectionLimits {
        max_connections,
        header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
        idle_timeout: Duration::from_secs(args.idle_timeout_secs.max(1)),
    };
    let origins: Vec<String> = args.cors_origins.clone();
    // The log names the database, never a password in its URL.
    let db_engine = db.engine();
    let db_label = if escucha_server::postgres::is_postgres_url(db_spec) {
        db_spec.split_once('@').map(|(_, rest)| rest.to_string()).unwrap_or_else(|| db_spec.to_string())
    } else {
        db_spec.to_string()
    };
    // digest13: the weekly digests and spike alerts (several servers may run it: see `feedback`).
    escucha_server::feedback::spawn(db.clone());
    let router = app(AppState::new(db, config), &StaticDirs { www: args.www, demo: args.demo });
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr()?;
    // One machine-readable line so scripts and tests can find the port.
    println!("escucha-server listening on http://{addr}");
    tracing::info!(%addr, engine = db_engine, db = %db_label, cors_origins = ?origins, max_connections, open_files, hard, "listening");
    let counts = Arc::new(ConnectionCounts::default());
    connections::serve(listener, router, limits, counts.clone(), shutdown_signal()).await?;
    tracing::info!(
        accepted = counts.accepted.load(Ordering::Relaxed),
        refused = counts.refused.load(Ordering::Relaxed),
        idle_closed = counts.idle_closed.load(Ordering::Relaxed),
        "stopped"
    );
    Ok(())
}

fn delivery_config(args: &ServeArgs) -> escucha_server::delivery::worker::WorkerConfig {
    use escucha_core::delivery::retry::DeliveryPolicy;
    use escucha_core::sync::retry::RetryPolicy;
    let defaults = escucha_server::delivery::worker::WorkerConfig::default();
    escucha_server::delivery::worker::WorkerConfig {
        policy: DeliveryPolicy {
            backoff: RetryPolicy {
                base_ms: args.delivery_base_ms,
                max_ms: args.delivery_max_backoff_ms,
                ..DeliveryPolicy::default().backoff
            },
            max_attempts: args.delivery_max_attempts.max(1),
        },
        lease_ms: args.delivery_lease_ms.max(100),
        poll_ms: args.delivery_poll_ms.max(10),
        allow_private: args.allow_private_destinations,
        timeout_ms: args.delivery_timeout_ms.max(100),
        ..defaults
    }
}

/// Ctrl-C or SIGTERM: stop taking requests, finish the ones in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
