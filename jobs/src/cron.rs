//! Cron: named schedules declared in code, evaluated in UTC or a named zone (default
//! `Asia/Shanghai`). Every instance runs the [`Scheduler`]; each slot is claimed once across all
//! of them (`SET <prefix>cron:<name>:<slot> NX` in Redis, a unique `job_keys` row in the embedded
//! backend) and only the winner enqueues, with the slot in the job's dedupe key, so a slot fires
//! exactly once however many instances run. A slot missed while everything was down fires once
//! on recovery if it is still inside the schedule's catch-up window.
//!
//! Expressions are the `cron` crate's: 6 or 7 fields with seconds first, and day-of-week numbers
//! start at Sunday = 1, so write day names (`0 0 9 * * Mon`).

use crate::clock::Clock;
use crate::job::NewJob;
use crate::queue::SharedQueue;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The zone schedules are read in unless they say otherwise.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// One named schedule.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub name: String,
    pub expr: cron::Schedule,
    pub zone: Tz,
    /// The job each slot enqueues; the slot's instant is added to an object payload as `slot`.
    pub job: NewJob,
    /// How late a missed slot may still fire (once) on recovery.
    pub catch_up: Duration,
}

impl Schedule {
    /// A schedule in the default zone with a 10-minute catch-up window.
    pub fn new(name: &str, expr: &str, job: impl Into<NewJob>) -> Result<Self, String> {
        let job = job.into();
        let expr = cron::Schedule::from_str(expr).map_err(|e| format!("schedule {name}: {e}"))?;
        Ok(Schedule { name: name.to_string(), expr, zone: DEFAULT_ZONE, job, catch_up: Duration::from_secs(600) })
    }

    /// Evaluated in `zone` (e.g. `chrono_tz::UTC`).
    pub fn in_zone(mut self, zone: Tz) -> Self {
        self.zone = zone;
        self
    }

    /// With a catch-up window of `d`.
    pub fn catch_up(mut self, d: Duration) -> Self {
        self.catch_up = d;
        self
    }

    /// The slots in `(after, until]`, oldest first.
    pub fn slots(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        self.expr
            .after(&after.with_timezone(&self.zone))
            .map(|t| t.with_timezone(&Utc))
            .take_while(|t| *t <= until)
            .take(10_000)
            .collect()
    }

    /// The job of one slot, deduplicated by it.
    pub fn job_for(&self, slot: DateTime<Utc>) -> NewJob {
        let mut job = self.job.clone();
        if let serde_json::Value::Object(m) = &mut job.payload {
            m.insert("slot".into(), serde_json::Value::String(slot.to_rfc3339()));
        }
        job.dedupe_key = Some(slot_key(&self.name, slot));
        job.run_at = None;
        job.delay = None;
        job
    }
}

/// `cron:<name>:<slot seconds>`.
pub fn slot_key(name: &str, slot: DateTime<Utc>) -> String {
    format!("cron:{name}:{}", slot.timestamp())
}

/// Runs schedules: on every tick, claims and enqueues the slots that came due.
pub struct Scheduler {
    schedules: Vec<(Schedule, Option<DateTime<Utc>>)>,
    queue: SharedQueue,
    clock: Arc<dyn Clock>,
    tick: Duration,
    /// Slots won but not yet enqueued (the queue was down); retried on the next tick.
    unsent: Vec<NewJob>,
}

impl Scheduler {
    /// A scheduler of `schedules` enqueueing into `queue`, looking every `tick`.
    pub fn new(schedules: Vec<Schedule>, queue: SharedQueue, clock: Arc<dyn Clock>, tick: Duration) -> Self {
        Scheduler {
            schedules: schedules.into_iter().map(|s| (s, None)).collect(),
            queue,
            clock,
            tick,
            unsent: Vec::new(),
        }
    }

    /// Ticks until `shutdown` is cancelled.
    pub async fn run(mut self, shutdown: CancellationToken) {
        let names: Vec<&str> = self.schedules.iter().map(|(s, _)| s.name.as_str()).collect();
        tracing::info!(schedules = ?names, "scheduler started");
        loop {
            self.tick().await;
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.tick) => {}
            }
        }
    }

    /// Fires every slot due since the last tick (on the first tick: the latest slot inside the
    /// catch-up window). Returns how many slots this instance won and enqueued.
    pub async fn tick(&mut self) -> usize {
        let mut fired = 0;
        let unsent = std::mem::take(&mut self.unsent);
        for job in unsent {
            self.send(job, &mut fired).await;
        }
        let now = self.clock.now();
        for i in 0..self.schedules.len() {
            let (schedule, last) = &self.schedules[i];
            let window_start = now - chrono::Duration::from_std(schedule.catch_up).unwrap_or_default();
            let first_tick = last.is_none();
            let from = last.unwrap_or(window_start).max(window_start);
            let mut slots = schedule.slots(from, now);
            if first_tick && slots.len() > 1 {
                slots = slots.split_off(slots.len() - 1);
            }
            let schedule = schedule.clone();
            let mut done_until = now;
            for slot in slots {
                let ttl = schedule.catch_up + Duration::from_secs(86_400);
                match self.queue.claim_key(&slot_key(&schedule.name, slot), ttl).await {
                    Ok(true) => {
                        tracing::info!(schedule = %schedule.name, %slot, "cron slot won");
                        self.send(schedule.job_for(slot), &mut fired).await;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(schedule = %schedule.name, %slot, error = %e, "cannot claim cron slot; retrying");
                        done_until = slot - chrono::Duration::milliseconds(1);
                        break;
                    }
                }
            }
            self.schedules[i].1 = Some(done_until);
        }
        fired
    }

    async fn send(&mut self, job: NewJob, fired: &mut usize) {
        match self.queue.enqueue(job.clone()).await {
            Ok(_) => *fired += 1,
            Err(e) => {
                tracing::warn!(kind = %job.kind, error = %e, "cannot enqueue a won cron slot; retrying");
                self.unsent.push(job);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_in_a_zone_with_day_names() {
        // 09:00 Shanghai on Mondays is 01:00 UTC.
        let s = Schedule::new("weekly", "0 0 9 * * Mon", NewJob::new("k", serde_json::json!({}))).unwrap();
        let from = DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap().with_timezone(&Utc); // a Sunday
        let to = from + chrono::Duration::days(9);
        let slots = s.slots(from, to);
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].to_rfc3339(), "2026-11-30T01:00:00+00:00");
        let job = s.job_for(slots[0]);
        assert_eq!(job.dedupe_key.as_deref(), Some(format!("cron:weekly:{}", slots[0].timestamp()).as_str()));
        assert_eq!(job.payload["slot"], "2026-11-30T01:00:00+00:00");
    }

    #[test]
    fn bad_expressions_are_refused() {
        assert!(Schedule::new("x", "* * *", NewJob::new("k", ())).is_err());
    }
}
