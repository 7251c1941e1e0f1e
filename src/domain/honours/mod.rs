//! Honours (表彰): award programmes run by the city administrator, nominations by station and
//! city administrators, blind panel review with conflict-of-interest rules, the decision, the
//! public notice (公示) with objections, publication on the honour wall, revocation, and
//! automatic honours (star levels).
//!
//! The procedure follows the award notices (see REFERENCE.md, "Award procedure"): call for
//! nominations → eligibility → recommendation within quota → anonymous panel scoring on a
//! rubric → public notice (at least 5 working days) → approval → publication; fraud leads to
//! revocation.
//!
//! Tables: `honour_programmes`, `honour_quota_uses`, `honour_nominations`, `honour_reviewers`,
//! `honour_scores`, `honour_recusals`, `honours`, `honour_objections`.
//!
//! Modules: this one (programmes and their states), [`eligibility`] (rules, one source
//! function per rule), [`nominations`], [`review`] (panel, conflicts, scores, ranking),
//! [`notice`] (decision, public notice, objections, publication, the wall, automatic honours).
//!
//! A programme moves `draft → nominating → reviewing → decided → public_notice → published`,
//! only forward, only by the city administrator; each move is audited and tells the people
//! concerned (category `honour`).

pub mod eligibility;
pub mod nominations;
pub mod notice;
pub mod review;

use crate::db::write;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time::{self, validate_time_zone};
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Duration, Utc};
use eligibility::Rule;
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_programme::{self, ProgrammeKind, ProgrammeState};
use entity::user::{self, Role, UserStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The lowest and highest score of a criterion.
pub const SCORE_RANGE: std::ops::RangeInclusive<i32> = 1..=10;
/// The public notice lasts at least this many working days (公示不少于5个工作日).
pub const MIN_NOTICE_WORKING_DAYS: i32 = 5;

/// One named scoring criterion with its weight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// 1 to 100; weights are relative.
    pub weight: i32,
}

/// The criteria a programme scores on when its creator names none.
pub fn default_criteria() -> Vec<Criterion> {
    vec![
        Criterion { name: "先进事迹".into(), weight: 40 },
        Criterion { name: "专业能力".into(), weight: 30 },
        Criterion { name: "社会影响".into(), weight: 30 },
    ]
}

/// A programme to create.
#[derive(Clone, Debug)]
pub struct NewProgramme {
    pub name: String,
    pub kind: ProgrammeKind,
    pub year: i32,
    pub nominee_role: Option<Role>,
    pub nomination_opens_at: DateTime<Utc>,
    pub nomination_closes_at: DateTime<Utc>,
    pub review_closes_at: DateTime<Utc>,
    pub awards: i32,
    pub station_quota: i32,
    pub notice_working_days: Option<i32>,
    pub time_zone: Option<String>,
    pub rules: Vec<Rule>,
    pub criteria: Option<Vec<Criterion>>,
}

/// A programme with its rules and criteria read out of their JSON.
#[derive(Clone, Debug)]
pub struct Programme {
    pub row: honour_programme::Model,
    pub rules: Vec<Rule>,
    pub criteria: Vec<Criterion>,
}

impl Programme {
    fn from_row(row: honour_programme::Model) -> DomainResult<Programme> {
        let bad = |e: serde_json::Error| DomainError::Internal(format!("stored programme {}: {e}", row.id));
        let rules = serde_json::from_value(row.rules.clone()).map_err(bad)?;
        let criteria = serde_json::from_value(row.criteria.clone()).map_err(bad)?;
        Ok(Programme { row, rules, criteria })
    }
}

fn validate_criteria(criteria: &[Criterion]) -> DomainResult<()> {
    if criteria.is_empty() || criteria.len() > 5 {
        return Err(DomainError::invalid("invalid_criteria", "name 1 to 5 criteria"));
    }
    for (i, c) in criteria.iter().enumerate() {
        let n = c.name.trim().chars().count();
        if n == 0 || n > 50 || !(1..=100).contains(&c.weight) {
            return Err(DomainError::invalid(
                "invalid_criteria",
                "each criterion needs a name (up to 50 characters) and a weight of 1 to 100",
            ));
        }
        if criteria[..i].iter().any(|o| o.name.trim() == c.name.trim()) {
            return Err(DomainError::invalid("invalid_criteria", "criteria names must differ"));
        }
    }
    Ok(())
}

