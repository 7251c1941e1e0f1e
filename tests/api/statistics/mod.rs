//! Statistics: the hours rollups by unit, action line and month, and the tables read from them.

mod hours;
mod overview;
mod rollups;
pub(crate) mod support;
