//! The org tree and idempotency keys.

mod idempotency;
mod local_days;
mod org_units;
