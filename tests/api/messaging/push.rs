//! Push through FCM HTTP v1 against the fake FCM: each outcome (delivered, dead tokens,
//! retries honouring Retry-After, payload errors and APNs credential errors as dead letters),
//! access-token caching with one refresh for 100 concurrent sends, and refresh on a 401.

use crate::fake_fcm::{self, FakeFcm};
use crate::helpers::{Session, TestApp, eventually, spawn_app_with};
use chrono::{DateTime, Utc};
use entity::{device, push_delivery};
use jobs::push::fcm::{FcmProvider, ServiceAccount};
use jobs::push::{PushMessage, PushOutcome, PushProvider, PushTarget};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use std::collections::BTreeMap;
use wushe::domain::messaging::notifications::{self, Category, Message};

async fn app_with_fcm() -> (TestApp, FakeFcm, tempfile::TempDir) {
    let fake = FakeFcm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let creds = fake.credentials_file(dir.path());
    let base = fake.base.clone();
    let app = spawn_app_with(|c| {
        c.jobs.fcm_credentials = Some(creds);
        c.jobs.fcm_endpoint = Some(base);
    })
    .await;
    // Noon in Shanghai: no quiet hours in the way.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc));
    app.start_workers();
    (app, fake, dir)
}

async fn with_devices(app: &TestApp, tokens: &[&str]) -> Session {
    let v = app.register_volunteer().await;
    for t in tokens {
        app.post("/api/v1/me/devices", Some(&v.access), json!({"platform": "android", "token": t})).await.expect(201);
    }
    v
}

async fn call_out(app: &TestApp, to: &Session, key: &str) {
    let txn = app.db().begin().await.unwrap();
    let m = Message::new(to.user_id.parse().unwrap(), Category::RescueCallout, "rescue.callout", key)
        .param("place", "东湖小区3号楼")
        .data("taskId", "42");
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
}

async fn statuses(app: &TestApp) -> BTreeMap<String, (String, i32)> {
    let devices = device::Entity::find().all(app.db()).await.unwrap();
    let rows = push_delivery::Entity::find().all(app.db()).await.unwrap();
    rows.into_iter()
        .map(|r| {
            let token = devices.iter().find(|d| d.id == r.device_id).unwrap().token.clone();
            (token, (r.status.as_str().to_string(), r.attempts))
        })
        .collect()
}

async fn active(app: &TestApp, token: &str) -> bool {
    device::Entity::find().filter(device::Column::Token.eq(token)).one(app.db()).await.unwrap().unwrap().active
}

#[tokio::test]
async fn delivers_and_drops_dead_tokens() {
    let (app, fake, _dir) = app_with_fcm().await;
    let v = with_devices(&app, &["ok-1", "unregistered-1", "sender-mismatch-1", "bad-token-1"]).await;
    call_out(&app, &v, "c1").await;
    eventually(20, "every device tried", || async {
        let s = statuses(&app).await;
        s.len() == 4 && s.values().all(|(st, _)| st != "pending" && st != "sending")
    })
    .await;
    let s = statuses(&app).await;
    assert_eq!(s["ok-1"], ("delivered".to_string(), 1));
    for t in ["unregistered-1", "sender-mismatch-1", "bad-token-1"] {
        assert_eq!(s[t].0, "dropped", "{t}");
        assert!(!active(&app, t).await, "{t} deactivated");
    }
    assert!(active(&app, "ok-1").await);
    let delivered = fake.delivered();
    assert_eq!(delivered.len(), 1);
    let (token, msg) = &delivered[0];
    assert_eq!(token, "ok-1");
    assert_eq!(msg["android"]["priority"], "HIGH", "rescue call-outs are high priority");
    assert_eq!(msg["apns"]["headers"]["apns-priority"], "10");
    assert_eq!(msg["android"]["ttl"], "3600s");
    assert_eq!(msg["data"]["kind"], "rescue_callout");
    assert_eq!(msg["data"]["taskId"], "42");
    assert!(msg["data"]["notificationId"].is_string());
    let text = msg.to_string();
    assert!(!text.contains("东湖小区"), "no personal data or places in a push: {text}");
    assert!(fake.state.refused.lock().unwrap().is_empty(), "every request was valid FCM");
    assert_eq!(fake.token_requests(), 1, "one access token for every send");
    // The inbox has the full text.
    let n = app.get("/api/v1/me/notifications", Some(&v.access)).await.expect(200);
    assert!(n.body["items"][0]["body"].as_str().unwrap().contains("东湖小区3号楼"));
}

#[tokio::test]
async fn retryable_errors_retry_after_retry_after_and_reach_only_the_rest() {
    let (app, fake, _dir) = app_with_fcm().await;
    let v = with_devices(&app, &["ok-2", "quota-2", "unavailable-2", "internal-2"]).await;
    call_out(&app, &v, "c2").await;
    eventually(20, "the first attempt", || async {
        let s = statuses(&app).await;
        s.len() == 4 && s.values().filter(|(st, _)| st == "retry").count() == 3
    })
    .await;
    assert_eq!(fake.delivered().len(), 1);
    eventually(20, "the job to wait for its retry", || async {
        app.state.jobs.push_queue.stats().await.unwrap().delayed == 1
    })
    .await;
    // QUOTA_EXCEEDED said Retry-After: 1, which wins over the backoff: one second later it runs.
    app.clock.advance(chrono::Duration::milliseconds(1100));
    eventually(20, "the retry", || async {
        fake.delivered().len() == 4 && statuses(&app).await.values().all(|(st, _)| st == "delivered")
    })
    .await;
    let s = statuses(&app).await;
    assert_eq!(s["ok-2"], ("delivered".to_string(), 1), "not sent twice");
    for t in ["quota-2", "unavailable-2", "internal-2"] {
        assert_eq!(s[t], ("delivered".to_string(), 2), "{t}");
    }
    let tokens: Vec<String> = fake.delivered().into_iter().map(|(t, _)| t).collect();
    assert_eq!(tokens.iter().filter(|t| *t == "ok-2").count(), 1);
    // The retry lives only as long as was left of the call-out's hour.
    let ttl_of =
        |token: &str| fake.delivered().into_iter().find(|(t, _)| t == token).unwrap().1["android"]["ttl"].clone();
    assert_eq!(ttl_of("ok-2"), "3600s");
    assert_eq!(ttl_of("quota-2"), "3598s", "1.1 s after the first try");
}

