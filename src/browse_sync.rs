//! Keeps every instance's browse read model ([`TaskIndex`]) current: it is built at start, each
//! change of a task is applied at once on the instance that made it and published on the Redis
//! channel `<prefix>browse` (the task's id, or `*` after a bulk load), and every instance re-reads a published task from
//! the database when its id arrives. On the embedded setup (no Redis) there is one instance and
//! the change is applied in the process.
//!
//! While the subscription is down the model is marked not ready, so browsing takes the reference
//! query; when it is back the model is rebuilt (changes may have been missed) before it is used
//! again. Owns no table; reads `tasks` and `task_skills` through `browse_index`.

use crate::domain::volunteering::browse_index::{self, TaskIndex};
use crate::redis_link::{PROBE_EVERY, RedisLink};
use futures::StreamExt;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use uuid::Uuid;

/// The message that asks every instance to rebuild its model (tasks written in bulk).
const EVERYTHING: &str = "*";

/// The read model and how its changes travel.
#[derive(Clone)]
pub struct BrowseSync {
    pub index: Arc<TaskIndex>,
    /// Where changes are published and heard: the client and the channel name.
    channel: Option<(redis::Client, String)>,
    link: Option<Arc<RedisLink>>,
}

impl BrowseSync {
    /// A model not yet built; `redis` is the Redis URL and key prefix when one is configured.
    pub fn new(redis: Option<(&str, &str)>, link: Option<Arc<RedisLink>>) -> redis::RedisResult<Self> {
        let channel = match redis {
            Some((url, prefix)) => Some((redis::Client::open(url)?, format!("{prefix}browse"))),
            None => None,
        };
        Ok(BrowseSync { index: Arc::new(TaskIndex::default()), channel, link })
    }

    /// Builds the model and keeps it current until the process ends; with Redis, subscribes
    /// first so that no change made during the build is missed.
    pub fn start(&self, db: DatabaseConnection) {
        let this = self.clone();
        tokio::spawn(async move {
            match this.channel.clone() {
                None => {
                    this.rebuild(&db).await;
                }
                Some((client, channel)) => loop {
                    this.listen(&db, &client, &channel).await;
                    this.index.set_ready(false);
                    tokio::time::sleep(PROBE_EVERY).await;
                },
            }
        });
    }

    async fn rebuild(&self, db: &DatabaseConnection) -> bool {
        match browse_index::load_all(db).await {
            Ok(entries) => {
                self.index.replace(entries);
                self.index.set_ready(true);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "browse model not built; browsing uses the query");
                false
            }
        }
    }

    /// One subscription's life: subscribe, rebuild, then apply every change heard until the
    /// connection drops.
    async fn listen(&self, db: &DatabaseConnection, client: &redis::Client, channel: &str) {
        let mut pubsub = match client.get_async_pubsub().await {
            Ok(p) => p,
            Err(e) => {
                tracing::debug!(error = %e, "browse change subscription not connected");
                return;
            }
        };
        if pubsub.subscribe(channel).await.is_err() || !self.rebuild(db).await {
            return;
        }
        let mut messages = pubsub.on_message();
        while let Some(msg) = messages.next().await {
            let payload = msg.get_payload::<String>().unwrap_or_default();
            if payload == EVERYTHING {
                if !self.rebuild(db).await {
                    return;
                }
                continue;
            }
            if let Ok(id) = Uuid::parse_str(&payload)
                && !self.reload(db, id).await
            {
                // Not applied: the model may be behind, so it is not used until rebuilt.
                return;
            }
        }
    }

    /// Re-reads one task into this instance's model; false when the database did not answer.
    async fn reload(&self, db: &DatabaseConnection, id: Uuid) -> bool {
        match browse_index::load_one(db, id).await {
            Ok((entry, version)) => {
                self.index.apply(id, entry, version);
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "browse model change not applied");
                false
            }
        }
    }

    /// Tasks were written in bulk behind the API (a city loaded by `seed-city`): every instance
    /// rebuilds its model from the database.
    pub async fn changed_all(&self, db: &DatabaseConnection) {
        self.rebuild(db).await;
        self.publish(EVERYTHING.to_string()).await;
    }

    /// A task's status or browse keys changed (committed): applies it here and tells the other
    /// instances.
    pub async fn changed(&self, db: &DatabaseConnection, id: Uuid) {
        if !self.reload(db, id).await {
            // Behind: browse by the query until a rebuild has caught up.
            self.index.set_ready(false);
            let (this, db) = (self.clone(), db.clone());
            tokio::spawn(async move { this.rebuild(&db).await });
        }
        self.publish(id.to_string()).await;
    }

    async fn publish(&self, message: String) {
        if let (Some(link), Some((_, channel))) = (&self.link, &self.channel) {
            let channel = channel.clone();
            let sent =
                link.run(|mut c| async move {
                    redis::cmd("PUBLISH").arg(channel).arg(message).query_async::<i64>(&mut c).await
                })
                .await;
            if sent.is_none() {
                tracing::warn!("browse change not published; other instances rebuild when Redis is back");
            }
        }
    }
}
