//! Tasks, sign-ups, attendance, dispatch, the hours ledger and its daily limit.

mod attendance;
mod day_limit;
mod dispatch;
mod ledger;
mod signups;
mod tasks;
