//! One error envelope for the whole API: [`ApiError`], a poem-openapi `ApiResponse` (so every
//! operation lists its error statuses in the OpenAPI document) whose body is an RFC 9457
//! problem+json [`Problem`] with a stable machine-readable `code`.
//!
//! [`problem_json`] is the outermost middleware: whatever poem itself rejects (malformed JSON,
//! unknown routes, oversized bodies, missing credentials) leaves as the same envelope. It also
//! reads `Accept-Language` ([`language`]): `title` and `detail` are in the reader's language
//! (zh-CN unless the request prefers en), from the error's own words where it has them in that
//! language and from the catalogue's words for its code otherwise; `code` never changes.

use crate::api::language;
use crate::domain::kernel::catalogue;
use crate::domain::{Detail, DomainError};
use entity::user::Locale;
use poem::http::{StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::{ApiResponse, Object, payload::Json};

/// An RFC 9457 problem document.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct Problem {
    /// A URI naming the problem type: `urn:wushe:problem:<code>`.
    #[oai(rename = "type")]
    pub type_: String,
    /// A short summary of the status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, for a person to read. Never holds personal data.
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`, `forbidden`.
    pub code: String,
}

/// Every error an operation can answer with. Each variant documents its status.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is malformed or breaks a rule (`validation_failed`, `invalid_cursor`, …).
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Credentials are missing, invalid or expired (`unauthorized`, `invalid_credentials`, …).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The caller may not do this (`forbidden`, `account_suspended`).
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such thing, or not one the caller may know of (`not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request conflicts with the current state (`phone_taken`, `org_unit_cycle`, …).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is larger than the server accepts (`payload_too_large`).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// Well-formed but not processable in this state.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many attempts; retry after the given number of seconds (`account_locked`, `rate_limited`).
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Something failed on our side (`internal_error`); nothing about it is disclosed.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency is unavailable, e.g. the database is restarting (`unavailable`); retry after
    /// the given number of seconds. Nothing was changed unless the request's own outcome is
    /// unknown (send writes again with the same `Idempotency-Key`).
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>, #[oai(header = "Retry-After")] u64),
}

/// What every handler returns.
pub type ApiResult<T> = Result<T, ApiError>;

/// `Retry-After` of a 503: about how long a database restart or a failover takes.
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;

/// 503 for a database that cannot be reached; the cause goes to the log (it names no person).
fn database_unavailable(cause: &sea_orm::DbErr) -> ApiError {
    tracing::warn!(error = %cause, "database unavailable");
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the service is briefly unavailable; retry shortly")
}

