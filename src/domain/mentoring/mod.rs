//! Mentoring (社工+志愿者, 传帮带): a social worker takes a volunteer under their wing. Pairings
//! from proposal to end, their goals, session logs with the mentee's acknowledgement, graduation,
//! mentoring records, and what station administrators oversee.
//!
//! Tables: `mentoring_pairings`, `mentor_loads`, `mentoring_sessions`. The pair's message thread
//! is `domain::mentoring_threads`.
//!
//! Rules (defaults in `config::MentoringConfig`):
//! - Only a social worker may mentor ([`may_mentor`]: any active social worker until verified
//!   social-work levels exist), only a volunteer is mentored, both active, both in the same
//!   station subtree unless a city administrator pairs across stations.
//! - A pairing is proposed by a station administrator or by the social worker themselves; the
//!   other side (both sides, when an administrator proposed it) accepts or declines: `proposed →
//!   active → ended` (with a reason) or `proposed → declined`. Ended pairings stay as history.
//! - A mentor holds at most `max_mentees` (8) active mentees: a conditional `UPDATE mentor_loads
//!   SET active_mentees = active_mentees + 1 WHERE … AND active_mentees < cap` at activation.
//!   A volunteer has at most one active mentor: the unique `active_mentee_id` column.
//! - Session logs: by the mentor of an active pairing; 1 to 720 minutes, not in the future; the
//!   mentee acknowledges or disputes (disputes go to the station administrators); one reminder
//!   after `ack_reminder_days` (3); append-only once answered (a correction is a new log naming
//!   the one it corrects, and an acknowledged correction replaces it in totals).
//! - Graduation: `graduation_sessions` (6) acknowledged sessions and `graduation_hours` (20)
//!   approved service hours since activation, recorded once on the pairing.
//! - Notes and logs are visible to the pair and administrators in scope only.

pub mod threads;

use crate::config::MentoringConfig;
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, kernel::org_units, people::users, required_text};
use chrono::{DateTime, Duration, Utc};
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session::{self as session, SessionMode, SessionStatus};
use entity::user::{self, Role, UserStatus};
use entity::{hours_entry, mentor_load};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The longest session, in minutes (12 hours).
pub const MAX_SESSION_MINUTES: i32 = 12 * 60;
/// Goals per pairing.
pub const MAX_GOALS: usize = 10;
/// Characters of one goal.
pub const MAX_GOAL_LEN: usize = 100;
/// Topic tags per session.
pub const MAX_TOPICS: usize = 10;
/// Characters of one topic tag.
pub const MAX_TOPIC_LEN: usize = 32;

/// Whether `person` may mentor. Until social-work credentials are verified by the platform, any
/// active social worker may; this is the one place to require a verified level later.
pub async fn may_mentor(_db: &impl ConnectionTrait, person: &user::Model) -> DomainResult<bool> {
    Ok(person.role == Role::SocialWorker && person.status == UserStatus::Active)
}

/// Where a goal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    Set,
    InProgress,
    Met,
}

/// One goal of a pairing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub title: String,
    pub status: GoalStatus,
}

/// The goals stored on a pairing.
pub fn goals_of(p: &pairing::Model) -> Vec<Goal> {
    serde_json::from_str(&p.goals).unwrap_or_default()
}

fn clean_goals(goals: Vec<Goal>) -> DomainResult<String> {
    if goals.len() > MAX_GOALS {
        return Err(DomainError::validation(format!("at most {MAX_GOALS} goals")));
    }
    let mut out = Vec::with_capacity(goals.len());
    for g in goals {
        let title = required_text("goal title", &g.title)?;
        if title.chars().count() > MAX_GOAL_LEN {
            return Err(DomainError::validation(format!("a goal has at most {MAX_GOAL_LEN} characters")));
        }
        out.push(Goal { title, status: g.status });
    }
    serde_json::to_string(&out).map_err(|e| DomainError::Internal(e.to_string()))
}

/// How the actor stands to a pairing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Mentor,
    Mentee,
    /// An administrator whose scope holds the mentor's or the mentee's home unit.
    Admin,
}

async fn person(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("person"))
}

/// The station a unit belongs to (the unit itself when it lies under no station).
async fn home_station(db: &impl ConnectionTrait, unit: Option<Uuid>) -> DomainResult<Option<Uuid>> {
    match unit {
        Some(u) => Ok(Some(org_units::station_of(db, u).await?.unwrap_or(u))),
        None => Ok(None),
    }
}

/// How `actor` stands to `p`, if at all.
pub async fn access(db: &impl ConnectionTrait, actor: &Actor, p: &pairing::Model) -> DomainResult<Option<Access>> {
    if actor.user_id == p.mentor_id {
        return Ok(Some(Access::Mentor));
    }
    if actor.user_id == p.mentee_id {
        return Ok(Some(Access::Mentee));
    }
    if !actor.role.is_admin() {
        return Ok(None);
    }
    for id in [p.mentor_id, p.mentee_id] {
        let u = person(db, id).await?;
        if actor.covers_unit(db, u.org_unit_id).await? {
            return Ok(Some(Access::Admin));
        }
    }
    Ok(None)
}

/// A pairing the actor may see, and how they stand to it; 404 otherwise.
pub async fn visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<(pairing::Model, Access)> {
    let p = pairing::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("pairing"))?;
    match access(db, actor, &p).await? {
        Some(a) => Ok((p, a)),
        None => Err(DomainError::not_found("pairing")),
    }
}

fn tell_about(recipient: Uuid, p: &pairing::Model, template: &str, key: &str) -> Message {
    Message::new(recipient, Category::Mentoring, template, format!("pairing:{}:{key}", p.id)).data("pairingId", p.id)
}

/// A proposal.
#[derive(Clone, Debug)]
pub struct NewPairing {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub goals: Vec<String>,
}

