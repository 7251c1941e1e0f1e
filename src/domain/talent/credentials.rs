//! Credentials (certificates) people hold: recording them, verification by administrators,
//! expiry and revocation, the qualification level they give, and registration (登记) of the
//! national social-work certificates.
//!
//! Tables: `credentials`, `credential_kinds`.
//!
//! Rules:
//! - A kind is one of the three national levels (助理社会工作师 `assistant_social_worker`, 社会工作师
//!   `social_worker`, 高级社会工作师 `senior_social_worker`; 人社部规〔2018〕2号) or a kind a city
//!   administrator defined (400 `unknown_kind` otherwise). The number is unique per kind (409
//!   `duplicate_number`). Expiry after issue (400 `invalid_dates`).
//! - Lifecycle `submitted → verified | rejected`; later `expired` (by date, see
//!   [`expire_due`]) or `revoked` (by an administrator, with a reason). The holder edits it only
//!   until it is verified (409 `credential_locked`); editing a rejected one submits it again.
//! - Only administrators whose scope holds the holder decide (others: 404); nobody decides their
//!   own (403).
//! - A person's qualification level (on their social-worker profile) is the highest verified,
//!   unexpired national level they hold; it is derived again whenever one of their credentials
//!   changes state.
//! - Registration follows `config::TalentConfig` (defaults from 民发〔2009〕44号): first
//!   registration within 12 months of the certificate, valid 36 months, renewal in the 3 months
//!   before it lapses; a renewal needs the period's continuing education (see
//!   `talent::learning::progress`); see [`crate::domain::talent::registration`].

use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::catalogue::{self, Names};
use crate::domain::kernel::duties;
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time::local_date;
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::credential::{self, CredentialStatus};
use entity::credential_kind;
use entity::social_worker_profile::{self, QualificationLevel};
use entity::user;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

/// The national social-work levels as credential kinds, lowest first.
pub const LEVEL_KINDS: [(&str, QualificationLevel); 3] = [
    ("assistant_social_worker", QualificationLevel::AssistantSocialWorker),
    ("social_worker", QualificationLevel::SocialWorker),
    ("senior_social_worker", QualificationLevel::SeniorSocialWorker),
];

/// The qualification level a kind certifies, if it is a national level.
pub fn level_of(kind: &str) -> Option<QualificationLevel> {
    LEVEL_KINDS.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l)
}

/// The kind code of a level.
pub fn kind_of(level: QualificationLevel) -> &'static str {
    LEVEL_KINDS.iter().find(|(_, l)| *l == level).map(|(k, _)| *k).unwrap_or("social_worker")
}

/// Whether `kind` is a national level or a defined kind.
pub async fn kind_exists(db: &impl ConnectionTrait, kind: &str) -> DomainResult<bool> {
    if level_of(kind).is_some() {
        return Ok(true);
    }
    Ok(credential_kind::Entity::find().filter(credential_kind::Column::Code.eq(kind)).one(db).await?.is_some())
}

/// A credential kind as listed: built in or defined.
#[derive(Clone, Debug)]
pub struct Kind {
    pub code: String,
    pub name: String,
    pub level: Option<QualificationLevel>,
}

/// Every kind: the national levels first, then the defined ones by code.
pub async fn kinds(db: &impl ConnectionTrait) -> DomainResult<Vec<Kind>> {
    let names = ["助理社会工作师", "社会工作师", "高级社会工作师"];
    let mut out: Vec<Kind> = LEVEL_KINDS
        .iter()
        .zip(names)
        .map(|((code, level), name)| Kind { code: code.to_string(), name: name.to_string(), level: Some(*level) })
        .collect();
    let mut defined = credential_kind::Entity::find().all(db).await?;
    defined.sort_by(|a, b| a.code.cmp(&b.code));
    out.extend(defined.into_iter().map(|k| Kind { code: k.code, name: k.name, level: None }));
    Ok(out)
}

