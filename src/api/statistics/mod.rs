//! The statistics area's resources: service hours by unit, action line and month (`hours`).
//! Rules: `domain::statistics`.

pub mod hours;
pub mod policy;
