//! Jobs of volunteer service tasks (the rules are in `domain::dispatch` and
//! `domain::reminders`; these handlers only run them):
//!
//! - `task.dispatch`: tell matching volunteers of a newly published task;
//! - `task.cover`: one wave of cover-needed offers for a seat freed late;
//! - `task.remind`: one reminder of one confirmed seat (24 h, 1 h, check out);
//! - `task.broadcast`: one batch of news for everyone on a task (moved, cancelled, a message),
//!   then the next batch's job;
//! - `task.headcount`: warn the organiser of a task a day out below its minimum;
//! - `task.close` (cron): close stays, record no-shows, complete tasks that ended.

use crate::domain::DomainResult;
use crate::domain::volunteering::dispatch::{self, COVER_JOB, Cover, DISPATCH_JOB, Dispatch};
use crate::domain::volunteering::reminders::{
    self, BROADCAST_JOB, Broadcast, CLOSE_JOB, HEADCOUNT_JOB, Headcount, REMIND_JOB, Reminder,
};
use crate::state::AppState;
use jobs::job::JobOptions;
use jobs::{JobError, NewJob, Registry};
use std::time::Duration;

/// A domain result as a job's: refusals dead-letter, outages retry (see `JobError::from`).
fn done<T>(r: DomainResult<T>) -> Result<T, JobError> {
    r.map_err(JobError::from)
}

pub(super) fn register(r: &mut Registry, state: &AppState) {
    let long = JobOptions { timeout: Duration::from_secs(300), ..JobOptions::default() };
    let short = JobOptions::default();
    super::on(r, state, DISPATCH_JOB, long, |state, d: Dispatch| async move {
        let n = done(dispatch::dispatch(&state.db, &state.config.dispatch, state.clock.now(), &d).await)?;
        tracing::info!(task = %d.task_id, asked = n, "task dispatched");
        Ok(())
    });
    super::on(r, state, COVER_JOB, short, |state, c: Cover| async move {
        let n = done(dispatch::cover_wave(&state.db, &state.config.dispatch, state.clock.now(), &c).await)?;
        tracing::info!(task = %c.task_id, wave = c.wave, offered = n, "cover wave sent");
        Ok(())
    });
    super::on(r, state, REMIND_JOB, short, |state, r: Reminder| async move {
        done(reminders::fire(&state.db, &r).await).map(|_| ())
    });
    super::on(r, state, BROADCAST_JOB, long, |state, b: Broadcast| async move {
        if let Some(next) = done(reminders::broadcast_batch(&state.db, state.clock.now(), &b).await)? {
            // The next batch runs as its own job, so a crash resumes where it stopped.
            state.jobs.queue.enqueue(NewJob::new(BROADCAST_JOB, &next)).await?;
        }
        Ok(())
    });
    super::on(r, state, HEADCOUNT_JOB, short, |state, h: Headcount| async move {
        done(reminders::check_headcount(&state.db, &h).await).map(|_| ())
    });
    super::on(r, state, CLOSE_JOB, short, |state, _: serde_json::Value| async move {
        let c = done(reminders::close_ended(&state.db, state.clock.now()).await)?;
        if c != reminders::Closed::default() {
            tracing::info!(
                stays = c.stays_closed,
                no_shows = c.no_shows,
                tasks = c.tasks_completed,
                "ended tasks closed"
            );
        }
        Ok(())
    });
}
