//! Load benchmark of the volunteer-service hot paths, printed beside the anchors of
//! `../shared/bench/anchors.sh` as ratios: the release `wushe serve` binary driven by `wrk` (a
//! separate process) over loopback.
//!
//! Run: `cargo bench --bench service_load` (needs `wrk` on the PATH and, for the PostgreSQL
//! run, PostgreSQL at `WUSHE_BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//! Settings:
//! - `WUSHE_BENCH_DB`: `postgres`, `sqlite` (the embedded default: SQLite, jobs in the database)
//!   or `both` (default);
//! - `WUSHE_BENCH_SECONDS` per scenario and per anchor (default 15);
//! - `WUSHE_BENCH_ONLY`: comma-separated parts of scenario keys or names (`me`, `browse`,
//!   `spread`, `race`, …);
//! - `WUSHE_BENCH_ANCHORS`: see `anchors.rs` (unset: run the anchor script; a file; `skip`);
//! - `WUSHE_BENCH_REDIS_URL`: give the PostgreSQL server Redis too (default: none);
//! - `WUSHE_BENCH_VERBOSE`: print wrk's own output; `WUSHE_BENCH_KEEP`: keep the schema.
//!
//! Each database gets a fresh city (`seed.rs`: 10,000 tasks, 20,000 signed-in volunteers), then a
//! fresh server process runs the scenarios one after the other: `GET /readyz` (one query),
//! `GET /api/v1/me`, browsing within 3 km, sign-ups spread over tasks, and every volunteer racing
//! for one 100-seat task. It prints requests/s, p50, p99, non-2xx, the anchor, the ratio and the
//! issue's aim; the non-2xx answers by status and problem `code`; the server's peak resident
//! memory after each scenario; and the time from start to ready on a fresh embedded database.

#![allow(clippy::unwrap_used)] // a benchmark that cannot set up must fail loudly

mod anchors;
mod seed;
mod server;
mod wrk;

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use wushe::clock::SystemClock;
use wushe::config::Config;
use wushe::state::AppState;

use anchors::Anchors;
use seed::{TASKS, VOLUNTEERS};
use server::Server;

/// One scenario: a key for `WUSHE_BENCH_ONLY`, its name, the anchor it is compared with and the
/// issue's aim for the ratio.
struct Scenario {
    key: &'static str,
    name: &'static str,
    anchor: &'static str,
    aim: f64,
    lua: String,
    /// Run the script for a few seconds, unmeasured, first (to measure a steady state).
    warm_up: bool,
}

/// The volunteers of the warm `/me` scenario: people who come back to the app within a session
/// cache's lifetime on one instance.
const RETURNING: usize = 2_000;

/// One measured row of the table.
struct Row {
    db: &'static str,
    scenario: &'static str,
    anchor: &'static str,
    aim: f64,
    figures: wrk::Figures,
    peak_mib: Option<f64>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("WUSHE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let which = std::env::var("WUSHE_BENCH_DB").unwrap_or_else(|_| "both".into());
    let dbs: Vec<&'static str> = match which.as_str() {
        "postgres" => vec!["postgres"],
        "sqlite" => vec!["sqlite"],
        "both" => vec!["postgres", "sqlite"],
        other => anyhow::bail!("WUSHE_BENCH_DB must be postgres, sqlite or both, not {other}"),
    };
    // Anchors first, while nothing of ours runs, then the scenarios in the same sitting.
    let (anchors, anchors_from) = anchors::resolve(seconds)?;
    let mut rows = Vec::new();
    let mut starts = Vec::new();
    for db in dbs {
        match db {
            "postgres" => rows.extend(postgres(seconds).await?),
            _ => {
                let (r, start) = sqlite(seconds).await?;
                rows.extend(r);
                starts.push(start);
            }
        }
    }
    if which != "postgres" {
        starts.extend(fresh_starts(3).await?);
    }
    report(&rows, &anchors, &anchors_from, &starts, seconds);
    Ok(())
}

