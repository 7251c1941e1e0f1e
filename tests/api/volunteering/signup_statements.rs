//! How many statements a sign-up runs: a confirmed seat, a waitlist place, a repeat and a
//! refusal, each counted on its own connection (the round trips the rules and effects cost).

use crate::service_fixture::Service;
use chrono::Duration;
use entity::user::Role;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use wushe::domain::kernel::actor::Actor;
use wushe::domain::volunteering::signups;

#[tokio::test]
async fn a_sign_up_runs_a_few_statements() {
    let s = Service::new().await;
    let task: Uuid = s.task(1).await.parse().unwrap();
    let overlapping: Uuid = s.publish(s.task_body(Duration::days(2) + Duration::hours(1), 3, 5)).await.parse().unwrap();
    let vols = s.app.quick_volunteers(2, Some(&s.room)).await;
    let actor =
        |i: usize| Actor { user_id: vols[i].user_id.parse().unwrap(), role: Role::Volunteer, org_unit_id: None };

    let mut db = sea_orm::Database::connect(&s.app.state.config.database_url).await.unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    db.set_metric_callback(move |i| log.lock().unwrap().push(i.statement.sql.clone()));
    let now = s.now();
    let count = |what: &str| {
        let sql = std::mem::take(&mut *seen.lock().unwrap());
        eprintln!("{what}: {} statements\n{}", sql.len(), sql.join("\n--\n"));
        sql.len()
    };

    let confirmed = signups::sign_up(&db, &actor(0), now, task).await.unwrap();
    assert_eq!(confirmed.signup.status, entity::signup::SignupStatus::Confirmed);
    let confirmed_n = count("confirmed");
    let waitlisted = signups::sign_up(&db, &actor(1), now, task).await.unwrap();
    assert_eq!(
        (waitlisted.signup.status, waitlisted.signup.position),
        (entity::signup::SignupStatus::Waitlisted, Some(1))
    );
    let waitlisted_n = count("waitlisted");
    let again = signups::sign_up(&db, &actor(0), now, task).await.unwrap();
    assert!(!again.created);
    let repeated_n = count("repeated");
    let refused = signups::sign_up(&db, &actor(0), now, overlapping).await.unwrap_err();
    assert!(format!("{refused:?}").contains("schedule_conflict"), "{refused:?}");
    let refused_n = count("refused");

    // PostgreSQL: the person's lock; the facts; the seat, row and audit in one statement; the
    // reminders (confirmed) or the place in line (waitlisted). SQLite needs no lock but writes
    // the seat, the row and the audit row apart (and a waitlist place tries the seat first).
    let expected = if s.app.state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        [4, 4, 2, 2]
    } else {
        [5, 6, 1, 1]
    };
    assert_eq!([confirmed_n, waitlisted_n, repeated_n, refused_n], expected);
}
