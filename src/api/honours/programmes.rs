//! Award programmes (`/api/v1/honour-programmes`): creating, listing, reading and updating a
//! programme, advancing its state, appointing its panel, and evaluating its eligibility rules for
//! a person. Rules: `domain::honours` and `domain::honours::eligibility`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{QualificationLevel, Role, page_of, wire_enum};
use crate::domain::honours::eligibility::{HoursPeriod as DomainPeriod, Outcome, Rule, RuleResult};
use crate::domain::honours::nominations;
use crate::domain::honours::review;
use crate::domain::honours::{self, Criterion, NewProgramme, Programme, ProgrammeChanges};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Award programmes.
pub struct HonourProgrammesApi;

wire_enum! {
    /// What a programme awards.
    HonourKind mirrors entity::honour_programme::ProgrammeKind {
        /// 社工领军人才
        LeadingTalent = "leading_talent",
        /// 最美社工
        MostBeautifulSocialWorker = "most_beautiful_social_worker",
        /// 星级志愿者 (automatic star-level honours are of this kind too)
        StarVolunteer = "star_volunteer",
        /// 优秀结对: an outstanding social worker + volunteer pair (the nominee is one of the pair)
        OutstandingPair = "outstanding_pair",
        Custom = "custom",
    }
}

wire_enum! {
    /// Where a programme stands; only the city administrator moves it, one step at a time.
    HonourProgrammeState mirrors entity::honour_programme::ProgrammeState {
        Draft = "draft",
        Nominating = "nominating",
        Reviewing = "reviewing",
        Decided = "decided",
        /// 公示: the decision is listed publicly and open to objections.
        PublicNotice = "public_notice",
        Published = "published",
        /// Called off before the decision; `cancelReason` says why.
        Cancelled = "cancelled",
    }
}

/// The fixed set of eligibility rules.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EligibilityRuleKind {
    /// At least `value` approved volunteer hours, in the programme's year or all time (`period`).
    #[oai(rename = "min_volunteer_hours")]
    MinVolunteerHours,
    /// At least star level `value`.
    #[oai(rename = "min_star_level")]
    MinStarLevel,
    /// At least the verified social-work qualification `level` (not evaluated until verified
    /// credentials exist).
    #[oai(rename = "min_social_work_level")]
    MinSocialWorkLevel,
    /// Continuing education requirement met (not evaluated until training records exist).
    #[oai(rename = "ce_requirement_met")]
    CeRequirementMet,
    /// A member for at least `value` months.
    #[oai(rename = "active_months")]
    ActiveMonths,
    /// At least `value` mentoring sessions logged in the programme's year (not evaluated until
    /// mentoring records exist).
    #[oai(rename = "mentoring_sessions_in_year")]
    MentoringSessionsInYear,
    /// At least `value` years of front-line service (profile's front-line start date).
    #[oai(rename = "front_line_years")]
    FrontLineYears,
    /// No honour of the programme's kind in the last `value` years.
    #[oai(rename = "no_same_kind_award_within")]
    NoSameKindAwardWithin,
}

/// Which approved hours count.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HonourHoursPeriod {
    #[oai(rename = "year")]
    Year,
    #[oai(rename = "all_time")]
    AllTime,
}

/// One eligibility rule with its parameter.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct EligibilityRule {
    pub rule: EligibilityRuleKind,
    /// The number the rule needs (hours, level, months, sessions, years).
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub value: Option<i32>,
    /// For `min_volunteer_hours`; default the programme's year.
    pub period: Option<HonourHoursPeriod>,
    /// For `min_social_work_level`.
    pub level: Option<QualificationLevel>,
}

