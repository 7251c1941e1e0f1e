//! The authorization policy: ONE table that says, for every operation of the OpenAPI document
//! (by `operationId`), who may call it, on which objects, whether it takes an
//! `Idempotency-Key`, and which rate limit it counts against.
//!
//! The gate (`crate::api::gate`) enforces the role part of every row before a handler runs (a role the
//! row never allows gets 403, an anonymous caller of a signed-in operation 401) and applies the
//! idempotency and rate-limit columns. The object part (own / same station / other station) is
//! decided by the domain, which alone can load the object; `tests/api/matrix.rs` calls every
//! operation as every principal on every relation and checks the answers against this table.
//!
//! # Denials: 403 or 404
//! - A role that may never call an operation: **403** `forbidden` (anonymous: 401).
//! - A role that may call it, on an object of a relation the row does not allow:
//!   - the caller's own object (`OWN`): **403** (they know it exists);
//!   - anything else: **404** `not_found` (existence is private), unless the row says
//!     [`Rule::forbidden_elsewhere`]: used where the object is named in the body and its
//!     existence is public anyway (org units), e.g. creating a person in another station's room.
//!
//! # Adding an operation
//! Add a row to the section of its area (or a new section, listed in [`SECTIONS`]):
//! ```ignore
//! rule("signUpForTask").allow(SIGNED_IN, NONE).idempotent(),
//! rule("getTask").on(OWN.or(STATION).or(OTHER)).allow(SIGNED_IN, ANY),
//! ```
//! and a request for it in `tests/api/matrix.rs`; both the matrix test and the gate refuse an
//! operation without a row.

/// Who is calling: a bit set over the five principals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who(u8);

/// Nobody signed in.
pub const ANONYMOUS: Who = Who(1);
/// 志愿者.
pub const VOLUNTEER: Who = Who(2);
/// 社会工作者.
pub const SOCIAL_WORKER: Who = Who(4);
/// 社工站管理员.
pub const STATION_ADMIN: Who = Who(8);
/// 市级管理员.
pub const CITY_ADMIN: Who = Who(16);
/// Station and city administrators.
pub const ADMINS: Who = Who(8 | 16);
/// Everyone signed in.
pub const SIGNED_IN: Who = Who(2 | 4 | 8 | 16);
/// Every principal, signed in or not.
pub const EVERYONE: Who = Who(31);

impl Who {
    /// Every principal, in a fixed order (the matrix test calls each).
    pub const ALL: [Who; 5] = [ANONYMOUS, VOLUNTEER, SOCIAL_WORKER, STATION_ADMIN, CITY_ADMIN];

    /// The union of two sets.
    pub const fn or(self, other: Who) -> Who {
        Who(self.0 | other.0)
    }
    /// Whether every principal of `other` is in this set.
    pub const fn contains(self, other: Who) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    const fn index(self) -> usize {
        self.0.trailing_zeros() as usize
    }
    /// The principal a signed-in person of `role` is.
    pub fn of_role(role: entity::user::Role) -> Who {
        use entity::user::Role;
        match role {
            Role::Volunteer => VOLUNTEER,
            Role::SocialWorker => SOCIAL_WORKER,
            Role::StationAdmin => STATION_ADMIN,
            Role::CityAdmin => CITY_ADMIN,
        }
    }
    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "anonymous",
            2 => "volunteer",
            4 => "social_worker",
            8 => "station_admin",
            16 => "city_admin",
            _ => "several",
        }
    }
}

/// How the object of a call relates to the caller: a bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rel(u8);

/// Nothing is named (lists, one's own account, creating at the top); nothing to relate to.
pub const NONE: Rel = Rel(1);
/// The caller's own object (themselves, their own unit, their own record).
pub const OWN: Rel = Rel(2);
/// Someone or something else within the caller's station subtree (for a city administrator:
/// within the first station of the fixture).
pub const STATION: Rel = Rel(4);
/// Someone or something in another station.
pub const OTHER: Rel = Rel(8);
/// Own, same station or other station.
pub const ANY: Rel = Rel(2 | 4 | 8);
/// No relation at all: the principal may never call the operation.
pub const NEVER: Rel = Rel(0);

impl Rel {
    /// Every relation, in a fixed order.
    pub const ALL: [Rel; 4] = [NONE, OWN, STATION, OTHER];

