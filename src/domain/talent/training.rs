//! Training: courses and their sessions, enrolment (seats and waitlist through `domain::seats`,
//! the mechanism task sign-ups use), attendance recorded by the trainer, the append-only learning
//! ledger, external training claims, and continuing-education (继续教育) progress.
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
//!   enrolments only (409 `not_enrolled`); attending the whole session completes the course and
//!   credits its hours to the ledger once.
//! - External training is claimed with evidence and approved or rejected by an administrator
//!   whose scope holds the person (never their own); a social-work degree counts once, as the
//!   configured hours.
//! - A course may require credentials, a level or other courses (`domain::prerequisites`):
//!   enrolment refuses whoever lacks them (409 `prerequisite_missing`).
//! - Continuing-education progress counts approved CE entries completed within the current
//!   registration period against the level's requirement (`config::TalentConfig`).

use crate::config::TalentConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::talent::credentials::{self, LEVEL_KINDS};
use crate::domain::volunteering::hours::local_date;
use crate::domain::volunteering::seats::{self, Seat, SeatTables};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::course;
use entity::course_organiser;
use entity::credential::{self, CredentialStatus};
use entity::enrolment::{self, EnrolmentStatus};
use entity::learning_entry::{self, LearningSource, LearningStatus};
use entity::social_worker_profile::{self, QualificationLevel};
use entity::training_session::{self, SessionStatus};
use entity::user::{self, Role};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

/// Seats of training sessions are claimed by enrolments.
pub const SEATS: SeatTables = SeatTables { pool: "training_sessions", claims: "enrolments", pool_fk: "session_id" };

