//! The conformance tests, written once against the `JobQueue` API.

use crate::harness::{Backend, eventually, fast, start};
use jobs::job::{Backoff, Enqueued, JobOptions};
use jobs::queue::QueueError;
use jobs::{JobError, NewJob, Registry, SystemClock};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Log = Arc<Mutex<Vec<(i64, u32)>>>;

/// A registry whose `record` kind logs `(payload.n, attempt)`.
fn recording() -> (Registry, Log) {
    let log: Log = Arc::default();
    let mut r = Registry::new();
    let l = log.clone();
    r.on("record", JobOptions::default(), move |ctx, p| {
        let l = l.clone();
        async move {
            l.lock().unwrap().push((p["n"].as_i64().unwrap(), ctx.attempt));
            Ok(())
        }
    });
    (r, log)
}

fn quick(max_attempts: u32) -> JobOptions {
    JobOptions {
        max_attempts,
        timeout: Duration::from_secs(10),
        backoff: Backoff { base: Duration::from_millis(10), cap: Duration::from_millis(50) },
    }
}

async fn settle(b: &Backend) {
    eventually(10, "the queue to empty", || async {
        let s = b.queue.stats().await.unwrap();
        s.ready == 0 && s.running == 0 && s.delayed == 0
    })
    .await;
}

pub async fn immediate(b: Backend) {
    let (registry, log) = recording();
    let jobs: Vec<NewJob> = (0..50).map(|n| NewJob::new("record", json!({"n": n}))).collect();
    let ids = b.queue.enqueue_many(jobs).await.unwrap();
    assert!(ids.iter().all(|e| matches!(e, Enqueued::New(_))));
    let w = start(&b.queue, registry, fast(8));
    eventually(10, "50 jobs to run", || async { log.lock().unwrap().len() >= 50 }).await;
    settle(&b).await;
    w.stop().await;
    let mut seen: Vec<i64> = log.lock().unwrap().iter().map(|(n, _)| *n).collect();
    seen.sort();
    assert_eq!(seen, (0..50).collect::<Vec<_>>(), "each job ran exactly once");
    assert!(log.lock().unwrap().iter().all(|(_, attempt)| *attempt == 1), "{:?}", log.lock().unwrap());
}

pub async fn delayed(b: Backend) {
    let ran: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let mut r = Registry::new();
    let l = ran.clone();
    r.on("record", JobOptions::default(), move |_, p| {
        let l = l.clone();
        async move {
            l.lock().unwrap().push((p["n"].as_i64().unwrap(), Instant::now()));
            Ok(())
        }
    });
    let w = start(&b.queue, r, fast(4));
    let enqueued = Instant::now();
    b.queue.enqueue(NewJob::new("record", json!({"n": 1})).after(Duration::from_millis(700))).await.unwrap();
    let at = chrono::Utc::now() + chrono::Duration::milliseconds(400);
    b.queue.enqueue(NewJob::new("record", json!({"n": 2})).at(at)).await.unwrap();
    b.queue.enqueue(NewJob::new("record", json!({"n": 3}))).await.unwrap();
    eventually(10, "all three jobs", || async { ran.lock().unwrap().len() == 3 }).await;
    w.stop().await;
    let ran: HashMap<i64, Duration> = ran.lock().unwrap().iter().map(|(n, t)| (*n, *t - enqueued)).collect();
    assert!(ran[&1] >= Duration::from_millis(700), "ran after its delay: {:?}", ran[&1]);
    assert!(ran[&2] >= Duration::from_millis(390), "ran at its instant: {:?}", ran[&2]);
    assert!(ran[&3] < ran[&2] && ran[&2] < ran[&1]);
}

