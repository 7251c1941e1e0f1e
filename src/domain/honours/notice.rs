//! The end of a programme: the city administrator's decision (the ranking is advice; choosing
//! otherwise needs a reason, kept in the audit log), the public notice (公示) during which anyone
//! signed in may object, the resolution of objections, publication, revocation for fraud, the
//! public honour wall, and automatic honours that need no panel (star levels, five consecutive
//! years of service).

use super::review::{self, Ranked};
use super::{Programme, tell};
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::{DomainError, DomainResult, both, kernel::org_units, people::users, required_text};
use chrono::{DateTime, Datelike, Utc};
use entity::honour::{self, HonourStatus};
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_objection::{self, ObjectionStatus};
use entity::honour_programme::{self, ProgrammeKind, ProgrammeState};
use entity::user;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// One awardee of a decision, with the citation the wall shows.
#[derive(Clone, Debug)]
pub struct Awardee {
    pub nomination_id: Uuid,
    pub citation: String,
}

/// The decision: the awardees, and the ranking it was made against.
pub struct Decision {
    pub programme: Programme,
    pub honours: Vec<honour::Model>,
    /// Whether it differs from the ranking's advice.
    pub deviates: bool,
}

/// The city administrator decides the awardees once the review has closed. The top of the
/// ranking (as many as are chosen) is advice; a different choice needs `reason` (422
/// `deviation_reason_required`), which the audit log keeps.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    programme_id: Uuid,
    awardees: Vec<Awardee>,
    reason: Option<String>,
) -> DomainResult<Decision> {
    actor.require_city_admin()?;
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    let mut chosen = Vec::new();
    for a in &awardees {
        let citation = required_text("citation", &a.citation)?;
        if citation.chars().count() > 1000 {
            return Err(DomainError::validation("a citation is at most 1000 characters"));
        }
        if chosen.iter().any(|(id, _)| *id == a.nomination_id) {
            return Err(DomainError::invalid("invalid_awardee", "a nomination is chosen twice"));
        }
        chosen.push((a.nomination_id, citation));
    }
    write(db, async |txn| {
        let p = super::lock(txn, programme_id).await?;
        if p.row.state != ProgrammeState::Reviewing {
            return Err(DomainError::conflict("invalid_transition", "only a programme under review is decided"));
        }
        if now < p.row.review_closes_at {
            return Err(DomainError::conflict("review_not_closed", "the review window has not closed yet"));
        }
        if chosen.is_empty() || chosen.len() > p.row.awards as usize {
            return Err(DomainError::Unprocessable {
                code: "invalid_awardee_count",
                detail: both(
                    format!("choose 1 to {} awardees", p.row.awards),
                    format!("请选择 1 至 {} 名获奖人", p.row.awards),
                ),
            });
        }
        let ranking: Vec<Ranked> = review::ranking(txn, programme_id).await?;
        let running: HashMap<Uuid, &Ranked> = ranking
            .iter()
            .filter(|l| l.nomination.row.status == NominationStatus::Nominated)
            .map(|l| (l.nomination.row.id, l))
            .collect();
        if chosen.iter().any(|(id, _)| !running.contains_key(id)) {
            return Err(DomainError::Unprocessable {
                code: "invalid_awardee",
                detail: "every awardee must be a nomination of this programme still in the running".into(),
            });
        }
        let advised: HashSet<Uuid> = ranking
            .iter()
            .filter(|l| l.nomination.row.status == NominationStatus::Nominated)
            .take(chosen.len())
            .map(|l| l.nomination.row.id)
            .collect();
        let picked: HashSet<Uuid> = chosen.iter().map(|(id, _)| *id).collect();
        let deviates = advised != picked;
        if deviates && reason.is_none() {
            return Err(DomainError::Unprocessable {
                code: "deviation_reason_required",
                detail: "the awardees differ from the ranking: give a reason".into(),
            });
        }
        let mut honours = Vec::new();
        for (id, citation) in &chosen {
            let line = running[id];
            honours.push(
                honour::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    programme_id: Set(Some(programme_id)),
                    nomination_id: Set(Some(*id)),
                    recipient_id: Set(line.nomination.row.nominee_id),
                    kind: Set(p.row.kind),
                    year: Set(p.row.year),
                    title: Set(p.row.name.clone()),
                    citation: Set(citation.clone()),
                    status: Set(HonourStatus::Decided),
                    auto_key: Set(None),
                    reason: Set(None),
                    created_at: Set(now),
                    published_at: Set(None),
                    ended_at: Set(None),
                }
                .insert(txn)
                .await?,
            );
        }
        for (id, _) in running {
            let status = if picked.contains(&id) { NominationStatus::Awarded } else { NominationStatus::NotAwarded };
            honour_nomination::Entity::update_many()
                .col_expr(honour_nomination::Column::Status, Expr::value(status))
                .col_expr(honour_nomination::Column::UpdatedAt, Expr::value(now))
                .filter(honour_nomination::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        let mut am = p.row.clone().into_active_model();
        am.state = Set(ProgrammeState::Decided);
        am.updated_at = Set(now);
        let row = am.update(txn).await?;
        let mut advised_sorted: Vec<Uuid> = advised.into_iter().collect();
        advised_sorted.sort();
        let mut picked_sorted: Vec<Uuid> = picked.into_iter().collect();
        picked_sorted.sort();
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.decide", "honour_programme", programme_id)
                .before(&serde_json::json!({"state": "reviewing", "advised": advised_sorted}))
                .after(&serde_json::json!({"state": "decided", "awardees": picked_sorted, "deviates": deviates}))
                .reason(reason.clone()),
        )
        .await?;
        let decided = Programme::from_row(row)?;
        super::tell_concerned(txn, &decided).await?;
        Ok(Decision { programme: decided, honours, deviates })
    })
    .await
}

