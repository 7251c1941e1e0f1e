//! `/api/v1/me`: the signed-in person's own profile, password and phone number. Nothing here can change a
//! role, a status or (except for volunteers choosing their community) a home unit.
//! Rules: `domain::users`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::people::codes::{CodeSent, limit_code_request};
use crate::api::types::{Locale, QualificationLevel, Role, UserStatus, patch};
use crate::api::{Accepted, Tag};
use crate::domain::people::accounts;
use crate::domain::people::phone::Phone;
use crate::domain::people::profiles::{self, MePatch, ServiceArea};
use crate::domain::people::users::{self, Profile};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The signed-in person's own account.
pub struct MeApi;

/// A number to move the account to.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPhone {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
}

/// The new number and the code sent to it.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct PhoneChange {
    #[oai(validator(min_length = 5, max_length = 32))]
    pub phone: String,
    #[oai(validator(pattern = r"^[0-9]{6}$"))]
    pub code: String,
}

/// Where a volunteer serves: a centre and a radius.
#[derive(Object, Debug, Clone, Copy)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAreaBody {
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
    /// Above 0, at most 200.
    #[oai(validator(minimum(value = "0", exclusive), maximum(value = "200")))]
    pub radius_km: f64,
}

/// A person's volunteer side.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct VolunteerSide {
    pub service_area: Option<ServiceAreaBody>,
    pub bio: Option<String>,
}

/// A social worker's professional side.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SocialWorkerSide {
    /// Highest verified national level.
    pub qualification_level: Option<QualificationLevel>,
    pub employer_org_unit_id: Option<Uuid>,
    /// When front-line service began.
    pub front_line_since: Option<NaiveDate>,
}

/// A person with their profiles.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct UserProfile {
    pub id: Uuid,
    /// E.164.
    pub phone: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    pub org_unit_id: Option<Uuid>,
    /// Whether announcements and task invitations can reach the person: they go out by home unit,
    /// so this is false while `orgUnitId` is unset. An app shows it and asks for a home community
    /// (`PATCH /me` with `orgUnitId`).
    pub receives_local_news: bool,
    pub locale: Locale,
    /// IANA name.
    pub time_zone: String,
    /// Public volunteer number, shown instead of any identity number.
    pub volunteer_number: String,
    /// Skill tags.
    pub skills: Vec<String>,
    pub volunteer: Option<VolunteerSide>,
    pub social_worker: Option<SocialWorkerSide>,
    pub created_at: DateTime<Utc>,
}

impl From<Profile> for UserProfile {
    fn from(p: Profile) -> Self {
        let u = p.user;
        UserProfile {
            id: u.id,
            phone: u.phone,
            name: u.name,
            role: u.role.into(),
            status: u.status.into(),
            org_unit_id: u.org_unit_id,
            receives_local_news: u.org_unit_id.is_some(),
            locale: u.locale.into(),
            time_zone: u.time_zone,
            volunteer_number: u.volunteer_number,
            skills: p.skills,
            volunteer: p.volunteer.map(|v| VolunteerSide {
                service_area: match (v.service_lat, v.service_lng, v.service_radius_km) {
                    (Some(lat), Some(lng), Some(radius_km)) => Some(ServiceAreaBody { lat, lng, radius_km }),
                    _ => None,
                },
                bio: v.bio,
            }),
            social_worker: p.social_worker.map(|s| SocialWorkerSide {
                qualification_level: s.qualification_level.map(Into::into),
                employer_org_unit_id: s.employer_org_unit_id,
                front_line_since: s.front_line_since,
            }),
            created_at: u.created_at,
        }
    }
}

/// Changes to one's own profile; omitted fields stay, `null` clears.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: Option<String>,
    pub locale: Option<Locale>,
    /// IANA name, e.g. `Asia/Shanghai`.
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    /// Home community or room: volunteers only.
    pub org_unit_id: MaybeUndefined<Uuid>,
    /// Replaces the skill tags (at most 20, each at most 32 characters).
    #[oai(validator(max_items = 20))]
    pub skills: Option<Vec<String>>,
    #[oai(validator(max_length = 1000))]
    pub bio: MaybeUndefined<String>,
    pub service_area: MaybeUndefined<ServiceAreaBody>,
    /// Social workers: when front-line service began.
    pub front_line_since: MaybeUndefined<NaiveDate>,
}

/// The current password and the new one.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub current_password: String,
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// A new access token after a password change (the old ones stop working).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct AccessToken {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
}

#[OpenApi(prefix_path = "/api/v1/me", tag = "Tag::Me")]
impl MeApi {
    /// The signed-in person's profile.
    #[oai(path = "/", method = "get", operation_id = "getMe")]
    async fn get_me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<Json<UserProfile>> {
        Ok(Json(users::load_profile(&state.db, auth.0.user.id).await?.into()))
    }

    /// Edit one's own profile. Role and status are not fields here; unknown fields are refused.
    #[oai(path = "/", method = "patch", operation_id = "updateMe")]
    async fn update_me(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<UpdateMeRequest>,
    ) -> ApiResult<Json<UserProfile>> {
        let b = body.0;
        let p = MePatch {
            name: b.name,
            locale: b.locale.map(Into::into),
            time_zone: b.time_zone,
            org_unit_id: patch(b.org_unit_id),
            skills: b.skills,
            bio: patch(b.bio),
            service_area: patch(b.service_area)
                .map(|a| a.map(|a| ServiceArea { lat: a.lat, lng: a.lng, radius_km: a.radius_km })),
            front_line_since: patch(b.front_line_since),
        };
        Ok(Json(profiles::update_me(&state.db, &auth.0.actor(), state.clock.now(), p).await?.into()))
    }

    /// Change one's password. Other sessions end; this one continues with the new access token.
    #[oai(path = "/password", method = "post", operation_id = "changePassword")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ChangePasswordRequest>,
    ) -> ApiResult<Json<AccessToken>> {
        let now = state.clock.now();
        let user = profiles::change_password(
            &state.db,
            &state.hasher,
            &auth.0.actor(),
            auth.0.session_id,
            now,
            &body.current_password,
            &body.new_password,
        )
        .await?;
        Ok(Json(AccessToken {
            access_token: state.tokens.issue(user.id, auth.0.session_id, user.token_version, now),
            token_type: "Bearer".into(),
            expires_in: state.tokens.ttl().as_secs(),
        }))
    }

    /// Ask for a code on the number one wants to move the account to (limited like every code
    /// request). The answer is the same whatever the number.
    #[oai(path = "/phone/code", method = "post", operation_id = "requestPhoneChangeCode")]
    async fn request_phone_change_code(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        req: &poem::Request,
        body: Json<NewPhone>,
    ) -> ApiResult<Accepted<CodeSent>> {
        let phone = Phone::parse(&body.phone)?;
        limit_code_request(&state, req, &phone, None).await?;
        accounts::request_phone_change(&state.db, &state.data_key, auth.0.user.id, &phone, state.clock.now()).await?;
        Ok(Accepted::Accepted(Json(CodeSent::new())))
    }

    /// Move the account to a new number with the code sent there; the old number is told by
    /// SMS. 409 `phone_taken` when the new number has an account.
    #[oai(path = "/phone", method = "put", operation_id = "changePhone")]
    async fn change_phone(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<PhoneChange>,
    ) -> ApiResult<Json<UserProfile>> {
        let me = auth.0.user.id;
        accounts::change_phone(&state.db, &state.data_key, me, &body.phone, &body.code, state.clock.now()).await?;
        Ok(Json(users::load_profile(&state.db, me).await?.into()))
    }
}
