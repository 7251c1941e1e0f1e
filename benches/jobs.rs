//! Benchmarks of the job machinery (run in release mode; not a test):
//!
//! 1. Jobs per second end to end on Redis: 50,000 no-op jobs enqueued while a worker at
//!    concurrency 50 consumes them, each acknowledged after its handler returned.
//! 2. The same 50,000 drained from a pre-filled queue.
//! 3. Pushes per second: an announcement to 10,000 people (`WUSHE_BENCH_RECIPIENTS`) with one
//!    phone each, of a mainland mix (Huawei, Honor, Xiaomi, OPPO, vivo, iPhones on APNs, a few
//!    on FCM: `tests/api/fake_push.rs`), through the whole path (fan-out batches, inbox rows,
//!    outbox relay, push jobs, one request per vendor batch) against the fakes of the tests; with
//!    the process's resident memory before and at the end, to show it stays flat.
//!
//! `cargo bench --bench jobs [-- queue|push]` (Redis at `WUSHE_BENCH_REDIS_URL`, default
//! redis://127.0.0.1:6379; the database is a temporary SQLite file unless
//! `WUSHE_BENCH_DATABASE_URL` names one).

#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

#[path = "../tests/api/fake_apns.rs"]
#[allow(dead_code)]
mod fake_apns;
#[path = "../tests/api/fake_fcm.rs"]
#[allow(dead_code)]
mod fake_fcm;
#[path = "../tests/api/fake_honor.rs"]
#[allow(dead_code)]
mod fake_honor;
#[path = "../tests/api/fake_huawei.rs"]
#[allow(dead_code)]
mod fake_huawei;
#[path = "../tests/api/fake_oppo.rs"]
#[allow(dead_code)]
mod fake_oppo;
#[path = "../tests/api/fake_push.rs"]
#[allow(dead_code)]
mod fake_push;
#[path = "../tests/api/fake_vendor.rs"]
#[allow(dead_code)]
mod fake_vendor;
#[path = "../tests/api/fake_vivo.rs"]
#[allow(dead_code)]
mod fake_vivo;
#[path = "../tests/api/fake_xiaomi.rs"]
#[allow(dead_code, unused_imports)]
mod fake_xiaomi;

use jobs::metrics::Metrics;
use jobs::queue::redis::{RedisQueue, RedisQueueConfig};
use jobs::worker::{Worker, WorkerConfig};
use jobs::{NewJob, Registry, SharedQueue, SystemClock};
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const JOBS: u64 = 50_000;
const CONCURRENCY: usize = 50;

