//! `outbox`: jobs written by domain transactions, moved into the job queue by the relay once
//! committed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    /// The job's JSON payload, as text.
    pub payload: String,
    pub dedupe_key: Option<String>,
    /// Not to run before this instant (ms), if set.
    pub run_at_ms: Option<i64>,
    pub created_at_ms: i64,
    /// A relay holds the row until then (ms).
    pub claimed_until_ms: Option<i64>,
    pub claim_token: Option<Uuid>,
    /// When the row reached the queue (ms).
    pub relayed_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
