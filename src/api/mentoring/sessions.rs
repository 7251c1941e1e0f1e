//! Session logs (`/api/v1/mentoring/pairings/{id}/sessions`, `/api/v1/mentoring/sessions`): the
//! mentor logs a session, the mentee acknowledges or disputes it. Rules: `domain::mentoring`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::mentoring::{self, sessions::NewSession};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Mentoring session logs.
pub struct MentoringSessionsApi;

wire_enum! {
    /// How a session was held.
    MentoringSessionMode mirrors entity::mentoring_session::SessionMode {
        InPerson = "in_person",
        Phone = "phone",
        Online = "online",
        /// Together on a service task (`taskId` names it).
        OnTask = "on_task",
    }
}

wire_enum! {
    /// The mentee's answer to a log.
    MentoringSessionStatus mirrors entity::mentoring_session::SessionStatus {
        Pending = "pending",
        Acknowledged = "acknowledged",
        Disputed = "disputed",
    }
}

/// A session log.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringSession {
    pub id: Uuid,
    pub pairing_id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub held_at: DateTime<Utc>,
    pub minutes: i32,
    pub mode: MentoringSessionMode,
    pub task_id: Option<Uuid>,
    pub topics: Vec<String>,
    /// Visible to the pair and administrators in scope only.
    pub notes: Option<String>,
    pub status: MentoringSessionStatus,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub disputed_at: Option<DateTime<Utc>>,
    pub dispute_comment: Option<String>,
    /// The earlier log this one corrects.
    pub corrects_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::mentoring_session::Model> for MentoringSession {
    fn from(s: entity::mentoring_session::Model) -> Self {
        MentoringSession {
            topics: mentoring::sessions::topics_of(&s),
            id: s.id,
            pairing_id: s.pairing_id,
            mentor_id: s.mentor_id,
            mentee_id: s.mentee_id,
            held_at: s.held_at,
            minutes: s.minutes,
            mode: s.mode.into(),
            task_id: s.task_id,
            notes: s.notes,
            status: s.status.into(),
            acknowledged_at: s.acknowledged_at,
            disputed_at: s.disputed_at,
            dispute_comment: s.dispute_comment,
            corrects_id: s.corrects_id,
            created_at: s.created_at,
        }
    }
}

page_of!(MentoringSessionPage, MentoringSession);

/// A session to log.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogMentoringSessionRequest {
    /// When it took place (not in the future).
    pub held_at: DateTime<Utc>,
    /// 1 to 720.
    pub minutes: i32,
    pub mode: MentoringSessionMode,
    /// The task, for `on_task` sessions.
    pub task_id: Option<Uuid>,
    /// Topic tags.
    #[oai(validator(max_items = 10))]
    pub topics: Option<Vec<String>>,
    #[oai(validator(max_length = 2000))]
    pub notes: Option<String>,
    /// The earlier log of this pairing that this one corrects.
    pub corrects_id: Option<Uuid>,
}

/// A dispute.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisputeMentoringSessionRequest {
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub comment: String,
}

#[OpenApi(tag = "Tag::Mentoring")]
impl MentoringSessionsApi {
    /// Log a mentoring session (the mentor of an active pairing). The mentee is asked to
    /// acknowledge it and reminded once after three days.
    #[oai(path = "/api/v1/mentoring/pairings/:id/sessions", method = "post", operation_id = "logMentoringSession")]
    async fn log_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<LogMentoringSessionRequest>,
    ) -> ApiResult<Created<MentoringSession>> {
        let b = body.0;
        let input = NewSession {
            held_at: b.held_at,
            minutes: b.minutes,
            mode: b.mode.into(),
            task_id: b.task_id,
            topics: b.topics.unwrap_or_default(),
            notes: b.notes,
            corrects_id: b.corrects_id,
        };
        let s = mentoring::sessions::log_session(
            &state.db,
            &state.config.mentoring,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            input,
        )
        .await?;
        Ok(Created::Created(Json(s.into())))
    }

    /// A pairing's session logs, newest first (the pair, administrators in scope).
    #[oai(path = "/api/v1/mentoring/pairings/:id/sessions", method = "get", operation_id = "listMentoringSessions")]
    async fn list_sessions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<MentoringSessionPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(mentoring::sessions::list_sessions(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// One session log (the pair, administrators in scope).
    #[oai(path = "/api/v1/mentoring/sessions/:id", method = "get", operation_id = "getMentoringSession")]
    async fn get_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentoringSession>> {
        Ok(Json(mentoring::sessions::get_session(&state.db, &auth.0.actor(), id.0).await?.0.into()))
    }

    /// Acknowledge a session log (the mentee). Answered logs never change.
    #[oai(
        path = "/api/v1/mentoring/sessions/:id/acknowledge",
        method = "post",
        operation_id = "acknowledgeMentoringSession"
    )]
    async fn acknowledge(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentoringSession>> {
        Ok(Json(mentoring::sessions::answer(&state.db, &auth.0.actor(), state.clock.now(), id.0, None).await?.into()))
    }

    /// Dispute a session log with a comment (the mentee); the station administrators are told.
    #[oai(path = "/api/v1/mentoring/sessions/:id/dispute", method = "post", operation_id = "disputeMentoringSession")]
    async fn dispute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DisputeMentoringSessionRequest>,
    ) -> ApiResult<Json<MentoringSession>> {
        let comment = Some(body.0.comment);
        Ok(Json(
            mentoring::sessions::answer(&state.db, &auth.0.actor(), state.clock.now(), id.0, comment).await?.into(),
        ))
    }
}
