//! Eligibility of award programmes: the fixed set of rules a programme picks from (with their
//! parameters) and their evaluation for one person, rule by rule: met, not met, or **not
//! evaluated** (the data is not available), each with its figures.
//!
//! A rule that cannot be checked is never counted as met: it is shown as not evaluated, so the
//! nominator, panel and city administrator see what nobody verified.
//!
//! Where each figure comes from is ONE function per rule ([`figure`] dispatches; each arm calls
//! one source function below). Three sources belong to areas not built yet and answer
//! [`Figure::Unknown`] today: the verified social-work level (credentials), the continuing
//! education requirement (training) and mentoring sessions (mentoring). When those areas land,
//! wiring them is a change to that one function (`verified_level`, `ce_met`,
//! `mentoring_sessions`), nothing else.

use crate::domain::kernel::time;
use crate::domain::{DomainError, DomainResult, volunteering::hours};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::honour::{self, HonourStatus};
use entity::honour_programme;
use entity::hours_entry::{self, HoursStatus};
use entity::social_worker_profile::{self, QualificationLevel};
use entity::star_award;
use entity::user;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// Which approved hours count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursPeriod {
    /// The programme's calendar year.
    Year,
    AllTime,
}

/// One eligibility rule with its parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// At least `hours` approved volunteer hours (in the programme's year, or all time).
    MinVolunteerHours { hours: i32, period: HoursPeriod },
    /// At least this volunteer star level.
    MinStarLevel { level: i32 },
    /// At least this verified social-work qualification (needs credentials).
    MinSocialWorkLevel { level: QualificationLevel },
    /// The continuing-education requirement of the registration period is met (needs training).
    CeRequirementMet,
    /// A member for at least `months` months.
    ActiveMonths { months: i32 },
    /// At least `sessions` mentoring sessions logged in the programme's year (needs mentoring).
    MentoringSessionsInYear { sessions: i32 },
    /// At least `years` years of front-line service (from the social-work profile).
    FrontLineYears { years: i32 },
    /// No honour of the programme's kind in the last `years` years.
    NoSameKindAwardWithin { years: i32 },
}

impl Rule {
    /// The rule's stable name.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::MinVolunteerHours { .. } => "min_volunteer_hours",
            Rule::MinStarLevel { .. } => "min_star_level",
            Rule::MinSocialWorkLevel { .. } => "min_social_work_level",
            Rule::CeRequirementMet => "ce_requirement_met",
            Rule::ActiveMonths { .. } => "active_months",
            Rule::MentoringSessionsInYear { .. } => "mentoring_sessions_in_year",
            Rule::FrontLineYears { .. } => "front_line_years",
            Rule::NoSameKindAwardWithin { .. } => "no_same_kind_award_within",
        }
    }

    /// The rule's name for a Chinese reader.
    pub fn zh_name(&self) -> &'static str {
        match self {
            Rule::MinVolunteerHours { .. } => "志愿服务时长",
            Rule::MinStarLevel { .. } => "星级",
            Rule::MinSocialWorkLevel { .. } => "社会工作职业水平",
            Rule::CeRequirementMet => "继续教育学时达标",
            Rule::ActiveMonths { .. } => "活跃月数",
            Rule::MentoringSessionsInYear { .. } => "年度督导次数",
            Rule::FrontLineYears { .. } => "一线服务年限",
            Rule::NoSameKindAwardWithin { .. } => "近年未获同类荣誉",
        }
    }

    /// Checks the parameter's range.
    pub fn validate(&self) -> DomainResult<()> {
        let (value, max) = match *self {
            Rule::MinVolunteerHours { hours, .. } => (hours, 100_000),
            Rule::MinStarLevel { level } => (level, 10),
            Rule::ActiveMonths { months } => (months, 1200),
            Rule::MentoringSessionsInYear { sessions } => (sessions, 1000),
            Rule::FrontLineYears { years } | Rule::NoSameKindAwardWithin { years } => (years, 100),
            Rule::MinSocialWorkLevel { .. } | Rule::CeRequirementMet => return Ok(()),
        };
        if !(1..=max).contains(&value) {
            return Err(DomainError::invalid(
                "invalid_rule",
                format!("{}: the parameter must be 1 to {max}", self.name()),
            ));
        }
        Ok(())
    }

    /// The threshold the figure is compared with, and whether it is a maximum (else a minimum).
    fn threshold(&self) -> (i64, bool) {
        match *self {
            Rule::MinVolunteerHours { hours, .. } => (i64::from(hours), false),
            Rule::MinStarLevel { level } => (i64::from(level), false),
            Rule::MinSocialWorkLevel { level } => (level_rank(level), false),
            Rule::CeRequirementMet => (1, false),
            Rule::ActiveMonths { months } => (i64::from(months), false),
            Rule::MentoringSessionsInYear { sessions } => (i64::from(sessions), false),
            Rule::FrontLineYears { years } => (i64::from(years), false),
            // At most zero earlier honours of the kind.
            Rule::NoSameKindAwardWithin { .. } => (0, true),
        }
    }
}

