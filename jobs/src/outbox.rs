//! The transactional outbox: domain code never talks to the queue. Inside its database
//! transaction it calls [`enqueue`]`(&txn, job)`; the row commits (or rolls back) with the
//! change that caused it. The [`Relay`] moves committed rows into the queue and marks them
//! relayed; if the queue is unreachable (Redis down) the rows wait and go when it returns.
//!
//! A relay claims a batch with a lease (so several instances can relay side by side), enqueues
//! it, then marks it relayed. A relay that dies in between leaves the claim to lapse and the
//! batch is relayed again: delivery is at least once, as everywhere else. The outbox sweep
//! ([`sweep`]) deletes relayed rows after a while.

use crate::entity::outbox;
use crate::job::NewJob;
use crate::metrics::Metrics;
use crate::queue::SharedQueue;
use chrono::Utc;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Wakes this process's relay early when a job that wrote outbox rows finished, so a chain of
/// jobs (fan-out batches, notify → push) does not wait for the relay's poll at every step.
static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();
static WRITTEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tells this process's relay to look now if outbox rows were written since it last looked
/// (called by the worker after a handler returned, i.e. after its transaction committed).
pub fn wake_if_written() {
    if WRITTEN.swap(false, std::sync::atomic::Ordering::AcqRel) {
        WAKE.notify_one();
    }
}

/// Writes `job` to the outbox in the caller's transaction; it reaches the queue once that
/// commits. A job's `run_at` is kept; a relative delay (`NewJob::after`) counts from now on the
/// wall clock, so domain code with a clock should prefer `NewJob::at`.
/// Takes a typed job (`&Dispatch { .. }`) or a [`NewJob`] built from one (`job.new_job().at(t)`).
pub async fn enqueue(conn: &impl ConnectionTrait, job: impl Into<NewJob>) -> Result<Uuid, DbErr> {
    let ids = enqueue_many(conn, vec![job.into()]).await?;
    Ok(ids[0])
}

