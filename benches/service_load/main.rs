//! Load benchmark of the volunteer-service hot paths: a release build of the API on PostgreSQL,
//! driven by `wrk` (a separate process) over loopback.
//!
//! Run: `cargo bench --bench service_load` (needs PostgreSQL, default
//! `postgres://postgres@127.0.0.1:5432/test`, override with `WUSHE_BENCH_DATABASE_URL`, and
//! `wrk` on the PATH). It seeds a fresh schema with 10,000 published tasks around a city and
//! 20,000 signed-in volunteers, then measures, each for `WUSHE_BENCH_SECONDS` (default 15):
//! - `GET /readyz`: one trivial query, the ceiling of this server;
//! - browsing tasks near a random point (3 km);
//! - sign-ups spread over many volunteers and tasks;
//! - many volunteers racing for one task.
//!
//! Figures go to stdout as a table (requests/s, p50, p99, non-2xx); the README keeps the latest.

#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

use chrono::{Duration, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, Database, EntityTrait};
use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use uuid::Uuid;
use wushe::clock::SystemClock;
use wushe::config::Config;
use wushe::state::AppState;

const TASKS: usize = 10_000;
const VOLUNTEERS: usize = 20_000;
const CENTRE: (f64, f64) = (31.30, 120.60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base =
        std::env::var("WUSHE_BENCH_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let seconds: u64 = std::env::var("WUSHE_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let admin = Database::connect(&base).await?;
    let schema = format!("bench_{}", Utc::now().timestamp());
    admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await?;
    let url = format!("{base}{}options[search_path]={schema}", if base.contains('?') { '&' } else { '?' });
    let result = run(&url, seconds).await;
    if std::env::var("WUSHE_BENCH_KEEP").is_ok() {
        eprintln!("kept schema {schema}");
    } else {
        admin.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await?;
    }
    result
}

async fn run(url: &str, seconds: u64) -> anyhow::Result<()> {
    // The load comes from one address; lift the per-IP write limits that would otherwise be
    // what is measured.
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
        ("WUSHE_RATE_LIMIT_AUTH_IP", unlimited),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|k| vars.get(k).cloned())?;
    let db = wushe::app::open_database(&config, true).await?;
    let state = AppState::new(db, config, Arc::new(SystemClock))?;
    eprintln!("seeding {TASKS} tasks and {VOLUNTEERS} volunteers…");
    let seed = seed(&state).await?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(wushe::app::serve(state.clone(), listener, std::future::pending()));
    let dir = tempfile::tempdir()?;
    write_lines(&dir.path().join("tokens.txt"), &seed.tokens)?;
    write_lines(&dir.path().join("tasks.txt"), &seed.tasks)?;
    let base = format!("http://{addr}");
    println!("\nservice_load: {TASKS} tasks, {VOLUNTEERS} volunteers, {seconds} s each, wrk -t2 -c64, PostgreSQL\n");
    println!("{:<34} {:>10} {:>9} {:>9} {:>8}", "scenario", "req/s", "p50 ms", "p99 ms", "non-2xx");
    let scenarios = [
        ("GET /readyz (one query, ceiling)", script_get("/readyz", false)),
        ("browse near a point (3 km)", browse_script()),
        ("sign-up, spread over tasks", signup_script(None)),
        ("sign-up, all racing for one task", signup_script(Some(&seed.race_task))),
    ];
    let only = std::env::var("WUSHE_BENCH_ONLY").ok();
    for (name, lua) in scenarios {
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let path = dir.path().join("s.lua");
        std::fs::write(&path, lua.replace("DIR", &dir.path().display().to_string()))?;
        let out = Command::new("wrk")
            .args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency", "-s"])
            .arg(&path)
            .arg(&base)
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (rps, p50, p99, non2xx) = parse_wrk(&text);
        println!("{name:<34} {rps:>10.0} {p50:>9.2} {p99:>9.2} {non2xx:>8}");
        if std::env::var("WUSHE_BENCH_VERBOSE").is_ok() {
            eprintln!("{text}");
        }
    }
    server.abort();
    Ok(())
}

struct Seed {
    tokens: Vec<String>,
    tasks: Vec<String>,
    race_task: String,
}

