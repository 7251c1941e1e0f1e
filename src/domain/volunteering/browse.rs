//! Finding tasks: browsing published tasks near a point or by time, with filters and a cursor
//! over distance or start time, and listing the tasks one organises or leads.
//!
//! Browsing has two paths that answer the same page: the read model
//! ([`super::browse_index`]) when it is ready, and the reference query here (a bounding box on
//! the `(status, lat, lng, starts_at, id)` index, then the circle) while it is not.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::geo::{KM_PER_DEGREE, distance_km, validate_lat_lng};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{Page, PageRequest};
use crate::domain::volunteering::browse_index::{TaskIndex, distance2};
use crate::domain::volunteering::tasks::{TaskView, skills_of};
use crate::domain::{DomainError, DomainResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::org_unit_closure;
use entity::task::{self, ActionLine, TaskStatus};
use entity::task_skill;
use entity::user::Role;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How a browse is sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sort {
    Start,
    Distance,
}

/// What a volunteer browses for.
#[derive(Clone, Debug, Default)]
pub struct Browse {
    pub action_line: Option<ActionLine>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub under: Option<Uuid>,
    pub skill: Option<String>,
    /// (lat, lng, radius km)
    pub near: Option<(f64, f64, f64)>,
    pub sort: Option<Sort>,
}

/// Keyset position for browsing.
#[derive(Serialize, Deserialize)]
struct BrowseCursor {
    /// Sort key of the last item: start as epoch microseconds, or squared distance.
    k: f64,
    /// The squared distance's bits: a decimal `k` does not always parse back to the same
    /// number, and a cursor a hair below its key repeats the page's tie group for ever.
    #[serde(default)]
    b: Option<u64>,
    t: Option<i64>,
    id: Uuid,
}

fn encode(c: &BrowseCursor) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode(s: &str) -> DomainResult<BrowseCursor> {
    URL_SAFE_NO_PAD
        .decode(s)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| DomainError::invalid("invalid_cursor", "cursor is not one this API returned"))
}

/// Squared distance in "north-south degrees": longitude differences are shrunk by the cosine of
/// the centre's latitude (an equirectangular projection, within 1% at city scale). Pure
/// arithmetic, so it runs the same on PostgreSQL and SQLite, which has no trigonometry.
fn distance2_expr(lat: f64, lng: f64) -> Expr {
    use sea_orm::sea_query::ExprTrait;
    let k = lat.to_radians().cos();
    let dlat = Expr::col((task::Entity, task::Column::Lat)).sub(lat);
    let dlng = Expr::col((task::Entity, task::Column::Lng)).sub(lng).mul(k);
    dlat.clone().mul(dlat).add(dlng.clone().mul(dlng))
}

/// A validated browse: the filters as both paths apply them.
pub(crate) struct Plan {
    /// Tasks start strictly after this (now, or `from` when later).
    pub floor: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    pub action_line: Option<ActionLine>,
    pub under: Option<Uuid>,
    /// Trimmed and lower-cased.
    pub skill: Option<String>,
    pub near: Option<(f64, f64, f64)>,
    pub sort: Sort,
    /// Cursor position when sorting by start.
    pub after_start: Option<(DateTime<Utc>, Uuid)>,
    /// Cursor position when sorting by distance: (squared distance, id).
    pub after_key: Option<(f64, Uuid)>,
}

/// Half sides of the bounding box of a circle, in degrees of latitude and longitude.
pub(crate) fn box_of(lat: f64, radius_km: f64) -> (f64, f64) {
    let dlat = radius_km / KM_PER_DEGREE;
    (dlat, dlat / lat.to_radians().cos().max(0.01))
}

fn plan(now: DateTime<Utc>, f: Browse, cursor: Option<&str>) -> DomainResult<Plan> {
    let after = cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
    let sort = match (f.sort, f.near) {
        (Some(Sort::Distance), None) => {
            return Err(DomainError::validation("sorting by distance needs near=lat,lng"));
        }
        (Some(s), _) => s,
        (None, Some(_)) => Sort::Distance,
        (None, None) => Sort::Start,
    };
    if let Some((lat, lng, radius_km)) = f.near {
        validate_lat_lng(Some(lat), Some(lng))?;
        if !(radius_km > 0.0 && radius_km <= 500.0) {
            return Err(DomainError::validation("radiusKm must be above 0 and at most 500"));
        }
    }
    let (after_start, after_key) = match (sort, &after) {
        (Sort::Start, Some(c)) => {
            let t = DateTime::from_timestamp_micros(c.t.unwrap_or_default()).unwrap_or(now);
            (Some((t, c.id)), None)
        }
        (Sort::Distance, Some(c)) => (None, Some((c.b.map_or(c.k, f64::from_bits), c.id))),
        (_, None) => (None, None),
    };
    Ok(Plan {
        floor: f.from.map_or(now, |from| std::cmp::max(from, now)),
        to: f.to,
        action_line: f.action_line,
        under: f.under,
        skill: f.skill.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()),
        near: f.near,
        sort,
        after_start,
        after_key,
    })
}

