//! `/api/v1/auth/codes`, `/auth/login/code`, `/auth/password-reset`: SMS verification codes and
//! what they open without a password. Rules: `domain::people::codes`, `domain::people::accounts`.
//!
//! Asking for a code answers the same whether or not the number has an account (202, the same
//! body, the same work done). Codes are limited per number (`WUSHE_RATE_LIMIT_CODE_PHONE`, and
//! one live code a minute per number and purpose), per client IP and per device id, counted in
//! Redis when configured so every instance shares the budget.

use crate::api::error::ApiResult;
use crate::api::people::auth::{SessionTokens, policy, tokens_for};
use crate::api::types::Locale;
use crate::api::{Accepted, Tag};
use crate::domain::people::accounts::{self, NewVolunteer};
use crate::domain::people::codes::{self, CODE_TTL, CodePurpose, RESEND_AFTER};
use crate::domain::people::phone::Phone;
use crate::domain::{DomainError, DomainResult};
use crate::state::AppState;
use chrono::NaiveDate;
use poem::Request;
use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Verification codes by SMS, and signing in or resetting a password with one.
pub struct CodesApi;

/// What a code is asked for (codes for a phone change and a guardian are asked for where those
/// are recorded).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub enum PublicCodePurpose {
    /// To open an account (`POST /auth/register`).
    Registration,
    /// To sign in without a password (`POST /auth/login/code`).
    SignIn,
    /// To set a new password (`POST /auth/password-reset`).
    PasswordReset,
    /// A guardian, to withdraw their consent (`POST /guardian-withdrawals`).
    GuardianWithdrawal,
}

impl From<PublicCodePurpose> for CodePurpose {
    fn from(p: PublicCodePurpose) -> Self {
        match p {
            PublicCodePurpose::Registration => CodePurpose::Registration,
            PublicCodePurpose::SignIn => CodePurpose::SignIn,
            PublicCodePurpose::PasswordReset => CodePurpose::PasswordReset,
            PublicCodePurpose::GuardianWithdrawal => CodePurpose::GuardianWithdrawal,
        }
    }
}

/// A request for a code.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodeRequest {
    /// Mobile number; mainland numbers may omit +86.
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    pub purpose: PublicCodePurpose,
    /// The app's installation id, counted toward the per-device limit.
    #[oai(validator(min_length = 1, max_length = 128))]
    pub device_id: Option<String>,
}

/// The same answer whatever the number.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CodeSent {
    /// "If this number can receive a code, it has been sent."
    pub message: String,
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be asked for.
    pub resend_after: u64,
}

impl CodeSent {
    pub fn new() -> Self {
        CodeSent {
            message: "if this number can receive a code, it has been sent".into(),
            expires_in: CODE_TTL.num_seconds() as u64,
            resend_after: RESEND_AFTER.num_seconds() as u64,
        }
    }
}

impl Default for CodeSent {
    fn default() -> Self {
        Self::new()
    }
}

/// A new volunteer's details, for registering.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVolunteerBody {
    /// Display name.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// 8 to 128 characters; without one, sign in by code (a reset sets one later).
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: Option<String>,
    /// Required: a person under 14 needs their guardian's confirmed consent to sign up for
    /// anything. Kept encrypted.
    pub birth_date: NaiveDate,
    /// Version of the privacy policy the person accepted.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub privacy_policy_version: String,
    /// Home community or room, if known.
    pub org_unit_id: Option<Uuid>,
    pub locale: Option<Locale>,
}

impl From<NewVolunteerBody> for NewVolunteer {
    fn from(b: NewVolunteerBody) -> Self {
        NewVolunteer {
            name: b.name,
            password: b.password,
            birth_date: b.birth_date,
            policy_version: b.privacy_policy_version,
            org_unit_id: b.org_unit_id,
            locale: b.locale.map(Into::into),
        }
    }
}

/// Sign in with a code.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CodeLoginRequest {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    /// The 6 digits received.
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    /// For a number without an account: register with these details in the same step.
    pub registration: Option<NewVolunteerBody>,
}

