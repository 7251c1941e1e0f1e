//! Configuration: one [`Config`], read from `WUSHE_*` environment variables (and `.env`), with
//! defaults that run a bare checkout on the embedded setup (SQLite, jobs in the database).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the process can be told from outside.
#[derive(Clone)]
pub struct Config {
    /// `WUSHE_LISTEN`: address the HTTP API binds.
    pub listen: SocketAddr,
    /// `WUSHE_DATABASE_URL`: `postgres://…` or `sqlite://…`.
    pub database_url: String,
    /// `WUSHE_DB_MAX_CONNECTIONS`: pool size.
    pub db_max_connections: u32,
    /// `WUSHE_DB_ACQUIRE_TIMEOUT` (`3s`): how long a request waits for a database connection
    /// (including reconnecting) before it answers 503; keeps requests from hanging while the
    /// database restarts.
    pub db_acquire_timeout: Duration,
    /// `WUSHE_REDIS_URL`: the job queue's Redis; unset keeps jobs in the database.
    pub redis_url: Option<String>,
    /// `WUSHE_REDIS_TIMEOUT` (`250ms`): longest wait for Redis on a request path (rate limits,
    /// readiness); after a failure Redis is skipped until a background probe finds it back.
    pub redis_timeout: Duration,
    /// `WUSHE_METRICS_LISTEN`: address where `wushe worker` serves `/metrics` and `/healthz`
    /// (the API serves them itself); unset: no listener.
    pub metrics_listen: Option<SocketAddr>,
    /// `WUSHE_JWT_SECRET`: HMAC key of access tokens.
    pub jwt_secret: Secret,
    /// `WUSHE_ACCESS_TOKEN_TTL`: lifetime of an access token.
    pub access_token_ttl: Duration,
    /// `WUSHE_REFRESH_TOKEN_TTL`: lifetime of a refresh token (and of an idle session).
    pub refresh_token_ttl: Duration,
    /// `WUSHE_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `WUSHE_DATA_DIR`: where the embedded database and generated secrets live.
    pub data_dir: PathBuf,
    /// `WUSHE_MAX_BODY_BYTES`: largest request body accepted.
    pub max_body_bytes: usize,
    /// `WUSHE_PASSWORD_HASH_CONCURRENCY`: password hashes computed at once (each takes ~19 MiB
    /// and tens of milliseconds of CPU), so a burst of sign-ins cannot exhaust the machine.
    pub password_hash_concurrency: usize,
    /// `WUSHE_STAR_THRESHOLDS_HOURS`: approved hours for each star level, ascending
    /// (default the national ladder 100,300,600,1000,1500).
    pub star_thresholds_hours: Vec<u32>,
    /// `WUSHE_PUBLIC_URL`: the address people reach the API at, printed in QR codes.
    pub public_url: String,
    /// `WUSHE_DATA_KEY`: key of the encrypted personal data (identity numbers, health notes,
    /// guardian contacts) and of their blind indexes. Never stored in the database.
    pub data_key: Secret,
    /// `WUSHE_RATE_LIMIT_*`: request rate limits (see [`RateLimits`]).
    pub rate_limits: RateLimits,
    /// `WUSHE_TRUSTED_PROXY_HOPS`: how many reverse proxies in front append to
    /// `X-Forwarded-For`; 0 (the default) uses the peer address as the client IP.
    pub trusted_proxy_hops: usize,
    /// Background jobs and push.
    pub jobs: JobsConfig,
    /// Who is told of new tasks and freed seats, and how often.
    pub dispatch: DispatchConfig,
    /// Mentoring rules (see [`MentoringConfig`]).
    pub mentoring: MentoringConfig,
    /// Registration and continuing-education rules of social workers.
    pub talent: TalentConfig,
}