impl ApiError {
    /// An error with a status, a stable code and a detail for people.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<Detail>) -> Self {
        let problem = Json(problem(status, code, detail.into()));
        match status.as_u16() {
            400 => ApiError::BadRequest(problem),
            401 => ApiError::Unauthorized(problem),
            403 => ApiError::Forbidden(problem),
            404 => ApiError::NotFound(problem),
            409 => ApiError::Conflict(problem),
            413 => ApiError::PayloadTooLarge(problem),
            422 => ApiError::Unprocessable(problem),
            429 => ApiError::TooManyRequests(problem, 1),
            503 => ApiError::Unavailable(problem, RETRY_UNAVAILABLE_SECS),
            _ => ApiError::Internal(Json(problem_internal())),
        }
    }

    /// 400 `validation_failed` or a more specific code.
    pub fn bad_request(code: &str, detail: impl Into<Detail>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(detail: impl Into<Detail>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<Detail>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 500 with nothing disclosed; the cause goes to the log (inside the request's span, so the
    /// line carries the request id).
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        ApiError::Internal(Json(problem_internal()))
    }

    /// 500 for an error with sources: the log line carries the whole chain, outermost first.
    pub fn internal_error(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        ApiError::Internal(Json(problem_internal()))
    }

    /// The problem document inside.
    pub fn problem(&self) -> &Problem {
        match self {
            ApiError::BadRequest(p)
            | ApiError::Unauthorized(p)
            | ApiError::Forbidden(p)
            | ApiError::NotFound(p)
            | ApiError::Conflict(p)
            | ApiError::PayloadTooLarge(p)
            | ApiError::Unprocessable(p)
            | ApiError::TooManyRequests(p, _)
            | ApiError::Internal(p)
            | ApiError::Unavailable(p, _) => &p.0,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid { code, detail } => ApiError::bad_request(code, detail),
            DomainError::Unauthenticated { code, detail } => ApiError::new(StatusCode::UNAUTHORIZED, code, detail),
            DomainError::Forbidden { code, detail } => ApiError::new(StatusCode::FORBIDDEN, code, detail),
            DomainError::NotFound { what } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
            }
            DomainError::Conflict { code, detail } => ApiError::new(StatusCode::CONFLICT, code, detail),
            DomainError::Unprocessable { code, detail } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
            }
            DomainError::TooMany { code, detail, retry_after_secs } => ApiError::TooManyRequests(
                Json(problem(StatusCode::TOO_MANY_REQUESTS, code, detail)),
                retry_after_secs.max(1),
            ),
            DomainError::Unavailable { detail } => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
            }
            DomainError::Db(e) if crate::db::is_unavailable(&e) => database_unavailable(&e),
            DomainError::Db(e) => ApiError::internal_error(&e),
            DomainError::Internal(msg) => ApiError::internal(&msg),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        DomainError::from(err).into()
    }
}

fn problem(status: StatusCode, code: &str, detail: Detail) -> Problem {
    let locale = language::current();
    let detail = match locale {
        Locale::En => detail.en,
        Locale::ZhCn => detail.zh.unwrap_or_else(|| {
            catalogue::problem(code)
                .map_or_else(|| catalogue::status_title(status.as_u16(), locale).into(), |w| w.zh.into())
        }),
    };
    Problem {
        type_: format!("urn:wushe:problem:{code}"),
        title: catalogue::status_title(status.as_u16(), locale).to_string(),
        status: status.as_u16(),
        detail,
        code: code.to_string(),
    }
}

/// The problem document of a 500, which discloses nothing.
pub fn internal_problem() -> Problem {
    problem_internal()
}

fn problem_internal() -> Problem {
    problem(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "an internal error occurred".into())
}

/// The content type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Middleware: turns every error that is not already a problem document into one, so clients
/// parse one shape whatever failed (poem's own extractors, routing, body limits).
pub async fn problem_json<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let locale = language::from_accept_language(req.header(header::ACCEPT_LANGUAGE));
    let mut resp = language::scope(locale, async {
        match next.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) if err.is_from_response() => err.into_response(),
            Err(err) => problem_from_poem(err),
        }
    })
    .await;
    if resp.content_type().is_some_and(|t| t.starts_with(PROBLEM_JSON)) {
        let tag = poem::http::HeaderValue::from_static(language::tag(locale));
        resp.headers_mut().insert(header::CONTENT_LANGUAGE, tag);
        resp.headers_mut().append(header::VARY, poem::http::HeaderValue::from_static("Accept-Language"));
    }
    Ok(resp)
}

/// The problem document for an error poem raised before or around a handler.
pub fn problem_from_poem(err: poem::Error) -> Response {
    use poem_openapi::error as oe;
    let status = err.status();
    let code = if err.is::<oe::ParseRequestPayloadError>()
        || err.is::<oe::ParseParamError>()
        || err.is::<oe::ParsePathError>()
        || err.is::<oe::ParseMultipartError>()
    {
        "validation_failed"
    } else if err.is::<oe::ContentTypeError>() {
        "unsupported_media_type"
    } else {
        match status {
            StatusCode::BAD_REQUEST => "validation_failed",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            s if s.is_server_error() => "internal_error",
            _ => "bad_request",
        }
    };
    let detail: Detail = if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
        "an internal error occurred".into()
    } else if err.is::<oe::AuthorizationError>() {
        crate::domain::both(
            "sign in first: send `Authorization: Bearer <access token>`",
            "请先登录：请求需带上 `Authorization: Bearer <访问令牌>`",
        )
    } else if let Some(detail) = parse_error_detail(&err) {
        detail.into()
    } else {
        err.to_string().into()
    };
    let body = problem(status, code, detail);
    problem_response(&body)
}

