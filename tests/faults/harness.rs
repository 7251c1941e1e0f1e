//! The harness of the fault suite: whether it runs ([`env`]), a database ([`TempDb`]) and Redis
//! key prefixes ([`RedisKeys`]) of each scenario's own, the `wushe` processes under test
//! ([`Wushe`], [`Proc`]: killed when the scenario ends or panics, their output kept in files whose
//! tails are printed when it fails), an HTTP client that times every call ([`Api`]), and waits
//! bounded by deadlines ([`eventually`], [`until`]).

use crate::fake_fcm::FakeFcm;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use uuid::Uuid;

/// Phone and password of the city administrator every scenario creates with `wushe create-admin`.
pub const ADMIN_PHONE: &str = "13800000000";
pub const ADMIN_PASSWORD: &str = "fault-suite-admin-password";

/// What the suite breaks and the shared servers it runs against.
pub struct Env {
    pub bin: PathBuf,
    pub database_url: String,
    pub redis_url: String,
}

/// The suite's setting; `None`, after printing why, when `WUSHE_FAULT_BIN` is unset. Once it is
/// set the services are required: a missing one fails the scenario rather than skipping it.
pub fn env(scenario: &str) -> Option<Env> {
    let Some(bin) = std::env::var_os("WUSHE_FAULT_BIN").filter(|b| !b.is_empty()) else {
        println!(
            "skipped {scenario}: WUSHE_FAULT_BIN is not set (the wushe binary to break, e.g. \
             `cargo build --release --bin wushe` and WUSHE_FAULT_BIN=target/release/wushe)"
        );
        return None;
    };
    // The processes run in a directory of their own, so a relative path must be made absolute.
    let bin = std::fs::canonicalize(&bin)
        .unwrap_or_else(|e| panic!("WUSHE_FAULT_BIN={} is not a file: {e}", PathBuf::from(&bin).display()));
    let need = |var: &str, example: &str| {
        std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
            panic!("WUSHE_FAULT_BIN is set, so the fault suite runs, and it needs {var} (e.g. {example})")
        })
    };
    Some(Env {
        bin,
        database_url: need("WUSHE_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
        redis_url: need("WUSHE_TEST_REDIS_URL", "redis://127.0.0.1:6379"),
    })
}

/// Polls `check` until it holds; fails after `within`, saying what was awaited.
pub async fn eventually<F, Fut>(within: Duration, what: &str, check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    assert!(until(within, check).await, "timed out after {within:?} waiting for {what}");
}

/// Polls `check` until it holds or `within` passes; whether it held.
pub async fn until<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A pool for the test's own reads and seeding.
pub async fn connect(url: &str) -> DatabaseConnection {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(4)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(opts).await.unwrap_or_else(|e| panic!("connecting to the scenario's database: {e}"))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (url, None),
    };
    let authority_at = url.find("://").map_or(0, |i| i + 3);
    let server = match url[authority_at..].find('/') {
        Some(slash) => &url[..authority_at + slash],
        None => url,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// A database of one scenario's own on the shared server: created empty, dropped (after its
/// connections are ended) when the scenario ends.
pub struct TempDb {
    pub url: String,
    base: String,
    name: String,
}

impl TempDb {
    pub async fn create(base: &str) -> TempDb {
        let admin = Database::connect(base)
            .await
            .unwrap_or_else(|e| panic!("WUSHE_TEST_DATABASE_URL ({base}) does not answer: {e}"));
        drop_stale_databases(&admin).await;
        let name = format!("wf_{}_{}", unix_now(), &Uuid::new_v4().simple().to_string()[..12]);
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
        let _ = admin.close().await;
        TempDb { url: with_database(base, &name), base: base.to_string(), name }
    }
}

/// Databases left by runs that died before dropping theirs (older than two hours).
async fn drop_stale_databases(admin: &DatabaseConnection) {
    let cutoff = unix_now().saturating_sub(7200);
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'wf\\_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else { continue };
        let born = name.split('_').nth(1).and_then(|t| t.parse::<u64>().ok()).unwrap_or(u64::MAX);
        if born < cutoff {
            drop_database(admin, &name).await;
        }
    }
}

async fn drop_database(admin: &DatabaseConnection, name: &str) {
    // Processes killed with -9 may leave sessions the server has not noticed yet.
    let _ = admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await;
    if admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.is_err() {
        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        // Drop may run while the test's runtime is unwinding: a small runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let work = async {
                    if let Ok(admin) = Database::connect(&base).await {
                        drop_database(&admin, &name).await;
                        let _ = admin.close().await;
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(20), work).await;
            });
        })
        .join();
    }
}

/// A fresh key prefix (`wf:<random>:`) for one scenario's queue and rate counters.
pub fn fresh_prefix() -> String {
    format!("wf:{}:", Uuid::new_v4().simple())
}

