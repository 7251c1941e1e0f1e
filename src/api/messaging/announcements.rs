//! `/api/v1/announcements`: station administrators announce to their subtree, city
//! administrators to any subtree, optionally only to some roles. Delivery (inbox rows, pushes)
//! happens in the background in batches; `delivered` and `completedAt` show its progress.
//! Rules: `domain::announcements`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{Role, page_of};
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::messaging::announcements::{self, NewAnnouncement, Received, roles_of};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::announcement;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Announcements.
pub struct AnnouncementsApi;

/// An announcement to publish.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAnnouncementRequest {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(min_length = 1, max_length = 4000))]
    pub body: String,
    /// Root of the audience's subtree, in one's scope. A station administrator may leave it out
    /// (their station); a city administrator must name it (else 400 `org_unit_required`).
    pub org_unit_id: Option<Uuid>,
    /// Only people with these roles; empty or absent: everyone.
    #[oai(validator(max_items = 4))]
    pub roles: Option<Vec<Role>>,
}

/// A published announcement and its delivery progress.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Announcement {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub roles: Vec<Role>,
    pub title: String,
    pub body: String,
    pub author_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// People given an inbox row so far. Delivery runs in the background: the count grows
    /// while `completedAt` is null (0 in the answer to publishing means "not started yet", not
    /// "nobody") and is final once `completedAt` is set.
    #[oai(rename = "delivered")]
    pub recipients: i32,
    /// When delivery to inboxes finished; until then `delivered` is still growing.
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<announcement::Model> for Announcement {
    fn from(a: announcement::Model) -> Self {
        Announcement {
            id: a.id,
            org_unit_id: a.org_unit_id,
            roles: roles_of(&a).into_iter().map(Into::into).collect(),
            title: a.title,
            body: a.body,
            author_id: a.author_id,
            created_at: a.created_at,
            recipients: a.recipients,
            completed_at: a.completed_at,
        }
    }
}

page_of!(AnnouncementPage, Announcement);

/// An announcement sent to oneself.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct ReceivedAnnouncement {
    pub id: Uuid,
    /// The unit whose people it went to.
    pub org_unit_id: Uuid,
    pub title: String,
    pub body: String,
    /// When it was published.
    pub created_at: DateTime<Utc>,
    /// The inbox notification it arrived as (marking that read marks this read).
    pub notification_id: Uuid,
    /// When it reached one's inbox.
    pub received_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Received> for ReceivedAnnouncement {
    fn from(r: Received) -> Self {
        let (a, n) = (r.announcement, r.notification);
        ReceivedAnnouncement {
            id: a.id,
            org_unit_id: a.org_unit_id,
            title: a.title,
            body: a.body,
            created_at: a.created_at,
            notification_id: n.id,
            received_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

page_of!(ReceivedAnnouncementPage, ReceivedAnnouncement);

#[OpenApi(prefix_path = "/api/v1/announcements", tag = "Tag::Notifications")]
impl AnnouncementsApi {
    /// Publish an announcement to a subtree in one's scope (administrators).
    #[oai(path = "/", method = "post", operation_id = "createAnnouncement")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateAnnouncementRequest>,
    ) -> ApiResult<Created<Announcement>> {
        let b = body.0;
        let new = NewAnnouncement {
            org_unit_id: b.org_unit_id,
            roles: b.roles.unwrap_or_default().into_iter().map(Into::into).collect(),
            title: b.title,
            body: b.body,
        };
        let a = announcements::create(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(Created::Created(Json(a.into())))
    }

    /// Announcements to units in one's scope, newest first (administrators).
    #[oai(path = "/", method = "get", operation_id = "listAnnouncements")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<AnnouncementPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(announcements::list(&state.db, &auth.0.actor(), page).await?.into()))
    }

    /// One announcement in one's scope, with its delivery progress (administrators).
    #[oai(path = "/:id", method = "get", operation_id = "getAnnouncement")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Announcement>> {
        Ok(Json(announcements::get(&state.db, &auth.0.actor(), id.0).await?.into()))
    }
}
