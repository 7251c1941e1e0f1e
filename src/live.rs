//! The wake-up bus of live events (`GET /api/v1/me/events`): who has news, whose session ended.
//!
//! A signal carries ids only; what a person is shown is always read from the database (their
//! inbox rows after the stream's cursor, `domain::messaging::live`), so a lost, repeated or
//! reordered signal costs at most a wasted query, never a lost or duplicated event.
//!
//! - Signals go to the streams of this process through a `tokio` broadcast channel, and, when
//!   Redis is configured, to every instance through Redis pub/sub on the channel
//!   `{WUSHE_REDIS_PREFIX}live` (one subscriber connection per instance, started with the first
//!   stream; reconnects after a failure).
//! - Pub/sub delivers at most once, and a `wushe worker` process on the embedded setup has no
//!   Redis: so each stream also looks at the database on its own every [`POLL_WITH_REDIS`]
//!   ([`POLL_EMBEDDED`] without Redis), and checks that its session is still live then.
//! - At most [`MAX_STREAMS_PER_PERSON`] open streams per person and instance: opening one more
//!   closes the person's oldest (an app that reconnects without closing cannot lock itself out).

use crate::redis_link::RedisLink;
use futures::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Open streams per person and instance; one more closes the oldest.
pub const MAX_STREAMS_PER_PERSON: usize = 5;
/// How often a stream looks at the database unprompted when Redis carries the signals.
pub const POLL_WITH_REDIS: Duration = Duration::from_secs(5);
/// How often a stream looks at the database on the embedded setup (no Redis): other processes'
/// news shows within this.
pub const POLL_EMBEDDED: Duration = Duration::from_millis(400);
/// Comment lines keep idle connections (and proxies) open.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// A wake-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Something new for this person (an inbox row).
    News(Uuid),
    /// A session of this person ended: their streams check whether it was theirs.
    SessionEnded(Uuid),
}

impl Signal {
    fn encode(self) -> String {
        match self {
            Signal::News(u) => format!("n {u}"),
            Signal::SessionEnded(u) => format!("e {u}"),
        }
    }

    fn decode(s: &str) -> Option<Signal> {
        let mut parts = s.split(' ');
        let kind = parts.next()?;
        let user = parts.next()?.parse().ok()?;
        match kind {
            "n" => Some(Signal::News(user)),
            "e" => Some(Signal::SessionEnded(user)),
            _ => None,
        }
    }
}

/// The bus, shared by the server and the workers of one process.
pub struct LiveBus {
    local: broadcast::Sender<Signal>,
    redis: Option<(String, Arc<RedisLink>)>,
    channel: String,
    relay: OnceLock<()>,
    /// Whether this instance's Redis subscription is in place.
    subscribed: tokio::sync::watch::Sender<bool>,
    streams: Mutex<HashMap<Uuid, VecDeque<(u64, CancellationToken)>>>,
    next_stream: AtomicU64,
    stop: CancellationToken,
}

impl Drop for LiveBus {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl LiveBus {
    /// A bus; with `redis` (its URL and the request-path link) it spans instances.
    pub fn new(redis: Option<(String, Arc<RedisLink>)>, prefix: &str) -> Arc<Self> {
        Arc::new(LiveBus {
            local: broadcast::channel(1024).0,
            redis,
            channel: format!("{prefix}live"),
            relay: OnceLock::new(),
            subscribed: tokio::sync::watch::channel(false).0,
            streams: Mutex::new(HashMap::new()),
            next_stream: AtomicU64::new(0),
            stop: CancellationToken::new(),
        })
    }

    /// How often a stream looks at the database unprompted.
    pub fn poll_every(&self) -> Duration {
        if self.redis.is_some() { POLL_WITH_REDIS } else { POLL_EMBEDDED }
    }

    /// Sends a signal to this process's streams and, with Redis, to every instance's. Never
    /// fails: a signal that does not arrive is made up for by the streams' own polling.
    pub async fn publish(&self, signal: Signal) {
        let _ = self.local.send(signal);
        if let Some((_, link)) = &self.redis {
            let (channel, payload) = (self.channel.clone(), signal.encode());
            let _ = link
                .run(|mut c| async move { redis::AsyncCommands::publish::<_, _, i64>(&mut c, channel, payload).await })
                .await;
        }
    }

