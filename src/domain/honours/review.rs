//! Panel review: the city administrator appoints reviewers (administrators or senior social
//! workers); each reviewer scores the nominations they have no conflict with, on the
//! programme's weighted criteria, with a comment; the ranking is the weighted mean.
//!
//! Rules:
//! - **Conflict of interest** ([`conflict`]): a reviewer never sees nor scores a nomination of
//!   themselves, of someone in their own station, one they nominated, or of their mentee or
//!   mentor. Mentoring pairs are not known to the system yet ([`mentoring_conflict`] answers
//!   "not checked"; wire the mentoring area there): such nominations are shown with the check
//!   listed as not evaluated, never treated as conflict-free in silence, and the reviewer can
//!   recuse themselves ([`recuse`]), which hides the nomination from them like any conflict.
//! - **Blind**: a reviewer never learns who nominated (the queue carries no nominator), and sees
//!   no score of a nomination but their own until every reviewer assigned to it (the panel less
//!   those in conflict with it, recusals included) has scored or the review window has closed;
//!   then only the count, mean and spread, never who gave what ([`revealed`]). Reviewers' names
//!   next to scores appear only in the city administrator's ranking.
//! - Scores are 1 to 10 per criterion, while the programme is under review and before its review
//!   window closes; one score per reviewer and nomination (unique index).
//! - Ranking: weighted mean per nomination, ties broken by more reviews, then the earlier
//!   nomination.

use super::nominations::{self, Nomination};
use super::{Programme, SCORE_RANGE, tell};
use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::duties;
use crate::domain::talent::credentials;
use crate::domain::{DomainError, DomainResult, both, kernel::org_units, people::users, required_text};
use chrono::{DateTime, Utc};
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_programme::{self, ProgrammeState};
use entity::honour_recusal;
use entity::honour_reviewer;
use entity::honour_score;
use entity::social_worker_profile::QualificationLevel;
use entity::user::{self, Role, UserStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The longest panel.
pub const MAX_PANEL: usize = 30;

/// Why a reviewer may not score a nomination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conflict {
    /// The nominee is the reviewer.
    Self_,
    /// The nominee is in the reviewer's station.
    SameStation,
    /// The reviewer made the nomination.
    Nominator,
    /// The nominee is the reviewer's mentee or mentor.
    MenteeOrMentor,
    /// The reviewer declared a conflict (recused themselves).
    Declared,
}

/// The result of a check that may not be possible yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Clear,
    Conflict(Conflict),
    /// The data to check it is not available.
    NotEvaluated,
}

/// The people on a programme's panel, in the order they were appointed (city administrators).
pub async fn panel_people(db: &impl ConnectionTrait, actor: &Actor, programme: Uuid) -> DomainResult<Vec<user::Model>> {
    actor.require_city_admin()?;
    super::get_visible(db, actor, programme).await?;
    let ids = honour_reviewer::Entity::find()
        .filter(honour_reviewer::Column::ProgrammeId.eq(programme))
        .order_by_asc(honour_reviewer::Column::AppointedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.reviewer_id)
        .collect::<Vec<_>>();
    let mut people = users::by_ids(db, ids.iter().copied()).await?;
    Ok(ids.iter().filter_map(|id| people.remove(id)).collect())
}

/// The ids of a programme's panel.
pub async fn panel(db: &impl ConnectionTrait, programme: Uuid) -> DomainResult<Vec<Uuid>> {
    Ok(honour_reviewer::Entity::find()
        .filter(honour_reviewer::Column::ProgrammeId.eq(programme))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.reviewer_id)
        .collect())
}

/// Whether a person may sit on a panel: active administrators, or social workers holding a
/// verified, unexpired credential of at least `level` (by default 高级社会工作师); a level
/// declared on a profile does not count. Refused with 400 `invalid_reviewer` (nobody who could
/// review) or 422 `reviewer_not_qualified` (a social worker without the credential).
async fn may_review(
    db: &impl ConnectionTrait,
    u: &user::Model,
    level: QualificationLevel,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    match (u.status, u.role) {
        (UserStatus::Active, role) if role.is_admin() => Ok(()),
        (UserStatus::Active, Role::SocialWorker) if credentials::holds_level(db, u, level, now).await? => Ok(()),
        (UserStatus::Active, Role::SocialWorker) => Err(DomainError::Unprocessable {
            code: "reviewer_not_qualified",
            detail: both(
                "a social worker on the panel needs a verified, unexpired credential of the required level",
                "社工评审须持有经核验且在有效期内的相应等级证书",
            ),
        }),
        _ => Err(DomainError::invalid("invalid_reviewer", "reviewers are administrators or qualified social workers")),
    }
}

