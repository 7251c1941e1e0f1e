//! `/api/v1/stats/overview`: after service at two stations, a station's and the city's figures
//! (active and new volunteers, star levels, social workers by verified level, registration and
//! continuing education, tasks held and their fill rate) count what happened in their subtree and span only; scope and bad input as
//! for the hours table.

use super::support::{app, month, serve_everywhere, today};
use crate::credential_fixture;
use chrono::Months;
use entity::credential::CredentialStatus;
use entity::star_award;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};

fn span(app: &crate::helpers::TestApp) -> String {
    let today = today(app);
    format!("from={}&to={}", month(today - Months::new(13)), month(today))
}

#[tokio::test]
async fn a_units_figures_count_its_subtree_and_span_only() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;
    let [east, _] = &f.stations;
    // The first station's volunteer reached two star levels; their highest counts.
    for level in [1, 2] {
        star_award::ActiveModel {
            volunteer_id: Set(east.volunteer.user_id.parse().unwrap()),
            level: Set(level),
            minutes: Set(60 * level),
            reached_at: Set(crate::helpers::NowUtc::now_utc(&app.clock)),
        }
        .insert(app.db())
        .await
        .unwrap();
    }
    // As recording them would: statistics counts the volunteer at their highest level.
    wushe::domain::registry::star_levels_recorded(app.db(), east.volunteer.user_id.parse().unwrap(), &[1, 2])
        .await
        .unwrap();
    let holder = east.social_worker.user_id.parse().unwrap();
    credential_fixture::give(&app, holder, "social_worker", CredentialStatus::Verified, None).await;
    credential_fixture::give(&app, holder, "senior_social_worker", CredentialStatus::Submitted, None).await;
    let q = span(&app);
    let get = |unit: String| {
        let (app, token, q) = (&app, f.city_admin.access.clone(), q.clone());
        async move { app.get(format!("/api/v1/stats/overview?orgUnitId={unit}&{q}"), Some(&token)).await.expect(200).body }
    };

    let station = get(east.id.clone()).await;
    assert_eq!(station["orgUnitId"], east.id.as_str());
    // Two volunteers claimed in each of two rounds, and the station's own served on a task.
    assert_eq!(station["volunteers"]["active"], 5);
    assert_eq!(station["volunteers"]["new"], 5);
    assert_eq!(station["volunteers"]["byStarLevel"], json!([{"level": 2, "volunteers": 1}]));
    // The station's social worker holds a verified 社会工作师 certificate, not yet registered,
    // and no CE hours; a senior certificate awaiting verification does not count.
    let sw = &station["socialWorkers"];
    assert_eq!(sw["total"], 1);
    assert_eq!(
        sw["byVerifiedLevel"],
        json!([
            {"level": null, "socialWorkers": 0},
            {"level": "assistant_social_worker", "socialWorkers": 0},
            {"level": "social_worker", "socialWorkers": 1},
            {"level": "senior_social_worker", "socialWorkers": 0},
        ])
    );
    assert_eq!(sw["byRegistration"], json!([{"status": "unregistered", "socialWorkers": 1}]));
    assert_eq!(sw["continuingEducation"], json!({"onTrack": 0, "behind": 1, "withoutLevel": 0}));
    assert_eq!(station["tasks"], json!({"held": 1, "seats": 10, "filled": 1, "fillRate": 0.1}));
    assert_eq!(station["mentoring"], json!({"activePairs": 0, "graduatedPairs": 0, "sessionsLogged": 0}));
    assert_eq!(station["honours"], json!([]));

    // The same figures to download: a CSV line and a workbook row per figure.
    let path = format!("/api/v1/stats/overview.csv?orgUnitId={}&{q}", east.id);
    let csv = app.get(&path, Some(&f.city_admin.access)).await.expect(200);
    let text = csv.body.as_str().unwrap().trim_start_matches('\u{feff}').to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "org_unit_id,org_unit,from,to,section,figure,value");
    for figure in [
        "volunteers,active,5",
        "volunteers,star_level_2,1",
        "social_workers,verified_level_social_worker,1",
        "social_workers,registration_unregistered,1",
        "social_workers,ce_behind,1",
        "tasks,fill_rate,0.100",
    ] {
        assert!(lines.iter().any(|l| l.ends_with(figure)), "{figure} in {text}");
    }
    let xlsx = format!("/api/v1/stats/overview.xlsx?orgUnitId={}&{q}", east.id);
    let sheet = super::support::xlsx_sheet(&app, &xlsx, &f.city_admin.access).await;
    assert_eq!(sheet.matches("<row ").count(), lines.len(), "a row per CSV line");

    let city = get(f.city.clone()).await;
    assert_eq!(city["volunteers"]["active"], 10);
    assert_eq!(city["volunteers"]["new"], 10);
    assert_eq!(city["socialWorkers"]["total"], 2);
    assert_eq!(city["socialWorkers"]["continuingEducation"], json!({"onTrack": 0, "behind": 1, "withoutLevel": 1}));
    assert_eq!(city["tasks"], json!({"held": 2, "seats": 20, "filled": 2, "fillRate": 0.1}));

    // A span before anything happened counts nobody active, nothing held.
    let old = app
        .get(format!("/api/v1/stats/overview?orgUnitId={}&from=2020-01&to=2020-12", f.city), Some(&f.city_admin.access))
        .await
        .expect(200)
        .body;
    assert_eq!(old["volunteers"]["active"], 0);
    assert_eq!(old["volunteers"]["new"], 0);
    assert_eq!(old["tasks"]["held"], 0);
    assert_eq!(old["tasks"]["fillRate"], 0.0);
}

#[tokio::test]
async fn the_overview_is_scoped_and_checks_its_months() {
    let (app, f) = app().await;
    let [east, west] = &f.stations;
    let own: Value = app.get("/api/v1/stats/overview", Some(&east.admin.access)).await.expect(200).body;
    assert_eq!(own["orgUnitId"], east.id.as_str());
    app.get(format!("/api/v1/stats/overview?orgUnitId={}", west.id), Some(&east.admin.access))
        .await
        .expect_problem(404, "not_found");
    for path in ["/api/v1/stats/overview", "/api/v1/stats/overview.csv", "/api/v1/stats/overview.xlsx"] {
        app.get(format!("{path}?orgUnitId={}", east.room), Some(&east.volunteer.access))
            .await
            .expect_problem(403, "forbidden");
    }
    let token = Some(f.city_admin.access.as_str());
    for (q, code) in [
        ("from=2026-00", "invalid_month"),
        ("from=2026-05&to=2026-04", "invalid_month_range"),
        ("from=2023-01&to=2026-12", "month_range_too_long"),
    ] {
        for path in ["/api/v1/stats/overview", "/api/v1/stats/overview.csv", "/api/v1/stats/overview.xlsx"] {
            app.get(format!("{path}?{q}"), token).await.expect_problem(400, code);
        }
    }
}
