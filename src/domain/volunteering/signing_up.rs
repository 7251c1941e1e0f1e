//! Signing up for a task in few statements: the rules of `volunteering::signups` (deadline,
//! idempotent repeat, refusal after a denial or removal, guardian consent, prerequisites, skills,
//! schedule conflict, seats with a FIFO waitlist, managed tasks, audit, reminders), each checked
//! or written with one statement at most.
//!
//! Tables read: `tasks`, `signups`, `users`, `org_units`, `birth_dates`, `identities`, `consents`,
//! `prerequisites`, `task_skills`, `user_skills`; written: `tasks` (seat), `signups`,
//! `audit_log`, `scheduled_jobs` (reminders).
//!
//! A sign-up runs, in one transaction:
//! 1. (PostgreSQL) the person's row locked `FOR UPDATE`, so that two sign-ups of one person never
//!    pass the conflict check side by side. It stays its own statement: a statement's snapshot
//!    is taken before it waits for a lock, so facts read in the same statement could miss the
//!    sign-up that the lock waited for. (SQLite: writers are serialised already.)
//! 2. One read of every fact the rules need: the task, the person's sign-up for it, an
//!    overlapping live sign-up, the guardian facts and consent, the person's zone, whether the
//!    task has prerequisites, whether a required skill is missing.
//! 3. The effects. PostgreSQL, open task: one statement takes the seat (or the next waitlist
//!    ticket), writes the sign-up (new, or the revival of a cancelled one) and its audit row,
//!    so the task's row lock is held for that statement and the commit alone. Elsewhere (SQLite;
//!    managed tasks, which take no seat): the seat, the row and the audit row one statement each.
//! 4. A confirmed seat: its three reminders in one statement.
//!
//! Only a refusal or a task with prerequisites reads more: the prerequisites (and the missing
//! skills) are named in the refusal, read when needed.

use super::reminders;
use super::signups::{Outcome, SEATS, audit_placed, place, place_in_line};
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::seats::{self, Seat};
use crate::domain::kernel::time;
use crate::domain::people::{guardians, users};
use crate::domain::talent::prerequisites;
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::signup::{self, SignupStatus};
use entity::task::{self, SignupMode, TaskStatus};
use entity::{birth_date, consent, identity, org_unit, prerequisite, task_skill, user, user_skill};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoCondition, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, JoinType, QueryFilter, QuerySelect, QueryTrait, RelationTrait, Statement,
};
use uuid::Uuid;

/// Signs the actor up for a task.
pub async fn sign_up(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
) -> DomainResult<Outcome> {
    // The database keeps microseconds: the audit row written beside the sign-up shows the same.
    let now = now.trunc_subsecs(6);
    let outcome = write(db, async |txn| {
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            users::lock_person(txn, actor.user_id).await?;
        }
        let f = facts(txn, actor.user_id, task_id).await?.ok_or(DomainError::not_found("task"))?;
        let t = &f.task;
        match t.status {
            TaskStatus::Draft => return Err(DomainError::not_found("task")),
            TaskStatus::Published => {}
            _ => return Err(DomainError::conflict("signup_closed", "this task is no longer taking sign-ups")),
        }
        if let Some(s) = &f.existing
            && s.status.is_live()
        {
            return Ok(Outcome { signup: s.clone(), created: false });
        }
        if f.existing.as_ref().is_some_and(|s| matches!(s.status, SignupStatus::Removed | SignupStatus::Denied)) {
            return Err(DomainError::conflict(
                "signup_refused",
                "the organiser has turned down your sign-up for this task",
            ));
        }
        if now > t.signup_deadline {
            return Err(DomainError::conflict("signup_closed", "the sign-up deadline has passed"));
        }
        // Age is counted on the volunteer's own calendar: a birthday comes at their midnight.
        let today = time::date_in(now, time::person_zone_of(&f.own_zone, f.unit_zone.as_deref()));
        if guardians::needs_guardian_given(f.guardian_until, f.identity_birth, today) && !f.guardian_consent {
            return Err(guardians::consent_required());
        }
        if f.has_prerequisites {
            prerequisites::check(txn, actor.user_id, prerequisites::Subject::Task(task_id), now).await?;
        }
        if t.skills_required_for_signup && f.skills_missing {
            return Err(skills_missing(txn, actor.user_id, task_id).await);
        }
        if f.conflict {
            return Err(DomainError::conflict(
                "schedule_conflict",
                "you are already signed up for another task at this time",
            ));
        }
        let model = match t.signup_mode {
            SignupMode::Open if txn.get_database_backend() == DatabaseBackend::Postgres => {
                take_place_audit(txn, actor, now, t, f.existing.as_ref()).await?
            }
            mode => {
                let (status, position) = match mode {
                    SignupMode::Managed => (SignupStatus::Pending, None),
                    SignupMode::Open => match seats::take(txn, SEATS, task_id).await? {
                        Seat::Confirmed => (SignupStatus::Confirmed, None),
                        Seat::Waitlisted(p) => (SignupStatus::Waitlisted, Some(p)),
                    },
                };
                let model = place(txn, f.existing.clone(), task_id, actor.user_id, status, position, now).await?;
                audit_placed(txn, actor, now, "signup.create", f.existing.as_ref(), &model).await?;
                model
            }
        };
        if model.status == SignupStatus::Confirmed {
            // A cancelled sign-up dropped its reminders when it ended; a new one never had any.
            reminders::schedule_fresh(txn, now, model.id, t).await?;
        }
        Ok(Outcome { signup: model, created: true })
    })
    .await?;
    Ok(Outcome { signup: place_in_line(db, outcome.signup).await?, created: outcome.created })
}

