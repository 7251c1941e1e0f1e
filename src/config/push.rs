//! Credentials of the mainland vendor push channels (Huawei Push Kit, Honor Push, Xiaomi MiPush,
//! OPPO Push, vivo Push) and of APNs (iPhones reached directly). A vendor without its credentials is not set up: its devices' pushes fail as "no push
//! provider" and show in the push dead letters. Endpoints can be pointed elsewhere (tests point
//! them at fakes).

use super::{ConfigError, Secret, duration_var, invalid, number_var};
use std::path::PathBuf;
use std::time::Duration;

/// A vendor that authenticates with OAuth 2.0 client credentials (Huawei, Honor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthVendor {
    /// The app id in the vendor's console (part of the send URL).
    pub app_id: String,
    /// The OAuth client id (Huawei: the app id unless the console gives another).
    pub client_id: String,
    pub client_secret: Secret,
    /// Send endpoint base URL; `None`: the vendor's production endpoint.
    pub endpoint: Option<String>,
    /// Token endpoint URL; `None`: the vendor's.
    pub token_url: Option<String>,
    /// Requests in flight at once per process.
    pub concurrency: usize,
}

/// Xiaomi MiPush: the app secret authenticates every request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XiaomiVendor {
    pub app_secret: Secret,
    /// The app's package name (`restricted_package_name`).
    pub package: String,
    pub endpoint: Option<String>,
    pub concurrency: usize,
}

/// OPPO Push: the app key and master secret sign the auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OppoVendor {
    pub app_key: String,
    pub master_secret: Secret,
    pub endpoint: Option<String>,
    pub concurrency: usize,
}

/// vivo Push: the app id, app key and app secret sign the auth request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VivoVendor {
    pub app_id: String,
    pub app_key: String,
    pub app_secret: Secret,
    pub endpoint: Option<String>,
    pub concurrency: usize,
}

/// APNs with a provider token signed by the team's `.p8` key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApnsVendor {
    /// The `.p8` key file (read and checked when the workers start).
    pub key_file: PathBuf,
    pub key_id: String,
    pub team_id: String,
    /// The app's bundle id (`apns-topic`).
    pub topic: String,
    pub endpoint: Option<String>,
    pub concurrency: usize,
}

/// The vendor channels that are set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushVendorsConfig {
    /// `WUSHE_HUAWEI_APP_ID`, `WUSHE_HUAWEI_CLIENT_SECRET` (both or neither),
    /// `WUSHE_HUAWEI_CLIENT_ID` (default: the app id), `WUSHE_HUAWEI_ENDPOINT`,
    /// `WUSHE_HUAWEI_TOKEN_URL`, `WUSHE_HUAWEI_CONCURRENCY` (64).
    pub huawei: Option<OAuthVendor>,
    /// `WUSHE_HONOR_APP_ID`, `WUSHE_HONOR_CLIENT_ID`, `WUSHE_HONOR_CLIENT_SECRET` (all or none),
    /// `WUSHE_HONOR_ENDPOINT`, `WUSHE_HONOR_TOKEN_URL`, `WUSHE_HONOR_CONCURRENCY` (64).
    pub honor: Option<OAuthVendor>,
    /// `WUSHE_XIAOMI_APP_SECRET`, `WUSHE_XIAOMI_PACKAGE` (both or neither),
    /// `WUSHE_XIAOMI_ENDPOINT`, `WUSHE_XIAOMI_CONCURRENCY` (64).
    pub xiaomi: Option<XiaomiVendor>,
    /// `WUSHE_OPPO_APP_KEY`, `WUSHE_OPPO_MASTER_SECRET` (both or neither), `WUSHE_OPPO_BASE_URL`,
    /// `WUSHE_OPPO_CONCURRENCY` (64).
    pub oppo: Option<OppoVendor>,
    /// `WUSHE_VIVO_APP_ID`, `WUSHE_VIVO_APP_KEY`, `WUSHE_VIVO_APP_SECRET` (all or none),
    /// `WUSHE_VIVO_BASE_URL`, `WUSHE_VIVO_CONCURRENCY` (64).
    pub vivo: Option<VivoVendor>,
    /// `WUSHE_APNS_KEY_FILE`, `WUSHE_APNS_KEY_ID`, `WUSHE_APNS_TEAM_ID`, `WUSHE_APNS_TOPIC` (all
    /// or none), `WUSHE_APNS_BASE_URL`, `WUSHE_APNS_CONCURRENCY` (64).
    pub apns: Option<ApnsVendor>,
    /// `WUSHE_VENDOR_PUSH_TIMEOUT` (`10s`): a vendor request unanswered this long has an unknown
    /// outcome.
    pub timeout: Duration,
}

