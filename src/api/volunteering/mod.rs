//! Volunteering: tasks and check-in, sign-ups and the roster, the hours ledger and stars,
//! service-record certificates.

pub mod hours;
pub mod service_records;
pub mod signups;
pub mod tasks;
