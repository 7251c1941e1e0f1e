//! Telling people things: the API every feature uses, the inbox, and notification preferences.
//!
//! # Telling a person something
//!
//! Inside the transaction that makes the change worth telling:
//!
//! ```ignore
//! notifications::tell(txn, Message::new(user_id, Category::TaskChange, "task.cancelled",
//!     format!("task-cancelled:{task_id}"))
//!     .param("task", &task.title)
//!     .data("taskId", task_id)).await?;
//! ```
//!
//! The intent goes to the outbox and commits (or not) with the change. A worker then delivers it
//! ([`super::delivery`]): re-reads the person, renders the template in their locale, writes the
//! inbox row (unique per recipient and dedupe key: a redelivered job writes no second one) and
//! schedules the push: not at all for a muted category, at the end of quiet hours when they are
//! on (urgent categories bypass them), else at once. The push ([`super::pushes`]) goes to each
//! active device, once per notification and device. `data` must hold ids only: push payloads
//! cross borders and carry no personal data (their text is generic, see
//! `templates::push_text`).
//!
//! # Reminders at a future instant
//!
//! `remind_at(txn, key, due_at, message)` stores the message under a key the caller chooses
//! (e.g. `signup:{id}:24h`); calling it again with the same key moves it, `cancel_reminder(txn,
//! key)` drops it. The due instant is UTC: convert a person's local time once, when scheduling.
//! A minutely scan (cron `scheduled-scan`) enqueues due reminders exactly once. The message's
//! dedupe key still makes one inbox row per person: when a moved reminder must be able to fire
//! again after it already fired, put the instant in it (`signup:{id}:24h:{starts_at}`).
//!
//! Tables: `notifications` (the inbox), `notification_preferences`.

use crate::db::write;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, NaiveTime, Timelike, Utc};
use entity::notification_preference::MutedCategories;
use entity::{notification, notification_preference};
use jobs::Job;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a message is about: preferences, push priority and expiry follow it. Stored in the
/// `notifications.category` column, so it lives with that table.
pub use entity::notification::Category;

pub use crate::domain::kernel::catalogue::Names;
pub use crate::domain::messaging::templates::EN_SUFFIX;

/// One message to one person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub recipient: Uuid,
    pub category: Category,
    /// A template id from `domain::templates`.
    pub template: String,
    /// The template's placeholders (may hold personal data: they stay in our database).
    pub params: BTreeMap<String, String>,
    /// Deep-link data for the app: ids only (it travels in pushes).
    pub data: BTreeMap<String, String>,
    /// Unique per recipient: the same key never makes a second notification.
    pub dedupe_key: String,
}

impl Message {
    /// A message to `recipient` from `template`, deduplicated by `dedupe_key`.
    pub fn new(recipient: Uuid, category: Category, template: &str, dedupe_key: impl Into<String>) -> Self {
        Message {
            recipient,
            category,
            template: template.into(),
            params: BTreeMap::new(),
            data: BTreeMap::new(),
            dedupe_key: dedupe_key.into(),
        }
    }

    /// Fills a template placeholder.
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }

    /// Fills a placeholder with a name in both languages: `{name}` renders `zh` for a Chinese
    /// reader and `en` for an English one.
    pub fn names(mut self, name: &str, names: Names) -> Self {
        self.params.insert(format!("{name}{EN_SUFFIX}"), names.en);
        self.params.insert(name.into(), names.zh);
        self
    }

    /// Adds deep-link data (an id).
    pub fn data(mut self, name: &str, value: impl ToString) -> Self {
        self.data.insert(name.into(), value.to_string());
        self
    }
}

/// Job: deliver one message to one person (see [`super::delivery::deliver`]).
impl Job for Message {
    const KIND: &'static str = "notify";
    fn dedupe_key(&self) -> Option<String> {
        Some(format!("notify:{}:{}", self.recipient, self.dedupe_key))
    }
}

