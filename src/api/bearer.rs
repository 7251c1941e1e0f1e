//! The bearer scheme: checks the access token, then finds the person and their session in the
//! session cache or, on a miss, in one query; every write of either invalidates the cache of
//! every instance before it answers, so suspension, sign-out and role changes take effect on the
//! very next request.

use crate::api::error::ApiError;
use crate::domain::kernel::actor::Actor;
use crate::state::AppState;
use entity::{session, user};
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
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

/// Checks an access token and finds the person and their live session: in this instance's
/// session cache (`auth::session_cache`, which every instance invalidates when either changes),
/// else in one query that fills the cache; 401 otherwise.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let now = state.clock.now();
    let claims = state.tokens.verify(token, now).map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let stale = || ApiError::unauthorized("the session has ended; sign in again");
    let user = match state.sessions.get(claims.sid, claims.sub, now) {
        Some(user) => user,
        None => {
            let ticket = state.sessions.ticket(claims.sub);
            let found = user::Entity::find_by_id(claims.sub)
                .find_also_related(session::Entity)
                .filter(session::Column::Id.eq(claims.sid))
                .filter(session::Column::RevokedAt.is_null())
                .filter(session::Column::ExpiresAt.gt(now))
                .one(&state.db)
                .await
                .map_err(ApiError::from)?;
            let Some((user, Some(sess))) = found else { return Err(stale()) };
            if user.status == user::UserStatus::Active {
                state.sessions.fill(ticket, sess.id, sess.expires_at, user.clone());
            }
            user
        }
    };
    if user.status != user::UserStatus::Active || user.token_version != claims.ver {
        return Err(stale());
    }
    Ok(Principal { user, session_id: claims.sid })
}
