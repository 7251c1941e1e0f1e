//! Who hears about a task and when: the dispatch on publishing reaches exactly the matching
//! volunteers within its caps; reminders fire once each with two worker instances and follow a
//! task that moves; a seat freed late is offered in waves and exactly one of many concurrent
//! acceptances wins; organiser messages, cancellations, the head-count warning and the cron that
//! closes ended tasks.

use crate::helpers::{NowUtc, Session, TestApp, eventually};
use crate::service_fixture::{LAT, LNG, Service};
use chrono::Duration;
use entity::notification;
use entity::signup::{self, SignupStatus};
use entity::task_invitation::{self, InvitationKind};
use entity::user::UserStatus;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use std::collections::BTreeSet;
use uuid::Uuid;

pub(super) fn uid(s: &Session) -> Uuid {
    s.user_id.parse().unwrap()
}

async fn give_skill(app: &TestApp, who: &Session, skill: &str) {
    entity::user_skill::ActiveModel { user_id: Set(uid(who)), skill: Set(skill.into()) }
        .insert(app.db())
        .await
        .unwrap();
}

async fn give_area(app: &TestApp, who: &Session, lat: f64, lng: f64, radius_km: f64) {
    entity::volunteer_profile::ActiveModel {
        user_id: Set(uid(who)),
        service_lat: Set(Some(lat)),
        service_lng: Set(Some(lng)),
        service_radius_km: Set(Some(radius_km)),
        bio: Set(None),
        updated_at: Set(app.clock.now_utc()),
    }
    .insert(app.db())
    .await
    .unwrap();
}

async fn invited(app: &TestApp, task: &str, kind: InvitationKind) -> BTreeSet<Uuid> {
    task_invitation::Entity::find()
        .filter(task_invitation::Column::TaskId.eq(task.parse::<Uuid>().unwrap()))
        .filter(task_invitation::Column::Kind.eq(kind))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.user_id)
        .collect()
}

/// Inbox rows of `who` made from `template`.
pub(super) async fn inbox(app: &TestApp, who: Uuid, template: &str) -> Vec<notification::Model> {
    notification::Entity::find()
        .filter(notification::Column::UserId.eq(who))
        .filter(notification::Column::Template.eq(template))
        .all(app.db())
        .await
        .unwrap()
}

fn processed(app: &TestApp, kind: &str) -> u64 {
    app.state.jobs.metrics.processed(kind)
}

/// Waits until `kind` has run more than `before` times.
async fn ran(app: &TestApp, kind: &str, before: u64) {
    eventually(30, kind, || async { processed(app, kind) > before }).await;
}

/// Moves the clock and waits for the next scan of due reminders to have run.
pub(super) async fn advance_and_scan(app: &TestApp, by: Duration) {
    let before = processed(app, "scheduled.scan");
    app.clock.advance(by);
    ran(app, "scheduled.scan", before).await;
}

