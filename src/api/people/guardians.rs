//! Guardians of people under 14: `PUT /me/guardian` records one and sends them a code,
//! `POST /me/guardian/confirm` records their consent with it, and `POST /guardian-withdrawals`
//! lets a guardian withdraw with a code sent to their own phone, without an account.
//! Rules: `domain::people::guardians`; the withdrawal's effect on sign-ups: `domain::registry`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::people::privacy::SensitiveView;
use crate::api::{NoContent, Tag};
use crate::domain::kernel::time;
use crate::domain::people::guardians;
use crate::domain::people::identity::GuardianContact;
use crate::state::AppState;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

/// Guardians: recording, confirming and withdrawing.
pub struct GuardiansApi;

/// A person's guardian, who is sent a code to confirm.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardianRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// The guardian's own mobile number (not the person's, nor another account in their name).
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    /// e.g. `parent`, `grandparent`, `legal_guardian`.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub relationship: String,
}

/// The guardian's code, and the consent text they agreed to.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardianConfirmation {
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
    /// Version of the consent text the guardian agreed to (purpose `guardian`).
    #[oai(validator(min_length = 1, max_length = 32))]
    pub consent_version: String,
}

/// A guardian withdrawing, with the code sent to their phone (`POST /auth/codes`, purpose
/// `guardianWithdrawal`).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardianWithdrawal {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
}

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Privacy")]
impl GuardiansApi {
    /// Record one's guardian (needed before a person under 14 signs up for anything): the
    /// guardian is sent a code, and consents when the person enters it at `/me/guardian/confirm`.
    /// A guardian recorded earlier loses their consent. 400 `guardian_phone_not_allowed` for the
    /// person's own number or another account's in their name.
    #[oai(path = "/me/guardian", method = "put", operation_id = "setMyGuardian")]
    async fn set_guardian(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<GuardianRequest>,
    ) -> ApiResult<Json<SensitiveView>> {
        let b = body.0;
        let now = state.clock.now();
        let me = auth.0.user.id;
        let today = time::person_today(&state.db, me, now).await.map_err(crate::domain::DomainError::from)?;
        let contact = GuardianContact { name: b.name, phone: b.phone };
        let s = guardians::set_guardian(&state.db, &state.data_key, me, now, today, contact, &b.relationship).await?;
        Ok(Json(SensitiveView::of(s, true)))
    }

    /// Confirm one's guardian with the code they received: their consent is recorded (given by
    /// the guardian). 409 `no_guardian` when none is recorded; wrong code 400 `code_invalid`.
    #[oai(path = "/me/guardian/confirm", method = "post", operation_id = "confirmGuardian")]
    async fn confirm_guardian(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<GuardianConfirmation>,
    ) -> ApiResult<Json<SensitiveView>> {
        let now = state.clock.now();
        let s = guardians::confirm(&state.db, &state.data_key, auth.0.user.id, now, &body.code, &body.consent_version)
            .await?;
        Ok(Json(SensitiveView::of(s, true)))
    }

    /// A guardian withdraws their consent, with the code sent to their phone: every person they
    /// are guardian of loses it, their sign-ups for tasks not yet started end, and the
    /// organisers are told.
    #[oai(path = "/guardian-withdrawals", method = "post", operation_id = "withdrawAsGuardian")]
    async fn withdraw(&self, state: Data<&AppState>, body: Json<GuardianWithdrawal>) -> ApiResult<NoContent> {
        crate::domain::registry::guardian_withdraws(
            &state.db,
            &state.data_key,
            &body.phone,
            &body.code,
            state.clock.now(),
        )
        .await?;
        Ok(NoContent::NoContent)
    }
}
