//! Separation of duties: who may decide on a person's records (hours, credentials, continuing-
//! education claims, nominations, attendance). One rule, called by every decision:
//! nobody decides on their own records, nor on those of an account they created, nor on those of
//! an administrator at their own level or above. Such decisions go one level up: a station
//! administrator's to the district administrator above (or the city administrator), a district
//! administrator's to the city administrator.
//!
//! An administrator account is created by the level above (see `people::users`), which is also
//! the level that decides for it: for administrators the level rule is the rule, and "an account
//! they created" concerns the volunteers and social workers an administrator enrols, whose
//! records would otherwise be theirs to inflate.
//!
//! Scope (whether the decider covers the person at all) is each area's own check; this rule only
//! narrows it, and answers 403 `decision_not_yours` with who must decide instead.

use crate::domain::{DomainError, DomainResult, both, kernel::actor::Actor};
use entity::user::{self, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait, sea_query::Condition};
use uuid::Uuid;

/// Why `actor` may not decide on the records of `subject`, if they may not.
pub fn conflict(actor: &Actor, subject: &user::Model) -> Option<&'static str> {
    if subject.id == actor.user_id {
        Some("your own records")
    } else if subject.created_by == Some(actor.user_id) && !subject.role.is_admin() {
        Some("the records of an account you created")
    } else if subject.role.is_admin() && subject.role.rank() >= actor.role.rank() {
        Some("the records of an administrator at your level or above")
    } else {
        None
    }
}

/// 403 `decision_not_yours` unless `actor` may decide on the records of the person `subject`
/// (see the module docs). A person who does not exist has no records to protect.
pub async fn require_may_decide(db: &impl ConnectionTrait, actor: &Actor, subject: Uuid) -> DomainResult<()> {
    match user::Entity::find_by_id(subject).one(db).await? {
        Some(person) => require_may_decide_on(actor, &person),
        None => Ok(()),
    }
}

/// [`require_may_decide`], for a person already loaded.
pub fn require_may_decide_on(actor: &Actor, subject: &user::Model) -> DomainResult<()> {
    match conflict(actor, subject) {
        None => Ok(()),
        Some(what) => Err(refusal(actor.role, what)),
    }
}

/// The people `actor` may never decide for (themselves, the accounts they created, administrators
/// at their level or above), as a condition on a column holding a person's id: for filtering a
/// decision queue so it offers only what its reader may decide.
pub fn decidable_by(actor: &Actor, person_column: impl ColumnTrait) -> Condition {
    let barred = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(
            Condition::any()
                .add(user::Column::Id.eq(actor.user_id))
                .add(
                    Condition::all()
                        .add(user::Column::CreatedBy.eq(actor.user_id))
                        .add(user::Column::Role.is_in([Role::Volunteer, Role::SocialWorker])),
                )
                .add(user::Column::Role.is_in(admins_from(actor.role))),
        )
        .into_query();
    Condition::all().add(person_column.not_in_subquery(barred))
}

/// The administrator roles ranked at `role` or above.
fn admins_from(role: Role) -> Vec<Role> {
    [Role::StationAdmin, Role::DistrictAdmin, Role::CityAdmin].into_iter().filter(|r| r.rank() >= role.rank()).collect()
}

fn refusal(role: Role, what: &str) -> DomainError {
    let (en, zh) = match role {
        Role::StationAdmin => ("the district or city administrator", "区级或市级管理员"),
        Role::DistrictAdmin => ("the city administrator", "市级管理员"),
        Role::CityAdmin => (
            "nobody above a city administrator; such records are not decided here",
            "市级管理员之上无人可决定，此类记录不在此处决定",
        ),
        Role::SocialWorker | Role::Volunteer => ("an administrator over this person", "此人所属的管理员"),
    };
    DomainError::Forbidden {
        code: "decision_not_yours",
        detail: both(
            format!("you may not decide on {what}; this must be decided by {en}"),
            format!("不能由你决定（本人、本人创建的账号或同级及以上管理员的记录），应由{zh}决定"),
        ),
    }
}
