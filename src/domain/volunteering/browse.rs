//! Finding tasks: browsing published tasks near a point or by time, with filters and a cursor
//! over distance or start time, and listing the tasks one organises or leads.

use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::geo::{KM_PER_DEGREE, distance_km, validate_lat_lng};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{Page, PageRequest};
use crate::domain::volunteering::tasks::{TaskView, skills_of};
use crate::domain::{DomainError, DomainResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::task::{self, ActionLine, TaskStatus};
use entity::task_skill;
use entity::user::Role;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
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

/// Published tasks that have not started, for volunteers to choose from. Sorted by start, or by
/// distance when browsing near a point.
pub async fn browse(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    f: Browse,
    cursor: Option<&str>,
    limit: u64,
) -> DomainResult<Page<TaskView>> {
    let after = cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
    let mut cond = Condition::all()
        .add(task::Column::Status.eq(TaskStatus::Published))
        .add(task::Column::StartsAt.gt(f.from.map_or(now, |from| std::cmp::max(from, now))));
    if let Some(to) = f.to {
        cond = cond.add(task::Column::StartsAt.lt(to));
    }
    if let Some(a) = f.action_line {
        cond = cond.add(task::Column::ActionLine.eq(a));
    }
    if let Some(root) = f.under {
        cond = cond.add(task::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    if let Some(skill) = f.skill.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()) {
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
    let sort = match (f.sort, f.near) {
        (Some(Sort::Distance), None) => {
            return Err(DomainError::validation("sorting by distance needs near=lat,lng"));
        }
        (Some(s), _) => s,
        (None, Some(_)) => Sort::Distance,
        (None, None) => Sort::Start,
    };
    let mut q = task::Entity::find();
    let key: Expr;
    if let Some((lat, lng, radius_km)) = f.near {
        validate_lat_lng(Some(lat), Some(lng))?;
        if !(radius_km > 0.0 && radius_km <= 500.0) {
            return Err(DomainError::validation("radiusKm must be above 0 and at most 500"));
        }
        // A bounding box first (indexable), then the circle.
        let dlat = radius_km / KM_PER_DEGREE;
        let dlng = dlat / lat.to_radians().cos().max(0.01);
        cond = cond
            .add(task::Column::Lat.between(lat - dlat, lat + dlat))
            .add(task::Column::Lng.between(lng - dlng, lng + dlng))
            .add(distance2_expr(lat, lng).lte(dlat * dlat));
    }
    use sea_orm::sea_query::ExprTrait as _;
    match sort {
        Sort::Distance => {
            let (lat, lng, _) = f.near.unwrap_or_default();
            key = distance2_expr(lat, lng);
            if let Some(c) = &after {
                cond = cond.add(
                    Condition::any()
                        .add(key.clone().gt(c.k))
                        .add(Condition::all().add(key.clone().eq(c.k)).add(task::Column::Id.gt(c.id))),
                );
            }
            q = q.order_by(key, sea_orm::Order::Asc);
        }
        Sort::Start => {
            if let Some(c) = &after {
                let t = DateTime::from_timestamp_micros(c.t.unwrap_or_default()).unwrap_or(now);
                cond = cond.add(
                    Condition::any()
                        .add(task::Column::StartsAt.gt(t))
                        .add(Condition::all().add(task::Column::StartsAt.eq(t)).add(task::Column::Id.gt(c.id))),
                );
            }
            q = q.order_by_asc(task::Column::StartsAt);
        }
    }
    let mut rows = q.filter(cond).order_by_asc(task::Column::Id).limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|t| {
            let k = match (sort, f.near, t.lat, t.lng) {
                (Sort::Distance, Some((lat, lng, _)), Some(tl), Some(tg)) => {
                    let k = lat.to_radians().cos();
                    (tl - lat).powi(2) + ((tg - lng) * k).powi(2)
                }
                _ => 0.0,
            };
            encode(&BrowseCursor { k, t: Some(t.starts_at.timestamp_micros()), id: t.id })
        })
    } else {
        None
    };
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let mut skills: std::collections::HashMap<Uuid, Vec<String>> = std::collections::HashMap::new();
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
            let distance_km = match (f.near, t.lat, t.lng) {
                (Some((lat, lng, _)), Some(tl), Some(tg)) => Some(distance_km(lat, lng, tl, tg)),
                _ => None,
            };
            TaskView { skills: skills.remove(&t.id).unwrap_or_default(), task: t, distance_km }
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
