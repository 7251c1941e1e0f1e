//! `/api/v1/auth`: volunteers register with a code; everyone signs in with phone and password, refreshes
//! with a rotating refresh token, and signs out. Rules: `domain::sessions`, `domain::users`.

use crate::api::error::ApiResult;
use crate::api::people::codes::NewVolunteerBody;
use crate::api::people::me::UserProfile;
use crate::api::{Created, NoContent, Tag};
use crate::domain::people::accounts;
use crate::domain::people::sessions::{self, Issued, Policy};
use crate::domain::people::users;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

/// Registration, sign-in and sessions.
pub struct AuthApi;

/// A volunteer signing up, with the registration code sent to their phone.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterRequest {
    /// Mobile number; mainland numbers may omit +86.
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    /// The 6 digits received (`POST /auth/codes`, purpose `registration`).
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    /// Who the new volunteer is (the same details as registering at `/auth/login/code`).
    pub registration: NewVolunteerBody,
}

/// Phone and password.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(min_length = 1, max_length = 32))]
    pub phone: String,
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: String,
}

/// A refresh token from login or the previous refresh.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub refresh_token: String,
}

/// Tokens for a session.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SessionTokens {
    /// Send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Use once at `POST /api/v1/auth/refresh`; store it securely.
    pub refresh_token: String,
    /// The person signed in.
    pub user: UserProfile,
}

/// Mints the access token for a session opened or continued by the domain.
pub(crate) async fn tokens_for(state: &AppState, issued: Issued) -> ApiResult<SessionTokens> {
    let now = state.clock.now();
    let access_token = state.tokens.issue(issued.user.id, issued.session_id, issued.user.token_version, now);
    let profile = users::load_profile(&state.db, issued.user.id).await?;
    Ok(SessionTokens {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.tokens.ttl().as_secs(),
        refresh_token: issued.refresh_token,
        user: profile.into(),
    })
}

pub(crate) fn policy(state: &AppState) -> Policy {
    Policy::new(state.config.refresh_token_ttl)
}

#[OpenApi(prefix_path = "/api/v1/auth", tag = "Tag::Auth")]
impl AuthApi {
    /// Register as a volunteer with the code sent to the number, and be signed in. Wrong code:
    /// 400 `code_invalid` / `code_expired`; tries spent: 429 `code_attempts_exhausted`.
    #[oai(path = "/register", method = "post", operation_id = "register")]
    async fn register(&self, state: Data<&AppState>, body: Json<RegisterRequest>) -> ApiResult<Created<SessionTokens>> {
        let now = state.clock.now();
        let b = body.0;
        let user = accounts::register(
            &state.db,
            &state.hasher,
            &state.data_key,
            now,
            &b.phone,
            &b.code,
            b.registration.into(),
        )
        .await?;
        let issued = sessions::open(&state.db, policy(&state), now, user).await?;
        Ok(Created::Created(Json(tokens_for(&state, issued).await?)))
    }

    /// Sign in with phone and password. Five failures within 15 minutes lock password sign-in
    /// for the phone for 15 minutes (429 `account_locked` with `Retry-After`); sign-in by code
    /// (`POST /auth/login/code`) still works and lifts the lock.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, state: Data<&AppState>, body: Json<LoginRequest>) -> ApiResult<Json<SessionTokens>> {
        let now = state.clock.now();
        let tokens = state.tokens.clone();
        let issued = sessions::login(&state.db, &state.hasher, policy(&state), now, &body.phone, &body.password, |p| {
            tokens.phone_key(p)
        })
        .await?;
        Ok(Json(tokens_for(&state, issued).await?))
    }

    /// Exchange a refresh token for new tokens. Each refresh token works once. Grace for
    /// retries: the same token presented again within 10 seconds of its first use (an app that
    /// lost the answer) is answered with another new pair (access and refresh token) in the same
    /// session, and the pair from the first use stays valid too; presented again later, it counts
    /// as leaked and ends the session (401 `refresh_token_reused`; sign in again).
    #[oai(path = "/refresh", method = "post", operation_id = "refresh")]
    async fn refresh(&self, state: Data<&AppState>, body: Json<RefreshRequest>) -> ApiResult<Json<SessionTokens>> {
        let issued = sessions::refresh(&state.db, policy(&state), state.clock.now(), &body.refresh_token).await?;
        Ok(Json(tokens_for(&state, issued).await?))
    }

    /// Sign out: ends the session the refresh token belongs to, removes the devices it
    /// registered and closes its live event streams. Unknown tokens are ignored.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, state: Data<&AppState>, body: Json<RefreshRequest>) -> ApiResult<NoContent> {
        let owner = sessions::owner_of(&state.db, &body.refresh_token).await?;
        sessions::logout(&state.db, state.clock.now(), &body.refresh_token).await?;
        if let Some(user) = owner {
            // The session's open live event streams close now rather than at their next look.
            state.live.publish(crate::live::Signal::SessionEnded(user)).await;
        }
        Ok(NoContent::NoContent)
    }
}