fn level_rank(l: QualificationLevel) -> i64 {
    match l {
        QualificationLevel::AssistantSocialWorker => 1,
        QualificationLevel::SocialWorker => 2,
        QualificationLevel::SeniorSocialWorker => 3,
    }
}

/// Checks a programme's rule list: each rule valid, no rule twice, at most 8.
pub fn validate_rules(rules: &[Rule]) -> DomainResult<()> {
    if rules.len() > 8 {
        return Err(DomainError::invalid("invalid_rule", "at most 8 eligibility rules"));
    }
    for (i, r) in rules.iter().enumerate() {
        r.validate()?;
        if rules[..i].iter().any(|o| o.name() == r.name()) {
            return Err(DomainError::invalid("invalid_rule", format!("{} is listed twice", r.name())));
        }
    }
    Ok(())
}

/// The outcome of one rule for one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    NotMet,
    /// The data to check it is not available: shown, never counted as met.
    NotEvaluated,
}

/// One rule's evaluation, with its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleResult {
    pub rule: Rule,
    pub outcome: Outcome,
    /// The threshold: hours, level (social-work levels ranked 1 to 3), months, years, sessions;
    /// for `no_same_kind_award_within`, the most earlier honours allowed (0).
    pub required: i64,
    /// The person's figure, when known.
    pub actual: Option<i64>,
    /// Why it was not evaluated.
    pub note: Option<String>,
}

/// What a source knows about a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    Known(i64),
    /// Not available, and why.
    Unknown(&'static str),
}

/// Who is evaluated, for which programme, when.
pub struct Subject<'a> {
    pub person: &'a user::Model,
    pub programme: &'a honour_programme::Model,
    pub now: DateTime<Utc>,
    /// Registration and continuing-education rules (for `ce_requirement_met`).
    pub talent: &'a crate::config::TalentConfig,
}

/// Evaluates every rule for a person.
pub async fn evaluate(db: &impl ConnectionTrait, s: &Subject<'_>, rules: &[Rule]) -> DomainResult<Vec<RuleResult>> {
    let mut out = Vec::with_capacity(rules.len());
    for rule in rules {
        let (required, is_max) = rule.threshold();
        let result = match figure(db, s, rule).await? {
            Figure::Known(actual) => {
                let met = if is_max { actual <= required } else { actual >= required };
                RuleResult {
                    rule: *rule,
                    outcome: if met { Outcome::Met } else { Outcome::NotMet },
                    required,
                    actual: Some(actual),
                    note: None,
                }
            }
            Figure::Unknown(why) => RuleResult {
                rule: *rule,
                outcome: Outcome::NotEvaluated,
                required,
                actual: None,
                note: Some(why.to_string()),
            },
        };
        out.push(result);
    }
    Ok(out)
}

