//! Honours: programmes and their states, eligibility at its boundaries, nominations within quota
//! under concurrency, the panel's conflicts of interest and blind scores, ranking with ties, the
//! decision, the public notice with objections, publication, the honour wall, revocation and
//! automatic star honours.

use crate::helpers::{NowUtc, Session, TestApp, TwoStations, spawn_app};
use chrono::{Datelike, Duration};
use entity::honour_programme::ProgrammeState;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use setup::*;
use uuid::Uuid;

/// Set-up through the domain (and a few direct writes to move windows), shared with the matrix.
pub mod setup {
    use crate::helpers::{NowUtc, Session, TestApp};
    use chrono::{Datelike, Duration, NaiveDate};
    use entity::honour_programme::{self, ProgrammeKind, ProgrammeState};
    use entity::user::Role;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
    use uuid::Uuid;
    use wushe::domain::honours::eligibility::Rule;
    use wushe::domain::honours::nominations::{self, NewNomination};
    use wushe::domain::honours::notice::{self, Awardee};
    use wushe::domain::honours::{self, NewProgramme};
    use wushe::domain::kernel::actor::Actor;

    /// A session as the domain sees it.
    pub fn actor(s: &Session, role: Role, unit: Option<&str>) -> Actor {
        Actor { user_id: s.user_id.parse().unwrap(), role, org_unit_id: unit.map(|u| u.parse().unwrap()) }
    }

    /// A city administrator's actor.
    pub fn city(s: &Session) -> Actor {
        actor(s, Role::CityAdmin, None)
    }

    /// A programme open for nominations from a day ago to a day ahead, review closing in two.
    pub fn input(app: &TestApp, quota: i32, rules: Vec<Rule>) -> NewProgramme {
        let now = app.clock.now_utc();
        NewProgramme {
            name: "年度最美社工".into(),
            kind: ProgrammeKind::MostBeautifulSocialWorker,
            year: now.year(),
            nominee_role: None,
            nomination_opens_at: now - Duration::days(1),
            nomination_closes_at: now + Duration::days(1),
            review_closes_at: now + Duration::days(2),
            awards: 3,
            station_quota: quota,
            notice_working_days: None,
            time_zone: None,
            rules,
            criteria: None,
        }
    }

    /// A draft programme.
    pub async fn draft(app: &TestApp, city: &Actor, quota: i32, rules: Vec<Rule>) -> Uuid {
        honours::create(app.db(), city, app.clock.now_utc(), input(app, quota, rules)).await.unwrap().row.id
    }

    /// Moves a programme one step on.
    pub async fn advance(app: &TestApp, city: &Actor, p: Uuid, to: ProgrammeState) {
        honours::advance(app.db(), city, app.clock.now_utc(), p, to).await.unwrap();
    }

    /// A programme taking nominations.
    pub async fn nominating(app: &TestApp, city: &Actor, quota: i32, rules: Vec<Rule>) -> Uuid {
        let p = draft(app, city, quota, rules).await;
        advance(app, city, p, ProgrammeState::Nominating).await;
        p
    }

    /// `by` nominates `nominee`; returns the nomination.
    pub async fn nominate(app: &TestApp, by: &Actor, p: Uuid, nominee: &str) -> Uuid {
        let n = NewNomination {
            nominee_id: nominee.parse().unwrap(),
            statement: "长期扎根社区".into(),
            evidence: vec!["苏民〔2026〕1号".into()],
            override_reason: None,
        };
        nominations::nominate(app.db(), by, app.clock.now_utc(), p, n, &app.state.config.talent).await.unwrap().row.id
    }

    /// Seats a person on the panel directly (whatever their qualification).
    pub async fn seat(app: &TestApp, p: Uuid, reviewer: &str, by: &Actor) {
        entity::honour_reviewer::ActiveModel {
            programme_id: Set(p),
            reviewer_id: Set(reviewer.parse().unwrap()),
            appointed_by: Set(by.user_id),
            appointed_at: Set(app.clock.now_utc()),
        }
        .insert(app.db())
        .await
        .unwrap();
    }

    /// Moves a programme's windows so that the review has closed.
    pub async fn close_review(app: &TestApp, p: Uuid) {
        let now = app.clock.now_utc();
        let row = honour_programme::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
        let mut am = row.into_active_model();
        am.nomination_closes_at = Set(now - Duration::minutes(2));
        am.review_closes_at = Set(now - Duration::minutes(1));
        am.update(app.db()).await.unwrap();
    }

    /// Ends a programme's public notice now.
    pub async fn end_notice(app: &TestApp, p: Uuid) {
        let row = honour_programme::Entity::find_by_id(p).one(app.db()).await.unwrap().unwrap();
        let mut am = row.into_active_model();
        am.notice_ends_at = Set(Some(app.clock.now_utc() - Duration::minutes(1)));
        am.update(app.db()).await.unwrap();
    }

    /// A programme in public notice with one honour, for `nominee`; returns (programme, honour).
    pub async fn in_notice(app: &TestApp, city: &Actor, nominee: &str) -> (Uuid, Uuid) {
        let p = nominating(app, city, 10, Vec::new()).await;
        let n = nominate(app, city, p, nominee).await;
        advance(app, city, p, ProgrammeState::Reviewing).await;
        close_review(app, p).await;
        let awardees = vec![Awardee { nomination_id: n, citation: "扎根社区十年".into() }];
        let d = notice::decide(app.db(), city, app.clock.now_utc(), p, awardees, None).await.unwrap();
        advance(app, city, p, ProgrammeState::PublicNotice).await;
        (p, d.honours[0].id)
    }