#[tokio::test]
async fn dispatch_reaches_exactly_the_volunteers_who_match() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    let elsewhere_station = app.create_unit(&s.city_admin, "town_station", Some(&s.city), "西山社工站").await;
    let elsewhere = app.create_unit(&s.city_admin, "community_room", Some(&elsewhere_station), "西山社工室").await;
    let here = app.quick_volunteers(6, Some(&s.room)).await;
    let there = app.quick_volunteers(3, Some(&elsewhere)).await;
    let [skilled, skilled2, unskilled, suspended, busy, no_home] = &here[..] else { unreachable!() };
    let [near_area, no_area, far_area] = &there[..] else { unreachable!() };
    for v in [skilled, skilled2, suspended, busy, near_area, no_area, far_area] {
        give_skill(app, v, "first-aid").await;
    }
    give_skill(app, unskilled, "cooking").await;
    give_area(app, near_area, LAT + 0.01, LNG, 5.0).await; // ~1 km from the task
    give_area(app, far_area, LAT + 0.2, LNG, 5.0).await; // ~22 km away, 5 km radius
    let mut am: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(uid(suspended)).one(app.db()).await.unwrap().unwrap().into();
    am.status = Set(UserStatus::Suspended);
    am.update(app.db()).await.unwrap();
    // `no_home` has the skill too but lives nowhere in particular: unit unset.
    give_skill(app, no_home, "first-aid").await;
    let mut am: entity::user::ActiveModel =
        entity::user::Entity::find_by_id(uid(no_home)).one(app.db()).await.unwrap().unwrap().into();
    am.org_unit_id = Set(None);
    am.update(app.db()).await.unwrap();

    // `busy` is on another task at the same hour.
    let mut other = s.task_body(Duration::days(2), 3, 10);
    other["title"] = json!("同时段的另一项任务");
    let before = processed(app, "task.dispatch");
    let other = s.publish(other).await;
    s.sign_up(&other, busy).await;
    ran(app, "task.dispatch", before).await;

    let mut body = s.task_body(Duration::days(2), 3, 10);
    body["requiredSkills"] = json!(["first-aid"]);
    let before = processed(app, "task.dispatch");
    let task = s.publish(body).await;
    ran(app, "task.dispatch", before).await;

    let expected: BTreeSet<Uuid> = [skilled, skilled2, near_area].iter().map(|v| uid(v)).collect();
    assert_eq!(invited(app, &task, InvitationKind::Dispatch).await, expected);
    let about_task = |v: Uuid| {
        let task = task.clone();
        async move {
            inbox(app, v, "task.dispatch").await.into_iter().filter(|n| n.data.contains(&task)).collect::<Vec<_>>()
        }
    };
    for v in [skilled, skilled2, near_area] {
        eventually(20, "the invitation in the inbox", || async { about_task(uid(v)).await.len() == 1 }).await;
    }
    assert_eq!(about_task(uid(skilled)).await[0].category.as_str(), "task_invitation");
    for v in [unskilled, suspended, busy, no_home, no_area, far_area] {
        assert!(inbox(app, uid(v), "task.dispatch").await.iter().all(|n| !n.data.contains(&task)));
    }
}

#[tokio::test]
async fn dispatch_caps_per_task_and_per_volunteer_and_day_but_not_rescue() {
    let s = Service::with(|c| {
        c.dispatch.per_task = 3;
        c.dispatch.per_volunteer_per_day = 2;
    })
    .await;
    let app = &s.app;
    app.start_workers();
    let vols = app.quick_volunteers(5, Some(&s.room)).await;
    let mut counts = Vec::new();
    for day in 0..3 {
        // Same local day of dispatch, tasks on different days (no overlap).
        let before = processed(app, "task.dispatch");
        let task = s.publish(s.task_body(Duration::days(2 + day), 2, 10)).await;
        ran(app, "task.dispatch", before).await;
        counts.push(invited(app, &task, InvitationKind::Dispatch).await.len());
    }
    assert_eq!(counts, vec![3, 3, 2], "3 per task, then the first three are at their daily cap of 2");
    for v in &vols {
        let n = task_invitation::Entity::find()
            .filter(task_invitation::Column::UserId.eq(uid(v)))
            .count(app.db())
            .await
            .unwrap();
        assert!(n <= 2, "nobody gets more than 2 a day, got {n}");
    }

    // A rescue call-out ignores the daily cap (not the per-task one) and is urgent.
    let mut rescue = s.task_body(Duration::days(6), 2, 10);
    rescue["actionLine"] = json!("rescue");
    let before = processed(app, "task.dispatch");
    let task = s.publish(rescue).await;
    ran(app, "task.dispatch", before).await;
    let asked = invited(app, &task, InvitationKind::Dispatch).await;
    assert_eq!(asked.len(), 3);
    let first = *asked.iter().next().unwrap();
    eventually(20, "the call-out in the inbox", || async { !inbox(app, first, "rescue.callout").await.is_empty() })
        .await;
    assert_eq!(inbox(app, first, "rescue.callout").await[0].category.as_str(), "rescue_callout");

    // The next local day, the cap starts again.
    app.clock.advance(Duration::days(1));
    let before = processed(app, "task.dispatch");
    let task = s.publish(s.task_body(Duration::days(3), 2, 10)).await;
    ran(app, "task.dispatch", before).await;
    assert_eq!(invited(app, &task, InvitationKind::Dispatch).await.len(), 3);
}