/// What the rules of a sign-up need, read in one statement.
struct Facts {
    task: task::Model,
    /// The person's sign-up for this task, live or ended.
    existing: Option<signup::Model>,
    /// A live sign-up of the person for another published task overlapping this one in time
    /// (waitlisted ones too, so that a later promotion never double-books).
    conflict: bool,
    guardian_until: Option<NaiveDate>,
    identity_birth: Option<NaiveDate>,
    guardian_consent: bool,
    own_zone: String,
    unit_zone: Option<String>,
    has_prerequisites: bool,
    /// A skill the task requires that the person has not recorded.
    skills_missing: bool,
}

const LIVE: [SignupStatus; 3] = [SignupStatus::Pending, SignupStatus::Confirmed, SignupStatus::Waitlisted];

fn scalar(q: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(q)))
}

/// The task with the person's sign-up for it and the facts about the person, one statement.
async fn facts(conn: &impl ConnectionTrait, person: Uuid, task_id: Uuid) -> DomainResult<Option<Facts>> {
    let (s2, t2) = (Alias::new("s2"), Alias::new("t2"));
    let conflict = Query::select()
        .expr(Expr::val(1))
        .from_as(signup::Entity, s2.clone())
        .join_as(
            JoinType::InnerJoin,
            task::Entity,
            t2.clone(),
            Expr::col((t2.clone(), task::Column::Id)).equals((s2.clone(), signup::Column::TaskId)),
        )
        .and_where(Expr::col((s2.clone(), signup::Column::VolunteerId)).eq(person))
        .and_where(Expr::col((s2.clone(), signup::Column::TaskId)).ne(task_id))
        .and_where(Expr::col((s2.clone(), signup::Column::Status)).is_in(LIVE.map(|s| s.to_value())))
        .and_where(Expr::col((t2.clone(), task::Column::Status)).eq(TaskStatus::Published.to_value()))
        .and_where(Expr::col((t2.clone(), task::Column::StartsAt)).lt(Expr::col((task::Entity, task::Column::EndsAt))))
        .and_where(Expr::col((t2, task::Column::EndsAt)).gt(Expr::col((task::Entity, task::Column::StartsAt))))
        .to_owned();
    let guardian_until = Query::select()
        .column(birth_date::Column::GuardianUntil)
        .from(birth_date::Entity)
        .and_where(birth_date::Column::UserId.eq(person))
        .to_owned();
    let identity_birth = Query::select()
        .column(identity::Column::BirthDate)
        .from(identity::Entity)
        .and_where(identity::Column::UserId.eq(person))
        .to_owned();
    let consent = Query::select()
        .expr(Expr::val(1))
        .from(consent::Entity)
        .and_where(consent::Column::UserId.eq(person))
        .and_where(consent::Column::Purpose.eq(consent::Purpose::Guardian))
        .and_where(consent::Column::WithdrawnAt.is_null())
        .to_owned();
    let own_zone = Query::select()
        .column(user::Column::TimeZone)
        .from(user::Entity)
        .and_where(user::Column::Id.eq(person))
        .to_owned();
    let unit_zone = Query::select()
        .column((org_unit::Entity, org_unit::Column::TimeZone))
        .from(user::Entity)
        .inner_join(
            org_unit::Entity,
            Expr::col((org_unit::Entity, org_unit::Column::Id)).equals((user::Entity, user::Column::OrgUnitId)),
        )
        .and_where(Expr::col((user::Entity, user::Column::Id)).eq(person))
        .to_owned();
    let prerequisites = Query::select()
        .expr(Expr::val(1))
        .from(prerequisite::Entity)
        .and_where(prerequisite::Column::SubjectType.eq("task"))
        .and_where(prerequisite::Column::SubjectId.eq(task_id))
        .to_owned();
    let held = Query::select()
        .expr(Expr::val(1))
        .from(user_skill::Entity)
        .and_where(Expr::col((user_skill::Entity, user_skill::Column::UserId)).eq(person))
        .and_where(
            Expr::col((user_skill::Entity, user_skill::Column::Skill))
                .equals((task_skill::Entity, task_skill::Column::Skill)),
        )
        .to_owned();
    let skills_missing = Query::select()
        .expr(Expr::val(1))
        .from(task_skill::Entity)
        .and_where(Expr::col((task_skill::Entity, task_skill::Column::TaskId)).eq(task_id))
        .and_where(Expr::exists(held).not())
        .to_owned();
    let mut q = task::Entity::find_by_id(task_id).join(
        JoinType::LeftJoin,
        signup::Relation::Task
            .def()
            .rev()
            .on_condition(move |_, s| Expr::col((s, signup::Column::VolunteerId)).eq(person).into_condition()),
    );
    for c in signup::Column::iter() {
        q = q.expr_as(Expr::col((signup::Entity, c)), format!("s_{}", c.as_str()));
    }
    let q = q
        .expr_as(Expr::exists(conflict), "f_conflict")
        .expr_as(scalar(guardian_until), "f_guardian_until")
        .expr_as(scalar(identity_birth), "f_identity_birth")
        .expr_as(Expr::exists(consent), "f_consent")
        .expr_as(scalar(own_zone), "f_own_zone")
        .expr_as(scalar(unit_zone), "f_unit_zone")
        .expr_as(Expr::exists(prerequisites), "f_prerequisites")
        .expr_as(Expr::exists(skills_missing), "f_skills_missing");
    let Some(row) = conn.query_one_raw(q.build(conn.get_database_backend())).await? else { return Ok(None) };
    let existing = match row.try_get::<Option<Uuid>>("", "s_id")? {
        Some(_) => Some(signup::Model::from_query_result(&row, "s_")?),
        None => None,
    };
    Ok(Some(Facts {
        task: task::Model::from_query_result(&row, "")?,
        existing,
        conflict: row.try_get("", "f_conflict")?,
        guardian_until: row.try_get("", "f_guardian_until")?,
        identity_birth: row.try_get("", "f_identity_birth")?,
        guardian_consent: row.try_get("", "f_consent")?,
        own_zone: row.try_get::<Option<String>>("", "f_own_zone")?.unwrap_or_default(),
        unit_zone: row.try_get("", "f_unit_zone")?,
        has_prerequisites: row.try_get("", "f_prerequisites")?,
        skills_missing: row.try_get("", "f_skills_missing")?,
    }))
}

