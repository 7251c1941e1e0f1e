//! The Redis backend. Per queue `q`, under a configurable prefix and one hash tag (so every key a
//! script touches lives in one Redis Cluster slot):
//!
//! - `{q}:stream`: jobs ready to run, read by the consumer group `workers`. Each process reads
//!   under a unique consumer name; an entry is acknowledged and deleted (`XACK` + `XDEL`) only
//!   after its handler succeeded. An entry idle longer than its lease (its worker died) is taken
//!   over with `XAUTOCLAIM`; its delivery count limits poison jobs. Running jobs' leases are
//!   renewed with `XCLAIM … JUSTID` by their holder.
//! - `{q}:delayed`: a sorted set (score: run-at ms) of delayed jobs and retries, moved to the
//!   stream by one Lua script, so no worker slot is held while a retry waits.
//! - `{q}:dead`, `{q}:deadidx`: dead letters (a stream) and their index by job id.
//! - `{q}:dedupe:<key>`: enqueue dedupe (`SET NX EX`), checked in the same script as the add.
//!
//! Connections are `ConnectionManager`s created lazily, so a process starts while Redis is down
//! and every operation reconnects after a Redis restart.

use super::{DeadPage, JobQueue, QueueError, QueueResult, QueueStats};
use crate::clock::Clock;
use crate::job::{ClaimedJob, Enqueued, NewJob, Record};
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

const GROUP: &str = "workers";
/// Jobs per enqueue script call.
const ENQUEUE_CHUNK: usize = 200;

/// Settings of a Redis queue.
#[derive(Clone, Debug)]
pub struct RedisQueueConfig {
    /// Prefix of every key, e.g. `wushe:`; tests use one each.
    pub prefix: String,
    /// The queue's name.
    pub queue: String,
    /// How long a dedupe key holds.
    pub dedupe_ttl: Duration,
}

/// A job queue in Redis.
pub struct RedisQueue {
    cfg: RedisQueueConfig,
    clock: Arc<dyn Clock>,
    consumer: String,
    conn: ConnectionManager,
    /// Blocking reads get a connection of their own, so they never delay other commands.
    blocking: ConnectionManager,
    keys: Keys,
    autoclaim_cursor: Mutex<String>,
    group_ready: std::sync::atomic::AtomicBool,
}

struct Keys {
    stream: String,
    delayed: String,
    dead: String,
    dead_index: String,
}

impl Keys {
    fn new(prefix: &str, queue: &str) -> Self {
        let base = format!("{prefix}{{{queue}}}");
        Keys {
            stream: format!("{base}:stream"),
            delayed: format!("{base}:delayed"),
            dead: format!("{base}:dead"),
            dead_index: format!("{base}:deadidx"),
        }
    }
    fn dedupe(&self, prefix: &str, queue: &str, key: &str) -> String {
        format!("{prefix}{{{queue}}}:dedupe:{key}")
    }
}

fn manager(client: &redis::Client, response_timeout: Duration) -> QueueResult<ConnectionManager> {
    let cfg = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(response_timeout))
        .set_number_of_retries(3)
        .set_max_delay(Duration::from_secs(2));
    Ok(ConnectionManager::new_lazy_with_config(client.clone(), cfg)?)
}

impl RedisQueue {
    /// A queue on the Redis at `url`. Connects lazily: it may be created while Redis is down.
    pub fn new(url: &str, cfg: RedisQueueConfig, clock: Arc<dyn Clock>) -> QueueResult<Self> {
        let client = redis::Client::open(url)?;
        let conn = manager(&client, Duration::from_secs(5))?;
        let blocking = manager(&client, Duration::from_secs(15))?;
        let keys = Keys::new(&cfg.prefix, &cfg.queue);
        Ok(RedisQueue {
            cfg,
            clock,
            consumer: super::consumer_name(),
            conn,
            blocking,
            keys,
            autoclaim_cursor: Mutex::new("0-0".into()),
            group_ready: false.into(),
        })
    }

