//! The authorization matrix: every operation of the OpenAPI document, called as every principal
//! (anonymous, volunteer, social worker, station administrator, city administrator) on every
//! relation the operation distinguishes (own, same station, other station), must be allowed or
//! refused exactly as its row in `wushe::api::policy` says. An operation without a row, or
//! without a request below, fails the test.
//!
//! Second check: every id a list returns, read through the row's `lists` operation by the same
//! principal, is allowed.
//!
//! Adding an operation: give it a row in `src/api/policy.rs` and a request in [`request`].

use crate::helpers::{NowUtc, PASSWORD, Session, TestApp, TwoStations, id_number, spawn_app};
use entity::consent::Purpose;
use reqwest::Method;
use serde_json::{Value, json};
use wushe::api::policy::{self, ANONYMOUS, CITY_ADMIN, NONE, OTHER, OWN, Rel, SOCIAL_WORKER, STATION, STATION_ADMIN};
use wushe::api::policy::{VOLUNTEER, Who};
use wushe::domain::{consents, identity};

/// A principal of the matrix: one of the first station's people, the city administrator, or
/// nobody.
struct Caller {
    who: Who,
    session: Option<Session>,
    /// The unit the caller belongs to (`OWN` for org-unit operations).
    unit: String,
}

/// One call to make.
struct Req {
    method: Method,
    path: String,
    body: Option<Value>,
    /// Signs the call in as someone else than the caller (a fresh person of the same role, for
    /// operations that would spoil the caller: password change, erasure).
    token: Option<Option<String>>,
}

fn req(method: Method, path: impl Into<String>, body: Option<Value>) -> Req {
    Req { method, path: path.into(), body, token: None }
}

fn callers(f: &TwoStations) -> Vec<Caller> {
    let east = &f.stations[0];
    vec![
        Caller { who: ANONYMOUS, session: None, unit: east.room.clone() },
        Caller { who: VOLUNTEER, session: Some(east.volunteer.clone()), unit: east.room.clone() },
        Caller { who: SOCIAL_WORKER, session: Some(east.social_worker.clone()), unit: east.room.clone() },
        Caller { who: STATION_ADMIN, session: Some(east.admin.clone()), unit: east.id.clone() },
        Caller { who: CITY_ADMIN, session: Some(f.city_admin.clone()), unit: f.city.clone() },
    ]
}

/// The person of relation `rel` to the caller.
fn person(f: &TwoStations, c: &Caller, rel: Rel) -> String {
    let [east, west] = &f.stations;
    // Nobody signed in has no record of their own: any id stands for it.
    let own = c.session.as_ref().map(|s| s.user_id.clone()).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    match rel {
        OWN => own,
        STATION if own == east.volunteer.user_id => east.social_worker.user_id.clone(),
        STATION => east.volunteer.user_id.clone(),
        _ => west.volunteer.user_id.clone(),
    }
}

/// The org unit of relation `rel` to the caller.
fn unit(f: &TwoStations, c: &Caller, rel: Rel) -> String {
    let [east, west] = &f.stations;
    match rel {
        OWN => c.unit.clone(),
        STATION if c.unit == east.room => east.id.clone(),
        STATION => east.room.clone(),
        _ => west.id.clone(),
    }
}

/// A community room in the station of relation `rel` (where something is created).
fn room(f: &TwoStations, rel: Rel) -> String {
    if rel == OTHER { f.stations[1].room.clone() } else { f.stations[0].room.clone() }
}

/// A fresh signed-in person of the caller's role, in the first station.
async fn fresh(app: &TestApp, f: &TwoStations, c: &Caller) -> Option<Session> {
    let east = &f.stations[0];
    Some(match c.who {
        w if w == ANONYMOUS => return None,
        w if w == VOLUNTEER => app.register_volunteer().await,
        w if w == SOCIAL_WORKER => app.create_user(&f.city_admin, "social_worker", Some(&east.room)).await,
        w if w == STATION_ADMIN => app.create_user(&f.city_admin, "station_admin", Some(&east.id)).await,
        _ => app.city_admin().await,
    })
}