    /// A published honour of `recipient`, written directly.
    pub async fn published(app: &TestApp, recipient: &str) -> Uuid {
        let now = app.clock.now_utc();
        let id = Uuid::now_v7();
        entity::honour::ActiveModel {
            id: Set(id),
            programme_id: Set(None),
            nomination_id: Set(None),
            recipient_id: Set(recipient.parse().unwrap()),
            kind: Set(ProgrammeKind::Custom),
            year: Set(now.year()),
            title: Set("优秀志愿者".into()),
            citation: Set("热心服务".into()),
            status: Set(entity::honour::HonourStatus::Published),
            auto_key: Set(None),
            reason: Set(None),
            created_at: Set(now),
            published_at: Set(Some(now)),
            ended_at: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
        id
    }

    /// Approved minutes for `owner` on `date`, written to the ledger directly.
    pub async fn approved(app: &TestApp, owner: &str, unit: &str, minutes: i32, date: NaiveDate) {
        use entity::hours_entry::{self, HoursSource, HoursStatus};
        let owner: Uuid = owner.parse().unwrap();
        hours_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            volunteer_id: Set(owner),
            task_id: Set(None),
            org_unit_id: Set(unit.parse().unwrap()),
            source: Set(HoursSource::SelfReport),
            minutes: Set(minutes),
            status: Set(HoursStatus::Approved),
            service_date: Set(date),
            description: Set(Some("服务".into())),
            adjusts_id: Set(None),
            reason: Set(None),
            flagged: Set(false),
            disputed_at: Set(None),
            dispute_comment: Set(None),
            created_by: Set(owner),
            decided_by: Set(None),
            decided_at: Set(None),
            created_at: Set(app.clock.now_utc()),
            entry_key: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
    }
}

fn programme_body(app: &TestApp) -> Value {
    let now = app.clock.now_utc();
    json!({
        "name": "2026年度最美社工", "kind": "most_beautiful_social_worker", "year": now.year(),
        "nominationOpensAt": now - Duration::hours(1), "nominationClosesAt": now + Duration::days(10),
        "reviewClosesAt": now + Duration::days(20), "awards": 2, "stationQuota": 3,
        "rules": [{"rule": "min_volunteer_hours", "value": 100, "period": "all_time"},
                  {"rule": "ce_requirement_met"}],
        "criteria": [{"name": "事迹", "weight": 50}, {"name": "能力", "weight": 30}, {"name": "影响", "weight": 20}],
    })
}

async fn audit_count(app: &TestApp, action: &str) -> u64 {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .count(app.db())
        .await
        .unwrap()
}

async fn told(app: &TestApp, who: &str, template: &str) -> bool {
    let id: Uuid = who.parse().unwrap();
    let rows = jobs::entity::outbox::Entity::find().all(app.db()).await.unwrap();
    rows.iter().any(|r| r.payload.contains(&id.to_string()) && r.payload.contains(&format!("\"{template}\"")))
}

#[tokio::test]
async fn programmes_move_forward_only_by_the_city_admin_and_tell_people() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let city = &f.city_admin.access;
    let east = &f.stations[0];
    app.post("/api/v1/honour-programmes", Some(&east.admin.access), programme_body(&app))
        .await
        .expect_problem(403, "forbidden");
    let mut bad = programme_body(&app);
    bad["reviewClosesAt"] = json!(app.clock.now_utc());
    app.post("/api/v1/honour-programmes", Some(city), bad).await.expect_problem(400, "invalid_windows");
    let mut bad = programme_body(&app);
    bad["rules"] = json!([{"rule": "min_star_level"}]);
    app.post("/api/v1/honour-programmes", Some(city), bad).await.expect_problem(400, "invalid_rule");
    let mut bad = programme_body(&app);
    bad["surprise"] = json!(1);
    assert_eq!(app.post("/api/v1/honour-programmes", Some(city), bad).await.status, 400);
    assert_eq!(app.count("honour_programmes").await, 0, "nothing was created by bad input");

    let p = app.post("/api/v1/honour-programmes", Some(city), programme_body(&app)).await.expect(201);
    assert_eq!(p.body["state"], "draft");
    assert_eq!(p.body["noticeWorkingDays"], 5);
    assert_eq!(p.body["rules"][0]["period"], "all_time");
    let id = p.str("id");
    // Drafts are the city's own.
    app.get(&format!("/api/v1/honour-programmes/{id}"), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");
    let advance = |to: &'static str| {
        let path = format!("/api/v1/honour-programmes/{id}/advance");
        async move { (path, json!({"to": to})) }
    };
    let (path, body) = advance("reviewing").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "invalid_transition");
    // A draft changes freely; bad changes change nothing.
    let at = format!("/api/v1/honour-programmes/{id}");
    let changed = app.patch(&at, Some(city), json!({"stationQuota": 5, "rules": []})).await.expect(200);
    assert_eq!(
        (changed.body["stationQuota"].as_i64(), changed.body["rules"].as_array().map(Vec::len)),
        (Some(5), Some(0))
    );
    app.patch(&at, Some(city), json!({"reviewClosesAt": app.clock.now_utc()}))
        .await
        .expect_problem(400, "invalid_windows");
    app.patch(&at, Some(&east.admin.access), json!({"awards": 9})).await.expect_problem(403, "forbidden");
    let (path, body) = advance("nominating").await;
    app.post(&path, Some(&east.admin.access), body.clone()).await.expect_problem(403, "forbidden");
    app.post(&path, Some(city), body).await.expect(200);
    assert!(told(&app, &east.admin.user_id, "honour.call").await, "station admins hear the call");
    assert!(told(&app, &f.stations[1].admin.user_id, "honour.call").await);
    app.get(&format!("/api/v1/honour-programmes/{id}"), Some(&east.volunteer.access)).await.expect(200);
    let (path, body) = advance("decided").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "invalid_transition");
    // While nominating, only the deadlines move.
    app.patch(&at, Some(city), json!({"awards": 9})).await.expect_problem(409, "programme_locked");
    let later = app.clock.now_utc() + Duration::days(15);
    let moved = app.patch(&at, Some(city), json!({"nominationClosesAt": later})).await.expect(200);
    assert_eq!(moved.body["awards"], 2);
    assert_eq!(moved.body["stationQuota"], 5);
    let (path, body) = advance("reviewing").await;
    app.post(&path, Some(city), body).await.expect(200);
    let (path, body) = advance("decided").await;
    app.post(&path, Some(city), body).await.expect_problem(409, "decision_required");
    assert_eq!(audit_count(&app, "honour_programme.advance").await, 2);
    assert_eq!(audit_count(&app, "honour_programme.update").await, 2);
    assert_eq!(audit_count(&app, "honour_programme.create").await, 1);
}

