//! What the people on a task hear, and when: reminders before the day (24 h), before the start
//! (1 h) and before the end ("check out", 15 min); news that a task moved or was cancelled; the
//! organiser's messages to everyone on it; seat news (approved, denied, removed, promoted from
//! the waitlist); the organiser's head-count warning a day out; and the cron step that closes
//! tasks after they end.
//!
//! Reminders are keyed future jobs (`jobs::scheduled`), one key per sign-up and kind
//! (`signup:{id}:24h`), so scheduling again moves a reminder and cancelling drops it. The job
//! that fires re-reads the sign-up and the task and stays silent unless the seat is still
//! confirmed and the task still published at the times the reminder was set for; the message's
//! dedupe key holds the start time, so a reminder reaches a person once per start time however
//! many workers run it, and again (correctly) after the task moved.
//!
//! A reminder that runs after its usefulness has passed (a worker outage, a queue backlog) is
//! dropped, not sent, and reported as [`Fired::Overdue`] for the worker to count: the day-before
//! and hour-before reminders are useful until the task starts (the day-before one until the
//! hour-before reminder's moment, so that nobody reads "tomorrow" an hour before the start),
//! the check-out nudge until the task ends; the organiser's head-count warning until the start.
//! Slightly late is still sent ([`ReminderKind::useful_until`]).
//!
//! News to everyone on a task goes through one job (`task.broadcast`) that walks the roster in
//! batches, so a 10,000-seat task does not make one huge transaction in the organiser's request.

use crate::db::write;
use crate::domain::kernel::catalogue::{self, Names};
use crate::domain::kernel::time;
use crate::domain::messaging::notifications::{Category, Message, tell};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
use entity::signup::{self, SignupStatus};
use entity::task::{self, TaskStatus};
use entity::user;
use jobs::{Job, JobOptions};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Cron job: close stays, record no-shows and complete tasks that have ended.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CloseEnded {}

impl Job for CloseEnded {
    const KIND: &'static str = "task.close";
}

/// Sign-ups told per broadcast transaction.
const BATCH: u64 = 500;

/// The reminders of a confirmed seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// 24 hours before the start; answerable ("I'll be there" / "can't attend").
    DayBefore,
    /// 1 hour before the start.
    HourBefore,
    /// 15 minutes before the end: check out.
    CheckOut,
}

impl ReminderKind {
    const ALL: [ReminderKind; 3] = [ReminderKind::DayBefore, ReminderKind::HourBefore, ReminderKind::CheckOut];

    fn suffix(self) -> &'static str {
        match self {
            ReminderKind::DayBefore => "24h",
            ReminderKind::HourBefore => "1h",
            ReminderKind::CheckOut => "checkout",
        }
    }

    fn due(self, t: &task::Model) -> DateTime<Utc> {
        match self {
            ReminderKind::DayBefore => t.starts_at - Duration::hours(24),
            ReminderKind::HourBefore => t.starts_at - Duration::hours(1),
            ReminderKind::CheckOut => t.ends_at - Duration::minutes(15),
        }
    }

    /// Until when a reminder set for a task's `starts_at`/`ends_at` still helps: after this it
    /// would tell of a start that has passed ("tomorrow's service…" for a task already over).
    pub fn useful_until(self, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            ReminderKind::DayBefore => starts_at - Duration::hours(1),
            ReminderKind::HourBefore => starts_at,
            ReminderKind::CheckOut => ends_at,
        }
    }

    /// The kind's name in logs and metrics (`24h`, `1h`, `checkout`).
    pub fn name(self) -> &'static str {
        self.suffix()
    }

    fn template(self) -> &'static str {
        match self {
            ReminderKind::DayBefore => "task.reminder_24h",
            ReminderKind::HourBefore => "task.reminder_1h",
            ReminderKind::CheckOut => "task.reminder_checkout",
        }
    }
}

/// Job: one reminder of one sign-up: which seat, which reminder, and the times it was set for.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reminder {
    pub signup_id: Uuid,
    pub kind: ReminderKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Job for Reminder {
    const KIND: &'static str = "task.remind";
}

fn key(signup_id: Uuid, kind: ReminderKind) -> String {
    format!("signup:{signup_id}:{}", kind.suffix())
}

/// Sets (or moves) the reminders of a confirmed seat: the three are written in one statement;
/// reminders whose moment has passed are dropped (one more) rather than sent late.
pub async fn schedule(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    signup_id: Uuid,
    t: &task::Model,
) -> Result<(), DbErr> {
    let past: Vec<String> =
        ReminderKind::ALL.into_iter().filter(|k| k.due(t) <= now).map(|k| key(signup_id, k)).collect();
    jobs::scheduled::cancel_many(txn, past).await?;
    schedule_fresh(txn, now, signup_id, t).await
}

