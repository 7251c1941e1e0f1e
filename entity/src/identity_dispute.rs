//! `identity_disputes`: a resident identity number claimed by a second account. The claim is kept
//! sealed until a city administrator decides who holds the number; nobody is answered with a
//! first-come refusal that would tell a stranger the number is registered.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a dispute stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    Open,
    /// The number went to the claimant.
    AwardedToClaimant,
    /// The holder keeps it.
    AwardedToHolder,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_disputes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Blind index of the number.
    pub number_index: String,
    /// Who claimed it second.
    pub claimant_id: Uuid,
    /// Who held it.
    pub holder_id: Uuid,
    /// The claimant's identity (number, real name) sealed for this dispute; cleared once decided.
    pub claim_sealed: Option<Vec<u8>>,
    /// The consent text version the claimant agreed to.
    pub consent_version: String,
    pub status: DisputeStatus,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
