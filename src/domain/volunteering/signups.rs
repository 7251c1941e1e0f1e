//! Signing up for tasks: seats first come first served, then a FIFO waitlist; managed tasks
//! wait for the organiser; cancelling a confirmed seat hands it to the head of the waitlist.
//!
//! Table: `signups` (one row per task and volunteer). Seats: `domain::seats` over `tasks`.
//! Signing up itself, in few statements, is `volunteering::signing_up`.
//!
//! Rules:
//! - Only published tasks before their sign-up deadline take sign-ups (409 `signup_closed`).
//! - Signing up twice is one sign-up: the second call returns the first.
//! - A new sign-up that overlaps, in time, another live sign-up of the same volunteer is refused
//!   (409 `schedule_conflict`). Checking against waitlisted sign-ups too means a later promotion
//!   can never double-book anyone.
//! - Cancelling later than the task's cut-off is allowed but recorded as late.
//! - Every change a person makes to a sign-up (signing up, cancelling, answering the reminder, an
//!   organiser's approval, denial or removal) is audited with its before and after, volunteers'
//!   own included: the log is filtered by target (`?targetType=signup&targetId=`) or by person
//!   (`?actorId=`). Consequences the system draws (promotion from the waitlist, no-shows, ends
//!   on erasure) follow from an audited change or a rule and are not recorded again.

pub use super::signing_up::sign_up;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::duties;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::seats::{self, Seat, SeatTables};
use crate::domain::{DomainError, DomainResult, required_text};
use crate::domain::{people::users, volunteering::dispatch, volunteering::reminders, volunteering::tasks};
use chrono::{DateTime, Duration, Utc};
use entity::signup::{self, SignupStatus};
use entity::task::{self, TaskStatus};
use entity::user;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

/// Seats of tasks are claimed by sign-ups.
pub const SEATS: SeatTables = SeatTables { pool: "tasks", claims: "signups", pool_fk: "task_id" };

/// A sign-up and whether this call created (or revived) it.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub signup: signup::Model,
    pub created: bool,
}

/// A sign-up that changed hands or ended, for telling the people concerned.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// Sign-ups promoted from the waitlist to a confirmed seat.
    pub promoted: Vec<Uuid>,
}

/// Whether the volunteer already holds a live sign-up for another task overlapping `t`.
pub async fn has_conflict(txn: &impl ConnectionTrait, volunteer: Uuid, t: &task::Model) -> DomainResult<bool> {
    let clash = signup::Entity::find()
        .join(JoinType::InnerJoin, signup::Relation::Task.def())
        .filter(signup::Column::VolunteerId.eq(volunteer))
        .filter(signup::Column::TaskId.ne(t.id))
        .filter(signup::Column::Status.is_in([
            SignupStatus::Confirmed,
            SignupStatus::Waitlisted,
            SignupStatus::Pending,
        ]))
        .filter(task::Column::Status.eq(TaskStatus::Published))
        .filter(task::Column::StartsAt.lt(t.ends_at))
        .filter(task::Column::EndsAt.gt(t.starts_at))
        .one(txn)
        .await?;
    Ok(clash.is_some())
}

fn status_of(seat: Seat) -> (SignupStatus, Option<i32>) {
    match seat {
        Seat::Confirmed => (SignupStatus::Confirmed, None),
        Seat::Waitlisted(p) => (SignupStatus::Waitlisted, Some(p)),
    }
}

/// Shows a waitlisted sign-up's place in line (1: next to be promoted) in `position`, where the
/// table keeps its ticket: tickets are handed out in order and never reused, so the place is
/// one more than the tickets still waiting before it.
pub async fn place_in_line(db: &impl ConnectionTrait, mut s: signup::Model) -> DomainResult<signup::Model> {
    if s.status == SignupStatus::Waitlisted
        && let Some(ticket) = s.position
    {
        let ahead = signup::Entity::find()
            .filter(signup::Column::TaskId.eq(s.task_id))
            .filter(signup::Column::Status.eq(SignupStatus::Waitlisted))
            .filter(signup::Column::Position.lt(ticket))
            .count(db)
            .await?;
        s.position = Some(i32::try_from(ahead).unwrap_or(i32::MAX).saturating_add(1));
    }
    Ok(s)
}