pub async fn retry_then_succeed(b: Backend) {
    let attempts: Arc<Mutex<Vec<u32>>> = Arc::default();
    let mut r = Registry::new();
    let a = attempts.clone();
    r.on("flaky", quick(5), move |ctx, _| {
        let a = a.clone();
        async move {
            a.lock().unwrap().push(ctx.attempt);
            if ctx.attempt < 3 { Err(JobError::retry("not yet")) } else { Ok(()) }
        }
    });
    b.queue.enqueue(NewJob::new("flaky", json!({}))).await.unwrap();
    let w = start(&b.queue, r, fast(2));
    eventually(10, "three attempts", || async { attempts.lock().unwrap().len() >= 3 }).await;
    settle(&b).await;
    w.stop().await;
    assert_eq!(*attempts.lock().unwrap(), vec![1, 2, 3]);
    assert_eq!(b.queue.stats().await.unwrap().dead, 0);
}

pub async fn retry_then_dead_letter(b: Backend) {
    let mut r = Registry::new();
    let runs = Arc::new(Mutex::new(0));
    let n = runs.clone();
    r.on("doomed", quick(3), move |_, _| {
        let n = n.clone();
        async move {
            *n.lock().unwrap() += 1;
            Err(JobError::retry("still broken"))
        }
    });
    let Enqueued::New(id) = b.queue.enqueue(NewJob::new("doomed", json!({"x": 1}))).await.unwrap() else { panic!() };
    let w = start(&b.queue, r, fast(2));
    eventually(10, "a dead letter", || async { b.queue.stats().await.unwrap().dead == 1 }).await;
    w.stop().await;
    assert_eq!(*runs.lock().unwrap(), 3, "ran its three attempts, no more");
    let page = b.queue.dead(None, 10).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let dead = &page.items[0];
    assert_eq!(dead.id, id);
    assert_eq!(dead.kind, "doomed");
    assert_eq!(dead.attempts, 3);
    assert_eq!(dead.error, "still broken");
    assert_eq!(dead.payload, json!({"x": 1}));
    let s = b.queue.stats().await.unwrap();
    assert_eq!((s.ready, s.running, s.delayed), (0, 0, 0));
}

/// A dependency that is down (say, the database restarting) defers a job without spending its
/// attempts: a job allowed one attempt survives several deferrals and then runs to success.
pub async fn unavailable_defers_without_spending_attempts(b: Backend) {
    let mut r = Registry::new();
    let runs = Arc::new(Mutex::new(Vec::new()));
    let n = runs.clone();
    r.on("needs-db", quick(1), move |ctx, _| {
        let n = n.clone();
        async move {
            let mut runs = n.lock().unwrap();
            runs.push(ctx.attempt);
            if runs.len() < 4 { Err(JobError::unavailable("database unavailable")) } else { Ok(()) }
        }
    });
    b.queue.enqueue(NewJob::new("needs-db", json!({}))).await.unwrap();
    let w = start(&b.queue, r, fast(2));
    eventually(10, "the job to succeed", || async { runs.lock().unwrap().len() == 4 }).await;
    settle(&b).await;
    w.stop().await;
    assert_eq!(*runs.lock().unwrap(), [1, 1, 1, 1], "no deferral counted as an attempt");
    assert_eq!(b.queue.stats().await.unwrap().dead, 0);
}

