//! The cron jobs: the minutely scan that enqueues due reminders (keyed future jobs), the outbox
//! sweep, stale-device pruning and the dead-letter check. Their schedules are in
//! `worker::schedules`.

use crate::domain::messaging::devices;
use crate::state::AppState;
use jobs::Registry;
use jobs::job::JobOptions;
use std::time::Duration;

/// Enqueue reminders and other keyed future jobs that came due.
pub const SCHEDULED_SCAN: &str = "scheduled.scan";
/// Delete outbox rows relayed more than a week ago.
pub const OUTBOX_SWEEP: &str = "outbox.sweep";
/// Deactivate devices not re-registered for 270 days.
pub const DEVICES_PRUNE: &str = "devices.prune";
/// Count dead letters and warn when any wait.
pub const DEAD_LETTERS: &str = "jobs.dead_letters";

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let once = JobOptions { max_attempts: 3, ..JobOptions::default() };
    super::on(r, state, SCHEDULED_SCAN, once, |state, _: serde_json::Value| async move {
        let n = jobs::scheduled::enqueue_due(&state.db, state.clock.now(), 500).await?;
        if n > 0 {
            tracing::info!(enqueued = n, "due scheduled jobs enqueued");
        }
        Ok(())
    });
    super::on(r, state, OUTBOX_SWEEP, once, |state, _: serde_json::Value| async move {
        let n = jobs::outbox::sweep(&state.db, Duration::from_secs(7 * 86_400)).await?;
        tracing::info!(deleted = n, "outbox swept");
        Ok(())
    });
    super::on(r, state, DEVICES_PRUNE, once, |state, _: serde_json::Value| async move {
        let n = devices::prune_stale(&state.db, state.clock.now()).await?;
        tracing::info!(deactivated = n, "stale devices pruned");
        Ok(())
    });
    super::on(r, state, DEAD_LETTERS, once, |state, _: serde_json::Value| async move {
        for queue in state.jobs.queues() {
            let stats = queue.stats().await?;
            if stats.dead > 0 {
                tracing::warn!(
                    queue = queue.name(),
                    dead = stats.dead,
                    "dead letters are waiting: see /api/v1/admin/jobs/dead"
                );
            }
        }
        Ok(())
    });
}