/// Tells a person something: writes the intent to the outbox in the caller's transaction.
pub async fn tell(txn: &impl ConnectionTrait, message: Message) -> Result<(), DbErr> {
    jobs::outbox::enqueue(txn, &message).await.map(|_| ())
}

/// Tells a person something at `due_at` (UTC), under `key`: calling again with the same key moves
/// the reminder; [`cancel_reminder`] drops it.
pub async fn remind_at(
    txn: &impl ConnectionTrait,
    key: &str,
    due_at: DateTime<Utc>,
    message: Message,
) -> Result<(), DbErr> {
    jobs::scheduled::schedule(txn, key, due_at, &message).await
}

/// Drops the reminder under `key`; true if there was one.
pub async fn cancel_reminder(txn: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    jobs::scheduled::cancel(txn, key).await
}

// ---------------------------------------------------------------------------------------------
// Preferences

/// Default quiet hours: 22:00 to 08:00 in the person's time zone.
pub const DEFAULT_QUIET_START: u32 = 22 * 60;
pub const DEFAULT_QUIET_END: u32 = 8 * 60;

/// A person's notification preferences.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub quiet_hours_enabled: bool,
    /// Minutes after local midnight.
    pub quiet_start: u32,
    pub quiet_end: u32,
    pub muted: Vec<Category>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            quiet_hours_enabled: true,
            quiet_start: DEFAULT_QUIET_START,
            quiet_end: DEFAULT_QUIET_END,
            muted: Vec::new(),
        }
    }
}

impl Preferences {
    fn from_row(r: notification_preference::Model) -> Self {
        Preferences {
            quiet_hours_enabled: r.quiet_hours_enabled,
            quiet_start: r.quiet_start_minute.clamp(0, 1439) as u32,
            quiet_end: r.quiet_end_minute.clamp(0, 1439) as u32,
            muted: r.muted_categories.0,
        }
    }

    /// Whether a push of `category` is sent at all.
    pub fn pushes(&self, category: Category) -> bool {
        category.is_urgent() || !self.muted.contains(&category)
    }

    /// When a push of `category` may go, given `now` and the person's zone: `now`, or the end of
    /// the quiet hours it falls in.
    pub fn push_at(
        &self,
        category: Category,
        zone: crate::domain::kernel::time::Tz,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        if category.is_urgent() || !self.quiet_hours_enabled || self.quiet_start == self.quiet_end {
            return now;
        }
        let local = now.with_timezone(&zone);
        let minute = local.hour() * 60 + local.minute();
        let (start, end) = (self.quiet_start, self.quiet_end);
        let quiet = if start < end { minute >= start && minute < end } else { minute >= start || minute < end };
        if !quiet {
            return now;
        }
        let mut day = local.date_naive();
        if minute >= end {
            day = day.succ_opt().unwrap_or(day);
        }
        let end_time = NaiveTime::from_hms_opt(end / 60, end % 60, 0).unwrap_or_default();
        crate::domain::kernel::time::at_local(day, end_time, zone)
    }
}

/// A person's preferences (the defaults when they never set any).
pub async fn preferences(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Preferences, DbErr> {
    Ok(notification_preference::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .map(Preferences::from_row)
        .unwrap_or_default())
}

/// Preferences of several people at once (for fan-out), defaults filled in.
pub async fn preferences_of(
    db: &impl ConnectionTrait,
    users: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Preferences>, DbErr> {
    let rows = notification_preference::Entity::find()
        .filter(notification_preference::Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, Preferences::from_row(r))).collect())
}

/// Changes to preferences; `None` leaves a field alone.
#[derive(Default, Debug)]
pub struct PreferencesPatch {
    pub quiet_hours_enabled: Option<bool>,
    /// `HH:MM`.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub muted: Option<Vec<Category>>,
}

