//! Reminders after an outage: those whose usefulness has passed (the task started or ended while
//! the workers were down) are dropped and counted, not sent; one that is late but still ahead
//! of the start is sent.

use super::dispatch::{advance_and_scan, inbox, uid};
use crate::helpers::eventually;
use crate::service_fixture::Service;
use chrono::Duration;

const KINDS: [&str; 3] = ["24h", "1h", "checkout"];

#[tokio::test]
async fn reminders_overdue_after_an_outage_are_dropped_and_counted_and_late_useful_ones_still_go() {
    let s = Service::new().await;
    let app = &s.app;
    let overdue = |kind: &str| app.state.jobs.metrics.overdue_count(&format!("task.remind:{kind}"));
    // Task A starts in two days; task B twenty-two hours after the outage ends.
    let ended = s.task(5).await;
    let upcoming = s.publish(s.task_body(Duration::days(16) + Duration::hours(22), 3, 5)).await;
    let (a, b) = (app.register_volunteer().await, app.register_volunteer().await);
    s.sign_up(&ended, &a).await;
    s.sign_up(&upcoming, &b).await;

    // The workers are down for sixteen days: A ended two weeks ago; B's day-before reminder
    // fell due two hours ago.
    app.clock.advance(Duration::days(16));
    app.start_workers();
    advance_and_scan(app, Duration::minutes(1)).await;
    eventually(30, "A's reminders dropped and B's sent", || async {
        KINDS.iter().all(|k| overdue(k) == 1) && inbox(app, uid(&b), "task.reminder_24h").await.len() == 1
    })
    .await;
    for kind in KINDS {
        let template = format!("task.reminder_{kind}");
        assert!(inbox(app, uid(&a), &template).await.is_empty(), "{template} of a task long over is not sent");
    }
    let told = app.get("/api/v1/me/notifications", Some(&a.access)).await.expect(200);
    let items = told.body["items"].as_array().unwrap();
    assert!(items.iter().all(|n| n["category"] != "task_reminder"), "A's inbox holds no reminder: {}", told.body);
    assert_eq!(overdue("24h"), 1, "B's late reminder was sent, not counted");
    let metrics = wushe::worker::metrics_text(&app.state).await;
    assert!(metrics.contains("wushe_jobs_overdue_dropped_total{what=\"task.remind:checkout\"} 1"), "{metrics}");
}
