//! Statistics: the figures a city reports upward and stations are judged by. Service hours and
//! service count (人次) by org unit × action line × month are kept as rollup rows
//! ([`hours_rollups`]) beside the ledger, read by [`hours`]; the other figures (volunteers,
//! social workers, mentoring, honours, tasks) are queried when asked ([`overview`]); who may see
//! which unit is [`scope`]'s.
//!
//! This area reads the facts of every other (it judges none of them and none reads it); the
//! areas it counts tell it of changes through hooks in [`crate::domain::registry`].

pub mod hours;
pub mod hours_rollups;
pub mod overview;
pub mod scope;
