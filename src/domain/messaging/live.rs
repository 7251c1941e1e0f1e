//! Live events: what an open app is shown on `GET /api/v1/me/events`. Every event is a row of
//! the person's inbox, so the stream and its replay are one query: the rows after a cursor, in
//! id order. A new pair-thread message and a seat change (waitlist promotion, removal,
//! cancellation of one's task, …) reach the inbox like everything else and are told apart by
//! their template ([`kind_of`]).
//!
//! Event ids are the inbox rows' ids (UUIDv7, ordered by creation): `Last-Event-ID` resumes after
//! the last one seen, with nothing lost or repeated. An inbox row made by a transaction that
//! commits later than a newer row already sent (two workers within milliseconds) can be passed
//! over by the cursor; the inbox itself still holds it.
//!
//! Table: `notifications` (reads), `sessions` (is the stream's session still live).

use crate::domain::DomainResult;
use chrono::{DateTime, Utc};
use entity::{notification, session, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Most events read per query; a longer backlog is read in further queries.
pub const BATCH: u64 = 100;

/// What an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A message in one of the person's mentoring pair threads.
    ThreadMessage,
    /// A change to one of the person's seats on a task.
    Seat,
    /// Anything else in the inbox.
    Inbox,
}

/// The kind of event an inbox row of this template is.
pub fn kind_of(template: &str) -> Kind {
    const SEAT: [&str; 8] = [
        "task.seat_confirmed",
        "task.signup_approved",
        "task.signup_denied",
        "task.signup_removed",
        "task.signup_waitlisted",
        "task.cancelled",
        "task.cancelled_with_reason",
        "task.guardian_withdrawn",
    ];
    if template == "mentoring.message" {
        Kind::ThreadMessage
    } else if SEAT.contains(&template) {
        Kind::Seat
    } else {
        Kind::Inbox
    }
}

/// The person's inbox rows after `after` (all when `None`), oldest first, at most [`BATCH`].
pub async fn after(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    after: Option<Uuid>,
) -> DomainResult<Vec<notification::Model>> {
    let mut q = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if let Some(a) = after {
        q = q.filter(notification::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(notification::Column::Id).limit(BATCH).all(db).await?)
}

/// The id of the person's newest inbox row: a stream opened without `Last-Event-ID` starts
/// after it.
pub async fn newest(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Option<Uuid>> {
    Ok(notification::Entity::find()
        .select_only()
        .column(notification::Column::Id)
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_desc(notification::Column::Id)
        .limit(1)
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

/// Whether a session is still live (not signed out or revoked, not expired, its person active).
pub async fn session_live(db: &impl ConnectionTrait, session_id: Uuid, now: DateTime<Utc>) -> DomainResult<bool> {
    let Some(s) = session::Entity::find_by_id(session_id).one(db).await? else { return Ok(false) };
    if s.revoked_at.is_some() || s.expires_at <= now {
        return Ok(false);
    }
    let active =
        user::Entity::find_by_id(s.user_id).one(db).await?.is_some_and(|u| u.status == user::UserStatus::Active);
    Ok(active)
}
