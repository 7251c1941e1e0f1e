//! The public notice (公示, `/api/v1/honour-notices`): honours in notice, objections and their
//! resolution, and revoking a published honour. Rules: `domain::honours::notice`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::honours::wall::{Honour, PublicHonourPage};
use crate::api::types::{page_of, wire_enum};
use crate::api::volunteering::tasks::ReasonRequest;
use crate::domain::honours::notice;
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The public notice of honours and objections.
pub struct HonourNoticeApi;

wire_enum! {
    /// Where an objection stands.
    HonourObjectionStatus mirrors entity::honour_objection::ObjectionStatus {
        Open = "open", Upheld = "upheld", Dismissed = "dismissed",
    }
}

/// An objection to file.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourObjectionRequest {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub statement: String,
}

/// An objection to an honour in public notice.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct HonourObjection {
    pub id: Uuid,
    pub honour_id: Uuid,
    pub programme_id: Uuid,
    pub objector_id: Uuid,
    pub statement: String,
    pub status: HonourObjectionStatus,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl From<entity::honour_objection::Model> for HonourObjection {
    fn from(o: entity::honour_objection::Model) -> Self {
        HonourObjection {
            id: o.id,
            honour_id: o.honour_id,
            programme_id: o.programme_id,
            objector_id: o.objector_id,
            statement: o.statement,
            status: o.status.into(),
            resolution: o.resolution,
            resolved_by: o.resolved_by,
            created_at: o.created_at,
            resolved_at: o.resolved_at,
        }
    }
}

page_of!(HonourObjectionPage, HonourObjection);

/// Resolving an objection.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct HonourResolveRequest {
    /// `true`: the objection holds and the honour is withdrawn.
    pub upheld: bool,
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
}

#[OpenApi(tag = "Tag::Honours")]
impl HonourNoticeApi {
    /// Honours in public notice (公示) now, with the end of the notice. No sign-in needed.
    #[oai(path = "/api/v1/honour-notices", method = "get", operation_id = "listHonourNotices")]
    async fn notices(
        &self,
        state: Data<&AppState>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PublicHonourPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::notices(&state.db, page).await?.into()))
    }

    /// Object to an honour in public notice, with a statement (once per person and honour).
    #[oai(path = "/api/v1/honours/:id/objections", method = "post", operation_id = "objectToHonour")]
    async fn object(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourObjectionRequest>,
    ) -> ApiResult<crate::api::Created<HonourObjection>> {
        let o = notice::object(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.statement).await?;
        Ok(crate::api::Created::Created(Json(o.into())))
    }

    /// A programme's objections, oldest first (city administrators).
    #[oai(path = "/api/v1/honour-programmes/:id/objections", method = "get", operation_id = "listHonourObjections")]
    async fn objections(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<HonourObjectionPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(notice::objections(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// Resolve an objection with a reason (city administrators): upheld withdraws the honour.
    #[oai(path = "/api/v1/honour-objections/:id/resolve", method = "post", operation_id = "resolveHonourObjection")]
    async fn resolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<HonourResolveRequest>,
    ) -> ApiResult<Json<HonourObjection>> {
        let b = body.0;
        let o = notice::resolve(&state.db, &auth.0.actor(), state.clock.now(), id.0, b.upheld, &b.reason).await?;
        Ok(Json(o.into()))
    }

    /// Revoke a published honour for fraud, with a reason (city administrators).
    #[oai(path = "/api/v1/honours/:id/revoke", method = "post", operation_id = "revokeHonour")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> ApiResult<Json<Honour>> {
        Ok(Json(notice::revoke(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.reason).await?.into()))
    }
}
