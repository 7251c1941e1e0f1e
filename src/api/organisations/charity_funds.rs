//! `/api/v1/charity-funds`: community charity funds (社区慈善基金), their donations, grants,
//! disbursements and append-only ledger, and each fund's public disclosure (公示).
//! Rules: `domain::organisations::charity_funds`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::organisations::charity_funds::{self as funds, Disbursement, Donation};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{charity_fund, fund_entry, fund_grant};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Charity funds.
pub struct CharityFundsApi;

wire_enum! {
    /// What a ledger entry records.
    FundEntryKind mirrors fund_entry::EntryKind {
        /// Money received.
        Donation = "donation",
        /// A grant approved: its amount committed.
        Grant = "grant",
        /// Money paid out against an approved grant.
        Disbursement = "disbursement",
    }
}

wire_enum! {
    /// How a donation arrived.
    DonationChannel mirrors fund_entry::DonationChannel {
        BankTransfer = "bank_transfer",
        Wechat = "wechat",
        Alipay = "alipay",
        Cash = "cash",
        Other = "other",
    }
}

wire_enum! {
    /// Where a grant stands.
    GrantStatus mirrors fund_grant::GrantStatus {
        Proposed = "proposed",
        /// Its amount is committed from the fund.
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// A fund and its totals, in fen (分).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CharityFund {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub name: String,
    pub donated_fen: i64,
    /// Committed to approved grants.
    pub granted_fen: i64,
    /// Paid out against approved grants.
    pub disbursed_fen: i64,
    /// What may still be granted: donated less granted, never below zero.
    pub available_fen: i64,
    pub created_at: DateTime<Utc>,
}

impl From<charity_fund::Model> for CharityFund {
    fn from(m: charity_fund::Model) -> Self {
        CharityFund {
            id: m.id,
            org_unit_id: m.org_unit_id,
            name: m.name,
            donated_fen: m.donated_fen,
            granted_fen: m.granted_fen,
            disbursed_fen: m.disbursed_fen,
            available_fen: m.donated_fen - m.granted_fen,
            created_at: m.created_at,
        }
    }
}

page_of!(CharityFundPage, CharityFund);

/// One entry of a fund's ledger, with the fund's totals after it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct FundEntry {
    pub id: Uuid,
    pub kind: FundEntryKind,
    pub amount_fen: i64,
    pub grant_id: Option<Uuid>,
    /// The donor as they gave their name; absent when anonymous.
    pub donor_name: Option<String>,
    pub anonymous: bool,
    /// Whether the donor agreed to be named on the disclosure.
    pub disclose_donor: bool,
    pub channel: Option<DonationChannel>,
    pub reference: Option<String>,
    /// The day the money arrived or was paid.
    pub on_date: NaiveDate,
    pub donated_after: i64,
    pub granted_after: i64,
    pub disbursed_after: i64,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
}

impl From<fund_entry::Model> for FundEntry {
    fn from(m: fund_entry::Model) -> Self {
        FundEntry {
            id: m.id,
            kind: m.kind.into(),
            amount_fen: m.amount_fen,
            grant_id: m.grant_id,
            donor_name: m.donor_name,
            anonymous: m.anonymous,
            disclose_donor: m.disclose_donor,
            channel: m.channel.map(Into::into),
            reference: m.reference,
            on_date: m.on_date,
            donated_after: m.donated_after,
            granted_after: m.granted_after,
            disbursed_after: m.disbursed_after,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        }
    }
}

page_of!(FundEntryPage, FundEntry);

/// A grant.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct FundGrant {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub amount_fen: i64,
    pub purpose: String,
    pub recipient_organisation_id: Option<Uuid>,
    pub status: GrantStatus,
    pub disbursed_fen: i64,
    pub proposed_by: Uuid,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

impl From<fund_grant::Model> for FundGrant {
    fn from(m: fund_grant::Model) -> Self {
        FundGrant {
            id: m.id,
            fund_id: m.fund_id,
            amount_fen: m.amount_fen,
            purpose: m.purpose,
            recipient_organisation_id: m.recipient_organisation_id,
            status: m.status.into(),
            disbursed_fen: m.disbursed_fen,
            proposed_by: m.proposed_by,
            proposed_at: m.proposed_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_reason: m.decision_reason,
        }
    }
}

/// A member of a fund's committee.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CommitteeMember {
    pub id: Uuid,
    pub name: String,
}

