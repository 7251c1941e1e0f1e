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
//! The rows live with their area, in `src/api/<area>/policy.rs` (a `POLICY` list of the area's
//! sections); [`SECTIONS`] assembles the areas. Each operation has exactly one row.
//!
//! # Adding an operation
//! Add a row to the section of its area in its `policy.rs` (or a new section, listed in that
//! file's `POLICY`):
//! ```ignore
//! rule("signUpForTask").allow(SIGNED_IN, NONE).idempotent(),
//! rule("getTask").on(OWN.or(STATION).or(OTHER)).allow(SIGNED_IN, ANY),
//! ```
//! and a request for it in `tests/api/matrix.rs`; both the matrix test and the gate refuse an
//! operation without a row.

/// Who is calling: a bit set over the six principals.
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
/// 区级管理员. A row that allows [`STATION_ADMIN`] something allows it to the district
/// administrator too, on the same relations over its district (see [`Rule::allow`]).
pub const DISTRICT_ADMIN: Who = Who(32);
/// Station, district and city administrators.
pub const ADMINS: Who = Who(8 | 16 | 32);
/// Everyone signed in.
pub const SIGNED_IN: Who = Who(2 | 4 | 8 | 16 | 32);
/// Every principal, signed in or not.
pub const EVERYONE: Who = Who(63);

impl Who {
    /// Every principal, in a fixed order (the matrix test calls each).
    pub const ALL: [Who; 6] = [ANONYMOUS, VOLUNTEER, SOCIAL_WORKER, STATION_ADMIN, CITY_ADMIN, DISTRICT_ADMIN];

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
            Role::DistrictAdmin => DISTRICT_ADMIN,
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
            32 => "district_admin",
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
    pub allow: [Rel; 6],
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
        allow: [NEVER; 6],
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
    /// What a station administrator may do, a district administrator may do over its district:
    /// allowing [`STATION_ADMIN`] allows [`DISTRICT_ADMIN`] the same.
    pub const fn allow(mut self, who: Who, rels: Rel) -> Rule {
        let who = if who.0 & STATION_ADMIN.0 != 0 { who.or(DISTRICT_ADMIN) } else { who };
        let mut i = 0;
        while i < 6 {
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

/// Every area's sections of the table, in the order they are searched. A new area adds its own
/// `policy.rs` with a `POLICY` list of its sections and is listed here.
pub const SECTIONS: &[&[&[Rule]]] = &[
    crate::api::system::policy::POLICY,
    crate::api::people::policy::POLICY,
    crate::api::kernel::policy::POLICY,
    crate::api::messaging::policy::POLICY,
    crate::api::volunteering::policy::POLICY,
    crate::api::talent::policy::POLICY,
    crate::api::mentoring::policy::POLICY,
    crate::api::honours::policy::POLICY,
    crate::api::statistics::policy::POLICY,
    crate::api::organisations::policy::POLICY,
];

/// Every row.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    SECTIONS.iter().flat_map(|area| area.iter()).flat_map(|s| s.iter())
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
        assert!(STATION_ADMIN.or(DISTRICT_ADMIN).or(CITY_ADMIN) == ADMINS && SIGNED_IN.contains(VOLUNTEER));
        assert_eq!(
            r.allowed(DISTRICT_ADMIN),
            r.allowed(STATION_ADMIN),
            "a district admin may what a station admin may"
        );
    }
}
