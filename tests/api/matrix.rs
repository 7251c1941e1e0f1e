//! The authorization matrix: every operation of the OpenAPI document, called as every principal
//! (anonymous, volunteer, social worker, station administrator, district administrator, city
//! administrator) on every relation the operation distinguishes (own, same station, other
//! station; for the district administrator, whose district holds the first station and not the
//! second: own, in its district, outside it), must be allowed or
//! refused exactly as its row in `wushe::api::policy` says. An operation without a row, or
//! without a request below, fails the test.
//!
//! Second check: every id a list returns, read through the row's `lists` operation by the same
//! principal, is allowed.
//!
//! Adding an operation: give it a row in `src/api/policy.rs` and a request in [`request`].

use crate::helpers::{NowUtc, PASSWORD, Session, TestApp, TwoStations, credit_code, id_number, spawn_app};
use entity::consent::Purpose;
use reqwest::Method;
use serde_json::{Value, json};
use service::*;
use wushe::api::policy::{self, ANONYMOUS, CITY_ADMIN, NONE, OTHER, OWN, Rel, SOCIAL_WORKER, STATION, STATION_ADMIN};
use wushe::api::policy::{DISTRICT_ADMIN, VOLUNTEER, Who};
use wushe::domain::{people::consents, people::identity};

/// A principal of the matrix: one of the first station's people, the administrator of the
/// district that holds it, the city administrator, or nobody.
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
        Caller { who: DISTRICT_ADMIN, session: Some(f.district_admin.clone()), unit: f.district.clone() },
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

/// A social organisation serving the room of relation `rel` (registered by the city
/// administrator); its id.
async fn organisation(app: &TestApp, f: &TwoStations, rel: Rel) -> String {
    let body = json!({"creditCode": credit_code(), "name": "矩阵社会组织", "kind": "social_group",
                      "registrationAuthority": "苏州市民政局", "serviceUnitId": room(f, rel)});
    app.post("/api/v1/social-organisations", Some(&f.city_admin.access), body).await.expect(201).str("id")
}

