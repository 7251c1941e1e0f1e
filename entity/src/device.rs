//! `devices`: a person's phones registered for push: one row per app installation (by its
//! installation id, or by its token for apps that send none), tied to the session that registered it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The phone's operating system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Android,
    Ios,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Which push provider reaches it: `fcm`, `apns` or a vendor channel (`huawei`, `honor`, …).
    pub provider: String,
    pub platform: Platform,
    /// The provider's registration token; unique. Never logged (see `token_hash`).
    #[sea_orm(unique)]
    pub token: String,
    /// A short hash of the token, for logs.
    pub token_hash: String,
    pub app_version: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    /// Last registration (apps re-register about monthly).
    pub last_seen_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub deactivated_at: Option<DateTimeUtc>,
    /// `unregistered`, `stale`, `invalid_token`, …
    pub deactivated_reason: Option<String>,
    /// The id the app generated once for this installation; unique when present.
    #[sea_orm(unique)]
    pub installation_id: Option<String>,
    /// The app's bundle id or package name.
    pub app_id: Option<String>,
    /// The sign-in session that registered the device; ending it removes the device.
    pub session_id: Option<Uuid>,
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
