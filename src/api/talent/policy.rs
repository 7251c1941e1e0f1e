//! The talent area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rule, SIGNED_IN, SOCIAL_WORKER, STATION, STATION_ADMIN, rule,
};

/// Credentials. A credential's relation: `OWN`, the caller's own (nobody decides their own: 403);
/// `STATION`, someone else's whose home is in the caller's station; `OTHER`, in another station
/// (404). Kinds are city-wide: city administrators define them.
const CREDENTIALS: &[Rule] = &[
    rule("listCredentialKinds").allow(SIGNED_IN, NONE),
    rule("createCredentialKind").allow(CITY_ADMIN, NONE),
    rule("submitCredential").allow(SIGNED_IN, NONE).idempotent(),
    rule("listMyCredentials").allow(SIGNED_IN, NONE),
    rule("listCredentials").allow(ADMINS, NONE).lists("getCredential"),
    rule("getCredential")
        .on(ANY)
        .allow(SIGNED_IN, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("updateCredential").on(ANY).allow(SIGNED_IN, OWN),
    rule("verifyCredential").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("rejectCredential").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("revokeCredential").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("recordRegistration").on(ANY).allow(SIGNED_IN, OWN),
];

/// Training. Social workers create courses and sessions once a station administrator allowed
/// them (`allowCourseOrganiser`; the matrix's social worker is allowed). Courses and their
/// sessions are open to everyone signed in; a course of the caller's
/// station is `STATION`, of another `OTHER` (creating names the unit in the body: another
/// station's unit 403; scheduling a session of another station's course 404). A session's roster
/// and attendance: `OWN`, a session the caller trains. An enrolment or learning entry: `OWN`, the
/// caller's own; `STATION`/`OTHER`, someone else's by their home station.
const TRAINING: &[Rule] = &[
    rule("createCourse")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listCourses").allow(SIGNED_IN, NONE).lists("getCourse"),
    rule("getCourse").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("createTrainingSession")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listTrainingSessions").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("getTrainingSession").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("enrol").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)).idempotent(),
    rule("listSessionEnrolments")
        .on(ANY)
        .allow(SIGNED_IN, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY),
    rule("recordTrainingAttendance")
        .on(ANY)
        .allow(SIGNED_IN, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY),
    rule("listMyEnrolments").allow(SIGNED_IN, NONE),
    rule("cancelEnrolment").on(ANY).allow(SIGNED_IN, OWN),
    rule("getMyTraining").allow(SIGNED_IN, NONE),
    rule("listMyLearning").allow(SIGNED_IN, NONE),
    rule("claimTraining").allow(SIGNED_IN, NONE).idempotent(),
    rule("listTrainingClaims").allow(ADMINS, NONE),
    rule("decideTrainingClaim").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("getCeReport").allow(ADMINS, NONE),
    // Prerequisites of a course: reading is open, setting follows `createTrainingSession`.
    rule("getCoursePrerequisites").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("setCoursePrerequisites")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// The talent directory: administrators, over their scope.
const DIRECTORY: &[Rule] = &[rule("searchTalent").allow(ADMINS, NONE), rule("exportTalent").allow(ADMINS, NONE)];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[CREDENTIALS, TRAINING, DIRECTORY];
