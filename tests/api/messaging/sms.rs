//! The SMS clients against fakes that check what the real services check, each signature
//! recomputed here independently of the client from the provider's signature document, and that
//! answer each error class: Alibaba Cloud's `dysmsapi` (the AccessKey, a fresh nonce, a recent
//! timestamp, HMAC-SHA1) and Tencent Cloud's API 3.0 `SendSms` (the SecretId, a recent
//! `X-TC-Timestamp`, the credential scope and the TC3-HMAC-SHA256 signature over the received
//! `Content-Type`, `Host` and body).

use jobs::sms::aliyun::{Aliyun, AliyunConfig};
use jobs::sms::tencent::{Tencent, TencentConfig};
use jobs::sms::{Sms, SmsOutcome, SmsProvider};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Request, Response, Route, handler};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

const KEY_ID: &str = "LTAI-test-key";
const SECRET: &str = "test-secret";

#[derive(Default)]
struct Fake {
    nonces: Mutex<HashSet<String>>,
    accepted: Mutex<Vec<BTreeMap<String, String>>>,
}

/// RFC 3986 encoding, written apart from the client's so that a shared mistake cannot pass.
fn encode(s: &str) -> String {
    const KEEP: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    s.bytes()
        .map(|b| if KEEP.as_bytes().contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn answer(status: u16, code: &str) -> Response {
    let body = serde_json::json!({"Code": code, "Message": code, "RequestId": "r-1", "BizId": if code == "OK" { "biz-1" } else { "" }});
    Response::builder()
        .status(poem::http::StatusCode::from_u16(status).unwrap())
        .content_type("application/json")
        .body(body.to_string())
}

#[handler]
async fn send_sms(body: String, fake: Data<&Arc<Fake>>) -> Response {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let params: BTreeMap<String, String> =
        body.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (decode(k), decode(v))).collect();
    if params.get("AccessKeyId").map(String::as_str) != Some(KEY_ID) {
        return answer(404, "InvalidAccessKeyId.NotFound");
    }
    let nonce = params.get("SignatureNonce").cloned().unwrap_or_default();
    if nonce.is_empty() || !fake.nonces.lock().unwrap().insert(nonce) {
        return answer(400, "SignatureNonceUsed");
    }
    let stamp = chrono::DateTime::parse_from_rfc3339(params.get("Timestamp").map(String::as_str).unwrap_or(""));
    if stamp.map(|t| (chrono::Utc::now() - t.to_utc()).num_minutes().abs() > 15).unwrap_or(true) {
        return answer(400, "InvalidTimeStamp.Expired");
    }
    let query: Vec<String> =
        params.iter().filter(|(k, _)| *k != "Signature").map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
    let to_sign = format!("POST&%2F&{}", encode(&query.join("&")));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if params.get("Signature") != Some(&expected) {
        return answer(400, "SignatureDoesNotMatch");
    }
    for (k, v) in
        [("Action", "SendSms"), ("Version", "2017-05-25"), ("SignatureMethod", "HMAC-SHA1"), ("Format", "JSON")]
    {
        assert_eq!(params.get(k).map(String::as_str), Some(v), "{k}");
    }
    let phone = params.get("PhoneNumbers").cloned().unwrap_or_default();
    let answer = match (phone.as_str(), params.get("TemplateCode").map(String::as_str)) {
        (_, Some("SMS_BAD")) => answer(200, "isv.SMS_TEMPLATE_ILLEGAL"),
        ("13800000001", _) => answer(200, "isv.BUSINESS_LIMIT_CONTROL"),
        ("10000000000", _) => answer(200, "isv.MOBILE_NUMBER_ILLEGAL"),
        ("13800000002", _) => answer(200, "isp.SYSTEM_ERROR"),
        ("13800000009", _) => Response::builder().status(poem::http::StatusCode::BAD_GATEWAY).body("upstream down"),
        _ => answer(200, "OK"),
    };
    fake.accepted.lock().unwrap().push(params);
    answer
}

async fn start(fake: Arc<Fake>) -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    let app = Route::new().at("/", poem::post(send_sms)).data(fake);
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
    format!("http://{addr}/")
}

fn client(endpoint: &str, secret: &str) -> Aliyun {
    Aliyun::new(AliyunConfig {
        access_key_id: KEY_ID.into(),
        access_key_secret: secret.into(),
        sign_name: "五社联动".into(),
        endpoint: endpoint.into(),
    })
    .unwrap()
}

