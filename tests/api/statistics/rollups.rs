//! The hours rollups (`hours_rollups`): after approvals in batches and concurrently, declines, a
//! leader's entry and corrections both ways, at rooms of two stations, every unit's rows equal a
//! fresh aggregation of the ledger over the org tree, and a rebuild changes nothing; a room moved
//! to another station takes its sums along.

use super::support::{Sums, app, fresh, kept, serve_everywhere};
use serde_json::json;

#[tokio::test]
async fn rollups_equal_a_fresh_aggregation_of_the_ledger_and_a_rebuild_changes_nothing() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;

    let kept_now = kept(&app).await;
    assert_eq!(kept_now, fresh(&app).await);
    // Every level of the tree has rows, under the lines served.
    for unit in [&f.city, &f.district, &f.stations[0].id, &f.stations[1].room] {
        assert!(kept_now.keys().any(|(u, _, _)| u == unit), "no rows for {unit}");
    }
    assert!(kept_now.keys().any(|(u, _, l)| u == &f.city && l == "governance"));
    // A corrected leader's entry is one service of 170 minutes.
    let help: (i64, i64) = kept_now
        .iter()
        .filter(|((u, _, l), _)| u == &f.stations[0].room && l == "help")
        .fold((0, 0), |a, (_, s)| (a.0 + s.0, a.1 + s.1));
    assert_eq!(help, (170, 1));

    wushe::domain::statistics::hours_rollups::rebuild(app.db()).await.unwrap();
    assert_eq!(kept(&app).await, kept_now);
}

#[tokio::test]
async fn a_moved_room_takes_its_sums_to_its_new_station() {
    let (app, f) = app().await;
    serve_everywhere(&app, &f).await;
    let [east, west] = &f.stations;
    let total = |sums: &Sums, unit: &str| {
        sums.iter().filter(|((u, _, _), _)| u == unit).fold((0, 0), |a, (_, s)| (a.0 + s.0, a.1 + s.1))
    };
    let before = kept(&app).await;
    let room = total(&before, &east.room);
    assert!(room.0 > 0);

    app.patch(format!("/api/v1/org-units/{}", east.room), Some(&f.city_admin.access), json!({"parentId": west.id}))
        .await
        .expect(200);
    let after = kept(&app).await;
    assert_eq!(after, fresh(&app).await);
    let (east_before, west_before) = (total(&before, &east.id), total(&before, &west.id));
    assert_eq!(total(&after, &east.id), (east_before.0 - room.0, east_before.1 - room.1));
    assert_eq!(total(&after, &west.id), (west_before.0 + room.0, west_before.1 + room.1));
    // The district held the room through the first station; the city holds it either way.
    assert_eq!(total(&after, &f.city), total(&before, &f.city));
    let district = total(&before, &f.district);
    assert_eq!(total(&after, &f.district), (district.0 - room.0, district.1 - room.1));
}