/// The refusal (409 `skills_missing`) naming the task's required skills the person lacks.
async fn skills_missing(conn: &impl ConnectionTrait, volunteer: Uuid, task_id: Uuid) -> DomainError {
    let held = user_skill::Entity::find().filter(user_skill::Column::UserId.eq(volunteer)).all(conn).await;
    let required = super::tasks::skills_of(conn, task_id).await;
    let (held, required) = match (held, required) {
        (Ok(h), Ok(r)) => (h, r),
        (Err(e), _) => return e.into(),
        (_, Err(e)) => return e,
    };
    let missing: Vec<&str> =
        required.iter().filter(|s| !held.iter().any(|h| &h.skill == *s)).map(String::as_str).collect();
    DomainError::conflict(
        "skills_missing",
        format!("this task needs skills you have not recorded: {}", missing.join(", ")),
    )
}

/// PostgreSQL, open task: takes a seat (else the next waitlist ticket), writes the sign-up (or
/// revives the person's cancelled one) and its audit row, in one statement. The seat and the
/// ticket are conditional updates of the task row, as in `kernel::seats`; when a seat frees or
/// fills between the statement's snapshot and its lock, neither applies and the statement runs
/// again (bounded).
async fn take_place_audit(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    t: &task::Model,
    existing: Option<&signup::Model>,
) -> DomainResult<signup::Model> {
    // The row as it will read, but for the seat's status and position, which the statement sets.
    let planned = match existing {
        Some(old) => signup::Model {
            status: SignupStatus::Confirmed,
            position: None,
            late_cancellation: false,
            reason: None,
            decided_by: None,
            confirmed_attendance_at: None,
            updated_at: now,
            ..old.clone()
        },
        None => signup::Model {
            id: Uuid::now_v7(),
            task_id: t.id,
            volunteer_id: actor.user_id,
            status: SignupStatus::Confirmed,
            position: None,
            late_cancellation: false,
            no_show: false,
            reason: None,
            decided_by: None,
            confirmed_attendance_at: None,
            created_at: now,
            updated_at: now,
        },
    };
    let json = |m: &signup::Model| serde_json::to_value(m).map_err(|e| DomainError::Internal(e.to_string()));
    let before = existing.map(json).transpose()?;
    let values: Vec<sea_orm::Value> = vec![
        t.id.into(),
        actor.user_id.into(),
        planned.id.into(),
        now.into(),
        Uuid::now_v7().into(),
        before.into(),
        json(&planned)?.into(),
    ];
    let stmt = Statement::from_sql_and_values(DatabaseBackend::Postgres, TAKE_PLACE_AUDIT, values);
    // Bounded: each round either succeeds or saw the task's seats change under it.
    for _ in 0..16 {
        if let Some(row) = txn.query_one_raw(stmt.clone()).await? {
            return Ok(signup::Model::from_query_result(&row, "")?);
        }
    }
    Err(DomainError::Internal(format!("could not settle a seat in task {}", t.id)))
}

