//! `learning_entries`: the append-only learning ledger (hours of training and continuing education).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum LearningSource {
    /// Attendance of a whole course session.
    Course,
    /// External training claimed with evidence.
    External,
    /// A social-work degree earned in the period (counts once, as a fixed number of hours).
    Degree,
}

/// Whether an entry counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum LearningStatus {
    Pending,
    Approved,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "learning_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub source: LearningSource,
    pub course_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub title: String,
    /// Whole minutes.
    pub minutes: i32,
    pub counts_as_ce: bool,
    pub status: LearningStatus,
    pub completed_on: Date,
    /// Evidence of external training (a file reference, never public).
    pub evidence_ref: Option<String>,
    /// The unit whose administrators decide a claim.
    pub org_unit_id: Option<Uuid>,
    pub reason: Option<String>,
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
