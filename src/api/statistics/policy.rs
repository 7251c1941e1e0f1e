//! The statistics area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{ADMINS, NONE, Rule, rule};

/// Statistics, for administrators over their scope. The unit is named in the query; one outside
/// the caller's scope answers 404, as if it did not exist (the domain decides, like every
/// scoped read).
const STATISTICS: &[Rule] = &[
    rule("getStatsHours").allow(ADMINS, NONE),
    rule("exportStatsHours").allow(ADMINS, NONE),
    rule("exportStatsHoursXlsx").allow(ADMINS, NONE),
    rule("getStatsOverview").allow(ADMINS, NONE),
    rule("exportStatsOverview").allow(ADMINS, NONE),
    rule("exportStatsOverviewXlsx").allow(ADMINS, NONE),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[STATISTICS];
