//! Request rate limits: fixed-window counters per (limit, subject), where a subject is a person
//! or a client IP. With `WUSHE_REDIS_URL` set the counters live in Redis, so every instance
//! counts against the same budget; the embedded setup (one process) counts in memory.
//!
//! Windows are aligned to the application clock (tests move it). A fixed window lets a client
//! spend up to twice its budget across a boundary, which is acceptable for abuse control. When
//! Redis fails, requests are let through (and the failure logged): a limiter must not take the
//! API down with it.

use crate::config::Limit;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// Counts requests and says when a budget is spent.
#[derive(Clone)]
pub struct RateLimiter {
    backend: Arc<Backend>,
}

enum Backend {
    Memory(Mutex<HashMap<String, (i64, u64)>>),
    Redis { client: redis::Client, conn: OnceCell<redis::aio::ConnectionManager>, prefix: String },
}

/// A budget is spent: retry after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub retry_after_secs: u64,
}

const SCRIPT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n";

impl RateLimiter {
    /// Counters in Redis when a client is given, else in memory.
    pub fn new(redis: Option<redis::Client>, prefix: String) -> Self {
        let backend = match redis {
            Some(client) => Backend::Redis { client, conn: OnceCell::new(), prefix },
            None => Backend::Memory(Mutex::new(HashMap::new())),
        };
        RateLimiter { backend: Arc::new(backend) }
    }

    /// Counts one request of `subject` against `limit` (named `name`); `Err` once the window's
    /// budget is spent.
    pub async fn hit(&self, name: &str, subject: &str, limit: Limit, now: DateTime<Utc>) -> Result<(), Exceeded> {
        let window = limit.window.as_secs().max(1) as i64;
        let slot = now.timestamp().div_euclid(window);
        let retry_after_secs = ((slot + 1) * window - now.timestamp()).max(1) as u64;
        let count = match &*self.backend {
            Backend::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                if map.len() > 100_000 {
                    map.retain(|_, (s, _)| *s >= slot);
                }
                let entry = map.entry(format!("{name}:{subject}:{window}")).or_insert((slot, 0));
                if entry.0 != slot {
                    *entry = (slot, 0);
                }
                entry.1 += 1;
                entry.1
            }
            Backend::Redis { client, conn, prefix } => {
                let key = format!("{prefix}{name}:{subject}:{window}:{slot}");
                match redis_incr(client, conn, &key, window as u64 + 1).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limiter: Redis failed; letting the request through");
                        return Ok(());
                    }
                }
            }
        };
        if count > limit.max { Err(Exceeded { retry_after_secs }) } else { Ok(()) }
    }
}

async fn redis_incr(
    client: &redis::Client,
    conn: &OnceCell<redis::aio::ConnectionManager>,
    key: &str,
    ttl_secs: u64,
) -> redis::RedisResult<u64> {
    let c = conn.get_or_try_init(|| redis::aio::ConnectionManager::new(client.clone())).await?;
    let mut c = c.clone();
    redis::Script::new(SCRIPT).key(key).arg(ttl_secs).invoke_async(&mut c).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
