//! The learning ledger and continuing education (继续教育): external training claims and their
//! review, progress against the requirement of one's level in the registration period, one's
//! entries, and the report of people behind their requirement.

use crate::config::TalentConfig;
use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::duties;
use crate::domain::kernel::org_units;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time::local_date;
use crate::domain::talent::credentials::{self, LEVEL_KINDS};
use crate::domain::talent::registration;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::credential::{self, CredentialStatus};
use entity::learning_entry::{self, LearningSource, LearningStatus};
use entity::social_worker_profile::{self, QualificationLevel};
use entity::user;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

/// The most hours one course or claim may credit.
pub const MAX_CREDIT_MINUTES: i32 = 200 * 60;

/// External training (or a social-work degree) a person claims.
#[derive(Clone, Debug)]
pub struct ExternalClaim {
    pub title: String,
    pub minutes: i32,
    pub completed_on: NaiveDate,
    pub counts_as_ce: bool,
    pub evidence_ref: String,
    /// A social-work degree: counts as the configured hours, once.
    pub degree: bool,
}

/// A person claims external training with evidence; it waits for an administrator.
pub async fn claim(
    db: &DatabaseConnection,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    claim: ExternalClaim,
) -> DomainResult<learning_entry::Model> {
    let title = required_text("title", &claim.title)?;
    let evidence = required_text("evidenceRef", &claim.evidence_ref)?;
    let minutes = if claim.degree { (cfg.degree_hours * 60) as i32 } else { claim.minutes };
    if !(1..=MAX_CREDIT_MINUTES).contains(&minutes) {
        return Err(DomainError::invalid("invalid_minutes", "minutes is 1 to 12000"));
    }
    write(db, async |txn| {
        let me = user::Entity::find_by_id(actor.user_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if claim.completed_on > local_date(now, &me.time_zone) {
            return Err(DomainError::invalid("invalid_dates", "completedOn cannot be in the future"));
        }
        Ok(learning_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            person_id: Set(actor.user_id),
            source: Set(if claim.degree { LearningSource::Degree } else { LearningSource::External }),
            course_id: Set(None),
            session_id: Set(None),
            title: Set(title.clone()),
            minutes: Set(minutes),
            counts_as_ce: Set(claim.degree || claim.counts_as_ce),
            status: Set(LearningStatus::Pending),
            completed_on: Set(claim.completed_on),
            evidence_ref: Set(Some(evidence.clone())),
            org_unit_id: Set(me.org_unit_id),
            reason: Set(None),
            created_by: Set(actor.user_id),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            entry_key: Set(None),
        }
        .insert(txn)
        .await?)
    })
    .await
}

/// An administrator whose scope holds the person approves or rejects a pending claim (a
/// rejection needs a reason); nobody decides their own (403).
pub async fn decide_claim(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    approve: bool,
    reason: Option<String>,
) -> DomainResult<learning_entry::Model> {
    actor.require_admin()?;
    let reason = if approve { None } else { Some(required_text("reason", reason.as_deref().unwrap_or(""))?) };
    write(db, async |txn| {
        let e =
            learning_entry::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("learning entry"))?;
        duties::require_may_decide(txn, actor, e.person_id).await?;
        if e.person_id == actor.user_id {
            return Err(DomainError::forbidden("nobody decides their own training claims"));
        }
        let person = user::Entity::find_by_id(e.person_id).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if !actor.covers_unit(txn, person.org_unit_id).await? {
            return Err(DomainError::not_found("learning entry"));
        }
        if e.status != LearningStatus::Pending {
            return Err(DomainError::conflict("already_decided", "this claim has already been decided"));
        }
        let before = e.clone();
        let mut am = e.into_active_model();
        am.status = Set(if approve { LearningStatus::Approved } else { LearningStatus::Rejected });
        am.reason = Set(reason.clone());
        am.decided_by = Set(Some(actor.user_id));
        am.decided_at = Set(Some(now));
        let after = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(
                actor.user_id,
                if approve { "training_claim.approve" } else { "training_claim.reject" },
                "learning_entry",
                id,
            )
            .before(&before)
            .after(&after)
            .reason(reason),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Pending training claims of people in the actor's scope, oldest first (administrators).
pub async fn claims_for_review(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<learning_entry::Model>> {
    let root = actor.admin_scope_root()?;
    let mut q = learning_entry::Entity::find()
        .filter(learning_entry::Column::Status.eq(LearningStatus::Pending))
        .filter(duties::decidable_by(actor, learning_entry::Column::PersonId));
    if let Some(root) = root {
        let people = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)))
            .to_owned();
        q = q.filter(learning_entry::Column::PersonId.in_subquery(people));
    }
    Ok(page::fetch(db, q, learning_entry::Column::Id, Order::OldestFirst, page, |e| e.id).await?)
}

/// Continuing-education progress in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub required_minutes: i64,
    /// Approved CE minutes completed in the period (a degree counted once).
    pub completed_minutes: i64,
    /// CE minutes claimed and not yet decided.
    pub pending_minutes: i64,
}

impl Progress {
    /// Minutes still missing.
    pub fn shortfall(&self) -> i64 {
        (self.required_minutes - self.completed_minutes).max(0)
    }
}

