//! The test harness: [`spawn_app`] starts the real application on port 0 against a database of
//! its own (a SQLite temp file, or a fresh PostgreSQL schema when `WUSHE_TEST_DATABASE_URL` is
//! set) with a clock the test controls, and returns a client for it.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use wushe::clock::ManualClock;
use wushe::config::{Config, JobsConfig, LogFormat, Secret};
use wushe::state::AppState;

/// The PostgreSQL server to test against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("WUSHE_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

/// The Redis server to test against, if any.
pub fn redis_url() -> Option<String> {
    std::env::var("WUSHE_TEST_REDIS_URL").ok().filter(|s| !s.is_empty())
}

/// Password of every account the harness creates.
pub const PASSWORD: &str = "test-password-1";

/// A database of one test's own; dropped with it.
pub struct TestDb {
    pub url: String,
    schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, empty database on the configured backend.
    pub async fn new() -> TestDb {
        match postgres_url() {
            Some(base) => {
                let admin = Database::connect(&base).await.expect("WUSHE_TEST_DATABASE_URL must be reachable");
                drop_stale_schemas(&admin).await;
                let now = Utc::now().timestamp();
                let schema = format!("wt_{now}_{}", uuid::Uuid::new_v4().simple());
                admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options[search_path]={schema}&application_name={schema}");
                TestDb { url, schema: Some((base, schema)), _dir: None }
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                TestDb { url, schema: None, _dir: Some(dir) }
            }
        }
    }

    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }

    /// Everything the database holds on disk, raw: the SQLite file with its write-ahead log, or
    /// `pg_dump` of the test's schema.
    pub fn raw_dump(&self) -> Vec<u8> {
        match &self.schema {
            Some((base, schema)) => {
                let out = std::process::Command::new("pg_dump")
                    .args(["--no-owner", "--schema", schema, "--dbname", base])
                    .output()
                    .expect("pg_dump runs");
                assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
                out.stdout
            }
            None => {
                let path = self.url.trim_start_matches("sqlite://");
                let path = path.split('?').next().unwrap();
                let mut bytes = std::fs::read(path).unwrap();
                bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
                bytes
            }
        }
    }
}

/// Schemas left by runs that crashed before dropping theirs (older than two hours).
async fn drop_stale_schemas(admin: &DatabaseConnection) {
    static ONCE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    ONCE.get_or_init(|| async {
        let cutoff = Utc::now().timestamp() - 7200;
        let rows = admin
            .query_all_raw(sea_orm::Statement::from_string(
                admin.get_database_backend(),
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'wt\\_%'",
            ))
            .await
            .unwrap_or_default();
        for row in rows {
            let Ok(name) = row.try_get::<String>("", "nspname") else {
                continue;
            };
            let born = name.split('_').nth(1).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
            if born < cutoff {
                let _ = admin.execute_unprepared(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).await;
            }
        }
    })
    .await;
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            // Drop runs outside any runtime guarantee, so it gets a small runtime of its own.
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

/// Configuration for a test app on `db`.
pub fn test_config(db: &TestDb) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        db_max_connections: 10,
        db_acquire_timeout: std::time::Duration::from_secs(10),
        redis_url: None,
        redis_timeout: std::time::Duration::from_millis(250),
        browse_model: true,
        metrics_listen: None,
        jwt_secret: Secret::new(b"test secret that is long enough for hs256".to_vec()),
        access_token_ttl: std::time::Duration::from_secs(900),
        refresh_token_ttl: std::time::Duration::from_secs(30 * 86400),
        log_format: LogFormat::Text,
        data_dir: std::env::temp_dir(),
        max_body_bytes: 64 * 1024,
        password_hash_concurrency: 4,
        star_thresholds_hours: vec![100, 300, 600, 1000, 1500],
        public_url: "http://wushe.test".into(),
        data_key: Secret::new(b"test data key that is long enough for aes".to_vec()),
        rate_limits: wushe::config::RateLimits::default(),
        trusted_proxy_hops: 0,
        jobs: test_jobs_config(),
        dispatch: wushe::config::DispatchConfig::default(),
        mentoring: wushe::config::MentoringConfig::default(),
        talent: wushe::config::TalentConfig::default(),
        // Tests register many people from one address: the per-IP code limit is tested on its own.
        // Codes reach tests through the log provider's memory, never the log.
        sms: wushe::config::SmsConfig {
            per_ip: wushe::config::Limit::per(1_000_000, 3600),
            development: false,
            ..wushe::config::SmsConfig::default()
        },
    }
}

