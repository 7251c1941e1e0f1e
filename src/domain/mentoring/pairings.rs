//! Pairings from proposal to end: proposing, accepting or declining, ending, the mentor's load
//! (`mentor_loads`: at most `max_mentees` active mentees, taken and given back by conditional
//! updates), reading one pairing with its progress, and listing pairings in scope.

use crate::config::MentoringConfig;
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::mentoring::progress::{Goal, GoalStatus, Progress, clean_goals, progress};
use crate::domain::mentoring::sessions::ack_reminder_key;
use crate::domain::mentoring::{Access, home_station, may_mentor, person, tell_about, visible};
use crate::domain::messaging::notifications;
use crate::domain::{DomainError, DomainResult, kernel::org_units, required_text};
use chrono::{DateTime, Utc};
use entity::mentor_load;
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session::{self as session, SessionStatus};
use entity::user::{self, Role, UserStatus};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

/// A proposal.
#[derive(Clone, Debug)]
pub struct NewPairing {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub goals: Vec<String>,
}

/// Proposes a pairing: a station or city administrator for anyone in scope, or a social worker
/// for themselves as mentor. 404 for people the actor may not see; 400 `mentor_not_social_worker`
/// / `mentee_not_volunteer`; 422 `mentor_not_qualified` (no verified credential of the level); 409 `person_inactive`, `different_station`, `mentee_has_mentor`,
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
        may_mentor(txn, cfg, &mentor, now).await?;
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
pub(super) async fn reaches(db: &impl ConnectionTrait, actor: &Actor, u: &user::Model) -> DomainResult<bool> {
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

pub(super) async fn give_back_place(txn: &impl ConnectionTrait, mentor: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
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
        if mentor.status != UserStatus::Active || mentee.status != UserStatus::Active {
            return Err(DomainError::conflict("person_inactive", "one of the two can no longer be paired"));
        }
        may_mentor(txn, cfg, &mentor, now).await?;
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
pub(super) async fn close(
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

pub(super) async fn reload(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<pairing::Model> {
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

/// A pairing with its people and progress.
#[derive(Clone, Debug)]
pub struct PairingView {
    pub pairing: pairing::Model,
    pub mentor: user::Model,
    pub mentee: user::Model,
    pub progress: Progress,
}

pub(super) async fn view(db: &impl ConnectionTrait, p: pairing::Model) -> DomainResult<PairingView> {
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
pub(super) fn scope_of(actor: &Actor) -> DomainResult<Condition> {
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
