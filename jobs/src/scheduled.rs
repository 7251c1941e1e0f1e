//! Jobs due at a future instant under a key the caller chooses: per-person reminders ("24 h
//! before signup X") that can be moved or cancelled when the task moves or the signup goes.
//!
//! - [`schedule`]`(&txn, key, due_at, job)` stores (or moves) the job, in the caller's
//!   transaction; the due instant is UTC, so a person's local time is converted once, here.
//! - [`cancel`]`(&txn, key)` drops it; [`schedule_many`] and [`cancel_many`] do the same for
//!   several keys in one statement.
//! - [`enqueue_due`] is the minutely scan (run from a cron schedule): it claims due rows with one
//!   conditional update and writes their jobs to the outbox in the same transaction, so each is
//!   enqueued exactly once however many workers scan at the same time.

use crate::entity::scheduled_job;
use crate::job::NewJob;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Stores `job` (typed, or a [`NewJob`]) to be enqueued at `due_at` under `key`, replacing (and
/// re-arming) any job already under that key.
pub async fn schedule(
    conn: &impl ConnectionTrait,
    key: &str,
    due_at: DateTime<Utc>,
    job: impl Into<NewJob>,
) -> Result<(), DbErr> {
    schedule_many(conn, [(key.to_string(), due_at, job.into())]).await
}

/// [`schedule`] for several keys at once, in one statement (one round trip however many).
pub async fn schedule_many(
    conn: &impl ConnectionTrait,
    jobs: impl IntoIterator<Item = (String, DateTime<Utc>, NewJob)>,
) -> Result<(), DbErr> {
    let now = crate::wall_ms();
    let rows: Vec<scheduled_job::ActiveModel> = jobs
        .into_iter()
        .map(|(key, due_at, job)| scheduled_job::ActiveModel {
            key: Set(key),
            kind: Set(job.kind),
            payload: Set(job.payload.to_string()),
            due_at_ms: Set(crate::ms(due_at)),
            fired_at_ms: Set(None),
            created_at_ms: Set(now),
            updated_at_ms: Set(now),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    scheduled_job::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(scheduled_job::Column::Key)
                .update_columns([
                    scheduled_job::Column::Kind,
                    scheduled_job::Column::Payload,
                    scheduled_job::Column::DueAtMs,
                    scheduled_job::Column::FiredAtMs,
                    scheduled_job::Column::UpdatedAtMs,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Drops the job under `key`; true if there was one.
pub async fn cancel(conn: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    let r = scheduled_job::Entity::delete_many().filter(scheduled_job::Column::Key.eq(key)).exec(conn).await?;
    Ok(r.rows_affected > 0)
}

/// Drops the jobs under `keys`, in one statement; how many there were.
pub async fn cancel_many(conn: &impl ConnectionTrait, keys: Vec<String>) -> Result<u64, DbErr> {
    if keys.is_empty() {
        return Ok(0);
    }
    let r = scheduled_job::Entity::delete_many().filter(scheduled_job::Column::Key.is_in(keys)).exec(conn).await?;
    Ok(r.rows_affected)
}

/// The job under `key`, if any.
pub async fn get(conn: &impl ConnectionTrait, key: &str) -> Result<Option<scheduled_job::Model>, DbErr> {
    scheduled_job::Entity::find_by_id(key.to_string()).one(conn).await
}

/// Enqueues (through the outbox) every job due by `now`, in batches of `batch`; returns how many.
pub async fn enqueue_due(db: &DatabaseConnection, now: DateTime<Utc>, batch: usize) -> Result<usize, DbErr> {
    let now_ms = crate::ms(now);
    let mut total = 0;
    loop {
        let txn = crate::begin_write(db).await?;
        // Locked for this transaction (PostgreSQL: other scanners skip them; SQLite: one writer
        // at a time), so each due row is claimed by exactly one scan.
        let rows = scheduled_job::Entity::find()
            .filter(scheduled_job::Column::FiredAtMs.is_null())
            .filter(scheduled_job::Column::DueAtMs.lte(now_ms))
            .order_by_asc(scheduled_job::Column::DueAtMs)
            .limit(batch as u64)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(total);
        }
        let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        scheduled_job::Entity::update_many()
            .col_expr(scheduled_job::Column::FiredAtMs, Expr::val(now_ms))
            .filter(scheduled_job::Column::Key.is_in(keys))
            .filter(scheduled_job::Column::FiredAtMs.is_null())
            .exec(&txn)
            .await?;
        let n = rows.len();
        let jobs: Vec<NewJob> = rows
            .into_iter()
            .map(|r| NewJob {
                kind: r.kind,
                payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
                dedupe_key: Some(format!("scheduled:{}:{}", r.key, r.due_at_ms)),
                run_at: None,
                delay: None,
            })
            .collect();
        crate::outbox::enqueue_many(&txn, jobs).await?;
        txn.commit().await?;
        total += n;
        if n < batch {
            return Ok(total);
        }
    }
}
