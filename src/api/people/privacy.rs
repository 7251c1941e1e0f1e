//! Personal information under PIPL: the signed-in person's sensitive data (real-name identity,
//! health notes, guardian), consents, export and erasure; for administrators the audited whole
//! read, identity look-up and erasure of someone in scope.
//! Rules: `domain::identity`, `domain::consents`, `domain::privacy`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::people::users::UserSummary;
use crate::api::{NoContent, Tag};
use crate::domain::people::identity::{self, Sensitive};
use crate::domain::registry;
use crate::domain::{people::consents, people::privacy};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::consent;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Sensitive data, consents, export and erasure.
pub struct PrivacyApi;

/// A real-name identity (实名) and consent to keep it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityRequest {
    /// Resident identity number (18 characters, GB 11643).
    #[oai(validator(min_length = 15, max_length = 32))]
    pub id_number: String,
    /// Name as on the identity card.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub real_name: String,
    /// Version of the consent text the person agreed to (purpose `identity`).
    #[oai(validator(min_length = 1, max_length = 32))]
    pub consent_version: String,
}

/// Health notes and consent to keep them; `notes` absent or null deletes them.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthNotesRequest {
    #[oai(validator(max_length = 2000))]
    pub notes: Option<String>,
    /// Version of the consent text agreed to (purpose `health`).
    #[oai(validator(min_length = 1, max_length = 32))]
    pub consent_version: String,
}

/// A guardian, as shown.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct GuardianView {
    pub name: String,
    pub phone: String,
    pub relationship: String,
    /// Whether the guardian confirmed with the code sent to their phone; until then the person
    /// signs up for nothing (if under 14).
    pub confirmed: bool,
}

/// Sensitive data held about a person: masked for the person, whole for a city administrator.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SensitiveView {
    /// Whether the values are masked.
    pub masked: bool,
    pub id_number: Option<String>,
    pub real_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Masked: only how much is recorded.
    pub health_notes: Option<String>,
    pub guardian: Option<GuardianView>,
}

impl SensitiveView {
    pub(crate) fn of(s: Sensitive, masked: bool) -> Self {
        let s = if masked { s.masked() } else { s };
        SensitiveView {
            masked,
            id_number: s.id_number,
            real_name: s.real_name,
            birth_date: s.birth_date,
            health_notes: s.health_notes,
            guardian: s.guardian.map(|(c, relationship)| GuardianView {
                name: c.name,
                phone: c.phone,
                relationship,
                confirmed: s.guardian_confirmed,
            }),
        }
    }
}

/// An identity under review.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct UnderReview {
    pub dispute_id: Uuid,
    pub message: String,
}

/// What became of an identity given.
#[derive(poem_openapi::ApiResponse)]
pub enum IdentityRecorded {
    /// Recorded: one's sensitive data, masked.
    #[oai(status = 200)]
    Held(Json<SensitiveView>),
    /// Another account holds the number: under review.
    #[oai(status = 202)]
    UnderReview(Json<UnderReview>),
}

/// What a consent is for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum ConsentPurpose {
    /// Real-name identity number.
    Identity,
    /// Health notes.
    Health,
    /// A guardian's consent for a person under 14.
    Guardian,
    /// Location while serving.
    Location,
    /// The privacy policy accepted at registration (ends only with erasure).
    Account,
}

impl From<ConsentPurpose> for consent::Purpose {
    fn from(p: ConsentPurpose) -> Self {
        match p {
            ConsentPurpose::Identity => consent::Purpose::Identity,
            ConsentPurpose::Health => consent::Purpose::Health,
            ConsentPurpose::Guardian => consent::Purpose::Guardian,
            ConsentPurpose::Location => consent::Purpose::Location,
            ConsentPurpose::Account => consent::Purpose::Account,
        }
    }
}

