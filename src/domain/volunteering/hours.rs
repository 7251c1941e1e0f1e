//! The hours ledger (志愿服务时长): append-only entries of service time, their approval, corrections
//! and disputes, totals, the review queue. Star levels and leaderboards are in `stars`, the
//! export in `hours_export`, personal data in `personal_data`.
//!
//! Table: `hours_entries` (append-only).
//!
//! Rules (Volunteer Service Record rules, 民政部令第67号: records are true, accurate, complete and
//! timely; errors are corrected on request):
//! - Every entry names its source (`check_in`, `leader_entry`, `self_report`, `makeup`,
//!   `adjustment`) and who decided it. Nothing is edited or deleted: a correction is a new
//!   `adjustment` entry pointing at the one it corrects; declined entries stay.
//! - A stay counts from the later of arrival and the scheduled start to the earlier of departure
//!   and the scheduled end (travel is not service); a stay shorter than the task's minimum share
//!   (default 60%) earns nothing and is flagged.
//! - Volunteers never approve hours, their own or anyone's; nobody decides their own entries.
//! - A make-up entry (补录) is capped, with everything else recorded for that task, at the task's
//!   length.
//! - Nobody serves more than 24 hours in a local day, counted over every source, at a claim and
//!   again at its approval; claims do not overlap a recorded stay; a correction stays inside its
//!   entry's window (`day_limit`).
//! - Every make-up and leader entry, decision and correction is in the audit log (`hours_audit`).
//! - Star levels follow approved hours against a configurable ladder (default 1★ 100 h, 2★ 300 h,
//!   3★ 600 h, 4★ 1000 h, 5★ 1500 h); reaching one is recorded once.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::duties;
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time::{local_date, zone};
use crate::domain::people::users;
use crate::domain::volunteering::day_limit::{self, Counting, Window};
pub use crate::domain::volunteering::hours_review::{ReviewFilter, ReviewLine, list_for_review};
use crate::domain::volunteering::stars::award_stars;
use crate::domain::volunteering::tasks;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::attendance;
use entity::hours_entry::{self, HoursSource, HoursStatus};
use entity::task;
use entity::user::{self, Role};
use sea_orm::sea_query::{Alias, Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// How a short stay's reason is stored: a marker and the percentage, rendered in the reader's
/// language by [`reason_text`] (entries from before the marker hold the English words).
const SHORT_STAY: &str = "short_stay:";

/// An entry's reason for a reader in `locale`.
pub fn reason_text(stored: Option<&str>, locale: entity::user::Locale) -> Option<String> {
    let stored = stored?;
    let far = stored.strip_prefix(crate::domain::volunteering::attendance::FAR_FROM_TASK);
    if let Some(metres) = far.and_then(|m| m.parse::<i64>().ok()) {
        let (zh, en) = crate::domain::kernel::catalogue::far_from_task(metres);
        return Some(if locale == entity::user::Locale::En { en } else { zh });
    }
    match stored.strip_prefix(SHORT_STAY).and_then(|p| p.parse::<i32>().ok()) {
        Some(pct) => {
            let (zh, en) = crate::domain::kernel::catalogue::short_stay(pct);
            Some(match locale {
                entity::user::Locale::ZhCn => zh,
                entity::user::Locale::En => en,
            })
        }
        None => Some(stored.to_string()),
    }
}

/// The longest single claim or entry, in minutes.
pub const MAX_ENTRY_MINUTES: i32 = 24 * 60;

pub(super) async fn unit_tz(db: &impl ConnectionTrait, unit: Uuid) -> DomainResult<String> {
    Ok(org_units::get(db, unit).await?.time_zone)
}

/// What a new ledger line says: whose time, on what, where, how much and in which state.
struct NewEntry {
    volunteer: Uuid,
    task_id: Option<Uuid>,
    org_unit: Uuid,
    source: HoursSource,
    minutes: i32,
    status: HoursStatus,
    service_date: NaiveDate,
}

/// The row of a new ledger line, entered by `created_by` at `now` (who also decided it, unless
/// it is pending).
fn new_entry(n: NewEntry, created_by: Uuid, now: DateTime<Utc>) -> hours_entry::ActiveModel {
    let NewEntry { volunteer, task_id, org_unit, source, minutes, status, service_date } = n;
    let decided = status != HoursStatus::Pending;
    hours_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        volunteer_id: Set(volunteer),
        task_id: Set(task_id),
        org_unit_id: Set(org_unit),
        source: Set(source),
        minutes: Set(minutes),
        status: Set(status),
        service_date: Set(service_date),
        description: Set(None),
        adjusts_id: Set(None),
        reason: Set(None),
        flagged: Set(false),
        disputed_at: Set(None),
        dispute_comment: Set(None),
        created_by: Set(created_by),
        decided_by: Set(if decided { Some(created_by) } else { None }),
        decided_at: Set(if decided { Some(now) } else { None }),
        created_at: Set(now),
        entry_key: Set(None),
    }
}