impl EligibilityRule {
    fn to_domain(&self) -> Result<Rule, crate::domain::DomainError> {
        let need = || {
            self.value.ok_or_else(|| {
                crate::domain::DomainError::invalid("invalid_rule", "this rule needs a `value`".to_string())
            })
        };
        Ok(match self.rule {
            EligibilityRuleKind::MinVolunteerHours => Rule::MinVolunteerHours {
                hours: need()?,
                period: match self.period {
                    Some(HonourHoursPeriod::AllTime) => DomainPeriod::AllTime,
                    _ => DomainPeriod::Year,
                },
            },
            EligibilityRuleKind::MinStarLevel => Rule::MinStarLevel { level: need()? },
            EligibilityRuleKind::MinSocialWorkLevel => Rule::MinSocialWorkLevel {
                level: self
                    .level
                    .ok_or_else(|| crate::domain::DomainError::invalid("invalid_rule", "this rule needs a `level`"))?
                    .into(),
            },
            EligibilityRuleKind::CeRequirementMet => Rule::CeRequirementMet,
            EligibilityRuleKind::ActiveMonths => Rule::ActiveMonths { months: need()? },
            EligibilityRuleKind::MentoringSessionsInYear => Rule::MentoringSessionsInYear { sessions: need()? },
            EligibilityRuleKind::FrontLineYears => Rule::FrontLineYears { years: need()? },
            EligibilityRuleKind::NoSameKindAwardWithin => Rule::NoSameKindAwardWithin { years: need()? },
        })
    }
}

impl From<Rule> for EligibilityRule {
    fn from(r: Rule) -> Self {
        let plain = |rule, value: Option<i32>| EligibilityRule { rule, value, period: None, level: None };
        match r {
            Rule::MinVolunteerHours { hours, period } => EligibilityRule {
                rule: EligibilityRuleKind::MinVolunteerHours,
                value: Some(hours),
                period: Some(match period {
                    DomainPeriod::Year => HonourHoursPeriod::Year,
                    DomainPeriod::AllTime => HonourHoursPeriod::AllTime,
                }),
                level: None,
            },
            Rule::MinStarLevel { level } => plain(EligibilityRuleKind::MinStarLevel, Some(level)),
            Rule::MinSocialWorkLevel { level } => EligibilityRule {
                rule: EligibilityRuleKind::MinSocialWorkLevel,
                value: None,
                period: None,
                level: Some(level.into()),
            },
            Rule::CeRequirementMet => plain(EligibilityRuleKind::CeRequirementMet, None),
            Rule::ActiveMonths { months } => plain(EligibilityRuleKind::ActiveMonths, Some(months)),
            Rule::MentoringSessionsInYear { sessions } => {
                plain(EligibilityRuleKind::MentoringSessionsInYear, Some(sessions))
            }
            Rule::FrontLineYears { years } => plain(EligibilityRuleKind::FrontLineYears, Some(years)),
            Rule::NoSameKindAwardWithin { years } => plain(EligibilityRuleKind::NoSameKindAwardWithin, Some(years)),
        }
    }
}

/// The outcome of one rule for one person.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOutcome {
    #[oai(rename = "met")]
    Met,
    #[oai(rename = "not_met")]
    NotMet,
    /// The data to check it is not available yet: never counted as met.
    #[oai(rename = "not_evaluated")]
    NotEvaluated,
}

/// One rule's evaluation with its figures.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct RuleEvaluation {
    pub rule: EligibilityRule,
    pub outcome: RuleOutcome,
    /// The threshold (for `no_same_kind_award_within`: the most earlier honours allowed, 0;
    /// social-work levels rank 1 assistant, 2 social worker, 3 senior).
    pub required: i64,
    /// The person's figure, when known.
    pub actual: Option<i64>,
    /// Why the rule was not evaluated.
    pub note: Option<String>,
}

impl From<RuleResult> for RuleEvaluation {
    fn from(r: RuleResult) -> Self {
        RuleEvaluation {
            rule: r.rule.into(),
            outcome: match r.outcome {
                Outcome::Met => RuleOutcome::Met,
                Outcome::NotMet => RuleOutcome::NotMet,
                Outcome::NotEvaluated => RuleOutcome::NotEvaluated,
            },
            required: r.required,
            actual: r.actual,
            note: r.note,
        }
    }
}

/// A scoring criterion and its weight.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourCriterion {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// Relative weight, 1 to 100.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub weight: i32,
}

