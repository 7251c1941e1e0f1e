//! `/api/v1/tasks`: volunteer service tasks: organisers create, edit, publish and cancel them;
//! everyone signed in browses what is open (near a point, by action line, skill, date, unit);
//! on the day the leader shows a rotating check-in code and volunteers check in and out.
//! Rules: `domain::tasks`, `domain::attendance`, `domain::hours` (time entered by organisers).

use crate::api::bearer::BearerAuth;
use crate::api::error::{ApiError, ApiResult};
use crate::api::types::{ActionLine, AttendanceMethod, CheckInMode, LatLng, SignupMode, TaskStatus, page_of, patch};
use crate::api::volunteering::hours::HoursEntry;
use crate::api::{Accepted, Created, Tag};
use crate::domain::DomainError;
use crate::domain::kernel::page::PageRequest;
use crate::domain::volunteering::attendance;
use crate::domain::volunteering::browse::{self, Browse, ManageFilter, Sort};
use crate::domain::volunteering::hours::{self, TaskEntryKind, TaskHours};
use crate::domain::volunteering::reminders;
use crate::domain::volunteering::tasks::{self, TaskInput, TaskPatch, TaskView};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Volunteer service tasks.
pub struct TasksApi;

/// A task as volunteers and organisers see it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Task {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub title: String,
    pub description: String,
    pub action_line: ActionLine,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Check-in works within this many metres of the task's coordinates.
    pub check_in_radius_m: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    /// Confirmed seats taken.
    pub filled: i32,
    /// Seats still free.
    pub seats_left: i32,
    pub min_headcount: Option<i32>,
    pub required_skills: Vec<String>,
    /// Sign-up is refused (409 `skills_missing`) to whoever lacks a required skill; otherwise
    /// the skills only steer dispatch.
    pub skills_required_for_signup: bool,
    pub signup_deadline: DateTime<Utc>,
    /// Cancelling later than this many hours before the start is recorded as late.
    pub cancel_cutoff_hours: i32,
    /// The on-site leader (队长).
    pub leader_id: Option<Uuid>,
    /// The task needs accident insurance (Volunteer Service Regulations art. 17).
    pub requires_insurance: bool,
    pub insurance_policy_ref: Option<String>,
    pub signup_mode: SignupMode,
    /// Share of the task (percent) a stay must cover to earn hours.
    pub min_presence_pct: i32,
    pub check_in_mode: CheckInMode,
    /// The project the task serves, if any.
    pub project_id: Option<Uuid>,
    pub status: TaskStatus,
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub published_at: Option<DateTime<Utc>>,
    /// Kilometres from the point browsed near, when browsing near one.
    pub distance_km: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TaskView> for Task {
    fn from(v: TaskView) -> Self {
        let seats_left = v.seats_left();
        let t = v.task;
        Task {
            id: t.id,
            org_unit_id: t.org_unit_id,
            title: t.title,
            description: t.description,
            action_line: t.action_line.into(),
            address: t.address,
            lat: t.lat,
            lng: t.lng,
            check_in_radius_m: t.check_in_radius_m,
            starts_at: t.starts_at,
            ends_at: t.ends_at,
            capacity: t.capacity,
            filled: t.filled,
            seats_left,
            min_headcount: t.min_headcount,
            required_skills: v.skills,
            skills_required_for_signup: t.skills_required_for_signup,
            signup_deadline: t.signup_deadline,
            cancel_cutoff_hours: t.cancel_cutoff_hours,
            leader_id: t.leader_id,
            requires_insurance: t.requires_insurance,
            insurance_policy_ref: t.insurance_policy_ref,
            signup_mode: t.signup_mode.into(),
            min_presence_pct: t.min_presence_pct,
            check_in_mode: t.check_in_mode.into(),
            project_id: t.project_id,
            status: t.status.into(),
            cancel_reason: t.cancel_reason,
            created_by: t.created_by,
            published_at: t.published_at,
            distance_km: v.distance_km.map(|d| (d * 100.0).round() / 100.0),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

page_of!(TaskPage, Task);

/// A task to create (as a draft).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTaskRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 4000))]
    pub description: String,
    pub action_line: ActionLine,
    /// The unit running the task; within the organiser's scope.
    pub org_unit_id: Uuid,
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
    /// Default 300.
    pub check_in_radius_m: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub min_headcount: Option<i32>,
    #[oai(validator(max_items = 20))]
    pub required_skills: Option<Vec<String>>,
    /// Refuse sign-up (409 `skills_missing`) to whoever lacks a required skill. Default `false`:
    /// the skills only steer dispatch.
    #[oai(default)]
    pub skills_required_for_signup: bool,
    /// Default: the start.
    pub signup_deadline: Option<DateTime<Utc>>,
    /// Default 2.
    pub cancel_cutoff_hours: Option<i32>,
    pub leader_id: Option<Uuid>,
    #[oai(default)]
    pub requires_insurance: bool,
    #[oai(validator(max_length = 100))]
    pub insurance_policy_ref: Option<String>,
    /// Default `open`.
    pub signup_mode: Option<SignupMode>,
    /// Default 60.
    pub min_presence_pct: Option<i32>,
    /// Default `code`.
    pub check_in_mode: Option<CheckInMode>,
    /// The project the task serves: an open project of the task's unit or one above it, whose
    /// dates hold the task's day (400 `project_not_found`, `task_outside_project`; 409
    /// `project_closed`). Its hours then count for the project.
    pub project_id: Option<Uuid>,
}

/// Changes to a task; omitted fields stay, `null` clears. Moving a published task's time by
/// more than five minutes or changing its place tells everyone signed up.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTaskRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    #[oai(validator(max_length = 4000))]
    pub description: Option<String>,
    pub action_line: Option<ActionLine>,
    #[oai(validator(max_length = 500))]
    pub address: MaybeUndefined<String>,
    pub location: MaybeUndefined<LatLng>,
    pub check_in_radius_m: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Raising it confirms waitlisted people in order; it cannot go below the confirmed seats.
    pub capacity: Option<i32>,
    pub min_headcount: MaybeUndefined<i32>,
    #[oai(validator(max_items = 20))]
    pub required_skills: Option<Vec<String>>,
    /// Whether lacking a required skill refuses sign-up (people already signed up stay).
    pub skills_required_for_signup: Option<bool>,
    pub signup_deadline: Option<DateTime<Utc>>,
    pub cancel_cutoff_hours: Option<i32>,
    pub leader_id: MaybeUndefined<Uuid>,
    pub requires_insurance: Option<bool>,
    #[oai(validator(max_length = 100))]
    pub insurance_policy_ref: MaybeUndefined<String>,
    pub signup_mode: Option<SignupMode>,
    pub min_presence_pct: Option<i32>,
    pub check_in_mode: Option<CheckInMode>,
    /// Joins the task to a project (as on creation: 400 `project_not_found`,
    /// `task_outside_project`; 409 `project_closed`), or `null` to leave it. Its approved hours
    /// then count for the project it is in.
    pub project_id: MaybeUndefined<Uuid>,
}

/// Why a task is cancelled.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonRequest {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A message from the organiser to everyone on a task.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskMessageRequest {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub text: String,
}

