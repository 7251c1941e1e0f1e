//! The cron jobs of the job machinery and devices: the minutely scan that enqueues due reminders
//! (keyed future jobs), the outbox sweep, stale-device pruning and the dead-letter check. Their
//! schedules are in `worker::schedules`; each is a job type with no payload (`{}`).

use crate::domain::messaging::devices;
use crate::state::AppState;
use jobs::{Job, JobContext, JobError, JobOptions, Perform};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Enqueue reminders and other keyed future jobs that came due.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ScheduledScan {}

impl Job for ScheduledScan {
    const KIND: &'static str = "scheduled.scan";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for ScheduledScan {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = jobs::scheduled::enqueue_due(&state.db, state.clock.now(), 500).await?;
        if n > 0 {
            tracing::info!(enqueued = n, "due scheduled jobs enqueued");
        }
        Ok(())
    }
}

/// Delete outbox rows relayed more than a week ago.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OutboxSweep {}

impl Job for OutboxSweep {
    const KIND: &'static str = "outbox.sweep";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for OutboxSweep {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = jobs::outbox::sweep(&state.db, Duration::from_secs(7 * 86_400)).await?;
        tracing::info!(deleted = n, "outbox swept");
        Ok(())
    }
}

/// Deactivate devices not re-registered for 270 days.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DevicesPrune {}

impl Job for DevicesPrune {
    const KIND: &'static str = "devices.prune";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for DevicesPrune {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = devices::prune_stale(&state.db, state.clock.now()).await?;
        tracing::info!(deactivated = n, "stale devices pruned");
        Ok(())
    }
}

/// Count dead letters and warn when any wait.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeadLetters {}

impl Job for DeadLetters {
    const KIND: &'static str = "jobs.dead_letters";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for DeadLetters {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
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
    }
}
