//! Pushes through OPPO Push, vivo Push and APNs against their fakes, through the real device
//! registration, push job and worker: tokens of the wrong shape refused, delivery with each
//! category's class, dead tokens deactivating their device, throttling retried after the time
//! the provider gave, and refused credentials as a fatal alert that stops the asking.

use super::push_vendors::{
    active, first_message_fails_for_good, second_message_fails_and_faults_are_alerted, settled, statuses, tell,
    throttled_once_then_delivered,
};
use crate::fake_vendor::{FakeVendor, regid};
use crate::helpers::{Session, TestApp, spawn_app_with};
use crate::{fake_apns, fake_oppo, fake_vivo};
use chrono::{DateTime, Utc};
use serde_json::json;
use wushe::config::{ApnsVendor, OppoVendor, Secret, VivoVendor};
use wushe::domain::messaging::notifications::Category;

struct Fakes {
    oppo: FakeVendor,
    vivo: FakeVendor,
    apns: FakeVendor,
}

/// The app with OPPO, vivo and APNs pointed at their fakes, with the right credentials or not.
async fn app_with_providers(right: bool) -> (TestApp, Fakes) {
    let f = Fakes { oppo: fake_oppo::start().await, vivo: fake_vivo::start().await, apns: fake_apns::start().await };
    let secret = |good: &str| Secret::new(if right { good } else { "wrong-secret" });
    let oppo = OppoVendor {
        app_key: fake_oppo::APP_KEY.into(),
        master_secret: secret(fake_oppo::MASTER_SECRET),
        endpoint: Some(f.oppo.base.clone()),
        concurrency: 8,
    };
    let vivo = VivoVendor {
        app_id: fake_vivo::APP_ID.into(),
        app_key: fake_vivo::APP_KEY.into(),
        app_secret: secret(fake_vivo::APP_SECRET),
        endpoint: Some(f.vivo.base.clone()),
        concurrency: 8,
    };
    let apns = ApnsVendor {
        key_file: fake_apns::KEY_FILE.into(),
        key_id: fake_apns::KEY_ID.into(),
        team_id: if right { fake_apns::TEAM_ID } else { "NOTMYTEAM" }.into(),
        topic: fake_apns::TOPIC.into(),
        endpoint: Some(f.apns.base.clone()),
        concurrency: 8,
    };
    let app = spawn_app_with(|c| {
        c.jobs.vendors.oppo = Some(oppo);
        c.jobs.vendors.vivo = Some(vivo);
        c.jobs.vendors.apns = Some(apns);
    })
    .await;
    // Noon in Shanghai: no quiet hours in the way.
    app.clock.set(DateTime::parse_from_rfc3339("2026-11-27T04:00:00Z").unwrap().with_timezone(&Utc));
    app.start_workers();
    (app, f)
}

/// A volunteer with a device per (provider, token), registered as the apps register them.
async fn with_devices(app: &TestApp, devices: &[(&str, &String)]) -> Session {
    let v = app.register_volunteer().await;
    for (provider, token) in devices {
        let platform = if *provider == "apns" { "ios" } else { "android" };
        let token = token.as_str();
        let body = json!({"platform": platform, "provider": provider, "token": token});
        app.post("/api/v1/me/devices", Some(&v.access), body).await.expect(201);
    }
    v
}

#[tokio::test]
async fn tokens_of_the_wrong_shape_are_refused() {
    let app = crate::helpers::spawn_app().await;
    let v = app.register_volunteer().await;
    for (platform, provider, token) in [
        ("ios", "apns", "abc123"),
        ("ios", "apns", "zz".repeat(32).as_str()),
        ("android", "oppo", "short"),
        ("android", "oppo", format!("{},x", regid("a")).as_str()),
        ("android", "vivo", "tiny"),
    ] {
        let body = json!({"platform": platform, "provider": provider, "token": token});
        app.post("/api/v1/me/devices", Some(&v.access), body).await.expect_problem(400, "invalid_token");
    }
    let ok = [
        ("ios", "apns", fake_apns::device_token("ab")),
        ("android", "oppo", regid("CN_")),
        ("android", "vivo", regid("1")),
    ];
    for (platform, provider, token) in ok {
        let body = json!({"platform": platform, "provider": provider, "token": token});
        app.post("/api/v1/me/devices", Some(&v.access), body).await.expect(201);
    }
}

