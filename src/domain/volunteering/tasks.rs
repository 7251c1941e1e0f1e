//! Volunteer service tasks (服务任务): creating, editing, publishing and cancelling them, who may
//! organise them; browsing what is open and listing one's own tasks are in `browse`.
//!
//! Tables: `tasks`, `task_skills`. Sign-ups live in `domain::signups`, attendance in
//! `domain::attendance`, hours in `domain::hours`.
//!
//! Rules:
//! - Social workers create tasks for units in their own station's subtree; administrators in
//!   their scope. Organisers (the creator or a leader who is a social worker or above, and
//!   administrators whose scope holds the task) edit, publish, cancel and decide; the on-site
//!   leader (队长) of any role may also run the day itself (roster, check-in code, attendance).
//! - A task checks people in with its shared rotating code, or in `strict` mode by the leader
//!   scanning each volunteer's personal code (`presence`).
//! - A task needing accident insurance cannot be published without a policy reference (Volunteer
//!   Service Regulations, art. 17); a task cannot be published to start in the past.
//! - `draft → published → completed`, or `cancelled` with a reason.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::geo::validate_lat_lng;
use crate::domain::organisations::projects;
use crate::domain::people::profiles::normalize_skills;
use crate::domain::talent::prerequisites;
use crate::domain::{DomainError, DomainResult, required_text};
use crate::domain::{kernel::org_units, volunteering::dispatch, volunteering::reminders};
use chrono::{DateTime, Duration, Utc};
use entity::task::{self, ActionLine, CheckInMode, SignupMode, TaskStatus};
use entity::task_skill;
use entity::user::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// Longest a task may run.
pub const MAX_TASK_DAYS: i64 = 14;
/// Most seats a task may have.
pub const MAX_CAPACITY: i32 = 10_000;
/// A task with the skills it requires.
#[derive(Clone, Debug)]
pub struct TaskView {
    pub task: task::Model,
    pub skills: Vec<String>,
    /// Kilometres from the point the caller browsed near, when they did.
    pub distance_km: Option<f64>,
}

impl TaskView {
    /// Seats still free.
    pub fn seats_left(&self) -> i32 {
        (self.task.capacity - self.task.filled).max(0)
    }
}

/// Everything that describes a task, as the organizer sends it.
#[derive(Clone, Debug)]
pub struct TaskInput {
    pub title: String,
    pub description: String,
    pub action_line: ActionLine,
    pub org_unit_id: Uuid,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub check_in_radius_m: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub min_headcount: Option<i32>,
    pub required_skills: Vec<String>,
    /// Whether lacking a required skill refuses sign-up (default: skills only steer dispatch).
    pub skills_required_for_signup: bool,
    pub signup_deadline: Option<DateTime<Utc>>,
    pub cancel_cutoff_hours: Option<i32>,
    pub leader_id: Option<Uuid>,
    pub requires_insurance: bool,
    pub insurance_policy_ref: Option<String>,
    pub signup_mode: SignupMode,
    pub min_presence_pct: Option<i32>,
    /// How people check in (default: with the task's code).
    pub check_in_mode: Option<CheckInMode>,
    /// The project the task serves, if any (`organisations::projects::check_task`).
    pub project_id: Option<Uuid>,
}

fn check_times(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, deadline: DateTime<Utc>) -> DomainResult<()> {
    use chrono::Datelike;
    // Keeps every later date arithmetic (reminders, cut-offs) far from chrono's limits.
    if [starts_at, ends_at, deadline].iter().any(|t| !(2000..=2200).contains(&t.year())) {
        return Err(DomainError::invalid("invalid_time_range", "times must fall between the years 2000 and 2200"));
    }
    if ends_at <= starts_at {
        return Err(DomainError::invalid("invalid_time_range", "a task must end after it starts"));
    }
    if ends_at - starts_at > Duration::days(MAX_TASK_DAYS) {
        return Err(DomainError::invalid("invalid_time_range", format!("a task lasts at most {MAX_TASK_DAYS} days")));
    }
    if deadline > starts_at {
        return Err(DomainError::invalid("invalid_deadline", "the sign-up deadline cannot be after the start"));
    }
    Ok(())
}