/// One scenario's keys on the shared Redis, deleted when it ends.
pub struct RedisKeys {
    pub url: String,
    pub prefix: String,
}

impl RedisKeys {
    /// A fresh prefix on the Redis at `url`, which must answer.
    pub async fn on(url: &str) -> RedisKeys {
        assert!(redis_answers(url).await, "WUSHE_TEST_REDIS_URL ({url}) does not answer PING");
        RedisKeys { url: url.to_string(), prefix: fresh_prefix() }
    }

    /// A handle on the scenario's job queue, to see whether work is left.
    pub fn queues(&self) -> Queues {
        Queues([wushe::worker::QUEUE, wushe::worker::PUSH_QUEUE].map(|name| queue_at(&self.url, &self.prefix, name)))
    }
}

/// Both job queues of a `wushe` (everything else, and pushes).
pub struct Queues(pub [jobs::queue::redis::RedisQueue; 2]);

impl Queues {
    /// Summed over both queues; `None` when Redis does not answer within three seconds.
    pub async fn stats(&self) -> Option<jobs::queue::QueueStats> {
        use jobs::queue::JobQueue;
        let mut sum = jobs::queue::QueueStats::default();
        for q in &self.0 {
            let s = tokio::time::timeout(Duration::from_secs(3), q.stats()).await.ok()?.ok()?;
            sum.ready += s.ready;
            sum.delayed += s.delayed;
            sum.running += s.running;
            sum.dead += s.dead;
        }
        Some(sum)
    }
}

/// The job queue `name` that `wushe` keeps under `prefix` on the Redis at `url`.
pub fn queue_at(url: &str, prefix: &str, name: &str) -> jobs::queue::redis::RedisQueue {
    let cfg = jobs::queue::redis::RedisQueueConfig {
        prefix: prefix.to_string(),
        queue: name.into(),
        dedupe_ttl: Duration::from_secs(86_400),
    };
    jobs::queue::redis::RedisQueue::new(url, cfg, std::sync::Arc::new(jobs::SystemClock)).unwrap()
}

/// Whether the Redis at `url` answers PING within a second.
pub async fn redis_answers(url: &str) -> bool {
    let ping = async {
        let client = redis::Client::open(url).ok()?;
        let mut c = client.get_multiplexed_async_connection().await.ok()?;
        redis::cmd("PING").query_async::<String>(&mut c).await.ok()
    };
    matches!(tokio::time::timeout(Duration::from_secs(1), ping).await, Ok(Some(_)))
}

impl Drop for RedisKeys {
    fn drop(&mut self) {
        let (url, pattern) = (self.url.clone(), format!("{}*", self.prefix));
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let work = async {
                    let client = redis::Client::open(url).ok()?;
                    let mut c = client.get_multiplexed_async_connection().await.ok()?;
                    let mut cursor = 0u64;
                    loop {
                        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                            .arg(cursor)
                            .arg("MATCH")
                            .arg(&pattern)
                            .arg("COUNT")
                            .arg(1000)
                            .query_async(&mut c)
                            .await
                            .ok()?;
                        if !keys.is_empty() {
                            let _: redis::RedisResult<i64> = redis::cmd("UNLINK").arg(&keys).query_async(&mut c).await;
                        }
                        if next == 0 {
                            return Some(());
                        }
                        cursor = next;
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(10), work).await;
            });
        })
        .join();
    }
}

