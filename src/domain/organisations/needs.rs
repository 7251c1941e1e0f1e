//! The "three lists" way of working (三张清单): residents' needs a community records, the
//! resources on offer, and the projects that answer needs ([`super::projects`]), with matching
//! suggestions between the first two.
//!
//! Rules:
//! - Social workers and administrators record needs and offer resources at units they serve
//!   (`Actor::serves_unit`); they list the needs of the units they serve (a city administrator:
//!   all). Resources are listed to everyone signed in.
//! - A resident is not identified: a need holds no name, and a contact only when the resident
//!   agreed (400 `consent_required` otherwise).
//! - An organisation's service names an active registered organisation, a fund's money a fund
//!   (400 `resource_source_required` / `recipient_not_found`).
//! - Suggestions for a need: the open, unexpired resources of the need's unit, of units above
//!   it, and of the rest of its station, each scored with the reasons it was chosen (same place,
//!   offered from above, nearby in the station; meant for this kind of need or any; money for an
//!   urgent need; a 4A/5A organisation), best first.
//! - A need is answered by an open project of its unit or one above it, once (409
//!   `need_answered`).

use super::{projects, social_organisations};
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units::{self, subtree_ids};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, both, optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::charity_fund;
use entity::community_need::{self as need, NeedKind, NeedStatus, Urgency};
use entity::community_resource::{self as resource, ResourceKind, ResourceStatus};
use entity::project::ProjectStatus;
use entity::social_organisation::OrganisationStatus;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Suggestions returned for a need, at most.
pub const MAX_SUGGESTIONS: usize = 20;

/// A need to record.
pub struct NewNeed {
    pub org_unit_id: Uuid,
    pub kind: NeedKind,
    pub title: String,
    pub description: Option<String>,
    pub households: Option<i32>,
    pub people: Option<i32>,
    pub urgency: Urgency,
    pub place: Option<String>,
    pub contact_consented: bool,
    pub contact: Option<String>,
}

/// A resource to offer.
pub struct NewResource {
    pub org_unit_id: Uuid,
    pub kind: ResourceKind,
    pub title: String,
    pub description: Option<String>,
    pub serves: Option<NeedKind>,
    pub organisation_id: Option<Uuid>,
    pub fund_id: Option<Uuid>,
    pub available_until: Option<NaiveDate>,
}

/// Why a resource was suggested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Offered at the need's own unit.
    SameUnit,
    /// Offered by a unit above the need's (its station, district, the city).
    FromAbove,
    /// Offered elsewhere in the need's station.
    Nearby,
    /// Meant for this kind of need.
    FitsKind,
    /// Meant for any need.
    General,
    /// Money, for an urgent need.
    QuickMoney,
    /// Run by an organisation graded 4A or 5A.
    GradedOrganisation,
}

impl Reason {
    fn weight(self) -> i32 {
        match self {
            Reason::SameUnit | Reason::FitsKind => 3,
            Reason::FromAbove | Reason::Nearby => 2,
            Reason::General | Reason::QuickMoney | Reason::GradedOrganisation => 1,
        }
    }
}

/// A suggestion: the resource, its score and why.
pub struct Suggestion {
    pub resource: resource::Model,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

async fn require_serving(db: &impl ConnectionTrait, actor: &Actor, unit: Uuid) -> DomainResult<()> {
    org_units::get(db, unit)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "orgUnitId names no org unit"))?;
    if !actor.serves_unit(db, unit).await? {
        return Err(DomainError::forbidden("you do not serve this org unit"));
    }
    Ok(())
}

fn count(field: &str, v: Option<i32>) -> DomainResult<Option<i32>> {
    match v {
        Some(n) if !(1..=100_000).contains(&n) => Err(DomainError::validation(format!("{field} is 1 to 100000"))),
        other => Ok(other),
    }
}