/// Set a new password with a code.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// Signed in, or registered and signed in.
#[derive(ApiResponse)]
pub enum CodeLogin {
    /// Signed in to the number's account.
    #[oai(status = 200)]
    SignedIn(Json<SessionTokens>),
    /// The number had no account: registered and signed in.
    #[oai(status = 201)]
    Registered(Json<SessionTokens>),
}

/// Counts a code request against its limits: per number (each configured window), per client IP
/// and per device id. 429 `rate_limited` with `Retry-After` when one is spent.
pub(crate) async fn limit_code_request(
    state: &AppState,
    req: &Request,
    phone: &Phone,
    device_id: Option<&str>,
) -> DomainResult<()> {
    let sms = &state.config.sms;
    let now = state.clock.now();
    let phone_key = state.tokens.phone_key(phone.as_str());
    let ip = crate::api::gate::client_ip(req, state.config.trusted_proxy_hops);
    let mut checks: Vec<(&str, &str, crate::config::Limit)> =
        sms.per_phone.iter().map(|l| ("code-phone", phone_key.as_str(), *l)).collect();
    checks.push(("code-ip", ip.as_str(), sms.per_ip));
    if let Some(d) = device_id {
        checks.push(("code-device", d, sms.per_device));
    }
    for (name, subject, limit) in checks {
        if let Err(e) = state.limiter.hit(name, subject, limit, now).await {
            return Err(DomainError::TooMany {
                code: "rate_limited",
                detail: "too many codes asked for; try again later".into(),
                retry_after_secs: e.retry_after_secs,
            });
        }
    }
    Ok(())
}

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Auth")]
impl CodesApi {
    /// Ask for a verification code by SMS. The answer is the same whether or not the number has
    /// an account: a registration code to a registered number arrives as a note that it already
    /// has one, and a reset code to a number without one is not sent. 429 `rate_limited` or
    /// `code_requested_too_often` (with `Retry-After`) past the limits.
    #[oai(path = "/auth/codes", method = "post", operation_id = "requestCode")]
    async fn request_code(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<CodeRequest>,
    ) -> ApiResult<Accepted<CodeSent>> {
        let phone = Phone::parse(&body.phone)?;
        limit_code_request(&state, req, &phone, body.device_id.as_deref()).await?;
        codes::issue_now(&state.db, &state.data_key, &phone, body.purpose.into(), None, state.clock.now()).await?;
        Ok(Accepted::Accepted(Json(CodeSent::new())))
    }

    /// Sign in with a sign-in code; works while password sign-in is locked, and lifts the lock.
    /// A number without an account registers in the same step when `registration` is given
    /// (201), else 422 `registration_required` (the code stays usable). Wrong code: 400
    /// `code_invalid` / `code_expired`; tries spent: 429 `code_attempts_exhausted`.
    #[oai(path = "/auth/login/code", method = "post", operation_id = "loginWithCode")]
    async fn login_with_code(&self, state: Data<&AppState>, body: Json<CodeLoginRequest>) -> ApiResult<CodeLogin> {
        let b = body.0;
        let tokens = state.tokens.clone();
        let signed_in = accounts::sign_in_with_code(
            &state.db,
            &state.hasher,
            &state.data_key,
            policy(&state),
            state.clock.now(),
            &b.phone,
            &b.code,
            b.registration.map(Into::into),
            |p| tokens.phone_key(p),
        )
        .await?;
        let out = Json(tokens_for(&state, signed_in.issued).await?);
        Ok(if signed_in.registered { CodeLogin::Registered(out) } else { CodeLogin::SignedIn(out) })
    }

    /// Set a new password with a password-reset code: every other session and access token of
    /// the person ends, and a new session opens.
    #[oai(path = "/auth/password-reset", method = "post", operation_id = "resetPassword")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        body: Json<PasswordResetRequest>,
    ) -> ApiResult<Json<SessionTokens>> {
        let tokens = state.tokens.clone();
        let issued = accounts::reset_password(
            &state.db,
            &state.hasher,
            &state.data_key,
            policy(&state),
            state.clock.now(),
            &body.phone,
            &body.code,
            &body.new_password,
            |p| tokens.phone_key(p),
        )
        .await?;
        Ok(Json(tokens_for(&state, issued).await?))
    }
}
