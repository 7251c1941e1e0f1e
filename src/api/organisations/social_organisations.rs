//! `/api/v1/social-organisations`: the registry of social organisations (社会组织) serving the
//! city. Everyone signed in reads it; administrators keep the organisations of their scope.
//! Rules: `domain::organisations::social_organisations`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{page_of, patch, wire_enum};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::organisations::social_organisations::{self as registry, Filter, NewOrganisation, OrganisationEdit};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::social_organisation as org;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The registry of social organisations.
pub struct SocialOrganisationsApi;

wire_enum! {
    /// The legal form an organisation is registered as.
    OrganisationKind mirrors org::OrganisationKind {
        /// 社会团体: a membership association.
        SocialGroup = "social_group",
        /// 社会服务机构 (民办非企业单位): a non-profit service provider.
        SocialService = "social_service",
        /// 基金会: a foundation.
        Foundation = "foundation",
    }
}

wire_enum! {
    /// Whether an organisation is active in the registry.
    OrganisationStatus mirrors org::OrganisationStatus {
        Active = "active",
        /// Deregistered (注销) or no longer serving here.
        Inactive = "inactive",
    }
}

/// An evaluation (社会组织评估): the grade and when it was given.
#[derive(Object, Debug, Clone, Copy)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct Evaluation {
    /// 1 to 5, for 1A to 5A.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub grade: i32,
    /// Not after today.
    pub evaluated_on: NaiveDate,
}

/// A social organisation.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct SocialOrganisation {
    pub id: Uuid,
    /// 统一社会信用代码 (GB 32100).
    pub credit_code: String,
    pub name: String,
    pub kind: OrganisationKind,
    /// 登记管理机关.
    pub registration_authority: String,
    pub evaluation: Option<Evaluation>,
    /// The org unit whose area it serves.
    pub service_unit_id: Uuid,
    pub contact_name: Option<String>,
    /// The organisation's public service phone.
    pub service_phone: Option<String>,
    pub address: Option<String>,
    pub summary: Option<String>,
    pub status: OrganisationStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<org::Model> for SocialOrganisation {
    fn from(m: org::Model) -> Self {
        let evaluation =
            m.evaluation_grade.zip(m.evaluated_on).map(|(grade, evaluated_on)| Evaluation { grade, evaluated_on });
        SocialOrganisation {
            id: m.id,
            credit_code: m.credit_code,
            name: m.name,
            kind: m.kind.into(),
            registration_authority: m.registration_authority,
            evaluation,
            service_unit_id: m.service_unit_id,
            contact_name: m.contact_name,
            service_phone: m.service_phone,
            address: m.address,
            summary: m.summary,
            status: m.status.into(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

page_of!(SocialOrganisationPage, SocialOrganisation);

/// An organisation to register.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterSocialOrganisation {
    /// 18 characters; its check characters are verified (400 `invalid_credit_code`).
    #[oai(validator(max_length = 32))]
    pub credit_code: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    pub kind: OrganisationKind,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub registration_authority: String,
    pub evaluation: Option<Evaluation>,
    pub service_unit_id: Uuid,
    #[oai(validator(max_length = 100))]
    pub contact_name: Option<String>,
    #[oai(validator(max_length = 32, pattern = r"^[0-9+\- ]{5,32}$"))]
    pub service_phone: Option<String>,
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
    #[oai(validator(max_length = 2000))]
    pub summary: Option<String>,
}

/// An edit: absent fields stay, `null` clears an optional one. The credit code never changes (a
/// new code is a new registration).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateSocialOrganisation {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    pub kind: Option<OrganisationKind>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub registration_authority: Option<String>,
    pub evaluation: MaybeUndefined<Evaluation>,
    /// Moving the service area needs both the old and the new unit in scope.
    pub service_unit_id: Option<Uuid>,
    #[oai(validator(max_length = 100))]
    pub contact_name: MaybeUndefined<String>,
    #[oai(validator(max_length = 32, pattern = r"^[0-9+\- ]{5,32}$"))]
    pub service_phone: MaybeUndefined<String>,
    #[oai(validator(max_length = 500))]
    pub address: MaybeUndefined<String>,
    #[oai(validator(max_length = 2000))]
    pub summary: MaybeUndefined<String>,
    pub status: Option<OrganisationStatus>,
}

fn pair(e: Evaluation) -> (i32, NaiveDate) {
    (e.grade, e.evaluated_on)
}

#[OpenApi(prefix_path = "/api/v1/social-organisations", tag = "Tag::Organisations")]
impl SocialOrganisationsApi {
    /// Register a social organisation serving a unit of one's scope (administrators). 400
    /// `invalid_credit_code` when the code fails its GB 32100 check; 409 `credit_code_taken` when
    /// it is registered already.
    #[oai(path = "/", method = "post", operation_id = "registerSocialOrganisation")]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<RegisterSocialOrganisation>,
    ) -> ApiResult<Created<SocialOrganisation>> {
        let b = body.0;
        let new = NewOrganisation {
            credit_code: b.credit_code,
            name: b.name,
            kind: b.kind.into(),
            registration_authority: b.registration_authority,
            evaluation: b.evaluation.map(pair),
            service_unit_id: b.service_unit_id,
            contact_name: b.contact_name,
            service_phone: b.service_phone,
            address: b.address,
            summary: b.summary,
        };
        let m = registry::register(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(Created::Created(Json(m.into())))
    }

    /// The registry, oldest registration first: serving within a unit's subtree (`under`), of a
    /// kind, in a status, or matching `q` (a part of the name, or a whole credit code).
    #[oai(path = "/", method = "get", operation_id = "listSocialOrganisations")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        under: Query<Option<Uuid>>,
        kind: Query<Option<OrganisationKind>>,
        status: Query<Option<OrganisationStatus>>,
        #[oai(validator(max_length = 100))] q: Query<Option<String>>,
        cursor: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<SocialOrganisationPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter =
            Filter { under: under.0, kind: kind.0.map(Into::into), status: status.0.map(Into::into), text: q.0 };
        Ok(Json(registry::list(&state.db, filter, page).await?.into()))
    }

    /// One organisation.
    #[oai(path = "/:id", method = "get", operation_id = "getSocialOrganisation")]
    async fn get(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<SocialOrganisation>> {
        Ok(Json(registry::get(&state.db, id.0).await?.into()))
    }

    /// Edit an organisation of one's scope (administrators); audited with before and after.
    #[oai(path = "/:id", method = "patch", operation_id = "updateSocialOrganisation")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<UpdateSocialOrganisation>,
    ) -> ApiResult<Json<SocialOrganisation>> {
        let b = body.0;
        let edit = OrganisationEdit {
            name: b.name,
            kind: b.kind.map(Into::into),
            registration_authority: b.registration_authority,
            evaluation: patch(b.evaluation).map(|e| e.map(pair)),
            service_unit_id: b.service_unit_id,
            contact_name: patch(b.contact_name),
            service_phone: patch(b.service_phone),
            address: patch(b.address),
            summary: patch(b.summary),
            status: b.status.map(Into::into),
        };
        Ok(Json(registry::edit(&state.db, &auth.0.actor(), state.clock.now(), id.0, edit).await?.into()))
    }
}
