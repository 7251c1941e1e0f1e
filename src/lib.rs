//! wushe: the backend of a city's five-society linkage (五社联动) community-service app.
//!
//! Layout:
//! - [`config`]: every setting, from `WUSHE_*` environment variables, with embedded defaults.
//! - [`app`]: builds the HTTP application on a given listener; [`state::AppState`] is what it shares.
//! - [`api`]: poem-openapi resources, thin: parse, authorize, one domain call, respond.
//! - [`domain`]: the business rules, one module per area, over sea-orm entities (`entity` crate).
//! - [`auth`]: passwords, access tokens and one-time codes.
//! - `api::policy`: who may call each operation; `api::gate` enforces it with rate limits and
//!   idempotency keys (`api::ratelimit`, `domain::kernel::idempotency`); `api::bearer` turns a
//!   bearer token into a principal.
//! - [`console`]: the administrators' web pages at `/console`, over the API itself.
//! - [`crypto`]: encryption and blind indexes of sensitive personal data.
//! - [`redis_link`]: Redis on request paths behind a circuit breaker (a Redis outage never slows
//!   a request).
//! - `api::error`: the one problem+json error envelope.
//! - [`db`]: connecting, and transactions that behave the same on PostgreSQL and SQLite.
//! - [`seed`]: the demo city of `wushe seed-demo`.
//! - [`worker`]: job handlers (one file per kind), the cron table, and running workers.
//!
//! Schema changes live in the `migration` crate; background machinery in the `jobs` crate.

pub mod api;
pub mod app;
pub mod auth;
pub mod browse_sync;
pub mod clock;
pub mod config;
pub mod console;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod live;
pub mod redis_link;
pub mod seed;
pub mod seed_city;
pub mod state;
pub mod telemetry;
pub mod worker;