fn check_numbers(
    capacity: i32,
    min_headcount: Option<i32>,
    radius: i32,
    cutoff: i32,
    presence: i32,
) -> DomainResult<()> {
    if !(1..=MAX_CAPACITY).contains(&capacity) {
        return Err(DomainError::invalid("invalid_capacity", format!("capacity must be 1 to {MAX_CAPACITY}")));
    }
    if min_headcount.is_some_and(|m| m < 1 || m > capacity) {
        return Err(DomainError::validation("minHeadcount must be between 1 and the capacity"));
    }
    if !(10..=10_000).contains(&radius) {
        return Err(DomainError::validation("checkInRadiusM must be 10 to 10000"));
    }
    if !(0..=168).contains(&cutoff) {
        return Err(DomainError::validation("cancelCutoffHours must be 0 to 168"));
    }
    if !(1..=100).contains(&presence) {
        return Err(DomainError::validation("minPresencePct must be 1 to 100"));
    }
    Ok(())
}

/// Whether `actor` organises `task`: edits, publishes, cancels, decides sign-ups and hours.
pub async fn may_organize(db: &impl ConnectionTrait, actor: &Actor, t: &task::Model) -> DomainResult<bool> {
    if actor.role == Role::Volunteer {
        return Ok(false);
    }
    if actor.user_id == t.created_by || Some(actor.user_id) == t.leader_id {
        return Ok(true);
    }
    if actor.role.is_admin() {
        return actor.covers_unit(db, Some(t.org_unit_id)).await;
    }
    Ok(false)
}

/// Whether `actor` runs the day of `task` (roster, check-in code, attendance): an organiser, or
/// the on-site leader whatever their role.
pub async fn may_lead(db: &impl ConnectionTrait, actor: &Actor, t: &task::Model) -> DomainResult<bool> {
    Ok(Some(actor.user_id) == t.leader_id || may_organize(db, actor, t).await?)
}

pub(super) async fn skills_of(db: &impl ConnectionTrait, task_id: Uuid) -> DomainResult<Vec<String>> {
    Ok(task_skill::Entity::find()
        .filter(task_skill::Column::TaskId.eq(task_id))
        .order_by_asc(task_skill::Column::Skill)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.skill)
        .collect())
}

async fn set_skills(txn: &impl ConnectionTrait, task_id: Uuid, skills: &[String]) -> DomainResult<()> {
    task_skill::Entity::delete_many().filter(task_skill::Column::TaskId.eq(task_id)).exec(txn).await?;
    if !skills.is_empty() {
        task_skill::Entity::insert_many(
            skills.iter().map(|s| task_skill::ActiveModel { task_id: Set(task_id), skill: Set(s.clone()) }),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

async fn check_leader(db: &impl ConnectionTrait, leader: Option<Uuid>) -> DomainResult<()> {
    if let Some(id) = leader {
        let u = entity::user::Entity::find_by_id(id).one(db).await?;
        if !u.is_some_and(|u| u.status == entity::user::UserStatus::Active) {
            return Err(DomainError::invalid("leader_not_found", "leaderId names no active person"));
        }
    }
    Ok(())
}

fn clean(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Creates a draft task.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    i: TaskInput,
) -> DomainResult<TaskView> {
    let title = required_text("title", &i.title)?;
    let description = i.description.trim().to_string();
    validate_lat_lng(i.lat, i.lng)?;
    let deadline = i.signup_deadline.unwrap_or(i.starts_at);
    check_times(i.starts_at, i.ends_at, deadline)?;
    let radius = i.check_in_radius_m.unwrap_or(300);
    let cutoff = i.cancel_cutoff_hours.unwrap_or(2);
    let presence = i.min_presence_pct.unwrap_or(60);
    check_numbers(i.capacity, i.min_headcount, radius, cutoff, presence)?;
    let skills = normalize_skills(&i.required_skills)?;
    let unit = org_units::get(db, i.org_unit_id)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "orgUnitId names no org unit"))?;
    if !actor.serves_unit(db, i.org_unit_id).await? {
        return Err(DomainError::forbidden("you cannot create tasks for this org unit"));
    }
    check_leader(db, i.leader_id).await?;
    if let Some(p) = i.project_id {
        projects::check_task(db, p, unit.id, &unit.time_zone, i.starts_at).await?;
    }
    let id = Uuid::now_v7();
    let model = write(db, async |txn| {
        let model = task::ActiveModel {
            id: Set(id),
            org_unit_id: Set(i.org_unit_id),
            title: Set(title),
            description: Set(description),
            action_line: Set(i.action_line),
            address: Set(clean(i.address)),
            lat: Set(i.lat),
            lng: Set(i.lng),
            check_in_radius_m: Set(radius),
            starts_at: Set(i.starts_at),
            ends_at: Set(i.ends_at),
            capacity: Set(i.capacity),
            filled: Set(0),
            waitlist_seq: Set(0),
            min_headcount: Set(i.min_headcount),
            signup_deadline: Set(deadline),
            cancel_cutoff_hours: Set(cutoff),
            leader_id: Set(i.leader_id),
            requires_insurance: Set(i.requires_insurance),
            insurance_policy_ref: Set(clean(i.insurance_policy_ref)),
            signup_mode: Set(i.signup_mode),
            min_presence_pct: Set(presence),
            skills_required_for_signup: Set(i.skills_required_for_signup),
            check_in_mode: Set(i.check_in_mode.unwrap_or(CheckInMode::Code)),
            status: Set(TaskStatus::Draft),
            cancel_reason: Set(None),
            created_by: Set(actor.user_id),
            published_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            project_id: Set(i.project_id),
        }
        .insert(txn)
        .await?;
        set_skills(txn, id, &skills).await?;
        audit::record(txn, now, Change::new(actor.user_id, "task.create", "task", id).after(&model)).await?;
        Ok::<_, DomainError>(model)
    })
    .await?;
    Ok(TaskView { task: model, skills, distance_km: None })
}

/// Loads a task and checks the actor organises it (404 if they cannot even see it).
pub async fn load_for_organizer(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<task::Model> {
    let t = task::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("task"))?;
    if may_organize(db, actor, &t).await? {
        return Ok(t);
    }
    if t.status == TaskStatus::Draft && !may_lead(db, actor, &t).await? {
        return Err(DomainError::not_found("task"));
    }
    Err(DomainError::forbidden("only the task's organisers may do this"))
}

/// Loads a task and checks the actor leads it on the day.
pub async fn load_for_leader(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<task::Model> {
    let t = task::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("task"))?;
    if may_lead(db, actor, &t).await? {
        return Ok(t);
    }
    if t.status == TaskStatus::Draft {
        return Err(DomainError::not_found("task"));
    }
    Err(DomainError::forbidden("only the task's leader or organisers may do this"))
}

/// A task the actor may see: published (or past) tasks are public to anyone signed in; drafts
/// only to those who run them.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<TaskView> {
    let t = task::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("task"))?;
    if t.status == TaskStatus::Draft && !may_lead(db, actor, &t).await? {
        return Err(DomainError::not_found("task"));
    }
    let skills = skills_of(db, id).await?;
    Ok(TaskView { task: t, skills, distance_km: None })
}

