//! At-least-once push when runs are lost: a job's next run takes over the claims its dead run
//! left (and only those, until other claims lapse), the sweep hands back claims that outlived
//! their run, a send whose outcome is unknown (provider timeout) goes once more with the same
//! tag, and a slow provider holds up no other kind of job. The same under separate processes and
//! `kill -9` is the fault suite's (`tests/faults`).

use crate::fake_fcm::{self, FakeFcm};
use crate::helpers::{Session, TestApp, eventually, spawn_app_with};
use chrono::{DateTime, Utc};
use entity::device;
use entity::push_delivery::{self, PushStatus};
use jobs::{Job, JobContext, JobError};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;
use wushe::worker::push;

async fn app_with_fcm(adjust: impl FnOnce(&mut wushe::config::Config)) -> (TestApp, FakeFcm, tempfile::TempDir) {
    let fake = FakeFcm::start().await;
    let dir = tempfile::tempdir().unwrap();
    let creds = fake.credentials_file(dir.path());
    let base = fake.base.clone();
    let app = spawn_app_with(|c| {
        c.jobs.fcm_credentials = Some(creds);
        c.jobs.fcm_endpoint = Some(base);
        adjust(c);
    })
    .await;
    // Noon in Shanghai: no quiet hours in the way.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc));
    (app, fake, dir)
}

async fn with_devices(app: &TestApp, tokens: &[&str]) -> Session {
    let v = app.register_volunteer().await;
    for t in tokens {
        app.post("/api/v1/me/devices", Some(&v.access), json!({"platform": "android", "token": t})).await.expect(201);
    }
    v
}

