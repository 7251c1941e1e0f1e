//! The kernel: what every area stands on — the acting person and their scope, the org tree,
//! time and geography, paging, seat capacity (tasks and training sessions share it), the audit log and
//! idempotency keys. It imports no area.

pub mod actor;
pub mod audit;
pub mod catalogue;
pub mod duties;
pub mod geo;
pub mod idempotency;
pub mod org_units;
pub mod own_attendance;
pub mod page;
pub mod seats;
pub mod time;
