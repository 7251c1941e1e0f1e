//! The gate every API request passes before its handler. It finds the request's operation (by
//! matching it against the OpenAPI document), takes that operation's row of the policy table
//! (`crate::api::policy`) and:
//!
//! 1. authenticates the caller unless the operation is public (the principal is handed to the
//!    handler's `BearerAuth`, so the token and session are checked once per request);
//! 2. refuses a role the row never allows (403; 401 when not signed in);
//! 3. counts the request against its rate limits (429 with `Retry-After`);
//! 4. for rows marked idempotent, honours an `Idempotency-Key` header (`domain::idempotency`):
//!    a repeat replays the first answer byte for byte (with `Idempotent-Replayed: true`), a
//!    different request under the same key is 422 `idempotency_key_reused`, and a repeat while
//!    the first is still running is 409 `idempotency_key_in_use`.
//!
//! An operation without a row is refused with 500: a missing row is a bug, and failing closed
//! keeps it from becoming a hole. A request under `/api/` that matches no operation is refused
//! here too (404 `not_found`, or 405 `method_not_allowed` with `Allow` when the path exists),
//! so nothing the document does not describe reaches a handler. The gate refuses to start on a
//! document it cannot read.

use crate::api::bearer::{Principal, authenticate};
use crate::api::error::{self, ApiError, problem_from_poem};
use crate::api::policy::{self, ANONYMOUS, Rate, Rule, Who};
use crate::config::Limit;
use crate::domain::DomainError;
use crate::domain::kernel::idempotency::{self, Begin, Claim, Stored};
use crate::state::AppState;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The request header carrying an idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The response header marking a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";

/// Operations by method and path, built from the OpenAPI document.
pub struct Gate {
    routes: Vec<Route>,
}

struct Route {
    method: Method,
    /// `None` stands for a path parameter.
    segments: Vec<Option<String>>,
    op: String,
    rule: Option<&'static Rule>,
}

impl Gate {
    /// Reads every operation of an OpenAPI document; an unreadable document, one without paths,
    /// or an operation without an id is an error (the server must not start without its gate).
    pub fn new(openapi_json: &str) -> Result<Gate, String> {
        let doc: serde_json::Value =
            serde_json::from_str(openapi_json).map_err(|e| format!("the OpenAPI document does not parse: {e}"))?;
        let paths = doc["paths"].as_object().ok_or("the OpenAPI document has no paths")?;
        let mut routes = Vec::new();
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let id = op["operationId"].as_str().ok_or_else(|| format!("{method} {path} has no operationId"))?;
                let segments = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| if s.starts_with('{') { None } else { Some(s.to_string()) })
                    .collect();
                routes.push(Route { method, segments, op: id.to_string(), rule: policy::rule_for(id) });
            }
        }
        // Literal segments win over parameters (`/users/me` before `/users/{id}`).
        routes.sort_by_key(|r| std::cmp::Reverse(r.segments.iter().filter(|s| s.is_some()).count()));
        Ok(Gate { routes })
    }

    /// The methods the document declares for `path`, for a 405's `Allow`.
    fn methods_at(&self, path: &str) -> Vec<&Method> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut methods: Vec<&Method> = self.routes.iter().filter(|r| r.matches(&parts)).map(|r| &r.method).collect();
        methods.sort_by_key(|m| m.as_str().to_string());
        methods.dedup();
        methods
    }

    /// The operation answering `method path`, if any.
    fn find(&self, method: &Method, path: &str) -> Option<&Route> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes.iter().find(|r| r.method == method && r.matches(&parts))
    }
}

impl Route {
    fn matches(&self, parts: &[&str]) -> bool {
        self.segments.len() == parts.len()
            && self.segments.iter().zip(parts).all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
    }
}

/// Paths under `/api/` that the application serves outside the document.
const OUTSIDE_THE_DOCUMENT: &[&str] = &["/api/openapi.json"];

