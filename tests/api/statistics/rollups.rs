//! The hours rollups (`hours_rollups`): after approvals in batches and concurrently, declines, a
//! leader's entry and corrections both ways, at rooms of two stations, every unit's rows equal a
//! fresh aggregation of the ledger over the org tree, the volunteers counted active in every span
//! equal a distinct count of the ledger, and a rebuild changes nothing; a room moved to another
//! station takes its sums and its volunteers along. The people counted per unit (joined,
//! social workers, star levels, published honours) follow new accounts, levels reached, honours
//! published and revoked, people moving or changing role and rooms moving, and equal a fresh
//! count of the people.

use super::support::{
    People, Sums, active_volunteers_match_the_ledger, app, fresh, kept, people_fresh, people_kept, serve_everywhere,
};
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

    // Volunteers active in every span, at every unit, as the ledger has them.
    let counts = active_volunteers_match_the_ledger(&app).await;

    wushe::domain::statistics::rebuild(app.db()).await.unwrap();
    assert_eq!(kept(&app).await, kept_now);
    assert_eq!(active_volunteers_match_the_ledger(&app).await, counts);
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
    active_volunteers_match_the_ledger(&app).await;
    let (east_before, west_before) = (total(&before, &east.id), total(&before, &west.id));
    assert_eq!(total(&after, &east.id), (east_before.0 - room.0, east_before.1 - room.1));
    assert_eq!(total(&after, &west.id), (west_before.0 + room.0, west_before.1 + room.1));
    // The district held the room through the first station; the city holds it either way.
    assert_eq!(total(&after, &f.city), total(&before, &f.city));
    let district = total(&before, &f.district);
    assert_eq!(total(&after, &f.district), (district.0 - room.0, district.1 - room.1));
}

#[tokio::test]
async fn people_counts_follow_accounts_star_levels_honours_moves_and_role_changes() {
    // Stars at one and two approved hours, so the service below records levels.
    let app = crate::helpers::spawn_app_with(|c| {
        c.access_token_ttl = std::time::Duration::from_secs(90 * 86400);
        c.refresh_token_ttl = std::time::Duration::from_secs(180 * 86400);
        c.star_thresholds_hours = vec![1, 2];
    })
    .await;
    let f = app.two_stations().await;
    serve_everywhere(&app, &f).await;
    let [east, west] = &f.stations;
    let kept_now = people_kept(&app).await;
    assert_eq!(kept_now, people_fresh(&app).await);
    let city = f.city.parse::<uuid::Uuid>().unwrap();
    let at_city = |p: &People, figure: &str| p.iter().filter(|((u, f, _), _)| *u == city && f == figure).count();
    assert!(at_city(&kept_now, "volunteers_joined") > 0 && at_city(&kept_now, "social_workers") > 0);
    assert!(kept_now.keys().any(|(u, f, level)| *u == city && f == "star_level" && *level == 2), "{kept_now:?}");
    // Each level reached is an automatic honour, published at once.
    let star_honours = |p: &People| {
        p.iter().filter(|((u, f, _), _)| *u == city && f == "honour:star_volunteer").map(|(_, n)| n).sum::<i64>()
    };
    assert!(star_honours(&kept_now) > 0);

    // The city administrator revokes one of them.
    let wall = app.get(format!("/api/v1/honours?personId={}", east.volunteer.user_id), None).await.expect(200);
    let honour = wall.body["items"][0]["id"].as_str().expect("an honour on the wall").to_string();
    app.post(format!("/api/v1/honours/{honour}/revoke"), Some(&f.city_admin.access), json!({"reason": "材料造假"}))
        .await
        .expect(200);
    let revoked = people_kept(&app).await;
    assert_eq!(revoked, people_fresh(&app).await);
    assert_eq!(star_honours(&revoked), star_honours(&kept_now) - 1);

    // A volunteer moves to the other station's room; an administrator makes another a social
    // worker of that room.
    let a = app.quick_volunteers(2, Some(&east.room)).await;
    app.patch("/api/v1/me", Some(&east.volunteer.access), json!({"orgUnitId": west.room})).await.expect(200);
    app.patch(format!("/api/v1/users/{}", a[0].user_id), Some(&f.city_admin.access), json!({"role": "social_worker"}))
        .await
        .expect(200);
    app.patch(format!("/api/v1/users/{}", a[1].user_id), Some(&f.city_admin.access), json!({"orgUnitId": west.room}))
        .await
        .expect(200);
    let moved = people_kept(&app).await;
    assert_eq!(moved, people_fresh(&app).await);
    assert_ne!(moved, revoked);

    // A room moves to the other station with its people.
    app.patch(format!("/api/v1/org-units/{}", east.room), Some(&f.city_admin.access), json!({"parentId": west.id}))
        .await
        .expect(200);
    let after = people_kept(&app).await;
    assert_eq!(after, people_fresh(&app).await);

    wushe::domain::statistics::rebuild(app.db()).await.unwrap();
    assert_eq!(people_kept(&app).await, after);
}
