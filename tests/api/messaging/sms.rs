//! The Alibaba Cloud SMS client against a fake `dysmsapi` that checks what the real one checks:
//! the AccessKey, a fresh nonce, a recent timestamp and the HMAC-SHA1 signature (recomputed here
//! independently of the client, from the signature document), and answers each error class.

use jobs::sms::aliyun::{Aliyun, AliyunConfig};
use jobs::sms::{Sms, SmsOutcome, SmsProvider};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Response, Route, handler};
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