async fn scheduled_due(app: &TestApp, key: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let job = jobs::scheduled::get(app.db(), key).await.unwrap().filter(|j| j.fired_at_ms.is_none())?;
    chrono::DateTime::from_timestamp_millis(job.due_at_ms)
}

#[tokio::test]
async fn reminders_fire_once_with_two_workers_and_follow_a_moved_task() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    // A second worker instance on the same database and queue.
    let second = tokio_util::sync::CancellationToken::new();
    tokio::spawn(wushe::worker::run(app.state.clone(), second.clone()));
    let _stop = second.clone().drop_guard();

    let task = s.task(5).await;
    let v = app.register_volunteer().await;
    let signup: Uuid = s.sign_up(&task, &v).await["id"].as_str().unwrap().parse().unwrap();
    let starts = s.now() + Duration::days(2);
    let day_key = format!("signup:{signup}:24h");
    // Times come back from the API rounded as sent; compare to the second.
    let due = scheduled_due(app, &day_key).await.expect("the day-before reminder is set");
    assert!((due - (starts - Duration::hours(24))).num_seconds().abs() <= 1);
    assert!(scheduled_due(app, &format!("signup:{signup}:1h")).await.is_some());
    assert!(scheduled_due(app, &format!("signup:{signup}:checkout")).await.is_some());

    // The organiser moves the task three hours later: everyone is told, reminders move.
    let new_start = starts + Duration::hours(3);
    app.patch(
        format!("/api/v1/tasks/{task}"),
        Some(&s.organiser.access),
        json!({"startsAt": new_start, "endsAt": new_start + Duration::hours(3)}),
    )
    .await
    .expect(200);
    eventually(30, "the moved reminder", || async {
        scheduled_due(app, &day_key)
            .await
            .is_some_and(|d| (d - (new_start - Duration::hours(24))).num_seconds().abs() <= 1)
    })
    .await;
    eventually(20, "news of the move", || async { inbox(app, uid(&v), "task.moved").await.len() == 1 }).await;

    // The old moment passes: nothing. The new one: exactly one reminder, whatever the workers do.
    advance_and_scan(app, Duration::hours(24) + Duration::minutes(1)).await;
    assert!(inbox(app, uid(&v), "task.reminder_24h").await.is_empty(), "not at the old time");
    advance_and_scan(app, Duration::hours(3)).await;
    eventually(30, "the day-before reminder", || async { inbox(app, uid(&v), "task.reminder_24h").await.len() == 1 })
        .await;
    let r = &inbox(app, uid(&v), "task.reminder_24h").await[0];
    assert_eq!(r.category.as_str(), "task_reminder");
    assert!(r.data.contains(&signup.to_string()), "answerable: it carries the sign-up");
    advance_and_scan(app, Duration::minutes(2)).await;
    advance_and_scan(app, Duration::minutes(2)).await;
    assert_eq!(inbox(app, uid(&v), "task.reminder_24h").await.len(), 1, "once, with two workers");

    // The hour-before reminder, then check-out 15 minutes before the end.
    advance_and_scan(app, Duration::hours(23)).await;
    eventually(30, "the hour-before reminder", || async { inbox(app, uid(&v), "task.reminder_1h").await.len() == 1 })
        .await;
    advance_and_scan(app, Duration::hours(3) + Duration::minutes(50)).await;
    eventually(30, "the check-out reminder", || async {
        inbox(app, uid(&v), "task.reminder_checkout").await.len() == 1
    })
    .await;
    assert_eq!(inbox(app, uid(&v), "task.reminder_1h").await.len(), 1);
}

