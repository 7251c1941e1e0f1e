//! Every fake push server at once (FCM and the six vendors of `fake_vendor`), the settings that
//! point wushe at them, and a mix of phones like a mainland volunteer corps': most Android phones
//! on their maker's channel, iPhones on APNs, a few on FCM. For the fan-out benchmark and the
//! fault scenarios, which run wushe as a process configured through its environment.

use crate::fake_fcm::FakeFcm;
use crate::fake_vendor::{APP_ID, CLIENT_ID, CLIENT_SECRET, FakeVendor, hms_token, regid};
use crate::{fake_apns, fake_honor, fake_huawei, fake_oppo, fake_vivo, fake_xiaomi};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The provider of the `i`th phone of a mix of twenty: Huawei 5, Honor 2, Xiaomi 3, OPPO 3,
/// vivo 3, APNs 3, FCM 1 (roughly the makers' shares of phones in use in mainland China).
pub fn provider_of(i: usize) -> &'static str {
    const MIX: [&str; 20] = [
        "huawei", "xiaomi", "oppo", "vivo", "apns", "huawei", "honor", "xiaomi", "oppo", "vivo", "apns", "huawei",
        "fcm", "xiaomi", "oppo", "vivo", "apns", "huawei", "honor", "huawei",
    ];
    MIX[i % MIX.len()]
}

/// A device token of the right shape for `provider`, distinct for each (`tag`, `i`), that its
/// fake delivers to.
pub fn token(provider: &str, tag: &str, i: usize) -> String {
    match provider {
        "huawei" | "honor" => hms_token(&format!("ok{tag}{i:06}")),
        "xiaomi" | "oppo" | "vivo" => regid(&format!("ok{tag}{i:06}")),
        // 64 hex digits, and none of the fake's error prefixes.
        "apns" => fake_apns::device_token(&format!("{:08x}{i:06x}", crc(tag))),
        _ => format!("ok-{tag}-{i:06}"),
    }
}

fn crc(tag: &str) -> u32 {
    tag.bytes().fold(0x0101_0101u32, |h, b| h.rotate_left(5) ^ u32::from(b)) & 0x7fff_ffff | 0x1000_0000
}

/// The platform of a provider's phones.
pub fn platform_of(provider: &str) -> &'static str {
    if provider == "apns" { "ios" } else { "android" }
}

/// The seven fakes.
pub struct AllFakes {
    pub fcm: FakeFcm,
    pub vendors: Vec<(&'static str, FakeVendor)>,
}

impl AllFakes {
    pub async fn start() -> AllFakes {
        let vendors = vec![
            ("huawei", fake_huawei::start().await),
            ("honor", fake_honor::start().await),
            ("xiaomi", fake_xiaomi::start().await),
            ("oppo", fake_oppo::start().await),
            ("vivo", fake_vivo::start().await),
            ("apns", fake_apns::start().await),
        ];
        AllFakes { fcm: FakeFcm::start().await, vendors }
    }

    fn vendor(&self, name: &str) -> &FakeVendor {
        &self.vendors.iter().find(|(n, _)| *n == name).unwrap().1
    }

