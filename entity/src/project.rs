//! `projects`: service projects (服务项目) owned by an org unit, optionally run by a social
//! organisation.

use crate::task::ActionLine;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether a project runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Open,
    /// Closed with its evaluation (结项); final.
    Closed,
}

/// Where a funding line's money comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FundingKind {
    /// 政府购买服务: a government purchase-of-service contract.
    GovernmentPurchase,
    /// A community charity fund's grant (`fund_grants`).
    CharityGrant,
    /// 公益创投: a venture-philanthropy award.
    VentureAward,
    /// Raised by the project itself.
    SelfRaised,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub summary: Option<String>,
    pub owner_unit_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub action_line: ActionLine,
    pub starts_on: Date,
    pub ends_on: Date,
    pub status: ProjectStatus,
    pub closing_evaluation: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
