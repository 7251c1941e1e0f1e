//! Training attendance that cannot be self-certified: trainers, organisers and administrators do
//! not mark their own, every marking is audited, and a session credits no more learning than it
//! lasted.

use super::{course, session_lasting};
use crate::helpers::Session;
use crate::service_fixture::Service;
use chrono::Duration;
use entity::learning_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

async fn credited(s: &Service, who: &Session) -> Vec<i32> {
    learning_entry::Entity::find()
        .filter(learning_entry::Column::PersonId.eq(who.user_id.parse::<uuid::Uuid>().unwrap()))
        .all(s.app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.minutes)
        .collect()
}

#[tokio::test]
async fn nobody_marks_their_own_training_attendance_and_a_short_session_credits_what_it_lasted() {
    let s = Service::new().await;
    let sw = s.app.create_user(&s.admin, "social_worker", Some(&s.room)).await;
    // The course's full credit is 200 hours; its session lasts two minutes.
    let c = course(&s, 12_000, true).await;
    let sid = session_lasting(&s, &c, 5, Duration::minutes(2)).await;
    let enrolments = format!("/api/v1/training-sessions/{sid}/enrolments");
    for who in [&s.organiser, &s.admin, &sw] {
        s.app.post(&enrolments, Some(&who.access), json!(null)).await.expect(201);
    }
    s.app.clock.advance(Duration::days(2) + Duration::minutes(1));
    let attend = format!("/api/v1/training-sessions/{sid}/attendance");
    let mark = |who: &Session| json!({"personId": who.user_id, "attended": true});

    // The trainer, and the administrator of the course's unit, each on themself: refused.
    s.app.post(&attend, Some(&s.organiser.access), mark(&s.organiser)).await.expect_problem(403, "own_attendance");
    s.app.post(&attend, Some(&s.admin.access), mark(&s.admin)).await.expect_problem(403, "own_attendance");
    assert_eq!(s.app.count("learning_entries").await, 0);
    assert!(s.audited("training_attendance.record").await.is_empty());
    let roster = s.app.get(&enrolments, Some(&s.admin.access)).await.expect(200);
    assert!(
        roster.body["items"].as_array().unwrap().iter().all(|l| l["enrolment"]["status"] == "confirmed"),
        "{}",
        roster.body
    );

    // Marked by someone else, each is credited the two minutes the session lasted.
    s.app.post(&attend, Some(&s.admin.access), mark(&s.organiser)).await.expect(200);
    s.app.post(&attend, Some(&s.organiser.access), mark(&sw)).await.expect(200);
    s.app.post(&attend, Some(&s.organiser.access), mark(&s.admin)).await.expect(200);
    for who in [&s.organiser, &sw, &s.admin] {
        assert_eq!(credited(&s, who).await, vec![2]);
    }

    let rows = s.audited("training_attendance.record").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].before.as_ref().unwrap()["status"], "confirmed");
    assert_eq!(rows[0].after.as_ref().unwrap()["status"], "attended");
    assert_eq!(rows[0].actor_id.map(|a| a.to_string()), Some(s.admin.user_id.clone()));
}
