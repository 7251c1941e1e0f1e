//! `announcement.fanout`: one batch of an announcement's recipients. The batch (inbox rows,
//! push jobs, progress, the next batch's job) is `domain::messaging::announcements::fanout`.

use crate::domain::messaging::announcements::{self, Fanout};
use crate::state::AppState;
use jobs::{JobContext, JobError, Perform};

impl Perform<AppState> for Fanout {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        fanout(&state, self).await
    }
}

/// Runs one batch of a fan-out (idempotent: running it again changes nothing).
pub async fn fanout(state: &AppState, f: Fanout) -> Result<(), JobError> {
    announcements::fanout(&state.db, state.clock.now(), &f).await?;
    Ok(())
}
