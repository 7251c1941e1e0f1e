//! One's learning ledger and continuing-education progress (`/api/v1/me/training`,
//! `/api/v1/me/learning`), external training claims and their review (`/api/v1/learning/...`), and
//! the report of people behind their CE requirement. Rules: `domain::talent::learning`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{QualificationLevel, page_of, wire_enum};
use crate::domain::kernel::page::PageRequest;
use crate::domain::talent::learning::{self, ExternalClaim, Standing};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The learning ledger and continuing education.
pub struct LearningApi;

wire_enum! {
    /// Where a learning entry came from.
    LearningSource mirrors entity::learning_entry::LearningSource {
        Course = "course",
        External = "external",
        Degree = "degree",
    }
}

wire_enum! {
    /// Whether a learning entry counts.
    LearningStatus mirrors entity::learning_entry::LearningStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

page_of!(LearningEntryPage, LearningEntry);

/// A learning ledger entry.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct LearningEntry {
    pub id: Uuid,
    pub person_id: Uuid,
    pub source: LearningSource,
    pub course_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub title: String,
    pub minutes: i32,
    pub counts_as_ce: bool,
    pub status: LearningStatus,
    pub completed_on: NaiveDate,
    /// Evidence of external training (the person and administrators only).
    pub evidence_ref: Option<String>,
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::learning_entry::Model> for LearningEntry {
    fn from(e: entity::learning_entry::Model) -> Self {
        LearningEntry {
            id: e.id,
            person_id: e.person_id,
            source: e.source.into(),
            course_id: e.course_id,
            session_id: e.session_id,
            title: e.title,
            minutes: e.minutes,
            counts_as_ce: e.counts_as_ce,
            status: e.status.into(),
            completed_on: e.completed_on,
            evidence_ref: e.evidence_ref,
            reason: e.reason,
            decided_at: e.decided_at,
            created_at: e.created_at,
        }
    }
}

/// Continuing-education progress for the current registration period.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TrainingProgress {
    /// The person's qualification level (highest verified, unexpired).
    pub level: Option<QualificationLevel>,
    /// The current registration period (absent without a level).
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub required_hours: f64,
    pub completed_hours: f64,
    /// Claimed and not yet decided.
    pub pending_hours: f64,
    pub missing_hours: f64,
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 10.0).round() / 10.0
}

impl From<Standing> for TrainingProgress {
    fn from(s: Standing) -> Self {
        TrainingProgress {
            level: s.level.map(Into::into),
            period_start: s.period.map(|p| p.0),
            period_end: s.period.map(|p| p.1),
            required_hours: hours(s.progress.required_minutes),
            completed_hours: hours(s.progress.completed_minutes),
            pending_hours: hours(s.progress.pending_minutes),
            missing_hours: hours(s.progress.shortfall()),
        }
    }
}

/// A person behind their CE requirement.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CeShortfall {
    pub person_id: Uuid,
    pub name: String,
    pub org_unit_id: Option<Uuid>,
    pub progress: TrainingProgress,
}

/// External training (or a social-work degree) claimed.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainingClaimRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    /// Ignored for a degree (it counts as the configured hours).
    #[oai(validator(minimum(value = "0"), maximum(value = "12000")))]
    pub minutes: i32,
    pub completed_on: NaiveDate,
    pub counts_as_ce: bool,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub evidence_ref: String,
    /// A social-work degree earned (counts once per period).
    pub degree: Option<bool>,
}

/// An administrator's decision on a claim.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimDecision {
    pub approve: bool,
    /// Required to reject.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

#[OpenApi(tag = "Tag::Training")]
impl LearningApi {
    /// One's continuing-education progress in the current registration period: completed,
    /// pending and required hours.
    #[oai(path = "/api/v1/me/training", method = "get", operation_id = "getMyTraining")]
    async fn my_training(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<TrainingProgress>> {
        let s = learning::standing(&state.db, &state.config.talent, &auth.0.user, state.clock.now()).await?;
        Ok(Json(s.into()))
    }

    /// One's learning ledger, newest first.
    #[oai(path = "/api/v1/me/learning", method = "get", operation_id = "listMyLearning")]
    async fn my_learning(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<LearningEntryPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(learning::my_entries(&state.db, &auth.0.actor(), page).await?.into()))
    }

    /// Claim external training (or a social-work degree) with evidence; an administrator decides.
    #[oai(path = "/api/v1/me/learning/claims", method = "post", operation_id = "claimTraining")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<TrainingClaimRequest>,
    ) -> ApiResult<crate::api::Created<LearningEntry>> {
        let b = body.0;
        let c = ExternalClaim {
            title: b.title,
            minutes: b.minutes,
            completed_on: b.completed_on,
            counts_as_ce: b.counts_as_ce,
            evidence_ref: b.evidence_ref,
            degree: b.degree.unwrap_or(false),
        };
        let e = learning::claim(&state.db, &state.config.talent, &auth.0.actor(), state.clock.now(), c).await?;
        Ok(crate::api::Created::Created(Json(e.into())))
    }

    /// Pending training claims of people in one's scope, oldest first (administrators).
    #[oai(path = "/api/v1/learning/claims", method = "get", operation_id = "listTrainingClaims")]
    async fn claims(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<LearningEntryPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(learning::claims_for_review(&state.db, &auth.0.actor(), page).await?.into()))
    }

    /// Approve or reject a training claim (administrators in scope; never one's own).
    #[oai(path = "/api/v1/learning/:id/decision", method = "post", operation_id = "decideTrainingClaim")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ClaimDecision>,
    ) -> ApiResult<Json<LearningEntry>> {
        let b = body.0;
        let e =
            learning::decide_claim(&state.db, &auth.0.actor(), state.clock.now(), id.0, b.approve, b.reason).await?;
        Ok(Json(e.into()))
    }

    /// People in one's scope behind their continuing-education requirement, largest shortfall
    /// first (administrators; at most 500).
    #[oai(path = "/api/v1/training/ce-report", method = "get", operation_id = "getCeReport")]
    async fn report(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<CeShortfall>>> {
        let rows =
            learning::behind_report(&state.db, &state.config.talent, &auth.0.actor(), state.clock.now(), 500).await?;
        Ok(Json(
            rows.into_iter()
                .map(|b| CeShortfall {
                    person_id: b.person.id,
                    name: b.person.name,
                    org_unit_id: b.person.org_unit_id,
                    progress: b.standing.into(),
                })
                .collect(),
        ))
    }
}
