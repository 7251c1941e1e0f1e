//! Mentoring (社工+志愿者, 传帮带): pairings (`/api/v1/mentoring/pairings`), their goals, session
//! logs with the mentee's acknowledgement or dispute, the pair's message thread, one's own
//! mentoring overview (`/api/v1/me/mentoring`), mentoring records, the station administrator's
//! oversight and mentor suggestions. Rules: `domain::mentoring`, `domain::mentoring_threads`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::mentoring::threads;
use crate::domain::mentoring::{self, Goal, NewPairing, NewSession, PairStatus, PairingView};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Mentoring.
pub struct MentoringApi;

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

impl From<mentoring::GoalStatus> for PairingGoalStatus {
    fn from(s: mentoring::GoalStatus) -> Self {
        match s {
            mentoring::GoalStatus::Set => PairingGoalStatus::Set,
            mentoring::GoalStatus::InProgress => PairingGoalStatus::InProgress,
            mentoring::GoalStatus::Met => PairingGoalStatus::Met,
        }
    }
}

impl From<PairingGoalStatus> for mentoring::GoalStatus {
    fn from(s: PairingGoalStatus) -> Self {
        match s {
            PairingGoalStatus::Set => mentoring::GoalStatus::Set,
            PairingGoalStatus::InProgress => mentoring::GoalStatus::InProgress,
            PairingGoalStatus::Met => mentoring::GoalStatus::Met,
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
    mentoring::goals_of(p).into_iter().map(|g| PairingGoal { title: g.title, status: g.status.into() }).collect()
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
            topics: mentoring::topics_of(&s),
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

/// A graduation on someone's record.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringGraduation {
    pub pairing_id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub graduated_at: Option<DateTime<Utc>>,
}

/// A person's mentoring record, from acknowledged logs.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringRecord {
    pub person_id: Uuid,
    /// Sessions given as a mentor (supervision/mentoring).
    pub mentoring_sessions: i64,
    pub mentoring_minutes: i64,
    /// Sessions received as a mentee (training received).
    pub training_sessions: i64,
    pub training_minutes: i64,
    pub active_mentees: i32,
    pub graduations: Vec<MentoringGraduation>,
}

impl From<mentoring::Record> for MentoringRecord {
    fn from(r: mentoring::Record) -> Self {
        MentoringRecord {
            person_id: r.person_id,
            mentoring_sessions: r.mentoring_sessions,
            mentoring_minutes: r.mentoring_minutes,
            training_sessions: r.training_sessions,
            training_minutes: r.training_minutes,
            active_mentees: r.active_mentees,
            graduations: r
                .graduations
                .into_iter()
                .map(|p| MentoringGraduation {
                    pairing_id: p.id,
                    mentor_id: p.mentor_id,
                    mentee_id: p.mentee_id,
                    graduated_at: p.graduated_at,
                })
                .collect(),
        }
    }
}

/// An active pair and its contact.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringPairLine {
    pub pairing_id: Uuid,
    pub mentor_id: Uuid,
    pub mentor_name: String,
    pub mentee_id: Uuid,
    pub mentee_name: String,
    pub last_session_at: Option<DateTime<Utc>>,
    /// Whole days since the last session (since activation when there was none).
    pub days_since_last_session: i64,
    /// The latest of activation, the last session and the last message.
    pub last_contact_at: DateTime<Utc>,
    /// No contact for the configured number of days (default 14).
    pub no_contact: bool,
    pub graduated_at: Option<DateTime<Utc>>,
}

impl From<PairStatus> for MentoringPairLine {
    fn from(s: PairStatus) -> Self {
        MentoringPairLine {
            pairing_id: s.pairing.id,
            mentor_id: s.mentor.id,
            mentor_name: s.mentor.name,
            mentee_id: s.mentee.id,
            mentee_name: s.mentee.name,
            last_session_at: s.last_session_at,
            days_since_last_session: s.days_since_last_session,
            last_contact_at: s.last_contact_at,
            no_contact: s.no_contact,
            graduated_at: s.pairing.graduated_at,
        }
    }
}

/// One's own mentoring: record, active pairs, proposals awaiting one's answer, logs awaiting an
/// acknowledgement.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MyMentoring {
    pub record: MentoringRecord,
    pub pairs: Vec<MentoringPairLine>,
    pub proposals: Vec<PairingRef>,
    pub unanswered_logs: Vec<MentoringSession>,
}

/// One mentor's load.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentorLoadLine {
    pub mentor_id: Uuid,
    pub name: String,
    pub active_mentees: i32,
    /// The most active mentees allowed.
    pub capacity: u32,
}