/// The rules a person fails (not those not evaluated).
pub fn failing(results: &[RuleResult]) -> Vec<&RuleResult> {
    results.iter().filter(|r| r.outcome == Outcome::NotMet).collect()
}

/// The person's figure for one rule: one source function per rule.
pub async fn figure(db: &impl ConnectionTrait, s: &Subject<'_>, rule: &Rule) -> DomainResult<Figure> {
    match *rule {
        Rule::MinVolunteerHours { period, .. } => approved_hours(db, s, period).await,
        Rule::MinStarLevel { .. } => star_level(db, s).await,
        Rule::MinSocialWorkLevel { .. } => verified_level(db, s).await,
        Rule::CeRequirementMet => ce_met(db, s).await,
        Rule::ActiveMonths { .. } => Ok(active_months(s)),
        Rule::MentoringSessionsInYear { .. } => mentoring_sessions(db, s).await,
        Rule::FrontLineYears { .. } => front_line_years(db, s).await,
        Rule::NoSameKindAwardWithin { years } => same_kind_honours(db, s, years).await,
    }
}

/// Whole approved hours from the ledger (the programme's calendar year, or all time).
async fn approved_hours(db: &impl ConnectionTrait, s: &Subject<'_>, period: HoursPeriod) -> DomainResult<Figure> {
    let mut cond = Condition::all()
        .add(hours_entry::Column::VolunteerId.eq(s.person.id))
        .add(hours_entry::Column::Status.eq(HoursStatus::Approved));
    if period == HoursPeriod::Year {
        let year = s.programme.year;
        let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31))
        else {
            return Ok(Figure::Unknown("the programme's year is out of range"));
        };
        cond = cond.add(hours_entry::Column::ServiceDate.between(first, last));
    }
    Ok(Figure::Known(hours::sum_minutes(db, cond).await? / 60))
}

/// The highest star level recorded (`star_awards`, kept by `domain::hours`).
async fn star_level(db: &impl ConnectionTrait, s: &Subject<'_>) -> DomainResult<Figure> {
    let top = star_award::Entity::find()
        .filter(star_award::Column::VolunteerId.eq(s.person.id))
        .order_by_desc(star_award::Column::Level)
        .one(db)
        .await?;
    Ok(Figure::Known(top.map(|a| i64::from(a.level)).unwrap_or(0)))
}

/// The highest verified, unexpired social-work qualification level (0 for none), from the
/// credentials area; the level a person declares on their profile does not count.
async fn verified_level(db: &impl ConnectionTrait, s: &Subject<'_>) -> DomainResult<Figure> {
    let today = time::local_date(s.now, &s.person.time_zone);
    let level = crate::domain::talent::credentials::current_level(db, s.person.id, today).await?;
    Ok(Figure::Known(level.map(level_rank).unwrap_or(0)))
}

/// Whether the continuing-education hours of the current registration period are complete (1)
/// or not (0), from the training area; not evaluated for someone without a verified social-work
/// certificate, who has no such requirement to meet.
async fn ce_met(db: &impl ConnectionTrait, s: &Subject<'_>) -> DomainResult<Figure> {
    let standing = crate::domain::talent::learning::standing(db, s.talent, s.person, s.now).await?;
    if standing.level.is_none() {
        return Ok(Figure::Unknown("no verified social-work certificate, so no continuing-education requirement"));
    }
    Ok(Figure::Known(i64::from(standing.progress.shortfall() == 0)))
}

/// Mentoring sessions the person logged as a mentor in the programme's year (in its time zone),
/// disputed ones left out (the mentee did not recognise them).
async fn mentoring_sessions(db: &impl ConnectionTrait, s: &Subject<'_>) -> DomainResult<Figure> {
    use entity::mentoring_session::{self, SessionStatus};
    let zone = time::zone(&s.programme.time_zone);
    let (Some(from), Some(to)) =
        (time::start_of_year(s.programme.year, zone), time::start_of_year(s.programme.year + 1, zone))
    else {
        return Ok(Figure::Unknown("the programme's year is out of range"));
    };
    let n = mentoring_session::Entity::find()
        .filter(mentoring_session::Column::MentorId.eq(s.person.id))
        .filter(mentoring_session::Column::Status.ne(SessionStatus::Disputed))
        .filter(mentoring_session::Column::HeldAt.gte(from))
        .filter(mentoring_session::Column::HeldAt.lt(to))
        .count(db)
        .await?;
    Ok(Figure::Known(n as i64))
}

