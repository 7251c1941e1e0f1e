//! The console's journeys in a real browser: headless Chromium driven over WebDriver. Skipped
//! (with a line saying so) where no ChromeDriver is installed; CI installs one and insists.

use super::webdriver::{Browser, chromedriver};
use crate::helpers::{NowUtc, PASSWORD, spawn_app};
use chrono::Duration;
use sea_orm::EntityTrait;

#[tokio::test]
async fn a_station_administrator_approves_a_batch_of_hours_and_sees_the_dashboard_change() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let s = &f.stations[0];
    let day = wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai") - Duration::days(1);
    for minutes in [60, 90, 120] {
        crate::statistics::support::claim(&app, &s.volunteer, &s.room, day, minutes).await;
    }
    // Another station's entry: not in this administrator's queue.
    crate::statistics::support::claim(&app, &f.stations[1].volunteer, &f.stations[1].room, day, 45).await;

    let b = Browser::start(&driver).await;
    b.go(&format!("{}/console", app.base)).await;
    assert!(b.url().await.ends_with("/console/sign-in"), "sent to sign in first");
    b.type_into("#phone", &s.admin.phone).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#sign-in").await;
    assert_eq!(b.text("#total-hours").await, "0.0", "nothing approved yet");

    b.click("#nav-hours").await;
    assert_eq!(b.count("#queue tbody tr").await, 3, "the station's three pending entries only");
    b.click("#select-all").await;
    assert!(b.selected("#queue tbody tr:nth-child(3) input[name=id]").await, "select-all ticks every row");
    b.click("#approve").await;
    assert!(b.text("#decided").await.ends_with('3'), "three decided");
    assert!(b.text("#empty").await.contains("没有待审核"));

    b.click("#nav-dashboard").await;
    assert_eq!(b.text("#total-hours").await, "4.5", "270 minutes approved");
    assert_eq!(b.text("#service-count").await, "3");
    assert!(b.text("#children").await.contains("4.5"), "the room's row below the station");
    let errors = b.severe_logs().await;
    assert!(errors.is_empty(), "no script or CSP errors: {errors:?}");
    let shot = b.screenshot("dashboard").await;
    eprintln!("dashboard screenshot: {}", shot.display());
    // On a tablet held upright nothing runs off the side of the page.
    b.resize(768, 1024).await;
    for page in ["/console", "/console/hours", "/console/honours", "/console/people"] {
        b.go(&format!("{}{page}", app.base)).await;
        let overflow = b.execute("return document.documentElement.scrollWidth - window.innerWidth;").await;
        assert!(overflow.as_i64().unwrap() <= 0, "{page} is wider than a tablet by {overflow} px");
    }
    eprintln!("tablet screenshot: {}", b.screenshot("dashboard-tablet").await.display());
    b.resize(1280, 1000).await;
    b.click("#nav-dashboard").await;

    // Drill down to the room, then sign out.
    b.click("#children a").await;
    let trail = b.text(&format!("#trail[data-unit='{}']", s.room)).await;
    assert!(trail.contains("测试市") && trail.contains("东站"), "the room's page, its trail leading back up: {trail}");
    b.click("#sign-out").await;
    assert!(b.url().await.ends_with("/console/sign-in"));
    b.go(&format!("{}/console/hours", app.base)).await;
    assert!(b.url().await.ends_with("/console/sign-in"), "signed out means signed out");

    // The API agrees: approved, and the other station's entry still waits.
    let pending = app.get("/api/v1/hours?status=pending", Some(&f.city_admin.access)).await.expect(200);
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_volunteer_is_refused_the_console_in_the_browser() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let b = Browser::start(&driver).await;
    b.go(&format!("{}/console/sign-in?lang=en", app.base)).await;
    b.type_into("#phone", &f.stations[0].volunteer.phone).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#sign-in").await;
    assert!(b.text("#message").await.contains("The console is for administrators"));
    b.go(&format!("{}/console", app.base)).await;
    assert!(b.url().await.ends_with("/console/sign-in"), "no session was kept");
}

