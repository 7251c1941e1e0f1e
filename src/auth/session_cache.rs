//! The per-instance cache of signed-in sessions: what `api::bearer::authenticate` loads (the
//! person's row and their live session), keyed by session id, so a signed-in request costs no
//! database round trip once warm. Owns no table; it mirrors `users` and `sessions`.
//!
//! Bounds: at most [`CAPACITY`] entries (when full, entries older than the TTL go first, then an
//! arbitrary eighth) and each entry lives at most [`TTL`], a safety net should an invalidation
//! ever be lost. A hit still checks the access token (signature, expiry, token version) and the
//! session's expiry against the clock.
//!
//! Invalidation: every write of a `users` or `sessions` row calls [`person_changed`] inside
//! `db::write`, which collects the ids and, once the transaction has committed (never before, and
//! not at all on rollback), announces them: the instance that wrote drops the person's entries
//! at once, and every other instance hears it — through Redis pub/sub on the channel
//! `<WUSHE_REDIS_PREFIX>sessions` when Redis is configured (the publish is awaited before the
//! request answers), or in the process on the embedded default (every cache of the process that
//! serves the same database). A write made outside an HTTP request (a job) announces through
//! every cache of the process.
//!
//! Keeping new write paths from forgetting: `person_changed` outside `db::write` is a bug caught
//! in debug builds, and the test `every_user_and_session_write_announces` reads the sources: a
//! file under `src/domain` that writes `users` or `sessions` rows must call `person_changed` at
//! least as often as it writes.
//!
//! Races: a request that read the database before a commit and fills the cache after the
//! invalidation must not leave a stale entry. Each person hashes to one of [`STRIPES`] generation
//! counters; an invalidation bumps the counter before dropping entries, a request takes a
//! [`Ticket`] (the counter) before it reads, and fills only if the counter has not moved since.
//!
//! Failure modes: while the Redis subscription is down (never made, dropped, killed), the cache
//! is emptied and bypassed — every request reads the database, as without a cache — until the
//! subscription is back, when it is emptied again; so a message missed while unsubscribed never
//! leaves a revoked session usable. A publish that fails (Redis unreachable from the writer only)
//! is retried in the background; the TTL bounds what another instance may serve meanwhile.

use crate::redis_link::RedisLink;
use chrono::{DateTime, Utc};
use entity::user;
use futures::StreamExt;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Most sessions kept per instance.
pub const CAPACITY: usize = 20_000;
/// Longest an entry is trusted without reading the database again.
pub const TTL: Duration = Duration::from_secs(60);
/// Generation counters people are spread over.
pub const STRIPES: usize = 1024;
/// Pause between attempts to (re)subscribe.
const RESUBSCRIBE_EVERY: Duration = Duration::from_millis(200);

struct Entry {
    user: user::Model,
    expires_at: DateTime<Utc>,
    filled: Instant,
}

/// The cache of one application instance.
pub struct SessionCache {
    entries: Mutex<HashMap<Uuid, Entry>>,
    stripes: Box<[AtomicU64]>,
    /// Set while invalidations may be missed (Redis subscription down): no hits, no fills.
    bypass: AtomicBool,
    redis: Option<(Arc<RedisLink>, String)>,
    database: String,
    hits: AtomicU64,
    misses: AtomicU64,
    subscriptions: AtomicU64,
}

/// The generation of a person's stripe when a database read began.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    stripe: usize,
    generation: u64,
}

fn stripe_of(user_id: Uuid) -> usize {
    (user_id.as_u64_pair().1 as usize) % STRIPES
}