/// Proposes a pairing: a station or city administrator for anyone in scope, or a social worker
/// for themselves as mentor. 404 for people the actor may not see; 400 `mentor_not_social_worker`
/// / `mentee_not_volunteer`; 409 `person_inactive`, `different_station`, `mentee_has_mentor`,
/// `mentor_at_capacity`, `pairing_exists`.
pub async fn propose(
    db: &DatabaseConnection,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    input: NewPairing,
) -> DomainResult<pairing::Model> {
    let goals = clean_goals(input.goals.into_iter().map(|title| Goal { title, status: GoalStatus::Set }).collect())?;
    write(db, async |txn| {
        match actor.role {
            Role::Volunteer => return Err(DomainError::forbidden("volunteers cannot propose pairings")),
            Role::SocialWorker if input.mentor_id != actor.user_id => {
                return Err(DomainError::forbidden("a social worker proposes themselves as the mentor"));
            }
            _ => {}
        }
        let mentor = person(txn, input.mentor_id).await?;
        let mentee = person(txn, input.mentee_id).await?;
        // People outside the actor's reach are not disclosed.
        if !reaches(txn, actor, &mentor).await? || !reaches(txn, actor, &mentee).await? {
            return Err(DomainError::not_found("person"));
        }
        if !may_mentor(txn, &mentor).await? {
            return Err(DomainError::invalid("mentor_not_social_worker", "the mentor must be an active social worker"));
        }
        if mentee.role != Role::Volunteer {
            return Err(DomainError::invalid("mentee_not_volunteer", "the mentee must be a volunteer"));
        }
        if mentee.status != UserStatus::Active {
            return Err(DomainError::conflict("person_inactive", "the mentee's account is not active"));
        }
        if actor.role != Role::CityAdmin
            && home_station(txn, mentor.org_unit_id).await? != home_station(txn, mentee.org_unit_id).await?
        {
            return Err(DomainError::conflict(
                "different_station",
                "mentor and mentee must belong to the same station (a city administrator may pair across stations)",
            ));
        }
        if has_active_mentor(txn, mentee.id).await? {
            return Err(mentee_has_mentor());
        }
        if load_of(txn, mentor.id).await? >= cfg.max_mentees as i32 {
            return Err(mentor_at_capacity(cfg));
        }
        let id = Uuid::now_v7();
        let row = pairing::ActiveModel {
            id: Set(id),
            mentor_id: Set(mentor.id),
            mentee_id: Set(mentee.id),
            status: Set(PairingStatus::Proposed),
            proposed_by: Set(actor.user_id),
            mentor_accepted_at: Set((actor.user_id == mentor.id).then_some(now)),
            mentee_accepted_at: Set(None),
            active_mentee_id: Set(None),
            open_pair: Set(Some(format!("{}:{}", mentor.id, mentee.id))),
            goals: Set(goals.clone()),
            graduation_sessions: Set(cfg.graduation_sessions as i32),
            graduation_minutes: Set((cfg.graduation_hours * 60) as i32),
            graduated_at: Set(None),
            activated_at: Set(None),
            ended_at: Set(None),
            ended_by: Set(None),
            end_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let p = match row.insert(txn).await {
            Ok(p) => p,
            Err(e) if is_unique_violation(&e) => {
                return Err(DomainError::conflict("pairing_exists", "these two already have an open pairing"));
            }
            Err(e) => return Err(e.into()),
        };
        notifications::tell(txn, tell_about(mentee.id, &p, "mentoring.proposed", "proposed").param("role", "mentee"))
            .await?;
        if actor.user_id != mentor.id {
            notifications::tell(
                txn,
                tell_about(mentor.id, &p, "mentoring.proposed", "proposed").param("role", "mentor"),
            )
            .await?;
        }
        if actor.role.is_admin() {
            audit::record(txn, now, Change::new(actor.user_id, "mentoring.propose", "mentoring_pairing", id).after(&p))
                .await?;
        }
        Ok(p)
    })
    .await
}

/// Whether a proposer may name `u`: a social worker anyone in their own station's subtree, an
/// administrator anyone in scope.
async fn reaches(db: &impl ConnectionTrait, actor: &Actor, u: &user::Model) -> DomainResult<bool> {
    match (actor.role, u.org_unit_id) {
        (Role::SocialWorker, Some(unit)) => match actor.work_root(db).await? {
            Some(root) => org_units::is_within(db, root, unit).await,
            None => Ok(false),
        },
        (Role::SocialWorker, None) => Ok(false),
        _ => actor.covers_unit(db, u.org_unit_id).await,
    }
}

fn mentee_has_mentor() -> DomainError {
    DomainError::conflict("mentee_has_mentor", "this volunteer already has an active mentor")
}

fn mentor_at_capacity(cfg: &MentoringConfig) -> DomainError {
    DomainError::conflict(
        "mentor_at_capacity",
        format!("this mentor already holds the most active mentees allowed ({})", cfg.max_mentees),
    )
}

async fn has_active_mentor(db: &impl ConnectionTrait, mentee: Uuid) -> DomainResult<bool> {
    Ok(pairing::Entity::find().filter(pairing::Column::ActiveMenteeId.eq(mentee)).count(db).await? > 0)
}

/// A mentor's active mentees (the counter).
pub async fn load_of(db: &impl ConnectionTrait, mentor: Uuid) -> DomainResult<i32> {
    Ok(mentor_load::Entity::find_by_id(mentor).one(db).await?.map(|l| l.active_mentees).unwrap_or(0))
}

/// Takes one of the mentor's places: the conditional update that keeps the cap under any
/// concurrency (the row stays locked until the transaction ends).
async fn take_place(
    txn: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    mentor_load::Entity::insert(mentor_load::ActiveModel {
        mentor_id: Set(mentor),
        active_mentees: Set(0),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::column(mentor_load::Column::MentorId).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    let taken = mentor_load::Entity::update_many()
        .col_expr(mentor_load::Column::ActiveMentees, Expr::col(mentor_load::Column::ActiveMentees).add(1))
        .col_expr(mentor_load::Column::UpdatedAt, Expr::val(now))
        .filter(mentor_load::Column::MentorId.eq(mentor))
        .filter(mentor_load::Column::ActiveMentees.lt(cfg.max_mentees as i32))
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(mentor_at_capacity(cfg));
    }
    Ok(())
}

async fn give_back_place(txn: &impl ConnectionTrait, mentor: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
    mentor_load::Entity::update_many()
        .col_expr(mentor_load::Column::ActiveMentees, Expr::col(mentor_load::Column::ActiveMentees).sub(1))
        .col_expr(mentor_load::Column::UpdatedAt, Expr::val(now))
        .filter(mentor_load::Column::MentorId.eq(mentor))
        .filter(mentor_load::Column::ActiveMentees.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// One side answers a proposal. Accepting by the last side that had to activates the pairing:
/// 409 `mentor_at_capacity` or `mentee_has_mentor` when that would break a limit (nothing
/// changes). Declining ends the proposal. Anyone else: 403 (administrators) or 404.
pub async fn respond(
    db: &DatabaseConnection,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    accept: bool,
    reason: Option<String>,
) -> DomainResult<pairing::Model> {
    write(db, async |txn| {
        let (p, how) = visible(txn, actor, id).await?;
        if how == Access::Admin {
            return Err(DomainError::forbidden("only the mentor or the mentee answers a proposal"));
        }
        if p.status != PairingStatus::Proposed {
            return Err(DomainError::conflict("not_proposed", "this pairing is not waiting for an answer"));
        }
        let other = if how == Access::Mentor { p.mentee_id } else { p.mentor_id };
        if !accept {
            let closed = close(txn, id, PairingStatus::Proposed, Some(actor.user_id), reason.clone(), now).await?;
            if !closed {
                return Err(DomainError::conflict("not_proposed", "this pairing is not waiting for an answer"));
            }
            let p = reload(txn, id).await?;
            notifications::tell(txn, tell_about(other, &p, "mentoring.declined", "declined")).await?;
            return Ok(p);
        }
        let mentor_ok = if how == Access::Mentor { Some(now) } else { p.mentor_accepted_at };
        let mentee_ok = if how == Access::Mentee { Some(now) } else { p.mentee_accepted_at };
        let column =
            if how == Access::Mentor { pairing::Column::MentorAcceptedAt } else { pairing::Column::MenteeAcceptedAt };
        if mentor_ok.is_none() || mentee_ok.is_none() {
            pairing::Entity::update_many()
                .col_expr(column, Expr::val(now))
                .col_expr(pairing::Column::UpdatedAt, Expr::val(now))
                .filter(pairing::Column::Id.eq(id))
                .filter(pairing::Column::Status.eq(PairingStatus::Proposed))
                .exec(txn)
                .await?;
            return reload(txn, id).await;
        }
        // Both sides agree: activate, within the limits.
        let mentor = person(txn, p.mentor_id).await?;
        let mentee = person(txn, p.mentee_id).await?;
        if !may_mentor(txn, &mentor).await? || mentee.status != UserStatus::Active {
            return Err(DomainError::conflict("person_inactive", "one of the two can no longer be paired"));
        }
        take_place(txn, cfg, p.mentor_id, now).await?;
        let activated = pairing::Entity::update_many()
            .col_expr(column, Expr::val(now))
            .col_expr(pairing::Column::Status, Expr::val(PairingStatus::Active.to_value()))
            .col_expr(pairing::Column::ActiveMenteeId, Expr::val(p.mentee_id))
            .col_expr(pairing::Column::ActivatedAt, Expr::val(now))
            .col_expr(pairing::Column::UpdatedAt, Expr::val(now))
            .filter(pairing::Column::Id.eq(id))
            .filter(pairing::Column::Status.eq(PairingStatus::Proposed))
            .exec(txn)
            .await;
        match activated {
            Ok(r) if r.rows_affected == 1 => {}
            Ok(_) => return Err(DomainError::conflict("not_proposed", "this pairing is not waiting for an answer")),
            Err(e) if is_unique_violation(&e) => return Err(mentee_has_mentor()),
            Err(e) => return Err(e.into()),
        }
        let p = reload(txn, id).await?;
        notifications::tell(txn, tell_about(other, &p, "mentoring.accepted", "accepted")).await?;
        Ok(p)
    })
    .await
}

/// Closes a pairing that is still `from`: a proposal is declined, an active pairing ended (its
/// active slot freed); the open-pair key goes either way. False when it was no longer `from`.
async fn close(
    txn: &impl ConnectionTrait,
    id: Uuid,
    from: PairingStatus,
    by: Option<Uuid>,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let to = if from == PairingStatus::Active { PairingStatus::Ended } else { PairingStatus::Declined };
    let done = pairing::Entity::update_many()
        .col_expr(pairing::Column::Status, Expr::val(to.to_value()))
        .col_expr(pairing::Column::ActiveMenteeId, Expr::val(Option::<Uuid>::None))
        .col_expr(pairing::Column::OpenPair, Expr::val(Option::<String>::None))
        .col_expr(pairing::Column::EndedAt, Expr::val(now))
        .col_expr(pairing::Column::EndedBy, Expr::val(by))
        .col_expr(pairing::Column::EndReason, Expr::val(reason))
        .col_expr(pairing::Column::UpdatedAt, Expr::val(now))
        .filter(pairing::Column::Id.eq(id))
        .filter(pairing::Column::Status.eq(from))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

async fn reload(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<pairing::Model> {
    pairing::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("pairing"))
}

/// Ends an active pairing with a reason (either side, or an administrator in scope). Pending
/// acknowledgement reminders go; the mentor's place frees up; the thread becomes read-only.
/// A proposal still waiting is withdrawn (it ends as `declined`, with the reason).
pub async fn end(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: &str,
) -> DomainResult<pairing::Model> {
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let (p, how) = visible(txn, actor, id).await?;
        let by = Some(actor.user_id);
        let was_active = close(txn, id, PairingStatus::Active, by, Some(reason.clone()), now).await?;
        if !was_active && !close(txn, id, PairingStatus::Proposed, by, Some(reason.clone()), now).await? {
            return Err(DomainError::conflict("not_active", "this pairing has already ended"));
        }
        if was_active {
            give_back_place(txn, p.mentor_id, now).await?;
        }
        let pending = session::Entity::find()
            .filter(session::Column::PairingId.eq(id))
            .filter(session::Column::Status.eq(SessionStatus::Pending))
            .all(txn)
            .await?;
        for s in pending {
            notifications::cancel_reminder(txn, &ack_reminder_key(s.id)).await?;
        }
        let p = reload(txn, id).await?;
        for who in [p.mentor_id, p.mentee_id].into_iter().filter(|w| *w != actor.user_id) {
            notifications::tell(txn, tell_about(who, &p, "mentoring.ended", "ended")).await?;
        }
        if how == Access::Admin {
            audit::record(
                txn,
                now,
                Change::new(actor.user_id, "mentoring.end", "mentoring_pairing", id).after(&p).reason(Some(reason)),
            )
            .await?;
        }
        Ok(p)
    })
    .await
}

/// The mentor replaces the pairing's goals (while proposed or active).
pub async fn set_goals(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    goals: Vec<Goal>,
) -> DomainResult<pairing::Model> {
    let goals = clean_goals(goals)?;
    write(db, async |txn| {
        let (p, how) = visible(txn, actor, id).await?;
        if how != Access::Mentor {
            return Err(DomainError::forbidden("only the mentor sets the goals"));
        }
        let done = pairing::Entity::update_many()
            .col_expr(pairing::Column::Goals, Expr::val(goals.clone()))
            .col_expr(pairing::Column::UpdatedAt, Expr::val(now))
            .filter(pairing::Column::Id.eq(p.id))
            .filter(pairing::Column::Status.is_in([PairingStatus::Proposed, PairingStatus::Active]))
            .exec(txn)
            .await?;
        if done.rows_affected == 0 {
            return Err(DomainError::conflict("pairing_closed", "this pairing has ended"));
        }
        reload(txn, id).await
    })
    .await
}

/// How far a pairing is towards graduation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub acknowledged_sessions: i64,
    /// Minutes of acknowledged sessions.
    pub session_minutes: i64,
    /// Approved service minutes of the mentee since the pairing became active.
    pub service_minutes: i64,
    pub last_session_at: Option<DateTime<Utc>>,
}

/// Sessions that count: acknowledged, and not replaced by an acknowledged correction.
fn counted_sessions() -> Condition {
    let replaced = Query::select()
        .column(session::Column::CorrectsId)
        .from(session::Entity)
        .and_where(session::Column::CorrectsId.is_not_null())
        .and_where(session::Column::Status.eq(SessionStatus::Acknowledged))
        .to_owned();
    Condition::all()
        .add(session::Column::Status.eq(SessionStatus::Acknowledged))
        .add(session::Column::Id.not_in_subquery(replaced))
}

async fn count_and_sum(db: &impl ConnectionTrait, cond: Condition) -> DomainResult<(i64, i64)> {
    let sum: Expr = Func::sum(Expr::col(session::Column::Minutes)).into();
    let q = Query::select()
        .expr_as(Func::count(Expr::col(session::Column::Id)), Alias::new("n"))
        .expr_as(Func::coalesce([sum, Expr::val(0)]), Alias::new("total"))
        .from(session::Entity)
        .cond_where(cond)
        .to_owned();
    let row = db.query_one(&q).await?;
    let get = |r: &sea_orm::QueryResult, c: &str| {
        r.try_get::<i64>("", c).unwrap_or_else(|_| r.try_get::<i32>("", c).map(i64::from).unwrap_or(0))
    };
    Ok(row.map(|r| (get(&r, "n"), get(&r, "total"))).unwrap_or((0, 0)))
}

/// Progress of a pairing towards its graduation bar.
pub async fn progress(db: &impl ConnectionTrait, p: &pairing::Model) -> DomainResult<Progress> {
    let (n, minutes) = count_and_sum(db, counted_sessions().add(session::Column::PairingId.eq(p.id))).await?;
    let service_minutes = match p.activated_at {
        Some(since) => {
            let mentee = person(db, p.mentee_id).await?;
            let from = crate::domain::kernel::time::local_date(since, &mentee.time_zone);
            crate::domain::volunteering::hours::sum_minutes(
                db,
                Condition::all()
                    .add(hours_entry::Column::VolunteerId.eq(p.mentee_id))
                    .add(hours_entry::Column::Status.eq(hours_entry::HoursStatus::Approved))
                    .add(hours_entry::Column::ServiceDate.gte(from)),
            )
            .await?
        }
        None => 0,
    };
    let last = session::Entity::find()
        .filter(session::Column::PairingId.eq(p.id))
        .order_by_desc(session::Column::HeldAt)
        .one(db)
        .await?
        .map(|s| s.held_at);
    Ok(Progress { acknowledged_sessions: n, session_minutes: minutes, service_minutes, last_session_at: last })
}

/// Records the graduation of an active pairing whose bar is met (once); tells both sides.
/// Returns whether it graduated now.
pub async fn graduate_if_due(txn: &impl ConnectionTrait, now: DateTime<Utc>, p: &pairing::Model) -> DomainResult<bool> {
    if p.status != PairingStatus::Active || p.graduated_at.is_some() {
        return Ok(false);
    }
    let pr = progress(txn, p).await?;
    if pr.acknowledged_sessions < i64::from(p.graduation_sessions)
        || pr.service_minutes < i64::from(p.graduation_minutes)
    {
        return Ok(false);
    }
    let done = pairing::Entity::update_many()
        .col_expr(pairing::Column::GraduatedAt, Expr::val(now))
        .col_expr(pairing::Column::UpdatedAt, Expr::val(now))
        .filter(pairing::Column::Id.eq(p.id))
        .filter(pairing::Column::GraduatedAt.is_null())
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Ok(false);
    }
    for who in [p.mentor_id, p.mentee_id] {
        notifications::tell(txn, tell_about(who, p, "mentoring.graduated", "graduated")).await?;
    }
    Ok(true)
}

/// A pairing with its people and progress.
#[derive(Clone, Debug)]
pub struct PairingView {
    pub pairing: pairing::Model,
    pub mentor: user::Model,
    pub mentee: user::Model,
    pub progress: Progress,
}

async fn view(db: &impl ConnectionTrait, p: pairing::Model) -> DomainResult<PairingView> {
    let mentor = person(db, p.mentor_id).await?;
    let mentee = person(db, p.mentee_id).await?;
    let progress = progress(db, &p).await?;
    Ok(PairingView { pairing: p, mentor, mentee, progress })
}

/// One pairing (either side, or an administrator in scope).
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<PairingView> {
    let (p, _) = visible(db, actor, id).await?;
    view(db, p).await
}

/// Filters on the pairing list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<PairingStatus>,
}

