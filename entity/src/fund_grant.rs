//! `fund_grants`: a grant from a charity fund, proposed by one administrator and decided by
//! another (separation of duties).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a grant stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Proposed,
    /// Approved: its amount is committed from the fund.
    Approved,
    Rejected,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "fund_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fund_id: Uuid,
    pub amount_fen: i64,
    /// What the money is for (the project, until projects are recorded themselves).
    pub purpose: String,
    /// The social organisation receiving it, if any.
    pub recipient_organisation_id: Option<Uuid>,
    pub status: GrantStatus,
    pub disbursed_fen: i64,
    pub proposed_by: Uuid,
    pub proposed_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
