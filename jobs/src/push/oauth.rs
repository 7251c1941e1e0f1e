//! OAuth 2.0 client-credentials access tokens, as Huawei Push Kit and Honor Push hand them out:
//! `POST {token_url}` with the form `grant_type=client_credentials&client_id=…&client_secret=…`
//! answers `{"access_token": "…", "expires_in": 3600, "token_type": "Bearer"}`.
//!
//! A token is cached and replaced [`REFRESH_MARGIN`] before it expires (a token issued with less
//! life than that is used for one send and then replaced), by one caller while the others wait
//! (concurrent sends make one token request), and once more when the provider refuses it.
//!
//! Credentials the token endpoint refuses (HTTP 400/401/403: an unknown client or a wrong
//! secret) are a configuration fault: it is raised once ([`super::alert`]) and for
//! [`REFUSED_PAUSE`] every send is answered with the fault at once, without asking the endpoint
//! again, so a broken secret causes no storm of token requests. The secret is never logged.

use super::{Answer, PushOutcome, config_fault};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Replace a cached token this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// After the endpoint refused the credentials, how long sends fail at once without asking again.
pub const REFUSED_PAUSE: Duration = Duration::from_secs(300);

/// A client's credentials and where to exchange them.
#[derive(Clone)]
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

enum Cached {
    Token { token: String, refresh_after: Instant },
    Refused { why: String, until: Instant },
}

/// The access tokens of one provider.
pub struct TokenCache {
    provider: &'static str,
    credentials: ClientCredentials,
    http: reqwest::Client,
    cached: Mutex<Option<Cached>>,
}

impl TokenCache {
    pub fn new(provider: &'static str, credentials: ClientCredentials, http: reqwest::Client) -> Self {
        TokenCache { provider, credentials, http, cached: Mutex::new(None) }
    }

    /// A valid access token: the cached one unless it is near expiry or is `rejected`. Err is the
    /// outcome for the send: a retry (the endpoint is unreachable or failing) or a configuration
    /// fault (it refused the credentials, now or within [`REFUSED_PAUSE`]).
    pub async fn token(&self, rejected: Option<&str>) -> Result<String, PushOutcome> {
        let mut cached = self.cached.lock().await;
        match cached.as_ref() {
            Some(Cached::Token { token, refresh_after })
                if Instant::now() < *refresh_after && rejected != Some(token.as_str()) =>
            {
                return Ok(token.clone());
            }
            Some(Cached::Refused { why, until }) if Instant::now() < *until => {
                return Err(config_fault(self.provider, why));
            }
            _ => {}
        }
        match self.fetch().await {
            Ok((token, lifetime)) => {
                tracing::info!(
                    provider = self.provider,
                    lifetime_s = lifetime.as_secs(),
                    "push access token refreshed"
                );
                let refresh_after = Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN);
                *cached = Some(Cached::Token { token: token.clone(), refresh_after });
                Ok(token)
            }
            Err(Fetch::Refused(why)) => {
                super::alert(self.provider, &why);
                *cached = Some(Cached::Refused { why: why.clone(), until: Instant::now() + REFUSED_PAUSE });
                Err(config_fault(self.provider, &why))
            }
            Err(Fetch::Failed(why)) => Err(PushOutcome::Retry { after: None, reason: why }),
        }
    }

    /// Sends with an access token (`post(token)`); when `refused` says the provider refused the
    /// token, once more with a fresh one. A fresh token refused too is a configuration fault (an
    /// unknown app, or credentials of another app).
    pub async fn send<F, Fut>(&self, refused: impl Fn(&Answer) -> bool, post: F) -> Result<Answer, PushOutcome>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<Answer, PushOutcome>>,
    {
        let token = self.token(None).await?;
        let answer = post(token.clone()).await?;
        if !refused(&answer) {
            return Ok(answer);
        }
        let answer = post(self.token(Some(&token)).await?).await?;
        if refused(&answer) {
            let why = format!("a fresh access token was refused (HTTP {})", answer.0);
            self.refuse(&why).await;
            return Err(config_fault(self.provider, &why));
        }
        Ok(answer)
    }

    /// Marks the credentials refused (the provider refused a fresh token of them: an unknown app,
    /// or a token of another app), raising the alarm once.
    pub async fn refuse(&self, why: &str) {
        super::alert(self.provider, why);
        *self.cached.lock().await = Some(Cached::Refused { why: why.into(), until: Instant::now() + REFUSED_PAUSE });
    }

    async fn fetch(&self) -> Result<(String, Duration), Fetch> {
        #[derive(Deserialize)]
        struct Reply {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let c = &self.credentials;
        let resp = self
            .http
            .post(&c.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
            ])
            .send()
            .await
            .map_err(|e| Fetch::Failed(format!("token endpoint unreachable: {}", e.without_url())))?;
        let status = resp.status();
        if matches!(status.as_u16(), 400 | 401 | 403) {
            return Err(Fetch::Refused(format!("the token endpoint refused the credentials ({status})")));
        }
        if !status.is_success() {
            return Err(Fetch::Failed(format!("token endpoint answered {status}")));
        }
        let reply: Reply =
            resp.json().await.map_err(|e| Fetch::Failed(format!("token endpoint reply: {}", e.without_url())))?;
        Ok((reply.access_token, Duration::from_secs(reply.expires_in.unwrap_or(3600))))
    }
}

enum Fetch {
    Refused(String),
    Failed(String),
}
