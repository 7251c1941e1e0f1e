//! Log capture for tests that check what the application logs: one subscriber per process,
//! writing JSON lines (with the fields of the spans each event happened in) into memory.

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

/// Installs, once per process, a subscriber that writes every event (debug and up) as JSON
/// into the captured logs, with the fields of the spans it happened in.
pub fn capture_logs() {
    static ONCE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::new("debug,hyper=info,h2=info,rustls=info,reqwest=info");
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(|| Capture).json().try_init();
    });
}

/// What was logged since [`capture_logs`] (by every test of this process).
pub fn captured_logs() -> Vec<u8> {
    LOGS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