/// Writes several jobs to the outbox in the caller's transaction.
pub async fn enqueue_many(conn: &impl ConnectionTrait, jobs: Vec<NewJob>) -> Result<Vec<Uuid>, DbErr> {
    let now = Utc::now();
    let mut ids = Vec::with_capacity(jobs.len());
    let rows: Vec<outbox::ActiveModel> = jobs
        .into_iter()
        .map(|job| {
            let id = Uuid::now_v7();
            ids.push(id);
            let run_at = (job.run_at.is_some() || job.delay.is_some()).then(|| crate::ms(job.due(now)));
            outbox::ActiveModel {
                id: Set(id),
                kind: Set(job.kind),
                payload: Set(job.payload.to_string()),
                dedupe_key: Set(job.dedupe_key),
                run_at_ms: Set(run_at),
                created_at_ms: Set(crate::ms(now)),
                claimed_until_ms: Set(None),
                claim_token: Set(None),
                relayed_at_ms: Set(None),
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        outbox::Entity::insert_many(chunk.to_vec()).exec_without_returning(conn).await?;
    }
    WRITTEN.store(true, std::sync::atomic::Ordering::Release);
    Ok(ids)
}

/// Why a relay round failed.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("queue: {0}")]
    Queue(#[from] crate::queue::QueueError),
}

/// Moves committed outbox rows into the queue (or, for kinds routed elsewhere, their queue).
pub struct Relay {
    db: DatabaseConnection,
    queue: SharedQueue,
    /// Kinds that go to a queue of their own (pushes, so a slow provider holds up no other work).
    routes: Vec<(String, SharedQueue)>,
    metrics: Arc<Metrics>,
    /// Rows per round.
    pub batch: usize,
    /// Pause between rounds that found nothing.
    pub poll: Duration,
    /// How long a claimed batch is this relay's.
    pub lease: Duration,
}

impl Relay {
    /// A relay from `db`'s outbox into `queue`.
    pub fn new(db: DatabaseConnection, queue: SharedQueue, metrics: Arc<Metrics>, poll: Duration) -> Self {
        Relay { db, queue, routes: Vec::new(), metrics, batch: 500, poll, lease: Duration::from_secs(30) }
    }

    /// Sends jobs of `kind` to `queue` instead of the default one.
    pub fn route(mut self, kind: &str, queue: SharedQueue) -> Self {
        self.routes.push((kind.to_string(), queue));
        self
    }

    fn queue_of(&self, kind: &str) -> usize {
        self.routes.iter().position(|(k, _)| k == kind).map_or(0, |i| i + 1)
    }

    fn queue_at(&self, i: usize) -> &SharedQueue {
        if i == 0 { &self.queue } else { &self.routes[i - 1].1 }
    }

    /// Relays until `shutdown` is cancelled.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failing = false;
        loop {
            let pause = match self.relay_once().await {
                Ok(n) => {
                    if failing {
                        tracing::info!("outbox relay recovered");
                        failing = false;
                    }
                    if n >= self.batch { Duration::ZERO } else { self.poll }
                }
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "outbox relay failed; rows wait until it succeeds");
                        failing = true;
                    }
                    self.poll.max(Duration::from_millis(500))
                }
            };
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
                _ = WAKE.notified(), if pause > Duration::ZERO => {}
            }
        }
    }

    /// One round: claim a batch, enqueue it, mark it relayed. Returns how many rows moved.
    pub async fn relay_once(&self) -> Result<usize, RelayError> {
        let wall = crate::wall_ms();
        let token = Uuid::new_v4();
        let claimable = sea_orm::Condition::all().add(outbox::Column::RelayedAtMs.is_null()).add(
            sea_orm::Condition::any()
                .add(outbox::Column::ClaimedUntilMs.is_null())
                .add(outbox::Column::ClaimedUntilMs.lt(wall)),
        );
        let txn = crate::begin_write(&self.db).await?;
        // Locked for this transaction, so concurrent relays take different rows.
        let rows = outbox::Entity::find()
            .filter(claimable.clone())
            .order_by_asc(outbox::Column::Id)
            .limit(self.batch as u64)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        outbox::Entity::update_many()
            .col_expr(outbox::Column::ClaimToken, Expr::val(token))
            .col_expr(outbox::Column::ClaimedUntilMs, Expr::val(wall + self.lease.as_millis() as i64))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .filter(claimable)
            .exec(&txn)
            .await?;
        txn.commit().await?;
        let mut by_queue: std::collections::BTreeMap<usize, (Vec<Uuid>, Vec<NewJob>)> = Default::default();
        for r in &rows {
            let (ids, jobs) = by_queue.entry(self.queue_of(&r.kind)).or_default();
            ids.push(r.id);
            jobs.push(NewJob {
                kind: r.kind.clone(),
                payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
                dedupe_key: r.dedupe_key.clone(),
                run_at: r.run_at_ms.map(crate::from_ms),
                delay: None,
            });
        }
        let mut moved = 0;
        let mut failure = None;
        for (i, (ids, jobs)) in by_queue {
            let done = if failure.is_none() { self.queue_at(i).enqueue_many(jobs).await } else { Ok(Vec::new()) };
            let mark = outbox::Entity::update_many().filter(outbox::Column::ClaimToken.eq(token));
            let mark = mark.filter(outbox::Column::Id.is_in(ids.iter().copied()));
            match done {
                Ok(_) if failure.is_none() => {
                    mark.col_expr(outbox::Column::RelayedAtMs, Expr::val(crate::wall_ms())).exec(&self.db).await?;
                    moved += ids.len();
                }
                other => {
                    // Let the rows go at once rather than after the lease: the next round
                    // retries them.
                    let _ = mark
                        .col_expr(outbox::Column::ClaimedUntilMs, Expr::val(Option::<i64>::None))
                        .exec(&self.db)
                        .await;
                    if let Err(e) = other {
                        failure = Some(e);
                    }
                }
            }
        }
        self.metrics.relayed(moved as u64);
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(moved),
        }
    }
}

/// Deletes outbox rows relayed more than `older_than` ago; returns how many.
pub async fn sweep(db: &DatabaseConnection, older_than: Duration) -> Result<u64, DbErr> {
    let cutoff = crate::wall_ms() - older_than.as_millis() as i64;
    let r = outbox::Entity::delete_many().filter(outbox::Column::RelayedAtMs.lt(cutoff)).exec(db).await?;
    Ok(r.rows_affected)
}

/// Rows not yet relayed (for readiness and tests).
pub async fn pending(db: &DatabaseConnection) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    outbox::Entity::find().filter(outbox::Column::RelayedAtMs.is_null()).count(db).await
}
