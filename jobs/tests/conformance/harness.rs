//! Backends for the conformance suite: the embedded queue on a fresh database (SQLite, or a
//! PostgreSQL schema when `WUSHE_TEST_DATABASE_URL` is set) and, when `WUSHE_TEST_REDIS_URL` is
//! set, the Redis queue under a key prefix of the test's own.

use chrono::{DateTime, Utc};
use jobs::metrics::Metrics;
use jobs::queue::SharedQueue;
use jobs::queue::embedded::EmbeddedQueue;
use jobs::queue::redis::{RedisQueue, RedisQueueConfig};
use jobs::worker::{Registry, Worker, WorkerConfig};
use jobs::{Clock, SystemClock};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A clock tests move by hand.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(t)))
    }
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A database of one test's own.
pub struct TestDb {
    pub url: String,
    pub db: DatabaseConnection,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let (url, schema, dir) = match std::env::var("WUSHE_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
            Some(base) => {
                let admin = Database::connect(&base).await.unwrap();
                let schema = format!("wt_{}_{}", Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
                admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    format!("{base}{sep}options[search_path]={schema}&application_name={schema}"),
                    Some((base, schema)),
                    None,
                )
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                (format!("sqlite://{}?mode=rwc", dir.path().join("jobs.db").display()), None, Some(dir))
            }
        };
        let db = connect(&url).await;
        jobs::migrations::Migrator::up(&db, None).await.unwrap();
        TestDb { url, db, schema, _dir: dir }
    }
}

/// Opens a pool the way the application does (WAL and a busy timeout on SQLite).
pub async fn connect(url: &str) -> DatabaseConnection {
    let mut opts = sea_orm::ConnectOptions::new(url.to_string());
    opts.max_connections(8).sqlx_logging(false);
    opts.map_sqlx_sqlite_opts(|o| {
        o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal).busy_timeout(Duration::from_secs(30))
    });
    Database::connect(opts).await.unwrap()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(&base).await {
                        // Connections of the test's own pool may still hold locks (background jobs
                        // mid-transaction on a runtime that is now blocked in this drop): end them.
                        let _ = admin
                            .execute_unprepared(&format!(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{schema}'"
                            ))
                            .await;
                        let _ = admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
                    }
                });
            })
            .join();
        }
    }
}

/// Where a backend's data lives, so another process can open the same queue.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Spec {
    Embedded { url: String },
    Redis { url: String, prefix: String },
}

/// One backend under test.
pub struct Backend {
    pub spec: Spec,
    pub queue: SharedQueue,
    pub db: Option<TestDb>,
}

pub fn redis_url() -> Option<String> {
    std::env::var("WUSHE_TEST_REDIS_URL").ok().filter(|s| !s.is_empty())
}

impl Backend {
    pub async fn embedded() -> Backend {
        let db = TestDb::new().await;
        let spec = Spec::Embedded { url: db.url.clone() };
        let queue = open(&spec, Arc::new(SystemClock)).await;
        Backend { spec, queue, db: Some(db) }
    }

    pub async fn redis() -> Option<Backend> {
        let url = redis_url()?;
        Some(Self::redis_at(&url).await)
    }

    pub async fn redis_at(url: &str) -> Backend {
        let spec = Spec::Redis { url: url.to_string(), prefix: format!("t:{}:", uuid::Uuid::new_v4().simple()) };
        let queue = open(&spec, Arc::new(SystemClock)).await;
        Backend { spec, queue, db: None }
    }

    /// Another handle on the same queue (as another process would open it), with its own clock.
    pub async fn handle(&self, clock: Arc<dyn Clock>) -> SharedQueue {
        open(&self.spec, clock).await
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Spec::Redis { url, prefix } = self.spec.clone() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let cfg = RedisQueueConfig { prefix, queue: "main".into(), dedupe_ttl: Duration::from_secs(60) };
                    if let Ok(q) = RedisQueue::new(&url, cfg, Arc::new(SystemClock)) {
                        let _ = tokio::time::timeout(Duration::from_secs(5), q.delete_all_keys()).await;
                    }
                });
            })
            .join();
        }
    }
}

/// Opens the queue a spec names.
pub async fn open(spec: &Spec, clock: Arc<dyn Clock>) -> SharedQueue {
    match spec {
        Spec::Embedded { url } => Arc::new(EmbeddedQueue::new(
            connect(url).await,
            "main",
            clock,
            Duration::from_secs(3600),
            Duration::from_millis(20),
        )),
        Spec::Redis { url, prefix } => Arc::new(
            RedisQueue::new(
                url,
                RedisQueueConfig {
                    prefix: prefix.clone(),
                    queue: "main".into(),
                    dedupe_ttl: Duration::from_secs(3600),
                },
                clock,
            )
            .unwrap(),
        ),
    }
}

/// Worker settings for tests: short leases and polls.
pub fn fast(concurrency: usize) -> WorkerConfig {
    WorkerConfig {
        concurrency,
        lease: Duration::from_secs(1),
        fetch_wait: Duration::from_millis(100),
        poll: Duration::from_millis(25),
        shutdown_grace: Duration::from_secs(5),
        defer: Duration::from_millis(40),
    }
}

/// A running worker; stopped (gracefully) by [`Running::stop`] or on drop.
pub struct Running {
    pub token: CancellationToken,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub async fn stop(mut self) {
        self.token.cancel();
        if let Some(h) = self.handle.take() {
            h.await.unwrap();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

/// Starts a worker over `queue`.
pub fn start(queue: &SharedQueue, registry: Registry, cfg: WorkerConfig) -> Running {
    let token = CancellationToken::new();
    let worker =
        Worker::new(queue.clone(), Arc::new(registry), Arc::new(SystemClock), Arc::new(Metrics::default()), cfg);
    let handle = tokio::spawn(worker.run(token.clone()));
    Running { token, handle: Some(handle) }
}

/// Polls `check` until it holds, failing after `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A `redis-server` of the test's own, with an append-only file so a restart keeps its data.
pub struct OwnRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A server on a free port, not yet started.
    pub fn new() -> OwnRedis {
        OwnRedis { port: free_port(), dir: tempfile::tempdir().unwrap(), child: None }
    }

    /// Starts it (again) and waits until it answers.
    pub async fn start(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"])
            .args(["--appendfsync", "always", "--dir"])
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        self.child = Some(child);
        let url = self.url();
        eventually(20, "redis-server to answer", || {
            let url = url.clone();
            async move {
                let Ok(client) = redis::Client::open(url) else { return false };
                let Ok(mut c) = client.get_multiplexed_async_connection().await else { return false };
                redis::cmd("PING").query_async::<String>(&mut c).await.is_ok()
            }
        })
        .await;
    }

    /// Stops it (SIGTERM: Redis finishes its append-only file) and waits for the exit.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = std::process::Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
