//! Access tokens: short-lived HS256 JWTs naming the person, their sign-in session and their
//! token version. The algorithm is pinned, `iss`/`aud`/`typ` are checked, and expiry is checked
//! against the application clock. Refresh tokens are opaque random strings stored hashed (see
//! `domain::sessions`), so one can never pass for an access token.

use crate::config::Secret;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;
use uuid::Uuid;

/// Issuer of every token.
pub const ISSUER: &str = "wushe";
/// Audience of access tokens: the phone app and its API.
pub const AUDIENCE: &str = "wushe-api";
/// The `typ` claim of access tokens.
pub const ACCESS: &str = "access";

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The person.
    pub sub: Uuid,
    /// The sign-in session.
    pub sid: Uuid,
    /// The person's token version when issued.
    pub ver: i32,
    pub typ: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks access tokens, and keys the HMACs of phone numbers.
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
    phone_key: Vec<u8>,
}

/// Why a token was refused (all surface as 401).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the access token is malformed or its signature is wrong")]
    Invalid,
    #[error("the access token has expired")]
    Expired,
}

impl TokenService {
    /// A service signing with `secret`, issuing tokens that live `ttl`.
    pub fn new(secret: &Secret, ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        // Expiry is checked against the application clock below, so tests can move time.
        validation.validate_exp = false;
        validation.leeway = 0;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose()).expect("hmac takes any key");
        mac.update(b"wushe phone key v1");
        TokenService {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
            ttl,
            phone_key: mac.finalize().into_bytes().to_vec(),
        }
    }

    /// Lifetime of the tokens issued.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A new access token for a person's session.
    pub fn issue(&self, user_id: Uuid, session_id: Uuid, token_version: i32, now: DateTime<Utc>) -> String {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id,
            sid: session_id,
            ver: token_version,
            typ: ACCESS.into(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.ttl.as_secs() as i64,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The claims of a valid, unexpired access token.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if claims.typ != ACCESS {
            return Err(TokenError::Invalid);
        }
        if claims.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// The CSRF token of a session's console forms: a keyed hash of the session id, so it needs
    /// no storage and dies with the session.
    pub fn csrf_token(&self, session_id: Uuid) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.phone_key).expect("hmac takes any key");
        mac.update(b"console csrf v1:");
        mac.update(session_id.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..20])
    }

    /// A keyed hash of a phone number, for tables that must count by phone without holding it.
    pub fn phone_key(&self, e164: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.phone_key).expect("hmac takes any key");
        mac.update(e164.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn svc(secret: &str) -> TokenService {
        TokenService::new(&Secret::new(secret.as_bytes()), Duration::from_secs(900))
    }

    #[test]
    fn round_trip_and_expiry() {
        let s = svc("0123456789abcdef0123456789abcdef");
        let now = Utc::now();
        let (u, sid) = (Uuid::now_v7(), Uuid::now_v7());
        let t = s.issue(u, sid, 3, now);
        let c = s.verify(&t, now).unwrap();
        assert_eq!((c.sub, c.sid, c.ver), (u, sid, 3));
        assert_eq!(s.verify(&t, now + chrono::Duration::seconds(900)).unwrap_err(), TokenError::Expired);
    }

    #[test]
    fn forgeries_are_refused() {
        let s = svc("0123456789abcdef0123456789abcdef");
        let other = svc("another secret of thirty-two chars!!");
        let now = Utc::now();
        let t = other.issue(Uuid::now_v7(), Uuid::now_v7(), 0, now);
        assert_eq!(s.verify(&t, now).unwrap_err(), TokenError::Invalid, "wrong key");

        let good = s.issue(Uuid::now_v7(), Uuid::now_v7(), 0, now);
        let parts: Vec<&str> = good.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(s.verify(&format!("{none_header}.{}.", parts[1]), now).is_err(), "alg none");

        let claims = |aud: &str, iss: &str, typ: &str| {
            let c = Claims {
                iss: iss.into(),
                aud: aud.into(),
                sub: Uuid::now_v7(),
                sid: Uuid::now_v7(),
                ver: 0,
                typ: typ.into(),
                iat: now.timestamp(),
                exp: now.timestamp() + 60,
            };
            encode(&Header::new(Algorithm::HS256), &c, &s.encoding).unwrap()
        };
        assert!(s.verify(&claims(AUDIENCE, ISSUER, ACCESS), now).is_ok());
        assert!(s.verify(&claims("other", ISSUER, ACCESS), now).is_err(), "aud");
        assert!(s.verify(&claims(AUDIENCE, "other", ACCESS), now).is_err(), "iss");
        assert!(s.verify(&claims(AUDIENCE, ISSUER, "refresh"), now).is_err(), "typ");
    }

    #[test]
    fn phone_keys_are_stable_and_keyed() {
        let a = svc("0123456789abcdef0123456789abcdef");
        let b = svc("another secret of thirty-two chars!!");
        assert_eq!(a.phone_key("+8613800138000"), a.phone_key("+8613800138000"));
        assert_ne!(a.phone_key("+8613800138000"), b.phone_key("+8613800138000"));
        assert!(!a.phone_key("+8613800138000").contains("138"));
    }
}
