//! Delivering a message to a person's inbox: what the `notify` job does (its handler is
//! `worker::notify`). Re-reads the person, renders the template in their locale, writes the inbox
//! row (unique per recipient and dedupe key: a redelivered job writes nothing new) under the
//! person's lock, and, in the same transaction, schedules the push job: not at all for a muted
//! category or a person without devices, at the end of quiet hours in the person's zone if they
//! are on, else now. Also the inbox row ([`NewNotification`]) and push scheduling that the
//! announcement fan-out shares.
//!
//! Table: `notifications` (inserts; the inbox's reads are `notifications`).

use crate::db::write;
use crate::domain::kernel::time::{self, Tz};
use crate::domain::messaging::notifications::{Category, Message, Preferences, preferences};
use crate::domain::messaging::pushes;
use crate::domain::messaging::templates::{self, TemplateError};
use chrono::{DateTime, Utc};
use entity::{device, notification, user};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One inbox row to write.
pub struct NewNotification<'a> {
    pub user_id: Uuid,
    pub category: Category,
    /// The template it was rendered from.
    pub template: &'a str,
    pub title: String,
    pub body: String,
    /// Deep-link data (ids only).
    pub data: &'a BTreeMap<String, String>,
    /// Unique per recipient.
    pub dedupe_key: &'a str,
    pub now: DateTime<Utc>,
}

impl NewNotification<'_> {
    /// The row, ready to insert (with [`once_per_recipient`]).
    pub fn row(self) -> notification::ActiveModel {
        notification::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(self.user_id),
            category: Set(self.category),
            template: Set(self.template.into()),
            title: Set(self.title),
            body: Set(self.body),
            data: Set(serde_json::to_string(self.data).unwrap_or_else(|_| "{}".into())),
            dedupe_key: Set(self.dedupe_key.into()),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            read_at: Set(None),
        }
    }
}

/// `ON CONFLICT (user_id, dedupe_key) DO NOTHING`.
pub fn once_per_recipient() -> OnConflict {
    OnConflict::columns([notification::Column::UserId, notification::Column::DedupeKey]).do_nothing().to_owned()
}

/// Why a message could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The message names a template it cannot be rendered from: delivering again changes nothing.
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Delivers one message to its recipient (idempotent: delivering it again writes nothing new).
/// Nobody to tell (gone, erased) is not an error.
pub async fn deliver(db: &DatabaseConnection, m: &Message, now: DateTime<Utc>) -> Result<(), DeliveryError> {
    let Some(person) = user::Entity::find_by_id(m.recipient).one(db).await? else {
        return Ok(()); // erased: nobody to tell
    };
    let (title, body) = templates::render(&m.template, person.locale, &m.params)?;
    let prefs = preferences(db, person.id).await?;
    write(db, async |txn| {
        // Under the person's lock, as erasure takes it: nothing reaches an inbox once erased.
        crate::domain::people::users::lock_person(txn, person.id).await.map_err(|e| match e {
            crate::domain::DomainError::Db(e) => e,
            other => DbErr::Custom(other.to_string()),
        })?;
        let current = user::Entity::find_by_id(person.id).one(txn).await?.map(|u| u.status);
        if current.is_none_or(|s| s == user::UserStatus::Erased) {
            return Ok(());
        }
        let new = NewNotification {
            user_id: person.id,
            category: m.category,
            template: &m.template,
            title,
            body,
            data: &m.data,
            dedupe_key: &m.dedupe_key,
            now,
        };
        let inserted = notification::Entity::insert(new.row())
            .on_conflict(once_per_recipient())
            .exec_without_returning(txn)
            .await?;
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
            let zone = time::person_zone(txn, &person).await?;
            schedule_push(txn, &prefs, m.category, zone, now, person.id, id).await?;
        }
        Ok::<_, DbErr>(())
    })
    .await?;
    Ok(())
}

/// Writes the push job of a new notification to the outbox, respecting preferences: none for a
/// muted category or a person without active devices, else due when quiet hours allow.
pub async fn schedule_push(
    txn: &impl ConnectionTrait,
    prefs: &Preferences,
    category: Category,
    zone: Tz,
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
    jobs::outbox::enqueue(txn, pushes::job(vec![notification_id], prefs.push_at(category, zone, now))).await?;
    Ok(())
}
