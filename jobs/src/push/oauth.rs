//! Access tokens of the push providers, cached. The OAuth 2.0 client-credentials tokens of Huawei
//! Push Kit and Honor Push (`POST {token_url}` with the form
//! `grant_type=client_credentials&client_id=…&client_secret=…` answers `{"access_token": "…",
//! "expires_in": 3600, "token_type": "Bearer"}`) are fetched here; other providers bring their
//! own [`TokenFetch`] (OPPO's and vivo's signed auth requests, the APNs provider token signed
//! locally) and share the cache.
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

/// How a provider gets a new access token: the token and how long it lives, or why not.
#[async_trait::async_trait]
pub trait TokenFetch: Send + Sync + 'static {
    async fn fetch(&self) -> Result<(String, Duration), Fetch>;
}

enum Cached {
    Token { token: String, refresh_after: Instant },
    Refused { why: String, until: Instant },
}

/// The access tokens of one provider.
pub struct TokenCache {
    provider: &'static str,
    source: Box<dyn TokenFetch>,
    cached: Mutex<Option<Cached>>,
}

impl TokenCache {
    /// OAuth 2.0 client-credentials tokens.
    pub fn new(provider: &'static str, credentials: ClientCredentials, http: reqwest::Client) -> Self {
        Self::from_source(provider, Box::new(OAuthFetch { credentials, http }))
    }

    /// Tokens from `source`.
    pub fn from_source(provider: &'static str, source: Box<dyn TokenFetch>) -> Self {
        TokenCache { provider, source, cached: Mutex::new(None) }
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
        match self.source.fetch().await {
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

    /// Sends to `n` devices as [`Self::send`] does and reads the answer with `classify` (one
    /// outcome per device); a configuration fault in the answer (an app the provider does not
    /// know, a topic it refuses) marks the credentials refused, as a refused token does.
    pub async fn send_classified<F, Fut>(
        &self,
        n: usize,
        refused: impl Fn(&Answer) -> bool,
        post: F,
        classify: impl FnOnce(Answer) -> Vec<PushOutcome>,
    ) -> Vec<PushOutcome>
    where
        F: Fn(String) -> Fut,
        Fut: std::future::Future<Output = Result<Answer, PushOutcome>>,
    {
        match self.send(refused, post).await {
            Ok(answer) => self.checked(classify(answer)).await,
            Err(o) => vec![o; n],
        }
    }

    /// `outcomes`, after marking the credentials refused if they are a configuration fault.
    pub async fn checked(&self, outcomes: Vec<PushOutcome>) -> Vec<PushOutcome> {
        if let Some(PushOutcome::Fatal(why)) = outcomes.first().filter(|o| o.is_config_fault()) {
            self.refuse(why).await;
        }
        outcomes
    }

    /// Marks the credentials refused (the provider refused a fresh token of them: an unknown app,
    /// or a token of another app), raising the alarm once.
    pub async fn refuse(&self, why: &str) {
        super::alert(self.provider, why);
        *self.cached.lock().await = Some(Cached::Refused { why: why.into(), until: Instant::now() + REFUSED_PAUSE });
    }
}

/// Client-credentials tokens from an OAuth 2.0 token endpoint.
struct OAuthFetch {
    credentials: ClientCredentials,
    http: reqwest::Client,
}

#[async_trait::async_trait]
impl TokenFetch for OAuthFetch {
    async fn fetch(&self) -> Result<(String, Duration), Fetch> {
        #[derive(Deserialize)]
        struct Reply {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let c = &self.credentials;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
        ];
        let answer = fetch_answer(self.http.post(&c.token_url).form(&form).send().await).await?;
        let reply: Reply =
            serde_json::from_value(answer).map_err(|e| Fetch::Failed(format!("token endpoint reply: {e}")))?;
        Ok((reply.access_token, Duration::from_secs(reply.expires_in.unwrap_or(3600))))
    }
}

/// Why no token came.
pub enum Fetch {
    /// The credentials were refused: a configuration fault.
    Refused(String),
    /// The endpoint failed or could not be reached: try again later.
    Failed(String),
}

/// Reads a token endpoint's JSON answer: Err is a failure to retry, or refused credentials when
/// the endpoint answered 400, 401 or 403.
pub async fn fetch_answer(resp: Result<reqwest::Response, reqwest::Error>) -> Result<serde_json::Value, Fetch> {
    let resp = resp.map_err(|e| Fetch::Failed(format!("token endpoint unreachable: {}", e.without_url())))?;
    let status = resp.status();
    if matches!(status.as_u16(), 400 | 401 | 403) {
        return Err(Fetch::Refused(format!("the token endpoint refused the credentials ({status})")));
    }
    if !status.is_success() {
        return Err(Fetch::Failed(format!("token endpoint answered {status}")));
    }
    resp.json().await.map_err(|e| Fetch::Failed(format!("token endpoint reply: {}", e.without_url())))
}