/// A city administrator defines a kind (`code` snake_case, 2 to 64 characters).
pub async fn define_kind(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    name: &str,
) -> DomainResult<Kind> {
    actor.require_city_admin()?;
    let code = code.trim().to_string();
    let name = required_text("name", name)?;
    let well_formed = (2..=64).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(DomainError::invalid("invalid_kind_code", "a kind code is 2 to 64 of a-z, 0-9 and _"));
    }
    write(db, async |txn| {
        if kind_exists(txn, &code).await? {
            return Err(DomainError::conflict("duplicate_kind", "this kind already exists"));
        }
        let id = Uuid::now_v7();
        let model = credential_kind::ActiveModel {
            id: Set(id),
            code: Set(code.clone()),
            name: Set(name.clone()),
            created_by: Set(actor.user_id),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::conflict("duplicate_kind", "this kind already exists")
            } else {
                e.into()
            }
        })?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "credential_kind.create", "credential_kind", id).after(&model),
        )
        .await?;
        Ok(Kind { code: model.code, name: model.name, level: None })
    })
    .await
}

/// What a holder records.
#[derive(Clone, Debug)]
pub struct NewCredential {
    pub kind: String,
    pub number: String,
    pub issuing_body: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub evidence_ref: String,
    pub registered_on: Option<NaiveDate>,
}

/// Changes by the holder; `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Clone, Debug, Default)]
pub struct CredentialPatch {
    pub number: Option<String>,
    pub issuing_body: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<Option<NaiveDate>>,
    pub evidence_ref: Option<String>,
    pub registered_on: Option<Option<NaiveDate>>,
}

fn check_dates(
    issued: NaiveDate,
    expires: Option<NaiveDate>,
    registered: Option<NaiveDate>,
    today: NaiveDate,
) -> DomainResult<()> {
    if issued > today {
        return Err(DomainError::invalid("invalid_dates", "a certificate cannot be issued in the future"));
    }
    if expires.is_some_and(|e| e <= issued) {
        return Err(DomainError::invalid("invalid_dates", "expiresOn must come after issuedOn"));
    }
    if registered.is_some_and(|r| r < issued || r > today) {
        return Err(DomainError::invalid("invalid_dates", "registeredOn lies between issuedOn and today"));
    }
    Ok(())
}

fn duplicate() -> DomainError {
    DomainError::conflict("duplicate_number", "a credential of this kind with this number is already recorded")
}

async fn number_taken(db: &impl ConnectionTrait, kind: &str, number: &str, except: Option<Uuid>) -> DomainResult<bool> {
    let mut q = credential::Entity::find()
        .filter(credential::Column::Kind.eq(kind))
        .filter(credential::Column::Number.eq(number));
    if let Some(id) = except {
        q = q.filter(credential::Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}

pub(super) async fn person(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("person"))
}

/// A person records one of their credentials; it waits for verification.
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewCredential,
) -> DomainResult<credential::Model> {
    let number = required_text("number", &new.number)?;
    let issuing_body = required_text("issuingBody", &new.issuing_body)?;
    let evidence_ref = required_text("evidenceRef", &new.evidence_ref)?;
    write(db, async |txn| {
        let me = person(txn, actor.user_id).await?;
        check_dates(new.issued_on, new.expires_on, new.registered_on, local_date(now, &me.time_zone))?;
        if !kind_exists(txn, &new.kind).await? {
            return Err(DomainError::invalid("unknown_kind", "`kind` names no credential kind"));
        }
        if level_of(&new.kind).is_none() && new.registered_on.is_some() {
            return Err(DomainError::invalid("not_registrable", "only social-work certificates are registered"));
        }
        if number_taken(txn, &new.kind, &number, None).await? {
            return Err(duplicate());
        }
        credential::ActiveModel {
            id: Set(Uuid::now_v7()),
            holder_id: Set(actor.user_id),
            kind: Set(new.kind.clone()),
            number: Set(number.clone()),
            issuing_body: Set(issuing_body.clone()),
            issued_on: Set(new.issued_on),
            expires_on: Set(new.expires_on),
            evidence_ref: Set(evidence_ref.clone()),
            registered_on: Set(new.registered_on),
            status: Set(CredentialStatus::Submitted),
            reason: Set(None),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| if is_unique_violation(&e) { duplicate() } else { e.into() })
    })
    .await
}

