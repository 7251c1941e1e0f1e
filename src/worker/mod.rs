//! Job handlers (one file per area's jobs) and the wiring that runs them: the worker pool, the
//! outbox relay and the cron scheduler, in `wushe worker` or inside `wushe serve`. Handlers hold
//! no SQL (a test checks): they decode, call the domain, talk to providers, tally outcomes and
//! count metrics.
//!
//! - [`notify`] (`notify`): deliver one message to one person's inbox, schedule its push.
//! - [`push`] (`push.send`, on the push queue): push notifications to their people's active
//!   devices; [`push::PushSweep`] hands claims stuck past their lease back to the queue.
//! - [`sms`] (`sms.code`, `sms.note`): verification codes and notes by text message.
//! - [`announce`] (`announcement.fanout`): one batch of an announcement's recipients.
//! - [`tasks`] (`task.*`): dispatch, cover-needed waves, reminders, broadcasts, head-count
//!   checks and closing ended tasks.
//! - [`maintenance`]: the cron jobs (reminder scan, outbox sweep, stale devices, dead letters).
//! - [`mentoring`]: the mentoring scan (no-contact nudges, graduations) and weekly digest.
//! - [`talent`]: the daily credential scan and the weekly digest of who is due.
//!
//! Adding a job kind: a type implementing `jobs::Job` (its kind string, queue, options and
//! dedupe key; the type is the payload) next to the rules that enqueue it, with
//! `jobs::outbox::enqueue(txn, &job)` inside their transaction; its handler, `jobs::Perform`,
//! in a file here; one line in [`registry`]. Adding a cron schedule: one line in [`schedules`],
//! the one table of them. Handlers re-read current state and give every effect a unique key: a
//! job can run twice. A kind string and its payload's shape are what queued jobs hold: never
//! renamed, only extended compatibly.

pub mod announce;
pub mod maintenance;
pub mod mentoring;
pub mod notify;
pub mod push;
pub mod push_vendors;
pub mod sms;
pub mod talent;
pub mod tasks;

use crate::config::{Config, JobsConfig, SmsConfig, SmsProviderConfig};
use crate::domain::DomainError;
use crate::state::AppState;
use jobs::clock::Clock;
use jobs::cron::{Schedule, Scheduler};
use jobs::metrics::Metrics;
use jobs::outbox::Relay;
use jobs::push::log::LogProvider;
use jobs::push::{PushProvider, PushProviders};
use jobs::queue::embedded::EmbeddedQueue;
use jobs::queue::redis::{RedisQueue, RedisQueueConfig};
use jobs::sms::SmsProvider;
use jobs::sms::log::LogSms;
use jobs::worker::{Worker, WorkerConfig};
use jobs::{Job, JobError, Registry, SharedQueue};
use push_vendors::vendor_providers;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The name of the queue of every job kind but pushes.
pub const QUEUE: &str = jobs::DEFAULT_QUEUE;
/// The name of the queue of push jobs ([`push::PushJob`]): they wait on outside providers, so
/// they run from a queue and worker pool of their own, and a slow provider holds up no other work.
pub use crate::domain::messaging::pushes::PUSH_QUEUE;

/// The job machinery a process shares: the queues, their metrics and the push providers.
#[derive(Clone)]
pub struct Jobs {
    pub queue: SharedQueue,
    /// Push jobs only (see [`PUSH_QUEUE`]).
    pub push_queue: SharedQueue,
    pub metrics: Arc<Metrics>,
    pub push: PushProviders,
    /// The log provider, when pushes go to it (no FCM credentials): what was "sent".
    pub push_log: Option<Arc<LogProvider>>,
    /// The text-message provider (`WUSHE_SMS_PROVIDER`).
    pub sms: Arc<dyn SmsProvider>,
    /// The log SMS provider, when texts go to it: what was "sent".
    pub sms_log: Option<Arc<LogSms>>,
}

