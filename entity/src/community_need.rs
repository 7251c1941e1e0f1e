//! `community_needs`: residents' needs recorded by a community room (需求清单).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    /// 养老: care of the elderly.
    ElderlyCare,
    /// 儿童: children and youth.
    ChildCare,
    /// 助残: people with disabilities.
    Disability,
    /// 困难帮扶: households in hardship.
    Hardship,
    /// 健康: health.
    Health,
    /// 环境: the living environment.
    Environment,
    /// 安全: safety and emergencies.
    Safety,
    /// 文体: culture and sport.
    Culture,
    Other,
}

/// How soon a need must be met.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, PartialOrd, Ord,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
    Urgent,
}

/// Where a need stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    Open,
    /// A project answers it.
    Answered,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "community_needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub kind: NeedKind,
    pub title: String,
    pub description: Option<String>,
    pub households: Option<i32>,
    pub people: Option<i32>,
    pub urgency: Urgency,
    pub place: Option<String>,
    /// Whether the resident agreed to leave a contact.
    pub contact_consented: bool,
    /// A resident's contact, only with their consent.
    pub contact: Option<String>,
    pub status: NeedStatus,
    pub project_id: Option<Uuid>,
    pub answered_by: Option<Uuid>,
    pub answered_at: Option<DateTimeUtc>,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
