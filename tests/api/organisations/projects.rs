//! `/api/v1/projects`: a project of a station, run by a social organisation, funded by a charity
//! fund's grant and a government contract; tasks join it when created and their approved hours
//! count for it; funding outside its dates, a grant used twice, tasks outside it and changes
//! after closing are refused and change nothing.

use crate::helpers::credit_code;
use crate::service_fixture::Service;
use chrono::Duration;
use entity::hours_entry::{self, HoursStatus};
use entity::project_funding_line;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// A social organisation, a station fund holding 50,000 fen and an approved grant of 30,000 to
/// the organisation: (organisation, grant).
async fn funded(s: &Service) -> (String, String) {
    let app = &s.app;
    let org = app
        .post(
            "/api/v1/social-organisations",
            Some(&s.admin.access),
            json!({"creditCode": credit_code(), "name": "湖东助老服务社", "kind": "social_service",
                   "registrationAuthority": "苏州市民政局", "serviceUnitId": s.station}),
        )
        .await
        .expect(201)
        .str("id");
    let fund = app
        .post("/api/v1/charity-funds", Some(&s.admin.access), json!({"orgUnitId": s.station, "name": "湖东慈善基金"}))
        .await
        .expect(201)
        .str("id");
    let gift = json!({"amountFen": 50_000, "anonymous": true, "channel": "bank_transfer", "receivedOn": s.today()});
    app.post(format!("/api/v1/charity-funds/{fund}/donations"), Some(&s.admin.access), gift).await.expect(201);
    let grant = app
        .post(
            format!("/api/v1/charity-funds/{fund}/grants"),
            Some(&s.city_admin.access),
            json!({"amountFen": 30_000, "purpose": "独居老人陪伴项目", "recipientOrganisationId": org}),
        )
        .await
        .expect(201)
        .str("id");
    let decision = json!({"approve": true, "reason": "委员会审议通过"});
    app.post(format!("/api/v1/charity-funds/{fund}/grants/{grant}/decision"), Some(&s.admin.access), decision)
        .await
        .expect(200);
    (org, grant)
}

fn line(kind: &str, fen: i64, from: chrono::NaiveDate, to: chrono::NaiveDate, grant: Option<&str>) -> Value {
    json!({"kind": kind, "amountFen": fen, "startsOn": from, "endsOn": to, "deliverables": "每周探访 40 户", "grantId": grant})
}

