//! The per-period totals kept beside the hours ledger (`hours_totals`): after approvals in
//! batches and concurrently, declines, leaders' entries and corrections in both directions,
//! over this month, earlier months and the year before, they equal a fresh sum of the ledger; a
//! rebuild from the ledger changes nothing; the year's leaderboard counts only this year.

use crate::helpers::Session;
use crate::service_fixture::Service;
use chrono::{Datelike, Days, Duration, NaiveDate};
use entity::hours_entry::{self, HoursStatus};
use entity::hours_total;
use futures::future::join_all;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use std::collections::BTreeMap;

async fn claim(s: &Service, v: &Session, date: NaiveDate, minutes: i64) -> String {
    s.app
        .post(
            "/api/v1/me/hours/claims",
            Some(&v.access),
            json!({"orgUnitId": s.room, "serviceDate": date, "minutes": minutes, "description": "入户探访"}),
        )
        .await
        .expect(201)
        .str("id")
}

async fn decide(s: &Service, ids: &[String], approve: bool) {
    let mut body = json!({"ids": ids, "approve": approve});
    if !approve {
        body["reason"] = json!("无签到记录");
    }
    s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), body).await.expect(200);
}

/// The totals table, and the same sums computed here from every ledger entry.
async fn kept_and_fresh(s: &Service) -> (BTreeMap<(String, String), i64>, BTreeMap<(String, String), i64>) {
    let kept = hours_total::Entity::find()
        .all(s.app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|t| ((t.volunteer_id.to_string(), t.period), t.minutes))
        .collect();
    let mut fresh = BTreeMap::new();
    for e in hours_entry::Entity::find().all(s.app.db()).await.unwrap() {
        if e.status != HoursStatus::Approved {
            continue;
        }
        let d = e.service_date;
        for period in ["all".to_string(), format!("{:04}", d.year()), format!("{:04}-{:02}", d.year(), d.month())] {
            *fresh.entry((e.volunteer_id.to_string(), period)).or_default() += i64::from(e.minutes);
        }
    }
    (kept, fresh)
}

#[tokio::test]
async fn totals_equal_a_fresh_sum_of_the_ledger_through_every_kind_of_change() {
    let s = Service::new().await;
    let vols = s.app.quick_volunteers(3, Some(&s.room)).await;
    let today = s.today();
    let year_ago = today - Days::new(365);

    // Claims over this month, earlier months and most of a year back, decided in one batch.
    let mut batch = Vec::new();
    for (i, v) in vols.iter().enumerate() {
        for (days_ago, minutes) in [(0u64, 60i64), (35, 90), (300, 120)] {
            batch.push(claim(&s, v, today - Days::new(days_ago + i as u64), minutes + i as i64).await);
        }
    }
    decide(&s, &batch, true).await;
    // A declined claim counts nowhere.
    let declined = claim(&s, &vols[0], today - Days::new(3), 500).await;
    decide(&s, &[declined], false).await;

    // Twenty claims of one volunteer approved by twenty concurrent decisions.
    let mut many = Vec::new();
    for d in 0..20u64 {
        many.push(claim(&s, &vols[1], year_ago + Days::new(d + 10), 30).await);
    }
    let answers = join_all(many.iter().map(|id| {
        s.app.post("/api/v1/hours/decisions", Some(&s.organiser.access), json!({"ids": [id], "approve": true}))
    }))
    .await;
    assert!(answers.iter().all(|r| r.status == 200), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());

    // A leader's entry on a task that ended, then corrections up and down.
    let task = s.publish(s.task_body(Duration::days(1), 4, 10)).await;
    s.sign_up(&task, &vols[2]).await;
    s.app.clock.advance(Duration::days(1) + Duration::hours(5));
    let entry = s
        .app
        .post(
            &format!("/api/v1/tasks/{task}/hours"),
            Some(&s.organiser.access),
            json!({"kind": "leader_entry", "volunteerId": vols[2].user_id, "minutes": 200, "reason": "补录"}),
        )
        .await
        .expect(201)
        .str("id");
    for delta in [-50, 20] {
        s.app
            .post(
                &format!("/api/v1/hours/{entry}/corrections"),
                Some(&s.organiser.access),
                json!({"deltaMinutes": delta, "reason": "签到时间有误"}),
            )
            .await
            .expect(201);
    }

    let (kept, fresh) = kept_and_fresh(&s).await;
    assert_eq!(kept, fresh);
    assert_eq!(kept[&(vols[1].user_id.clone(), "all".to_string())], 61 + 91 + 121 + 20 * 30);
    // What `/me/hours` says comes from the same totals.
    let mine = s.app.get("/api/v1/me/hours", Some(&vols[2].access)).await.expect(200);
    assert_eq!(mine.body["approvedMinutes"].as_i64(), Some(62 + 92 + 122 + 170));

    // Rebuilding from the ledger changes nothing.
    wushe::domain::volunteering::hours_totals::rebuild(s.app.db()).await.unwrap();
    assert_eq!(kept_and_fresh(&s).await.0, kept);
}

#[tokio::test]
async fn the_year_leaderboard_counts_only_this_year() {
    let s = Service::new().await;
    let vols = s.app.quick_volunteers(2, Some(&s.room)).await;
    let today = s.today();
    let first_of_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap();
    // The first volunteer served much, all of it last year; the second a little, this year.
    let old = claim(&s, &vols[0], first_of_year - Days::new(1), 600).await;
    let new = claim(&s, &vols[1], today, 60).await;
    decide(&s, &[old, new], true).await;
    let board = |period: &'static str| {
        let url = format!("/api/v1/leaderboards?orgUnitId={}&period={period}", s.station);
        let token = vols[0].access.clone();
        let s = &s;
        async move { s.app.get(&url, Some(&token)).await.expect(200).body }
    };
    let minutes = |b: &Value| -> Vec<i64> {
        b["top"].as_array().unwrap().iter().map(|l| l["minutes"].as_i64().unwrap()).collect()
    };
    let year = board("year").await;
    assert_eq!(minutes(&year), vec![60]);
    assert!(year["me"].is_null(), "nothing of the first volunteer's falls in this year");
    let all = board("all").await;
    assert_eq!(minutes(&all), vec![600, 60]);
    assert_eq!(all["me"]["rank"].as_i64(), Some(1));
}
