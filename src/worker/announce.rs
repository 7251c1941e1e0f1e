//! `announcement.fanout`: an announcement's recipients, batch after batch. A batch (inbox rows,
//! push jobs, progress) is `domain::messaging::announcements::fanout`, one transaction each. One
//! run goes on by itself for up to [`RUN_FOR`], [`SIDE_BY_SIDE`] batches at a time (the last
//! batch, which stamps the completion, after the others), and then hands the rest on as a job,
//! so a large fan-out neither waits on the queue between batches nor holds a worker for long.
//! After each batch the open live event streams of its recipients are woken.

use crate::domain::messaging::announcements::{self, Batch, Fanout};
use crate::live::Signal;
use crate::state::AppState;
use jobs::{JobContext, JobError, Perform};
use std::time::Duration;
use tokio::time::Instant;

/// How long one run goes on before it hands the rest on as a job.
pub const RUN_FOR: Duration = Duration::from_secs(10);
/// Batches written at once (each a transaction of its own).
pub const SIDE_BY_SIDE: usize = 4;

impl Perform<AppState> for Fanout {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        fanout(&state, self).await
    }
}

/// Runs the fan-out from `f` on (idempotent: running it again changes nothing; a run killed
/// part-way is run again from its own start).
pub async fn fanout(state: &AppState, f: Fanout) -> Result<(), JobError> {
    let until = Instant::now() + RUN_FOR;
    let mut f = f;
    loop {
        // The last batch of this run writes the job of the next in its own transaction.
        let hand_on = Instant::now() >= until;
        let round = announcements::round(&state.db, &f, SIDE_BY_SIDE).await?;
        let mut batches = round.batches;
        let last = batches.pop().unwrap_or(f);
        let run = |b: Fanout, hand_on: bool| async move {
            let done = announcements::fanout(&state.db, state.clock.now(), &b, hand_on).await?;
            told(state, &done).await;
            Ok::<_, JobError>(done)
        };
        let before = futures::future::try_join_all(batches.into_iter().map(|b| run(b, false)));
        let done = if round.ends {
            before.await?;
            run(last, hand_on).await?
        } else {
            let (_, done) = tokio::try_join!(before, run(last, hand_on))?;
            done
        };
        match done.next {
            Some(next) if !hand_on => f = next,
            _ => return Ok(()),
        }
    }
}

/// After a batch: its push jobs go to the queue now (not after the run), and open apps of its
/// recipients show the announcement (a batch done again wakes them for nothing new).
async fn told(state: &AppState, batch: &Batch) {
    jobs::outbox::wake_if_written();
    let signals: Vec<Signal> = batch.told.iter().copied().map(Signal::News).collect();
    state.live.publish_all(&signals).await;
}
