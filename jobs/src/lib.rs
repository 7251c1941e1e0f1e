//! Background job machinery: queue, outbox relay, cron scheduler and push providers.
//!
//! It knows nothing of volunteers or tasks; the handlers that do live in the `wushe` crate.