fn scenarios(race_task: &str) -> Vec<Scenario> {
    let only = std::env::var("WUSHE_BENCH_ONLY").ok();
    let all = vec![
        Scenario {
            key: "readyz",
            name: "GET /readyz (one query)",
            anchor: "poem_orm",
            aim: 0.9,
            lua: wrk::get("/readyz", false),
            warm_up: false,
        },
        Scenario {
            key: "me",
            name: "GET /api/v1/me",
            anchor: "poem_orm",
            aim: 0.9,
            lua: wrk::get("/api/v1/me", true),
            warm_up: false,
        },
        Scenario {
            key: "me-warm",
            name: "GET /api/v1/me, 2,000 returning volunteers",
            anchor: "poem_orm",
            aim: 0.9,
            lua: wrk::get_as("/api/v1/me", Some(RETURNING)),
            warm_up: true,
        },
        Scenario {
            key: "browse",
            name: "browse near a point (3 km)",
            anchor: "poem_orm",
            aim: 0.5,
            lua: wrk::browse(),
            warm_up: false,
        },
        Scenario {
            key: "signup-spread",
            name: "sign-up, spread over tasks",
            anchor: "pg_signup_spread",
            aim: 0.6,
            lua: wrk::signup(None),
            warm_up: false,
        },
        Scenario {
            key: "signup-race",
            name: "sign-up, all racing for one task",
            anchor: "pg_signup_hot",
            aim: 1.5,
            lua: wrk::signup(Some(race_task)),
            warm_up: false,
        },
    ];
    all.into_iter()
        .filter(|s| match &only {
            None => true,
            Some(o) => o.split(',').map(str::trim).any(|o| s.key.contains(o) || s.name.contains(o)),
        })
        .collect()
}

/// The variables both the seeding and the served process use. The load comes from one address:
/// the per-IP and per-person write limits are lifted, or they would be what is measured.
fn server_vars(database_url: &str, data_dir: &std::path::Path) -> HashMap<&'static str, String> {
    let unlimited = "1000000000/1m".to_string();
    [
        ("WUSHE_DATABASE_URL", database_url.to_string()),
        ("WUSHE_DATA_DIR", data_dir.display().to_string()),
        ("WUSHE_JWT_SECRET", "benchmark secret that is long enough".into()),
        ("WUSHE_DATA_KEY", "benchmark data key that is long enough".into()),
        ("WUSHE_ACCESS_TOKEN_TTL", "1d".into()),
        ("WUSHE_REFRESH_TOKEN_TTL", "2d".into()),
        ("WUSHE_LISTEN", "127.0.0.1:0".into()),
        ("WUSHE_RATE_LIMIT_WRITE_USER", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_WRITE_IP", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_AUTH_IP", unlimited),
    ]
    .into_iter()
    .collect()
}

async fn postgres(seconds: u64) -> anyhow::Result<Vec<Row>> {
    let base =
        std::env::var("WUSHE_BENCH_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let admin = Database::connect(&base).await?;
    let schema = format!("bench_{}", Utc::now().timestamp());
    admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await?;
    let url = format!("{base}{}options[search_path]={schema}", if base.contains('?') { '&' } else { '?' });
    let dir = tempfile::tempdir()?;
    let mut vars = server_vars(&url, dir.path());
    vars.insert("WUSHE_DB_MAX_CONNECTIONS", "32".into());
    if let Ok(redis) = std::env::var("WUSHE_BENCH_REDIS_URL") {
        vars.insert("WUSHE_REDIS_URL", redis);
        vars.insert("WUSHE_REDIS_PREFIX", format!("{schema}:"));
    }
    let result = measure("postgres", &vars, dir.path(), seconds).await;
    if std::env::var("WUSHE_BENCH_KEEP").is_ok() {
        eprintln!("kept schema {schema}");
    } else {
        admin.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await?;
    }
    result.map(|(rows, _)| rows)
}

/// The embedded default: SQLite in a fresh data folder, jobs in the database. Also returns the
/// server's start-to-ready time on that (seeded, already migrated) database.
async fn sqlite(seconds: u64) -> anyhow::Result<(Vec<Row>, std::time::Duration)> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("wushe.db").display());
    let vars = server_vars(&url, dir.path());
    measure("sqlite", &vars, dir.path(), seconds).await
}