pub async fn fatal_error_dead_letters_at_once_and_can_be_retried(b: Backend) {
    let fixed = Arc::new(Mutex::new(false));
    let runs = Arc::new(Mutex::new(0));
    let mut r = Registry::new();
    let (f, n) = (fixed.clone(), runs.clone());
    r.on("strict", quick(5), move |_, _| {
        let (f, n) = (f.clone(), n.clone());
        async move {
            *n.lock().unwrap() += 1;
            if *f.lock().unwrap() { Ok(()) } else { Err(JobError::fatal("bad payload")) }
        }
    });
    let mut ids = Vec::new();
    for i in 0..3 {
        let Enqueued::New(id) = b.queue.enqueue(NewJob::new("strict", json!({"i": i}))).await.unwrap() else {
            panic!()
        };
        ids.push(id);
    }
    let w = start(&b.queue, r, fast(2));
    eventually(10, "three dead letters", || async { b.queue.stats().await.unwrap().dead == 3 }).await;
    assert_eq!(*runs.lock().unwrap(), 3, "no retries of a fatal error");
    // Pages, newest first.
    let first = b.queue.dead(None, 2).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let rest = b.queue.dead(first.next.as_deref(), 2).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
    for garbage in ["!!!", "1-x", "not-a-cursor", "0192f0b2-garbage"] {
        let refused = b.queue.dead(Some(garbage), 2).await;
        assert!(matches!(refused, Err(QueueError::InvalidCursor)), "{garbage}: {:?}", refused.map(|p| p.items.len()));
    }
    let mut all: Vec<_> = first.items.iter().chain(&rest.items).map(|d| d.id).collect();
    all.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(all, expected);
    assert!(first.items.iter().chain(&rest.items).all(|d| d.attempts == 1 && d.error == "bad payload"));

    *fixed.lock().unwrap() = true;
    assert!(b.queue.retry_dead(ids[0]).await.unwrap());
    assert!(!b.queue.retry_dead(ids[0]).await.unwrap(), "retried once only");
    assert!(b.queue.discard_dead(ids[1]).await.unwrap());
    assert!(!b.queue.discard_dead(ids[1]).await.unwrap());
    assert!(!b.queue.retry_dead(uuid::Uuid::now_v7()).await.unwrap());
    eventually(10, "the retried job to run", || async { *runs.lock().unwrap() == 4 }).await;
    settle(&b).await;
    w.stop().await;
    let s = b.queue.stats().await.unwrap();
    assert_eq!(s.dead, 1);
    assert_eq!(b.queue.dead(None, 10).await.unwrap().items[0].id, ids[2]);
}

pub async fn invalid_payload_dead_letters_at_once(b: Backend) {
    #[derive(serde::Deserialize)]
    struct Count {
        #[allow(dead_code)]
        n: u32,
    }
    let runs = Arc::new(Mutex::new(0));
    let mut r = Registry::new();
    let n = runs.clone();
    r.typed("count", quick(5), move |_, _: Count| {
        let n = n.clone();
        async move {
            *n.lock().unwrap() += 1;
            Ok(())
        }
    });
    let Enqueued::New(id) = b.queue.enqueue(NewJob::new("count", json!({"n": "seven"}))).await.unwrap() else {
        panic!()
    };
    let w = start(&b.queue, r, fast(1));
    eventually(10, "a dead letter", || async { b.queue.stats().await.unwrap().dead == 1 }).await;
    w.stop().await;
    let dead = b.queue.dead(None, 10).await.unwrap().items;
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].id, dead[0].attempts), (id, 1), "buried on its first failure");
    assert!(dead[0].error.starts_with("invalid payload of count:"), "{}", dead[0].error);
    assert_eq!(*runs.lock().unwrap(), 0, "the handler never saw it");
}

pub async fn crash_mid_job(b: Backend) {
    let Enqueued::New(id) = b.queue.enqueue(NewJob::new("block", json!({"n": 7}))).await.unwrap() else { panic!() };
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_worker", "--nocapture", "--test-threads=1"])
        .env("JOBS_CHILD_SPEC", serde_json::to_string(&b.spec).unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    eventually(30, "the child to start the job", || async { b.queue.stats().await.unwrap().running == 1 }).await;
    let killed = std::process::Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    child.wait().unwrap();

    let ran: Arc<Mutex<Vec<(uuid::Uuid, u32)>>> = Arc::default();
    let mut r = Registry::new();
    let log = ran.clone();
    r.on("block", JobOptions::default(), move |ctx, _| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push((ctx.job_id, ctx.attempt));
            Ok(())
        }
    });
    let started = Instant::now();
    let w = start(&b.queue, r, fast(2));
    eventually(20, "the job to run again after the lease", || async { !ran.lock().unwrap().is_empty() }).await;
    settle(&b).await;
    w.stop().await;
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(*ran.lock().unwrap(), vec![(id, 2)], "ran once more, as its second delivery");
}

