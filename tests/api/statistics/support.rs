//! Shared by the statistics tests: two stations under one city (one in a district, one straight
//! under the city), service of every kind at their rooms, and the rollups both as kept and as
//! aggregated here from the ledger.

use crate::helpers::{NowUtc, Session, TestApp, TwoStations, spawn_app_with};
use chrono::{Datelike, Days, Duration, NaiveDate};
use entity::hours_entry::{self, HoursSource, HoursStatus};
use entity::{hours_rollup, org_unit_closure, task};
use futures::future::join_all;
use sea_orm::{ActiveEnum, EntityTrait};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// Minutes and service count per (unit, month, action line).
pub type Sums = BTreeMap<(String, String, String), (i64, i64)>;

pub async fn app() -> (TestApp, TwoStations) {
    // The clock moves by a day; tokens must outlive that.
    let app = spawn_app_with(|c| {
        c.access_token_ttl = std::time::Duration::from_secs(90 * 86400);
        c.refresh_token_ttl = std::time::Duration::from_secs(180 * 86400);
    })
    .await;
    let f = app.two_stations().await;
    (app, f)
}

pub fn today(app: &TestApp) -> NaiveDate {
    wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai")
}

pub fn month(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

pub async fn claim(app: &TestApp, v: &Session, room: &str, date: NaiveDate, minutes: i64) -> String {
    app.post(
        "/api/v1/me/hours/claims",
        Some(&v.access),
        json!({"orgUnitId": room, "serviceDate": date, "minutes": minutes, "description": "入户探访"}),
    )
    .await
    .expect(201)
    .str("id")
}

pub async fn decide(app: &TestApp, admin: &Session, ids: &[String], approve: bool) {
    let mut body = json!({"ids": ids, "approve": approve});
    if !approve {
        body["reason"] = json!("无签到记录");
    }
    app.post("/api/v1/hours/decisions", Some(&admin.access), body).await.expect(200);
}

/// A published task of `line` at `room`, starting in a day and lasting four hours, organised by
/// `organiser`.
pub async fn task(app: &TestApp, organiser: &Session, room: &str, line: &str) -> String {
    let starts = app.clock.now_utc() + Duration::days(1);
    let body = json!({
        "title": "社区服务",
        "description": "陪伴独居老人",
        "actionLine": line,
        "orgUnitId": room,
        "address": "社区活动中心",
        "lat": 31.3,
        "lng": 120.6,
        "startsAt": starts,
        "endsAt": starts + Duration::hours(4),
        "capacity": 10,
    });
    let id = app.post("/api/v1/tasks", Some(&organiser.access), body).await.expect(201).str("id");
    app.post(&format!("/api/v1/tasks/{id}/publish"), Some(&organiser.access), json!({})).await.expect(200);
    id
}

/// The rollups as kept (rows of nothing left out).
pub async fn kept(app: &TestApp) -> Sums {
    hours_rollup::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.minutes != 0 || r.service_count != 0)
        .map(|r| ((r.org_unit_id.to_string(), r.month, r.action_line.to_value()), (r.minutes, r.service_count)))
        .collect()
}

