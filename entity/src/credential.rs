//! `credentials`: a certificate a person holds, its verification, expiry and registration (登记).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a credential stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Recorded by its holder, awaiting an administrator.
    Submitted,
    Verified,
    Rejected,
    /// Past its expiry date.
    Expired,
    /// Withdrawn by an administrator, with a reason.
    Revoked,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "credentials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub holder_id: Uuid,
    /// A national level (`assistant_social_worker`, `social_worker`, `senior_social_worker`) or
    /// the code of an administrator-defined kind.
    pub kind: String,
    /// The certificate number, unique per kind.
    pub number: String,
    pub issuing_body: String,
    pub issued_on: Date,
    pub expires_on: Option<Date>,
    /// Where the scanned certificate is kept (a file reference, never public).
    pub evidence_ref: String,
    /// The date of the latest registration (登记) or renewal, for national levels.
    pub registered_on: Option<Date>,
    pub status: CredentialStatus,
    /// Why it was rejected or revoked.
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