    /// This process's consumer name in the group.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    async fn ensure_group(&self) -> QueueResult<()> {
        if self.group_ready.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        let r: redis::RedisResult<Value> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.keys.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut self.conn())
            .await;
        match r {
            Ok(_) => {}
            Err(e) if e.to_string().contains("BUSYGROUP") => {}
            Err(e) => return Err(e.into()),
        }
        self.group_ready.store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// After an error that may mean Redis lost the group (restarted empty), check it again.
    fn forget_group_on(&self, e: &redis::RedisError) {
        if e.to_string().contains("NOGROUP") {
            self.group_ready.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn now_ms(&self) -> i64 {
        crate::ms(self.clock.now())
    }

    fn parse_entries(&self, entries: &Value, deliveries: u32) -> QueueResult<Vec<ClaimedJob>> {
        let mut out = Vec::new();
        for entry in as_array(entries) {
            let fields = as_array(entry);
            let (Some(id), Some(kv)) = (fields.first(), fields.get(1)) else {
                continue; // deleted entry
            };
            let id = as_string(id);
            let kv = as_array(kv);
            let json = kv.chunks(2).find(|c| c.len() == 2 && as_string(&c[0]) == "j").map(|c| as_string(&c[1]));
            let Some(json) = json else {
                return Err(QueueError::Corrupt(format!("stream entry {id} has no job")));
            };
            let rec: Record = serde_json::from_str(&json).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            out.push(rec.into_job(deliveries, id));
        }
        Ok(out)
    }
}

fn as_array(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) | Value::Set(a) => a,
        _ => &[],
    }
}

fn as_string(v: &Value) -> String {
    match v {
        Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Okay => "OK".into(),
        _ => String::new(),
    }
}

fn as_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        other => as_string(other).parse().unwrap_or(0),
    }
}

static ENQUEUE: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: stream, delayed, dedupe keys...   ARGV: now_ms, dedupe_ttl_s, then per job: json, run_at_ms, dedupe index (0: none), id
local out = {}
local now = tonumber(ARGV[1])
local n = (#ARGV - 2) / 4
for i = 0, n - 1 do
  local json = ARGV[3 + i * 4]
  local run_at = tonumber(ARGV[4 + i * 4])
  local d = tonumber(ARGV[5 + i * 4])
  local ok = true
  if d > 0 then
    ok = redis.call('SET', KEYS[2 + d], ARGV[6 + i * 4], 'NX', 'EX', ARGV[2])
  end
  if ok then
    if run_at > now then
      redis.call('ZADD', KEYS[2], run_at, json)
    else
      redis.call('XADD', KEYS[1], '*', 'j', json)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
"#,
    )
});

static PROMOTE: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: stream, delayed   ARGV: now_ms, max
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, json in ipairs(due) do
  redis.call('XADD', KEYS[1], '*', 'j', json)
  redis.call('ZREM', KEYS[2], json)
end
return #due
"#,
    )
});

/// Only the holder of a delivery may retry, bury or release it (a worker whose lease lapsed
/// must not touch the job another worker now runs).
const HOLDS: &str = r#"
local function holds(stream, group, consumer, id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  return #p > 0 and p[1][2] == consumer
end
"#;

static REQUEUE: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(&format!(
        r#"{HOLDS}
-- KEYS: stream, delayed   ARGV: group, consumer, entry id, json, run_at_ms, now_ms
if not holds(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if tonumber(ARGV[5]) > tonumber(ARGV[6]) then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
else
  redis.call('XADD', KEYS[1], '*', 'j', ARGV[4])
end
return 1
"#
    ))
});

static BURY: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(&format!(
        r#"{HOLDS}
-- KEYS: stream, dead, deadidx   ARGV: group, consumer, entry id, json, job id
if not holds(KEYS[1], ARGV[1], ARGV[2], ARGV[3]) then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
local did = redis.call('XADD', KEYS[2], '*', 'j', ARGV[4])
redis.call('HSET', KEYS[3], ARGV[5], did)
return 1
"#
    ))
});

static RENEW: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(&format!(
        r#"{HOLDS}
-- KEYS: stream   ARGV: group, consumer, entry ids...
local lost = {{}}
for i = 3, #ARGV do
  if holds(KEYS[1], ARGV[1], ARGV[2], ARGV[i]) then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
"#
    ))
});

static RETRY_DEAD: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: stream, dead, deadidx   ARGV: job id, dead entry id, json to requeue
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[1], '*', 'j', ARGV[3])
return 1
"#,
    )
});

static DISCARD_DEAD: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r#"
-- KEYS: dead, deadidx   ARGV: job id
local did = redis.call('HGET', KEYS[2], ARGV[1])
if not did then return 0 end
redis.call('XDEL', KEYS[1], did)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"#,
    )
});

