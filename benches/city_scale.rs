//! The service at city size: `wushe seed-city` at scale 1 (a Suzhou) and scale 10, each in a
//! fresh PostgreSQL schema, then the signed-in hot paths measured over each with a Rust load
//! client (64 connections over loopback, like `wrk -c64`), and the p99 ratio of the two sizes.
//!
//! Run: `cargo bench --bench city_scale` (PostgreSQL at `WUSHE_BENCH_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`). `WUSHE_BENCH_SCALES=1,10` chooses the scales (the
//! first is the reference of the ratio), `WUSHE_BENCH_SECONDS` (default 10) each scenario's
//! length, `WUSHE_BENCH_ONLY` a scenario by part of its name, `WUSHE_BENCH_KEEP` keeps the
//! schemas, `WUSHE_BENCH_REUSE` seeds each scale once into a schema named after it
//! (`city_10_reused`) and measures it again on later runs (the seeding of scale 10 takes minutes). Scenarios: browse near a point (3 km), sign-up (volunteers spread over tasks to
//! come; 409s where the rules refuse are expected and counted apart), `GET /me`,
//! `GET /me/hours`, the year's leaderboard, the inbox, the talent directory (a station
//! administrator), an eligibility preview (a city administrator, this year's star-volunteer
//! programme, a volunteer of the city), and the statistics of the last twelve months: the hours
//! table and the overview, of a station (its administrator) and of the whole city.

#![allow(clippy::unwrap_used)] // a benchmark that cannot set up must fail loudly

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Statement};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use uuid::Uuid;
use wushe::clock::SystemClock;
use wushe::config::Config;
use wushe::seed_city::{self, Options};
use wushe::state::AppState;

const CONNECTIONS: usize = 64;
/// Signed-in volunteers the load rotates over.
const VOLUNTEERS: usize = 5_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base =
        std::env::var("WUSHE_BENCH_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let seconds: u64 = std::env::var("WUSHE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let scales: Vec<f64> = std::env::var("WUSHE_BENCH_SCALES")
        .unwrap_or_else(|_| "1,10".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    jobs::push::install_crypto_provider();
    let admin = Database::connect(&base).await?;
    let mut results: Vec<(f64, BTreeMap<&'static str, Figures>)> = Vec::new();
    let reuse = std::env::var("WUSHE_BENCH_REUSE").is_ok();
    for scale in scales {
        let scale_name = scale.to_string().replace('.', "_");
        let schema = if reuse {
            format!("city_{scale_name}_reused")
        } else {
            format!("city_{scale_name}_{}", Utc::now().timestamp())
        };
        admin.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).await?;
        let url = format!("{base}{}options[search_path]={schema}", if base.contains('?') { '&' } else { '?' });
        let r = run(&url, scale, seconds).await;
        if reuse || std::env::var("WUSHE_BENCH_KEEP").is_ok() {
            eprintln!("kept schema {schema}");
        } else {
            admin.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await?;
        }
        results.push((scale, r?));
    }
    print_table(&results, seconds);
    Ok(())
}

/// One scenario's figures.
#[derive(Clone, Debug, Default)]
struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Answers other than 2xx, by status.
    other: BTreeMap<u16, usize>,
}

async fn run(url: &str, scale: f64, seconds: u64) -> anyhow::Result<BTreeMap<&'static str, Figures>> {
    let unlimited = "1000000000/1m".to_string();
    let vars: std::collections::HashMap<&str, String> = [
        ("WUSHE_DATABASE_URL", url.to_string()),
        ("WUSHE_DB_MAX_CONNECTIONS", "32".into()),
        ("WUSHE_JWT_SECRET", "benchmark secret that is long enough".into()),
        ("WUSHE_DATA_KEY", "benchmark data key that is long enough".into()),
        ("WUSHE_ACCESS_TOKEN_TTL", "1d".into()),
        ("WUSHE_REFRESH_TOKEN_TTL", "2d".into()),
        ("WUSHE_LISTEN", "127.0.0.1:0".into()),
        ("WUSHE_RATE_LIMIT_WRITE_USER", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_WRITE_IP", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_AUTH_IP", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_STRICT_USER", unlimited.clone()),
        ("WUSHE_RATE_LIMIT_STRICT_IP", unlimited),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|k| vars.get(k).cloned())?;
    let db = wushe::app::open_database(&config, true).await?;
    let state = AppState::new(db, config, Arc::new(SystemClock))?;
    let opts = Options { scale, seed: 2026, force: false, quiet: false };
    match seed_city::run(&state, &opts).await {
        Ok(report) => eprintln!(
            "scale {scale}: {} rows in {:.1} s",
            seed_city::thousands(report.rows),
            report.elapsed.as_secs_f64()
        ),
        // A schema kept from an earlier run (`WUSHE_BENCH_REUSE`) is measured as it is.
        Err(seed_city::SeedError::NotEmpty(people)) => eprintln!("scale {scale}: reusing a city of {people} people"),
        Err(e) => anyhow::bail!("{e}"),
    }
    let fx = fixture(&state).await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(wushe::app::serve(state.clone(), listener, std::future::pending()));
    let fx = Arc::new(fx);
    let only = std::env::var("WUSHE_BENCH_ONLY").ok();
    let mut out = BTreeMap::new();
    for name in SCENARIOS {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let f = load(&base, name, fx.clone(), seconds).await;
        eprintln!(
            "  {name:<28} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  {:?}",
            f.rps, f.p50_ms, f.p99_ms, f.other
        );
        out.insert(name, f);
    }
    server.abort();
    Ok(out)
}

