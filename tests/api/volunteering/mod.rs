//! Tasks, sign-ups, attendance, dispatch and the hours ledger.

mod attendance;
mod audit;
mod dispatch;
mod ledger;
mod overdue;
mod signups;
mod tasks;
