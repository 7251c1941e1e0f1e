//! Hours: one's own ledger, totals and star level (`/api/v1/me/hours`), offline claims, the
//! review queue where organisers approve or decline (one by one or in bulk), corrections,
//! disputes, leaderboards and the CSV export. Rules: `domain::hours`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::csv::{self, CsvFile};
use crate::api::error::ApiResult;
use crate::api::types::{HoursSource, HoursStatus, page_of};
use crate::domain::kernel::page::PageRequest;
use crate::domain::volunteering::hours::{self, Claim, ReviewFilter, ReviewLine};
use crate::domain::volunteering::hours_export::{self, ExportFilter};
use crate::domain::volunteering::stars::{self, Period, Standing};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Hours.
pub struct HoursApi;

/// One ledger entry.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HoursEntry {
    pub id: Uuid,
    pub volunteer_id: Uuid,
    pub task_id: Option<Uuid>,
    /// The unit that recorded it (and can certify it).
    pub org_unit_id: Uuid,
    pub source: HoursSource,
    /// Whole minutes; negative only for corrections that reduce.
    pub minutes: i32,
    pub status: HoursStatus,
    pub service_date: NaiveDate,
    pub description: Option<String>,
    /// The entry this one corrects.
    pub adjusts_id: Option<Uuid>,
    pub reason: Option<String>,
    /// For the reviewer, with `reason`: the stay was shorter than the task's minimum share and
    /// earned nothing, or a position recorded for it lay beyond the task's check-in radius.
    pub flagged: bool,
    pub disputed_at: Option<DateTime<Utc>>,
    pub dispute_comment: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::hours_entry::Model> for HoursEntry {
    fn from(e: entity::hours_entry::Model) -> Self {
        HoursEntry {
            id: e.id,
            volunteer_id: e.volunteer_id,
            task_id: e.task_id,
            org_unit_id: e.org_unit_id,
            source: e.source.into(),
            minutes: e.minutes,
            status: e.status.into(),
            service_date: e.service_date,
            description: e.description,
            adjusts_id: e.adjusts_id,
            reason: hours::reason_text(e.reason.as_deref(), crate::api::language::current()),
            flagged: e.flagged,
            disputed_at: e.disputed_at,
            dispute_comment: e.dispute_comment,
            decided_by: e.decided_by,
            decided_at: e.decided_at,
            created_at: e.created_at,
        }
    }
}

page_of!(HoursPage, HoursEntry);

/// An entry on the review list: the entry's fields, and whose it is.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HoursReviewEntry {
    #[oai(flatten)]
    pub entry: HoursEntry,
    /// The volunteer's display name, as on a task's roster.
    pub volunteer_name: String,
    pub volunteer_number: String,
}

impl From<ReviewLine> for HoursReviewEntry {
    fn from(l: ReviewLine) -> Self {
        HoursReviewEntry {
            entry: l.entry.into(),
            volunteer_name: l.volunteer.name,
            volunteer_number: l.volunteer.volunteer_number,
        }
    }
}

page_of!(HoursReviewPage, HoursReviewEntry);

/// A star level and the way to the next.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StarLevel {
    /// 0 to 5 on the default ladder.
    pub level: i32,
    /// Hours needed for each level.
    pub ladder_hours: Vec<u32>,
    /// Minutes still needed for the next level; absent at the top.
    pub minutes_to_next: Option<i64>,
}

/// One's ledger, totals and star level.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MyHours {
    pub approved_minutes: i64,
    /// In the calendar year, in one's time zone.
    pub approved_minutes_this_year: i64,
    pub pending_minutes: i64,
    pub stars: StarLevel,
    /// Newest first.
    pub entries: HoursPage,
}

/// Offline service to claim.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimRequest {
    /// The unit the service was for; a social worker or administrator there decides.
    pub org_unit_id: Uuid,
    pub service_date: NaiveDate,
    /// 1 to 1440.
    pub minutes: i32,
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub description: String,
    /// When the service started (on `serviceDate`, in the unit's time zone); without it the claim
    /// covers its whole day, so it cannot stand beside a stay recorded that day.
    pub starts_at: Option<DateTime<Utc>>,
}

