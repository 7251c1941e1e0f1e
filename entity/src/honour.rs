//! `honours`: an award a person holds or held: decided by a programme, or recorded
//! automatically (star levels) with no programme.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an honour stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum HonourStatus {
    /// Decided; listed publicly and open to objections while its programme is in public notice
    /// (公示).
    Decided,
    /// An objection was upheld during the notice.
    Withdrawn,
    /// Published: on the honour wall and the person's profile.
    Published,
    /// Revoked after publication (fraud), with a reason.
    Revoked,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "honours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Option<Uuid>,
    pub nomination_id: Option<Uuid>,
    pub recipient_id: Uuid,
    pub kind: super::honour_programme::ProgrammeKind,
    pub year: i32,
    /// The award's name.
    pub title: String,
    pub citation: String,
    pub status: HonourStatus,
    /// For automatic honours: what earned it (`star:{person}:{level}`), once.
    pub auto_key: Option<String>,
    /// Why it was withdrawn or revoked.
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
