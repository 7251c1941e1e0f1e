//! `identities`: a person's real-name identity (实名): resident identity number and real name,
//! sealed with the data key; `number_index` is a keyed hash (blind index) for uniqueness and
//! exact look-up.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub number_sealed: Vec<u8>,
    #[sea_orm(unique)]
    pub number_index: String,
    pub name_sealed: Vec<u8>,
    /// From the number; decides whether a guardian must consent (under 14).
    pub birth_date: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