/// Sets the reminders of a seat that has none yet (a new sign-up, or one revived after it ended,
/// which dropped them), in one statement; those whose moment has passed are simply not set.
pub async fn schedule_fresh(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    signup_id: Uuid,
    t: &task::Model,
) -> Result<(), DbErr> {
    let due = ReminderKind::ALL.into_iter().filter(|k| k.due(t) > now).map(|kind| {
        let r = Reminder { signup_id, kind, starts_at: t.starts_at, ends_at: t.ends_at };
        (key(signup_id, kind), kind.due(t), (&r).into())
    });
    jobs::scheduled::schedule_many(txn, due).await
}

/// Drops the reminders of a seat that ended, in one statement.
pub async fn cancel(txn: &impl ConnectionTrait, signup_id: Uuid) -> Result<(), DbErr> {
    jobs::scheduled::cancel_many(txn, ReminderKind::ALL.into_iter().map(|k| key(signup_id, k)).collect()).await?;
    Ok(())
}

/// The time zone a task's times are told in: its org unit's, where the service happens.
pub async fn zone_of_task(conn: &impl ConnectionTrait, t: &task::Model) -> Result<time::Tz, DbErr> {
    time::unit_zone(conn, t.org_unit_id).await
}

/// Where a task takes place, for a message: its address, or "to be announced" in the reader's
/// language.
pub fn place(t: &task::Model) -> Names {
    match &t.address {
        Some(a) => Names::new(a, a),
        None => catalogue::PLACE_TO_BE_ANNOUNCED.into(),
    }
}

/// A message about task `t` to `to`, with the task's deep link.
fn about(t: &task::Model, to: Uuid, category: Category, template: &str, dedupe: String) -> Message {
    Message::new(to, category, template, dedupe).param("task", t.title.clone()).data("taskId", t.id)
}

/// What became of a reminder or warning when its job ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fired {
    Sent,
    /// It no longer applies (seat or task changed): silent, as intended.
    Moot,
    /// Its usefulness had passed when it ran, by this much: dropped, to be counted.
    Overdue(Duration),
}

/// Sends one reminder if it still applies and is still useful at `now`.
pub async fn fire(db: &DatabaseConnection, now: DateTime<Utc>, r: &Reminder) -> DomainResult<Fired> {
    let late = now - r.kind.useful_until(r.starts_at, r.ends_at);
    if late > Duration::zero() {
        return Ok(Fired::Overdue(late));
    }
    let Some(s) = signup::Entity::find_by_id(r.signup_id).one(db).await? else { return Ok(Fired::Moot) };
    let Some(t) = task::Entity::find_by_id(s.task_id).one(db).await? else { return Ok(Fired::Moot) };
    if s.status != SignupStatus::Confirmed
        || t.status != TaskStatus::Published
        || t.starts_at != r.starts_at
        || t.ends_at != r.ends_at
    {
        return Ok(Fired::Moot);
    }
    let zone = zone_of_task(db, &t).await?;
    let dedupe = format!("reminder:{}:{}:{}", s.id, r.kind.suffix(), t.starts_at.timestamp());
    let mut m = about(&t, s.volunteer_id, Category::TaskReminder, r.kind.template(), dedupe)
        .param("start", time::format_local(t.starts_at, zone))
        .param("end", time::format_local(t.ends_at, zone))
        .data("signupId", s.id);
    if r.kind == ReminderKind::DayBefore {
        // The app offers "I'll be there" / "can't attend" (POST /api/v1/signups/{id}/response).
        m = m.data("respond", "attendance");
    }
    write(db, async |txn| tell(txn, m).await).await?;
    Ok(Fired::Sent)
}

/// A seat became confirmed (sign-up, approval, promotion, capacity raised): sets its reminders,
/// and tells the person when it was not their own doing.
pub async fn seat_confirmed(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    s: &signup::Model,
    t: &task::Model,
    told: Option<&str>,
) -> Result<(), DbErr> {
    schedule(txn, now, s.id, t).await?;
    if let Some(template) = told {
        let zone = zone_of_task(txn, t).await?;
        let m = about(t, s.volunteer_id, Category::TaskChange, template, format!("seat:{}:confirmed", s.id))
            .param("start", time::format_local(t.starts_at, zone))
            .data("signupId", s.id);
        tell(txn, m).await?;
    }
    Ok(())
}

/// Promoted sign-ups (by id) got a seat: reminders and a message each.
pub async fn promoted(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    ids: &[Uuid],
    t: &task::Model,
) -> Result<(), DbErr> {
    for id in ids {
        if let Some(s) = signup::Entity::find_by_id(*id).one(txn).await? {
            seat_confirmed(txn, now, &s, t, Some("task.seat_confirmed")).await?;
        }
    }
    Ok(())
}