/// Registration (登记) and continuing-education (继续教育) rules of social workers. The defaults
/// are the national rules; provinces and years differ, hence configuration.
///
/// Sources: registration, 《社会工作者职业水平证书登记办法》(民发〔2009〕44号): first registration
/// within 1 year of the certificate, valid 3 years, renewal applied for in the 3 months before it
/// lapses, and renewal needs the period's continuing education. Continuing education,
/// 《社会工作者继续教育办法》(民发〔2009〕123号): at least 72 hours per 3-year registration period for
/// assistant social workers, 90 for social workers and senior social workers; a social-work degree
/// earned in the period counts once as 90 hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalentConfig {
    /// `WUSHE_REGISTRATION_FIRST_MONTHS` (12): months after the certificate to first register.
    pub first_registration_months: u32,
    /// `WUSHE_REGISTRATION_VALID_MONTHS` (36): how long a registration lasts.
    pub registration_valid_months: u32,
    /// `WUSHE_REGISTRATION_RENEWAL_MONTHS` (3): the renewal window before a registration lapses.
    pub renewal_window_months: u32,
    /// `WUSHE_CE_HOURS_ASSISTANT`, `WUSHE_CE_HOURS_SOCIAL_WORKER`, `WUSHE_CE_HOURS_SENIOR`
    /// (72, 90, 90): continuing-education hours required per registration period, by level.
    pub ce_hours: [u32; 3],
    /// `WUSHE_CE_DEGREE_HOURS` (90): what a social-work degree earned in the period counts as.
    pub degree_hours: u32,
}

impl Default for TalentConfig {
    fn default() -> Self {
        TalentConfig {
            first_registration_months: 12,
            registration_valid_months: 36,
            renewal_window_months: 3,
            ce_hours: [72, 90, 90],
            degree_hours: 90,
        }
    }
}

/// The configurable rules of mentoring (传帮带); see `domain::mentoring`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MentoringConfig {
    /// `WUSHE_MENTORING_MAX_MENTEES` (8): active mentees a mentor may hold.
    pub max_mentees: u32,
    /// `WUSHE_MENTORING_GRADUATION_SESSIONS` (6): acknowledged sessions a mentee needs to graduate.
    pub graduation_sessions: u32,
    /// `WUSHE_MENTORING_GRADUATION_HOURS` (20): approved service hours since pairing a mentee
    /// needs to graduate.
    pub graduation_hours: u32,
    /// `WUSHE_MENTORING_ACK_REMINDER_DAYS` (3): days after which an unacknowledged log is
    /// reminded, once.
    pub ack_reminder_days: u32,
    /// `WUSHE_MENTORING_NO_CONTACT_DAYS` (14): days without contact after which the mentor is told.
    pub no_contact_days: u32,
    /// `WUSHE_MENTORING_MENTORS_PER_SUPERVISOR` (10): mentors one station administrator should
    /// supervise at most.
    pub mentors_per_supervisor: u32,
}

impl Default for MentoringConfig {
    fn default() -> Self {
        MentoringConfig {
            max_mentees: 8,
            graduation_sessions: 6,
            graduation_hours: 20,
            ack_reminder_days: 3,
            no_contact_days: 14,
            mentors_per_supervisor: 10,
        }
    }
}

/// At most `max` requests per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u64,
    pub window: Duration,
}

impl Limit {
    /// `max` per `window_secs` seconds.
    pub const fn per(max: u64, window_secs: u64) -> Limit {
        Limit { max, window: Duration::from_secs(window_secs) }
    }

    /// Parses `N/window`, e.g. `300/1m`, `20/10m`, `5/30s`.
    pub fn parse(s: &str) -> Option<Limit> {
        let (n, w) = s.trim().split_once('/')?;
        let max = n.trim().parse::<u64>().ok().filter(|n| *n > 0)?;
        Some(Limit { max, window: parse_duration(w)? })
    }
}

