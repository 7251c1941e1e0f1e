//! Training: courses and their sessions, enrolment (seats and waitlist through `domain::seats`,
//! the mechanism task sign-ups use), attendance recorded by the trainer, the append-only learning
//! ledger, external training claims, and continuing-education (继续教育) progress. This module
//! holds courses, sessions and who may organise them; enrolment and attendance are in
//! `enrolments`, the ledger, claims and CE progress in `learning`; the rules below cover all three.
//!
//! Tables: `courses`, `training_sessions` (seat pools), `enrolments` (claims),
//! `learning_entries` (append-only).
//!
//! Rules:
//! - Administrators create courses for units in their scope and sessions of those courses;
//!   so do social workers a station administrator allowed, within their own station.
//! - Enrolment: only scheduled sessions before their enrolment deadline (409 `enrolment_closed`);
//!   enrolling twice returns the first enrolment; a confirmed seat while seats remain, else the
//!   waitlist; cancelling a confirmed seat hands it to the head of the waitlist. A reminder goes
//!   out 24 hours before the session.
//! - The trainer (or an administrator of the course's unit) records attendance of confirmed
//!   enrolments only (409 `not_enrolled`), never their own (403 `own_attendance`); attending the
//!   whole session completes the course and credits its hours to the ledger once, never more
//!   than the session lasted.
//! - External training is claimed with evidence and approved or rejected by an administrator
//!   whose scope holds the person (never their own); a social-work degree counts once, as the
//!   configured hours.
//! - A course may require credentials, a level or other courses (`domain::prerequisites`):
//!   enrolment refuses whoever lacks them (409 `prerequisite_missing`).
//! - Continuing-education progress counts approved CE entries completed within the current
//!   registration period against the level's requirement (`config::TalentConfig`).

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::seats::SeatTables;
use crate::domain::talent::credentials;
use crate::domain::talent::learning::MAX_CREDIT_MINUTES;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Duration, Utc};
use entity::course;
use entity::course_organiser;
use entity::social_worker_profile::QualificationLevel;
use entity::training_session::{self, SessionStatus};
use entity::user::{self, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

/// Seats of training sessions are claimed by enrolments.
pub const SEATS: SeatTables = SeatTables { pool: "training_sessions", claims: "enrolments", pool_fk: "session_id" };

/// A course to create.
#[derive(Clone, Debug)]
pub struct NewCourse {
    pub org_unit_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    pub target_levels: Vec<QualificationLevel>,
    pub credit_minutes: i32,
    pub counts_as_ce: bool,
}

/// The levels a course targets, from its stored form.
pub fn target_levels(c: &course::Model) -> Vec<QualificationLevel> {
    c.target_levels.split(',').filter_map(credentials::level_of).collect()
}

/// Whether the actor runs courses of `unit`: administrators over their scope, social workers a
/// station administrator allowed over their own station's subtree.
async fn runs_courses_of(db: &impl ConnectionTrait, actor: &Actor, unit: Uuid) -> DomainResult<bool> {
    match actor.role {
        Role::StationAdmin | Role::DistrictAdmin | Role::CityAdmin => actor.covers_unit(db, Some(unit)).await,
        Role::SocialWorker => Ok(is_course_organiser(db, actor.user_id).await? && actor.serves_unit(db, unit).await?),
        Role::Volunteer => Ok(false),
    }
}

/// Whether a station administrator allowed this person to create courses.
pub async fn is_course_organiser(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<bool> {
    Ok(course_organiser::Entity::find_by_id(user_id).one(db).await?.is_some())
}

/// An administrator allows (or stops allowing) a person in their scope to create courses and
/// schedule sessions; it takes effect for social workers. Oneself: 403; outside scope: 404.
pub async fn allow_course_organiser(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    user_id: Uuid,
    allowed: bool,
) -> DomainResult<bool> {
    actor.require_admin()?;
    if actor.user_id == user_id {
        return Err(DomainError::forbidden("nobody grants themselves"));
    }
    write(db, async |txn| {
        crate::domain::people::users::get_visible(txn, actor, user_id).await?;
        course_organiser::Entity::delete_by_id(user_id).exec(txn).await?;
        if allowed {
            course_organiser::ActiveModel {
                user_id: Set(user_id),
                granted_by: Set(actor.user_id),
                granted_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
        let action = if allowed { "course_organiser.allow" } else { "course_organiser.disallow" };
        audit::record(txn, now, Change::new(actor.user_id, action, "user", user_id)).await?;
        Ok(allowed)
    })
    .await
}

/// An administrator (or a social worker a station administrator allowed) creates a course for a
/// unit in their scope (another unit: 403).
pub async fn create_course(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewCourse,
) -> DomainResult<course::Model> {
    let allowed =
        actor.role.is_admin() || (actor.role == Role::SocialWorker && is_course_organiser(db, actor.user_id).await?);
    if !allowed {
        return Err(DomainError::forbidden("a station administrator must allow you to create courses"));
    }
    let title = required_text("title", &new.title)?;
    let category = required_text("category", &new.category)?;
    if !(1..=MAX_CREDIT_MINUTES).contains(&new.credit_minutes) {
        return Err(DomainError::invalid("invalid_minutes", "creditMinutes is 1 to 12000"));
    }
    let mut levels: Vec<&str> = new.target_levels.iter().map(|l| credentials::kind_of(*l)).collect();
    levels.sort();
    levels.dedup();
    write(db, async |txn| {
        org_units::get(txn, new.org_unit_id)
            .await
            .map_err(|_| DomainError::invalid("unit_not_found", "no such org unit"))?;
        if !runs_courses_of(txn, actor, new.org_unit_id).await? {
            return Err(DomainError::forbidden("that unit is outside your scope"));
        }
        let id = Uuid::now_v7();
        let model = course::ActiveModel {
            id: Set(id),
            org_unit_id: Set(new.org_unit_id),
            title: Set(title.clone()),
            description: Set(new.description.trim().to_string()),
            category: Set(category.clone()),
            target_levels: Set(levels.join(",")),
            credit_minutes: Set(new.credit_minutes),
            counts_as_ce: Set(new.counts_as_ce),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(txn, now, Change::new(actor.user_id, "course.create", "course", id).after(&model)).await?;
        Ok(model)
    })
    .await
}

/// Courses, newest first (everyone signed in).
pub async fn list_courses(db: &impl ConnectionTrait, page: PageRequest) -> DomainResult<Page<course::Model>> {
    Ok(page::fetch(db, course::Entity::find(), course::Column::Id, Order::NewestFirst, page, |c| c.id).await?)
}

/// One course.
pub async fn get_course(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<course::Model> {
    course::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("course"))
}

/// The course, if the actor administers its unit; else 404.
async fn course_for_admin(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<course::Model> {
    let c = get_course(db, id).await?;
    if !runs_courses_of(db, actor, c.org_unit_id).await? {
        return Err(DomainError::not_found("course"));
    }
    Ok(c)
}

/// A session to schedule.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub trainer_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub capacity: i32,
    /// Default: the start.
    pub enrol_deadline: Option<DateTime<Utc>>,
}

/// An administrator of the course's unit schedules a session of it.
pub async fn create_session(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    course_id: Uuid,
    new: NewSession,
) -> DomainResult<training_session::Model> {
    if new.ends_at <= new.starts_at || new.ends_at - new.starts_at > Duration::days(7) {
        return Err(DomainError::invalid("invalid_times", "a session ends after it starts, within a week"));
    }
    if new.starts_at <= now {
        return Err(DomainError::invalid("invalid_times", "a session is scheduled in the future"));
    }
    let deadline = new.enrol_deadline.unwrap_or(new.starts_at);
    if deadline > new.starts_at {
        return Err(DomainError::invalid("invalid_times", "enrolment closes by the start"));
    }
    if !(1..=10_000).contains(&new.capacity) {
        return Err(DomainError::invalid("invalid_capacity", "capacity is 1 to 10000"));
    }
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (place, link) = (clean(new.place), clean(new.online_link));
    if place.is_none() && link.is_none() {
        return Err(DomainError::validation("give a place or an online link"));
    }
    write(db, async |txn| {
        let c = course_for_admin(txn, actor, course_id).await?;
        let trainer = user::Entity::find_by_id(new.trainer_id).one(txn).await?;
        if trainer.is_none_or(|t| t.status != user::UserStatus::Active) {
            return Err(DomainError::invalid("trainer_not_found", "trainerId names no active person"));
        }
        let id = Uuid::now_v7();
        let model = training_session::ActiveModel {
            id: Set(id),
            course_id: Set(c.id),
            trainer_id: Set(new.trainer_id),
            starts_at: Set(new.starts_at),
            ends_at: Set(new.ends_at),
            place: Set(place.clone()),
            online_link: Set(link.clone()),
            capacity: Set(new.capacity),
            filled: Set(0),
            waitlist_seq: Set(0),
            enrol_deadline: Set(deadline),
            status: Set(SessionStatus::Scheduled),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "training_session.create", "training_session", id).after(&model),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// Sessions of a course, oldest first.
pub async fn list_sessions(
    db: &impl ConnectionTrait,
    course_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<training_session::Model>> {
    get_course(db, course_id).await?;
    let q = training_session::Entity::find().filter(training_session::Column::CourseId.eq(course_id));
    Ok(page::fetch(db, q, training_session::Column::Id, Order::OldestFirst, page, |s| s.id).await?)
}

/// One session.
pub async fn get_session(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<training_session::Model> {
    training_session::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("training session"))
}

/// The session and its course, if the actor trains it or administers the course's unit; else 404.
pub(super) async fn session_for_trainer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<(training_session::Model, course::Model)> {
    let s = get_session(db, id).await?;
    let c = get_course(db, s.course_id).await?;
    let admin = actor.role.is_admin() && actor.covers_unit(db, Some(c.org_unit_id)).await?;
    if s.trainer_id != actor.user_id && !admin {
        return Err(DomainError::not_found("training session"));
    }
    Ok((s, c))
}