/// Minutes of a stay that count, and whether it fell short of the task's minimum share.
pub fn credited_minutes(t: &task::Model, arrived: DateTime<Utc>, left: DateTime<Utc>) -> (i32, bool) {
    let start = arrived.max(t.starts_at);
    let end = left.min(t.ends_at);
    let stayed = (end - start).num_minutes().max(0);
    let length = (t.ends_at - t.starts_at).num_minutes().max(1);
    if stayed * 100 < length * i64::from(t.min_presence_pct) {
        return (0, true);
    }
    (stayed.min(i64::from(MAX_ENTRY_MINUTES * 14)) as i32, false)
}

/// Turns a closed stay into a pending entry (once per sign-up: a retry makes no second one).
pub async fn record_stay(
    txn: &impl ConnectionTrait,
    t: &task::Model,
    a: &attendance::Model,
    created_by: Uuid,
) -> DomainResult<hours_entry::Model> {
    let key = format!("stay:{}", a.signup_id);
    if let Some(existing) =
        hours_entry::Entity::find().filter(hours_entry::Column::EntryKey.eq(key.clone())).one(txn).await?
    {
        return Ok(existing);
    }
    let left = a.checked_out_at.unwrap_or(t.ends_at);
    let (minutes, short) = credited_minutes(t, a.checked_in_at, left);
    let date = local_date(t.starts_at, &unit_tz(txn, t.org_unit_id).await?);
    let mut e = new_entry(
        NewEntry {
            volunteer: a.volunteer_id,
            task_id: Some(t.id),
            org_unit: t.org_unit_id,
            source: HoursSource::CheckIn,
            minutes,
            status: HoursStatus::Pending,
            service_date: date,
        },
        created_by,
        a.checked_out_at.unwrap_or(left),
    );
    e.flagged = Set(short);
    if short {
        e.reason = Set(Some(format!("{SHORT_STAY}{}", t.min_presence_pct)));
    }
    e.entry_key = Set(Some(key));
    Ok(e.insert(txn).await?)
}

/// Whether `actor` may decide (approve, decline, correct) an entry.
async fn may_decide(db: &impl ConnectionTrait, actor: &Actor, e: &hours_entry::Model) -> DomainResult<bool> {
    if actor.role == Role::Volunteer || actor.user_id == e.volunteer_id {
        return Ok(false);
    }
    if let Some(task_id) = e.task_id
        && let Some(t) = task::Entity::find_by_id(task_id).one(db).await?
        && tasks::may_organize(db, actor, &t).await?
    {
        return Ok(true);
    }
    actor.serves_unit(db, e.org_unit_id).await
}

/// Offline service a volunteer claims.
pub struct Claim {
    pub org_unit_id: Uuid,
    pub service_date: NaiveDate,
    pub minutes: i32,
    pub description: String,
    /// When the service started, if the volunteer says; without it the claim covers its whole day.
    pub starts_at: Option<DateTime<Utc>>,
}

fn check_minutes(minutes: i32) -> DomainResult<()> {
    if !(1..=MAX_ENTRY_MINUTES).contains(&minutes) {
        return Err(DomainError::invalid("invalid_minutes", format!("minutes must be 1 to {MAX_ENTRY_MINUTES}")));
    }
    Ok(())
}

