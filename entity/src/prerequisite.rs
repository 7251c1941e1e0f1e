//! `prerequisites`: what a task or a course requires of the people who sign up or enrol.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a requirement asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PrerequisiteKind {
    /// A verified, unexpired credential of `credential_kind`.
    Credential,
    /// A qualification level of at least `min_level`.
    Level,
    /// `course_id` completed (attended, credited).
    Course,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "prerequisites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `task` or `course`.
    pub subject_type: String,
    pub subject_id: Uuid,
    pub kind: PrerequisiteKind,
    pub credential_kind: Option<String>,
    pub min_level: Option<super::social_worker_profile::QualificationLevel>,
    pub course_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
