//! `active_volunteer_months`: a month (`year * 12 + month - 1`) in which a volunteer had approved
//! service in a unit's subtree, kept at the entry's unit and at each unit above it. The ledger
//! (`hours_entries`) stays the record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "active_volunteer_months")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