/// A volunteer claims offline service; a social worker or administrator in scope decides it.
pub async fn claim(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    c: Claim,
) -> DomainResult<hours_entry::Model> {
    check_minutes(c.minutes)?;
    let description = required_text("description", &c.description)?;
    let tz = org_units::get(db, c.org_unit_id)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "orgUnitId names no org unit"))?
        .time_zone;
    let today = local_date(now, &tz);
    if c.service_date > today {
        return Err(DomainError::invalid("date_in_future", "service cannot be claimed before it happens"));
    }
    if today - c.service_date > chrono::Duration::days(366) {
        return Err(DomainError::invalid("date_too_old", "claims reach back one year at most"));
    }
    let window = match c.starts_at {
        Some(s) if local_date(s, &tz) != c.service_date => {
            return Err(DomainError::invalid("starts_at_not_on_date", "startsAt must fall on serviceDate"));
        }
        Some(s) if s + chrono::Duration::minutes(c.minutes.into()) > now => {
            return Err(DomainError::invalid("date_in_future", "service cannot be claimed before it happens"));
        }
        Some(s) => Window { starts_at: s, ends_at: s + chrono::Duration::minutes(c.minutes.into()) },
        None => Window::day(c.service_date, zone(&tz)),
    };
    write(db, async |txn| {
        users::lock_person(txn, actor.user_id).await?;
        day_limit::ensure_no_stay_overlap(txn, actor.user_id, window).await?;
        let mut e = new_entry(
            NewEntry {
                volunteer: actor.user_id,
                task_id: None,
                org_unit: c.org_unit_id,
                source: HoursSource::SelfReport,
                minutes: c.minutes,
                status: HoursStatus::Pending,
                service_date: c.service_date,
            },
            actor.user_id,
            now,
        );
        e.description = Set(Some(description.clone()));
        let e = e.insert(txn).await?;
        if c.starts_at.is_some() {
            day_limit::record_window(txn, e.id, window).await?;
        }
        day_limit::ensure_within(txn, std::slice::from_ref(&e), Counting::Claimed).await?;
        Ok(e)
    })
    .await
}

/// Minutes already recorded (not declined) for a volunteer on a task, corrections included.
async fn recorded_for_task(txn: &impl ConnectionTrait, volunteer: Uuid, task_id: Uuid) -> DomainResult<i64> {
    sum_minutes(
        txn,
        Condition::all()
            .add(hours_entry::Column::VolunteerId.eq(volunteer))
            .add(hours_entry::Column::TaskId.eq(task_id))
            .add(hours_entry::Column::Status.ne(HoursStatus::Declined)),
    )
    .await
}

/// The sum of `minutes` over the entries matching `cond` (0 when none).
pub(crate) async fn sum_minutes(db: &impl ConnectionTrait, cond: Condition) -> DomainResult<i64> {
    let sum: Expr = Func::sum(Expr::col(hours_entry::Column::Minutes)).into();
    let q = Query::select()
        .expr_as(Func::coalesce([sum, Expr::val(0)]), Alias::new("total"))
        .from(hours_entry::Entity)
        .cond_where(cond)
        .to_owned();
    let row = db.query_one(&q).await?;
    Ok(row
        .map(|r| {
            r.try_get::<i64>("", "total").unwrap_or_else(|_| r.try_get::<i32>("", "total").map(i64::from).unwrap_or(0))
        })
        .unwrap_or(0))
}

/// Who entered time for a volunteer on a task, and why.
pub enum TaskEntryKind {
    /// The task's organiser or leader enters the stay (e.g. no phone on the day).
    Leader,
    /// An administrator's make-up entry (补录).
    Makeup,
}

/// Time entered for a volunteer on a task: by whom (the kind), for whom, how long and why.
pub struct TaskHours {
    pub kind: TaskEntryKind,
    pub task_id: Uuid,
    pub volunteer: Uuid,
    pub minutes: i32,
    pub reason: String,
}

