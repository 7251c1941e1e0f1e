//! Strict check-in: the volunteer's phone shows a personal rotating code for their own sign-up
//! (`auth::codes`, the same construction as the task's code), and the leader's phone scans it to
//! record that volunteer's arrival or departure. The code names the sign-up and lives about a
//! minute, so it proves the volunteer's phone was in the leader's hands; a forwarded photo of the
//! task's shared code is refused on such a task (`attendance`).
//!
//! Rules: a personal code only for one's own confirmed sign-up on a live task; only the task's
//! leader or organisers scan, never their own code (403 `own_attendance`); the code must be for
//! a sign-up of this task (400 `check_in_code_wrong_task`); the scan happens in the check-in
//! window; the leader's phone sends its position when the task has a place, and a position
//! beyond the check-in radius is recorded and flags the stay's hours for review rather than
//! refusing the scan.

use crate::auth::codes::CheckInCodes;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::geo::validate_lat_lng;
use crate::domain::kernel::own_attendance::refuse_own;
use crate::domain::volunteering::attendance::{Closing, arrival, check_window, close, code_error, live_task};
use crate::domain::volunteering::tasks;
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::attendance::{self, AttendanceMethod};
use entity::hours_entry;
use entity::signup::{self, SignupStatus};
use entity::task::{self, TaskStatus};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use uuid::Uuid;

/// The personal code one's phone shows for one's own confirmed sign-up, and when to fetch the
/// next.
pub async fn personal_code(
    db: &impl ConnectionTrait,
    codes: &CheckInCodes,
    actor: &Actor,
    now: DateTime<Utc>,
    signup_id: Uuid,
) -> DomainResult<(String, DateTime<Utc>)> {
    let s = signup::Entity::find_by_id(signup_id)
        .one(db)
        .await?
        .filter(|s| s.volunteer_id == actor.user_id)
        .ok_or(DomainError::not_found("sign-up"))?;
    live_task(db, s.task_id).await?;
    if s.status != SignupStatus::Confirmed {
        return Err(DomainError::conflict("not_confirmed", "only a confirmed seat has a check-in code"));
    }
    Ok(codes.issue_personal(s.id, now))
}

/// Which end of a stay the leader's scan records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanAction {
    CheckIn,
    CheckOut,
}

/// What a scan recorded: the stay, and its hours entry once it is closed.
#[derive(Clone, Debug)]
pub struct Scanned {
    pub attendance: attendance::Model,
    pub hours: Option<hours_entry::Model>,
}

fn check_position(t: &task::Model, position: Option<(f64, f64)>) -> DomainResult<()> {
    match position {
        Some((lat, lng)) => validate_lat_lng(Some(lat), Some(lng)),
        None if t.lat.is_some() => {
            Err(DomainError::invalid("location_required", "this task checks where you are: send lat and lng"))
        }
        None => Ok(()),
    }
}

/// A scan as the leader's phone sends it: the code it read, what it records, where it is.
#[derive(Clone, Copy, Debug)]
pub struct Scan<'a> {
    pub code: &'a str,
    pub action: ScanAction,
    pub position: Option<(f64, f64)>,
}

/// The leader scans a volunteer's personal code to record their arrival or departure.
pub async fn scan(
    db: &DatabaseConnection,
    codes: &CheckInCodes,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    scan: Scan<'_>,
) -> DomainResult<Scanned> {
    let Scan { code, action, position } = scan;
    write(db, async |txn| {
        let t = tasks::load_for_leader(txn, actor, task_id).await?;
        if t.status != TaskStatus::Published {
            return Err(DomainError::conflict("task_closed", "the task is completed or cancelled"));
        }
        let signup_id = codes.open_personal(code, now).map_err(code_error)?;
        let s = signup::Entity::find_by_id(signup_id)
            .one(txn)
            .await?
            .filter(|s| s.task_id == task_id)
            .ok_or_else(|| DomainError::invalid("check_in_code_wrong_task", "this code is for another task"))?;
        refuse_own(actor, s.volunteer_id)?;
        if s.status != SignupStatus::Confirmed {
            return Err(DomainError::conflict("not_confirmed", "only volunteers with a confirmed seat check in"));
        }
        check_position(&t, position)?;
        let existing = attendance::Entity::find_by_id(s.id).one(txn).await?;
        match action {
            ScanAction::CheckIn => {
                if let Some(a) = existing {
                    return Ok(Scanned { attendance: a, hours: None });
                }
                check_window(&t, now)?;
                let mut row = arrival(&s, now, AttendanceMethod::Scan, position);
                row.recorded_by = Set(Some(actor.user_id));
                let a = row.insert(txn).await?;
                Ok(Scanned { attendance: a, hours: None })
            }
            ScanAction::CheckOut => {
                let a =
                    existing.ok_or_else(|| DomainError::conflict("not_checked_in", "check the volunteer in first"))?;
                if a.checked_out_at.is_some() {
                    return Err(DomainError::conflict("already_checked_out", "this volunteer has checked out"));
                }
                let closing =
                    Closing { position, recorded_by: Some(actor.user_id), ..Closing::new(now, AttendanceMethod::Scan) };
                let (a, e) = close(txn, &t, a, closing).await?;
                Ok(Scanned { attendance: a, hours: Some(e) })
            }
        }
    })
    .await
}
