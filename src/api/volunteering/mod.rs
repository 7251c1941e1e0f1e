//! Volunteering: tasks and check-in, sign-ups and the roster, the hours ledger and stars,
//! service-record certificates, what a task requires of those who sign up.

pub mod hours;
pub mod policy;
pub mod service_records;
pub mod signups;
pub mod task_prerequisites;
pub mod tasks;
