//! `guardians`: the guardian of a person under 14, whose consent lets them take part; the
//! contact (name and phone) is sealed with the data key. A guardian is recorded first, then
//! confirmed by a code sent to the guardian's own phone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guardians")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Sealed JSON `{"name": …, "phone": …}`.
    pub contact_sealed: Vec<u8>,
    /// e.g. `parent`, `grandparent`, `legal_guardian`.
    pub relationship: String,
    /// Blind index of the guardian's phone, so a guardian can withdraw without an account.
    pub phone_index: Option<String>,
    /// When the guardian confirmed with a code sent to their own phone; until then the consent
    /// is not recorded and the person signs up for nothing.
    pub confirmed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
