//! Live events over Server-Sent Events: an event caused on one instance reaches a stream on
//! another when it is woken, not at its own look; reconnecting with `Last-Event-ID` replays what was missed with no
//! loss and no duplicate; the stream ends when its session signs out; a sixth stream closes a
//! person's oldest; `?once` answers and ends.

use crate::helpers::{Session, TestApp, eventually, spawn_app};
use entity::notification;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::{Value, json};
use std::time::Duration;
use wushe::domain::messaging::notifications::{self, Category, Message};

/// How long a woken stream may take to show an event. Generous for a loaded CI machine, yet
/// under a stream's own look at the database with Redis between instances
/// ([`wushe::live::POLL_WITH_REDIS`], 5 s), so a stream that was never woken still fails.
const WOKEN: u64 = 4;
/// How long a reconnecting stream may take to replay what it missed (read at once on opening).
const REPLAY: u64 = 10;

/// An open event stream, read event by event.
struct Stream {
    resp: reqwest::Response,
    buf: String,
}

/// One SSE event: its id and its data.
#[derive(Debug)]
struct Ev {
    id: String,
    data: Value,
}

async fn open(app: &TestApp, s: &Session, last: Option<&str>) -> Stream {
    let mut req = app.client.get(format!("{}/api/v1/me/events", app.base)).bearer_auth(&s.access);
    if let Some(l) = last {
        req = req.header("Last-Event-ID", l);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    Stream { resp, buf: String::new() }
}

impl Stream {
    /// The next event; `None` when the stream ended.
    async fn next(&mut self) -> Option<Ev> {
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut data) = (None, None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(serde_json::from_str(v.trim()).unwrap());
                    }
                }
                // Heartbeats are comment lines: no id, no data.
                if let (Some(id), Some(data)) = (id, data) {
                    return Some(Ev { id, data });
                }
            }
            let chunk = self.resp.chunk().await.ok()??;
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event, failing after `secs` seconds.
    async fn within(&mut self, secs: u64) -> Ev {
        tokio::time::timeout(Duration::from_secs(secs), self.next())
            .await
            .expect("an event in time")
            .expect("the stream is open")
    }
}

/// Tells `to` something through the outbox and waits until the inbox row exists; its id.
async fn tell(app: &TestApp, to: &Session, key: &str) -> String {
    let txn = app.db().begin().await.unwrap();
    let m = Message::new(to.user_id.parse().unwrap(), Category::System, "system.message", key).param("text", key);
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
    let find = || {
        notification::Entity::find()
            .filter(notification::Column::DedupeKey.eq(key))
            .order_by_asc(notification::Column::Id)
            .one(app.db())
    };
    eventually(20, "the inbox row", || async { find().await.unwrap().is_some() }).await;
    find().await.unwrap().unwrap().id.to_string()
}

#[tokio::test]
async fn events_cross_instances_and_resume_without_loss_or_duplicate() {
    let a = spawn_app().await;
    a.start_workers();
    let b = a.spawn_peer().await;
    let v = a.register_volunteer().await;
    let old = tell(&a, &v, "before-open").await;

    // A stream on B; the message is delivered by A's workers.
    let mut stream = open(&b, &v, None).await;
    let first = tell(&a, &v, "m1").await;
    let e = stream.within(WOKEN).await;
    assert_eq!(e.id, first, "only what arrived after opening ({old} is older)");
    assert_eq!(e.data["id"], first.as_str());
    assert_eq!(e.data["kind"], "inbox");
    assert_eq!(e.data["notification"]["id"], first.as_str());
    drop(stream);

    // Missed while disconnected.
    let missed = [tell(&a, &v, "m2").await, tell(&a, &v, "m3").await];
    let mut stream = open(&b, &v, Some(&first)).await;
    let replayed = [stream.within(REPLAY).await.id, stream.within(REPLAY).await.id];
    assert_eq!(replayed, missed);
    let live = tell(&a, &v, "m4").await;
    assert_eq!(stream.within(WOKEN).await.id, live, "then live, with nothing repeated");

    // The catch-up form answers the same and ends.
    let once = a
        .client
        .get(format!("{}/api/v1/me/events?once=true", b.base))
        .bearer_auth(&v.access)
        .header("Last-Event-ID", &first)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ids: Vec<&str> = once.lines().filter_map(|l| l.strip_prefix("id:")).map(str::trim).collect();
    assert_eq!(ids, [missed[0].as_str(), missed[1].as_str(), live.as_str()]);
    drop(stream);
    drop(b);
}

#[tokio::test]
async fn an_announcement_reaches_open_streams_on_another_instance_at_once() {
    let a = spawn_app().await;
    a.start_workers();
    let b = a.spawn_peer().await;
    let f = a.two_stations().await;
    let [east, west] = &f.stations;
    let mut listening = open(&b, &east.volunteer, None).await;
    let mut elsewhere = open(&b, &west.volunteer, None).await;
    let id = a
        .post("/api/v1/announcements", Some(&east.admin.access), json!({"title": "停水通知", "body": "明早八点"}))
        .await
        .expect(201)
        .str("id");
    // Woken by the fan-out itself: within the streams' own look at the database (5 s with Redis
    // between the instances).
    let e = listening.within(WOKEN).await;
    assert_eq!(e.data["kind"], "inbox");
    assert_eq!(e.data["notification"]["data"]["announcementId"], id.as_str());
    assert_eq!(e.data["notification"]["title"], "停水通知");
    let none = tokio::time::timeout(Duration::from_millis(600), elsewhere.next()).await;
    assert!(none.is_err(), "another station's volunteer is told nothing: {none:?}");
}

#[tokio::test]
async fn the_stream_ends_when_its_session_signs_out() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let other = app.login(&v.phone, crate::helpers::PASSWORD).await;
    let mut mine = open(&app, &v, None).await;
    let mut theirs = open(&app, &other, None).await;
    app.post("/api/v1/auth/logout", None, json!({"refreshToken": v.refresh})).await.expect(204);
    let ended = tokio::time::timeout(Duration::from_secs(2), mine.next()).await.expect("ended in time");
    assert!(ended.is_none(), "the signed-out session's stream ends");
    // The other session's stream stays open.
    assert!(tokio::time::timeout(Duration::from_millis(300), theirs.next()).await.is_err());
}

#[tokio::test]
async fn a_sixth_stream_closes_the_oldest() {
    let app = spawn_app().await;
    let v = app.register_volunteer().await;
    let user = v.user_id.parse().unwrap();
    let mut streams = Vec::new();
    for _ in 0..5 {
        streams.push(open(&app, &v, None).await);
    }
    assert_eq!(app.state.live.open_streams(user), 5);
    let _sixth = open(&app, &v, None).await;
    let oldest = tokio::time::timeout(Duration::from_secs(2), streams[0].next()).await.expect("closed in time");
    assert!(oldest.is_none(), "the oldest stream was closed");
    assert_eq!(app.state.live.open_streams(user), 5);
    app.get("/api/v1/me/events?once=true", None).await.expect_problem(401, "unauthorized");
    let bad = app
        .client
        .get(format!("{}/api/v1/me/events?once=true", app.base))
        .bearer_auth(&v.access)
        .header("Last-Event-ID", "not-an-id")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}
