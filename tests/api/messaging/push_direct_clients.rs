//! The OPPO, vivo and APNs clients on their own against their fakes: requests of the documented
//! shape with valid authentication (the fakes refuse anything else), auth tokens cached (one for
//! many concurrent sends) and renewed once when refused, batches split at `max_batch` with an
//! outcome per device, APNs over one HTTP/2 connection, and each error class.

use super::push_vendor_clients::{message as base_message, target};
use crate::fake_vendor::{FakeVendor, regid};
use crate::{fake_apns, fake_oppo, fake_vivo};
use jobs::push::apns::ApnsProvider;
use jobs::push::oppo::OppoProvider;
use jobs::push::vivo::{VivoApp, VivoProvider};
use jobs::push::{PushMessage, PushOutcome, PushProvider, PushTarget};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

fn message() -> PushMessage {
    PushMessage { title: "任务提醒".into(), collapse_key: Some("k".repeat(80)), ..base_message() }
}

pub fn oppo(fake: &FakeVendor, master_secret: &str) -> OppoProvider {
    OppoProvider::new(fake_oppo::APP_KEY, master_secret, &fake.base, 64, TIMEOUT).unwrap()
}

pub fn vivo(fake: &FakeVendor, app_secret: &str) -> VivoProvider {
    let app =
        VivoApp { app_id: fake_vivo::APP_ID.into(), app_key: fake_vivo::APP_KEY.into(), app_secret: app_secret.into() };
    VivoProvider::new(app, &fake.base, 64, TIMEOUT).unwrap()
}

pub fn apns(fake: &FakeVendor, team_id: &str) -> ApnsProvider {
    let (key, topic) = (std::path::Path::new(fake_apns::KEY_FILE), fake_apns::TOPIC);
    ApnsProvider::from_file(key, fake_apns::KEY_ID, team_id, topic, &fake.base, 64, TIMEOUT).unwrap()
}

/// Each provider with its fake and a maker of valid device tokens.
async fn providers() -> Vec<(FakeVendor, Box<dyn PushProvider>, fn(&str) -> String)> {
    let (o, v, a) = (fake_oppo::start().await, fake_vivo::start().await, fake_apns::start().await);
    let (op, vp, ap) =
        (oppo(&o, fake_oppo::MASTER_SECRET), vivo(&v, fake_vivo::APP_SECRET), apns(&a, fake_apns::TEAM_ID));
    vec![
        (o, Box::new(op) as Box<dyn PushProvider>, regid as fn(&str) -> String),
        (v, Box::new(vp), regid),
        (a, Box::new(ap), fake_apns::device_token),
    ]
}

