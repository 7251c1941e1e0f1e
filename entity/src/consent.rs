//! `consents`: what a person agreed to (purpose and version of the text), when, by whom, and
//! when they withdrew it. Rows are never deleted: they are the record that processing was lawful.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a consent is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Real-name identity number (sensitive).
    Identity,
    /// Health notes on a volunteer profile (sensitive).
    Health,
    /// A guardian's consent for a person under 14 (sensitive).
    Guardian,
    /// Location while serving (check-in), sensitive whereabouts.
    Location,
    /// The privacy policy accepted when the account was opened (withdrawn only by erasure).
    Account,
}

/// Who gave a consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum GivenBy {
    /// The person themselves.
    Person,
    /// Their guardian (for a person under 14).
    Guardian,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// Version of the text agreed to.
    pub version: String,
    pub given_by: GivenBy,
    pub given_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