impl SessionCache {
    /// A cache for an instance serving `database`. With Redis (`redis`: the link and the client
    /// URL) it subscribes to `channel` and is bypassed until subscribed; must then be called
    /// inside a tokio runtime.
    pub fn new(database: &str, redis: Option<(Arc<RedisLink>, &str)>, channel: &str) -> Arc<Self> {
        let cache = Arc::new(SessionCache {
            entries: Mutex::new(HashMap::new()),
            stripes: (0..STRIPES).map(|_| AtomicU64::new(0)).collect(),
            bypass: AtomicBool::new(redis.is_some()),
            redis: redis.as_ref().map(|(link, _)| (link.clone(), channel.to_string())),
            database: database.to_string(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            subscriptions: AtomicU64::new(0),
        });
        if let Some((_, url)) = redis {
            match redis::Client::open(url) {
                Ok(client) => {
                    if let Ok(rt) = tokio::runtime::Handle::try_current() {
                        rt.spawn(subscribe(Arc::downgrade(&cache), client, channel.to_string()));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "session cache: bad Redis URL; reading sessions from the database")
                }
            }
        }
        registry().lock().unwrap_or_else(|p| p.into_inner()).push(Arc::downgrade(&cache));
        cache
    }

    /// Whether the cache is bypassed because invalidations could be missed.
    pub fn is_bypassed(&self) -> bool {
        self.bypass.load(Ordering::Acquire)
    }

    /// The person of a live session, if cached, fresh, theirs and unexpired at `now`.
    pub fn get(&self, session_id: Uuid, user_id: Uuid, now: DateTime<Utc>) -> Option<user::Model> {
        if self.is_bypassed() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let hit = entries
            .get(&session_id)
            .filter(|e| e.user.id == user_id && e.expires_at > now && e.filled.elapsed() < TTL)
            .map(|e| e.user.clone());
        drop(entries);
        let counter = if hit.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        hit
    }

    /// Taken before reading a person from the database, to fill with afterwards.
    pub fn ticket(&self, user_id: Uuid) -> Ticket {
        let stripe = stripe_of(user_id);
        Ticket { stripe, generation: self.stripes[stripe].load(Ordering::Acquire) }
    }

    /// Keeps what a read begun at `ticket` found, unless the person changed since (or the
    /// cache is bypassed).
    pub fn fill(&self, ticket: Ticket, session_id: Uuid, expires_at: DateTime<Utc>, user: user::Model) {
        if self.is_bypassed() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Checked under the lock: an invalidation bumps the counter before it takes the lock.
        if self.stripes[ticket.stripe].load(Ordering::Acquire) != ticket.generation || self.is_bypassed() {
            return;
        }
        if entries.len() >= CAPACITY && !entries.contains_key(&session_id) {
            entries.retain(|_, e| e.filled.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                let drop: Vec<Uuid> = entries.keys().take(CAPACITY / 8).copied().collect();
                for k in drop {
                    entries.remove(&k);
                }
            }
        }
        entries.insert(session_id, Entry { user, expires_at, filled: Instant::now() });
    }

    /// Forgets every session of these people here, and refuses fills begun before.
    pub fn invalidate_here(&self, people: &[Uuid]) {
        if people.is_empty() {
            return;
        }
        for id in people {
            self.stripes[stripe_of(*id)].fetch_add(1, Ordering::AcqRel);
        }
        let set: HashSet<Uuid> = people.iter().copied().collect();
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, e| !set.contains(&e.user.id));
    }