/// A programme to create.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourProgrammeRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    pub kind: HonourKind,
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub year: i32,
    /// Who may be nominated; absent: anyone.
    pub nominee_role: Option<Role>,
    pub nomination_opens_at: DateTime<Utc>,
    pub nomination_closes_at: DateTime<Utc>,
    /// The review window runs from the end of nominations to here; the decision comes after.
    pub review_closes_at: DateTime<Utc>,
    /// How many awards (1 to 1000).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub awards: i32,
    /// Nominations each station may make (0 to 1000; city administrators are not limited).
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub station_quota: i32,
    /// Length of the public notice in working days, Monday to Friday (5 to 30, default 5).
    #[oai(validator(minimum(value = "5"), maximum(value = "30")))]
    pub notice_working_days: Option<i32>,
    /// IANA time zone for the notice's working days; default Asia/Shanghai.
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    #[oai(validator(max_items = 8))]
    pub rules: Vec<EligibilityRule>,
    /// 1 to 5 criteria, each scored 1 to 10; default 先进事迹 40, 专业能力 30, 社会影响 30.
    #[oai(validator(min_items = 1, max_items = 5))]
    pub criteria: Option<Vec<HonourCriterion>>,
}

/// An award programme.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourProgramme {
    pub id: Uuid,
    pub name: String,
    pub kind: HonourKind,
    pub year: i32,
    pub nominee_role: Option<Role>,
    pub nomination_opens_at: DateTime<Utc>,
    pub nomination_closes_at: DateTime<Utc>,
    pub review_closes_at: DateTime<Utc>,
    pub awards: i32,
    pub station_quota: i32,
    pub notice_working_days: i32,
    pub time_zone: String,
    pub rules: Vec<EligibilityRule>,
    pub criteria: Vec<HonourCriterion>,
    pub state: HonourProgrammeState,
    pub notice_starts_at: Option<DateTime<Utc>>,
    pub notice_ends_at: Option<DateTime<Utc>>,
    /// Why it was cancelled, once it is.
    pub cancel_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Programme> for HonourProgramme {
    fn from(p: Programme) -> Self {
        let r = p.row;
        HonourProgramme {
            id: r.id,
            name: r.name,
            kind: r.kind.into(),
            year: r.year,
            nominee_role: r.nominee_role.map(Into::into),
            nomination_opens_at: r.nomination_opens_at,
            nomination_closes_at: r.nomination_closes_at,
            review_closes_at: r.review_closes_at,
            awards: r.awards,
            station_quota: r.station_quota,
            notice_working_days: r.notice_working_days,
            time_zone: r.time_zone,
            rules: p.rules.into_iter().map(Into::into).collect(),
            criteria: p.criteria.into_iter().map(|c| HonourCriterion { name: c.name, weight: c.weight }).collect(),
            state: r.state.into(),
            notice_starts_at: r.notice_starts_at,
            notice_ends_at: r.notice_ends_at,
            cancel_reason: r.cancel_reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

page_of!(HonourProgrammePage, HonourProgramme);

/// Changes to a programme: anything in draft; only `nominationClosesAt` and `reviewClosesAt`
/// while nominating or reviewing; nothing after the decision (409 `programme_locked`).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourProgrammeUpdate {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    pub nomination_opens_at: Option<DateTime<Utc>>,
    pub nomination_closes_at: Option<DateTime<Utc>>,
    pub review_closes_at: Option<DateTime<Utc>>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub awards: Option<i32>,
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub station_quota: Option<i32>,
    #[oai(validator(minimum(value = "5"), maximum(value = "30")))]
    pub notice_working_days: Option<i32>,
    #[oai(validator(max_items = 8))]
    pub rules: Option<Vec<EligibilityRule>>,
    #[oai(validator(min_items = 1, max_items = 5))]
    pub criteria: Option<Vec<HonourCriterion>>,
}

/// The next state of a programme.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourAdvanceRequest {
    /// One step on from the current state (`decided` comes from the decision instead).
    pub to: HonourProgrammeState,
}

/// Why a programme is cancelled.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourCancelRequest {
    /// Told to the nominees, their nominators and the panel, and kept on the programme.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// Corrected eligibility rules and why.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourRulesCorrection {
    /// The whole set of rules, replacing the old.
    #[oai(validator(max_items = 8))]
    pub rules: Vec<EligibilityRule>,
    /// Kept in the audit log and told to the nominators whose nominee no longer qualifies.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A nomination evaluated again under corrected rules.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourReevaluation {
    pub nomination_id: Uuid,
    pub nominee_id: Uuid,
    /// Passes every evaluated rule under the corrected rules.
    pub eligible: bool,
    /// Kept in the running by a city administrator's override even though failing.
    pub overridden: bool,
}