impl Jobs {
    /// The queue (Redis when configured, else the database) and push providers (FCM when
    /// credentials are configured, else the log provider).
    pub fn new(db: &DatabaseConnection, config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let cfg = &config.jobs;
        let queue_named = |name: &str| -> anyhow::Result<SharedQueue> {
            Ok(match &config.redis_url {
                Some(url) => Arc::new(RedisQueue::new(
                    url,
                    RedisQueueConfig {
                        prefix: cfg.redis_prefix.clone(),
                        queue: name.into(),
                        dedupe_ttl: Duration::from_secs(86_400),
                    },
                    clock.clone(),
                )?),
                None => {
                    Arc::new(EmbeddedQueue::new(db.clone(), name, clock.clone(), Duration::from_secs(86_400), cfg.poll))
                }
            })
        };
        let (queue, push_queue) = (queue_named(QUEUE)?, queue_named(PUSH_QUEUE)?);
        let (fcm, push_log): (Arc<dyn PushProvider>, _) = match &cfg.fcm_credentials {
            Some(path) => (
                Arc::new(jobs::push::fcm::FcmProvider::from_file(
                    path,
                    cfg.fcm_endpoint.as_deref(),
                    cfg.fcm_concurrency,
                    cfg.fcm_timeout,
                )?),
                None,
            ),
            None => {
                let log = Arc::new(LogProvider::new());
                (log.clone(), Some(log))
            }
        };
        let push =
            vendor_providers(&cfg.vendors, PushProviders::new().with(crate::domain::messaging::devices::FCM, fcm))?;
        let (sms, sms_log) = sms_provider(&config.sms)?;
        Ok(Jobs { queue, push_queue, metrics: Arc::new(Metrics::default()), push, push_log, sms, sms_log })
    }

    /// Both queues.
    pub fn queues(&self) -> [&SharedQueue; 2] {
        [&self.queue, &self.push_queue]
    }

    /// The queue named `name`, if any.
    pub fn queue_named(&self, name: &str) -> Option<&SharedQueue> {
        self.queues().into_iter().find(|q| q.name() == name)
    }

    /// The Prometheus text of the job metrics and queue gauges (a queue that does not answer
    /// within two seconds is left out).
    pub async fn metrics_text(&self) -> String {
        let mut queues = Vec::new();
        for q in self.queues() {
            if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_secs(2), q.stats()).await {
                queues.push((q.name().to_string(), s));
            }
        }
        self.metrics.render(&queues)
    }
}

/// Everything `/metrics` shows: jobs, queues, pushes, the request-path Redis breaker and the
/// session cache.
pub async fn metrics_text(state: &AppState) -> String {
    let mut text = state.jobs.metrics_text().await;
    if let Some(link) = &state.redis {
        text.push_str(&link.metrics_text());
    }
    text.push_str(&state.sessions.metrics_text());
    text
}

/// How a domain error fails a job: the database or a dependency being down defers or retries it
/// (an outage buries nothing); a bug or unexpected state is retried with backoff; any other
/// error is the domain refusing the job (not found, invalid, conflicting), which retrying cannot
/// change, so it goes to the dead letters at once with the refusal as its reason. Too many
/// attempts is a refusal for now only: retried after the wait it names.
impl From<DomainError> for JobError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Db(e) => e.into(),
            DomainError::Unavailable { detail } => JobError::unavailable(detail.en),
            DomainError::Internal(reason) => JobError::retry(reason),
            DomainError::TooMany { detail, retry_after_secs, .. } => {
                JobError::retry_after(detail.en, Duration::from_secs(retry_after_secs))
            }
            refused => JobError::fatal(format!("refused: {refused}")),
        }
    }
}

/// A text-message provider, and the log provider itself when it is the one.
type SmsProviders = (Arc<dyn SmsProvider>, Option<Arc<LogSms>>);