/// Job settings for tests: short polls and leases, so background work shows up fast.
pub fn test_jobs_config() -> JobsConfig {
    JobsConfig {
        concurrency: 8,
        lease: std::time::Duration::from_secs(5),
        shutdown_grace: std::time::Duration::from_secs(2),
        fetch_wait: std::time::Duration::from_millis(100),
        poll: std::time::Duration::from_millis(20),
        relay_poll: std::time::Duration::from_millis(10),
        cron_tick: std::time::Duration::from_millis(50),
        ..JobsConfig::default()
    }
}

/// Polls `check` until it holds, failing after `secs` seconds (no sleeps to synchronise).
pub async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: ManualClock,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    workers: std::sync::Mutex<Option<tokio_util::sync::CancellationToken>>,
    phones: AtomicU32,
    // Last: the database outlives the server that uses it (dropping it drops the schema).
    _test_db: TestDb,
}

/// A signed-in person.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: String,
    pub phone: String,
    pub access: String,
    pub refresh: String,
}

/// A response: status, headers and the body parsed as JSON (or `Null`).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    pub fn expect_problem(self, status: u16, code: &str) -> Resp {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let ct = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(ct, "application/problem+json", "content type of a problem");
        assert_eq!(self.body["code"], code, "problem code; body: {}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].as_str().unwrap_or("").starts_with("urn:wushe:problem:"));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        self
    }

    /// A string field.
    pub fn str(&self, key: &str) -> String {
        self.body[key].as_str().unwrap_or_else(|| panic!("no string {key} in {}", self.body)).to_string()
    }
}

/// An HTTP client (after installing the TLS crypto provider reqwest is built without). It asks
/// for English, so assertions can read a problem's specific detail; the Chinese default is
/// tested in `system::language`.
pub fn client() -> reqwest::Client {
    jobs::push::install_crypto_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("en"));
    reqwest::Client::builder().default_headers(headers).build().expect("a client")
}

/// Starts the application on a fresh database with a controllable clock.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], adjusting the configuration first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let test_db = TestDb::new().await;
    let mut config = test_config(&test_db);
    if let Some(url) = redis_url() {
        // The job queue on Redis, under a prefix of this test's own.
        config.redis_url = Some(url);
        let prefix = format!("wt:{}:", uuid::Uuid::new_v4().simple());
        // Rate-limit counters too: tests share one address, and must not share its budget.
        config.rate_limits.key_prefix = format!("{prefix}rl:");
        config.jobs.redis_prefix = prefix;
    }
    adjust(&mut config);
    start(test_db, config, ManualClock::new(start_time())).await
}

/// Starts an application on `config`; it keeps `test_db` alive.
async fn start(test_db: TestDb, config: Config, clock: ManualClock) -> TestApp {
    let db = wushe::app::open_database(&config, true).await.expect("database opens and migrates");
    let state = AppState::new(db, config, Arc::new(clock.clone())).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server_state = state.clone();
    tokio::spawn(async move {
        let _ = wushe::app::serve(server_state, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    TestApp {
        base,
        client: client(),
        state,
        clock,
        shutdown: Some(tx),
        workers: std::sync::Mutex::new(None),
        phones: AtomicU32::new(0),
        _test_db: test_db,
    }
}

impl TestApp {
    /// A second instance of the same deployment: the same database (and Redis with its
    /// prefix), its own process state and a clock of its own set to this one's. Drop it first.
    pub async fn spawn_peer(&self) -> TestApp {
        let config = (*self.state.config).clone();
        // The peer does not own the database: dropping it drops no schema.
        let shared = TestDb { url: config.database_url.clone(), schema: None, _dir: None };
        start(shared, config, ManualClock::new(self.clock_now())).await
    }
}

fn start_time() -> DateTime<Utc> {
    // Whole seconds, so times round-trip exactly through JSON and both databases.
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(w) = self.workers.lock().unwrap().take() {
            w.cancel();
        }
        if let (Some(url), true) =
            (&self.state.config.redis_url, self.state.config.jobs.redis_prefix.starts_with("wt:"))
        {
            let (url, prefix) = (url.clone(), self.state.config.jobs.redis_prefix.clone());
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let cfg = jobs::queue::redis::RedisQueueConfig {
                        prefix,
                        queue: wushe::worker::QUEUE.into(),
                        dedupe_ttl: std::time::Duration::from_secs(1),
                    };
                    if let Ok(q) = jobs::queue::redis::RedisQueue::new(&url, cfg, Arc::new(jobs::SystemClock)) {
                        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), q.delete_all_keys()).await;
                    }
                });
            })
            .join();
        }
    }
}

