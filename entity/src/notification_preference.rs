//! `notification_preferences`: a person's quiet hours and muted categories (absent row: the
//! defaults, 22:00–08:00 in their time zone, nothing muted).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub quiet_hours_enabled: bool,
    /// Minutes after local midnight.
    pub quiet_start_minute: i32,
    pub quiet_end_minute: i32,
    /// JSON array of category names.
    pub muted_categories: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