/// The call that exercises `op` as `c` on an object of relation `rel`; `None` when the test does
/// not know the operation (which fails the test).
async fn request(app: &TestApp, f: &TwoStations, c: &Caller, op: &str, rel: Rel) -> Option<Req> {
    use Method as M;
    let r = match op {
        "healthz" => req(M::GET, "/healthz", None),
        "readyz" => req(M::GET, "/readyz", None),
        "register" => req(
            M::POST,
            "/api/v1/auth/register",
            Some(json!({"phone": app.new_phone(), "password": PASSWORD, "name": "矩阵"})),
        ),
        "login" => req(
            M::POST,
            "/api/v1/auth/login",
            Some(json!({"phone": f.stations[0].volunteer.phone, "password": PASSWORD})),
        ),
        "refresh" => {
            let s = app.login(&f.stations[0].volunteer.phone, PASSWORD).await;
            req(M::POST, "/api/v1/auth/refresh", Some(json!({"refreshToken": s.refresh})))
        }
        "logout" => req(M::POST, "/api/v1/auth/logout", Some(json!({"refreshToken": "rt_unknown"}))),
        "getMe" => req(M::GET, "/api/v1/me", None),
        "updateMe" => req(M::PATCH, "/api/v1/me", Some(json!({}))),
        "changePassword" => {
            let mut r = req(
                M::POST,
                "/api/v1/me/password",
                Some(json!({"currentPassword": PASSWORD, "newPassword": "another password"})),
            );
            r.token = Some(fresh(app, f, c).await.map(|s| s.access));
            r
        }
        "createUser" => req(
            M::POST,
            "/api/v1/users",
            Some(json!({"phone": app.new_phone(), "name": "矩阵", "password": PASSWORD, "role": "volunteer",
                        "orgUnitId": room(f, rel)})),
        ),
        "listUsers" => req(M::GET, "/api/v1/users", None),
        "getUser" => req(M::GET, format!("/api/v1/users/{}", person(f, c, rel)), None),
        "updateUser" => req(M::PATCH, format!("/api/v1/users/{}", person(f, c, rel)), Some(json!({}))),
        "createOrgUnit" => req(
            M::POST,
            "/api/v1/org-units",
            Some(json!({"kind": "community", "name": "矩阵社区", "parentId": f.stations[0].id})),
        ),
        "listOrgUnits" => req(M::GET, "/api/v1/org-units", None),
        "getOrgUnit" => req(M::GET, format!("/api/v1/org-units/{}", unit(f, c, rel)), None),
        "getOrgUnitAncestors" => req(M::GET, format!("/api/v1/org-units/{}/ancestors", unit(f, c, rel)), None),
        "updateOrgUnit" => req(M::PATCH, format!("/api/v1/org-units/{}", unit(f, c, rel)), Some(json!({}))),
        "listAuditLog" => req(M::GET, "/api/v1/audit-log", None),
        "getMySensitive" => req(M::GET, "/api/v1/me/sensitive", None),
        "setMyIdentity" => req(
            M::PUT,
            "/api/v1/me/identity",
            Some(json!({"idNumber": id_number(), "realName": "矩阵", "consentVersion": "v1"})),
        ),
        "setMyHealthNotes" => {
            req(M::PUT, "/api/v1/me/health-notes", Some(json!({"notes": "无", "consentVersion": "v1"})))
        }
        "setMyGuardian" => req(
            M::PUT,
            "/api/v1/me/guardian",
            Some(json!({"name": "家长", "phone": app.new_phone(), "relationship": "parent", "consentVersion": "v1"})),
        ),
        "listMyConsents" => req(M::GET, "/api/v1/me/consents", None),
        "giveConsent" => req(M::POST, "/api/v1/me/consents", Some(json!({"purpose": "location", "version": "v1"}))),
        "withdrawConsent" => {
            let id = match person(f, c, rel).parse() {
                Ok(owner) if c.session.is_some() => {
                    let now = app.clock.now_utc();
                    consents::give(app.db(), owner, Purpose::Location, "v1", now).await.unwrap().id
                }
                _ => uuid::Uuid::now_v7(),
            };
            req(M::POST, format!("/api/v1/me/consents/{id}/withdraw"), None)
        }
        "exportMe" => req(M::GET, "/api/v1/me/export", None),
        "eraseMe" => {
            let mut r = req(M::POST, "/api/v1/me/erase", Some(json!({"password": PASSWORD})));
            r.token = Some(fresh(app, f, c).await.map(|s| s.access));
            r
        }
        "eraseUser" => {
            let target = if rel == OWN {
                person(f, c, rel)
            } else {
                app.create_user(&f.city_admin, "volunteer", Some(&room(f, rel))).await.user_id
            };
            req(M::POST, format!("/api/v1/users/{target}/erase"), Some(json!({"reason": "矩阵"})))
        }
        "getUserSensitive" => req(M::GET, format!("/api/v1/users/{}/sensitive", person(f, c, rel)), None),
        "lookupIdentity" => {
            let number = id_number();
            let owner = f.stations[0].social_worker.user_id.parse().unwrap();
            let now = app.clock.now_utc();
            identity::set_identity(app.db(), &app.state.data_key, owner, now, &number, "矩阵", "v1").await.unwrap();
            req(M::POST, "/api/v1/users/identity-lookup", Some(json!({"idNumber": number})))
        }
        _ => return None,
    };
    Some(r)
}

