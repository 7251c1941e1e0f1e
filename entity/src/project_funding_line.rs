//! `project_funding_lines`: the money behind a project, one line per source.

use crate::project::FundingKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "project_funding_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub kind: FundingKind,
    pub amount_fen: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    /// What the money must deliver.
    pub deliverables: Option<String>,
    /// The charity-fund grant (charity grant lines only; one line per grant).
    pub grant_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
