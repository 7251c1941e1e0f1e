//! `manual_attendance`: a check-in, check-out or no-show that a task's leader who is not staff
//! recorded by hand, held until an organiser confirms it (and it is applied) or rejects it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What the leader recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ManualAttendanceAction {
    CheckIn,
    CheckOut,
    NoShow,
}

/// Where the record stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ManualAttendanceStatus {
    Pending,
    Confirmed,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "manual_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub signup_id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub action: ManualAttendanceAction,
    /// When the leader says it happened.
    pub at: DateTimeUtc,
    pub reason: String,
    pub recorded_by: Uuid,
    pub status: ManualAttendanceStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
