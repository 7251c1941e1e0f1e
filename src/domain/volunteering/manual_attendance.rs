//! Attendance recorded by hand (a phone without signal, a forgotten check-out, a no-show), and
//! the organisers' confirmation of what a leader who is not staff recorded.
//!
//! Table: `manual_attendance` (records held for confirmation); applied records land in
//! `attendance` and the sign-up, as any other.
//!
//! Rules:
//! - Only the task's leader or organisers record by hand, with a reason; never their own
//!   attendance (403 `own_attendance`).
//! - What staff record (a social worker or administrator) applies at once. What a leader who is
//!   not staff records is held, crediting nothing, until an organiser of the task (its creator, a
//!   staff leader, an administrator in scope) confirms it, which applies it as recorded, or
//!   rejects it. A record is decided once (409 `not_pending`), even by two organisers at once.
//! - Every record applied, held, confirmed or rejected is audited with before and after, in the
//!   same transaction.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::duties;
use crate::domain::kernel::own_attendance::refuse_own;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::volunteering::attendance::{Closing, arrival, check_window, close};
use crate::domain::volunteering::tasks;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Utc};
use entity::attendance::{self, AttendanceMethod};
use entity::manual_attendance::{self, ManualAttendanceStatus};
use entity::signup::{self, SignupStatus};
use entity::task::{self, TaskStatus};
use entity::user::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

/// What is recorded by hand.
pub use entity::manual_attendance::ManualAttendanceAction as ManualAction;

/// What became of attendance recorded by hand.
#[derive(Clone, Debug)]
pub enum Recorded {
    /// Applied at once (recorded by staff).
    Applied(signup::Model),
    /// Held for an organiser's confirmation (recorded by a leader who is not staff).
    Held(manual_attendance::Model),
}

/// A sign-up's attendance as the audit log keeps it.
#[derive(Serialize)]
struct Presence {
    attendance: Option<attendance::Model>,
    no_show: bool,
}

async fn presence(txn: &impl ConnectionTrait, s: &signup::Model) -> DomainResult<Presence> {
    Ok(Presence { attendance: attendance::Entity::find_by_id(s.id).one(txn).await?, no_show: s.no_show })
}

fn check_recordable(s: &signup::Model, t: &task::Model) -> DomainResult<()> {
    if s.status != SignupStatus::Confirmed {
        return Err(DomainError::conflict("not_confirmed", "attendance is recorded for confirmed sign-ups"));
    }
    if t.status == TaskStatus::Cancelled {
        return Err(DomainError::conflict("task_closed", "the task was cancelled"));
    }
    Ok(())
}

/// What someone recorded by hand: which action, when it happened, why, and who recorded it.
struct Entry<'a> {
    action: ManualAction,
    at: DateTime<Utc>,
    reason: &'a str,
    recorded_by: Uuid,
}

