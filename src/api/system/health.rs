//! Liveness (`/healthz`), readiness (`/readyz`: the database answers; a Redis that does not is
//! reported as degraded, because requests still work without it) and metrics (`/metrics`,
//! Prometheus text: job counters, latency, queue depth, oldest pending age, dead letters, pushes,
//! the Redis circuit breaker).

use crate::api::Tag;
use crate::api::error::{ApiError, ApiResult};
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

/// Liveness and readiness probes.
pub struct HealthApi;

/// A probe's answer.
#[derive(Object)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Whether the instance can serve, and what it runs without.
#[derive(Object)]
pub struct Readiness {
    pub status: ReadyStatus,
    pub checks: ReadinessChecks,
}

/// `ok`, or `degraded` when the instance serves without a part (see `checks`).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum ReadyStatus {
    Ok,
    Degraded,
}

/// The state of a dependency: `ok`, `down`, or `absent` (not configured).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "lowercase")]
pub enum DependencyState {
    Ok,
    Down,
    Absent,
}

/// The state of each dependency.
#[derive(Object)]
pub struct ReadinessChecks {
    /// Always `ok` here: without the database the answer is 503.
    pub database: DependencyState,
    /// `down`: rate limits count per instance and jobs wait in the outbox until it returns;
    /// `absent`: the embedded setup (jobs in the database).
    pub redis: DependencyState,
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

    /// The process can serve: its database answers (else 503). A Redis that does not answer
    /// makes it `degraded`, not unready: requests are served without it.
    #[oai(path = "/readyz", method = "get", operation_id = "readyz")]
    async fn readyz(&self, state: Data<&AppState>) -> ApiResult<Json<Readiness>> {
        if !crate::db::ping(&state.db).await {
            return Err(ApiError::new(
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database does not answer",
            ));
        }
        let redis = match state.redis_up().await {
            None => DependencyState::Absent,
            Some(true) => DependencyState::Ok,
            Some(false) => DependencyState::Down,
        };
        let status = if redis == DependencyState::Down { ReadyStatus::Degraded } else { ReadyStatus::Ok };
        Ok(Json(Readiness { status, checks: ReadinessChecks { database: DependencyState::Ok, redis } }))
    }

    /// Job and push metrics, Prometheus text format.
    #[oai(path = "/metrics", method = "get", operation_id = "metrics")]
    async fn metrics(&self, state: Data<&AppState>) -> MetricsText {
        MetricsText::Ok(PlainText(crate::worker::metrics_text(&state).await))
    }
}
