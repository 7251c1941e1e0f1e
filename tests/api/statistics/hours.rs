//! `/api/v1/stats/hours` (and its CSV): the table answers within the viewer's scope only, a
//! city's children sum to the city row by row, and bad input is refused with its code.

use super::support::{app, kept, month, serve_everywhere, today};
use crate::helpers::TestApp;
use chrono::Months;
use serde_json::Value;
use std::collections::BTreeMap;

fn span(app: &TestApp) -> String {
    let today = today(app);
    format!("from={}&to={}", month(today - Months::new(13)), month(today))
}

fn totals(u: &Value) -> (i64, i64) {
    (u["minutes"].as_i64().unwrap(), u["serviceCount"].as_i64().unwrap())
}

#[tokio::test]
async fn the_city_drills_down_to_its_children_which_sum_to_it() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;
    let token = Some(f.city_admin.access.as_str());

    let city = app.get(format!("/api/v1/stats/hours?orgUnitId={}&{}", f.city, span(&app)), token).await.expect(200);
    let b = &city.body;
    assert_eq!(b["unit"]["orgUnitId"], f.city.as_str());
    let children = b["children"].as_array().unwrap();
    // The district (holding the first station) and the second station, hanging off the city.
    let ids: Vec<&str> = children.iter().map(|c| c["orgUnitId"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![f.district.as_str(), f.stations[1].id.as_str()]);
    let sum = children.iter().map(totals).fold((0, 0), |a, t| (a.0 + t.0, a.1 + t.1));
    assert_eq!(sum, totals(&b["unit"]));
    assert!(sum.0 > 0);
    // Row by row too: each month and line of the city is its children's.
    let mut by_key: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for c in children {
        for r in c["rows"].as_array().unwrap() {
            let e = by_key.entry((r["month"].as_str().unwrap().into(), r["actionLine"].as_str().unwrap().into()));
            let s = e.or_default();
            s.0 += r["minutes"].as_i64().unwrap();
            s.1 += r["serviceCount"].as_i64().unwrap();
        }
    }
    let city_rows: BTreeMap<(String, String), (i64, i64)> = b["unit"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (r["month"].as_str().unwrap().into(), r["actionLine"].as_str().unwrap().into()),
                (r["minutes"].as_i64().unwrap(), r["serviceCount"].as_i64().unwrap()),
            )
        })
        .collect();
    assert_eq!(by_key, city_rows);
    let first = &b["unit"]["rows"][0];
    assert_eq!(first["hours"].as_f64().unwrap(), (first["minutes"].as_f64().unwrap() / 60.0 * 100.0).round() / 100.0);

    // Down the district to the station to its room: one child each, the same figures.
    let mut unit = f.district.clone();
    for expected_child in [&f.stations[0].id, &f.stations[0].room] {
        let t = app.get(format!("/api/v1/stats/hours?orgUnitId={unit}&{}", span(&app)), token).await.expect(200);
        let children = t.body["children"].as_array().unwrap();
        assert_eq!(children.len(), 1);
        assert_eq!(children[0]["orgUnitId"], expected_child.as_str());
        assert_eq!(totals(&children[0]), totals(&t.body["unit"]));
        unit = expected_child.clone();
    }

    // One action line only.
    let line = app
        .get(format!("/api/v1/stats/hours?orgUnitId={}&{}&actionLine=governance", f.city, span(&app)), token)
        .await
        .expect(200);
    assert_eq!(totals(&line.body["unit"]), (170, 1));
    assert_eq!(totals(&line.body["children"][0]), (0, 0));

    // The same table as CSV: a line per unit, month and line.
    let csv = app.get(format!("/api/v1/stats/hours.csv?orgUnitId={}&{}", f.city, span(&app)), token).await.expect(200);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.body.as_str().unwrap().trim_start_matches('\u{feff}').to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("org_unit_id,org_unit,level,month,action_line,minutes,hours,service_count"));
    let rows = b["unit"]["rows"].as_array().unwrap().len()
        + children.iter().map(|c| c["rows"].as_array().unwrap().len()).sum::<usize>();
    assert_eq!(lines.len(), 1 + rows);

    // And as a workbook: the same lines, the minutes as numbers that add up as the CSV's do.
    let path = format!("/api/v1/stats/hours.xlsx?orgUnitId={}&{}", f.city, span(&app));
    let sheet = super::support::xlsx_sheet(&app, &path, &f.city_admin.access).await;
    assert_eq!(sheet.matches("<row ").count(), lines.len(), "a row per CSV line");
    let csv_minutes: f64 = lines[1..].iter().map(|l| l.split(',').nth(5).unwrap().parse::<f64>().unwrap()).sum();
    let sheet_minutes: f64 = sheet
        .split("<c r=\"F")
        .skip(2) // the header's cell, then the figures
        .map(|c| c.split("<v>").nth(1).unwrap().split("</v>").next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(sheet_minutes, csv_minutes);
}