/// The CE hours a level requires per period, in minutes.
pub fn required_minutes(cfg: &TalentConfig, level: Option<QualificationLevel>) -> i64 {
    let hours = match level {
        None => 0,
        Some(QualificationLevel::AssistantSocialWorker) => cfg.ce_hours[0],
        Some(QualificationLevel::SocialWorker) => cfg.ce_hours[1],
        Some(QualificationLevel::SeniorSocialWorker) => cfg.ce_hours[2],
    };
    i64::from(hours) * 60
}

/// A person's CE progress for `level` in the period `[start, end)`.
pub async fn progress(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    person: Uuid,
    level: Option<QualificationLevel>,
    start: NaiveDate,
    end: NaiveDate,
) -> DomainResult<Progress> {
    let entries = learning_entry::Entity::find()
        .filter(learning_entry::Column::PersonId.eq(person))
        .filter(learning_entry::Column::CountsAsCe.eq(true))
        .filter(learning_entry::Column::CompletedOn.gte(start))
        .filter(learning_entry::Column::CompletedOn.lt(end))
        .all(db)
        .await?;
    let mut p = Progress { required_minutes: required_minutes(cfg, level), ..Progress::default() };
    let mut degree_counted = false;
    for e in entries {
        match e.status {
            LearningStatus::Approved if e.source == LearningSource::Degree => {
                if !degree_counted {
                    p.completed_minutes += i64::from(cfg.degree_hours) * 60;
                    degree_counted = true;
                }
            }
            LearningStatus::Approved => p.completed_minutes += i64::from(e.minutes),
            LearningStatus::Pending => p.pending_minutes += i64::from(e.minutes),
            LearningStatus::Rejected => {}
        }
    }
    Ok(p)
}

/// Where a person stands: their level, the current registration period and their progress in it.
#[derive(Clone, Debug)]
pub struct Standing {
    pub level: Option<QualificationLevel>,
    /// The credential whose registration period counts.
    pub credential: Option<credential::Model>,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub progress: Progress,
}

/// A person's standing on `today`.
pub async fn standing(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    person: &user::Model,
    now: DateTime<Utc>,
) -> DomainResult<Standing> {
    let today = local_date(now, &person.time_zone);
    let level = credentials::current_level(db, person.id, today).await?;
    let Some(level) = level else {
        return Ok(Standing { level: None, credential: None, period: None, progress: Progress::default() });
    };
    let c = credential::Entity::find()
        .filter(credential::Column::HolderId.eq(person.id))
        .filter(credential::Column::Status.eq(CredentialStatus::Verified))
        .filter(credential::Column::Kind.eq(credentials::kind_of(level)))
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.expires_on.is_none_or(|e| e >= today))
        .max_by_key(|c| c.issued_on);
    let period =
        c.as_ref().and_then(|c| registration::registration(cfg, c, today)).map(|r| (r.period_start, r.period_end));
    let progress = match period {
        Some((s, e)) => progress(db, cfg, person.id, Some(level), s, e).await?,
        None => Progress { required_minutes: required_minutes(cfg, Some(level)), ..Progress::default() },
    };
    Ok(Standing { level: Some(level), credential: c, period, progress })
}

/// One's own ledger, newest first.
pub async fn my_entries(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<learning_entry::Model>> {
    let q = learning_entry::Entity::find().filter(learning_entry::Column::PersonId.eq(actor.user_id));
    Ok(page::fetch(db, q, learning_entry::Column::Id, Order::NewestFirst, page, |e| e.id).await?)
}

/// A person behind their CE requirement.
#[derive(Clone, Debug)]
pub struct Behind {
    pub person: user::Model,
    pub standing: Standing,
}

/// People in the actor's scope holding a level, behind their CE requirement, largest shortfall
/// first (at most `limit`). Administrators.
pub async fn behind_report(
    db: &impl ConnectionTrait,
    cfg: &TalentConfig,
    actor: &Actor,
    now: DateTime<Utc>,
    limit: usize,
) -> DomainResult<Vec<Behind>> {
    let root = actor.admin_scope_root()?;
    let holders = Query::select()
        .column(social_worker_profile::Column::UserId)
        .from(social_worker_profile::Entity)
        .and_where(social_worker_profile::Column::QualificationLevel.is_not_null())
        .to_owned();
    let mut q = user::Entity::find()
        .filter(user::Column::Id.in_subquery(holders))
        .filter(user::Column::Status.eq(user::UserStatus::Active));
    if let Some(root) = root {
        q = q.filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)));
    }
    let mut out = Vec::new();
    for person in q.all(db).await? {
        let standing = standing(db, cfg, &person, now).await?;
        if standing.progress.shortfall() > 0 {
            out.push(Behind { person, standing });
        }
    }
    out.sort_by(|a, b| {
        b.standing.progress.shortfall().cmp(&a.standing.progress.shortfall()).then(a.person.id.cmp(&b.person.id))
    });
    out.truncate(limit);
    Ok(out)
}

/// The kinds that carry a level (for queries).
pub fn level_kinds() -> impl Iterator<Item = &'static str> {
    LEVEL_KINDS.iter().map(|(k, _)| *k)
}