fn sms(phone: &str, template: &str) -> Sms {
    Sms { phone: phone.into(), template: template.into(), params: [("code".to_string(), "123456".to_string())].into() }
}

#[tokio::test]
async fn a_signed_send_is_accepted_and_each_error_class_is_told_apart() {
    let fake = Arc::new(Fake::default());
    let endpoint = start(fake.clone()).await;
    let aliyun = client(&endpoint, SECRET);
    assert_eq!(aliyun.send(&sms("13800138000", "SMS_123")).await, SmsOutcome::Sent { provider_id: "biz-1".into() });
    let got = fake.accepted.lock().unwrap()[0].clone();
    assert_eq!(got["PhoneNumbers"], "13800138000");
    assert_eq!(got["SignName"], "五社联动");
    assert_eq!(got["TemplateParam"], r#"{"code":"123456"}"#);

    assert!(matches!(aliyun.send(&sms("13800000001", "SMS_123")).await, SmsOutcome::RateLimited { .. }));
    assert!(matches!(aliyun.send(&sms("10000000000", "SMS_123")).await, SmsOutcome::InvalidNumber { .. }));
    assert!(matches!(aliyun.send(&sms("13800138000", "SMS_BAD")).await, SmsOutcome::ConfigFault { .. }));
    assert!(matches!(aliyun.send(&sms("13800000002", "SMS_123")).await, SmsOutcome::Transient { .. }));
    assert!(matches!(aliyun.send(&sms("13800000009", "SMS_123")).await, SmsOutcome::Transient { .. }));
    // A wrong secret is a configuration fault, found by the signature check.
    let wrong = client(&endpoint, "not-the-secret");
    match wrong.send(&sms("13800138000", "SMS_123")).await {
        SmsOutcome::ConfigFault { detail } => assert!(detail.starts_with("SignatureDoesNotMatch"), "{detail}"),
        other => panic!("expected a configuration fault, got {other:?}"),
    }
    // Nothing reachable: transient.
    let nowhere = client("http://127.0.0.1:9/", SECRET);
    assert!(matches!(nowhere.send(&sms("13800138000", "SMS_123")).await, SmsOutcome::Transient { .. }));
}

// ---- Tencent Cloud -------------------------------------------------------------------------

const SECRET_ID: &str = "AKID-test-id";
const SECRET_KEY: &str = "test-secret-key";

#[derive(Default)]
struct TencentFake {
    accepted: Mutex<Vec<serde_json::Value>>,
}

fn tc_error(status: u16, code: &str) -> Response {
    let body = serde_json::json!({"Response": {"Error": {"Code": code, "Message": code}, "RequestId": "r-1"}});
    Response::builder()
        .status(poem::http::StatusCode::from_u16(status).unwrap())
        .content_type("application/json")
        .body(body.to_string())
}

fn tc_status(phone: &str, code: &str) -> Response {
    let serial = if code == "Ok" { "2433:3360" } else { "" };
    let set = serde_json::json!([{"SerialNo": serial, "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": code, "Message": code, "IsoCode": "CN"}]);
    let body = serde_json::json!({"Response": {"SendStatusSet": set, "RequestId": "r-1"}});
    Response::builder().content_type("application/json").body(body.to_string())
}

fn hmac256(key: &[u8], data: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data.as_bytes()))
}

