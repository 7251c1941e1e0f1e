//! `mentor_loads`: the number of active mentees of each mentor (the counter the cap is kept on).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mentor_loads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mentor_id: Uuid,
    pub active_mentees: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
