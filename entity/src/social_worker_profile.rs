//! `social_worker_profiles`: a social worker's qualification level, employer and front-line start.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The national social-work qualification levels (人社部规〔2018〕2号).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum QualificationLevel {
    /// 助理社会工作师
    AssistantSocialWorker,
    /// 社会工作师
    SocialWorker,
    /// 高级社会工作师
    SeniorSocialWorker,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "social_worker_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub qualification_level: Option<QualificationLevel>,
    pub employer_org_unit_id: Option<Uuid>,
    pub front_line_since: Option<Date>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::UserId", to = "super::user::Column::Id")]
    User,
}

impl ActiveModelBehavior for ActiveModel {}