/// The organiser's decision on a sign-up, told to the volunteer.
pub async fn decided(txn: &impl ConnectionTrait, s: &signup::Model, t: &task::Model) -> Result<(), DbErr> {
    let template = match s.status {
        SignupStatus::Confirmed => "task.signup_approved",
        SignupStatus::Waitlisted => "task.signup_waitlisted",
        SignupStatus::Denied => "task.signup_denied",
        SignupStatus::Removed => "task.signup_removed",
        _ => return Ok(()),
    };
    let zone = zone_of_task(txn, t).await?;
    let m = about(t, s.volunteer_id, Category::TaskChange, template, format!("seat:{}:{}", s.id, template))
        .param("start", time::format_local(t.starts_at, zone))
        .param("reason", s.reason.clone().unwrap_or_default())
        .data("signupId", s.id);
    tell(txn, m).await
}

/// News for everyone on a task.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum News {
    /// The time or the place changed: reminders follow the new time.
    Moved,
    /// The task was cancelled.
    Cancelled,
    /// The organiser wrote to everyone on the task.
    Message { id: Uuid, text: String },
}

/// Job: tell everyone on a task some news, one batch per run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Broadcast {
    pub task_id: Uuid,
    pub news: News,
    /// When the news happened: part of each message's dedupe key, so a second move is told too.
    pub at: DateTime<Utc>,
    /// Resume after this sign-up (batches).
    #[serde(default)]
    pub after: Option<Uuid>,
}

impl Job for Broadcast {
    const KIND: &'static str = "task.broadcast";
    const OPTIONS: JobOptions = JobOptions { timeout: std::time::Duration::from_secs(300), ..JobOptions::DEFAULT };
}

/// Queues news for everyone on a task, in the caller's transaction.
pub async fn broadcast(txn: &impl ConnectionTrait, task_id: Uuid, news: News, at: DateTime<Utc>) -> Result<(), DbErr> {
    let b = Broadcast { task_id, news, at, after: None };
    jobs::outbox::enqueue(txn, &b).await.map(|_| ())
}

/// Longest organiser message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// The organiser (or the on-site leader) writes to everyone on a published task. Returns the
/// message id and how many people it goes to.
pub async fn message_everyone(
    db: &DatabaseConnection,
    actor: &crate::domain::kernel::actor::Actor,
    now: DateTime<Utc>,
    task_id: Uuid,
    text: &str,
) -> DomainResult<(Uuid, u64)> {
    let text = crate::domain::required_text("text", text)?;
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(DomainError::invalid(
            "text_too_long",
            format!("a message has at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    write(db, async |txn| {
        let t = crate::domain::volunteering::tasks::load_for_leader(txn, actor, task_id).await?;
        if t.status != TaskStatus::Published {
            return Err(DomainError::conflict(
                "task_not_published",
                "only people on a published task can be written to",
            ));
        }
        let id = Uuid::now_v7();
        let n = audience(txn, task_id).await?;
        broadcast(txn, task_id, News::Message { id, text }, now).await?;
        Ok((id, n))
    })
    .await
}

/// How many people a broadcast would reach now: everyone still on the task.
pub async fn audience(conn: &impl ConnectionTrait, task_id: Uuid) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    signup::Entity::find()
        .filter(signup::Column::TaskId.eq(task_id))
        .filter(signup::Column::Status.is_in(LIVE))
        .count(conn)
        .await
}

const LIVE: [SignupStatus; 3] = [SignupStatus::Confirmed, SignupStatus::Waitlisted, SignupStatus::Pending];