/// Seeds a city through `vars`' database, then serves it from a fresh process and runs the
/// scenarios.
async fn measure(
    db: &'static str,
    vars: &HashMap<&'static str, String>,
    dir: &std::path::Path,
    seconds: u64,
) -> anyhow::Result<(Vec<Row>, std::time::Duration)> {
    let config = Config::from_lookup(|k| vars.get(k).cloned())?;
    let conn = wushe::app::open_database(&config, true).await?;
    let state = AppState::new(conn.clone(), config, Arc::new(SystemClock))?;
    eprintln!("{db}: seeding {TASKS} tasks and {VOLUNTEERS} volunteers…");
    let seed = seed::seed(&state, db == "postgres").await?;
    drop(state);
    conn.close().await?;
    write_lines(&dir.join("tokens.txt"), &seed.tokens)?;
    write_lines(&dir.join("tasks.txt"), &seed.tasks)?;
    let server = Server::start(vars, &dir.join("server.log")).await?;
    eprintln!("{db}: server ready in {:.2} s", server.start_to_ready.as_secs_f64());
    let mut rows = Vec::new();
    for s in scenarios(&seed.race_task) {
        eprintln!("{db}: {} for {seconds} s…", s.name);
        if s.warm_up {
            wrk::run(dir, &s.lua, &server.base, 3)?;
        }
        let (figures, text) = wrk::run(dir, &s.lua, &server.base, seconds)?;
        if std::env::var("WUSHE_BENCH_VERBOSE").is_ok() {
            eprintln!("{text}");
        }
        rows.push(Row {
            db,
            scenario: s.name,
            anchor: s.anchor,
            aim: s.aim,
            figures,
            peak_mib: server.peak_resident_mib(),
        });
    }
    let start = server.start_to_ready;
    server.stop();
    Ok((rows, start))
}

/// Start to ready on a fresh embedded database (nothing but an empty data folder: secrets
/// generated, every migration applied), `n` times.
async fn fresh_starts(n: usize) -> anyhow::Result<Vec<std::time::Duration>> {
    let mut out = Vec::new();
    for _ in 0..n {
        let dir = tempfile::tempdir()?;
        let vars: HashMap<&str, String> = [("WUSHE_DATA_DIR", dir.path().display().to_string())].into_iter().collect();
        let server = Server::start(&vars, &dir.path().join("server.log")).await?;
        out.push(server.start_to_ready);
        server.stop();
    }
    Ok(out)
}

fn report(rows: &[Row], anchors: &Anchors, anchors_from: &str, starts: &[std::time::Duration], seconds: u64) {
    let machine = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!(
        "\nservice_load, {}: {TASKS} tasks, {VOLUNTEERS} volunteers, {seconds} s each, wrk -t2 -c64; {cores} cores ({machine})",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("{anchors_from}");
    if !anchors.is_empty() {
        let list: Vec<String> = anchors.iter().map(|(k, v)| format!("{k} {v:.0}")).collect();
        println!("anchors: {}", list.join(", "));
    }
    println!("\n| db | scenario | req/s | p50 ms | p99 ms | non-2xx | anchor | ratio | aim | × poem_hello |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
    for r in rows {
        let f = &r.figures;
        let anchor = anchors.get(r.anchor).copied();
        let ratio = anchor.map(|a| format!("{:.2}", f.rps / a)).unwrap_or_else(|| "–".into());
        let hello = anchors.get("poem_hello").map(|a| format!("{:.2}", f.rps / a)).unwrap_or_else(|| "–".into());
        let anchor_text = anchor.map(|a| format!("{} {a:.0}", r.anchor)).unwrap_or_else(|| format!("{} –", r.anchor));
        println!(
            "| {} | {} | {:.0} | {:.1} | {:.1} | {} | {anchor_text} | {ratio} | ≥ {} | {hello} |",
            r.db,
            r.scenario,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.non_2xx + f.socket_errors,
            r.aim
        );
    }
    println!("\nnon-2xx by status and problem code (and socket errors):");
    for r in rows {
        let f = &r.figures;
        let mut parts = Vec::new();
        if !f.by_code.is_empty() {
            parts.push(f.breakdown());
        }
        if f.socket_errors > 0 {
            parts.push(format!("socket errors ×{}", f.socket_errors));
        }
        let text = if parts.is_empty() { "none".to_string() } else { parts.join(", ") };
        println!("- {} / {}: {text}", r.db, r.scenario);
    }
    println!("\nserver peak resident memory (VmHWM) after each scenario, aim ≤ 64 MB:");
    for r in rows {
        let peak = r.peak_mib.map(|m| format!("{m:.1} MiB")).unwrap_or_else(|| "unknown".into());
        println!("- {} / {}: {peak}", r.db, r.scenario);
    }
    if !starts.is_empty() {
        let list: Vec<String> = starts.iter().map(|d| format!("{:.2} s", d.as_secs_f64())).collect();
        println!(
            "\nstart to ready, embedded default (aim ≤ 1 s): {} (the first on the seeded database, the rest on fresh empty ones)",
            list.join(", ")
        );
    }
}

fn write_lines(path: &std::path::Path, lines: &[String]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    for l in lines {
        writeln!(f, "{l}")?;
    }
    Ok(())
}
