//! `birth_dates`: the birth date given at registration, sealed with the data key. Kept apart from
//! the real-name identity, so that withdrawing the identity consent does not lift the guardian
//! rule; `guardian_until` (the 14th birthday, set only for people under 14) lets a sign-up check
//! the rule without opening the seal.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "birth_dates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub birth_sealed: Vec<u8>,
    /// Until this date (exclusive) the person needs a confirmed guardian to sign up.
    pub guardian_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