#[tokio::test]
async fn each_eligibility_rule_at_its_boundary() {
    use wushe::domain::honours::eligibility::{HoursPeriod, Rule};
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let now = app.clock.now_utc();
    let year = now.year();
    let rules = vec![
        Rule::MinVolunteerHours { hours: 100, period: HoursPeriod::Year },
        Rule::MinVolunteerHours { hours: 150, period: HoursPeriod::AllTime },
    ];
    // Two rules of the same name are refused; so each rule gets its own programme.
    assert!(wushe::domain::honours::eligibility::validate_rules(&rules).is_err());
    let check = async |p: Uuid, who: &Session| -> Value {
        app.get(format!("/api/v1/honour-programmes/{p}/eligibility/{}", who.user_id), Some(&f.city_admin.access))
            .await
            .expect(200)
            .body[0]
            .clone()
    };
    let v = app.quick_volunteers(1, Some(&east.room)).await.remove(0);
    let this_year = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    let last_year = chrono::NaiveDate::from_ymd_opt(year - 1, 6, 1).unwrap();
    approved(&app, &v.user_id, &east.room, 99 * 60, this_year).await;
    approved(&app, &v.user_id, &east.room, 50 * 60, last_year).await;
    let in_year = nominating(&app, &c, 10, vec![rules[0]]).await;
    let all_time = nominating(&app, &c, 10, vec![rules[1]]).await;
    let r = check(in_year, &v).await;
    assert_eq!(
        (r["outcome"].as_str(), r["required"].as_i64(), r["actual"].as_i64()),
        (Some("not_met"), Some(100), Some(99))
    );
    assert_eq!(check(all_time, &v).await["outcome"], "not_met", "149 h < 150 h");
    approved(&app, &v.user_id, &east.room, 60, this_year).await;
    assert_eq!(check(in_year, &v).await["outcome"], "met", "exactly 100 h in the year");
    assert_eq!(check(all_time, &v).await["outcome"], "met", "exactly 150 h all time");

    // Star level: from the recorded star levels.
    let stars = nominating(&app, &c, 10, vec![Rule::MinStarLevel { level: 1 }]).await;
    assert_eq!(check(stars, &v).await["actual"], 0);
    wushe::domain::volunteering::stars::award_stars(app.db(), v.user_id.parse().unwrap(), now, &[100, 300])
        .await
        .unwrap();
    assert_eq!(check(stars, &v).await["outcome"], "met");

    // Active months: from the account's creation.
    let months = nominating(&app, &c, 10, vec![Rule::ActiveMonths { months: 6 }]).await;
    let set_created = async |at: chrono::DateTime<chrono::Utc>| {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let u = entity::user::Entity::find_by_id(v.user_id.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap();
        let mut am = u.unwrap().into_active_model();
        am.created_at = Set(at);
        am.update(app.db()).await.unwrap();
    };
    set_created(now.checked_sub_months(chrono::Months::new(6)).unwrap() + Duration::seconds(1)).await;
    assert_eq!(check(months, &v).await["outcome"], "not_met");
    set_created(now.checked_sub_months(chrono::Months::new(6)).unwrap()).await;
    assert_eq!(check(months, &v).await["outcome"], "met");

    // Front-line years: from the social-work profile; none on it → not evaluated.
    let sw = &east.social_worker;
    let front = nominating(&app, &c, 10, vec![Rule::FrontLineYears { years: 2 }]).await;
    let r = check(front, sw).await;
    assert_eq!(r["outcome"], "not_evaluated");
    assert!(r["note"].is_string());
    let today = wushe::domain::kernel::time::local_date(now, "Asia/Shanghai");
    let set_since = async |d: chrono::NaiveDate| {
        use sea_orm::{ActiveValue::Set, sea_query::OnConflict};
        let row = entity::social_worker_profile::ActiveModel {
            user_id: Set(sw.user_id.parse().unwrap()),
            qualification_level: Set(None),
            employer_org_unit_id: Set(None),
            front_line_since: Set(Some(d)),
            updated_at: Set(now),
        };
        entity::social_worker_profile::Entity::insert(row)
            .on_conflict(
                OnConflict::column(entity::social_worker_profile::Column::UserId)
                    .update_column(entity::social_worker_profile::Column::FrontLineSince)
                    .to_owned(),
            )
            .exec_without_returning(app.db())
            .await
            .unwrap();
    };
    set_since(today.with_year(today.year() - 2).unwrap() + Duration::days(1)).await;
    assert_eq!(check(front, sw).await["outcome"], "not_met");
    set_since(today.with_year(today.year() - 2).unwrap()).await;
    assert_eq!(check(front, sw).await["outcome"], "met");

    // No honour of the same kind in the last N years (other programmes', published or decided).
    let fresh = nominating(&app, &c, 10, vec![Rule::NoSameKindAwardWithin { years: 2 }]).await;
    assert_eq!(check(fresh, sw).await["outcome"], "met");
    let old = published(&app, &sw.user_id).await;
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let h = entity::honour::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        let mut am = h.into_active_model();
        am.kind = Set(entity::honour_programme::ProgrammeKind::MostBeautifulSocialWorker);
        am.year = Set(year - 3);
        am.update(app.db()).await.unwrap();
    }
    assert_eq!(check(fresh, sw).await["outcome"], "met", "three years ago is outside the last two");
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let h = entity::honour::Entity::find_by_id(old).one(app.db()).await.unwrap().unwrap();
        let mut am = h.into_active_model();
        am.year = Set(year - 2);
        am.update(app.db()).await.unwrap();
    }
    let r = check(fresh, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(1)));

    // A rule that cannot be evaluated (no certificate: no CE requirement) is never passed silently.
    use entity::social_worker_profile::QualificationLevel;
    for rule in [Rule::CeRequirementMet] {
        let p = nominating(&app, &c, 10, vec![rule]).await;
        let r = check(p, sw).await;
        assert_eq!(r["outcome"], "not_evaluated", "{rule:?}");
        assert!(r["actual"].is_null() && r["note"].is_string());
    }
    // The verified level comes from credentials: a declared level alone does not count.
    let p =
        nominating(&app, &c, 10, vec![Rule::MinSocialWorkLevel { level: QualificationLevel::AssistantSocialWorker }])
            .await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
    // Once a social-worker certificate is verified, it counts.
    let today = app.clock.now_utc().date_naive();
    let cred = app
        .post(
            "/api/v1/me/credentials",
            Some(&sw.access),
            json!({"kind": "social_worker", "number": "SW-2026-0001", "issuingBody": "民政部", "issuedOn": today,
                   "evidenceRef": "files/cert.pdf"}),
        )
        .await
        .expect(201);
    app.post(format!("/api/v1/credentials/{}/verify", cred.str("id")), Some(&east.admin.access), json!(null))
        .await
        .expect(200);
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("met"), Some(2)));
    // With a certificate comes a continuing-education requirement, not yet met (0 of 90 hours).
    let p = nominating(&app, &c, 10, vec![Rule::CeRequirementMet]).await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
    // Mentoring sessions come from the mentoring log: none logged as a mentor this year.
    let p = nominating(&app, &c, 10, vec![Rule::MentoringSessionsInYear { sessions: 1 }]).await;
    let r = check(p, sw).await;
    assert_eq!((r["outcome"].as_str(), r["actual"].as_i64()), (Some("not_met"), Some(0)));
}