/// The city administrator sets a programme's panel (before the decision). Social workers on it
/// need a verified credential of at least `level` (422 `reviewer_not_qualified`). Reviewers who
/// have scored stay; newly appointed ones are told.
pub async fn appoint(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    programme_id: Uuid,
    reviewer_ids: Vec<Uuid>,
    level: QualificationLevel,
) -> DomainResult<Vec<user::Model>> {
    actor.require_city_admin()?;
    let mut ids = reviewer_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_PANEL {
        return Err(DomainError::validation(format!("appoint 1 to {MAX_PANEL} reviewers")));
    }
    write(db, async |txn| {
        let p = super::lock(txn, programme_id).await?;
        if p.row.state > ProgrammeState::Reviewing {
            return Err(DomainError::conflict("review_closed", "the panel of a decided programme is fixed"));
        }
        let people = users::by_ids(txn, ids.iter().copied()).await?;
        let mut panel_people = Vec::new();
        for id in &ids {
            let Some(u) = people.get(id) else {
                return Err(DomainError::invalid("invalid_reviewer", "a reviewer id names nobody"));
            };
            may_review(txn, u, level, now).await?;
            panel_people.push(u.clone());
        }
        let before = panel(txn, programme_id).await?;
        for gone in before.iter().filter(|r| !ids.contains(r)) {
            let scored = honour_score::Entity::find()
                .filter(honour_score::Column::ProgrammeId.eq(programme_id))
                .filter(honour_score::Column::ReviewerId.eq(*gone))
                .one(txn)
                .await?;
            if scored.is_some() {
                return Err(DomainError::conflict(
                    "reviewer_has_scored",
                    "a reviewer who has scored stays on the panel",
                ));
            }
            honour_reviewer::Entity::delete_by_id((programme_id, *gone)).exec(txn).await?;
        }
        for id in ids.iter().filter(|r| !before.contains(r)) {
            honour_reviewer::ActiveModel {
                programme_id: Set(programme_id),
                reviewer_id: Set(*id),
                appointed_by: Set(actor.user_id),
                appointed_at: Set(now),
            }
            .insert(txn)
            .await?;
            tell(txn, *id, "honour.reviewer_appointed", &p, &format!("honour-reviewer:{programme_id}")).await?;
        }
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "honour_programme.panel", "honour_programme", programme_id)
                .before(&before)
                .after(&ids),
        )
        .await?;
        Ok(panel_people)
    })
    .await
}

/// A reviewer, with the station they belong to (for conflicts).
pub struct Reviewer {
    pub user: user::Model,
    pub station: Option<Uuid>,
}

/// The actor as a reviewer of the programme, or 403 `not_a_reviewer`.
async fn reviewer(db: &impl ConnectionTrait, actor: &Actor, programme: Uuid) -> DomainResult<Reviewer> {
    let seated = honour_reviewer::Entity::find_by_id((programme, actor.user_id)).one(db).await?.is_some();
    let user = user::Entity::find_by_id(actor.user_id).one(db).await?;
    let (true, Some(user)) = (seated, user) else {
        return Err(DomainError::Forbidden {
            code: "not_a_reviewer",
            detail: "you are not on this programme's panel".into(),
        });
    };
    as_reviewer(db, user).await
}

async fn as_reviewer(db: &impl ConnectionTrait, user: user::Model) -> DomainResult<Reviewer> {
    let station = match user.org_unit_id {
        Some(u) => org_units::station_of(db, u).await?,
        None => None,
    };
    Ok(Reviewer { user, station })
}

/// Every reviewer on a programme's panel.
async fn seated(db: &impl ConnectionTrait, programme: Uuid) -> DomainResult<Vec<Reviewer>> {
    let people = users::by_ids(db, panel(db, programme).await?).await?;
    let mut out = Vec::with_capacity(people.len());
    for u in people.into_values() {
        out.push(as_reviewer(db, u).await?);
    }
    Ok(out)
}