    /// The union of two sets.
    pub const fn or(self, other: Rel) -> Rel {
        Rel(self.0 | other.0)
    }
    /// Whether `other` is in this set.
    pub const fn contains(self, other: Rel) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }
    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "none",
            2 => "own",
            4 => "same_station",
            8 => "other_station",
            _ => "several",
        }
    }
}

/// Which rate limit an operation counts against (see `crate::api::ratelimit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rate {
    /// The default: reads are not limited, writes count as [`Rate::Write`] (or [`Rate::Auth`]
    /// when nobody is signed in).
    ByMethod,
    /// Not limited.
    Unlimited,
    /// Sign-in and registration: per client IP (per phone, failed sign-ins also lock; see
    /// `domain::sessions`).
    Auth,
    /// Writes by a signed-in person: per person and per client IP.
    Write,
    /// Expensive or abusable operations (SMS-like sends, erasure, identity look-ups): a low limit
    /// per person and per IP.
    Strict,
}

/// One row of the policy table.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The OpenAPI `operationId`.
    pub op: &'static str,
    /// The relations the operation distinguishes (`NONE` when it names no object).
    pub relations: Rel,
    /// For each principal (in [`Who::ALL`] order), the relations they may call it on.
    pub allow: [Rel; 5],
    /// Whether a repeated `Idempotency-Key` replays the first answer.
    pub idempotent: bool,
    /// The rate limit it counts against.
    pub rate: Rate,
    /// Whether an object outside the allowed relations answers 403 instead of 404.
    pub forbidden_elsewhere: bool,
    /// For list operations: the operation that reads one listed item (the list-consistency check
    /// reads every listed id through it).
    pub lists: Option<&'static str>,
}

/// A row for `op`: nobody allowed yet, no object, not idempotent, rate by method.
pub const fn rule(op: &'static str) -> Rule {
    Rule {
        op,
        relations: NONE,
        allow: [NEVER; 5],
        idempotent: false,
        rate: Rate::ByMethod,
        forbidden_elsewhere: false,
        lists: None,
    }
}

impl Rule {
    /// The operation names an object; `rels` are the relations it can have.
    pub const fn on(mut self, rels: Rel) -> Rule {
        self.relations = rels;
        self
    }
    /// Lets `who` call it on objects of relations `rels` (`NONE` for operations without one).
    pub const fn allow(mut self, who: Who, rels: Rel) -> Rule {
        let mut i = 0;
        while i < 5 {
            if who.0 & (1 << i) != 0 {
                self.allow[i] = self.allow[i].or(rels);
            }
            i += 1;
        }
        self
    }
    /// Anyone may call it, signed in or not; a bearer token is not even looked at.
    pub const fn public(self) -> Rule {
        self.allow(EVERYONE, NONE)
    }
    /// A repeated `Idempotency-Key` replays the first answer (POSTs that create from a phone).
    pub const fn idempotent(mut self) -> Rule {
        self.idempotent = true;
        self
    }
    /// Counts against a rate limit.
    pub const fn rate(mut self, rate: Rate) -> Rule {
        self.rate = rate;
        self
    }
    /// Objects of a relation not allowed answer 403 rather than 404 (see the module docs).
    pub const fn forbidden_elsewhere(mut self) -> Rule {
        self.forbidden_elsewhere = true;
        self
    }
    /// A list whose items are read one by one with `getter`.
    pub const fn lists(mut self, getter: &'static str) -> Rule {
        self.lists = Some(getter);
        self
    }

    /// The relations `who` may call it on (empty: never).
    pub fn allowed(&self, who: Who) -> Rel {
        self.allow[who.index()]
    }
    /// Whether anonymous callers may call it.
    pub fn is_public(&self) -> bool {
        !self.allowed(ANONYMOUS).is_empty()
    }
    /// The status a refusal of `who` on an object of `rel` must have.
    pub fn denial_status(&self, who: Who, rel: Rel) -> u16 {
        if self.allowed(who).is_empty() {
            return if who == ANONYMOUS { 401 } else { 403 };
        }
        if rel == OWN || rel == NONE || self.forbidden_elsewhere { 403 } else { 404 }
    }
}