/// The last `n` lines of a log file (long lines cut), for failure reports.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| format!("(cannot read {}: {e})", path.display()));
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines[from..]
        .iter()
        .map(|l| {
            if l.chars().count() > 500 {
                format!("{}…", l.chars().take(500).collect::<String>())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Starts `wushe` subcommands with one scenario's configuration, in a directory of their own.
/// Keeps every process's output (and any other log it is told to watch) and prints their tails
/// when the scenario fails.
pub struct Wushe {
    bin: PathBuf,
    pub dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
    logs: Mutex<Vec<(String, PathBuf)>>,
}

impl Wushe {
    /// `wushe` on `database_url`, with its queue under `prefix` on the Redis at `redis_url`
    /// (rate counters under `<prefix>rl:`), leases of 5 s and rate limits out of the way.
    pub fn new(env: &Env, database_url: &str, redis_url: &str, prefix: &str) -> Wushe {
        let dir = tempfile::tempdir().unwrap();
        let unlimited = "1000000/1m";
        let mut vars: Vec<(String, String)> = [
            ("WUSHE_DATABASE_URL", database_url),
            ("WUSHE_REDIS_URL", redis_url),
            ("WUSHE_REDIS_PREFIX", prefix),
            ("WUSHE_JWT_SECRET", "fault suite signing key, 32 bytes or more"),
            ("WUSHE_DATA_KEY", "fault suite data key, also 32 bytes or more"),
            ("WUSHE_JOB_LEASE", "5s"),
            ("WUSHE_SHUTDOWN_GRACE", "2s"),
            // Small pools: several scenarios and the other tests share one PostgreSQL server.
            ("WUSHE_DB_MAX_CONNECTIONS", "6"),
            ("WUSHE_LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
            ("RUST_BACKTRACE", "1"),
            ("WUSHE_RATE_LIMIT_AUTH_IP", unlimited),
            ("WUSHE_RATE_LIMIT_WRITE_USER", unlimited),
            ("WUSHE_RATE_LIMIT_WRITE_IP", unlimited),
            ("WUSHE_RATE_LIMIT_STRICT_USER", unlimited),
            ("WUSHE_RATE_LIMIT_STRICT_IP", unlimited),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.push(("WUSHE_RATE_LIMIT_PREFIX".into(), format!("{prefix}rl:")));
        vars.push(("WUSHE_DATA_DIR".into(), dir.path().join("data").display().to_string()));
        Wushe { bin: env.bin.clone(), dir, vars, logs: Mutex::new(Vec::new()) }
    }

    /// Sets (or replaces) one variable of every later process.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.into()));
    }

    /// Pushes go to `fake`.
    pub fn push_to(&mut self, fake: &FakeFcm) {
        let credentials = fake.credentials_file(self.dir.path());
        self.set("WUSHE_FCM_CREDENTIALS", credentials.display().to_string());
        self.set("WUSHE_FCM_ENDPOINT", fake.base.clone());
    }

    /// Pushes go to each provider's fake, `concurrency` requests at once each.
    pub fn push_to_all(&mut self, fakes: &crate::fake_push::AllFakes, concurrency: usize) {
        for (k, v) in fakes.env(self.dir.path(), concurrency) {
            self.set(&k, v);
        }
    }

    /// Prints the tail of `path` too if the scenario fails.
    pub fn watch(&self, name: &str, path: &Path) {
        self.logs.lock().unwrap().push((name.to_string(), path.to_path_buf()));
    }

    /// Starts `wushe <args>` with `extra` variables; its output goes to `<name>.log`.
    pub fn spawn(&self, name: &str, args: &[&str], extra: &[(&str, String)]) -> Proc {
        let log = self.dir.path().join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())))
            .args(args)
            // Away from any `.env` of the checkout.
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        let child = cmd.spawn().unwrap_or_else(|e| panic!("starting {} {}: {e}", self.bin.display(), args.join(" ")));
        self.watch(name, &log);
        Proc { child: Some(child), log, addr: None }
    }

    /// Runs `wushe <args>` to completion (within two minutes); fails with its output unless it
    /// succeeds.
    pub async fn run(&self, name: &str, args: &[&str], extra: &[(&str, String)]) {
        let mut p = self.spawn(name, args, extra);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = p.exited() {
                assert!(status.success(), "`wushe {}` failed ({status}):\n{}", args.join(" "), tail(&p.log, 40));
                // Done and fine: its output would only crowd a failure report.
                self.logs.lock().unwrap().retain(|(_, path)| *path != p.log);
                return;
            }
            assert!(Instant::now() < deadline, "`wushe {}` did not finish within 120 s", args.join(" "));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `wushe serve --no-migrate --no-workers` on a free port, once it answers `/healthz`.
    pub async fn serve(&self, name: &str) -> Proc {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut p = self.spawn(name, &["serve", "--no-migrate", "--no-workers"], &[("WUSHE_LISTEN", addr.clone())]);
        p.addr = Some(addr.clone());
        let http = client();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = p.exited() {
                panic!("{name} exited ({status}) before answering:\n{}", tail(&p.log, 40));
            }
            let probe = http.get(format!("http://{addr}/healthz")).timeout(Duration::from_secs(2)).send().await;
            if probe.is_ok_and(|r| r.status() == 200) {
                return p;
            }
            assert!(Instant::now() < deadline, "{name} did not answer /healthz within 60 s:\n{}", tail(&p.log, 40));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `wushe worker`, serving `/metrics` and `/healthz` on a free port (`WUSHE_METRICS_LISTEN`).
    pub fn worker(&self, name: &str) -> Proc {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut p = self.spawn(name, &["worker"], &[("WUSHE_METRICS_LISTEN", addr.clone())]);
        p.addr = Some(addr);
        p
    }

    /// Applies the migrations, creates the city administrator, starts the API and signs in, and
    /// creates the city centre that announcements go to.
    pub async fn deploy(&self) -> Deployment {
        self.run("migrate", &["migrate"], &[]).await;
        self.run(
            "create-admin",
            &["create-admin", "--phone", ADMIN_PHONE, "--name", "演练管理员"],
            &[("WUSHE_ADMIN_PASSWORD", ADMIN_PASSWORD.to_string())],
        )
        .await;
        let serve = self.serve("serve").await;
        let api = Api::new(&format!("http://{}", serve.addr.as_deref().unwrap()));
        let token = api.login(ADMIN_PHONE, ADMIN_PASSWORD).await;
        let unit = api
            .call("POST", "/api/v1/org-units", Some(&token), Some(json!({"kind": "city_center", "name": "演练市"})))
            .await
            .expect_status(201, "creating the city centre")
            .id();
        Deployment { serve, api, token, unit }
    }
}

impl Drop for Wushe {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for (name, path) in self.logs.lock().unwrap().iter() {
                eprintln!("\n----- last lines of {name} ({}) -----\n{}", path.display(), tail(path, 30));
            }
            eprintln!("----- end of logs -----");
        }
    }
}

/// A process under test; killed with SIGKILL (and reaped) when dropped.
pub struct Proc {
    child: Option<Child>,
    pub log: PathBuf,
    /// The address it listens on, if any.
    pub addr: Option<String>,
}

impl Proc {
    /// `kill -9`, and waits for it to be gone.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Its exit status, if it has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.as_mut()?.try_wait().ok()??;
        self.child = None;
        Some(status)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The API of a deployment, signed in as its city administrator, and the unit to announce to.
pub struct Deployment {
    pub serve: Proc,
    pub api: Api,
    pub token: String,
    pub unit: Uuid,
}

impl Deployment {
    /// Whether the API process started by [`Wushe::deploy`] is still the one running.
    pub fn serving(&mut self) -> bool {
        self.serve.exited().is_none()
    }

    /// The body of an announcement to everyone under the city centre.
    pub fn announcement(&self, title: &str) -> Value {
        json!({"title": title, "body": "故障演练：请忽略本通知。", "orgUnitId": self.unit})
    }
}

/// An HTTP client for tests (after installing the TLS crypto provider reqwest is built without).
pub fn client() -> reqwest::Client {
    jobs::push::install_crypto_provider();
    reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap()
}

/// A client of one API that times every call.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
}

/// An answer: status, headers, body (JSON, a string, or `Null`) and how long it took.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub elapsed: Duration,
}

