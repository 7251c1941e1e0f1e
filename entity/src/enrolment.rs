//! `enrolments`: one person's place in one training session.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an enrolment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
    /// Attended the whole session (the course's hours are credited).
    Attended,
    /// Did not attend (recorded by the trainer).
    Absent,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    pub person_id: Uuid,
    pub status: EnrolmentStatus,
    /// Waitlist position, while waitlisted.
    pub position: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