pub async fn poison_job_is_buried(b: Backend) {
    // A job whose runs keep dying with their worker is buried once its deliveries exceed its
    // attempts. Simulated here: claim it and let each claim lapse, as crashed workers would.
    b.queue.enqueue(NewJob::new("poison", json!({}))).await.unwrap();
    let got = b.queue.fetch(1, Duration::from_millis(50), Duration::from_millis(500)).await.unwrap();
    assert_eq!(got.len(), 1);
    for expected in 2..=3 {
        eventually(10, "the lease to lapse", || async {
            match b.queue.reclaim(1, Duration::from_millis(50)).await.unwrap().first() {
                Some(j) => {
                    assert_eq!(j.deliveries, expected);
                    true
                }
                None => false,
            }
        })
        .await;
    }
    let runs = Arc::new(Mutex::new(0));
    let mut r = Registry::new();
    let n = runs.clone();
    r.on("poison", quick(3), move |_, _| {
        let n = n.clone();
        async move {
            *n.lock().unwrap() += 1;
            Ok(())
        }
    });
    let w = start(&b.queue, r, fast(1));
    eventually(20, "the poison job buried", || async { b.queue.stats().await.unwrap().dead == 1 }).await;
    w.stop().await;
    assert_eq!(*runs.lock().unwrap(), 0, "never run again");
    let dead = b.queue.dead(None, 1).await.unwrap().items.remove(0);
    assert!(dead.error.contains("were lost"), "{}", dead.error);
}

pub async fn dedupe_key(b: Backend) {
    let (registry, log) = recording();
    let a = b.queue.enqueue(NewJob::new("record", json!({"n": 1})).dedupe("k1")).await.unwrap();
    let again = b.queue.enqueue(NewJob::new("record", json!({"n": 2})).dedupe("k1")).await.unwrap();
    assert!(matches!(a, Enqueued::New(_)));
    assert_eq!(again, Enqueued::Duplicate);
    let batch = b
        .queue
        .enqueue_many(vec![
            NewJob::new("record", json!({"n": 3})).dedupe("k2"),
            NewJob::new("record", json!({"n": 4})).dedupe("k2"),
            NewJob::new("record", json!({"n": 5})),
            NewJob::new("record", json!({"n": 6})).dedupe("k1"),
        ])
        .await
        .unwrap();
    assert!(matches!(batch[0], Enqueued::New(_)));
    assert_eq!(&batch[1..2], &[Enqueued::Duplicate]);
    assert!(matches!(batch[2], Enqueued::New(_)));
    assert_eq!(batch[3], Enqueued::Duplicate);
    // Concurrent enqueues of one key: exactly one wins.
    let wins = futures::future::join_all((0..10).map(|i| {
        let q = b.queue.clone();
        async move { q.enqueue(NewJob::new("record", json!({"n": 100 + i})).dedupe("race")).await.unwrap() }
    }))
    .await;
    assert_eq!(wins.iter().filter(|e| matches!(e, Enqueued::New(_))).count(), 1);
    let w = start(&b.queue, registry, fast(4));
    eventually(10, "four jobs", || async { log.lock().unwrap().len() >= 4 }).await;
    settle(&b).await;
    w.stop().await;
    assert_eq!(log.lock().unwrap().len(), 4);
}

