//! Who may organise courses (`/api/v1/users/{id}/course-organiser`): an administrator allows
//! (or stops allowing) a social worker in scope to create courses and schedule sessions. Rules:
//! `domain::talent::training`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::domain::talent::training;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Course organisers among people.
pub struct CourseOrganisersApi;

/// Whether a person may create courses.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CourseOrganiser {
    pub allowed: bool,
}

#[OpenApi(tag = "Tag::Training")]
impl CourseOrganisersApi {
    /// Allow (or stop allowing) a social worker in one's scope to create courses and schedule
    /// sessions within their station (administrators; never oneself).
    #[oai(path = "/api/v1/users/:id/course-organiser", method = "put", operation_id = "allowCourseOrganiser")]
    async fn allow_organiser(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CourseOrganiser>,
    ) -> ApiResult<Json<CourseOrganiser>> {
        let allowed =
            training::allow_course_organiser(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.allowed).await?;
        Ok(Json(CourseOrganiser { allowed }))
    }
}
