//! `fund_entries`: a charity fund's append-only ledger (the database refuses UPDATE and DELETE):
//! each donation, grant approval and disbursement with the fund's totals after it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Money received.
    Donation,
    /// A grant approved: its amount committed.
    Grant,
    /// Money paid out against an approved grant.
    Disbursement,
}

/// How a donation arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DonationChannel {
    BankTransfer,
    Wechat,
    Alipay,
    Cash,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "fund_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fund_id: Uuid,
    pub kind: EntryKind,
    /// Always positive; the kind says which way it goes.
    pub amount_fen: i64,
    /// The grant (grant and disbursement entries).
    pub grant_id: Option<Uuid>,
    /// The donor's name as they gave it; none when anonymous.
    pub donor_name: Option<String>,
    pub anonymous: bool,
    /// Whether the donor agreed to be named on the public disclosure.
    pub disclose_donor: bool,
    pub channel: Option<DonationChannel>,
    /// The receipt or payment reference.
    pub reference: Option<String>,
    /// The day the money arrived or was paid.
    pub on_date: Date,
    pub donated_after: i64,
    pub granted_after: i64,
    pub disbursed_after: i64,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