impl From<consent::Purpose> for ConsentPurpose {
    fn from(p: consent::Purpose) -> Self {
        match p {
            consent::Purpose::Identity => ConsentPurpose::Identity,
            consent::Purpose::Health => ConsentPurpose::Health,
            consent::Purpose::Guardian => ConsentPurpose::Guardian,
            consent::Purpose::Location => ConsentPurpose::Location,
            consent::Purpose::Account => ConsentPurpose::Account,
        }
    }
}

/// A consent given.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentRequest {
    pub purpose: ConsentPurpose,
    /// Version of the text agreed to.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub version: String,
}

/// A consent record.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Consent {
    pub id: Uuid,
    pub purpose: ConsentPurpose,
    pub version: String,
    /// `person` or `guardian`.
    pub given_by: String,
    pub given_at: DateTime<Utc>,
    /// Absent while the consent stands.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<consent::Model> for Consent {
    fn from(c: consent::Model) -> Self {
        Consent {
            id: c.id,
            purpose: c.purpose.into(),
            version: c.version,
            given_by: match c.given_by {
                consent::GivenBy::Person => "person".into(),
                consent::GivenBy::Guardian => "guardian".into(),
            },
            given_at: c.given_at,
            withdrawn_at: c.withdrawn_at,
        }
    }
}

/// Identity number to find.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityLookupRequest {
    #[oai(validator(min_length = 15, max_length = 32))]
    pub id_number: String,
}

/// The password, confirming one's own erasure.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct EraseMeRequest {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub password: String,
}

/// Why an administrator erases someone; kept in the audit log.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct EraseUserRequest {
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// Everything held about a person, one section per area.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PersonalDataExport {
    pub subject: Uuid,
    pub generated_at: DateTime<Utc>,
    /// `account`, `consents`, `sensitive`, `sessions`, `auditTrail`, … (one per area).
    pub sections: BTreeMap<String, serde_json::Value>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Privacy")]
impl PrivacyApi {
    /// One's sensitive data, masked.
    #[oai(path = "/me/sensitive", method = "get", operation_id = "getMySensitive")]
    async fn get_mine(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<SensitiveView>> {
        let s = identity::load(&state.db, &state.data_key, auth.0.user.id).await?;
        Ok(Json(SensitiveView::of(s, true)))
    }

    /// Record one's real-name identity (with its consent). 400 `invalid_id_number` when the check
    /// digit or birth date is wrong. A number another account holds is not refused: 202, and a
    /// city administrator reviews who holds it (both people are told); nothing changes meanwhile.
    #[oai(path = "/me/identity", method = "put", operation_id = "setMyIdentity")]
    async fn set_identity(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IdentityRequest>,
    ) -> ApiResult<IdentityRecorded> {
        let b = body.0;
        let me = auth.0.user.id;
        let now = state.clock.now();
        let key = &state.data_key;
        match registry::record_identity(&state.db, key, me, &b.id_number, &b.real_name, &b.consent_version, now).await?
        {
            identity::Recorded::Held => {
                Ok(IdentityRecorded::Held(Json(SensitiveView::of(identity::load(&state.db, key, me).await?, true))))
            }
            identity::Recorded::UnderReview { dispute } => Ok(IdentityRecorded::UnderReview(Json(UnderReview {
                dispute_id: dispute.id,
                message: "this identity number is under review by a city administrator; you will be told the outcome"
                    .into(),
            }))),
        }
    }

    /// Record (or clear) one's health notes, with their consent.
    #[oai(path = "/me/health-notes", method = "put", operation_id = "setMyHealthNotes")]
    async fn set_health_notes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<HealthNotesRequest>,
    ) -> ApiResult<Json<SensitiveView>> {
        let b = body.0;
        let s = identity::set_health_notes(
            &state.db,
            &state.data_key,
            auth.0.user.id,
            state.clock.now(),
            b.notes.as_deref(),
            &b.consent_version,
        )
        .await?;
        Ok(Json(SensitiveView::of(s, true)))
    }