const SCENARIOS: [&str; 12] = [
    "browse near a point (3 km)",
    "sign-up, spread",
    "GET /me",
    "GET /me/hours",
    "leaderboard (year)",
    "inbox",
    "talent directory",
    "eligibility preview",
    "stats hours (station)",
    "stats hours (city)",
    "stats overview (station)",
    "stats overview (city)",
];

/// Signed-in people and the ids the scenarios use.
struct Fixture {
    volunteers: Vec<(Uuid, String)>,
    station_admins: Vec<String>,
    city_admin: String,
    future_tasks: Vec<Uuid>,
    programme: Uuid,
}

async fn ids(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<Uuid>> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await?;
    Ok(rows.into_iter().filter_map(|r| r.try_get_by_index::<Uuid>(0).ok()).collect())
}

async fn fixture(state: &AppState) -> anyhow::Result<Fixture> {
    use entity::session;
    use sea_orm::ActiveValue::Set;
    let db = &state.db;
    let now = Utc::now();
    let sign_in = async |people: Vec<Uuid>| -> anyhow::Result<Vec<(Uuid, String)>> {
        let mut out = Vec::with_capacity(people.len());
        for chunk in people.chunks(1_000) {
            let rows: Vec<session::ActiveModel> = chunk
                .iter()
                .map(|u| session::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(*u),
                    created_at: Set(now),
                    last_refreshed_at: Set(now),
                    expires_at: Set(now + Duration::days(2)),
                    revoked_at: Set(None),
                    revoked_reason: Set(None),
                })
                .collect();
            for r in &rows {
                out.push((*r.user_id.as_ref(), state.tokens.issue(*r.user_id.as_ref(), *r.id.as_ref(), 0, now)));
            }
            session::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
        Ok(out)
    };
    // A spread of volunteers: every n-th by id, so the keen and the occasional alike.
    let all = ids(db, "SELECT id FROM users WHERE role = 'volunteer' ORDER BY id").await?;
    let step = (all.len() / VOLUNTEERS).max(1);
    let volunteers = sign_in(all.into_iter().step_by(step).take(VOLUNTEERS).collect()).await?;
    let station_admins = sign_in(ids(db, "SELECT id FROM users WHERE role = 'station_admin'").await?)
        .await?
        .into_iter()
        .map(|p| p.1)
        .collect();
    let city_admin = sign_in(ids(db, "SELECT id FROM users WHERE role = 'city_admin'").await?).await?.remove(0).1;
    let future_tasks =
        ids(db, "SELECT id FROM tasks WHERE status = 'published' AND starts_at > now() + interval '3 hours'").await?;
    let programme =
        ids(db, "SELECT id FROM honour_programmes WHERE state = 'nominating' AND kind = 'star_volunteer'").await?[0];
    db.execute_unprepared("ANALYZE sessions").await?;
    Ok(Fixture { volunteers, station_admins, city_admin, future_tasks, programme })
}

