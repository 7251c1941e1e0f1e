//! The kernel: what every area stands on — the acting person and their scope, the org tree,
//! time and geography, paging, the audit log and idempotency keys. It imports no area.

pub mod actor;
pub mod audit;
pub mod geo;
pub mod idempotency;
pub mod org_units;
pub mod page;
pub mod time;
