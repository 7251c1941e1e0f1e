//! Pushes through the mainland vendor channels (Huawei Push Kit, Honor Push, Xiaomi MiPush)
//! against their fakes, through the real push job and worker: delivery with each category's
//! class in the request body, dead tokens deactivating their device, throttling retried after the
//! time the vendor gave, and refused credentials as a fatal alert without a storm of requests.

use crate::fake_vendor::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeVendor, hms_token};
use crate::helpers::{Session, TestApp, eventually, spawn_app_with};
use crate::{fake_honor, fake_huawei, fake_xiaomi};
use chrono::{DateTime, Utc};
use entity::{device, push_delivery};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use std::collections::BTreeMap;
use wushe::config::{OAuthVendor, Secret, XiaomiVendor};
use wushe::domain::messaging::notifications::{self, Category, Message};

struct Fakes {
    huawei: FakeVendor,
    honor: FakeVendor,
    xiaomi: FakeVendor,
}

fn oauth(fake: &FakeVendor, secret: &str) -> OAuthVendor {
    OAuthVendor {
        app_id: APP_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(secret),
        endpoint: Some(fake.base.clone()),
        token_url: Some(fake.token_url()),
        concurrency: 8,
    }
}

/// The app with the three vendors pointed at their fakes, with the right secrets or wrong ones.
async fn app_with_vendors(right_secrets: bool) -> (TestApp, Fakes) {
    let fakes = Fakes {
        huawei: fake_huawei::start().await,
        honor: fake_honor::start().await,
        xiaomi: fake_xiaomi::start().await,
    };
    let (secret, xiaomi_secret) =
        if right_secrets { (CLIENT_SECRET, fake_xiaomi::APP_SECRET) } else { ("wrong-secret", "wrong-secret") };
    let (huawei, honor) = (oauth(&fakes.huawei, secret), oauth(&fakes.honor, secret));
    let xiaomi = XiaomiVendor {
        app_secret: Secret::new(xiaomi_secret),
        package: fake_xiaomi::PACKAGE.into(),
        endpoint: Some(fakes.xiaomi.base.clone()),
        concurrency: 8,
    };
    let app = spawn_app_with(|c| {
        c.jobs.vendors.huawei = Some(huawei);
        c.jobs.vendors.honor = Some(honor);
        c.jobs.vendors.xiaomi = Some(xiaomi);
    })
    .await;
    // Noon in Shanghai: no quiet hours in the way.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc));
    app.start_workers();
    (app, fakes)
}

/// A volunteer with a device per (provider, token).
async fn with_devices(app: &TestApp, devices: &[(&str, &str)]) -> Session {
    let v = app.register_volunteer().await;
    for (provider, token) in devices {
        app.post("/api/v1/me/devices", Some(&v.access), json!({"platform": "android", "token": token}))
            .await
            .expect(201);
        device::Entity::update_many()
            .col_expr(device::Column::Provider, Expr::val(*provider))
            .filter(device::Column::Token.eq(*token))
            .exec(app.db())
            .await
            .unwrap();
    }
    v
}

pub(super) async fn tell(app: &TestApp, to: &Session, category: Category, key: &str) {
    let txn = app.db().begin().await.unwrap();
    let m = Message::new(to.user_id.parse().unwrap(), category, "rescue.callout", key)
        .param("place", "东湖小区3号楼")
        .data("taskId", "42");
    notifications::tell(&txn, m).await.unwrap();
    txn.commit().await.unwrap();
}

/// (status, attempts) of a push to each device, by token (one of them when there are several).
pub(super) async fn statuses(app: &TestApp) -> BTreeMap<String, (String, i32)> {
    let devices = device::Entity::find().all(app.db()).await.unwrap();
    let rows = push_delivery::Entity::find().all(app.db()).await.unwrap();
    rows.into_iter()
        .map(|r| {
            let token = devices.iter().find(|d| d.id == r.device_id).unwrap().token.clone();
            (token, (r.status.as_str().to_string(), r.attempts))
        })
        .collect()
}

pub(super) async fn active(app: &TestApp, token: &str) -> bool {
    device::Entity::find().filter(device::Column::Token.eq(token)).one(app.db()).await.unwrap().unwrap().active
}

/// Waits until there are `n` pushes, each with a final outcome.
pub(super) async fn settled(app: &TestApp, n: usize) {
    eventually(20, "every push settled", || async {
        let rows = push_delivery::Entity::find().all(app.db()).await.unwrap();
        rows.len() == n && rows.iter().all(|r| !matches!(r.status.as_str(), "pending" | "sending" | "retry"))
    })
    .await;
}

