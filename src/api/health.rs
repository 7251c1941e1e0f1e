//! Liveness (`/healthz`), readiness (`/readyz`: the database answers) and metrics (`/metrics`,
//! Prometheus text: job counters, latency, queue depth, oldest pending age, dead letters, pushes).

use super::Tag;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

/// Liveness and readiness probes.
pub struct HealthApi;

/// A probe's answer.
#[derive(Object)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Metrics in the Prometheus text exposition format.
#[derive(ApiResponse)]
pub enum MetricsText {
    /// The metrics.
    #[oai(status = 200, content_type = "text/plain; version=0.0.4")]
    Ok(PlainText<String>),
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

    /// Job and push metrics, Prometheus text format.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self, state: Data<&AppState>) -> MetricsText {
        MetricsText::Ok(PlainText(state.jobs.metrics_text().await))
    }
}