async fn seed(state: &AppState) -> anyhow::Result<Seed> {
    use entity::{org_unit, session, task, user};
    let db = &state.db;
    let now = Utc::now();
    let city = Uuid::now_v7();
    let unit = |id: Uuid, parent: Option<Uuid>, kind: org_unit::OrgUnitKind, name: String| org_unit::ActiveModel {
        id: Set(id),
        parent_id: Set(parent),
        kind: Set(kind),
        name: Set(name),
        region_code: Set(None),
        address: Set(None),
        lat: Set(None),
        lng: Set(None),
        time_zone: Set("Asia/Shanghai".into()),
        person_in_charge: Set(None),
        contact_phone: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    org_unit::Entity::insert(unit(city, None, org_unit::OrgUnitKind::CityCenter, "市".into())).exec(db).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO org_unit_closure (ancestor_id, descendant_id, depth) VALUES ('{city}', '{city}', 0)"
    ))
    .await?;
    let hash = state.hasher.hash("benchmark-password").await?;
    let person = |i: usize, role: user::Role| user::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(format!("+86139{i:08}")),
        name: Set(format!("压测{i}")),
        password_hash: Set(hash.clone()),
        role: Set(role),
        org_unit_id: Set(Some(city)),
        status: Set(user::UserStatus::Active),
        locale: Set(user::Locale::ZhCn),
        time_zone: Set("Asia/Shanghai".into()),
        volunteer_number: Set(format!("B{i:011}")),
        token_version: Set(0),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let organiser = person(VOLUNTEERS + 1, user::Role::CityAdmin);
    let organiser_id = *organiser.id.as_ref();
    user::Entity::insert(organiser).exec(db).await?;
    let mut tokens = Vec::with_capacity(VOLUNTEERS);
    for chunk in (0..VOLUNTEERS).collect::<Vec<_>>().chunks(1000) {
        let people: Vec<user::ActiveModel> = chunk.iter().map(|i| person(*i, user::Role::Volunteer)).collect();
        let ids: Vec<Uuid> = people.iter().map(|p| *p.id.as_ref()).collect();
        user::Entity::insert_many(people).exec(db).await?;
        let sessions: Vec<session::ActiveModel> = ids
            .iter()
            .map(|id| session::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(*id),
                created_at: Set(now),
                last_refreshed_at: Set(now),
                expires_at: Set(now + Duration::days(2)),
                revoked_at: Set(None),
                revoked_reason: Set(None),
            })
            .collect();
        for s in &sessions {
            tokens.push(state.tokens.issue(*s.user_id.as_ref(), *s.id.as_ref(), 0, now));
        }
        session::Entity::insert_many(sessions).exec(db).await?;
    }
    let mut tasks = Vec::with_capacity(TASKS);
    let mut rng_state: u64 = 0x2545F4914F6CDD1D;
    let mut rnd = move || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        (rng_state % 1_000_000) as f64 / 1_000_000.0
    };
    let mut race_task = String::new();
    for chunk in (0..=TASKS).collect::<Vec<_>>().chunks(1000) {
        let rows: Vec<task::ActiveModel> = chunk
            .iter()
            .map(|i| {
                let id = Uuid::now_v7();
                // Spread over a city the size of Suzhou (about 90 km × 95 km) and 60 days, 2 hours
                // each: some 1.2 tasks per km², so a 3 km circle holds about 30.
                let starts = now + Duration::hours(2) + Duration::minutes((rnd() * 60.0 * 24.0 * 60.0) as i64);
                let race = *i == TASKS;
                if race {
                    race_task = id.to_string();
                } else {
                    tasks.push(id.to_string());
                }
                task::ActiveModel {
                    id: Set(id),
                    org_unit_id: Set(city),
                    title: Set(format!("任务{i}")),
                    description: Set(String::new()),
                    action_line: Set(task::ActionLine::Help),
                    address: Set(None),
                    lat: Set(Some(CENTRE.0 + (rnd() - 0.5) * 0.8)),
                    lng: Set(Some(CENTRE.1 + (rnd() - 0.5) * 1.0)),
                    check_in_radius_m: Set(300),
                    starts_at: Set(starts),
                    ends_at: Set(starts + Duration::hours(2)),
                    capacity: Set(if race { 100 } else { 20 }),
                    filled: Set(0),
                    waitlist_seq: Set(0),
                    min_headcount: Set(None),
                    signup_deadline: Set(starts),
                    cancel_cutoff_hours: Set(2),
                    leader_id: Set(None),
                    requires_insurance: Set(false),
                    insurance_policy_ref: Set(None),
                    signup_mode: Set(task::SignupMode::Open),
                    min_presence_pct: Set(60),
                    skills_required_for_signup: Set(false),
                    check_in_mode: Set(task::CheckInMode::Code),
                    status: Set(task::TaskStatus::Published),
                    cancel_reason: Set(None),
                    created_by: Set(organiser_id),
                    published_at: Set(Some(now)),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
            })
            .collect();
        task::Entity::insert_many(rows).exec(db).await?;
    }
    // As autovacuum would after a while: statistics and the visibility map that index-only
    // scans rely on.
    db.execute_unprepared("VACUUM ANALYZE tasks").await?;
    db.execute_unprepared("ANALYZE users, sessions, org_units, org_unit_closure").await?;
    Ok(Seed { tokens, tasks, race_task })
}