#[tokio::test]
async fn a_granted_project_gathers_its_tasks_hours_and_closes_with_an_evaluation() {
    let s = Service::new().await;
    let app = &s.app;
    let (org, grant) = funded(&s).await;
    let (start, end) = (s.today() - Duration::days(10), s.today() + Duration::days(100));
    let project = app
        .post(
            "/api/v1/projects",
            Some(&s.admin.access),
            json!({"name": "独居老人陪伴项目", "ownerUnitId": s.station, "organisationId": org, "actionLine": "help",
                   "startsOn": start, "endsOn": end}),
        )
        .await
        .expect(201);
    assert_eq!(project.body["status"], "open");
    let project = project.str("id");
    let funding = format!("/api/v1/projects/{project}/funding");
    let admin = Some(s.admin.access.as_str());

    app.post(&funding, admin, line("charity_grant", 30_000, start, end, Some(&grant))).await.expect(201);
    app.post(&funding, admin, line("government_purchase", 80_000, start, end, None)).await.expect(201);
    app.post(&funding, admin, line("charity_grant", 1_000, start, end, Some(&grant)))
        .await
        .expect_problem(400, "invalid_grant");
    app.post(&funding, admin, line("charity_grant", 1_000, start, end, None))
        .await
        .expect_problem(400, "invalid_grant");
    app.post(&funding, admin, line("self_raised", 1_000, start, end, Some(&grant)))
        .await
        .expect_problem(400, "invalid_grant");
    app.post(&funding, admin, line("venture_award", 1_000, start - Duration::days(1), end, None))
        .await
        .expect_problem(400, "funding_outside_project");
    app.post(&funding, admin, line("venture_award", 1_000, start, end + Duration::days(1), None))
        .await
        .expect_problem(400, "funding_outside_project");
    app.patch(format!("/api/v1/projects/{project}"), admin, json!({"endsOn": end - Duration::days(1)}))
        .await
        .expect_problem(400, "funding_outside_project");
    assert_eq!(project_funding_line::Entity::find().count(app.db()).await.unwrap(), 2);

    // A task of the station's room joins the project; two volunteers serve four hours each.
    let mut body = s.task_body(Duration::days(1), 4, 5);
    body["projectId"] = json!(project);
    let task = s.publish(body).await;
    let shown = app.get(format!("/api/v1/tasks/{task}"), Some(&s.organiser.access)).await.expect(200);
    assert_eq!(shown.body["projectId"], project.as_str());
    let volunteers = app.quick_volunteers(2, Some(&s.room)).await;
    let signups: Vec<String> = futures::future::join_all(volunteers.iter().map(|v| s.sign_up(&task, v)))
        .await
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect();
    app.clock.advance(Duration::days(1));
    for su in &signups {
        let path = format!("/api/v1/signups/{su}/attendance");
        app.post(&path, Some(&s.organiser.access), json!({"action": "check_in", "reason": "统一签到"}))
            .await
            .expect(200);
    }
    app.clock.advance(Duration::hours(4));
    for su in &signups {
        let path = format!("/api/v1/signups/{su}/attendance");
        app.post(&path, Some(&s.organiser.access), json!({"action": "check_out", "reason": "统一签退"}))
            .await
            .expect(200);
    }
    let pending: Vec<String> = hours_entry::Entity::find()
        .filter(hours_entry::Column::TaskId.eq(uuid::Uuid::parse_str(&task).unwrap()))
        .filter(hours_entry::Column::Status.eq(HoursStatus::Pending))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(pending.len(), 2, "one entry per volunteer");
    let before = app.get(format!("/api/v1/projects/{project}"), Some(&volunteers[0].access)).await.expect(200);
    assert_eq!(before.body["figures"], json!({"tasks": 1, "minutes": 0, "serviceCount": 0, "volunteers": 0}));
    app.post("/api/v1/hours/decisions", admin, json!({"ids": pending, "approve": true})).await.expect(200);

    let detail = app.get(format!("/api/v1/projects/{project}"), Some(&volunteers[0].access)).await.expect(200);
    assert_eq!(detail.body["figures"], json!({"tasks": 1, "minutes": 480, "serviceCount": 2, "volunteers": 2}));
    assert_eq!(detail.body["fundedFen"], 110_000);
    assert_eq!(detail.body["funding"][0]["grantId"], grant.as_str());
    assert_eq!(detail.body["project"]["organisationId"], org.as_str());
    let of_org = app.get(format!("/api/v1/projects?organisationId={org}"), admin).await.expect(200);
    assert_eq!(of_org.body["items"][0]["id"], project.as_str());

    // Tasks outside its dates are refused; closing is final.
    let mut late = s.task_body(Duration::days(200), 2, 5);
    late["projectId"] = json!(project);
    app.post("/api/v1/tasks", Some(&s.organiser.access), late).await.expect_problem(400, "task_outside_project");
    let mut stranger = s.task_body(Duration::days(2), 2, 5);
    stranger["projectId"] = json!(uuid::Uuid::now_v7());
    app.post("/api/v1/tasks", Some(&s.organiser.access), stranger).await.expect_problem(400, "project_not_found");
    let closed = app
        .patch(format!("/api/v1/projects/{project}"), admin, json!({"closingEvaluation": "服务 40 户，满意度 96%"}))
        .await
        .expect(200);
    assert_eq!(closed.body["status"], "closed");
    app.patch(format!("/api/v1/projects/{project}"), admin, json!({"name": "改名"}))
        .await
        .expect_problem(409, "project_closed");
    app.post(&funding, admin, line("self_raised", 100, start, end, None)).await.expect_problem(409, "project_closed");
    let mut after = s.task_body(Duration::days(3), 2, 5);
    after["projectId"] = json!(project);
    app.post("/api/v1/tasks", Some(&s.organiser.access), after).await.expect_problem(409, "project_closed");
}

