//! The panel's review: the review queue, blind scores and recusals, the ranking, and the
//! decision of the awardees. Rules: `domain::honours::review` (the decision:
//! `domain::honours::notice::decide`).

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::honours::nominations::{HonourNomination, HonourNominationStatus, HonourNominee};
use crate::api::honours::programmes::HonourProgramme;
use crate::api::honours::programmes::RuleEvaluation;
use crate::api::honours::wall::Honour;
use crate::api::volunteering::tasks::ReasonRequest;
use crate::domain::honours;
use crate::domain::honours::nominations::Nomination;
use crate::domain::honours::notice::{self, Awardee};
use crate::domain::honours::review::{self, Conflict, Ranked, Summary};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Review of nominations and the decision.
pub struct HonourReviewApi;

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

/// A score given, and every score of the nomination (without names) once every reviewer
/// assigned to it has scored or the review window has closed.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourScored {
    pub score: HonourScore,
    pub all_scores: Option<HonourScoreSummary>,
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

/// A nomination as a reviewer reads it: the nominee and the case, never who nominated (nor
/// an override, which only a city administrator makes).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourNominationForReview {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub nominee: HonourNominee,
    pub status: HonourNominationStatus,
    pub statement: String,
    pub evidence: Vec<String>,
    /// Each rule at nomination: met, not met, or not evaluated, with figures.
    pub evaluation: Vec<RuleEvaluation>,
    pub created_at: DateTime<Utc>,
}

impl From<Nomination> for HonourNominationForReview {
    fn from(n: Nomination) -> Self {
        let HonourNomination { id, programme_id, nominee, status, statement, evidence, evaluation, created_at, .. } =
            n.into();
        HonourNominationForReview { id, programme_id, nominee, status, statement, evidence, evaluation, created_at }
    }
}

/// A nomination in a reviewer's queue.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourReviewItem {
    pub nomination: HonourNominationForReview,
    pub my_score: Option<HonourScore>,
    /// Every score of it, without names: only once one has scored it oneself and every
    /// reviewer assigned to it has scored, or the review window has closed.
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

/// The decision made.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourDecision {
    pub programme: HonourProgramme,
    pub honours: Vec<Honour>,
    /// The awardees differ from the ranking's advice (the reason is in the audit log).
    pub deviates_from_ranking: bool,
}

#[OpenApi(tag = "Tag::Honours")]
impl HonourReviewApi {
    /// The nominations one may score as a reviewer (conflicts of interest left out), without
    /// their nominator; others' scores, without names, only after scoring and once every
    /// assigned reviewer has scored or the review window has closed.
    #[oai(path = "/api/v1/honour-programmes/:id/review", method = "get", operation_id = "listHonourReviewQueue")]
    async fn review_queue(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<HonourReviewItem>>> {
        let items = review::queue(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
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
        Ok(crate::api::Created::Created(Json(HonourScored { score: s.into(), all_scores: all.map(Into::into) })))
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
}