/// Every operation of the document, with its path template, sorted by id.
fn operations() -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(&wushe::api::openapi_json()).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            ops.push((op["operationId"].as_str().unwrap().to_string(), path.clone()));
        }
    }
    ops.sort();
    ops
}

#[tokio::test]
async fn every_operation_has_a_row() {
    let missing: Vec<String> =
        operations().into_iter().map(|(op, _)| op).filter(|op| policy::rule_for(op).is_none()).collect();
    assert!(missing.is_empty(), "operations without a policy row in src/api/policy.rs: {missing:?}");
}

#[tokio::test]
async fn every_principal_on_every_relation_is_allowed_or_refused_as_the_table_says() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let callers = callers(&f);
    let mut failures = Vec::new();
    let mut calls = 0;
    for (op, _) in operations() {
        let rule = policy::rule_for(&op).unwrap_or_else(|| panic!("{op} has no policy row"));
        for c in &callers {
            for rel in Rel::ALL.into_iter().filter(|r| rule.relations.contains(*r)) {
                let r = request(&app, &f, c, &op, rel)
                    .await
                    .unwrap_or_else(|| panic!("{op}: add a request for it to tests/api/matrix.rs"));
                let token = r.token.unwrap_or_else(|| c.session.as_ref().map(|s| s.access.clone()));
                let resp = app.call(r.method, &r.path, token.as_deref(), r.body.as_ref()).await;
                calls += 1;
                let status = resp.status.as_u16();
                let allowed = rule.allowed(c.who).contains(rel);
                let ok = if allowed { (200..300).contains(&status) } else { status == rule.denial_status(c.who, rel) };
                if !ok {
                    failures.push(format!(
                        "{op} as {} on {}: expected {}, got {status} {}",
                        c.who.name(),
                        rel.name(),
                        if allowed { "2xx".to_string() } else { rule.denial_status(c.who, rel).to_string() },
                        resp.body
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} calls disagree with the policy table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_listed_item_is_readable_by_whoever_listed_it() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let paths: std::collections::HashMap<String, String> = operations().into_iter().collect();
    let mut checked = 0;
    for rule in policy::rules().filter(|r| r.lists.is_some()) {
        let getter = rule.lists.unwrap();
        let get_path = &paths[getter];
        for c in callers(&f).iter().filter(|c| rule.allowed(c.who).contains(NONE)) {
            let token = c.session.as_ref().map(|s| s.access.as_str());
            let list = app.get(&format!("{}?limit=100", paths[rule.op]), token).await.expect(200);
            for item in list.body["items"].as_array().unwrap() {
                let id = item["id"].as_str().unwrap();
                let path = get_path.replace("{id}", id);
                let r = app.get(&path, token).await;
                assert_eq!(
                    r.status,
                    200,
                    "{} listed {id} to a {}, but {getter} answers {}",
                    rule.op,
                    c.who.name(),
                    r.body
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} listed items checked");
}
