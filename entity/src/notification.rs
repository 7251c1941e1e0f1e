//! `notifications`: the in-app inbox. Every message to a person is first a row here, unique per
//! recipient and dedupe key, so a redelivered job writes no second one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The category (`announcement`, `task_reminder`, `rescue_callout`, …): preferences and
    /// push settings follow it.
    pub category: String,
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
