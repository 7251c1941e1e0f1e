//! The talent cron jobs: the daily credential scan (expiry flips, renewal-window and 30/7-day
//! reminders) and the weekly digest to station administrators. Rules:
//! `domain::talent::reminders`.

use crate::domain::talent::reminders as talent_reminders;
use crate::state::AppState;
use jobs::{Job, JobContext, JobError, JobOptions, Perform};
use serde::{Deserialize, Serialize};

/// Flip expired credentials and send the reminders that came due.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CredentialScan {}

impl Job for CredentialScan {
    const KIND: &'static str = "talent.daily_scan";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for CredentialScan {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let scan = talent_reminders::daily(&state.db, &state.config.talent, state.clock.now()).await?;
        tracing::info!(expired = scan.expired, reminders = scan.reminders, "talent scan done");
        Ok(())
    }
}

/// Tell each station administrator who in their station is due.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DueDigest {}

impl Job for DueDigest {
    const KIND: &'static str = "talent.weekly_digest";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for DueDigest {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = talent_reminders::weekly_digest(&state.db, &state.config.talent, state.clock.now()).await?;
        tracing::info!(digests = n, "talent digests sent");
        Ok(())
    }
}