/// Liveness, readiness, registration and sign-in.
const SYSTEM_AND_AUTH: &[Rule] = &[
    rule("healthz").public(),
    rule("readyz").public(),
    // Aggregate counters of jobs and pushes, for scrapers; nothing personal.
    rule("metrics").public(),
    rule("register").public().idempotent().rate(Rate::Auth),
    rule("login").public().rate(Rate::Auth),
    rule("refresh").public().rate(Rate::Auth),
    rule("logout").public().rate(Rate::Auth),
];

/// The signed-in person's own account.
const ME: &[Rule] = &[
    rule("getMe").allow(SIGNED_IN, NONE),
    rule("updateMe").allow(SIGNED_IN, NONE),
    rule("changePassword").allow(SIGNED_IN, NONE).rate(Rate::Strict),
];

/// People, for administrators. A person's own record is `OWN`; people of the same station
/// `STATION`; of another station `OTHER`. Creating names the unit in the body, whose existence
/// is public: another station's unit answers 403.
const PEOPLE: &[Rule] = &[
    rule("createUser")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listUsers").allow(ADMINS, NONE).lists("getUser"),
    rule("getUser").on(ANY).allow(SIGNED_IN, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("updateUser").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// The org tree: anyone signed in reads it, city administrators change it. `OWN` is the unit the
/// caller belongs to.
const ORG_UNITS: &[Rule] = &[
    rule("createOrgUnit").allow(CITY_ADMIN, NONE),
    rule("listOrgUnits").allow(SIGNED_IN, NONE).lists("getOrgUnit"),
    rule("getOrgUnit").on(ANY).allow(SIGNED_IN, ANY),
    rule("getOrgUnitAncestors").on(ANY).allow(SIGNED_IN, ANY),
    rule("updateOrgUnit").on(ANY).allow(CITY_ADMIN, ANY),
];

/// The audit log.
const AUDIT: &[Rule] = &[rule("listAuditLog").allow(CITY_ADMIN, NONE)];

/// Personal information (PIPL). One's own data: everyone signed in. Consents are the caller's
/// own (`OWN`) or another person's of the same or another station (404). Whole sensitive data and
/// identity look-ups: city administrators only. Erasing someone else follows `updateUser`.
const PRIVACY: &[Rule] = &[
    rule("getMySensitive").allow(SIGNED_IN, NONE),
    rule("setMyIdentity").allow(SIGNED_IN, NONE),
    rule("setMyHealthNotes").allow(SIGNED_IN, NONE),
    rule("setMyGuardian").allow(SIGNED_IN, NONE),
    rule("listMyConsents").allow(SIGNED_IN, NONE),
    rule("giveConsent").allow(SIGNED_IN, NONE).idempotent(),
    rule("withdrawConsent").on(ANY).allow(SIGNED_IN, OWN),
    rule("exportMe").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("eraseMe").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("eraseUser").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)).rate(Rate::Strict),
    rule("getUserSensitive").on(ANY).allow(CITY_ADMIN, ANY),
    rule("lookupIdentity").allow(CITY_ADMIN, NONE).rate(Rate::Strict),
];

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

/// Devices, the inbox and preferences are the caller's own (someone else's device or
/// notification: 404). Announcements: administrators to their subtree (an announcement or target
/// unit outside it: 404). Dead letters: city administrators.
const MESSAGING: &[Rule] = &[
    rule("registerDevice").allow(SIGNED_IN, NONE).idempotent(),
    rule("listDevices").allow(SIGNED_IN, NONE),
    rule("deleteDevice").on(ANY).allow(SIGNED_IN, OWN),
    rule("listNotifications").allow(SIGNED_IN, NONE),
    rule("unreadNotificationCount").allow(SIGNED_IN, NONE),
    rule("markNotificationRead").on(ANY).allow(SIGNED_IN, OWN),
    rule("markAllNotificationsRead").allow(SIGNED_IN, NONE),
    rule("getNotificationPreferences").allow(SIGNED_IN, NONE),
    rule("updateNotificationPreferences").allow(SIGNED_IN, NONE),
    rule("createAnnouncement")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listAnnouncements").allow(ADMINS, NONE).lists("getAnnouncement"),
    rule("getAnnouncement").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("listDeadJobs").allow(CITY_ADMIN, NONE),
    rule("retryDeadJob").allow(CITY_ADMIN, NONE),
    rule("discardDeadJob").allow(CITY_ADMIN, NONE),
];