/// Request rate limits (429 with `Retry-After` when exceeded). Counters live in Redis when
/// `WUSHE_REDIS_URL` is set (shared by every instance), else in the process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// `WUSHE_RATE_LIMIT_AUTH_IP` (`600/1m`): registration, sign-in, refresh, sign-out per client
    /// IP. Generous, because many phones share one carrier-NAT address.
    pub auth_per_ip: Limit,
    /// `WUSHE_RATE_LIMIT_WRITE_USER` (`300/1m`): writes per signed-in person.
    pub write_per_user: Limit,
    /// `WUSHE_RATE_LIMIT_WRITE_IP` (`3000/1m`): writes per client IP.
    pub write_per_ip: Limit,
    /// `WUSHE_RATE_LIMIT_STRICT_USER` (`30/10m`): SMS-like sends, erasure, identity look-ups and
    /// password changes per person.
    pub strict_per_user: Limit,
    /// `WUSHE_RATE_LIMIT_STRICT_IP` (`300/10m`): the same per client IP.
    pub strict_per_ip: Limit,
    /// `WUSHE_RATE_LIMIT_PREFIX` (`wushe:rl:`): prefix of the counters' Redis keys.
    pub key_prefix: String,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            auth_per_ip: Limit::per(600, 60),
            write_per_user: Limit::per(300, 60),
            write_per_ip: Limit::per(3000, 60),
            strict_per_user: Limit::per(30, 600),
            strict_per_ip: Limit::per(300, 600),
            key_prefix: "wushe:rl:".into(),
        }
    }
}

/// Settings of the job workers, the scheduler and push.
#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// `WUSHE_REDIS_PREFIX`: prefix of every Redis key the queue uses.
    pub redis_prefix: String,
    /// `WUSHE_WORKER_CONCURRENCY`: jobs one process runs at once.
    pub concurrency: usize,
    /// `WUSHE_JOB_LEASE`: how long a worker holds a job without renewing it; a dead worker's jobs
    /// run again after it.
    pub lease: Duration,
    /// `WUSHE_SHUTDOWN_GRACE`: how long running jobs get to finish at shutdown.
    pub shutdown_grace: Duration,
    /// `WUSHE_FCM_CREDENTIALS`: path of the Firebase service-account JSON; unset: pushes go to the
    /// log provider.
    pub fcm_credentials: Option<PathBuf>,
    /// `WUSHE_FCM_ENDPOINT`: FCM base URL (tests point it at a fake).
    pub fcm_endpoint: Option<String>,
    /// `WUSHE_FCM_CONCURRENCY` (64): FCM requests in flight at once per process.
    pub fcm_concurrency: usize,
    /// `WUSHE_FCM_TIMEOUT` (`10s`): an FCM request unanswered this long has an unknown outcome.
    pub fcm_timeout: Duration,
    /// `WUSHE_PUSH_CONCURRENCY` (16): push jobs one process runs at once, from a queue of their
    /// own so that a slow provider holds up no other work.
    pub push_concurrency: usize,
    /// How long an idle worker waits per fetch, and how often delayed jobs and lapsed leases
    /// are looked for.
    pub fetch_wait: Duration,
    pub poll: Duration,
    /// How often the outbox relay looks for new rows.
    pub relay_poll: Duration,
    /// How often the scheduler looks for due cron slots.
    pub cron_tick: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            redis_prefix: "wushe:".into(),
            concurrency: 16,
            lease: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(20),
            fcm_credentials: None,
            fcm_endpoint: None,
            fcm_concurrency: 64,
            fcm_timeout: Duration::from_secs(10),
            push_concurrency: 16,
            fetch_wait: Duration::from_secs(1),
            poll: Duration::from_millis(250),
            relay_poll: Duration::from_millis(100),
            cron_tick: Duration::from_secs(1),
        }
    }
}

/// How new tasks and freed seats reach volunteers, so that nobody is spammed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchConfig {
    /// `WUSHE_DISPATCH_PER_TASK`: most volunteers one published task is sent to (default 200).
    pub per_task: u32,
    /// `WUSHE_DISPATCH_PER_DAY`: most task invitations one volunteer gets a day (default 3);
    /// rescue call-outs do not count and are not capped.
    pub per_volunteer_per_day: u32,
    /// `WUSHE_COVER_WAVE_SIZE`: volunteers offered a freed seat at once (default 5).
    pub cover_wave_size: u32,
    /// `WUSHE_COVER_WAVES`: waves before giving up (default 4).
    pub cover_waves: u32,
    /// `WUSHE_COVER_WAVE_INTERVAL`: time between waves while the seat stays free (default 15m).
    pub cover_wave_interval: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            per_task: 200,
            per_volunteer_per_day: 3,
            cover_wave_size: 5,
            cover_waves: 4,
            cover_wave_interval: Duration::from_secs(15 * 60),
        }
    }
}

