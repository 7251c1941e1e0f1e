//! People: self-registration of volunteers, accounts created by administrators, profiles as read,
//! and the rules of who may see and change whom. Editing one's own profile and password is in
//! `profiles`.
//!
//! Tables: `users`, `volunteer_profiles`, `user_skills`, `social_worker_profiles`.
//!
//! Scope rules: a person sees and edits themselves through `/me`; administrators see people whose
//! home unit lies in their scope and manage them when, in addition, the person ranks below them
//! or sits strictly below their own unit. Nobody changes their own role, status or scope, and a
//! role is only ever granted up to the granter's own.

use crate::auth::password::{MAX_PASSWORD_LEN, MIN_PASSWORD_LEN, PasswordHasher};
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::people::phone::{self, Phone};
use crate::domain::people::sessions;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Utc};
use entity::org_unit::OrgUnitKind;
use entity::social_worker_profile::{self as swp, QualificationLevel};
use entity::user::{self, Locale, Role, UserStatus};
use entity::{user_skill, volunteer_profile};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

/// A person with their profiles.
#[derive(Clone, Debug)]
pub struct Profile {
    pub user: user::Model,
    pub volunteer: Option<volunteer_profile::Model>,
    pub skills: Vec<String>,
    pub social_worker: Option<swp::Model>,
}

/// What the audit log keeps of a person: no password hash, phone masked.
#[derive(Serialize)]
struct Snapshot<'a> {
    id: Uuid,
    name: &'a str,
    phone: String,
    role: Role,
    status: UserStatus,
    org_unit_id: Option<Uuid>,
    qualification_level: Option<QualificationLevel>,
}

fn snapshot<'a>(u: &'a user::Model, sw: Option<&swp::Model>) -> Snapshot<'a> {
    Snapshot {
        id: u.id,
        name: &u.name,
        phone: phone::mask(&u.phone),
        role: u.role,
        status: u.status,
        org_unit_id: u.org_unit_id,
        qualification_level: sw.and_then(|s| s.qualification_level),
    }
}

/// Serialises changes that depend on one person's current state (their sign-ups, their hours
/// totals) on PostgreSQL by locking their row until the transaction ends; SQLite's write
/// transactions are serial already.
pub async fn lock_person(txn: &impl ConnectionTrait, id: Uuid) -> DomainResult<()> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let q = sea_orm::sea_query::Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(user::Column::Id.eq(id))
            .lock(sea_orm::sea_query::LockType::Update)
            .to_owned();
        txn.query_one(&q).await?;
    }
    Ok(())
}

/// Checks a new password's length.
pub fn validate_password(password: &str) -> DomainResult<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&n) {
        return Err(DomainError::invalid(
            "weak_password",
            format!("password must be {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"),
        ));
    }
    Ok(())
}

/// A person to insert; every field already checked.
pub(super) struct NewPerson {
    pub(super) phone: Phone,
    pub(super) name: String,
    pub(super) password_hash: String,
    pub(super) role: Role,
    pub(super) org_unit_id: Option<Uuid>,
    pub(super) locale: Locale,
    pub(super) time_zone: String,
    pub(super) qualification_level: Option<QualificationLevel>,
    pub(super) employer_org_unit_id: Option<Uuid>,
    /// The administrator creating the account (`None`: self-registration, the command line).
    pub(super) created_by: Option<Uuid>,
}

fn new_volunteer_number() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    format!("V{}{:010}", rng.random_range(1..=9), rng.random_range(0..10_000_000_000u64))
}

pub(super) fn blank_volunteer_profile(user_id: Uuid, now: DateTime<Utc>) -> volunteer_profile::ActiveModel {
    volunteer_profile::ActiveModel {
        user_id: Set(user_id),
        service_lat: Set(None),
        service_lng: Set(None),
        service_radius_km: Set(None),
        bio: Set(None),
        updated_at: Set(now),
    }
}