/// Approve or decline entries, all or none.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionRequest {
    #[oai(validator(min_items = 1, max_items = 200))]
    pub ids: Vec<Uuid>,
    pub approve: bool,
    /// Required when declining.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// The entries decided, and star levels reached because of them.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct DecisionResult {
    pub entries: Vec<HoursEntry>,
    pub stars_reached: Vec<StarReached>,
}

/// A volunteer reached a star level.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct StarReached {
    pub volunteer_id: Uuid,
    pub level: i32,
}

/// A correction: minutes to add (or, negative, remove) and why.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CorrectionRequest {
    pub delta_minutes: i32,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// What is wrong with an entry, in the volunteer's words.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisputeRequest {
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub comment: String,
}

/// A leaderboard's period.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaderboardPeriod {
    #[oai(rename = "month")]
    Month,
    #[oai(rename = "year")]
    Year,
    #[oai(rename = "all")]
    All,
}

/// One place on a leaderboard.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct LeaderboardLine {
    /// Ties share a rank.
    pub rank: i64,
    pub volunteer_id: Uuid,
    pub name: String,
    pub minutes: i64,
}

impl From<Standing> for LeaderboardLine {
    fn from(s: Standing) -> Self {
        LeaderboardLine { rank: s.rank, volunteer_id: s.volunteer.id, name: s.volunteer.name, minutes: s.minutes }
    }
}

/// A leaderboard and one's own place on it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Leaderboard {
    pub top: Vec<LeaderboardLine>,
    /// Absent when one has no approved time in the period and subtree.
    pub me: Option<LeaderboardLine>,
}

