//! The talent directory: administrators search the people in their scope by qualification level,
//! credential kind, skill and continuing-education status, page by page or as a CSV export
//! (phone numbers masked unless the administrator asks for full numbers, which is audited).
//!
//! Reads `users`, `social_worker_profiles`, `credentials`, `user_skills` and the learning ledger.

use crate::config::TalentConfig;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::talent::credentials::{self, LEVEL_KINDS};
use crate::domain::talent::learning::{self, Standing};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::credential::{self, CredentialStatus};
use entity::social_worker_profile::{self, QualificationLevel};
use entity::user::{self, UserStatus};
use entity::user_skill;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// What to search for.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// At least this level.
    pub min_level: Option<QualificationLevel>,
    /// Holds a verified credential of this kind.
    pub credential_kind: Option<String>,
    pub skill: Option<String>,
    /// `Some(true)`: only those behind their CE requirement; `Some(false)`: only those on track.
    /// Applied to each page after it is read, so a page may hold fewer than `limit`.
    pub ce_behind: Option<bool>,
}

/// One person in the directory.
#[derive(Clone, Debug)]
pub struct Line {
    pub person: user::Model,
    /// Verified, unexpired credential kinds.
    pub kinds: Vec<String>,
    pub skills: Vec<String>,
    pub standing: Standing,
}

/// One page of people in the actor's scope matching `filter`, oldest account first.
pub async fn search(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    filter: &Filter,
    page: PageRequest,
) -> DomainResult<Page<Line>> {
    let root = actor.admin_scope_root()?;
    let mut q = user::Entity::find().filter(user::Column::Status.eq(UserStatus::Active));
    if let Some(root) = root {
        q = q.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    if let Some(min) = filter.min_level {
        let levels: Vec<QualificationLevel> = LEVEL_KINDS.iter().map(|(_, l)| *l).filter(|l| *l >= min).collect();
        let holders = Query::select()
            .column(social_worker_profile::Column::UserId)
            .from(social_worker_profile::Entity)
            .and_where(social_worker_profile::Column::QualificationLevel.is_in(levels))
            .to_owned();
        q = q.filter(user::Column::Id.in_subquery(holders));
    }
    if let Some(kind) = &filter.credential_kind {
        let holders = Query::select()
            .column(credential::Column::HolderId)
            .from(credential::Entity)
            .and_where(credential::Column::Kind.eq(kind.as_str()))
            .and_where(credential::Column::Status.eq(CredentialStatus::Verified))
            .to_owned();
        q = q.filter(user::Column::Id.in_subquery(holders));
    }
    if let Some(skill) = &filter.skill {
        let with = Query::select()
            .column(user_skill::Column::UserId)
            .from(user_skill::Entity)
            .and_where(user_skill::Column::Skill.eq(skill.trim()))
            .to_owned();
        q = q.filter(user::Column::Id.in_subquery(with));
    }
    let p = page::fetch(db, q, user::Column::Id, Order::OldestFirst, page, |u| u.id).await?;
    let ids: Vec<Uuid> = p.items.iter().map(|u| u.id).collect();
    let mut kinds: HashMap<Uuid, Vec<String>> = HashMap::new();
    for c in credential::Entity::find()
        .filter(credential::Column::HolderId.is_in(ids.clone()))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .all(db)
        .await?
    {
        kinds.entry(c.holder_id).or_default().push(c.kind);
    }
    let mut skills: HashMap<Uuid, Vec<String>> = HashMap::new();
    for s in user_skill::Entity::find().filter(user_skill::Column::UserId.is_in(ids)).all(db).await? {
        skills.entry(s.user_id).or_default().push(s.skill);
    }
    let mut items = Vec::new();
    for person in p.items {
        let standing = learning::standing(db, cfg, &person, now).await?;
        let behind = standing.progress.shortfall() > 0;
        if filter.ce_behind.is_some_and(|want| want != behind) {
            continue;
        }
        let mut k = kinds.remove(&person.id).unwrap_or_default();
        k.sort();
        k.dedup();
        let mut s = skills.remove(&person.id).unwrap_or_default();
        s.sort();
        items.push(Line { kinds: k, skills: s, standing, person });
    }
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// Checks the filter's credential kind exists (400 `unknown_kind`).
pub async fn check_filter(db: &impl ConnectionTrait, filter: &Filter) -> DomainResult<()> {
    if let Some(k) = &filter.credential_kind
        && !credentials::kind_exists(db, k).await?
    {
        return Err(DomainError::invalid("unknown_kind", "`kind` names no credential kind"));
    }
    Ok(())
}

/// Records that an administrator exported full phone numbers.
pub async fn audit_full_phones(db: &DatabaseConnection, actor: &Actor, now: DateTime<Utc>) -> DomainResult<()> {
    actor.admin_scope_root()?;
    audit::record(db, now, Change::new(actor.user_id, "talent.export_full_phones", "user", actor.user_id)).await
}
