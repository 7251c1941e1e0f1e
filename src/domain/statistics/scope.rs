//! Which org unit a statistic is about: one the viewer names within their administrative scope,
//! or by default the root of that scope (a station administrator's station, a district's centre,
//! a city administrator's city). A unit outside the scope is answered as if it did not exist.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::org_units;
use crate::domain::{DomainError, DomainResult};
use entity::org_unit;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// The unit `asked` for (or the viewer's scope root): 403 for anyone but administrators, 404 for
/// a unit that does not exist or lies outside the viewer's scope.
pub async fn unit_in_scope(
    db: &impl ConnectionTrait,
    actor: &Actor,
    asked: Option<Uuid>,
) -> DomainResult<org_unit::Model> {
    let root = actor.admin_scope_root()?;
    let id = match (asked, root, actor.org_unit_id) {
        (Some(unit), _, _) => unit,
        (None, Some(root), _) => root,
        // A city administrator sees everything: their own unit when they have one, else the
        // (oldest) root of the tree.
        (None, None, Some(own)) => own,
        (None, None, None) => {
            org_unit::Entity::find()
                .filter(org_unit::Column::ParentId.is_null())
                .order_by_asc(org_unit::Column::Id)
                .one(db)
                .await?
                .ok_or(DomainError::not_found("org unit"))?
                .id
        }
    };
    let unit = org_units::get(db, id).await?;
    if !actor.covers_unit(db, Some(unit.id)).await? {
        return Err(DomainError::not_found("org unit"));
    }
    Ok(unit)
}

/// The units one level below `unit`, oldest first.
pub async fn children(db: &impl ConnectionTrait, unit: Uuid) -> DomainResult<Vec<org_unit::Model>> {
    Ok(org_unit::Entity::find()
        .filter(org_unit::Column::ParentId.eq(unit))
        .order_by_asc(org_unit::Column::Id)
        .all(db)
        .await?)
}