fn parse_hhmm(field: &str, v: &str) -> DomainResult<u32> {
    NaiveTime::parse_from_str(v, "%H:%M")
        .map(|t| t.hour() * 60 + t.minute())
        .map_err(|_| DomainError::invalid("invalid_time", format!("{field} must be HH:MM, e.g. 22:00")))
}

/// Minutes after midnight as `HH:MM`.
pub fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Updates one's own preferences.
pub async fn update_preferences(
    db: &DatabaseConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
    patch: PreferencesPatch,
) -> DomainResult<Preferences> {
    let start = patch.quiet_start.as_deref().map(|v| parse_hhmm("quietHoursStart", v)).transpose()?;
    let end = patch.quiet_end.as_deref().map(|v| parse_hhmm("quietHoursEnd", v)).transpose()?;
    if let Some(urgent) = patch.muted.iter().flatten().find(|c| c.is_urgent()) {
        return Err(DomainError::invalid(
            "category_not_mutable",
            format!("{} is urgent and cannot be muted", urgent.as_str()),
        ));
    }
    write(db, async |txn| {
        let mut p = preferences(txn, user_id).await?;
        if let Some(e) = patch.quiet_hours_enabled {
            p.quiet_hours_enabled = e;
        }
        if let Some(s) = start {
            p.quiet_start = s;
        }
        if let Some(e) = end {
            p.quiet_end = e;
        }
        if let Some(mut m) = patch.muted {
            m.sort_by_key(|c| c.as_str());
            m.dedup();
            p.muted = m;
        }
        let row = notification_preference::ActiveModel {
            user_id: Set(user_id),
            quiet_hours_enabled: Set(p.quiet_hours_enabled),
            quiet_start_minute: Set(p.quiet_start as i32),
            quiet_end_minute: Set(p.quiet_end as i32),
            muted_categories: Set(MutedCategories(p.muted.clone())),
            updated_at: Set(now),
        };
        notification_preference::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(notification_preference::Column::UserId)
                    .update_columns([
                        notification_preference::Column::QuietHoursEnabled,
                        notification_preference::Column::QuietStartMinute,
                        notification_preference::Column::QuietEndMinute,
                        notification_preference::Column::MutedCategories,
                        notification_preference::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        Ok::<_, DomainError>(p)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The inbox

/// Filters on one's inbox.
#[derive(Default, Debug)]
pub struct InboxFilter {
    pub unread_only: bool,
    /// Only notifications created or changed (read) after this instant: delta sync.
    pub since: Option<DateTime<Utc>>,
}

/// One's notifications, newest first.
pub async fn inbox(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    filter: InboxFilter,
    page: PageRequest,
) -> DomainResult<Page<notification::Model>> {
    let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if filter.unread_only {
        q = q.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(since) = filter.since {
        q = q.filter(notification::Column::UpdatedAt.gt(since));
    }
    Ok(page::fetch(db, q, notification::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}

/// How many of one's notifications are unread.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one of one's notifications read (again: no change). 404 for anyone else's.
pub async fn mark_read(
    db: &DatabaseConnection,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<notification::Model> {
    write(db, async |txn| {
        notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::val(now))
            .col_expr(notification::Column::UpdatedAt, Expr::val(now))
            .filter(notification::Column::Id.eq(id))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .exec(txn)
            .await?;
        notification::Entity::find_by_id(id)
            .filter(notification::Column::UserId.eq(user_id))
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("notification"))
    })
    .await
}

/// Marks all of one's notifications read; returns how many changed.
pub async fn mark_all_read(db: &DatabaseConnection, user_id: Uuid, now: DateTime<Utc>) -> DomainResult<u64> {
    let r = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::val(now))
        .col_expr(notification::Column::UpdatedAt, Expr::val(now))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// Messaging's part of a person's data: devices (never their push tokens), the inbox and
/// preferences. Erasure deletes all of it (push delivery records go with their devices and
/// notifications).
pub struct Messaging;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Messaging {
    fn section(&self) -> &'static str {
        "messaging"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::device;
        use sea_orm::QueryOrder;
        let id = cx.person.id;
        let devices: Vec<serde_json::Value> = device::Entity::find()
            .filter(device::Column::UserId.eq(id))
            .all(txn)
            .await?
            .into_iter()
            .map(|d| {
                serde_json::json!({
                    "id": d.id, "platform": d.platform, "appVersion": d.app_version, "locale": d.locale,
                    "active": d.active, "lastSeenAt": d.last_seen_at, "createdAt": d.created_at,
                })
            })
            .collect();
        let inbox: Vec<serde_json::Value> = notification::Entity::find()
            .filter(notification::Column::UserId.eq(id))
            .order_by_asc(notification::Column::Id)
            .all(txn)
            .await?
            .into_iter()
            .map(|n| {
                serde_json::json!({
                    "id": n.id, "category": n.category, "title": n.title, "body": n.body,
                    "createdAt": n.created_at, "readAt": n.read_at,
                })
            })
            .collect();
        let prefs = notification_preference::Entity::find_by_id(id).one(txn).await?.map(|p| {
            serde_json::json!({
                "quietHoursEnabled": p.quiet_hours_enabled, "quietStartMinute": p.quiet_start_minute,
                "quietEndMinute": p.quiet_end_minute, "mutedCategories": p.muted_categories,
            })
        });
        Ok(serde_json::json!({"devices": devices, "notifications": inbox, "preferences": prefs}))
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        let id = cx.person.id;
        entity::device::Entity::delete_many().filter(entity::device::Column::UserId.eq(id)).exec(txn).await?;
        notification::Entity::delete_many().filter(notification::Column::UserId.eq(id)).exec(txn).await?;
        notification_preference::Entity::delete_by_id(id).exec(txn).await?;
        // Messages on their way to the person (the outbox, reminders, queued or dead jobs of the
        // embedded queue) carry their texts' parameters: they go too.
        jobs::erase_mentions(txn, &id.to_string()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_defer_to_their_end_in_the_persons_zone() {
        let p = Preferences::default();
        let sh = chrono_tz::Asia::Shanghai;
        // 23:30 in Shanghai (15:30 UTC): deferred to 08:00 the next morning (00:00 UTC).
        assert_eq!(p.push_at(Category::Announcement, sh, at("2026-11-27T15:30:00Z")), at("2026-11-28T00:00:00Z"));
        // 03:00 in Shanghai: deferred to 08:00 the same morning.
        assert_eq!(p.push_at(Category::TaskReminder, sh, at("2026-11-27T19:00:00Z")), at("2026-11-28T00:00:00Z"));
        // 12:00 in Shanghai: now.
        let noon = at("2026-11-27T04:00:00Z");
        assert_eq!(p.push_at(Category::Announcement, sh, noon), noon);
        // Urgent categories bypass quiet hours.
        let night = at("2026-11-27T18:00:00Z");
        assert_eq!(p.push_at(Category::RescueCallout, sh, night), night);
        // A daytime quiet window (13:00–14:00) and a disabled one.
        let nap = Preferences { quiet_start: 13 * 60, quiet_end: 14 * 60, ..Default::default() };
        assert_eq!(nap.push_at(Category::System, sh, at("2026-11-27T05:30:00Z")), at("2026-11-27T06:00:00Z"));
        let off = Preferences { quiet_hours_enabled: false, ..Default::default() };
        assert_eq!(off.push_at(Category::System, sh, night), night);
    }

    #[test]
    fn muting_never_silences_urgent_categories() {
        let p = Preferences { muted: vec![Category::Announcement, Category::RescueCallout], ..Default::default() };
        assert!(!p.pushes(Category::Announcement));
        assert!(p.pushes(Category::RescueCallout));
        assert!(p.pushes(Category::TaskReminder));
    }

    #[test]
    fn categories_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
