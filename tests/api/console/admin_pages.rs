//! The console's approval queues, people and records over HTTP: each decision reaches the
//! database, each refusal shows the API's own code and changes nothing, and who may not see a
//! page is refused it.

use super::pages::{Visitor, sign_in};
use crate::helpers::{Session, TestApp, spawn_app};
use crate::service_fixture::Service;
use chrono::Duration;
use entity::credential::CredentialStatus;
use entity::learning_entry::LearningStatus;
use entity::signup::SignupStatus;
use entity::user::{Role, UserStatus};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

async fn visitor(app: &TestApp, who: &Session) -> Visitor {
    let (r, v) = sign_in(app, &who.phone).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    v
}

/// The `data-code` of the first refusal or problem on a page.
fn code_on(html: &str) -> String {
    let at = html.find("data-code=\"").unwrap_or_else(|| panic!("a problem on the page: {html}")) + 11;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn queues_decide_item_by_item_and_a_refusal_shows_the_apis_code_and_changes_nothing() {
    let s = Service::new().await;
    let app = &s.app;
    let worker: Uuid = s.organiser.user_id.parse().unwrap();
    let claim = app
        .post(
            "/api/v1/me/learning/claims",
            Some(&s.organiser.access),
            json!({"title": "外部督导培训", "minutes": 120, "completedOn": s.today() - Duration::days(3),
                   "countsAsCe": true, "evidenceRef": "files/claim.pdf"}),
        )
        .await
        .expect(201)
        .str("id");
    let credential =
        crate::credential_fixture::give(app, worker, "social_worker", CredentialStatus::Submitted, None).await;
    let v = visitor(app, &s.admin).await;
    let csrf = v.csrf(app).await;

    // Training claims: a decline without a reason is refused as the API refuses it.
    let (status, html) = v.get(app, "/console/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("外部督导培训") && html.contains(&claim), "the pending claim is listed");
    let r = v.post(app, "/console/claims/decisions", &[("csrf", &csrf), ("id", &claim), ("decision", "decline")]).await;
    let refused_status = r.status();
    let code = code_on(&r.text().await.unwrap());
    let direct =
        app.post(format!("/api/v1/learning/{claim}/decision"), Some(&s.admin.access), json!({"approve": false})).await;
    assert_eq!((refused_status, code.as_str()), (direct.status, direct.body["code"].as_str().unwrap()));
    let row = entity::learning_entry::Entity::find_by_id(claim.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap();
    assert_eq!(row.unwrap().status, LearningStatus::Pending, "nothing changed");
    let r = v.post(app, "/console/claims/decisions", &[("csrf", &csrf), ("id", &claim), ("decision", "approve")]).await;
    assert_eq!(r.headers()[LOCATION], "/console/claims?decided=1");
    let row = entity::learning_entry::Entity::find_by_id(claim.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap();
    assert_eq!(row.unwrap().status, LearningStatus::Approved);

    // Credentials.
    let (_, html) = v.get(app, "/console/credentials").await;
    assert!(html.contains(&credential.to_string()), "the submitted certificate, by its number");
    let id = credential.to_string();
    let r =
        v.post(app, "/console/credentials/decisions", &[("csrf", &csrf), ("id", &id), ("decision", "approve")]).await;
    assert_eq!(r.headers()[LOCATION], "/console/credentials?decided=1");
    let row = entity::credential::Entity::find_by_id(credential).one(app.db()).await.unwrap().unwrap();
    assert_eq!(row.status, CredentialStatus::Verified);
    let (_, html) = v.get(app, "/console/credentials").await;
    assert!(html.contains("id=\"empty\""), "the queue is empty once decided");

    // A managed task's sign-ups, and its roster file.
    let mut body = s.task_body(Duration::days(2), 3, 5);
    body["signupMode"] = json!("managed");
    let task = s.publish(body).await;
    let volunteer = app.create_user(&s.admin, "volunteer", Some(&s.room)).await;
    // A volunteer who registered, not an account the administrator made (whose records are a
    // higher administrator's to decide).
    app.forget_creator(&[&volunteer]).await;
    let signup = s.sign_up(&task, &volunteer).await["id"].as_str().unwrap().to_string();
    let (_, html) = v.get(app, "/console/tasks").await;
    assert!(html.contains(&format!("/console/tasks/{task}")), "the task is listed");
    let (_, html) = v.get(app, &format!("/console/tasks/{task}")).await;
    assert!(html.contains(&signup), "the pending sign-up is listed");
    assert!(!html.contains(&volunteer.phone), "phone numbers masked as the API gives them");
    let here = format!("/console/tasks/{task}/decisions");
    let r = v.post(app, &here, &[("csrf", &csrf), ("id", &signup), ("decision", "approve")]).await;
    assert_eq!(r.headers()[LOCATION], format!("/console/tasks/{task}?decided=1").as_str());
    let row = entity::signup::Entity::find_by_id(signup.parse::<Uuid>().unwrap()).one(app.db()).await.unwrap();
    assert_eq!(row.unwrap().status, SignupStatus::Confirmed);
    let (status, csv) = v.get(app, &format!("/console/tasks/{task}/roster.csv")).await;
    assert_eq!(status, StatusCode::OK);
    let number = app.get("/api/v1/me", Some(&volunteer.access)).await.expect(200).str("volunteerNumber");
    assert!(csv.contains(&number), "the roster file holds the confirmed volunteer: {csv}");
}

#[tokio::test]
async fn people_are_managed_within_scope_and_the_records_are_the_city_administrators() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let east = &f.stations[0];
    let station = visitor(&app, &east.admin).await;
    let csrf = station.csrf(&app).await;
    let volunteer = &east.volunteer;

    let (status, html) = station.get(&app, "/console/people").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("/console/people/{}", volunteer.user_id)), "the station's volunteer is listed");
    assert!(!html.contains(&volunteer.phone), "phone numbers are masked");
    assert!(!html.contains(&f.stations[1].volunteer.user_id), "another station's people are not");

    // Beyond one's powers: the API's refusal on the page, nothing changed.
    let path = format!("/console/people/{}", volunteer.user_id);
    let r = station.post(&app, &path, &[("csrf", &csrf), ("role", "city_admin"), ("status", "active")]).await;
    let (refused, code) = (r.status(), code_on(&r.text().await.unwrap()));
    let direct = app
        .patch(format!("/api/v1/users/{}", volunteer.user_id), Some(&east.admin.access), json!({"role": "city_admin"}))
        .await;
    assert_eq!((refused, code.as_str()), (direct.status, direct.body["code"].as_str().unwrap()));
    let id: Uuid = volunteer.user_id.parse().unwrap();
    let row = entity::user::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
    assert_eq!((row.role, row.status), (Role::Volunteer, UserStatus::Active), "nothing changed");

    let form = [("csrf", csrf.as_str()), ("role", "volunteer"), ("status", "suspended"), ("reason", "长期未参加活动")];
    let r = station.post(&app, &path, &form).await;
    assert_eq!(r.headers()[LOCATION], format!("{path}?done=updated").as_str());
    let row = entity::user::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
    assert_eq!(row.status, UserStatus::Suspended);
    let r = station.post(&app, &format!("{path}/reset-code"), &[("csrf", &csrf)]).await;
    assert_eq!(r.headers()[LOCATION], format!("{path}?done=code_sent").as_str());

    // The audit log and dead letters are the city's.
    let (status, html) = station.get(&app, "/console/audit").await;
    assert_eq!((status, code_on(&html).as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, _) = station.get(&app, "/console/dead-jobs").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let city = visitor(&app, &f.city_admin).await;
    let (status, html) = city.get(&app, &format!("/console/audit?target={}", volunteer.user_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("长期未参加活动") && html.contains("suspended"), "the change and its reason: {html}");
    let (status, html) = city.get(&app, "/console/audit?target=not-an-id").await;
    assert_eq!((status, code_on(&html).as_str()), (StatusCode::BAD_REQUEST, "validation_failed"));

    let queue = &app.state.jobs.queue;
    queue.enqueue(jobs::NewJob::new("console.dead", ())).await.unwrap();
    let job = queue.fetch(1, std::time::Duration::from_secs(30), std::time::Duration::ZERO).await.unwrap().remove(0);
    queue.bury(&job, "a provider said no").await.unwrap();
    let (_, html) = city.get(&app, "/console/dead-jobs").await;
    assert!(html.contains("console.dead") && html.contains("a provider said no"));
    let city_csrf = city.csrf(&app).await;
    let id = job.id.to_string();
    let r = city
        .post(
            &app,
            "/console/dead-jobs",
            &[("csrf", &city_csrf), ("id", &id), ("queue", "main"), ("action", "discard")],
        )
        .await;
    assert_eq!(r.headers()[LOCATION], "/console/dead-jobs?queue=main&done=discarded");
    let (_, html) = city.get(&app, "/console/dead-jobs").await;
    assert!(!html.contains("console.dead"), "discarded");
}

#[tokio::test]
async fn the_dashboards_tables_download_as_the_api_makes_them() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let v = visitor(&app, &f.stations[0].admin).await;
    let (_, html) = v.get(&app, "/console?from=2026-01&to=2026-06").await;
    assert!(html.contains("/console/stats/hours.xlsx?from=2026-01&amp;to=2026-06"), "links keep the months shown");
    for (file, kind) in [
        ("hours.csv", "text/csv"),
        ("overview.csv", "text/csv"),
        ("hours.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("overview.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ] {
        let r = reqwest::Client::new()
            .get(format!("{}/console/stats/{file}?from=2026-01&to=2026-06", app.base))
            .header(reqwest::header::COOKIE, &v.cookies)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{file}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with(kind), "{file}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(file), "{file}");
    }
    let (status, _) = v.get(&app, "/console/stats/people.csv").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the dashboard's tables");
    let (status, _) = v.get(&app, &format!("/console/stats/hours.csv?unit={}", f.stations[1].id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another station's figures are refused");
}
