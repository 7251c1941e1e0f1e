//! The served process: the release `wushe serve` binary (HTTP API, job workers and scheduler
//! in-process, as deployed), started with only the variables given, so that its peak resident
//! memory (`VmHWM` in `/proc/<pid>/status`) is the server's alone and its start can be timed.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub base: String,
    /// From spawning the process to the first `200` from `/readyz`.
    pub start_to_ready: Duration,
}

impl Server {
    /// Starts `wushe serve` on a free loopback port with `vars` (and no other `WUSHE_*` variable of
    /// this process), its output to `log`, and waits until `/readyz` answers 200.
    pub async fn start(vars: &HashMap<&str, String>, log: &Path) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wushe"));
        cmd.arg("serve");
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WUSHE_")) {
            cmd.env_remove(k);
        }
        let out = std::fs::File::create(log)?;
        cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .env("WUSHE_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", std::env::var("WUSHE_BENCH_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(out.try_clone()?)
            .stderr(out)
            .stdin(Stdio::null());
        let started = Instant::now();
        let child = cmd.spawn()?;
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}"), start_to_ready: Duration::ZERO };
        loop {
            if ready(port).await {
                break;
            }
            if let Some(status) = server.child.try_wait()? {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                anyhow::bail!("the server exited ({status}) before it was ready:\n{text}");
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(120), "the server was not ready within 120 s");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.start_to_ready = started.elapsed();
        Ok(server)
    }

    /// The process's peak resident memory so far, in MiB (`VmHWM`).
    pub fn peak_resident_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: f64 =
            status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kib / 1024.0)
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `GET /readyz` answers 200 (plain HTTP/1.1 over a fresh connection: no client library
/// whose set-up would be timed too).
async fn ready(port: u16) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else { return false };
    let request = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.is_ok() && head.starts_with(b"HTTP/1.1 200")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