/// An organiser records time for a volunteer on a task (approved at once), or an administrator
/// makes up missing time. Capped, with everything else recorded for the task, at its length.
pub async fn enter_for_task(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    entry: TaskHours,
) -> DomainResult<hours_entry::Model> {
    let TaskHours { kind, task_id, volunteer, minutes, reason } = entry;
    check_minutes(minutes)?;
    let reason = required_text("reason", &reason)?;
    let (entry, _) = write(db, async |txn| {
        let t = tasks::load_for_organizer(txn, actor, task_id).await?;
        duties::require_may_decide(txn, actor, volunteer).await?;
        if matches!(kind, TaskEntryKind::Makeup) && !actor.role.is_admin() {
            return Err(DomainError::forbidden("make-up entries are for administrators"));
        }
        if actor.user_id == volunteer {
            return Err(DomainError::forbidden("nobody records their own hours"));
        }
        if t.starts_at > now {
            return Err(DomainError::conflict("task_not_started", "time can be recorded once the task has started"));
        }
        let signed_up = entity::signup::Entity::find()
            .filter(entity::signup::Column::TaskId.eq(task_id))
            .filter(entity::signup::Column::VolunteerId.eq(volunteer))
            .one(txn)
            .await?
            .is_some();
        if !signed_up {
            return Err(DomainError::invalid("not_signed_up", "the volunteer was not signed up for this task"));
        }
        users::lock_person(txn, volunteer).await?;
        let length = (t.ends_at - t.starts_at).num_minutes();
        let recorded = recorded_for_task(txn, volunteer, task_id).await?;
        if recorded + i64::from(minutes) > length {
            return Err(DomainError::conflict(
                "exceeds_task_length",
                format!("{recorded} minutes are already recorded; the task lasts {length} minutes"),
            ));
        }
        let source = match kind {
            TaskEntryKind::Leader => HoursSource::LeaderEntry,
            TaskEntryKind::Makeup => HoursSource::Makeup,
        };
        let date = local_date(t.starts_at, &unit_tz(txn, t.org_unit_id).await?);
        let mut e = new_entry(
            NewEntry {
                volunteer,
                task_id: Some(task_id),
                org_unit: t.org_unit_id,
                source,
                minutes,
                status: HoursStatus::Approved,
                service_date: date,
            },
            actor.user_id,
            now,
        );
        e.reason = Set(Some(reason.clone()));
        let entry = e.insert(txn).await?;
        day_limit::ensure_within(txn, std::slice::from_ref(&entry), Counting::Approved).await?;
        super::hours_totals::add_approved(txn, std::slice::from_ref(&entry)).await?;
        super::hours_audit::entered(txn, actor.user_id, now, &entry).await?;
        let reached = award_stars(txn, volunteer, now, &[]).await?;
        Ok::<_, DomainError>((entry, reached))
    })
    .await?;
    Ok(entry)
}

/// The outcome of approvals: which star levels each volunteer newly reached.
#[derive(Clone, Debug, Default)]
pub struct Decided {
    pub entries: Vec<hours_entry::Model>,
    /// (volunteer, level) pairs reached by these approvals, each exactly once ever.
    pub stars_reached: Vec<(Uuid, i32)>,
}

/// Approves or declines pending entries, all or none.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    ladder: &[u32],
    ids: &[Uuid],
    approve: bool,
    reason: Option<String>,
) -> DomainResult<Decided> {
    if ids.is_empty() || ids.len() > 200 {
        return Err(DomainError::validation("decide 1 to 200 entries at a time"));
    }
    if !approve && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::invalid("reason_required", "say why an entry is declined"));
    }
    write(db, async |txn| {
        let mut out = Decided::default();
        let mut volunteers = Vec::new();
        for id in ids {
            let e =
                hours_entry::Entity::find_by_id(*id).one(txn).await?.ok_or(DomainError::not_found("hours entry"))?;
            if actor.role == Role::Volunteer {
                return Err(DomainError::forbidden("volunteers cannot approve hours"));
            }
            duties::require_may_decide(txn, actor, e.volunteer_id).await?;
            if !may_decide(txn, actor, &e).await? {
                return Err(if actor.user_id == e.volunteer_id {
                    DomainError::forbidden("nobody decides their own hours")
                } else {
                    DomainError::not_found("hours entry")
                });
            }
            if e.status != HoursStatus::Pending {
                return Err(DomainError::conflict("already_decided", "this entry has already been decided"));
            }
            if !volunteers.contains(&e.volunteer_id) {
                users::lock_person(txn, e.volunteer_id).await?;
                volunteers.push(e.volunteer_id);
            }
            let mut am = e.clone().into_active_model();
            am.status = Set(if approve { HoursStatus::Approved } else { HoursStatus::Declined });
            am.decided_by = Set(Some(actor.user_id));
            am.decided_at = Set(Some(now));
            if !approve {
                am.reason = Set(reason.clone());
            }
            let decided = am.update(txn).await?;
            super::hours_audit::decided(txn, actor.user_id, now, &e, &decided, reason.clone()).await?;
            out.entries.push(decided);
        }
        if approve {
            day_limit::ensure_within(txn, &out.entries, Counting::Approved).await?;
            super::hours_totals::add_approved(txn, &out.entries).await?;
            for v in volunteers {
                for level in award_stars(txn, v, now, ladder).await? {
                    out.stars_reached.push((v, level));
                }
            }
        }
        super::hours_news::decided(txn, &out.entries, approve, reason.as_deref()).await?;
        Ok(out)
    })
    .await
}

