//! The volunteering area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rule, SIGNED_IN, SOCIAL_WORKER, STATION, STATION_ADMIN, VOLUNTEER, Who,
    rule,
};

/// Who runs the day of a task (roster, check-in code, attendance): its leader, whatever their
/// role, and its organisers.
const LEADERS: Who = VOLUNTEER.or(SOCIAL_WORKER).or(STATION_ADMIN);

/// Volunteer service tasks. A task's relation to the caller: `OWN`, a task the caller leads (队长)
/// or created; `STATION`, another task of the caller's station; `OTHER`, a task of another
/// station. Published tasks are public to everyone signed in, so refusals on them answer 403;
/// drafts are private (404). Creating names the unit in the body: another station's unit 403.
const TASKS: &[Rule] = &[
    rule("createTask")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("browseTasks").allow(SIGNED_IN, NONE).lists("getTask"),
    rule("listManagedTasks").allow(SIGNED_IN, NONE).lists("getTask"),
    rule("getTask").on(ANY).allow(SIGNED_IN, ANY),
    rule("updateTask")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    // Publishing acts on a draft, whose existence is private.
    rule("publishTask").on(ANY).allow(SOCIAL_WORKER, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("cancelTask")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("getCheckInCode")
        .on(ANY)
        .allow(VOLUNTEER.or(SOCIAL_WORKER), OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    // Checking in and out: anyone confirmed on the task, wherever it is.
    rule("checkIn").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)).idempotent(),
    rule("checkOut").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)).idempotent(),
    // Strict check-in: whoever runs the task's day scans the volunteers' personal codes.
    rule("scanPresenceCode")
        .on(ANY)
        .allow(LEADERS, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere()
        .idempotent(),
    // Attendance a leader who is not staff recorded by hand: the task's organisers confirm it.
    rule("listPendingAttendance")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("decideManualAttendance")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    // Writing to everyone on a task: whoever runs its day.
    rule("messageTaskPeople")
        .on(ANY)
        .allow(LEADERS, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere()
        .idempotent(),
    rule("enterTaskHours")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere()
        .idempotent(),
    // Prerequisites of a task: as for reading and updating the task.
    rule("getTaskPrerequisites").on(ANY).allow(SIGNED_IN, ANY),
    rule("setTaskPrerequisites")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
];

/// Sign-ups. Signing up: anyone signed in, on any published task. A sign-up's relation: `OWN`,
/// the caller's own; `STATION`, someone else's on a task the caller runs or whose station they
/// administer; `OTHER`, someone else's on another station's task. The roster and decisions about
/// sign-ups follow the task's relation, as for `TASKS`.
const SIGNUPS: &[Rule] = &[
    rule("signUp").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)).idempotent(),
    // Taking a freed seat one was offered: anyone holding an offer (404 without one).
    rule("acceptCoverOffer").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)).idempotent(),
    rule("listTaskSignups")
        .on(ANY)
        .allow(LEADERS, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("exportRoster")
        .on(ANY)
        .allow(LEADERS, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("listMySignups").allow(SIGNED_IN, NONE),
    rule("getSignup").on(ANY).allow(SIGNED_IN, OWN).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, ANY),
    rule("cancelSignup").on(ANY).allow(SIGNED_IN, OWN),
    // One's personal check-in code: only for one's own sign-up.
    rule("getPresenceCode").on(ANY).allow(SIGNED_IN, OWN),
    rule("respondToReminder").on(ANY).allow(SIGNED_IN, OWN),
    rule("approveSignup")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("denySignup")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("removeSignup")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("recordAttendance")
        .on(ANY)
        .allow(LEADERS, OWN)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
];

/// Hours. An entry's relation: `OWN`, the caller's own (nobody decides their own: 403);
/// `STATION`, someone else's recorded in the caller's station; `OTHER`, in another station (404).
/// Volunteers never decide hours.
const HOURS: &[Rule] = &[
    rule("getMyHours").allow(SIGNED_IN, NONE),
    rule("claimHours").allow(SIGNED_IN, NONE).idempotent(),
    rule("listHoursForReview").allow(SOCIAL_WORKER.or(ADMINS), NONE),
    rule("decideHours").on(ANY).allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("correctHours").on(ANY).allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("disputeHours").on(ANY).allow(SIGNED_IN, OWN),
    rule("exportHours").allow(ADMINS, NONE),
    rule("getLeaderboard").allow(SIGNED_IN, NONE),
];

/// Service record certificates: one's own, anyone verifies by code, administrators of the
/// issuing unit revoke (the issuer is public on the certificate: another station's 403).
const SERVICE_RECORDS: &[Rule] = &[
    rule("requestServiceRecord").allow(SIGNED_IN, NONE).idempotent(),
    rule("listMyServiceRecords").allow(SIGNED_IN, NONE),
    rule("verifyServiceRecord").public(),
    rule("serviceRecordPage").public(),
    rule("revokeServiceRecord")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere(),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[TASKS, SIGNUPS, HOURS, SERVICE_RECORDS];
