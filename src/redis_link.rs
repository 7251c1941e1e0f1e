//! Redis on request paths (rate limits, readiness; later the session cache), behind a circuit
//! breaker, so that a Redis that is down or hanging never makes a request slow.
//!
//! Every call has a short timeout (`WUSHE_REDIS_TIMEOUT`). The first call that fails or times
//! out opens the circuit: from then on calls are skipped at once (the caller falls back, e.g.
//! to per-instance rate-limit counters) while one background task pings Redis every
//! [`PROBE_EVERY`]; the first answer closes the circuit again. So while Redis is down a request
//! pays nothing, and at most one request per outage pays one timeout.
//!
//! The job queue keeps its own connections (`jobs::queue::redis`): workers may wait for Redis,
//! requests may not, and writes reach the queue through the outbox in the database anyway.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How often the background probe pings a Redis found down.
pub const PROBE_EVERY: Duration = Duration::from_millis(500);

/// A guarded connection to one Redis.
pub struct RedisLink {
    conn: ConnectionManager,
    timeout: Duration,
    open: AtomicBool,
    trips: AtomicU64,
}

impl RedisLink {
    /// A link to the Redis at `url`; connects lazily, so it may be created while Redis is down.
    pub fn new(url: &str, timeout: Duration) -> redis::RedisResult<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let cfg = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // The breaker decides when to try again, not the connection's own retry loop.
            .set_number_of_retries(0);
        let conn = ConnectionManager::new_lazy_with_config(client, cfg)?;
        Ok(Arc::new(RedisLink { conn, timeout, open: AtomicBool::new(false), trips: AtomicU64::new(0) }))
    }

    /// Whether calls are being skipped because Redis failed.
    pub fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Runs `call` on the connection unless the circuit is open; `None` when skipped, failed or
    /// too slow (which opens the circuit).
    pub async fn run<T, F, Fut>(self: &Arc<Self>, call: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.is_open() {
            return None;
        }
        match tokio::time::timeout(self.timeout, call(self.conn.clone())).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                self.trip(&e.to_string());
                None
            }
            Err(_) => {
                self.trip("timed out");
                None
            }
        }
    }

    /// Whether Redis answers a PING now (through the breaker: `false` at once while open).
    pub async fn ping(self: &Arc<Self>) -> bool {
        self.run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await }).await.is_some()
    }

    fn trip(self: &Arc<Self>, why: &str) {
        if self.open.swap(true, Ordering::AcqRel) {
            return;
        }
        self.trips.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = why, "Redis failed on a request path: skipping it until it answers again");
        let link = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(PROBE_EVERY).await;
                let mut c = link.conn.clone();
                let cmd = redis::cmd("PING");
                if let Ok(Ok(_)) = tokio::time::timeout(link.timeout, cmd.query_async::<String>(&mut c)).await {
                    link.open.store(false, Ordering::Release);
                    tracing::info!("Redis answers again: request paths use it again");
                    return;
                }
            }
        });
    }

    /// The breaker's gauges in the Prometheus text format.
    pub fn metrics_text(&self) -> String {
        format!(
            "# HELP wushe_redis_circuit_open Whether request paths skip Redis because it failed (1) or use it (0).\n\
             # TYPE wushe_redis_circuit_open gauge\nwushe_redis_circuit_open {}\n\
             # HELP wushe_redis_circuit_trips_total Times Redis failed on a request path and was skipped.\n\
             # TYPE wushe_redis_circuit_trips_total counter\nwushe_redis_circuit_trips_total {}\n",
            u8::from(self.is_open()),
            self.trips.load(Ordering::Relaxed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dead_redis_opens_the_circuit_and_later_calls_skip_at_once() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let link = RedisLink::new(&format!("redis://127.0.0.1:{closed}"), Duration::from_millis(200)).unwrap();
        assert!(!link.is_open());
        let started = std::time::Instant::now();
        assert!(!link.ping().await);
        assert!(started.elapsed() < Duration::from_secs(1), "the first failure costs at most the timeout");
        assert!(link.is_open());
        let started = std::time::Instant::now();
        for _ in 0..100 {
            assert!(!link.ping().await);
        }
        assert!(started.elapsed() < Duration::from_millis(50), "an open circuit skips without waiting");
        assert!(link.metrics_text().contains("wushe_redis_circuit_open 1"));
        assert!(link.metrics_text().contains("wushe_redis_circuit_trips_total 1"));
    }

    #[tokio::test]
    async fn a_hanging_redis_costs_one_timeout() {
        // Accepts connections and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let link = RedisLink::new(&format!("redis://127.0.0.1:{port}"), Duration::from_millis(150)).unwrap();
        let started = std::time::Instant::now();
        assert!(!link.ping().await);
        assert!(started.elapsed() < Duration::from_millis(800), "{:?}", started.elapsed());
        assert!(link.is_open());
        drop(silent);
    }
}
