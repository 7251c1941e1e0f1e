//! Builds the HTTP application: routes, middleware, and the server on an already-bound
//! listener (so tests can bind port 0 and production can bind what `WUSHE_LISTEN` says).

use crate::api::error;
use crate::api::error::{Problem, problem_response};
use crate::api::gate::{self, Gate};
use crate::config::Config;
use crate::state::AppState;
use crate::{api, db, telemetry};
use poem::http::{Method, StatusCode, header};
use poem::listener::TcpAcceptor;
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request, Response, Route, Server};
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Opens the database and, unless told not to, applies pending migrations.
pub async fn open_database(config: &Config, migrate: bool) -> anyhow::Result<DatabaseConnection> {
    let conn = db::connect(&config.database_url, config.db_max_connections, config.db_acquire_timeout).await?;
    if migrate {
        migration::Migrator::up(&conn, None).await?;
    }
    Ok(conn)
}

/// Every route with its middleware, serving `state`. Fails when the gate cannot read the
/// document (a build that cannot enforce its policy must not serve).
pub fn routes(state: AppState) -> std::io::Result<impl Endpoint<Output = Response> + 'static> {
    // The console calls the API in-process, through the same gate and policy.
    let api: crate::console::Api = Arc::new(api_routes(state.clone())?.boxed());
    Ok(Route::new()
        .nest("/console", crate::console::routes(api.clone()).data(state).around(telemetry::log_requests))
        .nest("/", api))
}

/// The API with its middleware.
fn api_routes(state: AppState) -> std::io::Result<impl Endpoint<Output = Response> + 'static> {
    let service = api::service().server("/");
    let gate = Arc::new(Gate::new(&service.spec()).map_err(std::io::Error::other)?);
    let spec = api::openapi_json();
    let docs = service.swagger_ui();
    let max_body = state.config.max_body_bytes;
    Ok(Route::new()
        .at(
            "/api/openapi.json",
            poem::endpoint::make_sync(move |_| {
                Response::builder().header(header::CONTENT_TYPE, "application/json").body(spec.clone())
            }),
        )
        .nest("/docs", docs)
        .nest("/", service)
        .around(api::text::inspect)
        .around(move |ep, req| gate::gate(ep, req, gate.clone()))
        .around(move |ep, req| limit_body(ep, req, max_body))
        .around(error::problem_json)
        // A bug must cost one request a 500, never the connection (or the process).
        .with(poem::middleware::CatchPanic::new().with_handler(|_| {
            tracing::error!("a request handler panicked");
            error::problem_response(&error::internal_problem())
        }))
        .around(telemetry::log_requests)
        .data(state)
        .into_endpoint()
        .map_to_response())
}

/// Refuses bodies over `max` bytes with 413, whether or not the client declared a length.
async fn limit_body<E: Endpoint>(next: E, mut req: Request, max: usize) -> poem::Result<Response> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Ok(too_large(max));
    }
    let may_have_body = declared.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING);
    if may_have_body && req.method() != Method::GET {
        match req.take_body().into_bytes_limit(max).await {
            Ok(bytes) => req.set_body(bytes),
            Err(poem::error::ReadBodyError::PayloadTooLarge) => return Ok(too_large(max)),
            Err(e) => return Err(e.into()),
        }
    }
    next.call(req).await.map(poem::IntoResponse::into_response)
}

fn too_large(max: usize) -> Response {
    problem_response(&Problem {
        type_: "urn:wushe:problem:payload_too_large".into(),
        title: "Payload Too Large".into(),
        status: StatusCode::PAYLOAD_TOO_LARGE.as_u16(),
        detail: format!("request bodies are limited to {max} bytes"),
        code: "payload_too_large".into(),
    })
}

/// Serves the API on `listener` until `shutdown` resolves, then lets in-flight requests finish
/// (for up to 30 seconds).
pub async fn serve(
    state: AppState,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    // The browse read model is built from what the database holds now, then kept current.
    if state.config.browse_model {
        state.browse.start(state.db.clone());
    }
    let acceptor = TcpAcceptor::from_std(listener)?;
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(routes(state)?, shutdown, Some(Duration::from_secs(30)))
        .await
}
