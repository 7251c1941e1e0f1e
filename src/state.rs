//! [`AppState`]: what every handler and job shares: the database pool, configuration, clock,
//! token service, password hasher, the session cache and the job machinery. Cheap to clone.

use crate::api::ratelimit::RateLimiter;
use crate::auth::codes::CheckInCodes;
use crate::auth::password::PasswordHasher;
use crate::auth::session_cache::SessionCache;
use crate::auth::tokens::TokenService;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::DataKey;
use crate::redis_link::RedisLink;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<TokenService>,
    pub hasher: PasswordHasher,
    pub check_in_codes: Arc<CheckInCodes>,
    /// Redis for request paths (rate limits, readiness), behind a circuit breaker; `None` on the
    /// embedded setup.
    pub redis: Option<Arc<RedisLink>>,
    /// The job queue, its metrics and the push providers.
    pub jobs: crate::worker::Jobs,
    /// Encrypts sensitive personal data and keys its blind indexes.
    pub data_key: Arc<DataKey>,
    /// Request rate limits (Redis when configured, else in the process).
    pub limiter: RateLimiter,
    /// The browse read model, kept current across instances.
    pub browse: crate::browse_sync::BrowseSync,
    /// Signed-in sessions this instance has read, invalidated by every instance's writes.
    pub sessions: Arc<SessionCache>,
    /// Wake-ups of live event streams (Redis pub/sub when configured, else in the process).
    pub live: Arc<crate::live::LiveBus>,
    /// The distributions leaderboard ranks are counted in, kept a few seconds per instance.
    pub leaderboard_ranks: Arc<crate::domain::volunteering::leaderboard_ranks::LeaderboardRanks>,
}

impl AppState {
    /// Wires state around an open database.
    pub fn new(db: DatabaseConnection, config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let tokens = Arc::new(TokenService::new(&config.jwt_secret, config.access_token_ttl));
        let hasher = PasswordHasher::new(config.password_hash_concurrency);
        let redis = config.redis_url.as_deref().map(|url| RedisLink::new(url, config.redis_timeout)).transpose()?;
        let jobs = crate::worker::Jobs::new(&db, &config, clock.clone())?;
        let check_in_codes = Arc::new(CheckInCodes::new(&config.jwt_secret));
        let data_key = Arc::new(DataKey::new(&config.data_key));
        let limiter = RateLimiter::new(redis.clone(), config.rate_limits.key_prefix.clone());
        let browse = crate::browse_sync::BrowseSync::new(
            config.redis_url.as_deref().map(|url| (url, config.jobs.redis_prefix.as_str())),
            redis.clone(),
        )?;
        let channel = format!("{}sessions", config.jobs.redis_prefix);
        let sessions =
            SessionCache::new(&config.database_url, redis.clone().zip(config.redis_url.as_deref()), &channel);
        let live_redis = config.redis_url.clone().zip(redis.clone());
        let live = crate::live::LiveBus::new(live_redis, &config.jobs.redis_prefix);
        Ok(AppState {
            db,
            config: Arc::new(config),
            clock,
            tokens,
            hasher,
            check_in_codes,
            redis,
            jobs,
            data_key,
            limiter,
            browse,
            sessions,
            live,
            leaderboard_ranks: Default::default(),
        })
    }

    /// Whether Redis answers (`None` when none is configured); never waits longer than the
    /// request-path Redis timeout, and not at all while Redis is known to be down.
    pub async fn redis_up(&self) -> Option<bool> {
        match &self.redis {
            Some(link) => Some(link.ping().await),
            None => None,
        }
    }
}