#[tokio::test]
async fn ineligible_nominees_are_refused_unless_the_city_overrides_with_a_reason() {
    use wushe::domain::honours::eligibility::{HoursPeriod, Rule};
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let rules = vec![Rule::MinVolunteerHours { hours: 10, period: HoursPeriod::AllTime }, Rule::CeRequirementMet];
    let p = nominating(&app, &c, 5, rules).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let v = &east.volunteer;
    let body = json!({"nomineeId": v.user_id, "statement": "热心服务"});
    let r = app.post(&path, Some(&east.admin.access), body.clone()).await.expect_problem(422, "not_eligible");
    assert!(r.body["detail"].as_str().unwrap().contains("min_volunteer_hours"));
    assert!(!r.body["detail"].as_str().unwrap().contains("ce_requirement_met"), "not evaluated is not failing");
    let mut over = body.clone();
    over["overrideReason"] = json!("抗疫一线表现突出");
    app.post(&path, Some(&east.admin.access), over.clone()).await.expect_problem(403, "override_not_allowed");
    assert_eq!(app.count("honour_nominations").await, 0);
    let n = app.post(&path, Some(&f.city_admin.access), over).await.expect(201);
    assert_eq!(n.body["overrideReason"], "抗疫一线表现突出");
    let outcomes: Vec<&str> =
        n.body["evaluation"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["not_met", "not_evaluated"]);
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("honour_nomination.create"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.reason.as_deref(), Some("抗疫一线表现突出"));
    assert!(told(&app, &v.user_id, "honour.nominated").await, "the nominee is told");
    // Once per person per programme.
    app.post(
        &path,
        Some(&f.city_admin.access),
        json!({"nomineeId": v.user_id, "statement": "x", "overrideReason": "y"}),
    )
    .await
    .expect_problem(409, "already_nominated");
}