/// 404 or 405 for an `/api/` request that matches no operation; `None` for paths the gate does
/// not guard (the documentation pages, and what [`OUTSIDE_THE_DOCUMENT`] lists).
fn unmatched(gate: &Gate, req: &Request) -> Option<Response> {
    let path = req.uri().path();
    if !path.starts_with("/api/") || OUTSIDE_THE_DOCUMENT.contains(&path) {
        return None;
    }
    let allowed = gate.methods_at(path);
    if allowed.is_empty() {
        return Some(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such operation").into_response());
    }
    let allow = allowed.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
    let mut resp = error::problem_response(&error::Problem {
        type_: "urn:wushe:problem:method_not_allowed".into(),
        title: "Method Not Allowed".into(),
        status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        detail: format!("{} is not allowed here; allowed: {allow}", req.method()),
        code: "method_not_allowed".into(),
    });
    if let Ok(v) = HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    Some(resp)
}

/// Middleware: see the module documentation.
pub async fn gate<E: Endpoint>(next: E, req: Request, gate: Arc<Gate>) -> poem::Result<Response> {
    // Writes made while serving announce their changes to sessions through this instance's
    // session cache (`auth::session_cache`).
    let req_cache = req.data::<AppState>().map(|s| s.sessions.clone());
    // Boxed: handler futures are large, and a test's server runs on the test thread's stack.
    let served = Box::pin(guard(next, req, gate));
    match req_cache {
        Some(cache) => crate::auth::session_cache::serving(cache, served).await,
        None => served.await,
    }
}

async fn guard<E: Endpoint>(next: E, mut req: Request, gate: Arc<Gate>) -> poem::Result<Response> {
    let Some(route) = gate.find(req.method(), req.uri().path()) else {
        if let Some(refusal) = unmatched(&gate, &req) {
            return Ok(refusal);
        }
        return next.call(req).await.map(IntoResponse::into_response);
    };
    let Some(rule) = route.rule else {
        return Ok(ApiError::internal(&format!("operation {} has no policy row", route.op)).into_response());
    };
    let Some(state) = req.data::<AppState>().cloned() else {
        return Ok(ApiError::internal(&"application state missing").into_response());
    };
    let principal = if rule.is_public() {
        None
    } else {
        let Some(token) = bearer_token(&req) else {
            return Ok(
                ApiError::unauthorized("sign in first: send `Authorization: Bearer <access token>`").into_response()
            );
        };
        match authenticate(&state, &token).await {
            Ok(p) => Some(p),
            Err(e) => return Ok(e.into_response()),
        }
    };
    crate::telemetry::record_operation(&route.op, principal.as_ref().map(|p| p.user.id));
    let who = principal.as_ref().map(|p| Who::of_role(p.user.role)).unwrap_or(ANONYMOUS);
    if rule.allowed(who).is_empty() {
        return Ok(ApiError::forbidden(format!("a {} may not do this", who.name())).into_response());
    }
    if let Err(e) = check_rates(&state, &req, rule, principal.as_ref()).await {
        return Ok(ApiError::from(e).into_response());
    }
    let key = req.headers().get(IDEMPOTENCY_KEY).map(|v| v.to_str().map(str::to_string));
    if let Some(p) = &principal {
        req.extensions_mut().insert(p.clone());
    }
    match key {
        Some(key) if rule.idempotent => {
            let Some(key) = key.ok().filter(|k| idempotency::valid_key(k)) else {
                return Ok(ApiError::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 128 visible ASCII characters",
                )
                .into_response());
            };
            idempotent(next, req, &state, rule, principal.as_ref(), &key).await
        }
        _ => next.call(req).await.map(IntoResponse::into_response),
    }
}

fn bearer_token(req: &Request) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// On a request the console makes in-process on a visitor's behalf: the visitor's address (an
/// extension, which no outside request can carry), so rate limits count against them.
#[derive(Clone, Debug)]
pub struct ConsoleCaller {
    pub ip: String,
}

/// The client's address: the peer, or with `WUSHE_TRUSTED_PROXY_HOPS` = n the address the
/// outermost trusted proxy saw (the n-th entry of `X-Forwarded-For` from the right).
pub fn client_ip(req: &Request, trusted_hops: usize) -> String {
    if let Some(c) = req.extensions().get::<ConsoleCaller>() {
        return c.ip.clone();
    }
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip());
    let forwarded =
        (trusted_hops > 0).then(|| req.headers().get("x-forwarded-for")?.to_str().ok()).flatten().and_then(|v| {
            let hops: Vec<&str> = v.split(',').map(str::trim).collect();
            hops.len().checked_sub(trusted_hops).and_then(|i| hops[i].parse::<IpAddr>().ok())
        });
    forwarded.or(peer).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into())
}

async fn check_rates(
    state: &AppState,
    req: &Request,
    rule: &Rule,
    principal: Option<&Principal>,
) -> Result<(), DomainError> {
    let limits = &state.config.rate_limits;
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let rate = match rule.rate {
        Rate::ByMethod if is_read => Rate::Unlimited,
        Rate::ByMethod if principal.is_none() => Rate::Auth,
        Rate::ByMethod => Rate::Write,
        r => r,
    };
    let per = |name: &'static str, limit: Limit, by_user: bool| (name, limit, by_user);
    let checks: &[(&str, Limit, bool)] = match rate {
        Rate::Unlimited | Rate::ByMethod => &[],
        Rate::Auth => &[per("auth-ip", limits.auth_per_ip, false)],
        Rate::Write => &[per("write-user", limits.write_per_user, true), per("write-ip", limits.write_per_ip, false)],
        Rate::Strict => {
            &[per("strict-user", limits.strict_per_user, true), per("strict-ip", limits.strict_per_ip, false)]
        }
    };
    let now = state.clock.now();
    for (name, limit, by_user) in checks {
        let subject = match (by_user, principal) {
            (true, Some(p)) => p.user.id.to_string(),
            (true, None) => continue,
            (false, _) => client_ip(req, state.config.trusted_proxy_hops),
        };
        if let Err(e) = state.limiter.hit(name, &subject, *limit, now).await {
            return Err(DomainError::TooMany {
                code: "rate_limited",
                detail: "too many requests; slow down and retry later".into(),
                retry_after_secs: e.retry_after_secs,
            });
        }
    }
    Ok(())
}