/// Checks a programme's settings and fills in the defaults (notice length, time zone,
/// criteria).
fn checked(mut p: NewProgramme) -> DomainResult<NewProgramme> {
    p.name = required_text("name", &p.name)?;
    if p.name.chars().count() > 200 {
        return Err(DomainError::validation("name is at most 200 characters"));
    }
    if !(2000..=2100).contains(&p.year) {
        return Err(DomainError::validation("year must be 2000 to 2100"));
    }
    if !(p.nomination_opens_at < p.nomination_closes_at && p.nomination_closes_at <= p.review_closes_at) {
        return Err(DomainError::invalid(
            "invalid_windows",
            "nominations must open before they close, and close no later than the review",
        ));
    }
    if !(1..=1000).contains(&p.awards) || !(0..=1000).contains(&p.station_quota) {
        return Err(DomainError::validation("awards must be 1 to 1000 and the station quota 0 to 1000"));
    }
    let notice_days = p.notice_working_days.unwrap_or(MIN_NOTICE_WORKING_DAYS);
    if !(MIN_NOTICE_WORKING_DAYS..=30).contains(&notice_days) {
        return Err(DomainError::invalid(
            "invalid_notice_period",
            format!("the public notice lasts {MIN_NOTICE_WORKING_DAYS} to 30 working days"),
        ));
    }
    p.notice_working_days = Some(notice_days);
    let tz = p.time_zone.take().unwrap_or_else(|| time::DEFAULT_TIME_ZONE.to_string());
    validate_time_zone(&tz)?;
    p.time_zone = Some(tz);
    eligibility::validate_rules(&p.rules)?;
    let criteria = p.criteria.take().unwrap_or_else(default_criteria);
    validate_criteria(&criteria)?;
    p.criteria =
        Some(criteria.into_iter().map(|c| Criterion { name: c.name.trim().to_string(), weight: c.weight }).collect());
    Ok(p)
}

fn to_json(v: &impl Serialize) -> DomainResult<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| DomainError::Internal(e.to_string()))
}

/// A city administrator creates a programme (in `draft`).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    p: NewProgramme,
) -> DomainResult<Programme> {
    actor.require_city_admin()?;
    let p = checked(p)?;
    let (name, tz, notice_days, criteria) = (
        p.name.clone(),
        p.time_zone.clone().unwrap_or_default(),
        p.notice_working_days.unwrap_or(MIN_NOTICE_WORKING_DAYS),
        p.criteria.clone().unwrap_or_default(),
    );
    let row = honour_programme::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        kind: Set(p.kind),
        year: Set(p.year),
        nominee_role: Set(p.nominee_role),
        nomination_opens_at: Set(p.nomination_opens_at),
        nomination_closes_at: Set(p.nomination_closes_at),
        review_closes_at: Set(p.review_closes_at),
        awards: Set(p.awards),
        station_quota: Set(p.station_quota),
        notice_working_days: Set(notice_days),
        time_zone: Set(tz),
        rules: Set(to_json(&p.rules)?),
        criteria: Set(to_json(&criteria)?),
        state: Set(ProgrammeState::Draft),
        notice_starts_at: Set(None),
        notice_ends_at: Set(None),
        cancel_reason: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let row = write(db, async |txn| {
        let row = row.clone().insert(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.create", "honour_programme", row.id).after(&row),
        )
        .await?;
        Ok::<_, DomainError>(row)
    })
    .await?;
    Programme::from_row(row)
}

/// Changes to a programme; `None` leaves a setting as it is.
#[derive(Clone, Debug, Default)]
pub struct ProgrammeChanges {
    pub name: Option<String>,
    pub nomination_opens_at: Option<DateTime<Utc>>,
    pub nomination_closes_at: Option<DateTime<Utc>>,
    pub review_closes_at: Option<DateTime<Utc>>,
    pub awards: Option<i32>,
    pub station_quota: Option<i32>,
    pub notice_working_days: Option<i32>,
    pub rules: Option<Vec<Rule>>,
    pub criteria: Option<Vec<Criterion>>,
}