#[tokio::test]
async fn cancelling_drops_reminders_and_promotion_sets_them_with_a_message() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    let task = s.task(1).await;
    let vols = app.quick_volunteers(2, Some(&s.room)).await;
    let first = s.sign_up(&task, &vols[0]).await;
    let second = s.sign_up(&task, &vols[1]).await;
    assert_eq!(second["status"], "waitlisted");
    let (first_id, second_id) = (first["id"].as_str().unwrap(), second["id"].as_str().unwrap());
    assert!(scheduled_due(app, &format!("signup:{second_id}:24h")).await.is_none(), "no reminders while waiting");
    app.post(format!("/api/v1/signups/{first_id}/cancel"), Some(&vols[0].access), json!({})).await.expect(200);
    assert!(scheduled_due(app, &format!("signup:{first_id}:24h")).await.is_none(), "dropped with the seat");
    assert!(scheduled_due(app, &format!("signup:{second_id}:24h")).await.is_some(), "set with the seat");
    eventually(20, "the seat-freed message", || async {
        inbox(app, uid(&vols[1]), "task.seat_confirmed").await.len() == 1
    })
    .await;
}

#[tokio::test]
async fn a_seat_freed_late_goes_to_exactly_one_of_twenty_concurrent_takers() {
    let s = Service::with(|c| c.dispatch.cover_wave_size = 20).await;
    let app = &s.app;
    // Nobody else matches at dispatch time: the takers arrive later.
    let holder = app.register_volunteer().await;
    let task = s.publish(s.task_body(Duration::hours(10), 2, 1)).await;
    let holding = s.sign_up(&task, &holder).await;
    let takers = app.quick_volunteers(20, Some(&s.room)).await;
    let bystander = app.register_volunteer().await;
    app.start_workers();

    // The holder drops out 10 hours before the start with nobody waiting: cover needed.
    let before = processed(app, "task.cover");
    app.post(format!("/api/v1/signups/{}/cancel", holding["id"].as_str().unwrap()), Some(&holder.access), json!({}))
        .await
        .expect(200);
    ran(app, "task.cover", before).await;
    let offered = invited(app, &task, InvitationKind::Cover).await;
    let expected: BTreeSet<Uuid> = takers.iter().map(uid).collect();
    assert_eq!(offered, expected, "the wave goes to the matching volunteers");
    eventually(20, "the offers in the inbox", || async {
        inbox(app, uid(&takers[19]), "task.cover_offer").await.len() == 1
    })
    .await;

    // Without an offer: 404.
    app.post(format!("/api/v1/tasks/{task}/cover/accept"), Some(&bystander.access), json!({}))
        .await
        .expect_problem(404, "not_found");

    let path = format!("/api/v1/tasks/{task}/cover/accept");
    let answers = futures::future::join_all(takers.iter().map(|t| app.post(&path, Some(&t.access), json!({})))).await;
    let winners: Vec<usize> = (0..answers.len()).filter(|i| answers[*i].status == 200).collect();
    assert_eq!(winners.len(), 1, "exactly one wins: {:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    for (i, a) in answers.iter().enumerate() {
        if i != winners[0] {
            assert_eq!(a.status, 409, "{}", a.body);
            assert_eq!(a.body["code"], "seat_taken");
        }
    }
    let winner = &takers[winners[0]];
    assert_eq!(answers[winners[0]].body["status"], "confirmed");
    let confirmed = signup::Entity::find()
        .filter(signup::Column::TaskId.eq(task.parse::<Uuid>().unwrap()))
        .filter(signup::Column::Status.eq(SignupStatus::Confirmed))
        .all(app.db())
        .await
        .unwrap();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(confirmed[0].volunteer_id, uid(winner));
    let t = app.get(format!("/api/v1/tasks/{task}"), Some(&winner.access)).await.expect(200);
    assert_eq!(t.body["filled"], 1);
    // Accepting again returns the same seat.
    let again = app.post(&path, Some(&winner.access), json!({})).await.expect(200);
    assert_eq!(again.body["id"], answers[winners[0]].body["id"]);
    // The others are told the seat is taken; the winner is not.
    for (i, t) in takers.iter().enumerate() {
        let want = usize::from(i != winners[0]);
        eventually(20, "seat-taken news", || async { inbox(app, uid(t), "task.cover_taken").await.len() == want })
            .await;
    }
    assert!(scheduled_due(app, &format!("task:{task}:cover")).await.is_none(), "no further wave");
}

