//! Pairings (`/api/v1/mentoring/pairings`): proposing, listing, reading, accepting, declining
//! and ending a pairing, setting its goals, and suggesting mentors for a volunteer
//! (`/api/v1/mentoring/suggestions`). Rules: `domain::mentoring`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::mentoring::{self, pairings::NewPairing, pairings::PairingView, progress::Goal};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Mentoring pairings.
pub struct PairingsApi;

wire_enum! {
    /// Where a pairing stands.
    PairingStatus mirrors entity::mentoring_pairing::PairingStatus {
        /// Waiting for the other side (both sides, when an administrator proposed it).
        Proposed = "proposed",
        Active = "active",
        /// Ended with a reason; kept as history.
        Ended = "ended",
        Declined = "declined",
    }
}

/// Where a goal stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairingGoalStatus {
    #[oai(rename = "set")]
    Set,
    #[oai(rename = "in_progress")]
    InProgress,
    #[oai(rename = "met")]
    Met,
}

impl From<mentoring::progress::GoalStatus> for PairingGoalStatus {
    fn from(s: mentoring::progress::GoalStatus) -> Self {
        match s {
            mentoring::progress::GoalStatus::Set => PairingGoalStatus::Set,
            mentoring::progress::GoalStatus::InProgress => PairingGoalStatus::InProgress,
            mentoring::progress::GoalStatus::Met => PairingGoalStatus::Met,
        }
    }
}

impl From<PairingGoalStatus> for mentoring::progress::GoalStatus {
    fn from(s: PairingGoalStatus) -> Self {
        match s {
            PairingGoalStatus::Set => mentoring::progress::GoalStatus::Set,
            PairingGoalStatus::InProgress => mentoring::progress::GoalStatus::InProgress,
            PairingGoalStatus::Met => mentoring::progress::GoalStatus::Met,
        }
    }
}

/// One goal of a pairing.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct PairingGoal {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub title: String,
    pub status: PairingGoalStatus,
}

/// How far a pairing is towards graduation.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairingProgress {
    /// Acknowledged session logs (an acknowledged correction replaces the log it corrects).
    pub acknowledged_sessions: i64,
    pub session_minutes: i64,
    /// The mentee's approved service minutes since the pairing became active.
    pub service_minutes: i64,
    pub last_session_at: Option<DateTime<Utc>>,
    /// The bar: acknowledged sessions needed.
    pub graduation_sessions: i32,
    /// The bar: approved service minutes needed.
    pub graduation_minutes: i32,
}

/// A mentoring pairing.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Pairing {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub status: PairingStatus,
    pub proposed_by: Uuid,
    pub mentor_accepted_at: Option<DateTime<Utc>>,
    pub mentee_accepted_at: Option<DateTime<Utc>>,
    pub goals: Vec<PairingGoal>,
    pub progress: PairingProgress,
    /// When the graduation bar was met (recorded once).
    pub graduated_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<Uuid>,
    /// Why it ended or was declined.
    pub end_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn goals(p: &entity::mentoring_pairing::Model) -> Vec<PairingGoal> {
    mentoring::progress::goals_of(p)
        .into_iter()
        .map(|g| PairingGoal { title: g.title, status: g.status.into() })
        .collect()
}

impl From<PairingView> for Pairing {
    fn from(v: PairingView) -> Self {
        let p = v.pairing;
        Pairing {
            goals: goals(&p),
            progress: PairingProgress {
                acknowledged_sessions: v.progress.acknowledged_sessions,
                session_minutes: v.progress.session_minutes,
                service_minutes: v.progress.service_minutes,
                last_session_at: v.progress.last_session_at,
                graduation_sessions: p.graduation_sessions,
                graduation_minutes: p.graduation_minutes,
            },
            id: p.id,
            mentor_id: p.mentor_id,
            mentor_name: v.mentor.name,
            mentee_id: p.mentee_id,
            mentee_name: v.mentee.name,
            status: p.status.into(),
            proposed_by: p.proposed_by,
            mentor_accepted_at: p.mentor_accepted_at,
            mentee_accepted_at: p.mentee_accepted_at,
            graduated_at: p.graduated_at,
            activated_at: p.activated_at,
            ended_at: p.ended_at,
            ended_by: p.ended_by,
            end_reason: p.end_reason,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A pairing in brief.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairingRef {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub status: PairingStatus,
    pub proposed_by: Uuid,
    pub graduated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::mentoring_pairing::Model> for PairingRef {
    fn from(p: entity::mentoring_pairing::Model) -> Self {
        PairingRef {
            id: p.id,
            mentor_id: p.mentor_id,
            mentee_id: p.mentee_id,
            status: p.status.into(),
            proposed_by: p.proposed_by,
            graduated_at: p.graduated_at,
            created_at: p.created_at,
        }
    }
}

page_of!(PairingPage, Pairing);

/// A proposal.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposePairingRequest {
    /// A social worker (a social worker proposing names themselves).
    pub mentor_id: Uuid,
    /// A volunteer.
    pub mentee_id: Uuid,
    /// Goals to start with (status `set`).
    #[oai(validator(max_items = 10))]
    pub goals: Option<Vec<String>>,
}

/// Why, optionally.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclinePairingRequest {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// Why a pairing ends.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndPairingRequest {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// The goals, replacing the previous list.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct PairingGoalsRequest {
    #[oai(validator(max_items = 10))]
    pub goals: Vec<PairingGoal>,
}

/// A social worker who could mentor a volunteer, and why.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentorSuggestion {
    pub mentor_id: Uuid,
    pub name: String,
    pub active_mentees: i32,
    pub free_places: i32,
    pub shared_skills: Vec<String>,
    /// Why this mentor is suggested, most important first.
    pub reasons: Vec<String>,
}

/// Ranked suggestions, best first.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentorSuggestions {
    pub items: Vec<MentorSuggestion>,
}