/// The holder edits their credential while it is not verified; a rejected one goes back to
/// `submitted`.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    patch: CredentialPatch,
) -> DomainResult<credential::Model> {
    write(db, async |txn| {
        let c = credential::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("credential"))?;
        if c.holder_id != actor.user_id {
            return Err(DomainError::not_found("credential"));
        }
        if !matches!(c.status, CredentialStatus::Submitted | CredentialStatus::Rejected) {
            return Err(DomainError::conflict(
                "credential_locked",
                "a credential can only be edited until it is verified",
            ));
        }
        let me = person(txn, actor.user_id).await?;
        let number = match &patch.number {
            Some(n) => required_text("number", n)?,
            None => c.number.clone(),
        };
        let issued_on = patch.issued_on.unwrap_or(c.issued_on);
        let expires_on = patch.expires_on.unwrap_or(c.expires_on);
        let registered_on = patch.registered_on.unwrap_or(c.registered_on);
        check_dates(issued_on, expires_on, registered_on, local_date(now, &me.time_zone))?;
        if level_of(&c.kind).is_none() && registered_on.is_some() {
            return Err(DomainError::invalid("not_registrable", "only social-work certificates are registered"));
        }
        if number != c.number && number_taken(txn, &c.kind, &number, Some(c.id)).await? {
            return Err(duplicate());
        }
        let mut am = c.into_active_model();
        am.number = Set(number);
        if let Some(b) = &patch.issuing_body {
            am.issuing_body = Set(required_text("issuingBody", b)?);
        }
        if let Some(e) = &patch.evidence_ref {
            am.evidence_ref = Set(required_text("evidenceRef", e)?);
        }
        am.issued_on = Set(issued_on);
        am.expires_on = Set(expires_on);
        am.registered_on = Set(registered_on);
        am.status = Set(CredentialStatus::Submitted);
        am.reason = Set(None);
        am.updated_at = Set(now);
        am.update(txn).await.map_err(|e| if is_unique_violation(&e) { duplicate() } else { e.into() })
    })
    .await
}

/// Whether the actor administers the holder's home unit.
async fn administers(db: &impl ConnectionTrait, actor: &Actor, holder: &user::Model) -> DomainResult<bool> {
    Ok(actor.role.is_admin() && actor.covers_unit(db, holder.org_unit_id).await?)
}

/// A credential its holder, or an administrator whose scope holds the holder, may see; else 404.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<credential::Model> {
    let c = credential::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("credential"))?;
    if c.holder_id == actor.user_id || administers(db, actor, &person(db, c.holder_id).await?).await? {
        return Ok(c);
    }
    Err(DomainError::not_found("credential"))
}

/// What an administrator decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Verify,
    Reject,
    Revoke,
}

