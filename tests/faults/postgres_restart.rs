//! PostgreSQL restarting under load. The API and the worker run on a PostgreSQL cluster of the
//! scenario's own while a few clients read (`GET /me`) and publish announcements. The cluster is
//! stopped (`pg_ctl stop -m fast`): every request made while it is down must answer within 5 s
//! with 503 `unavailable` and a `Retry-After` header, never hang. It is started again: requests
//! succeed again without restarting wushe, and every announcement that was answered 201 reaches
//! every recipient, with exactly one inbox row each (no job lost, none run twice to effect).

use crate::fake_fcm::FakeFcm;
use crate::harness::{self, Api, Outcome, RedisKeys, Wushe, describe, eventually};
use crate::own_postgres::OwnPostgres;
use crate::seed;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const RECIPIENTS: usize = 20;
const READERS: usize = 3;
const WRITERS: usize = 2;
/// The longest a request may take while the database is down.
const FAIL_FAST: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Read,
    Write,
}

/// One request of the load and what came of it.
#[derive(Clone)]
struct Call {
    kind: Kind,
    start: Instant,
    end: Instant,
    outcome: Outcome,
}

type Calls = Arc<Mutex<Vec<Call>>>;

/// One client: the same request over and over until `stop`.
async fn client(api: Api, token: String, kind: Kind, body: Value, calls: Calls, stop: Arc<AtomicBool>) {
    let (method, path, body, pace) = match kind {
        Kind::Read => ("GET", "/api/v1/me", None, Duration::from_millis(50)),
        Kind::Write => ("POST", "/api/v1/announcements", Some(body), Duration::from_millis(250)),
    };
    while !stop.load(Ordering::Relaxed) {
        let start = Instant::now();
        let outcome = api.send(method, path, Some(&token), body.clone()).await;
        calls.lock().unwrap().push(Call { kind, start, end: Instant::now(), outcome });
        // Pacing, so the load stays modest on a small machine.
        tokio::time::sleep(pace).await;
    }
}

/// Calls that started in `[from, to)` and match `what`.
fn count(calls: &Calls, from: Instant, to: Option<Instant>, what: impl Fn(&Call) -> bool) -> usize {
    calls.lock().unwrap().iter().filter(|c| c.start >= from && to.is_none_or(|t| c.start < t) && what(c)).count()
}