/// The configured text-message provider.
fn sms_provider(config: &SmsConfig) -> anyhow::Result<SmsProviders> {
    use jobs::sms::{aliyun, tencent};
    Ok(match &config.provider {
        SmsProviderConfig::Log => {
            let log = Arc::new(if config.development { LogSms::development() } else { LogSms::new() });
            (log.clone(), Some(log))
        }
        SmsProviderConfig::Aliyun { access_key_id, access_key_secret, endpoint } => (
            Arc::new(aliyun::Aliyun::new(aliyun::AliyunConfig {
                access_key_id: access_key_id.clone(),
                access_key_secret: String::from_utf8_lossy(access_key_secret.expose()).into_owned(),
                sign_name: config.sign_name.clone(),
                endpoint: endpoint.clone().unwrap_or_else(|| aliyun::ENDPOINT.into()),
            })?),
            None,
        ),
        SmsProviderConfig::Tencent { secret_id, secret_key, sdk_app_id, region, endpoint } => (
            Arc::new(tencent::Tencent::new(tencent::TencentConfig {
                secret_id: secret_id.clone(),
                secret_key: String::from_utf8_lossy(secret_key.expose()).into_owned(),
                sdk_app_id: sdk_app_id.clone(),
                sign_name: config.sign_name.clone(),
                region: region.clone(),
                endpoint: endpoint.clone().unwrap_or_else(|| tencent::ENDPOINT.into()),
            })?),
            None,
        ),
    })
}

/// Every job kind's handler, by type.
pub fn registry(state: &AppState) -> Registry {
    use crate::domain::messaging::{announcements::Fanout, notifications::Message};
    use crate::domain::volunteering::dispatch::{Cover, Dispatch};
    use crate::domain::volunteering::reminders::{Broadcast, CloseEnded, Headcount, Reminder};
    let mut r = Registry::new();
    r.add::<Message, _>(state)
        .add::<push::PushJob, _>(state)
        .add::<push::PushSweep, _>(state)
        .add::<Fanout, _>(state)
        .add::<maintenance::ScheduledScan, _>(state)
        .add::<maintenance::OutboxSweep, _>(state)
        .add::<maintenance::DevicesPrune, _>(state)
        .add::<maintenance::DeadLetters, _>(state)
        .add::<Dispatch, _>(state)
        .add::<Cover, _>(state)
        .add::<Reminder, _>(state)
        .add::<Broadcast, _>(state)
        .add::<Headcount, _>(state)
        .add::<CloseEnded, _>(state)
        .add::<mentoring::MentoringScan, _>(state)
        .add::<mentoring::MentoringDigest, _>(state)
        .add::<talent::CredentialScan, _>(state)
        .add::<talent::DueDigest, _>(state)
        .add::<crate::domain::people::codes::SendCode, _>(state)
        .add::<crate::domain::people::codes::SendNote, _>(state);
    r
}

/// A cron schedule that enqueues the payload-less job `J`.
fn cron<J: Job + Default>(name: &str, expr: &str) -> Schedule {
    Schedule::new(name, expr, &J::default()).expect("the schedule table is valid")
}

/// Every cron schedule, in one place (expressions: seconds first; write day names).
pub fn schedules() -> Vec<Schedule> {
    use crate::domain::volunteering::reminders::CloseEnded;
    vec![
        // Reminders and other keyed future jobs that came due.
        cron::<maintenance::ScheduledScan>("scheduled-scan", "0 * * * * *"),
        // Push claims that outlived the run that took them.
        cron::<push::PushSweep>("push-sweep", "30 * * * * *"),
        // Relayed outbox rows older than a week.
        cron::<maintenance::OutboxSweep>("outbox-sweep", "0 7 * * * *"),
        // Devices whose token was not refreshed for 270 days.
        cron::<maintenance::DevicesPrune>("devices-prune", "0 30 3 * * *"),
        // Dead letters waiting for an administrator.
        cron::<maintenance::DeadLetters>("dead-letters", "0 */5 * * * *"),
        // Tasks that ended: close open check-ins, record no-shows, mark them completed.
        cron::<CloseEnded>("task-close", "0 */5 * * * *"),
        // Mentoring pairs without contact, and graduations that came due.
        cron::<mentoring::MentoringScan>("mentoring-scan", "0 20 * * * *"),
        // The weekly mentoring digest, Monday morning.
        cron::<mentoring::MentoringDigest>("mentoring-digest", "0 0 9 * * Mon"),
        // Credentials: expiry flips and reminders, 08:00 Shanghai.
        cron::<talent::CredentialScan>("talent-daily", "0 0 8 * * *"),
        // Who is due, to station administrators, Monday 08:30 Shanghai.
        cron::<talent::DueDigest>("talent-digest", "0 30 8 * * Mon"),
    ]
}

