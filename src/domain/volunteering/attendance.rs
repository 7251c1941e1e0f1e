//! Showing up: check-in and check-out with the organiser's rotating code and the volunteer's
//! position, by hand by the organiser with a reason, and automatically at the task's end.
//! A check-out turns the stay into a pending hours entry (`domain::hours::record_stay`).
//!
//! Table: `attendance` (one row per sign-up).
//!
//! Rules: only confirmed volunteers check in; from 30 minutes before the start until the end;
//! within the task's check-in radius when it has coordinates; a code is for one task and about
//! a minute (`auth::codes`).

use crate::auth::codes::{CheckInCodes, CodeError};
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::duties;
use crate::domain::kernel::geo::{distance_km, validate_lat_lng};
use crate::domain::volunteering::hours;
use crate::domain::volunteering::tasks;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Duration, Utc};
use entity::attendance::{self, AttendanceMethod};
use entity::hours_entry;
use entity::signup::{self, SignupStatus};
use entity::task::{self, TaskStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

/// How early before the start check-in opens.
pub const CHECK_IN_OPENS_MINUTES: i64 = 30;

fn code_error(e: CodeError) -> DomainError {
    match e {
        CodeError::Forged => DomainError::invalid("check_in_code_invalid", e.to_string()),
        CodeError::Expired => DomainError::invalid("check_in_code_expired", e.to_string()),
        CodeError::OtherTask => DomainError::invalid("check_in_code_wrong_task", e.to_string()),
    }
}

fn check_window(t: &task::Model, at: DateTime<Utc>) -> DomainResult<()> {
    if at < t.starts_at - Duration::minutes(CHECK_IN_OPENS_MINUTES) || at > t.ends_at {
        return Err(DomainError::conflict(
            "outside_check_in_window",
            format!("check-in opens {CHECK_IN_OPENS_MINUTES} minutes before the start and closes at the end"),
        ));
    }
    Ok(())
}

fn check_place(t: &task::Model, position: Option<(f64, f64)>) -> DomainResult<()> {
    let (Some(lat), Some(lng)) = (t.lat, t.lng) else { return Ok(()) };
    let Some((plat, plng)) = position else {
        return Err(DomainError::invalid("location_required", "this task checks where you are: send lat and lng"));
    };
    validate_lat_lng(Some(plat), Some(plng))?;
    let metres = distance_km(lat, lng, plat, plng) * 1000.0;
    if metres > f64::from(t.check_in_radius_m) {
        return Err(DomainError::conflict(
            "too_far",
            format!("you are {metres:.0} m from the task; check-in works within {} m", t.check_in_radius_m),
        ));
    }
    Ok(())
}

async fn confirmed_signup(txn: &impl ConnectionTrait, task_id: Uuid, volunteer: Uuid) -> DomainResult<signup::Model> {
    let s = signup::Entity::find()
        .filter(signup::Column::TaskId.eq(task_id))
        .filter(signup::Column::VolunteerId.eq(volunteer))
        .one(txn)
        .await?;
    match s {
        Some(s) if s.status == SignupStatus::Confirmed => Ok(s),
        _ => Err(DomainError::conflict("not_confirmed", "only volunteers with a confirmed seat check in")),
    }
}

async fn live_task(txn: &impl ConnectionTrait, id: Uuid) -> DomainResult<task::Model> {
    let t = task::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
    match t.status {
        TaskStatus::Published => Ok(t),
        TaskStatus::Draft => Err(DomainError::not_found("task")),
        _ => Err(DomainError::conflict("task_closed", "the task is completed or cancelled")),
    }
}

/// The code the organiser's phone shows, and when to fetch the next.
pub async fn current_code(
    db: &impl ConnectionTrait,
    codes: &CheckInCodes,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
) -> DomainResult<(String, DateTime<Utc>)> {
    let t = tasks::load_for_leader(db, actor, task_id).await?;
    if t.status != TaskStatus::Published {
        return Err(DomainError::conflict("task_closed", "check-in codes are for published tasks"));
    }
    Ok(codes.issue(task_id, now))
}

/// The volunteer checks in with the scanned code and their position.
pub async fn check_in(
    db: &DatabaseConnection,
    codes: &CheckInCodes,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    code: &str,
    position: Option<(f64, f64)>,
) -> DomainResult<attendance::Model> {
    write(db, async |txn| {
        let t = live_task(txn, task_id).await?;
        codes.verify(code, task_id, now).map_err(code_error)?;
        let s = confirmed_signup(txn, task_id, actor.user_id).await?;
        if let Some(existing) = attendance::Entity::find_by_id(s.id).one(txn).await? {
            return Ok(existing);
        }
        check_window(&t, now)?;
        check_place(&t, position)?;
        let row = attendance::ActiveModel {
            signup_id: Set(s.id),
            task_id: Set(task_id),
            volunteer_id: Set(actor.user_id),
            checked_in_at: Set(now),
            check_in_method: Set(AttendanceMethod::Code),
            check_in_lat: Set(position.map(|p| p.0)),
            check_in_lng: Set(position.map(|p| p.1)),
            checked_out_at: Set(None),
            check_out_method: Set(None),
            check_out_lat: Set(None),
            check_out_lng: Set(None),
            manual_reason: Set(None),
            recorded_by: Set(None),
        };
        Ok(row.insert(txn).await?)
    })
    .await
}

/// How a stay ends: when, by which method, where the phone was, and who recorded it why (for a
/// hand-recorded check-out).
struct Closing {
    at: DateTime<Utc>,
    method: AttendanceMethod,
    position: Option<(f64, f64)>,
    recorded_by: Option<Uuid>,
    reason: Option<String>,
}

impl Closing {
    fn new(at: DateTime<Utc>, method: AttendanceMethod) -> Closing {
        Closing { at, method, position: None, recorded_by: None, reason: None }
    }
}

/// Closes an open stay and records its hours. Shared by check-out, manual and automatic.
async fn close(
    txn: &impl ConnectionTrait,
    t: &task::Model,
    a: attendance::Model,
    closing: Closing,
) -> DomainResult<(attendance::Model, hours_entry::Model)> {
    let Closing { at, method, position, recorded_by, reason } = closing;
    if at < a.checked_in_at {
        return Err(DomainError::invalid("before_check_in", "check-out cannot be before check-in"));
    }
    let mut am = a.into_active_model();
    am.checked_out_at = Set(Some(at));
    am.check_out_method = Set(Some(method));
    am.check_out_lat = Set(position.map(|p| p.0));
    am.check_out_lng = Set(position.map(|p| p.1));
    if recorded_by.is_some() {
        am.recorded_by = Set(recorded_by);
        am.manual_reason = Set(reason);
    }
    let closed = am.update(txn).await?;
    let entry = hours::record_stay(txn, t, &closed, recorded_by.unwrap_or(closed.volunteer_id)).await?;
    Ok((closed, entry))
}

/// The volunteer checks out with the scanned code and their position.
pub async fn check_out(
    db: &DatabaseConnection,
    codes: &CheckInCodes,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    code: &str,
    position: Option<(f64, f64)>,
) -> DomainResult<(attendance::Model, hours_entry::Model)> {
    write(db, async |txn| {
        let t = live_task(txn, task_id).await?;
        codes.verify(code, task_id, now).map_err(code_error)?;
        let s = confirmed_signup(txn, task_id, actor.user_id).await?;
        let a = attendance::Entity::find_by_id(s.id)
            .one(txn)
            .await?
            .ok_or_else(|| DomainError::conflict("not_checked_in", "check in first"))?;
        if a.checked_out_at.is_some() {
            return Err(DomainError::conflict("already_checked_out", "you have already checked out"));
        }
        check_place(&t, position)?;
        close(txn, &t, a, Closing { position, ..Closing::new(now, AttendanceMethod::Code) }).await
    })
    .await
}

/// What an organiser records by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManualAction {
    CheckIn,
    CheckOut,
    NoShow,
}

