//! The honours area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rule, SIGNED_IN, SOCIAL_WORKER, STATION, STATION_ADMIN, rule,
};

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
    rule("cancelHonourProgramme").allow(CITY_ADMIN, NONE),
    rule("correctHonourProgrammeRules").allow(CITY_ADMIN, NONE),
    rule("appointHonourPanel").allow(CITY_ADMIN, NONE),
    rule("listHonourPanel").allow(CITY_ADMIN, NONE),
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

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[HONOURS];
