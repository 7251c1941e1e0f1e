//! `push.send`: pushes notifications (one, or a batch of up to [`BATCH`] from an announcement) to
//! each active device of their people, from the push queue (`worker::PUSH_QUEUE`). `push.sweep`
//! (cron, every minute) hands back claims that outlived the run that took them.
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
//!   failed, skipped); otherwise it is retried: after the provider's `Retry-After`, after another
//!   job's claim ends, or (only sends not yet started because the provider was saturated) soon,
//!   without spending an attempt.
//!
//! Back-pressure: a job runs at most [`PARALLEL`] sends at once, each waiting for a permit of its
//! provider (`jobs::push::Lane`); after [`SOFT_DEADLINE`] it starts no more and leaves the rest to
//! its next run, so no send is ever cut off by the job's timeout. A send whose outcome is unknown
//! (the provider timed out) is sent once more at once, with the same notification id as its tag
//! (phones show it once).
//!
//! What is pushed is generic (`templates::push_text`) plus ids: no personal data.

use crate::db::write;
use crate::domain::messaging::notifications::{Category, preferences_of};
use crate::domain::messaging::templates;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::push_delivery::{self, PushStatus};
use entity::{device, notification, user};
use jobs::job::Backoff;
use jobs::push::{PushMessage, PushOutcome, PushTarget};
use jobs::{Job, JobContext, JobError, JobOptions, NewJob, Perform};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

/// Most notifications one push job carries.
pub const BATCH: usize = 100;
/// Sends of one job in flight at once (each also holds a permit of its provider).
pub const PARALLEL: usize = 64;
/// A run starts no send after this long; the rest go to the job's next run.
pub const SOFT_DEADLINE: Duration = Duration::from_secs(60);
/// The job's timeout: the soft deadline, then a send and its one resend, then recording.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// How long a claim holds: longer than any run of the job that took it (its timeout), so a
/// live run never loses its claims, and no longer.
pub const CLAIM_FOR: Duration = Duration::from_secs(150);
/// Outcomes recorded together, at most.
const RECORD_EVERY: usize = 32;
/// The longest an outcome waits to be recorded.
const RECORD_TICK: Duration = Duration::from_millis(50);

/// Job: push these notifications, from the push queue.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushJob {
    pub notification_ids: Vec<Uuid>,
}

impl Job for PushJob {
    const KIND: &'static str = "push.send";
    const QUEUE: &'static str = super::PUSH_QUEUE;
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

impl Perform<AppState> for PushJob {
    async fn perform(self, state: AppState, job: JobContext) -> Result<(), JobError> {
        send(&state, job.job_id, &self.notification_ids).await
    }
}

/// Job (cron): hand claims that outlived their run back to the queue.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushSweep {}

impl Job for PushSweep {
    const KIND: &'static str = "push.sweep";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for PushSweep {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = sweep(&state, Utc::now()).await?;
        if n > 0 {
            tracing::warn!(claims = n, "push claims outlived their run: handed back to the queue");
        }
        Ok(())
    }
}

/// One push to make: a notification's message to one device.
struct Send {
    notification_id: Uuid,
    device: device::Model,
    message: PushMessage,
}

/// A send this run holds the claim of.
struct Held {
    row_id: Uuid,
    send: Send,
}

/// How a send of this run ended.
enum Outcome {
    Sent(PushOutcome),
    /// Never started: no permit of its provider came before the soft deadline.
    NotStarted,
}

async fn send(state: &AppState, job_id: Uuid, ids: &[Uuid]) -> Result<(), JobError> {
    let started = Instant::now();
    let sends = plan(state, ids).await?;
    let claim = claim(state, job_id, sends).await?;
    let mut summary = deliver_all(state, job_id, claim.held, started + SOFT_DEADLINE).await?;
    summary.held_elsewhere = claim.held_elsewhere;
    summary.verdict()
}

/// Who is to be told what on which device: current preferences, people and devices.
async fn plan(state: &AppState, ids: &[Uuid]) -> Result<Vec<Send>, JobError> {
    let db = &state.db;
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
            sends.push(Send { notification_id: n.id, device: d.clone(), message: message.clone() });
        }
    }
    Ok(sends)
}

fn message_of(n: &notification::Model, category: Category, locale: user::Locale) -> PushMessage {
    let (title, body) = templates::push_text(category, locale);
    let (high_priority, ttl, collapse) = category.push_settings();
    let mut data: BTreeMap<String, String> = serde_json::from_str(&n.data).unwrap_or_default();
    // A message may name its own collapse key (e.g. one per conversation thread).
    let own_collapse = data.remove("collapseKey");
    data.insert("kind".into(), category.as_str().into());
    data.insert("notificationId".into(), n.id.to_string());
    PushMessage {
        title: title.into(),
        body: body.into(),
        data,
        high_priority,
        ttl,
        collapse_key: own_collapse.or(collapse.map(str::to_string)),
        tag: Some(n.id.to_string()),
    }
}