/// Whole months since the account was created.
fn active_months(s: &Subject<'_>) -> Figure {
    Figure::Known(whole_months(s.person.created_at, s.now))
}

/// Whole months from `from` to `to` (0 if `to` is earlier).
pub fn whole_months(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let mut months = i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
    let reached = u32::try_from(months)
        .ok()
        .and_then(|m| from.checked_add_months(chrono::Months::new(m)))
        .is_some_and(|t| t <= to);
    if !reached {
        months -= 1;
    }
    months.max(0)
}

/// Whole years since the front-line start date on the social-work profile; not evaluated when
/// the profile has none.
async fn front_line_years(db: &impl ConnectionTrait, s: &Subject<'_>) -> DomainResult<Figure> {
    let since = social_worker_profile::Entity::find_by_id(s.person.id).one(db).await?.and_then(|p| p.front_line_since);
    let Some(since) = since else {
        return Ok(Figure::Unknown("no front-line start date on the social-work profile"));
    };
    let today = time::local_date(s.now, &s.programme.time_zone);
    let mut years = i64::from(today.year() - since.year());
    if (today.month(), today.day()) < (since.month(), since.day()) {
        years -= 1;
    }
    Ok(Figure::Known(years.max(0)))
}

/// Honours of the programme's kind (decided or published, other programmes) in the last
/// `years` years before the programme's year.
async fn same_kind_honours(db: &impl ConnectionTrait, s: &Subject<'_>, years: i32) -> DomainResult<Figure> {
    let n = honour::Entity::find()
        .filter(honour::Column::RecipientId.eq(s.person.id))
        .filter(honour::Column::Kind.eq(s.programme.kind))
        .filter(honour::Column::Status.is_in([HonourStatus::Decided, HonourStatus::Published]))
        .filter(honour::Column::Year.gte(s.programme.year - years))
        .filter(
            Condition::any()
                .add(honour::Column::ProgrammeId.is_null())
                .add(honour::Column::ProgrammeId.ne(s.programme.id)),
        )
        .count(db)
        .await?;
    Ok(Figure::Known(n as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn whole_months_at_the_boundary() {
        // A month on from the 31st is the last day of a shorter month (chrono's calendar months).
        assert_eq!(whole_months(at("2025-01-31T10:00:00Z"), at("2025-02-28T09:59:59Z")), 0);
        assert_eq!(whole_months(at("2025-01-31T10:00:00Z"), at("2025-02-28T10:00:00Z")), 1);
        assert_eq!(whole_months(at("2025-01-15T10:00:00Z"), at("2025-07-15T09:59:59Z")), 5);
        assert_eq!(whole_months(at("2025-01-15T10:00:00Z"), at("2025-07-15T10:00:00Z")), 6);
        assert_eq!(whole_months(at("2025-07-15T10:00:00Z"), at("2025-01-15T10:00:00Z")), 0);
    }

    #[test]
    fn rules_are_checked() {
        assert!(validate_rules(&[Rule::MinStarLevel { level: 0 }]).is_err());
        assert!(validate_rules(&[Rule::ActiveMonths { months: 6 }, Rule::ActiveMonths { months: 7 }]).is_err());
        assert!(validate_rules(&[Rule::CeRequirementMet, Rule::FrontLineYears { years: 2 }]).is_ok());
        let json = serde_json::to_value(Rule::MinVolunteerHours { hours: 100, period: HoursPeriod::Year }).unwrap();
        assert_eq!(json, serde_json::json!({"rule": "min_volunteer_hours", "hours": 100, "period": "year"}));
    }
}