/// A fund's committee.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetCommittee {
    /// Active administrators whose scope holds the fund, at most 15; empty: any administrator
    /// over the fund other than the proposer decides.
    #[oai(validator(max_items = 15))]
    pub member_ids: Vec<Uuid>,
}

/// A fund to set up.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCharityFund {
    /// The community, station or city whose fund it is; one fund each.
    pub org_unit_id: Uuid,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
}

/// A donation received.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordDonation {
    /// Whole fen, positive.
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000000")))]
    pub amount_fen: i64,
    /// Required unless `anonymous`.
    #[oai(validator(max_length = 200))]
    pub donor_name: Option<String>,
    #[oai(default)]
    pub anonymous: bool,
    /// The donor agreed to be named on the public disclosure.
    #[oai(default)]
    pub disclose_donor: bool,
    pub channel: DonationChannel,
    /// The receipt or payment reference.
    #[oai(validator(max_length = 100))]
    pub reference: Option<String>,
    /// Not after today.
    pub received_on: NaiveDate,
}

/// A grant to propose.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProposeGrant {
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000000")))]
    pub amount_fen: i64,
    /// What the money is for.
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub purpose: String,
    /// The social organisation receiving it, if any (active, in the registry).
    pub recipient_organisation_id: Option<Uuid>,
}

/// A decision on a proposed grant.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantDecision {
    pub approve: bool,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A disbursement paid against an approved grant.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordDisbursement {
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000000")))]
    pub amount_fen: i64,
    /// Not after today.
    pub paid_on: NaiveDate,
    #[oai(validator(max_length = 100))]
    pub reference: Option<String>,
}

/// An approved grant, as the public sees it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DisclosedGrant {
    pub purpose: String,
    pub amount_fen: i64,
    pub disbursed_fen: i64,
    /// The receiving social organisation's name, if any.
    pub recipient: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A donation, as the public sees it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DisclosedDonation {
    pub amount_fen: i64,
    pub on_date: NaiveDate,
    /// The donor's name only when they agreed to be named and did not give anonymously.
    pub donor: Option<String>,
}

/// A fund's public disclosure (公示).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct FundDisclosure {
    pub fund: CharityFund,
    pub unit_name: String,
    /// Approved grants, newest first.
    pub grants: Vec<DisclosedGrant>,
    /// The latest donations (at most 100), newest first.
    pub donations: Vec<DisclosedDonation>,
}

