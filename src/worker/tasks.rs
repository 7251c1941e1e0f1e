//! Jobs of volunteer service tasks (the rules are in `domain::volunteering::dispatch` and
//! `domain::volunteering::reminders`, with the job types; these handlers only run them):
//!
//! - `task.dispatch`: tell matching volunteers of a newly published task;
//! - `task.cover`: one wave of cover-needed offers for a seat freed late;
//! - `task.remind`: one reminder of one confirmed seat (24 h, 1 h, check out);
//! - `task.broadcast`: one batch of news for everyone on a task (moved, cancelled, a message),
//!   then the next batch's job;
//! - `task.headcount`: warn the organiser of a task a day out below its minimum;
//! - `task.close` (cron): close stays, record no-shows, complete tasks that ended.
//!
//! A domain refusal (the task is gone, the rule says no) dead-letters the job at once; outages
//! retry (see `JobError::from` for `DomainError`). A reminder or warning that runs after it
//! could help is dropped and counted (`wushe_jobs_overdue_dropped_total`), with a log line that
//! names the kind and the delay only.

use crate::domain::volunteering::dispatch::{self, Cover, Dispatch};
use crate::domain::volunteering::reminders::{self, Broadcast, CloseEnded, Fired, Headcount, Reminder};
use crate::state::AppState;
use jobs::{Job, JobContext, JobError, Perform};

impl Perform<AppState> for Dispatch {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = dispatch::dispatch(&state.db, &state.config.dispatch, state.clock.now(), &self).await?;
        tracing::info!(task = %self.task_id, asked = n, "task dispatched");
        Ok(())
    }
}

impl Perform<AppState> for Cover {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = dispatch::cover_wave(&state.db, &state.config.dispatch, state.clock.now(), &self).await?;
        tracing::info!(task = %self.task_id, wave = self.wave, offered = n, "cover wave sent");
        Ok(())
    }
}

/// Counts and logs a message dropped as overdue (no person, no task named).
fn overdue(state: &AppState, fired: Fired, what: &str) {
    if let Fired::Overdue(late) = fired {
        state.jobs.metrics.overdue(what);
        tracing::info!(what, late_minutes = late.num_minutes(), "overdue message dropped");
    }
}

impl Perform<AppState> for Reminder {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let fired = reminders::fire(&state.db, state.clock.now(), &self).await?;
        overdue(&state, fired, &format!("{}:{}", Reminder::KIND, self.kind.name()));
        Ok(())
    }
}

impl Perform<AppState> for Broadcast {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        if let Some(next) = reminders::broadcast_batch(&state.db, state.clock.now(), &self).await? {
            // The next batch runs as its own job, so a crash resumes where it stopped.
            state.jobs.queue.enqueue((&next).into()).await?;
        }
        Ok(())
    }
}

impl Perform<AppState> for Headcount {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let fired = reminders::check_headcount(&state.db, state.clock.now(), &self).await?;
        overdue(&state, fired, Headcount::KIND);
        Ok(())
    }
}

impl Perform<AppState> for CloseEnded {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let c = reminders::close_ended(&state.db, state.clock.now()).await?;
        if c != reminders::Closed::default() {
            tracing::info!(
                stays = c.stays_closed,
                no_shows = c.no_shows,
                tasks = c.tasks_completed,
                "ended tasks closed"
            );
        }
        Ok(())
    }
}