#[async_trait]
impl JobQueue for RedisQueue {
    fn name(&self) -> &str {
        &self.cfg.queue
    }

    async fn enqueue_many(&self, jobs: Vec<NewJob>) -> QueueResult<Vec<Enqueued>> {
        self.ensure_group().await?;
        let now = self.clock.now();
        let now_ms = crate::ms(now);
        let mut out = Vec::with_capacity(jobs.len());
        let mut conn = self.conn();
        for chunk in jobs.chunks(ENQUEUE_CHUNK) {
            let mut inv = ENQUEUE.prepare_invoke();
            inv.key(&self.keys.stream).key(&self.keys.delayed);
            inv.arg(now_ms).arg(self.cfg.dedupe_ttl.as_secs().max(1));
            let mut ids = Vec::with_capacity(chunk.len());
            let mut dedupes = 0;
            for job in chunk {
                let id = Uuid::now_v7();
                ids.push(id);
                let rec = Record {
                    id,
                    kind: job.kind.clone(),
                    payload: job.payload.clone(),
                    dedupe: job.dedupe_key.clone(),
                    attempts: 0,
                    enq: now_ms,
                    err: None,
                    failed: None,
                };
                let json = serde_json::to_string(&rec).map_err(|e| QueueError::Corrupt(e.to_string()))?;
                let index = match &job.dedupe_key {
                    Some(k) => {
                        inv.key(self.keys.dedupe(&self.cfg.prefix, &self.cfg.queue, k));
                        dedupes += 1;
                        dedupes
                    }
                    None => 0,
                };
                inv.arg(json).arg(crate::ms(job.due(now))).arg(index).arg(id.to_string());
            }
            let answers: Vec<i64> = inv.invoke_async(&mut conn).await?;
            out.extend(
                answers.iter().zip(ids).map(|(a, id)| if *a == 1 { Enqueued::New(id) } else { Enqueued::Duplicate }),
            );
        }
        Ok(out)
    }

    async fn fetch(&self, max: usize, _lease: Duration, wait: Duration) -> QueueResult<Vec<ClaimedJob>> {
        self.ensure_group().await?;
        let mut conn = self.blocking.clone();
        let reply: redis::RedisResult<Value> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(max.max(1))
            .arg("BLOCK")
            .arg(wait.as_millis().max(1) as u64)
            .arg("STREAMS")
            .arg(&self.keys.stream)
            .arg(">")
            .query_async(&mut conn)
            .await;
        let reply = reply.inspect_err(|e| self.forget_group_on(e))?;
        let mut jobs = Vec::new();
        // [[stream, [[id, [field, value, ...]], ...]]] or, on RESP3, a map.
        match &reply {
            Value::Map(m) => {
                for (_, entries) in m {
                    jobs.extend(self.parse_entries(entries, 1)?);
                }
            }
            other => {
                for stream in as_array(other) {
                    if let Some(entries) = as_array(stream).get(1) {
                        jobs.extend(self.parse_entries(entries, 1)?);
                    }
                }
            }
        }
        Ok(jobs)
    }

    async fn reclaim(&self, max: usize, lease: Duration) -> QueueResult<Vec<ClaimedJob>> {
        self.ensure_group().await?;
        let mut conn = self.conn();
        let cursor = self.autoclaim_cursor.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(&self.keys.stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(lease.as_millis() as u64)
            .arg(&cursor)
            .arg("COUNT")
            .arg(max.max(1))
            .query_async(&mut conn)
            .await
            .inspect_err(|e| self.forget_group_on(e))?;
        let parts = as_array(&reply);
        let next = parts.first().map(as_string).unwrap_or_else(|| "0-0".into());
        *self.autoclaim_cursor.lock().unwrap_or_else(|e| e.into_inner()) = next;
        let Some(entries) = parts.get(1) else { return Ok(Vec::new()) };
        let mut jobs = self.parse_entries(entries, 1)?;
        if jobs.is_empty() {
            return Ok(jobs);
        }
        // XAUTOCLAIM does not say how often each was delivered; XPENDING does.
        let mut pipe = redis::pipe();
        for j in &jobs {
            pipe.cmd("XPENDING").arg(&self.keys.stream).arg(GROUP).arg(&j.receipt).arg(&j.receipt).arg(1);
        }
        let pending: Vec<Value> = pipe.query_async(&mut conn).await?;
        for (job, p) in jobs.iter_mut().zip(pending) {
            let first = as_array(&p).first().map(|e| as_array(e).to_vec()).unwrap_or_default();
            job.deliveries = first.get(3).map(as_int).unwrap_or(1).max(1) as u32;
        }
        Ok(jobs)
    }

    async fn promote_due(&self) -> QueueResult<usize> {
        self.ensure_group().await?;
        let moved: i64 = PROMOTE
            .key(&self.keys.stream)
            .key(&self.keys.delayed)
            .arg(self.now_ms())
            .arg(1000)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(moved as usize)
    }

    async fn renew(&self, jobs: &[ClaimedJob], _lease: Duration) -> QueueResult<Vec<Uuid>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut inv = RENEW.prepare_invoke();
        inv.key(&self.keys.stream).arg(GROUP).arg(&self.consumer);
        for j in jobs {
            inv.arg(&j.receipt);
        }
        let lost: Vec<String> = inv.invoke_async(&mut self.conn()).await?;
        Ok(jobs.iter().filter(|j| lost.contains(&j.receipt)).map(|j| j.id).collect())
    }