#[OpenApi(prefix_path = "/api/v1/charity-funds", tag = "Tag::CharityFunds")]
impl CharityFundsApi {
    /// Set up the charity fund of a unit in one's scope (administrators); one per unit: 409
    /// `fund_exists`.
    #[oai(path = "/", method = "post", operation_id = "createCharityFund")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateCharityFund>,
    ) -> ApiResult<Created<CharityFund>> {
        let f = funds::create(&state.db, &auth.0.actor(), state.clock.now(), body.org_unit_id, &body.name).await?;
        Ok(Created::Created(Json(f.into())))
    }

    /// The funds, with their totals (of a unit's subtree with `under`), oldest first.
    #[oai(path = "/", method = "get", operation_id = "listCharityFunds")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        under: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<CharityFundPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(funds::list(&state.db, under.0, page).await?.into()))
    }

    /// Record a donation received (administrators over the fund). No payment is processed: the
    /// money has arrived through `channel`, with `reference` as its receipt.
    #[oai(path = "/:id/donations", method = "post", operation_id = "recordFundDonation")]
    async fn donate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RecordDonation>,
    ) -> ApiResult<Created<FundEntry>> {
        let b = body.0;
        let d = Donation {
            amount_fen: b.amount_fen,
            donor_name: b.donor_name,
            anonymous: b.anonymous,
            disclose_donor: b.disclose_donor,
            channel: b.channel.into(),
            reference: b.reference,
            received_on: b.received_on,
        };
        let e = funds::record_donation(&state.db, &auth.0.actor(), state.clock.now(), id.0, d).await?;
        Ok(Created::Created(Json(e.into())))
    }

    /// The fund's ledger, newest first (administrators over the fund). Entries are never changed
    /// or removed.
    #[oai(path = "/:id/ledger", method = "get", operation_id = "listFundLedger")]
    async fn ledger(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<FundEntryPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(funds::ledger(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// Propose a grant from the fund (administrators over it); another administrator decides.
    /// 409 `insufficient_fund_balance` when it exceeds what may still be granted.
    #[oai(path = "/:id/grants", method = "post", operation_id = "proposeFundGrant")]
    async fn propose(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ProposeGrant>,
    ) -> ApiResult<Created<FundGrant>> {
        let b = body.0;
        let g = funds::propose_grant(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            b.amount_fen,
            &b.purpose,
            b.recipient_organisation_id,
        )
        .await?;
        Ok(Created::Created(Json(g.into())))
    }

    /// The fund's grants, newest first (administrators over the fund).
    #[oai(path = "/:id/grants", method = "get", operation_id = "listFundGrants")]
    async fn grants(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<FundGrant>>> {
        let gs = funds::grants(&state.db, &auth.0.actor(), id.0).await?;
        Ok(Json(gs.into_iter().map(Into::into).collect()))
    }

    /// Approve or reject a proposed grant (an administrator over the fund other than its
    /// proposer: 409 `separation_of_duties`; a member of its committee if it has one: 409
    /// `not_on_committee`). Approval commits the amount, or fails with 409
    /// `insufficient_fund_balance` and nothing changed; however many approve at once, the fund
    /// never commits more than was donated.
    #[oai(path = "/:id/grants/:grant_id/decision", method = "post", operation_id = "decideFundGrant")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        grant_id: Path<Uuid>,
        body: Json<GrantDecision>,
    ) -> ApiResult<Json<FundGrant>> {
        let g = funds::decide_grant(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            grant_id.0,
            body.approve,
            &body.reason,
        )
        .await?;
        Ok(Json(g.into()))
    }

    /// The fund's committee (administrators over the fund).
    #[oai(path = "/:id/committee", method = "get", operation_id = "getFundCommittee")]
    async fn committee(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<CommitteeMember>>> {
        let people = funds::committee(&state.db, &auth.0.actor(), id.0).await?;
        Ok(Json(people.into_iter().map(|u| CommitteeMember { id: u.id, name: u.name }).collect()))
    }

    /// Set the fund's committee (基金管理委员会; administrators over the fund): once it has
    /// members, only they decide its grants (409 `not_on_committee`). 400
    /// `invalid_committee_member` for anyone not an active administrator over the fund. Audited.
    #[oai(path = "/:id/committee", method = "put", operation_id = "setFundCommittee")]
    async fn set_committee(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<SetCommittee>,
    ) -> ApiResult<Json<Vec<CommitteeMember>>> {
        let people =
            funds::set_committee(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.member_ids).await?;
        Ok(Json(people.into_iter().map(|u| CommitteeMember { id: u.id, name: u.name }).collect()))
    }

    /// Record money paid out against an approved grant (administrators over the fund); never
    /// more than is left of it (409 `disbursement_exceeds_grant`).
    #[oai(path = "/:id/grants/:grant_id/disbursements", method = "post", operation_id = "recordGrantDisbursement")]
    async fn disburse(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        grant_id: Path<Uuid>,
        body: Json<RecordDisbursement>,
    ) -> ApiResult<Created<FundEntry>> {
        let b = body.0;
        let d = Disbursement { amount_fen: b.amount_fen, paid_on: b.paid_on, reference: b.reference };
        let e = funds::disburse(&state.db, &auth.0.actor(), state.clock.now(), id.0, grant_id.0, d).await?;
        Ok(Created::Created(Json(e.into())))
    }

    /// The fund's public disclosure (公示), for anyone, signed in or not: its totals, approved
    /// grants and latest donations, naming a donor only where they agreed.
    #[oai(path = "/:id/disclosure", method = "get", operation_id = "getFundDisclosure")]
    async fn disclosure(&self, state: Data<&AppState>, id: Path<Uuid>) -> ApiResult<Json<FundDisclosure>> {
        let d = funds::disclosure(&state.db, id.0).await?;
        Ok(Json(FundDisclosure {
            fund: d.fund.into(),
            unit_name: d.unit.name,
            grants: d
                .grants
                .into_iter()
                .map(|(g, recipient)| DisclosedGrant {
                    purpose: g.purpose,
                    amount_fen: g.amount_fen,
                    disbursed_fen: g.disbursed_fen,
                    recipient,
                    decided_at: g.decided_at,
                })
                .collect(),
            donations: d
                .donations
                .into_iter()
                .map(|e| DisclosedDonation {
                    amount_fen: e.amount_fen,
                    on_date: e.on_date,
                    donor: e.donor_name.filter(|_| e.disclose_donor && !e.anonymous),
                })
                .collect(),
        }))
    }
}
