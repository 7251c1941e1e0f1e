//! The transactional outbox and keyed future jobs: only committed rows reach the queue; rows
//! written while Redis is down reach it when Redis returns; due reminders are enqueued once
//! however many scans run at the same time.

use crate::harness::{Backend, OwnRedis, TestDb, eventually, fast, redis_url, start};
use jobs::metrics::Metrics;
use jobs::outbox::{self, Relay};
use jobs::queue::SharedQueue;
use jobs::queue::redis::{RedisQueue, RedisQueueConfig};
use jobs::{NewJob, Registry, SystemClock, scheduled};
use sea_orm::TransactionTrait;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_committed_rows_are_relayed() {
    let b = Backend::embedded().await;
    let db = &b.db.as_ref().unwrap().db;
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, NewJob::new("k", json!({"n": 1}))).await.unwrap();
    txn.rollback().await.unwrap();
    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, NewJob::new("k", json!({"n": 2})).dedupe("d")).await.unwrap();
    txn.commit().await.unwrap();
    let relay = Relay::new(db.clone(), b.queue.clone(), Arc::new(Metrics::default()), Duration::from_millis(10));
    assert_eq!(relay.relay_once().await.unwrap(), 1);
    assert_eq!(relay.relay_once().await.unwrap(), 0, "relayed once");
    assert_eq!(outbox::pending(db).await.unwrap(), 0);
    let jobs = b.queue.fetch(10, Duration::from_secs(10), Duration::from_millis(100)).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].payload, json!({"n": 2}));
    assert_eq!(jobs[0].dedupe_key.as_deref(), Some("d"));
    assert_eq!(outbox::sweep(db, Duration::ZERO).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routed_kinds_go_to_their_own_queue() {
    let b = Backend::embedded().await;
    let db = &b.db.as_ref().unwrap().db;
    let other: SharedQueue = Arc::new(jobs::queue::embedded::EmbeddedQueue::new(
        db.clone(),
        "push",
        Arc::new(SystemClock),
        Duration::from_secs(60),
        Duration::from_millis(20),
    ));
    let txn = db.begin().await.unwrap();
    outbox::enqueue_many(
        &txn,
        vec![
            NewJob::new("push.send", json!({"n": 1})),
            NewJob::new("k", json!({"n": 2})),
            NewJob::new("push.send", json!({"n": 3})),
        ],
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let relay = Relay::new(db.clone(), b.queue.clone(), Arc::new(Metrics::default()), Duration::from_millis(10))
        .route("push.send", other.clone());
    assert_eq!(relay.relay_once().await.unwrap(), 3);
    let lease = Duration::from_secs(10);
    let main = b.queue.fetch(10, lease, Duration::from_millis(50)).await.unwrap();
    assert_eq!(main.iter().map(|j| j.payload["n"].as_i64().unwrap()).collect::<Vec<_>>(), [2]);
    let mut pushes: Vec<i64> = other
        .fetch(10, lease, Duration::from_millis(50))
        .await
        .unwrap()
        .iter()
        .map(|j| j.payload["n"].as_i64().unwrap())
        .collect();
    pushes.sort();
    assert_eq!(pushes, [1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_committed_while_redis_is_down_arrive_when_it_returns() {
    if redis_url().is_none() {
        return;
    }
    let test_db = TestDb::new().await;
    let db = test_db.db.clone();
    let mut redis = OwnRedis::new(); // not started: the port refuses connections
    let cfg = RedisQueueConfig { prefix: "t:".into(), queue: "main".into(), dedupe_ttl: Duration::from_secs(60) };
    let queue: SharedQueue = Arc::new(RedisQueue::new(&redis.url(), cfg, Arc::new(SystemClock)).unwrap());

    let txn = db.begin().await.unwrap();
    outbox::enqueue(&txn, NewJob::new("hello", json!({"n": 42}))).await.unwrap();
    txn.commit().await.unwrap();
    let relay = Relay::new(db.clone(), queue.clone(), Arc::new(Metrics::default()), Duration::from_millis(20));
    assert!(relay.relay_once().await.is_err(), "Redis is down");
    assert_eq!(outbox::pending(&db).await.unwrap(), 1, "the row waits");

    let token = tokio_util::sync::CancellationToken::new();
    let relay_task = tokio::spawn(relay.run(token.clone()));
    let seen: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut r = Registry::new();
    let s = seen.clone();
    r.on("hello", Default::default(), move |_, p| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push(p["n"].as_i64().unwrap());
            Ok(())
        }
    });
    let w = start(&queue, r, fast(2));
    redis.start().await;
    eventually(30, "the job to run once Redis is back", || async { !seen.lock().unwrap().is_empty() }).await;
    token.cancel();
    relay_task.await.unwrap();
    w.stop().await;
    assert_eq!(*seen.lock().unwrap(), vec![42]);
    assert_eq!(outbox::pending(&db).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_jobs_move_cancel_and_fire_once() {
    let test_db = TestDb::new().await;
    let db = test_db.db.clone();
    let t0 = chrono::Utc::now();
    let at = |mins: i64| t0 + chrono::Duration::minutes(mins);
    let txn = db.begin().await.unwrap();
    for i in 0..120 {
        scheduled::schedule(&txn, &format!("r:{i}"), at(10), NewJob::new("remind", json!({"i": i}))).await.unwrap();
    }
    scheduled::schedule(&txn, "moved", at(10), NewJob::new("remind", json!({"i": "moved"}))).await.unwrap();
    scheduled::schedule(&txn, "cancelled", at(10), NewJob::new("remind", json!({"i": "x"}))).await.unwrap();
    txn.commit().await.unwrap();
    // The task moves: the reminder moves with it; a signup is cancelled: its reminder goes.
    scheduled::schedule(&db, "moved", at(60), NewJob::new("remind", json!({"i": "moved"}))).await.unwrap();
    assert!(scheduled::cancel(&db, "cancelled").await.unwrap());
    assert!(!scheduled::cancel(&db, "cancelled").await.unwrap());

    assert_eq!(scheduled::enqueue_due(&db, at(9), 50).await.unwrap(), 0, "nothing due yet");
    // Four workers scan at once: every due reminder is enqueued exactly once.
    let counts = futures::future::join_all((0..4).map(|_| {
        let db = db.clone();
        async move { scheduled::enqueue_due(&db, at(11), 25).await.unwrap() }
    }))
    .await;
    assert_eq!(counts.iter().sum::<usize>(), 120);
    assert_eq!(outbox::pending(&db).await.unwrap(), 120);
    assert_eq!(scheduled::enqueue_due(&db, at(11), 50).await.unwrap(), 0);
    assert_eq!(scheduled::enqueue_due(&db, at(61), 50).await.unwrap(), 1, "the moved one, at its new time");
    assert!(scheduled::get(&db, "moved").await.unwrap().unwrap().fired_at_ms.is_some());
}
