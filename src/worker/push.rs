//! `push.send`: pushes notifications (one, or a batch of up to [`BATCH`] from an announcement) to
//! each active device of their people, from the push queue ([`PUSH_QUEUE`]). `push.sweep` (cron,
//! every minute) hands back claims that outlived the run that took them.
//!
//! Who is told what, the claims on `push_deliveries` that make delivery at least once under
//! `kill -9`, the recording of outcomes and the sweep are `domain::messaging::pushes`. Here: the
//! sends. A job succeeds only when every pair it covers has a final outcome; otherwise it is
//! retried: after the provider's `Retry-After`, after another job's claim ends, or (only sends not
//! yet started because the provider was saturated) soon, without spending an attempt.
//!
//! Sends of one message through a provider that takes many tokens per request (an announcement's
//! pushes to Huawei, Honor, Xiaomi, OPPO or vivo phones) go as one request of up to its batch size.
//! Back-pressure: a job runs at most [`PARALLEL`] requests at once, each waiting for a permit of its
//! provider (`jobs::push::Lane`); after [`SOFT_DEADLINE`] it starts no more and leaves the rest to
//! its next run, so no send is ever cut off by the job's timeout. A send whose outcome is unknown
//! (the provider timed out) is sent once more at once, with the same notification id as its tag
//! (phones show it once). Outcomes are recorded as sends finish (every [`RECORD_EVERY`] or
//! [`RECORD_TICK`]), so a kill loses only the sends in flight.

use crate::domain::messaging::pushes::{self, Held, Outcome};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::device;
use jobs::push::{PushMessage, PushOutcome, PushTarget};
use jobs::{Job, JobContext, JobError, JobOptions, Perform};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

pub use crate::domain::messaging::pushes::{BATCH, CLAIM_FOR, PUSH_QUEUE, PushJob, TIMEOUT, job};

/// Sends of one job in flight at once (each also holds a permit of its provider).
pub const PARALLEL: usize = 64;
/// A run starts no send after this long; the rest go to the job's next run.
pub const SOFT_DEADLINE: Duration = Duration::from_secs(60);
/// Outcomes recorded together, at most.
const RECORD_EVERY: usize = 32;
/// The longest an outcome waits to be recorded.
const RECORD_TICK: Duration = Duration::from_millis(50);

impl Perform<AppState> for PushJob {
    async fn perform(self, state: AppState, job: JobContext) -> Result<(), JobError> {
        send(&state, job.job_id, &self.notification_ids).await
    }
}

/// Job (cron): hand claims that outlived their run back to the queue.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushSweep {}

impl Job for PushSweep {
    const KIND: &'static str = "push.sweep";
    const OPTIONS: JobOptions = JobOptions::FEW;
}

impl Perform<AppState> for PushSweep {
    async fn perform(self, state: AppState, _job: JobContext) -> Result<(), JobError> {
        let n = sweep(&state, Utc::now()).await?;
        if n > 0 {
            tracing::warn!(claims = n, "push claims outlived their run: handed back to the queue");
        }
        Ok(())
    }
}

async fn send(state: &AppState, job_id: Uuid, ids: &[Uuid]) -> Result<(), JobError> {
    let started = Instant::now();
    let sends = pushes::plan(&state.db, ids).await?;
    let claim = pushes::claim(&state.db, job_id, sends, state.clock.now()).await?;
    if !claim.taken_over.is_empty() {
        // Their outcome is unknown (a worker died mid-send): they are sent again.
        for h in claim.held.iter().filter(|h| claim.taken_over.contains(&h.row_id)) {
            state.jobs.metrics.push_unknown(&h.send.device.provider, "lost_attempt");
        }
        tracing::info!(%job_id, claims = claim.taken_over.len(), "took over push claims of a lost run: they are sent again");
    }
    let mut summary = deliver_all(state, job_id, claim.held, started + SOFT_DEADLINE).await?;
    summary.held_elsewhere = claim.held_elsewhere;
    summary.verdict()
}

/// What the sends of a run came to.
#[derive(Default)]
struct Summary {
    /// Sends to try again (retryable errors and unknown outcomes), with the longest wait a
    /// provider asked for.
    retry: Option<(String, Option<Duration>)>,
    not_started: usize,
    fatal: Option<String>,
    held_elsewhere: Option<DateTime<Utc>>,
}

