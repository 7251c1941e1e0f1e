//! `honour_scores`: one reviewer's score of one nomination.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "honour_scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub nomination_id: Uuid,
    pub reviewer_id: Uuid,
    /// One score per criterion, in the programme's order (JSON array of integers).
    pub scores: Json,
    /// The weighted score in thousandths of a point.
    pub weighted_milli: i32,
    pub comment: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
