//! The org tree (city centre → district centres → town stations → community rooms, with social
//! organisations and communities attached anywhere) and the closure table that answers "is X
//! under Y" and "everything under Y" with one indexed lookup.
//!
//! Tables: `org_units`, `org_unit_closure`. Only city administrators change the tree; anyone
//! signed in reads it.

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::geo::validate_lat_lng;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time::{self, validate_time_zone};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Utc};
use entity::org_unit::{self, OrgUnitKind};
use entity::org_unit_closure as closure;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Whether a unit of kind `child` may sit under a unit of kind `parent` (`None`: at the root).
///
/// The spine is city centre → district centre → town station → community room (a district may
/// be skipped: some cities run city → town). Social organisations and communities attach
/// anywhere below the root, and a community may hold a community room.
pub fn may_contain(parent: Option<OrgUnitKind>, child: OrgUnitKind) -> bool {
    use OrgUnitKind::*;
    match (parent, child) {
        (None, CityCenter) => true,
        (None, _) | (Some(_), CityCenter) => false,
        (Some(CityCenter), DistrictCenter) => true,
        (Some(CityCenter | DistrictCenter), TownStation) => true,
        (Some(TownStation | Community | SocialOrg), CommunityRoom) => true,
        (Some(_), SocialOrg | Community) => true,
        _ => false,
    }
}

/// A unit to create.
pub struct NewOrgUnit {
    pub parent_id: Option<Uuid>,
    pub kind: OrgUnitKind,
    pub name: String,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub time_zone: Option<String>,
    pub person_in_charge: Option<String>,
    pub contact_phone: Option<String>,
}

/// Changes to a unit; `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Default)]
pub struct OrgUnitPatch {
    pub parent_id: Option<Uuid>,
    pub name: Option<String>,
    pub region_code: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub location: Option<Option<(f64, f64)>>,
    pub time_zone: Option<String>,
    pub person_in_charge: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
}

/// Serialises tree changes on PostgreSQL (SQLite's IMMEDIATE transactions already do), so two
/// concurrent moves cannot together build a cycle that neither saw.
async fn lock_tree(txn: &impl ConnectionTrait) -> DomainResult<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7237001)").await?;
    }
    Ok(())
}

/// Creates a unit under its parent. City administrators only.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewOrgUnit,
) -> DomainResult<org_unit::Model> {
    actor.require_city_admin()?;
    write(db, async |txn| create_in(txn, actor, now, new).await).await
}

