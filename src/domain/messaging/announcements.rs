//! Announcements: a station administrator tells everyone in their subtree, a city administrator
//! anyone, optionally only some roles. Creating one writes the announcement and the first
//! fan-out job in one transaction; the fan-out (`worker::announce`) runs in batches, so 10,000
//! recipients are neither one job nor one transaction, and gives each recipient one inbox row
//! and pushes.
//!
//! Table: `announcements`.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::{DomainError, DomainResult, kernel::org_units, required_text};
use chrono::{DateTime, Utc};
use entity::announcement::{self, AnnouncementRoles};
use entity::user::Role;
use jobs::{Job, JobOptions};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Job: one batch of an announcement's fan-out: recipients after `after` (by id).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fanout {
    pub announcement_id: Uuid,
    pub after: Option<Uuid>,
}

impl Job for Fanout {
    const KIND: &'static str = "announcement.fanout";
    const OPTIONS: JobOptions = JobOptions { timeout: std::time::Duration::from_secs(120), ..JobOptions::DEFAULT };
    /// One job per batch.
    fn dedupe_key(&self) -> Option<String> {
        let after = self.after.map(|a| a.to_string()).unwrap_or_default();
        Some(format!("announce:{}:{after}", self.announcement_id))
    }
}

/// An announcement to publish.
pub struct NewAnnouncement {
    /// Root of the audience; default: the author's own unit.
    pub org_unit_id: Option<Uuid>,
    /// Only these roles; empty: everyone.
    pub roles: Vec<Role>,
    pub title: String,
    pub body: String,
}

/// The roles of an announcement.
pub fn roles_of(a: &announcement::Model) -> Vec<Role> {
    a.roles.0.clone()
}

/// Publishes an announcement to a subtree in the author's scope.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewAnnouncement,
) -> DomainResult<announcement::Model> {
    let scope = actor.admin_scope_root()?;
    let title = required_text("title", &new.title)?;
    let body = required_text("body", &new.body)?;
    let unit = new.org_unit_id.or(scope).ok_or_else(|| {
        DomainError::invalid("org_unit_required", "orgUnitId is required: name the subtree to announce to")
    })?;
    org_units::get(db, unit).await?;
    if !actor.covers_unit(db, Some(unit)).await? {
        return Err(DomainError::not_found("org unit"));
    }
    let mut roles = new.roles;
    roles.sort_by_key(|r| r.rank());
    roles.dedup();
    write(db, async |txn| {
        let id = Uuid::now_v7();
        let model = announcement::ActiveModel {
            id: Set(id),
            author_id: Set(Some(actor.user_id)),
            org_unit_id: Set(unit),
            roles: Set(AnnouncementRoles(roles.clone())),
            title: Set(title.clone()),
            body: Set(body.clone()),
            created_at: Set(now),
            recipients: Set(0),
            completed_at: Set(None),
        }
        .insert(txn)
        .await?;
        jobs::outbox::enqueue(txn, &Fanout { announcement_id: id, after: None }).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "announcement.create", "announcement", id).after(&serde_json::json!({
                "orgUnitId": unit, "roles": roles, "title": title,
            })),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// Announcements to units in the actor's scope, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<announcement::Model>> {
    let mut q = announcement::Entity::find();
    if let Some(root) = actor.admin_scope_root()? {
        q = q.filter(announcement::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    Ok(page::fetch(db, q, announcement::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}

/// One announcement in the actor's scope, or 404.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<announcement::Model> {
    actor.admin_scope_root()?;
    let a = announcement::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("announcement"))?;
    if !actor.covers_unit(db, Some(a.org_unit_id)).await? {
        return Err(DomainError::not_found("announcement"));
    }
    Ok(a)
}
