//! `task_invitations`: a person asked to join a task, by the dispatch on publishing or by a
//! cover-needed wave, and what came of it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How the person was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum InvitationKind {
    /// Told of a newly published task that matches them.
    Dispatch,
    /// Offered a seat that freed up less than a day before the start.
    Cover,
}

/// What came of an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum InvitationStatus {
    /// Sent; no answer yet.
    Offered,
    /// The person took the seat offered.
    Accepted,
    /// Someone else took the seat first.
    Taken,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "task_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: InvitationKind,
    /// The cover-needed wave (1, 2, …); 0 for the dispatch.
    pub wave: i32,
    pub status: InvitationStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