#[tokio::test]
async fn a_city_administrator_runs_an_honours_programme_from_set_up_to_publication() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let (east, west) = (&f.stations[0], &f.stations[1]);
    let b = Browser::start(&driver).await;
    let sign_in = async |who: &crate::helpers::Session| {
        b.go(&format!("{}/console/sign-in", app.base)).await;
        b.type_into("#phone", &who.phone).await;
        b.type_into("#password", PASSWORD).await;
        b.click("#sign-in").await;
    };
    sign_in(&f.city_admin).await;

    // Set-up: a bad time is refused beside its field and creates nothing; then a good one.
    let local = |d: Duration| {
        (app.clock.now_utc() + d).with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string()
    };
    b.click("#nav-honours").await;
    b.type_into("#name", "2026年度最美社工").await;
    b.retype("#opens", "下周一").await;
    b.retype("#awards", "1").await;
    b.click("#create-programme").await;
    assert_eq!(b.count("#problem").await, 1, "the API's problem is shown");
    assert_eq!(app.count("honour_programmes").await, 0, "a refused form creates nothing");
    assert_eq!(b.value("#name").await, "2026年度最美社工", "what was typed is kept");
    b.retype("#opens", &local(-Duration::hours(1))).await;
    b.retype("#closes", &local(Duration::days(1))).await;
    b.retype("#review_closes", &local(Duration::days(2))).await;
    b.click("#create-programme").await;
    assert_eq!(b.text("#state").await, "草稿");
    let programme_url = b.url().await.split('?').next().unwrap().to_string();
    b.click("#advance").await;
    assert_eq!(b.text("#state").await, "推荐中");

    // Nominations: two people of the east station, found by phone.
    for (who, statement) in [(&east.social_worker, "扎根社区十年"), (&east.volunteer, "热心服务")] {
        b.type_into("#find-nominee", &who.phone).await;
        b.click("#search-nominee").await;
        b.click("#nominate input[name=nominee]").await;
        b.type_into("#statement", statement).await;
        b.click("#nominate-button").await;
        assert_eq!(b.text("#done").await, "已推荐");
    }
    assert_eq!(b.count("#nominations tbody tr").await, 2);

    // The panel: the west station's administrator, found by phone; then the review opens.
    b.type_into("#find-reviewer", &west.admin.phone).await;
    b.click("#search-reviewer").await;
    b.click("#panel-form input[name=reviewer]").await;
    b.click("#appoint").await;
    assert_eq!(b.count("#panel-form input[name=reviewer]:checked").await, 1, "the panel reads back");
    b.click("#advance").await;
    assert_eq!(b.text("#state").await, "评审中");
    assert_eq!(b.count("#decide").await, 0, "no decision while the review is open");
    b.click("#sign-out").await;

    // The reviewer scores both in their own console: the social worker 10s, the volunteer 6s.
    let nominations = app.get(&format!("{}/nominations", api_path(&programme_url)), Some(&f.city_admin.access)).await;
    let id_of = |who: &crate::helpers::Session| {
        nominations.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["nominee"]["id"] == who.user_id.as_str())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (first, second) = (id_of(&east.social_worker), id_of(&east.volunteer));
    sign_in(&west.admin).await;
    b.go(&programme_url).await;
    assert_eq!(b.count("#review .review-item").await, 2, "both to score");
    assert_eq!(b.count("#ranking").await, 0, "the ranking is the city's");
    for criterion in 1..=3 {
        b.click(&format!(".review-item[data-nomination='{second}'] label:nth-of-type({criterion}) option[value='6']"))
            .await;
    }
    b.type_into(&format!(".review-item[data-nomination='{second}'] input[name=comment]"), "踏实").await;
    b.click(&format!(".review-item[data-nomination='{second}'] .score-button")).await;
    b.type_into(&format!(".review-item[data-nomination='{first}'] input[name=comment]"), "事迹突出").await;
    b.click(&format!(".review-item[data-nomination='{first}'] .score-button")).await;
    assert_eq!(b.text("#done").await, "已评分");
    b.click("#sign-out").await;

    // The review closes; the city administrator decides the top of the ranking.
    app.clock.advance(Duration::days(3));
    sign_in(&f.city_admin).await;
    b.go(&programme_url).await;
    assert_eq!(b.count(&format!("#ranking tbody tr:nth-child(1)[data-nomination='{first}']")).await, 1, "10s lead 6s");
    assert!(b.selected(&format!("#ranking tr[data-nomination='{first}'] input[name=award]")).await);
    assert!(!b.selected(&format!("#ranking tr[data-nomination='{second}'] input[name=award]")).await);
    b.type_into(&format!("input[name='citation-{first}']"), "十年如一日扎根社区").await;
    b.click("#decide").await;
    assert_eq!(b.text("#state").await, "已决定");
    b.click("#advance").await;
    assert_eq!(b.text("#state").await, "公示中");

    // An objection during the notice; publishing waits for the notice to end.
    let notices = app.get("/api/v1/honour-notices", None).await.expect(200);
    let honour = notices.body["items"][0]["id"].as_str().unwrap().to_string();
    // Days have passed: the objector signs in afresh.
    let objector = app.login(&west.volunteer.phone, PASSWORD).await;
    app.post(
        format!("/api/v1/honours/{honour}/objections"),
        Some(&objector.access),
        serde_json::json!({"statement": "请核实服务年限"}),
    )
    .await
    .expect(201);
    b.go(&programme_url).await;
    b.type_into(".objection input[name=reason]", "经核实，服务年限属实").await;
    b.click(".resolve-button").await;
    assert_eq!(b.text("#done").await, "异议已处理");
    assert_eq!(b.count(".objection[data-status=dismissed]").await, 1);
    b.click("#advance").await;
    assert_eq!(b.count("#problem[data-code=notice_running]").await, 1, "the notice has not ended");
    assert_eq!(b.text("#state").await, "公示中", "nothing changed");

    app.clock.advance(Duration::days(10));
    b.go(&programme_url).await;
    b.click("#advance").await;
    assert_eq!(b.text("#state").await, "已发布");
    assert!(b.text(&format!("#nominations tr[data-nomination='{first}']")).await.contains("获奖"));
    // The two refusals above are 4xx pages the browser logs; anything else is a fault.
    let mut errors = b.severe_logs().await;
    errors.retain(|e| !e.contains("the server responded with a status of 4"));
    assert!(errors.is_empty(), "no script or CSP errors: {errors:?}");
    eprintln!("honours screenshot: {}", b.screenshot("honours").await.display());

    // The wall agrees: one published honour, the social worker's.
    let wall = app.get("/api/v1/honours", None).await.expect(200);
    let items = wall.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", wall.body);
    assert_eq!(items[0]["id"], honour.as_str());
}

