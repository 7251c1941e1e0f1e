//! The kernel area's rows of the policy table (`crate::api::policy`): who may call each of its
//! operations, on which objects, with which idempotency key and rate limit.

use crate::api::policy::{ANY, CITY_ADMIN, NONE, Rule, SIGNED_IN, rule};

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

/// The area's sections, in the order they are searched.
pub const POLICY: &[&[Rule]] = &[ORG_UNITS, AUDIT];
