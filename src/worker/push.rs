//! `push.send`: pushes one notification to each active device of its person. Each (notification,
//! device) pair is claimed in `push_deliveries` before sending, so a redelivered job sends to no
//! device twice; the outcome of each attempt is recorded there. A dead token deactivates its
//! device; a retryable failure retries the job (only the devices not yet reached), after the
//! provider's `Retry-After` when it gave one; a payload the provider refuses is a dead letter.
//!
//! What is pushed is generic (`templates::push_text`) plus ids: no personal data.

use crate::domain::devices;
use crate::domain::notifications::{Category, preferences};
use crate::domain::templates;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{device, notification, push_delivery, user};
use jobs::job::{Backoff, JobOptions};
use jobs::push::{PushMessage, PushOutcome, PushTarget};
use jobs::{JobError, NewJob, Registry};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// The job kind.
pub const KIND: &str = "push.send";

/// Push one notification.
#[derive(Debug, Serialize, Deserialize)]
pub struct PushJob {
    pub notification_id: Uuid,
}

/// The push job of a notification, not before `at`.
pub fn job(notification_id: Uuid, at: DateTime<Utc>) -> NewJob {
    NewJob::new(KIND, PushJob { notification_id }).dedupe(format!("push:{notification_id}")).at(at)
}

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let options = JobOptions {
        max_attempts: 10,
        timeout: Duration::from_secs(60),
        backoff: Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(30 * 60) },
    };
    super::on(r, state, KIND, options, |state, p: PushJob| async move { send(&state, p.notification_id).await });
}

async fn send(state: &AppState, notification_id: Uuid) -> Result<(), JobError> {
    let db = &state.db;
    let Some(n) = notification::Entity::find_by_id(notification_id).one(db).await? else { return Ok(()) };
    let Some(person) = user::Entity::find_by_id(n.user_id).one(db).await? else { return Ok(()) };
    let category = Category::parse(&n.category).unwrap_or(Category::System);
    if person.status != user::UserStatus::Active || !preferences(db, person.id).await?.pushes(category) {
        return Ok(());
    }
    let targets = device::Entity::find()
        .filter(device::Column::UserId.eq(person.id))
        .filter(device::Column::Active.eq(true))
        .all(db)
        .await?;
    let (title, body) = templates::push_text(category, person.locale);
    let (high_priority, ttl, collapse) = category.push_settings();
    let mut data: BTreeMap<String, String> = serde_json::from_str(&n.data).unwrap_or_default();
    data.insert("kind".into(), category.as_str().into());
    data.insert("notificationId".into(), n.id.to_string());
    let message = PushMessage {
        title: title.into(),
        body: body.into(),
        data,
        high_priority,
        ttl,
        collapse_key: collapse.map(str::to_string),
    };
    let outcomes = futures::future::join_all(targets.iter().map(|d| send_one(state, n.id, d, &message))).await;
    let mut retry: Option<(String, Option<Duration>)> = None;
    for outcome in outcomes {
        match outcome? {
            Some(PushOutcome::Fatal(reason)) => return Err(JobError::fatal(reason)),
            Some(PushOutcome::Retry { after, reason }) => {
                let after = match (&retry, after) {
                    (Some((_, Some(a))), Some(b)) => Some((*a).max(b)),
                    (Some((_, a)), None) => *a,
                    (_, b) => b,
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

/// Claims, sends and records one device's push; `None` when another run has it or it is done.
async fn send_one(
    state: &AppState,
    notification_id: Uuid,
    d: &device::Model,
    message: &PushMessage,
) -> Result<Option<PushOutcome>, JobError> {
    let db = &state.db;
    let now = state.clock.now();
    let pending = push_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        notification_id: Set(notification_id),
        device_id: Set(d.id),
        status: Set("pending".into()),
        attempts: Set(0),
        last_outcome: Set(None),
        claimed_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    push_delivery::Entity::insert(pending)
        .on_conflict(
            OnConflict::columns([push_delivery::Column::NotificationId, push_delivery::Column::DeviceId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let claimable = sea_orm::Condition::any().add(push_delivery::Column::Status.is_in(["pending", "retry"])).add(
        sea_orm::Condition::all()
            .add(push_delivery::Column::Status.eq("sending"))
            .add(push_delivery::Column::ClaimedUntil.lt(now)),
    );
    let claimed = push_delivery::Entity::update_many()
        .col_expr(push_delivery::Column::Status, Expr::val("sending"))
        .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(now + chrono::Duration::minutes(2)))
        .col_expr(push_delivery::Column::Attempts, Expr::col(push_delivery::Column::Attempts).add(1))
        .col_expr(push_delivery::Column::UpdatedAt, Expr::val(now))
        .filter(push_delivery::Column::NotificationId.eq(notification_id))
        .filter(push_delivery::Column::DeviceId.eq(d.id))
        .filter(claimable)
        .exec(db)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(None);
    }
    let outcome = match state.jobs.push.get(&d.provider) {
        Some(provider) => {
            let target = PushTarget {
                device_id: d.id,
                platform: format!("{:?}", d.platform).to_lowercase(),
                token: d.token.clone(),
            };
            let outcome = provider.send(&target, message).await;
            state.jobs.metrics.push(provider.name(), outcome.label());
            outcome
        }
        None => PushOutcome::Fatal(format!("no push provider {}", d.provider)),
    };
    let (status, detail) = match &outcome {
        PushOutcome::Delivered => ("delivered", None),
        PushOutcome::DropToken(r) => ("dropped", Some(r.clone())),
        PushOutcome::Retry { reason, .. } => ("retry", Some(reason.clone())),
        PushOutcome::Fatal(r) => ("failed", Some(r.clone())),
    };
    if let PushOutcome::DropToken(reason) = &outcome {
        tracing::info!(device_id = %d.id, token = %d.token_hash, %reason, "push token dead: device deactivated");
        devices::deactivate(db, d.id, now, "invalid_token").await.map_err(|e| JobError::retry(e.to_string()))?;
    }
    push_delivery::Entity::update_many()
        .col_expr(push_delivery::Column::Status, Expr::val(status))
        .col_expr(push_delivery::Column::LastOutcome, Expr::val(detail.map(|d| d.chars().take(64).collect::<String>())))
        .col_expr(push_delivery::Column::ClaimedUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .col_expr(push_delivery::Column::UpdatedAt, Expr::val(state.clock.now()))
        .filter(push_delivery::Column::NotificationId.eq(notification_id))
        .filter(push_delivery::Column::DeviceId.eq(d.id))
        .exec(db)
        .await?;
    Ok(Some(outcome))
}