#[handler]
async fn tencent_send_sms(req: &Request, body: String, fake: Data<&Arc<TencentFake>>) -> Response {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    // "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<…>, Signature=<…>"
    let auth = header("authorization");
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 ") else {
        return tc_error(200, "AuthFailure.InvalidAuthorization");
    };
    let fields: BTreeMap<&str, &str> = rest.split(", ").filter_map(|kv| kv.split_once('=')).collect();
    let credential: Vec<&str> = fields.get("Credential").copied().unwrap_or("").split('/').collect();
    let [id, date, service, "tc3_request"] = credential[..] else {
        return tc_error(200, "AuthFailure.InvalidAuthorization");
    };
    if id != SECRET_ID {
        return tc_error(200, "AuthFailure.SecretIdNotFound");
    }
    let timestamp: i64 = header("x-tc-timestamp").parse().unwrap_or(0);
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return tc_error(200, "AuthFailure.SignatureExpire");
    }
    let utc_date = chrono::DateTime::from_timestamp(timestamp, 0).unwrap().format("%Y-%m-%d").to_string();
    if date != utc_date || service != "sms" || fields.get("SignedHeaders") != Some(&"content-type;host") {
        return tc_error(200, "AuthFailure.SignatureFailure");
    }
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        header("content-type"),
        header("host"),
        sha256_hex(&body)
    );
    let to_sign = format!("TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n{}", sha256_hex(&canonical));
    let key = hmac256(&hmac256(&hmac256(format!("TC3{SECRET_KEY}").as_bytes(), date), "sms"), "tc3_request");
    if fields.get("Signature").copied() != Some(hex::encode(hmac256(&key, &to_sign)).as_str()) {
        return tc_error(200, "AuthFailure.SignatureFailure");
    }
    for (k, v) in [("x-tc-action", "SendSms"), ("x-tc-version", "2021-01-11"), ("x-tc-region", "ap-guangzhou")] {
        assert_eq!(header(k), v, "{k}");
    }
    assert_eq!(header("content-type"), "application/json; charset=utf-8");
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    let phone = sent["PhoneNumberSet"][0].as_str().unwrap_or("").to_string();
    let answer = match (phone.as_str(), sent["TemplateId"].as_str()) {
        (_, Some("999")) => tc_status(&phone, "FailedOperation.TemplateIncorrectOrUnapproved"),
        (_, Some("998")) => tc_error(200, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
        ("+8613800000001", _) => tc_status(&phone, "LimitExceeded.PhoneNumberThirtySecondLimit"),
        ("+8610000000000", _) => tc_status(&phone, "InvalidParameterValue.IncorrectPhoneNumber"),
        ("+8613800000003", _) => tc_status(&phone, "FailedOperation.PhoneNumberInBlacklist"),
        ("+8613800000002", _) => tc_error(200, "InternalError.Timeout"),
        ("+8613800000009", _) => Response::builder().status(poem::http::StatusCode::BAD_GATEWAY).body("upstream down"),
        _ => tc_status(&phone, "Ok"),
    };
    fake.accepted.lock().unwrap().push(sent);
    answer
}

async fn start_tencent(fake: Arc<TencentFake>) -> String {
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().cloned().unwrap();
    let app = Route::new().at("/", poem::post(tencent_send_sms)).data(fake);
    tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
    format!("http://{addr}/")
}

fn tencent(endpoint: &str, secret_key: &str) -> Tencent {
    Tencent::new(TencentConfig {
        secret_id: SECRET_ID.into(),
        secret_key: secret_key.into(),
        sdk_app_id: "1400006666".into(),
        sign_name: "五社联动".into(),
        region: "ap-guangzhou".into(),
        endpoint: endpoint.into(),
    })
    .unwrap()
}

fn positional(phone: &str, template: &str) -> Sms {
    // Named so that sorting gives the template's order: {1} the code, {2} the minutes.
    let params = [("2", "5"), ("1", "123456")].map(|(k, v)| (k.to_string(), v.to_string()));
    Sms { phone: phone.into(), template: template.into(), params: params.into() }
}

#[tokio::test]
async fn a_tencent_signed_send_is_accepted_and_each_error_class_is_told_apart() {
    let fake = Arc::new(TencentFake::default());
    let endpoint = start_tencent(fake.clone()).await;
    let client = tencent(&endpoint, SECRET_KEY);
    assert_eq!(client.name(), "tencent");
    assert_eq!(
        client.send(&positional("13800138000", "1110")).await,
        SmsOutcome::Sent { provider_id: "2433:3360".into() }
    );
    let got = fake.accepted.lock().unwrap()[0].clone();
    assert_eq!(got["PhoneNumberSet"], serde_json::json!(["+8613800138000"]));
    assert_eq!(got["SmsSdkAppId"], "1400006666");
    assert_eq!(got["SignName"], "五社联动");
    assert_eq!(got["TemplateId"], "1110");
    assert_eq!(got["TemplateParamSet"], serde_json::json!(["123456", "5"]));

    let outcome = |phone: &'static str, template: &'static str| {
        let client = &client;
        async move { client.send(&positional(phone, template)).await }
    };
    assert!(matches!(outcome("13800000001", "1110").await, SmsOutcome::RateLimited { .. }));
    assert!(matches!(outcome("10000000000", "1110").await, SmsOutcome::InvalidNumber { .. }));
    assert!(matches!(outcome("13800000003", "1110").await, SmsOutcome::InvalidNumber { .. }));
    assert!(matches!(outcome("13800138000", "999").await, SmsOutcome::ConfigFault { .. }));
    assert!(matches!(outcome("13800138000", "998").await, SmsOutcome::ConfigFault { .. }));
    assert!(matches!(outcome("13800000002", "1110").await, SmsOutcome::Transient { .. }));
    assert!(matches!(outcome("13800000009", "1110").await, SmsOutcome::Transient { .. }));
    // A wrong secret is a configuration fault, found by the signature check.
    match tencent(&endpoint, "not-the-secret").send(&positional("13800138000", "1110")).await {
        SmsOutcome::ConfigFault { detail } => assert!(detail.starts_with("AuthFailure.SignatureFailure"), "{detail}"),
        other => panic!("expected a configuration fault, got {other:?}"),
    }
    // Nothing reachable: transient.
    let nowhere = tencent("http://127.0.0.1:9/", SECRET_KEY);
    assert!(matches!(nowhere.send(&positional("13800138000", "1110")).await, SmsOutcome::Transient { .. }));
}

