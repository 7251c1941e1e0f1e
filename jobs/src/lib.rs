//! Background job machinery: the job queue (Redis, or the embedded database), the transactional
//! outbox and its relay, keyed future jobs, the cron scheduler, the worker runtime, metrics and
//! push providers. It knows nothing of volunteers or tasks: the handlers that do live in the
//! `wushe` crate (`src/worker/`).
//!
//! Layout:
//! - [`job`]: kinds of job as types ([`Job`], run by [`Perform`]), what is queued ([`NewJob`]) and
//!   delivered ([`ClaimedJob`]), how a run fails ([`JobError`]) and backs off.
//! - [`queue`]: the [`JobQueue`] API and its two backends, [`queue::redis::RedisQueue`] and
//!   [`queue::embedded::EmbeddedQueue`], which pass one conformance suite (`jobs/tests/`).
//! - [`worker`]: [`Registry`] of handlers (one per job kind, added by type) and the [`worker::Worker`] pool that
//!   runs them: leases, retries, dead letters, timeouts, graceful shutdown.
//! - [`outbox`]: `outbox::enqueue(&txn, job)` inside a domain transaction; [`outbox::Relay`]
//!   moves committed rows into the queue.
//! - [`scheduled`]: jobs due at a future instant under a caller's key (reminders), movable and
//!   cancellable; a minutely scan enqueues what is due, exactly once.
//! - [`cron`]: named schedules; every instance runs the loop and each slot fires once overall.
//! - [`metrics`]: counters and gauges in the Prometheus text format.
//! - [`entity`] and [`migrations`]: the tables this crate owns (the embedded queue's jobs and
//!   keys, the outbox, keyed future jobs), migrated by `wushe migrate` with the rest.
//! - [`push`]: the [`push::PushProvider`] trait, FCM HTTP v1 and the log provider.
//!
//! Time: scheduling (run-at instants, cron slots, due reminders) reads the injected [`Clock`], so
//! tests move time instead of sleeping; leases measure real work and follow the wall clock.

pub mod clock;
pub mod cron;
pub mod entity;
pub mod job;
pub mod metrics;
pub mod migrations;
pub mod outbox;
pub mod push;
pub mod queue;
pub mod scheduled;
pub mod sms;
pub mod worker;

pub use clock::{Clock, SystemClock};
pub use job::{ClaimedJob, DEFAULT_QUEUE, Job, JobError, JobOptions, NewJob, Perform};
pub use queue::{JobQueue, SharedQueue};
pub use worker::{Handler, JobContext, Registry};

/// Milliseconds since the Unix epoch of an instant.
pub fn ms(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

/// The instant of some milliseconds since the Unix epoch.
pub fn from_ms(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Wall-clock milliseconds, for leases.
pub fn wall_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Deletes every job not yet run that the database holds (outbox rows, keyed future jobs, the
/// embedded queue's jobs and dead letters) whose payload mentions `needle`: a person's erasure
/// takes the messages on their way to them too.
pub async fn erase_mentions(conn: &impl sea_orm::ConnectionTrait, needle: &str) -> Result<(), sea_orm::DbErr> {
    use crate::entity::{job, outbox, scheduled_job};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let pattern = format!("%{needle}%");
    outbox::Entity::delete_many().filter(outbox::Column::Payload.like(&pattern)).exec(conn).await?;
    scheduled_job::Entity::delete_many().filter(scheduled_job::Column::Payload.like(&pattern)).exec(conn).await?;
    job::Entity::delete_many().filter(job::Column::Payload.like(&pattern)).exec(conn).await?;
    Ok(())
}

/// Begins a transaction that will write: `IMMEDIATE` on SQLite, so writers queue for the lock
/// instead of failing with SQLITE_BUSY after reading.
pub(crate) async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let mut options = sea_orm::TransactionOptions::default();
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        options.sqlite_transaction_mode = Some(sea_orm::SqliteTransactionMode::Immediate);
    }
    db.begin_with_options(options).await
}
