//! `org_units`: one node of the org tree (city centre, district centre, station, room, …).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of unit a node of the org tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitKind {
    /// 市级指导中心: the root of a city's tree.
    CityCenter,
    /// 区级指导中心: a district guidance centre.
    DistrictCenter,
    /// 社工站: a town-level social-work station.
    TownStation,
    /// 社工室: a community-level social-work room.
    CommunityRoom,
    /// 社会组织: a social organisation, attached anywhere.
    SocialOrg,
    /// 社区: a residential community, attached anywhere.
    Community,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "org_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: OrgUnitKind,
    pub name: String,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub time_zone: String,
    /// Person in charge (负责人), named on the certificates the unit issues.
    pub person_in_charge: Option<String>,
    /// Public contact number of the unit (not a person's private phone).
    pub contact_phone: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "Entity", from = "Column::ParentId", to = "Column::Id")]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}

/// Joins a unit to the closure rows in which it is the ancestor.
impl Related<super::org_unit_closure::Entity> for Entity {
    fn to() -> RelationDef {
        super::org_unit_closure::Relation::Ancestor.def().rev()
    }
}