/// An administrator verifies or rejects a submitted credential, or revokes a verified one (a
/// reason is required for both refusals). The holder's level is derived again and they are told.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> DomainResult<credential::Model> {
    actor.require_admin()?;
    let reason = match decision {
        Decision::Verify => None,
        _ => Some(required_text("reason", reason.as_deref().unwrap_or(""))?),
    };
    write(db, async |txn| {
        let c = credential::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("credential"))?;
        duties::require_may_decide(txn, actor, c.holder_id).await?;
        if c.holder_id == actor.user_id {
            return Err(DomainError::forbidden("nobody decides on their own credentials"));
        }
        let holder = person(txn, c.holder_id).await?;
        if !administers(txn, actor, &holder).await? {
            return Err(DomainError::not_found("credential"));
        }
        crate::domain::people::users::lock_person(txn, holder.id).await?;
        let (from, to, action, template) = match decision {
            Decision::Verify => {
                (CredentialStatus::Submitted, CredentialStatus::Verified, "verify", "credential.verified")
            }
            Decision::Reject => {
                (CredentialStatus::Submitted, CredentialStatus::Rejected, "reject", "credential.rejected")
            }
            Decision::Revoke => (CredentialStatus::Verified, CredentialStatus::Revoked, "revoke", "credential.revoked"),
        };
        if c.status != from {
            return Err(DomainError::conflict(
                "invalid_credential_state",
                format!("only a {} credential can be {action}ed", serde_json::to_value(from).unwrap_or_default()),
            ));
        }
        if decision == Decision::Verify && c.expires_on.is_some_and(|e| e < local_date(now, &holder.time_zone)) {
            return Err(DomainError::conflict("credential_expired", "this credential has already expired"));
        }
        let before = c.clone();
        let mut am = c.into_active_model();
        am.status = Set(to);
        am.reason = Set(reason.clone());
        am.decided_by = Set(Some(actor.user_id));
        am.decided_at = Set(Some(now));
        am.updated_at = Set(now);
        let after = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, &format!("credential.{action}"), "credential", id)
                .before(&before)
                .after(&after)
                .reason(reason.clone()),
        )
        .await?;
        derive_level(txn, &holder, now).await?;
        let mut msg = Message::new(holder.id, Category::Credential, template, format!("credential:{id}:{action}"))
            .names("kind", kind_name(txn, &after.kind).await?)
            .data("credentialId", id);
        if let Some(r) = &reason {
            msg = msg.param("reason", r);
        }
        notifications::tell(txn, msg).await?;
        Ok(after)
    })
    .await
}

/// A kind's name in both languages, for messages and details: a national level's from the
/// catalogue, an administrator-defined kind's as its administrator named it, and the code itself
/// only for a kind nobody defined.
pub async fn kind_name(db: &impl ConnectionTrait, kind: &str) -> Result<Names, sea_orm::DbErr> {
    if let Some(l) = level_of(kind) {
        let w = catalogue::level(l);
        return Ok(Names::new(w.zh, w.en));
    }
    let defined = credential_kind::Entity::find().filter(credential_kind::Column::Code.eq(kind)).one(db).await?;
    Ok(defined.map_or_else(|| Names::new(kind, kind), |k| Names::new(&k.name, &k.name)))
}

/// The highest verified, unexpired national level `holder` holds on `today`.
pub async fn current_level(
    db: &impl ConnectionTrait,
    holder: Uuid,
    today: NaiveDate,
) -> DomainResult<Option<QualificationLevel>> {
    let held = credential::Entity::find()
        .filter(credential::Column::HolderId.eq(holder))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .filter(credential::Column::Kind.is_in(LEVEL_KINDS.iter().map(|(k, _)| *k)))
        .all(db)
        .await?;
    Ok(held.into_iter().filter(|c| c.expires_on.is_none_or(|e| e >= today)).filter_map(|c| level_of(&c.kind)).max())
}

/// Whether `holder` holds a verified national level of at least `level`, unexpired on `today`.
/// The level on a social-worker profile is not read: only credentials an administrator
/// verified count, so that panels and mentoring rest on checked certificates.
pub async fn holds_level(
    db: &impl ConnectionTrait,
    holder: &user::Model,
    level: QualificationLevel,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    Ok(current_level(db, holder.id, local_date(now, &holder.time_zone)).await?.is_some_and(|l| l >= level))
}