impl ProgrammeChanges {
    /// Whether only the end of the nomination or review window changes (allowed until the
    /// decision: extending a deadline).
    fn windows_only(&self) -> bool {
        self.name.is_none()
            && self.nomination_opens_at.is_none()
            && self.awards.is_none()
            && self.station_quota.is_none()
            && self.notice_working_days.is_none()
            && self.rules.is_none()
            && self.criteria.is_none()
    }
}

/// The city administrator changes a programme: anything while it is a draft; only the ends of
/// its windows while nominating or reviewing; nothing once decided (409 `programme_locked`).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    c: ProgrammeChanges,
) -> DomainResult<Programme> {
    actor.require_city_admin()?;
    write(db, async |txn| {
        let p = lock(txn, id).await?;
        let allowed = match p.row.state {
            ProgrammeState::Draft => true,
            ProgrammeState::Nominating | ProgrammeState::Reviewing => c.windows_only(),
            _ => false,
        };
        if !allowed {
            return Err(DomainError::conflict(
                "programme_locked",
                "a programme's settings change only in draft, and its deadlines only until the decision",
            ));
        }
        let r = &p.row;
        let merged = checked(NewProgramme {
            name: c.name.clone().unwrap_or_else(|| r.name.clone()),
            kind: r.kind,
            year: r.year,
            nominee_role: r.nominee_role,
            nomination_opens_at: c.nomination_opens_at.unwrap_or(r.nomination_opens_at),
            nomination_closes_at: c.nomination_closes_at.unwrap_or(r.nomination_closes_at),
            review_closes_at: c.review_closes_at.unwrap_or(r.review_closes_at),
            awards: c.awards.unwrap_or(r.awards),
            station_quota: c.station_quota.unwrap_or(r.station_quota),
            notice_working_days: Some(c.notice_working_days.unwrap_or(r.notice_working_days)),
            time_zone: Some(r.time_zone.clone()),
            rules: c.rules.clone().unwrap_or_else(|| p.rules.clone()),
            criteria: Some(c.criteria.clone().unwrap_or_else(|| p.criteria.clone())),
        })?;
        let before = p.row.clone();
        let mut am = p.row.clone().into_active_model();
        am.name = Set(merged.name);
        am.nomination_opens_at = Set(merged.nomination_opens_at);
        am.nomination_closes_at = Set(merged.nomination_closes_at);
        am.review_closes_at = Set(merged.review_closes_at);
        am.awards = Set(merged.awards);
        am.station_quota = Set(merged.station_quota);
        am.notice_working_days = Set(merged.notice_working_days.unwrap_or(MIN_NOTICE_WORKING_DAYS));
        am.rules = Set(to_json(&merged.rules)?);
        am.criteria = Set(to_json(&merged.criteria.unwrap_or_default())?);
        am.updated_at = Set(now);
        let row = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.update", "honour_programme", id).before(&before).after(&row),
        )
        .await?;
        Programme::from_row(row)
    })
    .await
}

/// A programme as the actor may see it: drafts only to city administrators (else 404).
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Programme> {
    let row = honour_programme::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("programme"))?;
    if row.state == ProgrammeState::Draft && actor.role != Role::CityAdmin {
        return Err(DomainError::not_found("programme"));
    }
    Programme::from_row(row)
}

/// Loads a programme for a change, or 404.
pub(crate) async fn load(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Programme> {
    let row = honour_programme::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("programme"))?;
    Programme::from_row(row)
}

