//! `signups`: one volunteer's place on one task (confirmed, waitlisted, awaiting approval, or
//! ended), and how it ended.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a sign-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SignupStatus {
    /// Managed sign-up awaiting the organizer.
    Pending,
    Confirmed,
    Waitlisted,
    /// Cancelled by the volunteer.
    Cancelled,
    /// Denied by the organizer (managed sign-up).
    Denied,
    /// Removed by the organizer, with a reason.
    Removed,
}

impl SignupStatus {
    /// Whether the sign-up still holds or waits for a seat.
    pub fn is_live(self) -> bool {
        matches!(self, SignupStatus::Pending | SignupStatus::Confirmed | SignupStatus::Waitlisted)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "signups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub task_id: Uuid,
    pub volunteer_id: Uuid,
    pub status: SignupStatus,
    /// Waitlist position (FIFO), while waitlisted.
    pub position: Option<i32>,
    /// Cancelled after the task's cut-off.
    pub late_cancellation: bool,
    /// Did not come (recorded by the organizer or at the task's end).
    pub no_show: bool,
    /// Why it was cancelled, denied or removed.
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    /// The volunteer's answer to the day-before reminder.
    pub confirmed_attendance_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::task::Entity", from = "Column::TaskId", to = "super::task::Column::Id")]
    Task,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::VolunteerId", to = "super::user::Column::Id")]
    Volunteer,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Volunteer.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
