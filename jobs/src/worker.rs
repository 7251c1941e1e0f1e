//! The worker runtime: a [`Registry`] maps each job kind to its [`Handler`] and
//! [`JobOptions`]; a [`Worker`] runs them from one queue with bounded concurrency.
//!
//! For every delivery the worker: looks up the handler (none: dead letter), refuses a job
//! delivered more often than its attempts allow (a poison job that keeps killing workers), runs
//! the handler under the kind's timeout (a panic counts as a retryable failure), then
//! acknowledges it (batched, always after the handler returned), retries it after backoff (or
//! the handler's `Retry-After`), defers it without spending an attempt (a dependency such as the
//! database is down: [`JobError::Unavailable`]), or buries it in the dead letters. Leases of running jobs are
//! renewed in the background, so long handlers keep their jobs; jobs of lost workers are taken
//! over once their lease lapses.
//!
//! Each run is inside a tracing span `job` with the job's `kind`, `job_id` and `attempt`, so the
//! handler's log lines say which job wrote them.
//!
//! Shutdown ([`Worker::run`]'s token): stop claiming, let running jobs finish within the grace
//! period, then abort the rest and release them so another worker takes them at once.

use crate::clock::Clock;
use crate::job::{ClaimedJob, JobError, JobOptions, Perform};
use crate::metrics::{Metrics, RunOutcome};
use crate::queue::SharedQueue;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

/// What a handler knows about the job it runs.
#[derive(Clone)]
pub struct JobContext {
    pub job_id: Uuid,
    pub kind: String,
    /// This run's number, from 1.
    pub attempt: u32,
    pub enqueued_at: DateTime<Utc>,
    /// The queue it came from, for follow-up jobs that need no transaction.
    pub queue: SharedQueue,
}

/// Runs one kind of job. Must be idempotent: a job can be delivered again after a crash.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Does the job's work.
    async fn handle(&self, ctx: JobContext, payload: serde_json::Value) -> Result<(), JobError>;
}

struct FnHandler<F>(F);

#[async_trait]
impl<F, Fut> Handler for FnHandler<F>
where
    F: Fn(JobContext, serde_json::Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), JobError>> + Send + 'static,
{
    async fn handle(&self, ctx: JobContext, payload: serde_json::Value) -> Result<(), JobError> {
        (self.0)(ctx, payload).await
    }
}

/// The handlers a worker knows, by job kind, and the queue each kind runs from.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, (Arc<dyn Handler>, JobOptions)>,
    queues: HashMap<String, &'static str>,
}

impl Registry {
    /// No handlers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a handler for `kind`.
    pub fn register(&mut self, kind: &str, options: JobOptions, handler: impl Handler) -> &mut Self {
        self.handlers.insert(kind.to_string(), (Arc::new(handler), options));
        self
    }

    /// Registers an async function taking the payload as JSON.
    pub fn on<F, Fut>(&mut self, kind: &str, options: JobOptions, f: F) -> &mut Self
    where
        F: Fn(JobContext, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.register(kind, options, FnHandler(f))
    }

    /// Registers an async function taking the payload as `P`; a payload that does not parse is
    /// a dead letter at once.
    pub fn typed<P, F, Fut>(&mut self, kind: &str, options: JobOptions, f: F) -> &mut Self
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let f = Arc::new(f);
        self.on(kind, options, move |ctx, payload| {
            let f = f.clone();
            async move {
                let p: P = serde_json::from_value(payload)
                    .map_err(|e| JobError::fatal(format!("invalid payload of {}: {e}", ctx.kind)))?;
                f(ctx, p).await
            }
        })
    }

    /// Registers the job type `J`: its kind, queue and options from [`crate::Job`], its payload
    /// decoded as `J` (a payload that does not decode is a dead letter at once), run by
    /// [`Perform::perform`] with a clone of `ctx`.
    pub fn add<J, C>(&mut self, ctx: &C) -> &mut Self
    where
        J: Perform<C>,
        C: Clone + Send + Sync + 'static,
    {
        let ctx = ctx.clone();
        self.queues.insert(J::KIND.to_string(), J::QUEUE);
        self.typed(J::KIND, J::OPTIONS, move |job, payload: J| payload.perform(ctx.clone(), job))
    }

    /// The kinds registered to run from `queue` (see [`crate::Job::QUEUE`]); kinds registered
    /// without a type run from [`crate::DEFAULT_QUEUE`].
    pub fn kinds_on<'a>(&'a self, queue: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.handlers
            .keys()
            .filter(move |k| self.queues.get(k.as_str()).copied().unwrap_or(crate::DEFAULT_QUEUE) == queue)
            .map(String::as_str)
    }

    /// The handler and options of `kind`.
    pub fn get(&self, kind: &str) -> Option<&(Arc<dyn Handler>, JobOptions)> {
        self.handlers.get(kind)
    }

    /// The kinds registered.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }
}

