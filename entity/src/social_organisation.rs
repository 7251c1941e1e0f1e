//! `social_organisations`: the social organisations (社会组织) registered with a civil-affairs
//! authority and serving an area of the city's org tree.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The legal form an organisation is registered as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// 社会团体: a membership association.
    SocialGroup,
    /// 社会服务机构 (formerly 民办非企业单位): a non-profit service provider.
    SocialService,
    /// 基金会: a foundation.
    Foundation,
}

/// Whether the organisation is active in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrganisationStatus {
    Active,
    /// Deregistered (注销) or no longer serving here; kept for the records that name it.
    Inactive,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "social_organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// 统一社会信用代码: 18 characters, GB 32100-2015, check character verified.
    #[sea_orm(unique)]
    pub credit_code: String,
    pub name: String,
    pub kind: OrganisationKind,
    /// 登记管理机关: the civil-affairs authority it is registered with.
    pub registration_authority: String,
    /// 评估等级: 1 to 5 (1A to 5A); none when never evaluated.
    pub evaluation_grade: Option<i32>,
    pub evaluated_on: Option<Date>,
    /// The org unit whose area it serves; administrators of that unit's scope maintain it.
    pub service_unit_id: Uuid,
    pub contact_name: Option<String>,
    /// The organisation's public service phone (not a person's).
    pub service_phone: Option<String>,
    pub address: Option<String>,
    pub summary: Option<String>,
    pub status: OrganisationStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
