//! `/api/v1/users`: administrators create, list, read and change people in their scope.
//! Rules: `domain::users` (who may see and manage whom). People outside one's scope answer 404:
//! their existence is private.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::people::me::UserProfile;
use crate::api::types::{Locale, QualificationLevel, Role, UserStatus, page_of, patch};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::people::phone;
use crate::domain::people::users::{self, AccountPatch, Filter, NewAccount};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::user;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// People, for administrators.
pub struct UsersApi;

/// A person in a list.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct UserSummary {
    pub id: Uuid,
    /// Masked, as on every list; the whole number is on the person's own record (`getUser`).
    pub phone: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    pub org_unit_id: Option<Uuid>,
    pub volunteer_number: String,
    pub created_at: DateTime<Utc>,
}

impl From<user::Model> for UserSummary {
    fn from(u: user::Model) -> Self {
        UserSummary {
            id: u.id,
            phone: phone::mask(&u.phone),
            name: u.name,
            role: u.role.into(),
            status: u.status.into(),
            org_unit_id: u.org_unit_id,
            volunteer_number: u.volunteer_number,
            created_at: u.created_at,
        }
    }
}

page_of!(UserPage, UserSummary);

/// An account to create.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateUserRequest {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// Initial password, 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
    /// Up to the creator's own role.
    pub role: Role,
    /// Required for social workers and station administrators; must be in the creator's scope.
    pub org_unit_id: Option<Uuid>,
    pub locale: Option<Locale>,
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    pub qualification_level: Option<QualificationLevel>,
    pub employer_org_unit_id: Option<Uuid>,
}

/// Changes to an account; omitted fields stay, `null` clears.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: Option<String>,
    pub role: Option<Role>,
    /// `suspended` ends every session at once.
    pub status: Option<UserStatus>,
    pub org_unit_id: MaybeUndefined<Uuid>,
    pub qualification_level: MaybeUndefined<QualificationLevel>,
    pub employer_org_unit_id: MaybeUndefined<Uuid>,
    /// Why; kept in the audit log.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

#[OpenApi(prefix_path = "/api/v1/users", tag = "Tag::People")]
impl UsersApi {
    /// Create an account (social worker, administrator or volunteer) in one's scope.
    #[oai(path = "/", method = "post", operation_id = "createUser")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateUserRequest>,
    ) -> ApiResult<Created<UserProfile>> {
        let b = body.0;
        let account = NewAccount {
            phone: b.phone,
            name: b.name,
            password: b.password,
            role: b.role.into(),
            org_unit_id: b.org_unit_id,
            locale: b.locale.map(Into::into),
            time_zone: b.time_zone,
            qualification_level: b.qualification_level.map(Into::into),
            employer_org_unit_id: b.employer_org_unit_id,
        };
        let profile =
            users::create_by_admin(&state.db, &state.hasher, &auth.0.actor(), state.clock.now(), account).await?;
        Ok(Created::Created(Json(profile.into())))
    }

    /// People in one's scope, oldest account first.
    #[oai(path = "/", method = "get", operation_id = "listUsers")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        role: Query<Option<Role>>,
        status: Query<Option<UserStatus>>,
        /// Only people whose home unit is this one or below it.
        #[oai(name = "orgUnitId")]
        org_unit_id: Query<Option<Uuid>>,
        /// A phone number (exact) or part of a name.
        #[oai(validator(max_length = 50))]
        q: Query<Option<String>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<UserPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter = Filter {
            role: role.0.map(Into::into),
            status: status.0.map(Into::into),
            org_unit_id: org_unit_id.0,
            q: q.0,
        };
        Ok(Json(users::list(&state.db, &auth.0.actor(), filter, page).await?.into()))
    }

    /// One person: oneself, or someone in one's scope.
    #[oai(path = "/:id", method = "get", operation_id = "getUser")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<UserProfile>> {
        Ok(Json(users::get_visible(&state.db, &auth.0.actor(), id.0).await?.into()))
    }

    /// Change someone's account: name, role (up to one's own), status, home unit, professional
    /// details. Nobody changes their own account here.
    #[oai(path = "/:id", method = "patch", operation_id = "updateUser")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<UpdateUserRequest>,
    ) -> ApiResult<Json<UserProfile>> {
        let b = body.0;
        let p = AccountPatch {
            name: b.name,
            role: b.role.map(Into::into),
            status: b.status.map(Into::into),
            org_unit_id: patch(b.org_unit_id),
            qualification_level: patch(b.qualification_level).map(|q| q.map(Into::into)),
            employer_org_unit_id: patch(b.employer_org_unit_id),
            reason: b.reason,
        };
        Ok(Json(users::update_by_admin(&state.db, &auth.0.actor(), state.clock.now(), id.0, p).await?.into()))
    }

    /// Have a password-reset code sent to someone one manages (who then sets a new password at
    /// `POST /auth/password-reset`). The administrator never sees the code or the password.
    #[oai(path = "/:id/password-reset-code", method = "post", operation_id = "sendPasswordResetCode")]
    async fn send_reset_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<crate::api::Accepted<crate::api::people::codes::CodeSent>> {
        let actor = auth.0.actor();
        crate::domain::people::accounts::send_reset_code(&state.db, &state.data_key, &actor, id.0, state.clock.now())
            .await?;
        Ok(crate::api::Accepted::Accepted(Json(crate::api::people::codes::CodeSent::new())))
    }
}