/// How a worker runs.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a claimed job stays this worker's without renewal; a dead worker's jobs are
    /// taken over after it.
    pub lease: Duration,
    /// How long one fetch waits for a job.
    pub fetch_wait: Duration,
    /// How often delayed jobs are promoted and lapsed leases looked for.
    pub poll: Duration,
    /// How long running jobs get to finish at shutdown before they are released.
    pub shutdown_grace: Duration,
    /// Longest pause before a deferred job runs again (a dependency was down); the pause is
    /// random between a quarter of it and all of it.
    pub defer: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 16,
            lease: Duration::from_secs(30),
            fetch_wait: Duration::from_secs(1),
            poll: Duration::from_millis(250),
            shutdown_grace: Duration::from_secs(20),
            defer: Duration::from_secs(4),
        }
    }
}

/// Runs the jobs of one queue.
pub struct Worker {
    queue: SharedQueue,
    registry: Arc<Registry>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    cfg: WorkerConfig,
}

struct Shared {
    queue: SharedQueue,
    registry: Arc<Registry>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    cfg: WorkerConfig,
    inflight: Mutex<HashMap<Uuid, ClaimedJob>>,
    acks: mpsc::UnboundedSender<ClaimedJob>,
}

impl Worker {
    /// A worker over `queue` running `registry`'s handlers.
    pub fn new(
        queue: SharedQueue,
        registry: Arc<Registry>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        cfg: WorkerConfig,
    ) -> Self {
        Worker { queue, registry, clock, metrics, cfg }
    }

