//! The HTTP API: one poem-openapi struct per resource, grouped by the same areas as
//! `crate::domain` (see its area map). Handlers are thin: parse the request, call one domain
//! function, shape the response. Every operation is in the OpenAPI document
//! (`/api/openapi.json`), with its errors.
//!
//! Where to look (the folder is the area of the URL):
//! - `system`: liveness, readiness, metrics (`health`) and dead letters (`admin_jobs`).
//! - `kernel`: the org tree (`org_units`) and the audit log (`audit`).
//! - `people`: register, sign in, refresh, sign out (`auth`), one's own account (`me`), people for
//!   administrators (`users`), personal data, consents, export and erasure (`privacy`).
//! - `messaging`: devices, the inbox and preferences (`notifications`), announcements.
//! - `volunteering`: tasks and check-in, sign-ups and the roster, hours and stars, service-record
//!   certificates.
//! - `talent`: credentials and registration, training and continuing education.
//! - `mentoring`: pairings, session logs, pair threads and oversight.
//! - `honours`: award programmes, review, notice and the honour wall.
//! - `statistics`: service hours by unit, action line and month; the other figures of a unit.
//! - `organisations`: the registry of social organisations; community charity funds; service
//!   projects.
//!
//! Shared by all: `types` (wire types), `text` (the text rule every request's strings pass),
//! `csv` (downloads), `error` (the problem+json envelope),
//! `problem_codes` (the codes each operation can answer, written into the document), `bearer`
//! (the bearer scheme). `policy` is the table of who may call what, assembled from each
//! area's `policy.rs`; `gate` enforces it with `ratelimit` and idempotency keys.

pub mod bearer;
pub mod csv;
pub mod document;
pub mod error;
pub mod gate;
pub mod honours;
pub mod kernel;
pub mod language;
pub mod mentoring;
pub mod messaging;
pub mod optional_body;
pub mod organisations;
pub mod people;
pub mod policy;
pub mod problem_codes;
pub mod ratelimit;
pub mod statistics;
pub mod system;
pub mod talent;
pub mod text;
pub mod types;
pub mod volunteering;
pub mod xlsx;

use kernel::{audit, org_units};
use messaging::{announcements, devices, events, notifications};
use people::{auth, codes, course_organisers, disputes, guardians, me, privacy, users};
use system::{admin_jobs, health};
use talent::{credentials, directory, learning, training};
use volunteering::{hours, presence, service_records, signups, task_prerequisites, tasks};

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
    /// Personal information under PIPL: real-name identity, health notes, guardians, consents,
    /// export and erasure.
    Privacy,
    /// Liveness, readiness and metrics.
    System,
    /// Devices, the inbox, notification preferences and announcements.
    Notifications,
    /// Background jobs (city administrators).
    Jobs,
    /// Honours (表彰): award programmes, nominations, panel review, public notice (公示) and the
    /// honour wall.
    Honours,
    /// Mentoring (社工+志愿者, 传帮带): pairings, session logs, pair threads and oversight.
    Mentoring,
    /// Credentials (certificates), their verification, expiry and registration (登记).
    Credentials,
    /// Training courses and sessions, the learning ledger and continuing education (继续教育).
    Training,
    /// Statistics for administrators, rolled up room → station → district → city.
    Statistics,
    /// Social organisations (社会组织): the registry of those serving the city.
    Organisations,
    /// Community charity funds (社区慈善基金): donations, grants, disbursements, the ledger and
    /// the public disclosure.
    CharityFunds,
    /// Service projects (服务项目): their funding lines and what their tasks have done; the needs
    /// they answer and the resources on offer (三张清单).
    Projects,
}

/// `201 Created` with the created thing.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// `202 Accepted`: the work goes on in the background.
#[derive(ApiResponse)]
pub enum Accepted<T: ToJSON> {
    /// Accepted; delivered in the background.
    #[oai(status = 202)]
    Accepted(Json<T>),
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
    Core,
    Messaging,
    (privacy::PrivacyApi, disputes::IdentityDisputesApi),
    Service,
    Honours,
    Mentoring,
    Talent,
    Statistics,
    Organisations,
);

/// Accounts, people, the org tree, the audit log and health.
pub type Core = (
    health::HealthApi,
    auth::AuthApi,
    codes::CodesApi,
    guardians::GuardiansApi,
    me::MeApi,
    users::UsersApi,
    course_organisers::CourseOrganisersApi,
    org_units::OrgUnitsApi,
    audit::AuditApi,
);

/// The resources of jobs and messaging.
pub type Messaging = (
    devices::DevicesApi,
    events::EventsApi,
    notifications::NotificationsApi,
    announcements::AnnouncementsApi,
    admin_jobs::AdminJobsApi,
);

/// Volunteer service: tasks, sign-ups, hours and certificates.
pub type Service = (
    tasks::TasksApi,
    task_prerequisites::TaskPrerequisitesApi,
    signups::SignupsApi,
    presence::PresenceApi,
    hours::HoursApi,
    service_records::ServiceRecordsApi,
);

/// Honours: programmes, nominations, review, notice and the wall.
pub type Honours = (
    honours::programmes::HonourProgrammesApi,
    honours::nominations::HonourNominationsApi,
    honours::review::HonourReviewApi,
    honours::notice::HonourNoticeApi,
    honours::wall::HonourWallApi,
);
/// Mentoring: pairings, session logs, threads and oversight.
pub type Mentoring = (
    mentoring::pairings::PairingsApi,
    mentoring::sessions::MentoringSessionsApi,
    mentoring::threads::PairThreadsApi,
    mentoring::oversight::MentoringOversightApi,
);
/// Talent: credentials, training and continuing education, the directory.
pub type Talent =
    (credentials::CredentialsApi, training::TrainingApi, learning::LearningApi, directory::TalentDirectoryApi);