/// Whether the scores of a nomination may be shown to its reviewers: the review window has
/// closed (or the programme has moved past review), or every panel member free of conflict with
/// it has scored it. Until then a reviewer sees their own score only, so that no one's score can
/// be read off a summary.
pub async fn revealed(
    db: &impl ConnectionTrait,
    p: &honour_programme::Model,
    panel: &[Reviewer],
    n: &Nomination,
    scores: &[&honour_score::Model],
    now: DateTime<Utc>,
) -> DomainResult<bool> {
    if p.state > ProgrammeState::Reviewing || now >= p.review_closes_at {
        return Ok(true);
    }
    for r in panel {
        let scored = scores.iter().any(|s| s.reviewer_id == r.user.id);
        if !scored && !matches!(conflict(db, r, n).await?, Check::Conflict(_)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the nominee is the reviewer's mentee or mentor, now or in the past.
pub async fn mentoring_conflict(
    db: &impl ConnectionTrait,
    reviewer: &Reviewer,
    nominee: &user::Model,
) -> DomainResult<Check> {
    use entity::mentoring_pairing;
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{Condition, PaginatorTrait};
    // Any pairing that ever became active, either way round, ended ones included.
    let (r, n) = (reviewer.user.id, nominee.id);
    let paired = mentoring_pairing::Entity::find()
        .filter(mentoring_pairing::Column::ActivatedAt.is_not_null())
        .filter(
            Condition::any()
                .add(mentoring_pairing::Column::MentorId.eq(r).and(mentoring_pairing::Column::MenteeId.eq(n)))
                .add(mentoring_pairing::Column::MentorId.eq(n).and(mentoring_pairing::Column::MenteeId.eq(r))),
        )
        .count(db)
        .await?;
    Ok(if paired > 0 { Check::Conflict(Conflict::MenteeOrMentor) } else { Check::Clear })
}

/// The conflict-of-interest check of a reviewer on a nomination: the first conflict found,
/// else clear, or not evaluated when a check could not be made.
pub async fn conflict(db: &impl ConnectionTrait, r: &Reviewer, n: &Nomination) -> DomainResult<Check> {
    if n.row.nominee_id == r.user.id {
        return Ok(Check::Conflict(Conflict::Self_));
    }
    if n.row.nominator_id == r.user.id {
        return Ok(Check::Conflict(Conflict::Nominator));
    }
    if r.station.is_some() && r.station == n.row.nominee_station_id {
        return Ok(Check::Conflict(Conflict::SameStation));
    }
    if honour_recusal::Entity::find_by_id((n.row.id, r.user.id)).one(db).await?.is_some() {
        return Ok(Check::Conflict(Conflict::Declared));
    }
    mentoring_conflict(db, r, &n.nominee).await
}

/// Others' scores of a nomination, without names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub reviews: i64,
    /// Weighted mean in thousandths of a point.
    pub mean_milli: Option<i64>,
    pub min_milli: Option<i64>,
    pub max_milli: Option<i64>,
}

fn summarise(scores: &[&honour_score::Model]) -> Summary {
    let n = scores.len() as i64;
    if n == 0 {
        return Summary::default();
    }
    let sum: i64 = scores.iter().map(|s| i64::from(s.weighted_milli)).sum();
    Summary {
        reviews: n,
        mean_milli: Some((sum + n / 2) / n),
        min_milli: scores.iter().map(|s| i64::from(s.weighted_milli)).min(),
        max_milli: scores.iter().map(|s| i64::from(s.weighted_milli)).max(),
    }
}

/// One line of a reviewer's queue.
pub struct QueueItem {
    pub nomination: Nomination,
    pub my_score: Option<honour_score::Model>,
    /// Every score of the nomination, once the reviewer has scored it and the scores are
    /// [`revealed`]; else `None`.
    pub all_scores: Option<Summary>,
    /// Conflict checks that could not be made (`mentee_or_mentor`).
    pub unverified_checks: Vec<Conflict>,
}

/// The nominations a reviewer may score, oldest first; conflicted ones are left out.
pub async fn queue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
    programme_id: Uuid,
) -> DomainResult<Vec<QueueItem>> {
    let p = super::get_visible(db, actor, programme_id).await?;
    let r = reviewer(db, actor, programme_id).await?;
    if p.row.state < ProgrammeState::Reviewing {
        return Err(DomainError::conflict("review_not_open", "the review has not started"));
    }
    let rows = honour_nomination::Entity::find()
        .filter(honour_nomination::Column::ProgrammeId.eq(programme_id))
        .filter(honour_nomination::Column::Status.ne(NominationStatus::Declined))
        .all(db)
        .await?;
    let people = users::by_ids(db, rows.iter().map(|n| n.nominee_id)).await?;
    let scores = scores_by_nomination(db, programme_id).await?;
    let panel = seated(db, programme_id).await?;
    let mut out = Vec::new();
    for row in rows {
        let Some(nominee) = people.get(&row.nominee_id).cloned() else { continue };
        let n = Nomination::new(row, nominee)?;
        if duties::conflict(actor, &n.nominee).is_some() {
            continue;
        }
        let unverified = match conflict(db, &r, &n).await? {
            Check::Conflict(_) => continue,
            Check::NotEvaluated => vec![Conflict::MenteeOrMentor],
            Check::Clear => Vec::new(),
        };
        let all: Vec<&honour_score::Model> = scores.get(&n.row.id).map(|v| v.iter().collect()).unwrap_or_default();
        let mine = all.iter().find(|s| s.reviewer_id == r.user.id).map(|s| (*s).clone());
        let all_scores = match mine {
            Some(_) if revealed(db, &p.row, &panel, &n, &all, now).await? => Some(summarise(&all)),
            _ => None,
        };
        out.push(QueueItem { nomination: n, my_score: mine, all_scores, unverified_checks: unverified });
    }
    Ok(out)
}

async fn scores_by_nomination(
    db: &impl ConnectionTrait,
    programme_id: Uuid,
) -> DomainResult<HashMap<Uuid, Vec<honour_score::Model>>> {
    let mut map: HashMap<Uuid, Vec<honour_score::Model>> = HashMap::new();
    for s in honour_score::Entity::find().filter(honour_score::Column::ProgrammeId.eq(programme_id)).all(db).await? {
        map.entry(s.nomination_id).or_default().push(s);
    }
    Ok(map)
}

/// The weighted score, in thousandths of a point.
pub fn weighted_milli(p: &Programme, scores: &[i32]) -> i32 {
    let total_weight: i64 = p.criteria.iter().map(|c| i64::from(c.weight)).sum::<i64>().max(1);
    let sum: i64 = p.criteria.iter().zip(scores).map(|(c, s)| i64::from(c.weight) * i64::from(*s)).sum();
    ((sum * 1000 + total_weight / 2) / total_weight) as i32
}

/// A reviewer scores a nomination (once); returns the score and, when the scores are
/// [`revealed`] now that it is in, the summary of every score of the nomination.
pub async fn score(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    nomination_id: Uuid,
    scores: Vec<i32>,
    comment: &str,
) -> DomainResult<(honour_score::Model, Option<Summary>)> {
    let comment = required_text("comment", comment)?;
    if comment.chars().count() > 1000 {
        return Err(DomainError::validation("comment is at most 1000 characters"));
    }
    if scores.iter().any(|s| !SCORE_RANGE.contains(s)) {
        return Err(DomainError::invalid(
            "score_out_of_range",
            format!("each score is {} to {}", SCORE_RANGE.start(), SCORE_RANGE.end()),
        ));
    }
    let n = nominations::load(db, nomination_id).await?;
    let r = reviewer(db, actor, n.row.programme_id).await?;
    if let Check::Conflict(c) = conflict(db, &r, &n).await? {
        return Err(DomainError::Forbidden {
            code: "conflict_of_interest",
            detail: both(
                format!("you may not score this nomination ({})", conflict_name(c)),
                format!("您不能为该提名评分（{}）", conflict_zh(c)),
            ),
        });
    }
    duties::require_may_decide_on(actor, &n.nominee)?;
    write(db, async |txn| {
        let p = super::lock(txn, n.row.programme_id).await?;
        if p.row.state != ProgrammeState::Reviewing || now >= p.row.review_closes_at {
            return Err(DomainError::conflict("review_closed", "the programme is not under review"));
        }
        if scores.len() != p.criteria.len() {
            return Err(DomainError::invalid(
                "invalid_scores",
                format!("give one score for each of the {} criteria, in order", p.criteria.len()),
            ));
        }
        let current = honour_nomination::Entity::find_by_id(nomination_id).one(txn).await?;
        if current.is_none_or(|c| c.status != NominationStatus::Nominated) {
            return Err(DomainError::conflict("nomination_not_open", "this nomination is no longer in the running"));
        }
        let json = serde_json::to_value(&scores).map_err(|e| DomainError::Internal(e.to_string()))?;
        let row = honour_score::ActiveModel {
            id: Set(Uuid::now_v7()),
            programme_id: Set(p.row.id),
            nomination_id: Set(nomination_id),
            reviewer_id: Set(actor.user_id),
            scores: Set(json),
            weighted_milli: Set(weighted_milli(&p, &scores)),
            comment: Set(comment.clone()),
            created_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                DomainError::conflict("already_scored", "you have already scored this nomination")
            } else {
                e.into()
            }
        })?;
        let all =
            honour_score::Entity::find().filter(honour_score::Column::NominationId.eq(nomination_id)).all(txn).await?;
        let all: Vec<&honour_score::Model> = all.iter().collect();
        let panel = seated(txn, p.row.id).await?;
        let shown = revealed(txn, &p.row, &panel, &n, &all, now).await?.then(|| summarise(&all));
        Ok((row, shown))
    })
    .await
}