/// What a station administrator oversees.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MentoringOversight {
    pub mentors: Vec<MentorLoadLine>,
    pub pairs: Vec<MentoringPairLine>,
    /// Active pairs without contact for `noContactDays`.
    pub pairs_without_contact: u64,
    /// Active pairs (ids) whose mentee had no session for `withoutSessionDays`.
    pub pairs_without_session: Vec<Uuid>,
    pub without_session_days: u32,
    pub no_contact_days: u32,
    pub acknowledged_logs: u64,
    pub disputed_logs: u64,
    pub pending_logs: u64,
    /// Disputed logs, newest first (at most 100).
    pub disputes: Vec<MentoringSession>,
    /// Station administrators in scope.
    pub supervisors: u64,
    /// Mentors with active pairs per supervisor.
    pub mentors_per_supervisor: f64,
    pub mentors_per_supervisor_limit: u32,
    pub over_ratio: bool,
}

/// One message of a pair's thread.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairMessage {
    pub id: Uuid,
    pub pairing_id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// When the recipient read it.
    pub read_at: Option<DateTime<Utc>>,
    /// Moves when it is read (what `since` compares with).
    pub updated_at: DateTime<Utc>,
}

impl From<entity::pair_message::Model> for PairMessage {
    fn from(m: entity::pair_message::Model) -> Self {
        PairMessage {
            id: m.id,
            pairing_id: m.pairing_id,
            sender_id: m.sender_id,
            recipient_id: m.recipient_id,
            body: m.body,
            sent_at: m.sent_at,
            read_at: m.read_at,
            updated_at: m.updated_at,
        }
    }
}

page_of!(PairMessagePage, PairMessage);

/// A message to send.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendPairMessageRequest {
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub body: String,
}

/// Which received messages to mark read.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkPairMessagesReadRequest {
    /// Up to and including this message; all when absent.
    pub up_to: Option<Uuid>,
}

