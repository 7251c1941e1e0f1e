//! Forged access tokens are refused with 401 at the API: `alg: none`, a wrong key, a wrong
//! audience or issuer, an expired one, a refresh token or an access token of another type.

use crate::helpers::{NowUtc, spawn_app};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use wushe::auth::tokens::{ACCESS, AUDIENCE, Claims, ISSUER};

#[tokio::test]
async fn forged_tokens_are_401() {
    let app = spawn_app().await;
    let s = app.register_volunteer().await;
    let genuine = app.state.tokens.verify(&s.access, app.clock.now_utc()).unwrap();
    let now = app.clock.now_utc().timestamp();
    let claims = |iss: &str, aud: &str, typ: &str, exp: i64| Claims {
        iss: iss.into(),
        aud: aud.into(),
        sub: genuine.sub,
        sid: genuine.sid,
        ver: genuine.ver,
        typ: typ.into(),
        iat: now,
        exp,
    };
    let secret = b"test secret that is long enough for hs256";
    let sign =
        |c: &Claims, key: &[u8]| encode(&Header::new(Algorithm::HS256), c, &EncodingKey::from_secret(key)).unwrap();
    let good = sign(&claims(ISSUER, AUDIENCE, ACCESS, now + 60), secret);
    app.get("/api/v1/me", Some(&good)).await.expect(200);

    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(ISSUER, AUDIENCE, ACCESS, now + 60)).unwrap());
    let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#));
    for (what, token) in [
        ("alg none", none),
        ("wrong key", sign(&claims(ISSUER, AUDIENCE, ACCESS, now + 60), b"another secret of thirty-two bytes!!")),
        ("wrong audience", sign(&claims(ISSUER, "other-app", ACCESS, now + 60), secret)),
        ("wrong issuer", sign(&claims("someone-else", AUDIENCE, ACCESS, now + 60), secret)),
        ("expired", sign(&claims(ISSUER, AUDIENCE, ACCESS, now - 1), secret)),
        ("not an access token", sign(&claims(ISSUER, AUDIENCE, "refresh", now + 60), secret)),
        ("a refresh token", s.refresh.clone()),
    ] {
        let r = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(r.status, 401, "{what}: {}", r.body);
        assert_eq!(r.body["code"], "unauthorized", "{what}");
    }
}