/// A notification in `owner`'s inbox, written directly (no notify job, no push job).
async fn inbox_row(app: &TestApp, owner: &Session) -> Uuid {
    let now = app.clock_now();
    let id = Uuid::now_v7();
    entity::notification::ActiveModel {
        id: Set(id),
        user_id: Set(owner.user_id.parse().unwrap()),
        category: Set(entity::notification::Category::System),
        template: Set("test".into()),
        title: Set("t".into()),
        body: Set("b".into()),
        data: Set("{}".into()),
        dedupe_key: Set(format!("test:{id}")),
        created_at: Set(now),
        updated_at: Set(now),
        read_at: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    id
}

async fn device_of(app: &TestApp, token: &str) -> Uuid {
    device::Entity::find().filter(device::Column::Token.eq(token)).one(app.db()).await.unwrap().unwrap().id
}

/// The row a run left behind: claimed by `job` until `until`.
async fn claimed(app: &TestApp, notification: Uuid, token: &str, job: Uuid, until: DateTime<Utc>) {
    let now = Utc::now();
    push_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        notification_id: Set(notification),
        device_id: Set(device_of(app, token).await),
        status: Set(PushStatus::Sending),
        attempts: Set(1),
        last_outcome: Set(None),
        claimed_until: Set(Some(until)),
        claim_job_id: Set(Some(job)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .unwrap();
}

async fn row(app: &TestApp, notification: Uuid, token: &str) -> push_delivery::Model {
    find_row(app, notification, token).await.expect("a delivery row")
}

async fn find_row(app: &TestApp, notification: Uuid, token: &str) -> Option<push_delivery::Model> {
    let device = device_of(app, token).await;
    push_delivery::Entity::find()
        .filter(push_delivery::Column::NotificationId.eq(notification))
        .filter(push_delivery::Column::DeviceId.eq(device))
        .one(app.db())
        .await
        .unwrap()
}

/// Runs the push handler as run `job_id` of a push job would.
async fn run_push(app: &TestApp, job_id: Uuid, notifications: &[Uuid]) -> Result<(), JobError> {
    let registry = wushe::worker::registry(&app.state);
    let (handler, _) = registry.get(push::PushJob::KIND).unwrap();
    let ctx = JobContext {
        job_id,
        kind: push::PushJob::KIND.into(),
        attempt: 2,
        enqueued_at: Utc::now(),
        queue: app.state.jobs.push_queue.clone(),
    };
    handler.handle(ctx, json!({"notification_ids": notifications})).await
}

fn sends_to(fake: &FakeFcm, token: &str) -> usize {
    fake.delivered().iter().filter(|(t, _)| t == token).count()
}

#[tokio::test]
async fn the_next_run_of_a_job_takes_over_the_claims_its_dead_run_left() {
    let (app, fake, _dir) = app_with_fcm(|_| {}).await;
    let v = with_devices(&app, &["ok-a", "ok-b", "ok-c"]).await;
    let n = inbox_row(&app, &v).await;
    // A run of job J claimed two of the three and died before sending or recording anything.
    let (dead_job, other_job) = (Uuid::now_v7(), Uuid::now_v7());
    let until = Utc::now() + chrono::Duration::seconds(150);
    claimed(&app, n, "ok-a", dead_job, until).await;
    claimed(&app, n, "ok-b", dead_job, until).await;

    // Another job may not take live claims: it sends the free pair and waits for the rest.
    let r = run_push(&app, other_job, &[n]).await;
    assert!(matches!(r, Err(JobError::Retry { after: Some(_), .. })), "must not report success: {r:?}");
    assert_eq!(row(&app, n, "ok-c").await.status, PushStatus::Delivered);
    assert_eq!(row(&app, n, "ok-a").await.status, PushStatus::Sending, "still the dead run's");
    assert_eq!((sends_to(&fake, "ok-a"), sends_to(&fake, "ok-c")), (0, 1));

    // J's next run (the queue handed J to another worker) takes its own claims over at once.
    run_push(&app, dead_job, &[n]).await.unwrap();
    for t in ["ok-a", "ok-b"] {
        let r = row(&app, n, t).await;
        assert_eq!((r.status, r.attempts, r.claim_job_id), (PushStatus::Delivered, 2, None), "{t}");
        assert_eq!(sends_to(&fake, t), 1, "{t}");
    }
    assert_eq!(sends_to(&fake, "ok-c"), 1, "a delivered pair is never sent again");
    let metrics = app.get("/metrics", None).await.body.as_str().unwrap_or("").to_string();
    assert!(
        metrics.contains(r#"wushe_push_outcome_unknown_total{provider="fcm",cause="lost_attempt"} 2"#),
        "{metrics}"
    );

    // Everything has an outcome now: another run sends nothing and succeeds.
    run_push(&app, other_job, &[n]).await.unwrap();
    assert_eq!(fake.delivered().len(), 3);
}

#[tokio::test]
async fn the_sweep_hands_lapsed_claims_back_to_the_queue() {
    let (app, fake, _dir) = app_with_fcm(|_| {}).await;
    let v = with_devices(&app, &["ok-s1", "ok-s2"]).await;
    let (n1, n2) = (inbox_row(&app, &v).await, inbox_row(&app, &v).await);
    let gone = Uuid::now_v7();
    let lapsed = Utc::now() - chrono::Duration::seconds(1);
    claimed(&app, n1, "ok-s1", gone, lapsed).await;
    claimed(&app, n2, "ok-s2", gone, lapsed).await;
    // A live claim of a running job is not the sweep's.
    claimed(&app, n1, "ok-s2", Uuid::now_v7(), Utc::now() + chrono::Duration::seconds(100)).await;

    assert_eq!(push::sweep(&app.state, Utc::now()).await.unwrap(), 2);
    assert_eq!(row(&app, n1, "ok-s1").await.status, PushStatus::Retry);
    assert_eq!(row(&app, n1, "ok-s2").await.status, PushStatus::Sending);
    assert_eq!(push::sweep(&app.state, Utc::now()).await.unwrap(), 0, "swept once");

    app.start_workers();
    eventually(20, "the swept pushes delivered", || async {
        let mut done = true;
        for (n, t) in [(n1, "ok-s1"), (n2, "ok-s1"), (n2, "ok-s2")] {
            done &= find_row(&app, n, t).await.is_some_and(|r| r.status == PushStatus::Delivered);
        }
        done
    })
    .await;
    // n1 and n2 each go to both devices; (n1, ok-s2) is still another run's.
    assert_eq!((sends_to(&fake, "ok-s1"), sends_to(&fake, "ok-s2")), (2, 1));
    assert_eq!(row(&app, n1, "ok-s2").await.status, PushStatus::Sending);
    let metrics = app.get("/metrics", None).await.body.as_str().unwrap_or("").to_string();
    assert!(metrics.contains("wushe_push_claims_swept_total 2"), "{metrics}");
}

#[tokio::test]
async fn a_send_that_times_out_is_sent_once_more_with_the_same_tag() {
    let (app, fake, _dir) = app_with_fcm(|c| c.jobs.fcm_timeout = Duration::from_millis(500)).await;
    let v = with_devices(&app, &["slow-1", "ok-t"]).await;
    let n = inbox_row(&app, &v).await;
    run_push(&app, Uuid::now_v7(), &[n]).await.unwrap();
    // The first request reached FCM but its answer came after our timeout: unknown, so it went
    // again at once; the phone shows both under one tag.
    let to_slow: Vec<serde_json::Value> =
        fake.delivered().into_iter().filter(|(t, _)| t == "slow-1").map(|(_, m)| m).collect();
    assert_eq!(to_slow.len(), 2);
    let tag = n.to_string();
    assert!(to_slow.iter().all(|m| m["android"]["notification"]["tag"] == tag.as_str()), "{to_slow:?}");
    assert!(to_slow.iter().all(|m| m["apns"]["headers"]["apns-collapse-id"] == tag.as_str()));
    let r = row(&app, n, "slow-1").await;
    assert_eq!((r.status, r.attempts), (PushStatus::Delivered, 1));
    assert_eq!(sends_to(&fake, "ok-t"), 1);
    let metrics = app.get("/metrics", None).await.body.as_str().unwrap_or("").to_string();
    assert!(metrics.contains(r#"wushe_push_outcome_unknown_total{provider="fcm",cause="timeout"} 1"#), "{metrics}");
    assert!(fake.state.refused.lock().unwrap().is_empty());
    let _ = fake_fcm::SLOW;
}

#[tokio::test]
async fn a_slow_provider_holds_up_no_other_job() {
    let (app, fake, _dir) = app_with_fcm(|c| {
        c.jobs.concurrency = 2;
        c.jobs.push_concurrency = 2;
    })
    .await;
    fake.set_latency(Duration::from_secs(3));
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(with_devices(&app, &[&format!("ok-slow-{i}")]).await);
    }
    app.start_workers();
    // Six pushes wait on a provider that takes three seconds an answer, more than the workers.
    for p in &people {
        let n = inbox_row(&app, p).await;
        let txn = sea_orm::TransactionTrait::begin(app.db()).await.unwrap();
        jobs::outbox::enqueue(&txn, push::job(vec![n], app.clock_now())).await.unwrap();
        txn.commit().await.unwrap();
    }
    eventually(10, "the pushes to be on their way", || async {
        fake.state.send_requests.load(std::sync::atomic::Ordering::SeqCst) >= 2
    })
    .await;
    // Meanwhile a message to someone still reaches their inbox at once.
    let to = &people[0];
    let started = std::time::Instant::now();
    let txn = sea_orm::TransactionTrait::begin(app.db()).await.unwrap();
    let m = wushe::domain::messaging::notifications::Message::new(
        to.user_id.parse().unwrap(),
        wushe::domain::messaging::notifications::Category::System,
        "announcement",
        "meanwhile",
    )
    .param("title", "t")
    .param("body", "b");
    wushe::domain::messaging::notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
    eventually(20, "the inbox row", || async {
        entity::notification::Entity::find()
            .filter(entity::notification::Column::DedupeKey.eq("meanwhile"))
            .one(app.db())
            .await
            .unwrap()
            .is_some()
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(2), "waited {:?} behind pushes", started.elapsed());
    eventually(60, "every slow push delivered", || async { fake.delivered().len() >= 7 }).await;
}
