//! Black-box tests of the wushe API: each test starts the real application on its own database
//! (SQLite by default, PostgreSQL when `WUSHE_TEST_DATABASE_URL` is set) and talks HTTP to it.

mod helpers;

mod announcements;
mod auth;
mod bad_input;
mod cli;
mod devices;
mod fake_fcm;
mod health;
mod jobs_admin;
mod migrations;
mod notifications;
mod openapi;
mod org_units;
mod push;
mod users;
