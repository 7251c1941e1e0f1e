//! Business rules, grouped by area. Functions take a connection or transaction, return
//! [`DomainError`], and know nothing of HTTP.
//!
//! # The area map
//!
//! The same areas appear in `src/domain/`, `src/api/` and the policy table. Imports go one way:
//! toward the kernel, and from an area to the areas whose facts it reads (listed below). An area
//! never imports one that reads it; where a lower area must let a higher one know something, it
//! calls a hook in [`registry`] instead. `tests::imports_follow_the_area_map` enforces the map.
//!
//! | area | owns | may import |
//! | --- | --- | --- |
//! | [`kernel`] | the acting person, scope, the org tree, time, geography, paging, audit, idempotency | — |
//! | [`people`] | accounts, sessions, real-name identity, consents, personal data, phones | kernel |
//! | [`messaging`] | notifications, templates, devices, announcements, preferences | kernel, people |
//! | [`talent`] | credentials, registration, training, continuing education, prerequisites, the directory | kernel, people, messaging |
//! | [`volunteering`] | tasks, sign-ups, seats, dispatch, reminders, attendance, hours, stars, service records | kernel, people, messaging, talent |
//! | [`mentoring`] | pairings, progress, sessions, threads, oversight, suggestions | kernel, people, messaging, talent, volunteering |
//! | [`honours`] | programmes, eligibility, nominations, review, notice, the wall | kernel, people, messaging, talent, volunteering, mentoring |
//!
//! [`registry`] is where the areas are known together: the personal-data registry that export
//! and erasure walk, and the hooks through which volunteering tells honours of new hours.

pub mod honours;
pub mod kernel;
pub mod mentoring;
pub mod messaging;
pub mod people;
pub mod registry;
pub mod talent;
pub mod volunteering;

use sea_orm::DbErr;

// Kept here so callers written before the kernel owned them keep working.
pub use kernel::geo::validate_lat_lng;
pub use kernel::time::validate_time_zone;

/// Why a domain operation refused or failed. Each variant maps to one HTTP status in
/// `crate::api::error`, and carries a stable code.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// 400: the input breaks a rule.
    #[error("{detail}")]
    Invalid { code: &'static str, detail: String },
    /// 401: not signed in, or the credentials are wrong or stale.
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    /// 403: signed in, but not allowed.
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// 404: no such thing, or one the caller may not know of.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// 409: conflicts with the current state.
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// 422: understood but not processable as sent.
    #[error("{detail}")]
    Unprocessable { code: &'static str, detail: String },
    /// 429: too many attempts.
    #[error("{detail}")]
    TooMany { code: &'static str, detail: String, retry_after_secs: u64 },
    /// 503: a dependency is down.
    #[error("{detail}")]
    Unavailable { detail: String },
    /// 500: the database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// 500: a bug or an unexpected state.
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    /// 400 with a code.
    pub fn invalid(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Invalid { code, detail: detail.into() }
    }
    /// 400 `validation_failed`.
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::invalid("validation_failed", detail)
    }
    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        DomainError::Forbidden { code: "forbidden", detail: detail.into() }
    }
    /// 404.
    pub fn not_found(what: &'static str) -> Self {
        DomainError::NotFound { what }
    }
    /// 409 with a code.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Conflict { code, detail: detail.into() }
    }
    /// 401 with a code.
    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Unauthenticated { code, detail: detail.into() }
    }
}

/// What domain functions return.
pub type DomainResult<T> = Result<T, DomainError>;

/// Trims a required text field and checks it is not empty.
pub fn required_text(field: &str, value: &str) -> DomainResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::validation(format!("{field} must not be empty")));
    }
    Ok(v.to_string())
}
