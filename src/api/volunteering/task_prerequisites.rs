//! What a task requires of those who sign up (`/api/v1/tasks/{id}/prerequisites`): reading it
//! and setting it. The wire types are talent's (`api::talent::training::Prerequisites`), shared
//! with course prerequisites; rules: `domain::talent::prerequisites`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::talent::training::Prerequisites;
use crate::domain::talent::prerequisites::{self, Subject};
use crate::domain::volunteering::tasks;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{OpenApi, payload::Json};
use uuid::Uuid;

/// Prerequisites of tasks.
pub struct TaskPrerequisitesApi;

#[OpenApi(tag = "Tag::Training")]
impl TaskPrerequisitesApi {
    /// What a task requires of those who sign up (anyone who may see the task).
    #[oai(path = "/api/v1/tasks/:id/prerequisites", method = "get", operation_id = "getTaskPrerequisites")]
    async fn task_prerequisites(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Prerequisites>> {
        tasks::get_visible(&state.db, &auth.0.actor(), id.0).await?;
        Ok(Json(Prerequisites::from_domain(prerequisites::of(&state.db, Subject::Task(id.0)).await?)))
    }

    /// Set what a task requires (its organisers): sign-up refuses whoever lacks it with 409
    /// `prerequisite_missing`.
    #[oai(path = "/api/v1/tasks/:id/prerequisites", method = "put", operation_id = "setTaskPrerequisites")]
    async fn set_task_prerequisites(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Prerequisites>,
    ) -> ApiResult<Json<Prerequisites>> {
        let reqs = body.0.into_domain()?;
        let set = tasks::set_prerequisites(&state.db, &auth.0.actor(), state.clock.now(), id.0, reqs).await?;
        Ok(Json(Prerequisites::from_domain(set)))
    }
}
