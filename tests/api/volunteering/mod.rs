//! Tasks, sign-ups, attendance, dispatch, the hours ledger and its daily limit.

mod attendance;
mod audit;
mod browse_model;
mod day_limit;
mod dispatch;
mod hours_totals;
mod ledger;
mod overdue;
mod presence;
mod signup_statements;
mod signups;
mod tasks;