/// The same sums aggregated here from every ledger entry: each approved entry at its unit and
/// every unit above it, by its task's action line (`other` without a task) and the month of its
/// service date; a correction adds minutes but no service.
pub async fn fresh(app: &TestApp) -> Sums {
    let db = app.db();
    let lines: HashMap<_, _> =
        task::Entity::find().all(db).await.unwrap().into_iter().map(|t| (t.id, t.action_line.to_value())).collect();
    let mut above: HashMap<_, Vec<_>> = HashMap::new();
    for c in org_unit_closure::Entity::find().all(db).await.unwrap() {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    let mut sums = Sums::new();
    for e in hours_entry::Entity::find().all(db).await.unwrap() {
        if e.status != HoursStatus::Approved {
            continue;
        }
        let line = e.task_id.map_or("other".to_string(), |t| lines[&t].clone());
        for unit in &above[&e.org_unit_id] {
            let sum = sums.entry((unit.to_string(), month(e.service_date), line.clone())).or_default();
            sum.0 += i64::from(e.minutes);
            sum.1 += i64::from(e.source != HoursSource::Adjustment);
        }
    }
    sums.retain(|_, s| *s != (0, 0));
    sums
}

/// Approvals of every kind at the rooms of both stations: batches over this month, earlier
/// months and the year before; declines; twenty claims approved by twenty concurrent decisions
/// across both stations; a leader's entry on a task, corrected down and up.
pub async fn serve_everywhere(app: &TestApp, f: &TwoStations) {
    let today = today(app);
    let year_ago = today - Days::new(360);
    for (n, st) in f.stations.iter().enumerate() {
        let vols = app.quick_volunteers(2, Some(&st.room)).await;
        let mut batch = Vec::new();
        for (i, v) in vols.iter().enumerate() {
            for (days_ago, minutes) in [(0u64, 60i64), (40, 90), (330, 120)] {
                let date = today - Days::new(days_ago + i as u64 + n as u64);
                batch.push(claim(app, v, &st.room, date, minutes + i as i64 + 7 * n as i64).await);
            }
        }
        decide(app, &st.admin, &batch, true).await;
        let declined = claim(app, &vols[0], &st.room, today - Days::new(3), 500).await;
        decide(app, &st.admin, &[declined], false).await;
    }

    let mut many = Vec::new();
    for (n, st) in f.stations.iter().enumerate() {
        let vols = app.quick_volunteers(2, Some(&st.room)).await;
        for d in 0..10u64 {
            let v = &vols[d as usize % 2];
            many.push((st, claim(app, v, &st.room, year_ago + Days::new(d + 10 * n as u64), 30 + d as i64).await));
        }
    }
    let answers = join_all(many.iter().map(|(st, id)| {
        app.post("/api/v1/hours/decisions", Some(&st.admin.access), json!({"ids": [id], "approve": true}))
    }))
    .await;
    assert!(answers.iter().all(|r| r.status == 200), "{:?}", answers.iter().map(|r| r.status).collect::<Vec<_>>());

    // A leader's entry on each station's task (different action lines), corrected down and up.
    let mut entries = Vec::new();
    let tasks = [
        (&f.stations[0], task(app, &f.stations[0].social_worker, &f.stations[0].room, "help").await),
        (&f.stations[1], task(app, &f.stations[1].social_worker, &f.stations[1].room, "governance").await),
    ];
    for (st, t) in &tasks {
        let r = app.post(&format!("/api/v1/tasks/{t}/signups"), Some(&st.volunteer.access), json!({})).await;
        assert!(r.status == 201 || r.status == 200, "sign-up failed: {} {}", r.status, r.body);
    }
    app.clock.advance(Duration::days(1) + Duration::hours(5));
    for (st, t) in &tasks {
        let body =
            json!({"kind": "leader_entry", "volunteerId": st.volunteer.user_id, "minutes": 200, "reason": "补录"});
        let entry =
            app.post(&format!("/api/v1/tasks/{t}/hours"), Some(&st.social_worker.access), body).await.expect(201);
        entries.push((st, entry.str("id")));
    }
    for (st, entry) in &entries {
        for delta in [-50, 20] {
            app.post(
                &format!("/api/v1/hours/{entry}/corrections"),
                Some(&st.admin.access),
                json!({"deltaMinutes": delta, "reason": "签到时间有误"}),
            )
            .await
            .expect(201);
        }
    }
}

/// The first sheet of an XLSX download, as its XML, after checking the answer's type.
pub async fn xlsx_sheet(app: &TestApp, path: &str, token: &str) -> String {
    use std::io::Read;
    let r = reqwest::Client::new().get(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX file is a zip archive");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").expect("one sheet").read_to_string(&mut sheet).unwrap();
    sheet
}

/// Checks the kept active volunteers against the ledger: for every unit and every span of up to
/// three years around the months served, the volunteers counted from the rollups equal those
/// with an approved entry in the subtree in the span. Returns the count rows as kept.
pub async fn active_volunteers_match_the_ledger(app: &TestApp) -> Vec<entity::active_volunteer_count::Model> {
    use wushe::domain::statistics::active_volunteers::{active_in, month_number};
    use wushe::domain::statistics::hours::MonthSpan;
    let db = app.db();
    let mut above: HashMap<_, Vec<_>> = HashMap::new();
    for c in org_unit_closure::Entity::find().all(db).await.unwrap() {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    // (unit, month number) → volunteers served there then.
    let mut served: BTreeMap<(uuid::Uuid, i32), std::collections::BTreeSet<uuid::Uuid>> = BTreeMap::new();
    for e in hours_entry::Entity::find().all(db).await.unwrap() {
        if e.status == HoursStatus::Approved {
            for unit in &above[&e.org_unit_id] {
                served.entry((*unit, month_number(e.service_date))).or_default().insert(e.volunteer_id);
            }
        }
    }
    let months: Vec<i32> = served.keys().map(|(_, m)| *m).collect();
    let (first, last) = (months.iter().min().copied().unwrap(), months.iter().max().copied().unwrap());
    let day = |m: i32| NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1).unwrap();
    let mut checked = 0;
    for unit in above.keys() {
        for a in first - 2..=last + 1 {
            for b in a..=(a + 35).min(last + 2) {
                let mut fresh = std::collections::BTreeSet::new();
                for m in a..=b {
                    fresh.extend(served.get(&(*unit, m)).into_iter().flatten().copied());
                }
                let kept = active_in(db, *unit, &MonthSpan { from: day(a), to: day(b) }).await.unwrap();
                assert_eq!(kept, fresh.len() as u64, "unit {unit}, months {a}..={b}");
                checked += u64::from(!fresh.is_empty());
            }
        }
    }
    assert!(checked > 0, "no span with anyone active was checked");
    let mut rows = entity::active_volunteer_count::Entity::find().all(db).await.unwrap();
    rows.sort_by_key(|r| (r.org_unit_id, r.month, r.previous));
    assert!(rows.iter().all(|r| r.volunteers > 0), "a count of nobody was kept");
    rows
}

/// People counted per (unit, figure, bucket).
pub type People = BTreeMap<(uuid::Uuid, String, i32), i64>;

/// The people rollups as kept.
pub async fn people_kept(app: &TestApp) -> People {
    entity::people_rollup::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|r| ((r.org_unit_id, r.figure, r.bucket), r.people))
        .collect()
}

