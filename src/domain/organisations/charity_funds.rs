//! Community charity funds (社区慈善基金): one fund per org unit (a community, a station or the
//! city), its donations, its grants and their disbursements, in an append-only ledger.
//!
//! Rules:
//! - Amounts are whole fen (分), positive. No payment is processed here: a donation is recorded
//!   with its channel and receipt reference once the money has arrived.
//! - A grant is proposed by one administrator and decided by another (separation of duties:
//!   409 `separation_of_duties`). Once the fund has a committee (基金管理委员会), only its members
//!   decide (409 `not_on_committee`); its members are administrators whose scope holds the fund
//!   (400 `invalid_committee_member`). Approving commits its amount: the fund's `granted_fen` rises
//!   by it in one conditional update that also requires `donated_fen - granted_fen >= amount`,
//!   so concurrent approvals can never commit more than was donated (409
//!   `insufficient_fund_balance`); a `CHECK` in the table says the same.
//! - A disbursement pays out part of an approved grant, never more than is left of it (409
//!   `disbursement_exceeds_grant`), again by a conditional update.
//! - Every change writes a ledger entry (`fund_entries`) with the fund's totals after it, in the
//!   same transaction; the database refuses to update or delete entries.
//! - Administrators over the fund's unit keep it; the ledger is theirs to read. The disclosure
//!   (公示) is public: totals, approved grants and donations, naming a donor only when they
//!   agreed and did not give anonymously.

use super::social_organisations;
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units::{self, subtree_ids};
use crate::domain::kernel::page::{self, Order, Page, PageRequest};
use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, both, optional_text, required_text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::charity_fund as fund;
use entity::fund_committee_member as committee;
use entity::fund_entry::{self as entry, DonationChannel, EntryKind};
use entity::fund_grant::{self as grant, GrantStatus};
use entity::social_organisation::OrganisationStatus;
use entity::user::{self, UserStatus};
use entity::{org_unit, social_organisation};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The largest committee.
pub const MAX_COMMITTEE: usize = 15;

/// The most one entry may move: ¥100,000,000.
pub const MAX_AMOUNT_FEN: i64 = 10_000_000_000;
/// Donations listed on a disclosure, newest first.
pub const DISCLOSED_DONATIONS: u64 = 100;

/// A donation received.
pub struct Donation {
    pub amount_fen: i64,
    /// Required unless anonymous.
    pub donor_name: Option<String>,
    pub anonymous: bool,
    /// Whether the donor agreed to be named on the disclosure.
    pub disclose_donor: bool,
    pub channel: DonationChannel,
    pub reference: Option<String>,
    pub received_on: NaiveDate,
}

/// A disbursement paid.
pub struct Disbursement {
    pub amount_fen: i64,
    pub paid_on: NaiveDate,
    pub reference: Option<String>,
}

/// A fund's public disclosure.
pub struct Disclosure {
    pub fund: fund::Model,
    pub unit: org_unit::Model,
    /// Approved grants, newest first, with the recipient organisation's name.
    pub grants: Vec<(grant::Model, Option<String>)>,
    /// The latest donations, newest first.
    pub donations: Vec<entry::Model>,
}

fn amount(fen: i64) -> DomainResult<i64> {
    if fen <= 0 || fen > MAX_AMOUNT_FEN {
        return Err(DomainError::validation(format!("an amount is 1 to {MAX_AMOUNT_FEN} fen")));
    }
    Ok(fen)
}

/// A date not after today in the unit's zone (400 `invalid_dates`).
fn not_future(unit: &org_unit::Model, now: DateTime<Utc>, day: NaiveDate, field: &str) -> DomainResult<NaiveDate> {
    if day > time::local_date(now, &unit.time_zone) {
        return Err(DomainError::invalid("invalid_dates", format!("{field} is in the future")));
    }
    Ok(day)
}

