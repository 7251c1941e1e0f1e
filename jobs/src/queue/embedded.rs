//! The embedded backend: the same semantics as Redis in the `jobs` table, for a single instance
//! without Redis (and for `cargo run` on a bare machine).
//!
//! A claim is one conditional `UPDATE` that stamps a fresh lock token and a lease on ready rows
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), then reads the rows
//! bearing that token. A crashed worker's rows are claimed again once their lease lapses. Dedupe
//! keys live in `job_keys`, inserted in the same transaction as the job.

use super::{DeadPage, JobQueue, QueueError, QueueResult, QueueStats};
use crate::clock::Clock;
use crate::entity::{job, job_key};
use crate::job::{ClaimedJob, Enqueued, NewJob, Record};
use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, SqlErr, TransactionTrait,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use uuid::Uuid;

const READY: &str = "ready";
const RUNNING: &str = "running";
const DEAD: &str = "dead";

/// A job queue in the application database.
pub struct EmbeddedQueue {
    db: DatabaseConnection,
    queue: String,
    clock: Arc<dyn Clock>,
    dedupe_ttl: Duration,
    /// How often an idle fetch looks again (other processes' jobs, delayed jobs coming due).
    poll: Duration,
    /// Wakes this process's waiting fetches when it enqueues.
    arrived: Notify,
}

impl EmbeddedQueue {
    /// A queue named `queue` in `db` (migrated).
    pub fn new(
        db: DatabaseConnection,
        queue: &str,
        clock: Arc<dyn Clock>,
        dedupe_ttl: Duration,
        poll: Duration,
    ) -> Self {
        EmbeddedQueue { db, queue: queue.to_string(), clock, dedupe_ttl, poll, arrived: Notify::new() }
    }

    fn now_ms(&self) -> i64 {
        crate::ms(self.clock.now())
    }

    async fn claim(
        &self,
        filter: sea_orm::sea_query::Condition,
        max: usize,
        lease: Duration,
    ) -> QueueResult<Vec<ClaimedJob>> {
        let token = Uuid::new_v4();
        let txn = crate::begin_write(&self.db).await?;
        // Locked for this transaction: PostgreSQL's other claimers skip these rows; SQLite has
        // one writer at a time. (A single `UPDATE … WHERE id IN (SELECT … SKIP LOCKED LIMIT n)`
        // is not safe on PostgreSQL: the planner may rescan the locking subquery.)
        let rows = job::Entity::find()
            .filter(filter.clone())
            .order_by_asc(job::Column::RunAtMs)
            .limit(max as u64)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(RUNNING))
            .col_expr(job::Column::LockToken, Expr::val(token))
            .col_expr(job::Column::LockedUntilMs, Expr::val(crate::wall_ms() + lease.as_millis() as i64))
            .col_expr(job::Column::Deliveries, Expr::col(job::Column::Deliveries).add(1))
            .filter(job::Column::Id.is_in(ids))
            .filter(filter)
            .exec(&txn)
            .await?;
        txn.commit().await?;
        rows.into_iter()
            .map(|mut r| {
                r.deliveries += 1;
                to_job(r, token)
            })
            .collect()
    }

    fn ready_now(&self) -> sea_orm::sea_query::Condition {
        sea_orm::Condition::all()
            .add(job::Column::Queue.eq(&self.queue))
            .add(job::Column::State.eq(READY))
            .add(job::Column::RunAtMs.lte(self.now_ms()))
    }

    /// Updates a running job this worker holds; false if it no longer does.
    async fn update_held(&self, j: &ClaimedJob, update: sea_orm::UpdateMany<job::Entity>) -> QueueResult<bool> {
        let token = receipt_token(j)?;
        let r = update
            .filter(job::Column::Id.eq(j.id))
            .filter(job::Column::State.eq(RUNNING))
            .filter(job::Column::LockToken.eq(token))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}

fn receipt_token(j: &ClaimedJob) -> QueueResult<Uuid> {
    Uuid::parse_str(&j.receipt).map_err(|_| super::QueueError::Corrupt(format!("bad receipt for job {}", j.id)))
}

fn to_job(r: job::Model, token: Uuid) -> QueueResult<ClaimedJob> {
    let payload = serde_json::from_str(&r.payload).map_err(|e| super::QueueError::Corrupt(e.to_string()))?;
    Ok(ClaimedJob {
        id: r.id,
        kind: r.kind,
        payload,
        dedupe_key: r.dedupe_key,
        attempts: nonneg(r.attempts),
        deliveries: Ord::max(nonneg(r.deliveries), 1),
        enqueued_at: crate::from_ms(r.enqueued_at_ms),
        receipt: token.to_string(),
    })
}

fn nonneg(i: i32) -> u32 {
    u32::try_from(i).unwrap_or(0)
}

