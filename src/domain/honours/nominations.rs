//! Nominations: station administrators put forward people in their scope within their
//! station's quota, city administrators anyone; the eligibility rules are evaluated at
//! nomination and kept with it; the nominee is told and may decline.
//!
//! Rules:
//! - Only while the programme is `nominating` and within its nomination window (409
//!   `nomination_closed`).
//! - One nomination per person per programme (unique index; 409 `already_nominated`); nobody
//!   nominates themselves (403 `self_nomination`).
//! - A station's quota is taken by one conditional `UPDATE honour_quota_uses SET used = used + 1
//!   WHERE … AND used < quota`, so concurrent nominations can never exceed it (409
//!   `quota_exceeded`); a declined nomination gives its place back.
//! - A person failing a rule is refused (422 `not_eligible`, naming the failing rules) unless a
//!   city administrator overrides with a reason, which is kept and audited. Rules not evaluated
//!   do not refuse, and stay visible as not evaluated.

use super::eligibility::{self, RuleResult, Subject};
use super::{Programme, tell};
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::duties;
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::{Detail, DomainError, DomainResult, both, kernel::org_units, people::users, required_text};
use chrono::{DateTime, Utc};
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_programme::ProgrammeState;
use entity::honour_quota_use;
use entity::user::{self, Role, UserStatus};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

/// The longest statement, in characters.
pub const MAX_STATEMENT: usize = 2000;

/// A nomination to make.
#[derive(Clone, Debug)]
pub struct NewNomination {
    pub nominee_id: Uuid,
    pub statement: String,
    pub evidence: Vec<String>,
    /// A city administrator's reason for nominating someone who fails a rule.
    pub override_reason: Option<String>,
}

/// A nomination with its evaluation read out and the nominee.
#[derive(Clone, Debug)]
pub struct Nomination {
    pub row: honour_nomination::Model,
    pub evaluation: Vec<RuleResult>,
    pub evidence: Vec<String>,
    pub nominee: user::Model,
}

impl Nomination {
    /// Reads the stored evaluation and evidence; a stored value that does not read as what this
    /// code writes is an error (it would otherwise show an empty evaluation to the panel).
    pub(crate) fn new(row: honour_nomination::Model, nominee: user::Model) -> DomainResult<Nomination> {
        let unreadable =
            |column: &str, e: serde_json::Error| DomainError::Internal(format!("honour_nominations.{column}: {e}"));
        let evaluation = serde_json::from_value(row.evaluation.clone()).map_err(|e| unreadable("evaluation", e))?;
        let evidence = serde_json::from_value(row.evidence.clone()).map_err(|e| unreadable("evidence", e))?;
        Ok(Nomination { row, evaluation, evidence, nominee })
    }
}

/// Evaluates a programme's rules for a person the actor may nominate (a preview, and what
/// nominating does first).
pub async fn evaluate_for(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    p: &Programme,
    person: Uuid,
    talent: &crate::config::TalentConfig,
) -> DomainResult<(user::Model, Vec<RuleResult>)> {
    let nominee = user::Entity::find_by_id(person)
        .one(db)
        .await?
        .filter(|u| u.status == UserStatus::Active)
        .ok_or(DomainError::not_found("person"))?;
    if !actor.covers_unit(db, nominee.org_unit_id).await? {
        return Err(DomainError::not_found("person"));
    }
    let results =
        eligibility::evaluate(db, &Subject { person: &nominee, programme: &p.row, now, talent }, &p.rules).await?;
    Ok((nominee, results))
}

fn failing_detail(results: &[RuleResult]) -> Detail {
    let failing = eligibility::failing(results);
    let en: Vec<String> = failing
        .iter()
        .map(|r| format!("{} (required {}, actual {})", r.rule.name(), r.required, r.actual.unwrap_or_default()))
        .collect();
    let zh: Vec<String> = failing
        .iter()
        .map(|r| format!("{}（要求 {}，实际 {}）", r.rule.zh_name(), r.required, r.actual.unwrap_or_default()))
        .collect();
    both(format!("the nominee fails: {}", en.join("; ")), format!("被提名人不符合：{}", zh.join("；")))
}