/// Records a need at a unit the actor serves.
pub async fn record_need(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    n: NewNeed,
) -> DomainResult<need::Model> {
    let title = required_text("title", &n.title)?;
    let households = count("households", n.households)?;
    let people = count("people", n.people)?;
    let contact = optional_text(n.contact);
    if contact.is_some() && !n.contact_consented {
        return Err(DomainError::invalid(
            "consent_required",
            both("a resident's contact is kept only with their consent", "须经居民同意方可留存其联系方式"),
        ));
    }
    require_serving(db, actor, n.org_unit_id).await?;
    write(db, async |txn| {
        let m = need::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_unit_id: Set(n.org_unit_id),
            kind: Set(n.kind),
            title: Set(title),
            description: Set(optional_text(n.description)),
            households: Set(households),
            people: Set(people),
            urgency: Set(n.urgency),
            place: Set(optional_text(n.place)),
            contact_consented: Set(n.contact_consented && contact.is_some()),
            contact: Set(contact),
            status: Set(NeedStatus::Open),
            project_id: Set(None),
            answered_by: Set(None),
            answered_at: Set(None),
            recorded_by: Set(actor.user_id),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(txn, now, Change::new(actor.user_id, "need.record", "community_need", m.id)).await?;
        Ok(m)
    })
    .await
}

