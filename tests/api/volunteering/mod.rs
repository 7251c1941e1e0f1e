//! Tasks, sign-ups, attendance, dispatch and the hours ledger.

mod attendance;
mod dispatch;
mod ledger;
mod presence;
mod signups;
mod tasks;
