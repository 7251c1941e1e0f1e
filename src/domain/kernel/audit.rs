//! The audit log: every change an administrator makes is recorded with who, what, when, and the
//! state before and after, and so is every change to a task or a sign-up, whoever makes it.
//! City administrators read it, filtered by target, person or action.

use crate::domain::DomainResult;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// One change to record.
pub struct Change<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

impl<'a> Change<'a> {
    /// A change by `actor` of action `action` to one target.
    pub fn new(actor: Uuid, action: &'a str, target_type: &'a str, target_id: Uuid) -> Self {
        Change {
            actor: Some(actor),
            action,
            target_type,
            target_id: Some(target_id),
            before: None,
            after: None,
            reason: None,
        }
    }
    /// The state before.
    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    /// The state after.
    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
    /// Why, when the actor gave a reason.
    pub fn reason(mut self, r: Option<String>) -> Self {
        self.reason = r;
        self
    }
}

/// Writes one audit row, in the caller's transaction so it commits with the change.
pub async fn record(conn: &impl ConnectionTrait, now: DateTime<Utc>, change: Change<'_>) -> DomainResult<()> {
    let row = audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(change.actor),
        action: Set(change.action.to_string()),
        target_type: Set(change.target_type.to_string()),
        target_id: Set(change.target_id),
        before: Set(change.before),
        after: Set(change.after),
        reason: Set(change.reason),
        at: Set(now),
    };
    audit_log::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(())
}

/// Filters on the audit log.
#[derive(Default)]
pub struct Filter {
    pub actor_id: Option<Uuid>,
    pub target_type: Option<String>,
    pub target_id: Option<Uuid>,
    pub action: Option<String>,
}

/// Newest entries first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: Filter,
    page: PageRequest,
) -> DomainResult<Page<audit_log::Model>> {
    let mut q = audit_log::Entity::find();
    if let Some(a) = filter.actor_id {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(t) = filter.target_type {
        q = q.filter(audit_log::Column::TargetType.eq(t));
    }
    if let Some(t) = filter.target_id {
        q = q.filter(audit_log::Column::TargetId.eq(t));
    }
    if let Some(a) = filter.action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    Ok(page::fetch(db, q, audit_log::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}