impl TestApp {
    /// Starts the job workers, outbox relay and scheduler in-process (as `wushe serve` does);
    /// they stop with the app.
    pub fn start_workers(&self) {
        let token = tokio_util::sync::CancellationToken::new();
        tokio::spawn(wushe::worker::run(self.state.clone(), token.clone()));
        if let Some(old) = self.workers.lock().unwrap().replace(token) {
            old.cancel();
        }
    }

    /// What the log push provider took (pushes go to it when no FCM is configured).
    pub fn pushes(&self) -> Vec<jobs::push::log::Logged> {
        self.state.jobs.push_log.as_ref().map(|l| l.sent()).unwrap_or_default()
    }

    /// The app's "now".
    pub fn clock_now(&self) -> DateTime<Utc> {
        self.clock.now_utc()
    }

    /// The database the app uses.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// The raw bytes of the app's database (see [`TestDb::raw_dump`]).
    pub fn raw_dump(&self) -> Vec<u8> {
        self._test_db.raw_dump()
    }

    /// A mainland mobile number no other person of this app has.
    pub fn new_phone(&self) -> String {
        let n = self.phones.fetch_add(1, Ordering::Relaxed);
        format!("+86137{:08}", n)
    }

    /// Sends a request; `token` signs it in.
    pub async fn call(
        &self,
        method: Method,
        path: impl Into<String>,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let req = self.client.request(method, format!("{}{}", self.base, path.into()));
        self.send(req, token, body).await
    }

    /// A request with `Accept-Language: language`, or with no `Accept-Language` at all.
    pub async fn call_in(
        &self,
        language: Option<&str>,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let url = format!("{}{path}", self.base);
        let req = match language {
            Some(l) => self.client.request(method, url).header(reqwest::header::ACCEPT_LANGUAGE, l),
            None => reqwest::Client::new().request(method, url),
        };
        self.send(req, token, body).await
    }

