//! A pairing's goals and progress: setting the goals, counting acknowledged sessions and approved
//! service hours since activation, and recording graduation once it is due.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::mentoring::pairings::reload;
use crate::domain::mentoring::{Access, MAX_GOAL_LEN, MAX_GOALS, person, tell_about, visible};
use crate::domain::messaging::notifications;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Utc};
use entity::hours_entry;
use entity::mentoring_pairing::{self as pairing, PairingStatus};
use entity::mentoring_session::{self as session, SessionStatus};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

pub(super) fn clean_goals(goals: Vec<Goal>) -> DomainResult<String> {
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
pub(super) fn counted_sessions() -> Condition {
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

pub(super) async fn count_and_sum(db: &impl ConnectionTrait, cond: Condition) -> DomainResult<(i64, i64)> {
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