fn write_lines(path: &std::path::Path, lines: &[String]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    for l in lines {
        writeln!(f, "{l}")?;
    }
    Ok(())
}

const LUA_PRELUDE: &str = r#"
local function lines(path)
  local t = {}
  for l in io.lines(path) do t[#t + 1] = l end
  return t
end
tokens = lines("DIR/tokens.txt")
tasks = lines("DIR/tasks.txt")
local counter = 0
local threads = {}
local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("offset", thread_no * 7919)
  table.insert(threads, thread)
end
function init(args)
  counter = offset or 0
end
"#;

fn script_get(path: &str, auth: bool) -> String {
    format!(
        "{LUA_PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local h = {{}}\n  {}\n  return wrk.format('GET', '{path}', h)\nend\n",
        if auth { "h['Authorization'] = 'Bearer ' .. tokens[(counter % #tokens) + 1]" } else { "" }
    )
}

fn browse_script() -> String {
    format!(
        "{LUA_PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local lat = {} + (math.random() - 0.5) * 0.7\n  local lng = {} + (math.random() - 0.5) * 0.9\n  local h = {{}}\n  h['Authorization'] = 'Bearer ' .. tokens[(counter % #tokens) + 1]\n  return wrk.format('GET', string.format('/api/v1/tasks?near=%.5f,%.5f&radiusKm=3', lat, lng), h)\nend\n",
        CENTRE.0, CENTRE.1
    )
}

/// Each request pairs a different volunteer with a task (or the one race task).
fn signup_script(race: Option<&str>) -> String {
    let task = match race {
        Some(id) => format!("'{id}'"),
        None => "tasks[((counter * 104729) % #tasks) + 1]".to_string(),
    };
    format!(
        "{LUA_PRELUDE}\nrequest = function()\n  counter = counter + 1\n  local h = {{}}\n  h['Authorization'] = 'Bearer ' .. tokens[(counter % #tokens) + 1]\n  h['Content-Type'] = 'application/json'\n  return wrk.format('POST', '/api/v1/tasks/' .. {task} .. '/signups', h, '{{}}')\nend\n"
    )
}

/// Requests/s, p50 and p99 in ms, and non-2xx count from wrk's output.
fn parse_wrk(out: &str) -> (f64, f64, f64, u64) {
    let ms = |s: &str| -> f64 {
        let s = s.trim();
        if let Some(v) = s.strip_suffix("us") {
            v.parse::<f64>().unwrap_or(0.0) / 1000.0
        } else if let Some(v) = s.strip_suffix("ms") {
            v.parse().unwrap_or(0.0)
        } else if let Some(v) = s.strip_suffix('s') {
            v.parse::<f64>().unwrap_or(0.0) * 1000.0
        } else {
            0.0
        }
    };
    let mut rps = 0.0;
    let (mut p50, mut p99, mut non2xx) = (0.0, 0.0, 0);
    for line in out.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("Requests/sec:") {
            rps = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = l.strip_prefix("50%") {
            p50 = ms(v);
        } else if let Some(v) = l.strip_prefix("99%") {
            p99 = ms(v);
        } else if let Some(v) = l.strip_prefix("Non-2xx or 3xx responses:") {
            non2xx = v.trim().parse().unwrap_or(0);
        }
    }
    (rps, p50, p99, non2xx)
}
