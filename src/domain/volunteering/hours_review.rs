//! The review queue of the hours ledger: the entries an organiser or administrator may decide
//! (their tasks' and their scope's, never their own), oldest first, each with whose it is.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::duties;
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::people::users;
use crate::domain::{DomainError, DomainResult};
use entity::hours_entry::{self, HoursStatus};
use entity::task;
use entity::user::{self, Role};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Filters on the review list.
#[derive(Clone, Debug, Default)]
pub struct ReviewFilter {
    pub status: Option<HoursStatus>,
    pub task_id: Option<Uuid>,
    pub disputed: Option<bool>,
}

/// An entry on the review list, with the volunteer it belongs to (so the reviewer sees a name,
/// as on a task's roster, not only an id).
#[derive(Clone, Debug)]
pub struct ReviewLine {
    pub entry: hours_entry::Model,
    pub volunteer: user::Model,
}

/// Entries the actor may decide, oldest first: for their tasks, and in their scope.
pub async fn list_for_review(
    db: &impl ConnectionTrait,
    actor: &Actor,
    f: ReviewFilter,
    page: PageRequest,
) -> DomainResult<Page<ReviewLine>> {
    if actor.role == Role::Volunteer {
        return Err(DomainError::forbidden("volunteers do not review hours"));
    }
    let my_tasks = Query::select()
        .column(task::Column::Id)
        .from(task::Entity)
        .cond_where(
            Condition::any()
                .add(task::Column::CreatedBy.eq(actor.user_id))
                .add(task::Column::LeaderId.eq(actor.user_id)),
        )
        .to_owned();
    let mut scope = Condition::any().add(hours_entry::Column::TaskId.in_subquery(my_tasks));
    let root = actor.work_root(db).await?;
    match (actor.role, root) {
        (Role::CityAdmin, _) => scope = Condition::all(),
        (_, Some(root)) => scope = scope.add(hours_entry::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root))),
        _ => {}
    }
    let mut q = hours_entry::Entity::find().filter(scope).filter(hours_entry::Column::VolunteerId.ne(actor.user_id));
    if let Some(s) = f.status {
        q = q.filter(hours_entry::Column::Status.eq(s));
    }
    if f.status == Some(HoursStatus::Pending) {
        q = q.filter(duties::decidable_by(actor, hours_entry::Column::VolunteerId));
    }
    if let Some(t) = f.task_id {
        q = q.filter(hours_entry::Column::TaskId.eq(t));
    }
    if let Some(d) = f.disputed {
        q = if d {
            q.filter(hours_entry::Column::DisputedAt.is_not_null())
        } else {
            q.filter(hours_entry::Column::DisputedAt.is_null())
        };
    }
    let p = page::fetch(db, q, hours_entry::Column::Id, Order::OldestFirst, page, |e| e.id).await?;
    let people = users::by_ids(db, p.items.iter().map(|e| e.volunteer_id)).await?;
    let items = p
        .items
        .into_iter()
        .filter_map(|entry| people.get(&entry.volunteer_id).map(|v| ReviewLine { volunteer: v.clone(), entry }))
        .collect();
    Ok(Page { items, next_cursor: p.next_cursor })
}