/// The root of what the actor serves: `None` for everything (a city administrator).
async fn served_root(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Option<Uuid>> {
    use entity::user::Role;
    match actor.role {
        Role::CityAdmin => Ok(None),
        Role::Volunteer => Err(DomainError::forbidden("needs are for those who serve")),
        _ => actor.work_root(db).await?.map(Some).ok_or_else(|| DomainError::forbidden("you serve no org unit")),
    }
}

/// The needs of the units the actor serves (within `under`, if given), oldest first.
pub async fn list_needs(
    db: &impl ConnectionTrait,
    actor: &Actor,
    under: Option<Uuid>,
    status: Option<NeedStatus>,
    page: PageRequest,
) -> DomainResult<Page<need::Model>> {
    let mut q = need::Entity::find();
    if let Some(root) = served_root(db, actor).await? {
        q = q.filter(need::Column::OrgUnitId.in_subquery(subtree_ids(root)));
    }
    if let Some(u) = under {
        q = q.filter(need::Column::OrgUnitId.in_subquery(subtree_ids(u)));
    }
    if let Some(s) = status {
        q = q.filter(need::Column::Status.eq(s));
    }
    Ok(page::fetch(db, q, need::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// The need, for someone serving its unit (404 otherwise).
async fn served_need(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<need::Model> {
    let n = need::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("need"))?;
    if !actor.serves_unit(db, n.org_unit_id).await? {
        return Err(DomainError::not_found("need"));
    }
    Ok(n)
}

/// Offers a resource at a unit the actor serves.
pub async fn offer_resource(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    r: NewResource,
) -> DomainResult<resource::Model> {
    let title = required_text("title", &r.title)?;
    let source_required =
        |what: &str| DomainError::invalid("resource_source_required", format!("this kind of resource names {what}"));
    match r.kind {
        ResourceKind::OrganisationService => {
            let Some(o) = r.organisation_id else { return Err(source_required("its organisationId")) };
            let active = social_organisations::get(db, o).await.ok().filter(|o| o.status == OrganisationStatus::Active);
            if active.is_none() {
                return Err(DomainError::invalid(
                    "recipient_not_found",
                    "organisationId names no active social organisation",
                ));
            }
        }
        ResourceKind::FundMoney => {
            let Some(f) = r.fund_id else { return Err(source_required("its fundId")) };
            if charity_fund::Entity::find_by_id(f).one(db).await?.is_none() {
                return Err(source_required("an existing fundId"));
            }
        }
        _ => {}
    }
    require_serving(db, actor, r.org_unit_id).await?;
    write(db, async |txn| {
        let m = resource::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_unit_id: Set(r.org_unit_id),
            kind: Set(r.kind),
            title: Set(title),
            description: Set(optional_text(r.description)),
            serves: Set(r.serves),
            organisation_id: Set(r.organisation_id.filter(|_| r.kind == ResourceKind::OrganisationService)),
            fund_id: Set(r.fund_id.filter(|_| r.kind == ResourceKind::FundMoney)),
            available_until: Set(r.available_until),
            status: Set(ResourceStatus::Open),
            recorded_by: Set(actor.user_id),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(txn, now, Change::new(actor.user_id, "resource.offer", "community_resource", m.id).after(&m))
            .await?;
        Ok(m)
    })
    .await
}

/// Open resources (of a unit's subtree, of a kind), oldest first.
pub async fn list_resources(
    db: &impl ConnectionTrait,
    under: Option<Uuid>,
    kind: Option<ResourceKind>,
    page: PageRequest,
) -> DomainResult<Page<resource::Model>> {
    let mut q = resource::Entity::find().filter(resource::Column::Status.eq(ResourceStatus::Open));
    if let Some(u) = under {
        q = q.filter(resource::Column::OrgUnitId.in_subquery(subtree_ids(u)));
    }
    if let Some(k) = kind {
        q = q.filter(resource::Column::Kind.eq(k));
    }
    Ok(page::fetch(db, q, resource::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// Resources suggested for a need (someone serving its unit), best first.
pub async fn suggest(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
) -> DomainResult<(need::Model, Vec<Suggestion>)> {
    let n = served_need(db, actor, id).await?;
    let unit = org_units::get(db, n.org_unit_id).await?;
    let today = time::local_date(now, &unit.time_zone);
    let above: HashSet<Uuid> = org_units::ancestors(db, n.org_unit_id)
        .await?
        .into_iter()
        .map(|u| u.id)
        .filter(|u| *u != n.org_unit_id)
        .collect();
    let station = org_units::station_of(db, n.org_unit_id).await?.unwrap_or(n.org_unit_id);
    let mut places = Condition::any().add(resource::Column::OrgUnitId.in_subquery(subtree_ids(station)));
    if !above.is_empty() {
        places = places.add(resource::Column::OrgUnitId.is_in(above.iter().copied()));
    }
    let offered = resource::Entity::find()
        .filter(resource::Column::Status.eq(ResourceStatus::Open))
        .filter(places)
        .filter(
            Condition::any()
                .add(resource::Column::AvailableUntil.is_null())
                .add(resource::Column::AvailableUntil.gte(today)),
        )
        .all(db)
        .await?;
    let org_ids: Vec<Uuid> = offered.iter().filter_map(|r| r.organisation_id).collect();
    let grades: HashMap<Uuid, Option<i32>> = entity::social_organisation::Entity::find()
        .filter(entity::social_organisation::Column::Id.is_in(org_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.evaluation_grade))
        .collect();
    let mut out: Vec<Suggestion> = offered
        .into_iter()
        .filter(|r| r.serves.is_none_or(|k| k == n.kind))
        .map(|r| {
            let mut reasons = Vec::new();
            reasons.push(if r.org_unit_id == n.org_unit_id {
                Reason::SameUnit
            } else if above.contains(&r.org_unit_id) {
                Reason::FromAbove
            } else {
                Reason::Nearby
            });
            reasons.push(if r.serves.is_some() { Reason::FitsKind } else { Reason::General });
            if n.urgency == Urgency::Urgent && r.kind == ResourceKind::FundMoney {
                reasons.push(Reason::QuickMoney);
            }
            if r.organisation_id.and_then(|o| grades.get(&o).copied().flatten()).is_some_and(|g| g >= 4) {
                reasons.push(Reason::GradedOrganisation);
            }
            let score = reasons.iter().map(|r| r.weight()).sum();
            Suggestion { resource: r, score, reasons }
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.resource.id.cmp(&b.resource.id)));
    out.truncate(MAX_SUGGESTIONS);
    Ok((n, out))
}

/// Records that a project answers a need (administrators over the need's unit).
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    project_id: Uuid,
) -> DomainResult<need::Model> {
    actor.require_admin()?;
    write(db, async |txn| {
        let n = served_need(txn, actor, id).await?;
        if n.status != NeedStatus::Open {
            return Err(DomainError::conflict(
                "need_answered",
                both("the need is answered already", "该需求已有项目回应"),
            ));
        }
        let p = projects::get(txn, project_id)
            .await
            .map_err(|_| DomainError::invalid("project_not_found", "projectId names no project"))?;
        if !org_units::is_within(txn, p.owner_unit_id, n.org_unit_id).await? {
            return Err(DomainError::invalid("project_not_found", "the project is not one of the need's unit"));
        }
        if p.status == ProjectStatus::Closed {
            return Err(DomainError::conflict("project_closed", both("the project is closed", "项目已结项")));
        }
        let mut m: need::ActiveModel = n.clone().into();
        m.status = Set(NeedStatus::Answered);
        m.project_id = Set(Some(project_id));
        m.answered_by = Set(Some(actor.user_id));
        m.answered_at = Set(Some(now));
        let after = m.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "need.answer", "community_need", id)
                .after(&serde_json::json!({"projectId": project_id})),
        )
        .await?;
        Ok(after)
    })
    .await
}