/// The stored name of a conflict.
pub fn conflict_name(c: Conflict) -> &'static str {
    match c {
        Conflict::Self_ => "self",
        Conflict::SameStation => "same_station",
        Conflict::Nominator => "nominator",
        Conflict::MenteeOrMentor => "mentee_or_mentor",
        Conflict::Declared => "declared",
    }
}

/// A conflict of interest in words for a Chinese reader.
fn conflict_zh(c: Conflict) -> &'static str {
    match c {
        Conflict::Self_ => "本人",
        Conflict::SameStation => "同一社工站",
        Conflict::Nominator => "提名人",
        Conflict::MenteeOrMentor => "督导关系",
        Conflict::Declared => "已申报回避",
    }
}

/// One line of the ranking.
pub struct Ranked {
    pub rank: i64,
    pub nomination: Nomination,
    pub summary: Summary,
    /// Every score with its reviewer (city administrators only).
    pub scores: Vec<(honour_score::Model, user::Model)>,
}

/// The ranking of a programme's nominations in the running (or decided): weighted mean, then
/// more reviews, then the earlier nomination; unscored ones last.
pub async fn ranking(db: &impl ConnectionTrait, programme_id: Uuid) -> DomainResult<Vec<Ranked>> {
    let rows = honour_nomination::Entity::find()
        .filter(honour_nomination::Column::ProgrammeId.eq(programme_id))
        .filter(honour_nomination::Column::Status.ne(NominationStatus::Declined))
        .all(db)
        .await?;
    let people = users::by_ids(db, rows.iter().map(|n| n.nominee_id)).await?;
    let scores = scores_by_nomination(db, programme_id).await?;
    let reviewers = users::by_ids(db, scores.values().flatten().map(|s| s.reviewer_id)).await?;
    let mut lines = Vec::new();
    for row in rows {
        let Some(nominee) = people.get(&row.nominee_id).cloned() else { continue };
        let own: Vec<honour_score::Model> = scores.get(&row.id).cloned().unwrap_or_default();
        let summary = summarise(&own.iter().collect::<Vec<_>>());
        let with_names =
            own.into_iter().filter_map(|s| reviewers.get(&s.reviewer_id).cloned().map(|u| (s, u))).collect();
        lines.push(Ranked { rank: 0, nomination: Nomination::new(row, nominee)?, summary, scores: with_names });
    }
    sort_ranking(&mut lines);
    Ok(lines)
}

