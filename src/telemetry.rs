//! Logging: text or JSON lines (`WUSHE_LOG_FORMAT`), a `request` span around each request
//! (method, path, request id; the operation and the signed-in person once the gate knows them)
//! so every line logged while answering it carries them, and one line per request with status
//! and latency. Job runs get a `job` span in the `jobs` crate. Query strings and bodies are never
//! logged: they can hold phone numbers and names.

use crate::config::LogFormat;
use poem::{Endpoint, IntoResponse, Request, Response};
use std::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber writing to stdout. `RUST_LOG` overrides the default filter.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    install(format, filter, std::io::stdout);
}

/// Installs the global subscriber with this filter and writer (tests capture lines this way);
/// false when one is installed already. In JSON the event's fields are top-level and the
/// enclosing span's fields (request id, job id, …) are under `span`.
pub fn install<W>(format: LogFormat, filter: EnvFilter, writer: W) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(writer);
    match format {
        LogFormat::Json => {
            builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init().is_ok()
        }
        LogFormat::Text => builder.try_init().is_ok(),
    }
}

/// Names the operation and the signed-in person on the current request's span.
pub fn record_operation(op: &str, user_id: Option<uuid::Uuid>) {
    let span = tracing::Span::current();
    span.record("op", op);
    if let Some(id) = user_id {
        span.record("user_id", tracing::field::display(id));
    }
}

/// The header carrying a request's id, echoed from the client or generated.
pub const REQUEST_ID: &str = "x-request-id";

/// Middleware: logs each request once it is answered, and tags the response with its id.
pub async fn log_requests<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let span = tracing::info_span!("request", %method, %path, %request_id, op = Empty, user_id = Empty);
    let mut resp = match next.call(req).instrument(span.clone()).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let _entered = span.enter();
    let status = resp.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, %path, status, latency_ms, request_id, "request");
    } else {
        tracing::info!(%method, %path, status, latency_ms, request_id, "request");
    }
    if let Ok(v) = request_id.parse() {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    Ok(resp)
}
