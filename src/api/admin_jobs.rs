//! `/api/v1/admin/jobs/dead`: jobs that failed for good (after their last attempt, or with an
//! error retrying cannot fix). City administrators list them, retry them (with a fresh attempt
//! count) or discard them.

use super::{NoContent, Tag};
use crate::auth::BearerAuth;
use crate::domain::{DomainError, page::MAX_LIMIT};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use jobs::job::DeadJob as Dead;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Dead letters.
pub struct AdminJobsApi;

/// A job that failed for good.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DeadJob {
    pub id: Uuid,
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

impl From<Dead> for DeadJob {
    fn from(d: Dead) -> Self {
        DeadJob {
            id: d.id,
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

fn unavailable(e: jobs::queue::QueueError) -> ApiError {
    DomainError::Unavailable { detail: format!("the job queue does not answer ({})", short(&e)) }.into()
}

fn short(e: &jobs::queue::QueueError) -> &'static str {
    match e {
        jobs::queue::QueueError::Redis(_) => "redis",
        jobs::queue::QueueError::Db(_) => "database",
        jobs::queue::QueueError::Corrupt(_) => "corrupt entry",
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
    ) -> ApiResult<Json<DeadJobPage>> {
        auth.0.actor().require_city_admin()?;
        let limit = match limit.0 {
            Some(0) => return Err(DomainError::validation("limit must be at least 1").into()),
            Some(n) => n.min(MAX_LIMIT),
            None => 20,
        };
        let page = state.jobs.queue.dead(cursor.0.as_deref(), limit as usize).await.map_err(unavailable)?;
        Ok(Json(DeadJobPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next }))
    }

    /// Run a dead job again, with a fresh attempt count (city administrators).
    #[oai(path = "/:id/retry", method = "post", operation_id = "retryDeadJob")]
    async fn retry(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        auth.0.actor().require_city_admin()?;
        if !state.jobs.queue.retry_dead(id.0).await.map_err(unavailable)? {
            return Err(DomainError::not_found("dead job").into());
        }
        tracing::info!(job_id = %id.0, by = %auth.0.user.id, "dead job retried");
        Ok(NoContent::NoContent)
    }

    /// Discard a dead job (city administrators).
    #[oai(path = "/:id", method = "delete", operation_id = "discardDeadJob")]
    async fn discard(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        auth.0.actor().require_city_admin()?;
        if !state.jobs.queue.discard_dead(id.0).await.map_err(unavailable)? {
            return Err(DomainError::not_found("dead job").into());
        }
        tracing::info!(job_id = %id.0, by = %auth.0.user.id, "dead job discarded");
        Ok(NoContent::NoContent)
    }
}