/// People whose home unit is in `root`'s subtree.
fn people_under(root: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)))
        .to_owned()
}

/// Which pairings the actor sees: their own, or (administrators) those with the mentor or mentee
/// in scope.
fn scope_of(actor: &Actor) -> DomainResult<Condition> {
    if !actor.role.is_admin() {
        return Ok(Condition::any()
            .add(pairing::Column::MentorId.eq(actor.user_id))
            .add(pairing::Column::MenteeId.eq(actor.user_id)));
    }
    Ok(match actor.admin_scope_root()? {
        None => Condition::all(),
        Some(root) => Condition::any()
            .add(pairing::Column::MentorId.in_subquery(people_under(root)))
            .add(pairing::Column::MenteeId.in_subquery(people_under(root))),
    })
}

/// Pairings the actor sees, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: Filter,
    page: PageRequest,
) -> DomainResult<Page<PairingView>> {
    let mut q = pairing::Entity::find().filter(scope_of(actor)?);
    if let Some(s) = filter.status {
        q = q.filter(pairing::Column::Status.eq(s));
    }
    let p = page::fetch(db, q, pairing::Column::Id, Order::NewestFirst, page, |p| p.id).await?;
    let mut items = Vec::with_capacity(p.items.len());
    for row in p.items {
        items.push(view(db, row).await?);
    }
    Ok(Page { items, next_cursor: p.next_cursor })
}