/// The organiser or leader records attendance by hand, with a reason (a phone without signal,
/// a forgotten check-out, a no-show).
pub async fn record_manually(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    signup_id: Uuid,
    action: ManualAction,
    at: Option<DateTime<Utc>>,
    reason: &str,
) -> DomainResult<signup::Model> {
    let reason = required_text("reason", reason)?;
    let at = at.unwrap_or(now);
    if at > now {
        return Err(DomainError::invalid("time_in_future", "attendance cannot be recorded ahead of time"));
    }
    write(db, async |txn| {
        let s = signup::Entity::find_by_id(signup_id).one(txn).await?.ok_or(DomainError::not_found("sign-up"))?;
        let t = tasks::load_for_leader(txn, actor, s.task_id).await?;
        duties::require_may_decide(txn, actor, s.volunteer_id).await?;
        if s.status != SignupStatus::Confirmed {
            return Err(DomainError::conflict("not_confirmed", "attendance is recorded for confirmed sign-ups"));
        }
        if t.status == TaskStatus::Cancelled {
            return Err(DomainError::conflict("task_closed", "the task was cancelled"));
        }
        let existing = attendance::Entity::find_by_id(s.id).one(txn).await?;
        match action {
            ManualAction::CheckIn => {
                if existing.is_some() {
                    return Err(DomainError::conflict("already_checked_in", "this volunteer has checked in"));
                }
                check_window(&t, at)?;
                attendance::ActiveModel {
                    signup_id: Set(s.id),
                    task_id: Set(t.id),
                    volunteer_id: Set(s.volunteer_id),
                    checked_in_at: Set(at),
                    check_in_method: Set(AttendanceMethod::Manual),
                    check_in_lat: Set(None),
                    check_in_lng: Set(None),
                    checked_out_at: Set(None),
                    check_out_method: Set(None),
                    check_out_lat: Set(None),
                    check_out_lng: Set(None),
                    manual_reason: Set(Some(reason.clone())),
                    recorded_by: Set(Some(actor.user_id)),
                }
                .insert(txn)
                .await?;
            }
            ManualAction::CheckOut => {
                let a =
                    existing.ok_or_else(|| DomainError::conflict("not_checked_in", "check the volunteer in first"))?;
                if a.checked_out_at.is_some() {
                    return Err(DomainError::conflict("already_checked_out", "this volunteer has checked out"));
                }
                close(
                    txn,
                    &t,
                    a,
                    Closing {
                        recorded_by: Some(actor.user_id),
                        reason: Some(reason.clone()),
                        ..Closing::new(at, AttendanceMethod::Manual)
                    },
                )
                .await?;
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
    })
    .await
}

/// Closes every stay still open on a task that has ended, at the task's end. Returns how many.
pub async fn close_open_stays(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<u64> {
    let open = attendance::Entity::find()
        .filter(attendance::Column::CheckedOutAt.is_null())
        .filter(
            attendance::Column::TaskId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(task::Column::Id)
                    .from(task::Entity)
                    .and_where(task::Column::EndsAt.lte(now))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    let mut closed = 0;
    for a in open {
        let done = write(db, async |txn| {
            // Re-read: another worker may have closed it meanwhile.
            let Some(a) = attendance::Entity::find_by_id(a.signup_id).one(txn).await? else { return Ok(false) };
            if a.checked_out_at.is_some() {
                return Ok(false);
            }
            let t = task::Entity::find_by_id(a.task_id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
            let end = t.ends_at;
            close(txn, &t, a, Closing::new(end, AttendanceMethod::Auto)).await?;
            Ok::<_, DomainError>(true)
        })
        .await?;
        closed += u64::from(done);
    }
    Ok(closed)
}