impl Reply {
    #[track_caller]
    pub fn expect_status(self, status: u16, what: &str) -> Reply {
        assert_eq!(self.status, status, "{what}: unexpected status; body: {}", self.body);
        self
    }

    /// The `id` field, as a UUID.
    #[track_caller]
    pub fn id(&self) -> Uuid {
        self.body["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no id in {}", self.body))
    }

    /// The problem code, if the body is a problem.
    pub fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }

    /// Whether it is an `application/problem+json` document.
    pub fn is_problem(&self) -> bool {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"))
    }

    /// Whether it carries a `Retry-After` header.
    pub fn has_retry_after(&self) -> bool {
        self.headers.get("retry-after").and_then(|v| v.to_str().ok()).is_some_and(|v| !v.trim().is_empty())
    }
}

/// What a call came to: an answer, or why there was none (unreachable, timed out after 15 s).
pub type Outcome = Result<Reply, String>;

/// `what 201 in 12 ms`, or why no answer came.
pub fn describe(what: &str, outcome: &Outcome) -> String {
    match outcome {
        Ok(r) => format!("{what} {} in {} ms", r.status, r.elapsed.as_millis()),
        Err(e) => format!("{what}: no answer ({e})"),
    }
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api { base: base.to_string(), http: client() }
    }

    /// Sends a request and times it (up to the client's 15 s timeout).
    pub async fn send(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Outcome {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let started = Instant::now();
        let resp = req.send().await.map_err(|e| format!("{e} after {:?}", started.elapsed()))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.map_err(|e| format!("reading the body: {e}"))?;
        let elapsed = started.elapsed();
        let body =
            serde_json::from_str(&text).unwrap_or(if text.is_empty() { Value::Null } else { Value::String(text) });
        Ok(Reply { status, headers, body, elapsed })
    }

    /// Like [`Api::send`], failing when no answer came.
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.send(method, path, token, body).await.unwrap_or_else(|e| panic!("{method} {path} got no answer: {e}"))
    }

    /// Signs in; the access token.
    pub async fn login(&self, phone: &str, password: &str) -> String {
        let r = self
            .call("POST", "/api/v1/auth/login", None, Some(json!({"phone": phone, "password": password})))
            .await
            .expect_status(200, "signing in");
        r.body["accessToken"].as_str().unwrap().to_string()
    }
}
