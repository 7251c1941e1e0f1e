//! The statistics area's resources: service hours by unit, action line and month (`hours`), and
//! the other figures of a unit (`overview`).
//! Rules: `domain::statistics`.

pub mod hours;
pub mod overview;
pub mod policy;
