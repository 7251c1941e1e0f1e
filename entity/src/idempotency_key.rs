//! `idempotency_keys`: the first answer to a request sent with an `Idempotency-Key`, kept (sealed)
//! for 24 hours so a repeat gets the same answer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The caller's user id, or `anonymous` for operations open to everyone.
    pub scope: String,
    pub key: String,
    /// The operationId the key was first used for.
    pub operation: String,
    /// Keyed hash of method, path and body: a repeat must match it.
    pub fingerprint: String,
    pub user_id: Option<Uuid>,
    /// `None` while the first request is still running.
    pub status_code: Option<i32>,
    /// The answer, sealed with the data key.
    pub response: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    /// A running request holds the key until then (a crashed one releases it).
    pub locked_until: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
