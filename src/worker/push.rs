//! `push.send`: pushes notifications (one, or a batch of up to [`BATCH`] from an announcement) to
//! each active device of their people. Each (notification, device) pair is claimed in
//! `push_deliveries` before sending, so a redelivered job sends to no device twice; the outcome
//! of each attempt is recorded there. Claims and outcomes of a whole job are written in one
//! transaction each, so a fan-out costs few database writes. A dead token deactivates its device;
//! a retryable failure retries the job (only the devices not yet reached), after the provider's
//! `Retry-After` when it gave one; a payload the provider refuses is a dead letter.
//!
//! What is pushed is generic (`templates::push_text`) plus ids: no personal data.

use crate::db::write;
use crate::domain::notifications::{Category, preferences_of};
use crate::domain::templates;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{device, notification, push_delivery, user};
use jobs::job::{Backoff, JobOptions};
use jobs::push::{PushMessage, PushOutcome, PushTarget};
use jobs::{JobError, NewJob, Registry};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use uuid::Uuid;

/// The job kind.
pub const KIND: &str = "push.send";
/// Most notifications one push job carries.
pub const BATCH: usize = 100;

/// Push these notifications.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushJob {
    pub notification_ids: Vec<Uuid>,
}

/// The push job of some notifications (at most [`BATCH`]), not before `at`.
pub fn job(notification_ids: Vec<Uuid>, at: DateTime<Utc>) -> NewJob {
    let key = match notification_ids.as_slice() {
        [one] => format!("push:{one}"),
        [first, ..] => format!("push:{first}:{}", notification_ids.len()),
        [] => "push:none".into(),
    };
    NewJob::new(KIND, PushJob { notification_ids }).dedupe(key).at(at)
}

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let options = JobOptions {
        max_attempts: 10,
        timeout: Duration::from_secs(120),
        backoff: Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(30 * 60) },
    };
    super::on(r, state, KIND, options, |state, p: PushJob| async move { send(&state, &p.notification_ids).await });
}

/// One push to make: a notification's message to one device.
struct Send {
    notification_id: Uuid,
    device: device::Model,
    message: PushMessage,
}

async fn send(state: &AppState, ids: &[Uuid]) -> Result<(), JobError> {
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
        let category = Category::parse(&n.category).unwrap_or(Category::System);
        let Some(person) = people.get(&n.user_id) else { continue };
        if !prefs.get(&person.id).cloned().unwrap_or_default().pushes(category) {
            continue;
        }
        let message = message_of(&n, category, person.locale);
        for d in devices.remove(&person.id).unwrap_or_default() {
            sends.push(Send { notification_id: n.id, device: d, message: message.clone() });
        }
    }
    let now = state.clock.now();
    let sends = claim(state, sends, now).await?;
    let outcomes = futures::future::join_all(sends.iter().map(|s| deliver(state, s))).await;
    record(state, &sends, &outcomes).await?;
    let mut retry: Option<(String, Option<Duration>)> = None;
    for outcome in outcomes {
        match outcome {
            PushOutcome::Fatal(reason) => return Err(JobError::fatal(reason)),
            PushOutcome::Retry { after, reason } => {
                let after = match retry.as_ref().map(|r| r.1) {
                    Some(Some(a)) => Some(after.map_or(a, |b| a.max(b))),
                    Some(None) | None => after,
                };
                retry = Some((reason, after));
            }
            _ => {}
        }
    }
    match retry {
        Some((reason, Some(after))) => Err(JobError::retry_after(reason, after)),
        Some((reason, None)) => Err(JobError::retry(reason)),
        None => Ok(()),
    }
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
    }
}

