//! `honour_objections`: an objection to an honour in public notice.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an objection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Open,
    /// The honour is withdrawn.
    Upheld,
    Dismissed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "honour_objections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub honour_id: Uuid,
    pub programme_id: Uuid,
    pub objector_id: Uuid,
    pub statement: String,
    pub status: ObjectionStatus,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
