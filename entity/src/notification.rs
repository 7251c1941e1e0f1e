//! `notifications`: the in-app inbox. Every message to a person is first a row here, unique per
//! recipient and dedupe key, so a redelivered job writes no second one.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a message is about: preferences, push priority and expiry follow it.
///
/// Stored as the same strings as its serde names; a stored name this build does not know fails
/// the read with a type error naming it, rather than passing for another category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// From a station or city administrator.
    #[sea_orm(string_value = "announcement")]
    Announcement,
    /// Before a task one signed up for.
    #[sea_orm(string_value = "task_reminder")]
    TaskReminder,
    /// News of a task one signed up for: it moved, changed or was cancelled, or its organiser
    /// wrote to everyone on it.
    #[sea_orm(string_value = "task_change")]
    TaskChange,
    /// A newly published task that matches one, or a freed seat offered to one.
    #[sea_orm(string_value = "task_invitation")]
    TaskInvitation,
    /// A task cancelled less than 2 hours before it starts: urgent.
    #[sea_orm(string_value = "task_cancelled_short_notice")]
    TaskCancelledShortNotice,
    /// An emergency rescue call-out (救援): urgent, high priority.
    #[sea_orm(string_value = "rescue_callout")]
    RescueCallout,
    /// Mentoring (传帮带).
    #[sea_orm(string_value = "mentoring")]
    Mentoring,
    /// Training and continuing education.
    #[sea_orm(string_value = "training")]
    Training,
    /// Credentials and registration renewals.
    #[sea_orm(string_value = "credential")]
    Credential,
    /// Honours and awards.
    #[sea_orm(string_value = "honour")]
    Honour,
    /// Account and system notices.
    #[sea_orm(string_value = "system")]
    System,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 11] = [
        Category::Announcement,
        Category::TaskReminder,
        Category::TaskChange,
        Category::TaskInvitation,
        Category::TaskCancelledShortNotice,
        Category::RescueCallout,
        Category::Mentoring,
        Category::Training,
        Category::Credential,
        Category::Honour,
        Category::System,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Announcement => "announcement",
            Category::TaskReminder => "task_reminder",
            Category::TaskChange => "task_change",
            Category::TaskInvitation => "task_invitation",
            Category::TaskCancelledShortNotice => "task_cancelled_short_notice",
            Category::RescueCallout => "rescue_callout",
            Category::Mentoring => "mentoring",
            Category::Training => "training",
            Category::Credential => "credential",
            Category::Honour => "honour",
            Category::System => "system",
        }
    }

    /// The category of a stored name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Urgent categories bypass quiet hours and cannot be muted.
    pub fn is_urgent(self) -> bool {
        matches!(self, Category::RescueCallout | Category::TaskCancelledShortNotice)
    }

    /// How the push is sent: priority, time to live, collapse key.
    pub fn push_settings(self) -> (bool, Option<std::time::Duration>, Option<&'static str>) {
        use std::time::Duration;
        match self {
            Category::RescueCallout => (true, Some(Duration::from_secs(3600)), None),
            Category::TaskCancelledShortNotice => (true, Some(Duration::from_secs(2 * 3600)), None),
            // Reminders collapse (a newer one replaces an undelivered older one) and expire.
            Category::TaskReminder => (false, Some(Duration::from_secs(6 * 3600)), Some("task_reminder")),
            _ => (false, Some(Duration::from_secs(7 * 86_400)), None),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// What the message is about: preferences and push settings follow it.
    pub category: Category,
    /// The template the text came from.
    pub template: String,
    /// In the person's locale.
    pub title: String,
    pub body: String,
    /// Deep-link data (ids) as a JSON object of strings.
    pub data: String,
    pub dedupe_key: String,
    pub created_at: DateTimeUtc,
    /// Changes when read, for delta sync.
    pub updated_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