fn worker_config(cfg: &JobsConfig) -> WorkerConfig {
    WorkerConfig {
        concurrency: cfg.concurrency,
        lease: cfg.lease,
        fetch_wait: cfg.fetch_wait,
        poll: cfg.poll,
        shutdown_grace: cfg.shutdown_grace,
        ..WorkerConfig::default()
    }
}

/// Runs the workers (one pool per queue), the outbox relay and the scheduler until `shutdown`
/// is cancelled, then stops them gracefully (running jobs get the configured grace period).
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let cfg = &state.config.jobs;
    let jobs = &state.jobs;
    let registry = Arc::new(registry(&state));
    let worker = Worker::new(
        jobs.queue.clone(),
        registry.clone(),
        state.clock.clone(),
        jobs.metrics.clone(),
        worker_config(cfg),
    );
    let push_worker = Worker::new(
        jobs.push_queue.clone(),
        registry.clone(),
        state.clock.clone(),
        jobs.metrics.clone(),
        WorkerConfig { concurrency: cfg.push_concurrency, ..worker_config(cfg) },
    );
    let mut relay = Relay::new(state.db.clone(), jobs.queue.clone(), jobs.metrics.clone(), cfg.relay_poll);
    for kind in registry.kinds_on(PUSH_QUEUE) {
        relay = relay.route(kind, jobs.push_queue.clone());
    }
    let scheduler = Scheduler::new(schedules(), jobs.queue.clone(), state.clock.clone(), cfg.cron_tick);
    tokio::join!(
        worker.run(shutdown.clone()),
        push_worker.run(shutdown.clone()),
        relay.run(shutdown.clone()),
        scheduler.run(shutdown.clone())
    );
}

