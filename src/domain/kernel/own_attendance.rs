//! Nobody records their own presence: a task's leader does not check themself in or out by hand,
//! and a trainer or course organiser does not mark their own training attendance. Attendance is
//! what credits hours and continuing education, so it is always somebody else's word (403
//! `own_attendance`).

use crate::domain::kernel::actor::Actor;
use crate::domain::{DomainError, DomainResult, both};
use uuid::Uuid;

/// Refuses when `actor` would record the attendance of `person` and is that person.
pub fn refuse_own(actor: &Actor, person: Uuid) -> DomainResult<()> {
    if actor.user_id == person {
        return Err(DomainError::Forbidden {
            code: "own_attendance",
            detail: both("nobody records their own attendance", "不能为自己登记出勤"),
        });
    }
    Ok(())
}
