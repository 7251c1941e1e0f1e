//! The `wushe` command: serve the API (with job workers and the scheduler unless
//! `--no-workers`), run workers alone, migrate, create the first administrator, load the demo
//! city, rebuild the statistics' rollups, print the OpenAPI document.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::sync::Arc;
use wushe::clock::SystemClock;
use wushe::config::Config;
use wushe::domain::people::phone;
use wushe::state::AppState;
use wushe::{app, seed, seed_city, telemetry};

/// mimalloc instead of glibc's malloc: in the load benchmark's profile glibc's allocator took a
/// quarter of the server's CPU (browse: `_int_malloc`, `malloc_consolidate`, `_int_free`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "wushe", version, about = "Backend of the five-society linkage (五社联动) community-service app")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (applies pending migrations first unless --no-migrate), with the job
    /// workers and the cron scheduler in-process unless --no-workers.
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
        /// Serve only; run workers with `wushe worker` elsewhere.
        #[arg(long)]
        no_workers: bool,
    },
    /// Run the job workers, the outbox relay and the cron scheduler (no HTTP API).
    Worker,

    /// Apply pending migrations and exit.
    Migrate,
    /// Create a city administrator. The password comes from WUSHE_ADMIN_PASSWORD or stdin.
    CreateAdmin {
        #[arg(long)]
        phone: String,
        #[arg(long)]
        name: String,
    },
    /// Load a small demo city and print its logins.
    SeedDemo,
    /// Load a realistic city of `scale` Suzhous (1: 100 stations, 2,200 rooms, 20,000 people,
    /// 10,000 tasks, 200,000 hours entries, 200,000 inbox messages) for measuring at size.
    SeedCity {
        /// How many Suzhous (fractions allowed, 0.001 to 100).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seeds the random choices: the same seed gives the same city.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Add the city to a database that already has people.
        #[arg(long)]
        force: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Print the OpenAPI document (for client generation).
    Openapi,
    /// Statistics kept beside the facts.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Recompute the statistics' rollups (hours by unit, action line and month; active
    /// volunteers; people and honours per unit) from the ledger and the people, after a bulk
    /// load or to repair them.
    Rebuild,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", wushe::api::openapi_json());
        return Ok(());
    }
    let config = Config::from_env().context("configuration")?;
    telemetry::init(config.log_format);
    match cli.command {
        Command::Serve { no_migrate, no_workers } => serve(config, !no_migrate, !no_workers).await,
        Command::Worker => {
            let state = state(config).await?;
            let shutdown = tokio_util::sync::CancellationToken::new();
            let stop = shutdown.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                stop.cancel();
            });
            let metrics = match state.config.metrics_listen {
                Some(listen) => {
                    // Bound before work starts, so a taken address fails the start, not later.
                    let listener = std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
                    Some(tokio::spawn(wushe::worker::serve_metrics(state.clone(), listener, shutdown.clone())))
                }
                None => None,
            };
            wushe::worker::run(state, shutdown.clone()).await;
            shutdown.cancel();
            if let Some(m) = metrics {
                let _ = m.await;
            }
            tracing::info!("stopped");
            Ok(())
        }
        Command::Migrate => {
            app::open_database(&config, true).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin { phone, name } => {
            let state = state(config).await?;
            let password = admin_password()?;
            let profile = wushe::domain::people::users::create_city_admin(
                &state.db,
                &state.hasher,
                state.clock.now(),
                phone,
                name,
                password,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created city administrator {} ({})", profile.user.id, phone::mask(&profile.user.phone));
            Ok(())
        }
        Command::SeedDemo => {
            let state = state(config).await?;
            let logins = seed::load(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Demo city loaded. Every account's password is {}", seed::DEMO_PASSWORD);
            for l in logins {
                println!("  {:<14} {:<16} {}", format!("{:?}", l.role), l.phone, l.name);
            }
            Ok(())
        }
        Command::SeedCity { scale, seed, force, quiet } => {
            let state = state(config).await?;
            let opts = seed_city::Options { scale, seed, force, quiet };
            let r = seed_city::run(&state, &opts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let s = r.sizes;
            println!(
                "City of scale {scale} loaded in {:.1} s: {} rows ({:.0} rows/s); {} stations, {} rooms, {} social workers, {} volunteers, {} tasks, {} hours entries, {} inbox messages, {} mentoring pairs",
                r.elapsed.as_secs_f64(),
                seed_city::thousands(r.rows),
                r.rows as f64 / r.elapsed.as_secs_f64().max(0.001),
                s.stations,
                s.rooms,
                s.social_workers,
                s.volunteers,
                s.tasks,
                s.hours_entries,
                s.inbox,
                s.pairs,
            );
            println!(
                "Every account's password is {}; a city administrator: {}",
                seed_city::CITY_PASSWORD,
                r.admin_phone
            );
            Ok(())
        }
        Command::Stats { command: StatsCommand::Rebuild } => {
            let state = state(config).await?;
            wushe::domain::statistics::rebuild(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("statistics rollups (hours, active volunteers, people) rebuilt from the ledger and the people");
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}

async fn state(config: Config) -> anyhow::Result<AppState> {
    let db = app::open_database(&config, true).await?;
    AppState::new(db, config, Arc::new(SystemClock))
}

fn admin_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("WUSHE_ADMIN_PASSWORD") {
        return Ok(p);
    }
    let p = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the new administrator: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    anyhow::ensure!(!p.is_empty(), "no password given (set WUSHE_ADMIN_PASSWORD or type one)");
    Ok(p)
}

async fn serve(config: Config, migrate: bool, workers: bool) -> anyhow::Result<()> {
    let listen = config.listen;
    tracing::info!(?config, "starting");
    let state = state_with(config, migrate).await?;
    let listener = std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
    tracing::info!("listening on http://{listen} (API docs at /docs)");
    let stop_workers = tokio_util::sync::CancellationToken::new();
    let background = workers.then(|| tokio::spawn(wushe::worker::run(state.clone(), stop_workers.clone())));
    app::serve(state, listener, shutdown_signal()).await?;
    // Requests are finished; now let running jobs finish (or release them) before exiting.
    stop_workers.cancel();
    if let Some(b) = background {
        let _ = b.await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn state_with(config: Config, migrate: bool) -> anyhow::Result<AppState> {
    let db = app::open_database(&config, migrate).await?;
    AppState::new(db, config, Arc::new(SystemClock))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
