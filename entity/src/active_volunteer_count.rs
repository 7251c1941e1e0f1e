//! `active_volunteer_counts`: how many volunteers served in a unit's subtree in `month` whose
//! last month of service there before it was `previous` (0: none within the statistics' reach).
//! The volunteers active in a span `[a, b]` are the sum over `month` in it with `previous < a`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "active_volunteer_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub previous: i32,
    pub volunteers: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