/// The API path of a console programme page.
fn api_path(console_url: &str) -> String {
    let id = console_url.rsplit('/').next().unwrap();
    format!("/api/v1/honour-programmes/{id}")
}

#[tokio::test]
async fn a_station_administrator_runs_a_charity_fund_and_anyone_reads_its_disclosure() {
    let Some(driver) = chromedriver() else { return };
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let s = &f.stations[0];
    let b = Browser::start(&driver).await;
    b.go(&format!("{}/console/sign-in", app.base)).await;
    b.type_into("#phone", &s.admin.phone).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#sign-in").await;

    b.click("#nav-funds").await;
    assert!(b.text("#empty").await.contains("暂无"), "no fund yet");
    b.type_into("#name", "东站慈善基金").await;
    b.type_into("#unit", &s.id).await;
    b.click("#create-fund").await;
    assert!(b.text("#done").await.contains("基金已设立"));
    let fund_page = b.url().await;

    b.type_into("#donation-amount", "2000").await;
    b.type_into("#donor", "张先生").await;
    b.click("#disclose").await;
    b.execute("document.querySelector('#received-on').value = '2026-11-01';").await;
    b.click("#record-donation").await;
    assert!(b.text("#done").await.contains("捐赠已登记"));
    assert_eq!(b.text("#available").await, "2000.0");

    b.type_into("#grant-amount", "1500").await;
    b.type_into("#purpose", "独居老人助餐").await;
    b.click("#propose-grant").await;
    assert!(b.text("#done").await.contains("待他人审批"));
    assert_eq!(b.count("#grants tr[data-status='proposed']").await, 1);

    // The city's administrator approves it (through the API, as another person would).
    let grant = entity::fund_grant::Entity::find().one(app.db()).await.unwrap().unwrap();
    let decision = format!("/api/v1/charity-funds/{}/grants/{}/decision", grant.fund_id, grant.id);
    app.post(decision, Some(&f.city_admin.access), serde_json::json!({"approve": true, "reason": "同意"}))
        .await
        .expect(200);
    b.go(&fund_page).await;
    assert_eq!(b.text("#available").await, "500.0", "2,000 donated less 1,500 granted");
    b.type_into("#grants .amount", "600").await;
    b.execute("document.querySelector('#grants .paid-on').value = '2026-11-20';").await;
    b.click("#grants .disburse").await;
    assert!(b.text("#done").await.contains("支付已登记"));
    assert_eq!(b.text("#disbursed").await, "600.0");
    let errors = b.severe_logs().await;
    assert!(errors.is_empty(), "no script or CSP errors: {errors:?}");

    // Signed out, the disclosure still opens, naming the donor who agreed.
    b.click("#sign-out").await;
    b.go(&format!("{}/console/funds/{}/disclosure", app.base, grant.fund_id)).await;
    assert_eq!(b.text("#granted").await, "1500.0");
    assert!(b.text("#public-donations").await.contains("张先生"));
    assert!(b.text("#public-grants").await.contains("独居老人助餐"));
    eprintln!("disclosure screenshot: {}", b.screenshot("fund-disclosure").await.display());
}

