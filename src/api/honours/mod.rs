//! Honours (表彰): award programmes (`/api/v1/honour-programmes`), eligibility checks,
//! nominations, the review panel's blind scoring and the ranking, the decision, the public
//! notice with objections (`/api/v1/honour-notices`), publication, revocation, the public
//! honour wall (`/api/v1/honors`, no sign-in) and one's own honours. Rules: `domain::honours`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{QualificationLevel, Role, page_of, wire_enum};
use crate::api::volunteering::tasks::ReasonRequest;
use crate::domain::honours::eligibility::{HoursPeriod as DomainPeriod, Outcome, Rule, RuleResult};
use crate::domain::honours::nominations::{self, NewNomination, Nomination};
use crate::domain::honours::notice::{self, Awardee, PublicHonour as DomainPublicHonour, WallFilter};
use crate::domain::honours::review::{self, Conflict, Ranked, Summary};
use crate::domain::honours::{self, Criterion, NewProgramme, Programme, ProgrammeChanges};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Honours.
pub struct HonoursApi;

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
    }
}

wire_enum! {
    /// Where a nomination stands.
    HonourNominationStatus mirrors entity::honour_nomination::NominationStatus {
        Nominated = "nominated", Declined = "declined", Awarded = "awarded", NotAwarded = "not_awarded",
    }
}

wire_enum! {
    /// Where an honour stands.
    HonourStatus mirrors entity::honour::HonourStatus {
        /// Decided; in public notice while its programme is.
        Decided = "decided",
        /// Withdrawn after an upheld objection.
        Withdrawn = "withdrawn",
        Published = "published",
        /// Revoked after publication (fraud).
        Revoked = "revoked",
    }
}

wire_enum! {
    /// Where an objection stands.
    HonourObjectionStatus mirrors entity::honour_objection::ObjectionStatus {
        Open = "open", Upheld = "upheld", Dismissed = "dismissed",
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

/// A nomination to make.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourNominationRequest {
    pub nominee_id: Uuid,
    /// The recommendation (推荐理由), up to 2000 characters.
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub statement: String,
    /// References to evidence (document numbers, links), up to 10 of 500 characters.
    #[oai(validator(max_items = 10))]
    pub evidence: Option<Vec<String>>,
    /// City administrators only: nominate although a rule is not met, and why.
    #[oai(validator(max_length = 500))]
    pub override_reason: Option<String>,
}

/// The person nominated.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourNominee {
    pub id: Uuid,
    pub name: String,
    pub volunteer_number: String,
    pub role: Role,
}