/// A programme with corrected rules, and its nominations in the running evaluated again.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourRulesCorrected {
    pub programme: HonourProgramme,
    pub nominations: Vec<HonourReevaluation>,
}

/// The panel of a programme.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourPanelRequest {
    /// Administrators or senior social workers; reviewers who have scored must stay.
    #[oai(validator(min_items = 1, max_items = 30))]
    pub reviewer_ids: Vec<Uuid>,
}

/// A reviewer on a panel.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourPanelMember {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

impl From<entity::user::Model> for HonourPanelMember {
    fn from(u: entity::user::Model) -> Self {
        HonourPanelMember { id: u.id, name: u.name, role: u.role.into() }
    }
}

#[OpenApi(tag = "Tag::Honours")]
impl HonourProgrammesApi {
    /// Create an award programme, in draft (city administrators).
    #[oai(path = "/api/v1/honour-programmes", method = "post", operation_id = "createHonourProgramme")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<HonourProgrammeRequest>,
    ) -> ApiResult<crate::api::Created<HonourProgramme>> {
        let b = body.0;
        let rules = b.rules.iter().map(EligibilityRule::to_domain).collect::<Result<Vec<_>, _>>()?;
        let p = NewProgramme {
            name: b.name,
            kind: b.kind.into(),
            year: b.year,
            nominee_role: b.nominee_role.map(Into::into),
            nomination_opens_at: b.nomination_opens_at,
            nomination_closes_at: b.nomination_closes_at,
            review_closes_at: b.review_closes_at,
            awards: b.awards,
            station_quota: b.station_quota,
            notice_working_days: b.notice_working_days,
            time_zone: b.time_zone,
            rules,
            criteria: b.criteria.map(|c| c.into_iter().map(|c| Criterion { name: c.name, weight: c.weight }).collect()),
        };
        let created = honours::create(&state.db, &auth.0.actor(), state.clock.now(), p).await?;
        Ok(crate::api::Created::Created(Json(created.into())))
    }

    /// Award programmes, newest first (drafts: city administrators only).
    #[oai(path = "/api/v1/honour-programmes", method = "get", operation_id = "listHonourProgrammes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "state")] programme_state: Query<Option<HonourProgrammeState>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourProgrammePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let p = honours::list(&state.db, &auth.0.actor(), programme_state.0.map(Into::into), page).await?;
        Ok(Json(p.into()))
    }

    /// One award programme.
    #[oai(path = "/api/v1/honour-programmes/:id", method = "get", operation_id = "getHonourProgramme")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<HonourProgramme>> {
        Ok(Json(honours::get_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Change a programme (city administrators): anything in draft, deadlines until the
    /// decision.
    #[oai(path = "/api/v1/honour-programmes/:id", method = "patch", operation_id = "updateHonourProgramme")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourProgrammeUpdate>,
    ) -> ApiResult<Json<HonourProgramme>> {
        let b = body.0;
        let rules = match b.rules {
            Some(r) => Some(r.iter().map(EligibilityRule::to_domain).collect::<Result<Vec<_>, _>>()?),
            None => None,
        };
        let c = ProgrammeChanges {
            name: b.name,
            nomination_opens_at: b.nomination_opens_at,
            nomination_closes_at: b.nomination_closes_at,
            review_closes_at: b.review_closes_at,
            awards: b.awards,
            station_quota: b.station_quota,
            notice_working_days: b.notice_working_days,
            rules,
            criteria: b.criteria.map(|c| c.into_iter().map(|c| Criterion { name: c.name, weight: c.weight }).collect()),
        };
        Ok(Json(honours::update(&state.db, &auth.0.actor(), state.clock.now(), id.0, c).await?.into()))
    }

    /// Move a programme one step on (city administrators): open nominations, start the review,
    /// start the public notice, publish. Each move tells the people concerned.
    #[oai(path = "/api/v1/honour-programmes/:id/advance", method = "post", operation_id = "advanceHonourProgramme")]
    async fn advance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourAdvanceRequest>,
    ) -> ApiResult<Json<HonourProgramme>> {
        let p = honours::advance(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.to.into()).await?;
        Ok(Json(p.into()))
    }

    /// Cancel a programme before its decision, with a reason (city administrators): its
    /// nominations in the running end as `cancelled`, the stations' quota is freed, and the
    /// nominees, nominators and panel are told. 409 `programme_locked` once decided.
    #[oai(path = "/api/v1/honour-programmes/:id/cancel", method = "post", operation_id = "cancelHonourProgramme")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourCancelRequest>,
    ) -> ApiResult<Json<HonourProgramme>> {
        let p = honours::cancel(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?;
        Ok(Json(p.into()))
    }

    /// Correct a programme's eligibility rules with a reason, until its review opens (city
    /// administrators; 409 `programme_locked` after). Nominations in the running are evaluated
    /// again; nominators of those that no longer qualify are told. Audited.
    #[oai(
        path = "/api/v1/honour-programmes/:id/rule-corrections",
        method = "post",
        operation_id = "correctHonourProgrammeRules"
    )]
    async fn correct_rules(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourRulesCorrection>,
    ) -> ApiResult<Json<HonourRulesCorrected>> {
        let b = body.0;
        let rules = b.rules.iter().map(EligibilityRule::to_domain).collect::<Result<Vec<_>, _>>()?;
        let (p, out) = honours::correct_rules(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            rules,
            &b.reason,
            &state.config.talent,
        )
        .await?;
        Ok(Json(HonourRulesCorrected {
            programme: p.into(),
            nominations: out
                .into_iter()
                .map(|r| HonourReevaluation {
                    nomination_id: r.nomination_id,
                    nominee_id: r.nominee_id,
                    eligible: r.eligible,
                    overridden: r.overridden,
                })
                .collect(),
        }))
    }

    /// Set a programme's review panel (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/panel", method = "put", operation_id = "appointHonourPanel")]
    async fn panel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourPanelRequest>,
    ) -> ApiResult<Json<Vec<HonourPanelMember>>> {
        let level = state.config.talent.reviewer_level;
        let people =
            review::appoint(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.reviewer_ids, level).await?;
        Ok(Json(people.into_iter().map(Into::into).collect()))
    }

    /// A programme's review panel, in the order appointed (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/panel", method = "get", operation_id = "listHonourPanel")]
    async fn panel_list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<HonourPanelMember>>> {
        let people = review::panel_people(&state.db, &auth.0.actor(), id.0).await?;
        Ok(Json(people.into_iter().map(Into::into).collect()))
    }

    /// Evaluate a programme's eligibility rules for a person in one's scope (administrators).
    #[oai(
        path = "/api/v1/honour-programmes/:id/eligibility/:person_id",
        method = "get",
        operation_id = "checkHonourEligibility"
    )]
    async fn eligibility(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        person_id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<RuleEvaluation>>> {
        let actor = auth.0.actor();
        actor.require_admin()?;
        let p = honours::get_visible(&state.db, &actor, id.0).await?;
        let (_, results) =
            nominations::evaluate_for(&state.db, &actor, state.clock.now(), &p, person_id.0, &state.config.talent)
                .await?;
        Ok(Json(results.into_iter().map(Into::into).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_through_the_wire() {
        for r in [
            Rule::MinVolunteerHours { hours: 100, period: DomainPeriod::AllTime },
            Rule::MinSocialWorkLevel { level: entity::social_worker_profile::QualificationLevel::SocialWorker },
            Rule::CeRequirementMet,
            Rule::NoSameKindAwardWithin { years: 3 },
        ] {
            assert_eq!(EligibilityRule::from(r).to_domain().unwrap(), r);
        }
    }
}
