//! `announcements`: a message from a station or city administrator to everyone in an org
//! subtree (optionally only some roles), fanned out to inboxes in batches.

use crate::json_text::json_text;
use crate::user::Role;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The roles an announcement is for (empty: everyone), kept as a JSON array of role names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AnnouncementRoles(pub Vec<Role>);
json_text!(AnnouncementRoles);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "announcements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Option<Uuid>,
    /// The root of the audience's subtree.
    pub org_unit_id: Uuid,
    /// A JSON array of roles; empty: everyone.
    #[sea_orm(column_type = "Text")]
    pub roles: AnnouncementRoles,
    pub title: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// Recipients given an inbox row so far.
    pub recipients: i32,
    /// When the last batch was written.
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