/// A nomination.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourNomination {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub nominee: HonourNominee,
    pub nominator_id: Uuid,
    pub status: HonourNominationStatus,
    pub statement: String,
    pub evidence: Vec<String>,
    /// Each rule at nomination: met, not met, or not evaluated, with figures.
    pub evaluation: Vec<RuleEvaluation>,
    /// Why a city administrator nominated despite a rule not met.
    pub override_reason: Option<String>,
    pub decline_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Nomination> for HonourNomination {
    fn from(n: Nomination) -> Self {
        let r = n.row;
        HonourNomination {
            id: r.id,
            programme_id: r.programme_id,
            nominee: HonourNominee {
                id: n.nominee.id,
                name: n.nominee.name,
                volunteer_number: n.nominee.volunteer_number,
                role: n.nominee.role.into(),
            },
            nominator_id: r.nominator_id,
            status: r.status.into(),
            statement: r.statement,
            evidence: n.evidence,
            evaluation: n.evaluation.into_iter().map(Into::into).collect(),
            override_reason: r.override_reason,
            decline_reason: r.decline_reason,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

page_of!(HonourNominationPage, HonourNomination);

/// Declining a nomination.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourDeclineRequest {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// A reviewer's scores of one nomination.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourScoreRequest {
    /// One score, 1 to 10, per criterion of the programme, in order.
    #[oai(validator(min_items = 1, max_items = 5))]
    pub scores: Vec<i32>,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub comment: String,
}

/// Scores of a nomination, without names.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourScoreSummary {
    pub reviews: i64,
    /// Weighted mean, three decimals.
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `max - min`.
    pub spread: Option<f64>,
}

fn points(milli: i64) -> f64 {
    milli as f64 / 1000.0
}

impl From<Summary> for HonourScoreSummary {
    fn from(s: Summary) -> Self {
        HonourScoreSummary {
            reviews: s.reviews,
            mean: s.mean_milli.map(points),
            min: s.min_milli.map(points),
            max: s.max_milli.map(points),
            spread: s.max_milli.zip(s.min_milli).map(|(a, b)| points(a - b)),
        }
    }
}

/// One's own score of a nomination.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourScore {
    pub id: Uuid,
    pub nomination_id: Uuid,
    pub scores: Vec<i32>,
    /// Weighted by the criteria, three decimals.
    pub weighted: f64,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

impl From<entity::honour_score::Model> for HonourScore {
    fn from(s: entity::honour_score::Model) -> Self {
        HonourScore {
            id: s.id,
            nomination_id: s.nomination_id,
            scores: serde_json::from_value(s.scores).unwrap_or_default(),
            weighted: points(i64::from(s.weighted_milli)),
            comment: s.comment,
            created_at: s.created_at,
        }
    }
}

/// A score given, and now every score of the nomination (without names).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourScored {
    pub score: HonourScore,
    pub all_scores: HonourScoreSummary,
}

/// A conflict-of-interest check.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HonourConflict {
    #[oai(rename = "self")]
    SelfNomination,
    #[oai(rename = "same_station")]
    SameStation,
    #[oai(rename = "nominator")]
    Nominator,
    #[oai(rename = "mentee_or_mentor")]
    MenteeOrMentor,
    /// Declared by the reviewer.
    #[oai(rename = "declared")]
    Declared,
}

impl From<Conflict> for HonourConflict {
    fn from(c: Conflict) -> Self {
        match c {
            Conflict::Self_ => HonourConflict::SelfNomination,
            Conflict::SameStation => HonourConflict::SameStation,
            Conflict::Nominator => HonourConflict::Nominator,
            Conflict::MenteeOrMentor => HonourConflict::MenteeOrMentor,
            Conflict::Declared => HonourConflict::Declared,
        }
    }
}

/// A nomination in a reviewer's queue.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourReviewItem {
    pub nomination: HonourNomination,
    pub my_score: Option<HonourScore>,
    /// Every score of it, without names: only once one has scored it oneself.
    pub all_scores: Option<HonourScoreSummary>,
    /// Conflict checks that could not be made (e.g. mentoring pairs, not yet recorded): the
    /// reviewer recuses themselves (`POST /honour-nominations/{id}/recuse`) if one applies.
    pub unverified_checks: Vec<HonourConflict>,
}

/// A score with its reviewer (city administrators only).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourNamedScore {
    pub reviewer_id: Uuid,
    pub reviewer_name: String,
    pub scores: Vec<i32>,
    pub weighted: f64,
    pub comment: String,
}

/// One line of the ranking.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourRankingLine {
    pub rank: i64,
    pub nomination: HonourNomination,
    pub summary: HonourScoreSummary,
    pub scores: Vec<HonourNamedScore>,
}

impl From<Ranked> for HonourRankingLine {
    fn from(l: Ranked) -> Self {
        HonourRankingLine {
            rank: l.rank,
            nomination: l.nomination.into(),
            summary: l.summary.into(),
            scores: l
                .scores
                .into_iter()
                .map(|(s, u)| HonourNamedScore {
                    reviewer_id: u.id,
                    reviewer_name: u.name,
                    scores: serde_json::from_value(s.scores).unwrap_or_default(),
                    weighted: points(i64::from(s.weighted_milli)),
                    comment: s.comment,
                })
                .collect(),
        }
    }
}

