//! The people area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rate, Rule, SIGNED_IN, STATION, STATION_ADMIN, rule,
};

/// Registration and sign-in.
const AUTH: &[Rule] = &[
    rule("requestCode").public().rate(Rate::Auth),
    rule("register").public().idempotent().rate(Rate::Auth),
    rule("loginWithCode").public().rate(Rate::Auth),
    rule("resetPassword").public().rate(Rate::Auth),
    rule("login").public().rate(Rate::Auth),
    rule("refresh").public().rate(Rate::Auth),
    rule("logout").public().rate(Rate::Auth),
];

/// The signed-in person's own account.
const ME: &[Rule] = &[
    rule("getMe").allow(SIGNED_IN, NONE),
    rule("updateMe").allow(SIGNED_IN, NONE),
    rule("changePassword").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("requestPhoneChangeCode").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("changePhone").allow(SIGNED_IN, NONE).rate(Rate::Strict),
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
    // Who may organise courses: as for updating the person.
    // Sending a reset code: as for updating the person; never oneself (use the public reset).
    rule("sendPasswordResetCode")
        .on(ANY)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .rate(Rate::Strict),
    rule("allowCourseOrganiser").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// Personal information (PIPL). One's own data: everyone signed in. Consents are the caller's
/// own (`OWN`) or another person's of the same or another station (404). Whole sensitive data and
/// identity look-ups: city administrators only. Erasing someone else follows `updateUser`.
const PRIVACY: &[Rule] = &[
    rule("getMySensitive").allow(SIGNED_IN, NONE),
    rule("setMyIdentity").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("setMyHealthNotes").allow(SIGNED_IN, NONE),
    rule("setMyGuardian").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("confirmGuardian").allow(SIGNED_IN, NONE),
    rule("withdrawAsGuardian").public().rate(Rate::Auth),
    rule("listMyConsents").allow(SIGNED_IN, NONE),
    rule("giveConsent").allow(SIGNED_IN, NONE).idempotent(),
    rule("withdrawConsent").on(ANY).allow(SIGNED_IN, OWN),
    rule("exportMe").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("eraseMe").allow(SIGNED_IN, NONE).rate(Rate::Strict),
    rule("eraseUser").on(ANY).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)).rate(Rate::Strict),
    rule("getUserSensitive").on(ANY).allow(CITY_ADMIN, ANY),
    rule("lookupIdentity").allow(CITY_ADMIN, NONE).rate(Rate::Strict),
    rule("listIdentityDisputes").allow(CITY_ADMIN, NONE),
    rule("decideIdentityDispute").allow(CITY_ADMIN, NONE),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[AUTH, ME, PEOPLE, PRIVACY];