/// $1 task, $2 volunteer, $3 new sign-up id, $4 now, $5 audit id, $6 before, $7 after (with the
/// status and position the statement sets). Only a cancelled sign-up is revived: a live one was
/// answered before, a denied or removed one refused.
const TAKE_PLACE_AUDIT: &str = r#"
WITH seat AS (
    UPDATE tasks SET filled = filled + 1
    WHERE id = $1 AND filled < capacity
    RETURNING 'confirmed'::varchar AS status, NULL::int AS position
), ticket AS (
    UPDATE tasks SET waitlist_seq = waitlist_seq + 1
    WHERE id = $1 AND filled >= capacity AND NOT EXISTS (SELECT 1 FROM seat)
    RETURNING 'waitlisted'::varchar AS status, waitlist_seq AS position
), got AS (
    SELECT status, position FROM seat UNION ALL SELECT status, position FROM ticket
), placed AS (
    INSERT INTO signups (id, task_id, volunteer_id, status, position, late_cancellation, no_show,
                         reason, decided_by, confirmed_attendance_at, created_at, updated_at)
    SELECT $3, $1, $2, got.status, got.position, false, false, NULL, NULL, NULL, $4, $4 FROM got
    ON CONFLICT (task_id, volunteer_id) DO UPDATE SET
        status = excluded.status, position = excluded.position, late_cancellation = false,
        reason = NULL, decided_by = NULL, confirmed_attendance_at = NULL, updated_at = excluded.updated_at
    WHERE signups.status = 'cancelled'
    RETURNING *
), audited AS (
    INSERT INTO audit_log (id, actor_id, action, target_type, target_id, before, after, reason, at)
    SELECT $5, $2, 'signup.create', 'signup', placed.id, $6,
           jsonb_set(jsonb_set($7, '{status}', to_jsonb(placed.status)),
                     '{position}', COALESCE(to_jsonb(placed.position), 'null'::jsonb)),
           NULL, $4
    FROM placed
)
SELECT * FROM placed
"#;