fn status_is(c: &Call, kind: Kind, status: u16) -> bool {
    c.kind == kind && c.outcome.as_ref().is_ok_and(|r| r.status == status)
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_restarting_under_load() {
    let Some(env) = harness::env("postgres_restarting_under_load") else { return };
    let fake = FakeFcm::start().await;
    let pg = OwnPostgres::start_new();
    let keys = RedisKeys::on(&env.redis_url).await;
    let mut wushe = Wushe::new(&env, &pg.url(), &env.redis_url, &keys.prefix);
    wushe.watch("postgres", &pg.log);
    wushe.push_to(&fake);
    let mut app = wushe.deploy().await;
    let people = {
        let conn = harness::connect(&pg.url()).await;
        let people = seed::recipients(&conn, app.unit, RECIPIENTS, |_| "fcm").await;
        let _ = conn.close().await;
        people
    };
    let _worker = wushe.worker("worker");

    let calls: Calls = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for i in 0..READERS + WRITERS {
        let kind = if i < READERS { Kind::Read } else { Kind::Write };
        let body = app.announcement(&format!("演练：数据库重启 {i}"));
        load.spawn(client(app.api.clone(), app.token.clone(), kind, body, calls.clone(), stop.clone()));
    }
    let began = Instant::now();
    let c = &calls;
    eventually(Duration::from_secs(30), "the load to get answers before the fault", move || async move {
        count(c, began, None, |x| status_is(x, Kind::Write, 201)) >= 3
            && count(c, began, None, |x| status_is(x, Kind::Read, 200)) >= 5
    })
    .await;

    // Blocking calls here hold up only this test's thread; the load runs on the runtime's workers.
    pg.stop("fast");
    let down = Instant::now();
    let api = app.api.clone();
    let readiness = tokio::spawn(async move { api.send("GET", "/readyz", None, None).await });
    // Down for a few seconds, and long enough for a fair number of requests to have been
    // answered (or to show that they hang).
    harness::until(Duration::from_secs(8), move || async move {
        down.elapsed() >= Duration::from_secs(3)
            && count(c, down, None, |_| true) >= 15
            && count(c, down, None, |x| x.kind == Kind::Write) >= 2
    })
    .await;
    let up = Instant::now();
    pg.start();
    let started = Instant::now();
    eventually(
        Duration::from_secs(60),
        "reads and announcements to succeed again after PostgreSQL came back (wushe not restarted)",
        move || async move {
            count(c, up, None, |x| status_is(x, Kind::Write, 201)) >= 2
                && count(c, up, None, |x| status_is(x, Kind::Read, 200)) >= 2
        },
    )
    .await;
    let recovered = started.elapsed();
    let ready_down = readiness.await.unwrap();
    stop.store(true, Ordering::Relaxed);
    while load.join_next().await.is_some() {}
    let calls = calls.lock().unwrap().clone();

    // Requests made while it was down.
    let during: Vec<&Call> = calls.iter().filter(|c| c.start >= down && c.start < up).collect();
    let mut wrong = Vec::new();
    let mut refused = 0;
    for c in &during {
        let took = c.end - c.start;
        let what = describe(&format!("{:?}", c.kind), &c.outcome);
        let unavailable = c
            .outcome
            .as_ref()
            .is_ok_and(|r| r.status == 503 && r.has_retry_after() && r.is_problem() && r.code() == Some("unavailable"));
        if unavailable && took <= FAIL_FAST {
            refused += 1;
        } else if took > FAIL_FAST {
            wrong.push(format!("{what}: took {:.1} s", took.as_secs_f64()));
        } else if c.end < up {
            let body = c.outcome.as_ref().map(|r| r.body.to_string()).unwrap_or_default();
            wrong.push(format!("{what}, not a 503 unavailable problem with Retry-After; body {body}"));
        }
    }
    let slowest = during.iter().map(|c| c.end - c.start).max().unwrap_or_default();
    let mut tally: BTreeMap<(Kind, String), usize> = BTreeMap::new();
    for c in &calls {
        let status = c.outcome.as_ref().map_or("no answer".to_string(), |r| r.status.to_string());
        *tally.entry((c.kind, status)).or_default() += 1;
    }
    println!(
        "postgres down {:.1} s: {} requests, {refused} answered 503 unavailable with Retry-After within {} s, \
         slowest {} ms; 2xx again {:.1} s after it started; all requests {tally:?}; /readyz while down: {}",
        (up - down).as_secs_f64(),
        during.len(),
        FAIL_FAST.as_secs(),
        slowest.as_millis(),
        recovered.as_secs_f64(),
        describe("", &ready_down).trim(),
    );

    // Everything answered 201 is delivered once.
    let created: Vec<Uuid> =
        calls.iter().filter(|c| status_is(c, Kind::Write, 201)).map(|c| c.outcome.as_ref().unwrap().id()).collect();
    let conn = harness::connect(&pg.url()).await;
    let (db, f, p, ids) = (&conn, &fake, &people, &created);
    let delivered = harness::until(Duration::from_secs(90), move || async move {
        seed::deliveries(db, f, p, ids).await.values().all(|d| d.complete(p))
    })
    .await;
    let accounts = seed::deliveries(&conn, &fake, &people, &created).await;
    let inexact: Vec<String> = accounts
        .iter()
        .filter(|(_, d)| d.inbox_rows != RECIPIENTS || d.inbox_people != RECIPIENTS || d.strangers > 0)
        .map(|(id, d)| format!("{id}: {} rows for {} recipients", d.inbox_rows, d.inbox_people))
        .collect();
    let missing: usize = accounts.values().map(|d| d.missing.len()).sum();
    let duplicates: usize = accounts.values().map(seed::Delivery::duplicates).sum();
    let sends: usize = accounts.values().map(|d| d.sends).sum();
    println!(
        "postgres restart: {} announcements answered 201 ({}), inbox {}, missing {missing}, duplicates {duplicates} of {sends} sends",
        created.len(),
        if delivered { "all delivered" } else { "NOT all delivered in 90 s" },
        if inexact.is_empty() { "exact" } else { "NOT exact" },
    );

    assert!(app.serving(), "the API process lived through the restart");
    assert!(!during.is_empty(), "the load made requests while PostgreSQL was down");
    assert!(
        wrong.is_empty(),
        "while PostgreSQL is down every request answers within {} s with 503 unavailable and Retry-After; \
         {} of {} did not, e.g. {:#?}",
        FAIL_FAST.as_secs(),
        wrong.len(),
        during.len(),
        &wrong[..wrong.len().min(10)]
    );
    let ready_down = ready_down.unwrap_or_else(|e| panic!("GET /readyz while PostgreSQL is down got no answer: {e}"));
    assert!(
        ready_down.status == 503
            && ready_down.is_problem()
            && ready_down.code() == Some("unavailable")
            && ready_down.elapsed <= FAIL_FAST,
        "GET /readyz while PostgreSQL is down: 503 unavailable within {} s; got {} in {} ms: {}",
        FAIL_FAST.as_secs(),
        ready_down.status,
        ready_down.elapsed.as_millis(),
        ready_down.body
    );
    assert!(inexact.is_empty(), "one inbox row per recipient and announcement: {inexact:#?}");
    assert_eq!(missing, 0, "every recipient's device got every announcement answered 201");
}