/// People the announcement reaches (`WUSHE_BENCH_RECIPIENTS`, default 10,000).
fn recipients() -> usize {
    std::env::var("WUSHE_BENCH_RECIPIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// The process's resident memory now and at its peak, in MiB (`/proc/self/status`).
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn redis_url() -> String {
    std::env::var("WUSHE_BENCH_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn redis_queue(prefix: &str) -> Arc<RedisQueue> {
    let cfg = RedisQueueConfig { prefix: prefix.into(), queue: "bench".into(), dedupe_ttl: Duration::from_secs(600) };
    Arc::new(RedisQueue::new(&redis_url(), cfg, Arc::new(SystemClock)).unwrap())
}

fn worker_config() -> WorkerConfig {
    WorkerConfig { concurrency: CONCURRENCY, ..WorkerConfig::default() }
}

fn noop_worker(queue: SharedQueue, metrics: Arc<Metrics>) -> Worker {
    let mut r = Registry::new();
    r.on("noop", Default::default(), |_, _| async { Ok(()) });
    Worker::new(queue, Arc::new(r), Arc::new(SystemClock), metrics, worker_config())
}

/// Waits until `n` handlers returned and every job is acknowledged (gone from the stream).
async fn wait_done(queue: &SharedQueue, metrics: &Metrics, n: u64) {
    while metrics.processed("noop") < n {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    loop {
        let s = queue.stats().await.unwrap();
        if s.ready + s.running + s.delayed == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn produce(queue: &SharedQueue, n: u64) {
    let batch = 500;
    for start in (0..n).step_by(batch) {
        let jobs =
            (start..(start + batch as u64).min(n)).map(|i| NewJob::new("noop", serde_json::json!({"i": i}))).collect();
        queue.enqueue_many(jobs).await.unwrap();
    }
}

async fn end_to_end() {
    let q = redis_queue(&format!("bench:{}:", Uuid::new_v4().simple()));
    let queue: SharedQueue = q.clone();
    let metrics = Arc::new(Metrics::default());
    let stop = CancellationToken::new();
    let worker = tokio::spawn(noop_worker(queue.clone(), metrics.clone()).run(stop.clone()));
    let started = Instant::now();
    let producer = {
        let queue = queue.clone();
        tokio::spawn(async move { produce(&queue, JOBS).await })
    };
    producer.await.unwrap();
    let produced = started.elapsed();
    wait_done(&queue, &metrics, JOBS).await;
    let elapsed = started.elapsed();
    stop.cancel();
    worker.await.unwrap();
    println!(
        "end to end (enqueue while consuming, until every job is acknowledged): {JOBS} jobs in {:.2} s = {:.0} jobs/s (enqueue finished after {:.2} s)",
        elapsed.as_secs_f64(),
        JOBS as f64 / elapsed.as_secs_f64(),
        produced.as_secs_f64()
    );

    // Drain a pre-filled queue.
    let enqueue_started = Instant::now();
    produce(&queue, JOBS).await;
    let enqueue = enqueue_started.elapsed();
    let metrics = Arc::new(Metrics::default());
    let stop = CancellationToken::new();
    let started = Instant::now();
    let worker = tokio::spawn(noop_worker(queue.clone(), metrics.clone()).run(stop.clone()));
    wait_done(&queue, &metrics, JOBS).await;
    let elapsed = started.elapsed();
    stop.cancel();
    worker.await.unwrap();
    println!(
        "pre-filled: enqueued {JOBS} in {:.2} s ({:.0}/s); drained in {:.2} s = {:.0} jobs/s",
        enqueue.as_secs_f64(),
        JOBS as f64 / enqueue.as_secs_f64(),
        elapsed.as_secs_f64(),
        JOBS as f64 / elapsed.as_secs_f64()
    );
    q.delete_all_keys().await.unwrap();
}

async fn push_fan_out() {
    use wushe::clock::ManualClock;
    use wushe::config::Config;
    use wushe::domain::kernel::actor::Actor;
    let recipients = recipients();
    let fakes = fake_push::AllFakes::start().await;
    // Memory measured is then the service's: the fakes keep only the tokens they delivered to.
    fakes.forget_requests();
    let dir = tempfile::tempdir().unwrap();
    let prefix = format!("bench:{}:", Uuid::new_v4().simple());
    let db_url = std::env::var("WUSHE_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()));
    let mut env: std::collections::HashMap<String, String> = fakes.env(dir.path(), 64).into_iter().collect();
    env.extend([
        ("WUSHE_DATABASE_URL".to_string(), db_url.clone()),
        ("WUSHE_REDIS_URL".to_string(), redis_url()),
        ("WUSHE_REDIS_PREFIX".to_string(), prefix.clone()),
        ("WUSHE_JWT_SECRET".to_string(), "a benchmark secret that is long enough".to_string()),
        ("WUSHE_DATA_KEY".to_string(), "a benchmark data key that is long enough too".to_string()),
        ("WUSHE_DATA_DIR".to_string(), dir.path().display().to_string()),
        ("WUSHE_WORKER_CONCURRENCY".to_string(), CONCURRENCY.to_string()),
    ]);
    let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
    let db = wushe::app::open_database(&config, true).await.unwrap();
    // Noon in Shanghai, so quiet hours do not defer the pushes.
    let noon = chrono::Utc::now().date_naive().and_hms_opt(4, 0, 0).unwrap().and_utc();
    let clock = ManualClock::new(noon);
    let state = wushe::state::AppState::new(db, config, Arc::new(clock)).unwrap();

    let profile = wushe::domain::people::users::create_city_admin(
        &state.db,
        &state.hasher,
        noon,
        "13800000000".into(),
        "管理员".into(),
        "benchmark-password".into(),
    )
    .await
    .unwrap();
    let admin = Actor { user_id: profile.user.id, role: entity::user::Role::CityAdmin, org_unit_id: None };
    let new_unit = |parent, kind, name: &str| wushe::domain::kernel::org_units::NewOrgUnit {
        parent_id: parent,
        kind,
        name: name.into(),
        region_code: None,
        address: None,
        lat: None,
        lng: None,
        time_zone: None,
        person_in_charge: None,
        contact_phone: None,
    };
    use entity::org_unit::OrgUnitKind;
    let city = wushe::domain::kernel::org_units::create(
        &state.db,
        &admin,
        noon,
        new_unit(None, OrgUnitKind::CityCenter, "市"),
    )
    .await
    .unwrap();
    let station = wushe::domain::kernel::org_units::create(
        &state.db,
        &admin,
        noon,
        new_unit(Some(city.id), OrgUnitKind::TownStation, "站"),
    )
    .await
    .unwrap();
    let tag = &Uuid::new_v4().simple().to_string()[..6];
    let everyone: Vec<usize> = (0..recipients).collect();
    for chunk in everyone.chunks(500) {
        let mut people = Vec::new();
        let mut devices = Vec::new();
        for &i in chunk {
            let provider = fake_push::provider_of(i);
            let id = Uuid::now_v7();
            people.push(entity::user::ActiveModel {
                id: Set(id),
                phone: Set(format!("+86158{i:08}")),
                name: Set(format!("志愿者{i}")),
                password_hash: Set("-".into()),
                role: Set(entity::user::Role::Volunteer),
                org_unit_id: Set(Some(station.id)),
                status: Set(entity::user::UserStatus::Active),
                locale: Set(entity::user::Locale::ZhCn),
                time_zone: Set("Asia/Shanghai".into()),
                volunteer_number: Set(format!("B{i:010}")),
                token_version: Set(0),
                created_by: Set(None),
                created_at: Set(noon),
                updated_at: Set(noon),
            });
            devices.push(entity::device::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(id),
                provider: Set(provider.into()),
                platform: Set(if fake_push::platform_of(provider) == "ios" {
                    entity::device::Platform::Ios
                } else {
                    entity::device::Platform::Android
                }),
                token: Set(fake_push::token(provider, tag, i)),
                token_hash: Set("-".into()),
                app_version: Set(None),
                locale: Set(None),
                active: Set(true),
                last_seen_at: Set(noon),
                created_at: Set(noon),
                deactivated_at: Set(None),
                deactivated_reason: Set(None),
                installation_id: Set(None),
                app_id: Set(None),
                session_id: Set(None),
            });
        }
        entity::user::Entity::insert_many(people).exec_without_returning(&state.db).await.unwrap();
        entity::device::Entity::insert_many(devices).exec_without_returning(&state.db).await.unwrap();
    }
    if db_url.starts_with("postgres") {
        // As autovacuum would have by the time a city announces: planner statistics of the
        // tables just filled (without them PostgreSQL reads people by status, not by id).
        use sea_orm::ConnectionTrait;
        state.db.execute_unprepared("ANALYZE").await.unwrap();
    }

    let (rss_before, _) = memory_mib();
    let stop = CancellationToken::new();
    let workers = tokio::spawn(wushe::worker::run(state.clone(), stop.clone()));
    let started = Instant::now();
    let new = wushe::domain::messaging::announcements::NewAnnouncement {
        org_unit_id: Some(station.id),
        roles: vec![],
        title: "全市通知".into(),
        body: "请更新应用".into(),
    };
    wushe::domain::messaging::announcements::create(&state.db, &admin, noon, new).await.unwrap();
    let mut inbox_done = None;
    let mut looked = Instant::now();
    while fakes.delivered_count() < recipients {
        // Counting rows is work for the database too: every 50 ms at most.
        if inbox_done.is_none() && looked.elapsed() >= Duration::from_millis(50) {
            looked = Instant::now();
            use sea_orm::PaginatorTrait;
            if entity::notification::Entity::find().count(&state.db).await.unwrap() as usize >= recipients {
                inbox_done = Some(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let (rss_after, peak) = memory_mib();
    stop.cancel();
    workers.await.unwrap();
    assert!(fakes.refused().is_empty(), "every request was well formed: {:?}", fakes.refused());
    let mut per_token = std::collections::HashMap::new();
    for (_, token, _) in fakes.delivered() {
        *per_token.entry(token).or_insert(0usize) += 1;
    }
    assert_eq!(per_token.len(), recipients, "every phone reached");
    let backend = if db_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "announcement to {recipients} people, one phone each of the mainland mix ({backend} + Redis + fake providers): \
         inbox rows after {:.2} s; {recipients} pushes in {:.2} s = {:.0} pushes/s (FCM's own default quota: 600,000 a minute = 10,000/s); \
         duplicates {}; requests per provider {:?}; resident memory {rss_before:.0} MiB before, {rss_after:.0} MiB after, peak {peak:.0} MiB",
        inbox_done.unwrap_or(elapsed).as_secs_f64(),
        elapsed.as_secs_f64(),
        recipients as f64 / elapsed.as_secs_f64(),
        per_token.values().map(|n| n - 1).sum::<usize>(),
        fakes.send_requests(),
    );
    redis_queue(&prefix).delete_all_keys().await.unwrap();
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        jobs::push::install_crypto_provider();
        let which = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_default();
        if which.is_empty() || which == "queue" {
            end_to_end().await;
        }
        if which.is_empty() || which == "push" {
            push_fan_out().await;
        }
    });
}