// ---------------------------------------------------------------------------------------------
// Session logs

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

// ---------------------------------------------------------------------------------------------
// Records

/// A person's mentoring record: minutes given as a mentor (supervision/mentoring hours) and
/// received as a mentee (training received), from acknowledged logs, and graduations.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub person_id: Uuid,
    pub mentoring_sessions: i64,
    pub mentoring_minutes: i64,
    pub training_sessions: i64,
    pub training_minutes: i64,
    pub active_mentees: i32,
    /// Pairings in which the person (as mentor or mentee) graduated.
    pub graduations: Vec<pairing::Model>,
}

/// The record of `person_id`.
pub async fn record_of(db: &impl ConnectionTrait, person_id: Uuid) -> DomainResult<Record> {
    let (ms, mm) = count_and_sum(db, counted_sessions().add(session::Column::MentorId.eq(person_id))).await?;
    let (ts, tm) = count_and_sum(db, counted_sessions().add(session::Column::MenteeId.eq(person_id))).await?;
    let graduations = pairing::Entity::find()
        .filter(pairing::Column::GraduatedAt.is_not_null())
        .filter(
            Condition::any().add(pairing::Column::MentorId.eq(person_id)).add(pairing::Column::MenteeId.eq(person_id)),
        )
        .order_by_asc(pairing::Column::GraduatedAt)
        .all(db)
        .await?;
    Ok(Record {
        person_id,
        mentoring_sessions: ms,
        mentoring_minutes: mm,
        training_sessions: ts,
        training_minutes: tm,
        active_mentees: load_of(db, person_id).await?,
        graduations,
    })
}