    async fn complete(&self, jobs: &[ClaimedJob]) -> QueueResult<()> {
        if jobs.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = jobs.iter().map(|j| j.receipt.as_str()).collect();
        let mut pipe = redis::pipe();
        pipe.atomic();
        pipe.cmd("XACK").arg(&self.keys.stream).arg(GROUP).arg(&ids).ignore();
        pipe.cmd("XDEL").arg(&self.keys.stream).arg(&ids).ignore();
        pipe.query_async::<()>(&mut self.conn()).await?;
        Ok(())
    }

    async fn retry(&self, job: &ClaimedJob, run_at_ms: i64, error: &str) -> QueueResult<()> {
        let mut rec = Record::from_job(job);
        rec.attempts += 1;
        rec.err = Some(error.to_string());
        self.requeue(job, &rec, run_at_ms).await
    }

    async fn defer(&self, job: &ClaimedJob, run_at_ms: i64, reason: &str) -> QueueResult<()> {
        let mut rec = Record::from_job(job);
        rec.err = Some(reason.to_string());
        self.requeue(job, &rec, run_at_ms).await
    }

    async fn bury(&self, job: &ClaimedJob, error: &str) -> QueueResult<()> {
        let mut rec = Record::from_job(job);
        rec.attempts = job.attempt();
        rec.err = Some(error.to_string());
        rec.failed = Some(self.now_ms());
        let json = serde_json::to_string(&rec).map_err(|e| QueueError::Corrupt(e.to_string()))?;
        let _: i64 = BURY
            .key(&self.keys.stream)
            .key(&self.keys.dead)
            .key(&self.keys.dead_index)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(&job.receipt)
            .arg(json)
            .arg(job.id.to_string())
            .invoke_async(&mut self.conn())
            .await?;
        Ok(())
    }

    async fn release(&self, job: &ClaimedJob) -> QueueResult<()> {
        let rec = Record::from_job(job);
        self.requeue(job, &rec, self.now_ms()).await
    }

    async fn claim_key(&self, key: &str, ttl: Duration) -> QueueResult<bool> {
        let got: Option<String> = redis::cmd("SET")
            .arg(format!("{}{key}", self.cfg.prefix))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query_async(&mut self.conn())
            .await?;
        Ok(got.is_some())
    }

    async fn stats(&self) -> QueueResult<QueueStats> {
        self.ensure_group().await?;
        let mut pipe = redis::pipe();
        pipe.cmd("XLEN").arg(&self.keys.stream);
        pipe.cmd("XPENDING").arg(&self.keys.stream).arg(GROUP);
        pipe.cmd("ZCARD").arg(&self.keys.delayed);
        pipe.cmd("XLEN").arg(&self.keys.dead);
        pipe.cmd("XRANGE").arg(&self.keys.stream).arg("-").arg("+").arg("COUNT").arg(1);
        let r: Vec<Value> = pipe.query_async(&mut self.conn()).await?;
        let len = r.first().map(as_int).unwrap_or(0).max(0) as u64;
        let running = r.get(1).and_then(|p| as_array(p).first().map(as_int)).unwrap_or(0).max(0) as u64;
        let oldest = r
            .get(4)
            .and_then(|v| as_array(v).first().map(|e| as_array(e).first().map(as_string).unwrap_or_default()))
            .and_then(|id| id.split('-').next().and_then(|ms| ms.parse::<i64>().ok()))
            .map(|ms| Duration::from_millis((crate::wall_ms() - ms).max(0) as u64));
        Ok(QueueStats {
            ready: len.saturating_sub(running),
            delayed: r.get(2).map(as_int).unwrap_or(0).max(0) as u64,
            running,
            dead: r.get(3).map(as_int).unwrap_or(0).max(0) as u64,
            oldest_pending: oldest,
        })
    }

