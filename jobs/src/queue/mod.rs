//! The job queue: one [`JobQueue`] API, two backends with the same semantics, checked by one
//! conformance suite (`jobs/tests/conformance`):
//!
//! - [`redis::RedisQueue`] (`WUSHE_REDIS_URL`): a stream per queue read by one consumer group,
//!   acknowledged only after the handler succeeds; lost workers' jobs taken over by `XAUTOCLAIM`;
//!   delayed jobs and retries wait in a sorted set; dead letters in a stream of their own.
//! - [`embedded::EmbeddedQueue`] (no Redis): the same in the `jobs` table, claimed with a lease.
//!
//! Delivery is at least once: a job may run again after a crash, so handlers give each effect a
//! unique key. Workers call the queue through [`crate::worker::Worker`]; other code enqueues
//! through the transactional outbox (`crate::outbox::enqueue`), not here.

pub mod embedded;
pub mod redis;

use crate::job::{ClaimedJob, DeadJob, Enqueued, NewJob};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// A queue shared by the tasks of a process.
pub type SharedQueue = Arc<dyn JobQueue>;

/// Why a queue operation failed (the backend is unreachable or answered nonsense).
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Corrupt(String),
    /// A dead-letter cursor this backend never gave out: the caller's mistake, not the queue's.
    #[error("not a cursor of this queue")]
    InvalidCursor,
}

impl QueueError {
    /// Whether the queue cannot be reached right now (Redis refused, dropped or timed out; the
    /// database unavailable), rather than something wrong with the request.
    pub fn is_unavailable(&self) -> bool {
        match self {
            QueueError::Redis(e) => {
                e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() || e.is_timeout()
            }
            QueueError::Db(e) => crate::job::is_unavailable(e),
            QueueError::Corrupt(_) | QueueError::InvalidCursor => false,
        }
    }
}

/// A handler's follow-up enqueue that failed: deferred while the queue is unreachable, else
/// retried with backoff.
impl From<QueueError> for crate::job::JobError {
    fn from(e: QueueError) -> Self {
        if e.is_unavailable() {
            crate::job::JobError::unavailable(format!("queue unavailable: {e}"))
        } else {
            crate::job::JobError::retry(format!("queue: {e}"))
        }
    }
}

/// What queue operations return.
pub type QueueResult<T> = Result<T, QueueError>;

/// How full a queue is, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Waiting to run now (not yet claimed).
    pub ready: u64,
    /// Waiting for their run-at instant (delayed jobs and retries).
    pub delayed: u64,
    /// Claimed by a worker.
    pub running: u64,
    /// In the dead letters.
    pub dead: u64,
    /// Age of the oldest job waiting to run or running, if any.
    pub oldest_pending: Option<Duration>,
}

/// One page of dead letters, newest first.
#[derive(Clone, Debug)]
pub struct DeadPage {
    pub items: Vec<DeadJob>,
    /// Pass as `after` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// The queue API both backends implement.
#[async_trait]
pub trait JobQueue: Send + Sync + 'static {
    /// The queue's name.
    fn name(&self) -> &str;

    /// Enqueues jobs (delayed ones wait for their instant), refusing those whose dedupe key is
    /// taken. One answer per job, in order.
    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> QueueResult<Vec<Enqueued>>;

    /// Enqueues one job.
    async fn enqueue(&self, job: NewJob) -> QueueResult<Enqueued> {
        let mut out = self.enqueue_many(vec![job]).await?;
        out.pop().ok_or_else(|| QueueError::Corrupt("enqueue answered nothing".into()))
    }

    /// Claims up to `max` jobs ready to run, waiting up to `wait` for one to arrive. Each is
    /// held for `lease` unless renewed.
    async fn fetch(&self, max: usize, lease: Duration, wait: Duration) -> QueueResult<Vec<ClaimedJob>>;

    /// Takes over up to `max` jobs whose holder let their lease lapse (a worker that died).
    async fn reclaim(&self, max: usize, lease: Duration) -> QueueResult<Vec<ClaimedJob>>;

    /// Moves delayed jobs whose instant has come into the ready queue; how many moved.
    async fn promote_due(&self) -> QueueResult<usize>;

    /// Extends the leases of running jobs; returns the ids of those this worker no longer holds.
    async fn renew(&self, jobs: &[ClaimedJob], lease: Duration) -> QueueResult<Vec<Uuid>>;

    /// Removes finished jobs for good (acknowledgement after the handler succeeded).
    async fn complete(&self, jobs: &[ClaimedJob]) -> QueueResult<()>;

    /// Puts a failed job back to run again at `at` (ms since the epoch), counting the attempt.
    async fn retry(&self, job: &ClaimedJob, run_at_ms: i64, error: &str) -> QueueResult<()>;

    /// Puts a job back to run again at `at` (ms since the epoch) without counting an attempt:
    /// it could not run because a dependency was down, not because it failed.
    async fn defer(&self, job: &ClaimedJob, run_at_ms: i64, reason: &str) -> QueueResult<()>;

    /// Moves a job to the dead letters with its error.
    async fn bury(&self, job: &ClaimedJob, error: &str) -> QueueResult<()>;

    /// Gives back a job this worker will not finish (shutting down), without counting an
    /// attempt, so another worker takes it at once.
    async fn release(&self, job: &ClaimedJob) -> QueueResult<()>;

    /// Claims `key` once until `ttl` passes: true for the one caller that got it (`SET NX EX`).
    async fn claim_key(&self, key: &str, ttl: Duration) -> QueueResult<bool>;

    /// Counts for metrics.
    async fn stats(&self) -> QueueResult<QueueStats>;

    /// Dead letters, newest first, after `after` (a page's `next`); a cursor the backend never
    /// gave out is [`QueueError::InvalidCursor`] on every backend.
    async fn dead(&self, after: Option<&str>, limit: usize) -> QueueResult<DeadPage>;

    /// Requeues a dead job with a fresh attempt count; false if there is no such dead job.
    async fn retry_dead(&self, id: Uuid) -> QueueResult<bool>;

    /// Deletes a dead job; false if there is no such dead job.
    async fn discard_dead(&self, id: Uuid) -> QueueResult<bool>;
}

/// A short random tag: host, process and randomness, so no two workers share a consumer name.
pub fn consumer_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}