    /// One's consents, newest first.
    #[oai(path = "/me/consents", method = "get", operation_id = "listMyConsents")]
    async fn list_consents(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<Vec<Consent>>> {
        Ok(Json(consents::list(&state.db, auth.0.user.id).await?.into_iter().map(Into::into).collect()))
    }

    /// Give a consent. A guardian's consent is given only through the code sent to the guardian
    /// (`PUT /me/guardian`, then `POST /me/guardian/confirm`): 409
    /// `guardian_confirmation_required` here.
    #[oai(path = "/me/consents", method = "post", operation_id = "giveConsent")]
    async fn give_consent(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ConsentRequest>,
    ) -> ApiResult<crate::api::Created<Consent>> {
        let c =
            consents::give(&state.db, auth.0.user.id, body.purpose.into(), &body.version, state.clock.now()).await?;
        Ok(crate::api::Created::Created(Json(c.into())))
    }

    /// Withdraw one of one's consents; the data it covered (identity, health notes, guardian) is
    /// deleted. The core service goes on; withdrawing a guardian's consent for a person under 14
    /// ends their sign-ups for tasks not yet started (their organisers are told). The account's
    /// own consent ends only with erasure (409 `use_erasure`).
    #[oai(path = "/me/consents/:id/withdraw", method = "post", operation_id = "withdrawConsent")]
    async fn withdraw_consent(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Consent>> {
        let c = crate::domain::registry::withdraw_consent(&state.db, auth.0.user.id, id.0, state.clock.now()).await?;
        Ok(Json(c.into()))
    }

    /// A copy of everything held about oneself (PIPL art. 45), sensitive values whole; audited.
    #[oai(path = "/me/export", method = "get", operation_id = "exportMe")]
    async fn export(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<PersonalDataExport>> {
        let now = state.clock.now();
        let tokens = state.tokens.clone();
        let sections =
            privacy::export(&state.db, &state.data_key, auth.0.user.id, |p| tokens.phone_key(p), now).await?;
        Ok(Json(PersonalDataExport { subject: auth.0.user.id, generated_at: now, sections }))
    }

    /// Erase oneself (PIPL art. 47), confirmed with one's password: personal data is removed or
    /// replaced, every session ends; service records stay under one's volunteer number.
    #[oai(path = "/me/erase", method = "post", operation_id = "eraseMe")]
    async fn erase_me(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<EraseMeRequest>,
    ) -> ApiResult<NoContent> {
        let tokens = state.tokens.clone();
        privacy::erase_self(
            &state.db,
            &state.hasher,
            &state.data_key,
            &auth.0.user,
            &body.password,
            |p| tokens.phone_key(p),
            state.clock.now(),
        )
        .await?;
        Ok(NoContent::NoContent)
    }

    /// Erase a person in one's scope whom one may manage (administrators); audited with the reason.
    #[oai(path = "/users/:id/erase", method = "post", operation_id = "eraseUser")]
    async fn erase_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<EraseUserRequest>,
    ) -> ApiResult<NoContent> {
        let tokens = state.tokens.clone();
        privacy::erase(
            &state.db,
            &state.data_key,
            &auth.0.actor(),
            id.0,
            |p| tokens.phone_key(p),
            state.clock.now(),
            body.0.reason,
        )
        .await?;
        Ok(NoContent::NoContent)
    }

    /// A person's sensitive data whole (city administrators); every read is audited.
    #[oai(path = "/users/:id/sensitive", method = "get", operation_id = "getUserSensitive")]
    async fn get_whole(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<SensitiveView>> {
        let s = identity::read_whole(&state.db, &state.data_key, &auth.0.actor(), id.0, state.clock.now()).await?;
        Ok(Json(SensitiveView::of(s, false)))
    }

    /// Find the person holding an identity number (city administrators; exact match; audited).
    /// A POST so the number never appears in a URL.
    #[oai(path = "/users/identity-lookup", method = "post", operation_id = "lookupIdentity")]
    async fn lookup(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<IdentityLookupRequest>,
    ) -> ApiResult<Json<UserSummary>> {
        let u =
            identity::lookup(&state.db, &state.data_key, &auth.0.actor(), &body.id_number, state.clock.now()).await?;
        Ok(Json(u.into()))
    }
}