/// Creates the fund of a unit in the actor's scope (one per unit: 409 `fund_exists`).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    org_unit_id: Uuid,
    name: &str,
) -> DomainResult<fund::Model> {
    actor.require_admin()?;
    let name = required_text("name", name)?;
    org_units::get(db, org_unit_id)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "orgUnitId names no org unit"))?;
    if !actor.covers_unit(db, Some(org_unit_id)).await? {
        return Err(DomainError::forbidden("the org unit is outside your scope"));
    }
    write(db, async |txn| {
        let model = fund::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_unit_id: Set(org_unit_id),
            name: Set(name),
            donated_fen: Set(0),
            granted_fen: Set(0),
            disbursed_fen: Set(0),
            created_by: Set(actor.user_id),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::conflict(
                    "fund_exists",
                    both("this unit has a charity fund already", "该单位已设立慈善基金"),
                )
            } else {
                e.into()
            }
        })?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "charity_fund.create", "charity_fund", model.id).after(&model),
        )
        .await?;
        Ok(model)
    })
    .await
}

/// The funds of a unit's subtree (or all), oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    under: Option<Uuid>,
    page: PageRequest,
) -> DomainResult<Page<fund::Model>> {
    let mut q = fund::Entity::find();
    if let Some(root) = under {
        q = q.filter(fund::Column::OrgUnitId.in_subquery(subtree_ids(root)));
    }
    Ok(page::fetch(db, q, fund::Column::Id, Order::OldestFirst, page, |m| m.id).await?)
}

/// The fund and its unit, for an administrator over it (404 otherwise, as if absent).
async fn kept(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<(fund::Model, org_unit::Model)> {
    actor.require_admin()?;
    let f = fund::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::not_found("charity fund"))?;
    if !actor.covers_unit(db, Some(f.org_unit_id)).await? {
        return Err(DomainError::not_found("charity fund"));
    }
    let unit = org_units::get(db, f.org_unit_id).await?;
    Ok((f, unit))
}

/// Writes an entry with the fund's totals as they now stand (after this transaction's update).
async fn enter(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    fill: impl FnOnce(&mut entry::ActiveModel),
) -> DomainResult<entry::Model> {
    let f = fund::Entity::find_by_id(fund_id).one(txn).await?.ok_or(DomainError::not_found("charity fund"))?;
    let mut e = entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        fund_id: Set(fund_id),
        grant_id: Set(None),
        donor_name: Set(None),
        anonymous: Set(false),
        disclose_donor: Set(false),
        channel: Set(None),
        reference: Set(None),
        donated_after: Set(f.donated_fen),
        granted_after: Set(f.granted_fen),
        disbursed_after: Set(f.disbursed_fen),
        recorded_by: Set(actor.user_id),
        recorded_at: Set(now),
        ..Default::default()
    };
    fill(&mut e);
    Ok(e.insert(txn).await?)
}

/// Records a donation received (administrators over the fund).
pub async fn record_donation(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    d: Donation,
) -> DomainResult<entry::Model> {
    let fen = amount(d.amount_fen)?;
    let donor = if d.anonymous {
        None
    } else {
        Some(
            optional_text(d.donor_name)
                .ok_or_else(|| DomainError::validation("donorName is required unless anonymous"))?,
        )
    };
    write(db, async |txn| {
        let (_, unit) = kept(txn, actor, fund_id).await?;
        let received_on = not_future(&unit, now, d.received_on, "receivedOn")?;
        fund::Entity::update_many()
            .col_expr(fund::Column::DonatedFen, Expr::col(fund::Column::DonatedFen).add(fen))
            .filter(fund::Column::Id.eq(fund_id))
            .exec(txn)
            .await?;
        enter(txn, actor, now, fund_id, |e| {
            e.kind = Set(EntryKind::Donation);
            e.amount_fen = Set(fen);
            e.anonymous = Set(d.anonymous);
            e.disclose_donor = Set(d.disclose_donor && !d.anonymous);
            e.donor_name = Set(donor);
            e.channel = Set(Some(d.channel));
            e.reference = Set(optional_text(d.reference));
            e.on_date = Set(received_on);
        })
        .await
    })
    .await
}

