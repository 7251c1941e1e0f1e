//! Separation of duties: only the level above creates administrators, and nobody decides on their
//! own records, on an account they created, or on an administrator at their level or above; the
//! level above (district, then city) decides. Every decision kind is tried by each of those and
//! by the legitimate decider: the status, the code, and what the database holds afterwards.

use crate::helpers::{NowUtc, Resp, Session, TestApp, TwoStations, spawn_app_with};
use chrono::Duration;
use entity::hours_entry::{self, HoursStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// The east station's administrator (`admin`), the district administrator above it, a second
/// station administrator at the same station (`peer`), and a volunteer and a social worker the station administrator created
/// themselves (`made`, `made_sw`).
struct Duties {
    app: TestApp,
    f: TwoStations,
    peer: Session,
    made: Session,
    made_sw: Session,
}

impl Duties {
    async fn new() -> Duties {
        // Tasks run hours after set-up; tokens must outlive that.
        let app = spawn_app_with(|c| c.access_token_ttl = std::time::Duration::from_secs(86400)).await;
        let f = app.two_stations().await;
        let east = &f.stations[0];
        let peer = app.create_user(&f.city_admin, "station_admin", Some(&east.id)).await;
        let made = app.create_user(&east.admin, "volunteer", Some(&east.room)).await;
        let made_sw = app.create_user(&east.admin, "social_worker", Some(&east.room)).await;
        Duties { app, f, peer, made, made_sw }
    }
    fn admin(&self) -> &Session {
        &self.f.stations[0].admin
    }
    fn district(&self) -> &Session {
        &self.f.district_admin
    }
    fn city(&self) -> &Session {
        &self.f.city_admin
    }
    fn volunteer(&self) -> &Session {
        &self.f.stations[0].volunteer
    }
    fn room(&self) -> &str {
        &self.f.stations[0].room
    }
    fn today(&self) -> chrono::NaiveDate {
        wushe::domain::kernel::time::local_date(self.app.clock.now_utc(), "Asia/Shanghai")
    }

    /// `who` claims an hour of offline service at the east station's room; returns the entry.
    async fn claim_hours(&self, who: &Session) -> String {
        let body = json!({"orgUnitId": self.room(), "serviceDate": self.today(), "minutes": 60, "description": "助老"});
        self.app.post("/api/v1/me/hours/claims", Some(&who.access), body).await.expect(201).str("id")
    }
    async fn decide_hours(&self, who: &Session, id: &str) -> Resp {
        self.app.post("/api/v1/hours/decisions", Some(&who.access), json!({"ids": [id], "approve": true})).await
    }
    async fn hours_status(&self, id: &str) -> HoursStatus {
        hours_entry::Entity::find_by_id(id.parse::<Uuid>().unwrap()).one(self.app.db()).await.unwrap().unwrap().status
    }
    async fn created_by(&self, who: &Session) -> Option<Uuid> {
        let id: Uuid = who.user_id.parse().unwrap();
        entity::user::Entity::find_by_id(id).one(self.app.db()).await.unwrap().unwrap().created_by
    }
}

/// The refusal every decision kind answers.
#[track_caller]
fn refused(r: Resp) {
    let r = r.expect_problem(403, "decision_not_yours");
    assert!(r.body["detail"].as_str().unwrap().contains("must be decided by"), "says who decides: {}", r.body);
}

fn create(app: &TestApp, role: &str, unit: &str) -> Value {
    json!({"phone": app.new_phone(), "name": "新管理员", "password": crate::helpers::PASSWORD, "role": role,
           "orgUnitId": unit})
}

#[tokio::test]
async fn only_the_level_above_creates_administrators_and_every_account_records_its_creator() {
    let d = Duties::new().await;
    let (app, f) = (&d.app, &d.f);
    let [east, west] = &f.stations;
    let users = app.count("users").await;
    // The finding: a station administrator made a second one at their own station.
    for (role, unit) in [("station_admin", &east.id), ("district_admin", &f.district), ("city_admin", &f.city)] {
        app.post("/api/v1/users", Some(&east.admin.access), create(app, role, unit))
            .await
            .expect_problem(403, "forbidden");
    }
    let promote = |role: &str| json!({"role": role});
    app.patch(format!("/api/v1/users/{}", east.volunteer.user_id), Some(&east.admin.access), promote("station_admin"))
        .await
        .expect_problem(403, "forbidden");
    // Nor may a station administrator manage one of its own rank.
    app.patch(format!("/api/v1/users/{}", d.peer.user_id), Some(&east.admin.access), json!({"status": "suspended"}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(app.count("users").await, users, "no refused account was created");
    // The district creates station administrators in its district only, nothing of its rank;
    // being the level above, it decides for those it appointed.
    let appointed = app.create_user(&f.district_admin, "station_admin", Some(&east.id)).await;
    assert_eq!(d.created_by(&appointed).await, Some(f.district_admin.user_id.parse().unwrap()));
    let hours = d.claim_hours(&appointed).await;
    d.decide_hours(&f.district_admin, &hours).await.expect(200);
    let users = app.count("users").await;
    app.post("/api/v1/users", Some(&f.district_admin.access), create(app, "station_admin", &west.id))
        .await
        .expect_problem(403, "forbidden");
    app.post("/api/v1/users", Some(&f.district_admin.access), create(app, "district_admin", &f.district))
        .await
        .expect_problem(403, "forbidden");
    // The city creates district administrators, at a district centre; no other city administrator.
    app.post("/api/v1/users", Some(&f.city_admin.access), create(app, "district_admin", &east.id))
        .await
        .expect_problem(400, "org_unit_required");
    app.post("/api/v1/users", Some(&f.city_admin.access), create(app, "city_admin", &f.city))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(app.count("users").await, users, "no refused account was created");
    let me = app.get(format!("/api/v1/users/{}", east.volunteer.user_id), Some(&east.admin.access)).await.expect(200);
    assert_eq!(me.body["role"], "volunteer");
    app.post("/api/v1/users", Some(&f.city_admin.access), create(app, "district_admin", &f.district)).await.expect(201);

    // Who created each account is kept: the creator, or nobody for a self-registration.
    assert_eq!(d.created_by(&d.made).await, Some(east.admin.user_id.parse().unwrap()));
    assert_eq!(d.created_by(&d.peer).await, Some(f.city_admin.user_id.parse().unwrap()));
    assert_eq!(d.created_by(&f.district_admin).await, Some(f.city_admin.user_id.parse().unwrap()));
    assert_eq!(d.created_by(&app.register_volunteer().await).await, None);
    assert_eq!(d.created_by(&f.city_admin).await, None, "the first city administrator comes from the command line");
}

#[tokio::test]
async fn hours_claims_go_one_level_up() {
    let d = Duties::new().await;
    let [mine, made, peer, above, volunteer] = [
        d.claim_hours(d.admin()).await,
        d.claim_hours(&d.made).await,
        d.claim_hours(&d.peer).await,
        d.claim_hours(d.district()).await,
        d.claim_hours(d.volunteer()).await,
    ];
    // Self, own creation, peer, superior: refused, nothing decided.
    for id in [&mine, &made, &peer, &above] {
        refused(d.decide_hours(d.admin(), id).await);
        assert_eq!(d.hours_status(id).await, HoursStatus::Pending);
    }
    refused(d.decide_hours(d.district(), &above).await);
    // A batch holding one such entry decides none of it.
    let batch = json!({"ids": [volunteer, made], "approve": true});
    refused(d.app.post("/api/v1/hours/decisions", Some(&d.admin().access), batch).await);
    assert_eq!(d.hours_status(&volunteer).await, HoursStatus::Pending);
    // The queue offers the station administrator only what it may decide.
    let queue = d.app.get("/api/v1/hours?status=pending&limit=100", Some(&d.admin().access)).await.expect(200);
    let offered: Vec<&str> =
        queue.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(offered, vec![volunteer.as_str()]);
    // The legitimate deciders: the station for its volunteer, the district for the station's
    // administrators and creations, the city for the district's.
    d.decide_hours(d.admin(), &volunteer).await.expect(200);
    for id in [&mine, &made, &peer] {
        d.decide_hours(d.district(), id).await.expect(200);
    }
    d.decide_hours(d.city(), &above).await.expect(200);
    for id in [&mine, &made, &peer, &above, &volunteer] {
        assert_eq!(d.hours_status(id).await, HoursStatus::Approved);
    }
}

#[tokio::test]
async fn corrections_make_up_hours_and_attendance_go_one_level_up() {
    let d = Duties::new().await;
    let app = &d.app;
    let starts = app.clock.now_utc() + Duration::hours(1);
    let body = json!({"title": "社区助老服务", "description": "陪伴独居老人", "actionLine": "help",
        "orgUnitId": d.room(), "address": "湖东社区活动中心", "lat": 31.3, "lng": 120.6,
        "startsAt": starts, "endsAt": starts + Duration::hours(3), "capacity": 10});
    let task = app.post("/api/v1/tasks", Some(&d.admin().access), body).await.expect(201).str("id");
    app.post(format!("/api/v1/tasks/{task}/publish"), Some(&d.admin().access), json!({})).await.expect(200);
    let people = [d.admin(), &d.made, &d.peer, d.district(), d.volunteer()];
    let mut signups = Vec::new();
    for p in people {
        let r = app.post(format!("/api/v1/tasks/{task}/signups"), Some(&p.access), json!({})).await.expect(201);
        signups.push(r.str("id"));
    }
    app.clock.advance(Duration::hours(1) + Duration::minutes(1));

    // Attendance recorded by hand.
    let attend = async |who: &Session, signup: &str| {
        let body = json!({"action": "check_in", "reason": "手机没电"});
        app.post(format!("/api/v1/signups/{signup}/attendance"), Some(&who.access), body).await
    };
    // Their own attendance is refused by the rule that nobody records their own.
    attend(d.admin(), &signups[0]).await.expect_problem(403, "own_attendance");
    for signup in &signups[1..4] {
        refused(attend(d.admin(), signup).await);
    }
    assert_eq!(app.count("attendance").await, 0);
    attend(d.admin(), &signups[4]).await.expect(200);
    attend(d.district(), &signups[1]).await.expect(200);
    attend(d.district(), &signups[2]).await.expect(200);
    assert_eq!(app.count("attendance").await, 3);

    // Make-up hours.
    let makeup = async |who: &Session, volunteer: &Session| {
        let body = json!({"kind": "makeup", "volunteerId": volunteer.user_id, "minutes": 30, "reason": "补录"});
        app.post(format!("/api/v1/tasks/{task}/hours"), Some(&who.access), body).await
    };
    for p in &people[..4] {
        refused(makeup(d.admin(), p).await);
    }
    assert_eq!(app.count("hours_entries").await, 0);
    makeup(d.admin(), d.volunteer()).await.expect(201);
    makeup(d.district(), &d.made).await.expect(201);
    makeup(d.city(), d.district()).await.expect(201);
    refused(makeup(d.district(), d.district()).await);
    assert_eq!(app.count("hours_entries").await, 3);

    // Corrections of approved entries.
    let entry_of = async |p: &Session| -> String {
        let owner: Uuid = p.user_id.parse().unwrap();
        let e = hours_entry::Entity::find().filter(hours_entry::Column::VolunteerId.eq(owner)).one(app.db()).await;
        e.unwrap().expect("the make-up entry").id.to_string()
    };
    let correct = async |who: &Session, id: &str| {
        let body = json!({"deltaMinutes": -10, "reason": "时长有误"});
        app.post(format!("/api/v1/hours/{id}/corrections"), Some(&who.access), body).await
    };
    let (made_entry, district_entry) = (entry_of(&d.made).await, entry_of(d.district()).await);
    refused(correct(d.admin(), &made_entry).await);
    refused(correct(d.admin(), &district_entry).await);
    refused(correct(d.district(), &district_entry).await);
    let adjustments = async || {
        hours_entry::Entity::find().filter(hours_entry::Column::AdjustsId.is_not_null()).count(app.db()).await.unwrap()
    };
    assert_eq!(adjustments().await, 0);
    correct(d.district(), &made_entry).await.expect(201);
    correct(d.city(), &district_entry).await.expect(201);
    assert_eq!(adjustments().await, 2);
}

#[tokio::test]
async fn credentials_go_one_level_up() {
    let d = Duties::new().await;
    let app = &d.app;
    let submit = async |who: &Session| -> String {
        let body = json!({"kind": "social_worker", "number": format!("SW-{}", who.user_id), "issuingBody": "民政部",
            "issuedOn": d.today() - Duration::days(100), "evidenceRef": "files/cert.pdf"});
        app.post("/api/v1/me/credentials", Some(&who.access), body).await.expect(201).str("id")
    };
    let verify = async |who: &Session, id: &str| {
        app.post(format!("/api/v1/credentials/{id}/verify"), Some(&who.access), json!(null)).await
    };
    let status = async |id: &str| {
        let id: Uuid = id.parse().unwrap();
        entity::credential::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap().status
    };
    let (mine, made, peer, above, sw) = (
        submit(d.admin()).await,
        submit(&d.made_sw).await,
        submit(&d.peer).await,
        submit(d.district()).await,
        submit(&d.f.stations[0].social_worker).await,
    );
    for id in [&mine, &made, &peer, &above] {
        refused(verify(d.admin(), id).await);
        assert_eq!(status(id).await, entity::credential::CredentialStatus::Submitted);
    }
    let reject = json!({"reason": "材料不全"});
    refused(app.post(format!("/api/v1/credentials/{peer}/reject"), Some(&d.admin().access), reject).await);
    refused(verify(d.district(), &above).await);
    verify(d.admin(), &sw).await.expect(200);
    for id in [&mine, &made, &peer] {
        verify(d.district(), id).await.expect(200);
    }
    verify(d.city(), &above).await.expect(200);
    for id in [&mine, &made, &peer, &above, &sw] {
        assert_eq!(status(id).await, entity::credential::CredentialStatus::Verified);
    }
}

#[tokio::test]
async fn continuing_education_claims_go_one_level_up() {
    let d = Duties::new().await;
    let app = &d.app;
    let claim = async |who: &Session| -> String {
        let body = json!({"title": "外部培训", "minutes": 120, "completedOn": d.today(), "countsAsCe": true,
            "evidenceRef": "files/claim.pdf", "degree": false});
        app.post("/api/v1/me/learning/claims", Some(&who.access), body).await.expect(201).str("id")
    };
    let decide = async |who: &Session, id: &str| {
        app.post(format!("/api/v1/learning/{id}/decision"), Some(&who.access), json!({"approve": true})).await
    };
    let status = async |id: &str| {
        let id: Uuid = id.parse().unwrap();
        entity::learning_entry::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap().status
    };
    let (mine, made, peer, above, sw) = (
        claim(d.admin()).await,
        claim(&d.made_sw).await,
        claim(&d.peer).await,
        claim(d.district()).await,
        claim(&d.f.stations[0].social_worker).await,
    );
    for id in [&mine, &made, &peer, &above] {
        refused(decide(d.admin(), id).await);
        assert_eq!(status(id).await, entity::learning_entry::LearningStatus::Pending);
    }
    refused(decide(d.district(), &above).await);
    let queue = app.get("/api/v1/learning/claims?limit=100", Some(&d.admin().access)).await.expect(200);
    let offered: Vec<&str> =
        queue.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(offered, vec![sw.as_str()], "the queue offers only what its reader may decide");
    decide(d.admin(), &sw).await.expect(200);
    for id in [&mine, &made, &peer] {
        decide(d.district(), id).await.expect(200);
    }
    decide(d.city(), &above).await.expect(200);
    for id in [&mine, &made, &peer, &above, &sw] {
        assert_eq!(status(id).await, entity::learning_entry::LearningStatus::Approved);
    }
}

#[tokio::test]
async fn nominations_and_review_scores_go_one_level_up() {
    use crate::honours::setup as h;
    use entity::honour_programme::ProgrammeState;
    let d = Duties::new().await;
    let app = &d.app;
    let city = h::city(d.city());
    let p = h::nominating(app, &city, 10, Vec::new()).await;
    let nominate = async |who: &Session, nominee: &Session| {
        let body = json!({"nomineeId": nominee.user_id, "statement": "长期扎根社区"});
        app.post(format!("/api/v1/honour-programmes/{p}/nominations"), Some(&who.access), body).await
    };
    let nominations = async || app.count("honour_nominations").await;
    app.post(
        format!("/api/v1/honour-programmes/{p}/nominations"),
        Some(&d.admin().access),
        json!({"nomineeId": d.admin().user_id, "statement": "长期扎根社区"}),
    )
    .await
    .expect_problem(403, "self_nomination");
    refused(nominate(d.admin(), &d.made).await);
    refused(nominate(d.admin(), &d.peer).await);
    // The district administrator lies outside a station's scope: not even found.
    nominate(d.admin(), d.district()).await.expect_problem(404, "not_found");
    assert_eq!(nominations().await, 0);
    let legit = nominate(d.admin(), d.volunteer()).await.expect(201).str("id");
    nominate(d.district(), &d.made).await.expect(201);
    let of_peer = nominate(d.district(), &d.peer).await.expect(201).str("id");
    assert_eq!(nominations().await, 3);

    // A reviewer scores nobody at or above their own level: the other station's administrator
    // is the peer's peer, the city administrator is above it.
    h::advance(app, &city, p, ProgrammeState::Reviewing).await;
    let west = &d.f.stations[1].admin;
    h::seat(app, p, &west.user_id, &city).await;
    h::seat(app, p, &d.city().user_id, &city).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&west.access)).await.expect(200);
    let offered: Vec<&str> = queue.body.as_array().map_or_else(
        || {
            queue.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["nomination"]["id"].as_str().unwrap_or(""))
                .collect()
        },
        |a| a.iter().map(|i| i["nomination"]["id"].as_str().unwrap_or("")).collect(),
    );
    assert!(!offered.contains(&of_peer.as_str()), "the peer's nomination is not offered: {}", queue.body);
    assert!(offered.contains(&legit.as_str()), "the volunteer's is: {}", queue.body);
    let score = async |who: &Session, n: &str| {
        let body = json!({"scores": [8, 8, 8], "comment": "扎实"});
        app.post(format!("/api/v1/honour-nominations/{n}/scores"), Some(&who.access), body).await
    };
    refused(score(west, &of_peer).await);
    assert_eq!(app.count("honour_scores").await, 0);
    score(d.city(), &of_peer).await.expect(201);
    assert_eq!(app.count("honour_scores").await, 1);
}