/// An administrator nominates a person.
pub async fn nominate(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    programme_id: Uuid,
    n: NewNomination,
    talent: &crate::config::TalentConfig,
) -> DomainResult<Nomination> {
    let quota_station = actor.admin_scope_root()?;
    let statement = required_text("statement", &n.statement)?;
    if statement.chars().count() > MAX_STATEMENT {
        return Err(DomainError::validation(format!("statement is at most {MAX_STATEMENT} characters")));
    }
    let evidence: Vec<String> = n.evidence.iter().map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
    if evidence.len() > 10 || evidence.iter().any(|e| e.chars().count() > 500) {
        return Err(DomainError::validation("at most 10 evidence references of up to 500 characters"));
    }
    let override_reason = n.override_reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    if override_reason.is_some() && actor.role != Role::CityAdmin {
        return Err(DomainError::Forbidden {
            code: "override_not_allowed",
            detail: "only a city administrator may override eligibility".into(),
        });
    }
    let p = super::get_visible(db, actor, programme_id).await?;
    check_open(&p, now)?;
    let (nominee, results) = evaluate_for(db, actor, now, &p, n.nominee_id, talent).await?;
    if nominee.id == actor.user_id {
        return Err(DomainError::Forbidden { code: "self_nomination", detail: "nobody nominates themselves".into() });
    }
    duties::require_may_decide_on(actor, &nominee)?;
    if let Some(role) = p.row.nominee_role
        && nominee.role != role
    {
        return Err(DomainError::Unprocessable {
            code: "wrong_role",
            detail: "this programme is for people of another role".into(),
        });
    }
    let fails = !eligibility::failing(&results).is_empty();
    if fails && override_reason.is_none() {
        return Err(DomainError::Unprocessable { code: "not_eligible", detail: failing_detail(&results) });
    }
    let override_reason = override_reason.filter(|_| fails);
    let nominee_station = match nominee.org_unit_id {
        Some(u) => org_units::station_of(db, u).await?,
        None => None,
    };
    let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| DomainError::Internal(e.to_string()));
    let evaluation = json(serde_json::to_value(&results))?;
    let evidence_json = json(serde_json::to_value(&evidence))?;
    let row = write(db, async |txn| {
        let p = super::lock(txn, programme_id).await?;
        check_open(&p, now)?;
        users::lock_person(txn, nominee.id).await?;
        let existing = honour_nomination::Entity::find()
            .filter(honour_nomination::Column::ProgrammeId.eq(programme_id))
            .filter(honour_nomination::Column::NomineeId.eq(nominee.id))
            .one(txn)
            .await?;
        if existing.is_some() {
            return Err(already());
        }
        if let Some(station) = quota_station {
            take_quota(txn, programme_id, station, p.row.station_quota).await?;
        }
        let row = honour_nomination::ActiveModel {
            id: Set(Uuid::now_v7()),
            programme_id: Set(programme_id),
            nominee_id: Set(nominee.id),
            nominee_station_id: Set(nominee_station),
            nominator_id: Set(actor.user_id),
            quota_station_id: Set(quota_station),
            statement: Set(statement.clone()),
            evidence: Set(evidence_json.clone()),
            evaluation: Set(evaluation.clone()),
            override_reason: Set(override_reason.clone()),
            status: Set(NominationStatus::Nominated),
            decline_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| if is_unique_violation(&e) { already() } else { e.into() })?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_nomination.create", "honour_nomination", row.id)
                .after(&serde_json::json!({"programmeId": programme_id, "nomineeId": nominee.id,
                    "evaluation": evaluation, "overridden": override_reason.is_some()}))
                .reason(override_reason.clone()),
        )
        .await?;
        tell(txn, nominee.id, "honour.nominated", &p, &format!("honour-nominated:{}", row.id)).await?;
        Ok(row)
    })
    .await?;
    Nomination::new(row, nominee)
}

fn already() -> DomainError {
    DomainError::conflict("already_nominated", "this person is already nominated for this programme")
}

fn check_open(p: &Programme, now: DateTime<Utc>) -> DomainResult<()> {
    if p.row.state != ProgrammeState::Nominating || now < p.row.nomination_opens_at || now >= p.row.nomination_closes_at
    {
        return Err(DomainError::conflict("nomination_closed", "this programme is not taking nominations now"));
    }
    Ok(())
}