#[tokio::test]
async fn each_provider_delivers_in_the_category_class_and_drops_dead_tokens() {
    let (app, f) = app_with_providers(true).await;
    let (op_ok, op_dead) = (regid("oppo-ok-"), regid("invalid-oppo-"));
    let (vi_ok, vi_dead) = (regid("vivo-ok-"), regid("invalid-vivo-"));
    let (ap_ok, ap_dead) = (fake_apns::device_token("ab"), fake_apns::device_token("dead"));
    let v = with_devices(
        &app,
        &[
            ("oppo", &op_ok),
            ("oppo", &op_dead),
            ("vivo", &vi_ok),
            ("vivo", &vi_dead),
            ("apns", &ap_ok),
            ("apns", &ap_dead),
        ],
    )
    .await;
    tell(&app, &v, Category::RescueCallout, "c1").await;
    settled(&app, 6).await;
    let s = statuses(&app).await;
    for t in [&op_ok, &vi_ok, &ap_ok] {
        assert_eq!(s[t], ("delivered".to_string(), 1), "{t}");
        assert!(active(&app, t).await);
    }
    for t in [&op_dead, &vi_dead, &ap_dead] {
        assert_eq!(s[t].0, "dropped", "{t}");
        assert!(!active(&app, t).await, "{t} deactivated");
    }
    for fake in [&f.oppo, &f.vivo, &f.apns] {
        assert_eq!(fake.refused(), Vec::<String>::new(), "every request had the documented shape");
        assert_eq!(fake.delivered().len(), 1);
        assert_eq!(fake.token_requests(), 1, "one auth token each");
        let text = fake.delivered()[0].1.to_string();
        assert!(!text.contains("东湖小区"), "no personal data or places in a push: {text}");
    }

    // The urgent class with each provider.
    let n = &f.oppo.delivered()[0].1["notification"];
    assert_eq!(
        (n["channel_id"].as_str(), n["category"].as_str(), n["notify_level"].as_u64()),
        (Some("wushe_urgent"), Some("TODO"), Some(16))
    );
    let vi = &f.vivo.delivered()[0].1;
    assert_eq!((vi["classification"].as_u64(), vi["category"].as_str()), (Some(1), Some("TODO")));
    assert_eq!(vi["clientCustomMap"]["taskId"], "42");
    let ap = &f.apns.delivered()[0].1;
    assert_eq!(ap["headers"]["apns-priority"], "10");
    assert_eq!(ap["payload"]["aps"]["interruption-level"], "time-sensitive");
    assert_eq!(ap["payload"]["data"]["kind"], "rescue_callout");

    // An account notice: a service class, not urgent.
    tell(&app, &v, Category::Credential, "c2").await;
    settled(&app, 9).await;
    let n = &f.oppo.delivered()[1].1["notification"];
    assert_eq!(
        (n["channel_id"].as_str(), n["category"].as_str(), n["notify_level"].as_u64()),
        (Some("wushe_service"), Some("ACCOUNT"), Some(2))
    );
    assert_eq!(f.vivo.delivered()[1].1["category"], "ACCOUNT");
    let ap = &f.apns.delivered()[1].1;
    assert_eq!(
        (ap["headers"]["apns-priority"].as_str(), ap["payload"]["aps"]["interruption-level"].as_str()),
        (Some("5"), Some("active"))
    );
    for fake in [&f.oppo, &f.vivo, &f.apns] {
        assert_eq!(fake.token_requests(), 1, "the cached tokens served again");
    }
}

#[tokio::test]
async fn throttling_is_retried_after_the_time_the_provider_gave() {
    let (app, f) = app_with_providers(true).await;
    let (op, vi, ap) = (regid("throttle-oppo-"), regid("throttle-vivo-"), fake_apns::device_token("5e55"));
    let v = with_devices(&app, &[("oppo", &op), ("vivo", &vi), ("apns", &ap)]).await;
    throttled_once_then_delivered(&app, &v, &[&op, &vi, &ap], &[&f.oppo, &f.vivo, &f.apns]).await;
}

#[tokio::test]
async fn refused_credentials_are_a_fatal_alert_that_stops_the_asking() {
    crate::logs::capture_logs();
    let (app, f) = app_with_providers(false).await;
    let devices: Vec<(&str, String)> = (0..3)
        .flat_map(|i| {
            [
                ("oppo", regid(&format!("bad-cred-oppo-{i}-"))),
                ("vivo", regid(&format!("bad-cred-vivo-{i}-"))),
                ("apns", fake_apns::device_token(&format!("ab{i}"))),
            ]
        })
        .collect();
    let pairs: Vec<(&str, &String)> = devices.iter().map(|(p, t)| (*p, t)).collect();
    let v = with_devices(&app, &pairs).await;
    let tokens: Vec<&String> = devices.iter().map(|(_, t)| t).collect();
    first_message_fails_for_good(&app, &v, &tokens).await;
    assert_eq!((f.oppo.token_requests(), f.vivo.token_requests()), (1, 1), "one refused auth request each");
    assert_eq!((f.oppo.send_requests(), f.vivo.send_requests()), (0, 0));
    let apns_requests = f.apns.send_requests();
    assert!((2..=6).contains(&apns_requests), "a refused token, renewed once, refused again: {apns_requests}");

    // The next message asks nobody: the fault stands until it is fixed.
    second_message_fails_and_faults_are_alerted(&app, &v, &["oppo", "vivo", "apns"]).await;
    assert_eq!((f.oppo.token_requests(), f.vivo.token_requests(), f.apns.send_requests()), (1, 1, apns_requests));
}
