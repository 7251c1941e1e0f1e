//! Pushes of notifications to devices, and the table that makes them at least once:
//! `push_deliveries`, one row per (notification, device). This module owns the push job
//! ([`PushJob`], on its own queue [`PUSH_QUEUE`]) and every query of that table: [`plan`] (who is
//! told what on which device), [`claim`], [`record`] and [`sweep`]. The sending itself (provider
//! permits, the soft deadline, outcome tallying, metrics) is `worker::push`.
//!
//! Delivery is at least once, also when a worker is killed mid-send:
//! - Each (notification, device) pair is a row of `push_deliveries`, claimed before sending. A
//!   claim names the job that took it (`claim_job_id`) and lasts no longer than one run of that
//!   job ([`CLAIM_FOR`], more than the job's timeout). The job's next run (after its worker died
//!   and the queue handed the job to another) takes its own claims over at once; anyone may take
//!   over a claim past its time; [`sweep`] returns such claims to the queue in case their job is
//!   gone. A claim taken over had an unknown outcome: the push is sent again (counted in
//!   `wushe_push_outcome_unknown_total{cause="lost_attempt"}`), the only way a phone is told twice.
//! - Outcomes are recorded as sends finish (in small batches), not at the end, so a kill loses
//!   only the sends in flight.
//! - A job succeeds only when every pair it covers has a final outcome (delivered, token dropped,
//!   failed, skipped); otherwise it is retried.
//!
//! What is pushed is generic (`templates::push_text`) plus ids: no personal data.
//!
//! Table: `push_deliveries`.

use crate::db::write;
use crate::domain::DomainResult;
use crate::domain::messaging::notifications::{Category, preferences_of};
use crate::domain::messaging::{devices, push_classes, templates};
use chrono::{DateTime, Utc};
use entity::push_delivery::{self, PushStatus};
use entity::{device, notification, user};
use jobs::job::Backoff;
use jobs::push::{PushMessage, PushOutcome};
use jobs::{Job, JobOptions, NewJob};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// The name of the queue of push jobs ([`PushJob`]): they wait on outside providers, so they run
/// from a queue and worker pool of their own, and a slow provider holds up no other work.
pub const PUSH_QUEUE: &str = "push";
/// Most notifications one push job carries: a fan-out batch of an announcement
/// (`announcements::BATCH`) is one job, so that its claims and outcomes are a few statements
/// of 500 rows rather than many of a few.
pub const BATCH: usize = 500;
/// The job's timeout: the worker's soft deadline (60 s), then a send and its one resend, then
/// recording.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// How long a claim holds: longer than any run of the job that took it (its timeout), so a
/// live run never loses its claims, and no longer.
pub const CLAIM_FOR: Duration = Duration::from_secs(150);

/// Job: push these notifications, from the push queue.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushJob {
    pub notification_ids: Vec<Uuid>,
}

impl Job for PushJob {
    const KIND: &'static str = "push.send";
    const QUEUE: &'static str = PUSH_QUEUE;
    const OPTIONS: JobOptions = JobOptions {
        max_attempts: 10,
        timeout: TIMEOUT,
        backoff: Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(30 * 60) },
    };
    fn dedupe_key(&self) -> Option<String> {
        Some(match self.notification_ids.as_slice() {
            [one] => format!("push:{one}"),
            [first, ..] => format!("push:{first}:{}", self.notification_ids.len()),
            [] => "push:none".into(),
        })
    }
}

/// The push job of some notifications (at most [`BATCH`]), not before `at`.
pub fn job(notification_ids: Vec<Uuid>, at: DateTime<Utc>) -> NewJob {
    PushJob { notification_ids }.new_job().at(at)
}

/// One push to make: a notification's message to one device.
pub struct PlannedSend {
    pub notification_id: Uuid,
    pub device: device::Model,
    pub message: PushMessage,
}

