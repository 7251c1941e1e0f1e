//! `hours_entries`: the append-only ledger of volunteer service time. A correction is a new
//! entry that adjusts an earlier one; nothing is edited or deleted.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum HoursSource {
    /// Computed from check-in and check-out.
    CheckIn,
    /// Entered by the task's leader or organizer.
    LeaderEntry,
    /// Claimed by the volunteer for offline service.
    SelfReport,
    /// An administrator's make-up entry for a task (补录), capped at the task's length.
    Makeup,
    /// A correction of an earlier entry (positive or negative).
    Adjustment,
}

/// Whether an entry counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum HoursStatus {
    Pending,
    Approved,
    Declined,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "hours_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub volunteer_id: Uuid,
    pub task_id: Option<Uuid>,
    /// The org unit that recorded the service ("who records, certifies").
    pub org_unit_id: Uuid,
    pub source: HoursSource,
    /// Whole minutes; negative only for adjustments.
    pub minutes: i32,
    pub status: HoursStatus,
    /// The day the service was given (in the org unit's time zone).
    pub service_date: Date,
    pub description: Option<String>,
    /// The entry this one corrects.
    pub adjusts_id: Option<Uuid>,
    /// Why (corrections, declines, make-ups, short stays).
    pub reason: Option<String>,
    /// Set for the organizer to look at: the stay was too short to count, or was recorded far
    /// from the task's place (`reason` says which).
    pub flagged: bool,
    pub disputed_at: Option<DateTimeUtc>,
    pub dispute_comment: Option<String>,
    pub created_by: Uuid,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// Unique when set: an entry that must exist at most once.
    #[sea_orm(unique)]
    pub entry_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
