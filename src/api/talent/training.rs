//! Training: courses and sessions (`/api/v1/courses`), enrolment with seats and a waitlist
//! (`/api/v1/training-sessions/{id}/enrolments`), attendance by the trainer, and what courses
//! require. The learning ledger and continuing education are in `learning`. Rules:
//! `domain::talent::{training, enrolments}`.

use crate::api::Tag;
use crate::api::bearer::BearerAuth;
use crate::api::error::ApiResult;
use crate::api::types::{QualificationLevel, page_of, wire_enum};
use crate::domain::DomainError;
use crate::domain::kernel::page::PageRequest;
use crate::domain::people::phone;
use crate::domain::talent::enrolments::{self, MyEnrolment, RosterLine};
use crate::domain::talent::prerequisites::{self, Requirement, Subject};
use crate::domain::talent::training::{self, NewCourse, NewSession};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json};
use uuid::Uuid;

/// Training and continuing education.
pub struct TrainingApi;

wire_enum! {
    /// Where an enrolment stands.
    EnrolmentStatus mirrors entity::enrolment::EnrolmentStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
        /// Attended the whole session; the course's hours are credited.
        Attended = "attended",
        Absent = "absent",
    }
}

wire_enum! {
    /// Whether a session takes place.
    SessionStatus mirrors entity::training_session::SessionStatus {
        Scheduled = "scheduled",
        Cancelled = "cancelled",
    }
}

/// A course.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Course {
    pub id: Uuid,
    pub org_unit_id: Uuid,
    pub title: String,
    pub description: String,
    pub category: String,
    /// The levels it is meant for (empty: everyone).
    pub target_levels: Vec<QualificationLevel>,
    /// Credit for attending a whole session, in minutes.
    pub credit_minutes: i32,
    /// Whether the credit counts as continuing education.
    pub counts_as_ce: bool,
    pub created_at: DateTime<Utc>,
}

impl From<entity::course::Model> for Course {
    fn from(c: entity::course::Model) -> Self {
        Course {
            target_levels: training::target_levels(&c).into_iter().map(Into::into).collect(),
            id: c.id,
            org_unit_id: c.org_unit_id,
            title: c.title,
            description: c.description,
            category: c.category,
            credit_minutes: c.credit_minutes,
            counts_as_ce: c.counts_as_ce,
            created_at: c.created_at,
        }
    }
}

/// A course to create.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct CourseRequest {
    pub org_unit_id: Uuid,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 4000))]
    pub description: Option<String>,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub category: String,
    #[oai(validator(max_items = 3))]
    pub target_levels: Option<Vec<QualificationLevel>>,
    #[oai(validator(minimum(value = "1"), maximum(value = "12000")))]
    pub credit_minutes: i32,
    pub counts_as_ce: bool,
}

/// A session of a course.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TrainingSession {
    pub id: Uuid,
    pub course_id: Uuid,
    pub trainer_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub capacity: i32,
    pub seats_left: i32,
    pub enrol_deadline: DateTime<Utc>,
    pub status: SessionStatus,
}

impl From<entity::training_session::Model> for TrainingSession {
    fn from(s: entity::training_session::Model) -> Self {
        TrainingSession {
            id: s.id,
            course_id: s.course_id,
            trainer_id: s.trainer_id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            place: s.place,
            online_link: s.online_link,
            capacity: s.capacity,
            seats_left: (s.capacity - s.filled).max(0),
            enrol_deadline: s.enrol_deadline,
            status: s.status.into(),
        }
    }
}

/// A session to schedule.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionRequest {
    pub trainer_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[oai(validator(max_length = 300))]
    pub place: Option<String>,
    #[oai(validator(max_length = 500))]
    pub online_link: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub capacity: i32,
    /// Default: the start.
    pub enrol_deadline: Option<DateTime<Utc>>,
}

/// An enrolment.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct Enrolment {
    pub id: Uuid,
    pub session_id: Uuid,
    pub person_id: Uuid,
    pub status: EnrolmentStatus,
    /// Place on the waitlist, while waitlisted.
    pub position: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<entity::enrolment::Model> for Enrolment {
    fn from(e: entity::enrolment::Model) -> Self {
        Enrolment {
            id: e.id,
            session_id: e.session_id,
            person_id: e.person_id,
            status: e.status.into(),
            position: e.position,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A line of a session's roster.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct EnrolmentLine {
    pub enrolment: Enrolment,
    pub name: String,
    /// Masked.
    pub phone: String,
}

impl From<RosterLine> for EnrolmentLine {
    fn from(l: RosterLine) -> Self {
        EnrolmentLine { name: l.person.name, phone: phone::mask(&l.person.phone), enrolment: l.enrolment.into() }
    }
}

/// One of one's enrolments: the enrolment's fields, and the session and course it is for (when
/// and where, what it credits).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct MyEnrolmentItem {
    #[oai(flatten)]
    pub enrolment: Enrolment,
    pub session: TrainingSession,
    pub course: Course,
}

impl From<MyEnrolment> for MyEnrolmentItem {
    fn from(m: MyEnrolment) -> Self {
        MyEnrolmentItem { enrolment: m.enrolment.into(), session: m.session.into(), course: m.course.into() }
    }
}

/// A session with its course.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct TrainingSessionDetail {
    #[oai(flatten)]
    pub session: TrainingSession,
    pub course: Course,
}

