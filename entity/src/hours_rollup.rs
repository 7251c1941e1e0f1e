//! `hours_rollups`: approved service per org unit × month (`2026-12`, of the entries' service
//! dates) × action line: minutes and service count (人次). Every approved entry counts at its
//! unit and at each unit above it. The ledger (`hours_entries`) stays the record; these rows are
//! its sums, for statistics.

use crate::task::ActionLine;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hours_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    /// The task's action line; `other` for service without a task.
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_line: ActionLine,
    pub minutes: i64,
    /// Approved entries (人次); a correction's adjusting entry is not another service.
    pub service_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