/// A fresh signed-in person of the caller's role, in the first station.
async fn fresh(app: &TestApp, f: &TwoStations, c: &Caller) -> Option<Session> {
    let east = &f.stations[0];
    Some(match c.who {
        w if w == ANONYMOUS => return None,
        w if w == VOLUNTEER => app.register_volunteer().await,
        w if w == SOCIAL_WORKER => app.create_user(&f.city_admin, "social_worker", Some(&east.room)).await,
        w if w == STATION_ADMIN => app.create_user(&f.city_admin, "station_admin", Some(&east.id)).await,
        w if w == DISTRICT_ADMIN => app.create_user(&f.city_admin, "district_admin", Some(&f.district)).await,
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
        "register" => req(M::POST, "/api/v1/auth/register", Some(app.registration("矩阵", None).await)),
        "requestCode" => req(
            M::POST,
            "/api/v1/auth/codes",
            Some(json!({"phone": app.new_phone(), "purpose": "signIn", "deviceId": "matrix-device"})),
        ),
        "loginWithCode" => {
            let phone = app.new_phone();
            let code = app.request_code(&phone, "signIn").await;
            let registration = crate::helpers::new_volunteer("矩阵", "1990-01-01");
            req(
                M::POST,
                "/api/v1/auth/login/code",
                Some(json!({"phone": phone, "code": code, "registration": registration})),
            )
        }
        "resetPassword" => {
            let phone = app.quick_volunteers(1, None).await.remove(0).phone;
            let code = app.request_code(&phone, "passwordReset").await;
            req(
                M::POST,
                "/api/v1/auth/password-reset",
                Some(json!({"phone": phone, "code": code, "newPassword": PASSWORD})),
            )
        }
        "withdrawAsGuardian" => {
            let child = app.quick_volunteers(1, None).await.remove(0);
            let guardian = app.new_phone();
            let body = json!({"name": "家长", "phone": guardian, "relationship": "parent"});
            app.put("/api/v1/me/guardian", Some(&child.access), body).await.expect(200);
            let code = app.request_code(&guardian, "guardianWithdrawal").await;
            req(M::POST, "/api/v1/guardian-withdrawals", Some(json!({"phone": guardian, "code": code})))
        }
        "confirmGuardian" => {
            let someone = fresh(app, f, c).await;
            let mut code = "000000".to_string();
            if let Some(s) = &someone {
                let guardian = app.new_phone();
                let body = json!({"name": "家长", "phone": guardian, "relationship": "parent"});
                app.put("/api/v1/me/guardian", Some(&s.access), body).await.expect(200);
                code = app.code_sent_to(&guardian).await.expect("the guardian's code");
            }
            let mut r =
                req(M::POST, "/api/v1/me/guardian/confirm", Some(json!({"code": code, "consentVersion": "g1"})));
            r.token = Some(someone.map(|s| s.access));
            r
        }
        "requestPhoneChangeCode" => req(M::POST, "/api/v1/me/phone/code", Some(json!({"phone": app.new_phone()}))),
        "changePhone" => {
            let someone = fresh(app, f, c).await;
            let (phone, mut code) = (app.new_phone(), "000000".to_string());
            if let Some(s) = &someone {
                app.post("/api/v1/me/phone/code", Some(&s.access), json!({"phone": phone})).await.expect(202);
                app.deliver_codes().await;
                code = app.code_sent_to(&phone).await.expect("the new number's code");
            }
            let mut r = req(M::PUT, "/api/v1/me/phone", Some(json!({"phone": phone, "code": code})));
            r.token = Some(someone.map(|s| s.access));
            r
        }
        "sendPasswordResetCode" => {
            // Someone new in the relation: a number is sent one reset code a minute.
            let target = if rel == OWN {
                person(f, c, rel)
            } else {
                app.quick_volunteers(1, Some(&room(f, rel))).await.remove(0).user_id
            };
            req(M::POST, format!("/api/v1/users/{target}/password-reset-code"), None)
        }
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
        "registerSocialOrganisation" => req(
            M::POST,
            "/api/v1/social-organisations",
            Some(json!({"creditCode": credit_code(), "name": "矩阵社工服务中心", "kind": "social_service",
                        "registrationAuthority": "苏州市民政局", "serviceUnitId": room(f, rel)})),
        ),
        "listSocialOrganisations" => req(M::GET, "/api/v1/social-organisations", None),
        "createCharityFund" => {
            let room = funds_setup::room(app, f, rel).await;
            req(M::POST, "/api/v1/charity-funds", Some(json!({"orgUnitId": room, "name": "矩阵社区慈善基金"})))
        }
        "listCharityFunds" => req(M::GET, "/api/v1/charity-funds", None),
        "createProject" => req(
            M::POST,
            "/api/v1/projects",
            Some(json!({"name": "矩阵项目", "ownerUnitId": room(f, rel), "actionLine": "help",
                        "startsOn": "2026-01-01", "endsOn": "2026-12-31"})),
        ),
        "listProjects" => req(M::GET, "/api/v1/projects", None),
        "recordNeed" => req(
            M::POST,
            "/api/v1/needs",
            Some(
                json!({"orgUnitId": room(f, rel), "kind": "elderly_care", "title": "独居老人助餐", "urgency": "high"}),
            ),
        ),
        "listNeeds" => req(M::GET, "/api/v1/needs", None),
        "suggestResources" => {
            req(M::GET, format!("/api/v1/needs/{}/suggestions", funds_setup::need(app, f, rel).await), None)
        }
        "answerNeed" => {
            let (need, project) = (funds_setup::need(app, f, rel).await, funds_setup::project(app, f, rel).await);
            req(M::POST, format!("/api/v1/needs/{need}/answer"), Some(json!({"projectId": project})))
        }
        "offerResource" => req(
            M::POST,
            "/api/v1/resources",
            Some(json!({"orgUnitId": room(f, rel), "kind": "venue", "title": "社区活动室"})),
        ),
        "listResources" => req(M::GET, "/api/v1/resources", None),
        "getProject" => req(M::GET, format!("/api/v1/projects/{}", funds_setup::project(app, f, rel).await), None),
        "updateProject" => req(
            M::PATCH,
            format!("/api/v1/projects/{}", funds_setup::project(app, f, rel).await),
            Some(json!({"summary": "矩阵"})),
        ),
        "addProjectFunding" => req(
            M::POST,
            format!("/api/v1/projects/{}/funding", funds_setup::project(app, f, rel).await),
            Some(json!({"kind": "self_raised", "amountFen": 100, "startsOn": "2026-02-01", "endsOn": "2026-03-01"})),
        ),
        "getFundDisclosure" => {
            req(M::GET, format!("/api/v1/charity-funds/{}/disclosure", funds_setup::fund(app, f, rel).await), None)
        }
        "recordFundDonation" => req(
            M::POST,
            format!("/api/v1/charity-funds/{}/donations", funds_setup::fund(app, f, rel).await),
            Some(json!({"amountFen": 500, "anonymous": true, "channel": "wechat", "receivedOn": "2026-01-01"})),
        ),
        "listFundLedger" => {
            req(M::GET, format!("/api/v1/charity-funds/{}/ledger", funds_setup::fund(app, f, rel).await), None)
        }
        "proposeFundGrant" => req(
            M::POST,
            format!("/api/v1/charity-funds/{}/grants", funds_setup::fund(app, f, rel).await),
            Some(json!({"amountFen": 100, "purpose": "矩阵"})),
        ),
        "getFundCommittee" => {
            req(M::GET, format!("/api/v1/charity-funds/{}/committee", funds_setup::fund(app, f, rel).await), None)
        }
        "setFundCommittee" => req(
            M::PUT,
            format!("/api/v1/charity-funds/{}/committee", funds_setup::fund(app, f, rel).await),
            Some(json!({"memberIds": [f.city_admin.user_id]})),
        ),
        "listFundGrants" => {
            req(M::GET, format!("/api/v1/charity-funds/{}/grants", funds_setup::fund(app, f, rel).await), None)
        }
        "decideFundGrant" => {
            let (fund, grant) = funds_setup::grant(app, f, c, rel, false).await;
            req(
                M::POST,
                format!("/api/v1/charity-funds/{fund}/grants/{grant}/decision"),
                Some(json!({"approve": true, "reason": "矩阵"})),
            )
        }
        "recordGrantDisbursement" => {
            let (fund, grant) = funds_setup::grant(app, f, c, rel, true).await;
            req(
                M::POST,
                format!("/api/v1/charity-funds/{fund}/grants/{grant}/disbursements"),
                Some(json!({"amountFen": 50, "paidOn": "2026-01-02"})),
            )
        }
        "getSocialOrganisation" => {
            req(M::GET, format!("/api/v1/social-organisations/{}", organisation(app, f, rel).await), None)
        }
        "updateSocialOrganisation" => req(
            M::PATCH,
            format!("/api/v1/social-organisations/{}", organisation(app, f, rel).await),
            Some(json!({"summary": "矩阵"})),
        ),
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
            Some(json!({"name": "家长", "phone": app.new_phone(), "relationship": "parent"})),
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
            wushe::domain::registry::record_identity(app.db(), &app.state.data_key, owner, &number, "矩阵", "v1", now)
                .await
                .unwrap();
            req(M::POST, "/api/v1/users/identity-lookup", Some(json!({"idNumber": number})))
        }
        "listIdentityDisputes" => req(M::GET, "/api/v1/identity-disputes", None),
        "decideIdentityDispute" => {
            // Two people record one number: a dispute to decide.
            let (number, now, key) = (id_number(), app.clock.now_utc(), &app.state.data_key);
            let mut id = uuid::Uuid::nil();
            for p in app.quick_volunteers(2, None).await {
                let who = p.user_id.parse().unwrap();
                let r = wushe::domain::registry::record_identity(app.db(), key, who, &number, "矩阵", "v1", now).await;
                if let Ok(identity::Recorded::UnderReview { dispute }) = r {
                    id = dispute.id;
                }
            }
            let body = json!({"award": "holder", "reason": "矩阵"});
            req(M::POST, format!("/api/v1/identity-disputes/{id}/decision"), Some(body))
        }
        "metrics" => req(M::GET, "/metrics", None),
        "registerDevice" => req(
            M::POST,
            "/api/v1/me/devices",
            Some(json!({"platform": "android", "token": format!("fcm-{}", uuid::Uuid::new_v4())})),
        ),
        "listDevices" => req(M::GET, "/api/v1/me/devices", None),
        // The catch-up form answers and ends; the open stream is tested in `messaging::events`.
        "streamEvents" => req(M::GET, "/api/v1/me/events?once=true", None),
        "deleteDevice" if c.session.is_none() => {
            req(M::DELETE, format!("/api/v1/me/devices/{}", uuid::Uuid::now_v7()), None)
        }
        "deleteDevice" => {
            let owner: uuid::Uuid = person(f, c, rel).parse().unwrap();
            let registration = wushe::domain::messaging::devices::Registration::fcm(
                entity::device::Platform::Android,
                format!("fcm-{}", uuid::Uuid::new_v4()),
            );
            let (device, _) =
                wushe::domain::messaging::devices::register(app.db(), owner, app.clock.now_utc(), registration)
                    .await
                    .unwrap();
            req(M::DELETE, format!("/api/v1/me/devices/{}", device.id), None)
        }
        "listNotifications" => req(M::GET, "/api/v1/me/notifications", None),
        "unreadNotificationCount" => req(M::GET, "/api/v1/me/notifications/unread-count", None),
        "markNotificationRead" if c.session.is_none() => {
            req(M::POST, format!("/api/v1/me/notifications/{}/read", uuid::Uuid::now_v7()), None)
        }
        "markNotificationRead" => {
            let id = inbox_row(app, person(f, c, rel).parse().unwrap()).await;
            req(M::POST, format!("/api/v1/me/notifications/{id}/read"), None)
        }
        "markAllNotificationsRead" => req(M::POST, "/api/v1/me/notifications/read-all", None),
        "listMyAnnouncements" => req(M::GET, "/api/v1/me/announcements", None),
        "getNotificationPreferences" => req(M::GET, "/api/v1/me/notification-preferences", None),
        "updateNotificationPreferences" => req(M::PATCH, "/api/v1/me/notification-preferences", Some(json!({}))),
        "createAnnouncement" => req(
            M::POST,
            "/api/v1/announcements",
            Some(json!({"title": "矩阵通知", "body": "内容", "orgUnitId": unit(f, c, rel)})),
        ),
        "listAnnouncements" => req(M::GET, "/api/v1/announcements", None),
        "getAnnouncement" => {
            let a = wushe::domain::messaging::announcements::create(
                app.db(),
                &service::actor_of_session(&f.city_admin, entity::user::Role::CityAdmin),
                app.clock.now_utc(),
                wushe::domain::messaging::announcements::NewAnnouncement {
                    org_unit_id: Some(unit(f, c, rel).parse().unwrap()),
                    roles: Vec::new(),
                    title: "矩阵".into(),
                    body: "矩阵".into(),
                },
            )
            .await
            .unwrap();
            req(M::GET, format!("/api/v1/announcements/{}", a.id), None)
        }
        "listDeadJobs" => req(M::GET, "/api/v1/admin/jobs/dead", None),
        "retryDeadJob" => req(M::POST, format!("/api/v1/admin/jobs/dead/{}/retry", dead_job(app).await), None),
        "discardDeadJob" => req(M::DELETE, format!("/api/v1/admin/jobs/dead/{}", dead_job(app).await), None),
        _ => return service_request(app, f, c, op, rel).await,
    };
    Some(r)
}

