//! `push_deliveries`: one row per notification and device: the push's idempotency key and the
//! outcome of its attempts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub notification_id: Uuid,
    pub device_id: Uuid,
    /// `pending` (not yet claimed), `sending` (claimed by a job's run), `delivered`, `dropped`
    /// (token dead), `retry` (to be sent again), `failed` (retrying cannot help), `skipped` (no
    /// longer to be pushed: muted, device gone or person inactive).
    pub status: String,
    pub attempts: i32,
    /// The provider's last answer, e.g. `UNAVAILABLE`; never a token.
    pub last_outcome: Option<String>,
    /// A sender holds the row until then (wall clock); past it, anyone may take it over.
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The job whose run holds the claim: its next run (the first died) takes it over at once.
    pub claim_job_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