#[tokio::test]
async fn a_push_held_back_past_its_time_to_live_is_not_sent() {
    let (app, fake, _dir) = app_with_fcm().await;
    let v = with_devices(&app, &["ok-5", "quota-5"]).await;
    call_out(&app, &v, "c5").await;
    eventually(20, "the first attempt", || async {
        let s = statuses(&app).await;
        s.len() == 2 && s["quota-5"].0 == "retry" && s["ok-5"].0 == "delivered"
    })
    .await;
    eventually(20, "the job to wait for its retry", || async {
        app.state.jobs.push_queue.stats().await.unwrap().delayed == 1
    })
    .await;
    // A call-out lives an hour; the provider let it through only after more than that.
    app.clock.advance(chrono::Duration::minutes(61));
    eventually(20, "the retry to give the push up", || async { statuses(&app).await["quota-5"].0 == "skipped" }).await;
    let row = push_delivery::Entity::find().filter(push_delivery::Column::Status.eq("skipped")).one(app.db()).await;
    assert_eq!(row.unwrap().unwrap().last_outcome.as_deref(), Some("expired"));
    eventually(20, "the job done", || async {
        let q = app.state.jobs.push_queue.stats().await.unwrap();
        q.ready + q.running + q.delayed + q.dead == 0
    })
    .await;
    let tokens: Vec<String> = fake.delivered().into_iter().map(|(t, _)| t).collect();
    assert_eq!(tokens, ["ok-5"], "nothing sent after its time");
}

#[tokio::test]
async fn payload_and_apns_credential_errors_are_dead_letters() {
    let (app, _fake, _dir) = app_with_fcm().await;
    let admin = app.city_admin().await;
    let v = with_devices(&app, &["bad-payload-3"]).await;
    let w = with_devices(&app, &["third-party-3"]).await;
    call_out(&app, &v, "c3").await;
    call_out(&app, &w, "c3").await;
    eventually(20, "two dead letters", || async { app.state.jobs.push_queue.stats().await.unwrap().dead == 2 }).await;
    let dead = app.get("/api/v1/admin/jobs/dead?queue=push", Some(&admin.access)).await.expect(200);
    let items = dead.body["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["kind"] == "push.send" && i["attempts"] == 1 && i["queue"] == "push"));
    let main = app.get("/api/v1/admin/jobs/dead", Some(&admin.access)).await.expect(200);
    assert_eq!(main.body["items"], json!([]), "pushes die in their own queue");
    let mut errors: Vec<&str> = items.iter().map(|i| i["error"].as_str().unwrap()).collect();
    errors.sort();
    assert_eq!(errors, ["INVALID_ARGUMENT: payload", "THIRD_PARTY_AUTH_ERROR"]);
    let s = statuses(&app).await;
    assert_eq!(s["bad-payload-3"].0, "failed");
    assert_eq!(s["third-party-3"].0, "failed");
    assert!(active(&app, "bad-payload-3").await, "a payload error is ours, not the token's");
}

fn account(fake: &FakeFcm) -> ServiceAccount {
    ServiceAccount {
        project_id: fake_fcm::PROJECT.into(),
        private_key: fake_fcm::PRIVATE_KEY.into(),
        private_key_id: Some("k".into()),
        client_email: fake_fcm::CLIENT_EMAIL.into(),
        token_uri: format!("{}/token", fake.base),
    }
}

fn message() -> PushMessage {
    PushMessage {
        title: "t".into(),
        body: "b".into(),
        data: BTreeMap::from([("kind".into(), "system".into())]),
        high_priority: false,
        ttl: None,
        collapse_key: None,
        tag: None,
        class: Default::default(),
    }
}

#[tokio::test]
async fn one_token_request_for_a_hundred_concurrent_sends_and_one_refresh_on_401() {
    let fake = FakeFcm::start().await;
    let fcm = FcmProvider::new(account(&fake), &fake.base, 200, std::time::Duration::from_secs(10)).unwrap();
    let targets: Vec<PushTarget> = (0..100)
        .map(|i| PushTarget { device_id: uuid::Uuid::now_v7(), platform: "android".into(), token: format!("ok-{i}") })
        .collect();
    let m = message();
    let outcomes = futures::future::join_all(targets.iter().map(|t| fcm.send(t, &m))).await;
    assert!(outcomes.iter().all(|o| *o == PushOutcome::Delivered));
    assert_eq!(fake.token_requests(), 1);
    assert_eq!(fake.delivered().len(), 100);

    fake.expire_tokens();
    assert_eq!(fcm.send(&targets[0], &m).await, PushOutcome::Delivered, "refreshed once and resent");
    assert_eq!(fake.token_requests(), 2);
    assert_eq!(fake.delivered().len(), 101);
}
