//! `/api/v1/me/notifications` (the inbox) and `/api/v1/me/notification-preferences` (quiet hours
//! and muted categories), and `/api/v1/me/announcements` (the announcements among them). A person
//! sees only their own notifications.
//! Rules: `domain::notifications`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::messaging::announcements::ReceivedAnnouncementPage;
use crate::api::types::{page_of, wire_enum};
use crate::domain::kernel::page::PageRequest;
use crate::domain::messaging::announcements;
use crate::domain::messaging::notifications::{
    self as domain, Category, InboxFilter, Preferences, PreferencesPatch, hhmm,
};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::notification;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The inbox.
pub struct NotificationsApi;

wire_enum! {
    /// What a notification is about.
    NotificationCategory mirrors Category {
        Announcement = "announcement",
        TaskReminder = "task_reminder",
        TaskChange = "task_change",
        /// A task that matches one, or a seat that freed up.
        TaskInvitation = "task_invitation",
        /// Urgent: bypasses quiet hours, cannot be muted.
        TaskCancelledShortNotice = "task_cancelled_short_notice",
        /// Urgent: bypasses quiet hours, cannot be muted.
        RescueCallout = "rescue_callout",
        Mentoring = "mentoring",
        Training = "training",
        Credential = "credential",
        Honour = "honour",
        System = "system",
    }
}

/// One message in the inbox.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Notification {
    pub id: Uuid,
    pub category: NotificationCategory,
    /// In the person's language.
    pub title: String,
    pub body: String,
    /// Deep-link data: ids the app opens, e.g. `announcementId`, `taskId`.
    pub data: BTreeMap<String, String>,
    pub created_at: DateTime<Utc>,
    /// Changes when read (for delta sync with `since`).
    pub updated_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notification::Model> for Notification {
    fn from(n: notification::Model) -> Self {
        Notification {
            id: n.id,
            category: n.category.into(),
            title: n.title,
            body: n.body,
            data: serde_json::from_str(&n.data).unwrap_or_default(),
            created_at: n.created_at,
            updated_at: n.updated_at,
            read_at: n.read_at,
        }
    }
}

page_of!(NotificationPage, Notification);

/// How many notifications are unread.
#[derive(Object, Debug)]
pub struct UnreadCount {
    pub count: u64,
}

/// How many notifications changed.
#[derive(Object, Debug)]
pub struct Updated {
    pub updated: u64,
}

/// Quiet hours and muted categories.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct NotificationPreferences {
    /// Pushes in quiet hours wait until they end (urgent categories excepted).
    pub quiet_hours_enabled: bool,
    /// `HH:MM` in `timeZone`; default `22:00`.
    pub quiet_hours_start: String,
    /// `HH:MM` in `timeZone`; default `08:00`.
    pub quiet_hours_end: String,
    /// Categories that still reach the inbox but are not pushed.
    pub muted_categories: Vec<NotificationCategory>,
    /// The person's time zone (changed through `PATCH /api/v1/me`).
    pub time_zone: String,
}

fn preferences_body(p: Preferences, time_zone: String) -> NotificationPreferences {
    NotificationPreferences {
        quiet_hours_enabled: p.quiet_hours_enabled,
        quiet_hours_start: hhmm(p.quiet_start),
        quiet_hours_end: hhmm(p.quiet_end),
        muted_categories: p.muted.into_iter().map(Into::into).collect(),
        time_zone,
    }
}

/// Changes to preferences; omitted fields stay.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePreferencesRequest {
    pub quiet_hours_enabled: Option<bool>,
    /// `HH:MM`.
    #[oai(validator(max_length = 5))]
    pub quiet_hours_start: Option<String>,
    /// `HH:MM`.
    #[oai(validator(max_length = 5))]
    pub quiet_hours_end: Option<String>,
    /// Replaces the muted categories; urgent ones cannot be muted.
    #[oai(validator(max_items = 10))]
    pub muted_categories: Option<Vec<NotificationCategory>>,
}

#[OpenApi(prefix_path = "/api/v1/me", tag = "Tag::Notifications")]
impl NotificationsApi {
    /// One's notifications, newest first.
    #[oai(path = "/notifications", method = "get", operation_id = "listNotifications")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only unread ones.
        unread: Query<Option<bool>>,
        /// Only those created or changed after this instant (delta sync).
        since: Query<Option<DateTime<Utc>>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<NotificationPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter = InboxFilter { unread_only: unread.0.unwrap_or(false), since: since.0 };
        Ok(Json(domain::inbox(&state.db, auth.0.user.id, filter, page).await?.into()))
    }

    /// The announcements sent to oneself, newest first, apart from the rest of the inbox.
    #[oai(path = "/announcements", method = "get", operation_id = "listMyAnnouncements")]
    async fn announcements(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<ReceivedAnnouncementPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(announcements::received(&state.db, &auth.0.actor(), page).await?.into()))
    }

    /// How many of one's notifications are unread.
    #[oai(path = "/notifications/unread-count", method = "get", operation_id = "unreadNotificationCount")]
    async fn unread_count(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<UnreadCount>> {
        Ok(Json(UnreadCount { count: domain::unread_count(&state.db, auth.0.user.id).await? }))
    }

    /// Mark one notification read.
    #[oai(path = "/notifications/:id/read", method = "post", operation_id = "markNotificationRead")]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Notification>> {
        Ok(Json(domain::mark_read(&state.db, auth.0.user.id, id.0, state.clock.now()).await?.into()))
    }

    /// Mark every notification read.
    #[oai(path = "/notifications/read-all", method = "post", operation_id = "markAllNotificationsRead")]
    async fn mark_all_read(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Updated>> {
        Ok(Json(Updated { updated: domain::mark_all_read(&state.db, auth.0.user.id, state.clock.now()).await? }))
    }

    /// One's quiet hours and muted categories.
    #[oai(path = "/notification-preferences", method = "get", operation_id = "getNotificationPreferences")]
    async fn get_preferences(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<Json<NotificationPreferences>> {
        let p = domain::preferences(&state.db, auth.0.user.id).await?;
        Ok(Json(preferences_body(p, auth.0.user.time_zone.clone())))
    }

    /// Change one's quiet hours or muted categories.
    #[oai(path = "/notification-preferences", method = "patch", operation_id = "updateNotificationPreferences")]
    async fn update_preferences(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<UpdatePreferencesRequest>,
    ) -> ApiResult<Json<NotificationPreferences>> {
        let b = body.0;
        let patch = PreferencesPatch {
            quiet_hours_enabled: b.quiet_hours_enabled,
            quiet_start: b.quiet_hours_start,
            quiet_end: b.quiet_hours_end,
            muted: b.muted_categories.map(|m| m.into_iter().map(Into::into).collect()),
        };
        let p = domain::update_preferences(&state.db, auth.0.user.id, state.clock.now(), patch).await?;
        Ok(Json(preferences_body(p, auth.0.user.time_zone.clone())))
    }
}