#[tokio::test]
async fn nominations_respect_window_scope_role_and_length() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let p = nominating(&app, &c, 5, Vec::new()).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let body = |who: &Session| json!({"nomineeId": who.user_id, "statement": "热心服务"});
    app.post(&path, Some(&east.volunteer.access), body(&east.social_worker)).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&east.social_worker.access), body(&east.volunteer)).await.expect_problem(403, "forbidden");
    app.post(&path, Some(&east.admin.access), body(&west.volunteer)).await.expect_problem(404, "not_found");
    app.post(&path, Some(&east.admin.access), body(&east.admin)).await.expect_problem(403, "self_nomination");
    let long = json!({"nomineeId": east.volunteer.user_id, "statement": "长".repeat(2001)});
    assert_eq!(app.post(&path, Some(&east.admin.access), long).await.status, 400);
    let many = json!({"nomineeId": east.volunteer.user_id, "statement": "x", "evidence": vec!["e"; 11]});
    assert_eq!(app.post(&path, Some(&east.admin.access), many).await.status, 400);
    // A programme for social workers only.
    let mut input = input(&app, 5, Vec::new());
    input.nominee_role = Some(entity::user::Role::SocialWorker);
    let sw_only = wushe::domain::honours::create(app.db(), &c, app.clock.now_utc(), input).await.unwrap().row.id;
    advance(&app, &c, sw_only, ProgrammeState::Nominating).await;
    app.post(
        format!("/api/v1/honour-programmes/{sw_only}/nominations"),
        Some(&east.admin.access),
        body(&east.volunteer),
    )
    .await
    .expect_problem(422, "wrong_role");
    // Outside the window.
    close_review(&app, p).await;
    app.post(&path, Some(&east.admin.access), body(&east.volunteer)).await.expect_problem(409, "nomination_closed");
    assert_eq!(app.count("honour_nominations").await, 0);
    // A draft is not found by a station admin.
    let d = draft(&app, &c, 5, Vec::new()).await;
    app.post(format!("/api/v1/honour-programmes/{d}/nominations"), Some(&east.admin.access), body(&east.volunteer))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn twenty_concurrent_nominations_for_a_quota_of_three_make_exactly_three() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = nominating(&app, &c, 3, Vec::new()).await;
    let people = app.quick_volunteers(20, Some(&east.room)).await;
    let path = format!("/api/v1/honour-programmes/{p}/nominations");
    let calls = people
        .iter()
        .map(|v| app.post(&path, Some(&east.admin.access), json!({"nomineeId": v.user_id, "statement": "热心服务"})));
    let results = futures::future::join_all(calls).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused = results.iter().filter(|r| r.status == 409 && r.body["code"] == "quota_exceeded").count();
    assert_eq!((created, refused), (3, 17), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(app.count("honour_nominations").await, 3);
    // The city administrator is not limited by a station's quota.
    let extra =
        app.post(&path, Some(&f.city_admin.access), json!({"nomineeId": people[19].user_id, "statement": "x"})).await;
    assert!(extra.status == 201 || extra.body["code"] == "already_nominated", "{}", extra.body);
    // Declining gives the place back; the nominator is told.
    let mine = app.get(&path, Some(&east.admin.access)).await.expect(200);
    let first = mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["nominatorId"] == json!(east.admin.user_id))
        .unwrap()
        .clone();
    let nominee = people.iter().find(|v| json!(v.user_id) == first["nominee"]["id"]).unwrap();
    let id = first["id"].as_str().unwrap();
    app.post(format!("/api/v1/honour-nominations/{id}/decline"), Some(&east.admin.access), json!({}))
        .await
        .expect_problem(404, "not_found");
    let d = app
        .post(
            format!("/api/v1/honour-nominations/{id}/decline"),
            Some(&nominee.access),
            json!({"reason": "让给年轻人"}),
        )
        .await
        .expect(200);
    assert_eq!(d.body["status"], "declined");
    assert!(told(&app, &east.admin.user_id, "honour.declined").await);
    let spare = people
        .iter()
        .find(|v| {
            !results.iter().any(|r| r.body["nominee"]["id"] == json!(v.user_id)) && v.user_id != people[19].user_id
        })
        .unwrap();
    app.post(&path, Some(&east.admin.access), json!({"nomineeId": spare.user_id, "statement": "补充推荐"}))
        .await
        .expect(201);
}

/// A reviewing programme with nominations of `nominees` (by `by`), and `reviewer` on its panel.
async fn reviewing_with(
    app: &TestApp,
    f: &TwoStations,
    by: &wushe::domain::kernel::actor::Actor,
    nominees: &[&str],
) -> (Uuid, Vec<Uuid>) {
    let c = city(&f.city_admin);
    let p = nominating(app, &c, 10, Vec::new()).await;
    let mut ids = Vec::new();
    for n in nominees {
        ids.push(nominate(app, by, p, n).await);
    }
    advance(app, &c, p, ProgrammeState::Reviewing).await;
    (p, ids)
}

fn score_body(s: [i32; 3]) -> Value {
    json!({"scores": s, "comment": "事迹突出"})
}

