//! Who is asked to join a task: the dispatch when a task is published, and the cover-needed
//! waves when a confirmed seat frees up less than a day before the start with nobody waiting.
//!
//! Tables: `task_invitations` (one row per task, person and way of asking), `dispatch_days`
//! (invitations per person and local day).
//!
//! Rules:
//! - A volunteer matches a task when they are active, their home org unit lies in the task's
//!   subtree or the task lies within the radius of their service area, their skills cover the
//!   task's required ones, they meet its prerequisites (`domain::prerequisites`), and they are
//!   neither on the task nor on an overlapping live one.
//! - The dispatch reaches at most `per_task` people (by account age, oldest first), and nobody
//!   more than `per_volunteer_per_day` times a local day: the cap is one conditional upsert of
//!   the person's day row, so concurrent dispatches of different tasks cannot overshoot it.
//!   A `rescue` task is an urgent call-out: not capped per day, pushed through quiet hours.
//! - Cover needed: waves of `cover_wave_size` matching people, least recently asked first, every
//!   `cover_wave_interval`, at most `cover_waves` waves, while the seat stays free. The first to
//!   accept gets the seat (one conditional update of the task's filled count; no waitlist for a
//!   cover seat); once no seat is left, the others are told it is taken.
//! - Every effect is keyed (invitation rows, message dedupe keys), so a job that runs twice
//!   asks nobody twice.

use crate::config::DispatchConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::geo::KM_PER_DEGREE;
use crate::domain::kernel::time;
use crate::domain::messaging::notifications::{Category, Message, tell};
use crate::domain::volunteering::reminders::{self, place, zone_of_task};
use crate::domain::volunteering::signups::{self, SEATS};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use entity::signup::{self, SignupStatus};
use entity::task::{self, ActionLine, TaskStatus};
use entity::task_invitation::{self, InvitationKind, InvitationStatus};
use entity::user::{self, Role, UserStatus};
use entity::{dispatch_day, org_unit, task_skill, user_skill, volunteer_profile};
use jobs::{Job, JobOptions};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, NullOrdering, OnConflict, Order, Query, SelectStatement};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// People looked at per round of the dispatch.
const ROUND: u64 = 500;

/// Job: tell matching volunteers of a newly published task (once per task).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dispatch {
    pub task_id: Uuid,
}

impl Job for Dispatch {
    const KIND: &'static str = "task.dispatch";
    const OPTIONS: JobOptions = JobOptions { timeout: std::time::Duration::from_secs(300), ..JobOptions::DEFAULT };
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("dispatch:{}", self.task_id))
    }
}

/// Job: one wave of cover-needed offers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cover {
    pub task_id: Uuid,
    pub wave: u32,
}

impl Job for Cover {
    const KIND: &'static str = "task.cover";
}

/// Queues the dispatch of a task just published, in the publishing transaction.
pub async fn on_publish(txn: &impl ConnectionTrait, task_id: Uuid) -> Result<(), DbErr> {
    jobs::outbox::enqueue(txn, &Dispatch { task_id }).await.map(|_| ())
}

/// A confirmed seat of `t` freed up with nobody waiting: if the task starts within a day, queue
/// the first cover-needed wave.
pub async fn on_seat_freed(txn: &impl ConnectionTrait, now: DateTime<Utc>, t: &task::Model) -> Result<(), DbErr> {
    if t.status != TaskStatus::Published || t.starts_at <= now || t.starts_at - now > Duration::hours(24) {
        return Ok(());
    }
    jobs::outbox::enqueue(txn, &Cover { task_id: t.id, wave: 1 }).await.map(|_| ())
}

fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// How candidates are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ordering {
    /// By id (account age), resumable after an id.
    ById(Option<Uuid>),
    /// Whoever was asked least recently (never asked first).
    LeastRecentlyAsked,
}

