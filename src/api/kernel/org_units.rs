//! `/api/v1/org-units`: the org tree. Anyone signed in reads it; city administrators change it.
//! Rules: `domain::org_units`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{LatLng, OrgUnitKind, page_of, patch};
use crate::api::{Created, Tag};
use crate::domain::kernel::org_units::{self, Filter, NewOrgUnit, OrgUnitPatch};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::org_unit;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The org tree.
pub struct OrgUnitsApi;

/// A node of the org tree.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct OrgUnit {
    pub id: Uuid,
    /// Absent for the root.
    pub parent_id: Option<Uuid>,
    pub kind: OrgUnitKind,
    pub name: String,
    /// Administrative region code.
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// IANA name, used for reminders and "today".
    pub time_zone: String,
    /// Person in charge (负责人), named on certificates the unit issues.
    pub person_in_charge: Option<String>,
    /// The unit's public contact number.
    pub contact_phone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<org_unit::Model> for OrgUnit {
    fn from(m: org_unit::Model) -> Self {
        OrgUnit {
            id: m.id,
            parent_id: m.parent_id,
            kind: m.kind.into(),
            name: m.name,
            region_code: m.region_code,
            address: m.address,
            lat: m.lat,
            lng: m.lng,
            time_zone: m.time_zone,
            person_in_charge: m.person_in_charge,
            contact_phone: m.contact_phone,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

page_of!(OrgUnitPage, OrgUnit);

/// A unit to create.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateOrgUnitRequest {
    /// Required for every kind but `city_center`.
    pub parent_id: Option<Uuid>,
    pub kind: OrgUnitKind,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    #[oai(validator(max_length = 32))]
    pub region_code: Option<String>,
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
    /// IANA name; default `Asia/Shanghai`.
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    #[oai(validator(max_length = 100))]
    pub person_in_charge: Option<String>,
    #[oai(validator(max_length = 32))]
    pub contact_phone: Option<String>,
}

/// Changes to a unit; omitted fields stay, `null` clears. A new `parentId` moves the unit with
/// everything under it; moving a unit under its own descendant is refused (409 `org_unit_cycle`).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateOrgUnitRequest {
    pub parent_id: Option<Uuid>,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[oai(validator(max_length = 32))]
    pub region_code: MaybeUndefined<String>,
    #[oai(validator(max_length = 500))]
    pub address: MaybeUndefined<String>,
    pub location: MaybeUndefined<LatLng>,
    #[oai(validator(max_length = 64))]
    pub time_zone: Option<String>,
    #[oai(validator(max_length = 100))]
    pub person_in_charge: MaybeUndefined<String>,
    #[oai(validator(max_length = 32))]
    pub contact_phone: MaybeUndefined<String>,
}

#[OpenApi(prefix_path = "/api/v1/org-units", tag = "Tag::OrgUnits")]
impl OrgUnitsApi {
    /// Create a unit (city administrators).
    #[oai(path = "/", method = "post", operation_id = "createOrgUnit")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateOrgUnitRequest>,
    ) -> ApiResult<Created<OrgUnit>> {
        let b = body.0;
        let new = NewOrgUnit {
            parent_id: b.parent_id,
            kind: b.kind.into(),
            name: b.name,
            region_code: b.region_code,
            address: b.address,
            lat: b.lat,
            lng: b.lng,
            time_zone: b.time_zone,
            person_in_charge: b.person_in_charge,
            contact_phone: b.contact_phone,
        };
        let unit = org_units::create(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(Created::Created(Json(unit.into())))
    }

    /// List units, oldest first.
    #[oai(path = "/", method = "get", operation_id = "listOrgUnits")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        /// Only the direct children of this unit.
        #[oai(name = "parentId")]
        parent_id: Query<Option<Uuid>>,
        /// Only roots (units without a parent).
        roots: Query<Option<bool>>,
        kind: Query<Option<OrgUnitKind>>,
        /// Only this unit and everything below it.
        under: Query<Option<Uuid>>,
        /// Part of the name.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<OrgUnitPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter = Filter {
            parent_id: parent_id.0,
            roots_only: roots.0.unwrap_or(false),
            kind: kind.0.map(Into::into),
            under: under.0,
            name_contains: q.0,
        };
        Ok(Json(org_units::list(&state.db, filter, page).await?.into()))
    }

    /// One unit.
    #[oai(path = "/:id", method = "get", operation_id = "getOrgUnit")]
    async fn get(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<OrgUnit>> {
        Ok(Json(org_units::get(&state.db, id.0).await?.into()))
    }

    /// The chain of units from the root down to this one.
    #[oai(path = "/:id/ancestors", method = "get", operation_id = "getOrgUnitAncestors")]
    async fn ancestors(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Vec<OrgUnit>>> {
        org_units::get(&state.db, id.0).await?;
        Ok(Json(org_units::ancestors(&state.db, id.0).await?.into_iter().map(Into::into).collect()))
    }

    /// Edit or move a unit (city administrators).
    #[oai(path = "/:id", method = "patch", operation_id = "updateOrgUnit")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<UpdateOrgUnitRequest>,
    ) -> ApiResult<Json<OrgUnit>> {
        let b = body.0;
        let p = OrgUnitPatch {
            parent_id: b.parent_id,
            name: b.name,
            region_code: patch(b.region_code),
            address: patch(b.address),
            location: patch(b.location).map(|l| l.map(|l| (l.lat, l.lng))),
            time_zone: b.time_zone,
            person_in_charge: patch(b.person_in_charge),
            contact_phone: patch(b.contact_phone),
        };
        Ok(Json(org_units::update(&state.db, &auth.0.actor(), state.clock.now(), id.0, p).await?.into()))
    }
}