/// How many messages changed.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairMessagesMarked {
    pub marked: u64,
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
impl MentoringApi {
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
        let p = mentoring::propose(&state.db, &state.config.mentoring, &actor, state.clock.now(), input).await?;
        Ok(Created::Created(Json(mentoring::get(&state.db, &actor, p.id).await?.into())))
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
        let filter = mentoring::Filter { status: status.0.map(Into::into) };
        Ok(Json(mentoring::list(&state.db, &auth.0.actor(), filter, page).await?.into()))
    }

    /// One pairing with its goals and progress (the pair, administrators in scope).
    #[oai(path = "/api/v1/mentoring/pairings/:id", method = "get", operation_id = "getPairing")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Pairing>> {
        Ok(Json(mentoring::get(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Accept a proposal (the mentor or the mentee). The last acceptance activates it, within
    /// the limits: 409 `mentor_at_capacity`, `mentee_has_mentor`.
    #[oai(path = "/api/v1/mentoring/pairings/:id/accept", method = "post", operation_id = "acceptPairing")]
    async fn accept(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Pairing>> {
        let actor = auth.0.actor();
        mentoring::respond(&state.db, &state.config.mentoring, &actor, state.clock.now(), id.0, true, None).await?;
        Ok(Json(mentoring::get(&state.db, &actor, id.0).await?.into()))
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
        mentoring::respond(&state.db, &state.config.mentoring, &actor, state.clock.now(), id.0, false, reason).await?;
        Ok(Json(mentoring::get(&state.db, &actor, id.0).await?.into()))
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
        mentoring::end(&state.db, &actor, state.clock.now(), id.0, &body.reason).await?;
        Ok(Json(mentoring::get(&state.db, &actor, id.0).await?.into()))
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
        mentoring::set_goals(&state.db, &actor, state.clock.now(), id.0, goals).await?;
        Ok(Json(mentoring::get(&state.db, &actor, id.0).await?.into()))
    }

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
        let s =
            mentoring::log_session(&state.db, &state.config.mentoring, &auth.0.actor(), state.clock.now(), id.0, input)
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
        Ok(Json(mentoring::list_sessions(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// One session log (the pair, administrators in scope).
    #[oai(path = "/api/v1/mentoring/sessions/:id", method = "get", operation_id = "getMentoringSession")]
    async fn get_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentoringSession>> {
        Ok(Json(mentoring::get_session(&state.db, &auth.0.actor(), id.0).await?.0.into()))
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
        Ok(Json(mentoring::answer(&state.db, &auth.0.actor(), state.clock.now(), id.0, None).await?.into()))
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
        Ok(Json(mentoring::answer(&state.db, &auth.0.actor(), state.clock.now(), id.0, comment).await?.into()))
    }

    /// One's own mentoring: record, active pairs with their last contact, proposals waiting for
    /// one's answer and logs waiting for an acknowledgement.
    #[oai(path = "/api/v1/me/mentoring", method = "get", operation_id = "getMyMentoring")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<MyMentoring>> {
        let d = mentoring::my_overview(&state.db, &state.config.mentoring, &auth.0.actor(), state.clock.now()).await?;
        Ok(Json(MyMentoring {
            record: d.record.into(),
            pairs: d.pairs.into_iter().map(Into::into).collect(),
            proposals: d.proposals.into_iter().map(Into::into).collect(),
            unanswered_logs: d.unanswered_logs.into_iter().map(Into::into).collect(),
        }))
    }

    /// A person's mentoring record: minutes given as a mentor and received as a mentee, and
    /// graduations (themselves, administrators in scope).
    #[oai(path = "/api/v1/users/:id/mentoring-record", method = "get", operation_id = "getMentoringRecord")]
    async fn record(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<MentoringRecord>> {
        Ok(Json(mentoring::record_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Oversight for administrators: mentors and their load, each active pair's last session
    /// and contact, pairs without contact, acknowledged and disputed logs, mentors per
    /// supervisor against the configured ratio.
    #[oai(path = "/api/v1/mentoring/oversight", method = "get", operation_id = "getMentoringOversight")]
    async fn oversight(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A unit within one's scope (default: the whole scope).
        #[oai(name = "unitId")]
        unit_id: Query<Option<Uuid>>,
        /// Pairs whose mentee had no session for this many days (default: the no-contact days).
        #[oai(name = "withoutSessionDays", validator(minimum(value = "1"), maximum(value = "365")))]
        without_session_days: Query<Option<u32>>,
    ) -> ApiResult<Json<MentoringOversight>> {
        let cfg = &state.config.mentoring;
        let days = without_session_days.0.unwrap_or(cfg.no_contact_days);
        let o = mentoring::oversight(&state.db, cfg, &auth.0.actor(), state.clock.now(), unit_id.0).await?;
        let mentors = o.mentors.len() as f64;
        let ratio = if o.supervisors == 0 { mentors } else { mentors / o.supervisors as f64 };
        Ok(Json(MentoringOversight {
            mentors: o
                .mentors
                .into_iter()
                .map(|m| MentorLoadLine {
                    mentor_id: m.mentor.id,
                    name: m.mentor.name,
                    active_mentees: m.active_mentees,
                    capacity: o.max_mentees,
                })
                .collect(),
            pairs_without_contact: o.pairs.iter().filter(|p| p.no_contact).count() as u64,
            pairs_without_session: o
                .pairs
                .iter()
                .filter(|p| p.days_since_last_session >= i64::from(days))
                .map(|p| p.pairing.id)
                .collect(),
            without_session_days: days,
            pairs: o.pairs.into_iter().map(Into::into).collect(),
            no_contact_days: o.no_contact_days,
            acknowledged_logs: o.acknowledged_logs,
            disputed_logs: o.disputed_logs,
            pending_logs: o.pending_logs,
            disputes: o.disputes.into_iter().map(Into::into).collect(),
            supervisors: o.supervisors,
            mentors_per_supervisor: ratio,
            mentors_per_supervisor_limit: o.mentors_per_supervisor_limit,
            over_ratio: ratio > f64::from(o.mentors_per_supervisor_limit),
        }))
    }

    /// Write to the other side of an active pair. The other side gets an inbox item and a push
    /// (collapsed per thread) that says who wrote, never what.
    #[oai(path = "/api/v1/mentoring/pairings/:id/messages", method = "post", operation_id = "sendPairMessage")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<SendPairMessageRequest>,
    ) -> ApiResult<Created<PairMessage>> {
        let m = threads::send(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.body).await?;
        Ok(Created::Created(Json(m.into())))
    }

    /// A pair's thread, newest first (the pair, administrators in scope). With `since`, only
    /// messages sent or read after that instant (delta sync).
    #[oai(path = "/api/v1/mentoring/pairings/:id/messages", method = "get", operation_id = "listPairMessages")]
    async fn messages(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        since: Query<Option<DateTime<Utc>>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PairMessagePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(threads::list(&state.db, &auth.0.actor(), id.0, since.0, page).await?.into()))
    }

    /// Mark the messages one received in a thread read, up to a message (the pair).
    #[oai(
        path = "/api/v1/mentoring/pairings/:id/messages/read",
        method = "post",
        operation_id = "markPairMessagesRead"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MarkPairMessagesReadRequest>,
    ) -> ApiResult<Json<PairMessagesMarked>> {
        let n = threads::mark_read(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.up_to).await?;
        Ok(Json(PairMessagesMarked { marked: n }))
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
        let found = mentoring::suggestions(&state.db, cfg, &auth.0.actor(), volunteer_id.0, limit).await?;
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