/// Matching volunteers for `t` (see the module rules) not yet asked in `kind`: (id, time zone).
fn candidates(
    t: &task::Model,
    skills: &[String],
    kind: InvitationKind,
    order: Ordering,
    limit: u64,
) -> SelectStatement {
    let users = user::Entity;
    let uid = Expr::col((users, user::Column::Id));
    let mut q = Query::select();
    q.column((users, user::Column::Id))
        .column((users, user::Column::TimeZone))
        // The home unit's zone, for the fallback of `kernel::time`.
        .expr_as(col("org_units", "time_zone"), Alias::new("unit_time_zone"))
        .from(users)
        .left_join(org_unit::Entity, col("org_units", "id").equals((users, user::Column::OrgUnitId)))
        .and_where(Expr::col((users, user::Column::Role)).eq(Role::Volunteer.to_value()))
        .and_where(Expr::col((users, user::Column::Status)).eq(UserStatus::Active.to_value()));

    // Home unit in the task's subtree, or the task inside their service area.
    let mut near = Expr::col((users, user::Column::OrgUnitId))
        .in_subquery(crate::domain::kernel::org_units::subtree_ids(t.org_unit_id));
    if let (Some(lat), Some(lng)) = (t.lat, t.lng) {
        let k = lat.to_radians().cos();
        let dlat = col("volunteer_profiles", "service_lat").sub(lat);
        let dlng = col("volunteer_profiles", "service_lng").sub(lng).mul(k);
        let radius = col("volunteer_profiles", "service_radius_km").div(KM_PER_DEGREE);
        let area = Query::select()
            .expr(Expr::val(1))
            .from(volunteer_profile::Entity)
            .and_where(col("volunteer_profiles", "user_id").equals((users, user::Column::Id)))
            .and_where(col("volunteer_profiles", "service_lat").is_not_null())
            .and_where(col("volunteer_profiles", "service_lng").is_not_null())
            .and_where(col("volunteer_profiles", "service_radius_km").is_not_null())
            .and_where(dlat.clone().mul(dlat).add(dlng.clone().mul(dlng)).lte(radius.clone().mul(radius)))
            .to_owned();
        near = near.or(Expr::exists(area));
    }
    q.and_where(near);

    // Not on this task already, not asked this way already.
    q.and_where(Expr::not_exists(
        Query::select()
            .expr(Expr::val(1))
            .from(signup::Entity)
            .and_where(col("signups", "task_id").eq(t.id))
            .and_where(col("signups", "volunteer_id").equals((users, user::Column::Id)))
            .to_owned(),
    ));
    q.and_where(Expr::not_exists(
        Query::select()
            .expr(Expr::val(1))
            .from(task_invitation::Entity)
            .and_where(col("task_invitations", "task_id").eq(t.id))
            .and_where(col("task_invitations", "user_id").equals((users, user::Column::Id)))
            .and_where(col("task_invitations", "kind").eq(kind.to_value()))
            .to_owned(),
    ));
    // No live sign-up for an overlapping published task.
    let live: Vec<String> = [SignupStatus::Confirmed, SignupStatus::Waitlisted, SignupStatus::Pending]
        .iter()
        .map(|s| s.to_value())
        .collect();
    q.and_where(Expr::not_exists(
        Query::select()
            .expr(Expr::val(1))
            .from(signup::Entity)
            .inner_join(task::Entity, col("tasks", "id").equals((signup::Entity, signup::Column::TaskId)))
            .and_where(col("signups", "volunteer_id").equals((users, user::Column::Id)))
            .and_where(col("signups", "status").is_in(live))
            .and_where(col("tasks", "status").eq(TaskStatus::Published.to_value()))
            .and_where(col("tasks", "starts_at").lt(t.ends_at))
            .and_where(col("tasks", "ends_at").gt(t.starts_at))
            .to_owned(),
    ));
    // Every required skill.
    for skill in skills {
        q.and_where(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(user_skill::Entity)
                .and_where(col("user_skills", "user_id").equals((users, user::Column::Id)))
                .and_where(col("user_skills", "skill").eq(skill.as_str()))
                .to_owned(),
        ));
    }
    match order {
        Ordering::ById(after) => {
            if let Some(after) = after {
                q.and_where(uid.clone().gt(after));
            }
            q.order_by((users, user::Column::Id), Order::Asc);
        }
        Ordering::LeastRecentlyAsked => {
            let last = Query::select()
                .expr(col("task_invitations", "created_at").max())
                .from(task_invitation::Entity)
                .and_where(col("task_invitations", "user_id").equals((users, user::Column::Id)))
                .to_owned();
            q.order_by_expr_with_nulls(Expr::SubQuery(None, Box::new(last.into())), Order::Asc, NullOrdering::First);
            q.order_by((users, user::Column::Id), Order::Asc);
        }
    }
    q.limit(limit);
    q.to_owned()
}