#[tokio::test]
async fn conflicts_of_interest_are_hidden_and_refused() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let reviewer = &east.admin;
    let (p, ids) =
        reviewing_with(&app, &f, &c, &[&reviewer.user_id, &east.volunteer.user_id, &west.volunteer.user_id]).await;
    seat(&app, p, &reviewer.user_id, &c).await;
    // One they nominated: a second city administrator (no station of their own) nominates.
    let city2 = app.city_admin().await;
    let strangers = app.quick_volunteers(2, Some(&west.room)).await;
    let q = nominating(&app, &c, 10, Vec::new()).await;
    let mine = nominate(&app, &city(&city2), q, &strangers[0].user_id).await;
    let theirs = nominate(&app, &c, q, &strangers[1].user_id).await;
    advance(&app, &c, q, ProgrammeState::Reviewing).await;
    seat(&app, q, &city2.user_id, &c).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&reviewer.access)).await.expect(200);
    let listed: Vec<&str> =
        queue.body.as_array().unwrap().iter().map(|i| i["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [ids[2].to_string()], "self and same-station nominations are hidden");
    assert_eq!(queue.body[0]["unverifiedChecks"], json!([]), "every conflict, mentoring included, is checked");
    for (id, why) in [(ids[0], "self"), (ids[1], "same_station")] {
        let r = app
            .post(format!("/api/v1/honour-nominations/{id}/scores"), Some(&reviewer.access), score_body([8, 8, 8]))
            .await;
        let r = r.expect_problem(403, "conflict_of_interest");
        assert!(r.body["detail"].as_str().unwrap().contains(why));
    }
    let queue = app.get(format!("/api/v1/honour-programmes/{q}/review"), Some(&city2.access)).await.expect(200);
    let listed: Vec<&str> =
        queue.body.as_array().unwrap().iter().map(|i| i["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(listed, [theirs.to_string()], "one they nominated is hidden");
    let r =
        app.post(format!("/api/v1/honour-nominations/{mine}/scores"), Some(&city2.access), score_body([8, 8, 8])).await;
    assert!(r.expect_problem(403, "conflict_of_interest").body["detail"].as_str().unwrap().contains("nominator"));
    assert_eq!(app.count("honour_scores").await, 0);
    // Not on the panel; out of range; wrong count.
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&west.admin.access), score_body([8, 8, 8]))
        .await
        .expect_problem(403, "not_a_reviewer");
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 11, 8]))
        .await
        .expect_problem(400, "score_out_of_range");
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 0, 8]))
        .await
        .expect_problem(400, "score_out_of_range");
    app.post(
        format!("/api/v1/honour-nominations/{}/scores", ids[2]),
        Some(&reviewer.access),
        json!({"scores": [8, 8], "comment": "x"}),
    )
    .await
    .expect_problem(400, "invalid_scores");
    assert_eq!(app.count("honour_scores").await, 0);
    // The reviewer recuses themselves (their mentee, say): hidden and refused from then on.
    let recuse = format!("/api/v1/honour-nominations/{}/recuse", ids[2]);
    app.post(&recuse, Some(&west.admin.access), json!({"reason": "x"})).await.expect_problem(403, "not_a_reviewer");
    app.post(&recuse, Some(&reviewer.access), json!({"reason": "系我的结对志愿者"})).await.expect(204);
    app.post(&recuse, Some(&reviewer.access), json!({"reason": "again"})).await.expect(204);
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&reviewer.access)).await.expect(200);
    assert!(queue.body.as_array().unwrap().is_empty(), "{}", queue.body);
    let r = app
        .post(format!("/api/v1/honour-nominations/{}/scores", ids[2]), Some(&reviewer.access), score_body([8, 8, 8]))
        .await;
    assert!(r.expect_problem(403, "conflict_of_interest").body["detail"].as_str().unwrap().contains("declared"));
}