fn blank_social_worker_profile(user_id: Uuid, now: DateTime<Utc>) -> swp::ActiveModel {
    swp::ActiveModel {
        user_id: Set(user_id),
        qualification_level: Set(None),
        employer_org_unit_id: Set(None),
        front_line_since: Set(None),
        updated_at: Set(now),
    }
}

pub(super) async fn insert_person(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    p: NewPerson,
) -> DomainResult<user::Model> {
    let id = Uuid::now_v7();
    let mut attempt = 0;
    crate::auth::session_cache::person_changed(id);
    let user = loop {
        attempt += 1;
        let am = user::ActiveModel {
            id: Set(id),
            phone: Set(p.phone.as_str().to_string()),
            name: Set(p.name.clone()),
            password_hash: Set(p.password_hash.clone()),
            role: Set(p.role),
            org_unit_id: Set(p.org_unit_id),
            status: Set(UserStatus::Active),
            locale: Set(p.locale),
            time_zone: Set(p.time_zone.clone()),
            volunteer_number: Set(new_volunteer_number()),
            token_version: Set(0),
            created_by: Set(p.created_by),
            created_at: Set(now),
            updated_at: Set(now),
        };
        // A savepoint, so a clash of random volunteer numbers can be retried without aborting
        // the whole transaction on PostgreSQL.
        let sp = txn.begin().await?;
        match am.insert(&sp).await {
            Ok(u) => {
                sp.commit().await?;
                break u;
            }
            Err(e) if is_unique_violation(&e) => {
                sp.rollback().await?;
                let msg = e.to_string();
                if msg.contains("phone") || attempt >= 5 || !msg.contains("volunteer_number") {
                    return Err(DomainError::conflict("phone_taken", "an account with this phone number exists"));
                }
            }
            Err(e) => return Err(e.into()),
        }
    };
    crate::domain::registry::person_created(txn, &user).await?;
    blank_volunteer_profile(id, now).insert(txn).await?;
    if p.role == Role::SocialWorker || p.qualification_level.is_some() || p.employer_org_unit_id.is_some() {
        let mut sw = blank_social_worker_profile(id, now);
        sw.qualification_level = Set(p.qualification_level);
        sw.employer_org_unit_id = Set(p.employer_org_unit_id);
        sw.insert(txn).await?;
    }
    Ok(user)
}

pub(super) async fn require_unit(db: &impl ConnectionTrait, id: Uuid, field: &str) -> DomainResult<()> {
    org_units::get(db, id)
        .await
        .map(|_| ())
        .map_err(|_| DomainError::invalid("org_unit_not_found", format!("{field} names no org unit")))
}

/// An account an administrator (or the command line) creates.
pub struct NewAccount {
    pub phone: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    pub org_unit_id: Option<Uuid>,
    pub locale: Option<Locale>,
    pub time_zone: Option<String>,
    pub qualification_level: Option<QualificationLevel>,
    pub employer_org_unit_id: Option<Uuid>,
}

/// Whether `actor` may hand out `role`: only roles below their own (the level above creates
/// administrators: the city administrator district administrators, a district administrator
/// station administrators; the first city administrator comes from the command line).
fn may_grant(actor: &Actor, role: Role) -> bool {
    actor.role.is_admin() && role.rank() < actor.role.rank()
}

/// Roles that act on an org unit's subtree or on its behalf need a home unit; a district
/// administrator's is a district centre.
async fn check_unit_for_role(db: &impl ConnectionTrait, role: Role, unit: Option<Uuid>) -> DomainResult<()> {
    if matches!(role, Role::StationAdmin | Role::DistrictAdmin | Role::SocialWorker) && unit.is_none() {
        return Err(DomainError::invalid(
            "org_unit_required",
            "social workers and station and district administrators need an orgUnitId",
        ));
    }
    if let (Role::DistrictAdmin, Some(unit)) = (role, unit)
        && org_units::get(db, unit).await?.kind != OrgUnitKind::DistrictCenter
    {
        return Err(DomainError::invalid(
            "org_unit_required",
            "a district administrator's orgUnitId is a district centre",
        ));
    }
    Ok(())
}