/// Sets the holder's qualification level to what their credentials give.
pub async fn derive_level(
    txn: &impl ConnectionTrait,
    holder: &user::Model,
    now: DateTime<Utc>,
) -> DomainResult<Option<QualificationLevel>> {
    let level = current_level(txn, holder.id, local_date(now, &holder.time_zone)).await?;
    match social_worker_profile::Entity::find_by_id(holder.id).one(txn).await? {
        Some(p) if p.qualification_level == level => {}
        Some(p) => {
            let mut am = p.into_active_model();
            am.qualification_level = Set(level);
            am.updated_at = Set(now);
            am.update(txn).await?;
        }
        None if level.is_none() => {}
        None => {
            social_worker_profile::ActiveModel {
                user_id: Set(holder.id),
                qualification_level: Set(level),
                employer_org_unit_id: Set(None),
                front_line_since: Set(None),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(level)
}

/// Filters of the administrators' list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<CredentialStatus>,
    pub kind: Option<String>,
    pub holder_id: Option<Uuid>,
}

/// Credentials of people in the actor's scope, oldest first (administrators).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: Filter,
    page: PageRequest,
) -> DomainResult<Page<credential::Model>> {
    let root = actor.admin_scope_root()?;
    let mut q = credential::Entity::find();
    if let Some(root) = root {
        let people = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)))
            .to_owned();
        q = q.filter(credential::Column::HolderId.in_subquery(people));
    }
    if let Some(s) = filter.status {
        q = q.filter(credential::Column::Status.eq(s));
    }
    if let Some(k) = filter.kind {
        q = q.filter(credential::Column::Kind.eq(k));
    }
    if let Some(h) = filter.holder_id {
        q = q.filter(credential::Column::HolderId.eq(h));
    }
    Ok(page::fetch(db, q, credential::Column::Id, Order::OldestFirst, page, |c| c.id).await?)
}

/// One's own credentials, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<credential::Model>> {
    let q = credential::Entity::find().filter(credential::Column::HolderId.eq(actor.user_id));
    Ok(page::fetch(db, q, credential::Column::Id, Order::NewestFirst, page, |c| c.id).await?)
}

/// Flips verified credentials whose expiry date has passed (in each holder's zone) to `expired`
/// and derives their holders' levels again. Idempotent; returns how many expired.
pub async fn expire_due(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<u64> {
    // A day's margin either way covers every time zone; the exact date is checked per holder.
    let candidates = credential::Entity::find()
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .filter(credential::Column::ExpiresOn.lt(now.date_naive() + chrono::Duration::days(1)))
        .all(db)
        .await?;
    let mut n = 0;
    for c in candidates {
        let flipped = write(db, async |txn| {
            let holder = person(txn, c.holder_id).await?;
            if c.expires_on.is_none_or(|e| e >= local_date(now, &holder.time_zone)) {
                return Ok::<_, DomainError>(false);
            }
            let res = credential::Entity::update_many()
                .col_expr(credential::Column::Status, sea_orm::sea_query::Expr::value(CredentialStatus::Expired))
                .col_expr(credential::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
                .filter(credential::Column::Id.eq(c.id))
                .filter(credential::Column::Status.eq(CredentialStatus::Verified))
                .exec(txn)
                .await?;
            if res.rows_affected == 0 {
                return Ok(false);
            }
            derive_level(txn, &holder, now).await?;
            notifications::tell(
                txn,
                Message::new(
                    holder.id,
                    Category::Credential,
                    "credential.expired",
                    format!("credential:{}:expired", c.id),
                )
                .names("kind", kind_name(txn, &c.kind).await?)
                .data("credentialId", c.id),
            )
            .await?;
            Ok(true)
        })
        .await?;
        n += u64::from(flipped);
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered() {
        assert!(QualificationLevel::SeniorSocialWorker > QualificationLevel::SocialWorker);
        assert_eq!(level_of("senior_social_worker"), Some(QualificationLevel::SeniorSocialWorker));
        assert_eq!(kind_of(QualificationLevel::AssistantSocialWorker), "assistant_social_worker");
        assert_eq!(level_of("first_aid"), None);
    }
}