/// Published tasks that have not started, for volunteers to choose from. Sorted by start, or by
/// distance when browsing near a point. Answered from the read model when it is ready, else by
/// the reference query; both give the same page.
pub async fn browse(
    db: &impl ConnectionTrait,
    index: Option<&TaskIndex>,
    now: DateTime<Utc>,
    f: Browse,
    cursor: Option<&str>,
    limit: u64,
) -> DomainResult<Page<TaskView>> {
    let p = plan(now, f, cursor)?;
    match index.filter(|i| i.is_ready()) {
        Some(index) => browse_indexed(db, index, &p, limit).await,
        None => browse_sql(db, &p, limit).await,
    }
}

/// The reference query: what the read model must answer, kept for when it is not ready and to
/// check it against.
pub async fn browse_reference(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    f: Browse,
    cursor: Option<&str>,
    limit: u64,
) -> DomainResult<Page<TaskView>> {
    browse_sql(db, &plan(now, f, cursor)?, limit).await
}

fn next_cursor(p: &Plan, starts_at: DateTime<Utc>, id: Uuid, at: (Option<f64>, Option<f64>)) -> String {
    let k = match (p.sort, p.near, at) {
        (Sort::Distance, Some((lat, lng, _)), (Some(tl), Some(tg))) => distance2(lat, lng, tl, tg),
        _ => 0.0,
    };
    encode(&BrowseCursor { k, b: Some(k.to_bits()), t: Some(starts_at.timestamp_micros()), id })
}

fn view(p: &Plan, t: task::Model, skills: Vec<String>) -> TaskView {
    let distance_km = match (p.near, t.lat, t.lng) {
        (Some((lat, lng, _)), Some(tl), Some(tg)) => Some(distance_km(lat, lng, tl, tg)),
        _ => None,
    };
    TaskView { skills, task: t, distance_km }
}