/// A send a run holds the claim of.
pub struct Held {
    /// The `push_deliveries` row.
    pub row_id: Uuid,
    pub send: PlannedSend,
}

/// How a send of a run ended.
pub enum Outcome {
    Sent(PushOutcome),
    /// Never started: no permit of its provider came before the soft deadline.
    NotStarted,
}

/// Who is to be told what on which device: current preferences, people and devices.
pub async fn plan(db: &DatabaseConnection, ids: &[Uuid]) -> Result<Vec<PlannedSend>, DbErr> {
    let notes =
        notification::Entity::find().filter(notification::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    let user_ids: Vec<Uuid> = notes.iter().map(|n| n.user_id).collect();
    let people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids.clone()))
        .filter(user::Column::Status.eq(user::UserStatus::Active))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let prefs = preferences_of(db, &user_ids).await?;
    let mut devices: HashMap<Uuid, Vec<device::Model>> = HashMap::new();
    for d in device::Entity::find()
        .filter(device::Column::UserId.is_in(user_ids))
        .filter(device::Column::Active.eq(true))
        .all(db)
        .await?
    {
        devices.entry(d.user_id).or_default().push(d);
    }
    let mut sends = Vec::new();
    for n in notes {
        let category = n.category;
        let Some(person) = people.get(&n.user_id) else { continue };
        if !prefs.get(&person.id).cloned().unwrap_or_default().pushes(category) {
            continue;
        }
        let message = message_of(&n, category, person.locale);
        for d in devices.get(&person.id).into_iter().flatten() {
            sends.push(PlannedSend { notification_id: n.id, device: d.clone(), message: message.clone() });
        }
    }
    Ok(sends)
}

/// The push of an inbox row. Most name their notification (`notificationId`, and it is their
/// tag). An announcement's push is the same for all its recipients of one locale: it names the
/// announcement (`announcementId`, in the row's data) and its tag is the row's dedupe key
/// (`announcement:{id}`, once per person), so the sends of one fan-out go to a vendor that takes
/// many tokens per request as one request ([`shares_message`]).
fn message_of(n: &notification::Model, category: Category, locale: user::Locale) -> PushMessage {
    let (title, body) = templates::push_text(category, locale);
    let (high_priority, ttl, collapse) = category.push_settings();
    let mut data: BTreeMap<String, String> = serde_json::from_str(&n.data).unwrap_or_default();
    // A message may name its own collapse key (e.g. one per conversation thread).
    let own_collapse = data.remove("collapseKey");
    data.insert("kind".into(), category.as_str().into());
    let tag = if shares_message(category) {
        n.dedupe_key.clone()
    } else {
        data.insert("notificationId".into(), n.id.to_string());
        n.id.to_string()
    };
    PushMessage {
        title: title.into(),
        body: body.into(),
        data,
        high_priority,
        ttl,
        collapse_key: own_collapse.or(collapse.map(str::to_string)),
        tag: Some(tag),
        class: push_classes::class_of(category),
    }
}

/// Whether the pushes of this category carry no notification of their own: the same message
/// for everyone told the same thing.
pub fn shares_message(category: Category) -> bool {
    category == Category::Announcement
}

/// What claiming found.
pub struct Claim {
    /// The sends this run now holds.
    pub held: Vec<Held>,
    /// Pairs another job's live run holds: the earliest instant one of those claims ends.
    pub held_elsewhere: Option<DateTime<Utc>>,
    /// Rows of `held` taken over from a lost run (still `sending`): their outcome is unknown and
    /// they are sent again.
    pub taken_over: HashSet<Uuid>,
}