/// Takes one place of a station's quota, or 409 `quota_exceeded`.
async fn take_quota(txn: &impl ConnectionTrait, programme: Uuid, station: Uuid, quota: i32) -> DomainResult<()> {
    honour_quota_use::Entity::insert(honour_quota_use::ActiveModel {
        programme_id: Set(programme),
        station_id: Set(station),
        used: Set(0),
    })
    .on_conflict(
        OnConflict::columns([honour_quota_use::Column::ProgrammeId, honour_quota_use::Column::StationId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    let take = Query::update()
        .table(honour_quota_use::Entity)
        .value(honour_quota_use::Column::Used, Expr::col(honour_quota_use::Column::Used).add(1))
        .and_where(honour_quota_use::Column::ProgrammeId.eq(programme))
        .and_where(honour_quota_use::Column::StationId.eq(station))
        .and_where(Expr::col(honour_quota_use::Column::Used).lt(quota))
        .to_owned();
    if txn.execute(&take).await?.rows_affected() != 1 {
        return Err(DomainError::conflict(
            "quota_exceeded",
            format!("your station has used its quota of {quota} nominations for this programme"),
        ));
    }
    Ok(())
}

/// Gives a place of a station's quota back.
async fn release_quota(txn: &impl ConnectionTrait, programme: Uuid, station: Uuid) -> DomainResult<()> {
    let give = Query::update()
        .table(honour_quota_use::Entity)
        .value(honour_quota_use::Column::Used, Expr::col(honour_quota_use::Column::Used).sub(1))
        .and_where(honour_quota_use::Column::ProgrammeId.eq(programme))
        .and_where(honour_quota_use::Column::StationId.eq(station))
        .and_where(Expr::col(honour_quota_use::Column::Used).gt(0))
        .to_owned();
    txn.execute(&give).await?;
    Ok(())
}

/// Whether the actor may see a nomination: its nominee, its nominator, a city administrator, or
/// a station or district administrator whose scope holds the nominee.
async fn may_see(db: &impl ConnectionTrait, actor: &Actor, n: &Nomination) -> DomainResult<bool> {
    if actor.user_id == n.row.nominee_id || actor.user_id == n.row.nominator_id || actor.role == Role::CityAdmin {
        return Ok(true);
    }
    Ok(matches!(actor.role, Role::StationAdmin | Role::DistrictAdmin)
        && actor.covers_unit(db, n.nominee.org_unit_id).await?)
}

pub(crate) async fn load(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<Nomination> {
    let row = honour_nomination::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("nomination"))?;
    let nominee =
        user::Entity::find_by_id(row.nominee_id).one(db).await?.ok_or(DomainError::not_found("nomination"))?;
    Nomination::new(row, nominee)
}

/// One nomination the actor may see, or 404.
pub async fn get_visible(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Nomination> {
    let n = load(db, id).await?;
    if !may_see(db, actor, &n).await? {
        return Err(DomainError::not_found("nomination"));
    }
    Ok(n)
}

/// A programme's nominations, oldest first: all for a city administrator; for a station
/// administrator those they made or that used their station's quota.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    programme_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<Nomination>> {
    let scope = actor.admin_scope_root()?;
    super::get_visible(db, actor, programme_id).await?;
    let mut q = honour_nomination::Entity::find().filter(honour_nomination::Column::ProgrammeId.eq(programme_id));
    if let Some(station) = scope {
        q = q.filter(
            Condition::any()
                .add(honour_nomination::Column::NominatorId.eq(actor.user_id))
                .add(honour_nomination::Column::QuotaStationId.eq(station)),
        );
    }
    let p = page::fetch(db, q, honour_nomination::Column::Id, Order::OldestFirst, page, |m| m.id).await?;
    let people = users::by_ids(db, p.items.iter().map(|n| n.nominee_id)).await?;
    let items = p
        .items
        .into_iter()
        .filter_map(|n| people.get(&n.nominee_id).cloned().map(|u| Nomination::new(n, u)))
        .collect::<DomainResult<_>>()?;
    Ok(Page { items, next_cursor: p.next_cursor })
}

/// The nominee declines, before the decision; the station's quota place is given back.
pub async fn decline(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    reason: Option<String>,
) -> DomainResult<Nomination> {
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    write(db, async |txn| {
        let n = load(txn, id).await?;
        if n.row.nominee_id != actor.user_id {
            return Err(DomainError::not_found("nomination"));
        }
        let p = super::lock(txn, n.row.programme_id).await?;
        if n.row.status != NominationStatus::Nominated
            || !matches!(p.row.state, ProgrammeState::Nominating | ProgrammeState::Reviewing)
        {
            return Err(DomainError::conflict("cannot_decline", "this nomination can no longer be declined"));
        }
        if let Some(station) = n.row.quota_station_id {
            release_quota(txn, p.row.id, station).await?;
        }
        let nominator = n.row.nominator_id;
        let mut am = n.row.into_active_model();
        am.status = Set(NominationStatus::Declined);
        am.decline_reason = Set(reason.clone());
        am.updated_at = Set(now);
        let row = am.update(txn).await?;
        tell(txn, nominator, "honour.declined", &p, &format!("honour-declined:{id}")).await?;
        Nomination::new(row, n.nominee)
    })
    .await
}
