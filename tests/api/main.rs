//! Black-box tests of the wushe API: each test starts the real application on its own database
//! (SQLite by default, PostgreSQL when `WUSHE_TEST_DATABASE_URL` is set) and talks HTTP to it.

#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

mod credential_fixture;
mod fake_apns;
mod fake_fcm;
mod fake_honor;
mod fake_huawei;
mod fake_oppo;
#[allow(dead_code)] // latency knobs for the fault scenarios
mod fake_push;
mod fake_vendor;
mod fake_vivo;
mod fake_xiaomi;
mod helpers;
mod logs;
mod service_fixture;

// Cross-cutting: bad input of every kind, output and storage hygiene, and the role × operation
// matrix.
mod bad_input;
mod hygiene;
mod matrix;

// The administrators' console, over HTTP and in a browser.
mod console;

// One folder per area, as in src/domain and src/api.
mod honours;
mod kernel;
mod mentoring;
mod messaging;
mod organisations;
mod people;
mod statistics;
mod system;
mod talent;
mod volunteering;
