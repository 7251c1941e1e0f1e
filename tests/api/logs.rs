//! Log capture for tests that check what the application logs: one subscriber per process, in
//! the binary's own JSON format (`telemetry::install`): the event's fields at the top level, the
//! fields of the span it happened in (request or job) under `span`.

use serde_json::Value;

/// Every log line the process writes once [`capture_logs`] was called (JSON, one event a line).
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct Capture;

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs, once per process, the application's JSON log format writing every event (debug and
/// up) into the captured logs.
pub fn capture_logs() {
    static ONCE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::new("debug,hyper=info,h2=info,rustls=info,reqwest=info");
        wushe::telemetry::install(wushe::config::LogFormat::Json, filter, || Capture);
    });
}

/// What was logged since [`capture_logs`] (by every test of this process).
pub fn captured_logs() -> Vec<u8> {
    LOGS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The captured lines containing `needle`, parsed.
pub fn log_lines_with(needle: &str) -> Vec<Value> {
    String::from_utf8_lossy(&captured_logs())
        .lines()
        .filter(|l| l.contains(needle))
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}
