//! The registry of social organisations: one row per organisation, named by its unified social
//! credit code (unique: registering a code twice answers 409 `credit_code_taken`).
//!
//! Rules:
//! - Anyone signed in may list and read the registry: it is public information (the
//!   civil-affairs authorities publish it), and volunteers look for organisations to serve with.
//! - Administrators register and edit organisations whose service area lies in their scope; an
//!   edit that moves the service area needs both the old and the new unit in scope.
//! - The evaluation grade (评估等级) is 1–5 (1A–5A) with the date of the evaluation, or none.

use super::credit_code;
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units::{self, subtree_ids};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, both, optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::org_unit;
use entity::social_organisation::{self as org, OrganisationKind, OrganisationStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

/// The longest name (characters).
const MAX_NAME: usize = 200;

/// An organisation to register.
pub struct NewOrganisation {
    pub credit_code: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub registration_authority: String,
    /// The evaluation grade (1–5) and the date it was given.
    pub evaluation: Option<(i32, NaiveDate)>,
    pub service_unit_id: Uuid,
    pub contact_name: Option<String>,
    pub service_phone: Option<String>,
    pub address: Option<String>,
    pub summary: Option<String>,
}

/// An edit: `None` leaves a field as it is; `Some(None)` clears an optional one.
#[derive(Default)]
pub struct OrganisationEdit {
    pub name: Option<String>,
    pub kind: Option<OrganisationKind>,
    pub registration_authority: Option<String>,
    pub evaluation: Option<Option<(i32, NaiveDate)>>,
    pub service_unit_id: Option<Uuid>,
    pub contact_name: Option<Option<String>>,
    pub service_phone: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub summary: Option<Option<String>>,
    pub status: Option<OrganisationStatus>,
}

/// What a list is narrowed to.
#[derive(Default)]
pub struct Filter {
    /// Organisations serving within this unit's subtree.
    pub under: Option<Uuid>,
    pub kind: Option<OrganisationKind>,
    pub status: Option<OrganisationStatus>,
    /// A part of the name, or a whole credit code.
    pub text: Option<String>,
}

fn name(raw: &str) -> DomainResult<String> {
    let n = required_text("name", raw)?;
    if n.chars().count() > MAX_NAME {
        return Err(DomainError::validation(format!("name is longer than {MAX_NAME} characters")));
    }
    Ok(n)
}

/// A grade (1–5) with its evaluation date, not after today.
fn evaluation(e: Option<(i32, NaiveDate)>, today: NaiveDate) -> DomainResult<Option<(i32, NaiveDate)>> {
    let Some((grade, on)) = e else { return Ok(None) };
    if !(1..=5).contains(&grade) {
        return Err(DomainError::invalid(
            "invalid_evaluation",
            both("the evaluation grade is 1 to 5 (1A to 5A)", "评估等级为 1A 至 5A（1 至 5）"),
        ));
    }
    if on > today {
        return Err(DomainError::invalid(
            "invalid_evaluation",
            both("the evaluation date is in the future", "评估日期不能晚于今天"),
        ));
    }
    Ok(Some((grade, on)))
}

/// The unit, 403 unless it lies in the actor's scope (400 `org_unit_not_found` when it names no
/// unit).
async fn require_serving(db: &impl ConnectionTrait, actor: &Actor, unit: Uuid) -> DomainResult<org_unit::Model> {
    actor.require_admin()?;
    let model = org_units::get(db, unit)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "serviceUnitId names no org unit"))?;
    if !actor.covers_unit(db, Some(unit)).await? {
        return Err(DomainError::forbidden("the service area is outside your scope"));
    }
    Ok(model)
}

/// Today in the unit's time zone (an evaluation date may not lie after it).
fn today_at(unit: &org_unit::Model, now: DateTime<Utc>) -> NaiveDate {
    time::local_date(now, &unit.time_zone)
}

fn taken(e: sea_orm::DbErr) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::conflict(
            "credit_code_taken",
            both("an organisation with this credit code is registered already", "该统一社会信用代码已登记"),
        )
    } else {
        e.into()
    }
}