    async fn send(&self, mut req: reqwest::RequestBuilder, token: Option<&str>, body: Option<&Value>) -> Resp {
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("request reaches the app");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body =
            serde_json::from_str(&text).unwrap_or(if text.is_empty() { Value::Null } else { Value::String(text) });
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: impl Into<String>, token: Option<&str>) -> Resp {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: impl Into<String>, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::POST, path, token, Some(&body)).await
    }

    pub async fn patch(&self, path: impl Into<String>, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::PATCH, path, token, Some(&body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.call(Method::PUT, path, token, Some(&body)).await
    }

    /// Signs in with a phone and password.
    pub async fn login(&self, phone: &str, password: &str) -> Session {
        let r = self.post("/api/v1/auth/login", None, json!({"phone": phone, "password": password})).await.expect(200);
        session_from(&r)
    }

    /// Registers a volunteer the way the app does (a registration code by SMS, then the
    /// registration) and returns their session.
    pub async fn register_volunteer(&self) -> Session {
        let body = self.registration("测试志愿者", None).await;
        session_from(&self.post("/api/v1/auth/register", None, body).await.expect(201))
    }

    /// A registration request for a new number, with the code that arrived on it.
    pub async fn registration(&self, name: &str, unit: Option<&str>) -> Value {
        let phone = self.new_phone();
        let code = self.request_code(&phone, "registration").await;
        let mut details = new_volunteer(name, "1990-05-01");
        details["orgUnitId"] = json!(unit);
        json!({"phone": phone, "code": code, "registration": details})
    }

    /// Asks for a code for `phone` and returns the one that arrived.
    pub async fn request_code(&self, phone: &str, purpose: &str) -> String {
        self.post("/api/v1/auth/codes", None, json!({"phone": phone, "purpose": purpose})).await.expect(202);
        self.deliver_codes().await;
        let national = phone.trim_start_matches("+86");
        // The newest plain code (a guardian's confirmation code has a template of its own).
        self.sms()
            .into_iter()
            .rev()
            .find(|m| m.phone == national && m.template == "code")
            .and_then(|m| m.params.get("code").cloned())
            .unwrap_or_else(|| panic!("a {purpose} code reaches {phone}"))
    }

    /// What the log SMS provider took, oldest first.
    pub fn sms(&self) -> Vec<jobs::sms::Sms> {
        self.state.jobs.sms_log.as_ref().map(|l| l.sent()).unwrap_or_default()
    }

    /// Runs the SMS job (`sms.code`) for every code not yet sent, as a worker would, without
    /// starting the workers (most tests do not run them).
    pub async fn deliver_codes(&self) {
        let rows = self
            .db()
            .query_all_raw(sea_orm::Statement::from_string(
                self.db().get_database_backend(),
                "SELECT id FROM verification_codes WHERE sealed IS NOT NULL ORDER BY created_at, id".to_string(),
            ))
            .await
            .unwrap();
        for row in rows {
            let id: uuid::Uuid = row.try_get("", "id").unwrap();
            wushe::worker::sms::send_code(&self.state, id).await.unwrap();
        }
    }

    /// The newest code texted to `phone` (E.164), after delivering what is pending.
    pub async fn code_sent_to(&self, phone: &str) -> Option<String> {
        self.deliver_codes().await;
        let national = phone.trim_start_matches("+86");
        self.sms().into_iter().rev().find(|m| m.phone == national).and_then(|m| m.params.get("code").cloned())
    }

    /// A city administrator created the way `wushe create-admin` does, signed in.
    pub async fn city_admin(&self) -> Session {
        let phone = self.new_phone();
        wushe::domain::people::users::create_city_admin(
            self.db(),
            &self.state.hasher,
            self.clock.now_utc(),
            phone.clone(),
            "市管理员".into(),
            PASSWORD.into(),
        )
        .await
        .unwrap();
        self.login(&phone, PASSWORD).await
    }

    /// Creates an org unit as `admin`; returns its id.
    pub async fn create_unit(&self, admin: &Session, kind: &str, parent: Option<&str>, name: &str) -> String {
        self.post("/api/v1/org-units", Some(&admin.access), json!({"kind": kind, "parentId": parent, "name": name}))
            .await
            .expect(201)
            .str("id")
    }

    /// Creates an account as `admin` and signs it in.
    pub async fn create_user(&self, admin: &Session, role: &str, unit: Option<&str>) -> Session {
        let phone = self.new_phone();
        self.post(
            "/api/v1/users",
            Some(&admin.access),
            json!({"phone": phone, "name": format!("{role} 测试"), "password": PASSWORD, "role": role, "orgUnitId": unit}),
        )
        .await
        .expect(201);
        self.login(&phone, PASSWORD).await
    }

    /// Rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db()
            .query_one_raw(sea_orm::Statement::from_string(
                self.db().get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }
}

/// A new volunteer's details as `registration` takes them.
pub fn new_volunteer(name: &str, birth_date: &str) -> Value {
    json!({"name": name, "password": PASSWORD, "birthDate": birth_date, "privacyPolicyVersion": "2026-11"})
}

/// The session in a login/register/refresh answer.
pub fn session_from(r: &Resp) -> Session {
    Session {
        user_id: r.body["user"]["id"].as_str().unwrap().to_string(),
        phone: r.body["user"]["phone"].as_str().unwrap().to_string(),
        access: r.str("accessToken"),
        refresh: r.str("refreshToken"),
    }
}

/// Two stations under one city, each with an admin, a social worker and a volunteer: the
/// fixture that scope tests run against.
pub struct TwoStations {
    pub city_admin: Session,
    pub city: String,
    /// The district centre the first station lies in (the second hangs off the city directly).
    pub district: String,
    pub district_admin: Session,
    pub stations: [Station; 2],
}

pub struct Station {
    pub id: String,
    pub room: String,
    pub admin: Session,
    pub social_worker: Session,
    pub volunteer: Session,
}

impl TestApp {
    pub async fn two_stations(&self) -> TwoStations {
        let city_admin = self.city_admin().await;
        let city = self.create_unit(&city_admin, "city_center", None, "测试市").await;
        let district = self.create_unit(&city_admin, "district_center", Some(&city), "测试区").await;
        let district_admin = self.create_user(&city_admin, "district_admin", Some(&district)).await;
        let mut stations = Vec::new();
        for (name, parent) in [("东站", &district), ("西站", &city)] {
            let id = self.create_unit(&city_admin, "town_station", Some(parent), name).await;
            let room = self.create_unit(&city_admin, "community_room", Some(&id), &format!("{name}社工室")).await;
            let admin = self.create_user(&city_admin, "station_admin", Some(&id)).await;
            let social_worker = self.create_user(&admin, "social_worker", Some(&room)).await;
            let volunteer = self.create_user(&admin, "volunteer", Some(&room)).await;
            // The station's people stand for people the station serves, not accounts its
            // administrator made for themselves: whoever decides on them is not their creator.
            self.forget_creator(&[&social_worker, &volunteer]).await;
            stations.push(Station { id, room, admin, social_worker, volunteer });
        }
        let stations: [Station; 2] = stations.try_into().ok().unwrap();
        TwoStations { city_admin, city, district, district_admin, stations }
    }

    /// Clears who created these accounts (as if they had registered themselves).
    pub async fn forget_creator(&self, people: &[&Session]) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let ids: Vec<uuid::Uuid> = people.iter().map(|s| s.user_id.parse().unwrap()).collect();
        entity::user::Entity::update_many()
            .col_expr(entity::user::Column::CreatedBy, Expr::value(Option::<uuid::Uuid>::None))
            .filter(entity::user::Column::Id.is_in(ids))
            .exec(self.db())
            .await
            .unwrap();
    }
}