/// Requests for the volunteer-service operations (tasks, sign-ups, hours, certificates).
async fn service_request(app: &TestApp, f: &TwoStations, c: &Caller, op: &str, rel: Rel) -> Option<Req> {
    use Method as M;
    let today = app.clock.now_utc().date_naive();
    let r = match op {
        "createTask" => {
            let start = app.clock.now_utc() + chrono::Duration::days(1);
            req(
                M::POST,
                "/api/v1/tasks",
                Some(json!({"title": "矩阵任务", "description": "", "actionLine": "help", "orgUnitId": room(f, rel),
                            "startsAt": start, "endsAt": start + chrono::Duration::hours(2), "capacity": 5})),
            )
        }
        "browseTasks" => req(M::GET, "/api/v1/tasks", None),
        "listManagedTasks" => req(M::GET, "/api/v1/tasks/managed", None),
        "getTask" => req(M::GET, format!("/api/v1/tasks/{}", task(app, f, c, rel, Setup::default()).await), None),
        "updateTask" => {
            req(M::PATCH, format!("/api/v1/tasks/{}", task(app, f, c, rel, Setup::default()).await), Some(json!({})))
        }
        "publishTask" => {
            let t = task(app, f, c, rel, Setup { draft: true, ..Setup::default() }).await;
            req(M::POST, format!("/api/v1/tasks/{t}/publish"), None)
        }
        "cancelTask" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            req(M::POST, format!("/api/v1/tasks/{t}/cancel"), Some(json!({"reason": "矩阵"})))
        }
        "getCheckInCode" => {
            req(M::GET, format!("/api/v1/tasks/{}/check-in-code", task(app, f, c, rel, Setup::default()).await), None)
        }
        "listTaskSignups" => {
            req(M::GET, format!("/api/v1/tasks/{}/signups", task(app, f, c, rel, Setup::default()).await), None)
        }
        "exportRoster" => {
            req(M::GET, format!("/api/v1/tasks/{}/roster.csv", task(app, f, c, rel, Setup::default()).await), None)
        }
        "messageTaskPeople" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            req(M::POST, format!("/api/v1/tasks/{t}/messages"), Some(json!({"text": "矩阵"})))
        }
        "acceptCoverOffer" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            if let Some(me) = actor_of(c) {
                clear_signups(app, &me).await;
                cover_offer(app, t, me.user_id).await;
            }
            req(M::POST, format!("/api/v1/tasks/{t}/cover/accept"), None)
        }
        "signUp" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            if let Some(me) = actor_of(c) {
                clear_signups(app, &me).await;
            }
            req(M::POST, format!("/api/v1/tasks/{t}/signups"), None)
        }
        "checkIn" | "checkOut" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            let now = app.clock.now_utc();
            let (code, _) = app.state.check_in_codes.issue(t, now);
            if let Some(me) = actor_of(c) {
                sign_up(app, &me, t).await;
                if op == "checkOut" {
                    wushe::domain::volunteering::attendance::check_in(
                        app.db(),
                        &app.state.check_in_codes,
                        &me,
                        now,
                        t,
                        &code,
                        None,
                    )
                    .await
                    .unwrap();
                }
            }
            let which = if op == "checkIn" { "check-in" } else { "check-out" };
            req(M::POST, format!("/api/v1/tasks/{t}/{which}"), Some(json!({"code": code})))
        }
        "enterTaskHours" => {
            let (t, v) = started_task(app, f, c, rel).await;
            req(
                M::POST,
                format!("/api/v1/tasks/{t}/hours"),
                Some(json!({"kind": "leader_entry", "volunteerId": v, "minutes": 30, "reason": "矩阵"})),
            )
        }
        "listMySignups" => req(M::GET, "/api/v1/me/signups", None),
        "getSignup" => req(M::GET, format!("/api/v1/signups/{}", signup(app, f, c, rel).await), None),
        "cancelSignup" => {
            req(M::POST, format!("/api/v1/signups/{}/cancel", signup(app, f, c, rel).await), Some(json!({})))
        }
        "respondToReminder" => req(
            M::POST,
            format!("/api/v1/signups/{}/respond", signup(app, f, c, rel).await),
            Some(json!({"attending": true})),
        ),
        "approveSignup" | "denySignup" | "removeSignup" => {
            let s = pending_signup(app, f, c, rel).await;
            let verb = &op[..op.len() - "Signup".len()];
            req(
                M::POST,
                format!("/api/v1/signups/{s}/{verb}"),
                if verb == "approve" { None } else { Some(json!({"reason": "矩阵"})) },
            )
        }
        "recordAttendance" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            let s = sign_up(app, &stranger(app, f, rel).await, t).await;
            req(
                M::POST,
                format!("/api/v1/signups/{s}/attendance"),
                Some(json!({"action": "check_in", "reason": "矩阵"})),
            )
        }
        "getPresenceCode" => {
            req(M::GET, format!("/api/v1/signups/{}/presence-code", signup(app, f, c, rel).await), None)
        }
        "scanPresenceCode" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            let s = sign_up(app, &stranger(app, f, rel).await, t).await;
            let (code, _) = app.state.check_in_codes.issue_personal(s, app.clock.now_utc());
            req(M::POST, format!("/api/v1/tasks/{t}/scans"), Some(json!({"code": code, "action": "check_in"})))
        }
        "listPendingAttendance" => req(
            M::GET,
            format!("/api/v1/tasks/{}/manual-attendance", task(app, f, c, rel, Setup::default()).await),
            None,
        ),
        "decideManualAttendance" => {
            let t = task(app, f, c, rel, Setup::default()).await;
            let m = held_attendance(app, t, &stranger(app, f, rel).await).await;
            req(M::POST, format!("/api/v1/manual-attendance/{m}/decision"), Some(json!({"confirm": false})))
        }
        "getMyHours" => req(M::GET, "/api/v1/me/hours", None),
        "claimHours" => req(
            M::POST,
            "/api/v1/me/hours/claims",
            // Yesterday in the units' zone: the stays recorded by the check-in requests before
            // this one fall on today there, and a claim without a start time covers its whole day.
            Some(json!({
                "orgUnitId": f.stations[0].room,
                "serviceDate": wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai")
                    - chrono::Duration::days(1),
                "minutes": 30,
                "description": "矩阵"
            })),
        ),
        "listHoursForReview" => req(M::GET, "/api/v1/hours", None),
        "decideHours" => {
            let e = entry(app, f, c, rel, entity::hours_entry::HoursStatus::Pending).await;
            req(M::POST, "/api/v1/hours/decisions", Some(json!({"ids": [e], "approve": true})))
        }
        "correctHours" => {
            let e = entry(app, f, c, rel, entity::hours_entry::HoursStatus::Approved).await;
            req(M::POST, format!("/api/v1/hours/{e}/corrections"), Some(json!({"deltaMinutes": 5, "reason": "矩阵"})))
        }
        "disputeHours" => {
            let e = entry(app, f, c, rel, entity::hours_entry::HoursStatus::Approved).await;
            req(M::POST, format!("/api/v1/hours/{e}/dispute"), Some(json!({"comment": "矩阵"})))
        }
        "exportHours" => req(M::GET, "/api/v1/hours/export.csv", None),
        "getLeaderboard" => req(M::GET, "/api/v1/leaderboards", None),
        "requestServiceRecord" => {
            if let Some(me) = actor_of(c) {
                approved_hours(app, me.user_id, f.stations[0].room.parse().unwrap()).await;
            }
            req(
                M::POST,
                "/api/v1/me/service-records",
                Some(json!({"orgUnitId": f.stations[0].room, "from": today, "to": today})),
            )
        }
        "listMyServiceRecords" => req(M::GET, "/api/v1/me/service-records", None),
        "verifyServiceRecord" => {
            req(M::GET, format!("/api/v1/service-records/{}", record(app, f, STATION).await), None)
        }
        "serviceRecordPage" => {
            req(M::GET, format!("/api/v1/service-records/{}/page", record(app, f, STATION).await), None)
        }
        "revokeServiceRecord" => req(
            M::POST,
            format!("/api/v1/service-records/{}/revoke", record(app, f, rel).await),
            Some(json!({"reason": "矩阵"})),
        ),
        _ => return honours_request(app, f, c, op, rel).await,
    };
    Some(r)
}

