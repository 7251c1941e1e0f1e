//! The org tree and idempotency keys.

mod idempotency;
mod org_units;