/// The most hours one course or claim may credit.
pub const MAX_CREDIT_MINUTES: i32 = 200 * 60;

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
        Role::StationAdmin | Role::CityAdmin => actor.covers_unit(db, Some(unit)).await,
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
async fn session_for_trainer(
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

fn reminder_key(enrolment: Uuid) -> String {
    format!("enrolment:{enrolment}:24h")
}

/// Schedules the day-before reminder of a confirmed enrolment.
async fn remind(
    txn: &impl ConnectionTrait,
    e: &enrolment::Model,
    s: &training_session::Model,
    c: &course::Model,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let due = s.starts_at - Duration::hours(24);
    if due <= now {
        return Ok(());
    }
    let msg = Message::new(
        e.person_id,
        Category::Training,
        "training.reminder_24h",
        format!("{}:{}", reminder_key(e.id), s.starts_at.timestamp()),
    )
    .param("course", &c.title)
    .param("start", s.starts_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%m-%d %H:%M").to_string())
    .data("sessionId", s.id);
    notifications::remind_at(txn, &reminder_key(e.id), due, msg).await?;
    Ok(())
}

/// An enrolment and whether this call created (or revived) it.
#[derive(Clone, Debug)]
pub struct Enrolled {
    pub enrolment: enrolment::Model,
    pub created: bool,
}

/// The actor enrols in a session: a seat, or a place on the waitlist.
pub async fn enrol(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    session_id: Uuid,
) -> DomainResult<Enrolled> {
    write(db, async |txn| {
        let s = get_session(txn, session_id).await?;
        if s.status != SessionStatus::Scheduled {
            return Err(DomainError::conflict("enrolment_closed", "this session was cancelled"));
        }
        crate::domain::people::users::lock_person(txn, actor.user_id).await?;
        let existing = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::PersonId.eq(actor.user_id))
            .one(txn)
            .await?;
        if let Some(e) = &existing
            && e.status != EnrolmentStatus::Cancelled
        {
            return Ok(Enrolled { enrolment: e.clone(), created: false });
        }
        if now > s.enrol_deadline {
            return Err(DomainError::conflict("enrolment_closed", "the enrolment deadline has passed"));
        }
        crate::domain::talent::prerequisites::check(
            txn,
            actor.user_id,
            crate::domain::talent::prerequisites::Subject::Course(s.course_id),
            now,
        )
        .await?;
        let c = get_course(txn, s.course_id).await?;
        let (status, position) = match seats::take(txn, SEATS, session_id).await? {
            Seat::Confirmed => (EnrolmentStatus::Confirmed, None),
            Seat::Waitlisted(p) => (EnrolmentStatus::Waitlisted, Some(p)),
        };
        let model = match existing {
            Some(old) => {
                let mut am = old.into_active_model();
                am.status = Set(status);
                am.position = Set(position);
                am.updated_at = Set(now);
                am.update(txn).await?
            }
            None => {
                enrolment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    session_id: Set(session_id),
                    person_id: Set(actor.user_id),
                    status: Set(status),
                    position: Set(position),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(txn)
                .await?
            }
        };
        if status == EnrolmentStatus::Confirmed {
            remind(txn, &model, &s, &c, now).await?;
        }
        Ok(Enrolled { enrolment: model, created: true })
    })
    .await
}

/// The person cancels their enrolment before the session starts; a confirmed seat goes to the
/// head of the waitlist (returned).
pub async fn cancel_enrolment(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> DomainResult<(enrolment::Model, Option<Uuid>)> {
    write(db, async |txn| {
        let e = enrolment::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("enrolment"))?;
        if e.person_id != actor.user_id {
            return Err(DomainError::not_found("enrolment"));
        }
        let s = get_session(txn, e.session_id).await?;
        if now >= s.starts_at {
            return Err(DomainError::conflict("session_started", "the session has started"));
        }
        end_enrolment(txn, &s, e.id, now).await
    })
    .await
}

/// Cancels a live enrolment under the pool lock, handing a confirmed seat on (and scheduling the
/// promoted person's reminder).
async fn end_enrolment(
    txn: &impl ConnectionTrait,
    s: &training_session::Model,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<(enrolment::Model, Option<Uuid>)> {
    seats::lock_pool(txn, SEATS, s.id).await?;
    let e = enrolment::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("enrolment"))?;
    if !matches!(e.status, EnrolmentStatus::Confirmed | EnrolmentStatus::Waitlisted) {
        return Err(DomainError::conflict("enrolment_not_live", "this enrolment has already ended"));
    }
    let was_confirmed = e.status == EnrolmentStatus::Confirmed;
    let mut am = e.into_active_model();
    am.status = Set(EnrolmentStatus::Cancelled);
    am.position = Set(None);
    am.updated_at = Set(now);
    let ended = am.update(txn).await?;
    notifications::cancel_reminder(txn, &reminder_key(id)).await?;
    let mut promoted = None;
    if was_confirmed && let Some(p) = seats::release(txn, SEATS, s.id, now).await? {
        if let Some(pe) = enrolment::Entity::find_by_id(p).one(txn).await? {
            let c = get_course(txn, s.course_id).await?;
            remind(txn, &pe, s, &c, now).await?;
        }
        promoted = Some(p);
    }
    Ok((ended, promoted))
}

/// A line of a session's roster.
#[derive(Clone, Debug)]
pub struct RosterLine {
    pub enrolment: enrolment::Model,
    pub person: user::Model,
}

/// The roster of a session (its trainer, administrators of the course's unit), oldest first.
pub async fn roster(
    db: &impl ConnectionTrait,
    actor: &Actor,
    session_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<RosterLine>> {
    session_for_trainer(db, actor, session_id).await?;
    let q = enrolment::Entity::find().filter(enrolment::Column::SessionId.eq(session_id));
    let p = page::fetch(db, q, enrolment::Column::Id, Order::OldestFirst, page, |e| e.id).await?;
    let people = crate::domain::people::users::by_ids(db, p.items.iter().map(|e| e.person_id)).await?;
    let items = p
        .items
        .into_iter()
        .filter_map(|e| people.get(&e.person_id).cloned().map(|person| RosterLine { enrolment: e, person }))
        .collect();
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// One's own enrolments, newest first.
pub async fn my_enrolments(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<enrolment::Model>> {
    let q = enrolment::Entity::find().filter(enrolment::Column::PersonId.eq(actor.user_id));
    Ok(page::fetch(db, q, enrolment::Column::Id, Order::NewestFirst, page, |e| e.id).await?)
}

/// The trainer (or an administrator of the course's unit) records whether a confirmed person
/// attended the whole session. Attending credits the course's hours once; recording the same again
/// changes nothing; changing a recorded attendance is refused (409 `attendance_recorded`).
pub async fn record_attendance(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    session_id: Uuid,
    person_id: Uuid,
    attended: bool,
) -> DomainResult<enrolment::Model> {
    write(db, async |txn| {
        let (s, c) = session_for_trainer(txn, actor, session_id).await?;
        if now < s.starts_at {
            return Err(DomainError::conflict("session_not_started", "attendance is recorded once the session starts"));
        }
        let e = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::PersonId.eq(person_id))
            .one(txn)
            .await?;
        let Some(e) = e.filter(|e| {
            matches!(e.status, EnrolmentStatus::Confirmed | EnrolmentStatus::Attended | EnrolmentStatus::Absent)
        }) else {
            return Err(DomainError::conflict("not_enrolled", "this person holds no seat in this session"));
        };
        let wanted = if attended { EnrolmentStatus::Attended } else { EnrolmentStatus::Absent };
        if e.status == wanted {
            return Ok(e);
        }
        if e.status != EnrolmentStatus::Confirmed {
            return Err(DomainError::conflict("attendance_recorded", "attendance was already recorded otherwise"));
        }
        let person = user::Entity::find_by_id(person_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        let mut am = e.into_active_model();
        am.status = Set(wanted);
        am.updated_at = Set(now);
        let e = am.update(txn).await?;
        if attended {
            learning_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(person_id),
                source: Set(LearningSource::Course),
                course_id: Set(Some(c.id)),
                session_id: Set(Some(s.id)),
                title: Set(c.title.clone()),
                minutes: Set(c.credit_minutes),
                counts_as_ce: Set(c.counts_as_ce),
                status: Set(LearningStatus::Approved),
                completed_on: Set(local_date(s.ends_at.min(now), &person.time_zone)),
                evidence_ref: Set(None),
                org_unit_id: Set(Some(c.org_unit_id)),
                reason: Set(None),
                created_by: Set(actor.user_id),
                decided_by: Set(Some(actor.user_id)),
                decided_at: Set(Some(now)),
                created_at: Set(now),
                entry_key: Set(Some(format!("enrolment:{}", e.id))),
            }
            .insert(txn)
            .await?;
        }
        Ok(e)
    })
    .await
}

/// External training (or a social-work degree) a person claims.
#[derive(Clone, Debug)]
pub struct ExternalClaim {
    pub title: String,
    pub minutes: i32,
    pub completed_on: NaiveDate,
    pub counts_as_ce: bool,
    pub evidence_ref: String,
    /// A social-work degree: counts as the configured hours, once.
    pub degree: bool,
}

/// A person claims external training with evidence; it waits for an administrator.
pub async fn claim(
    db: &DatabaseConnection,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    claim: ExternalClaim,
) -> DomainResult<learning_entry::Model> {
    let title = required_text("title", &claim.title)?;
    let evidence = required_text("evidenceRef", &claim.evidence_ref)?;
    let minutes = if claim.degree { (cfg.degree_hours * 60) as i32 } else { claim.minutes };
    if !(1..=MAX_CREDIT_MINUTES).contains(&minutes) {
        return Err(DomainError::invalid("invalid_minutes", "minutes is 1 to 12000"));
    }
    write(db, async |txn| {
        let me = user::Entity::find_by_id(actor.user_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if claim.completed_on > local_date(now, &me.time_zone) {
            return Err(DomainError::invalid("invalid_dates", "completedOn cannot be in the future"));
        }
        Ok(learning_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(actor.user_id),
            source: Set(if claim.degree { LearningSource::Degree } else { LearningSource::External }),
            course_id: Set(None),
            session_id: Set(None),
            title: Set(title.clone()),
            minutes: Set(minutes),
            counts_as_ce: Set(claim.degree || claim.counts_as_ce),
            status: Set(LearningStatus::Pending),
            completed_on: Set(claim.completed_on),
            evidence_ref: Set(Some(evidence.clone())),
            org_unit_id: Set(me.org_unit_id),
            reason: Set(None),
            created_by: Set(actor.user_id),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            entry_key: Set(None),
        }
        .insert(txn)
        .await?)
    })
    .await
}

/// An administrator whose scope holds the person approves or rejects a pending claim (a
/// rejection needs a reason); nobody decides their own (403).
pub async fn decide_claim(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> DomainResult<learning_entry::Model> {
    actor.require_admin()?;
    let reason = if approve { None } else { Some(required_text("reason", reason.as_deref().unwrap_or(""))?) };
    write(db, async |txn| {
        let e =
            learning_entry::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("learning entry"))?;
        if e.person_id == actor.user_id {
            return Err(DomainError::forbidden("nobody decides their own training claims"));
        }
        let person = user::Entity::find_by_id(e.person_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if !actor.covers_unit(txn, person.org_unit_id).await? {
            return Err(DomainError::not_found("learning entry"));
        }
        if e.status != LearningStatus::Pending {
            return Err(DomainError::conflict("already_decided", "this claim has already been decided"));
        }
        let before = e.clone();
        let mut am = e.into_active_model();
        am.status = Set(if approve { LearningStatus::Approved } else { LearningStatus::Rejected });
        am.reason = Set(reason.clone());
        am.decided_by = Set(Some(actor.user_id));
        am.decided_at = Set(Some(now));
        let after = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(
                actor.user_id,
                if approve { "training_claim.approve" } else { "training_claim.reject" },
                "learning_entry",
                id,
            )
            .before(&before)
            .after(&after)
            .reason(reason),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Pending training claims of people in the actor's scope, oldest first (administrators).
pub async fn claims_for_review(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<learning_entry::Model>> {
    let root = actor.admin_scope_root()?;
    let mut q = learning_entry::Entity::find().filter(learning_entry::Column::Status.eq(LearningStatus::Pending));
    if let Some(root) = root {
        let people = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)))
            .to_owned();
        q = q.filter(learning_entry::Column::PersonId.in_subquery(people));
    }
    Ok(page::fetch(db, q, learning_entry::Column::Id, Order::OldestFirst, page, |e| e.id).await?)
}

/// Continuing-education progress in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub required_minutes: i64,
    /// Approved CE minutes completed in the period (a degree counted once).
    pub completed_minutes: i64,
    /// CE minutes claimed and not yet decided.
    pub pending_minutes: i64,
}

impl Progress {
    /// Minutes still missing.
    pub fn shortfall(&self) -> i64 {
        (self.required_minutes - self.completed_minutes).max(0)
    }
}

/// The CE hours a level requires per period, in minutes.
pub fn required_minutes(cfg: &TalentConfig, level: Option<QualificationLevel>) -> i64 {
    let hours = match level {
        None => 0,
        Some(QualificationLevel::AssistantSocialWorker) => cfg.ce_hours[0],
        Some(QualificationLevel::SocialWorker) => cfg.ce_hours[1],
        Some(QualificationLevel::SeniorSocialWorker) => cfg.ce_hours[2],
    };
    i64::from(hours) * 60
}

/// A person's CE progress for `level` in the period `[start, end)`.
pub async fn progress(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    person: Uuid,
    level: Option<QualificationLevel>,
    start: NaiveDate,
    end: NaiveDate,
) -> DomainResult<Progress> {
    let entries = learning_entry::Entity::find()
        .filter(learning_entry::Column::PersonId.eq(person))
        .filter(learning_entry::Column::CountsAsCe.eq(true))
        .filter(learning_entry::Column::CompletedOn.gte(start))
        .filter(learning_entry::Column::CompletedOn.lt(end))
        .all(db)
        .await?;
    let mut p = Progress { required_minutes: required_minutes(cfg, level), ..Progress::default() };
    let mut degree_counted = false;
    for e in entries {
        match e.status {
            LearningStatus::Approved if e.source == LearningSource::Degree => {
                if !degree_counted {
                    p.completed_minutes += i64::from(cfg.degree_hours) * 60;
                    degree_counted = true;
                }
            }
            LearningStatus::Approved => p.completed_minutes += i64::from(e.minutes),
            LearningStatus::Pending => p.pending_minutes += i64::from(e.minutes),
            LearningStatus::Rejected => {}
        }
    }
    Ok(p)
}

/// Where a person stands: their level, the current registration period and their progress in it.
#[derive(Clone, Debug)]
pub struct Standing {
    pub level: Option<QualificationLevel>,
    /// The credential whose registration period counts.
    pub credential: Option<credential::Model>,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub progress: Progress,
}

/// A person's standing on `today`.
pub async fn standing(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    person: &user::Model,
    now: DateTime<Utc>,
) -> DomainResult<Standing> {
    let today = local_date(now, &person.time_zone);
    let level = credentials::current_level(db, person.id, today).await?;
    let Some(level) = level else {
        return Ok(Standing { level: None, credential: None, period: None, progress: Progress::default() });
    };
    let c = credential::Entity::find()
        .filter(credential::Column::HolderId.eq(person.id))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .filter(credential::Column::Kind.eq(credentials::kind_of(level)))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.expires_on.is_none_or(|e| e >= today))
        .max_by_key(|c| c.issued_on);
    let period =
        c.as_ref().and_then(|c| credentials::registration(cfg, c, today)).map(|r| (r.period_start, r.period_end));
    let progress = match period {
        Some((s, e)) => progress(db, cfg, person.id, Some(level), s, e).await?,
        None => Progress { required_minutes: required_minutes(cfg, Some(level)), ..Progress::default() },
    };
    Ok(Standing { level: Some(level), credential: c, period, progress })
}

/// One's own ledger, newest first.
pub async fn my_entries(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<learning_entry::Model>> {
    let q = learning_entry::Entity::find().filter(learning_entry::Column::PersonId.eq(actor.user_id));
    Ok(page::fetch(db, q, learning_entry::Column::Id, Order::NewestFirst, page, |e| e.id).await?)
}

/// A person behind their CE requirement.
#[derive(Clone, Debug)]
pub struct Behind {
    pub person: user::Model,
    pub standing: Standing,
}

/// People in the actor's scope holding a level, behind their CE requirement, largest shortfall
/// first (at most `limit`). Administrators.
pub async fn behind_report(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    limit: usize,
) -> DomainResult<Vec<Behind>> {
    let root = actor.admin_scope_root()?;
    let holders = Query::select()
        .column(social_worker_profile::Column::UserId)
        .from(social_worker_profile::Entity)
        .and_where(social_worker_profile::Column::QualificationLevel.is_not_null())
        .to_owned();
    let mut q = user::Entity::find()
        .filter(user::Column::Id.in_subquery(holders))
        .filter(user::Column::Status.eq(user::UserStatus::Active));
    if let Some(root) = root {
        q = q.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    let mut out = Vec::new();
    for person in q.all(db).await? {
        let standing = standing(db, cfg, &person, now).await?;
        if standing.progress.shortfall() > 0 {
            out.push(Behind { person, standing });
        }
    }
    out.sort_by(|a, b| {
        b.standing.progress.shortfall().cmp(&a.standing.progress.shortfall()).then(a.person.id.cmp(&b.person.id))
    });
    out.truncate(limit);
    Ok(out)
}

/// The kinds that carry a level (for queries).
pub fn level_kinds() -> impl Iterator<Item = &'static str> {
    LEVEL_KINDS.iter().map(|(k, _)| *k)
}

/// Talent's part of a person's data: credentials (with their evidence references), enrolments,
/// the learning ledger, reminders sent and the course-organiser grant. Erasure deletes
/// credentials, reminders and the grant, ends live enrolments (their seats go to the waitlist)
/// and forgets evidence references; the ledger stays, under the pseudonym, like volunteer hours.
pub struct Talent;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Talent {
    fn section(&self) -> &'static str {
        "talent"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::talent_reminder;
        let id = cx.person.id;
        Ok(crate::domain::people::privacy::Export::new()
            .part(
                "credentials",
                credential::Entity::find().filter(credential::Column::HolderId.eq(id)).all(txn).await?,
            )?
            .part("enrolments", enrolment::Entity::find().filter(enrolment::Column::PersonId.eq(id)).all(txn).await?)?
            .part(
                "learning",
                learning_entry::Entity::find().filter(learning_entry::Column::PersonId.eq(id)).all(txn).await?,
            )?
            .part(
                "reminders",
                talent_reminder::Entity::find().filter(talent_reminder::Column::UserId.eq(id)).all(txn).await?,
            )?
            .part("courseOrganiser", course_organiser::Entity::find_by_id(id).one(txn).await?)?
            .done())
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::talent_reminder;
        use sea_orm::sea_query::Expr;
        let id = cx.person.id;
        let live = enrolment::Entity::find()
            .filter(enrolment::Column::PersonId.eq(id))
            .filter(enrolment::Column::Status.is_in([EnrolmentStatus::Confirmed, EnrolmentStatus::Waitlisted]))
            .all(txn)
            .await?;
        for e in live {
            let s = get_session(txn, e.session_id).await?;
            if s.starts_at > cx.now {
                end_enrolment(txn, &s, e.id, cx.now).await?;
            }
        }
        credential::Entity::delete_many().filter(credential::Column::HolderId.eq(id)).exec(txn).await?;
        talent_reminder::Entity::delete_many().filter(talent_reminder::Column::UserId.eq(id)).exec(txn).await?;
        course_organiser::Entity::delete_by_id(id).exec(txn).await?;
        learning_entry::Entity::update_many()
            .col_expr(learning_entry::Column::EvidenceRef, Expr::value(Option::<String>::None))
            .filter(learning_entry::Column::PersonId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}
