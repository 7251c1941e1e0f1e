//! Fault injection: the `wushe` binary runs as separate processes (`wushe serve --no-workers` and
//! `wushe worker`) against PostgreSQL, Redis and fake push providers, and the suite breaks things the way
//! production does: a worker killed mid fan-out, Redis gone while people write, PostgreSQL
//! restarting under load. Each scenario then checks what people would notice: a push that never
//! came, an inbox message twice, a request that hung.
//!
//! It runs only when `WUSHE_FAULT_BIN` names the binary to break (`.ci/run` builds
//! `target/release/wushe` for it), with `WUSHE_TEST_DATABASE_URL` and `WUSHE_TEST_REDIS_URL`:
//!
//! ```sh
//! cargo build --release --bin wushe
//! WUSHE_FAULT_BIN=target/release/wushe \
//! WUSHE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//! WUSHE_TEST_REDIS_URL=redis://127.0.0.1:6379 cargo test --test faults -- --nocapture
//! ```
//!
//! Without `WUSHE_FAULT_BIN` every scenario says it is skipped and passes. Each scenario has a
//! database of its own on the shared server (created and dropped), Redis key prefixes of its own,
//! and its own Redis or PostgreSQL server where it stops one; so scenarios run in parallel with
//! each other and with the other tests.
//!
//! - [`worker_kill`]: `kill -9` the worker three times during a 10,000-recipient announcement to
//!   phones of every provider.
//! - [`redis_outage`]: Redis stopped while people write; everything is delivered once it is back.
//! - [`postgres_restart`]: PostgreSQL stopped and started under load; 503s, then recovery.

#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

mod harness;
mod own_postgres;
mod own_redis;
mod seed;

#[path = "../api/fake_apns.rs"]
#[allow(dead_code)]
mod fake_apns;
#[path = "../api/fake_fcm.rs"]
#[allow(dead_code)]
mod fake_fcm;
#[path = "../api/fake_honor.rs"]
#[allow(dead_code)]
mod fake_honor;
#[path = "../api/fake_huawei.rs"]
#[allow(dead_code)]
mod fake_huawei;
#[path = "../api/fake_oppo.rs"]
#[allow(dead_code)]
mod fake_oppo;
#[path = "../api/fake_push.rs"]
#[allow(dead_code)]
mod fake_push;
#[path = "../api/fake_vendor.rs"]
#[allow(dead_code)]
mod fake_vendor;
#[path = "../api/fake_vivo.rs"]
#[allow(dead_code)]
mod fake_vivo;
#[path = "../api/fake_xiaomi.rs"]
#[allow(dead_code, unused_imports)]
mod fake_xiaomi;

mod postgres_restart;
mod redis_outage;
mod worker_kill;
