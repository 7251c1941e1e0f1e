//! `training_sessions`: one sitting of a course, with its seats (a `seats` pool).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether a session takes place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Scheduled,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "training_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub course_id: Uuid,
    /// Who teaches and records attendance.
    pub trainer_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub capacity: i32,
    /// Confirmed seats taken.
    pub filled: i32,
    /// The last waitlist position handed out.
    pub waitlist_seq: i32,
    pub enrol_deadline: DateTimeUtc,
    pub status: SessionStatus,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
