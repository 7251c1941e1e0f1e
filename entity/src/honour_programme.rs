//! `honour_programmes`: an award programme (评选) and where it stands.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a programme awards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// 社工领军人才
    LeadingTalent,
    /// 最美社工
    MostBeautifulSocialWorker,
    /// 星级志愿者
    StarVolunteer,
    /// 优秀结对 (social worker + volunteer pair)
    OutstandingPair,
    Custom,
}

/// Where a programme stands; the city administrator moves it forward one step at a time.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeState {
    Draft,
    Nominating,
    Reviewing,
    Decided,
    /// 公示
    PublicNotice,
    Published,
    /// Called off before the decision (kept last: states before it compare as earlier).
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "honour_programmes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub kind: ProgrammeKind,
    pub year: i32,
    /// Who may be nominated; `None`: anyone.
    pub nominee_role: Option<super::user::Role>,
    pub nomination_opens_at: DateTimeUtc,
    pub nomination_closes_at: DateTimeUtc,
    pub review_closes_at: DateTimeUtc,
    /// How many awards the programme gives.
    pub awards: i32,
    /// Nominations each station may make.
    pub station_quota: i32,
    /// Length of the public notice in working days (Monday to Friday).
    pub notice_working_days: i32,
    pub time_zone: String,
    /// The eligibility rules (`domain::honours::eligibility::Rule`, JSON).
    pub rules: Json,
    /// The scoring criteria (`domain::honours::Criterion`, JSON).
    pub criteria: Json,
    pub state: ProgrammeState,
    pub notice_starts_at: Option<DateTimeUtc>,
    pub notice_ends_at: Option<DateTimeUtc>,
    /// Why the programme was cancelled, once it is.
    pub cancel_reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
