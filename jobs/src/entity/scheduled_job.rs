//! `scheduled_jobs`: jobs due at a future instant under a key the caller chooses, so they can be
//! moved or cancelled (e.g. "reminder 24 h before signup X"); a minutely scan enqueues what is due.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub kind: String,
    /// The job's JSON payload, as text.
    pub payload: String,
    /// When it is due (UTC, ms).
    pub due_at_ms: i64,
    /// When the scan enqueued it (ms); `None` while waiting.
    pub fired_at_ms: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