/// Claims each pair in one transaction; keeps those this run holds (not delivered, dropped or
/// failed already, and not being sent by another run).
async fn claim(state: &AppState, sends: Vec<Send>, now: DateTime<Utc>) -> Result<Vec<Send>, JobError> {
    if sends.is_empty() {
        return Ok(sends);
    }
    let held = write(&state.db, async |txn| {
        let rows: Vec<push_delivery::ActiveModel> = sends
            .iter()
            .map(|s| push_delivery::ActiveModel {
                id: Set(Uuid::now_v7()),
                notification_id: Set(s.notification_id),
                device_id: Set(s.device.id),
                status: Set("pending".into()),
                attempts: Set(0),
                last_outcome: Set(None),
                claimed_until: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        for chunk in rows.chunks(500) {
            push_delivery::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([push_delivery::Column::NotificationId, push_delivery::Column::DeviceId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
        }
        let mut held = Vec::with_capacity(sends.len());
        for s in &sends {
            held.push(claim_one(txn, s, now).await?);
        }
        Ok::<_, DbErr>(held)
    })
    .await?;
    Ok(sends.into_iter().zip(held).filter_map(|(s, h)| h.then_some(s)).collect())
}

async fn claim_one(txn: &impl ConnectionTrait, s: &Send, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let claimable = sea_orm::Condition::any().add(push_delivery::Column::Status.is_in(["pending", "retry"])).add(
        sea_orm::Condition::all()
            .add(push_delivery::Column::Status.eq("sending"))
            .add(push_delivery::Column::ClaimedUntil.lt(now)),
    );
    let r = push_delivery::Entity::update_many()
        .col_expr(push_delivery::Column::Status, Expr::val("sending"))
        .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(now + chrono::Duration::minutes(2)))
        .col_expr(push_delivery::Column::Attempts, Expr::col(push_delivery::Column::Attempts).add(1))
        .col_expr(push_delivery::Column::UpdatedAt, Expr::val(now))
        .filter(push_delivery::Column::NotificationId.eq(s.notification_id))
        .filter(push_delivery::Column::DeviceId.eq(s.device.id))
        .filter(claimable)
        .exec(txn)
        .await?;
    Ok(r.rows_affected == 1)
}

async fn deliver(state: &AppState, s: &Send) -> PushOutcome {
    let d = &s.device;
    match state.jobs.push.get(&d.provider) {
        Some(provider) => {
            let platform = match d.platform {
                device::Platform::Android => "android",
                device::Platform::Ios => "ios",
            };
            let target = PushTarget { device_id: d.id, platform: platform.into(), token: d.token.clone() };
            let outcome = provider.send(&target, &s.message).await;
            state.jobs.metrics.push(provider.name(), outcome.label());
            outcome
        }
        None => PushOutcome::Fatal(format!("no push provider {}", d.provider)),
    }
}

/// Records every outcome and deactivates dead tokens, in one transaction.
async fn record(state: &AppState, sends: &[Send], outcomes: &[PushOutcome]) -> Result<(), JobError> {
    if sends.is_empty() {
        return Ok(());
    }
    let now = state.clock.now();
    write(&state.db, async |txn| {
        for (s, outcome) in sends.iter().zip(outcomes) {
            let (status, detail) = match outcome {
                PushOutcome::Delivered => ("delivered", None),
                PushOutcome::DropToken(r) => ("dropped", Some(r.clone())),
                PushOutcome::Retry { reason, .. } => ("retry", Some(reason.clone())),
                PushOutcome::Fatal(r) => ("failed", Some(r.clone())),
            };
            if let PushOutcome::DropToken(reason) = outcome {
                tracing::info!(device_id = %s.device.id, token = %s.device.token_hash, %reason, "push token dead: device deactivated");
                crate::domain::devices::deactivate(txn, s.device.id, now, "invalid_token")
                    .await
                    .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::Status, Expr::val(status))
                .col_expr(
                    push_delivery::Column::LastOutcome,
                    Expr::val(detail.map(|d| d.chars().take(64).collect::<String>())),
                )
                .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(push_delivery::Column::UpdatedAt, Expr::val(now))
                .filter(push_delivery::Column::NotificationId.eq(s.notification_id))
                .filter(push_delivery::Column::DeviceId.eq(s.device.id))
                .exec(txn)
                .await?;
        }
        Ok::<_, DbErr>(())
    })
    .await?;
    Ok(())
}
