//! `kill -9` the worker three times while it pushes one announcement to 10,000 people, whose
//! phones are of the mainland mix (Huawei, Honor, Xiaomi, OPPO and vivo taking up to 1,000 tokens a
//! request, iPhones on APNs and a few on FCM one each: `fake_push`). Every fake answers each
//! request after 40 ms, so the fan-out lasts seconds; as the pushes they accepted pass 25 %, 50 %
//! and 75 % the worker is killed and a new one started. Once no work is left, every recipient
//! must have exactly one inbox row and every phone the push, at least once. A second push to a
//! phone is acceptable only as the re-send of a claim whose outcome the killed worker never
//! learnt, which its `push_deliveries` row shows as more than one attempt (the phone shows it
//! once: both carry the announcement's tag).

use crate::fake_push::{self, AllFakes};
use crate::harness::{self, Proc, RedisKeys, TempDb, Wushe};
use crate::seed;
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 10_000;

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_the_worker_three_times_during_a_fan_out() {
    let Some(env) = harness::env("kill_9_the_worker_three_times_during_a_fan_out") else { return };
    let fake = AllFakes::start().await;
    fake.set_latency(Duration::from_millis(40));
    let db = TempDb::create(&env.database_url).await;
    let keys = RedisKeys::on(&env.redis_url).await;
    let mut wushe = Wushe::new(&env, &db.url, &env.redis_url, &keys.prefix);
    wushe.push_to_all(&fake, 8);
    // Few jobs at a time, so the fan-out goes on while a killed worker's jobs wait out their lease.
    wushe.set("WUSHE_WORKER_CONCURRENCY", "4");
    let app = wushe.deploy().await;
    let conn = harness::connect(&db.url).await;
    let people = seed::recipients(&conn, app.unit, RECIPIENTS, fake_push::provider_of).await;
    let queue = keys.queues();

    let mut worker = wushe.worker("worker-1");
    let id = app
        .api
        .call("POST", "/api/v1/announcements", Some(&app.token), Some(app.announcement("演练：全员通知")))
        .await
        .expect_status(201, "creating the announcement")
        .id();
    let sent = || fake.delivered_count();
    let started = Instant::now();
    let mut kills: Vec<usize> = Vec::new();
    for quarter in 1..=3 {
        let target = RECIPIENTS * quarter / 4;
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut looked = Instant::now();
        let reached = loop {
            if sent() >= target {
                break true;
            }
            // A fan-out that lost pushes stops short of the next mark: notice, rather than wait.
            if looked.elapsed() >= Duration::from_millis(500) {
                looked = Instant::now();
                if seed::idle(&conn, &queue, id).await && sent() < target {
                    break false;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the fan-out made {} of the {target} pushes of the next mark in 90 s",
                sent()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        if !reached {
            println!("the fan-out stopped at {} pushes, short of {target}, after {} kill(s)", sent(), kills.len());
            break;
        }
        worker.kill9();
        kills.push(sent());
        worker = wushe.worker(&format!("worker-{}", quarter + 1));
    }

    // Settled: no work left, and nothing more reaching the fake for 2 s.
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut quiet: Option<(Instant, usize)> = None;
    let settled = loop {
        let n = sent();
        if seed::idle(&conn, &queue, id).await {
            match quiet {
                Some((since, m)) if m == n => {
                    if since.elapsed() >= Duration::from_secs(2) {
                        break true;
                    }
                }
                _ => quiet = Some((Instant::now(), n)),
            }
        } else {
            quiet = None;
        }
        if Instant::now() >= deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let took = started.elapsed();

    let d = seed::delivery(&conn, &fake, &people, id).await;
    let duplicated = d.duplicated_tokens();
    let rows = seed::push_rows(&conn, id, &duplicated).await;
    let unexplained: Vec<(String, Option<i32>)> = duplicated
        .iter()
        .filter_map(|t| {
            let attempts = rows.get(t).map(|(_, a)| *a);
            attempts.is_none_or(|a| a <= 1).then(|| (t.clone(), attempts))
        })
        .collect();
    let missing_rows = seed::push_rows(&conn, id, &d.missing).await;
    let mut missing_by_status = std::collections::BTreeMap::<String, usize>::new();
    for t in &d.missing {
        let status = missing_rows.get(t).map_or("no push_deliveries row".to_string(), |(s, _)| s.clone());
        *missing_by_status.entry(status).or_default() += 1;
    }
    let statuses = seed::push_statuses(&conn, id).await;
    let dead = queue.stats().await.map(|s| s.dead).unwrap_or(0);
    let unknown = metric(&worker, "wushe_push_outcome_unknown_total").await;

    println!(
        "kill -9 x{}: recipients {RECIPIENTS}, missing {}, duplicates {} of {} sends",
        kills.len(),
        d.missing.len(),
        d.duplicates(),
        d.sends
    );
    println!(
        "  killed at {kills:?} pushes; {} after {:.1} s; inbox rows {}; push_deliveries {statuses:?}; dead letters {dead}; \
         wushe_push_outcome_unknown_total of the last worker: {}",
        if settled { "settled" } else { "NOT settled" },
        took.as_secs_f64(),
        d.inbox_rows,
        match &unknown {
            None => "(no /metrics)".to_string(),
            Some(None) => "(absent)".to_string(),
            Some(Some(v)) => v.to_string(),
        },
    );

    assert!(
        d.missing.is_empty(),
        "{} of {RECIPIENTS} devices never got the announcement (their push_deliveries: {missing_by_status:?}; e.g. {:?})",
        d.missing.len(),
        &d.missing[..d.missing.len().min(3)]
    );
    assert!(
        d.inbox_rows == RECIPIENTS && d.inbox_people == RECIPIENTS && d.strangers == 0,
        "inbox: {} rows for {} of {RECIPIENTS} recipients ({} for others); want exactly one each",
        d.inbox_rows,
        d.inbox_people,
        d.strangers
    );
    assert!(
        unexplained.is_empty(),
        "{} devices got the push twice though their push_deliveries row counts one attempt (token, attempts): {:?}",
        unexplained.len(),
        &unexplained[..unexplained.len().min(5)]
    );
    assert_eq!(kills.len(), 3, "the worker was killed at 25 %, 50 % and 75 % of the pushes");
    assert!(settled, "work was still left 150 s after the last kill");
    assert_eq!(dead, 0, "no job ended in the dead letters");
    assert!(worker.exited().is_none(), "the last worker is still running");
    assert!(
        unknown.is_some() && healthz(&worker).await,
        "the worker serves /metrics and /healthz on WUSHE_METRICS_LISTEN ({})",
        worker.addr.as_deref().unwrap_or("?")
    );
}

/// Whether a process answers `/healthz` with 200.
async fn healthz(p: &Proc) -> bool {
    let Some(addr) = p.addr.as_deref() else { return false };
    let probe = harness::client().get(format!("http://{addr}/healthz")).timeout(Duration::from_secs(2)).send().await;
    probe.is_ok_and(|r| r.status() == 200)
}

/// The sum of a metric's samples in a process's `/metrics`: `None` when it serves no metrics,
/// `Some(None)` when the metric has no sample.
async fn metric(p: &Proc, name: &str) -> Option<Option<f64>> {
    let addr = p.addr.as_deref()?;
    let text = harness::client()
        .get(format!("http://{addr}/metrics"))
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .ok()
        .filter(|r| r.status() == 200)?
        .text()
        .await
        .ok()?;
    let values: Vec<f64> = text
        .lines()
        .filter(|l| l.strip_prefix(name).is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{')))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    Some((!values.is_empty()).then(|| values.iter().sum()))
}
