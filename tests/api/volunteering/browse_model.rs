//! Browsing from the read model: it answers page for page, cursor for cursor, as the reference
//! query on random data; it is rebuilt at start; and a change on one instance reaches another's.

use crate::helpers::eventually;
use crate::service_fixture::{LAT, LNG, Service};
use chrono::{DateTime, Duration, Utc};
use entity::task::{self, ActionLine, TaskStatus};
use entity::task_skill;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use uuid::Uuid;
use wushe::domain::kernel::page::Page;
use wushe::domain::volunteering::browse::{self, Browse, Sort};
use wushe::domain::volunteering::browse_index::{TaskIndex, load_all};
use wushe::domain::volunteering::tasks::TaskView;

const SKILLS: [&str; 3] = ["first aid", "driving", "cooking"];
const LINES: [ActionLine; 3] = [ActionLine::Help, ActionLine::Home, ActionLine::Rescue];

/// A task row as a seed writes it, bypassing the API (and so the model's change feed).
fn row(id: Uuid, unit: Uuid, by: Uuid, now: DateTime<Utc>, starts: DateTime<Utc>) -> task::ActiveModel {
    task::ActiveModel {
        project_id: Set(None),
        id: Set(id),
        org_unit_id: Set(unit),
        title: Set("随机任务".into()),
        description: Set(String::new()),
        action_line: Set(ActionLine::Help),
        address: Set(None),
        lat: Set(Some(LAT)),
        lng: Set(Some(LNG)),
        check_in_radius_m: Set(300),
        starts_at: Set(starts),
        ends_at: Set(starts + Duration::hours(2)),
        capacity: Set(10),
        filled: Set(0),
        waitlist_seq: Set(0),
        min_headcount: Set(None),
        signup_deadline: Set(starts),
        cancel_cutoff_hours: Set(2),
        leader_id: Set(None),
        requires_insurance: Set(false),
        insurance_policy_ref: Set(None),
        signup_mode: Set(task::SignupMode::Open),
        min_presence_pct: Set(60),
        skills_required_for_signup: Set(false),
        check_in_mode: Set(task::CheckInMode::Code),
        status: Set(TaskStatus::Published),
        cancel_reason: Set(None),
        created_by: Set(by),
        published_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// What a page shows, to compare the two paths.
/// What a page shows of each task (id, distance, skills, seats left), and its cursor.
type Shown = (Vec<(Uuid, Option<f64>, Vec<String>, i32)>, Option<String>);

fn shown(p: &Page<TaskView>) -> Shown {
    (
        p.items.iter().map(|v| (v.task.id, v.distance_km, v.skills.clone(), v.task.filled)).collect(),
        p.next_cursor.clone(),
    )
}

#[tokio::test]
async fn the_read_model_answers_as_the_reference_query_on_random_data() {
    let s = Service::new().await;
    let db = s.app.db();
    let now = s.now();
    let mut rng = StdRng::seed_from_u64(20261202);
    let units: Vec<Uuid> = [&s.city, &s.station, &s.room].iter().map(|u| u.parse().unwrap()).collect();
    let by: Uuid = s.organiser.user_id.parse().unwrap();
    // A few shared starts and places, so that ties in the sort key are common.
    let starts: Vec<DateTime<Utc>> =
        (0..12).map(|i| now + Duration::hours(rng.random_range(-48..24 * 20) + i)).collect();
    let places: Vec<(f64, f64)> =
        (0..15).map(|_| (LAT + rng.random_range(-0.15..0.15), LNG + rng.random_range(-0.15..0.15))).collect();
    let (mut rows, mut skills) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let id = Uuid::new_v4();
        let start = if rng.random_bool(0.3) {
            starts[rng.random_range(0..starts.len())]
        } else {
            now + Duration::minutes(rng.random_range(-3000..40000))
        };
        let mut r = row(id, units[rng.random_range(0..units.len())], by, now, start);
        r.action_line = Set(LINES[rng.random_range(0..LINES.len())]);
        r.status = Set(match rng.random_range(0..10) {
            0 => TaskStatus::Draft,
            1 => TaskStatus::Cancelled,
            _ => TaskStatus::Published,
        });
        r.filled = Set(rng.random_range(0..10));
        let place = match rng.random_range(0..10) {
            0 => None,
            1..=3 => Some(places[rng.random_range(0..places.len())]),
            _ => Some((LAT + rng.random_range(-0.3..0.3), LNG + rng.random_range(-0.3..0.3))),
        };
        r.lat = Set(place.map(|p| p.0));
        r.lng = Set(place.map(|p| p.1));
        for skill in SKILLS {
            if rng.random_bool(0.3) {
                skills.push(task_skill::ActiveModel { task_id: Set(id), skill: Set(skill.into()) });
            }
        }
        rows.push(r);
    }
    task::Entity::insert_many(rows).exec(db).await.unwrap();
    task_skill::Entity::insert_many(skills).exec(db).await.unwrap();
    let index = TaskIndex::default();
    index.replace(load_all(db).await.unwrap());
    index.set_ready(true);

    let (mut pages, mut seen) = (0, 0);
    for _ in 0..80 {
        let near = rng.random_bool(0.7).then(|| {
            let p = places[rng.random_range(0..places.len())];
            let centre = if rng.random_bool(0.5) {
                p
            } else {
                (LAT + rng.random_range(-0.3..0.3), LNG + rng.random_range(-0.3..0.3))
            };
            (centre.0, centre.1, [0.5, 2.0, 5.0, 15.0, 60.0, 500.0][rng.random_range(0..6)])
        });
        let f = Browse {
            action_line: rng.random_bool(0.3).then(|| LINES[rng.random_range(0..LINES.len())]),
            from: rng.random_bool(0.3).then(|| now + Duration::hours(rng.random_range(-24..24 * 10))),
            to: rng.random_bool(0.3).then(|| now + Duration::hours(rng.random_range(0..24 * 25))),
            under: rng.random_bool(0.3).then(|| units[rng.random_range(0..units.len())]),
            skill: rng
                .random_bool(0.3)
                .then(|| format!(" {} ", SKILLS[rng.random_range(0..SKILLS.len())].to_uppercase())),
            near,
            sort: match (near.is_some(), rng.random_range(0..3)) {
                (true, 0) => Some(Sort::Distance),
                (_, 1) => Some(Sort::Start),
                _ => None,
            },
        };
        let limit = rng.random_range(2..9);
        let (mut cursor, mut walked): (Option<String>, usize) = (None, 0);
        loop {
            let by_model = browse::browse(db, Some(&index), now, f.clone(), cursor.as_deref(), limit).await.unwrap();
            let by_query = browse::browse_reference(db, now, f.clone(), cursor.as_deref(), limit).await.unwrap();
            assert_eq!(shown(&by_model), shown(&by_query), "page after {cursor:?} of {f:?}");
            pages += 1;
            walked += 1;
            assert!(walked <= 200, "paging does not end: {f:?} limit {limit}");
            seen += by_model.items.len();
            match by_model.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
    }
    // The random queries did reach many tasks over many pages.
    assert!(pages > 30 && seen > 80, "{pages} pages, {seen} tasks");
}

#[tokio::test]
async fn the_read_model_is_rebuilt_at_start_and_follows_changes_on_other_instances() {
    let s = Service::new().await;
    let db = s.app.db().clone();
    let a = &s.app.state;
    a.browse.index.wait_ready().await;
    // Written while A runs, bypassing its change feed: only a rebuild sees it.
    let seeded = Uuid::new_v4();
    let by: Uuid = s.organiser.user_id.parse().unwrap();
    let room: Uuid = s.room.parse().unwrap();
    task::Entity::insert(row(seeded, room, by, s.now(), s.now() + Duration::days(1))).exec(&db).await.unwrap();

    // Instance B starts on the same database (and Redis, when there is one).
    let b =
        wushe::state::AppState::new(db.clone(), (*a.config).clone(), std::sync::Arc::new(s.app.clock.clone())).unwrap();
    b.browse.start(db.clone());
    b.browse.index.wait_ready().await;
    let near = || Browse { near: Some((LAT, LNG, 3.0)), ..Browse::default() };
    let ids = |state: &wushe::state::AppState| {
        let (db, f, now) = (db.clone(), near(), s.now());
        let index = state.browse.index.clone();
        async move {
            assert!(index.is_ready(), "answered from the model");
            let page = browse::browse(&db, Some(&index), now, f, None, 50).await.unwrap();
            page.items.iter().map(|v| v.task.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(&b).await, vec![seeded], "B built its model from the database at start");
    assert!(ids(a).await.is_empty(), "A's model does not see rows written behind it");

    // Published on A: at once on A, and on B as soon as the change arrives.
    let id: Uuid = s.task(5).await.parse().unwrap();
    assert!(ids(a).await.contains(&id));
    // Over HTTP the page is the model's, with the seats read fresh.
    let page =
        s.app.get(format!("/api/v1/tasks?near={LAT},{LNG}&radiusKm=3"), Some(&s.organiser.access)).await.expect(200);
    let item = page.body["items"].as_array().unwrap().iter().find(|t| t["id"] == id.to_string()).cloned();
    assert_eq!(item.expect("the published task is browsed")["seatsLeft"], 5);
    if s.app.state.config.redis_url.is_some() {
        eventually(10, "B browses the task published on A", || async { ids(&b).await.contains(&id) }).await;
        s.app
            .post(&format!("/api/v1/tasks/{id}/cancel"), Some(&s.organiser.access), json!({"reason": "下雨"}))
            .await
            .expect(200);
        assert!(!ids(a).await.contains(&id));
        eventually(10, "B no longer browses the task cancelled on A", || async { !ids(&b).await.contains(&id) }).await;
    }
}