/// Programmes, newest first; drafts only for city administrators.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    state: Option<ProgrammeState>,
    page: PageRequest,
) -> DomainResult<Page<Programme>> {
    let mut q = honour_programme::Entity::find();
    if actor.role != Role::CityAdmin {
        q = q.filter(honour_programme::Column::State.ne(ProgrammeState::Draft));
    }
    if let Some(s) = state {
        q = q.filter(honour_programme::Column::State.eq(s));
    }
    let p = page::fetch(db, q, honour_programme::Column::Id, Order::NewestFirst, page, |m| m.id).await?;
    let mut items = Vec::with_capacity(p.items.len());
    for row in p.items {
        items.push(Programme::from_row(row)?);
    }
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// The step after `s`, if the city administrator moves it with [`advance`] (the move from
/// `reviewing` to `decided` is [`notice::decide`], which needs the awardees).
fn next_by_advance(s: ProgrammeState) -> Option<ProgrammeState> {
    match s {
        ProgrammeState::Draft => Some(ProgrammeState::Nominating),
        ProgrammeState::Nominating => Some(ProgrammeState::Reviewing),
        ProgrammeState::Decided => Some(ProgrammeState::PublicNotice),
        ProgrammeState::PublicNotice => Some(ProgrammeState::Published),
        ProgrammeState::Reviewing | ProgrammeState::Published | ProgrammeState::Cancelled => None,
    }
}

/// The city administrator moves a programme one step forward to `to`. Moving to `decided` goes
/// through [`notice::decide`]; publishing needs the notice to have ended with every objection
/// resolved.
pub async fn advance(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    to: ProgrammeState,
) -> DomainResult<Programme> {
    actor.require_city_admin()?;
    write(db, async |txn| {
        let p = lock(txn, id).await?;
        let from = p.row.state;
        if to == ProgrammeState::Decided && from == ProgrammeState::Reviewing {
            return Err(DomainError::conflict(
                "decision_required",
                "a programme is decided by posting the decision with its awardees",
            ));
        }
        if next_by_advance(from) != Some(to) {
            return Err(DomainError::conflict(
                "invalid_transition",
                format!("a programme in {} cannot move to {}", state_name(from), state_name(to)),
            ));
        }
        let mut am = p.row.clone().into_active_model();
        match to {
            ProgrammeState::PublicNotice => {
                am.notice_starts_at = Set(Some(now));
                am.notice_ends_at = Set(Some(notice_end(
                    now,
                    &p.row.time_zone,
                    p.row.notice_working_days.max(MIN_NOTICE_WORKING_DAYS),
                )));
            }
            ProgrammeState::Published => notice::publish_in(txn, &p, now).await?,
            _ => {}
        }
        am.state = Set(to);
        am.updated_at = Set(now);
        let row = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.advance", "honour_programme", id)
                .before(&serde_json::json!({"state": from}))
                .after(&serde_json::json!({"state": to})),
        )
        .await?;
        let moved = Programme::from_row(row)?;
        tell_concerned(txn, &moved).await?;
        Ok(moved)
    })
    .await
}

/// The longest cancellation or correction reason, in characters.
pub const MAX_REASON: usize = 500;

fn reason_text(reason: &str) -> DomainResult<String> {
    let reason = required_text("reason", reason)?;
    if reason.chars().count() > MAX_REASON {
        return Err(DomainError::validation(format!("reason is at most {MAX_REASON} characters")));
    }
    Ok(reason)
}

/// The city administrator cancels a programme before its decision (409 `programme_locked`
/// after): its nominations in the running end as `cancelled`, every station's quota is freed,
/// and the nominees, their nominators and the panel are told why. Audited with the reason.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: &str,
) -> DomainResult<Programme> {
    actor.require_city_admin()?;
    let reason = reason_text(reason)?;
    write(db, async |txn| {
        let p = lock(txn, id).await?;
        let from = p.row.state;
        if !matches!(from, ProgrammeState::Draft | ProgrammeState::Nominating | ProgrammeState::Reviewing) {
            return Err(DomainError::conflict(
                "programme_locked",
                format!("a programme in {} can no longer be cancelled", state_name(from)),
            ));
        }
        let running = honour_nomination::Entity::find()
            .filter(honour_nomination::Column::ProgrammeId.eq(id))
            .filter(honour_nomination::Column::Status.eq(NominationStatus::Nominated))
            .all(txn)
            .await?;
        honour_nomination::Entity::update_many()
            .col_expr(honour_nomination::Column::Status, sea_orm::sea_query::Expr::value(NominationStatus::Cancelled))
            .col_expr(honour_nomination::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(honour_nomination::Column::ProgrammeId.eq(id))
            .filter(honour_nomination::Column::Status.eq(NominationStatus::Nominated))
            .exec(txn)
            .await?;
        entity::honour_quota_use::Entity::delete_many()
            .filter(entity::honour_quota_use::Column::ProgrammeId.eq(id))
            .exec(txn)
            .await?;
        let panel = review::panel(txn, id).await?;
        let mut am = p.row.clone().into_active_model();
        am.state = Set(ProgrammeState::Cancelled);
        am.cancel_reason = Set(Some(reason.clone()));
        am.updated_at = Set(now);
        let row = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.cancel", "honour_programme", id)
                .before(&serde_json::json!({"state": from}))
                .after(&serde_json::json!({"state": ProgrammeState::Cancelled, "nominationsCancelled": running.len()}))
                .reason(Some(reason.clone())),
        )
        .await?;
        let cancelled = Programme::from_row(row)?;
        let people = running.iter().flat_map(|n| [n.nominee_id, n.nominator_id]).chain(panel);
        let mut seen = std::collections::HashSet::new();
        for person in people.filter(|p| seen.insert(*p)) {
            let m = Message::new(person, Category::Honour, "honour.cancelled", format!("honour:{id}:cancelled"))
                .param("programme", &cancelled.row.name)
                .param("reason", &reason)
                .data("programmeId", id);
            notifications::tell(txn, m).await?;
        }
        Ok(cancelled)
    })
    .await
}

