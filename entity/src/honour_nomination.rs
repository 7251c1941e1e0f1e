//! `honour_nominations`: one person put forward for one programme.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a nomination stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    /// In the running.
    Nominated,
    /// The nominee declined.
    Declined,
    /// Chosen by the decision.
    Awarded,
    /// Not chosen.
    NotAwarded,
    /// The programme was cancelled while it was in the running.
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "honour_nominations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub nominee_id: Uuid,
    /// The nominee's station when nominated (conflict-of-interest checks).
    pub nominee_station_id: Option<Uuid>,
    pub nominator_id: Uuid,
    /// The station whose quota the nomination used; `None` for a city administrator's.
    pub quota_station_id: Option<Uuid>,
    pub statement: String,
    /// Evidence references (document numbers, links), JSON array of strings.
    pub evidence: Json,
    /// Per-rule evaluation at nomination (`domain::honours::eligibility::RuleResult`, JSON).
    pub evaluation: Json,
    /// Why a city administrator nominated someone who failed a rule.
    pub override_reason: Option<String>,
    pub status: NominationStatus,
    pub decline_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