    /// Sends many signals at once (an announcement's batch of recipients): to this process's
    /// streams, and with Redis as one message of one line per signal.
    pub async fn publish_all(&self, signals: &[Signal]) {
        for s in signals {
            let _ = self.local.send(*s);
        }
        if let (Some((_, link)), false) = (&self.redis, signals.is_empty()) {
            let payload = signals.iter().map(|s| s.encode()).collect::<Vec<_>>().join("\n");
            let channel = self.channel.clone();
            let _ = link
                .run(|mut c| async move { redis::AsyncCommands::publish::<_, _, i64>(&mut c, channel, payload).await })
                .await;
        }
    }

    /// Signals for a new stream. With Redis, the first call starts this instance's subscriber,
    /// and every call waits (up to a second) until the subscription is in place, so a stream
    /// that has answered misses no signal published after.
    pub async fn subscribe(&self) -> broadcast::Receiver<Signal> {
        let rx = self.local.subscribe();
        if let Some((url, _)) = &self.redis {
            self.relay.get_or_init(|| {
                let (url, channel, local) = (url.clone(), self.channel.clone(), self.local.clone());
                tokio::spawn(relay(url, channel, local, self.subscribed.clone(), self.stop.clone()));
            });
            let mut ready = self.subscribed.subscribe();
            let _ = tokio::time::timeout(Duration::from_secs(1), ready.wait_for(|up| *up)).await;
        }
        rx
    }

    /// Counts a new stream of `user` against the cap, closing their oldest beyond it; the stream
    /// ends when the returned guard's token is cancelled, and is uncounted when it is dropped.
    pub fn open_stream(self: &Arc<Self>, user: Uuid) -> StreamGuard {
        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
        let token = self.stop.child_token();
        let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        let mine = streams.entry(user).or_default();
        mine.push_back((id, token.clone()));
        while mine.len() > MAX_STREAMS_PER_PERSON {
            if let Some((_, oldest)) = mine.pop_front() {
                oldest.cancel();
            }
        }
        StreamGuard { bus: self.clone(), user, id, token }
    }

    /// Open streams of a person on this instance.
    pub fn open_streams(&self, user: Uuid) -> usize {
        self.streams.lock().unwrap_or_else(|e| e.into_inner()).get(&user).map_or(0, VecDeque::len)
    }
}

/// One open stream's place under the cap.
pub struct StreamGuard {
    bus: Arc<LiveBus>,
    user: Uuid,
    id: u64,
    /// Cancelled when the stream must close (over the cap, or the process stops).
    pub token: CancellationToken,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let mut streams = self.bus.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mine) = streams.get_mut(&self.user) {
            mine.retain(|(id, _)| *id != self.id);
            if mine.is_empty() {
                streams.remove(&self.user);
            }
        }
    }
}

/// Forwards Redis pub/sub signals to this process's streams until `stop`.
async fn relay(
    url: String,
    channel: String,
    local: broadcast::Sender<Signal>,
    subscribed: tokio::sync::watch::Sender<bool>,
    stop: CancellationToken,
) {
    let run = async {
        loop {
            match subscribe(&url, &channel).await {
                Ok(pubsub) => {
                    subscribed.send_replace(true);
                    let mut messages = pubsub.into_on_message();
                    while let Some(m) = messages.next().await {
                        // One signal per line ([`LiveBus::publish_all`]).
                        let payload = m.get_payload::<String>().unwrap_or_default();
                        for s in payload.lines().filter_map(Signal::decode) {
                            let _ = local.send(s);
                        }
                    }
                    subscribed.send_replace(false);
                    tracing::warn!("live events: Redis subscription ended; resubscribing");
                }
                Err(e) => tracing::warn!(error = %e, "live events: cannot subscribe to Redis; retrying"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = run => {}
    }
}

async fn subscribe(url: &str, channel: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = redis::Client::open(url)?.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_round_trip() {
        let u = Uuid::now_v7();
        for sig in [Signal::News(u), Signal::SessionEnded(u)] {
            assert_eq!(Signal::decode(&sig.encode()), Some(sig));
        }
        assert_eq!(Signal::decode("x y"), None);
        // A batch travels as lines.
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let batch = [Signal::News(a), Signal::News(b)].map(|s| s.encode()).join("\n");
        assert_eq!(batch.lines().filter_map(Signal::decode).collect::<Vec<_>>(), [Signal::News(a), Signal::News(b)]);
    }
}
