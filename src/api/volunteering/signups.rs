//! Sign-ups: `POST /api/v1/tasks/{id}/signups` takes a seat or a waitlist place; volunteers see
//! and cancel their own (`/api/v1/me/signups`, `/api/v1/signups/{id}/cancel`) and answer the
//! day-before reminder; organisers see the roster, approve or deny managed sign-ups, remove
//! people and record attendance by hand. Rules: `domain::signups`, `domain::attendance`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::csv::{self, CsvFile};
use crate::api::error::ApiResult;
use crate::api::optional_body::OptionalJson;
use crate::api::types::{SignupStatus, page_of};
use crate::api::volunteering::presence::ManualAttendance;
use crate::api::volunteering::tasks::{ReasonRequest, Task};
use crate::domain::kernel::page::PageRequest;
use crate::domain::people::phone;
use crate::domain::volunteering::manual_attendance::{self, Recorded};
use crate::domain::volunteering::signups::{self, MySignup, RosterLine};
use crate::domain::volunteering::tasks::TaskView;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Sign-ups and attendance.
pub struct SignupsApi;

/// A sign-up.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Signup {
    pub id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub status: SignupStatus,
    /// Place in line on the waitlist while waitlisted: 1 is next to be promoted, and it moves
    /// up as those ahead are promoted or leave.
    pub position: Option<i32>,
    /// Cancelled after the task's cut-off.
    pub late_cancellation: bool,
    pub no_show: bool,
    pub reason: Option<String>,
    /// When the volunteer confirmed they will come.
    pub confirmed_attendance_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<entity::signup::Model> for Signup {
    fn from(s: entity::signup::Model) -> Self {
        Signup {
            id: s.id,
            task_id: s.task_id,
            volunteer_id: s.volunteer_id,
            status: s.status.into(),
            position: s.position,
            late_cancellation: s.late_cancellation,
            no_show: s.no_show,
            reason: s.reason,
            confirmed_attendance_at: s.confirmed_attendance_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// One line of a task's roster.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct RosterEntry {
    pub signup: Signup,
    pub name: String,
    pub volunteer_number: String,
    /// Masked; the app calls through the platform, not by number.
    pub phone: String,
}

impl From<RosterLine> for RosterEntry {
    fn from(l: RosterLine) -> Self {
        RosterEntry {
            name: l.volunteer.name,
            volunteer_number: l.volunteer.volunteer_number,
            phone: phone::mask(&l.volunteer.phone),
            signup: l.signup.into(),
        }
    }
}

/// One of one's own sign-ups, with its task.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MySignupItem {
    pub signup: Signup,
    pub task: Task,
}

impl From<MySignup> for MySignupItem {
    fn from(m: MySignup) -> Self {
        MySignupItem {
            signup: m.signup.into(),
            task: TaskView { task: m.task, skills: Vec::new(), distance_km: None }.into(),
        }
    }
}

page_of!(RosterPage, RosterEntry);
page_of!(MySignupPage, MySignupItem);

/// A sign-up, and whether this request made it.
#[derive(ApiResponse)]
pub enum SignedUp {
    /// Signed up now: confirmed, waitlisted or pending approval.
    #[oai(status = 201)]
    Created(Json<Signup>),
    /// Already signed up: the existing sign-up.
    #[oai(status = 200)]
    Existing(Json<Signup>),
}

/// A sign-up that changed, and who moved up the waitlist because of it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SignupChange {
    pub signup: Signup,
    /// Sign-ups confirmed from the waitlist into the freed seat.
    pub promoted: Vec<Uuid>,
}

/// Why, optionally.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct OptionalReason {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// The answer to the day-before reminder.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReminderAnswer {
    /// `true`: "I'll be there"; `false`: "can't attend" (cancels, freeing the seat).
    pub attending: bool,
    /// Required when not attending.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

crate::api::types::wire_enum! {
    /// What an organiser records by hand.
    AttendanceAction mirrors entity::manual_attendance::ManualAttendanceAction {
        CheckIn = "check_in", CheckOut = "check_out", NoShow = "no_show",
    }
}

/// What became of attendance recorded by hand.
#[derive(ApiResponse)]
pub enum AttendanceRecorded {
    /// Applied: the sign-up as it now stands.
    #[oai(status = 200)]
    Applied(Json<Signup>),
    /// Held until an organiser of the task confirms it (recorded by a leader who is not staff);
    /// it credits nothing until then.
    #[oai(status = 202)]
    Held(Json<ManualAttendance>),
}

/// Attendance recorded by hand, with a reason.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceRequest {
    pub action: AttendanceAction,
    /// When it happened; default now.
    pub at: Option<DateTime<Utc>>,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[OpenApi(tag = "Tag::Signups")]