/// Erasing a volunteer who held a seat ends their sign-up the way a cancellation does: the seat
/// is freed and, with nobody waiting, offered as cover to the matching volunteers.
#[tokio::test]
async fn erasing_a_seat_holder_frees_the_seat_and_offers_cover_as_a_cancel_does() {
    let s = Service::with(|c| c.dispatch.cover_wave_size = 20).await;
    let app = &s.app;
    let holder = app.register_volunteer().await;
    let task = s.publish(s.task_body(Duration::hours(10), 2, 1)).await;
    let holding = s.sign_up(&task, &holder).await;
    let takers = app.quick_volunteers(3, Some(&s.room)).await;
    app.start_workers();

    let before = processed(app, "task.cover");
    app.post("/api/v1/me/erase", Some(&holder.access), json!({"password": crate::helpers::PASSWORD})).await.expect(204);
    let id: Uuid = holding["id"].as_str().unwrap().parse().unwrap();
    let ended = signup::Entity::find_by_id(id).one(app.db()).await.unwrap().unwrap();
    assert_eq!(ended.status, SignupStatus::Cancelled, "the sign-up ends");
    let t = app.get(format!("/api/v1/tasks/{task}"), Some(&takers[0].access)).await.expect(200);
    assert_eq!(t.body["filled"], 0, "the seat is free");
    ran(app, "task.cover", before).await;
    let offered = invited(app, &task, InvitationKind::Cover).await;
    let expected: BTreeSet<Uuid> = takers.iter().map(uid).collect();
    assert_eq!(offered, expected, "the wave goes to the matching volunteers");
    eventually(20, "the offer in the inbox", || async {
        inbox(app, uid(&takers[0]), "task.cover_offer").await.len() == 1
    })
    .await;
    let taken = app.post(format!("/api/v1/tasks/{task}/cover/accept"), Some(&takers[0].access), json!({})).await;
    assert_eq!(taken.expect(200).body["status"], "confirmed");
}

#[tokio::test]
async fn organisers_message_everyone_and_cancelling_tells_them() {
    let s = Service::new().await;
    let app = &s.app;
    // Noon in Shanghai: no quiet hours in the way of pushes.
    app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-12-01T04:00:00Z").unwrap().with_timezone(&chrono::Utc));
    app.start_workers();
    let task = s.task(2).await;
    let vols = app.quick_volunteers(3, Some(&s.room)).await;
    for v in &vols {
        s.sign_up(&task, v).await;
    }
    app.post("/api/v1/me/devices", Some(&vols[0].access), json!({"platform": "android", "token": "device-0"}))
        .await
        .expect(201);
    let path = format!("/api/v1/tasks/{task}/messages");
    // Bad input and strangers change nothing.
    app.post(&path, Some(&s.organiser.access), json!({"text": ""})).await.expect(400);
    app.post(&path, Some(&s.organiser.access), json!({"text": "x".repeat(501)})).await.expect(400);
    app.post(&path, Some(&s.organiser.access), json!({"text": "hi", "extra": 1})).await.expect(400);
    app.post(&path, Some(&vols[0].access), json!({"text": "hi"})).await.expect(403);

    let sent = app.post(&path, Some(&s.organiser.access), json!({"text": "请带好工作证，8:50 在门口集合"})).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    assert_eq!(sent.body["recipients"], 3, "two confirmed and one waitlisted");
    for v in &vols {
        eventually(20, "the message", || async { inbox(app, uid(v), "task.message").await.len() == 1 }).await;
        assert!(inbox(app, uid(v), "task.message").await[0].body.contains("工作证"));
    }
    eventually(20, "the push", || async { !app.pushes().is_empty() }).await;
    assert!(app.pushes().iter().all(|p| !format!("{p:?}").contains("工作证")), "pushes never carry the text");

    let signup = signup::Entity::find()
        .filter(signup::Column::VolunteerId.eq(uid(&vols[0])))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    app.post(format!("/api/v1/tasks/{task}/cancel"), Some(&s.organiser.access), json!({"reason": "暴雨预警"}))
        .await
        .expect(200);
    for v in &vols {
        eventually(20, "the cancellation", || async {
            inbox(app, uid(v), "task.cancelled_with_reason").await.len() == 1
        })
        .await;
    }
    assert!(inbox(app, uid(&vols[0]), "task.cancelled_with_reason").await[0].body.contains("暴雨预警"));
    eventually(20, "reminders dropped", || async {
        scheduled_due(app, &format!("signup:{}:24h", signup.id)).await.is_none()
    })
    .await;
    // A cancelled task takes no more messages.
    app.post(&path, Some(&s.organiser.access), json!({"text": "hi"})).await.expect_problem(409, "task_not_published");
}

