//! `courses`: training courses.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The unit that runs it (its administrators manage it).
    pub org_unit_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    /// Comma-separated qualification levels it is meant for (empty: everyone).
    pub target_levels: String,
    /// Credit for attending a whole session, in minutes.
    pub credit_minutes: i32,
    /// Whether the credit counts as continuing education (继续教育).
    pub counts_as_ce: bool,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