impl Default for PushVendorsConfig {
    fn default() -> Self {
        PushVendorsConfig {
            huawei: None,
            honor: None,
            xiaomi: None,
            oppo: None,
            vivo: None,
            apns: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The variable names of one OAuth vendor.
struct Names {
    app_id: &'static str,
    client_id: &'static str,
    client_secret: &'static str,
    endpoint: &'static str,
    token_url: &'static str,
    concurrency: &'static str,
}

const HUAWEI: Names = Names {
    app_id: "WUSHE_HUAWEI_APP_ID",
    client_id: "WUSHE_HUAWEI_CLIENT_ID",
    client_secret: "WUSHE_HUAWEI_CLIENT_SECRET",
    endpoint: "WUSHE_HUAWEI_ENDPOINT",
    token_url: "WUSHE_HUAWEI_TOKEN_URL",
    concurrency: "WUSHE_HUAWEI_CONCURRENCY",
};

const HONOR: Names = Names {
    app_id: "WUSHE_HONOR_APP_ID",
    client_id: "WUSHE_HONOR_CLIENT_ID",
    client_secret: "WUSHE_HONOR_CLIENT_SECRET",
    endpoint: "WUSHE_HONOR_ENDPOINT",
    token_url: "WUSHE_HONOR_TOKEN_URL",
    concurrency: "WUSHE_HONOR_CONCURRENCY",
};

fn oauth_vendor(
    var: &impl Fn(&'static str) -> Option<String>,
    n: &Names,
    client_id_defaults_to_app_id: bool,
) -> Result<Option<OAuthVendor>, ConfigError> {
    let (app_id, secret) = (var(n.app_id), var(n.client_secret));
    let client_id = var(n.client_id).or_else(|| app_id.clone().filter(|_| client_id_defaults_to_app_id));
    match (app_id, client_id, secret) {
        (None, None, None) => Ok(None),
        (Some(app_id), Some(client_id), Some(secret)) if !secret.is_empty() => Ok(Some(OAuthVendor {
            app_id,
            client_id,
            client_secret: Secret::new(secret.into_bytes()),
            endpoint: var(n.endpoint),
            token_url: var(n.token_url),
            concurrency: number_var(var, n.concurrency, 64, 1..=10_000)?,
        })),
        _ => Err(invalid(n.client_secret, format!("set with {} and {}, or none of them", n.app_id, n.client_id))),
    }
}

/// The values of `names`: all of them (none empty), none of them, or an error naming the first.
fn all_or_none<const N: usize>(
    var: &impl Fn(&'static str) -> Option<String>,
    names: [&'static str; N],
) -> Result<Option<[String; N]>, ConfigError> {
    let values = names.map(|n| var(n).filter(|v| !v.trim().is_empty()));
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(i) = values.iter().position(Option::is_none) {
        return Err(invalid(names[i], format!("set with {}, or none of them", names.join(", "))));
    }
    Ok(Some(values.map(Option::unwrap_or_default)))
}

impl PushVendorsConfig {
    /// Reads the vendor variables through `var`.
    pub fn from_vars(var: &impl Fn(&'static str) -> Option<String>) -> Result<Self, ConfigError> {
        let xiaomi = match (var("WUSHE_XIAOMI_APP_SECRET"), var("WUSHE_XIAOMI_PACKAGE")) {
            (None, None) => None,
            (Some(secret), Some(package)) if !secret.is_empty() && !package.is_empty() => Some(XiaomiVendor {
                app_secret: Secret::new(secret.into_bytes()),
                package,
                endpoint: var("WUSHE_XIAOMI_ENDPOINT"),
                concurrency: number_var(var, "WUSHE_XIAOMI_CONCURRENCY", 64, 1..=10_000)?,
            }),
            _ => return Err(invalid("WUSHE_XIAOMI_APP_SECRET", "set with WUSHE_XIAOMI_PACKAGE, or neither".into())),
        };
        let concurrency = |name| number_var(var, name, 64, 1..=10_000);
        let oppo = match all_or_none(var, ["WUSHE_OPPO_APP_KEY", "WUSHE_OPPO_MASTER_SECRET"])? {
            None => None,
            Some([app_key, secret]) => Some(OppoVendor {
                app_key,
                master_secret: Secret::new(secret.into_bytes()),
                endpoint: var("WUSHE_OPPO_BASE_URL"),
                concurrency: concurrency("WUSHE_OPPO_CONCURRENCY")?,
            }),
        };
        let vivo = match all_or_none(var, ["WUSHE_VIVO_APP_ID", "WUSHE_VIVO_APP_KEY", "WUSHE_VIVO_APP_SECRET"])? {
            None => None,
            Some([app_id, app_key, secret]) => Some(VivoVendor {
                app_id,
                app_key,
                app_secret: Secret::new(secret.into_bytes()),
                endpoint: var("WUSHE_VIVO_BASE_URL"),
                concurrency: concurrency("WUSHE_VIVO_CONCURRENCY")?,
            }),
        };
        let apns_names = ["WUSHE_APNS_KEY_FILE", "WUSHE_APNS_KEY_ID", "WUSHE_APNS_TEAM_ID", "WUSHE_APNS_TOPIC"];
        let apns = match all_or_none(var, apns_names)? {
            None => None,
            Some([key_file, key_id, team_id, topic]) => Some(ApnsVendor {
                key_file: PathBuf::from(key_file),
                key_id,
                team_id,
                topic,
                endpoint: var("WUSHE_APNS_BASE_URL"),
                concurrency: concurrency("WUSHE_APNS_CONCURRENCY")?,
            }),
        };
        Ok(PushVendorsConfig {
            huawei: oauth_vendor(var, &HUAWEI, true)?,
            honor: oauth_vendor(var, &HONOR, false)?,
            xiaomi,
            oppo,
            vivo,
            apns,
            timeout: duration_var(var, "WUSHE_VENDOR_PUSH_TIMEOUT", Duration::from_secs(10))?,
        })
    }
}
