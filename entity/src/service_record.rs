//! `service_records`: a volunteer service record certificate (志愿服务记录证明) issued by the org
//! unit that recorded the hours, verifiable by its public code.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "service_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public verification code, unguessable.
    #[sea_orm(unique)]
    pub code: String,
    /// Human-facing certificate number.
    #[sea_orm(unique)]
    pub certificate_number: String,
    pub volunteer_id: Uuid,
    /// Kept at issue: the record must stay verifiable as issued.
    pub volunteer_name: String,
    pub volunteer_number: String,
    pub issuer_org_unit_id: Uuid,
    pub issuer_name: String,
    pub issuer_person_in_charge: Option<String>,
    pub issuer_contact: Option<String>,
    pub period_from: Date,
    pub period_to: Date,
    pub total_minutes: i32,
    /// What service it covers: the tasks' titles and action lines, summarised.
    pub content: String,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoke_reason: Option<String>,
    pub revoked_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
