//! The job queue conformance suite: every test runs on the embedded backend and, when
//! `WUSHE_TEST_REDIS_URL` is set, on Redis (each test under a key prefix of its own). Any
//! library that would replace our queue has to pass it too.

#![allow(clippy::unwrap_used)] // a test that cannot set up must fail loudly

mod cron;
mod harness;
mod outbox;
mod redis_restart;
mod suite;

/// Declares each suite test once per backend.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::suite::$name(crate::harness::Backend::embedded().await).await
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(b) = crate::harness::Backend::redis().await else { return };
                    crate::suite::$name(b).await
                }
            )*
        }
    };
}

conformance!(
    immediate,
    delayed,
    retry_then_succeed,
    retry_then_dead_letter,
    unavailable_defers_without_spending_attempts,
    fatal_error_dead_letters_at_once_and_can_be_retried,
    invalid_payload_dead_letters_at_once,
    crash_mid_job,
    poison_job_is_buried,
    dedupe_key,
    graceful_shutdown_finishes_or_releases,
    long_handler_keeps_its_lease,
    concurrent_workers_run_each_job_once,
    claim_key_once,
);

/// The worker of `crash_mid_job`, run as a child process of the test binary and killed with
/// SIGKILL in the middle of its handler. Does nothing when run as an ordinary test.
#[tokio::test]
async fn child_worker() {
    let Ok(spec) = std::env::var("JOBS_CHILD_SPEC") else { return };
    let spec: harness::Spec = serde_json::from_str(&spec).unwrap();
    let queue = harness::open(&spec, std::sync::Arc::new(jobs::SystemClock)).await;
    let mut registry = jobs::Registry::new();
    registry.on("block", jobs::job::JobOptions::default(), |_ctx, _payload| async {
        std::future::pending::<()>().await;
        Ok(())
    });
    let _running = harness::start(&queue, registry, harness::fast(1));
    std::future::pending::<()>().await;
}
