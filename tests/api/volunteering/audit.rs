//! Task and sign-up changes are in the audit log whoever makes them (organisers, volunteers),
//! with before and after, and the log filters by target: read through the API.

use crate::service_fixture::Service;
use chrono::Duration;
use serde_json::{Value, json};

/// The audit entries matching `query`, newest first, as the city administrator reads them.
async fn log(s: &Service, query: &str) -> Vec<Value> {
    let r = s.app.get(format!("/api/v1/audit-log?{query}&limit=100"), Some(&s.city_admin.access)).await.expect(200);
    r.body["items"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries.iter().map(|e| e["action"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn task_and_sign_up_changes_are_audited_whoever_makes_them() {
    let s = Service::new().await;
    let app = &s.app;
    let org = &s.organiser;
    let mut body = s.task_body(Duration::days(2), 3, 5);
    body["signupMode"] = json!("managed");
    let task = app.post("/api/v1/tasks", Some(&org.access), body).await.expect(201).str("id");
    app.patch(format!("/api/v1/tasks/{task}"), Some(&org.access), json!({"capacity": 6})).await.expect(200);
    app.post(&format!("/api/v1/tasks/{task}/publish"), Some(&org.access), json!({})).await.expect(200);
    let vols = app.quick_volunteers(2, Some(&s.room)).await;
    let a = s.sign_up(&task, &vols[0]).await["id"].as_str().unwrap().to_string();
    let b = s.sign_up(&task, &vols[1]).await["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/signups/{a}/approve"), Some(&org.access), json!({})).await.expect(200);
    app.post(&format!("/api/v1/signups/{a}/remove"), Some(&org.access), json!({"reason": "重复报名"}))
        .await
        .expect(200);
    app.post(&format!("/api/v1/signups/{b}/cancel"), Some(&vols[1].access), json!({})).await.expect(200);
    app.post(&format!("/api/v1/tasks/{task}/cancel"), Some(&org.access), json!({"reason": "天气原因"}))
        .await
        .expect(200);

    // The task's own history: the organiser's changes to their own task, with before and after.
    let t = log(&s, &format!("targetType=task&targetId={task}")).await;
    assert_eq!(actions(&t), ["task.cancel", "task.publish", "task.update", "task.create"]);
    assert!(t.iter().all(|e| e["actorId"] == org.user_id.as_str()));
    assert!(t[3]["before"].is_null() && t[3]["after"]["status"] == "draft");
    assert_eq!((&t[2]["before"]["capacity"], &t[2]["after"]["capacity"]), (&json!(5), &json!(6)));
    assert_eq!((&t[1]["before"]["status"], &t[1]["after"]["status"]), (&json!("draft"), &json!("published")));
    assert_eq!(t[0]["after"]["cancel_reason"], "天气原因");

    // A sign-up's history, by its id alone: the volunteer's sign-up, the organiser's decisions.
    let sa = log(&s, &format!("targetId={a}")).await;
    assert_eq!(actions(&sa), ["signup.remove", "signup.approve", "signup.create"]);
    assert_eq!(sa[2]["actorId"], vols[0].user_id.as_str(), "the volunteer's own sign-up is recorded");
    assert_eq!(sa[2]["after"]["status"], "pending");
    assert_eq!((&sa[1]["before"]["status"], &sa[1]["after"]["status"]), (&json!("pending"), &json!("confirmed")));
    assert_eq!(sa[1]["actorId"], org.user_id.as_str());
    assert_eq!((&sa[0]["after"]["status"], &sa[0]["after"]["reason"]), (&json!("removed"), &json!("重复报名")));
    let sb = log(&s, &format!("targetType=signup&targetId={b}")).await;
    assert_eq!(actions(&sb), ["signup.cancel", "signup.create"]);
    assert!(sb.iter().all(|e| e["actorId"] == vols[1].user_id.as_str()));
    assert_eq!((&sb[0]["before"]["status"], &sb[0]["after"]["status"]), (&json!("pending"), &json!("cancelled")));

    // Filters keep the administrators' view usable: by kind of target, by person.
    let tasks_only = log(&s, "targetType=task").await;
    assert_eq!(tasks_only.len(), 4);
    let by_volunteer = log(&s, &format!("actorId={}", vols[1].user_id)).await;
    assert_eq!(actions(&by_volunteer), ["signup.cancel", "signup.create"]);
    // Refused changes leave nothing.
    let before = log(&s, "targetType=signup").await.len();
    app.post(&format!("/api/v1/signups/{b}/cancel"), Some(&vols[1].access), json!({}))
        .await
        .expect_problem(409, "signup_not_live");
    assert_eq!(log(&s, "targetType=signup").await.len(), before);
}
