//! Request rate limits: fixed-window counters per (limit, subject), where a subject is a person
//! or a client IP. With `WUSHE_REDIS_URL` set the counters live in Redis, so every instance
//! counts against the same budget; the embedded setup (one process) counts in memory.
//!
//! Windows are aligned to the application clock (tests move it). A fixed window lets a client
//! spend up to twice its budget across a boundary, which is acceptable for abuse control. When
//! Redis fails or is slow ([`RedisLink`]: short timeout, then skipped until it answers again),
//! each instance counts in its own memory instead: limits stay enforced per instance and no
//! request waits for Redis.

use crate::config::Limit;
use crate::redis_link::RedisLink;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Counts requests and says when a budget is spent.
#[derive(Clone)]
pub struct RateLimiter {
    redis: Option<(Arc<RedisLink>, String)>,
    /// The counters of the embedded setup, and the fallback while Redis is unavailable.
    local: Arc<Mutex<HashMap<String, (i64, u64)>>>,
}

/// A budget is spent: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub retry_after_secs: u64,
}

static SCRIPT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n",
    )
});

impl RateLimiter {
    /// Counters in Redis (keys under `prefix`) when a link is given, else in memory.
    pub fn new(redis: Option<Arc<RedisLink>>, prefix: String) -> Self {
        RateLimiter { redis: redis.map(|r| (r, prefix)), local: Arc::default() }
    }

    /// Counts one request of `subject` against `limit` (named `name`); `Err` once the window's
    /// budget is spent.
    pub async fn hit(&self, name: &str, subject: &str, limit: Limit, now: DateTime<Utc>) -> Result<(), Exceeded> {
        let window = limit.window.as_secs().max(1) as i64;
        let slot = now.timestamp().div_euclid(window);
        let retry_after_secs = ((slot + 1) * window - now.timestamp()).max(1) as u64;
        let shared = match &self.redis {
            Some((link, prefix)) => {
                let key = format!("{prefix}{name}:{subject}:{window}:{slot}");
                let ttl = window as u64 + 1;
                link.run(|mut c| async move { SCRIPT.key(key).arg(ttl).invoke_async::<u64>(&mut c).await }).await
            }
            None => None,
        };
        let count = match shared {
            Some(n) => n,
            None => self.count_locally(&format!("{name}:{subject}:{window}"), slot),
        };
        if count > limit.max { Err(Exceeded { retry_after_secs }) } else { Ok(()) }
    }

    fn count_locally(&self, key: &str, slot: i64) -> u64 {
        let mut map = self.local.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (s, _)| *s >= slot);
        }
        let entry = map.entry(key.to_string()).or_insert((slot, 0));
        if entry.0 != slot {
            *entry = (slot, 0);
        }
        entry.1 += 1;
        entry.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_redis_falls_back_to_local_counters_without_waiting() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let link =
            RedisLink::new(&format!("redis://127.0.0.1:{closed}"), std::time::Duration::from_millis(200)).unwrap();
        let l = RateLimiter::new(Some(link), "t:".into());
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let lim = Limit::per(3, 60);
        let started = std::time::Instant::now();
        for _ in 0..3 {
            assert!(l.hit("a", "x", lim, t0).await.is_ok());
        }
        assert!(l.hit("a", "x", lim, t0).await.is_err(), "the budget still holds, per instance");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn memory_counts_per_subject_and_window() {
        let l = RateLimiter::new(None, String::new());
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let lim = Limit::per(2, 60);
        assert!(l.hit("a", "x", lim, t0).await.is_ok());
        assert!(l.hit("a", "x", lim, t0).await.is_ok());
        let e = l.hit("a", "x", lim, t0).await.unwrap_err();
        assert!(e.retry_after_secs >= 1 && e.retry_after_secs <= 60);
        assert!(l.hit("a", "y", lim, t0).await.is_ok(), "another subject");
        assert!(l.hit("b", "x", lim, t0).await.is_ok(), "another limit");
        assert!(l.hit("a", "x", lim, t0 + chrono::Duration::seconds(60)).await.is_ok(), "next window");
    }
}