    /// Runs until `shutdown` is cancelled, then shuts down gracefully (see the module header).
    pub async fn run(self, shutdown: CancellationToken) {
        let (ack_tx, ack_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            queue: self.queue.clone(),
            registry: self.registry,
            clock: self.clock,
            metrics: self.metrics,
            cfg: self.cfg.clone(),
            inflight: Mutex::new(HashMap::new()),
            acks: ack_tx,
        });
        let stop_background = CancellationToken::new();
        let acker = tokio::spawn(ack_loop(self.queue.clone(), ack_rx, stop_background.clone()));
        let upkeep = tokio::spawn(upkeep_loop(shared.clone(), stop_background.clone()));
        let cfg = self.cfg;
        let sem = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        let mut last_reclaim = Instant::now();
        let mut failures = 0u32;
        tracing::info!(queue = self.queue.name(), concurrency = cfg.concurrency, "worker started");
        loop {
            let first = tokio::select! {
                _ = shutdown.cancelled() => break,
                p = sem.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            };
            let mut permits = vec![first];
            while let Ok(p) = sem.clone().try_acquire_owned() {
                permits.push(p);
            }
            while tasks.try_join_next().is_some() {}
            let n = permits.len();
            let mut result = Ok(Vec::new());
            if last_reclaim.elapsed() >= cfg.poll {
                last_reclaim = Instant::now();
                result = self.queue.reclaim(n, cfg.lease).await;
            }
            if matches!(&result, Ok(j) if j.is_empty()) {
                result = self.queue.fetch(n, cfg.lease, cfg.fetch_wait).await;
            }
            match result {
                Ok(jobs) => {
                    failures = 0;
                    for (job, permit) in jobs.into_iter().zip(permits) {
                        shared.inflight.lock().unwrap_or_else(|e| e.into_inner()).insert(job.id, job.clone());
                        let shared = shared.clone();
                        tasks.spawn(async move {
                            run_one(&shared, job).await;
                            drop(permit);
                        });
                    }
                }
                Err(e) => {
                    drop(permits);
                    failures += 1;
                    let pause = Duration::from_millis(100 * 2u64.pow(failures.min(5)));
                    if failures == 1 || failures.is_power_of_two() {
                        tracing::warn!(queue = self.queue.name(), error = %e, "cannot fetch jobs; retrying");
                    }
                    tokio::select! { _ = shutdown.cancelled() => break, _ = tokio::time::sleep(pause) => {} }
                }
            }
        }
        tracing::info!(queue = self.queue.name(), running = tasks.len(), "worker stopping: finishing running jobs");
        let deadline = Instant::now() + cfg.shutdown_grace;
        while !tasks.is_empty() {
            tokio::select! {
                _ = tasks.join_next() => {}
                _ = tokio::time::sleep_until(deadline) => break,
            }
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        let left: Vec<ClaimedJob> =
            shared.inflight.lock().unwrap_or_else(|e| e.into_inner()).drain().map(|(_, j)| j).collect();
        for job in &left {
            tracing::info!(job_id = %job.id, kind = %job.kind, "released at shutdown");
            if let Err(e) = self.queue.release(job).await {
                tracing::warn!(job_id = %job.id, error = %e, "cannot release; it runs again after its lease");
            }
        }
        stop_background.cancel();
        let _ = upkeep.await;
        let _ = acker.await;
        tracing::info!(queue = self.queue.name(), released = left.len(), "worker stopped");
    }
}

/// Runs one delivery inside a `job` span (kind, job_id, attempt), so every line the handler and
/// the runner log about it carries them.
async fn run_one(shared: &Shared, job: ClaimedJob) {
    let attempt = job.attempt();
    let span = tracing::info_span!("job", kind = %job.kind, job_id = %job.id, attempt);
    run_in_span(shared, job, attempt).instrument(span).await
}