async fn validate_account(db: &impl ConnectionTrait, a: &NewAccount) -> DomainResult<(Phone, String, String)> {
    let phone = Phone::parse(&a.phone)?;
    let name = required_text("name", &a.name)?;
    validate_password(&a.password)?;
    if let Some(unit) = a.org_unit_id {
        require_unit(db, unit, "orgUnitId").await?;
    }
    check_unit_for_role(db, a.role, a.org_unit_id).await?;
    let tz = time::zone_for_new(db, a.time_zone.clone(), a.org_unit_id).await?;
    if let Some(unit) = a.employer_org_unit_id {
        require_unit(db, unit, "employerOrgUnitId").await?;
    }
    Ok((phone, name, tz))
}

async fn insert_account(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    now: DateTime<Utc>,
    actor_id: Option<Uuid>,
    a: NewAccount,
) -> DomainResult<Profile> {
    let (phone, name, time_zone) = validate_account(db, &a).await?;
    let password_hash = hasher.hash(&a.password).await.map_err(|e| DomainError::Internal(e.to_string()))?;
    let id = write(db, async |txn| {
        let user = insert_person(
            txn,
            now,
            NewPerson {
                phone,
                name,
                password_hash,
                role: a.role,
                org_unit_id: a.org_unit_id,
                locale: a.locale.unwrap_or(Locale::ZhCn),
                time_zone,
                qualification_level: a.qualification_level,
                employer_org_unit_id: a.employer_org_unit_id,
                created_by: actor_id,
            },
        )
        .await?;
        let sw = swp::Entity::find_by_id(user.id).one(txn).await?;
        audit::record(
            txn,
            now,
            Change { actor: actor_id, ..Change::new(Uuid::nil(), "user.create", "user", user.id) }
                .after(&snapshot(&user, sw.as_ref())),
        )
        .await?;
        Ok::<_, DomainError>(user.id)
    })
    .await?;
    load_profile(db, id).await
}

/// An administrator creates an account in their scope, with a role up to their own.
pub async fn create_by_admin(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    now: DateTime<Utc>,
    a: NewAccount,
) -> DomainResult<Profile> {
    actor.require_admin()?;
    if !may_grant(actor, a.role) {
        return Err(DomainError::forbidden("you cannot grant a role above your own"));
    }
    if !actor.covers_unit(db, a.org_unit_id).await? {
        return Err(DomainError::forbidden("the org unit is outside your scope"));
    }
    insert_account(db, hasher, now, Some(actor.user_id), a).await
}

/// The command line creates the first city administrator (no actor).
pub async fn create_city_admin(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    now: DateTime<Utc>,
    phone: String,
    name: String,
    password: String,
) -> DomainResult<Profile> {
    let account = NewAccount {
        phone,
        name,
        password,
        role: Role::CityAdmin,
        org_unit_id: None,
        locale: None,
        time_zone: None,
        qualification_level: None,
        employer_org_unit_id: None,
    };
    insert_account(db, hasher, now, None, account).await
}