// ---- Through the application: the job queue, the worker and a provider ------------------------

/// An app whose texts go to the Tencent fake at `endpoint`, with code template `template`.
async fn app_on_tencent(endpoint: &str, template: &str) -> crate::helpers::TestApp {
    let (endpoint, template) = (endpoint.to_string(), template.to_string());
    crate::helpers::spawn_app_with(move |c| {
        c.sms.provider = wushe::config::SmsProviderConfig::Tencent {
            secret_id: SECRET_ID.into(),
            secret_key: wushe::config::Secret::new(SECRET_KEY),
            sdk_app_id: "1400006666".into(),
            region: "ap-guangzhou".into(),
            endpoint: Some(endpoint),
        };
        c.sms.templates.code = template;
    })
    .await
}

#[tokio::test]
async fn a_code_goes_out_through_the_queue_signed_and_signs_the_person_in() {
    let fake = Arc::new(TencentFake::default());
    let app = app_on_tencent(&start_tencent(fake.clone()).await, "1001").await;
    app.start_workers();
    let v = app.quick_volunteers(1, None).await.remove(0);
    app.post("/api/v1/auth/codes", None, serde_json::json!({"phone": v.phone, "purpose": "signIn"})).await.expect(202);
    crate::helpers::eventually(20, "the fake receives the code", || async {
        !fake.accepted.lock().unwrap().is_empty()
    })
    .await;
    let sent = fake.accepted.lock().unwrap()[0].clone();
    assert_eq!(sent["PhoneNumberSet"], serde_json::json!([v.phone]));
    assert_eq!(sent["TemplateId"], "1001");
    let code = sent["TemplateParamSet"][0].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    app.post("/api/v1/auth/login/code", None, serde_json::json!({"phone": v.phone, "code": code})).await.expect(200);
    assert_eq!(app.state.jobs.metrics.sms_count("sent"), 1);
}

#[tokio::test]
async fn a_refused_template_alerts_and_is_not_retried_and_a_provider_outage_is() {
    let fake = Arc::new(TencentFake::default());
    let endpoint = start_tencent(fake.clone()).await;
    // Template 999: the fake answers "template not approved" (a configuration fault).
    let app = app_on_tencent(&endpoint, "999").await;
    app.start_workers();
    app.post("/api/v1/auth/codes", None, serde_json::json!({"phone": app.new_phone(), "purpose": "signIn"}))
        .await
        .expect(202);
    crate::helpers::eventually(20, "the fault is counted", || async {
        app.state.jobs.metrics.sms_count("config_fault") == 1
    })
    .await;
    crate::helpers::eventually(20, "the job is dead", || async {
        app.state.jobs.queue.stats().await.map(|s| s.dead).unwrap_or(0) == 1
    })
    .await;
    assert_eq!(app.state.jobs.metrics.sms_count("config_fault"), 1, "no retry");

    // +86 138 0000 0002: the fake answers InternalError.Timeout; the job retries with backoff.
    let app = app_on_tencent(&endpoint, "1001").await;
    app.start_workers();
    app.post("/api/v1/auth/codes", None, serde_json::json!({"phone": "+8613800000002", "purpose": "signIn"}))
        .await
        .expect(202);
    // Retries wait on the application's clock: move it past each backoff.
    crate::helpers::eventually(30, "retried", || async {
        app.clock.advance(chrono::Duration::seconds(5));
        app.state.jobs.metrics.sms_count("transient") >= 2
    })
    .await;
}