/// Audits a sign-up written by [`place`]: new (no before) or revived from an ended one.
pub(crate) async fn audit_placed(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    before: Option<&signup::Model>,
    after: &signup::Model,
) -> DomainResult<()> {
    let change = Change::new(actor.user_id, action, "signup", after.id);
    let change = match before {
        Some(b) => change.before(b),
        None => change,
    };
    audit::record(txn, now, change.after(after)).await
}

/// Writes a volunteer's sign-up row for a task: a new one, or the revival of an ended one.
pub async fn place(
    txn: &impl ConnectionTrait,
    existing: Option<signup::Model>,
    task_id: Uuid,
    volunteer: Uuid,
    status: SignupStatus,
    position: Option<i32>,
    now: DateTime<Utc>,
) -> DomainResult<signup::Model> {
    let model = match existing {
        Some(old) => {
            let mut am = old.into_active_model();
            am.status = Set(status);
            am.position = Set(position);
            am.late_cancellation = Set(false);
            am.reason = Set(None);
            am.decided_by = Set(None);
            am.confirmed_attendance_at = Set(None);
            am.updated_at = Set(now);
            am.update(txn).await?
        }
        None => {
            signup::ActiveModel {
                id: Set(Uuid::now_v7()),
                task_id: Set(task_id),
                volunteer_id: Set(volunteer),
                status: Set(status),
                position: Set(position),
                late_cancellation: Set(false),
                no_show: Set(false),
                reason: Set(None),
                decided_by: Set(None),
                confirmed_attendance_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    };
    Ok(model)
}

async fn load(txn: &impl ConnectionTrait, id: Uuid) -> DomainResult<(signup::Model, task::Model)> {
    let s = signup::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("sign-up"))?;
    let t = task::Entity::find_by_id(s.task_id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
    Ok((s, t))
}

/// Ends a live sign-up with `status`, handing a confirmed seat on. Shared by cancel, remove and
/// "can't attend".
async fn end(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    s: signup::Model,
    t: &task::Model,
    status: SignupStatus,
    reason: Option<String>,
    decided_by: Option<Uuid>,
) -> DomainResult<(signup::Model, Effects)> {
    seats::lock_pool(txn, SEATS, t.id).await?;
    // Re-read under the lock: a concurrent call may have ended it already.
    let s = signup::Entity::find_by_id(s.id).one(txn).await?.ok_or(DomainError::not_found("sign-up"))?;
    if !s.status.is_live() {
        return Err(DomainError::conflict("signup_not_live", "this sign-up has already ended"));
    }
    let was_confirmed = s.status == SignupStatus::Confirmed;
    let late = status == SignupStatus::Cancelled
        && was_confirmed
        && now > t.starts_at - Duration::hours(i64::from(t.cancel_cutoff_hours));
    let mut am = s.into_active_model();
    am.status = Set(status);
    am.position = Set(None);
    am.late_cancellation = Set(late);
    am.reason = Set(reason);
    am.decided_by = Set(decided_by);
    am.updated_at = Set(now);
    let ended = am.update(txn).await?;
    reminders::cancel(txn, ended.id).await?;
    let mut effects = Effects::default();
    if was_confirmed {
        match seats::release(txn, SEATS, t.id, now).await? {
            Some(p) => effects.promoted.push(p),
            None => dispatch::on_seat_freed(txn, now, t).await?,
        }
        reminders::promoted(txn, now, &effects.promoted, t).await?;
    }
    Ok((ended, effects))
}

/// Ends a live sign-up because its volunteer's account is erased: a cancellation, with the seat
/// handed on (promotion from the waitlist, or a cover offer) exactly as [`cancel`] and [`remove`]
/// hand it on.
pub(crate) async fn end_for_erasure(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    s: signup::Model,
) -> DomainResult<()> {
    let Some(t) = task::Entity::find_by_id(s.task_id).one(txn).await? else { return Ok(()) };
    match end(txn, now, s, &t, SignupStatus::Cancelled, Some("account erased".into()), None).await {
        // Ended meanwhile: nothing left to hand on.
        Ok(_) | Err(DomainError::Conflict { code: "signup_not_live", .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Ends the live sign-ups of a person for tasks not yet started because their guardian's consent
/// ended: each is a cancellation (the seat is handed on), and each task's organiser and leader
/// are told.
pub(crate) async fn end_for_guardian(txn: &DatabaseTransaction, now: DateTime<Utc>, person: Uuid) -> DomainResult<()> {
    let Some(who) = entity::user::Entity::find_by_id(person).one(txn).await? else { return Ok(()) };
    let live = signup::Entity::find()
        .filter(signup::Column::VolunteerId.eq(person))
        .filter(signup::Column::Status.is_in([
            SignupStatus::Pending,
            SignupStatus::Confirmed,
            SignupStatus::Waitlisted,
        ]))
        .all(txn)
        .await?;
    for s in live {
        let Some(t) = task::Entity::find_by_id(s.task_id).one(txn).await? else { continue };
        if t.starts_at <= now {
            continue;
        }
        let id = s.id;
        match end(txn, now, s, &t, SignupStatus::Cancelled, Some("guardian consent withdrawn".into()), None).await {
            Ok(_) | Err(DomainError::Conflict { code: "signup_not_live", .. }) => {}
            Err(e) => return Err(e),
        }
        let mut told = vec![t.created_by];
        told.extend(t.leader_id.filter(|l| *l != t.created_by));
        for to in told {
            let m = crate::domain::messaging::notifications::Message::new(
                to,
                crate::domain::messaging::notifications::Category::TaskChange,
                "task.guardian_withdrawn",
                format!("guardian_withdrawn:{id}:{to}"),
            )
            .param("task", t.title.clone())
            .param("volunteer", who.name.clone())
            .data("taskId", t.id)
            .data("signupId", id);
            crate::domain::messaging::notifications::tell(txn, m).await?;
        }
    }
    Ok(())
}

/// The volunteer cancels their own sign-up, before the task starts.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: Option<String>,
) -> DomainResult<(signup::Model, Effects)> {
    write(db, async |txn| {
        let (s, t) = load(txn, id).await?;
        if s.volunteer_id != actor.user_id {
            return Err(DomainError::not_found("sign-up"));
        }
        if now >= t.starts_at {
            return Err(DomainError::conflict("task_started", "the task has started; ask its leader instead"));
        }
        let before = s.clone();
        let (ended, effects) = end(txn, now, s, &t, SignupStatus::Cancelled, reason, None).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "signup.cancel", "signup", id).before(&before).after(&ended),
        )
        .await?;
        Ok((ended, effects))
    })
    .await
}

/// The volunteer answers the day-before reminder: coming, or not (which cancels, with a reason).
pub async fn respond(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    attending: bool,
    reason: Option<String>,
) -> DomainResult<(signup::Model, Effects)> {
    if !attending {
        let reason = required_text("reason", reason.as_deref().unwrap_or(""))?;
        return cancel(db, actor, now, id, Some(reason)).await;
    }
    write(db, async |txn| {
        let (s, _) = load(txn, id).await?;
        if s.volunteer_id != actor.user_id {
            return Err(DomainError::not_found("sign-up"));
        }
        if s.status != SignupStatus::Confirmed {
            return Err(DomainError::conflict(
                "not_confirmed",
                "only a confirmed sign-up can be confirmed as attending",
            ));
        }
        let before = s.clone();
        let mut am = s.into_active_model();
        am.confirmed_attendance_at = Set(Some(now));
        am.updated_at = Set(now);
        let after = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "signup.respond", "signup", id).before(&before).after(&after),
        )
        .await?;
        Ok((after, Effects::default()))
    })
    .await
}

/// An organiser approves a managed sign-up: it takes a seat, or a place on the waitlist.
pub async fn approve(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> DomainResult<signup::Model> {
    let approved = write(db, async |txn| {
        let (s, t) = load(txn, id).await?;
        tasks::load_for_organizer(txn, actor, t.id).await?;
        duties::require_may_decide(txn, actor, s.volunteer_id).await?;
        if s.status != SignupStatus::Pending {
            return Err(DomainError::conflict("not_pending", "only a pending sign-up can be approved"));
        }
        let (status, position) = status_of(seats::take(txn, SEATS, t.id).await?);
        let before = s.clone();
        let mut am = s.into_active_model();
        am.status = Set(status);
        am.position = Set(position);
        am.decided_by = Set(Some(actor.user_id));
        am.updated_at = Set(now);
        let s = am.update(txn).await?;
        audit::record(txn, now, Change::new(actor.user_id, "signup.approve", "signup", id).before(&before).after(&s))
            .await?;
        if s.status == SignupStatus::Confirmed {
            reminders::seat_confirmed(txn, now, &s, &t, None).await?;
        }
        reminders::decided(txn, &s, &t).await?;
        Ok(s)
    })
    .await?;
    place_in_line(db, approved).await
}

/// An organiser denies a pending sign-up, with a reason.
pub async fn deny(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: &str,
) -> DomainResult<signup::Model> {
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let (s, t) = load(txn, id).await?;
        tasks::load_for_organizer(txn, actor, t.id).await?;
        duties::require_may_decide(txn, actor, s.volunteer_id).await?;
        if s.status != SignupStatus::Pending {
            return Err(DomainError::conflict("not_pending", "only a pending sign-up can be denied"));
        }
        let before = s.clone();
        let (denied, _) = end(txn, now, s, &t, SignupStatus::Denied, Some(reason), Some(actor.user_id)).await?;
        audit::record(txn, now, Change::new(actor.user_id, "signup.deny", "signup", id).before(&before).after(&denied))
            .await?;
        reminders::decided(txn, &denied, &t).await?;
        Ok(denied)
    })
    .await
}

