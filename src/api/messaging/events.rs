//! `GET /api/v1/me/events`: live events (Server-Sent Events) for an open app: the signed-in
//! person's new inbox items, pair-thread messages and seat changes, as they arrive.
//!
//! - Each event is `data: <LiveEvent JSON>` with `id: <inbox row id>`; ids are ordered. After a
//!   dropped connection, reconnecting with `Last-Event-ID` replays what was missed (from the
//!   inbox), then goes on live; without it the stream starts with what arrives next.
//! - `?once=true` answers what is after `Last-Event-ID` (at most a few hundred events) and
//!   ends: a catch-up without keeping a connection (and how the authorization matrix calls it).
//! - A comment line (`:`) every 15 s keeps idle connections open.
//! - At most 5 open streams per person and instance: a sixth closes the oldest.
//! - The stream ends when its session ends: at once on sign-out on any instance, within a poll
//!   (≤ 5 s with Redis, < 1 s embedded) on revocation (password reset, suspension, erasure).
//!
//! Wake-ups: `crate::live`; what is shown: `domain::messaging::live`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::{ApiError, ApiResult};
use crate::api::messaging::notifications::Notification;
use crate::domain::DomainError;
use crate::domain::messaging::live::{self, Kind};
use crate::live::{HEARTBEAT, Signal, StreamGuard};
use crate::state::AppState;
use entity::notification;
use futures::stream::{self, BoxStream, StreamExt};
use poem::web::Data;
use poem::web::sse::Event;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON;
use poem_openapi::{Enum, Object, OpenApi};
use std::collections::VecDeque;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Live events.
pub struct EventsApi;

/// What a live event is about.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "camelCase")]
pub enum LiveEventKind {
    /// A new inbox item.
    Inbox,
    /// A new message in one of one's pair threads (`notification.data` names the pairing and
    /// message).
    ThreadMessage,
    /// A seat changed: waitlist promotion, approval, removal, one's task cancelled.
    Seat,
}

impl From<Kind> for LiveEventKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Inbox => LiveEventKind::Inbox,
            Kind::ThreadMessage => LiveEventKind::ThreadMessage,
            Kind::Seat => LiveEventKind::Seat,
        }
    }
}

/// One live event (the SSE `data`); its `id` is also the SSE event id.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct LiveEvent {
    pub id: Uuid,
    pub kind: LiveEventKind,
    /// The inbox item it is.
    pub notification: Notification,
}

impl From<notification::Model> for LiveEvent {
    fn from(n: notification::Model) -> Self {
        LiveEvent { id: n.id, kind: live::kind_of(&n.template).into(), notification: n.into() }
    }
}

/// Most events a `?once` catch-up answers.
const ONCE_MAX_BATCHES: usize = 5;

#[OpenApi(prefix_path = "/api/v1/me/events", tag = "Tag::Notifications")]
impl EventsApi {
    /// Live events (Server-Sent Events): one's new inbox items, pair-thread messages and seat
    /// changes. Resume with `Last-Event-ID`; `?once=true` answers the missed events and ends.
    /// At most 5 streams per person: a sixth closes the oldest. Ends when the session ends.
    #[oai(path = "/", method = "get", operation_id = "streamEvents")]
    async fn stream(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// The id of the last event received: the stream replays what came after it.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
        /// Answer the events after `Last-Event-ID` and end, instead of staying open.
        once: Query<Option<bool>>,
    ) -> ApiResult<EventStream<BoxStream<'static, LiveEvent>>> {
        let after = match last_event_id.0.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                Uuid::parse_str(s)
                    .map_err(|_| ApiError::from(DomainError::validation("Last-Event-ID must be the id of an event")))?,
            ),
            None => None,
        };
        let (user, session) = (auth.0.user.id, auth.0.session_id);
        let state = state.0.clone();
        if once.0.unwrap_or(false) {
            let mut events = Vec::new();
            let mut cursor = after;
            for _ in 0..ONCE_MAX_BATCHES {
                let rows = live::after(&state.db, user, cursor).await?;
                let full = rows.len() as u64 == live::BATCH;
                cursor = rows.last().map(|r| r.id).or(cursor);
                events.extend(rows.into_iter().map(LiveEvent::from));
                if !full || cursor.is_none() {
                    break;
                }
            }
            return Ok(sse(stream::iter(events).boxed()));
        }
        // Subscribe before reading the cursor: news committed in between is seen, not missed.
        let signals = state.live.subscribe().await;
        let cursor = match after {
            Some(a) => Some(a),
            None => live::newest(&state.db, user).await?,
        };
        let guard = state.live.open_stream(user);
        let next_look = tokio::time::Instant::now() + state.live.poll_every();
        let open = Open {
            state,
            user,
            session,
            cursor,
            pending: VecDeque::new(),
            more: after.is_some(),
            signals,
            guard,
            next_look,
        };
        Ok(sse(stream::unfold(open, next).boxed()))
    }
}

fn sse(events: BoxStream<'static, LiveEvent>) -> EventStream<BoxStream<'static, LiveEvent>> {
    EventStream::new(events).keep_alive(HEARTBEAT).to_event(|e| Event::message(e.to_json_string()).id(e.id.to_string()))
}

/// An open stream between events.
struct Open {
    state: AppState,
    user: Uuid,
    session: Uuid,
    /// The last event sent (or the start).
    cursor: Option<Uuid>,
    pending: VecDeque<notification::Model>,
    /// Whether the database may hold more after the cursor than was read.
    more: bool,
    signals: broadcast::Receiver<Signal>,
    guard: StreamGuard,
    /// When the stream looks at the database unprompted: a fixed instant, so that signals for
    /// other people (an announcement wakes thousands) do not keep putting the look off.
    next_look: tokio::time::Instant,
}

/// The stream's next event; `None` ends it.
async fn next(mut o: Open) -> Option<(LiveEvent, Open)> {
    loop {
        if let Some(n) = o.pending.pop_front() {
            o.cursor = Some(n.id);
            return Some((n.into(), o));
        }
        if !o.more {
            let poll = tokio::time::sleep_until(o.next_look);
            tokio::select! {
                _ = o.guard.token.cancelled() => return None,
                signal = o.signals.recv() => match signal {
                    Ok(Signal::News(u)) if u == o.user => {}
                    Ok(Signal::SessionEnded(u)) if u == o.user => {
                        if !session_live(&o).await {
                            return None;
                        }
                        continue;
                    }
                    Ok(_) => continue,
                    // Missed signals: look anyway.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = poll => {
                    if !session_live(&o).await {
                        return None;
                    }
                }
            }
        }
        o.next_look = tokio::time::Instant::now() + o.state.live.poll_every();
        let rows = match live::after(&o.state.db, o.user, o.cursor).await {
            Ok(rows) => rows,
            Err(e) => {
                // The app reconnects with Last-Event-ID and misses nothing.
                tracing::warn!(error = %e, "live events: reading the inbox failed; closing the stream");
                return None;
            }
        };
        o.more = rows.len() as u64 == live::BATCH;
        o.pending.extend(rows);
    }
}

async fn session_live(o: &Open) -> bool {
    // A failed check keeps the stream: the next look asks again.
    live::session_live(&o.state.db, o.session, o.state.clock.now()).await.unwrap_or(true)
}
