//! A `redis-server` of the scenario's own on a free port, so that it may be stopped: without
//! persistence, killed when dropped.

use crate::harness::{Wushe, free_port, redis_answers, tail};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` of the scenario's own, keeping nothing on disk (`--save "" --appendonly
/// no`): stopped, it comes back empty, as a cache-configured production Redis would.
pub struct OwnRedis {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    starts: usize,
}

impl OwnRedis {
    /// A server on a free port, not yet started.
    pub fn new() -> OwnRedis {
        OwnRedis { port: free_port(), dir: tempfile::tempdir().unwrap(), child: None, starts: 0 }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again, on the same port) and waits until it answers; its log is watched by
    /// `wushe`.
    pub async fn start(&mut self, wushe: &Wushe) {
        self.starts += 1;
        let log = self.dir.path().join(format!("redis-{}.log", self.starts));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .expect("redis-server is installed");
        self.child = Some(child);
        wushe.watch(&format!("redis-server #{}", self.starts), &log);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !redis_answers(&self.url()).await {
            assert!(Instant::now() < deadline, "redis-server did not answer within 20 s:\n{}", tail(&log, 20));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills it (SIGKILL) and waits until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