async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewOrgUnit,
) -> DomainResult<org_unit::Model> {
    let name = required_text("name", &new.name)?;
    validate_lat_lng(new.lat, new.lng)?;
    if let Some(tz) = &new.time_zone {
        validate_time_zone(tz)?;
    }
    lock_tree(txn).await?;
    let parent = match new.parent_id {
        Some(pid) => Some(
            org_unit::Entity::find_by_id(pid)
                .one(txn)
                .await?
                .ok_or_else(|| DomainError::invalid("parent_not_found", "parentId names no org unit"))?,
        ),
        None => None,
    };
    check_placement(parent.as_ref().map(|p| p.kind), new.kind)?;
    // A unit keeps its parent's clock unless told otherwise: a station abroad makes its rooms
    // abroad too.
    let time_zone = match new.time_zone {
        Some(tz) => tz,
        None => time::first_zone([parent.as_ref().map(|p| p.time_zone.as_str())]).name().to_string(),
    };

    let id = Uuid::now_v7();
    let model = org_unit::ActiveModel {
        id: Set(id),
        parent_id: Set(new.parent_id),
        kind: Set(new.kind),
        name: Set(name),
        region_code: Set(clean_opt(new.region_code)),
        address: Set(clean_opt(new.address)),
        lat: Set(new.lat),
        lng: Set(new.lng),
        time_zone: Set(time_zone),
        person_in_charge: Set(clean_opt(new.person_in_charge)),
        contact_phone: Set(clean_opt(new.contact_phone)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;

    // The new unit is its own descendant at depth 0, and one level below each of its parent's
    // ancestors.
    closure::Entity::insert(closure::ActiveModel { ancestor_id: Set(id), descendant_id: Set(id), depth: Set(0) })
        .exec_without_returning(txn)
        .await?;
    if let Some(pid) = new.parent_id {
        let insert = Query::insert()
            .into_table(closure::Entity)
            .columns([closure::Column::AncestorId, closure::Column::DescendantId, closure::Column::Depth])
            .select_from(
                Query::select()
                    .column(closure::Column::AncestorId)
                    .expr(Expr::val(id))
                    .expr(Expr::col(closure::Column::Depth).add(1))
                    .from(closure::Entity)
                    .and_where(closure::Column::DescendantId.eq(pid))
                    .to_owned(),
            )
            .map_err(|e| DomainError::Internal(e.to_string()))?
            .to_owned();
        txn.execute(&insert).await?;
    }
    audit::record(txn, now, Change::new(actor.user_id, "org_unit.create", "org_unit", id).after(&model)).await?;
    Ok(model)
}

/// Edits a unit, moving it (with its subtree) when `parent_id` changes. City administrators only.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    patch: OrgUnitPatch,
) -> DomainResult<org_unit::Model> {
    actor.require_city_admin()?;
    write(db, async |txn| update_in(txn, actor, now, id, patch).await).await
}

async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    patch: OrgUnitPatch,
) -> DomainResult<org_unit::Model> {
    lock_tree(txn).await?;
    let before = get(txn, id).await?;
    let mut am: org_unit::ActiveModel = before.clone().into();
    if let Some(name) = patch.name {
        am.name = Set(required_text("name", &name)?);
    }
    if let Some(rc) = patch.region_code {
        am.region_code = Set(clean_opt(rc));
    }
    if let Some(addr) = patch.address {
        am.address = Set(clean_opt(addr));
    }
    if let Some(loc) = patch.location {
        validate_lat_lng(loc.map(|l| l.0), loc.map(|l| l.1))?;
        am.lat = Set(loc.map(|l| l.0));
        am.lng = Set(loc.map(|l| l.1));
    }
    if let Some(tz) = patch.time_zone {
        validate_time_zone(&tz)?;
        am.time_zone = Set(tz);
    }
    if let Some(p) = patch.person_in_charge {
        am.person_in_charge = Set(clean_opt(p));
    }
    if let Some(c) = patch.contact_phone {
        am.contact_phone = Set(clean_opt(c));
    }
    let moving = patch.parent_id.filter(|p| Some(*p) != before.parent_id);
    if let Some(new_parent) = moving {
        let parent = org_unit::Entity::find_by_id(new_parent)
            .one(txn)
            .await?
            .ok_or_else(|| DomainError::invalid("parent_not_found", "parentId names no org unit"))?;
        if is_within(txn, id, new_parent).await? {
            return Err(DomainError::conflict(
                "org_unit_cycle",
                "an org unit cannot be moved under itself or one of its descendants",
            ));
        }
        check_placement(Some(parent.kind), before.kind)?;
        am.parent_id = Set(Some(new_parent));
        // Figures summed up the tree (statistics' rollups) follow the subtree to its new place.
        crate::domain::registry::org_subtree_moving(txn, id).await?;
        move_subtree(txn, id, new_parent).await?;
        crate::domain::registry::org_subtree_moved(txn, id).await?;
    }
    am.updated_at = Set(now);
    let after = am.update(txn).await?;
    let action = if moving.is_some() { "org_unit.move" } else { "org_unit.update" };
    audit::record(txn, now, Change::new(actor.user_id, action, "org_unit", id).before(&before).after(&after)).await?;
    Ok(after)
}

/// Rewrites the closure rows of `id`'s subtree to hang under `new_parent`.
async fn move_subtree(txn: &impl ConnectionTrait, id: Uuid, new_parent: Uuid) -> DomainResult<()> {
    // Forget every link from outside the subtree into it...
    let delete = Query::delete()
        .from_table(closure::Entity)
        .and_where(closure::Column::DescendantId.in_subquery(subtree_ids(id)))
        .and_where(closure::Column::AncestorId.not_in_subquery(subtree_ids(id)))
        .to_owned();
    txn.execute(&delete).await?;
    // ...then link every ancestor of the new parent (itself included) to every node of it.
    let (p, s) = (Alias::new("p"), Alias::new("s"));
    let insert = Query::insert()
        .into_table(closure::Entity)
        .columns([closure::Column::AncestorId, closure::Column::DescendantId, closure::Column::Depth])
        .select_from(
            Query::select()
                .column((p.clone(), closure::Column::AncestorId))
                .column((s.clone(), closure::Column::DescendantId))
                .expr(
                    Expr::col((p.clone(), closure::Column::Depth))
                        .add(Expr::col((s.clone(), closure::Column::Depth)))
                        .add(1),
                )
                .from_as(closure::Entity, p.clone())
                .from_as(closure::Entity, s.clone())
                .and_where(Expr::col((p, closure::Column::DescendantId)).eq(new_parent))
                .and_where(Expr::col((s, closure::Column::AncestorId)).eq(id))
                .to_owned(),
        )
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .to_owned();
    txn.execute(&insert).await?;
    Ok(())
}