async fn fetch_candidates(db: &impl ConnectionTrait, q: SelectStatement) -> Result<Vec<(Uuid, time::Tz)>, DbErr> {
    let rows = db.query_all(&q).await?;
    rows.into_iter()
        .map(|r| {
            let id: Uuid = r.try_get("", "id")?;
            let tz: String = r.try_get("", "time_zone")?;
            let unit_tz: Option<String> = r.try_get("", "unit_time_zone")?;
            Ok((id, time::first_zone([Some(tz.as_str()), unit_tz.as_deref()])))
        })
        .collect()
}

/// Drops the candidates who lack one of the task's prerequisites (credentials, levels, courses):
/// they could not sign up, so they are not asked.
async fn qualified(
    db: &impl ConnectionTrait,
    t: &task::Model,
    now: DateTime<Utc>,
    people: Vec<(Uuid, time::Tz)>,
) -> DomainResult<Vec<(Uuid, time::Tz)>> {
    use crate::domain::talent::prerequisites::{self, Subject};
    if prerequisites::of(db, Subject::Task(t.id)).await?.is_empty() {
        return Ok(people);
    }
    let mut out = Vec::with_capacity(people.len());
    for (person, tz) in people {
        if prerequisites::missing(db, person, Subject::Task(t.id), now).await?.is_empty() {
            out.push((person, tz));
        }
    }
    Ok(out)
}

async fn required_skills(db: &impl ConnectionTrait, task_id: Uuid) -> Result<Vec<String>, DbErr> {
    task_skill::Entity::find()
        .filter(task_skill::Column::TaskId.eq(task_id))
        .select_only()
        .column(task_skill::Column::Skill)
        .into_tuple()
        .all(db)
        .await
}