async fn browse_indexed(
    db: &impl ConnectionTrait,
    index: &TaskIndex,
    p: &Plan,
    limit: u64,
) -> DomainResult<Page<TaskView>> {
    let under = match p.under {
        Some(root) => Some(
            org_unit_closure::Entity::find()
                .select_only()
                .column(org_unit_closure::Column::DescendantId)
                .filter(org_unit_closure::Column::AncestorId.eq(root))
                .into_tuple::<Uuid>()
                .all(db)
                .await?
                .into_iter()
                .collect::<HashSet<Uuid>>(),
        ),
        None => None,
    };
    let mut found = index.search(p, under.as_ref(), limit as usize);
    let more = found.len() as u64 > limit;
    found.truncate(limit as usize);
    if found.is_empty() {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    // One query for the page's rows: seats and the text change without passing through the model.
    let mut rows: HashMap<Uuid, task::Model> = task::Entity::find()
        .filter(task::Column::Id.is_in(found.iter().map(|e| e.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut items = Vec::with_capacity(found.len());
    for e in &found {
        // A change not yet applied to the model never shows a task no longer open.
        if let Some(t) = rows.remove(&e.id).filter(|t| t.status == TaskStatus::Published && t.starts_at > p.floor) {
            items.push(view(p, t, e.skills.clone()));
        }
    }
    let next_cursor = if more { found.last().map(|e| next_cursor(p, e.starts_at, e.id, (e.lat, e.lng))) } else { None };
    Ok(Page { items, next_cursor })
}

async fn browse_sql(db: &impl ConnectionTrait, p: &Plan, limit: u64) -> DomainResult<Page<TaskView>> {
    let mut cond =
        Condition::all().add(task::Column::Status.eq(TaskStatus::Published)).add(task::Column::StartsAt.gt(p.floor));
    if let Some(to) = p.to {
        cond = cond.add(task::Column::StartsAt.lt(to));
    }
    if let Some(a) = p.action_line {
        cond = cond.add(task::Column::ActionLine.eq(a));
    }
    if let Some(root) = p.under {
        cond = cond.add(task::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    if let Some(skill) = p.skill.clone() {
        cond = cond.add(
            task::Column::Id.in_subquery(
                Query::select()
                    .column(task_skill::Column::TaskId)
                    .from(task_skill::Entity)
                    .and_where(task_skill::Column::Skill.eq(skill))
                    .to_owned(),
            ),
        );
    }
    let mut q = task::Entity::find();
    if let Some((lat, lng, radius_km)) = p.near {
        // A bounding box first (indexable), then the circle.
        let (dlat, dlng) = box_of(lat, radius_km);
        cond = cond
            .add(task::Column::Lat.between(lat - dlat, lat + dlat))
            .add(task::Column::Lng.between(lng - dlng, lng + dlng))
            .add(distance2_expr(lat, lng).lte(dlat * dlat));
    }
    use sea_orm::sea_query::ExprTrait as _;
    match p.sort {
        Sort::Distance => {
            let (lat, lng, _) = p.near.unwrap_or_default();
            let key = distance2_expr(lat, lng);
            if let Some((k, id)) = p.after_key {
                cond = cond.add(
                    Condition::any()
                        .add(key.clone().gt(k))
                        .add(Condition::all().add(key.clone().eq(k)).add(task::Column::Id.gt(id))),
                );
            }
            q = q.order_by(key, sea_orm::Order::Asc);
        }
        Sort::Start => {
            if let Some((t, id)) = p.after_start {
                cond = cond.add(
                    Condition::any()
                        .add(task::Column::StartsAt.gt(t))
                        .add(Condition::all().add(task::Column::StartsAt.eq(t)).add(task::Column::Id.gt(id))),
                );
            }
            q = q.order_by_asc(task::Column::StartsAt);
        }
    }
    let mut rows = q.filter(cond).order_by_asc(task::Column::Id).limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|t| next_cursor(p, t.starts_at, t.id, (t.lat, t.lng))) } else { None };
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut skills: HashMap<Uuid, Vec<String>> = HashMap::new();
    for s in task_skill::Entity::find()
        .filter(task_skill::Column::TaskId.is_in(ids))
        .order_by_asc(task_skill::Column::Skill)
        .all(db)
        .await?
    {
        skills.entry(s.task_id).or_default().push(s.skill);
    }
    let items = rows
        .into_iter()
        .map(|t| {
            let s = skills.remove(&t.id).unwrap_or_default();
            view(p, t, s)
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// Filters on the organiser's list.
#[derive(Clone, Debug, Default)]
pub struct ManageFilter {
    pub status: Option<TaskStatus>,
    pub under: Option<Uuid>,
}

/// Tasks the actor runs (created or leads) or, for administrators, every task in their scope;
/// any status, newest first.
pub async fn list_managed(
    db: &impl ConnectionTrait,
    actor: &Actor,
    f: ManageFilter,
    page: PageRequest,
) -> DomainResult<Page<TaskView>> {
    let mut cond =
        Condition::any().add(task::Column::CreatedBy.eq(actor.user_id)).add(task::Column::LeaderId.eq(actor.user_id));
    match actor.role {
        Role::CityAdmin => cond = Condition::all(),
        Role::StationAdmin | Role::DistrictAdmin => {
            if let Some(root) = actor.org_unit_id {
                cond = cond.add(task::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
            }
        }
        _ => {}
    }
    let mut q = task::Entity::find().filter(cond);
    if let Some(s) = f.status {
        q = q.filter(task::Column::Status.eq(s));
    }
    if let Some(u) = f.under {
        q = q.filter(task::Column::OrgUnitId.in_subquery(org_units::subtree_ids(u)));
    }
    let page = crate::domain::kernel::page::fetch(
        db,
        q,
        task::Column::Id,
        crate::domain::kernel::page::Order::NewestFirst,
        page,
        |t| t.id,
    )
    .await?;
    let mut items = Vec::with_capacity(page.items.len());
    for t in page.items {
        let skills = skills_of(db, t.id).await?;
        items.push(TaskView { task: t, skills, distance_km: None });
    }
    Ok(Page { items, next_cursor: page.next_cursor })
}
