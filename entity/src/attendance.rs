//! `attendance`: when a confirmed volunteer checked in and out of a task, where, and how.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How a check-in or check-out was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AttendanceMethod {
    /// The volunteer scanned the organizer's rotating code.
    Code,
    /// The organizer recorded it by hand, with a reason.
    Manual,
    /// Closed automatically at the task's end.
    Auto,
    /// The leader scanned the volunteer's personal code (strict mode).
    Scan,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub signup_id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub checked_in_at: DateTimeUtc,
    pub check_in_method: AttendanceMethod,
    pub check_in_lat: Option<f64>,
    pub check_in_lng: Option<f64>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub check_out_method: Option<AttendanceMethod>,
    pub check_out_lat: Option<f64>,
    pub check_out_lng: Option<f64>,
    pub manual_reason: Option<String>,
    pub recorded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