pub async fn graceful_shutdown_finishes_or_releases(b: Backend) {
    let state: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let mut r = Registry::new();
    let s = state.clone();
    r.on("short", JobOptions::default(), move |_, _| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push("short started");
            tokio::time::sleep(Duration::from_millis(300)).await;
            s.lock().unwrap().push("short done");
            Ok(())
        }
    });
    let s = state.clone();
    r.on("endless", JobOptions::default(), move |_, _| {
        let s = s.clone();
        async move {
            s.lock().unwrap().push("endless started");
            std::future::pending::<()>().await;
            Ok(())
        }
    });
    let mut cfg = fast(4);
    cfg.lease = Duration::from_secs(60); // release, not the lease, must bring the job back
    cfg.shutdown_grace = Duration::from_millis(800);
    b.queue.enqueue(NewJob::new("short", json!({}))).await.unwrap();
    b.queue.enqueue(NewJob::new("endless", json!({}))).await.unwrap();
    let w = start(&b.queue, r, cfg.clone());
    eventually(10, "both running", || async { state.lock().unwrap().len() >= 2 }).await;
    let stopping = Instant::now();
    w.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(5), "stopped within the grace period");
    assert!(state.lock().unwrap().contains(&"short done"), "the short job finished");
    let s = b.queue.stats().await.unwrap();
    assert_eq!(s.running, 0, "nothing left claimed: {s:?}");
    assert_eq!(s.ready + s.delayed, 1, "the endless job is back in the queue: {s:?}");

    // Another worker takes the released job at once, long before its 60 s lease would lapse.
    let (mut r2, log) = recording();
    let l = log.clone();
    r2.on("endless", JobOptions::default(), move |ctx, _| {
        let l = l.clone();
        async move {
            l.lock().unwrap().push((0, ctx.attempt));
            Ok(())
        }
    });
    let started = Instant::now();
    let w2 = start(&b.queue, r2, cfg);
    eventually(10, "the released job to run", || async { !log.lock().unwrap().is_empty() }).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(log.lock().unwrap()[0], (0, 1), "a release does not count as an attempt");
    settle(&b).await;
    w2.stop().await;
}

pub async fn long_handler_keeps_its_lease(b: Backend) {
    // A handler running for three leases is not taken over by a second worker.
    let runs = Arc::new(Mutex::new(0));
    let mut r = Registry::new();
    let n = runs.clone();
    r.on("long", JobOptions::default(), move |_, _| {
        let n = n.clone();
        async move {
            *n.lock().unwrap() += 1;
            tokio::time::sleep(Duration::from_millis(3200)).await;
            Ok(())
        }
    });
    b.queue.enqueue(NewJob::new("long", json!({}))).await.unwrap();
    let w1 = start(&b.queue, r.clone(), fast(1));
    eventually(10, "the job to start", || async { *runs.lock().unwrap() == 1 }).await;
    let other = b.handle(Arc::new(SystemClock)).await;
    let w2 = start(&other, r, fast(1));
    settle(&b).await;
    w1.stop().await;
    w2.stop().await;
    assert_eq!(*runs.lock().unwrap(), 1, "renewed leases kept the job with its first worker");
}

pub async fn concurrent_workers_run_each_job_once(b: Backend) {
    let (registry, log) = recording();
    let jobs: Vec<NewJob> = (0..300).map(|n| NewJob::new("record", json!({"n": n}))).collect();
    b.queue.enqueue_many(jobs).await.unwrap();
    let mut workers = Vec::new();
    for _ in 0..3 {
        let q = b.handle(Arc::new(SystemClock)).await;
        workers.push(start(&q, registry.clone(), fast(8)));
    }
    eventually(30, "300 jobs", || async { log.lock().unwrap().len() >= 300 }).await;
    settle(&b).await;
    for w in workers {
        w.stop().await;
    }
    let mut seen: Vec<i64> = log.lock().unwrap().iter().map(|(n, _)| *n).collect();
    seen.sort();
    assert_eq!(seen, (0..300).collect::<Vec<_>>());
}

pub async fn claim_key_once(b: Backend) {
    let results = futures::future::join_all((0..8).map(|_| {
        let q = b.queue.clone();
        async move { q.claim_key("cron:test:1", Duration::from_secs(60)).await.unwrap() }
    }))
    .await;
    assert_eq!(results.iter().filter(|x| **x).count(), 1);
    assert!(b.queue.claim_key("cron:test:2", Duration::from_secs(1)).await.unwrap());
    eventually(10, "the claim to expire", || async {
        b.queue.claim_key("cron:test:2", Duration::from_secs(60)).await.unwrap()
    })
    .await;
}