/// A message on its way.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TaskMessageSent {
    pub id: Uuid,
    /// People it goes to: everyone confirmed, waitlisted or pending on the task.
    pub recipients: u64,
}

/// Sort order of a browse.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskSort {
    /// Soonest first.
    #[oai(rename = "start")]
    Start,
    /// Nearest first (needs `near`).
    #[oai(rename = "distance")]
    Distance,
}

/// The code to show as a QR code.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CheckInCode {
    pub code: String,
    /// Fetch a new one by then.
    pub expires_at: DateTime<Utc>,
}

/// A scanned code and where the volunteer is.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckInRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub code: String,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
}

/// A volunteer's attendance on a task.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Attendance {
    pub signup_id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub checked_in_at: DateTime<Utc>,
    pub check_in_method: AttendanceMethod,
    pub checked_out_at: Option<DateTime<Utc>>,
    pub check_out_method: Option<AttendanceMethod>,
}

impl From<entity::attendance::Model> for Attendance {
    fn from(a: entity::attendance::Model) -> Self {
        Attendance {
            signup_id: a.signup_id,
            task_id: a.task_id,
            volunteer_id: a.volunteer_id,
            checked_in_at: a.checked_in_at,
            check_in_method: a.check_in_method.into(),
            checked_out_at: a.checked_out_at,
            check_out_method: a.check_out_method.map(Into::into),
        }
    }
}

/// The check-out and the hours entry it produced (pending the organiser's approval).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CheckOutResult {
    pub attendance: Attendance,
    pub hours: HoursEntry,
}

/// Who enters time for a volunteer on a task.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskEntry {
    /// The organiser records the stay (approved at once).
    #[oai(rename = "leader_entry")]
    LeaderEntry,
    /// An administrator's make-up entry (补录).
    #[oai(rename = "makeup")]
    Makeup,
}

/// Time an organiser or administrator records for a volunteer on this task.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskHoursRequest {
    pub kind: TaskEntry,
    pub volunteer_id: Uuid,
    /// Capped, with what is already recorded, at the task's length.
    pub minutes: i32,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A position from optional `lat` and `lng`, which go together.