/// A nomination's standing after the rules were corrected.
#[derive(Clone, Debug)]
pub struct Reevaluated {
    pub nomination_id: Uuid,
    pub nominee_id: Uuid,
    /// Whether the nominee passes every evaluated rule under the corrected rules.
    pub eligible: bool,
    /// A city administrator's override keeps a failing nominee in the running.
    pub overridden: bool,
}

/// The city administrator corrects a programme's eligibility rules, with a reason, until the
/// review opens (409 `programme_locked` after). Every nomination in the running is evaluated
/// again and its stored evaluation replaced, so the panel sees it against the corrected rules;
/// the nominator of one that now fails (without an override) is told. Audited with the rules
/// before and after and the reason.
pub async fn correct_rules(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    rules: Vec<Rule>,
    reason: &str,
    talent: &crate::config::TalentConfig,
) -> DomainResult<(Programme, Vec<Reevaluated>)> {
    actor.require_city_admin()?;
    let reason = reason_text(reason)?;
    eligibility::validate_rules(&rules)?;
    write(db, async |txn| {
        let p = lock(txn, id).await?;
        if !matches!(p.row.state, ProgrammeState::Draft | ProgrammeState::Nominating) {
            return Err(DomainError::conflict(
                "programme_locked",
                "a programme's rules can be corrected only until its review opens",
            ));
        }
        let before = p.rules.clone();
        let mut am = p.row.clone().into_active_model();
        am.rules = Set(to_json(&rules)?);
        am.updated_at = Set(now);
        let corrected = Programme::from_row(am.update(txn).await?)?;
        let running = honour_nomination::Entity::find()
            .filter(honour_nomination::Column::ProgrammeId.eq(id))
            .filter(honour_nomination::Column::Status.eq(NominationStatus::Nominated))
            .all(txn)
            .await?;
        let people = crate::domain::people::users::by_ids(txn, running.iter().map(|n| n.nominee_id)).await?;
        let mut out = Vec::with_capacity(running.len());
        for n in running {
            let Some(person) = people.get(&n.nominee_id) else { continue };
            let subject = eligibility::Subject { person, programme: &corrected.row, now, talent };
            let results = eligibility::evaluate(txn, &subject, &corrected.rules).await?;
            let eligible = eligibility::failing(&results).is_empty();
            let overridden = n.override_reason.is_some();
            let (nomination_id, nominee_id, nominator) = (n.id, n.nominee_id, n.nominator_id);
            let mut nam = n.into_active_model();
            nam.evaluation = Set(to_json(&results)?);
            nam.updated_at = Set(now);
            nam.update(txn).await?;
            if !eligible && !overridden {
                let m = Message::new(
                    nominator,
                    Category::Honour,
                    "honour.rules_corrected",
                    format!("honour-rules:{nomination_id}:{}", now.timestamp_millis()),
                )
                .param("programme", &corrected.row.name)
                .param("reason", &reason)
                .data("programmeId", id)
                .data("nominationId", nomination_id);
                notifications::tell(txn, m).await?;
            }
            out.push(Reevaluated { nomination_id, nominee_id, eligible, overridden });
        }
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.correct_rules", "honour_programme", id)
                .before(&serde_json::json!({"rules": before}))
                .after(&serde_json::json!({"rules": corrected.rules, "reevaluated": out.len(),
                    "noLongerEligible": out.iter().filter(|r| !r.eligible).count()}))
                .reason(Some(reason.clone())),
        )
        .await?;
        Ok((corrected, out))
    })
    .await
}