/// The `n`th request of a scenario: method, path, token.
fn request(name: &str, fx: &Fixture, n: usize, rng: &mut rand::rngs::StdRng) -> (bool, String, String) {
    let (who, token) = &fx.volunteers[n % fx.volunteers.len()];
    let get = |path: String, token: &str| (false, path, token.to_string());
    match name {
        "browse near a point (3 km)" => {
            let lat = 31.30 + (rng.random::<f64>() - 0.5) * 0.7;
            let lng = 120.60 + (rng.random::<f64>() - 0.5) * 0.9;
            get(format!("/api/v1/tasks?near={lat:.5},{lng:.5}&radiusKm=3"), token)
        }
        "sign-up, spread" => {
            let task = fx.future_tasks[(n.wrapping_mul(104_729)) % fx.future_tasks.len()];
            (true, format!("/api/v1/tasks/{task}/signups"), token.clone())
        }
        "GET /me" => get("/api/v1/me".into(), token),
        "GET /me/hours" => get("/api/v1/me/hours".into(), token),
        "leaderboard (year)" => get("/api/v1/leaderboards?period=year".into(), token),
        "inbox" => get("/api/v1/me/notifications".into(), token),
        "talent directory" => get("/api/v1/talent".into(), &fx.station_admins[n % fx.station_admins.len()]),
        "stats hours (station)" => get("/api/v1/stats/hours".into(), &fx.station_admins[n % fx.station_admins.len()]),
        "stats hours (city)" => get("/api/v1/stats/hours".into(), &fx.city_admin),
        "stats overview (station)" => {
            get("/api/v1/stats/overview".into(), &fx.station_admins[n % fx.station_admins.len()])
        }
        "stats overview (city)" => get("/api/v1/stats/overview".into(), &fx.city_admin),
        _ => get(format!("/api/v1/honour-programmes/{}/eligibility/{who}", fx.programme), &fx.city_admin),
    }
}

/// Runs one scenario on [`CONNECTIONS`] connections for `seconds`.
async fn load(base: &str, name: &'static str, fx: Arc<Fixture>, seconds: u64) -> Figures {
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let until = started + std::time::Duration::from_secs(seconds);
    let mut workers = Vec::new();
    for c in 0..CONNECTIONS {
        let (client, fx, counter, base) = (client.clone(), fx.clone(), counter.clone(), base.to_string());
        workers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(c as u64);
            let mut latencies = Vec::new();
            let mut other: BTreeMap<u16, usize> = BTreeMap::new();
            while Instant::now() < until {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let (post, path, token) = request(name, &fx, n, &mut rng);
                let url = format!("{base}{path}");
                let req = if post { client.post(url).json(&serde_json::json!({})) } else { client.get(url) };
                let t = Instant::now();
                let status = match req.bearer_auth(token).send().await {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                latencies.push(t.elapsed().as_micros() as u32);
                if !(200..300).contains(&status) {
                    *other.entry(status).or_default() += 1;
                }
            }
            (latencies, other)
        }));
    }
    let mut all = Vec::new();
    let mut other = BTreeMap::new();
    for w in workers {
        let (l, o) = w.await.unwrap();
        all.extend(l);
        for (k, v) in o {
            *other.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let at = |q: f64| all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(0);
    Figures {
        rps: all.len() as f64 / elapsed,
        p50_ms: f64::from(at(0.50)) / 1000.0,
        p99_ms: f64::from(at(0.99)) / 1000.0,
        other,
    }
}

fn print_table(results: &[(f64, BTreeMap<&'static str, Figures>)], seconds: u64) {
    println!(
        "\ncity_scale: {} s each, {CONNECTIONS} connections, PostgreSQL; scales {}\n",
        seconds,
        results.iter().map(|r| r.0.to_string()).collect::<Vec<_>>().join(", ")
    );
    let mut head = format!("| {:<28} |", "scenario");
    for (scale, _) in results {
        head.push_str(&format!(" ×{scale} req/s | p50 ms | p99 ms | non-2xx |"));
    }
    head.push_str(" p99 ratio |");
    println!("{head}");
    println!("|{}", " --- |".repeat(2 + results.len() * 4));
    for name in SCENARIOS {
        let mut line = format!("| {name:<28} |");
        let mut p99s = Vec::new();
        for (_, r) in results {
            match r.get(name) {
                Some(f) => {
                    let other: Vec<String> = f.other.iter().map(|(s, n)| format!("{n}×{s}")).collect();
                    line.push_str(&format!(
                        " {:>9.0} | {:>6.2} | {:>6.2} | {} |",
                        f.rps,
                        f.p50_ms,
                        f.p99_ms,
                        if other.is_empty() { "0".into() } else { other.join(" ") }
                    ));
                    p99s.push(f.p99_ms);
                }
                None => line.push_str(" – | – | – | – |"),
            }
        }
        match (p99s.first(), p99s.last()) {
            (Some(a), Some(b)) if p99s.len() > 1 && *a > 0.0 => line.push_str(&format!(" {:.2} |", b / a)),
            _ => line.push_str(" – |"),
        }
        println!("{line}");
    }
}
