//! Volunteering: tasks and check-in, sign-ups and the roster, the hours ledger and stars,
//! service-record certificates, what a task requires of those who sign up, attendance that
//! proves presence (personal codes, scans, confirmation of attendance recorded by hand).

pub mod hours;
pub mod policy;
pub mod presence;
pub mod service_records;
pub mod signups;
pub mod task_prerequisites;
pub mod tasks;