fn nonneg64(i: i64) -> u64 {
    u64::try_from(i).unwrap_or(0)
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Claims `key` in `job_keys` until `expires_at_ms`, replacing an expired claim. Runs inside the
/// caller's transaction; a savepoint keeps a clash from aborting it on PostgreSQL.
pub(crate) async fn claim_key_in(
    conn: &sea_orm::DatabaseTransaction,
    key: &str,
    now_ms: i64,
    expires_at_ms: i64,
) -> Result<bool, DbErr> {
    let row = job_key::ActiveModel { key: Set(key.to_string()), expires_at_ms: Set(expires_at_ms) };
    let sp = conn.begin().await?;
    match job_key::Entity::insert(row).exec_without_returning(&sp).await {
        Ok(_) => {
            sp.commit().await?;
            return Ok(true);
        }
        Err(e) if is_unique_violation(&e) => sp.rollback().await?,
        Err(e) => return Err(e),
    }
    // Taken: the claim may have expired, in which case the first to move it forward wins.
    let r = job_key::Entity::update_many()
        .col_expr(job_key::Column::ExpiresAtMs, Expr::val(expires_at_ms))
        .filter(job_key::Column::Key.eq(key))
        .filter(job_key::Column::ExpiresAtMs.lte(now_ms))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

#[async_trait]
impl JobQueue for EmbeddedQueue {
    fn name(&self) -> &str {
        &self.queue
    }

    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> QueueResult<Vec<Enqueued>> {
        let now = self.clock.now();
        let now_ms = crate::ms(now);
        let mut out = Vec::with_capacity(jobs.len());
        let txn = crate::begin_write(&self.db).await?;
        let mut rows = Vec::new();
        for j in jobs {
            if let Some(k) = &j.dedupe_key {
                let key = format!("dedupe:{}:{k}", self.queue);
                let wall = crate::wall_ms();
                if !claim_key_in(&txn, &key, wall, wall + self.dedupe_ttl.as_millis() as i64).await? {
                    out.push(Enqueued::Duplicate);
                    continue;
                }
            }
            let id = Uuid::now_v7();
            out.push(Enqueued::New(id));
            rows.push(job::ActiveModel {
                id: Set(id),
                queue: Set(self.queue.clone()),
                kind: Set(j.kind.clone()),
                payload: Set(j.payload.to_string()),
                dedupe_key: Set(j.dedupe_key.clone()),
                state: Set(READY.into()),
                run_at_ms: Set(crate::ms(j.due(now))),
                attempts: Set(0),
                deliveries: Set(0),
                lock_token: Set(None),
                locked_until_ms: Set(None),
                last_error: Set(None),
                enqueued_at_ms: Set(now_ms),
                failed_at_ms: Set(None),
            });
        }
        for chunk in rows.chunks(500) {
            job::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        self.arrived.notify_waiters();
        Ok(out)
    }

    async fn fetch(&self, max: usize, lease: Duration, wait: Duration) -> QueueResult<Vec<ClaimedJob>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.arrived.notified();
            let jobs = self.claim(self.ready_now(), max, lease).await?;
            if !jobs.is_empty() {
                return Ok(jobs);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(jobs);
            }
            let _ = tokio::time::timeout(self.poll.min(deadline - now), notified).await;
        }
    }

    async fn reclaim(&self, max: usize, lease: Duration) -> QueueResult<Vec<ClaimedJob>> {
        let lapsed = sea_orm::Condition::all()
            .add(job::Column::Queue.eq(&self.queue))
            .add(job::Column::State.eq(RUNNING))
            .add(job::Column::LockedUntilMs.lt(crate::wall_ms()));
        self.claim(lapsed, max, lease).await
    }

    async fn promote_due(&self) -> QueueResult<usize> {
        // Delayed rows become claimable by their run-at instant alone.
        Ok(0)
    }

    async fn renew(&self, jobs: &[ClaimedJob], lease: Duration) -> QueueResult<Vec<Uuid>> {
        let until = crate::wall_ms() + lease.as_millis() as i64;
        let mut lost = Vec::new();
        for j in jobs {
            let update = job::Entity::update_many().col_expr(job::Column::LockedUntilMs, Expr::val(until));
            if !self.update_held(j, update).await? {
                lost.push(j.id);
            }
        }
        Ok(lost)
    }

    async fn complete(&self, jobs: &[ClaimedJob]) -> QueueResult<()> {
        let ids: Vec<Uuid> = jobs.iter().map(|j| j.id).collect();
        for chunk in ids.chunks(500) {
            job::Entity::delete_many().filter(job::Column::Id.is_in(chunk.to_vec())).exec(&self.db).await?;
        }
        Ok(())
    }

    async fn retry(&self, j: &ClaimedJob, run_at_ms: i64, error: &str) -> QueueResult<()> {
        let update = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(READY))
            .col_expr(job::Column::RunAtMs, Expr::val(run_at_ms))
            .col_expr(job::Column::Attempts, Expr::val(j.attempts as i32 + 1))
            .col_expr(job::Column::Deliveries, Expr::val(0))
            .col_expr(job::Column::LockToken, Expr::val(Option::<Uuid>::None))
            .col_expr(job::Column::LockedUntilMs, Expr::val(Option::<i64>::None))
            .col_expr(job::Column::LastError, Expr::val(error));
        self.update_held(j, update).await?;
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn defer(&self, j: &ClaimedJob, run_at_ms: i64, reason: &str) -> QueueResult<()> {
        let update = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(READY))
            .col_expr(job::Column::RunAtMs, Expr::val(run_at_ms))
            .col_expr(job::Column::Deliveries, Expr::val(0))
            .col_expr(job::Column::LockToken, Expr::val(Option::<Uuid>::None))
            .col_expr(job::Column::LockedUntilMs, Expr::val(Option::<i64>::None))
            .col_expr(job::Column::LastError, Expr::val(reason));
        self.update_held(j, update).await?;
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn bury(&self, j: &ClaimedJob, error: &str) -> QueueResult<()> {
        let update = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(DEAD))
            .col_expr(job::Column::Attempts, Expr::val(j.attempt() as i32))
            .col_expr(job::Column::LockToken, Expr::val(Option::<Uuid>::None))
            .col_expr(job::Column::LockedUntilMs, Expr::val(Option::<i64>::None))
            .col_expr(job::Column::LastError, Expr::val(error))
            .col_expr(job::Column::FailedAtMs, Expr::val(self.now_ms()));
        self.update_held(j, update).await?;
        Ok(())
    }

    async fn release(&self, j: &ClaimedJob) -> QueueResult<()> {
        let update = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(READY))
            .col_expr(job::Column::Deliveries, Expr::col(job::Column::Deliveries).sub(1))
            .col_expr(job::Column::LockToken, Expr::val(Option::<Uuid>::None))
            .col_expr(job::Column::LockedUntilMs, Expr::val(Option::<i64>::None));
        self.update_held(j, update).await?;
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn claim_key(&self, key: &str, ttl: Duration) -> QueueResult<bool> {
        let now_ms = crate::wall_ms();
        let txn = crate::begin_write(&self.db).await?;
        let got = claim_key_in(&txn, key, now_ms, now_ms + ttl.as_millis() as i64).await?;
        txn.commit().await?;
        Ok(got)
    }

    async fn stats(&self) -> QueueResult<QueueStats> {
        let now_ms = self.now_ms();
        let base = || job::Entity::find().filter(job::Column::Queue.eq(&self.queue));
        let ready = base()
            .filter(job::Column::State.eq(READY))
            .filter(job::Column::RunAtMs.lte(now_ms))
            .count(&self.db)
            .await?;
        let delayed =
            base().filter(job::Column::State.eq(READY)).filter(job::Column::RunAtMs.gt(now_ms)).count(&self.db).await?;
        let running = base().filter(job::Column::State.eq(RUNNING)).count(&self.db).await?;
        let dead = base().filter(job::Column::State.eq(DEAD)).count(&self.db).await?;
        let oldest: Option<i64> = base()
            .select_only()
            .column_as(job::Column::EnqueuedAtMs.min(), "m")
            .filter(job::Column::State.ne(DEAD))
            .filter(job::Column::RunAtMs.lte(now_ms))
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten();
        Ok(QueueStats {
            ready,
            delayed,
            running,
            dead,
            oldest_pending: oldest.map(|ms| Duration::from_millis(nonneg64(now_ms - ms))),
        })
    }

    async fn dead(&self, after: Option<&str>, limit: usize) -> QueueResult<DeadPage> {
        let mut q = job::Entity::find().filter(job::Column::Queue.eq(&self.queue)).filter(job::Column::State.eq(DEAD));
        if let Some(a) = after.filter(|a| !a.is_empty()) {
            let a = Uuid::parse_str(a).map_err(|_| QueueError::InvalidCursor)?;
            q = q.filter(job::Column::Id.lt(a));
        }
        let mut rows = q.order_by_desc(job::Column::Id).limit(limit as u64 + 1).all(&self.db).await?;
        let next = if rows.len() > limit { rows.get(limit - 1).map(|r| r.id.to_string()) } else { None };
        rows.truncate(limit);
        let items = rows
            .into_iter()
            .map(|r| {
                Record {
                    id: r.id,
                    kind: r.kind,
                    payload: serde_json::from_str(&r.payload).unwrap_or_default(),
                    dedupe: r.dedupe_key,
                    attempts: nonneg(r.attempts),
                    enq: r.enqueued_at_ms,
                    err: r.last_error,
                    failed: r.failed_at_ms,
                }
                .into_dead()
            })
            .collect();
        Ok(DeadPage { items, next })
    }

    async fn retry_dead(&self, id: Uuid) -> QueueResult<bool> {
        let r = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::val(READY))
            .col_expr(job::Column::RunAtMs, Expr::val(self.now_ms()))
            .col_expr(job::Column::Attempts, Expr::val(0))
            .col_expr(job::Column::Deliveries, Expr::val(0))
            .col_expr(job::Column::FailedAtMs, Expr::val(Option::<i64>::None))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::Queue.eq(&self.queue))
            .filter(job::Column::State.eq(DEAD))
            .exec(&self.db)
            .await?;
        self.arrived.notify_waiters();
        Ok(r.rows_affected == 1)
    }

    async fn discard_dead(&self, id: Uuid) -> QueueResult<bool> {
        let r = job::Entity::delete_many()
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::Queue.eq(&self.queue))
            .filter(job::Column::State.eq(DEAD))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}