/// Changes to a task; `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Default, Debug)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub action_line: Option<ActionLine>,
    pub address: Option<Option<String>>,
    pub location: Option<Option<(f64, f64)>>,
    pub check_in_radius_m: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    pub min_headcount: Option<Option<i32>>,
    pub required_skills: Option<Vec<String>>,
    pub skills_required_for_signup: Option<bool>,
    pub signup_deadline: Option<DateTime<Utc>>,
    pub cancel_cutoff_hours: Option<i32>,
    pub leader_id: Option<Option<Uuid>>,
    pub requires_insurance: Option<bool>,
    pub insurance_policy_ref: Option<Option<String>>,
    pub signup_mode: Option<SignupMode>,
    pub min_presence_pct: Option<i32>,
    pub check_in_mode: Option<CheckInMode>,
    /// Joins a project (`Some(Some)`), leaves it (`Some(None)`).
    pub project_id: Option<Option<Uuid>>,
}

/// What an edit changed that people signed up must hear about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    /// The start or end moved by more than five minutes.
    pub time: bool,
    /// The address or coordinates changed.
    pub place: bool,
}

/// How far a time may move before signed-up people are told.
pub const NOTICEABLE_SHIFT: i64 = 5;

/// Edits a task. Returns the task and what moved (for notifications and reminders).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    p: TaskPatch,
) -> DomainResult<(TaskView, Moved)> {
    let skills = p.required_skills.as_deref().map(normalize_skills).transpose()?;
    if let Some(leader) = p.leader_id {
        check_leader(db, leader).await?;
    }
    let (model, moved) = write(db, async |txn| {
        let before = load_for_organizer(txn, actor, id).await?;
        if matches!(before.status, TaskStatus::Completed | TaskStatus::Cancelled) {
            return Err(DomainError::conflict("task_closed", "a completed or cancelled task cannot be edited"));
        }
        let mut am = before.clone().into_active_model();
        if let Some(t) = &p.title {
            am.title = Set(required_text("title", t)?);
        }
        if let Some(d) = &p.description {
            am.description = Set(d.trim().to_string());
        }
        if let Some(a) = p.action_line {
            am.action_line = Set(a);
        }
        if let Some(a) = &p.address {
            am.address = Set(clean(a.clone()));
        }
        if let Some(loc) = p.location {
            validate_lat_lng(loc.map(|l| l.0), loc.map(|l| l.1))?;
            am.lat = Set(loc.map(|l| l.0));
            am.lng = Set(loc.map(|l| l.1));
        }
        let starts_at = p.starts_at.unwrap_or(before.starts_at);
        let ends_at = p.ends_at.unwrap_or(before.ends_at);
        // Moving the start drags an untouched deadline that sat at the old start along with it.
        let deadline = p.signup_deadline.unwrap_or(if before.signup_deadline == before.starts_at {
            starts_at
        } else {
            before.signup_deadline.min(starts_at)
        });
        check_times(starts_at, ends_at, deadline)?;
        if before.status == TaskStatus::Published && p.starts_at.is_some() && starts_at <= now {
            return Err(DomainError::invalid("starts_in_past", "a published task cannot be moved into the past"));
        }
        am.starts_at = Set(starts_at);
        am.ends_at = Set(ends_at);
        am.signup_deadline = Set(deadline);
        let capacity = p.capacity.unwrap_or(before.capacity);
        let min_headcount = p.min_headcount.unwrap_or(before.min_headcount);
        let radius = p.check_in_radius_m.unwrap_or(before.check_in_radius_m);
        let cutoff = p.cancel_cutoff_hours.unwrap_or(before.cancel_cutoff_hours);
        let presence = p.min_presence_pct.unwrap_or(before.min_presence_pct);
        check_numbers(capacity, min_headcount, radius, cutoff, presence)?;
        am.min_headcount = Set(min_headcount);
        am.check_in_radius_m = Set(radius);
        am.cancel_cutoff_hours = Set(cutoff);
        am.min_presence_pct = Set(presence);
        if let Some(l) = p.leader_id {
            am.leader_id = Set(l);
        }
        if let Some(r) = p.requires_insurance {
            am.requires_insurance = Set(r);
        }
        if let Some(r) = &p.insurance_policy_ref {
            am.insurance_policy_ref = Set(clean(r.clone()));
        }
        if let Some(m) = p.signup_mode {
            am.signup_mode = Set(m);
        }
        if let Some(g) = p.skills_required_for_signup {
            am.skills_required_for_signup = Set(g);
        }
        if let Some(m) = p.check_in_mode {
            am.check_in_mode = Set(m);
        }
        // The project the task ends up in must still hold its (possibly moved) day.
        let project = p.project_id.unwrap_or(before.project_id);
        if let (Some(pid), true) = (project, p.project_id.is_some() || p.starts_at.is_some()) {
            let unit = org_units::get(txn, before.org_unit_id).await?;
            projects::check_task(txn, pid, unit.id, &unit.time_zone, starts_at).await?;
        }
        am.project_id = Set(project);
        if before.status == TaskStatus::Published
            && *am.requires_insurance.as_ref()
            && am.insurance_policy_ref.as_ref().is_none()
        {
            return Err(insurance_missing());
        }
        am.updated_at = Set(now);
        let mut after = am.update(txn).await?;
        let mut promoted = Vec::new();
        if capacity != before.capacity {
            promoted = crate::domain::kernel::seats::set_capacity(
                txn,
                crate::domain::volunteering::signups::SEATS,
                id,
                capacity,
                now,
            )
            .await?;
            after = task::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
        }
        if let Some(s) = &skills {
            set_skills(txn, id, s).await?;
        }
        let shifted = |a: DateTime<Utc>, b: DateTime<Utc>| (a - b).num_minutes().abs() > NOTICEABLE_SHIFT;
        let moved = Moved {
            time: shifted(after.starts_at, before.starts_at) || shifted(after.ends_at, before.ends_at),
            place: after.address != before.address || after.lat != before.lat || after.lng != before.lng,
        };
        audited(txn, actor, now, "task.update", &before, &after).await?;
        reminders::promoted(txn, now, &promoted, &after).await?;
        if after.status == TaskStatus::Published {
            if moved.time || moved.place {
                reminders::broadcast(txn, id, reminders::News::Moved, now).await?;
            }
            if moved.time || after.min_headcount != before.min_headcount {
                reminders::schedule_headcount(txn, now, &after).await?;
            }
        }
        Ok::<_, DomainError>((after, moved))
    })
    .await?;
    let skills = skills_of(db, id).await?;
    Ok((TaskView { task: model, skills, distance_km: None }, moved))
}