#[OpenApi(tag = "Tag::Mentoring")]
impl PairingsApi {
    /// Propose a pairing of a social worker (mentor) and a volunteer (mentee): a station
    /// administrator for people in scope, a city administrator across stations, or a social
    /// worker for themselves. The other side accepts (both sides, when an administrator
    /// proposed).
    #[oai(path = "/api/v1/mentoring/pairings", method = "post", operation_id = "proposePairing")]
    async fn propose(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ProposePairingRequest>,
    ) -> ApiResult<Created<Pairing>> {
        let b = body.0;
        let input = NewPairing { mentor_id: b.mentor_id, mentee_id: b.mentee_id, goals: b.goals.unwrap_or_default() };
        let actor = auth.0.actor();
        let p =
            mentoring::pairings::propose(&state.db, &state.config.mentoring, &actor, state.clock.now(), input).await?;
        Ok(Created::Created(Json(mentoring::pairings::get(&state.db, &actor, p.id).await?.into())))
    }

    /// Pairings: one's own (as mentor or mentee), or, for administrators, those with the mentor
    /// or mentee in scope. Newest first.
    #[oai(path = "/api/v1/mentoring/pairings", method = "get", operation_id = "listPairings")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<PairingStatus>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PairingPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter = mentoring::pairings::Filter { status: status.0.map(Into::into) };
        Ok(Json(mentoring::pairings::list(&state.db, &auth.0.actor(), filter, page).await?.into()))
    }

    /// One pairing with its goals and progress (the pair, administrators in scope).
    #[oai(path = "/api/v1/mentoring/pairings/:id", method = "get", operation_id = "getPairing")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Pairing>> {
        Ok(Json(mentoring::pairings::get(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Accept a proposal (the mentor or the mentee). The last acceptance activates it, within
    /// the limits: 409 `mentor_at_capacity`, `mentee_has_mentor`.
    #[oai(path = "/api/v1/mentoring/pairings/:id/accept", method = "post", operation_id = "acceptPairing")]
    async fn accept(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Pairing>> {
        let actor = auth.0.actor();
        mentoring::pairings::respond(&state.db, &state.config.mentoring, &actor, state.clock.now(), id.0, true, None)
            .await?;
        Ok(Json(mentoring::pairings::get(&state.db, &actor, id.0).await?.into()))
    }

    /// Decline a proposal (the mentor or the mentee), optionally saying why.
    #[oai(path = "/api/v1/mentoring/pairings/:id/decline", method = "post", operation_id = "declinePairing")]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DeclinePairingRequest>,
    ) -> ApiResult<Json<Pairing>> {
        let actor = auth.0.actor();
        let reason = body.0.reason;
        mentoring::pairings::respond(
            &state.db,
            &state.config.mentoring,
            &actor,
            state.clock.now(),
            id.0,
            false,
            reason,
        )
        .await?;
        Ok(Json(mentoring::pairings::get(&state.db, &actor, id.0).await?.into()))
    }

    /// End an active pairing with a reason (either side, or an administrator in scope). Its
    /// history stays; its thread becomes read-only. A proposal still waiting is withdrawn
    /// (`declined`).
    #[oai(path = "/api/v1/mentoring/pairings/:id/end", method = "post", operation_id = "endPairing")]
    async fn end(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<EndPairingRequest>,
    ) -> ApiResult<Json<Pairing>> {
        let actor = auth.0.actor();
        mentoring::pairings::end(&state.db, &actor, state.clock.now(), id.0, &body.reason).await?;
        Ok(Json(mentoring::pairings::get(&state.db, &actor, id.0).await?.into()))
    }

    /// Replace the pairing's goals (the mentor).
    #[oai(path = "/api/v1/mentoring/pairings/:id/goals", method = "put", operation_id = "setPairingGoals")]
    async fn set_goals(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<PairingGoalsRequest>,
    ) -> ApiResult<Json<Pairing>> {
        let actor = auth.0.actor();
        let goals = body.0.goals.into_iter().map(|g| Goal { title: g.title, status: g.status.into() }).collect();
        mentoring::progress::set_goals(&state.db, &actor, state.clock.now(), id.0, goals).await?;
        Ok(Json(mentoring::pairings::get(&state.db, &actor, id.0).await?.into()))
    }

    /// Social workers who could mentor a volunteer (administrators in scope): same station
    /// subtree, a free place, most shared skills first, then fewest current mentees; each with
    /// its reasons.
    #[oai(path = "/api/v1/mentoring/suggestions", method = "get", operation_id = "suggestMentors")]
    async fn suggestions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "volunteerId")] volunteer_id: Query<Uuid>,
        /// How many, default 10, at most 50.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<MentorSuggestions>> {
        let limit = limit.0.unwrap_or(10).clamp(1, 50) as usize;
        let cfg = &state.config.mentoring;
        let found = mentoring::suggestions::suggestions(
            &state.db,
            cfg,
            &auth.0.actor(),
            state.clock.now(),
            volunteer_id.0,
            limit,
        )
        .await?;
        Ok(Json(MentorSuggestions {
            items: found
                .into_iter()
                .map(|s| MentorSuggestion {
                    mentor_id: s.mentor.id,
                    name: s.mentor.name,
                    active_mentees: s.active_mentees,
                    free_places: s.free_places,
                    shared_skills: s.shared_skills,
                    reasons: s.reasons,
                })
                .collect(),
        }))
    }
}