/// Publishes a programme's decided honours (inside [`super::advance`]): the notice must have
/// ended and every objection to a standing honour been resolved.
pub(crate) async fn publish_in(txn: &impl ConnectionTrait, p: &Programme, now: DateTime<Utc>) -> DomainResult<()> {
    if p.row.notice_ends_at.is_none_or(|end| now < end) {
        return Err(DomainError::conflict("notice_running", "the public notice has not ended yet"));
    }
    let standing = Query::select()
        .column(honour::Column::Id)
        .from(honour::Entity)
        .and_where(honour::Column::ProgrammeId.eq(p.row.id))
        .and_where(honour::Column::Status.eq(HonourStatus::Decided))
        .to_owned();
    let open = honour_objection::Entity::find()
        .filter(honour_objection::Column::Status.eq(ObjectionStatus::Open))
        .filter(honour_objection::Column::HonourId.in_subquery(standing))
        .one(txn)
        .await?;
    if open.is_some() {
        return Err(DomainError::conflict("objections_open", "resolve every objection before publishing"));
    }
    let publishing: Vec<(Uuid, ProgrammeKind, i32, i64)> = honour::Entity::find()
        .select_only()
        .column(honour::Column::RecipientId)
        .column(honour::Column::Kind)
        .column(honour::Column::Year)
        .filter(honour::Column::ProgrammeId.eq(p.row.id))
        .filter(honour::Column::Status.eq(HonourStatus::Decided))
        .into_tuple::<(Uuid, ProgrammeKind, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .map(|(r, k, y)| (r, k, y, 1))
        .collect();
    honour::Entity::update_many()
        .col_expr(honour::Column::Status, Expr::value(HonourStatus::Published))
        .col_expr(honour::Column::PublishedAt, Expr::value(now))
        .filter(honour::Column::ProgrammeId.eq(p.row.id))
        .filter(honour::Column::Status.eq(HonourStatus::Decided))
        .exec(txn)
        .await?;
    crate::domain::registry::honours_changed(txn, &publishing).await
}

/// An honour with its programme (none for automatic ones).
async fn load(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<(honour::Model, Option<Programme>)> {
    let h = honour::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("honour"))?;
    let p = match h.programme_id {
        Some(pid) => Some(super::load(db, pid).await?),
        None => None,
    };
    Ok((h, p))
}

/// Anyone signed in objects to an honour in public notice, with a statement (once each).
pub async fn object(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    honour_id: Uuid,
    statement: &str,
) -> DomainResult<honour_objection::Model> {
    let statement = required_text("statement", statement)?;
    if statement.chars().count() > 2000 {
        return Err(DomainError::validation("statement is at most 2000 characters"));
    }
    write(db, async |txn| {
        let (h, p) = load(txn, honour_id).await?;
        let Some(p) = p.filter(|p| p.row.state == ProgrammeState::PublicNotice) else {
            return Err(DomainError::not_found("honour"));
        };
        if h.status != HonourStatus::Decided || p.row.notice_ends_at.is_none_or(|end| now >= end) {
            return Err(DomainError::conflict("notice_closed", "this honour is not open to objections"));
        }
        let row = honour_objection::ActiveModel {
            id: Set(Uuid::now_v7()),
            honour_id: Set(honour_id),
            programme_id: Set(p.row.id),
            objector_id: Set(actor.user_id),
            statement: Set(statement.clone()),
            status: Set(ObjectionStatus::Open),
            resolution: Set(None),
            resolved_by: Set(None),
            created_at: Set(now),
            resolved_at: Set(None),
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::conflict("already_objected", "you have already objected to this honour")
            } else {
                e.into()
            }
        })?;
        tell(txn, p.row.created_by, "honour.objection_filed", &p, &format!("honour-objection:{}", row.id)).await?;
        Ok(row)
    })
    .await
}