/// Requests for the honours operations (set-up in `crate::honours::setup`).
async fn honours_request(app: &TestApp, f: &TwoStations, c: &Caller, op: &str, rel: Rel) -> Option<Req> {
    use crate::honours::setup as h;
    use Method as M;
    use entity::honour_programme::ProgrammeState;
    let city = h::city(&f.city_admin);
    let [east, west] = &f.stations;
    let now = app.clock.now_utc();
    // The person of relation `rel`: the caller, or a fresh volunteer of the first or second station.
    let nominee = async |rel: Rel| -> String {
        match (rel, c.session.as_ref()) {
            (OWN, Some(s)) => s.user_id.clone(),
            (OWN, None) => uuid::Uuid::now_v7().to_string(),
            _ => stranger(app, f, rel).await.user_id.to_string(),
        }
    };
    // A reviewing programme with the caller on its panel and a nomination of a second-station
    // volunteer by that station's administrator (no conflict with any first-station caller).
    let reviewing = async || -> (uuid::Uuid, uuid::Uuid) {
        let p = h::nominating(app, &city, 10, Vec::new()).await;
        let west_admin = h::actor(&west.admin, entity::user::Role::StationAdmin, Some(&west.id));
        let n = h::nominate(app, &west_admin, p, &stranger(app, f, OTHER).await.user_id.to_string()).await;
        h::advance(app, &city, p, ProgrammeState::Reviewing).await;
        if let Some(s) = &c.session {
            h::seat(app, p, &s.user_id, &city).await;
        }
        (p, n)
    };
    let r = match op {
        "createHonourProgramme" => req(
            M::POST,
            "/api/v1/honour-programmes",
            Some(json!({"name": "矩阵评选", "kind": "custom", "year": 2026, "nominationOpensAt": now,
                        "nominationClosesAt": now + chrono::Duration::days(1),
                        "reviewClosesAt": now + chrono::Duration::days(2), "awards": 1, "stationQuota": 1,
                        "rules": []})),
        ),
        "listHonourProgrammes" => req(M::GET, "/api/v1/honour-programmes", None),
        "getHonourProgramme" => {
            req(M::GET, format!("/api/v1/honour-programmes/{}", h::nominating(app, &city, 1, Vec::new()).await), None)
        }
        "updateHonourProgramme" => req(
            M::PATCH,
            format!("/api/v1/honour-programmes/{}", h::draft(app, &city, 1, Vec::new()).await),
            Some(json!({"stationQuota": 2})),
        ),
        "advanceHonourProgramme" => req(
            M::POST,
            format!("/api/v1/honour-programmes/{}/advance", h::draft(app, &city, 1, Vec::new()).await),
            Some(json!({"to": "nominating"})),
        ),
        "cancelHonourProgramme" => req(
            M::POST,
            format!("/api/v1/honour-programmes/{}/cancel", h::nominating(app, &city, 1, Vec::new()).await),
            Some(json!({"reason": "矩阵"})),
        ),
        "correctHonourProgrammeRules" => req(
            M::POST,
            format!("/api/v1/honour-programmes/{}/rule-corrections", h::nominating(app, &city, 1, Vec::new()).await),
            Some(json!({"rules": [], "reason": "矩阵"})),
        ),
        "appointHonourPanel" => req(
            M::PUT,
            format!("/api/v1/honour-programmes/{}/panel", h::draft(app, &city, 1, Vec::new()).await),
            Some(json!({"reviewerIds": [east.admin.user_id]})),
        ),
        "listHonourPanel" => {
            let p = h::draft(app, &city, 1, Vec::new()).await;
            h::seat(app, p, &east.admin.user_id, &city).await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/panel"), None)
        }
        "checkHonourEligibility" => {
            let p = h::nominating(app, &city, 1, Vec::new()).await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/eligibility/{}", east.volunteer.user_id), None)
        }
        "nominateForHonour" => {
            let p = h::nominating(app, &city, 100, Vec::new()).await;
            req(
                M::POST,
                format!("/api/v1/honour-programmes/{p}/nominations"),
                Some(json!({"nomineeId": nominee(rel).await, "statement": "矩阵"})),
            )
        }
        "listHonourNominations" => {
            let p = h::nominating(app, &city, 1, Vec::new()).await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/nominations"), None)
        }
        "getHonourNomination" | "declineHonourNomination" => {
            let id = match (rel, &c.session) {
                (OWN, None) => uuid::Uuid::now_v7(),
                _ => {
                    let p = h::nominating(app, &city, 1, Vec::new()).await;
                    if rel == OWN && c.who == CITY_ADMIN {
                        // Nobody may nominate a city administrator (no level is above it): the
                        // caller's own nomination is written in place.
                        let n = h::nominate(app, &city, p, &stranger(app, f, STATION).await.user_id.to_string()).await;
                        h::renominate(app, n, &nominee(rel).await).await;
                        n
                    } else {
                        h::nominate(app, &city, p, &nominee(rel).await).await
                    }
                }
            };
            if op == "getHonourNomination" {
                req(M::GET, format!("/api/v1/honour-nominations/{id}"), None)
            } else {
                req(M::POST, format!("/api/v1/honour-nominations/{id}/decline"), Some(json!({})))
            }
        }
        "listHonourReviewQueue" => {
            let (p, _) = reviewing().await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/review"), None)
        }
        "scoreHonourNomination" => {
            let (_, n) = reviewing().await;
            req(
                M::POST,
                format!("/api/v1/honour-nominations/{n}/scores"),
                Some(json!({"scores": [8, 8, 8], "comment": "矩阵"})),
            )
        }
        "recuseFromHonourNomination" => {
            let (_, n) = reviewing().await;
            req(M::POST, format!("/api/v1/honour-nominations/{n}/recuse"), Some(json!({"reason": "矩阵"})))
        }
        "getHonourRanking" => {
            let (p, _) = reviewing().await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/ranking"), None)
        }
        "decideHonours" => {
            let (p, n) = reviewing().await;
            h::close_review(app, p).await;
            req(
                M::POST,
                format!("/api/v1/honour-programmes/{p}/decision"),
                Some(json!({"awardees": [{"nominationId": n, "citation": "矩阵"}]})),
            )
        }
        "listHonourNotices" => req(M::GET, "/api/v1/honour-notices", None),
        "objectToHonour" => {
            let (_, honour) = h::in_notice(app, &city, &stranger(app, f, OTHER).await.user_id.to_string()).await;
            req(M::POST, format!("/api/v1/honours/{honour}/objections"), Some(json!({"statement": "矩阵"})))
        }
        "listHonourObjections" => {
            let (p, _) = h::in_notice(app, &city, &stranger(app, f, OTHER).await.user_id.to_string()).await;
            req(M::GET, format!("/api/v1/honour-programmes/{p}/objections"), None)
        }
        "resolveHonourObjection" => {
            let (_, honour) = h::in_notice(app, &city, &stranger(app, f, OTHER).await.user_id.to_string()).await;
            let objector = stranger(app, f, STATION).await;
            let o = wushe::domain::honours::notice::object(app.db(), &objector, now, honour, "矩阵").await.unwrap();
            req(
                M::POST,
                format!("/api/v1/honour-objections/{}/resolve", o.id),
                Some(json!({"upheld": false, "reason": "矩阵"})),
            )
        }
        "revokeHonour" => {
            let honour = h::published(app, &west.volunteer.user_id).await;
            req(M::POST, format!("/api/v1/honours/{honour}/revoke"), Some(json!({"reason": "矩阵"})))
        }
        "honourWall" => req(M::GET, "/api/v1/honours", None),
        "listMyHonours" => req(M::GET, "/api/v1/me/honours", None),
        _ => return mentoring_request(app, f, c, op, rel).await,
    };
    Some(r)
}

/// Requests for the mentoring operations (pairings, session logs, threads, oversight).
async fn mentoring_request(app: &TestApp, f: &TwoStations, c: &Caller, op: &str, rel: Rel) -> Option<Req> {
    use Method as M;
    use mentoring_setup::{State, pairing, session};
    let pairings = "/api/v1/mentoring/pairings";
    let r = match op {
        "proposePairing" => {
            let (mut mentor, mentee) = mentoring_setup::people(app, f, c, rel).await;
            // A social worker proposes themselves.
            if let Some(me) = actor_of(c).filter(|a| a.role == entity::user::Role::SocialWorker) {
                mentor = me.user_id;
            }
            req(M::POST, pairings, Some(json!({"mentorId": mentor, "menteeId": mentee, "goals": ["矩阵"]})))
        }
        "listPairings" => req(M::GET, pairings, None),
        "getPairing" => req(M::GET, format!("{pairings}/{}", pairing(app, f, c, rel, State::Active).await), None),
        "acceptPairing" => {
            req(M::POST, format!("{pairings}/{}/accept", pairing(app, f, c, rel, State::Proposed).await), None)
        }
        "declinePairing" => req(
            M::POST,
            format!("{pairings}/{}/decline", pairing(app, f, c, rel, State::Proposed).await),
            Some(json!({})),
        ),
        "endPairing" => req(
            M::POST,
            format!("{pairings}/{}/end", pairing(app, f, c, rel, State::Active).await),
            Some(json!({"reason": "矩阵"})),
        ),
        "setPairingGoals" => req(
            M::PUT,
            format!("{pairings}/{}/goals", pairing(app, f, c, rel, State::Active).await),
            Some(json!({"goals": [{"title": "矩阵", "status": "in_progress"}]})),
        ),
        "logMentoringSession" => req(
            M::POST,
            format!("{pairings}/{}/sessions", pairing(app, f, c, rel, State::Active).await),
            Some(json!({"heldAt": app.clock.now_utc() - chrono::Duration::hours(1), "minutes": 30, "mode": "phone"})),
        ),
        "listMentoringSessions" => {
            req(M::GET, format!("{pairings}/{}/sessions", pairing(app, f, c, rel, State::Active).await), None)
        }
        "getMentoringSession" => {
            req(M::GET, format!("/api/v1/mentoring/sessions/{}", session(app, f, c, rel).await), None)
        }
        "acknowledgeMentoringSession" => {
            req(M::POST, format!("/api/v1/mentoring/sessions/{}/acknowledge", session(app, f, c, rel).await), None)
        }
        "disputeMentoringSession" => req(
            M::POST,
            format!("/api/v1/mentoring/sessions/{}/dispute", session(app, f, c, rel).await),
            Some(json!({"comment": "矩阵"})),
        ),
        "getMyMentoring" => req(M::GET, "/api/v1/me/mentoring", None),
        "getMentoringRecord" => req(M::GET, format!("/api/v1/users/{}/mentoring-record", person(f, c, rel)), None),
        "getMentoringOversight" => req(M::GET, "/api/v1/mentoring/oversight", None),
        "getStatsHours" => req(M::GET, "/api/v1/stats/hours", None),
        "exportStatsHours" => req(M::GET, "/api/v1/stats/hours.csv", None),
        "exportStatsHoursXlsx" => req(M::GET, "/api/v1/stats/hours.xlsx", None),
        "exportStatsOverview" => req(M::GET, "/api/v1/stats/overview.csv", None),
        "exportStatsOverviewXlsx" => req(M::GET, "/api/v1/stats/overview.xlsx", None),
        "getStatsOverview" => req(M::GET, "/api/v1/stats/overview", None),
        "sendPairMessage" => req(
            M::POST,
            format!("{pairings}/{}/messages", pairing(app, f, c, rel, State::Active).await),
            Some(json!({"body": "矩阵"})),
        ),
        "listPairMessages" => {
            req(M::GET, format!("{pairings}/{}/messages", pairing(app, f, c, rel, State::Active).await), None)
        }
        "markPairMessagesRead" => req(
            M::POST,
            format!("{pairings}/{}/messages/read", pairing(app, f, c, rel, State::Active).await),
            Some(json!({})),
        ),
        "suggestMentors" => {
            req(M::GET, format!("/api/v1/mentoring/suggestions?volunteerId={}", volunteer_for(f, rel).user_id), None)
        }
        _ => return talent_request(app, f, c, op, rel).await,
    };
    Some(r)
}

