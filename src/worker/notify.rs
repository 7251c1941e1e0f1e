//! `notify`: delivers one [`Message`] to one person. Re-reads the person, renders the template in
//! their locale, writes the inbox row (unique per recipient and dedupe key: a redelivered job
//! writes nothing new) and, in the same transaction, schedules the push job: not at all for a
//! muted category or a person without devices, at the end of quiet hours if they are on, else
//! now.

use crate::db::write;
use crate::domain::messaging::notifications::{Category, Message, Preferences, preferences};
use crate::domain::messaging::templates;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{device, notification, user};
use jobs::{JobContext, JobError, Perform};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

impl Perform<AppState> for Message {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        deliver(&state, self).await
    }
}

/// The time zone of a person, or the default.
pub fn zone_of(u: &user::Model) -> chrono_tz::Tz {
    u.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// A notification row ready to insert.
#[allow(clippy::too_many_arguments)] // FIXME(areas): input struct after the jobs work lands
pub(crate) fn row(
    user_id: Uuid,
    category: Category,
    template: &str,
    title: String,
    body: String,
    data: &std::collections::BTreeMap<String, String>,
    dedupe_key: &str,
    now: DateTime<Utc>,
) -> notification::ActiveModel {
    notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        category: Set(category),
        template: Set(template.into()),
        title: Set(title),
        body: Set(body),
        data: Set(serde_json::to_string(data).unwrap_or_else(|_| "{}".into())),
        dedupe_key: Set(dedupe_key.into()),
        created_at: Set(now),
        updated_at: Set(now),
        read_at: Set(None),
    }
}

/// `ON CONFLICT (user_id, dedupe_key) DO NOTHING`.
pub(crate) fn once_per_recipient() -> OnConflict {
    OnConflict::columns([notification::Column::UserId, notification::Column::DedupeKey]).do_nothing().to_owned()
}

async fn deliver(state: &AppState, m: Message) -> Result<(), JobError> {
    let now = state.clock.now();
    let Some(person) = user::Entity::find_by_id(m.recipient).one(&state.db).await? else {
        return Ok(()); // erased: nobody to tell
    };
    let (title, body) =
        templates::render(&m.template, person.locale, &m.params).map_err(|e| JobError::fatal(e.to_string()))?;
    let prefs = preferences(&state.db, person.id).await?;
    write(&state.db, async |txn| {
        // Under the person's lock, as erasure takes it: nothing reaches an inbox once erased.
        crate::domain::people::users::lock_person(txn, person.id).await.map_err(|e| match e {
            crate::domain::DomainError::Db(e) => e,
            other => DbErr::Custom(other.to_string()),
        })?;
        let current = user::Entity::find_by_id(person.id).one(txn).await?.map(|u| u.status);
        if current.is_none_or(|s| s == user::UserStatus::Erased) {
            return Ok(());
        }
        let new = row(person.id, m.category, &m.template, title, body, &m.data, &m.dedupe_key, now);
        let inserted =
            notification::Entity::insert(new).on_conflict(once_per_recipient()).exec_without_returning(txn).await?;
        if inserted == 0 || person.status != user::UserStatus::Active {
            return Ok(());
        }
        let id = notification::Entity::find()
            .filter(notification::Column::UserId.eq(person.id))
            .filter(notification::Column::DedupeKey.eq(&m.dedupe_key))
            .one(txn)
            .await?
            .map(|n| n.id);
        if let Some(id) = id {
            schedule_push(txn, &prefs, m.category, zone_of(&person), now, person.id, id).await?;
        }
        Ok::<_, DbErr>(())
    })
    .await?;
    Ok(())
}

/// Writes the push job of a new notification to the outbox, respecting preferences.
pub(crate) async fn schedule_push(
    txn: &impl ConnectionTrait,
    prefs: &Preferences,
    category: Category,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
    user_id: Uuid,
    notification_id: Uuid,
) -> Result<(), DbErr> {
    if !prefs.pushes(category) {
        return Ok(());
    }
    let devices = device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .filter(device::Column::Active.eq(true))
        .count(txn)
        .await?;
    if devices == 0 {
        return Ok(());
    }
    jobs::outbox::enqueue(txn, super::push::job(vec![notification_id], prefs.push_at(category, zone, now))).await?;
    Ok(())
}