impl Summary {
    fn add(&mut self, o: &Outcome) {
        match o {
            Outcome::NotStarted => self.not_started += 1,
            Outcome::Sent(PushOutcome::Fatal(reason)) => {
                self.fatal.get_or_insert_with(|| reason.clone());
            }
            Outcome::Sent(PushOutcome::Retry { after, reason }) => {
                let longest = match (self.retry.as_ref().and_then(|r| r.1), after) {
                    (Some(a), Some(b)) => Some(a.max(*b)),
                    (a, b) => a.or(*b),
                };
                self.retry = Some((reason.clone(), longest));
            }
            Outcome::Sent(PushOutcome::Unknown(reason)) => {
                let after = self.retry.as_ref().and_then(|r| r.1);
                self.retry = Some((format!("outcome unknown: {reason}"), after));
            }
            Outcome::Sent(PushOutcome::Delivered | PushOutcome::DropToken(_)) => {}
        }
    }

    /// Done only when every pair has a final outcome.
    fn verdict(self) -> Result<(), JobError> {
        if let Some((reason, after)) = self.retry {
            return Err(match after {
                Some(after) => JobError::retry_after(reason, after),
                None => JobError::retry(reason),
            });
        }
        if let Some(ends) = self.held_elsewhere {
            let wait = (ends - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(1);
            return Err(JobError::retry_after("another run holds some of these pushes", wait));
        }
        if self.not_started > 0 {
            return Err(JobError::unavailable(format!(
                "{} pushes not started: the provider is saturated; continuing shortly",
                self.not_started
            )));
        }
        match self.fatal {
            Some(reason) => Err(JobError::fatal(reason)),
            None => Ok(()),
        }
    }
}

/// Sends what this run holds, at most [`PARALLEL`] requests at once, recording outcomes as they
/// come (every [`RECORD_EVERY`] outcomes or [`RECORD_TICK`], whichever first): an outcome not yet
/// recorded when the process dies is a send repeated by the next run. Sends run as tasks of their
/// own, so they progress (and their timeouts measure the provider) while outcomes are written.
async fn deliver_all(state: &AppState, job_id: Uuid, held: Vec<Held>, deadline: Instant) -> Result<Summary, JobError> {
    let mut summary = Summary::default();
    let mut queue = requests(state, held).into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut unrecorded: Vec<(Held, Outcome)> = Vec::new();
    let mut tick = tokio::time::interval(RECORD_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        while running.len() < PARALLEL {
            let Some(request) = queue.next() else { break };
            let state = state.clone();
            // In the job's span, so a send's log lines say which job it belongs to.
            running.spawn(
                async move {
                    let outcomes = deliver(&state, &request, deadline).await;
                    request.into_iter().zip(outcomes).collect::<Vec<_>>()
                }
                .in_current_span(),
            );
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            Some(done) = running.join_next() => {
                let done = done.map_err(|e| JobError::retry(format!("a send task failed: {e}")))?;
                for (_, outcome) in &done {
                    summary.add(outcome);
                }
                unrecorded.extend(done);
                if unrecorded.len() >= RECORD_EVERY && record(state, job_id, &unrecorded).await.is_ok() {
                    unrecorded.clear();
                }
            }
            _ = tick.tick() => {
                if !unrecorded.is_empty() && record(state, job_id, &unrecorded).await.is_ok() {
                    unrecorded.clear();
                }
            }
        }
    }
    record_surely(state, job_id, &unrecorded).await?;
    Ok(summary)
}

/// The requests that make these sends: sends of the same message through the same provider go
/// together when the provider takes many tokens in one request, at most its batch size (an
/// announcement's pushes, `pushes::shares_message`); every other send is a request of its own.
fn requests(state: &AppState, held: Vec<Held>) -> Vec<Vec<Held>> {
    let mut requests: Vec<Vec<Held>> = Vec::new();
    // Requests still taking sends, by provider: (index in `requests`, its batch size).
    let mut open: Vec<(usize, usize)> = Vec::new();
    for h in held {
        let max = state.jobs.push.get(&h.send.device.provider).map_or(1, |l| l.provider.max_batch());
        let joins = open.iter().position(|&(i, max)| {
            let first = &requests[i][0].send;
            requests[i].len() < max
                && first.device.provider == h.send.device.provider
                && first.message == h.send.message
        });
        match joins {
            Some(at) => {
                let i = open[at].0;
                requests[i].push(h);
                if requests[i].len() >= open[at].1 {
                    open.swap_remove(at);
                }
            }
            None => {
                if max > 1 {
                    open.push((requests.len(), max));
                }
                requests.push(vec![h]);
            }
        }
    }
    requests
}

/// One request (one send, or a batch of sends of one message), after a permit of its provider;
/// the sends whose outcome is unknown go once more. One outcome per send, in order.
async fn deliver(state: &AppState, sends: &[Held], deadline: Instant) -> Vec<Outcome> {
    let Some(first) = sends.first() else { return Vec::new() };
    let (name, message) = (&first.send.device.provider, &first.send.message);
    let Some(lane) = state.jobs.push.get(name) else {
        return sends.iter().map(|_| Outcome::Sent(PushOutcome::Fatal(format!("no push provider {name}")))).collect();
    };
    let Some(_permit) = lane.permit(deadline).await else { return sends.iter().map(|_| Outcome::NotStarted).collect() };
    let provider = &lane.provider;
    let targets: Vec<PushTarget> = sends.iter().map(|h| target_of(&h.send.device)).collect();
    let mut outcomes = send_all(provider.as_ref(), &targets, message).await;
    for o in &outcomes {
        state.jobs.metrics.push(provider.name(), o.label());
    }
    let unknown: Vec<usize> = (0..outcomes.len()).filter(|&i| matches!(outcomes[i], PushOutcome::Unknown(_))).collect();
    if !unknown.is_empty() {
        let again: Vec<PushTarget> = unknown.iter().map(|&i| targets[i].clone()).collect();
        for _ in &again {
            state.jobs.metrics.push_unknown(provider.name(), "timeout");
        }
        for (i, o) in unknown.into_iter().zip(send_all(provider.as_ref(), &again, message).await) {
            state.jobs.metrics.push(provider.name(), o.label());
            outcomes[i] = o;
        }
    }
    outcomes.into_iter().map(Outcome::Sent).collect()
}

/// `send` for one target, `send_many` for more; exactly one outcome per target (a provider that
/// answers for fewer leaves the rest unknown: they are sent again).
async fn send_all(
    provider: &dyn jobs::push::PushProvider,
    targets: &[PushTarget],
    m: &PushMessage,
) -> Vec<PushOutcome> {
    let mut outcomes = match targets {
        [one] => vec![provider.send(one, m).await],
        many => provider.send_many(many, m).await,
    };
    outcomes.resize_with(targets.len(), || PushOutcome::Unknown("no answer for this token".into()));
    outcomes
}

fn target_of(d: &device::Model) -> PushTarget {
    let platform = match d.platform {
        device::Platform::Android => "android",
        device::Platform::Ios => "ios",
    };
    PushTarget { device_id: d.id, platform: platform.into(), token: d.token.clone() }
}

/// Records outcomes, retrying for a while when the database is briefly unavailable (an outcome
/// not recorded is a send repeated by the next run).
async fn record_surely(state: &AppState, job_id: Uuid, done: &[(Held, Outcome)]) -> Result<(), JobError> {
    let give_up = Instant::now() + Duration::from_secs(15);
    let mut pause = Duration::from_millis(200);
    loop {
        match record(state, job_id, done).await {
            Ok(()) => return Ok(()),
            Err(e) if matches!(e, JobError::Unavailable(_)) && Instant::now() + pause < give_up => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Records outcomes of claims this job holds (see [`pushes::record`]).
async fn record(state: &AppState, job_id: Uuid, done: &[(Held, Outcome)]) -> Result<(), JobError> {
    Ok(pushes::record(&state.db, job_id, done, state.clock.now()).await?)
}

/// Returns claims stuck past their time to the queue (see [`pushes::sweep`]); how many.
pub async fn sweep(state: &AppState, now: DateTime<Utc>) -> Result<u64, JobError> {
    let swept = pushes::sweep(&state.db, now, state.clock.now()).await?;
    state.jobs.metrics.claims_swept(swept);
    Ok(swept)
}