/// Records that `user` was asked; false if they already were (this task, this way).
async fn invite(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    task_id: Uuid,
    user: Uuid,
    kind: InvitationKind,
    wave: i32,
) -> Result<bool, DbErr> {
    let row = task_invitation::ActiveModel {
        task_id: Set(task_id),
        user_id: Set(user),
        kind: Set(kind),
        wave: Set(wave),
        status: Set(InvitationStatus::Offered),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = task_invitation::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                task_invitation::Column::TaskId,
                task_invitation::Column::UserId,
                task_invitation::Column::Kind,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(inserted == 1)
}

/// Counts one invitation against the person's day; false when the day's cap is reached.
async fn count_against_day(txn: &impl ConnectionTrait, user: Uuid, day: String, cap: u32) -> Result<bool, DbErr> {
    if cap == 0 {
        return Ok(false);
    }
    let row = dispatch_day::ActiveModel { user_id: Set(user), day: Set(day), sent: Set(1) };
    let sent = Expr::col((dispatch_day::Entity, dispatch_day::Column::Sent));
    let counted = dispatch_day::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([dispatch_day::Column::UserId, dispatch_day::Column::Day])
                .value(dispatch_day::Column::Sent, sent.clone().add(1))
                .action_and_where(sent.lt(cap as i32))
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(counted == 1)
}

fn invitation(t: &task::Model, to: Uuid, template: &str, dedupe: String, zone: time::Tz) -> Message {
    let category = if t.action_line == ActionLine::Rescue { Category::RescueCallout } else { Category::TaskInvitation };
    Message::new(to, category, template, dedupe)
        .param("task", t.title.clone())
        .param("start", time::format_local(t.starts_at, zone))
        .names("place", place(t))
        .data("taskId", t.id)
}

/// Runs the dispatch of a published task. Returns how many people were asked this run.
pub async fn dispatch(
    db: &DatabaseConnection,
    cfg: &DispatchConfig,
    now: DateTime<Utc>,
    d: &Dispatch,
) -> DomainResult<u32> {
    let Some(t) = task::Entity::find_by_id(d.task_id).one(db).await? else { return Ok(0) };
    if t.status != TaskStatus::Published || t.starts_at <= now {
        return Ok(0);
    }
    let rescue = t.action_line == ActionLine::Rescue;
    let skills = required_skills(db, t.id).await?;
    let zone = zone_of_task(db, &t).await?;
    use sea_orm::PaginatorTrait;
    let already = task_invitation::Entity::find()
        .filter(task_invitation::Column::TaskId.eq(t.id))
        .filter(task_invitation::Column::Kind.eq(InvitationKind::Dispatch))
        .count(db)
        .await?;
    let mut budget = u64::from(cfg.per_task).saturating_sub(already);
    let mut asked = 0;
    let mut after = None;
    while budget > 0 {
        let q = candidates(&t, &skills, InvitationKind::Dispatch, Ordering::ById(after), ROUND);
        let fetched = fetch_candidates(db, q).await?;
        let Some(last) = fetched.last() else { break };
        after = Some(last.0);
        let full = fetched.len() as u64 == ROUND;
        let people = qualified(db, &t, now, fetched).await?;
        let round = write(db, async |txn| {
            let mut n = 0u64;
            for (person, tz) in &people {
                if n >= budget {
                    break;
                }
                if !invite(txn, now, t.id, *person, InvitationKind::Dispatch, 0).await? {
                    continue;
                }
                // The cap is per day as the volunteer lives it, not as the city does.
                let day = time::date_in(now, *tz).to_string();
                if !rescue && !count_against_day(txn, *person, day, cfg.per_volunteer_per_day).await? {
                    // Over today's cap: this task is not for them after all.
                    task_invitation::Entity::delete_by_id((t.id, *person, InvitationKind::Dispatch)).exec(txn).await?;
                    continue;
                }
                let template = if rescue { "rescue.callout" } else { "task.dispatch" };
                tell(txn, invitation(&t, *person, template, format!("dispatch:{}", t.id), zone)).await?;
                n += 1;
            }
            Ok::<_, DbErr>(n)
        })
        .await?;
        budget -= round;
        asked += round as u32;
        if !full {
            break;
        }
    }
    Ok(asked)
}

fn cover_key(task_id: Uuid) -> String {
    format!("task:{task_id}:cover")
}

/// Runs one cover-needed wave; schedules the next while waves remain. Returns how many were
/// offered the seat.
pub async fn cover_wave(
    db: &DatabaseConnection,
    cfg: &DispatchConfig,
    now: DateTime<Utc>,
    c: &Cover,
) -> DomainResult<u32> {
    let Some(t) = task::Entity::find_by_id(c.task_id).one(db).await? else { return Ok(0) };
    if t.status != TaskStatus::Published || t.starts_at <= now || t.filled >= t.capacity {
        return Ok(0);
    }
    let skills = required_skills(db, t.id).await?;
    let zone = zone_of_task(db, &t).await?;
    let q =
        candidates(&t, &skills, InvitationKind::Cover, Ordering::LeastRecentlyAsked, u64::from(cfg.cover_wave_size));
    let people = qualified(db, &t, now, fetch_candidates(db, q).await?).await?;
    let wave = c.wave as i32;
    let offered = write(db, async |txn| {
        let mut n = 0;
        for (person, _) in &people {
            if invite(txn, now, t.id, *person, InvitationKind::Cover, wave).await? {
                tell(txn, invitation(&t, *person, "task.cover_offer", format!("cover:{}", t.id), zone)).await?;
                n += 1;
            }
        }
        if n > 0 && c.wave < cfg.cover_waves {
            let next = Cover { task_id: t.id, wave: c.wave + 1 };
            let at = now + Duration::from_std(cfg.cover_wave_interval).unwrap_or(Duration::minutes(15));
            jobs::scheduled::schedule(txn, &cover_key(t.id), at, &next).await?;
        }
        Ok::<_, DbErr>(n)
    })
    .await?;
    Ok(offered)
}

/// A volunteer offered a freed seat takes it: the first to accept gets it; later ones get 409
/// `seat_taken`. Accepting twice returns the same sign-up.
pub async fn accept_cover(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
) -> DomainResult<signup::Model> {
    write(db, async |txn| {
        let today = time::person_today(txn, actor.user_id, now).await?;
        let offer = task_invitation::Entity::find_by_id((task_id, actor.user_id, InvitationKind::Cover))
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("cover offer"))?;
        let t = task::Entity::find_by_id(task_id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
        let existing = signup::Entity::find()
            .filter(signup::Column::TaskId.eq(task_id))
            .filter(signup::Column::VolunteerId.eq(actor.user_id))
            .one(txn)
            .await?;
        if offer.status == InvitationStatus::Accepted
            && let Some(s) = existing.as_ref().filter(|s| s.status == SignupStatus::Confirmed)
        {
            return Ok(s.clone());
        }
        if t.status != TaskStatus::Published || now >= t.starts_at {
            return Err(DomainError::conflict("signup_closed", "this task is no longer taking sign-ups"));
        }
        crate::domain::people::guardians::ensure_may_sign_up(txn, actor.user_id, today).await?;
        crate::domain::talent::prerequisites::check(
            txn,
            actor.user_id,
            crate::domain::talent::prerequisites::Subject::Task(task_id),
            now,
        )
        .await?;
        if existing.as_ref().is_some_and(|s| s.status.is_live()) {
            return Err(DomainError::conflict("already_signed_up", "you are already on this task"));
        }
        if signups::has_conflict(txn, actor.user_id, &t).await? {
            return Err(DomainError::conflict(
                "schedule_conflict",
                "you are already signed up for another task at this time",
            ));
        }
        if !crate::domain::kernel::seats::take_free(txn, SEATS, task_id).await? {
            return Err(DomainError::conflict("seat_taken", "someone else took the seat first"));
        }
        let before = existing.clone();
        let s = signups::place(txn, existing, task_id, actor.user_id, SignupStatus::Confirmed, None, now).await?;
        signups::audit_placed(txn, actor, now, "signup.accept_cover", before.as_ref(), &s).await?;
        task_invitation::Entity::update_many()
            .col_expr(task_invitation::Column::Status, Expr::value(InvitationStatus::Accepted.to_value()))
            .col_expr(task_invitation::Column::UpdatedAt, Expr::value(now))
            .filter(task_invitation::Column::TaskId.eq(task_id))
            .filter(task_invitation::Column::UserId.eq(actor.user_id))
            .filter(task_invitation::Column::Kind.eq(InvitationKind::Cover))
            .exec(txn)
            .await?;
        let t = task::Entity::find_by_id(task_id).one(txn).await?.ok_or(DomainError::not_found("task"))?;
        reminders::seat_confirmed(txn, now, &s, &t, None).await?;
        if t.filled >= t.capacity {
            seat_gone(txn, now, &t).await?;
        }
        Ok(s)
    })
    .await
}

/// The freed seat is gone: tell everyone still holding an offer, and stop the waves.
async fn seat_gone(txn: &impl ConnectionTrait, now: DateTime<Utc>, t: &task::Model) -> Result<(), DbErr> {
    let waiting: Vec<Uuid> = task_invitation::Entity::find()
        .filter(task_invitation::Column::TaskId.eq(t.id))
        .filter(task_invitation::Column::Kind.eq(InvitationKind::Cover))
        .filter(task_invitation::Column::Status.eq(InvitationStatus::Offered))
        .select_only()
        .column(task_invitation::Column::UserId)
        .into_tuple()
        .all(txn)
        .await?;
    task_invitation::Entity::update_many()
        .col_expr(task_invitation::Column::Status, Expr::value(InvitationStatus::Taken.to_value()))
        .col_expr(task_invitation::Column::UpdatedAt, Expr::value(now))
        .filter(task_invitation::Column::TaskId.eq(t.id))
        .filter(task_invitation::Column::Kind.eq(InvitationKind::Cover))
        .filter(task_invitation::Column::Status.eq(InvitationStatus::Offered))
        .exec(txn)
        .await?;
    for person in waiting {
        let m = Message::new(person, Category::TaskInvitation, "task.cover_taken", format!("cover_taken:{}", t.id))
            .param("task", t.title.clone())
            .data("taskId", t.id);
        tell(txn, m).await?;
    }
    jobs::scheduled::cancel(txn, &cover_key(t.id)).await?;
    Ok(())
}

/// Drops a task's pending cover wave (the task was cancelled).
pub async fn stop_cover(txn: &impl ConnectionTrait, task_id: Uuid) -> Result<(), DbErr> {
    jobs::scheduled::cancel(txn, &cover_key(task_id)).await.map(|_| ())
}
