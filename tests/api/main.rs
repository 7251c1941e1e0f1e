//! Black-box tests of the wushe API: each test starts the real application on its own database
//! (SQLite by default, PostgreSQL when `WUSHE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod helpers;
mod service_fixture;

mod attendance;
mod auth;
mod bad_input;
mod cli;
mod health;
mod ledger;
mod migrations;
mod openapi;
mod org_units;
mod signups;
mod tasks;
mod users;
