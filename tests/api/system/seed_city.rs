//! `seed-city` at a hundredth of a Suzhou: the counts it promises, the domain's rules holding
//! over the data (hours only for people who came to a task that ended, nobody booked twice at
//! once, seats matching sign-ups, unique phones, stars matching approved totals, mentor loads
//! matching pairs), a refusal to load twice, and the API answering over the city (its
//! statistics too).

use crate::helpers::{TestApp, spawn_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use std::collections::HashMap;
use wushe::seed_city::{self, CITY_PASSWORD, Options, SeedError};

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let db = app.db();
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn pairs(app: &TestApp, sql: &str) -> HashMap<uuid::Uuid, i64> {
    let db = app.db();
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.unwrap();
    rows.into_iter()
        .map(|r| (r.try_get_by_index::<uuid::Uuid>(0).unwrap(), r.try_get_by_index::<i64>(1).unwrap()))
        .collect()
}

fn options() -> Options {
    Options { scale: 0.01, seed: 7, force: false, quiet: true }
}

#[tokio::test]
async fn a_small_city_keeps_the_rules_and_the_api_answers_over_it() {
    let app = spawn_app().await;
    let r = seed_city::run(&app.state, &options()).await.unwrap();
    let s = r.sizes;
    assert_eq!((s.stations, s.rooms, s.tasks, s.hours_entries, s.inbox, s.pairs), (1, 22, 100, 2_000, 2_000, 5));

    // Counts.
    assert_eq!(app.count("org_units").await as usize, 1 + s.districts + s.stations + s.rooms);
    let admins = 1 + s.districts + s.stations;
    assert_eq!(app.count("users").await as usize, admins + s.social_workers + s.volunteers);
    assert_eq!(app.count("social_worker_profiles").await as usize, s.social_workers);
    assert_eq!(app.count("volunteer_profiles").await as usize, s.volunteers);
    assert_eq!(app.count("tasks").await as usize, s.tasks);
    assert_eq!(app.count("hours_entries").await as usize, s.hours_entries);
    assert_eq!(app.count("attendance").await as usize, s.hours_entries);
    assert_eq!(app.count("notifications").await as usize, s.inbox);
    assert_eq!(app.count("mentoring_pairings").await as usize, s.pairs);
    assert_eq!(app.count("honour_programmes").await, 9);
    assert!(app.count("honour_nominations").await >= 9);
    assert_eq!(r.rows as i64, {
        let mut n = 0;
        for t in [
            "org_units",
            "org_unit_closure",
            "users",
            "social_worker_profiles",
            "volunteer_profiles",
            "tasks",
            "signups",
            "attendance",
            "hours_entries",
            "star_awards",
            "honours",
            "notifications",
            "mentoring_pairings",
            "mentor_loads",
            "honour_programmes",
            "honour_nominations",
            "honour_quota_uses",
        ] {
            n += app.count(t).await;
        }
        n
    });
    // Every unit sees itself and each ancestor up to the city centre in the closure.
    assert_eq!(app.count("org_unit_closure").await as usize, 1 + 2 * s.districts + 3 * s.stations + 4 * s.rooms);

    // Rules.
    assert_eq!(scalar(&app, "SELECT COUNT(*) - COUNT(DISTINCT phone) FROM users").await, 0, "phones unique");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM hours_entries h WHERE NOT EXISTS (SELECT 1 FROM signups s JOIN attendance a \
             ON a.signup_id = s.id WHERE s.task_id = h.task_id AND s.volunteer_id = h.volunteer_id \
             AND s.status = 'confirmed' AND NOT s.no_show AND a.checked_out_at IS NOT NULL)"
        )
        .await,
        0,
        "hours only for people who came"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM hours_entries h JOIN tasks t ON t.id = h.task_id WHERE t.status <> 'completed'"
        )
        .await,
        0,
        "hours only for tasks that ended"
    );
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM signups s JOIN attendance a ON a.signup_id = s.id WHERE s.no_show").await,
        0,
        "no-shows have no attendance"
    );
    assert!(scalar(&app, "SELECT COUNT(*) FROM signups WHERE no_show").await > 0, "some did not come");
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM tasks t WHERE t.filled > t.capacity OR t.filled <> (SELECT COUNT(*) FROM \
             signups s WHERE s.task_id = t.id AND s.status = 'confirmed')"
        )
        .await,
        0,
        "seats match sign-ups"
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM signups a JOIN signups b ON a.volunteer_id = b.volunteer_id AND a.id < b.id \
             JOIN tasks ta ON ta.id = a.task_id JOIN tasks tb ON tb.id = b.task_id \
             WHERE ta.starts_at < tb.ends_at AND tb.starts_at < ta.ends_at"
        )
        .await,
        0,
        "nobody booked twice at once"
    );
    assert!(scalar(&app, "SELECT COUNT(*) FROM tasks WHERE status = 'published' AND filled > 0").await > 0);
    let approved = pairs(
        &app,
        "SELECT volunteer_id, CAST(SUM(minutes) AS BIGINT) FROM hours_entries \
         WHERE status = 'approved' GROUP BY volunteer_id",
    )
    .await;
    let levels =
        pairs(&app, "SELECT volunteer_id, CAST(MAX(level) AS BIGINT) FROM star_awards GROUP BY volunteer_id").await;
    let ladder = &app.state.config.star_thresholds_hours;
    for (v, minutes) in &approved {
        let level = wushe::domain::volunteering::stars::stars(ladder, *minutes).level as i64;
        assert_eq!(levels.get(v).copied().unwrap_or(0), level, "stars of {v}");
    }
    assert!(levels.keys().all(|v| approved.contains_key(v)));
    assert!(!levels.is_empty(), "the keenest reach a star");
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM star_awards").await,
        scalar(&app, "SELECT COUNT(*) FROM honours WHERE auto_key IS NOT NULL").await
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM mentor_loads l WHERE l.active_mentees <> (SELECT COUNT(*) FROM \
             mentoring_pairings p WHERE p.mentor_id = l.mentor_id AND p.status = 'active')"
        )
        .await,
        0,
        "mentor loads match"
    );

    // Loading twice is refused.
    assert!(matches!(seed_city::run(&app.state, &options()).await, Err(SeedError::NotEmpty(_))));

    // The API answers over it: the shared password signs in the administrator and a volunteer.
    let admin = app.login(&r.admin_phone, CITY_PASSWORD).await;
    let near = app.get("/api/v1/tasks?near=31.30000,120.60000&radiusKm=50&limit=5", Some(&admin.access)).await;
    assert!(!near.expect(200).body["items"].as_array().unwrap().is_empty());
    let db = app.db();
    let keen = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT u.phone FROM users u JOIN star_awards s ON s.volunteer_id = u.id ORDER BY u.phone LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap();
    let me = app.login(&keen, CITY_PASSWORD).await;
    let hours = app.get("/api/v1/me/hours", Some(&me.access)).await.expect(200).body;
    assert!(hours["stars"]["level"].as_i64().unwrap() >= 1, "{hours}");
    assert!(hours["approvedMinutes"].as_i64().unwrap() >= 6_000);
    let board = app.get("/api/v1/leaderboards?period=all", Some(&me.access)).await.expect(200).body;
    assert!(!board["top"].as_array().unwrap().is_empty());
    assert!(board["me"].is_object(), "{board}");
    app.get("/api/v1/me/notifications?limit=5", Some(&me.access)).await.expect(200);
    let talent = app.get("/api/v1/talent?limit=5", Some(&admin.access)).await.expect(200).body;
    assert_eq!(talent["items"].as_array().unwrap().len(), 5);
    // The city's statistics: the rollups were rebuilt from the seeded ledger, and the city's
    // children (its districts) sum to it.
    let stats = app.get("/api/v1/stats/hours", Some(&admin.access)).await.expect(200).body;
    let total = |u: &Value| u["minutes"].as_i64().unwrap();
    assert!(total(&stats["unit"]) > 0, "{stats}");
    assert_eq!(stats["children"].as_array().unwrap().iter().map(total).sum::<i64>(), total(&stats["unit"]));
    let overview = app.get("/api/v1/stats/overview", Some(&admin.access)).await.expect(200).body;
    assert_eq!(overview["socialWorkers"]["total"].as_u64(), Some(s.social_workers as u64));
    let programmes = app.get("/api/v1/honour-programmes", Some(&admin.access)).await.expect(200).body;
    let current = programmes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["state"] == "nominating" && p["kind"] == "star_volunteer")
        .map(|p: &Value| p["id"].as_str().unwrap().to_string())
        .expect("this year's star volunteer programme");
    let rules =
        app.get(format!("/api/v1/honour-programmes/{current}/eligibility/{}", me.user_id), Some(&admin.access)).await;
    assert_eq!(rules.expect(200).body[0]["outcome"], "met");
}

#[tokio::test]
async fn the_same_seed_builds_the_same_city() {
    let (a, b) = (spawn_app().await, spawn_app().await);
    b.clock.set(a.clock_now());
    let ra = seed_city::run(&a.state, &options()).await.unwrap();
    let rb = seed_city::run(&b.state, &options()).await.unwrap();
    assert_eq!(ra.rows, rb.rows);
    assert_eq!(ra.admin_phone, rb.admin_phone);
    for sql in [
        "SELECT MIN(phone) || '/' || MAX(phone) || '/' || MAX(name) || '/' || MIN(volunteer_number) FROM users",
        "SELECT MIN(title) || '/' || MAX(title) || '/' || CAST(SUM(filled) AS TEXT) FROM tasks",
        "SELECT CAST(SUM(minutes) AS TEXT) || '/' || CAST(COUNT(DISTINCT volunteer_id) AS TEXT) FROM hours_entries",
    ] {
        assert_eq!(text(&a, sql).await, text(&b, sql).await, "{sql}");
    }
}

async fn text(app: &TestApp, sql: &str) -> String {
    let db = app.db();
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.unwrap().unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}