/// Statistics: hours by unit, action line and month; the other figures of a unit.
pub type Statistics = (statistics::hours::StatsHoursApi, statistics::overview::StatsOverviewApi);

/// The other societies: social organisations and charity funds.
pub type Organisations = (
    organisations::social_organisations::SocialOrganisationsApi,
    organisations::charity_funds::CharityFundsApi,
    organisations::projects::ProjectsApi,
    organisations::needs::NeedsApi,
);

/// The OpenAPI service over every resource.
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            (
                health::HealthApi,
                auth::AuthApi,
                codes::CodesApi,
                guardians::GuardiansApi,
                me::MeApi,
                users::UsersApi,
                course_organisers::CourseOrganisersApi,
                org_units::OrgUnitsApi,
                audit::AuditApi,
            ),
            (
                devices::DevicesApi,
                events::EventsApi,
                notifications::NotificationsApi,
                announcements::AnnouncementsApi,
                admin_jobs::AdminJobsApi,
            ),
            (privacy::PrivacyApi, disputes::IdentityDisputesApi),
            (
                tasks::TasksApi,
                task_prerequisites::TaskPrerequisitesApi,
                signups::SignupsApi,
                presence::PresenceApi,
                hours::HoursApi,
                service_records::ServiceRecordsApi,
            ),
            (
                honours::programmes::HonourProgrammesApi,
                honours::nominations::HonourNominationsApi,
                honours::review::HonourReviewApi,
                honours::notice::HonourNoticeApi,
                honours::wall::HonourWallApi,
            ),
            (
                mentoring::pairings::PairingsApi,
                mentoring::sessions::MentoringSessionsApi,
                mentoring::threads::PairThreadsApi,
                mentoring::oversight::MentoringOversightApi,
            ),
            (credentials::CredentialsApi, training::TrainingApi, learning::LearningApi, directory::TalentDirectoryApi),
            (statistics::hours::StatsHoursApi, statistics::overview::StatsOverviewApi),
            (
                organisations::social_organisations::SocialOrganisationsApi,
                organisations::charity_funds::CharityFundsApi,
                organisations::projects::ProjectsApi,
                organisations::needs::NeedsApi,
            ),
        ),
        "wushe",
        env!("CARGO_PKG_VERSION"),
    )
    .description(format!(
        "API of the five-society linkage (五社联动) community-service app: volunteers, social workers, \
         stations and administrators. Errors are RFC 9457 problem+json documents with a stable `code`: \
         each operation lists the codes it can answer in `x-problem-codes` (and its description), besides \
         the generic ones any operation may answer: {}. A problem's `title` and `detail` are in the \
         language `Accept-Language` prefers (zh-CN by default, or en); its `code` never changes. \
         Retrying: 429 and 503 carry `Retry-After` (seconds), after which the same request may succeed; \
         after a network failure or another 5xx a write's outcome is unknown, so send it again with the \
         same `Idempotency-Key`; any other 4xx answers the same until the request or the state changes. \
         Lists are cursor-paginated: pass a page's `nextCursor` as `cursor`.",
        problem_codes::GENERIC.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    ))
}

/// The OpenAPI document as pretty JSON (what `wushe openapi` prints, `/api/openapi.json` serves
/// and the snapshot holds): poem-openapi's document, with optional properties marked nullable
/// (an absent `Option` is sent as `null`), plus each operation's problem codes
/// (`problem_codes`) and what the policy table adds (the `Idempotency-Key` header of idempotent
/// operations), shaped for client generators (`document::for_clients`).
pub fn openapi_json() -> String {
    let raw = service().spec();
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&raw) else {
        return raw;
    };
    mark_optional_nullable(&mut doc);
    problem_codes::annotate(&mut doc);
    let paths = doc.get_mut("paths").and_then(|p| p.as_object_mut());
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
            let idempotent = op["operationId"].as_str().and_then(policy::rule_for).is_some_and(|r| r.idempotent);
            if !idempotent {
                continue;
            }
            let param = serde_json::json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "A key the client makes up (a UUID) and sends again when it retries: within 24 hours \
                    a repeat gets the first answer again (with `Idempotent-Replayed: true`), a different request \
                    under the same key 422 `idempotency_key_reused`, a repeat while the first still runs 409 \
                    `idempotency_key_in_use`.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]+$"},
            });
            match op["parameters"].as_array_mut() {
                Some(params) => params.push(param),
                None => op["parameters"] = serde_json::json!([param]),
            }
        }
    }
    document::for_clients(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or(raw)
}

/// Marks every property that is not required as nullable: responses send a missing value as
/// `null`, and requests accept `null` for it.
fn mark_optional_nullable(doc: &mut serde_json::Value) {
    let schemas = doc.get_mut("components").and_then(|c| c.get_mut("schemas")).and_then(|s| s.as_object_mut());
    for schema in schemas.into_iter().flat_map(|s| s.values_mut()) {
        let required: Vec<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let props = schema.get_mut("properties").and_then(|p| p.as_object_mut());
        for (name, prop) in props.into_iter().flat_map(|p| p.iter_mut()) {
            if required.contains(name) {
                continue;
            }
            if let Some(reference) = prop.get("$ref").cloned() {
                *prop = serde_json::json!({"allOf": [{"$ref": reference}], "nullable": true});
            } else if let Some(obj) = prop.as_object_mut() {
                obj.insert("nullable".into(), serde_json::Value::Bool(true));
            }
        }
    }
}