impl SignupsApi {
    /// Sign up for a task: a confirmed seat while seats remain, else a place on the waitlist
    /// (managed tasks: pending the organiser). Signing up twice returns the first sign-up.
    #[oai(path = "/api/v1/tasks/:id/signups", method = "post", operation_id = "signUp")]
    async fn sign_up(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<SignedUp> {
        let out = signups::sign_up(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
        Ok(if out.created {
            SignedUp::Created(Json(out.signup.into()))
        } else {
            SignedUp::Existing(Json(out.signup.into()))
        })
    }

    /// Take a seat one was offered because it freed up shortly before the start ("cover
    /// needed"): the first to accept gets it (409 `seat_taken` for the others); accepting twice
    /// returns the same sign-up.
    #[oai(path = "/api/v1/tasks/:id/cover/accept", method = "post", operation_id = "acceptCoverOffer")]
    async fn accept_cover(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Signup>> {
        let s =
            crate::domain::volunteering::dispatch::accept_cover(&state.db, &auth.0.actor(), state.clock.now(), id.0)
                .await?;
        Ok(Json(s.into()))
    }

    /// A task's roster, oldest sign-up first (leader and organisers).
    #[oai(path = "/api/v1/tasks/:id/signups", method = "get", operation_id = "listTaskSignups")]
    async fn roster(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        status: Query<Option<SignupStatus>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<RosterPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(signups::roster(&state.db, &auth.0.actor(), id.0, status.0.map(Into::into), page).await?.into()))
    }

    /// One's own sign-ups, newest first.
    #[oai(path = "/api/v1/me/signups", method = "get", operation_id = "listMySignups")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only those holding or awaiting a seat.
        live: Query<Option<bool>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<MySignupPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(signups::mine(&state.db, &auth.0.actor(), live.0.unwrap_or(false), page).await?.into()))
    }

    /// One sign-up (its volunteer, or whoever runs the task).
    #[oai(path = "/api/v1/signups/:id", method = "get", operation_id = "getSignup")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<MySignupItem>> {
        Ok(Json(signups::get_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Cancel one's own sign-up before the task starts. A confirmed seat goes to the head of the
    /// waitlist; after the cut-off it is recorded as a late cancellation. The body (a reason)
    /// may be left out.
    #[oai(path = "/api/v1/signups/:id/cancel", method = "post", operation_id = "cancelSignup")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: OptionalJson<OptionalReason>,
    ) -> ApiResult<Json<SignupChange>> {
        let reason = body.0.and_then(|b| b.reason);
        let (s, fx) = signups::cancel(&state.db, &auth.0.actor(), state.clock.now(), id.0, reason).await?;
        Ok(Json(SignupChange { signup: s.into(), promoted: fx.promoted }))
    }

    /// Answer the day-before reminder: "I'll be there", or "can't attend" with a reason.
    #[oai(path = "/api/v1/signups/:id/respond", method = "post", operation_id = "respondToReminder")]
    async fn respond(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReminderAnswer>,
    ) -> ApiResult<Json<SignupChange>> {
        let b = body.0;
        let (s, fx) =
            signups::respond(&state.db, &auth.0.actor(), state.clock.now(), id.0, b.attending, b.reason).await?;
        Ok(Json(SignupChange { signup: s.into(), promoted: fx.promoted }))
    }

    /// Approve a pending sign-up of a managed task (organisers).
    #[oai(path = "/api/v1/signups/:id/approve", method = "post", operation_id = "approveSignup")]
    async fn approve(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Signup>> {
        Ok(Json(signups::approve(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?.into()))
    }

    /// Deny a pending sign-up with a reason (organisers).
    #[oai(path = "/api/v1/signups/:id/deny", method = "post", operation_id = "denySignup")]
    async fn deny(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<Signup>> {
        Ok(Json(signups::deny(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?.into()))
    }

    /// Remove a person from a task with a reason (organisers).
    #[oai(path = "/api/v1/signups/:id/remove", method = "post", operation_id = "removeSignup")]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<SignupChange>> {
        let (s, fx) = signups::remove(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?;
        Ok(Json(SignupChange { signup: s.into(), promoted: fx.promoted }))
    }

    /// Record a check-in, check-out or no-show by hand, with a reason (leader and organisers;
    /// never one's own). Applied at once when recorded by staff; recorded by a leader who is not
    /// staff, it is held (202) until an organiser of the task confirms it.
    #[oai(path = "/api/v1/signups/:id/attendance", method = "post", operation_id = "recordAttendance")]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AttendanceRequest>,
    ) -> ApiResult<AttendanceRecorded> {
        let r = manual_attendance::record_manually(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            body.action.into(),
            body.at,
            &body.reason,
        )
        .await?;
        Ok(match r {
            Recorded::Applied(s) => AttendanceRecorded::Applied(Json(s.into())),
            Recorded::Held(m) => AttendanceRecorded::Held(Json(m.into())),
        })
    }

    /// The roster with attendance and recorded minutes, as CSV (leader and organisers).
    #[oai(path = "/api/v1/tasks/:id/roster.csv", method = "get", operation_id = "exportRoster")]
    async fn roster_csv(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<CsvFile> {
        let lines = signups::roster_export(&state.db, &auth.0.actor(), id.0).await?;
        let rows: Vec<Vec<String>> = lines
            .into_iter()
            .map(|l| {
                let status = serde_json::to_value(l.signup.status).ok().and_then(|v| v.as_str().map(str::to_string));
                vec![
                    l.volunteer.name,
                    l.volunteer.volunteer_number,
                    phone::mask(&l.volunteer.phone),
                    status.unwrap_or_default(),
                    l.signup.position.map(|p| p.to_string()).unwrap_or_default(),
                    l.signup.late_cancellation.to_string(),
                    l.signup.no_show.to_string(),
                    l.attendance.as_ref().map(|a| a.checked_in_at.to_rfc3339()).unwrap_or_default(),
                    l.attendance.as_ref().and_then(|a| a.checked_out_at).map(|t| t.to_rfc3339()).unwrap_or_default(),
                    l.minutes.to_string(),
                ]
            })
            .collect();
        let header = [
            "name",
            "volunteer_number",
            "phone",
            "status",
            "position",
            "late_cancellation",
            "no_show",
            "checked_in_at",
            "checked_out_at",
            "minutes",
        ];
        Ok(csv::whole("roster.csv", &header, rows))
    }
}
