//! The mentoring cron jobs: the hourly scan (mentors told once per lapse of contact, graduations
//! that came due through hours approved later) and the weekly digest to mentors and station
//! administrators. Rules: `domain::mentoring`; both are idempotent through their dedupe keys.

use crate::domain::mentoring;
use crate::state::AppState;
use jobs::{Job, JobContext, JobError, JobOptions, Perform};
use serde::{Deserialize, Serialize};

/// Tell mentors of lapsed pairs; record graduations that came due.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MentoringScan {}

impl Job for MentoringScan {
    const KIND: &'static str = "mentoring.scan";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for MentoringScan {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let told = mentoring::oversight::scan(&state.db, &state.config.mentoring, state.clock.now()).await?;
        if told > 0 {
            tracing::info!(told, "mentors told of pairs without contact");
        }
        Ok(())
    }
}

/// The weekly mentoring digest.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MentoringDigest {}

impl Job for MentoringDigest {
    const KIND: &'static str = "mentoring.digest";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for MentoringDigest {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let sent = mentoring::oversight::weekly_digest(&state.db, &state.config.mentoring, state.clock.now()).await?;
        tracing::info!(sent, "mentoring digests sent");
        Ok(())
    }
}