/// Sends an urgent message to `v`, whose devices (`tokens`) the fakes throttle once with
/// `Retry-After: 1`, and checks that each push is retried one second later and delivered once.
pub(super) async fn throttled_once_then_delivered(
    app: &TestApp,
    v: &Session,
    tokens: &[&String],
    fakes: &[&FakeVendor],
) {
    tell(app, v, Category::RescueCallout, "t1").await;
    eventually(20, "the first attempts", || async {
        let s = statuses(app).await;
        s.len() == tokens.len() && s.values().all(|(st, _)| st == "retry")
    })
    .await;
    eventually(20, "the job to wait for its retry", || async {
        app.state.jobs.push_queue.stats().await.unwrap().delayed == 1
    })
    .await;
    // Each provider said Retry-After: 1, which wins over the backoff: one second later it runs.
    app.clock.advance(chrono::Duration::milliseconds(1100));
    settled(app, tokens.len()).await;
    let s = statuses(app).await;
    for t in tokens {
        assert_eq!(s[*t], ("delivered".to_string(), 2), "{t}");
    }
    for fake in fakes {
        assert_eq!(fake.delivered().len(), 1, "delivered once");
        assert_eq!(fake.send_requests(), 2, "one throttled request, one retry");
    }
}

/// Sends an urgent message to `v` while the providers refuse our credentials: every push fails
/// at its first attempt (a dead letter) and no device (`tokens`) is deactivated.
pub(super) async fn first_message_fails_for_good(app: &TestApp, v: &Session, tokens: &[&String]) {
    tell(app, v, Category::RescueCallout, "b1").await;
    eventually(20, "a dead letter", || async { app.state.jobs.push_queue.stats().await.unwrap().dead == 1 }).await;
    settled(app, tokens.len()).await;
    let s = statuses(app).await;
    assert!(s.values().all(|(st, n)| st == "failed" && *n == 1), "{s:?}");
    for t in tokens {
        assert!(active(app, t).await, "our credentials, not the phone's token");
    }
}

/// Sends a second urgent message to `v` (it fails at once, a second dead letter), then checks
/// that each of `providers` counted six configuration faults and raised an alert at error
/// level, and that no secret reached the logs.
pub(super) async fn second_message_fails_and_faults_are_alerted(app: &TestApp, v: &Session, providers: &[&str]) {
    tell(app, v, Category::RescueCallout, "b2").await;
    eventually(20, "a second dead letter", || async { app.state.jobs.push_queue.stats().await.unwrap().dead == 2 })
        .await;
    let metrics = wushe::worker::metrics_text(&app.state).await;
    for p in providers {
        assert!(
            metrics.contains(&format!("wushe_push_total{{provider=\"{p}\",outcome=\"config_fault\"}} 6")),
            "{p}: {metrics}"
        );
        let alerts: Vec<_> = crate::logs::log_lines_with("configuration fault")
            .into_iter()
            .filter(|l| l["provider"] == *p && l["level"] == "ERROR")
            .collect();
        assert!(!alerts.is_empty(), "{p}: an alert at error level");
    }
    let logs = String::from_utf8_lossy(&crate::logs::captured_logs()).to_string();
    assert!(!logs.contains("wrong-secret"), "secrets stay out of the logs");
}