/// One awardee of the decision.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourAwardee {
    pub nomination_id: Uuid,
    /// What the honour wall shows (颁奖词), up to 1000 characters.
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub citation: String,
}

/// The decision.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourDecisionRequest {
    #[oai(validator(min_items = 1, max_items = 1000))]
    pub awardees: Vec<HonourAwardee>,
    /// Required when the awardees differ from the top of the ranking.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// An honour, in full (its holder and city administrators).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Honour {
    pub id: Uuid,
    /// Absent for automatic honours.
    pub programme_id: Option<Uuid>,
    pub recipient_id: Uuid,
    pub kind: HonourKind,
    pub year: i32,
    pub title: String,
    pub citation: String,
    pub status: HonourStatus,
    /// Why it was withdrawn or revoked.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl From<entity::honour::Model> for Honour {
    fn from(h: entity::honour::Model) -> Self {
        Honour {
            id: h.id,
            programme_id: h.programme_id,
            recipient_id: h.recipient_id,
            kind: h.kind.into(),
            year: h.year,
            title: h.title,
            citation: h.citation,
            status: h.status.into(),
            reason: h.reason,
            created_at: h.created_at,
            published_at: h.published_at,
            ended_at: h.ended_at,
        }
    }
}

page_of!(HonourPage, Honour);

/// The decision made.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourDecision {
    pub programme: HonourProgramme,
    pub honours: Vec<Honour>,
    /// The awardees differ from the ranking's advice (the reason is in the audit log).
    pub deviates_from_ranking: bool,
}

/// An honour as anyone may see it: no phone numbers, no private data.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PublicHonour {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    /// The holder's station (社工站), if any.
    pub station: Option<String>,
    pub kind: HonourKind,
    pub title: String,
    pub year: i32,
    pub citation: String,
    pub published_at: Option<DateTime<Utc>>,
    /// In public notice: when the notice ends.
    pub notice_ends_at: Option<DateTime<Utc>>,
}

impl From<DomainPublicHonour> for PublicHonour {
    fn from(p: DomainPublicHonour) -> Self {
        let h = p.honour;
        PublicHonour {
            id: h.id,
            person_id: h.recipient_id,
            name: p.name,
            station: p.station,
            kind: h.kind.into(),
            title: h.title,
            year: h.year,
            citation: h.citation,
            published_at: h.published_at,
            notice_ends_at: p.notice_ends_at,
        }
    }
}

impl From<DomainPublicHonour> for Honour {
    fn from(p: DomainPublicHonour) -> Self {
        p.honour.into()
    }
}

page_of!(PublicHonourPage, PublicHonour);

/// An objection to file.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourObjectionRequest {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub statement: String,
}

/// An objection to an honour in public notice.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourObjection {
    pub id: Uuid,
    pub honour_id: Uuid,
    pub programme_id: Uuid,
    pub objector_id: Uuid,
    pub statement: String,
    pub status: HonourObjectionStatus,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<entity::honour_objection::Model> for HonourObjection {
    fn from(o: entity::honour_objection::Model) -> Self {
        HonourObjection {
            id: o.id,
            honour_id: o.honour_id,
            programme_id: o.programme_id,
            objector_id: o.objector_id,
            statement: o.statement,
            status: o.status.into(),
            resolution: o.resolution,
            resolved_by: o.resolved_by,
            created_at: o.created_at,
            resolved_at: o.resolved_at,
        }
    }
}

page_of!(HonourObjectionPage, HonourObjection);

/// Resolving an objection.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourResolveRequest {
    /// `true`: the objection holds and the honour is withdrawn.
    pub upheld: bool,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[OpenApi(tag = "Tag::Honours")]
impl HonoursApi {
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

