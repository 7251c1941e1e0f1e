//! `hours_totals`: a volunteer's approved minutes per period (`all`, a year `2026`, a month
//! `2026-12` of the entries' service dates), kept by every approval beside the ledger. The
//! ledger (`hours_entries`) stays the record; these rows are its sums, for ranking.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hours_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period: String,
    pub minutes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