/// Claims the pairs of `sends` for job `job_id` in one transaction: new and to-be-retried pairs,
/// pairs this job held in a run that was lost, and pairs whose claim ran out. Pairs with a final
/// outcome are left alone; pairs of these notifications that are no longer to be sent are marked
/// `skipped`. `stamp` is the clock's time for `updated_at`; claims run on the wall clock.
pub async fn claim(
    db: &DatabaseConnection,
    job_id: Uuid,
    sends: Vec<PlannedSend>,
    stamp: DateTime<Utc>,
) -> Result<Claim, DbErr> {
    if sends.is_empty() {
        return Ok(Claim { held: Vec::new(), held_elsewhere: None, taken_over: HashSet::new() });
    }
    // Leases are on the wall clock: they must outlast real runs, whatever a test clock says.
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(CLAIM_FOR).unwrap_or_default();
    let note_ids: Vec<Uuid> = {
        let mut v: Vec<Uuid> = sends.iter().map(|s| s.notification_id).collect();
        v.sort();
        v.dedup();
        v
    };
    let (rows, taken_over) = write(db, async |txn| {
        without_waiting_for_disk(txn).await?;
        let fresh: Vec<push_delivery::ActiveModel> = sends
            .iter()
            .map(|s| push_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                notification_id: Set(s.notification_id),
                device_id: Set(s.device.id),
                status: Set(PushStatus::Pending),
                attempts: Set(0),
                last_outcome: Set(None),
                claimed_until: Set(None),
                claim_job_id: Set(None),
                created_at: Set(stamp),
                updated_at: Set(stamp),
            })
            .collect();
        for chunk in fresh.chunks(500) {
            push_delivery::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([push_delivery::Column::NotificationId, push_delivery::Column::DeviceId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
        // Locked for this transaction (PostgreSQL; SQLite has one writer at a time), so two runs
        // never claim the same pair.
        let rows = push_delivery::Entity::find()
            .filter(push_delivery::Column::NotificationId.is_in(note_ids.clone()))
            .lock(LockType::Update)
            .all(txn)
            .await?;
        let wanted: HashMap<(Uuid, Uuid), Option<Duration>> =
            sends.iter().map(|s| ((s.notification_id, s.device.id), s.message.ttl)).collect();
        let claimable = |r: &push_delivery::Model| match r.status {
            PushStatus::Pending | PushStatus::Retry => Some(false),
            PushStatus::Sending if r.claim_job_id == Some(job_id) || r.claimed_until.is_none_or(|u| u < now) => {
                Some(true)
            }
            _ => None,
        };
        let mut claim_ids = Vec::new();
        let mut skip_ids = Vec::new();
        let mut expired_ids = Vec::new();
        let mut taken_over = HashSet::new();
        for r in &rows {
            let Some(was_sending) = claimable(r) else { continue };
            match wanted.get(&(r.notification_id, r.device_id)) {
                Some(Some(ttl)) if remaining(*ttl, r.created_at, stamp).is_none() => expired_ids.push(r.id),
                Some(_) => {
                    claim_ids.push(r.id);
                    if was_sending {
                        taken_over.insert(r.id);
                    }
                }
                None => skip_ids.push(r.id),
            }
        }
        for chunk in claim_ids.chunks(500) {
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Status, Expr::val(PushStatus::Sending.as_str()))
                .col_expr(push_delivery::Column::ClaimJobId, Expr::val(job_id))
                .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(until))
                .col_expr(push_delivery::Column::Attempts, Expr::col(push_delivery::Column::Attempts).add(1))
                .col_expr(push_delivery::Column::UpdatedAt, Expr::val(stamp))
                .filter(push_delivery::Column::Id.is_in(chunk.to_vec()))
                .exec(txn)
                .await?;
        }
        for (ids, reason) in [(&skip_ids, None), (&expired_ids, Some("expired"))] {
            for chunk in ids.chunks(500) {
                push_delivery::Entity::update_many()
                    .col_expr(push_delivery::Column::Status, Expr::val(PushStatus::Skipped.as_str()))
                    .col_expr(push_delivery::Column::LastOutcome, Expr::val(reason.map(str::to_string)))
                    .col_expr(push_delivery::Column::ClaimJobId, Expr::val(Option::<Uuid>::None))
                    .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
                    .col_expr(push_delivery::Column::UpdatedAt, Expr::val(stamp))
                    .filter(push_delivery::Column::Id.is_in(chunk.to_vec()))
                    .exec(txn)
                    .await?;
            }
        }
        let claimed: HashSet<Uuid> = claim_ids.into_iter().collect();
        let rows: Vec<(push_delivery::Model, bool)> = rows
            .into_iter()
            .map(|r| {
                let mine = claimed.contains(&r.id);
                (r, mine)
            })
            .collect();
        Ok::<_, DbErr>((rows, taken_over))
    })
    .await?;
    let by_pair: HashMap<(Uuid, Uuid), (push_delivery::Model, bool)> =
        rows.into_iter().map(|(r, c)| ((r.notification_id, r.device_id), (r, c))).collect();
    let mut held = Vec::new();
    let mut held_elsewhere: Option<DateTime<Utc>> = None;
    for mut s in sends {
        match by_pair.get(&(s.notification_id, s.device.id)) {
            Some((row, true)) => {
                // A send tried before lives only as long as is left of its time to live.
                s.message.ttl = s.message.ttl.and_then(|ttl| remaining(ttl, row.created_at, stamp));
                held.push(Held { row_id: row.id, send: s })
            }
            Some((row, false)) if row.status == PushStatus::Sending => {
                let ends = row.claimed_until.unwrap_or(now);
                held_elsewhere = Some(held_elsewhere.map_or(ends, |e| Ord::min(e, ends)));
            }
            _ => {} // a final outcome already
        }
    }
    Ok(Claim { held, held_elsewhere, taken_over })
}

