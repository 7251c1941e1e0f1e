//! Credentials: kinds (`/api/v1/credential-kinds`), one's own credentials
//! (`/api/v1/me/credentials`), editing until verified, registration (登记), and administrators'
//! verification, rejection and revocation. Evidence references are shown only to the holder and
//! administrators in scope. Rules: `domain::credentials`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{QualificationLevel, page_of, patch, wire_enum};
use crate::domain::kernel::page::PageRequest;
use crate::domain::kernel::time::local_date;
use crate::domain::talent::credentials::{self, CredentialPatch, Decision, Filter, NewCredential};
use crate::domain::talent::registration::{self, RegistrationState};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Credentials.
pub struct CredentialsApi;

wire_enum! {
    /// Where a credential stands.
    CredentialStatus mirrors entity::credential::CredentialStatus {
        Submitted = "submitted",
        Verified = "verified",
        Rejected = "rejected",
        Expired = "expired",
        Revoked = "revoked",
    }
}

/// Where a registration (登记) stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Never registered; still within the first-registration deadline.
    Unregistered,
    /// Never registered; the deadline has passed.
    Overdue,
    /// Registered; renewal not due yet.
    Registered,
    /// Within the renewal window.
    RenewalOpen,
    /// Lapsed without renewal.
    Lapsed,
}

impl From<RegistrationState> for RegistrationStatus {
    fn from(s: RegistrationState) -> Self {
        match s {
            RegistrationState::Unregistered => RegistrationStatus::Unregistered,
            RegistrationState::Overdue => RegistrationStatus::Overdue,
            RegistrationState::Registered => RegistrationStatus::Registered,
            RegistrationState::RenewalOpen => RegistrationStatus::RenewalOpen,
            RegistrationState::Lapsed => RegistrationStatus::Lapsed,
        }
    }
}

/// The registration of a social-work certificate.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Registration {
    pub status: RegistrationStatus,
    /// The current window to register or renew in: its first day …
    pub window_opens: NaiveDate,
    /// … and its last (the first-registration deadline, or the day the registration lapses).
    pub deadline: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The registration period continuing education counts in.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// A credential.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Credential {
    pub id: Uuid,
    pub holder_id: Uuid,
    /// A national level or an administrator-defined kind code.
    pub kind: String,
    pub number: String,
    pub issuing_body: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// The evidence file reference (holder and administrators only).
    pub evidence_ref: String,
    pub registered_on: Option<NaiveDate>,
    pub status: CredentialStatus,
    /// Why it was rejected or revoked.
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// For social-work certificates: registration deadline and window.
    pub registration: Option<Registration>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(state: &AppState, c: entity::credential::Model) -> Credential {
    // Registration dates are days; Asia/Shanghai is the platform's zone.
    let today = local_date(state.clock.now(), crate::domain::kernel::time::DEFAULT_TIME_ZONE);
    let registration = registration::registration(&state.config.talent, &c, today).map(|r| Registration {
        status: r.state.into(),
        window_opens: r.window_opens,
        deadline: r.deadline,
        valid_until: r.valid_until,
        period_start: r.period_start,
        period_end: r.period_end,
    });
    Credential {
        id: c.id,
        holder_id: c.holder_id,
        kind: c.kind,
        number: c.number,
        issuing_body: c.issuing_body,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        evidence_ref: c.evidence_ref,
        registered_on: c.registered_on,
        status: c.status.into(),
        reason: c.reason,
        decided_at: c.decided_at,
        registration,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

page_of!(CredentialPage, Credential);

/// A kind of credential.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CredentialKind {
    pub code: String,
    pub name: String,
    /// The qualification level it certifies (national levels only).
    pub level: Option<QualificationLevel>,
}

impl From<credentials::Kind> for CredentialKind {
    fn from(k: credentials::Kind) -> Self {
        CredentialKind { code: k.code, name: k.name, level: k.level.map(Into::into) }
    }
}

/// A kind to define.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCredentialKind {
    /// snake_case, e.g. `first_aid`.
    #[oai(validator(min_length = 2, max_length = 64))]
    pub code: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
}

