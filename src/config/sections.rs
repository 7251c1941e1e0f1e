//! The sections of the configuration with rules of their own: talent (registration and
//! continuing education), mentoring, rate limits, jobs and dispatch, each with its defaults.

use super::*;
use entity::social_worker_profile::QualificationLevel;

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
    /// `WUSHE_HONOURS_REVIEWER_LEVEL` (`senior_social_worker`): the national level a social
    /// worker's verified, unexpired credential must reach to sit on an honours panel (senior
    /// social workers are themselves appointed by panel review, 人社部规〔2018〕2号).
    pub reviewer_level: QualificationLevel,
}

impl Default for TalentConfig {
    fn default() -> Self {
        TalentConfig {
            first_registration_months: 12,
            registration_valid_months: 36,
            renewal_window_months: 3,
            ce_hours: [72, 90, 90],
            degree_hours: 90,
            reviewer_level: QualificationLevel::SeniorSocialWorker,
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
    /// `WUSHE_MENTORING_MENTOR_LEVEL` (`assistant_social_worker`): the national level a mentor's
    /// verified, unexpired credential must reach: by default any certified social worker
    /// (社工+志愿者 pairs are led by certified social workers).
    pub mentor_level: QualificationLevel,
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
            mentor_level: QualificationLevel::AssistantSocialWorker,
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
    /// The mainland vendor push channels (see [`super::PushVendorsConfig`]).
    pub vendors: super::PushVendorsConfig,
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
            vendors: Default::default(),
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