/// Corrects an approved entry with a new adjusting entry (never an edit). The corrected total
/// cannot go below zero nor, for a task, above its length.
pub async fn correct(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    ladder: &[u32],
    id: Uuid,
    delta_minutes: i32,
    reason: &str,
) -> DomainResult<(hours_entry::Model, Vec<i32>)> {
    let reason = required_text("reason", reason)?;
    if delta_minutes == 0 || delta_minutes.unsigned_abs() > MAX_ENTRY_MINUTES.unsigned_abs() {
        return Err(DomainError::invalid(
            "invalid_minutes",
            "a correction changes the minutes by 1 to 1440 either way",
        ));
    }
    write(db, async |txn| {
        let e = hours_entry::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("hours entry"))?;
        duties::require_may_decide(txn, actor, e.volunteer_id).await?;
        if actor.user_id == e.volunteer_id {
            return Err(DomainError::forbidden("nobody corrects their own hours"));
        }
        if !may_decide(txn, actor, &e).await? {
            return Err(DomainError::not_found("hours entry"));
        }
        if e.status != HoursStatus::Approved || e.source == HoursSource::Adjustment {
            return Err(DomainError::conflict("not_correctable", "only approved original entries are corrected"));
        }
        users::lock_person(txn, e.volunteer_id).await?;
        let so_far = e.minutes as i64
            + sum_minutes(
                txn,
                Condition::all()
                    .add(hours_entry::Column::AdjustsId.eq(e.id))
                    .add(hours_entry::Column::Status.eq(HoursStatus::Approved)),
            )
            .await?;
        let after = so_far + i64::from(delta_minutes);
        if after < 0 {
            return Err(DomainError::invalid("invalid_minutes", "a correction cannot take an entry below zero"));
        }
        if let Some(task_id) = e.task_id
            && let Some(t) = task::Entity::find_by_id(task_id).one(txn).await?
        {
            let recorded = recorded_for_task(txn, e.volunteer_id, task_id).await?;
            if recorded + i64::from(delta_minutes) > (t.ends_at - t.starts_at).num_minutes() {
                return Err(DomainError::conflict(
                    "exceeds_task_length",
                    "the corrected time would exceed the task's length",
                ));
            }
        }
        let zone = zone(&unit_tz(txn, e.org_unit_id).await?);
        day_limit::ensure_inside_window(after, &day_limit::window_of(txn, &e, zone).await?)?;
        let mut adj = new_entry(
            NewEntry {
                volunteer: e.volunteer_id,
                task_id: e.task_id,
                org_unit: e.org_unit_id,
                source: HoursSource::Adjustment,
                minutes: delta_minutes,
                status: HoursStatus::Approved,
                service_date: e.service_date,
            },
            actor.user_id,
            now,
        );
        adj.adjusts_id = Set(Some(e.id));
        adj.reason = Set(Some(reason.clone()));
        let adj = adj.insert(txn).await?;
        super::hours_totals::add_approved(txn, std::slice::from_ref(&adj)).await?;
        if delta_minutes > 0 {
            day_limit::ensure_within(txn, std::slice::from_ref(&adj), Counting::Approved).await?;
        }
        super::hours_audit::corrected(txn, actor.user_id, now, &e, so_far, &adj).await?;
        let reached = award_stars(txn, e.volunteer_id, now, ladder).await?;
        super::hours_news::corrected(txn, &adj).await?;
        Ok((adj, reached))
    })
    .await
}

