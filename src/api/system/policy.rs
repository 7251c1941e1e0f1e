//! The system area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{CITY_ADMIN, NONE, Rule, rule};

/// Liveness, readiness and metrics.
const SYSTEM: &[Rule] = &[
    rule("healthz").public(),
    rule("readyz").public(),
    // Aggregate counters of jobs and pushes, for scrapers; nothing personal.
    rule("metrics").public(),
];

/// Dead letters: city administrators.
const JOBS: &[Rule] = &[
    rule("listDeadJobs").allow(CITY_ADMIN, NONE),
    rule("retryDeadJob").allow(CITY_ADMIN, NONE),
    rule("discardDeadJob").allow(CITY_ADMIN, NONE),
];

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[SYSTEM, JOBS];