/// An organiser removes a person from a task, with a reason.
pub async fn remove(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: &str,
) -> DomainResult<(signup::Model, Effects)> {
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let (s, t) = load(txn, id).await?;
        tasks::load_for_organizer(txn, actor, t.id).await?;
        let before = s.clone();
        let (removed, effects) = end(txn, now, s, &t, SignupStatus::Removed, Some(reason), Some(actor.user_id)).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "signup.remove", "signup", id).before(&before).after(&removed),
        )
        .await?;
        reminders::decided(txn, &removed, &t).await?;
        Ok((removed, effects))
    })
    .await
}

/// A sign-up as the roster shows it.
#[derive(Clone, Debug)]
pub struct RosterLine {
    pub signup: signup::Model,
    pub volunteer: user::Model,
}

/// The roster of a task for whoever runs it: every sign-up, oldest first.
pub async fn roster(
    db: &impl ConnectionTrait,
    actor: &Actor,
    task_id: Uuid,
    status: Option<SignupStatus>,
    page: PageRequest,
) -> DomainResult<Page<RosterLine>> {
    tasks::load_for_leader(db, actor, task_id).await?;
    let mut q = signup::Entity::find().filter(signup::Column::TaskId.eq(task_id));
    if let Some(s) = status {
        q = q.filter(signup::Column::Status.eq(s));
    }
    let p = page::fetch(db, q, signup::Column::Id, Order::OldestFirst, page, |s| s.id).await?;
    let ids: Vec<Uuid> = p.items.iter().map(|s| s.volunteer_id).collect();
    let people = users::by_ids(db, ids).await?;
    let mut items = Vec::new();
    for s in p.items {
        if let Some(v) = people.get(&s.volunteer_id) {
            items.push(RosterLine { volunteer: v.clone(), signup: place_in_line(db, s).await? });
        }
    }
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// One of the actor's own sign-ups, with its task.
#[derive(Clone, Debug)]
pub struct MySignup {
    pub signup: signup::Model,
    pub task: task::Model,
}

/// The actor's sign-ups, newest first; `live_only` keeps those still holding or awaiting a seat.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: &Actor,
    live_only: bool,
    page: PageRequest,
) -> DomainResult<Page<MySignup>> {
    let mut q = signup::Entity::find().filter(signup::Column::VolunteerId.eq(actor.user_id));
    if live_only {
        q = q.filter(signup::Column::Status.is_in([
            SignupStatus::Pending,
            SignupStatus::Confirmed,
            SignupStatus::Waitlisted,
        ]));
    }
    let p = page::fetch(db, q, signup::Column::Id, Order::NewestFirst, page, |s| s.id).await?;
    let ids: Vec<Uuid> = p.items.iter().map(|s| s.task_id).collect();
    let tasks: std::collections::HashMap<Uuid, task::Model> = task::Entity::find()
        .filter(task::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut items = Vec::new();
    for s in p.items {
        if let Some(task) = tasks.get(&s.task_id).cloned() {
            items.push(MySignup { signup: place_in_line(db, s).await?, task });
        }
    }
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// One sign-up, to its volunteer or whoever runs the task.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<MySignup> {
    let (s, t) = load(db, id).await?;
    if s.volunteer_id != actor.user_id && !tasks::may_lead(db, actor, &t).await? {
        return Err(DomainError::not_found("sign-up"));
    }
    Ok(MySignup { signup: place_in_line(db, s).await?, task: t })
}

/// Confirmed volunteers who never checked in to tasks that have ended are recorded as no-shows.
pub async fn mark_no_shows(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<u64> {
    let ended_tasks = Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .and_where(task::Column::EndsAt.lte(now))
        .and_where(task::Column::Status.is_in([TaskStatus::Published, TaskStatus::Completed]))
        .to_owned();
    let attended =
        Query::select().column(entity::attendance::Column::SignupId).from(entity::attendance::Entity).to_owned();
    let res = signup::Entity::update_many()
        .col_expr(signup::Column::NoShow, Expr::value(true))
        .col_expr(signup::Column::UpdatedAt, Expr::value(now))
        .filter(signup::Column::Status.eq(SignupStatus::Confirmed))
        .filter(signup::Column::NoShow.eq(false))
        .filter(signup::Column::TaskId.in_subquery(ended_tasks))
        .filter(signup::Column::Id.not_in_subquery(attended))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// One line of a roster export: the sign-up, the person, their attendance and credited minutes.
#[derive(Clone, Debug)]
pub struct RosterExportLine {
    pub signup: signup::Model,
    pub volunteer: user::Model,
    pub attendance: Option<entity::attendance::Model>,
    /// Minutes recorded for this task (pending or approved, corrections included).
    pub minutes: i64,
}

/// The whole roster of a task with attendance, for whoever runs it.
pub async fn roster_export(
    db: &impl ConnectionTrait,
    actor: &Actor,
    task_id: Uuid,
) -> DomainResult<Vec<RosterExportLine>> {
    tasks::load_for_leader(db, actor, task_id).await?;
    let signups = signup::Entity::find().filter(signup::Column::TaskId.eq(task_id)).all(db).await?;
    let people = users::by_ids(db, signups.iter().map(|s| s.volunteer_id)).await?;
    let attendance: std::collections::HashMap<Uuid, entity::attendance::Model> = entity::attendance::Entity::find()
        .filter(entity::attendance::Column::TaskId.eq(task_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.signup_id, a))
        .collect();
    let mut minutes: std::collections::HashMap<Uuid, i64> = std::collections::HashMap::new();
    for e in entity::hours_entry::Entity::find()
        .filter(entity::hours_entry::Column::TaskId.eq(task_id))
        .filter(entity::hours_entry::Column::Status.ne(entity::hours_entry::HoursStatus::Declined))
        .all(db)
        .await?
    {
        *minutes.entry(e.volunteer_id).or_default() += i64::from(e.minutes);
    }
    Ok(signups
        .into_iter()
        .filter_map(|s| {
            let volunteer = people.get(&s.volunteer_id)?.clone();
            Some(RosterExportLine {
                attendance: attendance.get(&s.id).cloned(),
                minutes: minutes.get(&s.volunteer_id).copied().unwrap_or(0),
                volunteer,
                signup: s,
            })
        })
        .collect())
}