/// Orders ranking lines and numbers them 1, 2, …
pub fn sort_ranking(lines: &mut [Ranked]) {
    lines.sort_by(|a, b| {
        let mean = |l: &Ranked| l.summary.mean_milli.unwrap_or(i64::MIN);
        mean(b)
            .cmp(&mean(a))
            .then(b.summary.reviews.cmp(&a.summary.reviews))
            .then(a.nomination.row.created_at.cmp(&b.nomination.row.created_at))
            .then(a.nomination.row.id.cmp(&b.nomination.row.id))
    });
    for (i, l) in lines.iter_mut().enumerate() {
        l.rank = i as i64 + 1;
    }
}

/// A reviewer declares a conflict of interest with a nomination the system could not detect
/// (e.g. a mentoring pair), with a reason: it is hidden from them and they cannot score it.
/// Before scoring only; declaring twice is harmless.
pub async fn recuse(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    nomination_id: Uuid,
    reason: &str,
) -> DomainResult<()> {
    let reason = required_text("reason", reason)?;
    let n = nominations::load(db, nomination_id).await?;
    let r = reviewer(db, actor, n.row.programme_id).await?;
    if let Check::Conflict(c) = conflict(db, &r, &n).await? {
        if c == Conflict::Declared {
            return Ok(());
        }
        return Err(DomainError::Forbidden {
            code: "conflict_of_interest",
            detail: both(
                format!("this nomination is not yours to review ({})", conflict_name(c)),
                format!("该提名不能由您评审（{}）", conflict_zh(c)),
            ),
        });
    }
    write(db, async |txn| {
        let scored = honour_score::Entity::find()
            .filter(honour_score::Column::NominationId.eq(nomination_id))
            .filter(honour_score::Column::ReviewerId.eq(actor.user_id))
            .one(txn)
            .await?;
        if scored.is_some() {
            return Err(DomainError::conflict("already_scored", "you have already scored this nomination"));
        }
        honour_recusal::Entity::insert(honour_recusal::ActiveModel {
            nomination_id: Set(nomination_id),
            reviewer_id: Set(actor.user_id),
            reason: Set(reason.clone()),
            created_at: Set(now),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                honour_recusal::Column::NominationId,
                honour_recusal::Column::ReviewerId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        Ok(())
    })
    .await
}