#[OpenApi(tag = "Tag::Hours")]
impl HoursApi {
    /// One's ledger (newest first), totals and star level.
    #[oai(path = "/api/v1/me/hours", method = "get", operation_id = "getMyHours")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<MyHours>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let now = state.clock.now();
        let totals = hours::totals(&state.db, &auth.0.user, now).await?;
        let ladder = &state.config.star_thresholds_hours;
        let stars = stars::stars(ladder, totals.approved_minutes);
        let entries = hours::list_mine(&state.db, &auth.0.actor(), page).await?;
        Ok(Json(MyHours {
            approved_minutes: totals.approved_minutes,
            approved_minutes_this_year: totals.approved_minutes_this_year,
            pending_minutes: totals.pending_minutes,
            stars: StarLevel {
                level: stars.level,
                ladder_hours: ladder.clone(),
                minutes_to_next: stars.minutes_to_next,
            },
            entries: entries.into(),
        }))
    }

    /// Claim offline service, with a description; pending until a social worker or
    /// administrator in scope decides it.
    #[oai(path = "/api/v1/me/hours/claims", method = "post", operation_id = "claimHours")]
    async fn claim(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ClaimRequest>,
    ) -> ApiResult<crate::api::Created<HoursEntry>> {
        let b = body.0;
        let c = Claim {
            org_unit_id: b.org_unit_id,
            service_date: b.service_date,
            minutes: b.minutes,
            description: b.description,
            starts_at: b.starts_at,
        };
        let e = hours::claim(&state.db, &auth.0.actor(), state.clock.now(), c).await?;
        Ok(crate::api::Created::Created(Json(e.into())))
    }

    /// Entries one may decide (one's tasks, and one's scope), oldest first, each with the
    /// volunteer's display name and number. Not for volunteers.
    #[oai(path = "/api/v1/hours", method = "get", operation_id = "listHoursForReview")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn review(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<HoursStatus>>,
        #[oai(name = "taskId")] task_id: Query<Option<Uuid>>,
        disputed: Query<Option<bool>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HoursReviewPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let f = ReviewFilter { status: status.0.map(Into::into), task_id: task_id.0, disputed: disputed.0 };
        Ok(Json(hours::list_for_review(&state.db, &auth.0.actor(), f, page).await?.into()))
    }

    /// Approve or decline pending entries (one or many; all or none). Volunteers never decide
    /// hours, and nobody decides their own.
    #[oai(path = "/api/v1/hours/decisions", method = "post", operation_id = "decideHours")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<DecisionRequest>,
    ) -> ApiResult<Json<DecisionResult>> {
        let b = body.0;
        let d = hours::decide(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            &state.config.star_thresholds_hours,
            &b.ids,
            b.approve,
            b.reason,
        )
        .await?;
        Ok(Json(DecisionResult {
            entries: d.entries.into_iter().map(Into::into).collect(),
            stars_reached: d
                .stars_reached
                .into_iter()
                .map(|(volunteer_id, level)| StarReached { volunteer_id, level })
                .collect(),
        }))
    }

    /// Correct an approved entry: a new adjusting entry, never an edit.
    #[oai(path = "/api/v1/hours/:id/corrections", method = "post", operation_id = "correctHours")]
    async fn correct(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CorrectionRequest>,
    ) -> ApiResult<crate::api::Created<HoursEntry>> {
        let (e, _) = hours::correct(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            &state.config.star_thresholds_hours,
            id.0,
            body.delta_minutes,
            &body.reason,
        )
        .await?;
        Ok(crate::api::Created::Created(Json(e.into())))
    }

    /// Dispute one of one's own entries, once, with a comment.
    #[oai(path = "/api/v1/hours/:id/dispute", method = "post", operation_id = "disputeHours")]
    async fn dispute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DisputeRequest>,
    ) -> ApiResult<Json<HoursEntry>> {
        Ok(Json(hours::dispute(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.comment).await?.into()))
    }

    /// A leaderboard of approved time for a unit's subtree (default: everyone) and period, with
    /// one's own rank.
    #[oai(path = "/api/v1/leaderboards", method = "get", operation_id = "getLeaderboard")]
    async fn leaderboard(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "orgUnitId")] org_unit_id: Query<Option<Uuid>>,
        period: Query<Option<LeaderboardPeriod>>,
        /// How many places, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<Leaderboard>> {
        let limit = PageRequest::parse(None, limit.0)?.limit;
        if let Some(u) = org_unit_id.0 {
            crate::domain::kernel::org_units::get(&state.db, u).await?;
        }
        let period = match period.0.unwrap_or(LeaderboardPeriod::Year) {
            LeaderboardPeriod::Month => Period::Month,
            LeaderboardPeriod::Year => Period::Year,
            LeaderboardPeriod::All => Period::AllTime,
        };
        let (top, me) = stars::leaderboard(
            &state.db,
            &state.leaderboard_ranks,
            auth.0.user.id,
            org_unit_id.0,
            period,
            state.clock.now(),
            limit,
        )
        .await?;
        Ok(Json(Leaderboard { top: top.into_iter().map(Into::into).collect(), me: me.map(Into::into) }))
    }

    /// Export hours recorded in one's scope as CSV (administrators), oldest first.
    #[oai(path = "/api/v1/hours/export.csv", method = "get", operation_id = "exportHours")]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Recorded by this unit or below it; default one's whole scope.
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
        status: Query<Option<HoursStatus>>,
    ) -> ApiResult<CsvFile> {
        let f = ExportFilter { under: org_unit_id.0, from: from.0, to: to.0, status: status.0.map(Into::into) };
        let root = hours_export::export_scope(&state.db, &auth.0.actor(), &f).await?;
        let db = state.db.clone();
        let header = [
            "date",
            "volunteer",
            "volunteer_number",
            "task",
            "org_unit",
            "source",
            "minutes",
            "status",
            "decided_at",
            "reason",
        ];
        // The body streams after the handler returns, outside the request's scope.
        let locale = crate::api::language::current();
        Ok(csv::stream("hours.csv", &header, move |after| {
            let (db, f) = (db.clone(), f.clone());
            async move {
                let (lines, next) =
                    hours_export::export_batch(&db, root, &f, after, 500).await.map_err(|e| e.to_string())?;
                let rows = lines
                    .into_iter()
                    .map(|l| {
                        let e = l.entry;
                        vec![
                            e.service_date.to_string(),
                            l.volunteer_name,
                            l.volunteer_number,
                            l.task_title.unwrap_or_default(),
                            l.unit_name,
                            serde_json::to_value(e.source)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                            e.minutes.to_string(),
                            serde_json::to_value(e.status)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default(),
                            e.decided_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
                            hours::reason_text(e.reason.as_deref(), locale).unwrap_or_default(),
                        ]
                    })
                    .collect();
                Ok((rows, next))
            }
        }))
    }
}