/// What claiming found.
struct Claim {
    /// The sends this run now holds.
    held: Vec<Held>,
    /// Pairs another job's live run holds: the earliest instant one of those claims ends.
    held_elsewhere: Option<DateTime<Utc>>,
}

/// Claims the pairs of `sends` in one transaction: new and to-be-retried pairs, pairs this job
/// held in a run that was lost, and pairs whose claim ran out. Pairs with a final outcome are
/// left alone; pairs of these notifications that are no longer to be sent are marked `skipped`.
async fn claim(state: &AppState, job_id: Uuid, sends: Vec<Send>) -> Result<Claim, JobError> {
    if sends.is_empty() {
        return Ok(Claim { held: Vec::new(), held_elsewhere: None });
    }
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(CLAIM_FOR).unwrap_or_default();
    let stamp = state.clock.now();
    let note_ids: Vec<Uuid> = {
        let mut v: Vec<Uuid> = sends.iter().map(|s| s.notification_id).collect();
        v.sort();
        v.dedup();
        v
    };
    let (rows, taken_over) = write(&state.db, async |txn| {
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
        let wanted: std::collections::HashSet<(Uuid, Uuid)> =
            sends.iter().map(|s| (s.notification_id, s.device.id)).collect();
        let claimable = |r: &push_delivery::Model| match r.status {
            PushStatus::Pending | PushStatus::Retry => Some(false),
            PushStatus::Sending if r.claim_job_id == Some(job_id) || r.claimed_until.is_none_or(|u| u < now) => {
                Some(true)
            }
            _ => None,
        };
        let mut claim_ids = Vec::new();
        let mut skip_ids = Vec::new();
        let mut taken_over = std::collections::HashSet::new();
        for r in &rows {
            let Some(was_sending) = claimable(r) else { continue };
            if wanted.contains(&(r.notification_id, r.device_id)) {
                claim_ids.push(r.id);
                if was_sending {
                    taken_over.insert(r.id);
                }
            } else {
                skip_ids.push(r.id);
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
        for chunk in skip_ids.chunks(500) {
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Status, Expr::val(PushStatus::Skipped.as_str()))
                .col_expr(push_delivery::Column::ClaimJobId, Expr::val(Option::<Uuid>::None))
                .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(push_delivery::Column::UpdatedAt, Expr::val(stamp))
                .filter(push_delivery::Column::Id.is_in(chunk.to_vec()))
                .exec(txn)
                .await?;
        }
        let claimed: std::collections::HashSet<Uuid> = claim_ids.into_iter().collect();
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
    for s in sends {
        match by_pair.get(&(s.notification_id, s.device.id)) {
            Some((row, true)) => held.push(Held { row_id: row.id, send: s }),
            Some((row, false)) if row.status == PushStatus::Sending => {
                let ends = row.claimed_until.unwrap_or(now);
                held_elsewhere = Some(held_elsewhere.map_or(ends, |e| Ord::min(e, ends)));
            }
            _ => {} // a final outcome already
        }
    }
    if !taken_over.is_empty() {
        // Their outcome is unknown (a worker died mid-send): they are sent again.
        for h in held.iter().filter(|h| taken_over.contains(&h.row_id)) {
            state.jobs.metrics.push_unknown(&h.send.device.provider, "lost_attempt");
        }
        tracing::info!(%job_id, claims = taken_over.len(), "took over push claims of a lost run: they are sent again");
    }
    Ok(Claim { held, held_elsewhere })
}

/// What the sends of a run came to.
#[derive(Default)]
struct Summary {
    /// Sends to try again (retryable errors and unknown outcomes), with the longest wait a
    /// provider asked for.
    retry: Option<(String, Option<Duration>)>,
    not_started: usize,
    fatal: Option<String>,
    held_elsewhere: Option<DateTime<Utc>>,
}

impl Summary {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::NotStarted => self.not_started += 1,
            Outcome::Sent(PushOutcome::Fatal(reason)) => {
                self.fatal.get_or_insert_with(|| reason.clone());
            }
            Outcome::Sent(PushOutcome::Retry { after, reason }) => {
                let longest = match (self.retry.as_ref().and_then(|r| r.1), after) {
                    (Some(a), Some(b)) => Some(a.max(*b)),
                    (a, b) => a.or(*b),
                };
                self.retry = Some((reason.clone(), longest));
            }
            Outcome::Sent(PushOutcome::Unknown(reason)) => {
                let after = self.retry.as_ref().and_then(|r| r.1);
                self.retry = Some((format!("outcome unknown: {reason}"), after));
            }
            Outcome::Sent(PushOutcome::Delivered | PushOutcome::DropToken(_)) => {}
        }
    }

    /// Done only when every pair has a final outcome.
    fn verdict(self) -> Result<(), JobError> {
        if let Some((reason, after)) = self.retry {
            return Err(match after {
                Some(after) => JobError::retry_after(reason, after),
                None => JobError::retry(reason),
            });
        }
        if let Some(ends) = self.held_elsewhere {
            let wait = (ends - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1);
            return Err(JobError::retry_after("another run holds some of these pushes", wait));
        }
        if self.not_started > 0 {
            return Err(JobError::unavailable(format!(
                "{} pushes not started: the provider is saturated; continuing shortly",
                self.not_started
            )));
        }
        match self.fatal {
            Some(reason) => Err(JobError::fatal(reason)),
            None => Ok(()),
        }
    }
}

/// Sends what this run holds, at most [`PARALLEL`] at once, recording outcomes as they come
/// (every [`RECORD_EVERY`] outcomes or [`RECORD_TICK`], whichever first): an outcome not yet
/// recorded when the process dies is a send repeated by the next run. Sends run as tasks of their
/// own, so they progress (and their timeouts measure the provider) while outcomes are written.
async fn deliver_all(state: &AppState, job_id: Uuid, held: Vec<Held>, deadline: Instant) -> Result<Summary, JobError> {
    let mut summary = Summary::default();
    let mut queue = held.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut unrecorded: Vec<(Held, Outcome)> = Vec::new();
    let mut tick = tokio::time::interval(RECORD_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        while running.len() < PARALLEL {
            let Some(h) = queue.next() else { break };
            let state = state.clone();
            // In the job's span, so a send's log lines say which job it belongs to.
            running.spawn(
                async move {
                    let outcome = deliver(&state, &h.send, deadline).await;
                    (h, outcome)
                }
                .in_current_span(),
            );
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            Some(done) = running.join_next() => {
                let (h, outcome) = done.map_err(|e| JobError::retry(format!("a send task failed: {e}")))?;
                summary.add(&outcome);
                unrecorded.push((h, outcome));
                if unrecorded.len() >= RECORD_EVERY && record(state, job_id, &unrecorded).await.is_ok() {
                    unrecorded.clear();
                }
            }
            _ = tick.tick() => {
                if !unrecorded.is_empty() && record(state, job_id, &unrecorded).await.is_ok() {
                    unrecorded.clear();
                }
            }
        }
    }
    record_surely(state, job_id, &unrecorded).await?;
    Ok(summary)
}

/// One send, after a permit of its provider; a send with an unknown outcome goes once more.
async fn deliver(state: &AppState, s: &Send, deadline: Instant) -> Outcome {
    let d = &s.device;
    let Some(lane) = state.jobs.push.get(&d.provider) else {
        return Outcome::Sent(PushOutcome::Fatal(format!("no push provider {}", d.provider)));
    };
    let Some(_permit) = lane.permit(deadline).await else { return Outcome::NotStarted };
    let platform = match d.platform {
        device::Platform::Android => "android",
        device::Platform::Ios => "ios",
    };
    let target = PushTarget { device_id: d.id, platform: platform.into(), token: d.token.clone() };
    let provider = &lane.provider;
    let mut outcome = provider.send(&target, &s.message).await;
    state.jobs.metrics.push(provider.name(), outcome.label());
    if let PushOutcome::Unknown(_) = outcome {
        state.jobs.metrics.push_unknown(provider.name(), "timeout");
        outcome = provider.send(&target, &s.message).await;
        state.jobs.metrics.push(provider.name(), outcome.label());
    }
    Outcome::Sent(outcome)
}

/// Records outcomes, retrying for a while when the database is briefly unavailable (an outcome
/// not recorded is a send repeated by the next run).
async fn record_surely(state: &AppState, job_id: Uuid, done: &[(Held, Outcome)]) -> Result<(), JobError> {
    let give_up = Instant::now() + Duration::from_secs(15);
    let mut pause = Duration::from_millis(200);
    loop {
        match record(state, job_id, done).await {
            Ok(()) => return Ok(()),
            Err(e) if matches!(e, JobError::Unavailable(_)) && Instant::now() + pause < give_up => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Records outcomes of claims this job holds, and deactivates dead tokens, in one transaction.
async fn record(state: &AppState, job_id: Uuid, done: &[(Held, Outcome)]) -> Result<(), JobError> {
    if done.is_empty() {
        return Ok(());
    }
    let stamp = state.clock.now();
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
    let txn = crate::db::begin_write(&state.db).await?;
    for (device_id, token_hash, reason) in &dead_devices {
        tracing::info!(device_id = %device_id, token = %token_hash, %reason, "push token dead: device deactivated");
        crate::domain::messaging::devices::deactivate(&txn, *device_id, stamp, "invalid_token").await?;
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

/// Returns claims stuck in `sending` past their time (their run and, it seems, their job are
/// gone) to the queue: marks them to be retried and enqueues push jobs for their notifications.
/// Returns how many claims it handed back.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<u64, JobError> {
    let swept = write(&state.db, async |txn| {
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
        let run_at = state.clock.now();
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
    .await?;
    state.jobs.metrics.claims_swept(swept);
    Ok(swept)
}
