//! The kernel's resources: the org tree and the audit log.

pub mod audit;
pub mod org_units;
pub mod policy;
