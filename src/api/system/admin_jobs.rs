//! `/api/v1/admin/jobs/dead`: jobs that failed for good (after their last attempt, or with an
//! error retrying cannot fix), in either queue (`main`, or `push` for push jobs). City
//! administrators list them, retry them (with a fresh attempt count) or discard them. Each call
//! waits at most a few seconds for the queue (503 `unavailable` when it does not answer).

use crate::api::bearer::BearerAuth;
use crate::api::error::{ApiError, ApiResult};
use crate::api::{NoContent, Tag};
use crate::domain::{DomainError, kernel::page::MAX_LIMIT};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use jobs::job::DeadJob as Dead;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use std::time::Duration;
use uuid::Uuid;

/// Dead letters.
pub struct AdminJobsApi;

/// Which queue: `main` (everything but pushes) or `push`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[oai(rename_all = "lowercase")]
pub enum QueueName {
    #[default]
    Main,
    Push,
}

impl QueueName {
    fn as_str(self) -> &'static str {
        match self {
            QueueName::Main => crate::worker::QUEUE,
            QueueName::Push => crate::worker::PUSH_QUEUE,
        }
    }
}

/// The longest an administrator's request waits for the queue.
const QUEUE_WAIT: Duration = Duration::from_secs(3);

/// A job that failed for good.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DeadJob {
    pub id: Uuid,
    /// The queue it is in.
    pub queue: QueueName,
    /// Its handler, e.g. `push.send`.
    pub kind: String,
    /// Its payload (ids, never message text).
    pub payload: serde_json::Value,
    /// Runs it failed.
    pub attempts: u32,
    /// The last error.
    pub error: String,
    pub enqueued_at: DateTime<Utc>,
    pub failed_at: DateTime<Utc>,
}

impl DeadJob {
    fn of(queue: QueueName, d: Dead) -> Self {
        DeadJob {
            id: d.id,
            queue,
            kind: d.kind,
            payload: d.payload,
            attempts: d.attempts,
            error: d.error,
            enqueued_at: d.enqueued_at,
            failed_at: d.failed_at,
        }
    }
}

/// One page of dead jobs, newest first; pass `nextCursor` as `cursor` for the next.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DeadJobPage {
    pub items: Vec<DeadJob>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

/// A queue failure as an answer: a bad cursor is the caller's 400, anything else 503.
fn queue_error(e: jobs::queue::QueueError) -> ApiError {
    if matches!(e, jobs::queue::QueueError::InvalidCursor) {
        return DomainError::invalid("invalid_cursor", "the cursor is not one a page of this list gave").into();
    }
    DomainError::Unavailable { detail: format!("the job queue does not answer ({})", short(&e)).into() }.into()
}

/// Runs a queue call, giving up after [`QUEUE_WAIT`].
async fn bounded<T>(call: impl std::future::Future<Output = jobs::queue::QueueResult<T>>) -> ApiResult<T> {
    match tokio::time::timeout(QUEUE_WAIT, call).await {
        Ok(r) => r.map_err(queue_error),
        Err(_) => Err(DomainError::Unavailable { detail: "the job queue does not answer (timed out)".into() }.into()),
    }
}

/// Tries `call` on each queue until one finds the job.
async fn on_either<F, Fut>(state: &AppState, call: F) -> ApiResult<bool>
where
    F: Fn(jobs::SharedQueue) -> Fut,
    Fut: std::future::Future<Output = jobs::queue::QueueResult<bool>>,
{
    for q in state.jobs.queues() {
        if bounded(call(q.clone())).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn short(e: &jobs::queue::QueueError) -> &'static str {
    match e {
        jobs::queue::QueueError::Redis(_) => "redis",
        jobs::queue::QueueError::Db(_) => "database",
        jobs::queue::QueueError::Corrupt(_) => "corrupt entry",
        jobs::queue::QueueError::InvalidCursor => "invalid cursor",
    }
}

#[OpenApi(prefix_path = "/api/v1/admin/jobs/dead", tag = "Tag::Jobs")]
impl AdminJobsApi {
    /// Dead jobs, newest first (city administrators).
    #[oai(path = "/", method = "get", operation_id = "listDeadJobs")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(max_length = 64))] cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
        /// The queue to list (default `main`).
        queue: Query<Option<QueueName>>,
    ) -> ApiResult<Json<DeadJobPage>> {
        auth.0.actor().require_city_admin()?;
        let limit = match limit.0 {
            Some(0) => return Err(DomainError::validation("limit must be at least 1").into()),
            Some(n) => n.min(MAX_LIMIT),
            None => 20,
        };
        let name = queue.0.unwrap_or_default();
        let q = state.jobs.queue_named(name.as_str()).ok_or_else(|| DomainError::not_found("queue"))?;
        let page = bounded(q.dead(cursor.0.as_deref(), limit as usize)).await?;
        Ok(Json(DeadJobPage {
            items: page.items.into_iter().map(|d| DeadJob::of(name, d)).collect(),
            next_cursor: page.next,
        }))
    }

    /// Run a dead job again, with a fresh attempt count (city administrators).
    #[oai(path = "/:id/retry", method = "post", operation_id = "retryDeadJob")]
    async fn retry(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        auth.0.actor().require_city_admin()?;
        if !on_either(&state, |q| async move { q.retry_dead(id.0).await }).await? {
            return Err(DomainError::not_found("dead job").into());
        }
        tracing::info!(job_id = %id.0, by = %auth.0.user.id, "dead job retried");
        Ok(NoContent::NoContent)
    }

    /// Discard a dead job (city administrators).
    #[oai(path = "/:id", method = "delete", operation_id = "discardDeadJob")]
    async fn discard(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        auth.0.actor().require_city_admin()?;
        if !on_either(&state, |q| async move { q.discard_dead(id.0).await }).await? {
            return Err(DomainError::not_found("dead job").into());
        }
        tracing::info!(job_id = %id.0, by = %auth.0.user.id, "dead job discarded");
        Ok(NoContent::NoContent)
    }
}