pub(crate) fn position(lat: Option<f64>, lng: Option<f64>) -> ApiResult<Option<(f64, f64)>> {
    match (lat, lng) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        _ => Err(ApiError::bad_request("invalid_coordinates", "lat and lng go together")),
    }
}

/// Parses `lat,lng`.
fn parse_near(near: &str) -> Result<(f64, f64), DomainError> {
    let bad = || DomainError::invalid("invalid_coordinates", "near must be lat,lng");
    let (a, b) = near.split_once(',').ok_or_else(bad)?;
    Ok((a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?))
}

#[OpenApi(prefix_path = "/api/v1/tasks", tag = "Tag::Tasks")]
impl TasksApi {
    /// Create a task (a draft) for a unit in one's scope. Social workers and administrators.
    #[oai(path = "/", method = "post", operation_id = "createTask")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateTaskRequest>,
    ) -> ApiResult<Created<Task>> {
        let b = body.0;
        let input = TaskInput {
            title: b.title,
            description: b.description,
            action_line: b.action_line.into(),
            org_unit_id: b.org_unit_id,
            address: b.address,
            lat: b.lat,
            lng: b.lng,
            check_in_radius_m: b.check_in_radius_m,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            capacity: b.capacity,
            min_headcount: b.min_headcount,
            required_skills: b.required_skills.unwrap_or_default(),
            skills_required_for_signup: b.skills_required_for_signup,
            signup_deadline: b.signup_deadline,
            cancel_cutoff_hours: b.cancel_cutoff_hours,
            leader_id: b.leader_id,
            requires_insurance: b.requires_insurance,
            insurance_policy_ref: b.insurance_policy_ref,
            signup_mode: b.signup_mode.map_or(entity::task::SignupMode::Open, Into::into),
            min_presence_pct: b.min_presence_pct,
            check_in_mode: b.check_in_mode.map(Into::into),
            project_id: b.project_id,
        };
        let view = tasks::create(&state.db, &auth.0.actor(), state.clock.now(), input).await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// Browse published tasks that have not started: by action line, dates, unit subtree, skill
    /// and distance (`near=lat,lng&radiusKm=`), soonest or nearest first, with seats left.
    #[oai(path = "/", method = "get", operation_id = "browseTasks")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn browse(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        #[oai(name = "actionLine")] action_line: Query<Option<ActionLine>>,
        /// Starting at or after.
        from: Query<Option<DateTime<Utc>>>,
        /// Starting before.
        to: Query<Option<DateTime<Utc>>>,
        /// Run by this unit or one below it.
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 32))] skill: Query<Option<String>>,
        /// `lat,lng` to search around.
        #[oai(validator(max_length = 64))]
        near: Query<Option<String>>,
        /// Radius around `near`, default 5, at most 500.
        #[oai(name = "radiusKm")]
        radius_km: Query<Option<f64>>,
        sort: Query<Option<TaskSort>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<TaskPage>> {
        let page = PageRequest::parse(None, limit.0)?;
        let near = match near.0.as_deref() {
            Some(n) => {
                let (lat, lng) = parse_near(n)?;
                Some((lat, lng, radius_km.0.unwrap_or(5.0)))
            }
            None => None,
        };
        let f = Browse {
            action_line: action_line.0.map(Into::into),
            from: from.0,
            to: to.0,
            under: org_unit_id.0,
            skill: skill.0,
            near,
            sort: sort.0.map(|s| match s {
                TaskSort::Start => Sort::Start,
                TaskSort::Distance => Sort::Distance,
            }),
        };
        let index = Some(&*state.browse.index);
        let result = browse::browse(&state.db, index, state.clock.now(), f, cursor.0.as_deref(), page.limit).await?;
        Ok(Json(result.into()))
    }

    /// Tasks one organises or leads (administrators: every task in scope), any status, newest first.
    #[oai(path = "/managed", method = "get", operation_id = "listManagedTasks")]
    async fn managed(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<TaskStatus>>,
        #[oai(name = "orgUnitId")] org_unit_id: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<TaskPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let f = ManageFilter { status: status.0.map(Into::into), under: org_unit_id.0 };
        Ok(Json(browse::list_managed(&state.db, &auth.0.actor(), f, page).await?.into()))
    }

    /// One task. Drafts are visible only to those who run them.
    #[oai(path = "/:id", method = "get", operation_id = "getTask")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Task>> {
        Ok(Json(tasks::get_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Edit a task (organisers).
    #[oai(path = "/:id", method = "patch", operation_id = "updateTask")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<UpdateTaskRequest>,
    ) -> ApiResult<Json<Task>> {
        let b = body.0;
        let p = TaskPatch {
            title: b.title,
            description: b.description,
            action_line: b.action_line.map(Into::into),
            address: patch(b.address),
            location: patch(b.location).map(|l| l.map(|l| (l.lat, l.lng))),
            check_in_radius_m: b.check_in_radius_m,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            capacity: b.capacity,
            min_headcount: patch(b.min_headcount),
            required_skills: b.required_skills,
            skills_required_for_signup: b.skills_required_for_signup,
            signup_deadline: b.signup_deadline,
            cancel_cutoff_hours: b.cancel_cutoff_hours,
            leader_id: patch(b.leader_id),
            requires_insurance: b.requires_insurance,
            insurance_policy_ref: patch(b.insurance_policy_ref),
            signup_mode: b.signup_mode.map(Into::into),
            min_presence_pct: b.min_presence_pct,
            check_in_mode: b.check_in_mode.map(Into::into),
            project_id: patch(b.project_id),
        };
        let (view, _moved) = tasks::update(&state.db, &auth.0.actor(), state.clock.now(), id.0, p).await?;
        state.browse.changed(&state.db, id.0).await;
        Ok(Json(view.into()))
    }

    /// Publish a draft (organisers). A task needing insurance needs its policy reference; a task
    /// cannot be published once it has started.
    #[oai(path = "/:id/publish", method = "post", operation_id = "publishTask")]
    async fn publish(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Task>> {
        let view = tasks::publish(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
        state.browse.changed(&state.db, id.0).await;
        Ok(Json(view.into()))
    }

    /// Cancel a task with a reason (organisers).
    #[oai(path = "/:id/cancel", method = "post", operation_id = "cancelTask")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<Task>> {
        let view = tasks::cancel(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?;
        state.browse.changed(&state.db, id.0).await;
        Ok(Json(view.into()))
    }

    /// Write to everyone on a published task (leader and organisers): each gets it in the inbox
    /// and a push that does not carry the text.
    #[oai(path = "/:id/messages", method = "post", operation_id = "messageTaskPeople")]
    async fn message(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TaskMessageRequest>,
    ) -> ApiResult<Accepted<TaskMessageSent>> {
        let (id, recipients) =
            reminders::message_everyone(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.text).await?;
        Ok(Accepted::Accepted(Json(TaskMessageSent { id, recipients })))
    }

    /// The current check-in code, to show as a QR code (leader and organisers). Valid for about
    /// a minute; fetch a new one when it expires.
    #[oai(path = "/:id/check-in-code", method = "get", operation_id = "getCheckInCode")]
    async fn check_in_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<CheckInCode>> {
        let (code, expires_at) =
            attendance::current_code(&state.db, &state.check_in_codes, &auth.0.actor(), state.clock.now(), id.0)
                .await?;
        Ok(Json(CheckInCode { code, expires_at }))
    }

    /// Check in with the scanned code and one's position (confirmed volunteers; from 30 minutes
    /// before the start until the end; within the check-in radius).
    #[oai(path = "/:id/check-in", method = "post", operation_id = "checkIn")]
    async fn check_in(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CheckInRequest>,
    ) -> ApiResult<Json<Attendance>> {
        let pos = position(body.lat, body.lng)?;
        let a = attendance::check_in(
            &state.db,
            &state.check_in_codes,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            &body.code,
            pos,
        )
        .await?;
        Ok(Json(a.into()))
    }

    /// Check out with the scanned code and one's position. The stay becomes a pending hours entry.
    #[oai(path = "/:id/check-out", method = "post", operation_id = "checkOut")]
    async fn check_out(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CheckInRequest>,
    ) -> ApiResult<Json<CheckOutResult>> {
        let pos = position(body.lat, body.lng)?;
        let (a, e) = attendance::check_out(
            &state.db,
            &state.check_in_codes,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            &body.code,
            pos,
        )
        .await?;
        Ok(Json(CheckOutResult { attendance: a.into(), hours: e.into() }))
    }

    /// Record time for a volunteer on this task: the organiser's entry, or an administrator's
    /// make-up (补录). Approved at once; capped at the task's length.
    #[oai(path = "/:id/hours", method = "post", operation_id = "enterTaskHours")]
    async fn enter_hours(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TaskHoursRequest>,
    ) -> ApiResult<Created<HoursEntry>> {
        let kind = match body.kind {
            TaskEntry::LeaderEntry => TaskEntryKind::Leader,
            TaskEntry::Makeup => TaskEntryKind::Makeup,
        };
        let entry = TaskHours {
            kind,
            task_id: id.0,
            volunteer: body.volunteer_id,
            minutes: body.minutes,
            reason: body.0.reason,
        };
        let e = hours::enter_for_task(&state.db, &auth.0.actor(), state.clock.now(), entry).await?;
        Ok(Created::Created(Json(e.into())))
    }
}