#[tokio::test]
async fn auth_tokens_are_cached_and_renewed_once_when_refused() {
    for (fake, provider, token) in providers().await {
        let name = provider.name().to_string();
        let targets: Vec<PushTarget> = (0..40).map(|i| target(token(&format!("{i:02}")))).collect();
        let m = message();
        let outcomes = futures::future::join_all(targets.iter().map(|t| provider.send(t, &m))).await;
        assert!(outcomes.iter().all(|o| *o == PushOutcome::Delivered), "{name}: {outcomes:?}");
        assert_eq!(fake.token_requests(), 1, "{name}: one auth token for 40 concurrent sends");
        assert_eq!(fake.delivered().len(), 40, "{name}");

        // Refused by the vendor (expired on its side): renewed once and sent again.
        fake.expire_tokens();
        assert_eq!(provider.send(&targets[0], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 2, "{name}");
        assert_eq!(provider.send(&targets[1], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 2, "{name}: the new token is kept");
        assert!(fake.refused().is_empty(), "{name}: {:?}", fake.refused());
    }
}

#[tokio::test]
async fn batches_are_split_at_max_batch_with_an_outcome_per_device() {
    let m = message();
    for (fake, provider, _) in providers().await.into_iter().take(2) {
        let name = provider.name().to_string();
        assert_eq!(provider.max_batch(), 1000, "{name}");
        let mut targets: Vec<PushTarget> = (0..1001).map(|i| target(regid(&format!("d{i:04}-")))).collect();
        targets[3] = target(regid("invalid-3-"));
        let outcomes = provider.send_many(&targets, &m).await;
        assert_eq!(outcomes.len(), 1001, "{name}");
        assert!(matches!(outcomes[3], PushOutcome::DropToken(_)), "{name}: {:?}", outcomes[3]);
        let delivered = outcomes.iter().filter(|o| **o == PushOutcome::Delivered).count();
        assert_eq!(delivered, 1000, "{name}");
        assert_eq!(fake.delivered().len(), 1000, "{name}");
        assert!(fake.refused().is_empty(), "{name}: {:?}", fake.refused());
    }
}

#[tokio::test]
async fn oppo_sends_one_unicast_or_one_batch_request_per_thousand() {
    let fake = fake_oppo::start().await;
    let p = oppo(&fake, fake_oppo::MASTER_SECRET);
    let m = message();
    let targets: Vec<PushTarget> = (0..1001).map(|i| target(regid(&format!("o{i:04}-")))).collect();
    p.send_many(&targets, &m).await;
    assert_eq!(fake.send_requests(), 2, "1000 in one unicast_batch, the last one in a unicast");
    let (_, sent) = &fake.delivered()[0];
    let n = &sent["notification"];
    assert_eq!(
        (n["channel_id"].as_str(), n["category"].as_str(), n["notify_level"].as_u64()),
        (Some("wushe_service"), Some("ACCOUNT"), Some(2))
    );
    assert_eq!(n["off_line_ttl"], 600);
    let id = n["app_message_id"].as_str().unwrap();
    assert!(id.starts_with("n-1:"), "{id}");
    assert_ne!(fake.delivered()[1].1["notification"]["app_message_id"], id, "one id per device");
}

#[tokio::test]
async fn vivo_uses_send_for_one_and_a_saved_payload_for_many() {
    let fake = fake_vivo::start().await;
    let p = vivo(&fake, fake_vivo::APP_SECRET);
    let m = message();
    assert_eq!(p.send(&target(regid("one-")), &m).await, PushOutcome::Delivered);
    assert_eq!(fake.send_requests(), 1);
    let (_, one) = &fake.delivered()[0];
    assert_eq!((one["classification"].as_u64(), one["category"].as_str()), (Some(1), Some("ACCOUNT")));
    assert_eq!((one["timeToLive"].as_u64(), one["clientCustomMap"]["kind"].as_str()), (Some(600), Some("system")));
    let request_id = one["requestId"].as_str().unwrap().to_string();
    assert!(request_id.starts_with("n-1:") && request_id.len() <= 64, "{request_id}");
    p.send(&target(regid("one-")), &m).await;
    assert_eq!(fake.delivered()[1].1["requestId"], request_id.as_str(), "a resend carries the same requestId");

    let targets: Vec<PushTarget> = ["a-", "invalid-b-", "c-"].iter().map(|p| target(regid(p))).collect();
    let outcomes = p.send_many(&targets, &m).await;
    assert_eq!(outcomes[0], PushOutcome::Delivered);
    assert!(matches!(outcomes[1], PushOutcome::DropToken(_)), "{outcomes:?}");
    assert_eq!(fake.send_requests(), 4, "saveListPayload, then one pushToList");
    assert!(fake.refused().is_empty(), "{:?}", fake.refused());
}

#[tokio::test]
async fn apns_sends_the_documented_headers_over_http2() {
    let fake = fake_apns::start().await;
    let p = apns(&fake, fake_apns::TEAM_ID);
    let mut m = message();
    m.class.apns.priority = 10;
    m.class.apns.interruption_level = "time-sensitive";
    let before = chrono::Utc::now().timestamp();
    assert_eq!(p.send(&target(fake_apns::device_token("ab")), &m).await, PushOutcome::Delivered);
    assert!(fake.refused().is_empty(), "HTTP/2 and the documented request: {:?}", fake.refused());
    let (_, sent) = &fake.delivered()[0];
    let h = &sent["headers"];
    assert_eq!((h["apns-topic"].as_str(), h["apns-push-type"].as_str()), (Some(fake_apns::TOPIC), Some("alert")));
    assert_eq!(h["apns-priority"], "10");
    let expires: i64 = h["apns-expiration"].as_str().unwrap().parse().unwrap();
    assert!((before + 600..=before + 602).contains(&expires), "now + ttl");
    assert_eq!(h["apns-collapse-id"].as_str().unwrap().len(), 64, "a long key hashed to 64 bytes");
    assert_eq!(sent["payload"]["aps"]["interruption-level"], "time-sensitive");
    assert_eq!(sent["payload"]["aps"]["alert"]["title"], "任务提醒");
}

#[tokio::test]
async fn each_error_class_is_answered_as_documented() {
    let m = message();
    let fake = fake_apns::start().await;
    let p = apns(&fake, fake_apns::TEAM_ID);
    let retry = |after: u64, reason: &str| PushOutcome::Retry {
        after: Some(Duration::from_secs(after)),
        reason: reason.into(),
    };
    let mut answers = Vec::new();
    for t in ["dead", "0bad", "7777", "5e55", "7777"] {
        answers.push(p.send(&target(fake_apns::device_token(t)), &m).await);
    }
    assert!(matches!(answers[0], PushOutcome::DropToken(_)), "{answers:?}");
    assert!(matches!(answers[1], PushOutcome::DropToken(_)), "{answers:?}");
    assert_eq!(answers[2], retry(1, "429 TooManyRequests"));
    assert_eq!(answers[3], retry(1, "503 ServiceUnavailable"));
    assert_eq!(answers[4], PushOutcome::Delivered, "the retry goes through");

    // A wrong team id: refused, renewed once, refused again: a configuration fault that stops
    // the provider asking.
    let wrong = apns(&fake, "NOTMYTEAM");
    let requests = fake.send_requests();
    assert!(wrong.send(&target(fake_apns::device_token("ab")), &m).await.is_config_fault());
    assert_eq!(fake.send_requests(), requests + 2);
    assert!(wrong.send(&target(fake_apns::device_token("ab")), &m).await.is_config_fault());
    assert_eq!(fake.send_requests(), requests + 2, "asks nobody while the fault stands");

    let (o, v) = (fake_oppo::start().await, fake_vivo::start().await);
    let wrong_oppo = oppo(&o, "wrong-secret");
    assert!(wrong_oppo.send(&target(regid("a-")), &m).await.is_config_fault());
    assert!(wrong_oppo.send(&target(regid("a-")), &m).await.is_config_fault());
    assert_eq!((o.token_requests(), o.send_requests()), (1, 0), "one refused auth request");
    let wrong_vivo = vivo(&v, "wrong-secret");
    assert!(wrong_vivo.send(&target(regid("a-")), &m).await.is_config_fault());
    assert_eq!((v.token_requests(), v.send_requests()), (1, 0));

    let good_oppo = oppo(&o, fake_oppo::MASTER_SECRET);
    let throttled = good_oppo.send(&target(regid("throttle-")), &m).await;
    assert_eq!(throttled, retry(1, "-2: flow control"));
    let good_vivo = vivo(&v, fake_vivo::APP_SECRET);
    assert_eq!(good_vivo.send(&target(regid("throttle-")), &m).await, retry(1, "frequency limit"));
    assert!(matches!(good_vivo.send(&target(regid("invalid-")), &m).await, PushOutcome::DropToken(_)));
    assert!(matches!(good_oppo.send(&target(regid("invalid-")), &m).await, PushOutcome::DropToken(_)));
}