/// A credential to record.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialRequest {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub kind: String,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub number: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub issuing_body: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// A reference to the uploaded scan of the certificate.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub evidence_ref: String,
    /// For social-work certificates: when it was registered (登记), if it was.
    pub registered_on: Option<NaiveDate>,
}

/// Changes to one's own unverified credential.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CredentialUpdate {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub number: Option<String>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub issuing_body: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: MaybeUndefined<NaiveDate>,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub evidence_ref: Option<String>,
    pub registered_on: MaybeUndefined<NaiveDate>,
}

/// A reason (required to reject or revoke).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionReason {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

/// A registration or renewal.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrationRequest {
    pub registered_on: NaiveDate,
    /// Only show what recording it would do (`periodChange`); record nothing.
    #[oai(default)]
    pub dry_run: bool,
}

/// A continuing-education period, `[start, end)`.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CePeriod {
    pub start: NaiveDate,
    /// The first day no longer in the period.
    pub end: NaiveDate,
}

/// How recording a registration moves the continuing-education period: a new registration starts
/// a new period, and approved CE completed before it stops counting towards the next renewal.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct CePeriodChange {
    pub before: CePeriod,
    pub after: CePeriod,
    /// Approved CE minutes counting in the period before.
    pub completed_minutes_before: i64,
    /// Approved CE minutes counting in the period after.
    pub completed_minutes_after: i64,
    /// Approved CE minutes that count now and would no longer count.
    pub minutes_no_longer_counting: i64,
}

/// A registration recorded, or previewed with `dryRun`: the credential (as it is now for a
/// preview) and how the CE period moves.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct RegistrationRecorded {
    #[oai(flatten)]
    pub credential: Credential,
    /// False for a preview: nothing was recorded.
    pub recorded: bool,
    pub period_change: CePeriodChange,
}

/// A recorded credential.
#[derive(ApiResponse)]
pub enum CredentialCreated {
    /// Recorded; waiting for verification.
    #[oai(status = 201)]
    Created(Json<Credential>),
}

#[OpenApi(tag = "Tag::Credentials")]
impl CredentialsApi {
    /// Every credential kind: the national social-work levels, then those administrators defined.
    #[oai(path = "/api/v1/credential-kinds", method = "get", operation_id = "listCredentialKinds")]
    async fn kinds(&self, state: Data<&AppState>, _auth: BearerAuth) -> ApiResult<Json<Vec<CredentialKind>>> {
        Ok(Json(credentials::kinds(&state.db).await?.into_iter().map(Into::into).collect()))
    }

    /// Define a credential kind (city administrators), e.g. first aid or counselling.
    #[oai(path = "/api/v1/credential-kinds", method = "post", operation_id = "createCredentialKind")]
    async fn define_kind(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<NewCredentialKind>,
    ) -> ApiResult<crate::api::Created<CredentialKind>> {
        let k = credentials::define_kind(&state.db, &auth.0.actor(), state.clock.now(), &body.code, &body.name).await?;
        Ok(crate::api::Created::Created(Json(k.into())))
    }

