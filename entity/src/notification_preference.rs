//! `notification_preferences`: a person's quiet hours and muted categories (absent row: the
//! defaults, 22:00–08:00 in their time zone, nothing muted).

use crate::json_text::json_text;
use crate::notification::Category;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The categories a person muted, kept as a JSON array of their stored names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MutedCategories(pub Vec<Category>);
json_text!(MutedCategories);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub quiet_hours_enabled: bool,
    /// Minutes after local midnight.
    pub quiet_start_minute: i32,
    pub quiet_end_minute: i32,
    /// A JSON array of category names.
    #[sea_orm(column_type = "Text")]
    pub muted_categories: MutedCategories,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