/// Serves `/metrics` and `/healthz` on `listener` until `shutdown` is cancelled: what `wushe
/// worker` offers to be scraped and probed, since it serves no API.
pub async fn serve_metrics(
    state: AppState,
    listener: std::net::TcpListener,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    use poem::{EndpointExt, Route, get, handler, web::Data};
    #[handler]
    async fn metrics(state: Data<&AppState>) -> poem::Response {
        poem::Response::builder().content_type("text/plain; version=0.0.4").body(metrics_text(&state).await)
    }
    #[handler]
    fn healthz() -> poem::web::Json<serde_json::Value> {
        poem::web::Json(serde_json::json!({"status": "ok"}))
    }
    let app = Route::new().at("/metrics", get(metrics)).at("/healthz", get(healthz)).data(state);
    tracing::info!(listen = %listener.local_addr()?, "worker metrics at /metrics");
    listener.set_nonblocking(true)?;
    poem::Server::new_with_acceptor(poem::listener::TcpAcceptor::from_std(listener)?)
        .run_with_graceful_shutdown(app, shutdown.cancelled_owned(), Some(Duration::from_secs(1)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_errors_retry_when_passing_and_dead_letter_when_refusals() {
        let unavailable = sea_orm::DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout);
        assert!(matches!(JobError::from(DomainError::Db(unavailable)), JobError::Unavailable(_)));
        let broken = sea_orm::DbErr::Custom("constraint".into());
        assert!(matches!(JobError::from(DomainError::Db(broken)), JobError::Retry { .. }));
        let down = DomainError::Unavailable { detail: "redis".into() };
        assert!(matches!(JobError::from(down), JobError::Unavailable(_)));
        assert!(matches!(JobError::from(DomainError::Internal("bug".into())), JobError::Retry { .. }));
        let refusals = [
            DomainError::NotFound { what: "task" },
            DomainError::validation("bad"),
            DomainError::Conflict { code: "task_full", detail: "full".into() },
            DomainError::Forbidden { code: "forbidden", detail: "no".into() },
        ];
        for e in refusals {
            let reason = e.to_string();
            assert_eq!(JobError::from(e), JobError::fatal(format!("refused: {reason}")));
        }
    }

    #[test]
    fn handlers_hold_no_sql() {
        // Queries belong to the domain (`src/domain`), which handlers call.
        const SQL: [&str; 9] = [
            "Entity::",
            "sea_query",
            "QueryFilter",
            "QuerySelect",
            "ConnectionTrait",
            "execute",
            "query_one",
            "query_all",
            "begin_write",
        ];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/worker");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            // This file's tests name the patterns they look for.
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                if let Some(s) = SQL.iter().find(|s| line.contains(*s)) {
                    found.push(format!("{}:{}: {s}", path.file_name().unwrap().to_string_lossy(), n + 1));
                }
            }
        }
        assert!(found.is_empty(), "SQL in src/worker (move it into the domain):\n{}", found.join("\n"));
    }

    #[test]
    fn the_schedule_table_parses() {
        let s = super::schedules();
        let names: std::collections::HashSet<&str> = s.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), s.len(), "schedule names are unique");
        assert!(names.contains("task-close") && names.contains("scheduled-scan"));
        assert!(s.iter().all(|s| s.zone == jobs::cron::DEFAULT_ZONE));
    }

    #[test]
    fn kinds_keep_their_stored_names_and_queues() {
        use crate::domain::messaging::{announcements::Fanout, notifications::Message};
        use crate::domain::volunteering::{dispatch, reminders};
        // Queued jobs hold these strings: renaming one strands them.
        let kinds = [
            (Message::KIND, "notify"),
            (push::PushJob::KIND, "push.send"),
            (push::PushSweep::KIND, "push.sweep"),
            (Fanout::KIND, "announcement.fanout"),
            (maintenance::ScheduledScan::KIND, "scheduled.scan"),
            (maintenance::OutboxSweep::KIND, "outbox.sweep"),
            (maintenance::DevicesPrune::KIND, "devices.prune"),
            (maintenance::DeadLetters::KIND, "jobs.dead_letters"),
            (dispatch::Dispatch::KIND, "task.dispatch"),
            (dispatch::Cover::KIND, "task.cover"),
            (reminders::Reminder::KIND, "task.remind"),
            (reminders::Broadcast::KIND, "task.broadcast"),
            (reminders::Headcount::KIND, "task.headcount"),
            (reminders::CloseEnded::KIND, "task.close"),
            (mentoring::MentoringScan::KIND, "mentoring.scan"),
            (mentoring::MentoringDigest::KIND, "mentoring.digest"),
            (talent::CredentialScan::KIND, "talent.daily_scan"),
            (talent::DueDigest::KIND, "talent.weekly_digest"),
            (crate::domain::people::codes::SendCode::KIND, "sms.code"),
            (crate::domain::people::codes::SendNote::KIND, "sms.note"),
        ];
        for (kind, stored) in kinds {
            assert_eq!(kind, stored);
        }
        // Cron payloads were `{}` and still are; old ones decode.
        let job = jobs::Job::new_job(&maintenance::ScheduledScan {});
        assert_eq!(job.payload, serde_json::json!({}));
        let _: maintenance::ScheduledScan = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(push::PushJob::QUEUE, PUSH_QUEUE);
        assert_eq!(
            push::job(vec![uuid::Uuid::nil()], chrono::Utc::now()).dedupe_key.as_deref(),
            Some("push:00000000-0000-0000-0000-000000000000")
        );
    }
}