    /// Forgets everything (and refuses fills begun before).
    fn clear(&self) {
        for s in self.stripes.iter() {
            s.fetch_add(1, Ordering::AcqRel);
        }
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Tells every instance that these people changed: here at once, then through Redis, or
    /// in the process to every cache of the same database.
    pub async fn announce(&self, people: &[Uuid]) {
        if people.is_empty() {
            return;
        }
        self.invalidate_here(people);
        let Some((link, channel)) = &self.redis else {
            for cache in live_caches() {
                if cache.database == self.database {
                    cache.invalidate_here(people);
                }
            }
            return;
        };
        let message = people.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
        if publish(link, channel, &message).await {
            return;
        }
        // Unreachable Redis: keep trying for as long as another instance may trust an entry.
        let (link, channel) = (link.clone(), channel.clone());
        tokio::spawn(async move {
            let until = Instant::now() + TTL;
            while Instant::now() < until {
                tokio::time::sleep(RESUBSCRIBE_EVERY).await;
                if publish(&link, &channel, &message).await {
                    return;
                }
            }
        });
    }

    /// The cache's figures in the Prometheus text format.
    pub fn metrics_text(&self) -> String {
        let size = self.entries.lock().unwrap_or_else(|p| p.into_inner()).len();
        format!(
            "# HELP wushe_session_cache_hits_total Signed-in requests answered from the session cache.\n\
             # TYPE wushe_session_cache_hits_total counter\nwushe_session_cache_hits_total {}\n\
             # HELP wushe_session_cache_misses_total Signed-in requests that read the database.\n\
             # TYPE wushe_session_cache_misses_total counter\nwushe_session_cache_misses_total {}\n\
             # HELP wushe_session_cache_entries Sessions held in the cache.\n\
             # TYPE wushe_session_cache_entries gauge\nwushe_session_cache_entries {size}\n\
             # HELP wushe_session_cache_bypassed Whether the cache is bypassed because invalidations could be missed.\n\
             # TYPE wushe_session_cache_bypassed gauge\nwushe_session_cache_bypassed {}\n",
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            u8::from(self.is_bypassed()),
        )
    }

    /// Requests answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Times the Redis subscription was (re)made, each time with the cache emptied.
    pub fn subscriptions(&self) -> u64 {
        self.subscriptions.load(Ordering::Acquire)
    }
}

async fn publish(link: &Arc<RedisLink>, channel: &str, message: &str) -> bool {
    link.run(|mut c| async move { redis::cmd("PUBLISH").arg(channel).arg(message).query_async::<i64>(&mut c).await })
        .await
        .is_some()
}

/// Keeps the cache subscribed; bypassed and empty whenever it is not.
async fn subscribe(cache: Weak<SessionCache>, client: redis::Client, channel: String) {
    let alive = || cache.upgrade();
    loop {
        let Some(c) = alive() else { return };
        c.bypass.store(true, Ordering::Release);
        c.clear();
        drop(c);
        let sub = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            redis::RedisResult::Ok(pubsub)
        };
        let pubsub = match tokio::time::timeout(Duration::from_secs(5), sub).await {
            Ok(Ok(p)) => p,
            _ => {
                tokio::time::sleep(RESUBSCRIBE_EVERY).await;
                continue;
            }
        };
        {
            let Some(c) = alive() else { return };
            // Anything changed while unsubscribed is forgotten before the cache is trusted again.
            c.clear();
            c.bypass.store(false, Ordering::Release);
            c.subscriptions.fetch_add(1, Ordering::AcqRel);
        }
        let mut messages = pubsub.into_on_message();
        loop {
            let next = tokio::time::timeout(Duration::from_secs(1), messages.next()).await;
            let Some(c) = alive() else { return };
            match next {
                Err(_) => continue,
                Ok(None) => {
                    tracing::warn!("session cache: Redis subscription lost; reading sessions from the database");
                    break;
                }
                Ok(Some(msg)) => {
                    let body: String = msg.get_payload().unwrap_or_default();
                    let people: Vec<Uuid> = body.split(',').filter_map(|s| s.parse().ok()).collect();
                    c.invalidate_here(&people);
                }
            }
        }
    }
}

fn registry() -> &'static Mutex<Vec<Weak<SessionCache>>> {
    static REGISTRY: OnceLock<Mutex<Vec<Weak<SessionCache>>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(Vec::new()))
}

fn live_caches() -> Vec<Arc<SessionCache>> {
    let mut all = registry().lock().unwrap_or_else(|p| p.into_inner());
    all.retain(|w| w.strong_count() > 0);
    all.iter().filter_map(Weak::upgrade).collect()
}

tokio::task_local! {
    /// The cache of the instance serving the current request.
    static INSTANCE: Arc<SessionCache>;
    /// People changed by the current `db::write` transaction.
    static CHANGED: Mutex<Vec<Uuid>>;
}

/// Runs `fut` (a request) as served by the instance owning `cache`.
pub async fn serving<F: Future>(cache: Arc<SessionCache>, fut: F) -> F::Output {
    INSTANCE.scope(cache, fut).await
}

/// Records, inside `db::write`, that a person's row or one of their sessions is being written;
/// announced once the transaction commits.
pub fn person_changed(user_id: Uuid) {
    let recorded = CHANGED.try_with(|c| c.lock().unwrap_or_else(|p| p.into_inner()).push(user_id)).is_ok();
    debug_assert!(recorded, "person_changed outside db::write: the change would not be announced");
    if !recorded {
        tracing::error!("a person changed outside a write transaction; clearing every session cache");
        for cache in live_caches() {
            cache.clear();
        }
    }
}

/// Runs a write transaction (`fut`), then announces the people it changed if it succeeded.
pub async fn announcing<T, E, F: Future<Output = Result<T, E>>>(fut: F) -> Result<T, E> {
    let (out, changed) = CHANGED
        .scope(Mutex::new(Vec::new()), async {
            let out = fut.await;
            let changed = CHANGED.with(|c| std::mem::take(&mut *c.lock().unwrap_or_else(|p| p.into_inner())));
            (out, changed)
        })
        .await;
    if out.is_ok() && !changed.is_empty() {
        let mut people = changed;
        people.sort_unstable();
        people.dedup();
        match INSTANCE.try_with(Arc::clone) {
            Ok(cache) => cache.announce(&people).await,
            Err(_) => {
                for cache in live_caches() {
                    cache.announce(&people).await;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
