//! `announcement.fanout`: one batch of an announcement's recipients. The batch (inbox rows,
//! push jobs, progress, the next batch's job) is `domain::messaging::announcements::fanout`.
//! Afterwards the open live event streams of the batch's recipients are woken.

use crate::domain::messaging::announcements::{self, Fanout};
use crate::live::Signal;
use crate::state::AppState;
use jobs::{JobContext, JobError, Perform};

impl Perform<AppState> for Fanout {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        fanout(&state, self).await
    }
}

/// Runs one batch of a fan-out (idempotent: running it again changes nothing).
pub async fn fanout(state: &AppState, f: Fanout) -> Result<(), JobError> {
    let told = announcements::fanout(&state.db, state.clock.now(), &f).await?;
    // Open apps show the announcement now (a redelivered batch wakes them for nothing new).
    let signals: Vec<Signal> = told.into_iter().map(Signal::News).collect();
    state.live.publish_all(&signals).await;
    Ok(())
}
