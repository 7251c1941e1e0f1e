//! The mentoring area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, ANY, CITY_ADMIN, NONE, OTHER, OWN, Rule, SIGNED_IN, SOCIAL_WORKER, STATION, STATION_ADMIN, VOLUNTEER, Who,
    rule,
};

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

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[MENTORING];