/// Commits the transaction without waiting for its WAL to reach the disk (PostgreSQL's
/// `synchronous_commit = off`, for this transaction only): claims and outcomes are most of the
/// commits of a fan-out, and one lost in a crash of the database server (the last few hundred
/// milliseconds) only makes a push be sent again, which at-least-once delivery allows and the
/// phone shows once (the tag). Never for inbox rows or jobs, whose loss would lose a message.
async fn without_waiting_for_disk(txn: &sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared("SET LOCAL synchronous_commit = off").await?;
    }
    Ok(())
}

/// What is left at `now` of a push's time to live counted from its first try at `first`; `None`
/// once it is over (a reminder held back by a provider's daily quota until the next day is not
/// worth sending).
fn remaining(ttl: Duration, first: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    let age = (now - first).to_std().unwrap_or_default();
    ttl.checked_sub(age).filter(|left| !left.is_zero())
}

/// Records outcomes of claims job `job_id` holds, and deactivates dead tokens, in one
/// transaction. A claim the job no longer holds (taken over) is left to its new holder.
pub async fn record(
    db: &DatabaseConnection,
    job_id: Uuid,
    done: &[(Held, Outcome)],
    stamp: DateTime<Utc>,
) -> DomainResult<()> {
    if done.is_empty() {
        return Ok(());
    }
    // One UPDATE per distinct (status, detail, counts as an attempt).
    let mut groups: BTreeMap<(PushStatus, Option<String>, bool), Vec<Uuid>> = BTreeMap::new();
    let mut dead_devices = Vec::new();
    for (h, outcome) in done {
        let key = match outcome {
            Outcome::NotStarted => (PushStatus::Retry, Some("not started".to_string()), false),
            Outcome::Sent(PushOutcome::Delivered) => (PushStatus::Delivered, None, true),
            Outcome::Sent(PushOutcome::DropToken(r)) => {
                dead_devices.push((h.send.device.id, h.send.device.token_hash.clone(), r.clone()));
                (PushStatus::Dropped, Some(r.clone()), true)
            }
            Outcome::Sent(PushOutcome::Retry { reason, .. }) => (PushStatus::Retry, Some(reason.clone()), true),
            Outcome::Sent(PushOutcome::Unknown(reason)) => {
                (PushStatus::Retry, Some(format!("unknown: {reason}")), true)
            }
            Outcome::Sent(PushOutcome::Fatal(r)) => (PushStatus::Failed, Some(r.clone()), true),
        };
        groups.entry(key).or_default().push(h.row_id);
    }
    let txn = crate::db::begin_write(db).await?;
    without_waiting_for_disk(&txn).await?;
    for (device_id, token_hash, reason) in &dead_devices {
        tracing::info!(device_id = %device_id, token = %token_hash, %reason, "push token dead: device deactivated");
        devices::deactivate(&txn, *device_id, stamp, "invalid_token").await?;
    }
    for ((status, detail, attempted), ids) in groups {
        for chunk in ids.chunks(500) {
            let mut update = push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Status, Expr::val(status.as_str()))
                .col_expr(
                    push_delivery::Column::LastOutcome,
                    Expr::val(detail.as_ref().map(|d| d.chars().take(64).collect::<String>())),
                )
                .col_expr(push_delivery::Column::ClaimJobId, Expr::val(Option::<Uuid>::None))
                .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(push_delivery::Column::UpdatedAt, Expr::val(stamp));
            if !attempted {
                // Never sent: the claim does not count as an attempt.
                update =
                    update.col_expr(push_delivery::Column::Attempts, Expr::col(push_delivery::Column::Attempts).sub(1));
            }
            update
                .filter(push_delivery::Column::Id.is_in(chunk.to_vec()))
                .filter(push_delivery::Column::ClaimJobId.eq(job_id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Returns claims stuck in `sending` past their time at `now` (their run and, it seems, their
/// job are gone) to the queue: marks them to be retried and enqueues push jobs for their
/// notifications, due at `run_at`. Returns how many claims it handed back.
pub async fn sweep(db: &DatabaseConnection, now: DateTime<Utc>, run_at: DateTime<Utc>) -> Result<u64, DbErr> {
    write(db, async |txn| {
        let stuck: Vec<(Uuid, Uuid)> = push_delivery::Entity::find()
            .select_only()
            .column(push_delivery::Column::Id)
            .column(push_delivery::Column::NotificationId)
            .filter(push_delivery::Column::Status.eq(PushStatus::Sending))
            .filter(push_delivery::Column::ClaimedUntil.lt(now))
            .limit(1000)
            .into_tuple()
            .all(txn)
            .await?;
        if stuck.is_empty() {
            return Ok::<_, DbErr>(0);
        }
        let ids: Vec<Uuid> = stuck.iter().map(|s| s.0).collect();
        let mut notes: Vec<Uuid> = stuck.iter().map(|s| s.1).collect();
        notes.sort();
        notes.dedup();
        let mut swept = 0;
        for chunk in ids.chunks(500) {
            let r = push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Status, Expr::val(PushStatus::Retry.as_str()))
                .col_expr(push_delivery::Column::LastOutcome, Expr::val("claim lapsed"))
                .col_expr(push_delivery::Column::ClaimJobId, Expr::val(Option::<Uuid>::None))
                .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
                .filter(push_delivery::Column::Id.is_in(chunk.to_vec()))
                .filter(push_delivery::Column::Status.eq(PushStatus::Sending))
                .filter(push_delivery::Column::ClaimedUntil.lt(now))
                .exec(txn)
                .await?;
            swept += r.rows_affected;
        }
        // Keys of their own: the original jobs' keys still hold within the dedupe window.
        let jobs: Vec<NewJob> = notes
            .chunks(BATCH)
            .map(|c| {
                let mut j = job(c.to_vec(), run_at);
                j.dedupe_key = Some(format!("push-sweep:{}:{}:{}", c[0], c.len(), now.timestamp_millis()));
                j
            })
            .collect();
        jobs::outbox::enqueue_many(txn, jobs).await?;
        Ok(swept)
    })
    .await
}
