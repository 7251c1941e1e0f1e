//! Black-box tests of the wushe API: each test starts the real application on its own database
//! (SQLite by default, PostgreSQL when `WUSHE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod helpers;
mod service_fixture;

mod attendance;
mod auth;
mod bad_input;
mod canary;
mod cli;
mod health;
mod idempotency;
mod ledger;
mod limits;
mod matrix;
mod migrations;
mod openapi;
mod org_units;
mod privacy;
mod signups;
mod tasks;
mod tokens;
mod users;