/// Locks a programme's row for the rest of the transaction (PostgreSQL; SQLite writers are
/// serial) and reads it: state changes and the decisions that depend on the state serialise.
pub(crate) async fn lock(txn: &impl ConnectionTrait, id: Uuid) -> DomainResult<Programme> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let q = sea_orm::sea_query::Query::select()
            .column(honour_programme::Column::Id)
            .from(honour_programme::Entity)
            .and_where(honour_programme::Column::Id.eq(id))
            .lock(sea_orm::sea_query::LockType::Update)
            .to_owned();
        txn.query_one(&q).await?;
    }
    load(txn, id).await
}

/// The stored name of a state.
pub fn state_name(s: ProgrammeState) -> &'static str {
    match s {
        ProgrammeState::Draft => "draft",
        ProgrammeState::Nominating => "nominating",
        ProgrammeState::Reviewing => "reviewing",
        ProgrammeState::Decided => "decided",
        ProgrammeState::PublicNotice => "public_notice",
        ProgrammeState::Published => "published",
        ProgrammeState::Cancelled => "cancelled",
    }
}

/// Tells the people a programme's new state concerns: the call for nominations goes to every
/// active station administrator; the review to the panel; the decision to the nominators; the
/// public notice and the publication to the awardees and their nominators.
async fn tell_concerned(txn: &impl ConnectionTrait, p: &Programme) -> DomainResult<()> {
    let nominations = || {
        honour_nomination::Entity::find()
            .filter(honour_nomination::Column::ProgrammeId.eq(p.row.id))
            .filter(honour_nomination::Column::Status.ne(NominationStatus::Declined))
    };
    let (template, people): (&str, Vec<Uuid>) = match p.row.state {
        // A cancellation tells its own people, with the reason ([`cancel`]).
        ProgrammeState::Draft | ProgrammeState::Cancelled => return Ok(()),
        ProgrammeState::Nominating => (
            "honour.call",
            user::Entity::find()
                .filter(user::Column::Role.eq(Role::StationAdmin))
                .filter(user::Column::Status.eq(UserStatus::Active))
                .all(txn)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
        ),
        ProgrammeState::Reviewing => ("honour.review_open", review::panel(txn, p.row.id).await?),
        ProgrammeState::Decided => {
            ("honour.decided", nominations().all(txn).await?.into_iter().map(|n| n.nominator_id).collect())
        }
        ProgrammeState::PublicNotice | ProgrammeState::Published => {
            let awarded = nominations().filter(honour_nomination::Column::Status.eq(NominationStatus::Awarded));
            let rows = awarded.all(txn).await?;
            let template = if p.row.state == ProgrammeState::Published { "honour.published" } else { "honour.notice" };
            (template, rows.into_iter().flat_map(|n| [n.nominee_id, n.nominator_id]).collect())
        }
    };
    let mut seen = std::collections::HashSet::new();
    for person in people.into_iter().filter(|p| seen.insert(*p)) {
        tell(txn, person, template, p, &format!("honour:{}:{}", p.row.id, state_name(p.row.state))).await?;
    }
    Ok(())
}

/// Tells one person something about a programme.
pub(crate) async fn tell(
    txn: &impl ConnectionTrait,
    person: Uuid,
    template: &str,
    p: &Programme,
    dedupe: &str,
) -> DomainResult<()> {
    let m = Message::new(person, Category::Honour, template, dedupe)
        .param("programme", &p.row.name)
        .data("programmeId", p.row.id);
    notifications::tell(txn, m).await?;
    Ok(())
}