    /// Each send request takes `latency` before it is answered.
    pub fn set_latency(&self, latency: Duration) {
        self.fcm.set_latency(latency);
        for (_, v) in &self.vendors {
            v.state.latency_ms.store(latency.as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// The settings (`WUSHE_…`) that send every provider's pushes to its fake, `concurrency`
    /// requests at once each; the FCM key file is written to `dir`.
    pub fn env(&self, dir: &Path, concurrency: usize) -> Vec<(String, String)> {
        let c = concurrency.to_string();
        let mut env: Vec<(String, String)> = Vec::new();
        let mut set = |k: &str, v: String| env.push((k.to_string(), v));
        set("WUSHE_FCM_CREDENTIALS", self.fcm.credentials_file(dir).display().to_string());
        set("WUSHE_FCM_ENDPOINT", self.fcm.base.clone());
        set("WUSHE_FCM_CONCURRENCY", c.clone());
        for (name, prefix) in [("huawei", "WUSHE_HUAWEI"), ("honor", "WUSHE_HONOR")] {
            let v = self.vendor(name);
            set(&format!("{prefix}_APP_ID"), APP_ID.into());
            set(&format!("{prefix}_CLIENT_ID"), CLIENT_ID.into());
            set(&format!("{prefix}_CLIENT_SECRET"), CLIENT_SECRET.into());
            set(&format!("{prefix}_ENDPOINT"), v.base.clone());
            set(&format!("{prefix}_TOKEN_URL"), v.token_url());
            set(&format!("{prefix}_CONCURRENCY"), c.clone());
        }
        set("WUSHE_XIAOMI_APP_SECRET", fake_xiaomi::APP_SECRET.into());
        set("WUSHE_XIAOMI_PACKAGE", fake_xiaomi::PACKAGE.into());
        set("WUSHE_XIAOMI_ENDPOINT", self.vendor("xiaomi").base.clone());
        set("WUSHE_XIAOMI_CONCURRENCY", c.clone());
        set("WUSHE_OPPO_APP_KEY", fake_oppo::APP_KEY.into());
        set("WUSHE_OPPO_MASTER_SECRET", fake_oppo::MASTER_SECRET.into());
        set("WUSHE_OPPO_BASE_URL", self.vendor("oppo").base.clone());
        set("WUSHE_OPPO_CONCURRENCY", c.clone());
        set("WUSHE_VIVO_APP_ID", fake_vivo::APP_ID.into());
        set("WUSHE_VIVO_APP_KEY", fake_vivo::APP_KEY.into());
        set("WUSHE_VIVO_APP_SECRET", fake_vivo::APP_SECRET.into());
        set("WUSHE_VIVO_BASE_URL", self.vendor("vivo").base.clone());
        set("WUSHE_VIVO_CONCURRENCY", c.clone());
        set("WUSHE_APNS_KEY_FILE", fake_apns::KEY_FILE.into());
        set("WUSHE_APNS_KEY_ID", fake_apns::KEY_ID.into());
        set("WUSHE_APNS_TEAM_ID", fake_apns::TEAM_ID.into());
        set("WUSHE_APNS_TOPIC", fake_apns::TOPIC.into());
        set("WUSHE_APNS_BASE_URL", self.vendor("apns").base.clone());
        set("WUSHE_APNS_CONCURRENCY", c);
        env
    }

    /// The fakes keep only the tokens they delivered to, not the requests (for measuring the
    /// service's memory).
    pub fn forget_requests(&self) {
        self.fcm.state.forget_requests.store(true, Ordering::Relaxed);
        for (_, v) in &self.vendors {
            v.state.forget_requests.store(true, Ordering::Relaxed);
        }
    }

    /// Every push the fakes accepted: (provider, device token, the request as JSON).
    pub fn delivered(&self) -> Vec<(&'static str, String, Value)> {
        let mut all: Vec<(&'static str, String, Value)> =
            self.fcm.delivered().into_iter().map(|(t, m)| ("fcm", t, m)).collect();
        for (name, v) in &self.vendors {
            all.extend(v.delivered().into_iter().map(|(t, m)| (*name, t, m)));
        }
        all
    }

    /// How many pushes the fakes accepted.
    pub fn delivered_count(&self) -> usize {
        self.fcm.state.delivered.lock().unwrap().len()
            + self.vendors.iter().map(|(_, v)| v.state.delivered.lock().unwrap().len()).sum::<usize>()
    }

    /// Send requests the fakes received, per provider.
    pub fn send_requests(&self) -> Vec<(&'static str, usize)> {
        let fcm = self.fcm.state.send_requests.load(Ordering::SeqCst);
        let mut all = vec![("fcm", fcm)];
        all.extend(self.vendors.iter().map(|(n, v)| (*n, v.send_requests())));
        all
    }

    /// Requests the fakes refused as malformed, with why.
    pub fn refused(&self) -> Vec<String> {
        let mut all: Vec<String> = self.fcm.state.refused.lock().unwrap().clone();
        for (_, v) in &self.vendors {
            all.extend(v.refused());
        }
        all
    }
}