/// Every change to a task is audited with its before and after, whoever makes it: organisers'
/// own tasks and administrators' changes alike (the task is what certified hours rest on).
async fn audited(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    before: &task::Model,
    after: &task::Model,
) -> DomainResult<()> {
    audit::record(txn, now, Change::new(actor.user_id, action, "task", before.id).before(before).after(after)).await
}

fn insurance_missing() -> DomainError {
    DomainError::invalid(
        "insurance_required",
        "this task needs accident insurance: give the policy reference before publishing (Volunteer Service Regulations art. 17)",
    )
}

/// Publishes a draft.
pub async fn publish(db: &DatabaseConnection, actor: &Actor, now: DateTime<Utc>, id: Uuid) -> DomainResult<TaskView> {
    let model = write(db, async |txn| {
        let before = load_for_organizer(txn, actor, id).await?;
        if before.status != TaskStatus::Draft {
            return Err(DomainError::conflict("not_a_draft", "only a draft can be published"));
        }
        if before.starts_at <= now {
            return Err(DomainError::invalid("starts_in_past", "a task that has started cannot be published"));
        }
        if before.requires_insurance && before.insurance_policy_ref.is_none() {
            return Err(insurance_missing());
        }
        let mut am = before.clone().into_active_model();
        am.status = Set(TaskStatus::Published);
        am.published_at = Set(Some(now));
        am.updated_at = Set(now);
        let after = am.update(txn).await?;
        audited(txn, actor, now, "task.publish", &before, &after).await?;
        dispatch::on_publish(txn, id).await?;
        reminders::schedule_headcount(txn, now, &after).await?;
        Ok::<_, DomainError>(after)
    })
    .await?;
    let skills = skills_of(db, id).await?;
    Ok(TaskView { task: model, skills, distance_km: None })
}

