//! Mentoring as a whole: one's own mentoring (`/api/v1/me/mentoring`), a person's mentoring
//! record (`/api/v1/users/{id}/mentoring-record`) and what station administrators oversee
//! (`/api/v1/mentoring/oversight`). Rules: `domain::mentoring`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::mentoring::pairings::PairingRef;
use crate::api::mentoring::sessions::MentoringSession;
use crate::domain::mentoring::{self, oversight::PairStatus};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Mentoring records and oversight.
pub struct MentoringOversightApi;

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

impl From<mentoring::records::Record> for MentoringRecord {
    fn from(r: mentoring::records::Record) -> Self {
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

#[OpenApi(tag = "Tag::Mentoring")]
impl MentoringOversightApi {
    /// One's own mentoring: record, active pairs with their last contact, proposals waiting for
    /// one's answer and logs waiting for an acknowledgement.
    #[oai(path = "/api/v1/me/mentoring", method = "get", operation_id = "getMyMentoring")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<MyMentoring>> {
        let d =
            mentoring::oversight::my_overview(&state.db, &state.config.mentoring, &auth.0.actor(), state.clock.now())
                .await?;
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
        Ok(Json(mentoring::records::record_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
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
        let o = mentoring::oversight::oversight(&state.db, cfg, &auth.0.actor(), state.clock.now(), unit_id.0).await?;
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
}
