//! Attendance that proves presence: the personal code a volunteer's phone shows
//! (`/api/v1/signups/{id}/presence-code`), the leader's scan of it
//! (`/api/v1/tasks/{id}/scans`, strict mode), and the organisers' confirmation of attendance a
//! leader who is not staff recorded by hand (`/api/v1/tasks/{id}/manual-attendance`,
//! `/api/v1/manual-attendance/{id}/decision`). Rules: `domain::presence`,
//! `domain::manual_attendance`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{ManualAttendanceStatus, page_of};
use crate::api::volunteering::hours::HoursEntry;
use crate::api::volunteering::signups::AttendanceAction;
use crate::api::volunteering::tasks::{Attendance, CheckInCode, position};
use crate::domain::kernel::page::PageRequest;
use crate::domain::volunteering::manual_attendance;
use crate::domain::volunteering::presence::{self, Scan, ScanAction};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Personal codes, scans and the confirmation of attendance recorded by hand.
pub struct PresenceApi;

/// Which end of a stay a scan records.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanKind {
    #[oai(rename = "check_in")]
    CheckIn,
    #[oai(rename = "check_out")]
    CheckOut,
}

/// A volunteer's personal code as the leader's phone read it, and where that phone is.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScanRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub code: String,
    pub action: ScanKind,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
}

/// What a scan recorded: the stay, and once it is closed its hours entry (pending; flagged when
/// the leader's phone was beyond the check-in radius).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ScanResult {
    pub attendance: Attendance,
    pub hours: Option<HoursEntry>,
}

/// Attendance a task's leader who is not staff recorded by hand, and what became of it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ManualAttendance {
    pub id: Uuid,
    pub signup_id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub action: AttendanceAction,
    /// When the leader says it happened.
    pub at: DateTime<Utc>,
    pub reason: String,
    pub recorded_by: Uuid,
    pub status: ManualAttendanceStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::manual_attendance::Model> for ManualAttendance {
    fn from(m: entity::manual_attendance::Model) -> Self {
        ManualAttendance {
            id: m.id,
            signup_id: m.signup_id,
            task_id: m.task_id,
            volunteer_id: m.volunteer_id,
            action: m.action.into(),
            at: m.at,
            reason: m.reason,
            recorded_by: m.recorded_by,
            status: m.status.into(),
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_reason: m.decision_reason,
            created_at: m.created_at,
        }
    }
}

page_of!(ManualAttendancePage, ManualAttendance);

/// An organiser's decision on attendance recorded by hand.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManualAttendanceDecision {
    /// `true` applies the record as the leader made it; `false` rejects it.
    pub confirm: bool,
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

#[OpenApi(tag = "Tag::Tasks")]
impl PresenceApi {
    /// One's personal check-in code for one's own confirmed sign-up, to show as a QR code to the
    /// task's leader (strict mode). Valid for about a minute; fetch a new one when it expires.
    #[oai(path = "/api/v1/signups/:id/presence-code", method = "get", operation_id = "getPresenceCode")]
    async fn presence_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<CheckInCode>> {
        let (code, expires_at) =
            presence::personal_code(&state.db, &state.check_in_codes, &auth.0.actor(), state.clock.now(), id.0).await?;
        Ok(Json(CheckInCode { code, expires_at }))
    }

    /// Scan a volunteer's personal code to check them in or out (leader and organisers; never
    /// one's own). A position beyond the check-in radius is recorded and flags the stay's hours
    /// for review.
    #[oai(path = "/api/v1/tasks/:id/scans", method = "post", operation_id = "scanPresenceCode")]
    async fn scan(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ScanRequest>,
    ) -> ApiResult<Json<ScanResult>> {
        let action = match body.action {
            ScanKind::CheckIn => ScanAction::CheckIn,
            ScanKind::CheckOut => ScanAction::CheckOut,
        };
        let scan = Scan { code: &body.code, action, position: position(body.lat, body.lng)? };
        let r =
            presence::scan(&state.db, &state.check_in_codes, &auth.0.actor(), state.clock.now(), id.0, scan).await?;
        Ok(Json(ScanResult { attendance: r.attendance.into(), hours: r.hours.map(Into::into) }))
    }

    /// Attendance on a task recorded by hand by a leader who is not staff and awaiting
    /// confirmation, oldest first (the task's organisers).
    #[oai(path = "/api/v1/tasks/:id/manual-attendance", method = "get", operation_id = "listPendingAttendance")]
    async fn pending(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ManualAttendancePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(manual_attendance::list_pending(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// Confirm (apply) or reject attendance a leader who is not staff recorded by hand (the
    /// task's organisers; never for oneself). Decided once.
    #[oai(path = "/api/v1/manual-attendance/:id/decision", method = "post", operation_id = "decideManualAttendance")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ManualAttendanceDecision>,
    ) -> ApiResult<Json<ManualAttendance>> {
        let m = manual_attendance::decide(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            body.confirm,
            body.reason.as_deref(),
        )
        .await?;
        Ok(Json(m.into()))
    }
}
