//! Black-box tests of the wushe API: each test starts the real application on its own database
//! (SQLite by default, PostgreSQL when `WUSHE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod helpers;
mod logs;
mod service_fixture;

mod announcements;
mod attendance;
mod auth;
mod bad_input;
mod canary;
mod cli;
mod devices;
mod dispatch;
mod fake_fcm;
mod health;
mod honours;
mod idempotency;
mod jobs_admin;
mod ledger;
mod limits;
mod matrix;
mod mentoring;
mod migrations;
mod notifications;
mod openapi;
mod org_units;
mod privacy;
mod push;
mod push_claims;
mod signups;
mod tasks;
mod tokens;
mod users;

// Talent: credentials, training and continuing education.
mod talent;
