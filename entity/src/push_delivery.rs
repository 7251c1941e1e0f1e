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
    /// `sending`, `delivered`, `dropped` (token dead), `retry`, `failed`.
    pub status: String,
    pub attempts: i32,
    /// The provider's last answer, e.g. `UNAVAILABLE`; never a token.
    pub last_outcome: Option<String>,
    /// A sender holds the row until then.
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