/// Runs one batch of a broadcast; returns the next batch's payload, if any. Idempotent: every
/// message has a dedupe key and moving a reminder twice lands it at the same moment.
pub async fn broadcast_batch(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    b: &Broadcast,
) -> DomainResult<Option<Broadcast>> {
    let Some(t) = task::Entity::find_by_id(b.task_id).one(db).await? else { return Ok(None) };
    let mut q =
        signup::Entity::find().filter(signup::Column::TaskId.eq(t.id)).filter(signup::Column::Status.is_in(LIVE));
    if let Some(after) = b.after {
        q = q.filter(signup::Column::Id.gt(after));
    }
    let batch = q.order_by_asc(signup::Column::Id).limit(BATCH).all(db).await?;
    let zone = zone_of_task(db, &t).await?;
    let stamp = b.at.timestamp_micros();
    write(db, async |txn| {
        for s in &batch {
            let m = match &b.news {
                News::Moved => {
                    if t.status != TaskStatus::Published {
                        continue;
                    }
                    if s.status == SignupStatus::Confirmed {
                        schedule(txn, now, s.id, &t).await?;
                    }
                    about(
                        &t,
                        s.volunteer_id,
                        Category::TaskChange,
                        "task.moved",
                        format!("task:{}:moved:{stamp}", t.id),
                    )
                    .param("start", time::format_local(t.starts_at, zone))
                    .names("place", place(&t))
                }
                News::Cancelled => {
                    cancel(txn, s.id).await?;
                    // Less than 2 hours' notice is urgent: it may catch people on their way.
                    let category = if t.starts_at - now < Duration::hours(2) {
                        Category::TaskCancelledShortNotice
                    } else {
                        Category::TaskChange
                    };
                    about(
                        &t,
                        s.volunteer_id,
                        category,
                        "task.cancelled_with_reason",
                        format!("task:{}:cancelled", t.id),
                    )
                    .param("reason", t.cancel_reason.clone().unwrap_or_default())
                }
                News::Message { id, text } => about(
                    &t,
                    s.volunteer_id,
                    Category::TaskChange,
                    "task.message",
                    format!("task:{}:message:{id}", t.id),
                )
                .param("text", text.clone()),
            };
            tell(txn, m.data("signupId", s.id)).await?;
        }
        Ok::<_, DomainError>(())
    })
    .await?;
    let full = batch.len() as u64 == BATCH;
    Ok(batch.last().filter(|_| full).map(|last| Broadcast { after: Some(last.id), ..b.clone() }))
}

/// Job: warn the organiser when a task a day out has too few people.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Headcount {
    pub task_id: Uuid,
    pub starts_at: DateTime<Utc>,
}

impl Job for Headcount {
    const KIND: &'static str = "task.headcount";
}

fn headcount_key(task_id: Uuid) -> String {
    format!("task:{task_id}:headcount")
}

/// Sets (or moves) the head-count check of a published task with a minimum: 24 hours before the
/// start, if that is still ahead.
pub async fn schedule_headcount(txn: &impl ConnectionTrait, now: DateTime<Utc>, t: &task::Model) -> Result<(), DbErr> {
    let key = headcount_key(t.id);
    let due = t.starts_at - Duration::hours(24);
    match t.min_headcount {
        Some(_) if t.status == TaskStatus::Published && due > now => {
            let h = Headcount { task_id: t.id, starts_at: t.starts_at };
            jobs::scheduled::schedule(txn, &key, due, &h).await
        }
        _ => jobs::scheduled::cancel(txn, &key).await.map(|_| ()),
    }
}

/// Warns the organiser (and the leader) when the task still starts as planned and has fewer
/// confirmed people than its minimum; after the start the warning is of no use (overdue).
pub async fn check_headcount(db: &DatabaseConnection, now: DateTime<Utc>, h: &Headcount) -> DomainResult<Fired> {
    let late = now - h.starts_at;
    if late > Duration::zero() {
        return Ok(Fired::Overdue(late));
    }
    let Some(t) = task::Entity::find_by_id(h.task_id).one(db).await? else { return Ok(Fired::Moot) };
    let Some(minimum) = t.min_headcount else { return Ok(Fired::Moot) };
    if t.status != TaskStatus::Published || t.starts_at != h.starts_at || t.filled >= minimum {
        return Ok(Fired::Moot);
    }
    let zone = zone_of_task(db, &t).await?;
    let mut people = vec![t.created_by];
    people.extend(t.leader_id.filter(|l| *l != t.created_by));
    let active: Vec<Uuid> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .filter(user::Column::Status.eq(user::UserStatus::Active))
        .select_only()
        .column(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let dedupe = format!("task:{}:below_minimum:{}", t.id, t.starts_at.timestamp());
    write(db, async |txn| {
        for p in &active {
            let m = about(&t, *p, Category::TaskChange, "task.below_minimum", dedupe.clone())
                .param("start", time::format_local(t.starts_at, zone))
                .param("confirmed", t.filled.to_string())
                .param("minimum", minimum.to_string());
            tell(txn, m).await?;
        }
        Ok::<_, DbErr>(())
    })
    .await?;
    Ok(if active.is_empty() { Fired::Moot } else { Fired::Sent })
}

/// What the closing cron step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Closed {
    pub stays_closed: u64,
    pub no_shows: u64,
    pub tasks_completed: u64,
}

/// After tasks end: close open check-ins at the end, record no-shows, then mark the tasks
/// completed (in this order: the first two look at tasks that have ended, completed or not).
pub async fn close_ended(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<Closed> {
    let stays_closed = crate::domain::volunteering::attendance::close_open_stays(db, now).await?;
    let no_shows = crate::domain::volunteering::signups::mark_no_shows(db, now).await?;
    let tasks_completed = crate::domain::volunteering::tasks::complete_ended(db, now).await?;
    Ok(Closed { stays_closed, no_shows, tasks_completed })
}