#[tokio::test]
async fn scores_are_blind_until_one_scores_and_ranking_breaks_ties() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let nominees = app.quick_volunteers(4, Some(&west.room)).await;
    let names: Vec<&str> = nominees.iter().map(|s| s.user_id.as_str()).collect();
    let (p, ids) = reviewing_with(&app, &f, &c, &names).await;
    let r1 = &east.admin;
    let r2 = app.create_user(&f.city_admin, "station_admin", Some(&east.id)).await;
    let r3 = app.city_admin().await;
    for r in [r1, &r2, &r3] {
        seat(&app, p, &r.user_id, &c).await;
    }
    let score = async |who: &Session, n: Uuid, s: [i32; 3]| {
        app.post(format!("/api/v1/honour-nominations/{n}/scores"), Some(&who.access), score_body(s)).await.expect(201)
    };
    // A: 8 and 8 (two reviews); B: 8 (one review); C: 8 and 8, nominated after A; D: 6.
    score(r1, ids[0], [8, 8, 8]).await;
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&r2.access)).await.expect(200);
    let a = queue.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(ids[0])).unwrap();
    assert!(a["allScores"].is_null() && a["myScore"].is_null(), "no peeking before scoring: {a}");
    let second = score(&r2, ids[0], [8, 8, 8]).await;
    assert_eq!(second.body["allScores"]["reviews"], 2);
    assert_eq!(second.body["allScores"]["mean"], 8.0);
    assert!(second.body.to_string().find(&r1.user_id).is_none(), "no names next to scores");
    score(&r3, ids[1], [8, 8, 8]).await;
    score(r1, ids[2], [9, 7, 8]).await; // default weights 40/30/30: 8.1
    score(&r2, ids[2], [7, 9, 8]).await; // 7.9: mean 8.0, spread 0.2
    score(&r3, ids[3], [6, 6, 6]).await;
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r1.access), score_body([1, 1, 1]))
        .await
        .expect_problem(409, "already_scored");
    let queue = app.get(format!("/api/v1/honour-programmes/{p}/review"), Some(&r1.access)).await.expect(200);
    let c_item = queue.body.as_array().unwrap().iter().find(|i| i["nomination"]["id"] == json!(ids[2])).unwrap();
    assert_eq!(c_item["myScore"]["weighted"], 8.1);
    assert!((c_item["allScores"]["spread"].as_f64().unwrap() - 0.2).abs() < 1e-9);
    app.get(format!("/api/v1/honour-programmes/{p}/ranking"), Some(&east.admin.access))
        .await
        .expect_problem(403, "forbidden");
    let ranking =
        app.get(format!("/api/v1/honour-programmes/{p}/ranking"), Some(&f.city_admin.access)).await.expect(200);
    let order: Vec<&str> =
        ranking.body.as_array().unwrap().iter().map(|l| l["nomination"]["id"].as_str().unwrap()).collect();
    assert_eq!(order, [ids[0].to_string(), ids[2].to_string(), ids[1].to_string(), ids[3].to_string()]);
    assert_eq!(ranking.body[0]["rank"], 1);
    assert_eq!(ranking.body[0]["scores"].as_array().unwrap().len(), 2);
    assert!(ranking.body[0]["scores"][0]["reviewerName"].is_string(), "the city administrator sees who scored");

    // The decision: not before the review closes; a deviation needs a reason.
    let decide = |awardees: Vec<Uuid>, reason: Option<&str>| {
        let body = json!({"awardees": awardees.iter().map(|n| json!({"nominationId": n, "citation": "扎根社区"})).collect::<Vec<_>>(), "reason": reason});
        app.post(format!("/api/v1/honour-programmes/{p}/decision"), Some(&f.city_admin.access), body)
    };
    decide(vec![ids[0], ids[2]], None).await.expect_problem(409, "review_not_closed");
    close_review(&app, p).await;
    app.post(format!("/api/v1/honour-nominations/{}/scores", ids[0]), Some(&r3.access), score_body([9, 9, 9]))
        .await
        .expect_problem(409, "review_closed");
    decide(vec![ids[0], ids[1]], None).await.expect_problem(422, "deviation_reason_required");
    decide(vec![ids[0], ids[1], ids[2], ids[3]], None).await.expect_problem(422, "invalid_awardee_count");
    let d = decide(vec![ids[0], ids[1]], Some("B 在防疫中表现突出")).await.expect(200);
    assert_eq!(d.body["deviatesFromRanking"], true);
    assert_eq!(d.body["programme"]["state"], "decided");
    let audit = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("honour_programme.decide"))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit.reason.as_deref(), Some("B 在防疫中表现突出"));
    decide(vec![ids[0], ids[2]], None).await.expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn public_notice_objections_publication_wall_and_revocation() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let (p, h) = in_notice(&app, &c, &east.social_worker.user_id).await;
    let notices = app.get("/api/v1/honour-notices", None).await.expect(200);
    assert_eq!(notices.body["items"][0]["id"], json!(h));
    assert!(notices.body["items"][0]["noticeEndsAt"].is_string());
    assert_eq!(notices.body["items"][0]["station"], "东站");
    let wall = app.get("/api/v1/honors", None).await.expect(200);
    assert!(wall.body["items"].as_array().unwrap().is_empty(), "nothing on the wall before publication");
    assert!(told(&app, &east.social_worker.user_id, "honour.notice").await);

    let object = async |who: &Session| {
        app.post(format!("/api/v1/honours/{h}/objections"), Some(&who.access), json!({"statement": "事迹有出入"})).await
    };
    app.post(format!("/api/v1/honours/{h}/objections"), None, json!({"statement": "x"})).await.expect(401);
    let o = object(&west.volunteer).await.expect(201);
    object(&west.volunteer).await.expect_problem(409, "already_objected");
    let advance = |to: &str| {
        app.post(format!("/api/v1/honour-programmes/{p}/advance"), Some(&f.city_admin.access), json!({"to": to}))
    };
    advance("published").await.expect_problem(409, "notice_running");
    end_notice(&app, p).await;
    object(&west.social_worker).await.expect_problem(409, "notice_closed");
    advance("published").await.expect_problem(409, "objections_open");
    let resolve = format!("/api/v1/honour-objections/{}/resolve", o.str("id"));
    app.post(&resolve, Some(&east.admin.access), json!({"upheld": false, "reason": "x"}))
        .await
        .expect_problem(403, "forbidden");
    app.post(&resolve, Some(&f.city_admin.access), json!({"upheld": false, "reason": "经核实无误"})).await.expect(200);
    app.post(&resolve, Some(&f.city_admin.access), json!({"upheld": true, "reason": "x"}))
        .await
        .expect_problem(409, "already_resolved");
    advance("published").await.expect(200);
    assert!(told(&app, &east.social_worker.user_id, "honour.published").await);

    // The wall: published only, nothing private.
    let other = in_notice(&app, &c, &west.social_worker.user_id).await;
    let wall = app.get("/api/v1/honors", None).await.expect(200);
    let items = wall.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", wall.body);
    let line = &items[0];
    assert_eq!(line["id"], json!(h));
    assert_eq!(line["citation"], "扎根社区十年");
    assert_eq!(line["station"], "东站");
    let text = wall.body.to_string();
    for private in [east.social_worker.phone.as_str(), "phone", "volunteerNumber", "statement", "evidence"] {
        assert!(!text.contains(private), "the wall shows {private}: {text}");
    }
    let profile = app.get(format!("/api/v1/honors?personId={}", east.social_worker.user_id), None).await.expect(200);
    assert_eq!(profile.body["items"].as_array().unwrap().len(), 1);
    let mine = app.get("/api/v1/me/honours", Some(&west.social_worker.access)).await.expect(200);
    assert_eq!(mine.body["items"][0]["id"], json!(other.1));
    assert_eq!(mine.body["items"][0]["status"], "decided");

    // An upheld objection withdraws; a published honour can be revoked and leaves the wall.
    let o2 = object(&east.volunteer).await;
    assert_eq!(o2.status, 404, "the first programme's notice is over");
    let o3 = app
        .post(
            format!("/api/v1/honours/{}/objections", other.1),
            Some(&east.volunteer.access),
            json!({"statement": "不实"}),
        )
        .await
        .expect(201);
    app.post(
        format!("/api/v1/honour-objections/{}/resolve", o3.str("id")),
        Some(&f.city_admin.access),
        json!({"upheld": true, "reason": "材料不实"}),
    )
    .await
    .expect(200);
    let withdrawn = entity::honour::Entity::find_by_id(other.1).one(app.db()).await.unwrap().unwrap();
    assert_eq!(withdrawn.status, entity::honour::HonourStatus::Withdrawn);
    app.post(format!("/api/v1/honours/{}/revoke", other.1), Some(&f.city_admin.access), json!({"reason": "x"}))
        .await
        .expect_problem(409, "not_published");
    app.post(format!("/api/v1/honours/{h}/revoke"), Some(&f.city_admin.access), json!({"reason": "材料造假"}))
        .await
        .expect(200);
    assert!(app.get("/api/v1/honors", None).await.expect(200).body["items"].as_array().unwrap().is_empty());
    assert_eq!(audit_count(&app, "honour.revoke").await, 1);
    // A published programme's results stay as they are.
    app.post(
        format!("/api/v1/honour-programmes/{p}/decision"),
        Some(&f.city_admin.access),
        json!({"awardees": [{"nominationId": Uuid::now_v7(), "citation": "x"}]}),
    )
    .await
    .expect_problem(409, "invalid_transition");
}

