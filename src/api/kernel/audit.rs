//! `/api/v1/audit-log`: who changed what, when, before and after. City administrators only.
//! Rules and table: `domain::audit`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::page_of;
use crate::domain::kernel::audit::{self, Filter};
use crate::domain::kernel::page::PageRequest;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::audit_log;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// The audit log.
pub struct AuditApi;

/// One recorded change.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: Uuid,
    /// Absent for changes made from the command line.
    pub actor_id: Option<Uuid>,
    /// Dotted verb, e.g. `user.update`, `org_unit.move`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        AuditEntry {
            id: m.id,
            actor_id: m.actor_id,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            before: m.before,
            after: m.after,
            reason: m.reason,
            at: m.at,
        }
    }
}

page_of!(AuditPage, AuditEntry);

#[OpenApi(prefix_path = "/api/v1/audit-log", tag = "Tag::Audit")]
impl AuditApi {
    /// Recorded changes, newest first (city administrators).
    #[oai(path = "/", method = "get", operation_id = "listAuditLog")]
    #[allow(clippy::too_many_arguments, reason = "one extractor per query parameter, as poem-openapi declares them")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "actorId")] actor_id: Query<Option<Uuid>>,
        #[oai(name = "targetType", validator(max_length = 32))] target_type: Query<Option<String>>,
        #[oai(name = "targetId")] target_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 64))] action: Query<Option<String>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<AuditPage>> {
        auth.0.actor().require_city_admin()?;
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        let filter =
            Filter { actor_id: actor_id.0, target_type: target_type.0, target_id: target_id.0, action: action.0 };
        Ok(Json(audit::list(&state.db, filter, page).await?.into()))
    }
}