/// Someone's record: themselves, or an administrator whose scope holds them (else 404).
pub async fn record_visible(db: &impl ConnectionTrait, actor: &Actor, person_id: Uuid) -> DomainResult<Record> {
    users::get_visible(db, actor, person_id).await?;
    record_of(db, person_id).await
}

// ---------------------------------------------------------------------------------------------
// Oversight

/// One mentor and their load.
#[derive(Clone, Debug)]
pub struct MentorLoad {
    pub mentor: user::Model,
    pub active_mentees: i32,
}

/// One active pair and its last contact.
#[derive(Clone, Debug)]
pub struct PairStatus {
    pub pairing: pairing::Model,
    pub mentor: user::Model,
    pub mentee: user::Model,
    pub last_session_at: Option<DateTime<Utc>>,
    /// Whole days since the last session (since activation when there was none).
    pub days_since_last_session: i64,
    /// The latest of activation, the last session and the last message.
    pub last_contact_at: DateTime<Utc>,
    pub no_contact: bool,
}

/// What a station administrator oversees.
#[derive(Clone, Debug)]
pub struct Oversight {
    pub mentors: Vec<MentorLoad>,
    pub pairs: Vec<PairStatus>,
    pub acknowledged_logs: u64,
    pub disputed_logs: u64,
    pub pending_logs: u64,
    /// Disputed logs, newest first (at most 100).
    pub disputes: Vec<session::Model>,
    pub supervisors: u64,
    pub mentors_per_supervisor_limit: u32,
    pub no_contact_days: u32,
    pub max_mentees: u32,
}