/// Proposes a grant (administrators over the fund). The recipient, if named, is an active
/// registered organisation (400 `recipient_not_found`). A grant above what may still be granted
/// today is refused at once (409 `insufficient_fund_balance`); approval checks again.
pub async fn propose_grant(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    amount_fen: i64,
    purpose: &str,
    recipient: Option<Uuid>,
) -> DomainResult<grant::Model> {
    let fen = amount(amount_fen)?;
    let purpose = required_text("purpose", purpose)?;
    write(db, async |txn| {
        let (f, _) = kept(txn, actor, fund_id).await?;
        if let Some(r) = recipient {
            let active =
                social_organisations::get(txn, r).await.ok().filter(|o| o.status == OrganisationStatus::Active);
            if active.is_none() {
                return Err(DomainError::invalid(
                    "recipient_not_found",
                    "recipientOrganisationId names no active social organisation",
                ));
            }
        }
        if f.donated_fen - f.granted_fen < fen {
            return Err(insufficient());
        }
        let g = grant::ActiveModel {
            id: Set(Uuid::now_v7()),
            fund_id: Set(fund_id),
            amount_fen: Set(fen),
            purpose: Set(purpose),
            recipient_organisation_id: Set(recipient),
            status: Set(GrantStatus::Proposed),
            disbursed_fen: Set(0),
            proposed_by: Set(actor.user_id),
            proposed_at: Set(now),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_reason: Set(None),
        }
        .insert(txn)
        .await?;
        audit::record(txn, now, Change::new(actor.user_id, "fund_grant.propose", "fund_grant", g.id).after(&g)).await?;
        Ok(g)
    })
    .await
}

fn insufficient() -> DomainError {
    DomainError::conflict(
        "insufficient_fund_balance",
        both("the fund does not hold enough ungranted money for this grant", "基金可用余额不足"),
    )
}

async fn grant_of(db: &impl ConnectionTrait, fund_id: Uuid, grant_id: Uuid) -> DomainResult<grant::Model> {
    grant::Entity::find_by_id(grant_id)
        .one(db)
        .await?
        .filter(|g| g.fund_id == fund_id)
        .ok_or(DomainError::not_found("grant"))
}

/// Approves or rejects a proposed grant (an administrator over the fund other than its
/// proposer). Approval commits the amount or fails with nothing changed.
pub async fn decide_grant(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    grant_id: Uuid,
    approve: bool,
    reason: &str,
) -> DomainResult<grant::Model> {
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        kept(txn, actor, fund_id).await?;
        let g = grant_of(txn, fund_id, grant_id).await?;
        if g.proposed_by == actor.user_id {
            return Err(DomainError::conflict(
                "separation_of_duties",
                both("a grant is decided by someone other than who proposed it", "拨款须由提议人以外的人审批"),
            ));
        }
        let members = committee_ids(txn, fund_id).await?;
        if !members.is_empty() && !members.contains(&actor.user_id) {
            return Err(DomainError::conflict(
                "not_on_committee",
                both("this fund's grants are decided by its committee", "该基金的拨款由基金管理委员会审批"),
            ));
        }
        let status = if approve { GrantStatus::Approved } else { GrantStatus::Rejected };
        let done = grant::Entity::update_many()
            .col_expr(grant::Column::Status, Expr::value(status))
            .col_expr(grant::Column::DecidedBy, Expr::value(actor.user_id))
            .col_expr(grant::Column::DecidedAt, Expr::value(now))
            .col_expr(grant::Column::DecisionReason, Expr::value(reason.clone()))
            .filter(grant::Column::Id.eq(grant_id))
            .filter(grant::Column::Status.eq(GrantStatus::Proposed))
            .exec(txn)
            .await?;
        if done.rows_affected == 0 {
            return Err(DomainError::conflict("grant_decided", both("the grant was decided already", "该拨款已审批")));
        }
        if approve {
            // The one check that matters: in the same statement as the commitment.
            let committed = fund::Entity::update_many()
                .col_expr(fund::Column::GrantedFen, Expr::col(fund::Column::GrantedFen).add(g.amount_fen))
                .filter(fund::Column::Id.eq(fund_id))
                .filter(Expr::col(fund::Column::DonatedFen).sub(Expr::col(fund::Column::GrantedFen)).gte(g.amount_fen))
                .exec(txn)
                .await?;
            if committed.rows_affected == 0 {
                return Err(insufficient());
            }
            enter(txn, actor, now, fund_id, |e| {
                e.kind = Set(EntryKind::Grant);
                e.amount_fen = Set(g.amount_fen);
                e.grant_id = Set(Some(grant_id));
                e.on_date = Set(now.date_naive());
            })
            .await?;
        }
        let after = grant_of(txn, fund_id, grant_id).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "fund_grant.decide", "fund_grant", grant_id)
                .before(&g)
                .after(&after)
                .reason(Some(reason)),
        )
        .await?;
        Ok(after)
    })
    .await
}

