//! `mentoring_sessions`: one mentoring session as the mentor logged it, and the mentee's answer.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How a session was held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    InPerson,
    Phone,
    Online,
    /// Together on a service task (then linked to it).
    OnTask,
}

/// The mentee's answer to a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Pending,
    Acknowledged,
    Disputed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mentoring_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pairing_id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub held_at: DateTimeUtc,
    pub minutes: i32,
    pub mode: SessionMode,
    pub task_id: Option<Uuid>,
    /// JSON list of topic tags.
    pub topics: String,
    /// Visible to the pair and administrators in scope only.
    pub notes: Option<String>,
    pub status: SessionStatus,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub disputed_at: Option<DateTimeUtc>,
    pub dispute_comment: Option<String>,
    /// The earlier log this one corrects.
    pub corrects_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
