//! Liveness (`/healthz`) and readiness (`/readyz`: the database answers).

use super::Tag;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

/// Liveness and readiness probes.
pub struct HealthApi;

/// A probe's answer.
#[derive(Object)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

#[OpenApi(tag = "Tag::System")]
impl HealthApi {
    /// The process is up.
    #[oai(path = "/healthz", method = "get", operation_id = "healthz")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health { status: "ok".into() })
    }

    /// The process can serve: its database answers, and Redis too when configured.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ApiResult<Json<Health>> {
        let unavailable = |what| Err(ApiError::new(poem::http::StatusCode::SERVICE_UNAVAILABLE, "unavailable", what));
        if !crate::db::ping(&state.db).await {
            return unavailable("the database does not answer");
        }
        if !state.redis_ready().await {
            return unavailable("Redis does not answer");
        }
        Ok(Json(Health { status: "ok".into() }))
    }
}