#[tokio::test]
async fn an_administrator_made_before_the_rule_cannot_decide_for_its_creator() {
    let d = Duties::new().await;
    let app = &d.app;
    // As the finding left things: a second station administrator the first one created.
    let second: Uuid = d.peer.user_id.parse().unwrap();
    entity::user::Entity::update_many()
        .col_expr(
            entity::user::Column::CreatedBy,
            sea_orm::sea_query::Expr::value(Some(d.admin().user_id.parse::<Uuid>().unwrap())),
        )
        .filter(entity::user::Column::Id.eq(second))
        .exec(app.db())
        .await
        .unwrap();
    let hours = d.claim_hours(d.admin()).await;
    refused(d.decide_hours(&d.peer, &hours).await);
    assert_eq!(d.hours_status(&hours).await, HoursStatus::Pending);
    let body = json!({"kind": "social_worker", "number": "SW-creator", "issuingBody": "民政部",
        "issuedOn": d.today() - Duration::days(100), "evidenceRef": "files/cert.pdf"});
    let cred = app.post("/api/v1/me/credentials", Some(&d.admin().access), body).await.expect(201).str("id");
    refused(app.post(format!("/api/v1/credentials/{cred}/verify"), Some(&d.peer.access), json!(null)).await);
    // And the creator cannot decide for it either; the district decides both.
    let theirs = d.claim_hours(&d.peer).await;
    refused(d.decide_hours(d.admin(), &theirs).await);
    d.decide_hours(d.district(), &hours).await.expect(200);
    d.decide_hours(d.district(), &theirs).await.expect(200);
    app.post(format!("/api/v1/credentials/{cred}/verify"), Some(&d.district().access), json!(null)).await.expect(200);
}