    /// Record one of one's credentials; it waits for an administrator to verify it.
    #[oai(path = "/api/v1/me/credentials", method = "post", operation_id = "submitCredential")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CredentialRequest>,
    ) -> ApiResult<CredentialCreated> {
        let b = body.0;
        let new = NewCredential {
            kind: b.kind,
            number: b.number,
            issuing_body: b.issuing_body,
            issued_on: b.issued_on,
            expires_on: b.expires_on,
            evidence_ref: b.evidence_ref,
            registered_on: b.registered_on,
        };
        let c = credentials::submit(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(CredentialCreated::Created(Json(view(&state, c))))
    }

    /// One's own credentials, newest first.
    #[oai(path = "/api/v1/me/credentials", method = "get", operation_id = "listMyCredentials")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<CredentialPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let p = credentials::mine(&state.db, &auth.0.actor(), page).await?;
        Ok(Json(p.map(|c| view(&state, c)).into()))
    }

    /// Credentials of people in one's scope, oldest first (administrators).
    #[oai(path = "/api/v1/credentials", method = "get", operation_id = "listCredentials")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        status: Query<Option<CredentialStatus>>,
        #[oai(validator(max_length = 64))] kind: Query<Option<String>>,
        #[oai(name = "holderId")] holder_id: Query<Option<Uuid>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<CredentialPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter = Filter { status: status.0.map(Into::into), kind: kind.0, holder_id: holder_id.0 };
        let p = credentials::list(&state.db, &auth.0.actor(), filter, page).await?;
        Ok(Json(p.map(|c| view(&state, c)).into()))
    }

    /// One credential (its holder, administrators in scope).
    #[oai(path = "/api/v1/credentials/:id", method = "get", operation_id = "getCredential")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Credential>> {
        Ok(Json(view(&state, credentials::get_visible(&state.db, &auth.0.actor(), id.0).await?)))
    }

    /// Edit one's own credential until it is verified; a rejected one is submitted again.
    #[oai(path = "/api/v1/credentials/:id", method = "patch", operation_id = "updateCredential")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CredentialUpdate>,
    ) -> ApiResult<Json<Credential>> {
        let b = body.0;
        let p = CredentialPatch {
            number: b.number,
            issuing_body: b.issuing_body,
            issued_on: b.issued_on,
            expires_on: patch(b.expires_on),
            evidence_ref: b.evidence_ref,
            registered_on: patch(b.registered_on),
        };
        Ok(Json(view(&state, credentials::update(&state.db, &auth.0.actor(), state.clock.now(), id.0, p).await?)))
    }

    /// Verify a submitted credential (administrators in scope; never one's own).
    #[oai(path = "/api/v1/credentials/:id/verify", method = "post", operation_id = "verifyCredential")]
    async fn verify(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Credential>> {
        let c =
            credentials::decide(&state.db, &auth.0.actor(), state.clock.now(), id.0, Decision::Verify, None).await?;
        Ok(Json(view(&state, c)))
    }

    /// Reject a submitted credential with a reason (administrators in scope; never one's own).
    #[oai(path = "/api/v1/credentials/:id/reject", method = "post", operation_id = "rejectCredential")]
    async fn reject(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DecisionReason>,
    ) -> ApiResult<Json<Credential>> {
        let actor = auth.0.actor();
        let c = credentials::decide(&state.db, &actor, state.clock.now(), id.0, Decision::Reject, Some(body.0.reason))
            .await?;
        Ok(Json(view(&state, c)))
    }

    /// Revoke a verified credential with a reason (administrators in scope; never one's own).
    #[oai(path = "/api/v1/credentials/:id/revoke", method = "post", operation_id = "revokeCredential")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DecisionReason>,
    ) -> ApiResult<Json<Credential>> {
        let actor = auth.0.actor();
        let c = credentials::decide(&state.db, &actor, state.clock.now(), id.0, Decision::Revoke, Some(body.0.reason))
            .await?;
        Ok(Json(view(&state, c)))
    }

    /// Record the registration (登记) or renewal of one's verified social-work certificate; a
    /// renewal needs the period's continuing education (409 `ce_incomplete`). The answer's
    /// `periodChange` says how the CE period moves and how many approved CE minutes stop
    /// counting; with `dryRun` the same checks and answer come back and nothing is recorded.
    #[oai(path = "/api/v1/credentials/:id/registration", method = "post", operation_id = "recordRegistration")]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RegistrationRequest>,
    ) -> ApiResult<Json<RegistrationRecorded>> {
        let r = registration::record_registration(
            &state.db,
            &state.config.talent,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            body.registered_on,
            body.dry_run,
        )
        .await?;
        let ch = r.change;
        let period = |(start, end)| CePeriod { start, end };
        Ok(Json(RegistrationRecorded {
            credential: view(&state, r.credential),
            recorded: r.recorded,
            period_change: CePeriodChange {
                before: period(ch.before),
                after: period(ch.after),
                completed_minutes_before: ch.completed_minutes_before,
                completed_minutes_after: ch.completed_minutes_after,
                minutes_no_longer_counting: ch.minutes_no_longer_counting,
            },
        }))
    }
}
