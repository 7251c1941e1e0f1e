//! The pair's message thread (`/api/v1/mentoring/pairings/{id}/messages`): sending, listing and
//! marking read. Rules: `domain::mentoring::threads`.

use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::page_of;
use crate::api::{Created, Tag};
use crate::domain::kernel::page::PageRequest;
use crate::domain::mentoring::threads;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Pair message threads.
pub struct PairThreadsApi;

/// One message of a pair's thread.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairMessage {
    pub id: Uuid,
    pub pairing_id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    /// When the recipient read it.
    pub read_at: Option<DateTime<Utc>>,
    /// Moves when it is read (what `since` compares with).
    pub updated_at: DateTime<Utc>,
}

impl From<entity::pair_message::Model> for PairMessage {
    fn from(m: entity::pair_message::Model) -> Self {
        PairMessage {
            id: m.id,
            pairing_id: m.pairing_id,
            sender_id: m.sender_id,
            recipient_id: m.recipient_id,
            body: m.body,
            sent_at: m.sent_at,
            read_at: m.read_at,
            updated_at: m.updated_at,
        }
    }
}

page_of!(PairMessagePage, PairMessage);

/// A message to send.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendPairMessageRequest {
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub body: String,
}

/// Which received messages to mark read.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkPairMessagesReadRequest {
    /// Up to and including this message; all when absent.
    pub up_to: Option<Uuid>,
}

/// How many messages changed.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct PairMessagesMarked {
    pub marked: u64,
}

#[OpenApi(tag = "Tag::Mentoring")]
impl PairThreadsApi {
    /// Write to the other side of an active pair. The other side gets an inbox item and a push
    /// (collapsed per thread) that says who wrote, never what.
    #[oai(path = "/api/v1/mentoring/pairings/:id/messages", method = "post", operation_id = "sendPairMessage")]
    async fn send(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<SendPairMessageRequest>,
    ) -> ApiResult<Created<PairMessage>> {
        let m = threads::send(&state.db, &auth.0.actor(), state.clock.now(), id.0, &body.body).await?;
        Ok(Created::Created(Json(m.into())))
    }

    /// A pair's thread, newest first (the pair, administrators in scope). With `since`, only
    /// messages sent or read after that instant (delta sync).
    #[oai(path = "/api/v1/mentoring/pairings/:id/messages", method = "get", operation_id = "listPairMessages")]
    async fn messages(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        since: Query<Option<DateTime<Utc>>>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<PairMessagePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(threads::list(&state.db, &auth.0.actor(), id.0, since.0, page).await?.into()))
    }

    /// Mark the messages one received in a thread read, up to a message (the pair).
    #[oai(
        path = "/api/v1/mentoring/pairings/:id/messages/read",
        method = "post",
        operation_id = "markPairMessagesRead"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MarkPairMessagesReadRequest>,
    ) -> ApiResult<Json<PairMessagesMarked>> {
        let n = threads::mark_read(&state.db, &auth.0.actor(), state.clock.now(), id.0, body.0.up_to).await?;
        Ok(Json(PairMessagesMarked { marked: n }))
    }
}