page_of!(CoursePage, Course);
page_of!(TrainingSessionPage, TrainingSession);
page_of!(MyEnrolmentPage, MyEnrolmentItem);
page_of!(EnrolmentLinePage, EnrolmentLine);

/// Attendance of one person.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainingAttendance {
    pub person_id: Uuid,
    /// Attended the whole session (credits the course), or absent.
    pub attended: bool,
}

/// An enrolment, and whether this request made it.
#[derive(ApiResponse)]
pub enum Enrolled {
    /// Enrolled now: confirmed or waitlisted.
    #[oai(status = 201)]
    Created(Json<Enrolment>),
    /// Already enrolled: the existing enrolment.
    #[oai(status = 200)]
    Existing(Json<Enrolment>),
}

/// A cancelled enrolment and who moved up.
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase")]
pub struct EnrolmentChange {
    pub enrolment: Enrolment,
    /// The enrolment confirmed from the waitlist into the freed seat.
    pub promoted: Option<Uuid>,
}

/// What a prerequisite asks for.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum PrerequisiteKind {
    /// A verified, unexpired credential of `credentialKind`.
    Credential,
    /// A qualification level of at least `minLevel`.
    Level,
    /// The course `courseId` completed.
    Course,
}

/// One prerequisite of a task or course.
#[derive(Object, Debug, Clone)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prerequisite {
    pub kind: PrerequisiteKind,
    #[oai(validator(min_length = 1, max_length = 64))]
    pub credential_kind: Option<String>,
    pub min_level: Option<QualificationLevel>,
    pub course_id: Option<Uuid>,
}

/// The prerequisites of a task or course (replaced as a whole).
#[derive(Object, Debug)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prerequisites {
    #[oai(validator(max_items = 20))]
    pub items: Vec<Prerequisite>,
}

impl Prerequisites {
    pub(crate) fn from_domain(reqs: Vec<Requirement>) -> Self {
        let items = reqs
            .into_iter()
            .map(|r| match r {
                Requirement::Credential(k) => Prerequisite {
                    kind: PrerequisiteKind::Credential,
                    credential_kind: Some(k),
                    min_level: None,
                    course_id: None,
                },
                Requirement::Level(l) => Prerequisite {
                    kind: PrerequisiteKind::Level,
                    credential_kind: None,
                    min_level: Some(l.into()),
                    course_id: None,
                },
                Requirement::Course(c) => Prerequisite {
                    kind: PrerequisiteKind::Course,
                    credential_kind: None,
                    min_level: None,
                    course_id: Some(c),
                },
            })
            .collect();
        Prerequisites { items }
    }

    pub(crate) fn into_domain(self) -> Result<Vec<Requirement>, DomainError> {
        let bad = || DomainError::validation("each prerequisite names exactly what its kind asks for");
        self.items
            .into_iter()
            .map(|p| match (p.kind, p.credential_kind, p.min_level, p.course_id) {
                (PrerequisiteKind::Credential, Some(k), None, None) => Ok(Requirement::Credential(k)),
                (PrerequisiteKind::Level, None, Some(l), None) => Ok(Requirement::Level(l.into())),
                (PrerequisiteKind::Course, None, None, Some(c)) => Ok(Requirement::Course(c)),
                _ => Err(bad()),
            })
            .collect()
    }
}

#[OpenApi(tag = "Tag::Training")]
impl TrainingApi {
    /// Create a course for a unit in one's scope (administrators).
    #[oai(path = "/api/v1/courses", method = "post", operation_id = "createCourse")]
    async fn create_course(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CourseRequest>,
    ) -> ApiResult<crate::api::Created<Course>> {
        let b = body.0;
        let new = NewCourse {
            org_unit_id: b.org_unit_id,
            title: b.title,
            description: b.description.unwrap_or_default(),
            category: b.category,
            target_levels: b.target_levels.unwrap_or_default().into_iter().map(Into::into).collect(),
            credit_minutes: b.credit_minutes,
            counts_as_ce: b.counts_as_ce,
        };
        let c = training::create_course(&state.db, &auth.0.actor(), state.clock.now(), new).await?;
        Ok(crate::api::Created::Created(Json(c.into())))
    }