async fn run_in_span(shared: &Shared, job: ClaimedJob, attempt: u32) {
    let started = std::time::Instant::now();
    let outcome = match shared.registry.get(&job.kind) {
        None => Err((JobError::fatal(format!("no handler for job kind {}", job.kind)), JobOptions::default())),
        Some((_, opts)) if attempt > opts.max_attempts => Err((
            JobError::fatal(format!(
                "delivered {attempt} times, more than its {} attempts: the workers running it were lost",
                opts.max_attempts
            )),
            *opts,
        )),
        Some((handler, opts)) => {
            let ctx = JobContext {
                job_id: job.id,
                kind: job.kind.clone(),
                attempt,
                enqueued_at: job.enqueued_at,
                queue: shared.queue.clone(),
            };
            let run = AssertUnwindSafe(handler.handle(ctx, job.payload.clone())).catch_unwind();
            match tokio::time::timeout(opts.timeout, run).await {
                Err(_) => Err((JobError::retry(format!("timed out after {:?}", opts.timeout)), *opts)),
                Ok(Err(_)) => Err((JobError::retry("the handler panicked"), *opts)),
                Ok(Ok(Err(e))) => Err((e, *opts)),
                Ok(Ok(Ok(()))) => Ok(()),
            }
        }
    };
    shared.inflight.lock().unwrap_or_else(|e| e.into_inner()).remove(&job.id);
    let elapsed = started.elapsed();
    match outcome {
        Ok(()) => {
            tracing::debug!(ms = elapsed.as_millis() as u64, "job done");
            shared.metrics.job_run(&job.kind, RunOutcome::Processed, elapsed);
            let _ = shared.acks.send(job);
            crate::outbox::wake_if_written();
        }
        Err((JobError::Unavailable(reason), _)) => {
            // Not the job's fault: wait a moment (jittered, so a returning database is not hit by
            // every deferred job at once) and run it again without spending an attempt.
            let most = shared.cfg.defer.as_millis().max(4) as u64;
            let delay = Duration::from_millis(rand::random_range(most / 4..=most));
            let at = crate::ms(shared.clock.now()) + delay.as_millis() as i64;
            tracing::warn!(retry_in_ms = delay.as_millis() as u64, error = %reason, "job deferred: a dependency is unavailable");
            shared.metrics.job_run(&job.kind, RunOutcome::Deferred, elapsed);
            if let Err(e) = shared.queue.defer(&job, at, &reason).await {
                tracing::warn!(error = %e, "cannot defer; it runs again after its lease");
            }
        }
        Err((JobError::Retry { reason, after }, opts)) if attempt < opts.max_attempts => {
            let delay = after.unwrap_or_else(|| opts.backoff.delay(attempt));
            let at = crate::ms(shared.clock.now()) + delay.as_millis() as i64;
            tracing::warn!(retry_in_ms = delay.as_millis() as u64, error = %reason, "job failed; will retry");
            shared.metrics.job_run(&job.kind, RunOutcome::Retried, elapsed);
            if let Err(e) = shared.queue.retry(&job, at, &reason).await {
                tracing::warn!(error = %e, "cannot schedule the retry; it runs again after its lease");
            }
        }
        Err((e, _)) => {
            tracing::error!(error = %e, "job failed for good: dead letter");
            shared.metrics.job_run(&job.kind, RunOutcome::Dead, elapsed);
            if let Err(qe) = shared.queue.bury(&job, &e.to_string()).await {
                tracing::warn!(error = %qe, "cannot bury; it runs again after its lease");
            }
        }
    }
}

/// Acknowledges finished jobs in batches. Retries a failed acknowledgement for up to a lease
/// (after which the job is redelivered anyway, and its handler is idempotent).
async fn ack_loop(queue: SharedQueue, mut rx: mpsc::UnboundedReceiver<ClaimedJob>, stop: CancellationToken) {
    loop {
        let first = tokio::select! {
            j = rx.recv() => j,
            _ = stop.cancelled() => None,
        };
        let mut batch: Vec<ClaimedJob> = first.into_iter().collect();
        while batch.len() < 1000 {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        if batch.is_empty() {
            if stop.is_cancelled() || rx.is_closed() {
                return;
            }
            continue;
        }
        let mut pause = Duration::from_millis(50);
        let give_up = Instant::now() + Duration::from_secs(30);
        loop {
            match queue.complete(&batch).await {
                Ok(()) => break,
                Err(e) if Instant::now() < give_up => {
                    tracing::warn!(jobs = batch.len(), error = %e, "cannot acknowledge; retrying");
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    tracing::error!(jobs = batch.len(), error = %e, "gave up acknowledging; they will run again");
                    break;
                }
            }
        }
    }
}

/// Promotes due delayed jobs and renews the leases of running ones.
async fn upkeep_loop(shared: Arc<Shared>, stop: CancellationToken) {
    let renew_every = shared.cfg.lease / 3;
    let mut last_renew = Instant::now();
    let mut warned = false;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(shared.cfg.poll.min(renew_every)) => {}
        }
        let mut ok = shared.queue.promote_due().await.map(|_| ());
        if last_renew.elapsed() >= renew_every {
            last_renew = Instant::now();
            let running: Vec<ClaimedJob> =
                shared.inflight.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
            match shared.queue.renew(&running, shared.cfg.lease).await {
                Ok(lost) => {
                    for id in lost {
                        tracing::warn!(job_id = %id, "lease lost: another worker may run this job too");
                    }
                }
                Err(e) => ok = Err(e),
            }
        }
        match ok {
            Ok(()) => warned = false,
            Err(e) if !warned => {
                warned = true;
                tracing::warn!(error = %e, "queue upkeep failed; retrying");
            }
            Err(_) => {}
        }
    }
}
