//! What a job is: a kind (which handler runs it), a JSON payload, an optional dedupe key and an
//! instant before which it must not run; how a run fails ([`JobError`]); and how long a failed
//! job waits before its next attempt ([`Backoff`]).
//!
//! Each kind is a type implementing [`Job`]: its kind string, queue, options and dedupe key
//! declared together with its payload (the type itself, stored as JSON). Code that enqueues
//! needs only the type; the handler ([`Perform`]) is implemented where the work is done and
//! registered by type ([`crate::Registry::add`]).

use crate::worker::JobContext;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;

/// The queue of every kind that names no other.
pub const DEFAULT_QUEUE: &str = "main";

/// A kind of job, with its payload: the implementing type, stored as JSON.
///
/// [`Job::KIND`] and the payload's JSON shape are the stored form of queued jobs: renaming the
/// kind or changing the shape incompatibly strands the jobs queued before an upgrade.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind stored with every job of this type.
    const KIND: &'static str;
    /// The queue it runs from.
    const QUEUE: &'static str = DEFAULT_QUEUE;
    /// Attempts, timeout and backoff of its runs.
    const OPTIONS: JobOptions = JobOptions::DEFAULT;

    /// While a job with this key was enqueued within the dedupe window, another is refused.
    fn dedupe_key(&self) -> Option<String> {
        None
    }

    /// This job, to enqueue now (chain [`NewJob::at`] for later).
    fn new_job(&self) -> NewJob {
        let job = NewJob::new(Self::KIND, self);
        match self.dedupe_key() {
            Some(key) => job.dedupe(key),
            None => job,
        }
    }
}

/// How a job of this type runs, given the application's context `C` (its state). Implemented
/// apart from [`Job`], where the work is done, so code that only enqueues needs no handler.
/// Must be idempotent: a job can be delivered again after a crash.
pub trait Perform<C>: Job {
    /// Does the job's work.
    fn perform(self, ctx: C, job: JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

impl<J: Job> From<&J> for NewJob {
    fn from(job: &J) -> Self {
        job.new_job()
    }
}

/// A job to enqueue.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// Names the handler, e.g. `notify`, `push`.
    pub kind: String,
    pub payload: serde_json::Value,
    /// While a job with this key was enqueued within the dedupe window, another is refused.
    pub dedupe_key: Option<String>,
    /// Not to run before this instant.
    pub run_at: Option<DateTime<Utc>>,
    /// Not to run before this long after enqueueing (resolved against the queue's clock).
    pub delay: Option<Duration>,
}

impl NewJob {
    /// A job of `kind` carrying `payload`, to run now.
    pub fn new(kind: impl Into<String>, payload: impl Serialize) -> Self {
        NewJob {
            kind: kind.into(),
            payload: serde_json::to_value(payload).expect("job payloads serialise to JSON"),
            dedupe_key: None,
            run_at: None,
            delay: None,
        }
    }

    /// Refuses a second job with this key within the dedupe window.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    /// Runs no earlier than `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Runs no earlier than `delay` after it is enqueued.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The instant it may run, given the queue's "now".
    pub fn due(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let mut due = self.run_at.unwrap_or(now);
        if let Some(d) = self.delay {
            due = due.max(now + chrono::Duration::from_std(d).unwrap_or_default());
        }
        due
    }
}

/// Whether an enqueue took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enqueued {
    /// Queued under this id.
    New(Uuid),
    /// Refused: a job with the same dedupe key is within its window.
    Duplicate,
}

/// A job as a worker receives it.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub dedupe_key: Option<String>,
    /// Failed runs before this delivery.
    pub attempts: u32,
    /// Times delivered since last queued (more than 1: a worker holding it was lost).
    pub deliveries: u32,
    pub enqueued_at: DateTime<Utc>,
    /// The backend's handle on this delivery (a stream entry id, a claim token).
    pub receipt: String,
}

impl ClaimedJob {
    /// This run's number, from 1: failed runs plus deliveries, so runs lost with a crashed worker
    /// count too and a poison job cannot loop forever.
    pub fn attempt(&self) -> u32 {
        self.attempts + self.deliveries.max(1)
    }
}

/// The stored form of a job (a Redis stream entry, the embedded table's payload columns).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    /// Enqueued, ms.
    pub enq: i64,
    /// The last error, for dead letters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub err: Option<String>,
    /// When it was buried, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<i64>,
}

impl Record {
    pub(crate) fn from_job(job: &ClaimedJob) -> Self {
        Record {
            id: job.id,
            kind: job.kind.clone(),
            payload: job.payload.clone(),
            dedupe: job.dedupe_key.clone(),
            attempts: job.attempts,
            enq: crate::ms(job.enqueued_at),
            err: None,
            failed: None,
        }
    }

    pub(crate) fn into_job(self, deliveries: u32, receipt: String) -> ClaimedJob {
        ClaimedJob {
            id: self.id,
            kind: self.kind,
            payload: self.payload,
            dedupe_key: self.dedupe,
            attempts: self.attempts,
            deliveries,
            enqueued_at: crate::from_ms(self.enq),
            receipt,
        }
    }

