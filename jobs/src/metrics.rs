//! Job and push metrics in the Prometheus text format: counters per job kind (processed, failed,
//! retried, dead), a latency histogram, push outcomes per provider, and the queue gauges (depth,
//! oldest pending age, dead letters) read from the queue when scraped.

use crate::queue::QueueStats;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0];

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// The handler succeeded.
    Processed,
    /// It failed and will run again.
    Retried,
    /// It failed for good and went to the dead letters.
    Dead,
    /// A dependency was down; it runs again without spending an attempt.
    Deferred,
}

#[derive(Default, Clone)]
struct KindStats {
    processed: u64,
    failed: u64,
    retried: u64,
    dead: u64,
    deferred: u64,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The process's job and push counters.
#[derive(Default)]
pub struct Metrics {
    kinds: Mutex<BTreeMap<String, KindStats>>,
    pushes: Mutex<BTreeMap<(String, String), u64>>,
    unknown: Mutex<BTreeMap<(String, String), u64>>,
    sms: Mutex<BTreeMap<(String, String), u64>>,
    overdue: Mutex<BTreeMap<String, u64>>,
    relayed: std::sync::atomic::AtomicU64,
    swept: std::sync::atomic::AtomicU64,
}

impl Metrics {
    /// Counts one finished run of `kind` that took `elapsed`.
    pub fn job_run(&self, kind: &str, outcome: RunOutcome, elapsed: Duration) {
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let s = kinds.entry(kind.to_string()).or_default();
        match outcome {
            RunOutcome::Processed => s.processed += 1,
            RunOutcome::Retried => {
                s.failed += 1;
                s.retried += 1;
            }
            RunOutcome::Dead => {
                s.failed += 1;
                s.dead += 1;
            }
            RunOutcome::Deferred => s.deferred += 1,
        }
        let secs = elapsed.as_secs_f64();
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                s.buckets[i] += 1;
            }
        }
        s.count += 1;
        s.sum += secs;
    }

    /// Counts one push attempt's outcome (`delivered`, `drop_token`, `retry`, `fatal`).
    pub fn push(&self, provider: &str, outcome: &str) {
        let mut p = self.pushes.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((provider.to_string(), outcome.to_string())).or_default() += 1;
    }

    /// Counts one push whose outcome is unknown, so it is sent again and may reach the phone twice:
    /// `cause` is `timeout` (the provider did not answer in time) or `lost_attempt` (a worker died
    /// holding the send, and the job's next run took it over).
    pub fn push_unknown(&self, provider: &str, cause: &str) {
        let mut p = self.unknown.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((provider.to_string(), cause.to_string())).or_default() += 1;
    }

    /// Counts one text message's outcome (`sent`, `rate_limited`, `invalid_number`,
    /// `config_fault`, `transient`, `skipped`).
    pub fn sms(&self, provider: &str, outcome: &str) {
        let mut p = self.sms.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((provider.to_string(), outcome.to_string())).or_default() += 1;
    }

    /// Text messages of one outcome so far (all providers).
    pub fn sms_count(&self, outcome: &str) -> u64 {
        self.sms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|((_, o), _)| o == outcome)
            .map(|(_, n)| n)
            .sum()
    }

    /// Counts one job that ran after its usefulness had passed and was dropped (a reminder of a
    /// task already started, after an outage); `what` names the message, e.g. `task.remind:24h`.
    pub fn overdue(&self, what: &str) {
        let mut p = self.overdue.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry(what.to_string()).or_default() += 1;
    }

    /// Overdue drops of `what` so far.
    pub fn overdue_count(&self, what: &str) -> u64 {
        self.overdue.lock().unwrap_or_else(|e| e.into_inner()).get(what).copied().unwrap_or(0)
    }

    /// Counts push claims found stuck past their lease and handed back to the queue.
    pub fn claims_swept(&self, n: u64) {
        self.swept.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Counts outbox rows relayed to the queue.
    pub fn relayed(&self, n: u64) {
        self.relayed.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Processed runs of `kind` so far.
    pub fn processed(&self, kind: &str) -> u64 {
        self.kinds.lock().unwrap_or_else(|e| e.into_inner()).get(kind).map(|s| s.processed).unwrap_or(0)
    }

    /// Everything in the Prometheus text exposition format, with the queues' gauges.
    pub fn render(&self, queues: &[(String, QueueStats)]) -> String {
        let mut out = String::new();
        let kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for (name, help, get) in [
            (
                "wushe_jobs_processed_total",
                "Jobs whose handler succeeded.",
                (|s: &KindStats| s.processed) as fn(&KindStats) -> u64,
            ),
            ("wushe_jobs_failed_total", "Job runs that failed (retried or dead).", |s| s.failed),
            ("wushe_jobs_retried_total", "Failed job runs scheduled to run again.", |s| s.retried),
            ("wushe_jobs_dead_total", "Jobs moved to the dead letters.", |s| s.dead),
            ("wushe_jobs_deferred_total", "Job runs put off because a dependency was unavailable.", |s| s.deferred),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (kind, s) in &kinds {
                let _ = writeln!(out, "{name}{{kind=\"{}\"}} {}", escape(kind), get(s));
            }
        }
        let name = "wushe_job_duration_seconds";
        let _ = writeln!(out, "# HELP {name} How long job runs took.\n# TYPE {name} histogram");
        for (kind, s) in &kinds {
            let k = escape(kind);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(out, "{name}_bucket{{kind=\"{k}\",le=\"{le}\"}} {}", s.buckets[i]);
            }
            let _ = writeln!(out, "{name}_bucket{{kind=\"{k}\",le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "{name}_sum{{kind=\"{k}\"}} {}", s.sum);
            let _ = writeln!(out, "{name}_count{{kind=\"{k}\"}} {}", s.count);
        }
        let name = "wushe_push_total";
        let _ = writeln!(
            out,
            "# HELP {name} Push attempts by provider and outcome (config_fault: alert).\n# TYPE {name} counter"
        );
        for ((provider, outcome), n) in self.pushes.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{name}{{provider=\"{}\",outcome=\"{}\"}} {n}", escape(provider), escape(outcome));
        }
        let name = "wushe_sms_total";
        let _ = writeln!(
            out,
            "# HELP {name} Text messages by provider and outcome (config_fault: alert).\n# TYPE {name} counter"
        );
        for ((provider, outcome), n) in self.sms.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{name}{{provider=\"{}\",outcome=\"{}\"}} {n}", escape(provider), escape(outcome));
        }
        let name = "wushe_push_outcome_unknown_total";
        let _ = writeln!(
            out,
            "# HELP {name} Pushes sent again because the outcome of a send was unknown (possible duplicates).\n# TYPE {name} counter"
        );
        for ((provider, cause), n) in self.unknown.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{name}{{provider=\"{}\",cause=\"{}\"}} {n}", escape(provider), escape(cause));
        }
        let name = "wushe_jobs_overdue_dropped_total";
        let _ = writeln!(
            out,
            "# HELP {name} Messages dropped because their job ran after they could help (e.g. after an outage).\n# TYPE {name} counter"
        );
        for (what, n) in self.overdue.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "{name}{{what=\"{}\"}} {n}", escape(what));
        }
        let name = "wushe_push_claims_swept_total";
        let _ = writeln!(
            out,
            "# HELP {name} Push claims stuck past their lease, returned to the queue.\n# TYPE {name} counter"
        );
        let _ = writeln!(out, "{name} {}", self.swept.load(std::sync::atomic::Ordering::Relaxed));
        let name = "wushe_outbox_relayed_total";
        let _ = writeln!(out, "# HELP {name} Outbox rows moved into the queue.\n# TYPE {name} counter");
        let _ = writeln!(out, "{name} {}", self.relayed.load(std::sync::atomic::Ordering::Relaxed));
        let name = "wushe_queue_depth";
        let _ = writeln!(out, "# HELP {name} Jobs in the queue by state.\n# TYPE {name} gauge");
        for (q, s) in queues {
            let q = escape(q);
            for (state, n) in [("ready", s.ready), ("delayed", s.delayed), ("running", s.running), ("dead", s.dead)] {
                let _ = writeln!(out, "{name}{{queue=\"{q}\",state=\"{state}\"}} {n}");
            }
        }
        let name = "wushe_queue_oldest_pending_seconds";
        let _ = writeln!(out, "# HELP {name} Age of the oldest job waiting or running.\n# TYPE {name} gauge");
        for (q, s) in queues {
            let age = s.oldest_pending.map(|d| d.as_secs_f64()).unwrap_or(0.0);
            let _ = writeln!(out, "{name}{{queue=\"{}\"}} {age}", escape(q));
        }
        let name = "wushe_dead_letters";
        let _ = writeln!(out, "# HELP {name} Jobs in the dead letters.\n# TYPE {name} gauge");
        for (q, s) in queues {
            let _ = writeln!(out, "{name}{{queue=\"{}\"}} {}", escape(q), s.dead);
        }
        out
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histogram_and_gauges() {
        let m = Metrics::default();
        m.job_run("notify", RunOutcome::Processed, Duration::from_millis(3));
        m.job_run("notify", RunOutcome::Retried, Duration::from_millis(30));
        m.push("fcm", "delivered");
        m.push_unknown("fcm", "timeout");
        m.claims_swept(3);
        m.job_run("push.send", RunOutcome::Deferred, Duration::from_millis(1));
        let stats =
            QueueStats { ready: 2, delayed: 1, running: 0, dead: 4, oldest_pending: Some(Duration::from_secs(5)) };
        let text = m.render(&[("main".into(), stats)]);
        assert!(text.contains("wushe_jobs_processed_total{kind=\"notify\"} 1"));
        assert!(text.contains("wushe_jobs_retried_total{kind=\"notify\"} 1"));
        assert!(text.contains("wushe_job_duration_seconds_bucket{kind=\"notify\",le=\"0.005\"} 1"));
        assert!(text.contains("wushe_job_duration_seconds_count{kind=\"notify\"} 2"));
        assert!(text.contains("wushe_push_total{provider=\"fcm\",outcome=\"delivered\"} 1"));
        assert!(text.contains("wushe_queue_depth{queue=\"main\",state=\"ready\"} 2"));
        assert!(text.contains("wushe_push_outcome_unknown_total{provider=\"fcm\",cause=\"timeout\"} 1"));
        assert!(text.contains("wushe_push_claims_swept_total 3"));
        assert!(text.contains("wushe_jobs_deferred_total{kind=\"push.send\"} 1"));
        assert!(text.contains("wushe_queue_oldest_pending_seconds{queue=\"main\"} 5"));
        assert!(text.contains("wushe_dead_letters{queue=\"main\"} 4"));
    }
}
