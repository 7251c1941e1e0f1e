//! `people_rollups`: people counted per org unit under a figure and a bucket (volunteers joined
//! by month, social workers, people by highest star level), each at their home unit and every
//! unit above it. The people (`users`, `star_awards`) stay the record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_unit_id: Uuid,
    /// `volunteers_joined`, `social_workers` or `star_level`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub figure: String,
    /// The month number (`year * 12 + month - 1`) of `volunteers_joined`, the level of
    /// `star_level`, 0 otherwise.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: i32,
    pub people: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