/// A programme's objections, oldest first (city administrators).
pub async fn objections(
    db: &impl ConnectionTrait,
    actor: &Actor,
    programme_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<honour_objection::Model>> {
    actor.require_city_admin()?;
    super::load(db, programme_id).await?;
    let q = honour_objection::Entity::find().filter(honour_objection::Column::ProgrammeId.eq(programme_id));
    Ok(page::fetch(db, q, honour_objection::Column::Id, Order::OldestFirst, page, |o| o.id).await?)
}

/// The city administrator resolves an objection with a reason: upheld withdraws the honour.
pub async fn resolve(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    objection_id: Uuid,
    upheld: bool,
    reason: &str,
) -> DomainResult<honour_objection::Model> {
    actor.require_city_admin()?;
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let o = honour_objection::Entity::find_by_id(objection_id)
            .one(txn)
            .await?
            .ok_or(DomainError::not_found("objection"))?;
        let p = super::lock(txn, o.programme_id).await?;
        if o.status != ObjectionStatus::Open {
            return Err(DomainError::conflict("already_resolved", "this objection has been resolved"));
        }
        if p.row.state != ProgrammeState::PublicNotice {
            return Err(DomainError::conflict("notice_closed", "objections are resolved during the public notice"));
        }
        let mut am = o.clone().into_active_model();
        am.status = Set(if upheld { ObjectionStatus::Upheld } else { ObjectionStatus::Dismissed });
        am.resolution = Set(Some(reason.clone()));
        am.resolved_by = Set(Some(actor.user_id));
        am.resolved_at = Set(Some(now));
        let row = am.update(txn).await?;
        if upheld {
            let h = honour::Entity::find_by_id(o.honour_id).one(txn).await?.ok_or(DomainError::not_found("honour"))?;
            if h.status == HonourStatus::Decided {
                let recipient = h.recipient_id;
                let mut hm = h.into_active_model();
                hm.status = Set(HonourStatus::Withdrawn);
                hm.reason = Set(Some(reason.clone()));
                hm.ended_at = Set(Some(now));
                hm.update(txn).await?;
                tell(txn, recipient, "honour.withdrawn", &p, &format!("honour-withdrawn:{}", o.honour_id)).await?;
            }
        }
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_objection.resolve", "honour_objection", objection_id)
                .before(&o)
                .after(&row)
                .reason(Some(reason.clone())),
        )
        .await?;
        tell(txn, o.objector_id, "honour.objection_resolved", &p, &format!("honour-objection-resolved:{objection_id}"))
            .await?;
        Ok(row)
    })
    .await
}

/// The city administrator revokes a published honour (fraud), with a reason: it leaves the
/// wall and the person's profile.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    honour_id: Uuid,
    reason: &str,
) -> DomainResult<honour::Model> {
    actor.require_city_admin()?;
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let (h, _) = load(txn, honour_id).await?;
        if h.status != HonourStatus::Published {
            return Err(DomainError::conflict("not_published", "only a published honour is revoked"));
        }
        let before = h.clone();
        let mut am = h.into_active_model();
        am.status = Set(HonourStatus::Revoked);
        am.reason = Set(Some(reason.clone()));
        am.ended_at = Set(Some(now));
        let row = am.update(txn).await?;
        crate::domain::registry::honours_changed(txn, &[(row.recipient_id, row.kind, row.year, -1)]).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour.revoke", "honour", honour_id)
                .before(&before)
                .after(&row)
                .reason(Some(reason.clone())),
        )
        .await?;
        let m = crate::domain::messaging::notifications::Message::new(
            row.recipient_id,
            crate::domain::messaging::notifications::Category::Honour,
            "honour.revoked",
            format!("honour-revoked:{honour_id}"),
        )
        .param("programme", &row.title)
        .data("honourId", honour_id);
        crate::domain::messaging::notifications::tell(txn, m).await?;
        Ok(row)
    })
    .await
}

