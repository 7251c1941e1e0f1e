//! `users`: every person, whatever their role.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What powers a person has on top of volunteering, which everyone may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 志愿者
    Volunteer,
    /// 社会工作者
    SocialWorker,
    /// 社工站管理员: manages the subtree of their org unit.
    StationAdmin,
    /// 区级管理员: manages the subtree of a district centre, and decides what its station
    /// administrators may not decide themselves.
    DistrictAdmin,
    /// 市级管理员: manages everything.
    CityAdmin,
}

impl Role {
    /// A rank for "may manage": a person may only grant or manage roles below their own.
    pub fn rank(self) -> u8 {
        match self {
            Role::Volunteer => 0,
            Role::SocialWorker => 1,
            Role::StationAdmin => 2,
            Role::DistrictAdmin => 3,
            Role::CityAdmin => 4,
        }
    }

    /// Whether the role administers people and org units.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::StationAdmin | Role::DistrictAdmin | Role::CityAdmin)
    }
}

/// Whether an account may sign in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Suspended,
    /// Anonymised at the person's or an administrator's request; kept so service records stay
    /// verifiable under the volunteer number.
    Erased,
}

/// The language a person reads messages in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Locale {
    #[sea_orm(string_value = "zh-CN")]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[sea_orm(string_value = "en")]
    #[serde(rename = "en")]
    En,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// E.164, unique.
    #[sea_orm(unique)]
    pub phone: String,
    pub name: String,
    #[serde(skip_serializing)]
    pub password_hash: String,
    pub role: Role,
    pub org_unit_id: Option<Uuid>,
    pub status: UserStatus,
    pub locale: Locale,
    pub time_zone: String,
    /// The public number shown instead of any identity number.
    #[sea_orm(unique)]
    pub volunteer_number: String,
    /// Bumped to invalidate every access token issued before.
    pub token_version: i32,
    /// The administrator who created the account; `None` when the person registered
    /// themselves or the command line created it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::org_unit::Entity", from = "Column::OrgUnitId", to = "super::org_unit::Column::Id")]
    OrgUnit,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::org_unit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrgUnit.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
