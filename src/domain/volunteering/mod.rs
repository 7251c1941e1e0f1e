//! Volunteering: service tasks, sign-ups and seats, dispatch, reminders, attendance, the hours
//! ledger, star levels and service-record certificates.

pub mod attendance;
pub mod dispatch;
pub mod hours;
pub mod reminders;
pub mod service_records;
pub mod signups;
pub mod tasks;