/// Requests for the talent operations (credentials, training, continuing education).
async fn talent_request(app: &TestApp, f: &TwoStations, c: &Caller, op: &str, rel: Rel) -> Option<Req> {
    use Method as M;
    use entity::credential::CredentialStatus as S;
    let today = app.clock.now_utc().date_naive();
    if c.who == SOCIAL_WORKER && (op == "createCourse" || op == "createTrainingSession") {
        talent::grant(app, c).await;
    }
    let r = match op {
        "listCredentialKinds" => req(M::GET, "/api/v1/credential-kinds", None),
        "createCredentialKind" => req(
            M::POST,
            "/api/v1/credential-kinds",
            Some(json!({"code": format!("k_{}", uuid::Uuid::new_v4().simple()), "name": "矩阵证书"})),
        ),
        "submitCredential" => req(
            M::POST,
            "/api/v1/me/credentials",
            Some(json!({"kind": "social_worker", "number": uuid::Uuid::new_v4().to_string(), "issuingBody": "民政部",
                        "issuedOn": today, "evidenceRef": "files/matrix.pdf"})),
        ),
        "listMyCredentials" => req(M::GET, "/api/v1/me/credentials", None),
        "listCredentials" => req(M::GET, "/api/v1/credentials", None),
        "getCredential" => {
            req(M::GET, format!("/api/v1/credentials/{}", talent::credential(app, f, c, rel, S::Submitted).await), None)
        }
        "updateCredential" => req(
            M::PATCH,
            format!("/api/v1/credentials/{}", talent::credential(app, f, c, rel, S::Submitted).await),
            Some(json!({})),
        ),
        "verifyCredential" => req(
            M::POST,
            format!("/api/v1/credentials/{}/verify", talent::credential(app, f, c, rel, S::Submitted).await),
            None,
        ),
        "rejectCredential" | "revokeCredential" => {
            let status = if op == "rejectCredential" { S::Submitted } else { S::Verified };
            let verb = if op == "rejectCredential" { "reject" } else { "revoke" };
            let id = talent::credential(app, f, c, rel, status).await;
            req(M::POST, format!("/api/v1/credentials/{id}/{verb}"), Some(json!({"reason": "矩阵"})))
        }
        "recordRegistration" => req(
            M::POST,
            format!("/api/v1/credentials/{}/registration", talent::credential(app, f, c, rel, S::Verified).await),
            Some(json!({"registeredOn": today})),
        ),
        "allowCourseOrganiser" => {
            req(M::PUT, format!("/api/v1/users/{}/course-organiser", person(f, c, rel)), Some(json!({"allowed": true})))
        }
        "createCourse" => req(
            M::POST,
            "/api/v1/courses",
            Some(json!({"orgUnitId": room(f, rel), "title": "矩阵课程", "category": "ethics", "creditMinutes": 120,
                        "countsAsCe": true})),
        ),
        "listCourses" => req(M::GET, "/api/v1/courses", None),
        "getCourse" => req(M::GET, format!("/api/v1/courses/{}", talent::course(app, f, rel).await), None),
        "createTrainingSession" => {
            let start = app.clock.now_utc() + chrono::Duration::days(2);
            req(
                M::POST,
                format!("/api/v1/courses/{}/sessions", talent::course(app, f, rel).await),
                Some(json!({"trainerId": f.stations[0].social_worker.user_id, "startsAt": start,
                            "endsAt": start + chrono::Duration::hours(2), "place": "社工站", "capacity": 10})),
            )
        }
        "listTrainingSessions" => {
            req(M::GET, format!("/api/v1/courses/{}/sessions", talent::course(app, f, rel).await), None)
        }
        "getTrainingSession" => {
            let s = talent::session(app, f, c, rel, false).await;
            req(M::GET, format!("/api/v1/training-sessions/{s}"), None)
        }
        "enrol" => {
            let s = talent::session(app, f, c, rel, false).await;
            req(M::POST, format!("/api/v1/training-sessions/{s}/enrolments"), None)
        }
        "listSessionEnrolments" => {
            let s = talent::session(app, f, c, rel, false).await;
            req(M::GET, format!("/api/v1/training-sessions/{s}/enrolments"), None)
        }
        "recordTrainingAttendance" => {
            let s = talent::session(app, f, c, rel, true).await;
            let who = stranger(app, f, if rel == OTHER { OTHER } else { STATION }).await;
            talent::enrol(app, s, who.user_id).await;
            req(
                M::POST,
                format!("/api/v1/training-sessions/{s}/attendance"),
                Some(json!({"personId": who.user_id, "attended": true})),
            )
        }
        "listMyEnrolments" => req(M::GET, "/api/v1/me/enrolments", None),
        "cancelEnrolment" => {
            let s = talent::session(app, f, c, if rel == OWN { STATION } else { rel }, false).await;
            let who = match (rel, actor_of(c)) {
                (OWN, Some(me)) => me.user_id,
                (OWN, None) => {
                    return Some(req(M::POST, format!("/api/v1/enrolments/{}/cancel", uuid::Uuid::now_v7()), None));
                }
                _ => stranger(app, f, rel).await.user_id,
            };
            let e = talent::enrol(app, s, who).await;
            req(M::POST, format!("/api/v1/enrolments/{e}/cancel"), None)
        }
        "getMyTraining" => req(M::GET, "/api/v1/me/training", None),
        "listMyLearning" => req(M::GET, "/api/v1/me/learning", None),
        "claimTraining" => req(
            M::POST,
            "/api/v1/me/learning/claims",
            Some(json!({"title": "外部培训", "minutes": 180, "completedOn": today, "countsAsCe": true,
                        "evidenceRef": "files/claim.pdf"})),
        ),
        "listTrainingClaims" => req(M::GET, "/api/v1/learning/claims", None),
        "decideTrainingClaim" => req(
            M::POST,
            format!("/api/v1/learning/{}/decision", talent::claim(app, f, c, rel).await),
            Some(json!({"approve": true})),
        ),
        "getCeReport" => req(M::GET, "/api/v1/training/ce-report", None),
        "searchTalent" => req(M::GET, "/api/v1/talent", None),
        "exportTalent" => req(M::GET, "/api/v1/talent.csv", None),
        "getTaskPrerequisites" => {
            req(M::GET, format!("/api/v1/tasks/{}/prerequisites", task(app, f, c, rel, Setup::default()).await), None)
        }
        "setTaskPrerequisites" => req(
            M::PUT,
            format!("/api/v1/tasks/{}/prerequisites", task(app, f, c, rel, Setup::default()).await),
            Some(json!({"items": [{"kind": "level", "minLevel": "assistant_social_worker"}]})),
        ),
        "getCoursePrerequisites" => {
            req(M::GET, format!("/api/v1/courses/{}/prerequisites", talent::course(app, f, rel).await), None)
        }
        "setCoursePrerequisites" => req(
            M::PUT,
            format!("/api/v1/courses/{}/prerequisites", talent::course(app, f, rel).await),
            Some(json!({"items": [{"kind": "credential", "credentialKind": "social_worker"}]})),
        ),
        _ => return None,
    };
    Some(r)
}

/// Set-up of the talent objects the matrix calls operations on.
mod talent {
    use super::Caller;
    use super::service::{actor_of, stranger};
    use crate::helpers::{NowUtc, TestApp, TwoStations};
    use entity::credential::CredentialStatus;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    use uuid::Uuid;
    use wushe::api::policy::{OTHER, OWN, Rel, STATION};