#[tokio::test]
async fn bad_projects_are_refused_and_change_nothing() {
    let s = Service::new().await;
    let app = &s.app;
    let admin = Some(s.admin.access.as_str());
    let base = json!({"name": "项目", "ownerUnitId": s.station, "actionLine": "home",
                      "startsOn": "2026-01-01", "endsOn": "2026-12-31"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    app.post("/api/v1/projects", admin, with("endsOn", json!("2025-12-31"))).await.expect_problem(400, "invalid_dates");
    app.post("/api/v1/projects", admin, with("endsOn", json!("2035-12-31"))).await.expect_problem(400, "invalid_dates");
    app.post("/api/v1/projects", admin, with("ownerUnitId", json!(uuid::Uuid::now_v7())))
        .await
        .expect_problem(400, "org_unit_not_found");
    app.post("/api/v1/projects", admin, with("organisationId", json!(uuid::Uuid::now_v7())))
        .await
        .expect_problem(400, "recipient_not_found");
    app.post("/api/v1/projects", admin, with("actionLine", json!("party")))
        .await
        .expect_problem(400, "validation_failed");
    app.post("/api/v1/projects", Some(&s.organiser.access), base.clone()).await.expect_problem(403, "forbidden");
    assert_eq!(entity::project::Entity::find().count(app.db()).await.unwrap(), 0);
    let id = app.post("/api/v1/projects", admin, base).await.expect(201).str("id");
    let funding = format!("/api/v1/projects/{id}/funding");
    let bad = json!({"kind": "self_raised", "amountFen": -1, "startsOn": "2026-02-01", "endsOn": "2026-03-01"});
    app.post(&funding, admin, bad).await.expect_problem(400, "validation_failed");
    assert_eq!(project_funding_line::Entity::find().count(app.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_task_joins_a_project_after_it_was_created_and_stays_within_its_dates() {
    let s = Service::new().await;
    let app = &s.app;
    let admin = Some(s.admin.access.as_str());
    let (start, end) = (s.today(), s.today() + Duration::days(30));
    let project = app
        .post(
            "/api/v1/projects",
            admin,
            json!({"name": "社区环境项目", "ownerUnitId": s.station, "actionLine": "home", "startsOn": start, "endsOn": end}),
        )
        .await
        .expect(201)
        .str("id");
    let task = s.publish(s.task_body(Duration::days(2), 2, 5)).await;
    let path = format!("/api/v1/tasks/{task}");
    let organiser = Some(s.organiser.access.as_str());
    let figures = || async {
        app.get(format!("/api/v1/projects/{project}"), admin).await.expect(200).body["figures"]["tasks"].clone()
    };
    assert_eq!(figures().await, 0);

    let joined = app.patch(&path, organiser, json!({"projectId": project})).await.expect(200);
    assert_eq!(joined.body["projectId"], project.as_str());
    assert_eq!(figures().await, 1);
    // Moving it past the project's end is refused while it is in the project, and changes nothing.
    let late = s.now() + Duration::days(40);
    app.patch(&path, organiser, json!({"startsAt": late, "endsAt": late + Duration::hours(2)}))
        .await
        .expect_problem(400, "task_outside_project");
    let shown = app.get(&path, organiser).await.expect(200);
    assert_eq!(shown.body["projectId"], project.as_str());
    app.patch(&path, organiser, json!({"projectId": uuid::Uuid::now_v7()}))
        .await
        .expect_problem(400, "project_not_found");
    // Leaving the project, it may move.
    let left = app.patch(&path, organiser, json!({"projectId": null})).await.expect(200);
    assert_eq!(left.body["projectId"], Value::Null);
    assert_eq!(figures().await, 0);
    app.patch(&path, organiser, json!({"startsAt": late, "endsAt": late + Duration::hours(2)})).await.expect(200);
}
