//! Cron on both backends: several scheduler instances, each slot enqueued once.

use crate::harness::{Backend, TestClock};
use chrono::{DateTime, Utc};
use jobs::cron::{Schedule, Scheduler};
use jobs::{NewJob, SharedQueue};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn drain(q: &SharedQueue) -> Vec<String> {
    let mut slots = Vec::new();
    loop {
        let jobs = q.fetch(100, Duration::from_secs(30), Duration::from_millis(100)).await.unwrap();
        if jobs.is_empty() {
            return slots;
        }
        slots.extend(jobs.iter().map(|j| j.payload["slot"].as_str().unwrap().to_string()));
        q.complete(&jobs).await.unwrap();
    }
}

async fn schedulers(b: &Backend, clock: &TestClock, n: usize, schedule: &Schedule) -> Vec<Scheduler> {
    let mut out = Vec::new();
    for _ in 0..n {
        let q = b.handle(Arc::new(clock.clone())).await;
        out.push(Scheduler::new(vec![schedule.clone()], q, Arc::new(clock.clone()), Duration::from_millis(10)));
    }
    out
}

async fn three_instances_fire_each_slot_once(b: Backend) {
    let clock = TestClock::at(t("2026-11-28T00:00:30Z"));
    let schedule = Schedule::new("tick", "0 * * * * *", NewJob::new("tick", json!({})))
        .unwrap()
        .in_zone(chrono_tz::UTC)
        .catch_up(Duration::from_secs(90));
    let mut instances = schedulers(&b, &clock, 3, &schedule).await;
    for minute in 0..5 {
        let fired: usize = futures::future::join_all(instances.iter_mut().map(|s| s.tick())).await.into_iter().sum();
        assert_eq!(fired, 1, "minute {minute}: one instance enqueued the slot");
        // A second look within the same minute fires nothing.
        let again: usize = futures::future::join_all(instances.iter_mut().map(|s| s.tick())).await.into_iter().sum();
        assert_eq!(again, 0);
        clock.set(clock_now(&clock) + chrono::Duration::seconds(60));
    }
    let mut slots = drain(&b.handle(Arc::new(clock.clone())).await).await;
    slots.sort();
    let expected: Vec<String> = (0..5).map(|m| format!("2026-11-28T00:0{m}:00+00:00")).collect();
    assert_eq!(slots, expected);
}

fn clock_now(c: &TestClock) -> DateTime<Utc> {
    use jobs::Clock;
    c.now()
}

async fn missed_slot_fires_once_on_recovery_inside_the_window(b: Backend) {
    // Everything was down from 00:00 to 00:25; the schedule runs every 10 minutes with a
    // 10-minute catch-up window, so only the 00:20 slot fires, once.
    let clock = TestClock::at(t("2026-11-28T00:25:00Z"));
    let schedule = Schedule::new("ten", "0 */10 * * * *", NewJob::new("ten", json!({})))
        .unwrap()
        .in_zone(chrono_tz::UTC)
        .catch_up(Duration::from_secs(600));
    let mut instances = schedulers(&b, &clock, 2, &schedule).await;
    let fired: usize = futures::future::join_all(instances.iter_mut().map(|s| s.tick())).await.into_iter().sum();
    assert_eq!(fired, 1);
    // A slot missed beyond the window never fires.
    let late = Schedule::new("late", "0 0 * * * *", NewJob::new("late", json!({})))
        .unwrap()
        .in_zone(chrono_tz::UTC)
        .catch_up(Duration::from_secs(60));
    let mut s = schedulers(&b, &clock, 1, &late).await;
    assert_eq!(s[0].tick().await, 0);
    assert_eq!(drain(&b.handle(Arc::new(clock.clone())).await).await, vec!["2026-11-28T00:20:00+00:00".to_string()]);
}

macro_rules! both {
    ($($name:ident),*) => {
        mod embedded {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(crate::harness::Backend::embedded().await).await } )*
        }
        mod redis {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(b) = crate::harness::Backend::redis().await else { return };
                super::$name(b).await
            } )*
        }
    };
}

both!(three_instances_fire_each_slot_once, missed_slot_fires_once_on_recovery_inside_the_window);