/// A valid resident identity number (GB 11643) no other call of this process returns; born
/// `birth` (`YYYYMMDD`, default an adult's).
pub fn id_number_born(birth: &str) -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let first17 = format!("{:06}{birth}{:03}", 110101 + n / 1000, n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(d, w)| (d - b'0') as u32 * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A valid identity number of an adult, unique within the process.
pub fn id_number() -> String {
    id_number_born("19900101")
}

/// A valid unified social credit code of a social-service organisation registered in Suzhou,
/// unique within the process.
pub fn credit_code() -> String {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    wushe::domain::organisations::credit_code::with_checks(&format!("52320500{:08}", 10_000_000 + n)).unwrap()
}

/// Extension so tests can read the manual clock as the app does.
pub trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        use wushe::clock::Clock;
        self.now()
    }
}

impl TestApp {
    /// `n` volunteers with home unit `unit`, inserted straight into the database and signed in
    /// (fast set-up for tests about what happens after sign-in; the sign-in path itself is
    /// tested through HTTP in `auth`).
    pub async fn quick_volunteers(&self, n: usize, unit: Option<&str>) -> Vec<Session> {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let hash = self.state.hasher.hash(PASSWORD).await.unwrap();
        let now = self.clock.now_utc();
        let unit = unit.map(|u| u.parse::<uuid::Uuid>().unwrap());
        let policy = wushe::domain::people::sessions::Policy::new(self.state.config.refresh_token_ttl);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let phone = self.new_phone();
            let id = uuid::Uuid::now_v7();
            let user = entity::user::ActiveModel {
                id: Set(id),
                phone: Set(phone.clone()),
                name: Set(format!("志愿者{i}")),
                password_hash: Set(hash.clone()),
                role: Set(entity::user::Role::Volunteer),
                org_unit_id: Set(unit),
                status: Set(entity::user::UserStatus::Active),
                locale: Set(entity::user::Locale::ZhCn),
                time_zone: Set("Asia/Shanghai".into()),
                volunteer_number: Set(format!("Q{:011}", id.as_u128() % 100_000_000_000)),
                token_version: Set(0),
                created_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(self.db())
            .await
            .unwrap();
            // As the account's creation would: statistics counts the new volunteer.
            wushe::domain::registry::person_created(self.db(), &user).await.unwrap();
            let issued = wushe::domain::people::sessions::open(self.db(), policy, now, user).await.unwrap();
            let access = self.state.tokens.issue(id, issued.session_id, 0, now);
            out.push(Session { user_id: id.to_string(), phone, access, refresh: issued.refresh_token });
        }
        out
    }
}