    /// Set a programme's review panel (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/panel", method = "put", operation_id = "appointHonourPanel")]
    async fn panel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourPanelRequest>,
    ) -> ApiResult<Json<Vec<HonourPanelMember>>> {
        let people = review::appoint(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.reviewer_ids).await?;
        Ok(Json(
            people.into_iter().map(|u| HonourPanelMember { id: u.id, name: u.name, role: u.role.into() }).collect(),
        ))
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

    /// Nominate a person (station administrators within their station's quota and scope; city
    /// administrators anyone, and may override a failed rule with a reason). An ineligible
    /// nominee is refused with 422 `not_eligible` naming the failing rules.
    #[oai(path = "/api/v1/honour-programmes/:id/nominations", method = "post", operation_id = "nominateForHonour")]
    async fn nominate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourNominationRequest>,
    ) -> ApiResult<crate::api::Created<HonourNomination>> {
        let b = body.0;
        let n = NewNomination {
            nominee_id: b.nominee_id,
            statement: b.statement,
            evidence: b.evidence.unwrap_or_default(),
            override_reason: b.override_reason,
        };
        let created =
            nominations::nominate(&state.db, &auth.0.actor(), state.clock.now(), id.0, n, &state.config.talent).await?;
        Ok(crate::api::Created::Created(Json(created.into())))
    }

    /// A programme's nominations, oldest first: all (city administrators), or those one made or
    /// that used one's station's quota (station administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/nominations", method = "get", operation_id = "listHonourNominations")]
    async fn nominations(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourNominationPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(nominations::list(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// One nomination (its nominee, its nominator, administrators over the nominee).
    #[oai(path = "/api/v1/honour-nominations/:id", method = "get", operation_id = "getHonourNomination")]
    async fn nomination(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<HonourNomination>> {
        Ok(Json(nominations::get_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Decline one's own nomination, before the decision.
    #[oai(path = "/api/v1/honour-nominations/:id/decline", method = "post", operation_id = "declineHonourNomination")]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourDeclineRequest>,
    ) -> ApiResult<Json<HonourNomination>> {
        let n = nominations::decline(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.reason).await?;
        Ok(Json(n.into()))
    }

    /// The nominations one may score as a reviewer (conflicts of interest left out); others'
    /// scores only after scoring, without names.
    #[oai(path = "/api/v1/honour-programmes/:id/review", method = "get", operation_id = "listHonourReviewQueue")]
    async fn review_queue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<HonourReviewItem>>> {
        let items = review::queue(&state.db, &auth.0.actor(), id.0).await?;
        Ok(Json(
            items
                .into_iter()
                .map(|i| HonourReviewItem {
                    nomination: i.nomination.into(),
                    my_score: i.my_score.map(Into::into),
                    all_scores: i.all_scores.map(Into::into),
                    unverified_checks: i.unverified_checks.into_iter().map(Into::into).collect(),
                })
                .collect(),
        ))
    }

    /// Score a nomination as a reviewer, once: 1 to 10 per criterion, with a comment. A
    /// conflict of interest is refused with 403 `conflict_of_interest`.
    #[oai(path = "/api/v1/honour-nominations/:id/scores", method = "post", operation_id = "scoreHonourNomination")]
    async fn score(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourScoreRequest>,
    ) -> ApiResult<crate::api::Created<HonourScored>> {
        let b = body.0;
        let (s, all) = review::score(&state.db, &auth.0.actor(), state.clock.now(), id.0, b.scores, &b.comment).await?;
        Ok(crate::api::Created::Created(Json(HonourScored { score: s.into(), all_scores: all.into() })))
    }

    /// Recuse oneself from a nomination, with a reason (a conflict the system cannot see, such
    /// as a mentoring pair): it is hidden from one and cannot be scored. Before scoring only.
    #[oai(path = "/api/v1/honour-nominations/:id/recuse", method = "post", operation_id = "recuseFromHonourNomination")]
    async fn recuse(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<crate::api::NoContent> {
        review::recuse(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?;
        Ok(crate::api::NoContent::NoContent)
    }

    /// The ranking: weighted mean, then more reviews, then the earlier nomination; with each
    /// score and its reviewer (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/ranking", method = "get", operation_id = "getHonourRanking")]
    async fn ranking(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<HonourRankingLine>>> {
        let actor = auth.0.actor();
        actor.require_city_admin()?;
        honours::get_visible(&state.db, &actor, id.0).await?;
        Ok(Json(review::ranking(&state.db, id.0).await?.into_iter().map(Into::into).collect()))
    }

    /// Decide the awardees once the review has closed (city administrators). Choosing other
    /// than the top of the ranking needs a reason (422 `deviation_reason_required`).
    #[oai(path = "/api/v1/honour-programmes/:id/decision", method = "post", operation_id = "decideHonours")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourDecisionRequest>,
    ) -> ApiResult<Json<HonourDecision>> {
        let b = body.0;
        let awardees =
            b.awardees.into_iter().map(|a| Awardee { nomination_id: a.nomination_id, citation: a.citation }).collect();
        let d = notice::decide(&state.db, &auth.0.actor(), state.clock.now(), id.0, awardees, b.reason).await?;
        Ok(Json(HonourDecision {
            programme: d.programme.into(),
            honours: d.honours.into_iter().map(Into::into).collect(),
            deviates_from_ranking: d.deviates,
        }))
    }

    /// Honours in public notice (公示) now, with the end of the notice. No sign-in needed.
    #[oai(path = "/api/v1/honour-notices", method = "get", operation_id = "listHonourNotices")]
    async fn notices(
        &self,
        state: Data<&AppState>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PublicHonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::notices(&state.db, page).await?.into()))
    }

    /// Object to an honour in public notice, with a statement (once per person and honour).
    #[oai(path = "/api/v1/honours/:id/objections", method = "post", operation_id = "objectToHonour")]
    async fn object(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourObjectionRequest>,
    ) -> ApiResult<crate::api::Created<HonourObjection>> {
        let o = notice::object(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.statement).await?;
        Ok(crate::api::Created::Created(Json(o.into())))
    }

    /// A programme's objections, oldest first (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/objections", method = "get", operation_id = "listHonourObjections")]
    async fn objections(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourObjectionPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::objections(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// Resolve an objection with a reason (city administrators): upheld withdraws the honour.
    #[oai(path = "/api/v1/honour-objections/:id/resolve", method = "post", operation_id = "resolveHonourObjection")]
    async fn resolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourResolveRequest>,
    ) -> ApiResult<Json<HonourObjection>> {
        let b = body.0;
        let o = notice::resolve(&state.db, &auth.0.actor(), state.clock.now(), id.0, b.upheld, &b.reason).await?;
        Ok(Json(o.into()))
    }

    /// Revoke a published honour for fraud, with a reason (city administrators).
    #[oai(path = "/api/v1/honours/:id/revoke", method = "post", operation_id = "revokeHonour")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<Honour>> {
        Ok(Json(notice::revoke(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?.into()))
    }

    /// The honour wall: published honours, newest first: name, station, award, year, citation.
    /// No sign-in needed; nothing private. `personId` gives one person's honours (their
    /// profile).
    #[oai(path = "/api/v1/honors", method = "get", operation_id = "honourWall")]
    async fn wall(
        &self,
        state: Data<&AppState>,
        year: Query<Option<i32>>,
        kind: Query<Option<HonourKind>>,
        #[oai(name = "personId")] person_id: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PublicHonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let f = WallFilter { year: year.0, kind: kind.0.map(Into::into), person: person_id.0 };
        Ok(Json(notice::wall(&state.db, f, page).await?.into()))
    }

    /// One's own honours, any status, newest first.
    #[oai(path = "/api/v1/me/honours", method = "get", operation_id = "listMyHonours")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::mine(&state.db, &auth.0.actor(), page).await?.into()))
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
