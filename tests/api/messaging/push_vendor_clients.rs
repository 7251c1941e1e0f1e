//! The vendor push clients on their own against the fakes: access tokens cached (one token
//! request for many concurrent sends), replaced before they expire and once when refused, and
//! batch sends that reach many devices in one request with an outcome per device.

use crate::fake_vendor::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeVendor, hms_token};
use crate::{fake_honor, fake_huawei, fake_xiaomi};
use jobs::push::honor::HonorProvider;
use jobs::push::huawei::HuaweiProvider;
use jobs::push::oauth::ClientCredentials;
use jobs::push::xiaomi::XiaomiProvider;
use jobs::push::{PushMessage, PushOutcome, PushProvider, PushTarget};
use std::collections::BTreeMap;
use std::time::Duration;

fn credentials(fake: &FakeVendor) -> ClientCredentials {
    ClientCredentials { token_url: fake.token_url(), client_id: CLIENT_ID.into(), client_secret: CLIENT_SECRET.into() }
}

pub(super) fn target(token: String) -> PushTarget {
    PushTarget { device_id: uuid::Uuid::now_v7(), platform: "android".into(), token }
}

pub(super) fn message() -> PushMessage {
    PushMessage {
        title: "t".into(),
        body: "b".into(),
        data: BTreeMap::from([("kind".into(), "system".into())]),
        high_priority: false,
        ttl: Some(Duration::from_secs(600)),
        collapse_key: None,
        tag: Some("n-1".into()),
        class: Default::default(),
    }
}

/// Huawei and Honor, each with its fake.
async fn oauth_vendors() -> Vec<(FakeVendor, Box<dyn PushProvider>)> {
    let timeout = Duration::from_secs(10);
    let hw = fake_huawei::start().await;
    let hw_p = HuaweiProvider::new(APP_ID, credentials(&hw), &hw.base, 200, timeout).unwrap();
    let honor = fake_honor::start().await;
    let honor_p = HonorProvider::new(APP_ID, credentials(&honor), &honor.base, 200, timeout).unwrap();
    vec![(hw, Box::new(hw_p) as Box<dyn PushProvider>), (honor, Box::new(honor_p))]
}

#[tokio::test]
async fn access_tokens_are_cached_and_replaced_before_they_expire() {
    for (fake, provider) in oauth_vendors().await {
        let name = provider.name().to_string();
        let targets: Vec<PushTarget> = (0..50).map(|i| target(hms_token(&format!("ok-{i}-")))).collect();
        let m = message();
        let outcomes = futures::future::join_all(targets.iter().map(|t| provider.send(t, &m))).await;
        assert!(outcomes.iter().all(|o| *o == PushOutcome::Delivered), "{name}: {outcomes:?}");
        assert_eq!(fake.token_requests(), 1, "{name}: one token for 50 concurrent sends");

        // Refused (expired early on the vendor's side): refreshed once and sent again.
        fake.expire_tokens();
        assert_eq!(provider.send(&targets[0], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 2, "{name}");

        // A token with less than five minutes to live is used once and replaced before the next
        // send, though the vendor would still take it.
        fake.set_token_lifetime(200);
        fake.expire_tokens();
        assert_eq!(provider.send(&targets[0], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 3, "{name}");
        fake.set_token_lifetime(3600);
        assert_eq!(provider.send(&targets[1], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 4, "{name}: replaced before it expired");
        assert_eq!(provider.send(&targets[2], &m).await, PushOutcome::Delivered, "{name}");
        assert_eq!(fake.token_requests(), 4, "{name}: a long-lived token is kept");
        assert!(fake.refused().is_empty(), "{name}: {:?}", fake.refused());
    }
}

#[tokio::test]
async fn batch_sends_reach_many_devices_in_one_request_with_an_outcome_each() {
    let m = message();
    for (fake, provider) in oauth_vendors().await {
        let name = provider.name().to_string();
        assert!(provider.max_batch() >= 100, "{name}");
        let targets = vec![target(hms_token("a-")), target(hms_token("invalid-b-")), target(hms_token("c-"))];
        let outcomes = provider.send_many(&targets, &m).await;
        assert_eq!(outcomes[0], PushOutcome::Delivered, "{name}");
        assert!(matches!(outcomes[1], PushOutcome::DropToken(_)), "{name}: {outcomes:?}");
        assert_eq!(outcomes[2], PushOutcome::Delivered, "{name}");
        assert_eq!(fake.send_requests(), 1, "{name}: one request");
        assert_eq!(fake.delivered().len(), 2, "{name}");
    }
    let fake = fake_xiaomi::start().await;
    let mi = XiaomiProvider::new(fake_xiaomi::APP_SECRET, fake_xiaomi::PACKAGE, &fake.base, 8, Duration::from_secs(10))
        .unwrap();
    assert_eq!(mi.max_batch(), 1000);
    let regids: Vec<String> = ["a-", "invalid-b-", "c-"].iter().map(|p| fake_xiaomi::regid(p)).collect();
    let targets: Vec<PushTarget> = regids.iter().cloned().map(target).collect();
    let outcomes = mi.send_many(&targets, &m).await;
    assert_eq!(outcomes[0], PushOutcome::Delivered);
    assert!(matches!(outcomes[1], PushOutcome::DropToken(_)), "{outcomes:?}");
    assert_eq!(outcomes[2], PushOutcome::Delivered);
    assert_eq!(fake.send_requests(), 1, "one request, regids joined by commas");
    let (_, form) = &fake.delivered()[0];
    assert_eq!(form["registration_id"], regids.join(","));
    assert_eq!(form["notify_id"], jobs::push::xiaomi::notify_id("n-1").to_string(), "a resend replaces the first");
    assert_eq!(form["time_to_live"], "600000");
}