async fn idempotent<E: Endpoint>(
    next: E,
    mut req: Request,
    state: &AppState,
    rule: &Rule,
    principal: Option<&Principal>,
    key: &str,
) -> poem::Result<Response> {
    let body = req.take_body().into_vec().await?;
    let fingerprint = idempotency::fingerprint(&state.data_key, req.method().as_str(), req.uri().path(), &body);
    req.set_body(body);
    let claim = Claim {
        scope: principal.map(|p| p.user.id.to_string()).unwrap_or_else(|| "anonymous".into()),
        key,
        operation: rule.op,
        fingerprint,
        user_id: principal.map(|p| p.user.id),
    };
    let now = state.clock.now();
    let id = match idempotency::begin(&state.db, &state.data_key, &claim, now).await {
        Ok(Begin::Proceed(id)) => id,
        Ok(Begin::Replay(stored)) => return Ok(replay(stored)),
        Ok(Begin::InFlight) => {
            return Ok(ApiError::from(DomainError::conflict(
                "idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed; retry shortly",
            ))
            .into_response());
        }
        Ok(Begin::Mismatch) => {
            return Ok(ApiError::from(DomainError::Unprocessable {
                code: "idempotency_key_reused",
                detail: "this Idempotency-Key was used for a different request".into(),
            })
            .into_response());
        }
        Err(e) => return Ok(ApiError::from(e).into_response()),
    };
    let resp = match next.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) if e.is_from_response() => e.into_response(),
        Err(e) => problem_from_poem(e),
    };
    let (parts, body) = resp.into_parts();
    let bytes = body.into_vec().await.unwrap_or_default();
    let status = parts.status;
    let outcome = if status.is_server_error() {
        idempotency::release(&state.db, id).await
    } else {
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let stored = Stored { status: status.as_u16(), content_type, body: bytes.clone() };
        idempotency::finish(&state.db, &state.data_key, id, &stored).await
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not store an idempotent answer");
    }
    if rand::random::<u8>() == 0 {
        let _ = idempotency::purge_expired(&state.db, now).await;
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn replay(stored: Stored) -> Response {
    let mut resp = Response::builder()
        .status(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK))
        .header(REPLAYED, HeaderValue::from_static("true"));
    if let Some(ct) = stored.content_type {
        resp = resp.header(header::CONTENT_TYPE, ct);
    }
    resp.body(stored.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_operations_literal_segments_first() {
        let doc = serde_json::json!({"paths": {
            "/api/v1/users/{id}": {"get": {"operationId": "getUser"}},
            "/api/v1/users/me": {"get": {"operationId": "usersMe"}},
            "/api/v1/users": {"get": {"operationId": "listUsers"}, "post": {"operationId": "createUser"}},
        }});
        let g = Gate::new(&doc.to_string()).unwrap();
        let op = |m: Method, p: &str| g.find(&m, p).map(|r| r.op.clone());
        assert_eq!(op(Method::GET, "/api/v1/users/me").as_deref(), Some("usersMe"));
        assert_eq!(op(Method::GET, "/api/v1/users/123").as_deref(), Some("getUser"));
        assert_eq!(op(Method::GET, "/api/v1/users/").as_deref(), Some("listUsers"));
        assert_eq!(op(Method::POST, "/api/v1/users").as_deref(), Some("createUser"));
        assert_eq!(op(Method::DELETE, "/api/v1/users"), None);
        assert_eq!(op(Method::GET, "/api/v1/users/1/x"), None);
        assert_eq!(g.methods_at("/api/v1/users"), vec![&Method::GET, &Method::POST]);
        assert!(g.methods_at("/api/v1/nothing").is_empty());
    }

    #[test]
    fn refuses_a_document_it_cannot_read() {
        assert!(Gate::new("not json").is_err());
        assert!(Gate::new("{}").is_err());
        let no_id = serde_json::json!({"paths": {"/api/v1/x": {"get": {}}}});
        assert!(Gate::new(&no_id.to_string()).is_err());
    }
}