/// A volunteer disputes one of their entries (once), with a comment, for the organiser to see
/// (and be told of).
pub async fn dispute(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    comment: &str,
) -> DomainResult<hours_entry::Model> {
    let comment = required_text("comment", comment)?;
    write(db, async |txn| {
        let e = hours_entry::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("hours entry"))?;
        if e.volunteer_id != actor.user_id {
            return Err(DomainError::not_found("hours entry"));
        }
        if e.disputed_at.is_some() {
            return Err(DomainError::conflict("already_disputed", "this entry is already disputed"));
        }
        let mut am = e.into_active_model();
        am.disputed_at = Set(Some(now));
        am.dispute_comment = Set(Some(comment.clone()));
        let disputed = am.update(txn).await?;
        super::hours_news::disputed(txn, &disputed).await?;
        Ok(disputed)
    })
    .await
}

/// A person's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub approved_minutes: i64,
    pub approved_minutes_this_year: i64,
    pub pending_minutes: i64,
}

/// Approved (all time and this calendar year, in the person's time zone) and pending minutes.
pub async fn totals(db: &impl ConnectionTrait, person: &user::Model, now: DateTime<Utc>) -> DomainResult<Totals> {
    let mine = || Condition::all().add(hours_entry::Column::VolunteerId.eq(person.id));
    let year_start = NaiveDate::from_ymd_opt(local_date(now, &person.time_zone).year(), 1, 1).unwrap_or_default();
    Ok(Totals {
        approved_minutes: super::hours_totals::approved(db, person.id, super::hours_totals::ALL_TIME).await?,
        approved_minutes_this_year: super::hours_totals::approved(
            db,
            person.id,
            &super::hours_totals::year_key(year_start),
        )
        .await?,
        pending_minutes: sum_minutes(db, mine().add(hours_entry::Column::Status.eq(HoursStatus::Pending))).await?,
    })
}

/// The actor's own entries, newest first.
pub async fn list_mine(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<hours_entry::Model>> {
    let q = hours_entry::Entity::find().filter(hours_entry::Column::VolunteerId.eq(actor.user_id));
    Ok(page::fetch(db, q, hours_entry::Column::Id, Order::NewestFirst, page, |e| e.id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn task(len_min: i64, pct: i32) -> task::Model {
        let s = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        task::Model {
            id: Uuid::nil(),
            org_unit_id: Uuid::nil(),
            title: String::new(),
            description: String::new(),
            action_line: entity::task::ActionLine::Help,
            address: None,
            lat: None,
            lng: None,
            check_in_radius_m: 300,
            starts_at: s,
            ends_at: s + Duration::minutes(len_min),
            capacity: 1,
            filled: 0,
            waitlist_seq: 0,
            min_headcount: None,
            signup_deadline: s,
            cancel_cutoff_hours: 2,
            leader_id: None,
            requires_insurance: false,
            insurance_policy_ref: None,
            signup_mode: entity::task::SignupMode::Open,
            min_presence_pct: pct,
            skills_required_for_signup: false,
            check_in_mode: entity::task::CheckInMode::Code,
            status: entity::task::TaskStatus::Published,
            cancel_reason: None,
            created_by: Uuid::nil(),
            published_at: None,
            created_at: s,
            updated_at: s,
            project_id: None,
        }
    }

    #[test]
    fn stays_are_clamped_to_the_schedule_and_short_ones_earn_nothing() {
        let t = task(240, 60);
        let at = |m: i64| t.starts_at + Duration::minutes(m);
        assert_eq!(credited_minutes(&t, at(-30), at(240)), (240, false), "early arrival counts from the start");
        assert_eq!(credited_minutes(&t, at(30), at(240)), (210, false), "late arrival counts from arrival");
        assert_eq!(credited_minutes(&t, at(0), at(200)), (200, false), "early leave shortens it");
        assert_eq!(credited_minutes(&t, at(0), at(300)), (240, false), "staying late adds nothing");
        assert_eq!(credited_minutes(&t, at(0), at(144)), (144, false), "exactly 60% counts");
        assert_eq!(credited_minutes(&t, at(0), at(143)), (0, true), "under 60% earns nothing");
        assert_eq!(credited_minutes(&task(240, 90), at(0), at(200)), (0, true));
    }
}