/// Honours. Programmes, panels, rankings, decisions, objections' resolution and revocation:
/// city administrators (objects named in the path are programmes or honours, not people: no
/// relation). Nominating names a person in the body: someone in the caller's station
/// (`STATION`) or another (`OTHER`, 404 for a station administrator). A nomination's relation:
/// `OWN`, the caller is the nominee; `STATION`, the nominee is in the caller's station; `OTHER`,
/// in another. Reviewers (administrators or senior social workers on the panel) list and score;
/// the domain refuses others (403 `not_a_reviewer`) and conflicts (403
/// `conflict_of_interest`). The notices and the wall are public.
const HONOURS: &[Rule] = &[
    rule("createHonourProgramme").allow(CITY_ADMIN, NONE).idempotent(),
    rule("listHonourProgrammes").allow(SIGNED_IN, NONE).lists("getHonourProgramme"),
    rule("getHonourProgramme").allow(SIGNED_IN, NONE),
    rule("updateHonourProgramme").allow(CITY_ADMIN, NONE),
    rule("advanceHonourProgramme").allow(CITY_ADMIN, NONE),
    rule("appointHonourPanel").allow(CITY_ADMIN, NONE),
    rule("checkHonourEligibility").allow(ADMINS, NONE),
    rule("nominateForHonour")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listHonourNominations").allow(ADMINS, NONE),
    rule("getHonourNomination")
        .on(ANY)
        .allow(SIGNED_IN, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY),
    rule("declineHonourNomination").on(ANY).allow(SIGNED_IN, OWN),
    rule("listHonourReviewQueue").allow(SOCIAL_WORKER.or(ADMINS), NONE),
    rule("scoreHonourNomination").allow(SOCIAL_WORKER.or(ADMINS), NONE).idempotent(),
    rule("recuseFromHonourNomination").allow(SOCIAL_WORKER.or(ADMINS), NONE),
    rule("getHonourRanking").allow(CITY_ADMIN, NONE),
    rule("decideHonours").allow(CITY_ADMIN, NONE),
    rule("listHonourNotices").public(),
    rule("objectToHonour").allow(SIGNED_IN, NONE).idempotent(),
    rule("listHonourObjections").allow(CITY_ADMIN, NONE),
    rule("resolveHonourObjection").allow(CITY_ADMIN, NONE),
    rule("revokeHonour").allow(CITY_ADMIN, NONE),
    rule("honourWall").public(),
    rule("listMyHonours").allow(SIGNED_IN, NONE),
];

/// The two sides of a mentoring pair.
const PAIR: Who = VOLUNTEER.or(SOCIAL_WORKER);

