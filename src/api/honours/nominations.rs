//! Nominations (`/api/v1/honour-programmes/{id}/nominations`, `/api/v1/honour-nominations`):
//! nominating a person, listing and reading nominations, declining one. Rules:
//! `domain::honours::nominations`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::honours::programmes::RuleEvaluation;
use crate::api::types::{Role, page_of, wire_enum};
use crate::domain::honours::nominations::{self, NewNomination, Nomination};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Nominations for honours.
pub struct HonourNominationsApi;

wire_enum! {
    /// Where a nomination stands.
    HonourNominationStatus mirrors entity::honour_nomination::NominationStatus {
        Nominated = "nominated", Declined = "declined", Awarded = "awarded", NotAwarded = "not_awarded",
        /// The programme was cancelled while it was in the running.
        Cancelled = "cancelled",
    }
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

#[OpenApi(tag = "Tag::Honours")]
impl HonourNominationsApi {
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
}
