//! `/api/v1/identity-disputes`: identity numbers claimed by a second account, decided by a city
//! administrator. Rules: `domain::people::disputes`; telling both people: `domain::registry`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::people::users::UserSummary;
use crate::domain::people::disputes::{self, Award, DisputeStatus};
use crate::domain::people::users;
use crate::domain::registry;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Identity disputes.
pub struct IdentityDisputesApi;

/// Who gets the number.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DisputeAward {
    Claimant,
    Holder,
}

/// Where a dispute stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum DisputeState {
    Open,
    AwardedToClaimant,
    AwardedToHolder,
}

impl From<DisputeStatus> for DisputeState {
    fn from(s: DisputeStatus) -> Self {
        match s {
            DisputeStatus::Open => DisputeState::Open,
            DisputeStatus::AwardedToClaimant => DisputeState::AwardedToClaimant,
            DisputeStatus::AwardedToHolder => DisputeState::AwardedToHolder,
        }
    }
}

/// A dispute, as a city administrator sees it (the number itself: `GET /users/{id}/sensitive`,
/// audited).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct IdentityDispute {
    pub id: Uuid,
    pub status: DisputeState,
    /// Who recorded the number second.
    pub claimant: Option<UserSummary>,
    /// Who held it.
    pub holder: Option<UserSummary>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// A decision.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DisputeDecision {
    pub award: DisputeAward,
    /// Why (kept in the audit log).
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

async fn view(state: &AppState, d: entity::identity_dispute::Model) -> ApiResult<IdentityDispute> {
    let mut people = users::by_ids(&state.db, [d.claimant_id, d.holder_id]).await?;
    let mut take = |id: Uuid| people.remove(&id).map(UserSummary::from);
    Ok(IdentityDispute {
        id: d.id,
        status: d.status.into(),
        claimant: take(d.claimant_id),
        holder: take(d.holder_id),
        created_at: d.created_at,
        decided_at: d.decided_at,
        reason: d.reason,
    })
}

#[OpenApi(prefix_path = "/api/v1/identity-disputes", tag = "Tag::Privacy")]
impl IdentityDisputesApi {
    /// Open identity disputes, oldest first (city administrators).
    #[oai(path = "/", method = "get", operation_id = "listIdentityDisputes")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] limit: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<IdentityDispute>>> {
        let open = disputes::list_open(&state.db, &auth.0.actor(), limit.0.unwrap_or(50)).await?;
        let mut out = Vec::with_capacity(open.len());
        for d in open {
            out.push(view(&state, d).await?);
        }
        Ok(Json(out))
    }

    /// Decide who holds the number: to the claimant (the holder's identity ends and the claim is
    /// recorded) or to the holder (the claim is dropped). Both people are told; audited with the
    /// reason. 409 `dispute_closed` when already decided.
    #[oai(path = "/:id/decision", method = "post", operation_id = "decideIdentityDispute")]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DisputeDecision>,
    ) -> ApiResult<Json<IdentityDispute>> {
        let award = match body.award {
            DisputeAward::Claimant => Award::Claimant,
            DisputeAward::Holder => Award::Holder,
        };
        let now = state.clock.now();
        let d = registry::decide_identity_dispute(
            &state.db,
            &state.data_key,
            &auth.0.actor(),
            id.0,
            award,
            &body.reason,
            now,
        )
        .await?;
        Ok(Json(view(&state, d).await?))
    }
}