/// Registers an organisation (administrators over its service area).
pub async fn register(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewOrganisation,
) -> DomainResult<org::Model> {
    actor.require_admin()?;
    let credit_code = credit_code::parse(&new.credit_code)?;
    let name = name(&new.name)?;
    let authority = required_text("registrationAuthority", &new.registration_authority)?;
    let unit = require_serving(db, actor, new.service_unit_id).await?;
    let evaluation = evaluation(new.evaluation, today_at(&unit, now))?;
    write(db, async |txn| {
        let model = org::ActiveModel {
            id: Set(Uuid::now_v7()),
            credit_code: Set(credit_code),
            name: Set(name),
            kind: Set(new.kind),
            registration_authority: Set(authority),
            evaluation_grade: Set(evaluation.map(|(g, _)| g)),
            evaluated_on: Set(evaluation.map(|(_, d)| d)),
            service_unit_id: Set(new.service_unit_id),
            contact_name: Set(optional_text(new.contact_name)),
            service_phone: Set(optional_text(new.service_phone)),
            address: Set(optional_text(new.address)),
            summary: Set(optional_text(new.summary)),
            status: Set(OrganisationStatus::Active),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(taken)?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "social_organisation.register", "social_organisation", model.id).after(&model),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// One organisation, or 404.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<org::Model> {
    org::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("social organisation"))
}

/// Edits an organisation (administrators over its service area, and over the new one when it
/// moves). A station administrator editing another station's organisation gets 404.
pub async fn edit(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    edit: OrganisationEdit,
) -> DomainResult<org::Model> {
    actor.require_admin()?;
    let name = edit.name.as_deref().map(name).transpose()?;
    let authority =
        edit.registration_authority.as_deref().map(|a| required_text("registrationAuthority", a)).transpose()?;
    write(db, async |txn| {
        let before = get(txn, id).await?;
        if !actor.covers_unit(txn, Some(before.service_unit_id)).await? {
            return Err(DomainError::not_found("social organisation"));
        }
        let unit = require_serving(txn, actor, edit.service_unit_id.unwrap_or(before.service_unit_id)).await?;
        let evaluation = match edit.evaluation {
            Some(e) => Some(evaluation(e, today_at(&unit, now))?),
            None => None,
        };
        let mut m: org::ActiveModel = before.clone().into();
        if let Some(n) = name {
            m.name = Set(n);
        }
        if let Some(k) = edit.kind {
            m.kind = Set(k);
        }
        if let Some(a) = authority {
            m.registration_authority = Set(a);
        }
        if let Some(e) = evaluation {
            m.evaluation_grade = Set(e.map(|(g, _)| g));
            m.evaluated_on = Set(e.map(|(_, d)| d));
        }
        if let Some(u) = edit.service_unit_id {
            m.service_unit_id = Set(u);
        }
        if let Some(v) = edit.contact_name {
            m.contact_name = Set(optional_text(v));
        }
        if let Some(v) = edit.service_phone {
            m.service_phone = Set(optional_text(v));
        }
        if let Some(v) = edit.address {
            m.address = Set(optional_text(v));
        }
        if let Some(v) = edit.summary {
            m.summary = Set(optional_text(v));
        }
        if let Some(s) = edit.status {
            m.status = Set(s);
        }
        m.updated_at = Set(now);
        let after = m.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "social_organisation.edit", "social_organisation", id)
                .before(&before)
                .after(&after),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// A page of the registry, oldest registration first.
pub async fn list(db: &impl ConnectionTrait, filter: Filter, page: PageRequest) -> DomainResult<Page<org::Model>> {
    let mut q = org::Entity::find();
    if let Some(root) = filter.under {
        q = q.filter(org::Column::ServiceUnitId.in_subquery(subtree_ids(root)));
    }
    if let Some(k) = filter.kind {
        q = q.filter(org::Column::Kind.eq(k));
    }
    if let Some(s) = filter.status {
        q = q.filter(org::Column::Status.eq(s));
    }
    if let Some(t) = optional_text(filter.text) {
        q = q.filter(
            Condition::any()
                .add(org::Column::Name.contains(&t))
                .add(org::Column::CreditCode.eq(t.to_ascii_uppercase())),
        );
    }
    Ok(page::fetch(db, q, org::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}
