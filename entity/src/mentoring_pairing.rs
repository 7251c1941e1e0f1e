//! `mentoring_pairings`: a social worker (mentor) and a volunteer (mentee), from proposal to end.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a pairing stands: `proposed → active → ended`, or `proposed → declined`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PairingStatus {
    /// Waiting for the other side (or both sides, when an administrator proposed it).
    Proposed,
    Active,
    /// Ended with a reason; kept as history.
    Ended,
    /// Turned down by one side.
    Declined,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mentoring_pairings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub status: PairingStatus,
    pub proposed_by: Uuid,
    pub mentor_accepted_at: Option<DateTimeUtc>,
    pub mentee_accepted_at: Option<DateTimeUtc>,
    /// The mentee's id while active, else NULL; unique, so a volunteer has one active mentor.
    #[sea_orm(unique)]
    pub active_mentee_id: Option<Uuid>,
    /// `mentor:mentee` while proposed or active, else NULL; unique.
    #[sea_orm(unique)]
    pub open_pair: Option<String>,
    /// JSON list of goals (`[{"title": …, "status": "set"|"in_progress"|"met"}]`).
    pub goals: String,
    /// The graduation bar: acknowledged sessions and approved service minutes since activation.
    pub graduation_sessions: i32,
    pub graduation_minutes: i32,
    pub graduated_at: Option<DateTimeUtc>,
    pub activated_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<Uuid>,
    /// Why it ended or was declined.
    pub end_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