/// When a public notice starting at `start` ends: at local midnight after the `days`-th full
/// working day (Monday to Friday, in `tz`) following the day it starts. Public holidays are not
/// known to the system; a longer notice can be set on the programme.
pub fn notice_end(start: DateTime<Utc>, tz: &str, days: i32) -> DateTime<Utc> {
    let zone = time::zone(tz);
    let last = time::add_working_days(time::date_in(start, zone), u32::try_from(days).unwrap_or(0));
    time::start_of_day(last + Duration::days(1), zone)
}

/// Honours' part of a person's data: nominations of them and by them, scores, recusals and
/// objections they gave, honours they hold. Erasure takes them out of running nominations, blanks what
/// they wrote (statements about them, their comments and objections) and keeps decided
/// honours, verifiable under the pseudonym.
pub struct Honours;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Honours {
    fn section(&self) -> &'static str {
        "honours"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::{honour, honour_objection, honour_recusal, honour_score};
        let id = cx.person.id;
        let of_me =
            honour_nomination::Entity::find().filter(honour_nomination::Column::NomineeId.eq(id)).all(txn).await?;
        let by_me =
            honour_nomination::Entity::find().filter(honour_nomination::Column::NominatorId.eq(id)).all(txn).await?;
        Ok(crate::domain::people::privacy::Export::new()
            .part("nominationsOfMe", of_me)?
            .part("nominationsByMe", by_me)?
            .part(
                "scoresGiven",
                honour_score::Entity::find().filter(honour_score::Column::ReviewerId.eq(id)).all(txn).await?,
            )?
            .part(
                "objections",
                honour_objection::Entity::find().filter(honour_objection::Column::ObjectorId.eq(id)).all(txn).await?,
            )?
            .part(
                "recusals",
                honour_recusal::Entity::find().filter(honour_recusal::Column::ReviewerId.eq(id)).all(txn).await?,
            )?
            .part("honours", honour::Entity::find().filter(honour::Column::RecipientId.eq(id)).all(txn).await?)?
            .done())
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::{honour_objection, honour_recusal, honour_score};
        use sea_orm::sea_query::Expr;
        let id = cx.person.id;
        honour_nomination::Entity::update_many()
            .col_expr(honour_nomination::Column::Status, Expr::value(NominationStatus::Declined))
            .col_expr(honour_nomination::Column::DeclineReason, Expr::value("account erased"))
            .col_expr(honour_nomination::Column::UpdatedAt, Expr::value(cx.now))
            .filter(honour_nomination::Column::NomineeId.eq(id))
            .filter(honour_nomination::Column::Status.eq(NominationStatus::Nominated))
            .exec(txn)
            .await?;
        honour_nomination::Entity::update_many()
            .col_expr(honour_nomination::Column::Statement, Expr::value(ERASED))
            .col_expr(honour_nomination::Column::Evidence, Expr::value(serde_json::json!([])))
            .filter(honour_nomination::Column::NomineeId.eq(id))
            .exec(txn)
            .await?;
        honour_score::Entity::update_many()
            .col_expr(honour_score::Column::Comment, Expr::value(ERASED))
            .filter(honour_score::Column::ReviewerId.eq(id))
            .exec(txn)
            .await?;
        honour_objection::Entity::update_many()
            .col_expr(honour_objection::Column::Statement, Expr::value(ERASED))
            .filter(honour_objection::Column::ObjectorId.eq(id))
            .exec(txn)
            .await?;
        honour_recusal::Entity::update_many()
            .col_expr(honour_recusal::Column::Reason, Expr::value(ERASED))
            .filter(honour_recusal::Column::ReviewerId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}

/// What erased text reads.
const ERASED: &str = "(已删除)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_counts_working_days_in_the_programme_zone() {
        // Monday 2026-11-30 10:00 in Shanghai: Tue..Fri and next Mon, ends Tue 00:00 local.
        let start: DateTime<Utc> = "2026-11-30T02:00:00Z".parse().unwrap();
        assert_eq!(notice_end(start, "Asia/Shanghai", 5), "2026-12-07T16:00:00Z".parse::<DateTime<Utc>>().unwrap());
        // Friday: the weekend does not count.
        let friday: DateTime<Utc> = "2026-12-04T02:00:00Z".parse().unwrap();
        assert_eq!(notice_end(friday, "Asia/Shanghai", 5), "2026-12-11T16:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }
}