/// Cancels a task with a reason; every live sign-up ends with it.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: &str,
) -> DomainResult<TaskView> {
    let reason = required_text("reason", reason)?;
    let model = write(db, async |txn| {
        let before = load_for_organizer(txn, actor, id).await?;
        if matches!(before.status, TaskStatus::Completed | TaskStatus::Cancelled) {
            return Err(DomainError::conflict("task_closed", "the task is already completed or cancelled"));
        }
        let mut am = before.clone().into_active_model();
        am.status = Set(TaskStatus::Cancelled);
        am.cancel_reason = Set(Some(reason.clone()));
        am.updated_at = Set(now);
        let after = am.update(txn).await?;
        audited(txn, actor, now, "task.cancel", &before, &after).await?;
        if before.status == TaskStatus::Published {
            reminders::broadcast(txn, id, reminders::News::Cancelled, now).await?;
        }
        reminders::schedule_headcount(txn, now, &after).await?;
        dispatch::stop_cover(txn, id).await?;
        Ok::<_, DomainError>(after)
    })
    .await?;
    let skills = skills_of(db, id).await?;
    Ok(TaskView { task: model, skills, distance_km: None })
}

/// Marks published tasks that have ended as completed. Returns how many.
pub async fn complete_ended(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<u64> {
    let res = task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::value(TaskStatus::Completed))
        .col_expr(task::Column::UpdatedAt, Expr::value(now))
        .filter(task::Column::Status.eq(TaskStatus::Published))
        .filter(task::Column::EndsAt.lte(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// The task's organisers set what it requires (credentials, a level, courses).
pub async fn set_prerequisites(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    reqs: Vec<prerequisites::Requirement>,
) -> DomainResult<Vec<prerequisites::Requirement>> {
    write(db, async |txn| {
        load_for_organizer(txn, actor, task_id).await?;
        prerequisites::replace(txn, actor, now, prerequisites::Subject::Task(task_id), &reqs).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_rules() {
        let s = Utc::now();
        assert!(check_times(s, s, s).is_err());
        assert!(check_times(s, s + Duration::hours(2), s + Duration::hours(1)).is_err());
        assert!(check_times(s, s + Duration::days(15), s).is_err());
        assert!(check_times(s, s + Duration::hours(2), s - Duration::hours(1)).is_ok());
    }

    #[test]
    fn number_rules() {
        assert!(check_numbers(0, None, 300, 2, 60).is_err());
        assert!(check_numbers(10, Some(11), 300, 2, 60).is_err());
        assert!(check_numbers(10, Some(5), 5, 2, 60).is_err());
        assert!(check_numbers(10, None, 300, 200, 60).is_err());
        assert!(check_numbers(10, None, 300, 2, 0).is_err());
        assert!(check_numbers(10, Some(5), 300, 2, 60).is_ok());
    }
}
