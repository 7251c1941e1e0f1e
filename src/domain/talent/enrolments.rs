//! Enrolment in training sessions: seats and the waitlist (the seat pool of `training::SEATS`),
//! cancelling, the reminder before a session, the trainer's roster and attendance, which credits
//! the course's hours, capped by the session's length, to the learning ledger.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::own_attendance;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::seats::{self, Seat};
use crate::domain::kernel::time;
use crate::domain::kernel::time::local_date;
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::talent::training::{SEATS, get_course, get_session, session_for_trainer};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use entity::course;
use entity::enrolment::{self, EnrolmentStatus};
use entity::learning_entry::{self, LearningSource, LearningStatus};
use entity::training_session::{self, SessionStatus};
use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use std::collections::HashMap;
use uuid::Uuid;

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
    // A session in a room keeps the clock of the course's unit; one that is only online, the
    // clock of the person joining from wherever they are.
    let zone = if s.place.is_none() && s.online_link.is_some() {
        time::person_zone_by_id(txn, e.person_id).await?
    } else {
        time::unit_zone(txn, c.org_unit_id).await?
    };
    let msg = Message::new(
        e.person_id,
        Category::Training,
        "training.reminder_24h",
        format!("{}:{}", reminder_key(e.id), s.starts_at.timestamp()),
    )
    .param("course", &c.title)
    .param("start", time::format_local(s.starts_at, zone))
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
        let today = crate::domain::kernel::time::person_today(txn, actor.user_id, now).await?;
        crate::domain::people::guardians::ensure_may_sign_up(txn, actor.user_id, today).await?;
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

/// Ends a person's live enrolments in sessions not yet started (erasure, a guardian's consent
/// withdrawn), handing their seats on.
pub(crate) async fn end_future(txn: &impl ConnectionTrait, person: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
    let live = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person))
        .filter(enrolment::Column::Status.is_in([EnrolmentStatus::Confirmed, EnrolmentStatus::Waitlisted]))
        .all(txn)
        .await?;
    for e in live {
        let s = get_session(txn, e.session_id).await?;
        if s.starts_at > now {
            end_enrolment(txn, &s, e.id, now).await?;
        }
    }
    Ok(())
}

/// Cancels a live enrolment under the pool lock, handing a confirmed seat on (and scheduling the
/// promoted person's reminder).
pub(super) async fn end_enrolment(
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

/// One of one's enrolments, with the session and course it is for.
#[derive(Clone, Debug)]
pub struct MyEnrolment {
    pub enrolment: enrolment::Model,
    pub session: training_session::Model,
    pub course: course::Model,
}

/// One's own enrolments, newest first, each with its session and course.
pub async fn my_enrolments(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<MyEnrolment>> {
    let q = enrolment::Entity::find().filter(enrolment::Column::PersonId.eq(actor.user_id));
    let p = page::fetch(db, q, enrolment::Column::Id, Order::NewestFirst, page, |e| e.id).await?;
    let sessions: HashMap<Uuid, training_session::Model> = training_session::Entity::find()
        .filter(training_session::Column::Id.is_in(p.items.iter().map(|e| e.session_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let courses: HashMap<Uuid, course::Model> = course::Entity::find()
        .filter(course::Column::Id.is_in(sessions.values().map(|s| s.course_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let items = p
        .items
        .into_iter()
        .filter_map(|enrolment| {
            let session = sessions.get(&enrolment.session_id)?.clone();
            let course = courses.get(&session.course_id)?.clone();
            Some(MyEnrolment { enrolment, session, course })
        })
        .collect();
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// Minutes of learning that attending the whole of `s` credits: the course's credit, but never
/// more than the session lasted. Continuing education counts hours of study (学时,
/// 《社会工作者继续教育办法》, 民发〔2009〕123号), so a two-minute session of a 200-hour course
/// credits two minutes.
pub fn credited_minutes(c: &course::Model, s: &training_session::Model) -> i32 {
    let attended = (s.ends_at - s.starts_at).num_minutes().max(0);
    i32::try_from(attended).unwrap_or(i32::MAX).min(c.credit_minutes)
}

/// The trainer (or an administrator of the course's unit) records whether a confirmed person
/// attended the whole session; nobody marks their own (403 `own_attendance`), and every marking
/// is audited. Attending credits the course's hours, capped by the session's length, once;
/// recording the same again changes nothing; changing a recorded attendance is refused (409
/// `attendance_recorded`).
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
        own_attendance::refuse_own(actor, person_id)?;
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
        let before = e.clone();
        let mut am = e.into_active_model();
        am.status = Set(wanted);
        am.updated_at = Set(now);
        let e = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "training_attendance.record", "enrolment", e.id).before(&before).after(&e),
        )
        .await?;
        if attended {
            learning_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                person_id: Set(person_id),
                source: Set(LearningSource::Course),
                course_id: Set(Some(c.id)),
                session_id: Set(Some(s.id)),
                title: Set(c.title.clone()),
                minutes: Set(credited_minutes(&c, &s)),
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