#[tokio::test]
async fn organisers_hear_of_a_short_head_count_and_ended_tasks_close() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    let mut body = s.task_body(Duration::days(2), 2, 10);
    body["minHeadcount"] = json!(3);
    let task = s.publish(body).await;
    let v = app.register_volunteer().await;
    s.sign_up(&task, &v).await;

    advance_and_scan(app, Duration::hours(24) + Duration::minutes(1)).await;
    eventually(30, "the head-count warning", || async {
        inbox(app, uid(&s.organiser), "task.below_minimum").await.len() == 1
    })
    .await;
    let warning = &inbox(app, uid(&s.organiser), "task.below_minimum").await[0];
    assert!(warning.body.contains('1') && warning.body.contains('3'), "{}", warning.body);

    // After the end, the closing cron completes the task and records the no-show.
    let before = processed(app, "task.close");
    app.clock.advance(Duration::hours(27));
    ran(app, "task.close", before).await;
    eventually(30, "the task completed", || async {
        app.get(format!("/api/v1/tasks/{task}"), Some(&v.access)).await.body["status"] == "completed"
    })
    .await;
    let s_row =
        signup::Entity::find().filter(signup::Column::VolunteerId.eq(uid(&v))).one(app.db()).await.unwrap().unwrap();
    assert!(s_row.no_show, "confirmed, never checked in");
}

#[tokio::test]
async fn dispatch_skips_volunteers_who_lack_the_tasks_prerequisites() {
    let s = Service::new().await;
    let app = &s.app;
    app.start_workers();
    // Two volunteers of the room; only the first holds the certificate the task asks for.
    let [holder, _lacking] = &app.quick_volunteers(2, Some(&s.room)).await[..] else { unreachable!() };
    app.post("/api/v1/credential-kinds", Some(&s.city_admin.access), json!({"code": "first_aid", "name": "急救员证"}))
        .await
        .expect(201);
    let today = s.today();
    let cred = app
        .post(
            "/api/v1/me/credentials",
            Some(&holder.access),
            json!({"kind": "first_aid", "number": "FA-0001", "issuingBody": "红十字会", "issuedOn": today,
                   "evidenceRef": "files/fa.pdf"}),
        )
        .await
        .expect(201);
    app.post(format!("/api/v1/credentials/{}/verify", cred.str("id")), Some(&s.admin.access), json!(null))
        .await
        .expect(200);

    let task = app.post("/api/v1/tasks", Some(&s.organiser.access), s.task_body(Duration::days(2), 3, 10)).await;
    let task = task.expect(201).str("id");
    app.put(
        &format!("/api/v1/tasks/{task}/prerequisites"),
        Some(&s.organiser.access),
        json!({"items": [{"kind": "credential", "credentialKind": "first_aid"}]}),
    )
    .await
    .expect(200);
    let before = processed(app, "task.dispatch");
    app.post(format!("/api/v1/tasks/{task}/publish"), Some(&s.organiser.access), json!({})).await.expect(200);
    ran(app, "task.dispatch", before).await;
    assert_eq!(invited(app, &task, InvitationKind::Dispatch).await, BTreeSet::from([uid(holder)]));
}