    async fn dead(&self, after: Option<&str>, limit: usize) -> QueueResult<DeadPage> {
        let end = match after {
            // A stream id (`<ms>-<seq>`); anything else Redis would refuse as a syntax error,
            // which must not read as the queue being down.
            Some(a) if !a.is_empty() => {
                let (ms, seq) = a.split_once('-').ok_or(QueueError::InvalidCursor)?;
                if ms.parse::<u64>().is_err() || seq.parse::<u64>().is_err() {
                    return Err(QueueError::InvalidCursor);
                }
                format!("({a}")
            }
            _ => "+".into(),
        };
        let reply: Value = redis::cmd("XREVRANGE")
            .arg(&self.keys.dead)
            .arg(end)
            .arg("-")
            .arg("COUNT")
            .arg(limit + 1)
            .query_async(&mut self.conn())
            .await?;
        let mut items = Vec::new();
        let mut last_id = None;
        for entry in as_array(&reply).iter().take(limit) {
            let e = as_array(entry);
            let Some(id) = e.first().map(as_string) else { continue };
            let kv = e.get(1).map(as_array).unwrap_or(&[]);
            if let Some(json) = kv.get(1).map(as_string)
                && let Ok(rec) = serde_json::from_str::<Record>(&json)
            {
                items.push(rec.into_dead());
            }
            last_id = Some(id);
        }
        let next = if as_array(&reply).len() > limit { last_id } else { None };
        Ok(DeadPage { items, next })
    }

    async fn retry_dead(&self, id: Uuid) -> QueueResult<bool> {
        self.ensure_group().await?;
        let mut conn = self.conn();
        let did: Option<String> =
            redis::cmd("HGET").arg(&self.keys.dead_index).arg(id.to_string()).query_async(&mut conn).await?;
        let Some(did) = did else { return Ok(false) };
        let entry: Value = redis::cmd("XRANGE").arg(&self.keys.dead).arg(&did).arg(&did).query_async(&mut conn).await?;
        let json =
            as_array(&entry).first().and_then(|e| as_array(e).get(1).and_then(|kv| as_array(kv).get(1)).map(as_string));
        let Some(json) = json else { return Ok(false) };
        let mut rec: Record = serde_json::from_str(&json).map_err(|e| QueueError::Corrupt(e.to_string()))?;
        rec.attempts = 0;
        rec.err = None;
        rec.failed = None;
        let json = serde_json::to_string(&rec).map_err(|e| QueueError::Corrupt(e.to_string()))?;
        let done: i64 = RETRY_DEAD
            .key(&self.keys.stream)
            .key(&self.keys.dead)
            .key(&self.keys.dead_index)
            .arg(id.to_string())
            .arg(did)
            .arg(json)
            .invoke_async(&mut conn)
            .await?;
        Ok(done == 1)
    }

    async fn discard_dead(&self, id: Uuid) -> QueueResult<bool> {
        let done: i64 = DISCARD_DEAD
            .key(&self.keys.dead)
            .key(&self.keys.dead_index)
            .arg(id.to_string())
            .invoke_async(&mut self.conn())
            .await?;
        Ok(done == 1)
    }
}

impl RedisQueue {
    async fn requeue(&self, job: &ClaimedJob, rec: &Record, run_at_ms: i64) -> QueueResult<()> {
        let json = serde_json::to_string(rec).map_err(|e| QueueError::Corrupt(e.to_string()))?;
        let _: i64 = REQUEUE
            .key(&self.keys.stream)
            .key(&self.keys.delayed)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(&job.receipt)
            .arg(json)
            .arg(run_at_ms)
            .arg(self.now_ms())
            .invoke_async(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Deletes every key under this queue's prefix (tests clean up after themselves).
    pub async fn delete_all_keys(&self) -> QueueResult<()> {
        let mut conn = self.conn();
        let pattern = format!("{}*", self.cfg.prefix);
        let mut cursor = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                redis::cmd("DEL").arg(&keys).query_async::<()>(&mut conn).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}