/// Applies a check-in, check-out or no-show recorded by hand to the sign-up.
async fn apply(
    txn: &impl ConnectionTrait,
    t: &task::Model,
    s: signup::Model,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> DomainResult<signup::Model> {
    let Entry { action, at, reason, recorded_by } = entry;
    check_recordable(&s, t)?;
    let existing = attendance::Entity::find_by_id(s.id).one(txn).await?;
    match action {
        ManualAction::CheckIn => {
            if existing.is_some() {
                return Err(DomainError::conflict("already_checked_in", "this volunteer has checked in"));
            }
            check_window(t, at)?;
            let mut row = arrival(&s, at, AttendanceMethod::Manual, None);
            row.manual_reason = Set(Some(reason.to_string()));
            row.recorded_by = Set(Some(recorded_by));
            row.insert(txn).await?;
        }
        ManualAction::CheckOut => {
            let a = existing.ok_or_else(|| DomainError::conflict("not_checked_in", "check the volunteer in first"))?;
            if a.checked_out_at.is_some() {
                return Err(DomainError::conflict("already_checked_out", "this volunteer has checked out"));
            }
            let closing = Closing {
                recorded_by: Some(recorded_by),
                reason: Some(reason.to_string()),
                ..Closing::new(at, AttendanceMethod::Manual)
            };
            close(txn, t, a, closing).await?;
        }
        ManualAction::NoShow => {
            if existing.is_some() {
                return Err(DomainError::conflict("already_checked_in", "this volunteer checked in"));
            }
        }
    }
    let mut am = s.into_active_model();
    am.no_show = Set(action == ManualAction::NoShow);
    am.updated_at = Set(now);
    Ok(am.update(txn).await?)
}

/// The leader or an organiser records attendance by hand, with a reason: applied at once when
/// they are staff, held for an organiser's confirmation when they are not.
pub async fn record_manually(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    signup_id: Uuid,
    action: ManualAction,
    at: Option<DateTime<Utc>>,
    reason: &str,
) -> DomainResult<Recorded> {
    let reason = required_text("reason", reason)?;
    let at = at.unwrap_or(now);
    if at > now {
        return Err(DomainError::invalid("time_in_future", "attendance cannot be recorded ahead of time"));
    }
    write(db, async |txn| {
        let s = signup::Entity::find_by_id(signup_id).one(txn).await?.ok_or(DomainError::not_found("sign-up"))?;
        let t = tasks::load_for_leader(txn, actor, s.task_id).await?;
        refuse_own(actor, s.volunteer_id)?;
        duties::require_may_decide(txn, actor, s.volunteer_id).await?;
        if actor.role == Role::Volunteer {
            check_recordable(&s, &t)?;
            if action == ManualAction::CheckIn {
                check_window(&t, at)?;
            }
            let held = manual_attendance::ActiveModel {
                id: Set(Uuid::now_v7()),
                signup_id: Set(s.id),
                task_id: Set(t.id),
                volunteer_id: Set(s.volunteer_id),
                action: Set(action),
                at: Set(at),
                reason: Set(reason.clone()),
                recorded_by: Set(actor.user_id),
                status: Set(ManualAttendanceStatus::Pending),
                decided_by: Set(None),
                decided_at: Set(None),
                decision_reason: Set(None),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
            let change = Change::new(actor.user_id, "attendance.hold", "manual_attendance", held.id)
                .after(&held)
                .reason(Some(reason.clone()));
            audit::record(txn, now, change).await?;
            return Ok(Recorded::Held(held));
        }
        let before = presence(txn, &s).await?;
        let s = apply(txn, &t, s, Entry { action, at, reason: &reason, recorded_by: actor.user_id }, now).await?;
        let change = Change::new(actor.user_id, "attendance.record_manually", "signup", s.id)
            .before(&before)
            .after(&presence(txn, &s).await?)
            .reason(Some(reason.clone()));
        audit::record(txn, now, change).await?;
        Ok(Recorded::Applied(s))
    })
    .await
}

/// Attendance held for confirmation on a task, oldest first (its organisers).
pub async fn list_pending(
    db: &impl ConnectionTrait,
    actor: &Actor,
    task_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<manual_attendance::Model>> {
    tasks::load_for_organizer(db, actor, task_id).await?;
    let q = manual_attendance::Entity::find()
        .filter(manual_attendance::Column::TaskId.eq(task_id))
        .filter(manual_attendance::Column::Status.eq(ManualAttendanceStatus::Pending));
    Ok(page::fetch(db, q, manual_attendance::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// An organiser of the task confirms (applies) or rejects attendance a leader who is not staff
/// recorded by hand.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    confirm: bool,
    reason: Option<&str>,
) -> DomainResult<manual_attendance::Model> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    write(db, async |txn| {
        let before = manual_attendance::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("attendance record"))?;
        let t = tasks::load_for_organizer(txn, actor, before.task_id).await?;
        refuse_own(actor, before.volunteer_id)?;
        duties::require_may_decide(txn, actor, before.volunteer_id).await?;
        let status = if confirm { ManualAttendanceStatus::Confirmed } else { ManualAttendanceStatus::Rejected };
        // Decided once: of two organisers deciding at once, the second finds it decided.
        let taken = manual_attendance::Entity::update_many()
            .col_expr(manual_attendance::Column::Status, Expr::value(status))
            .col_expr(manual_attendance::Column::DecidedBy, Expr::value(Some(actor.user_id)))
            .col_expr(manual_attendance::Column::DecidedAt, Expr::value(Some(now)))
            .col_expr(manual_attendance::Column::DecisionReason, Expr::value(reason.clone()))
            .filter(manual_attendance::Column::Id.eq(id))
            .filter(manual_attendance::Column::Status.eq(ManualAttendanceStatus::Pending))
            .exec(txn)
            .await?;
        if taken.rows_affected != 1 {
            return Err(DomainError::conflict("not_pending", "this record has already been decided"));
        }
        if confirm {
            let s = signup::Entity::find_by_id(before.signup_id)
                .one(txn)
                .await?
                .ok_or(DomainError::not_found("sign-up"))?;
            let entry =
                Entry { action: before.action, at: before.at, reason: &before.reason, recorded_by: before.recorded_by };
            apply(txn, &t, s, entry, now).await?;
        }
        let after = manual_attendance::Entity::find_by_id(id)
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("attendance record"))?;
        let action = if confirm { "attendance.confirm" } else { "attendance.reject" };
        let change =
            Change::new(actor.user_id, action, "manual_attendance", id).before(&before).after(&after).reason(reason);
        audit::record(txn, now, change).await?;
        Ok(after)
    })
    .await
}