    pub(crate) fn into_dead(self) -> DeadJob {
        DeadJob {
            id: self.id,
            kind: self.kind,
            payload: self.payload,
            attempts: self.attempts,
            error: self.err.unwrap_or_default(),
            enqueued_at: crate::from_ms(self.enq),
            failed_at: crate::from_ms(self.failed.unwrap_or(self.enq)),
        }
    }
}

/// A job that failed for good: after its last attempt, or with a non-retryable error.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadJob {
    pub id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Runs it failed.
    pub attempts: u32,
    pub error: String,
    pub enqueued_at: DateTime<Utc>,
    pub failed_at: DateTime<Utc>,
}

/// Why a handler did not finish its job.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobError {
    /// Try again later: after `after` if the cause says (a provider's `Retry-After`), else after
    /// the kind's backoff.
    #[error("{reason}")]
    Retry { reason: String, after: Option<Duration> },
    /// Retrying cannot help: the job goes to the dead letters at once.
    #[error("{0}")]
    Fatal(String),
    /// A dependency (the database, a provider's capacity) is unavailable for now: the job runs
    /// again shortly without spending an attempt, so an outage does not bury healthy jobs.
    #[error("{0}")]
    Unavailable(String),
}

impl JobError {
    /// A retryable failure.
    pub fn retry(reason: impl Into<String>) -> Self {
        JobError::Retry { reason: reason.into(), after: None }
    }
    /// A retryable failure that must wait at least `after`.
    pub fn retry_after(reason: impl Into<String>, after: Duration) -> Self {
        JobError::Retry { reason: reason.into(), after: Some(after) }
    }
    /// A failure that retrying cannot fix.
    pub fn fatal(reason: impl Into<String>) -> Self {
        JobError::Fatal(reason.into())
    }
    /// A dependency is down or saturated: run again shortly, without counting an attempt.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        JobError::Unavailable(reason.into())
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(e: sea_orm::DbErr) -> Self {
        if is_unavailable(&e) {
            JobError::unavailable(format!("database unavailable: {e}"))
        } else {
            JobError::retry(format!("database: {e}"))
        }
    }
}

/// Whether a database error means the database cannot be reached right now (refused or broken
/// connections, a pool that cannot connect in time, a server shutting down or starting up),
/// rather than something wrong with the statement. Such errors end when the database returns.
pub fn is_unavailable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => match s.as_ref() {
            Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
            Sqlx::Protocol(_) => true,
            // SQLSTATE class 08 (connection exception) and 57P (admin shutdown, crash shutdown,
            // cannot connect now).
            Sqlx::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
            _ => false,
        },
        _ => false,
    }
}

/// Exponential backoff with full jitter and a cap: attempt `n` waits a random time up to
/// `min(cap, base * 2^(n-1))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
}

impl Backoff {
    /// From 2 s, doubling, up to 15 minutes.
    pub const DEFAULT: Backoff = Backoff { base: Duration::from_secs(2), cap: Duration::from_secs(15 * 60) };

    /// The longest wait after failed attempt `attempt` (from 1).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        self.base.saturating_mul(1u32 << exp).min(self.cap)
    }

    /// A random wait after failed attempt `attempt` (full jitter).
    pub fn delay(&self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt).as_millis() as u64;
        Duration::from_millis(rand::random_range(0..=ceiling))
    }
}

/// How one kind of job runs.
#[derive(Clone, Copy, Debug)]
pub struct JobOptions {
    /// Runs before a job goes to the dead letters.
    pub max_attempts: u32,
    /// A run longer than this counts as a failed attempt.
    pub timeout: Duration,
    pub backoff: Backoff,
}

impl Default for JobOptions {
    fn default() -> Self {
        JobOptions::DEFAULT
    }
}

impl JobOptions {
    /// Eight attempts of at most a minute each, with the default backoff.
    pub const DEFAULT: JobOptions =
        JobOptions { max_attempts: 8, timeout: Duration::from_secs(60), backoff: Backoff::DEFAULT };
    /// Three attempts: scans and sweeps that the next cron slot runs again anyway.
    pub const FEW: JobOptions = JobOptions { max_attempts: 3, ..JobOptions::DEFAULT };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_jitters_and_caps() {
        let b = Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(60) };
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(3), Duration::from_secs(4));
        assert_eq!(b.ceiling(20), Duration::from_secs(60));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(60));
        for _ in 0..100 {
            assert!(b.delay(4) <= Duration::from_secs(8));
        }
    }

    #[test]
    fn due_takes_the_later_of_instant_and_delay() {
        let now = Utc::now();
        let j = NewJob::new("k", ()).after(Duration::from_secs(10));
        assert_eq!(j.due(now), now + chrono::Duration::seconds(10));
        let later = now + chrono::Duration::hours(1);
        assert_eq!(j.clone().at(later).due(now), later);
        assert_eq!(NewJob::new("k", ()).due(now), now);
    }

    #[test]
    fn attempt_counts_lost_deliveries() {
        let rec = Record {
            id: Uuid::nil(),
            kind: "k".into(),
            payload: serde_json::Value::Null,
            dedupe: None,
            attempts: 2,
            enq: 0,
            err: None,
            failed: None,
        };
        assert_eq!(rec.clone().into_job(1, String::new()).attempt(), 3);
        assert_eq!(rec.into_job(3, String::new()).attempt(), 5);
    }
}