#[tokio::test]
async fn an_automatic_star_honour_is_made_once_when_two_approvals_cross_100_hours() {
    let s = crate::service_fixture::Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.now().date_naive();
    approved(&s.app, &v.user_id, &s.room, 99 * 60, today).await;
    let mut pair = Vec::new();
    for _ in 0..2 {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 40, "description": "x"}),
            )
            .await
            .expect(201);
        pair.push(e.str("id"));
    }
    let (a, b) = tokio::join!(
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [pair[0]], "approve": true})),
        s.app.post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [pair[1]], "approve": true})),
    );
    a.expect(200);
    b.expect(200);
    let honours = entity::honour::Entity::find().all(s.app.db()).await.unwrap();
    assert_eq!(honours.len(), 1, "{honours:?}");
    assert_eq!(honours[0].title, "1星志愿者");
    let wall = s.app.get(format!("/api/v1/honors?personId={}", v.user_id), None).await.expect(200);
    assert_eq!(wall.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn five_consecutive_years_of_service_make_one_automatic_honour() {
    let s = crate::service_fixture::Service::new().await;
    let v = s.app.register_volunteer().await;
    let today = s.now().date_naive();
    for back in [1, 2, 3, 4, 7] {
        let d = chrono::NaiveDate::from_ymd_opt(today.year() - back, 6, 1).unwrap();
        approved(&s.app, &v.user_id, &s.room, 60, d).await;
    }
    let mut pair = Vec::new();
    for _ in 0..2 {
        let e = s
            .app
            .post(
                "/api/v1/me/hours/claims",
                Some(&v.access),
                json!({"orgUnitId": s.room, "serviceDate": today, "minutes": 30, "description": "x"}),
            )
            .await
            .expect(201);
        pair.push(e.str("id"));
    }
    let (a, b) = tokio::join!(
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [pair[0]], "approve": true})),
        s.app.post("/api/v1/hours/decisions", Some(&s.admin.access), json!({"ids": [pair[1]], "approve": true})),
    );
    a.expect(200);
    b.expect(200);
    let honours = entity::honour::Entity::find().all(s.app.db()).await.unwrap();
    assert_eq!(honours.len(), 1, "{honours:?}");
    assert_eq!(honours[0].year, today.year());
    assert!(honours[0].title.contains('5'), "{}", honours[0].title);
}

#[tokio::test]
async fn a_retried_nomination_with_the_same_key_is_made_once() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let east = &f.stations[0];
    let p = nominating(&app, &c, 1, Vec::new()).await;
    let path = format!("{}/api/v1/honour-programmes/{p}/nominations", app.base);
    let body = json!({"nomineeId": east.volunteer.user_id, "statement": "热心服务"});
    let send = async || {
        let r = app
            .client
            .post(&path)
            .bearer_auth(&east.admin.access)
            .header("idempotency-key", "nominate-1")
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.headers().get("idempotent-replayed").is_some(), r.text().await.unwrap())
    };
    let first = send().await;
    let again = send().await;
    assert_eq!((first.0, first.1), (201, false));
    assert_eq!((again.0, again.1), (201, true));
    assert_eq!(first.2, again.2, "the first answer, byte for byte");
    assert_eq!(app.count("honour_nominations").await, 1);
}

#[tokio::test]
async fn honours_are_in_the_export_and_erasure_keeps_awards_but_not_what_people_wrote() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let c = city(&f.city_admin);
    let [east, west] = &f.stations;
    let v = &east.volunteer;
    let (_, h) = in_notice(&app, &c, &v.user_id).await;
    let objection = wushe::domain::honours::notice::object(
        app.db(),
        &actor(&west.volunteer, entity::user::Role::Volunteer, None),
        app.clock.now_utc(),
        h,
        "我认识他，事迹属实吗？",
    )
    .await
    .unwrap();
    let p = nominating(&app, &c, 5, Vec::new()).await;
    let running = nominate(&app, &c, p, &v.user_id).await;
    let export = app.get("/api/v1/me/export", Some(&v.access)).await.expect(200);
    let section = &export.body["sections"]["honours"];
    assert_eq!(section["honours"][0]["id"], json!(h), "{section}");
    assert_eq!(section["nominationsOfMe"].as_array().unwrap().len(), 2);
    let theirs = app.get("/api/v1/me/export", Some(&west.volunteer.access)).await.expect(200);
    assert_eq!(theirs.body["sections"]["honours"]["objections"][0]["id"], json!(objection.id));

    app.post("/api/v1/me/erase", Some(&west.volunteer.access), json!({"password": crate::helpers::PASSWORD}))
        .await
        .expect(204);
    let o = entity::honour_objection::Entity::find_by_id(objection.id).one(app.db()).await.unwrap().unwrap();
    assert!(!o.statement.contains("我认识他"), "the objector's words are gone");
    app.post("/api/v1/me/erase", Some(&v.access), json!({"password": crate::helpers::PASSWORD})).await.expect(204);
    let n = entity::honour_nomination::Entity::find_by_id(running).one(app.db()).await.unwrap().unwrap();
    assert_eq!(n.status, entity::honour_nomination::NominationStatus::Declined, "out of the running");
    assert!(!n.statement.contains("长期扎根社区"));
    assert!(entity::honour::Entity::find_by_id(h).one(app.db()).await.unwrap().is_some(), "the award stays");
}
