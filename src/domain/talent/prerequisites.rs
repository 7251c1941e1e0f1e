//! Prerequisites: what a task or a course requires of the people who sign up or enrol (a
//! credential kind, a minimum qualification level, completed courses), and the check that
//! refuses those who lack them with 409 `prerequisite_missing`, naming what is missing.
//!
//! Table: `prerequisites`. Task sign-up (`domain::signups`) and enrolment (`domain::training`)
//! call [`check`] inside their transactions.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::catalogue::{self, Names};
use crate::domain::kernel::time::local_date;
use crate::domain::talent::credentials::{self, kind_name};
use crate::domain::{DomainError, DomainResult, both, talent::training};
use chrono::{DateTime, Utc};
use entity::credential::{self, CredentialStatus};
use entity::learning_entry::{self, LearningStatus};
use entity::prerequisite::{self, PrerequisiteKind};
use entity::social_worker_profile::QualificationLevel;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

/// The most requirements one task or course may have.
pub const MAX_REQUIREMENTS: usize = 20;

/// What carries requirements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Task(Uuid),
    Course(Uuid),
}

impl Subject {
    fn parts(self) -> (&'static str, Uuid) {
        match self {
            Subject::Task(id) => ("task", id),
            Subject::Course(id) => ("course", id),
        }
    }
}

/// One requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Credential(String),
    Level(QualificationLevel),
    Course(Uuid),
}

fn of_row(r: prerequisite::Model) -> Option<Requirement> {
    match r.kind {
        PrerequisiteKind::Credential => r.credential_kind.map(Requirement::Credential),
        PrerequisiteKind::Level => r.min_level.map(Requirement::Level),
        PrerequisiteKind::Course => r.course_id.map(Requirement::Course),
    }
}

/// The requirements of a subject.
pub async fn of(db: &impl ConnectionTrait, subject: Subject) -> DomainResult<Vec<Requirement>> {
    let (t, id) = subject.parts();
    let rows = prerequisite::Entity::find()
        .filter(prerequisite::Column::SubjectType.eq(t))
        .filter(prerequisite::Column::SubjectId.eq(id))
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(of_row).collect())
}

/// Replaces the requirements of a subject (after checking the caller may: the area owning the
/// subject checks, e.g. `volunteering::tasks::set_prerequisites`).
pub async fn replace(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    subject: Subject,
    reqs: &[Requirement],
) -> DomainResult<Vec<Requirement>> {
    if reqs.len() > MAX_REQUIREMENTS {
        return Err(DomainError::validation(format!("at most {MAX_REQUIREMENTS} prerequisites")));
    }
    for r in reqs {
        match r {
            Requirement::Credential(k) if !credentials::kind_exists(txn, k).await? => {
                return Err(DomainError::invalid("unknown_kind", "a required credential kind does not exist"));
            }
            Requirement::Course(c) if training::get_course(txn, *c).await.is_err() => {
                return Err(DomainError::invalid("course_not_found", "a required course does not exist"));
            }
            Requirement::Course(c) if subject == Subject::Course(*c) => {
                return Err(DomainError::validation("a course cannot require itself"));
            }
            _ => {}
        }
    }
    let (t, id) = subject.parts();
    prerequisite::Entity::delete_many()
        .filter(prerequisite::Column::SubjectType.eq(t))
        .filter(prerequisite::Column::SubjectId.eq(id))
        .exec(txn)
        .await?;
    let mut out = Vec::new();
    for r in reqs {
        if out.contains(r) {
            continue;
        }
        let (kind, ck, lvl, course) = match r {
            Requirement::Credential(k) => (PrerequisiteKind::Credential, Some(k.clone()), None, None),
            Requirement::Level(l) => (PrerequisiteKind::Level, None, Some(*l), None),
            Requirement::Course(c) => (PrerequisiteKind::Course, None, None, Some(*c)),
        };
        prerequisite::ActiveModel {
            id: Set(Uuid::now_v7()),
            subject_type: Set(t.to_string()),
            subject_id: Set(id),
            kind: Set(kind),
            credential_kind: Set(ck),
            min_level: Set(lvl),
            course_id: Set(course),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        out.push(r.clone());
    }
    audit::record(txn, now, Change::new(actor.user_id, "prerequisites.set", t, id)).await?;
    Ok(out)
}

/// Administrators of the course's unit set what it requires.
pub async fn set_for_course(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    course_id: Uuid,
    reqs: Vec<Requirement>,
) -> DomainResult<Vec<Requirement>> {
    actor.require_admin()?;
    write(db, async |txn| {
        let c = training::get_course(txn, course_id).await?;
        if !actor.covers_unit(txn, Some(c.org_unit_id)).await? {
            return Err(DomainError::not_found("course"));
        }
        replace(txn, actor, now, Subject::Course(course_id), &reqs).await
    })
    .await
}

/// What `person` lacks of `subject`'s requirements, described for people.
pub async fn missing(
    db: &impl ConnectionTrait,
    person: Uuid,
    subject: Subject,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Names>> {
    let reqs = of(db, subject).await?;
    if reqs.is_empty() {
        return Ok(Vec::new());
    }
    let who = user::Entity::find_by_id(person).one(db).await?.ok_or(DomainError::not_found("person"))?;
    let today = local_date(now, &who.time_zone);
    let held: Vec<String> = credential::Entity::find()
        .filter(credential::Column::HolderId.eq(person))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.expires_on.is_none_or(|e| e >= today))
        .map(|c| c.kind)
        .collect();
    let level = held.iter().filter_map(|k| credentials::level_of(k)).max();
    let mut out = Vec::new();
    for r in reqs {
        match r {
            Requirement::Credential(k) if !held.contains(&k) => {
                let name = kind_name(db, &k).await?;
                out.push(Names { zh: format!("{}证书", name.zh), en: format!("credential {}", name.en) })
            }
            Requirement::Level(l) if level.is_none_or(|mine| mine < l) => {
                let name = catalogue::level(l);
                out.push(Names {
                    zh: format!("{}及以上职业水平", name.zh),
                    en: format!("qualification level {} or higher", name.en),
                })
            }
            Requirement::Course(c) => {
                let done = learning_entry::Entity::find()
                    .filter(learning_entry::Column::PersonId.eq(person))
                    .filter(learning_entry::Column::CourseId.eq(c))
                    .filter(learning_entry::Column::Status.eq(LearningStatus::Approved))
                    .one(db)
                    .await?
                    .is_some();
                if !done {
                    let title = training::get_course(db, c).await.map(|c| c.title).unwrap_or_default();
                    out.push(Names { zh: format!("课程「{title}」"), en: format!("course 「{title}」") });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// 409 `prerequisite_missing`, naming what is missing, unless `person` meets every requirement.
pub async fn check(db: &impl ConnectionTrait, person: Uuid, subject: Subject, now: DateTime<Utc>) -> DomainResult<()> {
    let missing = missing(db, person, subject, now).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let en: Vec<&str> = missing.iter().map(|m| m.en.as_str()).collect();
    let zh: Vec<&str> = missing.iter().map(|m| m.zh.as_str()).collect();
    Err(DomainError::conflict(
        "prerequisite_missing",
        both(format!("missing prerequisites: {}", en.join("; ")), format!("尚未满足：{}", zh.join("；"))),
    ))
}