/// The detail of a request poem-openapi could not parse, naming the parameter or field and the
/// rule broken but never the value: its own messages quote what was sent ("found \"13800…\"",
/// an unknown key, a rejected `Content-Type`), and what was sent may be a password or a phone.
fn parse_error_detail(err: &poem::Error) -> Option<String> {
    use poem_openapi::error as oe;
    let (place, reason) = if let Some(e) = err.downcast_ref::<oe::ParseParamError>() {
        (format!("parameter `{}`", e.name), e.reason.as_str())
    } else if let Some(e) = err.downcast_ref::<oe::ParsePathError>() {
        (format!("path parameter `{}`", e.name), e.reason.as_str())
    } else if let Some(e) = err.downcast_ref::<oe::ParseRequestPayloadError>() {
        ("the request body".to_string(), e.reason.as_str())
    } else if let Some(e) = err.downcast_ref::<oe::ParseMultipartError>() {
        ("the request body".to_string(), e.reason.as_str())
    } else if err.is::<oe::ContentTypeError>() {
        return Some("the request's `Content-Type` is not one this operation takes".into());
    } else {
        return None;
    };
    let mut detail = format!("{place} is not valid");
    if reason.contains("unknown field `") {
        // The key is the client's text: it is not repeated.
        detail.push_str(": it holds a field this operation does not take");
    } else if let Some(field) = after_word(reason, "field `").filter(|f| is_identifier(f)) {
        detail.push_str(&format!(": field `{field}`"));
    }
    if let Some(rule) = reason.split_once("verification failed. ").map(|(_, rule)| rule) {
        // The validator's own description (`maxLength(32)`, `pattern(\"…\")`): our rule, not their value.
        let rule = rule.split(" (occurred while").next().unwrap_or(rule);
        detail.push_str(&format!(" (rule: {rule})"));
    } else if let Some(expected) = after_word(reason, "Expected input type \"").and_then(|t| t.split('"').next()) {
        detail.push_str(&format!(" (expected {expected})"));
    } else if reason.contains("expects an input value") {
        detail.push_str(" (a value is required)");
    } else if reason.contains("valid enumeration value") {
        detail.push_str(" (not one of the allowed values)");
    }
    Some(detail)
}

/// The text after the first `marker` in `s`, up to the next backtick.
fn after_word<'a>(s: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &s[s.find(marker)? + marker.len()..];
    Some(rest.split('`').next().unwrap_or(rest))
}

/// A key as a wire type spells it (anything else is not repeated).
fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Serialises a problem document as a response.
pub fn problem_response(p: &Problem) -> Response {
    let body = serde_json::json!({
        "type": p.type_, "title": p.title, "status": p.status, "detail": p.detail, "code": p.code,
    });
    Response::builder()
        .status(StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, PROBLEM_JSON)
        .body(body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, DbErr};

    #[test]
    fn an_unreachable_database_is_503_with_retry_after_and_other_database_errors_500() {
        let down = ApiError::from(DomainError::Db(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)));
        let ApiError::Unavailable(p, retry_after) = &down else { panic!("{down:?}") };
        assert_eq!((p.0.status, p.0.code.as_str(), *retry_after), (503, "unavailable", RETRY_UNAVAILABLE_SECS));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let io = DbErr::Query(sea_orm::RuntimeErr::SqlxError(std::sync::Arc::new(sea_orm::sqlx::Error::Io(refused))));
        assert!(matches!(ApiError::from(DomainError::Db(io)), ApiError::Unavailable(..)));
        let bug = ApiError::from(DomainError::Db(DbErr::Custom("no such column".into())));
        assert!(matches!(bug, ApiError::Internal(_)));
    }
}