/// A value that must never be printed.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
    /// The bytes, for the one place that needs them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database", &redact_url(&self.database_url))
            .field("redis", &self.redis_url.as_deref().map(redact_url))
            .field("metrics_listen", &self.metrics_listen)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("data_dir", &self.data_dir)
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Why the configuration could not be read; always names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("{var} is required when {because}")]
    Missing { var: &'static str, because: &'static str },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Config {
    /// Reads `.env` (if present) and then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `get`, which returns a variable's value if set.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |k: &'static str| get(k).filter(|v| !v.trim().is_empty());

        let data_dir = PathBuf::from(var("WUSHE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let listen = match var("WUSHE_LISTEN") {
            Some(v) => v.parse().map_err(|e| invalid("WUSHE_LISTEN", format!("not host:port ({e})")))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let database_url = match var("WUSHE_DATABASE_URL") {
            Some(v) if v.starts_with("postgres://") || v.starts_with("postgresql://") || v.starts_with("sqlite:") => v,
            Some(_) => {
                return Err(invalid("WUSHE_DATABASE_URL", "must start with postgres:// or sqlite:".into()));
            }
            None => {
                ensure_dir(&data_dir)?;
                format!("sqlite://{}?mode=rwc", data_dir.join("wushe.db").display())
            }
        };
        let is_postgres = database_url.starts_with("postgres");
        let redis_url = match var("WUSHE_REDIS_URL") {
            Some(v) if v.starts_with("redis://") || v.starts_with("rediss://") => Some(v),
            Some(_) => {
                return Err(invalid("WUSHE_REDIS_URL", "must start with redis:// or rediss://".into()));
            }
            None => None,
        };
        let jwt_secret = match var("WUSHE_JWT_SECRET") {
            Some(v) if v.len() >= 32 => Secret::new(v.into_bytes()),
            Some(_) => {
                return Err(invalid("WUSHE_JWT_SECRET", "must be at least 32 characters".into()));
            }
            None if is_postgres => {
                return Err(ConfigError::Missing {
                    var: "WUSHE_JWT_SECRET",
                    because: "WUSHE_DATABASE_URL is PostgreSQL (several instances must share one key)",
                });
            }
            None => generated_secret(&data_dir, "jwt-secret")?,
        };
        let access_token_ttl = duration_var(&var, "WUSHE_ACCESS_TOKEN_TTL", Duration::from_secs(15 * 60))?;
        let refresh_token_ttl = duration_var(&var, "WUSHE_REFRESH_TOKEN_TTL", Duration::from_secs(30 * 24 * 3600))?;
        if access_token_ttl >= refresh_token_ttl {
            return Err(invalid("WUSHE_ACCESS_TOKEN_TTL", "must be shorter than WUSHE_REFRESH_TOKEN_TTL".into()));
        }
        let log_format = match var("WUSHE_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(invalid("WUSHE_LOG_FORMAT", "must be text or json".into())),
        };
        let db_max_connections =
            number_var(&var, "WUSHE_DB_MAX_CONNECTIONS", if is_postgres { 20 } else { 8 }, 1..=1000)?;
        let max_body_bytes = number_var(&var, "WUSHE_MAX_BODY_BYTES", 256 * 1024, 1024..=64 * 1024 * 1024)?;
        let password_hash_concurrency = number_var(&var, "WUSHE_PASSWORD_HASH_CONCURRENCY", 4, 1..=256)?;
        let db_acquire_timeout = duration_var(&var, "WUSHE_DB_ACQUIRE_TIMEOUT", Duration::from_secs(3))?;
        let redis_timeout = duration_var(&var, "WUSHE_REDIS_TIMEOUT", Duration::from_millis(250))?;
        let metrics_listen = match var("WUSHE_METRICS_LISTEN") {
            Some(v) => Some(v.parse().map_err(|e| invalid("WUSHE_METRICS_LISTEN", format!("not host:port ({e})")))?),
            None => None,
        };
        let defaults = JobsConfig::default();
        let jobs = JobsConfig {
            redis_prefix: var("WUSHE_REDIS_PREFIX").unwrap_or(defaults.redis_prefix.clone()),
            concurrency: number_var(&var, "WUSHE_WORKER_CONCURRENCY", defaults.concurrency, 1..=1024)?,
            lease: duration_var(&var, "WUSHE_JOB_LEASE", defaults.lease)?,
            shutdown_grace: duration_var(&var, "WUSHE_SHUTDOWN_GRACE", defaults.shutdown_grace)?,
            fcm_credentials: var("WUSHE_FCM_CREDENTIALS").map(PathBuf::from),
            fcm_endpoint: var("WUSHE_FCM_ENDPOINT"),
            fcm_concurrency: number_var(&var, "WUSHE_FCM_CONCURRENCY", defaults.fcm_concurrency, 1..=10_000)?,
            fcm_timeout: duration_var(&var, "WUSHE_FCM_TIMEOUT", defaults.fcm_timeout)?,
            push_concurrency: number_var(&var, "WUSHE_PUSH_CONCURRENCY", defaults.push_concurrency, 1..=1024)?,
            ..defaults
        };
        let star_thresholds_hours = match var("WUSHE_STAR_THRESHOLDS_HOURS") {
            None => vec![100, 300, 600, 1000, 1500],
            Some(v) => parse_ladder(&v).ok_or_else(|| {
                invalid(
                    "WUSHE_STAR_THRESHOLDS_HOURS",
                    format!("{v:?} is not a rising list of hours such as 100,300,600"),
                )
            })?,
        };
        let public_url = var("WUSHE_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(invalid("WUSHE_PUBLIC_URL", "must start with http:// or https://".into()));
        }
        let data_key = match var("WUSHE_DATA_KEY") {
            Some(v) if v.len() >= 32 => Secret::new(v.into_bytes()),
            Some(_) => return Err(invalid("WUSHE_DATA_KEY", "must be at least 32 characters".into())),
            None if is_postgres => {
                return Err(ConfigError::Missing {
                    var: "WUSHE_DATA_KEY",
                    because: "WUSHE_DATABASE_URL is PostgreSQL (the key must live outside the database)",
                });
            }
            None => generated_secret(&data_dir, "data-key")?,
        };
        let defaults = RateLimits::default();
        let limit = |name: &'static str, default: Limit| match var(name) {
            None => Ok(default),
            Some(v) => Limit::parse(&v).ok_or_else(|| invalid(name, format!("{v:?} is not a limit such as 300/1m"))),
        };
        let rate_limits = RateLimits {
            auth_per_ip: limit("WUSHE_RATE_LIMIT_AUTH_IP", defaults.auth_per_ip)?,
            write_per_user: limit("WUSHE_RATE_LIMIT_WRITE_USER", defaults.write_per_user)?,
            write_per_ip: limit("WUSHE_RATE_LIMIT_WRITE_IP", defaults.write_per_ip)?,
            strict_per_user: limit("WUSHE_RATE_LIMIT_STRICT_USER", defaults.strict_per_user)?,
            strict_per_ip: limit("WUSHE_RATE_LIMIT_STRICT_IP", defaults.strict_per_ip)?,
            key_prefix: var("WUSHE_RATE_LIMIT_PREFIX").unwrap_or(defaults.key_prefix),
        };
        let trusted_proxy_hops = number_var(&var, "WUSHE_TRUSTED_PROXY_HOPS", 0, 0..=10)?;
        let d = DispatchConfig::default();
        let dispatch = DispatchConfig {
            per_task: number_var(&var, "WUSHE_DISPATCH_PER_TASK", d.per_task as usize, 0..=100_000)? as u32,
            per_volunteer_per_day: number_var(
                &var,
                "WUSHE_DISPATCH_PER_DAY",
                d.per_volunteer_per_day as usize,
                0..=100,
            )? as u32,
            cover_wave_size: number_var(&var, "WUSHE_COVER_WAVE_SIZE", d.cover_wave_size as usize, 1..=1000)? as u32,
            cover_waves: number_var(&var, "WUSHE_COVER_WAVES", d.cover_waves as usize, 1..=100)? as u32,
            cover_wave_interval: duration_var(&var, "WUSHE_COVER_WAVE_INTERVAL", d.cover_wave_interval)?,
        };
        let m = MentoringConfig::default();
        let mentoring = MentoringConfig {
            max_mentees: number_var(&var, "WUSHE_MENTORING_MAX_MENTEES", m.max_mentees as usize, 1..=100)? as u32,
            graduation_sessions: number_var(
                &var,
                "WUSHE_MENTORING_GRADUATION_SESSIONS",
                m.graduation_sessions as usize,
                0..=1000,
            )? as u32,
            graduation_hours: number_var(
                &var,
                "WUSHE_MENTORING_GRADUATION_HOURS",
                m.graduation_hours as usize,
                0..=10_000,
            )? as u32,
            ack_reminder_days: number_var(
                &var,
                "WUSHE_MENTORING_ACK_REMINDER_DAYS",
                m.ack_reminder_days as usize,
                1..=60,
            )? as u32,
            no_contact_days: number_var(&var, "WUSHE_MENTORING_NO_CONTACT_DAYS", m.no_contact_days as usize, 1..=365)?
                as u32,
            mentors_per_supervisor: number_var(
                &var,
                "WUSHE_MENTORING_MENTORS_PER_SUPERVISOR",
                m.mentors_per_supervisor as usize,
                1..=10_000,
            )? as u32,
        };
        let t = TalentConfig::default();
        let months = |name, default: u32| number_var(&var, name, default as usize, 1..=120).map(|n| n as u32);
        let hours = |name, default: u32| number_var(&var, name, default as usize, 0..=1000).map(|n| n as u32);
        let talent = TalentConfig {
            first_registration_months: months("WUSHE_REGISTRATION_FIRST_MONTHS", t.first_registration_months)?,
            registration_valid_months: months("WUSHE_REGISTRATION_VALID_MONTHS", t.registration_valid_months)?,
            renewal_window_months: months("WUSHE_REGISTRATION_RENEWAL_MONTHS", t.renewal_window_months)?,
            ce_hours: [
                hours("WUSHE_CE_HOURS_ASSISTANT", t.ce_hours[0])?,
                hours("WUSHE_CE_HOURS_SOCIAL_WORKER", t.ce_hours[1])?,
                hours("WUSHE_CE_HOURS_SENIOR", t.ce_hours[2])?,
            ],
            degree_hours: hours("WUSHE_CE_DEGREE_HOURS", t.degree_hours)?,
        };

        Ok(Config {
            listen,
            database_url,
            db_max_connections: db_max_connections as u32,
            db_acquire_timeout,
            redis_timeout,
            metrics_listen,
            redis_url,
            jwt_secret,
            access_token_ttl,
            refresh_token_ttl,
            log_format,
            data_dir,
            max_body_bytes,
            password_hash_concurrency,
            jobs,
            star_thresholds_hours,
            public_url: public_url.trim_end_matches('/').to_string(),
            data_key,
            rate_limits,
            trusted_proxy_hops,
            dispatch,
            mentoring,
            talent,
        })
    }

    /// Whether the database is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

fn invalid(var: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { var, reason }
}

fn ensure_dir(dir: &Path) -> Result<(), ConfigError> {
    std::fs::create_dir_all(dir).map_err(|source| ConfigError::Io { path: dir.display().to_string(), source })
}

/// A random secret generated on first start and kept in the data directory, so the embedded
/// setup needs no configuration yet keeps sessions valid across restarts.
fn generated_secret(dir: &Path, name: &str) -> Result<Secret, ConfigError> {
    ensure_dir(dir)?;
    let path = dir.join(name);
    let io = |source| ConfigError::Io { path: path.display().to_string(), source };
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(Secret::new(s.trim().as_bytes())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let secret = hex::encode(rand::random::<[u8; 32]>());
    write_private(&path, &secret).map_err(io)?;
    Ok(Secret::new(secret.into_bytes()))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

fn duration_var(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => parse_duration(&v)
            .ok_or_else(|| invalid(name, format!("{v:?} is not a duration such as 900, 15m, 12h or 30d"))),
    }
}

/// Parses a rising, comma-separated list of whole hours.
fn parse_ladder(s: &str) -> Option<Vec<u32>> {
    let v: Vec<u32> = s.split(',').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
    let rising = v.windows(2).all(|w| w[0] < w[1]);
    (!v.is_empty() && v.len() <= 20 && rising && v[0] > 0).then_some(v)
}

/// Parses `900` (seconds), `250ms`, `45s`, `15m`, `12h` or `30d`; zero is refused.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: u64 = digits.parse().ok()?;
    if unit == "ms" {
        return (n > 0).then(|| Duration::from_millis(n));
    }
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

fn number_var(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ConfigError> {
    let Some(v) = var(name) else {
        return Ok(default);
    };
    match v.trim().parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(invalid(name, format!("{v:?} is not a whole number from {} to {}", range.start(), range.end()))),
    }
}

/// A URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        map.entry("WUSHE_DATA_DIR".into()).or_insert_with(|| dir.path().display().to_string());
        let result = Config::from_lookup(|k| map.get(k).cloned());
        drop(dir);
        result
    }

    #[test]
    fn defaults_run_embedded() {
        let c = config(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.redis_url.is_none());
        assert_eq!(c.access_token_ttl, Duration::from_secs(900));
        assert!(c.jwt_secret.expose().len() >= 32);
        assert!(c.data_key.expose().len() >= 32);
        assert_eq!(c.rate_limits, RateLimits::default());
    }

    #[test]
    fn generated_secret_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = generated_secret(dir.path(), "s").unwrap();
        let b = generated_secret(dir.path(), "s").unwrap();
        assert_eq!(a.expose(), b.expose());
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (var, value) in [
            ("WUSHE_LISTEN", "nope"),
            ("WUSHE_DATABASE_URL", "mysql://x"),
            ("WUSHE_ACCESS_TOKEN_TTL", "ten minutes"),
            ("WUSHE_REFRESH_TOKEN_TTL", "0"),
            ("WUSHE_LOG_FORMAT", "xml"),
            ("WUSHE_JWT_SECRET", "short"),
            ("WUSHE_REDIS_URL", "http://x"),
            ("WUSHE_DB_MAX_CONNECTIONS", "0"),
            ("WUSHE_WORKER_CONCURRENCY", "0"),
            ("WUSHE_JOB_LEASE", "soon"),
            ("WUSHE_STAR_THRESHOLDS_HOURS", "300,100"),
            ("WUSHE_STAR_THRESHOLDS_HOURS", "a,b"),
            ("WUSHE_PUBLIC_URL", "ftp://x"),
            ("WUSHE_DATA_KEY", "short"),
            ("WUSHE_RATE_LIMIT_WRITE_USER", "lots"),
            ("WUSHE_RATE_LIMIT_AUTH_IP", "0/1m"),
            ("WUSHE_TRUSTED_PROXY_HOPS", "99"),
        ] {
            let err = config(&[(var, value)]).unwrap_err().to_string();
            assert!(err.contains(var), "{var}: {err}");
        }
    }

    #[test]
    fn postgres_requires_a_jwt_secret_and_a_data_key() {
        let err = config(&[("WUSHE_DATABASE_URL", "postgres://u@h/db")]).unwrap_err().to_string();
        assert!(err.contains("WUSHE_JWT_SECRET"), "{err}");
        let err = config(&[("WUSHE_DATABASE_URL", "postgres://u@h/db"), ("WUSHE_JWT_SECRET", &"j".repeat(32))])
            .unwrap_err()
            .to_string();
        assert!(err.contains("WUSHE_DATA_KEY"), "{err}");
    }

    #[test]
    fn limits() {
        assert_eq!(Limit::parse("300/1m"), Some(Limit::per(300, 60)));
        assert_eq!(Limit::parse(" 5 / 30s "), Some(Limit::per(5, 30)));
        assert_eq!(Limit::parse("5"), None);
        assert_eq!(Limit::parse("0/1m"), None);
        let c = config(&[("WUSHE_RATE_LIMIT_STRICT_IP", "7/1h")]).unwrap();
        assert_eq!(c.rate_limits.strict_per_ip, Limit::per(7, 3600));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("900"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("30d"), Some(Duration::from_secs(30 * 86400)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("0ms"), None);
        assert_eq!(parse_duration("5y"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://u:pw@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
