//! Session logs (`mentoring_sessions`): the mentor logs a session of an active pairing, the mentee
//! acknowledges or disputes it (disputes go to the station administrators), corrections name the
//! log they correct; reading and listing logs.

use crate::config::MentoringConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::mentoring::pairings::reload;
use crate::domain::mentoring::progress::graduate_if_due;
use crate::domain::mentoring::{
    Access, MAX_SESSION_MINUTES, MAX_TOPIC_LEN, MAX_TOPICS, access, home_station, person, visible,
};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Duration, Utc};
use entity::mentoring_pairing::PairingStatus;
use entity::mentoring_session::{self as session, SessionMode, SessionStatus};
use entity::user::{self, Role, UserStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

/// The key of a log's acknowledgement reminder.
pub fn ack_reminder_key(session: Uuid) -> String {
    format!("mentoring-session:{session}:ack")
}

/// A session to log.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub held_at: DateTime<Utc>,
    pub minutes: i32,
    pub mode: SessionMode,
    pub task_id: Option<Uuid>,
    pub topics: Vec<String>,
    pub notes: Option<String>,
    pub corrects_id: Option<Uuid>,
}

fn clean_topics(topics: Vec<String>) -> DomainResult<String> {
    if topics.len() > MAX_TOPICS {
        return Err(DomainError::validation(format!("at most {MAX_TOPICS} topics")));
    }
    let mut out: Vec<String> = Vec::new();
    for t in topics {
        let t = required_text("topic", &t)?;
        if t.chars().count() > MAX_TOPIC_LEN {
            return Err(DomainError::validation(format!("a topic has at most {MAX_TOPIC_LEN} characters")));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    serde_json::to_string(&out).map_err(|e| DomainError::Internal(e.to_string()))
}

/// The topics of a log.
pub fn topics_of(s: &session::Model) -> Vec<String> {
    serde_json::from_str(&s.topics).unwrap_or_default()
}

/// The mentor logs a session of an active pairing; the mentee is asked to acknowledge it (inbox
/// and push), and reminded once after `ack_reminder_days`. 400 `invalid_duration`,
/// `session_in_future`, `task_required`, `invalid_correction`; 403 for the mentee and
/// administrators; 404 for anyone else; 409 `pairing_not_active`.
pub async fn log_session(
    db: &DatabaseConnection,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    pairing_id: Uuid,
    input: NewSession,
) -> DomainResult<session::Model> {
    if !(1..=MAX_SESSION_MINUTES).contains(&input.minutes) {
        return Err(DomainError::invalid(
            "invalid_duration",
            format!("a session lasts 1 to {MAX_SESSION_MINUTES} minutes"),
        ));
    }
    if input.held_at > now {
        return Err(DomainError::invalid("session_in_future", "a session cannot be logged before it happens"));
    }
    match (input.mode, input.task_id) {
        (SessionMode::OnTask, None) => {
            return Err(DomainError::invalid("task_required", "a session on a task names the task"));
        }
        (SessionMode::OnTask, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(DomainError::invalid("task_required", "only a session on a task names a task"));
        }
    }
    let topics = clean_topics(input.topics)?;
    let notes = input.notes.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    write(db, async |txn| {
        let (p, how) = visible(txn, actor, pairing_id).await?;
        if how != Access::Mentor {
            return Err(DomainError::forbidden("only the mentor logs sessions"));
        }
        if p.status != PairingStatus::Active {
            return Err(DomainError::conflict("pairing_not_active", "sessions are logged on active pairings only"));
        }
        if let Some(t) = input.task_id
            && entity::task::Entity::find_by_id(t).one(txn).await?.is_none()
        {
            return Err(DomainError::not_found("task"));
        }
        if let Some(c) = input.corrects_id {
            let original = session::Entity::find_by_id(c).one(txn).await?;
            if original.is_none_or(|o| o.pairing_id != p.id) {
                return Err(DomainError::invalid("invalid_correction", "a correction names a log of the same pairing"));
            }
        }
        let s = session::ActiveModel {
            id: Set(Uuid::now_v7()),
            pairing_id: Set(p.id),
            mentor_id: Set(p.mentor_id),
            mentee_id: Set(p.mentee_id),
            held_at: Set(input.held_at),
            minutes: Set(input.minutes),
            mode: Set(input.mode),
            task_id: Set(input.task_id),
            topics: Set(topics.clone()),
            notes: Set(notes.clone()),
            status: Set(SessionStatus::Pending),
            acknowledged_at: Set(None),
            disputed_at: Set(None),
            dispute_comment: Set(None),
            corrects_id: Set(input.corrects_id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        let ask = |template: &str, key: &str| {
            Message::new(p.mentee_id, Category::Mentoring, template, format!("mentoring-session:{}:{key}", s.id))
                .data("pairingId", p.id)
                .data("sessionId", s.id)
        };
        notifications::tell(txn, ask("mentoring.session_logged", "logged")).await?;
        let due = now + Duration::days(i64::from(cfg.ack_reminder_days));
        notifications::remind_at(txn, &ack_reminder_key(s.id), due, ask("mentoring.session_reminder", "reminder"))
            .await?;
        Ok(s)
    })
    .await
}

/// A log the actor may see (the pair, administrators in scope), with how they stand to it.
pub async fn get_session(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<(session::Model, Access)> {
    let s = session::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("session"))?;
    let p = reload(db, s.pairing_id).await?;
    match access(db, actor, &p).await? {
        Some(a) => Ok((s, a)),
        None => Err(DomainError::not_found("session")),
    }
}

/// A pairing's logs, newest first.
pub async fn list_sessions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pairing_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<session::Model>> {
    visible(db, actor, pairing_id).await?;
    let q = session::Entity::find().filter(session::Column::PairingId.eq(pairing_id));
    Ok(page::fetch(db, q, session::Column::Id, Order::NewestFirst, page, |s| s.id).await?)
}

/// The mentee acknowledges a log (or disputes it, with a comment the station administrators
/// see). Once answered a log never changes: 409 `session_answered`. Acknowledging may graduate
/// the mentee.
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    dispute: Option<String>,
) -> DomainResult<session::Model> {
    let dispute = dispute.map(|c| required_text("comment", &c)).transpose()?;
    write(db, async |txn| {
        let (s, how) = get_session(txn, actor, id).await?;
        if how != Access::Mentee {
            return Err(DomainError::forbidden("only the mentee answers a log"));
        }
        let mut q = session::Entity::update_many()
            .col_expr(session::Column::UpdatedAt, Expr::val(now))
            .filter(session::Column::Id.eq(id))
            .filter(session::Column::Status.eq(SessionStatus::Pending));
        q = match &dispute {
            None => q
                .col_expr(session::Column::Status, Expr::val(SessionStatus::Acknowledged.to_value()))
                .col_expr(session::Column::AcknowledgedAt, Expr::val(now)),
            Some(c) => q
                .col_expr(session::Column::Status, Expr::val(SessionStatus::Disputed.to_value()))
                .col_expr(session::Column::DisputedAt, Expr::val(now))
                .col_expr(session::Column::DisputeComment, Expr::val(c.clone())),
        };
        if q.exec(txn).await?.rows_affected == 0 {
            return Err(DomainError::conflict("session_answered", "this log was already answered"));
        }
        notifications::cancel_reminder(txn, &ack_reminder_key(id)).await?;
        let p = reload(txn, s.pairing_id).await?;
        if dispute.is_some() {
            let mentee = person(txn, s.mentee_id).await?;
            for admin in station_admins(txn, mentee.org_unit_id).await? {
                let m = Message::new(
                    admin,
                    Category::Mentoring,
                    "mentoring.session_disputed",
                    format!("mentoring-session:{id}:disputed"),
                )
                .data("pairingId", p.id)
                .data("sessionId", id);
                notifications::tell(txn, m).await?;
            }
        } else {
            graduate_if_due(txn, now, &p).await?;
        }
        session::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("session"))
    })
    .await
}

/// The station administrators of the station `unit` belongs to.
async fn station_admins(db: &impl ConnectionTrait, unit: Option<Uuid>) -> DomainResult<Vec<Uuid>> {
    let Some(station) = home_station(db, unit).await? else { return Ok(Vec::new()) };
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .filter(user::Column::OrgUnitId.eq(station))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}
