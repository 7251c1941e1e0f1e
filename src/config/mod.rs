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
    /// `WUSHE_BROWSE_MODEL` (`on`): browse from the in-memory read model; `off` always takes the
    /// reference query (less memory, one more statement per browse).
    pub browse_model: bool,
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
    /// Text messages: provider, templates, and limits on verification codes.
    pub sms: SmsConfig,
}

mod push;
mod sections;
mod sms;
pub use push::*;
pub use sections::*;
pub use sms::*;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
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
        let browse_model = match var("WUSHE_BROWSE_MODEL").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(v) => return Err(invalid("WUSHE_BROWSE_MODEL", format!("`{v}` is neither on nor off"))),
        };
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
            vendors: PushVendorsConfig::from_vars(&var)?,
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
            mentor_level: level_var(&var, "WUSHE_MENTORING_MENTOR_LEVEL", m.mentor_level)?,
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
            reviewer_level: level_var(&var, "WUSHE_HONOURS_REVIEWER_LEVEL", t.reviewer_level)?,
        };
        let sms = SmsConfig::from_vars(&var)?;

        Ok(Config {
            listen,
            database_url,
            db_max_connections: db_max_connections as u32,
            db_acquire_timeout,
            redis_timeout,
            browse_model,
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
            sms,
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

/// Creates the data directory, when missing, for its owner only (0700): it holds the database,
/// the signing secret and the data key. An existing directory is left as its administrator set it.
fn ensure_dir(dir: &Path) -> Result<(), ConfigError> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| ConfigError::Io { path: dir.display().to_string(), source })
}

/// A random secret generated on first start and kept in the data directory, so the embedded
/// setup needs no configuration yet keeps sessions valid across restarts.
fn generated_secret(dir: &Path, name: &str) -> Result<Secret, ConfigError> {
    ensure_dir(dir)?;
    let path = dir.join(name);
    let io = |source| ConfigError::Io { path: path.display().to_string(), source };
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => {
            keep_private(&path).map_err(io)?;
            return Ok(Secret::new(s.trim().as_bytes()));
        }
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

/// Tightens a secret file an older version (or a careless copy) left readable by others.
#[cfg(unix)]
fn keep_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn keep_private(_: &Path) -> std::io::Result<()> {
    Ok(())
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

/// A national social-work level by its code: `assistant_social_worker`, `social_worker` or
/// `senior_social_worker`.
fn level_var(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: entity::social_worker_profile::QualificationLevel,
) -> Result<entity::social_worker_profile::QualificationLevel, ConfigError> {
    use entity::social_worker_profile::QualificationLevel as L;
    let Some(v) = var(name) else {
        return Ok(default);
    };
    match v.trim() {
        "assistant_social_worker" => Ok(L::AssistantSocialWorker),
        "social_worker" => Ok(L::SocialWorker),
        "senior_social_worker" => Ok(L::SeniorSocialWorker),
        _ => Err(invalid(name, format!("{v:?} is not assistant_social_worker, social_worker or senior_social_worker"))),
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
mod tests;