#[tokio::test]
async fn a_need_is_answered_by_a_granted_project_whose_hours_and_fund_show_in_the_console() {
    use entity::hours_entry::{self, HoursStatus};
    use sea_orm::{ColumnTrait, QueryFilter};
    use serde_json::json;
    let Some(driver) = chromedriver() else { return };
    // The clock moves four hours: tokens must outlive that.
    let app = crate::helpers::spawn_app_with(|c| c.access_token_ttl = std::time::Duration::from_secs(86400)).await;
    let f = app.two_stations().await;
    let s = &f.stations[0];
    let admin = Some(s.admin.access.as_str());
    let today = wushe::domain::kernel::time::local_date(app.clock.now_utc(), "Asia/Shanghai");

    // The money: a fund of the station, a donation, a grant proposed by the city and approved by
    // the station; a project funded by it.
    let fund = app
        .post("/api/v1/charity-funds", admin, json!({"orgUnitId": s.id, "name": "东站慈善基金"}))
        .await
        .expect(201)
        .str("id");
    let gift = json!({"amountFen": 500_000, "donorName": "赵女士", "discloseDonor": true, "channel": "bank_transfer",
                      "receivedOn": today});
    app.post(format!("/api/v1/charity-funds/{fund}/donations"), admin, gift).await.expect(201);
    let grant = app
        .post(
            format!("/api/v1/charity-funds/{fund}/grants"),
            Some(&f.city_admin.access),
            json!({"amountFen": 300_000, "purpose": "长者助餐项目"}),
        )
        .await
        .expect(201)
        .str("id");
    app.post(
        format!("/api/v1/charity-funds/{fund}/grants/{grant}/decision"),
        admin,
        json!({"approve": true, "reason": "同意"}),
    )
    .await
    .expect(200);
    let project = app
        .post(
            "/api/v1/projects",
            admin,
            json!({"name": "长者助餐项目", "ownerUnitId": s.id, "actionLine": "help",
                   "startsOn": today - Duration::days(30), "endsOn": today + Duration::days(300)}),
        )
        .await
        .expect(201)
        .str("id");
    app.post(
        format!("/api/v1/projects/{project}/funding"),
        admin,
        json!({"kind": "charity_grant", "amountFen": 300_000, "grantId": grant,
               "startsOn": today - Duration::days(30), "endsOn": today + Duration::days(300)}),
    )
    .await
    .expect(201);

    // A task under the project, served by a volunteer for three hours, approved.
    let starts = app.clock.now_utc() + Duration::hours(1);
    let task = app
        .post(
            "/api/v1/tasks",
            Some(&s.social_worker.access),
            json!({"title": "长者送餐", "description": "为独居老人送午餐", "actionLine": "help", "orgUnitId": s.room,
                   "lat": 31.3, "lng": 120.6, "startsAt": starts, "endsAt": starts + Duration::hours(3), "capacity": 5,
                   "projectId": project}),
        )
        .await
        .expect(201)
        .str("id");
    app.post(format!("/api/v1/tasks/{task}/publish"), Some(&s.social_worker.access), json!({})).await.expect(200);
    let signup =
        app.post(format!("/api/v1/tasks/{task}/signups"), Some(&s.volunteer.access), json!({})).await.str("id");
    app.clock.advance(Duration::hours(1));
    let attendance = format!("/api/v1/signups/{signup}/attendance");
    app.post(&attendance, Some(&s.social_worker.access), json!({"action": "check_in", "reason": "统一签到"}))
        .await
        .expect(200);
    app.clock.advance(Duration::hours(3));
    app.post(&attendance, Some(&s.social_worker.access), json!({"action": "check_out", "reason": "统一签退"}))
        .await
        .expect(200);
    let pending: Vec<String> = hours_entry::Entity::find()
        .filter(hours_entry::Column::Status.eq(HoursStatus::Pending))
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id.to_string())
        .collect();
    app.post("/api/v1/hours/decisions", admin, json!({"ids": pending, "approve": true})).await.expect(200);

    // In the browser: the station records the need, sees what is suggested, answers it with the
    // project, and reads the project's hours and the fund's disclosure.
    let b = Browser::start(&driver).await;
    b.go(&format!("{}/console/sign-in", app.base)).await;
    b.type_into("#phone", &s.admin.phone).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#sign-in").await;
    b.click("#nav-projects").await;
    b.click("#to-needs").await;
    b.type_into("#need-title", "独居老人午餐无人照料").await;
    b.type_into("#households", "12").await;
    b.type_into("#need-unit", &s.room).await;
    b.click("#record-need").await;
    assert!(b.url().await.contains("/console/needs/"), "on the need's page");
    b.click("#answer-need").await;
    assert!(b.text("#done").await.contains("已由项目回应"));

    b.click("#nav-projects").await;
    b.click(&format!("#projects tr[data-project='{project}'] a")).await;
    assert_eq!(b.text("#project-hours").await, "3.0", "the task's three approved hours");
    assert_eq!(b.text("#project-services").await, "1");
    assert_eq!(b.text("#funded").await, "3000.0");
    b.click("#nav-funds").await;
    b.click(&format!("#funds tr[data-fund='{fund}'] td:last-child a")).await;
    assert_eq!(b.text("#granted").await, "3000.0");
    assert!(b.text("#public-donations").await.contains("赵女士"));
    let errors = b.severe_logs().await;
    assert!(errors.is_empty(), "no script or CSP errors: {errors:?}");
}
