//! The mainland vendor push channels and APNs a process sends through, from the configuration:
//! each that has its credentials is registered under the provider name its device rows carry
//! (`domain::messaging::push_tokens`). An APNs key that cannot be read or is not a P-256 key
//! stops the start with an error naming the file.

use crate::config::{OAuthVendor, PushVendorsConfig};
use crate::domain::messaging::push_tokens::{APNS, HONOR, HUAWEI, OPPO, VIVO, XIAOMI};
use anyhow::Context;
use jobs::push::oauth::ClientCredentials;
use jobs::push::{PushProviders, apns, honor, huawei, oppo, vivo, xiaomi};
use std::sync::Arc;

fn credentials(v: &OAuthVendor, default_token_url: &str) -> ClientCredentials {
    ClientCredentials {
        token_url: v.token_url.clone().unwrap_or_else(|| default_token_url.to_string()),
        client_id: v.client_id.clone(),
        client_secret: String::from_utf8_lossy(v.client_secret.expose()).into_owned(),
    }
}

/// `providers` with every configured vendor added.
pub fn vendor_providers(cfg: &PushVendorsConfig, mut providers: PushProviders) -> anyhow::Result<PushProviders> {
    if let Some(v) = &cfg.huawei {
        let p = huawei::HuaweiProvider::new(
            &v.app_id,
            credentials(v, huawei::DEFAULT_TOKEN_URL),
            v.endpoint.as_deref().unwrap_or(huawei::DEFAULT_ENDPOINT),
            v.concurrency,
            cfg.timeout,
        )?;
        providers = providers.with(HUAWEI, Arc::new(p));
    }
    if let Some(v) = &cfg.honor {
        let p = honor::HonorProvider::new(
            &v.app_id,
            credentials(v, honor::DEFAULT_TOKEN_URL),
            v.endpoint.as_deref().unwrap_or(honor::DEFAULT_ENDPOINT),
            v.concurrency,
            cfg.timeout,
        )?;
        providers = providers.with(HONOR, Arc::new(p));
    }
    if let Some(v) = &cfg.xiaomi {
        let p = xiaomi::XiaomiProvider::new(
            &String::from_utf8_lossy(v.app_secret.expose()),
            &v.package,
            v.endpoint.as_deref().unwrap_or(xiaomi::DEFAULT_ENDPOINT),
            v.concurrency,
            cfg.timeout,
        )?;
        providers = providers.with(XIAOMI, Arc::new(p));
    }
    if let Some(v) = &cfg.oppo {
        let p = oppo::OppoProvider::new(
            &v.app_key,
            &String::from_utf8_lossy(v.master_secret.expose()),
            v.endpoint.as_deref().unwrap_or(oppo::DEFAULT_ENDPOINT),
            v.concurrency,
            cfg.timeout,
        )?;
        providers = providers.with(OPPO, Arc::new(p));
    }
    if let Some(v) = &cfg.vivo {
        let app = vivo::VivoApp {
            app_id: v.app_id.clone(),
            app_key: v.app_key.clone(),
            app_secret: String::from_utf8_lossy(v.app_secret.expose()).into_owned(),
        };
        let endpoint = v.endpoint.as_deref().unwrap_or(vivo::DEFAULT_ENDPOINT);
        providers = providers.with(VIVO, Arc::new(vivo::VivoProvider::new(app, endpoint, v.concurrency, cfg.timeout)?));
    }
    if let Some(v) = &cfg.apns {
        let p = apns::ApnsProvider::from_file(
            &v.key_file,
            &v.key_id,
            &v.team_id,
            &v.topic,
            v.endpoint.as_deref().unwrap_or(apns::DEFAULT_ENDPOINT),
            v.concurrency,
            cfg.timeout,
        )
        .with_context(|| format!("WUSHE_APNS_KEY_FILE {}", v.key_file.display()))?;
        providers = providers.with(APNS, Arc::new(p));
    }
    Ok(providers)
}
