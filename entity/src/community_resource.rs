//! `community_resources`: what is on offer to answer needs (资源清单).

use crate::community_need::NeedKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Volunteers' skills.
    VolunteerSkill,
    /// A social organisation's service (`organisation_id`).
    OrganisationService,
    /// A charity fund's money (`fund_id`).
    FundMoney,
    /// A place to meet or serve.
    Venue,
    /// Goods or materials.
    Goods,
    Other,
}

/// Whether the offer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ResourceStatus {
    Open,
    Withdrawn,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "community_resources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub kind: ResourceKind,
    pub title: String,
    pub description: Option<String>,
    /// The kind of need it is meant for; none: any.
    pub serves: Option<NeedKind>,
    pub organisation_id: Option<Uuid>,
    pub fund_id: Option<Uuid>,
    pub available_until: Option<Date>,
    pub status: ResourceStatus,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