    /// Courses, newest first.
    #[oai(path = "/api/v1/courses", method = "get", operation_id = "listCourses")]
    async fn courses(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<CoursePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(training::list_courses(&state.db, page).await?.into()))
    }

    /// One course.
    #[oai(path = "/api/v1/courses/:id", method = "get", operation_id = "getCourse")]
    async fn course(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<Course>> {
        Ok(Json(training::get_course(&state.db, id.0).await?.into()))
    }

    /// Schedule a session of a course (administrators of the course's unit).
    #[oai(path = "/api/v1/courses/:id/sessions", method = "post", operation_id = "createTrainingSession")]
    async fn create_session(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<SessionRequest>,
    ) -> ApiResult<crate::api::Created<TrainingSession>> {
        let b = body.0;
        let new = NewSession {
            trainer_id: b.trainer_id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            place: b.place,
            online_link: b.online_link,
            capacity: b.capacity,
            enrol_deadline: b.enrol_deadline,
        };
        let s = training::create_session(&state.db, &auth.0.actor(), state.clock.now(), id.0, new).await?;
        Ok(crate::api::Created::Created(Json(s.into())))
    }

    /// Sessions of a course, oldest first.
    #[oai(path = "/api/v1/courses/:id/sessions", method = "get", operation_id = "listTrainingSessions")]
    async fn sessions(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<TrainingSessionPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(training::list_sessions(&state.db, id.0, page).await?.into()))
    }

    /// One session, with its course; open to everyone signed in, like the course's sessions.
    #[oai(path = "/api/v1/training-sessions/:id", method = "get", operation_id = "getTrainingSession")]
    async fn session(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<TrainingSessionDetail>> {
        let s = training::get_session(&state.db, id.0).await?;
        let c = training::get_course(&state.db, s.course_id).await?;
        Ok(Json(TrainingSessionDetail { session: s.into(), course: c.into() }))
    }

    /// Enrol in a session: a confirmed seat while seats remain, else the waitlist. Enrolling twice
    /// returns the first enrolment.
    #[oai(path = "/api/v1/training-sessions/:id/enrolments", method = "post", operation_id = "enrol")]
    async fn enrol(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Enrolled> {
        let out = enrolments::enrol(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
        Ok(if out.created {
            Enrolled::Created(Json(out.enrolment.into()))
        } else {
            Enrolled::Existing(Json(out.enrolment.into()))
        })
    }

    /// A session's roster (its trainer, administrators of the course's unit).
    #[oai(path = "/api/v1/training-sessions/:id/enrolments", method = "get", operation_id = "listSessionEnrolments")]
    async fn roster(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<EnrolmentLinePage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(enrolments::roster(&state.db, &auth.0.actor(), id.0, page).await?.into()))
    }

    /// Record whether an enrolled person attended the whole session (its trainer, administrators
    /// of the course's unit); attending credits the course's hours.
    #[oai(
        path = "/api/v1/training-sessions/:id/attendance",
        method = "post",
        operation_id = "recordTrainingAttendance"
    )]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TrainingAttendance>,
    ) -> ApiResult<Json<Enrolment>> {
        let e = enrolments::record_attendance(
            &state.db,
            &auth.0.actor(),
            state.clock.now(),
            id.0,
            body.person_id,
            body.attended,
        )
        .await?;
        Ok(Json(e.into()))
    }

    /// One's enrolments, newest first, each with its session (when, where, whether it takes
    /// place) and course (title, credit).
    #[oai(path = "/api/v1/me/enrolments", method = "get", operation_id = "listMyEnrolments")]
    async fn my_enrolments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        cursor: Query<Option<String>>,
        /// Page size, default 20, at most 100.
        limit: Query<Option<u64>>,
    ) -> ApiResult<Json<MyEnrolmentPage>> {
        let page = PageRequest::parse(cursor.0.as_deref(), limit.0)?;
        Ok(Json(enrolments::my_enrolments(&state.db, &auth.0.actor(), page).await?.into()))
    }

    /// Cancel one's enrolment before the session starts; a confirmed seat goes to the head of the
    /// waitlist.
    #[oai(path = "/api/v1/enrolments/:id/cancel", method = "post", operation_id = "cancelEnrolment")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<EnrolmentChange>> {
        let (e, promoted) = enrolments::cancel_enrolment(&state.db, &auth.0.actor(), state.clock.now(), id.0).await?;
        Ok(Json(EnrolmentChange { enrolment: e.into(), promoted }))
    }

    /// What a course requires of those who enrol.
    #[oai(path = "/api/v1/courses/:id/prerequisites", method = "get", operation_id = "getCoursePrerequisites")]
    async fn course_prerequisites(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<Prerequisites>> {
        training::get_course(&state.db, id.0).await?;
        Ok(Json(Prerequisites::from_domain(prerequisites::of(&state.db, Subject::Course(id.0)).await?)))
    }

    /// Set what a course requires (administrators of its unit): enrolment refuses whoever lacks it
    /// with 409 `prerequisite_missing`.
    #[oai(path = "/api/v1/courses/:id/prerequisites", method = "put", operation_id = "setCoursePrerequisites")]
    async fn set_course_prerequisites(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<Prerequisites>,
    ) -> ApiResult<Json<Prerequisites>> {
        let reqs = body.0.into_domain()?;
        let set = prerequisites::set_for_course(&state.db, &auth.0.actor(), state.clock.now(), id.0, reqs).await?;
        Ok(Json(Prerequisites::from_domain(set)))
    }
}
