//! `jobs`: the embedded job queue (used when no Redis is configured). Times are milliseconds
//! since the Unix epoch, so claims compare integers on both databases.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue: String,
    pub kind: String,
    /// The job's JSON payload, as text.
    pub payload: String,
    pub dedupe_key: Option<String>,
    /// `ready`, `running` or `dead`.
    pub state: String,
    /// Not to run before this instant (ms).
    pub run_at_ms: i64,
    /// Failed runs so far.
    pub attempts: i32,
    /// Claims since the job was last (re)queued; a claim that never finished counts here.
    pub deliveries: i32,
    /// The claim that holds a running job.
    pub lock_token: Option<Uuid>,
    /// When a running job's lease ends (wall clock, ms).
    pub locked_until_ms: Option<i64>,
    pub last_error: Option<String>,
    pub enqueued_at_ms: i64,
    pub failed_at_ms: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