async fn committee_ids(db: &impl ConnectionTrait, fund_id: Uuid) -> DomainResult<Vec<Uuid>> {
    Ok(committee::Entity::find()
        .filter(committee::Column::FundId.eq(fund_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.person_id)
        .collect())
}

/// The fund's committee, in the order appointed (administrators over the fund).
pub async fn committee(db: &impl ConnectionTrait, actor: &Actor, fund_id: Uuid) -> DomainResult<Vec<user::Model>> {
    kept(db, actor, fund_id).await?;
    let rows = committee::Entity::find()
        .filter(committee::Column::FundId.eq(fund_id))
        .order_by_asc(committee::Column::AppointedAt)
        .all(db)
        .await?;
    let mut people: HashMap<Uuid, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows.iter().filter_map(|r| people.remove(&r.person_id)).collect())
}

/// Sets the fund's committee (administrators over the fund): active administrators whose scope
/// holds the fund, at most [`MAX_COMMITTEE`]; an empty list leaves decisions to any other
/// administrator over the fund. Audited with before and after.
pub async fn set_committee(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    members: Vec<Uuid>,
) -> DomainResult<Vec<user::Model>> {
    let mut seen = std::collections::HashSet::new();
    let wanted: Vec<Uuid> = members.into_iter().filter(|m| seen.insert(*m)).collect();
    if wanted.len() > MAX_COMMITTEE {
        return Err(DomainError::validation(format!("a committee has at most {MAX_COMMITTEE} members")));
    }
    write(db, async |txn| {
        let (f, _) = kept(txn, actor, fund_id).await?;
        let people = user::Entity::find().filter(user::Column::Id.is_in(wanted.iter().copied())).all(txn).await?;
        for id in &wanted {
            let fit = match people.iter().find(|u| u.id == *id) {
                Some(u) if u.status == UserStatus::Active && u.role.is_admin() => {
                    let as_actor = Actor { user_id: u.id, role: u.role, org_unit_id: u.org_unit_id };
                    as_actor.covers_unit(txn, Some(f.org_unit_id)).await?
                }
                _ => false,
            };
            if !fit {
                return Err(DomainError::invalid(
                    "invalid_committee_member",
                    both(
                        "committee members are active administrators whose scope holds the fund",
                        "委员须为管辖该基金的在职管理员",
                    ),
                ));
            }
        }
        let before = committee_ids(txn, fund_id).await?;
        committee::Entity::delete_many().filter(committee::Column::FundId.eq(fund_id)).exec(txn).await?;
        for (i, id) in wanted.iter().enumerate() {
            committee::ActiveModel {
                fund_id: Set(fund_id),
                person_id: Set(*id),
                appointed_by: Set(actor.user_id),
                // Keeps the order given, however fast the loop.
                appointed_at: Set(now + chrono::Duration::microseconds(i as i64)),
            }
            .insert(txn)
            .await?;
        }
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "charity_fund.committee", "charity_fund", fund_id)
                .before(&before)
                .after(&wanted),
        )
        .await?;
        Ok(())
    })
    .await?;
    committee(db, actor, fund_id).await
}