#[tokio::test]
async fn each_vendor_delivers_in_the_category_class_and_drops_dead_tokens() {
    let (app, f) = app_with_vendors(true).await;
    let (hw_ok, hw_dead) = (hms_token("hw-ok-"), hms_token("invalid-hw-"));
    let (hon_ok, hon_dead) = (hms_token("honor-ok-"), hms_token("invalid-honor-"));
    let (mi_ok, mi_dead) = (fake_xiaomi::regid("mi-ok-"), fake_xiaomi::regid("invalid-mi-"));
    let v = with_devices(
        &app,
        &[
            ("huawei", hw_ok.as_str()),
            ("huawei", hw_dead.as_str()),
            ("honor", hon_ok.as_str()),
            ("honor", hon_dead.as_str()),
            ("xiaomi", mi_ok.as_str()),
            ("xiaomi", mi_dead.as_str()),
        ],
    )
    .await;
    tell(&app, &v, Category::RescueCallout, "c1").await;
    settled(&app, 6).await;
    let s = statuses(&app).await;
    for t in [&hw_ok, &hon_ok, &mi_ok] {
        assert_eq!(s[t], ("delivered".to_string(), 1), "{t}");
        assert!(active(&app, t).await);
    }
    for t in [&hw_dead, &hon_dead, &mi_dead] {
        assert_eq!(s[t].0, "dropped", "{t}");
        assert!(!active(&app, t).await, "{t} deactivated");
    }
    for fake in [&f.huawei, &f.honor, &f.xiaomi] {
        assert_eq!(fake.refused(), Vec::<String>::new(), "every request had the documented shape");
        assert_eq!(fake.delivered().len(), 1);
        let text = fake.delivered()[0].1.to_string();
        assert!(!text.contains("东湖小区"), "no personal data or places in a push: {text}");
    }
    assert_eq!((f.huawei.token_requests(), f.honor.token_requests()), (1, 1), "one access token each");

    // The urgent class with each vendor.
    let hw = &f.huawei.delivered()[0].1;
    assert_eq!(hw["android"]["urgency"], "HIGH");
    assert_eq!(hw["android"]["category"], "WORK");
    assert_eq!(hw["android"]["notification"]["importance"], "NORMAL");
    assert_eq!(hw["android"]["ttl"], "3600s");
    let data: serde_json::Value = serde_json::from_str(hw["data"].as_str().unwrap()).unwrap();
    assert_eq!((data["kind"].as_str(), data["taskId"].as_str()), (Some("rescue_callout"), Some("42")));
    assert_eq!(f.honor.delivered()[0].1["android"]["notification"]["importance"], "NORMAL");
    let mi = &f.xiaomi.delivered()[0].1;
    assert_eq!((mi["extra.channel_id"].as_str(), mi["notify_type"].as_str()), (Some("wushe_urgent"), Some("-1")));
    assert_eq!(mi["time_to_live"], "3600000");
    assert_eq!(mi["restricted_package_name"], fake_xiaomi::PACKAGE);

    // An account notice: a service class, not urgent.
    tell(&app, &v, Category::Credential, "c2").await;
    settled(&app, 9).await;
    let hw = &f.huawei.delivered()[1].1;
    assert_eq!(
        (hw["android"]["urgency"].as_str(), hw["android"]["category"].as_str()),
        (Some("NORMAL"), Some("ACCOUNT"))
    );
    let mi = &f.xiaomi.delivered()[1].1;
    assert_eq!(mi["extra.channel_id"], "wushe_service");
    assert_eq!(f.honor.delivered().len(), 2);
    assert_eq!((f.huawei.token_requests(), f.honor.token_requests()), (1, 1), "the cached tokens served again");
}

#[tokio::test]
async fn throttling_is_retried_after_the_time_the_vendor_gave() {
    let (app, f) = app_with_vendors(true).await;
    let (hw, hon, mi) = (hms_token("throttle-hw-"), hms_token("throttle-honor-"), fake_xiaomi::regid("throttle-mi-"));
    let v = with_devices(&app, &[("huawei", hw.as_str()), ("honor", hon.as_str()), ("xiaomi", mi.as_str())]).await;
    throttled_once_then_delivered(&app, &v, &[&hw, &hon, &mi], &[&f.huawei, &f.honor, &f.xiaomi]).await;
}

#[tokio::test]
async fn refused_credentials_are_a_fatal_alert_without_a_storm() {
    crate::logs::capture_logs();
    let (app, f) = app_with_vendors(false).await;
    let devices: Vec<(&str, String)> = (0..3)
        .flat_map(|i| {
            [
                ("huawei", hms_token(&format!("bad-cred-hw-{i}-"))),
                ("honor", hms_token(&format!("bad-cred-honor-{i}-"))),
                ("xiaomi", fake_xiaomi::regid(&format!("bad-cred-mi-{i}-"))),
            ]
        })
        .collect();
    let pairs: Vec<(&str, &str)> = devices.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let v = with_devices(&app, &pairs).await;
    let tokens: Vec<&String> = devices.iter().map(|(_, t)| t).collect();
    first_message_fails_for_good(&app, &v, &tokens).await;
    assert_eq!((f.huawei.token_requests(), f.honor.token_requests()), (1, 1), "one refused token request each");
    assert_eq!((f.huawei.send_requests(), f.honor.send_requests()), (0, 0));
    let xiaomi_requests = f.xiaomi.send_requests();
    assert!((1..=3).contains(&xiaomi_requests), "{xiaomi_requests}");

    // The next message asks nobody: the fault stands until it is fixed.
    second_message_fails_and_faults_are_alerted(&app, &v, &["huawei", "honor", "xiaomi"]).await;
    assert_eq!((f.huawei.token_requests(), f.honor.token_requests()), (1, 1));
    assert_eq!(f.xiaomi.send_requests(), xiaomi_requests);
}
