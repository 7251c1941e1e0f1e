//! Service projects (服务项目): the answer to a community's needs, owned by an org unit (whose
//! administrators keep it) and optionally run by a social organisation, with the money behind
//! it as funding lines, and tasks that serve it.
//!
//! Rules:
//! - A project spans `starts_on..=ends_on` (at most 5 years). Each funding line lies within it
//!   (400 `funding_outside_project`); a charity-fund grant line names an approved grant not
//!   funding another line (400 `invalid_grant`), and its amount is at most the grant's.
//! - A task may serve a project of a unit above (or equal to) the task's, open, with the task's
//!   day within the project's span in the task unit's time zone (400 `project_not_found`,
//!   `task_outside_project`; 409 `project_closed`).
//! - Closing takes an evaluation and is final (409 `project_closed` for any change after).

use super::social_organisations;
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units::{self, subtree_ids};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, both, optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::fund_grant::{self, GrantStatus};
use entity::project::{self, FundingKind, ProjectStatus};
use entity::project_funding_line as line;
use entity::social_organisation::OrganisationStatus;
use entity::task::ActionLine;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

/// The longest project, in days (five years).
const MAX_DAYS: i64 = 5 * 366;

/// A project to start.
pub struct NewProject {
    pub name: String,
    pub summary: Option<String>,
    pub owner_unit_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub action_line: ActionLine,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A funding line to add.
pub struct NewFundingLine {
    pub kind: FundingKind,
    pub amount_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub deliverables: Option<String>,
    pub grant_id: Option<Uuid>,
}

/// An edit; `None` leaves a field alone. `close` takes the closing evaluation.
#[derive(Default)]
pub struct ProjectEdit {
    pub name: Option<String>,
    pub summary: Option<Option<String>>,
    pub ends_on: Option<NaiveDate>,
    pub close: Option<String>,
}

fn span(starts_on: NaiveDate, ends_on: NaiveDate) -> DomainResult<()> {
    if ends_on < starts_on || (ends_on - starts_on).num_days() > MAX_DAYS {
        return Err(DomainError::invalid(
            "invalid_dates",
            both(
                "a project ends on or after its start, within five years",
                "项目结束日期须不早于开始日期，且不超过五年",
            ),
        ));
    }
    Ok(())
}

fn closed() -> DomainError {
    DomainError::conflict("project_closed", both("the project is closed", "项目已结项"))
}

/// Starts a project of a unit in the actor's scope.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewProject,
) -> DomainResult<project::Model> {
    actor.require_admin()?;
    let name = required_text("name", &new.name)?;
    span(new.starts_on, new.ends_on)?;
    org_units::get(db, new.owner_unit_id)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "ownerUnitId names no org unit"))?;
    if !actor.covers_unit(db, Some(new.owner_unit_id)).await? {
        return Err(DomainError::forbidden("the org unit is outside your scope"));
    }
    if let Some(o) = new.organisation_id {
        let active = social_organisations::get(db, o).await.ok().filter(|o| o.status == OrganisationStatus::Active);
        if active.is_none() {
            return Err(DomainError::invalid(
                "recipient_not_found",
                "organisationId names no active social organisation",
            ));
        }
    }
    write(db, async |txn| {
        let p = project::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set(name),
            summary: Set(optional_text(new.summary)),
            owner_unit_id: Set(new.owner_unit_id),
            organisation_id: Set(new.organisation_id),
            action_line: Set(new.action_line),
            starts_on: Set(new.starts_on),
            ends_on: Set(new.ends_on),
            status: Set(ProjectStatus::Open),
            closing_evaluation: Set(None),
            closed_at: Set(None),
            created_by: Set(actor.user_id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(txn, now, Change::new(actor.user_id, "project.create", "project", p.id).after(&p)).await?;
        Ok(p)
    })
    .await
}

/// One project, or 404.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<project::Model> {
    project::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("project"))
}