/// Records a disbursement against an approved grant (administrators over the fund).
pub async fn disburse(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    fund_id: Uuid,
    grant_id: Uuid,
    d: Disbursement,
) -> DomainResult<entry::Model> {
    let fen = amount(d.amount_fen)?;
    write(db, async |txn| {
        let (_, unit) = kept(txn, actor, fund_id).await?;
        let paid_on = not_future(&unit, now, d.paid_on, "paidOn")?;
        let g = grant_of(txn, fund_id, grant_id).await?;
        if g.status != GrantStatus::Approved {
            return Err(DomainError::conflict(
                "grant_not_approved",
                both("only an approved grant is paid out", "拨款尚未批准，不能支付"),
            ));
        }
        let paid = grant::Entity::update_many()
            .col_expr(grant::Column::DisbursedFen, Expr::col(grant::Column::DisbursedFen).add(fen))
            .filter(grant::Column::Id.eq(grant_id))
            .filter(Expr::col(grant::Column::AmountFen).sub(Expr::col(grant::Column::DisbursedFen)).gte(fen))
            .exec(txn)
            .await?;
        if paid.rows_affected == 0 {
            return Err(DomainError::conflict(
                "disbursement_exceeds_grant",
                both("this is more than is left of the grant", "支付金额超过拨款余额"),
            ));
        }
        fund::Entity::update_many()
            .col_expr(fund::Column::DisbursedFen, Expr::col(fund::Column::DisbursedFen).add(fen))
            .filter(fund::Column::Id.eq(fund_id))
            .exec(txn)
            .await?;
        enter(txn, actor, now, fund_id, |e| {
            e.kind = Set(EntryKind::Disbursement);
            e.amount_fen = Set(fen);
            e.grant_id = Set(Some(grant_id));
            e.reference = Set(optional_text(d.reference));
            e.on_date = Set(paid_on);
        })
        .await
    })
    .await
}

/// A page of the fund's ledger, newest first (administrators over the fund).
pub async fn ledger(
    db: &impl ConnectionTrait,
    actor: &Actor,
    fund_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<entry::Model>> {
    kept(db, actor, fund_id).await?;
    let q = entry::Entity::find().filter(entry::Column::FundId.eq(fund_id));
    Ok(page::fetch(db, q, entry::Column::Id, Order::NewestFirst, page, |m| m.id).await?)
}

/// The grants of a fund, newest first (administrators over the fund).
pub async fn grants(db: &impl ConnectionTrait, actor: &Actor, fund_id: Uuid) -> DomainResult<Vec<grant::Model>> {
    kept(db, actor, fund_id).await?;
    Ok(grant::Entity::find().filter(grant::Column::FundId.eq(fund_id)).order_by_desc(grant::Column::Id).all(db).await?)
}

/// The public disclosure of a fund (anyone, signed in or not).
pub async fn disclosure(db: &impl ConnectionTrait, fund_id: Uuid) -> DomainResult<Disclosure> {
    let f = fund::Entity::find_by_id(fund_id).one(db).await?.ok_or(DomainError::not_found("charity fund"))?;
    let unit = org_units::get(db, f.org_unit_id).await?;
    let approved = grant::Entity::find()
        .filter(grant::Column::FundId.eq(fund_id))
        .filter(grant::Column::Status.eq(GrantStatus::Approved))
        .order_by_desc(grant::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = approved.iter().filter_map(|g| g.recipient_organisation_id).collect();
    let names: HashMap<Uuid, String> = social_organisation::Entity::find()
        .filter(social_organisation::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let grants = approved
        .into_iter()
        .map(|g| {
            let name = g.recipient_organisation_id.and_then(|r| names.get(&r).cloned());
            (g, name)
        })
        .collect();
    let donations = entry::Entity::find()
        .filter(entry::Column::FundId.eq(fund_id))
        .filter(entry::Column::Kind.eq(EntryKind::Donation))
        .order_by_desc(entry::Column::Id)
        .limit(DISCLOSED_DONATIONS)
        .all(db)
        .await?;
    Ok(Disclosure { fund: f, unit, grants, donations })
}