#[tokio::test]
async fn each_viewer_sees_their_own_scope_only() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;
    let [east, west] = &f.stations;
    let q = span(&app);

    // A station administrator: their own station by default, its room on asking; the other
    // station, the district and the city are not there for them.
    let own = app.get(format!("/api/v1/stats/hours?{q}"), Some(&east.admin.access)).await.expect(200);
    assert_eq!(own.body["unit"]["orgUnitId"], east.id.as_str());
    app.get(format!("/api/v1/stats/hours?orgUnitId={}&{q}", east.room), Some(&east.admin.access)).await.expect(200);
    for other in [&west.id, &west.room, &f.district, &f.city] {
        app.get(format!("/api/v1/stats/hours?orgUnitId={other}&{q}"), Some(&east.admin.access))
            .await
            .expect_problem(404, "not_found");
        app.get(format!("/api/v1/stats/hours.csv?orgUnitId={other}&{q}"), Some(&east.admin.access))
            .await
            .expect_problem(404, "not_found");
        app.get(format!("/api/v1/stats/hours.xlsx?orgUnitId={other}&{q}"), Some(&east.admin.access))
            .await
            .expect_problem(404, "not_found");
    }
    // A district administrator: the district, with the first station below; not the second.
    let district = app.get(format!("/api/v1/stats/hours?{q}"), Some(&f.district_admin.access)).await.expect(200);
    assert_eq!(district.body["unit"]["orgUnitId"], f.district.as_str());
    app.get(format!("/api/v1/stats/hours?orgUnitId={}&{q}", west.id), Some(&f.district_admin.access))
        .await
        .expect_problem(404, "not_found");
    // A city administrator: the city by default.
    let city = app.get(format!("/api/v1/stats/hours?{q}"), Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(city.body["unit"]["orgUnitId"], f.city.as_str());
    // Volunteers and social workers: no statistics at all, not even of their own room.
    for who in [&east.volunteer, &east.social_worker] {
        for path in ["/api/v1/stats/hours", "/api/v1/stats/hours.csv", "/api/v1/stats/hours.xlsx"] {
            app.get(format!("{path}?orgUnitId={}&{q}", east.room), Some(&who.access))
                .await
                .expect_problem(403, "forbidden");
        }
    }
    app.get(format!("/api/v1/stats/hours?{q}"), None).await.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn bad_input_is_refused_with_its_code_and_changes_nothing() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;
    let before = kept(&app).await;
    let token = Some(f.city_admin.access.as_str());
    let cases = [
        ("from=2026-13&to=2026-12", "invalid_month"),
        ("from=2026-1&to=2026-12", "invalid_month"),
        ("from=2026-01&to=26-12", "invalid_month"),
        ("to=2026-12-01", "invalid_month"),
        ("from=2026-05&to=2026-04", "invalid_month_range"),
        ("from=2023-12&to=2026-12", "month_range_too_long"),
    ];
    for (q, code) in cases {
        for path in ["/api/v1/stats/hours", "/api/v1/stats/hours.csv", "/api/v1/stats/hours.xlsx"] {
            app.get(format!("{path}?orgUnitId={}&{q}", f.city), token).await.expect_problem(400, code);
        }
    }
    // Thirty-six months is the most, and fine.
    app.get(format!("/api/v1/stats/hours?orgUnitId={}&from=2024-01&to=2026-12", f.city), token).await.expect(200);
    // An unknown unit, a malformed one, an unknown action line.
    app.get(format!("/api/v1/stats/hours?orgUnitId={}", uuid::Uuid::now_v7()), token)
        .await
        .expect_problem(404, "not_found");
    app.get("/api/v1/stats/hours?orgUnitId=not-a-unit", token).await.expect_problem(400, "validation_failed");
    app.get("/api/v1/stats/hours?actionLine=fun", token).await.expect_problem(400, "validation_failed");
    assert_eq!(kept(&app).await, before);
}
