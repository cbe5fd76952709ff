//! `escucha-server`: the team-log server binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use escucha_server::{app, AppState, Db, StaticDirs};

#[derive(Parser)]
#[command(name = "escucha-server", version, about = "Escucha's team log: receives synced captures and serves the dashboard.")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the team log over HTTP (the default).
    Serve(ServeArgs),
}

#[derive(Parser)]
struct ServeArgs {
    /// Address to listen on. Loopback by default: expose it on purpose.
    #[arg(long, env = "ESCUCHA_ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// The SQLite database file (created if missing).
    #[arg(long, env = "ESCUCHA_DB", default_value = "data/escucha.sqlite3")]
    db: PathBuf,
    /// The dashboard folder.
    #[arg(long, env = "ESCUCHA_WWW", default_value = "www")]
    www: PathBuf,
    /// A folder of demo pages to serve at /demo/.
    #[arg(long, env = "ESCUCHA_DEMO")]
    demo: Option<PathBuf>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    let Command::Serve(args) = cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["serve"])));
    if let Err(e) = serve(args).await {
        eprintln!("escucha-server: {e}");
        std::process::exit(1);
    }
}

async fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    if !args.www.join("index.html").is_file() {
        return Err(format!("no dashboard at {}: pass --www with the repository's www/ folder", args.www.display()).into());
    }
    let db = Db::open(&args.db)?;
    let router = app(AppState { db }, &StaticDirs { www: args.www, demo: args.demo });
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let addr = listener.local_addr()?;
    // One machine-readable line so scripts and tests can find the port.
    println!("escucha-server listening on http://{addr}");
    tracing::info!(%addr, db = %args.db.display(), "listening");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