/// The same counts made here from the people: every account with a home unit at that unit and
/// every unit above it; a volunteer under the month (in the home unit's zone) the account was
/// created, a social worker once, anyone with a star award under their highest level, and each
/// published honour under its kind and year.
pub async fn people_fresh(app: &TestApp) -> People {
    use chrono::Datelike;
    let db = app.db();
    let mut above: HashMap<_, Vec<_>> = HashMap::new();
    for c in org_unit_closure::Entity::find().all(db).await.unwrap() {
        above.entry(c.descendant_id).or_default().push(c.ancestor_id);
    }
    let zones: HashMap<_, _> =
        entity::org_unit::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.id, u.time_zone)).collect();
    let mut stars: HashMap<uuid::Uuid, i32> = HashMap::new();
    for a in entity::star_award::Entity::find().all(db).await.unwrap() {
        let s = stars.entry(a.volunteer_id).or_default();
        *s = (*s).max(a.level);
    }
    let mut honours: HashMap<uuid::Uuid, Vec<(String, i32)>> = HashMap::new();
    for h in entity::honour::Entity::find().all(db).await.unwrap() {
        if h.status == entity::honour::HonourStatus::Published {
            honours.entry(h.recipient_id).or_default().push((h.kind.to_value(), h.year));
        }
    }
    let mut people = People::new();
    for u in entity::user::Entity::find().all(db).await.unwrap() {
        let Some(unit) = u.org_unit_id else { continue };
        let mut figures = Vec::new();
        match u.role {
            entity::user::Role::Volunteer => {
                let zone: chrono_tz::Tz = zones[&unit].parse().unwrap();
                let local = u.created_at.with_timezone(&zone);
                figures.push(("volunteers_joined".to_string(), local.year() * 12 + local.month0() as i32));
            }
            entity::user::Role::SocialWorker => figures.push(("social_workers".to_string(), 0)),
            _ => {}
        }
        if let Some(level) = stars.get(&u.id) {
            figures.push(("star_level".to_string(), *level));
        }
        for (kind, year) in honours.get(&u.id).into_iter().flatten() {
            figures.push((format!("honour:{kind}"), *year));
        }
        for (figure, bucket) in figures {
            for a in &above[&unit] {
                *people.entry((*a, figure.clone(), bucket)).or_default() += 1;
            }
        }
    }
    people
}