    fn room_of(f: &TwoStations, rel: Rel) -> Uuid {
        f.stations[usize::from(rel == OTHER)].room.parse().unwrap()
    }

    /// Someone's credential: the caller's own (`OWN`), another person's of the caller's station
    /// (`STATION`) or of another station (`OTHER`).
    pub async fn credential(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, status: CredentialStatus) -> Uuid {
        let holder: Uuid = match (rel, actor_of(c)) {
            (OWN, Some(me)) => me.user_id,
            (OWN, None) => return Uuid::now_v7(),
            (r, _) => super::person(f, c, r).parse().unwrap(),
        };
        crate::credential_fixture::give(app, holder, "social_worker", status, None).await
    }

    /// Allows the caller to create courses (as a station administrator would).
    pub async fn grant(app: &TestApp, c: &Caller) {
        let me = actor_of(c).unwrap().user_id;
        if entity::course_organiser::Entity::find_by_id(me).one(app.db()).await.unwrap().is_some() {
            return;
        }
        entity::course_organiser::ActiveModel {
            user_id: Set(me),
            granted_by: Set(me),
            granted_at: Set(app.clock.now_utc()),
        }
        .insert(app.db())
        .await
        .unwrap();
    }

    /// A course of a room of the station of `rel`.
    pub async fn course(app: &TestApp, f: &TwoStations, rel: Rel) -> Uuid {
        let city = super::service::actor_of_session(&f.city_admin, entity::user::Role::CityAdmin);
        let new = wushe::domain::talent::training::NewCourse {
            org_unit_id: room_of(f, rel),
            title: "矩阵课程".into(),
            description: String::new(),
            category: "ethics".into(),
            target_levels: Vec::new(),
            credit_minutes: 120,
            counts_as_ce: true,
        };
        wushe::domain::talent::training::create_course(app.db(), &city, app.clock.now_utc(), new).await.unwrap().id
    }