/// A project's funding lines, in the order added.
pub async fn funding(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Vec<line::Model>> {
    Ok(line::Entity::find().filter(line::Column::ProjectId.eq(id)).order_by_asc(line::Column::Id).all(db).await?)
}

/// Projects (of a unit's subtree, or run by an organisation), oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    under: Option<Uuid>,
    organisation: Option<Uuid>,
    page: PageRequest,
) -> DomainResult<Page<project::Model>> {
    let mut q = project::Entity::find();
    if let Some(root) = under {
        q = q.filter(project::Column::OwnerUnitId.in_subquery(subtree_ids(root)));
    }
    if let Some(o) = organisation {
        q = q.filter(project::Column::OrganisationId.eq(o));
    }
    Ok(page::fetch(db, q, project::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// The project, for an administrator over its unit (404 otherwise).
async fn kept(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<project::Model> {
    actor.require_admin()?;
    let p = get(db, id).await?;
    if !actor.covers_unit(db, Some(p.owner_unit_id)).await? {
        return Err(DomainError::not_found("project"));
    }
    Ok(p)
}

/// Edits or closes a project (administrators over its unit).
pub async fn edit(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    edit: ProjectEdit,
) -> DomainResult<project::Model> {
    let name = edit.name.as_deref().map(|n| required_text("name", n)).transpose()?;
    let evaluation = edit.close.as_deref().map(|e| required_text("closingEvaluation", e)).transpose()?;
    write(db, async |txn| {
        let before = kept(txn, actor, id).await?;
        if before.status == ProjectStatus::Closed {
            return Err(closed());
        }
        let mut m: project::ActiveModel = before.clone().into();
        if let Some(n) = name {
            m.name = Set(n);
        }
        if let Some(s) = edit.summary {
            m.summary = Set(optional_text(s));
        }
        if let Some(e) = edit.ends_on {
            span(before.starts_on, e)?;
            let lines = funding(txn, id).await?;
            if lines.iter().any(|l| l.ends_on > e) {
                return Err(outside());
            }
            m.ends_on = Set(e);
        }
        if let Some(e) = evaluation {
            m.status = Set(ProjectStatus::Closed);
            m.closing_evaluation = Set(Some(e));
            m.closed_at = Set(Some(now));
        }
        m.updated_at = Set(now);
        let after = m.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "project.edit", "project", id).before(&before).after(&after),
        )
        .await?;
        Ok(after)
    })
    .await
}

fn outside() -> DomainError {
    DomainError::invalid(
        "funding_outside_project",
        both("a funding line lies within the project's dates", "资金来源的期限须在项目周期之内"),
    )
}

fn invalid_grant(detail: &str) -> DomainError {
    DomainError::invalid("invalid_grant", detail.to_string())
}

/// Adds a funding line (administrators over the project's unit).
pub async fn add_funding(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    new: NewFundingLine,
) -> DomainResult<line::Model> {
    if new.amount_fen <= 0 {
        return Err(DomainError::validation("amountFen is positive"));
    }
    write(db, async |txn| {
        let p = kept(txn, actor, id).await?;
        if p.status == ProjectStatus::Closed {
            return Err(closed());
        }
        if new.ends_on < new.starts_on || new.starts_on < p.starts_on || new.ends_on > p.ends_on {
            return Err(outside());
        }
        match (new.kind, new.grant_id) {
            (FundingKind::CharityGrant, Some(g)) => {
                let grant = fund_grant::Entity::find_by_id(g).one(txn).await?;
                let Some(grant) = grant.filter(|g| g.status == GrantStatus::Approved) else {
                    return Err(invalid_grant("grantId names no approved charity-fund grant"));
                };
                if new.amount_fen > grant.amount_fen {
                    return Err(invalid_grant("a grant line is at most the grant's amount"));
                }
            }
            (FundingKind::CharityGrant, None) => return Err(invalid_grant("a charity grant line names its grantId")),
            (_, Some(_)) => return Err(invalid_grant("only a charity grant line names a grant")),
            (_, None) => {}
        }
        let l = line::ActiveModel {
            id: Set(Uuid::now_v7()),
            project_id: Set(id),
            kind: Set(new.kind),
            amount_fen: Set(new.amount_fen),
            starts_on: Set(new.starts_on),
            ends_on: Set(new.ends_on),
            deliverables: Set(optional_text(new.deliverables)),
            grant_id: Set(new.grant_id),
            created_by: Set(actor.user_id),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) { invalid_grant("this grant funds another line already") } else { e.into() }
        })?;
        audit::record(txn, now, Change::new(actor.user_id, "project.funding_add", "project", id).after(&l)).await?;
        Ok(l)
    })
    .await
}

/// Whether a task of `unit` starting at `starts_at` may serve project `id`: the project exists,
/// is open, its unit is the task's or above it, and the task's local day lies in its span.
pub async fn check_task(
    db: &impl ConnectionTrait,
    id: Uuid,
    unit: Uuid,
    unit_zone: &str,
    starts_at: DateTime<Utc>,
) -> DomainResult<()> {
    let p = get(db, id).await.map_err(|_| DomainError::invalid("project_not_found", "projectId names no project"))?;
    if p.status == ProjectStatus::Closed {
        return Err(closed());
    }
    if !org_units::is_within(db, p.owner_unit_id, unit).await? {
        return Err(DomainError::invalid("project_not_found", "the project is not one of the task's unit"));
    }
    let day = time::local_date(starts_at, unit_zone);
    if day < p.starts_on || day > p.ends_on {
        return Err(DomainError::invalid(
            "task_outside_project",
            both("the task falls outside the project's dates", "任务日期不在项目周期内"),
        ));
    }
    Ok(())
}
