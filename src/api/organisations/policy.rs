//! The organisations area's rows of the policy table (`crate::api::policy`): who may call each of
//! its operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{
    ADMINS, CITY_ADMIN, NONE, OTHER, Rule, SIGNED_IN, SOCIAL_WORKER, STATION, STATION_ADMIN, rule,
};

/// The registry of social organisations. Reading it is public to everyone signed in (the
/// authorities publish it). An organisation's relation is that of its service area: station
/// administrators keep their station's, city administrators all. Registering names the service
/// unit in the body, whose existence is public: another station's unit answers 403.
const SOCIAL_ORGANISATIONS: &[Rule] = &[
    rule("registerSocialOrganisation")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listSocialOrganisations").allow(SIGNED_IN, NONE).lists("getSocialOrganisation"),
    rule("getSocialOrganisation").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("updateSocialOrganisation")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER)),
];

/// Community charity funds. A fund's relation is that of its unit: administrators keep the funds
/// of their scope (another station's answers 404). The list of funds and their totals is for
/// everyone signed in, the disclosure for anyone. Setting one up names the unit in the body:
/// another station's answers 403. Deciding a grant also needs someone other than its proposer
/// (the domain's rule, not a role's).
const CHARITY_FUNDS: &[Rule] = &[
    rule("createCharityFund")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listCharityFunds").allow(SIGNED_IN, NONE),
    rule("getFundDisclosure").public(),
    rule("recordFundDonation")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listFundLedger").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("proposeFundGrant")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
    rule("listFundGrants").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("decideFundGrant").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("getFundCommittee").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("setFundCommittee").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("recordGrantDisbursement")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
];

/// Service projects. A project's relation is that of its unit: administrators keep their
/// scope's (another station's answers 404); everyone signed in reads them. Starting one names
/// the unit in the body: another station's answers 403.
const PROJECTS: &[Rule] = &[
    rule("createProject")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listProjects").allow(SIGNED_IN, NONE).lists("getProject"),
    rule("getProject").on(STATION.or(OTHER)).allow(SIGNED_IN, STATION.or(OTHER)),
    rule("updateProject").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("addProjectFunding")
        .on(STATION.or(OTHER))
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .idempotent(),
];

/// Needs and resources. Social workers (over their station) and administrators (over their
/// scope) record needs and offer resources at units they serve, naming the unit in the body
/// (another station's answers 403), list the needs they serve and ask for suggestions for them
/// (another station's need answers 404). Administrators answer a need with a project. Resources
/// are listed to everyone signed in.
const NEEDS: &[Rule] = &[
    rule("recordNeed")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER, STATION)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listNeeds").allow(SOCIAL_WORKER.or(ADMINS), NONE),
    rule("suggestResources")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER, STATION)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("answerNeed").on(STATION.or(OTHER)).allow(STATION_ADMIN, STATION).allow(CITY_ADMIN, STATION.or(OTHER)),
    rule("offerResource")
        .on(STATION.or(OTHER))
        .allow(SOCIAL_WORKER, STATION)
        .allow(STATION_ADMIN, STATION)
        .allow(CITY_ADMIN, STATION.or(OTHER))
        .forbidden_elsewhere()
        .idempotent(),
    rule("listResources").allow(SIGNED_IN, NONE),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[SOCIAL_ORGANISATIONS, CHARITY_FUNDS, PROJECTS, NEEDS];