    /// A session of a course of the station of `rel`; for `OWN`, of the caller's station and
    /// trained by the caller (else by a stranger). `started`: it began half an hour ago.
    pub async fn session(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, started: bool) -> Uuid {
        let course = course(app, f, if rel == OWN { STATION } else { rel }).await;
        let trainer = match (rel, actor_of(c)) {
            (OWN, Some(me)) => me.user_id,
            _ => stranger(app, f, if rel == OTHER { OTHER } else { STATION }).await.user_id,
        };
        let now = app.clock.now_utc();
        let starts = if started { now - chrono::Duration::minutes(30) } else { now + chrono::Duration::days(2) };
        let id = Uuid::now_v7();
        entity::training_session::ActiveModel {
            id: Set(id),
            course_id: Set(course),
            trainer_id: Set(trainer),
            starts_at: Set(starts),
            ends_at: Set(starts + chrono::Duration::hours(2)),
            place: Set(Some("社工站".into())),
            online_link: Set(None),
            capacity: Set(100),
            filled: Set(0),
            waitlist_seq: Set(0),
            enrol_deadline: Set(starts),
            status: Set(entity::training_session::SessionStatus::Scheduled),
            created_by: Set(trainer),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .unwrap();
        id
    }

    /// A confirmed enrolment of `person` in `session`; returns its id.
    pub async fn enrol(app: &TestApp, session: Uuid, person: Uuid) -> Uuid {
        let now = app.clock.now_utc();
        let id = Uuid::now_v7();
        entity::enrolment::ActiveModel {
            id: Set(id),
            session_id: Set(session),
            person_id: Set(person),
            status: Set(entity::enrolment::EnrolmentStatus::Confirmed),
            position: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .unwrap();
        id
    }

    /// A pending external-training claim of the caller (`OWN`) or of someone of the station of
    /// `rel`.
    pub async fn claim(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> Uuid {
        use entity::learning_entry::{ActiveModel, LearningSource, LearningStatus};
        let person = match (rel, actor_of(c)) {
            (OWN, Some(me)) => me.user_id,
            (OWN, None) => return Uuid::now_v7(),
            _ => stranger(app, f, rel).await.user_id,
        };
        let now = app.clock.now_utc();
        let id = Uuid::now_v7();
        ActiveModel {
            id: Set(id),
            person_id: Set(person),
            source: Set(LearningSource::External),
            course_id: Set(None),
            session_id: Set(None),
            title: Set("矩阵培训".into()),
            minutes: Set(120),
            counts_as_ce: Set(true),
            status: Set(LearningStatus::Pending),
            completed_on: Set(now.date_naive()),
            evidence_ref: Set(Some("files/claim.pdf".into())),
            org_unit_id: Set(None),
            reason: Set(None),
            created_by: Set(person),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            entry_key: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
        id
    }
}

/// Set-up of the mentoring objects the matrix calls operations on. `OWN`: a pairing the caller
/// is the mentor (social worker) or mentee (volunteer) of, or for anyone else one in the first
/// station; `STATION`: two other people of the first station; `OTHER`: of the second.
/// Charity funds and projects for the matrix, made through the domain (not HTTP, whose write limits the many
/// set-ups would exhaust).
mod funds_setup {
    use super::Caller;
    use crate::helpers::{NowUtc, TestApp, TwoStations};
    use chrono::NaiveDate;
    use entity::community_need::{NeedKind, Urgency};
    use entity::fund_entry::DonationChannel;
    use entity::org_unit::OrgUnitKind;
    use entity::task::ActionLine;
    use entity::user::Role;
    use uuid::Uuid;
    use wushe::api::policy::{CITY_ADMIN, OTHER, Rel};
    use wushe::domain::kernel::actor::Actor;
    use wushe::domain::kernel::org_units::{self, NewOrgUnit};
    use wushe::domain::organisations::charity_funds::{self as funds, Donation};
    use wushe::domain::organisations::needs::{self, NewNeed};
    use wushe::domain::organisations::projects::{self, NewProject};

    fn city(f: &TwoStations) -> Actor {
        Actor { user_id: f.city_admin.user_id.parse().unwrap(), role: Role::CityAdmin, org_unit_id: None }
    }

    /// The administrator of the station of relation `rel`.
    fn station_admin(f: &TwoStations, rel: Rel) -> Actor {
        let s = if rel == OTHER { &f.stations[1] } else { &f.stations[0] };
        Actor { user_id: s.admin.user_id.parse().unwrap(), role: Role::StationAdmin, org_unit_id: s.id.parse().ok() }
    }

    /// A fresh room in the station of relation `rel`; its id.
    pub async fn room(app: &TestApp, f: &TwoStations, rel: Rel) -> Uuid {
        let station = if rel == OTHER { &f.stations[1].id } else { &f.stations[0].id };
        let new = NewOrgUnit {
            parent_id: station.parse().ok(),
            kind: OrgUnitKind::CommunityRoom,
            name: "矩阵社区".into(),
            region_code: None,
            address: None,
            lat: None,
            lng: None,
            time_zone: None,
            person_in_charge: None,
            contact_phone: None,
        };
        org_units::create(app.db(), &city(f), app.clock.now_utc(), new).await.unwrap().id
    }

    /// The fund of a fresh room of relation `rel`, holding 1,000 fen; its id.
    pub async fn fund(app: &TestApp, f: &TwoStations, rel: Rel) -> Uuid {
        let (now, room) = (app.clock.now_utc(), room(app, f, rel).await);
        let fund = funds::create(app.db(), &city(f), now, room, "矩阵基金").await.unwrap();
        let gift = Donation {
            amount_fen: 1000,
            donor_name: None,
            anonymous: true,
            disclose_donor: false,
            channel: DonationChannel::Cash,
            reference: None,
            received_on: now.date_naive(),
        };
        funds::record_donation(app.db(), &city(f), now, fund.id, gift).await.unwrap();
        fund.id
    }

    /// A project of the room of relation `rel` for the year 2026; its id.
    pub async fn project(app: &TestApp, f: &TwoStations, rel: Rel) -> Uuid {
        let room = if rel == OTHER { &f.stations[1].room } else { &f.stations[0].room };
        let new = NewProject {
            name: "矩阵项目".into(),
            summary: None,
            owner_unit_id: room.parse().unwrap(),
            organisation_id: None,
            action_line: ActionLine::Help,
            starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        };
        projects::create(app.db(), &city(f), app.clock.now_utc(), new).await.unwrap().id
    }

    /// An open need of the room of relation `rel`; its id.
    pub async fn need(app: &TestApp, f: &TwoStations, rel: Rel) -> Uuid {
        let room = if rel == OTHER { &f.stations[1].room } else { &f.stations[0].room };
        let new = NewNeed {
            org_unit_id: room.parse().unwrap(),
            kind: NeedKind::ElderlyCare,
            title: "矩阵需求".into(),
            description: None,
            households: Some(3),
            people: None,
            urgency: Urgency::Normal,
            place: None,
            contact_consented: false,
            contact: None,
        };
        needs::record_need(app.db(), &city(f), app.clock.now_utc(), new).await.unwrap().id
    }

    /// A fund of relation `rel` and a grant of 100 fen from it proposed by someone other than
    /// the caller (and approved by a third person when `approved`): (fund, grant).
    pub async fn grant(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, approved: bool) -> (Uuid, Uuid) {
        let (now, fund) = (app.clock.now_utc(), fund(app, f, rel).await);
        let (proposer, decider) =
            if c.who == CITY_ADMIN { (station_admin(f, rel), city(f)) } else { (city(f), station_admin(f, rel)) };
        let grant = funds::propose_grant(app.db(), &proposer, now, fund, 100, "矩阵", None).await.unwrap();
        if approved {
            funds::decide_grant(app.db(), &decider, now, fund, grant.id, true, "矩阵").await.unwrap();
        }
        (fund, grant.id)
    }
}

mod mentoring_setup {
    use super::Caller;
    use super::service::{actor_of, actor_of_session};
    use crate::helpers::{NowUtc, TestApp, TwoStations};
    use entity::user::Role;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};
    use uuid::Uuid;
    use wushe::api::policy::{OTHER, OWN, Rel};
    use wushe::domain::kernel::actor::Actor;
    use wushe::domain::mentoring::{self, pairings::NewPairing, sessions::NewSession};

    #[derive(Clone, Copy, PartialEq, Eq)]
    pub enum State {
        Proposed,
        Active,
    }

    fn room_of(f: &TwoStations, rel: Rel) -> Uuid {
        f.stations[usize::from(rel == OTHER)].room.parse().unwrap()
    }

    /// A person of `role` in `unit`, straight into the database (never signs in).
    async fn bare(app: &TestApp, role: Role, unit: Uuid) -> Uuid {
        let id = Uuid::now_v7();
        let now = app.clock.now_utc();
        entity::user::ActiveModel {
            id: Set(id),
            phone: Set(app.new_phone()),
            name: Set("矩阵人员".into()),
            password_hash: Set("!".into()),
            role: Set(role),
            org_unit_id: Set(Some(unit)),
            status: Set(entity::user::UserStatus::Active),
            locale: Set(entity::user::Locale::ZhCn),
            time_zone: Set("Asia/Shanghai".into()),
            volunteer_number: Set(format!("M{:011}", id.as_u128() % 100_000_000_000)),
            token_version: Set(0),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .unwrap();
        if role == Role::SocialWorker {
            crate::credential_fixture::qualify(app, id).await;
        }
        id
    }

    fn city(f: &TwoStations) -> Actor {
        actor_of_session(&f.city_admin, Role::CityAdmin)
    }

    /// Ends every active pairing of `who`, so limits never get in the way of set-up.
    async fn free(app: &TestApp, f: &TwoStations, who: Uuid) {
        use entity::mentoring_pairing::{Column, Entity, PairingStatus};
        let open = Entity::find()
            .filter(Column::Status.eq(PairingStatus::Active))
            .filter(Condition::any().add(Column::MentorId.eq(who)).add(Column::MenteeId.eq(who)))
            .all(app.db())
            .await
            .unwrap();
        for p in open {
            mentoring::pairings::end(app.db(), &city(f), app.clock.now_utc(), p.id, "矩阵").await.unwrap();
        }
    }

    /// The mentor and mentee of a pairing of relation `rel` to the caller.
    pub async fn people(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> (Uuid, Uuid) {
        let me = actor_of(c);
        let unit = room_of(f, rel);
        match me.map(|a| (a.role, a.user_id)) {
            Some((Role::SocialWorker, id)) if rel == OWN => {
                free(app, f, id).await;
                crate::credential_fixture::qualify(app, id).await;
                (id, bare(app, Role::Volunteer, unit).await)
            }
            Some((Role::Volunteer, id)) if rel == OWN => {
                free(app, f, id).await;
                (bare(app, Role::SocialWorker, unit).await, id)
            }
            _ => (bare(app, Role::SocialWorker, unit).await, bare(app, Role::Volunteer, unit).await),
        }
    }

    /// A pairing of relation `rel` to the caller, proposed by the city administrator (neither
    /// side has answered) or active.
    pub async fn pairing(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, state: State) -> Uuid {
        let (mentor, mentee) = people(app, f, c, rel).await;
        let cfg = app.state.config.mentoring.clone();
        let now = app.clock.now_utc();
        let p = mentoring::pairings::propose(
            app.db(),
            &cfg,
            &city(f),
            now,
            NewPairing { mentor_id: mentor, mentee_id: mentee, goals: Vec::new() },
        )
        .await
        .unwrap();
        if state == State::Active {
            for (who, role) in [(mentor, Role::SocialWorker), (mentee, Role::Volunteer)] {
                let a = Actor { user_id: who, role, org_unit_id: None };
                mentoring::pairings::respond(app.db(), &cfg, &a, now, p.id, true, None).await.unwrap();
            }
        }
        p.id
    }

    /// A pending session log on an active pairing of relation `rel` to the caller.
    pub async fn session(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> Uuid {
        let p = pairing(app, f, c, rel, State::Active).await;
        let row = entity::mentoring_pairing::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
        let mentor = Actor { user_id: row.mentor_id, role: Role::SocialWorker, org_unit_id: None };
        let now = app.clock.now_utc();
        let input = NewSession {
            held_at: now - chrono::Duration::hours(1),
            minutes: 45,
            mode: entity::mentoring_session::SessionMode::InPerson,
            task_id: None,
            topics: vec!["矩阵".into()],
            notes: Some("矩阵".into()),
            corrects_id: None,
        };
        let cfg = app.state.config.mentoring.clone();
        mentoring::sessions::log_session(app.db(), &cfg, &mentor, now, p, input).await.unwrap().id
    }
}

/// Set-up of the volunteer-service objects the matrix calls operations on.
mod service {
    use super::Caller;
    use crate::helpers::{NowUtc, Session, TestApp, TwoStations};
    use entity::hours_entry::{self, HoursSource, HoursStatus};
    use entity::task::{ActionLine, SignupMode};
    use entity::user::Role;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
    use uuid::Uuid;
    use wushe::api::policy::{OTHER, OWN, Rel};
    use wushe::domain::kernel::actor::Actor;
    use wushe::domain::volunteering::tasks::{self, TaskInput};

    /// How to prepare a task.
    #[derive(Default, Clone, Copy)]
    pub struct Setup {
        pub draft: bool,
        pub managed: bool,
    }

    pub fn actor_of_session(s: &Session, role: Role) -> Actor {
        Actor { user_id: s.user_id.parse().unwrap(), role, org_unit_id: None }
    }

    /// The caller as the domain sees them (none when anonymous).
    pub fn actor_of(c: &Caller) -> Option<Actor> {
        let role = match c.who.name() {
            "volunteer" => Role::Volunteer,
            "social_worker" => Role::SocialWorker,
            "station_admin" => Role::StationAdmin,
            "district_admin" => Role::DistrictAdmin,
            "city_admin" => Role::CityAdmin,
            _ => return None,
        };
        c.session.as_ref().map(|s| actor_of_session(s, role))
    }

    fn city(f: &TwoStations) -> Actor {
        actor_of_session(&f.city_admin, Role::CityAdmin)
    }

    /// A volunteer of the station of `rel`.
    pub fn volunteer_for(f: &TwoStations, rel: Rel) -> &Session {
        if rel == OTHER { &f.stations[1].volunteer } else { &f.stations[0].volunteer }
    }

    fn room_of(f: &TwoStations, rel: Rel) -> Uuid {
        let i = usize::from(rel == OTHER);
        f.stations[i].room.parse().unwrap()
    }

    /// A task starting in ten minutes, created by the city administrator in the station of
    /// `rel`; for `OWN`, led by the caller.
    pub async fn task(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, setup: Setup) -> Uuid {
        let now = app.clock.now_utc();
        let starts = now + chrono::Duration::minutes(10);
        let leader = if rel == OWN { actor_of(c).map(|a| a.user_id) } else { None };
        let input = TaskInput {
            title: "矩阵任务".into(),
            description: String::new(),
            action_line: ActionLine::Help,
            org_unit_id: room_of(f, rel),
            address: None,
            lat: None,
            lng: None,
            check_in_radius_m: None,
            starts_at: starts,
            ends_at: starts + chrono::Duration::hours(2),
            capacity: 100,
            min_headcount: None,
            required_skills: Vec::new(),
            skills_required_for_signup: false,
            signup_deadline: None,
            cancel_cutoff_hours: None,
            leader_id: leader,
            requires_insurance: false,
            insurance_policy_ref: None,
            signup_mode: if setup.managed { SignupMode::Managed } else { SignupMode::Open },
            min_presence_pct: None,
            check_in_mode: None,
            project_id: None,
        };
        let view = tasks::create(app.db(), &city(f), now, input).await.unwrap();
        let id = view.task.id;
        if !setup.draft {
            tasks::publish(app.db(), &city(f), now, id).await.unwrap();
        }
        id
    }

    /// Offers `who` a freed seat of `task` (as a cover-needed wave would).
    pub async fn cover_offer(app: &TestApp, task: Uuid, who: Uuid) {
        use entity::task_invitation::{ActiveModel, InvitationKind, InvitationStatus};
        let now = app.clock.now_utc();
        ActiveModel {
            task_id: Set(task),
            user_id: Set(who),
            kind: Set(InvitationKind::Cover),
            wave: Set(1),
            status: Set(InvitationStatus::Offered),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .unwrap();
    }

    /// A task of relation `rel` that started half an hour ago, with a fresh volunteer signed up
    /// (returned too).
    pub async fn started_task(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> (Uuid, Uuid) {
        let id = task(app, f, c, rel, Setup::default()).await;
        let v = stranger(app, f, rel).await;
        sign_up(app, &v, id).await;
        let now = app.clock.now_utc();
        let t = entity::task::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
        let mut am = t.into_active_model();
        am.starts_at = Set(now - chrono::Duration::minutes(30));
        am.signup_deadline = Set(now - chrono::Duration::minutes(30));
        am.update(app.db()).await.unwrap();
        (id, v.user_id)
    }

    /// Signs `who` up for `task`, first ending their other sign-ups (every matrix task is at the
    /// same hour, and a person cannot be in two places); returns the sign-up.
    pub async fn sign_up(app: &TestApp, who: &Actor, task: Uuid) -> Uuid {
        clear_signups(app, who).await;
        wushe::domain::volunteering::signups::sign_up(app.db(), who, app.clock.now_utc(), task).await.unwrap().signup.id
    }

    /// Ends a person's live sign-ups.
    pub async fn clear_signups(app: &TestApp, who: &Actor) {
        use entity::signup::{self, SignupStatus};
        use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
        signup::Entity::update_many()
            .col_expr(signup::Column::Status, Expr::value(SignupStatus::Cancelled))
            .filter(signup::Column::VolunteerId.eq(who.user_id))
            .filter(signup::Column::Status.is_in([
                SignupStatus::Confirmed,
                SignupStatus::Waitlisted,
                SignupStatus::Pending,
            ]))
            .exec(app.db())
            .await
            .unwrap();
    }

    /// A fresh volunteer whose home is the station of `rel`.
    pub async fn stranger(app: &TestApp, f: &TwoStations, rel: Rel) -> Actor {
        let s = app.quick_volunteers(1, Some(&room_of(f, rel).to_string())).await.remove(0);
        actor_of_session(&s, Role::Volunteer)
    }

    /// Someone's sign-up: the caller's own (`OWN`), another person's on a task of the caller's
    /// station (`STATION`), or of another station (`OTHER`).
    pub async fn signup(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> Uuid {
        let t = task(app, f, c, if rel == OWN { super::STATION } else { rel }, Setup::default()).await;
        let who = match (rel, actor_of(c)) {
            (OWN, Some(me)) => me,
            (OWN, None) => return Uuid::now_v7(),
            _ => stranger(app, f, rel).await,
        };
        sign_up(app, &who, t).await
    }

    /// A check-in a leader who is not staff recorded by hand for `who` on `task`, awaiting an
    /// organiser's confirmation.
    pub async fn held_attendance(app: &TestApp, task: Uuid, who: &Actor) -> Uuid {
        use entity::manual_attendance::{ActiveModel, ManualAttendanceAction, ManualAttendanceStatus};
        let signup = sign_up(app, who, task).await;
        let now = app.clock.now_utc();
        let id = Uuid::now_v7();
        ActiveModel {
            id: Set(id),
            signup_id: Set(signup),
            task_id: Set(task),
            volunteer_id: Set(who.user_id),
            action: Set(ManualAttendanceAction::CheckIn),
            at: Set(now),
            reason: Set("矩阵".into()),
            recorded_by: Set(Uuid::now_v7()),
            status: Set(ManualAttendanceStatus::Pending),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_reason: Set(None),
            created_at: Set(now),
        }
        .insert(app.db())
        .await
        .unwrap();
        id
    }

    /// A pending sign-up (of someone else) on a managed task of relation `rel`.
    pub async fn pending_signup(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel) -> Uuid {
        let t = task(app, f, c, rel, Setup { managed: true, ..Setup::default() }).await;
        sign_up(app, &stranger(app, f, if rel == OWN { super::STATION } else { rel }).await, t).await
    }

    /// An hours entry: the caller's own (`OWN`), another person's recorded in the caller's
    /// station (`STATION`), or in another station (`OTHER`).
    pub async fn entry(app: &TestApp, f: &TwoStations, c: &Caller, rel: Rel, status: HoursStatus) -> Uuid {
        let owner = match (rel, actor_of(c)) {
            (OWN, Some(me)) => me.user_id,
            (OWN, None) => f.stations[0].volunteer.user_id.parse().unwrap(),
            _ => stranger(app, f, rel).await.user_id,
        };
        let unit = room_of(f, if rel == OWN { super::STATION } else { rel });
        insert_entry(app, owner, unit, status).await
    }

    async fn insert_entry(app: &TestApp, owner: Uuid, unit: Uuid, status: HoursStatus) -> Uuid {
        let now = app.clock.now_utc();
        let id = Uuid::now_v7();
        let line = hours_entry::ActiveModel {
            id: Set(id),
            volunteer_id: Set(owner),
            task_id: Set(None),
            org_unit_id: Set(unit),
            source: Set(HoursSource::SelfReport),
            minutes: Set(60),
            status: Set(status),
            service_date: Set(now.date_naive()),
            description: Set(Some("矩阵".into())),
            adjusts_id: Set(None),
            reason: Set(None),
            flagged: Set(false),
            disputed_at: Set(None),
            dispute_comment: Set(None),
            created_by: Set(owner),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(now),
            entry_key: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
        wushe::domain::volunteering::hours_totals::add_approved(app.db(), std::slice::from_ref(&line)).await.unwrap();
        id
    }

    /// Approved hours of `owner` recorded by `unit`, so a certificate can be issued.
    pub async fn approved_hours(app: &TestApp, owner: Uuid, unit: Uuid) {
        insert_entry(app, owner, unit, HoursStatus::Approved).await;
    }

    /// A certificate issued by the room of the station of `rel`; returns its code.
    pub async fn record(app: &TestApp, f: &TwoStations, rel: Rel) -> String {
        let v = volunteer_for(f, rel);
        let unit = room_of(f, rel);
        let owner: Uuid = v.user_id.parse().unwrap();
        approved_hours(app, owner, unit).await;
        let today = app.clock.now_utc().date_naive();
        let actor = actor_of_session(v, Role::Volunteer);
        wushe::domain::volunteering::service_records::request(
            app.db(),
            &app.state.data_key,
            &actor,
            app.clock.now_utc(),
            unit,
            today,
            today,
            Default::default(),
        )
        .await
        .unwrap()
        .code
    }
}

/// A notification in `owner`'s inbox.
async fn inbox_row(app: &TestApp, owner: uuid::Uuid) -> uuid::Uuid {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let now = app.clock.now_utc();
    let id = uuid::Uuid::now_v7();
    entity::notification::ActiveModel {
        id: Set(id),
        user_id: Set(owner),
        category: Set(entity::notification::Category::System),
        template: Set("matrix".into()),
        title: Set("矩阵".into()),
        body: Set("矩阵".into()),
        data: Set("{}".into()),
        dedupe_key: Set(format!("matrix:{id}")),
        created_at: Set(now),
        updated_at: Set(now),
        read_at: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    id
}

/// A job in the dead-letter set; returns its id.
async fn dead_job(app: &TestApp) -> uuid::Uuid {
    let queue = &app.state.jobs.queue;
    queue.enqueue(jobs::NewJob::new("matrix.dead", ())).await.unwrap();
    let fetched = queue.fetch(1, std::time::Duration::from_secs(30), std::time::Duration::ZERO).await.unwrap();
    let job = fetched.into_iter().next().expect("the job just enqueued");
    queue.bury(&job, "matrix").await.unwrap();
    job.id
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