async fn last_contact(
    db: &impl ConnectionTrait,
    p: &pairing::Model,
) -> DomainResult<(Option<DateTime<Utc>>, DateTime<Utc>)> {
    let last_session = session::Entity::find()
        .filter(session::Column::PairingId.eq(p.id))
        .order_by_desc(session::Column::HeldAt)
        .one(db)
        .await?
        .map(|s| s.held_at);
    let last_message = entity::pair_message::Entity::find()
        .filter(entity::pair_message::Column::PairingId.eq(p.id))
        .order_by_desc(entity::pair_message::Column::SentAt)
        .one(db)
        .await?
        .map(|m| m.sent_at);
    let start = p.activated_at.unwrap_or(p.created_at);
    let contact = [Some(start), last_session, last_message].into_iter().flatten().max().unwrap_or(start);
    Ok((last_session, contact))
}

async fn pair_status(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    now: DateTime<Utc>,
    p: pairing::Model,
    people: &HashMap<Uuid, user::Model>,
) -> DomainResult<Option<PairStatus>> {
    let (Some(mentor), Some(mentee)) = (people.get(&p.mentor_id), people.get(&p.mentee_id)) else {
        return Ok(None);
    };
    let (last_session_at, last_contact_at) = last_contact(db, &p).await?;
    let since = last_session_at.unwrap_or(p.activated_at.unwrap_or(p.created_at));
    Ok(Some(PairStatus {
        days_since_last_session: (now - since).num_days(),
        no_contact: now - last_contact_at >= Duration::days(i64::from(cfg.no_contact_days)),
        last_session_at,
        last_contact_at,
        mentor: mentor.clone(),
        mentee: mentee.clone(),
        pairing: p,
    }))
}

/// The oversight view of an administrator's scope (or of `unit` within it): mentors and their
/// load, each active pair's last session and contact, log answers and disputes, supervisors.
pub async fn oversight(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: Option<Uuid>,
) -> DomainResult<Oversight> {
    let root = match (actor.admin_scope_root()?, unit) {
        (_, Some(u)) => {
            org_units::get(db, u).await?;
            if !actor.covers_unit(db, Some(u)).await? {
                return Err(DomainError::not_found("org unit"));
            }
            Some(u)
        }
        (root, None) => root,
    };
    let scoped = Actor {
        org_unit_id: root,
        role: if root.is_some() { Role::StationAdmin } else { Role::CityAdmin },
        ..actor.clone()
    };
    let active = pairing::Entity::find()
        .filter(scope_of(&scoped)?)
        .filter(pairing::Column::Status.eq(PairingStatus::Active))
        .order_by_asc(pairing::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = active.iter().flat_map(|p| [p.mentor_id, p.mentee_id]).collect();
    let people = users::by_ids(db, ids).await?;
    let mut pairs = Vec::new();
    let mut loads: HashMap<Uuid, i32> = HashMap::new();
    for p in active {
        *loads.entry(p.mentor_id).or_default() += 1;
        if let Some(s) = pair_status(db, cfg, now, p, &people).await? {
            pairs.push(s);
        }
    }
    let mut mentors: Vec<MentorLoad> = loads
        .into_iter()
        .filter_map(|(id, n)| people.get(&id).map(|m| MentorLoad { mentor: m.clone(), active_mentees: n }))
        .collect();
    mentors.sort_by(|a, b| b.active_mentees.cmp(&a.active_mentees).then(a.mentor.id.cmp(&b.mentor.id)));
    let in_scope = pairing::Entity::find().select_only().column(pairing::Column::Id).filter(scope_of(&scoped)?);
    let logs = |status: SessionStatus| {
        session::Entity::find()
            .filter(session::Column::Status.eq(status))
            .filter(session::Column::PairingId.in_subquery(in_scope.clone().into_query()))
    };
    let disputes = logs(SessionStatus::Disputed).order_by_desc(session::Column::Id).limit(100).all(db).await?;
    let mut admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active));
    if let Some(r) = root {
        admins = admins.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(r)));
    }
    Ok(Oversight {
        acknowledged_logs: logs(SessionStatus::Acknowledged).count(db).await?,
        disputed_logs: logs(SessionStatus::Disputed).count(db).await?,
        pending_logs: logs(SessionStatus::Pending).count(db).await?,
        disputes,
        supervisors: admins.count(db).await?,
        mentors_per_supervisor_limit: cfg.mentors_per_supervisor,
        no_contact_days: cfg.no_contact_days,
        max_mentees: cfg.max_mentees,
        mentors,
        pairs,
    })
}

/// What is due for one person: their active pairs (with last contact), proposals waiting for
/// their answer, and logs waiting for an acknowledgement (theirs, or their mentees').
#[derive(Clone, Debug)]
pub struct Due {
    pub record: Record,
    pub pairs: Vec<PairStatus>,
    pub proposals: Vec<pairing::Model>,
    pub unanswered_logs: Vec<session::Model>,
}

