//! The mainland vendor push channels a process sends through, from the configuration: each vendor
//! that has its credentials is registered under the provider name its device rows carry
//! (`domain::messaging::push_tokens`).

use crate::config::{OAuthVendor, PushVendorsConfig};
use crate::domain::messaging::push_tokens::{HONOR, HUAWEI, XIAOMI};
use jobs::push::oauth::ClientCredentials;
use jobs::push::{PushProviders, honor, huawei, xiaomi};
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
    Ok(providers)
}