fn check_placement(parent: Option<OrgUnitKind>, child: OrgUnitKind) -> DomainResult<()> {
    if may_contain(parent, child) {
        return Ok(());
    }
    let detail = match parent {
        None => format!("a {} needs a parent unit", kind_name(child)),
        Some(p) => format!("a {} cannot be placed under a {}", kind_name(child), kind_name(p)),
    };
    Err(DomainError::invalid("invalid_placement", detail))
}

fn kind_name(k: OrgUnitKind) -> &'static str {
    match k {
        OrgUnitKind::CityCenter => "city_center",
        OrgUnitKind::DistrictCenter => "district_center",
        OrgUnitKind::TownStation => "town_station",
        OrgUnitKind::CommunityRoom => "community_room",
        OrgUnitKind::SocialOrg => "social_org",
        OrgUnitKind::Community => "community",
    }
}

fn clean_opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// One unit, or 404.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<org_unit::Model> {
    org_unit::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("org unit"))
}

/// Whether `unit` is `ancestor` or lies below it.
pub async fn is_within(db: &impl ConnectionTrait, ancestor: Uuid, unit: Uuid) -> DomainResult<bool> {
    Ok(closure::Entity::find_by_id((ancestor, unit)).count(db).await? > 0)
}

/// A subquery selecting the ids of `root` and every unit below it.
pub fn subtree_ids(root: Uuid) -> SelectStatement {
    Query::select()
        .column(closure::Column::DescendantId)
        .from(closure::Entity)
        .and_where(closure::Column::AncestorId.eq(root))
        .to_owned()
}

/// The chain from the root down to `id` (inclusive).
pub async fn ancestors(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Vec<org_unit::Model>> {
    let rows = org_unit::Entity::find()
        .inner_join(closure::Entity)
        .filter(closure::Column::DescendantId.eq(id))
        .order_by_desc(closure::Column::Depth)
        .all(db)
        .await?;
    Ok(rows)
}

/// Each of `units` with the ids of the units above it, itself included (one read of the closure
/// table): what rollups add a fact to.
pub async fn ancestors_of_many(db: &impl ConnectionTrait, units: Vec<Uuid>) -> DomainResult<HashMap<Uuid, Vec<Uuid>>> {
    let mut above: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in closure::Entity::find().filter(closure::Column::DescendantId.is_in(units)).all(db).await? {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    Ok(above)
}

/// The nearest town station at or above `id`, if any: the "station" a person belongs to.
pub async fn station_of(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Option<Uuid>> {
    let row = org_unit::Entity::find()
        .inner_join(closure::Entity)
        .filter(closure::Column::DescendantId.eq(id))
        .filter(org_unit::Column::Kind.eq(OrgUnitKind::TownStation))
        .order_by_asc(closure::Column::Depth)
        .one(db)
        .await?;
    Ok(row.map(|r| r.id))
}

/// Filters on the unit list.
#[derive(Default)]
pub struct Filter {
    pub parent_id: Option<Uuid>,
    pub roots_only: bool,
    pub kind: Option<OrgUnitKind>,
    pub under: Option<Uuid>,
    pub name_contains: Option<String>,
}

/// Lists units, oldest first.
pub async fn list(db: &impl ConnectionTrait, filter: Filter, page: PageRequest) -> DomainResult<Page<org_unit::Model>> {
    let mut q = org_unit::Entity::find();
    if let Some(p) = filter.parent_id {
        q = q.filter(org_unit::Column::ParentId.eq(p));
    }
    if filter.roots_only {
        q = q.filter(org_unit::Column::ParentId.is_null());
    }
    if let Some(k) = filter.kind {
        q = q.filter(org_unit::Column::Kind.eq(k));
    }
    if let Some(root) = filter.under {
        q = q.filter(org_unit::Column::Id.in_subquery(subtree_ids(root)));
    }
    if let Some(n) = filter.name_contains.filter(|n| !n.trim().is_empty()) {
        q = q.filter(org_unit::Column::Name.contains(n.trim()));
    }
    Ok(page::fetch(db, q, org_unit::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgUnitKind::*;

    #[test]
    fn placement_rules() {
        assert!(may_contain(None, CityCenter));
        assert!(!may_contain(None, TownStation));
        assert!(!may_contain(Some(CityCenter), CityCenter));
        assert!(may_contain(Some(CityCenter), DistrictCenter));
        assert!(may_contain(Some(DistrictCenter), TownStation));
        assert!(may_contain(Some(CityCenter), TownStation));
        assert!(may_contain(Some(TownStation), CommunityRoom));
        assert!(!may_contain(Some(CommunityRoom), TownStation));
        assert!(!may_contain(Some(TownStation), DistrictCenter));
        for parent in [CityCenter, DistrictCenter, TownStation, CommunityRoom, SocialOrg, Community] {
            assert!(may_contain(Some(parent), SocialOrg));
            assert!(may_contain(Some(parent), Community));
        }
    }
}
