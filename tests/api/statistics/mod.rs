//! Statistics: the hours rollups by unit, action line and month.

mod rollups;
mod support;
