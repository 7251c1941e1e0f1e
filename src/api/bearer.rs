//! The bearer scheme: checks the access token, then loads the person and their session in one
//! query, so suspension, sign-out and role changes take effect on the very next request.

use crate::api::error::ApiError;
use crate::domain::kernel::actor::Actor;
use crate::state::AppState;
use entity::{session, user};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait};
use uuid::Uuid;

/// The signed-in person behind a request.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: user::Model,
    pub session_id: Uuid,
}

impl Principal {
    /// The person as the domain sees them.
    pub fn actor(&self) -> Actor {
        Actor { user_id: self.user.id, role: self.user.role, org_unit_id: self.user.org_unit_id }
    }
}

/// `Authorization: Bearer <access token>` from `POST /api/v1/auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Principal);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    // The gate (`api::gate`) has usually authenticated the request already.
    if let Some(p) = req.extensions().get::<Principal>() {
        return Ok(p.clone());
    }
    let state = req.data::<AppState>().ok_or_else(|| ApiError::internal(&"application state missing"))?;
    Ok(authenticate(state, &bearer.token).await?)
}

/// Checks an access token and loads the person and their live session; 401 otherwise.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let now = state.clock.now();
    let claims = state.tokens.verify(token, now).map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let found = user::Entity::find_by_id(claims.sub)
        .join(sea_orm::JoinType::InnerJoin, user::Relation::Session.def())
        .filter(session::Column::Id.eq(claims.sid))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(&state.db)
        .await
        .map_err(ApiError::from)?;
    let stale = || ApiError::unauthorized("the session has ended; sign in again");
    let user = found.ok_or_else(stale)?;
    if user.status != user::UserStatus::Active || user.token_version != claims.ver {
        return Err(stale());
    }
    Ok(Principal { user, session_id: claims.sid })
}