/// A person with their profiles, or 404.
pub async fn load_profile(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Profile> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
    use sea_orm::{FromQueryResult, IdenStatic, Iterable};
    // One statement (it answers every `GET /me`): the person, left-joined to their volunteer and
    // social-worker profiles and to their skills, one row per skill (one row when none). Each
    // table's columns come prefixed (`u_`, `v_`, `s_`) so the models read their own.
    let (u, v, w, k) = (Alias::new("u"), Alias::new("v"), Alias::new("w"), Alias::new("k"));
    let mut q = Query::select();
    q.from_as(user::Entity, u.clone());
    for c in user::Column::iter() {
        q.expr_as(Expr::col((u.clone(), c)), Alias::new(format!("u_{}", c.as_str())));
    }
    for c in volunteer_profile::Column::iter() {
        q.expr_as(Expr::col((v.clone(), c)), Alias::new(format!("v_{}", c.as_str())));
    }
    for c in swp::Column::iter() {
        q.expr_as(Expr::col((w.clone(), c)), Alias::new(format!("s_{}", c.as_str())));
    }
    q.expr_as(Expr::col((k.clone(), user_skill::Column::Skill)), Alias::new("k_skill"))
        .join_as(
            JoinType::LeftJoin,
            volunteer_profile::Entity,
            v.clone(),
            Expr::col((v.clone(), volunteer_profile::Column::UserId)).equals((u.clone(), user::Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            swp::Entity,
            w.clone(),
            Expr::col((w.clone(), swp::Column::UserId)).equals((u.clone(), user::Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            user_skill::Entity,
            k.clone(),
            Expr::col((k.clone(), user_skill::Column::UserId)).equals((u.clone(), user::Column::Id)),
        )
        .and_where(Expr::col((u, user::Column::Id)).eq(id))
        .order_by((k, user_skill::Column::Skill), sea_orm::Order::Asc);
    let rows = db.query_all(&q).await?;
    let first = rows.first().ok_or(DomainError::not_found("person"))?;
    let user = user::Model::from_query_result(first, "u_")?;
    let volunteer = match first.try_get::<Option<Uuid>>("", "v_user_id")? {
        Some(_) => Some(volunteer_profile::Model::from_query_result(first, "v_")?),
        None => None,
    };
    let social_worker = match first.try_get::<Option<Uuid>>("", "s_user_id")? {
        Some(_) => Some(swp::Model::from_query_result(first, "s_")?),
        None => None,
    };
    let mut skills = Vec::new();
    for r in &rows {
        if let Some(skill) = r.try_get::<Option<String>>("", "k_skill")? {
            skills.push(skill);
        }
    }
    Ok(Profile { user, volunteer, skills, social_worker })
}

/// People by id, for joining names onto lists.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> DomainResult<std::collections::HashMap<Uuid, user::Model>> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|u| (u.id, u)).collect())
}

/// Whether `actor` may see `target`: themselves, or an administrator whose scope holds the
/// target's home unit.
async fn may_see(db: &impl ConnectionTrait, actor: &Actor, target: &user::Model) -> DomainResult<bool> {
    if actor.user_id == target.id {
        return Ok(true);
    }
    if !actor.role.is_admin() {
        return Ok(false);
    }
    actor.covers_unit(db, target.org_unit_id).await
}

/// Whether `actor` may change `target`'s account (role, status, unit, name): only accounts of
/// a role below their own, never their own.
pub fn may_manage(actor: &Actor, target: &user::Model) -> bool {
    actor.user_id != target.id && actor.role.is_admin() && target.role.rank() < actor.role.rank()
}

/// A person the actor may see, or 404 (the existence of people outside one's scope is private).
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Profile> {
    let profile = load_profile(db, id).await?;
    if !may_see(db, actor, &profile.user).await? {
        return Err(DomainError::not_found("person"));
    }
    Ok(profile)
}

/// Filters on the people list.
#[derive(Default)]
pub struct Filter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub org_unit_id: Option<Uuid>,
    /// A phone number (exact) or part of a name.
    pub q: Option<String>,
}

/// People in the actor's scope, oldest account first. Administrators only.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: Filter,
    page: PageRequest,
) -> DomainResult<Page<user::Model>> {
    let root = actor.admin_scope_root()?;
    let mut q = user::Entity::find();
    if let Some(root) = root {
        q = q.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    if let Some(unit) = filter.org_unit_id {
        if !actor.covers_unit(db, Some(unit)).await? {
            return Err(DomainError::not_found("org unit"));
        }
        q = q.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(unit)));
    }
    if let Some(r) = filter.role {
        q = q.filter(user::Column::Role.eq(r));
    }
    if let Some(s) = filter.status {
        q = q.filter(user::Column::Status.eq(s));
    }
    if let Some(text) = filter.q.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()) {
        q = match Phone::parse(&text) {
            Ok(p) => q.filter(user::Column::Phone.eq(p.as_str())),
            Err(_) => q.filter(user::Column::Name.contains(&text)),
        };
    }
    Ok(page::fetch(db, q, user::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// Changes an administrator makes to an account; `None` leaves a field alone.
#[derive(Default)]
pub struct AccountPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub org_unit_id: Option<Option<Uuid>>,
    pub qualification_level: Option<Option<QualificationLevel>>,
    pub employer_org_unit_id: Option<Option<Uuid>>,
    pub reason: Option<String>,
}

/// An administrator changes an account in their scope. Suspending ends every session at once.
pub async fn update_by_admin(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    patch: AccountPatch,
) -> DomainResult<Profile> {
    actor.require_admin()?;
    write(db, async |txn| {
        let before = get_visible(txn, actor, id).await?;
        if !may_manage(actor, &before.user) {
            return Err(DomainError::forbidden("you may not change this account"));
        }
        crate::auth::session_cache::person_changed(id);
        let mut am = before.user.clone().into_active_model();
        if let Some(name) = &patch.name {
            am.name = Set(required_text("name", name)?);
        }
        let role = patch.role.unwrap_or(before.user.role);
        if patch.role.is_some() {
            if !may_grant(actor, role) {
                return Err(DomainError::forbidden("you cannot grant a role above your own"));
            }
            am.role = Set(role);
        }
        let unit = patch.org_unit_id.unwrap_or(before.user.org_unit_id);
        if let Some(new_unit) = patch.org_unit_id {
            if let Some(u) = new_unit {
                require_unit(txn, u, "orgUnitId").await?;
            }
            if !actor.covers_unit(txn, new_unit).await? {
                return Err(DomainError::forbidden("the org unit is outside your scope"));
            }
            am.org_unit_id = Set(new_unit);
        }
        check_unit_for_role(txn, role, unit).await?;
        let suspending = patch.status == Some(UserStatus::Suspended) && before.user.status != UserStatus::Suspended;
        if let Some(s) = patch.status {
            am.status = Set(s);
        }
        if suspending {
            am.token_version = Set(before.user.token_version + 1);
            sessions::revoke_all(txn, id, now, "suspended", None).await?;
        }
        am.updated_at = Set(now);
        let user = am.update(txn).await?;
        crate::domain::registry::person_changed(txn, &before.user, &user).await?;

        let wants_sw = patch.qualification_level.is_some() || patch.employer_org_unit_id.is_some();
        let sw = if wants_sw || (role == Role::SocialWorker && before.social_worker.is_none()) {
            if let Some(Some(u)) = patch.employer_org_unit_id {
                require_unit(txn, u, "employerOrgUnitId").await?;
            }
            let mut s = match &before.social_worker {
                Some(s) => s.clone().into_active_model(),
                None => blank_social_worker_profile(id, now),
            };
            if let Some(q) = patch.qualification_level {
                s.qualification_level = Set(q);
            }
            if let Some(e) = patch.employer_org_unit_id {
                s.employer_org_unit_id = Set(e);
            }
            s.updated_at = Set(now);
            Some(match before.social_worker {
                Some(_) => s.update(txn).await?,
                None => s.insert(txn).await?,
            })
        } else {
            before.social_worker.clone()
        };
        let action = if suspending { "user.suspend" } else { "user.update" };
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, action, "user", id)
                .before(&snapshot(&before.user, before.social_worker.as_ref()))
                .after(&snapshot(&user, sw.as_ref()))
                .reason(patch.reason.clone()),
        )
        .await?;
        Ok(())
    })
    .await?;
    load_profile(db, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volunteer_numbers_have_a_fixed_shape() {
        for _ in 0..100 {
            let n = new_volunteer_number();
            assert_eq!(n.len(), 12);
            assert!(n.starts_with('V') && n[1..].bytes().all(|b| b.is_ascii_digit()) && &n[1..2] != "0");
        }
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(validate_password("short").is_err());
        assert!(validate_password("long enough").is_ok());
        assert!(validate_password(&"x".repeat(129)).is_err());
    }
}
