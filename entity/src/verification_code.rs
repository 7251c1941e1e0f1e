//! `verification_codes`: the one live SMS code per phone and purpose. The code is kept only as a
//! keyed hash; the number and the code themselves are sealed with the data key until the SMS job
//! has sent them, then forgotten.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a code lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// Open an account on this number.
    Registration,
    /// Sign in without a password (and, with consent, register in the same step).
    SignIn,
    /// Set a new password.
    PasswordReset,
    /// Move an account to this (new) number.
    PhoneChange,
    /// A guardian consents for a person under 14.
    Guardian,
    /// A guardian withdraws their consent.
    GuardianWithdrawal,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_codes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Keyed hash of the E.164 number (`TokenService::phone_key`).
    pub phone_key: String,
    pub purpose: CodePurpose,
    /// Keyed hash of the code, bound to this row's id.
    pub code_hash: String,
    /// Sealed `{"phone": …, "code": …}` until sent; then null.
    pub sealed: Option<Vec<u8>>,
    /// Who asked, for codes that act on an account (phone change, guardian).
    pub subject_user_id: Option<Uuid>,
    /// Tries spent, right or wrong.
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub consumed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
