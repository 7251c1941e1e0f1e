//! `tasks`: a volunteer service opportunity (服务任务): when, where, how many, and its lifecycle.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The five action lines of the model, plus other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ActionLine {
    /// 帮扶: help the needy.
    Help,
    /// 治理: community governance.
    Governance,
    /// 防疫: epidemic prevention.
    Epidemic,
    /// 家园: home and environment.
    Home,
    /// 救援: emergency rescue.
    Rescue,
    Other,
}

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Draft,
    Published,
    Completed,
    Cancelled,
}

/// Whether sign-ups confirm at once or wait for the organizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SignupMode {
    Open,
    Managed,
}

/// How volunteers check in and out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CheckInMode {
    /// The volunteer's phone scans the task's rotating code.
    Code,
    /// The leader's phone scans each volunteer's personal rotating code.
    Strict,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub title: String,
    pub description: String,
    pub action_line: ActionLine,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Check-in is refused farther than this from the task's coordinates.
    pub check_in_radius_m: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    /// Confirmed seats taken; kept by one conditional update per sign-up.
    pub filled: i32,
    /// Last waitlist position handed out (FIFO order).
    pub waitlist_seq: i32,
    /// Fewer confirmed than this 24 h before start alerts the organizer.
    pub min_headcount: Option<i32>,
    pub signup_deadline: DateTimeUtc,
    /// Cancelling later than this many hours before start is recorded as late.
    pub cancel_cutoff_hours: i32,
    pub leader_id: Option<Uuid>,
    pub requires_insurance: bool,
    pub insurance_policy_ref: Option<String>,
    pub signup_mode: SignupMode,
    /// Share of the task's length a stay must cover to earn hours (percent).
    pub min_presence_pct: i32,
    /// Sign-up is refused to a volunteer who lacks one of the required skills (otherwise the
    /// skills only steer dispatch).
    pub skills_required_for_signup: bool,
    pub check_in_mode: CheckInMode,
    pub status: TaskStatus,
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The project the task serves, if any (`projects`).
    pub project_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::org_unit::Entity", from = "Column::OrgUnitId", to = "super::org_unit::Column::Id")]
    OrgUnit,
    #[sea_orm(has_many = "super::task_skill::Entity")]
    Skill,
}

impl Related<super::task_skill::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Skill.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