/// An honour as the public sees it.
#[derive(Clone, Debug)]
pub struct PublicHonour {
    pub honour: honour::Model,
    pub name: String,
    pub station: Option<String>,
    /// While in public notice: when the notice ends.
    pub notice_ends_at: Option<DateTime<Utc>>,
}

/// What the wall lists.
#[derive(Clone, Debug, Default)]
pub struct WallFilter {
    pub year: Option<i32>,
    pub kind: Option<ProgrammeKind>,
    pub person: Option<Uuid>,
}

async fn public_lines(db: &impl ConnectionTrait, rows: Vec<honour::Model>) -> DomainResult<Vec<PublicHonour>> {
    let people = users::by_ids(db, rows.iter().map(|h| h.recipient_id)).await?;
    let programme_ids: Vec<Uuid> = rows.iter().filter_map(|h| h.programme_id).collect();
    let programmes: HashMap<Uuid, honour_programme::Model> = honour_programme::Entity::find()
        .filter(honour_programme::Column::Id.is_in(programme_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut stations: HashMap<Uuid, Option<String>> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let Some(person) = people.get(&h.recipient_id) else { continue };
        let station = match person.org_unit_id {
            Some(unit) => match stations.get(&unit) {
                Some(s) => s.clone(),
                None => {
                    let name = match org_units::station_of(db, unit).await? {
                        Some(s) => Some(org_units::get(db, s).await?.name),
                        None => None,
                    };
                    stations.insert(unit, name.clone());
                    name
                }
            },
            None => None,
        };
        let notice_ends_at = match (h.status, h.programme_id.and_then(|p| programmes.get(&p))) {
            (HonourStatus::Decided, Some(p)) => p.notice_ends_at,
            _ => None,
        };
        out.push(PublicHonour { name: person.name.clone(), station, notice_ends_at, honour: h });
    }
    Ok(out)
}

/// The honour wall: published honours, newest first. Public.
pub async fn wall(db: &impl ConnectionTrait, f: WallFilter, page: PageRequest) -> DomainResult<Page<PublicHonour>> {
    let mut q = honour::Entity::find().filter(honour::Column::Status.eq(HonourStatus::Published));
    if let Some(y) = f.year {
        q = q.filter(honour::Column::Year.eq(y));
    }
    if let Some(k) = f.kind {
        q = q.filter(honour::Column::Kind.eq(k));
    }
    if let Some(p) = f.person {
        q = q.filter(honour::Column::RecipientId.eq(p));
    }
    let p = page::fetch(db, q, honour::Column::Id, Order::NewestFirst, page, |h| h.id).await?;
    Ok(Page { items: public_lines(db, p.items).await?, next_cursor: p.next_cursor })
}

/// Honours in public notice now (decided, their programme in notice), newest first. Public.
pub async fn notices(db: &impl ConnectionTrait, page: PageRequest) -> DomainResult<Page<PublicHonour>> {
    let in_notice = Query::select()
        .column(honour_programme::Column::Id)
        .from(honour_programme::Entity)
        .and_where(honour_programme::Column::State.eq(ProgrammeState::PublicNotice))
        .to_owned();
    let q = honour::Entity::find()
        .filter(honour::Column::Status.eq(HonourStatus::Decided))
        .filter(honour::Column::ProgrammeId.in_subquery(in_notice));
    let p = page::fetch(db, q, honour::Column::Id, Order::NewestFirst, page, |h| h.id).await?;
    Ok(Page { items: public_lines(db, p.items).await?, next_cursor: p.next_cursor })
}

/// The actor's own honours, any status, newest first.
pub async fn mine(db: &impl ConnectionTrait, actor: &Actor, page: PageRequest) -> DomainResult<Page<PublicHonour>> {
    let q = honour::Entity::find().filter(honour::Column::RecipientId.eq(actor.user_id));
    let p = page::fetch(db, q, honour::Column::Id, Order::NewestFirst, page, |h| h.id).await?;
    Ok(Page { items: public_lines(db, p.items).await?, next_cursor: p.next_cursor })
}

/// Records the automatic honour of reaching a volunteer star level (once: the key is unique,
/// so concurrent approvals crossing the same threshold make one). Called by
/// `domain::hours::award_stars` for each level newly reached.
pub async fn star_reached(
    txn: &impl ConnectionTrait,
    volunteer: &user::Model,
    level: i32,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    let key = format!("star:{}:{level}", volunteer.id);
    let year = crate::domain::kernel::time::local_date(now, &volunteer.time_zone).year();
    let (recipient, kind) = (volunteer.id, ProgrammeKind::StarVolunteer);
    let res = honour::Entity::insert(honour::ActiveModel {
        id: Set(Uuid::now_v7()),
        programme_id: Set(None),
        nomination_id: Set(None),
        recipient_id: Set(recipient),
        kind: Set(kind),
        year: Set(year),
        title: Set(format!("{level}星志愿者")),
        citation: Set(format!("累计志愿服务时长达到{level}星级标准")),
        status: Set(HonourStatus::Published),
        auto_key: Set(Some(key)),
        reason: Set(None),
        created_at: Set(now),
        published_at: Set(Some(now)),
        ended_at: Set(None),
    })
    .on_conflict(OnConflict::column(honour::Column::AutoKey).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    if res == 1 {
        crate::domain::registry::honours_changed(txn, &[(recipient, kind, year, 1)]).await?;
    }
    Ok(res == 1)
}

/// Consecutive calendar years of approved service that earn the automatic long-service honour.
pub const SERVICE_YEARS: i32 = 5;

/// Records the automatic honour for [`SERVICE_YEARS`] consecutive calendar years with approved
/// service (once: the key is unique). Called with the volunteer's row locked whenever their
/// approved hours change (`domain::hours::award_stars`); cheap when the honour exists or the
/// ledger spans fewer years.
pub async fn service_years_reached(
    txn: &impl ConnectionTrait,
    volunteer: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    use entity::hours_entry::{self, HoursStatus};
    use sea_orm::QueryOrder;
    let key = format!("service:{volunteer}:{SERVICE_YEARS}y");
    if honour::Entity::find().filter(honour::Column::AutoKey.eq(key.clone())).one(txn).await?.is_some() {
        return Ok(false);
    }
    let served = || {
        hours_entry::Entity::find()
            .filter(hours_entry::Column::VolunteerId.eq(volunteer))
            .filter(hours_entry::Column::Status.eq(HoursStatus::Approved))
            .filter(hours_entry::Column::Minutes.gt(0))
    };
    let first = served().order_by_asc(hours_entry::Column::ServiceDate).one(txn).await?;
    let last = served().order_by_desc(hours_entry::Column::ServiceDate).one(txn).await?;
    let (Some(first), Some(last)) = (first, last) else { return Ok(false) };
    let (from, to) = (first.service_date.year(), last.service_date.year());
    if to - from + 1 < SERVICE_YEARS {
        return Ok(false);
    }
    let mut run = 0;
    let mut reached = None;
    for year in from..=to {
        let (Some(jan1), Some(dec31)) =
            (chrono::NaiveDate::from_ymd_opt(year, 1, 1), chrono::NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            continue;
        };
        let any = served().filter(hours_entry::Column::ServiceDate.between(jan1, dec31)).one(txn).await?;
        run = if any.is_some() { run + 1 } else { 0 };
        if run >= SERVICE_YEARS {
            reached = Some(year);
            break;
        }
    }
    let Some(year) = reached else { return Ok(false) };
    let (recipient, kind) = (volunteer, ProgrammeKind::Custom);
    let res = honour::Entity::insert(honour::ActiveModel {
        id: Set(Uuid::now_v7()),
        programme_id: Set(None),
        nomination_id: Set(None),
        recipient_id: Set(recipient),
        kind: Set(kind),
        year: Set(year),
        title: Set(format!("连续服务{SERVICE_YEARS}年志愿者")),
        citation: Set(format!("{}—{year}年连续{SERVICE_YEARS}年参加志愿服务", year - SERVICE_YEARS + 1)),
        status: Set(HonourStatus::Published),
        auto_key: Set(Some(key)),
        reason: Set(None),
        created_at: Set(now),
        published_at: Set(Some(now)),
        ended_at: Set(None),
    })
    .on_conflict(OnConflict::column(honour::Column::AutoKey).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    if res == 1 {
        crate::domain::registry::honours_changed(txn, &[(recipient, kind, year, 1)]).await?;
    }
    Ok(res == 1)
}
