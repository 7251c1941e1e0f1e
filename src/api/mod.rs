//! The HTTP API: one poem-openapi struct per resource. Handlers are thin: parse the request,
//! call one domain function, shape the response. Every operation is in the OpenAPI document
//! (`/api/openapi.json`), with its errors.
//!
//! Where to look: `auth` (register, login, refresh, logout), `me` (own profile and password),
//! `users` (people, for administrators), `org_units` (the org tree), `audit` (the audit log),
//! `health` (liveness and readiness), `tasks` (service tasks, check-in), `signups` (sign-up,
//! waitlist, roster, attendance), `hours` (ledger, stars, leaderboards), `service_records`
//! (certificates).

pub mod audit;
pub mod auth;
pub mod csv;
pub mod health;
pub mod hours;
pub mod me;
pub mod org_units;
pub mod service_records;
pub mod signups;
pub mod tasks;
pub mod types;
pub mod users;

use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, OpenApiService, Tags};

/// Groups of operations in the document.
#[derive(Tags)]
pub enum Tag {
    /// Registration, sign-in and sessions.
    Auth,
    /// The signed-in person's own account.
    Me,
    /// People, for administrators.
    People,
    /// The org tree: city centre, district centres, stations (社工站), rooms (社工室), social
    /// organisations and communities.
    OrgUnits,
    /// Who changed what (city administrators).
    Audit,
    /// Volunteer service tasks: organising, browsing, check-in.
    Tasks,
    /// Signing up for tasks, the waitlist and the roster.
    Signups,
    /// The hours ledger, star levels and leaderboards.
    Hours,
    /// Volunteer service record certificates (志愿服务记录证明).
    ServiceRecords,
    /// Liveness and readiness.
    System,
}

/// `201 Created` with the created thing.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// `204 No Content`.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done; nothing to return.
    #[oai(status = 204)]
    NoContent,
}

/// Every resource, for the service and the document.
pub type Apis = (
    health::HealthApi,
    auth::AuthApi,
    me::MeApi,
    users::UsersApi,
    org_units::OrgUnitsApi,
    audit::AuditApi,
    tasks::TasksApi,
    signups::SignupsApi,
    hours::HoursApi,
    service_records::ServiceRecordsApi,
);

/// The OpenAPI service over every resource.
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            health::HealthApi,
            auth::AuthApi,
            me::MeApi,
            users::UsersApi,
            org_units::OrgUnitsApi,
            audit::AuditApi,
            tasks::TasksApi,
            signups::SignupsApi,
            hours::HoursApi,
            service_records::ServiceRecordsApi,
        ),
        "wushe",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "API of the five-society linkage (五社联动) community-service app: volunteers, social workers, \
         stations and administrators. Errors are RFC 9457 problem+json documents with a stable `code`. \
         Lists are cursor-paginated: pass a page's `nextCursor` as `cursor`.",
    )
}

/// The OpenAPI document as pretty JSON (what `wushe openapi` prints and the snapshot holds).
pub fn openapi_json() -> String {
    service().spec()
}