/// The actor's own mentoring overview.
pub async fn my_overview(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    now: DateTime<Utc>,
) -> DomainResult<Due> {
    let mine = Condition::any()
        .add(pairing::Column::MentorId.eq(actor.user_id))
        .add(pairing::Column::MenteeId.eq(actor.user_id));
    let open = pairing::Entity::find()
        .filter(mine)
        .filter(pairing::Column::Status.is_in([PairingStatus::Proposed, PairingStatus::Active]))
        .order_by_asc(pairing::Column::Id)
        .all(db)
        .await?;
    let people = users::by_ids(db, open.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let mut pairs = Vec::new();
    let mut proposals = Vec::new();
    for p in open {
        if p.status == PairingStatus::Proposed {
            let waiting_for_me = (p.mentor_id == actor.user_id && p.mentor_accepted_at.is_none())
                || (p.mentee_id == actor.user_id && p.mentee_accepted_at.is_none());
            if waiting_for_me {
                proposals.push(p);
            }
        } else if let Some(s) = pair_status(db, cfg, now, p, &people).await? {
            pairs.push(s);
        }
    }
    let unanswered_logs = session::Entity::find()
        .filter(session::Column::Status.eq(SessionStatus::Pending))
        .filter(
            Condition::any()
                .add(session::Column::MentorId.eq(actor.user_id))
                .add(session::Column::MenteeId.eq(actor.user_id)),
        )
        .order_by_asc(session::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    Ok(Due { record: record_of(db, actor.user_id).await?, pairs, proposals, unanswered_logs })
}

// ---------------------------------------------------------------------------------------------
// Scans (cron)

/// Tells each mentor of an active pair without contact for `no_contact_days`, once per lapse
/// (the dedupe key holds the last contact), and records graduations that came due through hours
/// approved later. Returns how many mentors were told.
pub async fn scan(db: &DatabaseConnection, cfg: &MentoringConfig, now: DateTime<Utc>) -> DomainResult<u64> {
    let active = pairing::Entity::find().filter(pairing::Column::Status.eq(PairingStatus::Active)).all(db).await?;
    let mut told = 0;
    for p in active {
        let (_, contact) = last_contact(db, &p).await?;
        let lapsed = now - contact >= Duration::days(i64::from(cfg.no_contact_days));
        write(db, async |txn| {
            if lapsed {
                let m = Message::new(
                    p.mentor_id,
                    Category::Mentoring,
                    "mentoring.no_contact",
                    format!("pairing:{}:lapse:{}", p.id, contact.timestamp()),
                )
                .param("days", cfg.no_contact_days.to_string())
                .data("pairingId", p.id);
                notifications::tell(txn, m).await?;
            }
            graduate_if_due(txn, now, &p).await?;
            Ok::<_, DomainError>(())
        })
        .await?;
        told += u64::from(lapsed);
    }
    Ok(told)
}

/// The weekly digest: each mentor with active pairs, and each station administrator with
/// active pairs in scope, gets one summary per ISO week.
pub async fn weekly_digest(db: &DatabaseConnection, cfg: &MentoringConfig, now: DateTime<Utc>) -> DomainResult<u64> {
    use chrono::Datelike;
    let week = now.iso_week();
    let key = format!("mentoring-digest:{}-W{:02}", week.year(), week.week());
    let active = pairing::Entity::find().filter(pairing::Column::Status.eq(PairingStatus::Active)).all(db).await?;
    let mut per_mentor: HashMap<Uuid, (usize, usize)> = HashMap::new();
    let mut lapsed_pairs = Vec::new();
    for p in &active {
        let (_, contact) = last_contact(db, p).await?;
        let lapsed = now - contact >= Duration::days(i64::from(cfg.no_contact_days));
        let e = per_mentor.entry(p.mentor_id).or_default();
        e.0 += 1;
        e.1 += usize::from(lapsed);
        lapsed_pairs.push((p.clone(), lapsed));
    }
    // Which units each pair reaches (every ancestor of the mentor's and the mentee's home
    // units), in two queries rather than one look-up per administrator and pair.
    let people = users::by_ids(db, active.iter().flat_map(|p| [p.mentor_id, p.mentee_id])).await?;
    let homes: Vec<Uuid> = people.values().filter_map(|u| u.org_unit_id).collect();
    let mut above: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in entity::org_unit_closure::Entity::find()
        .filter(entity::org_unit_closure::Column::DescendantId.is_in(homes))
        .all(db)
        .await?
    {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    let reach = |p: &pairing::Model| -> std::collections::HashSet<Uuid> {
        [p.mentor_id, p.mentee_id]
            .iter()
            .filter_map(|id| people.get(id).and_then(|u| u.org_unit_id))
            .flat_map(|unit| above.get(&unit).cloned().unwrap_or_default())
            .collect()
    };
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .all(db)
        .await?;
    let mut per_unit: HashMap<Uuid, (usize, usize)> = HashMap::new();
    for (p, lapsed) in &lapsed_pairs {
        for unit in reach(p) {
            let e = per_unit.entry(unit).or_default();
            e.0 += 1;
            e.1 += usize::from(*lapsed);
        }
    }
    let per_admin: Vec<(Uuid, usize, usize)> = admins
        .iter()
        .filter_map(|a| a.org_unit_id.and_then(|u| per_unit.get(&u)).map(|(n, l)| (a.id, *n, *l)))
        .collect();
    let mut sent = 0;
    write(db, async |txn| {
        let all = per_mentor.iter().map(|(id, (n, l))| (*id, *n, *l)).chain(per_admin.iter().copied());
        for (who, pairs, lapsed) in all {
            let m = Message::new(who, Category::Mentoring, "mentoring.weekly_digest", key.clone())
                .param("pairs", pairs.to_string())
                .param("lapsed", lapsed.to_string());
            notifications::tell(txn, m).await?;
            sent += 1;
        }
        Ok::<_, DomainError>(())
    })
    .await?;
    Ok(sent)
}

// ---------------------------------------------------------------------------------------------
// Personal data

/// Mentoring's part of a person's data: their pairings (as mentor or mentee), session logs and
/// thread messages. Erasure keeps pairings and logs (they are the other person's record too) but
/// clears what the person wrote in free text: their messages' texts, their dispute comments and,
/// for logs they wrote as mentor, the notes; active pairings end.
pub struct Mentoring;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Mentoring {
    fn section(&self) -> &'static str {
        "mentoring"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::pair_message;
        let id = cx.person.id;
        let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| DomainError::Internal(e.to_string()));
        let either = |a: pairing::Column, b: pairing::Column| Condition::any().add(a.eq(id)).add(b.eq(id));
        Ok(serde_json::json!({
            "pairings": json(serde_json::to_value(pairing::Entity::find().filter(either(pairing::Column::MentorId, pairing::Column::MenteeId)).all(txn).await?))?,
            "sessions": json(serde_json::to_value(session::Entity::find().filter(Condition::any().add(session::Column::MentorId.eq(id)).add(session::Column::MenteeId.eq(id))).all(txn).await?))?,
            "messages": json(serde_json::to_value(pair_message::Entity::find().filter(Condition::any().add(pair_message::Column::SenderId.eq(id)).add(pair_message::Column::RecipientId.eq(id))).all(txn).await?))?,
        }))
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::pair_message;
        let id = cx.person.id;
        let active = pairing::Entity::find()
            .filter(pairing::Column::Status.is_in([PairingStatus::Active, PairingStatus::Proposed]))
            .filter(Condition::any().add(pairing::Column::MentorId.eq(id)).add(pairing::Column::MenteeId.eq(id)))
            .all(txn)
            .await?;
        for p in active {
            if p.status == PairingStatus::Active {
                give_back_place(txn, p.mentor_id, cx.now).await?;
            }
            close(txn, p.id, p.status, None, Some("account erased".into()), cx.now).await?;
        }
        pair_message::Entity::update_many()
            .col_expr(pair_message::Column::Body, Expr::val(""))
            .filter(pair_message::Column::SenderId.eq(id))
            .exec(txn)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::DisputeComment, Expr::val(Option::<String>::None))
            .filter(session::Column::MenteeId.eq(id))
            .exec(txn)
            .await?;
        session::Entity::update_many()
            .col_expr(session::Column::Notes, Expr::val(Option::<String>::None))
            .filter(session::Column::MentorId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Matching help

/// A social worker who could take a volunteer, and why.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub mentor: user::Model,
    pub active_mentees: i32,
    pub free_places: i32,
    /// Skills the mentor and the volunteer share, sorted.
    pub shared_skills: Vec<String>,
    /// Why, in order: station, shared skills, load.
    pub reasons: Vec<String>,
}

/// Ranks the social workers who could mentor `volunteer_id` (an administrator in scope): active
/// social workers of the volunteer's station subtree with a free place, most shared skills
/// first, then fewest current mentees. 409 `not_a_volunteer` for anyone else.
pub async fn suggestions(
    db: &impl ConnectionTrait,
    cfg: &MentoringConfig,
    actor: &Actor,
    volunteer_id: Uuid,
    limit: usize,
) -> DomainResult<Vec<Suggestion>> {
    actor.require_admin()?;
    let volunteer = users::get_visible(db, actor, volunteer_id).await?.user;
    if volunteer.role != Role::Volunteer {
        return Err(DomainError::invalid("mentee_not_volunteer", "suggestions are for volunteers"));
    }
    let Some(station) = home_station(db, volunteer.org_unit_id).await? else { return Ok(Vec::new()) };
    let candidates = user::Entity::find()
        .filter(user::Column::Role.eq(Role::SocialWorker))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(station)))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = candidates.iter().map(|c| c.id).collect();
    let loads: HashMap<Uuid, i32> = mentor_load::Entity::find()
        .filter(mentor_load::Column::MentorId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.mentor_id, l.active_mentees))
        .collect();
    let skills_of = |who: Vec<Uuid>| async move {
        let rows =
            entity::user_skill::Entity::find().filter(entity::user_skill::Column::UserId.is_in(who)).all(db).await?;
        let mut map: HashMap<Uuid, Vec<String>> = HashMap::new();
        for r in rows {
            map.entry(r.user_id).or_default().push(r.skill);
        }
        Ok::<_, DomainError>(map)
    };
    let wanted = skills_of(vec![volunteer.id]).await?.remove(&volunteer.id).unwrap_or_default();
    let offered = skills_of(ids).await?;
    let current = pairing::Entity::find()
        .filter(pairing::Column::ActiveMenteeId.eq(volunteer.id))
        .one(db)
        .await?
        .map(|p| p.mentor_id);
    let cap = cfg.max_mentees as i32;
    let mut out: Vec<Suggestion> = candidates
        .into_iter()
        .filter(|c| Some(c.id) != current)
        .filter_map(|mentor| {
            let active = loads.get(&mentor.id).copied().unwrap_or(0);
            if active >= cap {
                return None;
            }
            let mut shared: Vec<String> = offered
                .get(&mentor.id)
                .map(|s| s.iter().filter(|k| wanted.contains(k)).cloned().collect())
                .unwrap_or_default();
            shared.sort();
            let mut reasons = vec!["same station as the volunteer".to_string()];
            if !shared.is_empty() {
                reasons.push(format!("shares skills: {}", shared.join(", ")));
            }
            reasons.push(format!("{active} active mentees, {} places free", cap - active));
            Some(Suggestion {
                mentor,
                active_mentees: active,
                free_places: cap - active,
                shared_skills: shared,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.shared_skills
            .len()
            .cmp(&a.shared_skills.len())
            .then(a.active_mentees.cmp(&b.active_mentees))
            .then(a.mentor.id.cmp(&b.mentor.id))
    });
    out.truncate(limit);
    Ok(out)
}
