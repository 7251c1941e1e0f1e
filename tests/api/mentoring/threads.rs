//! The pair thread: delta sync, read receipts, and a push that never carries the text.

use super::support::*;
use crate::helpers::{NowUtc, eventually};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn the_pair_thread_syncs_deltas_and_read_receipts_and_never_pushes_the_text() {
    let Pair { app, f, mentor, mentee, id } = pair().await;
    let [east, west] = &f.stations;
    app.post("/api/v1/me/devices", Some(&mentee.access), json!({"platform": "android", "token": "mentee-phone"}))
        .await
        .expect(201);
    app.start_workers();
    let path = format!("/api/v1/mentoring/pairings/{id}/messages");
    let secret = "周六上午九点在社区服务中心见";
    let m1 = app.post(&path, Some(&mentor.access), json!({"body": secret})).await.expect(201);
    assert_eq!(m1.body["recipientId"], mentee.user_id.as_str());
    app.post(&path, Some(&mentor.access), json!({"body": "x".repeat(1001)})).await.expect(400);
    app.post(&path, Some(&mentor.access), json!({"body": "   "})).await.expect(400);
    // The mentee's inbox says who wrote; the push says neither who nor what, and collapses per
    // thread.
    let of_message = || app.pushes().into_iter().map(|p| p.message).find(|m| m.data.contains_key("messageId"));
    eventually(20, "the push", || async { of_message().is_some() }).await;
    let push = of_message().unwrap();
    let text = format!("{} {} {:?}", push.title, push.body, push.data);
    assert!(!text.contains(secret) && !text.contains("测试"), "{text}");
    assert_eq!(push.collapse_key.as_deref(), Some(format!("mentoring-thread:{id}").as_str()));
    assert_eq!(push.data["senderId"], mentor.user_id);
    let items = inbox(&app, &mentee).await;
    assert!(!items[0]["body"].as_str().unwrap().contains(secret));

    // Delta sync and read receipts.
    let t0 = app.clock.now_utc();
    app.clock.advance(Duration::minutes(1));
    let m2 = app.post(&path, Some(&mentee.access), json!({"body": "好的"})).await.expect(201).str("id");
    let since = |t: DateTime<Utc>| format!("{path}?since={}", urlencoding(&t.to_rfc3339()));
    let d = app.get(since(t0), Some(&mentor.access)).await.expect(200);
    let ids: Vec<&str> = d.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![m2.as_str()]);
    let t1 = app.clock.now_utc();
    app.clock.advance(Duration::minutes(1));
    let r = app.post(&format!("{path}/read"), Some(&mentee.access), json!({"upTo": m1.str("id")})).await.expect(200);
    assert_eq!(r.body["marked"], 1);
    let d = app.get(since(t1), Some(&mentor.access)).await.expect(200);
    assert_eq!(d.body["items"][0]["id"], m1.body["id"]);
    assert!(d.body["items"][0]["readAt"].is_string());
    // Pages: newest first, with a cursor.
    let p1 = app.get(format!("{path}?limit=1"), Some(&mentee.access)).await.expect(200);
    assert_eq!(p1.body["items"][0]["id"], m2.as_str());
    let cursor = p1.str("nextCursor");
    let p2 = app.get(format!("{path}?limit=1&cursor={cursor}"), Some(&mentee.access)).await.expect(200);
    assert_eq!(p2.body["items"][0]["id"], m1.body["id"]);

    // Who reads and writes.
    let other_v = one(&app, "volunteer", &east.room).await;
    let other_sw = one(&app, "social_worker", &east.room).await;
    for s in [&other_v, &other_sw, &west.admin] {
        app.get(&path, Some(&s.access)).await.expect_problem(404, "not_found");
    }
    for s in [&other_v, &other_sw] {
        app.post(&path, Some(&s.access), json!({"body": "hi"})).await.expect_problem(404, "not_found");
    }
    app.post(&path, Some(&west.admin.access), json!({"body": "hi"})).await.expect_problem(403, "forbidden");
    app.get(&path, Some(&east.admin.access)).await.expect(200);
    app.post(&path, Some(&east.admin.access), json!({"body": "hi"})).await.expect_problem(403, "forbidden");

    // Read-only after the pairing ends.
    app.post(&format!("/api/v1/mentoring/pairings/{id}/end"), Some(&mentor.access), json!({"reason": "结束"}))
        .await
        .expect(200);
    app.post(&path, Some(&mentee.access), json!({"body": "还在吗"})).await.expect_problem(409, "thread_read_only");
    let all = app.get(&path, Some(&mentee.access)).await.expect(200);
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
}
