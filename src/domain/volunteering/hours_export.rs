//! The hours export for administrators: which entries an export covers and its lines, read in
//! batches for the streamed CSV.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, PageRequest};
use crate::domain::people::users;
use crate::domain::{DomainError, DomainResult};
use chrono::NaiveDate;
use entity::hours_entry::{self, HoursStatus};
use entity::task;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Which entries an export holds.
#[derive(Clone, Debug, Default)]
pub struct ExportFilter {
    /// Recorded by this unit or one below it (must be in the administrator's scope).
    pub under: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub status: Option<HoursStatus>,
}

/// One exported line.
#[derive(Clone, Debug)]
pub struct ExportLine {
    pub entry: hours_entry::Model,
    pub volunteer_name: String,
    pub volunteer_number: String,
    pub task_title: Option<String>,
    pub unit_name: String,
}

/// Checks an administrator may export `f` and returns the subtree root to export (`None`:
/// everything, for a city administrator).
pub async fn export_scope(db: &impl ConnectionTrait, actor: &Actor, f: &ExportFilter) -> DomainResult<Option<Uuid>> {
    let root = actor.admin_scope_root()?;
    match f.under {
        Some(u) if actor.covers_unit(db, Some(u)).await? => Ok(Some(u)),
        Some(_) => Err(DomainError::not_found("org unit")),
        None => Ok(root),
    }
}

/// One batch of an export, after the entry `after`, oldest first; with the cursor of the next.
pub async fn export_batch(
    db: &impl ConnectionTrait,
    root: Option<Uuid>,
    f: &ExportFilter,
    after: Option<Uuid>,
    batch: u64,
) -> DomainResult<(Vec<ExportLine>, Option<Uuid>)> {
    let mut q = hours_entry::Entity::find();
    if let Some(r) = root {
        q = q.filter(hours_entry::Column::OrgUnitId.in_subquery(org_units::subtree_ids(r)));
    }
    if let Some(d) = f.from {
        q = q.filter(hours_entry::Column::ServiceDate.gte(d));
    }
    if let Some(d) = f.to {
        q = q.filter(hours_entry::Column::ServiceDate.lte(d));
    }
    if let Some(s) = f.status {
        q = q.filter(hours_entry::Column::Status.eq(s));
    }
    let page =
        page::fetch(db, q, hours_entry::Column::Id, Order::OldestFirst, PageRequest { after, limit: batch }, |e| e.id)
            .await?;
    let next = page.items.last().map(|e| e.id).filter(|_| page.next_cursor.is_some());
    let people = users::by_ids(db, page.items.iter().map(|e| e.volunteer_id)).await?;
    let task_ids: Vec<Uuid> = page.items.iter().filter_map(|e| e.task_id).collect();
    let titles: std::collections::HashMap<Uuid, String> = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.title))
        .collect();
    let unit_ids: Vec<Uuid> = page.items.iter().map(|e| e.org_unit_id).collect();
    let units: std::collections::HashMap<Uuid, String> = entity::org_unit::Entity::find()
        .filter(entity::org_unit::Column::Id.is_in(unit_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let lines = page
        .items
        .into_iter()
        .map(|e| {
            let person = people.get(&e.volunteer_id);
            ExportLine {
                volunteer_name: person.map(|p| p.name.clone()).unwrap_or_default(),
                volunteer_number: person.map(|p| p.volunteer_number.clone()).unwrap_or_default(),
                task_title: e.task_id.and_then(|t| titles.get(&t).cloned()),
                unit_name: units.get(&e.org_unit_id).cloned().unwrap_or_default(),
                entry: e,
            }
        })
        .collect();
    Ok((lines, next))
}
