//! Projects and needs in the console over HTTP: a need recorded on the page (a resident's name
//! has no field), its suggestions with their reasons, answered with a project; the project's
//! page with its funding and figures; another station's need refused.

use super::pages::{Visitor, sign_in};
use crate::helpers::{Session, TestApp, spawn_app};
use entity::community_need::{self, NeedStatus};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sea_orm::EntityTrait;
use serde_json::json;

async fn visitor(app: &TestApp, who: &Session) -> Visitor {
    let (r, v) = sign_in(app, &who.phone).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    v
}

#[tokio::test]
async fn a_need_recorded_on_the_page_is_matched_and_answered_by_a_project() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    let project = app
        .post(
            "/api/v1/projects",
            Some(&east.admin.access),
            json!({"name": "长者助餐项目", "ownerUnitId": east.id, "actionLine": "help", "startsOn": "2026-01-01",
                   "endsOn": "2027-06-30"}),
        )
        .await
        .expect(201)
        .str("id");
    app.post(
        format!("/api/v1/projects/{project}/funding"),
        Some(&east.admin.access),
        json!({"kind": "government_purchase", "amountFen": 8_000_000, "startsOn": "2026-01-01", "endsOn": "2026-12-31"}),
    )
    .await
    .expect(201);
    app.post(
        "/api/v1/resources",
        Some(&east.admin.access),
        json!({"orgUnitId": east.room, "kind": "venue", "title": "社区长者食堂", "serves": "elderly_care"}),
    )
    .await
    .expect(201);

    let v = visitor(&app, &east.admin).await;
    let csrf = v.csrf(&app).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("key", "n1"),
        ("title", "独居老人午餐"),
        ("kind", "elderly_care"),
        ("urgency", "high"),
        ("households", "12"),
        ("unit", east.room.as_str()),
    ];
    let r = v.post(&app, "/console/needs", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    let (status, html) = v.get(&app, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("社区长者食堂")
            && html.contains("data-reason=\"same_unit\"")
            && html.contains("data-reason=\"fits_kind\"")
    );
    let bad = [
        ("csrf", csrf.as_str()),
        ("key", "n2"),
        ("title", "x"),
        ("kind", "elderly_care"),
        ("urgency", "high"),
        ("households", "0"),
        ("unit", east.room.as_str()),
    ];
    let r = v.post(&app, "/console/needs", &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("data-code=\"validation_failed\""));

    let need = to.trim_start_matches("/console/needs/").to_string();
    let r = v
        .post(&app, &format!("/console/needs/{need}/answer"), &[("csrf", &csrf), ("key", "a1"), ("project", &project)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let row =
        community_need::Entity::find_by_id(need.parse::<uuid::Uuid>().unwrap()).one(app.db()).await.unwrap().unwrap();
    assert_eq!((row.status, row.project_id.map(|p| p.to_string())), (NeedStatus::Answered, Some(project.clone())));
    let r = v
        .post(&app, &format!("/console/needs/{need}/answer"), &[("csrf", &csrf), ("key", "a2"), ("project", &project)])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("data-code=\"need_answered\""));

    let (_, html) = v.get(&app, "/console/projects").await;
    assert!(html.contains("长者助餐项目"));
    let (_, html) = v.get(&app, &format!("/console/projects/{project}")).await;
    assert!(html.contains("id=\"funded\">80000.0<") && html.contains("data-kind=\"government_purchase\""), "{html}");

    let other = visitor(&app, &west.admin).await;
    let (status, _) = other.get(&app, &format!("/console/needs/{need}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
