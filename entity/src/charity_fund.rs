//! `charity_funds`: a community charity fund (社区慈善基金) of one org unit, with its running
//! totals in fen (分). What may still be granted is `donated_fen - granted_fen`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "charity_funds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The community, station or city whose fund it is (one each).
    #[sea_orm(unique)]
    pub org_unit_id: Uuid,
    pub name: String,
    pub donated_fen: i64,
    /// Committed to approved grants.
    pub granted_fen: i64,
    /// Paid out against approved grants.
    pub disbursed_fen: i64,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