/// Mentoring. A pairing's relation: `OWN`, one the caller is the mentor or mentee of (for an
/// administrator: one in their own station); `STATION`, another pairing with someone of the
/// caller's station; `OTHER`, a pairing in another station (404: logs and messages are private
/// to the pair and administrators in scope). Proposing names people in the body: a social worker
/// proposes themselves with a volunteer of their station, a station administrator people of
/// their station, a city administrator anyone (people out of reach: 404).
const MENTORING: &[Rule] = &[
    rule("proposePairing")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER.or(STATION_ADMIN), STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listPairings").allow(SIGNED_IN, NONE).lists("getPairing"),
    rule("getPairing").on(ANY).allow(PAIR, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("acceptPairing").on(ANY).allow(PAIR, OWN),
    rule("declinePairing").on(ANY).allow(PAIR, OWN),
    rule("endPairing").on(ANY).allow(PAIR, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("setPairingGoals").on(ANY).allow(SOCIAL_WORKER, OWN),
    rule("logMentoringSession").on(ANY).allow(SOCIAL_WORKER, OWN).idempotent(),
    rule("listMentoringSessions").on(ANY).allow(PAIR, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("getMentoringSession").on(ANY).allow(PAIR, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("acknowledgeMentoringSession").on(ANY).allow(VOLUNTEER, OWN),
    rule("disputeMentoringSession").on(ANY).allow(VOLUNTEER, OWN),
    rule("getMyMentoring").allow(SIGNED_IN, NONE),
    rule("getMentoringRecord")
        .on(ANY)
        .allow(SIGNED_IN, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY),
    rule("getMentoringOversight").allow(ADMINS, NONE),
    rule("sendPairMessage").on(ANY).allow(PAIR, OWN).idempotent(),
    rule("listPairMessages").on(ANY).allow(PAIR, OWN).allow(STATION_ADMIN, OWN.or(STATION)).allow(CITY_ADMIN, ANY),
    rule("markPairMessagesRead").on(ANY).allow(PAIR, OWN),
    // Names a volunteer in the query: one of another station is out of reach (404).
    rule("suggestMentors").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
];

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
    // Prerequisites: of a task, as for reading and updating the task (`TASKS`); of a course,
    // reading is open and setting follows `createTrainingSession`.
    rule("getTaskPrerequisites").on(ANY).allow(SIGNED_IN, ANY),
    rule("setTaskPrerequisites")
        .on(ANY)
        .allow(SOCIAL_WORKER, OWN)
        .allow(STATION_ADMIN, OWN.or(STATION))
        .allow(CITY_ADMIN, ANY)
        .forbidden_elsewhere(),
    rule("getCoursePrerequisites").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("searchTalent").allow(ADMINS, NONE),
    rule("allowCourseOrganiser").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("exportTalent").allow(ADMINS, NONE),
    rule("setCoursePrerequisites")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// Every section of the table. A new area adds its own `const` above and lists it here.
pub const SECTIONS: &[&[Rule]] = &[
    SYSTEM_AND_AUTH,
    ME,
    PEOPLE,
    ORG_UNITS,
    AUDIT,
    PRIVACY,
    MESSAGING,
    TASKS,
    SIGNUPS,
    HOURS,
    SERVICE_RECORDS,
    HONOURS,
    MENTORING,
    CREDENTIALS,
    TRAINING,
];

/// Every row.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    SECTIONS.iter().flat_map(|s| s.iter())
}

/// The row of an operation, if it has one.
pub fn rule_for(op: &str) -> Option<&'static Rule> {
    rules().find(|r| r.op == op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// (operationId, takes a bearer token, method) of every documented operation.
    fn document_ops() -> Vec<(String, bool, String)> {
        let doc: serde_json::Value = serde_json::from_str(&crate::api::openapi_json()).unwrap();
        let mut ops = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for (method, op) in item.as_object().unwrap() {
                let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
                ops.push((op["operationId"].as_str().unwrap().to_string(), secured, method.clone()));
            }
        }
        ops
    }

    #[test]
    fn only_posts_take_an_idempotency_key() {
        for (op, _, method) in document_ops() {
            if rule_for(&op).is_some_and(|r| r.idempotent) {
                assert_eq!(method, "post", "{op}: Idempotency-Key is for creating POSTs");
            }
        }
    }

    #[test]
    fn every_row_names_a_documented_operation_once() {
        let documented: HashSet<String> = document_ops().into_iter().map(|(o, _, _)| o).collect();
        let mut seen = HashSet::new();
        for r in rules() {
            assert!(seen.insert(r.op), "{} has two rows", r.op);
            assert!(documented.contains(r.op), "{} has a row but is not in the OpenAPI document", r.op);
            if let Some(getter) = r.lists {
                assert!(rule_for(getter).is_some(), "{}: lists through {getter}, which has no row", r.op);
            }
            for who in Who::ALL {
                let a = r.allowed(who);
                assert!(a.0 & !r.relations.0 == 0, "{}: {} allowed on relations it does not have", r.op, who.name());
            }
        }
    }

    #[test]
    fn public_rows_are_exactly_the_unsecured_operations() {
        for (op, secured, _) in document_ops() {
            let Some(r) = rule_for(&op) else { continue };
            assert_eq!(r.is_public(), !secured, "{op}: public in the table iff it takes no bearer token");
        }
    }

    #[test]
    fn denials() {
        let r = rule_for("getUser").unwrap();
        assert_eq!(r.denial_status(ANONYMOUS, OWN), 401);
        assert_eq!(r.denial_status(VOLUNTEER, OTHER), 404);
        assert_eq!(rule_for("listUsers").unwrap().denial_status(VOLUNTEER, NONE), 403);
        assert_eq!(rule_for("createUser").unwrap().denial_status(STATION_ADMIN, OTHER), 403);
        assert!(STATION_ADMIN.or(CITY_ADMIN) == ADMINS && SIGNED_IN.contains(VOLUNTEER));
    }
}
