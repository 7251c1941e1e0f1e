//! Tencent Cloud SMS (腾讯云短信), the `SendSms` action of TencentCloud API 3.0 (version
//! `2021-01-11`, host `sms.tencentcloudapi.com`).
//!
//! Per the official documents:
//! - `SendSms` (https://cloud.tencent.com/document/api/382/55981, in English
//!   https://www.tencentcloud.com/document/api/382/40536): a JSON body with `PhoneNumberSet`
//!   (E.164, `+86` and the 11-digit number), `SmsSdkAppId`, `SignName` (the approved signature's
//!   text), `TemplateId` (an approved template) and `TemplateParamSet` (strings, as many as the
//!   template has variables); the answer is `{"Response": {"SendStatusSet": [{"SerialNo",
//!   "PhoneNumber", "Fee", "Code", "Message", …}], "RequestId"}}`, each number's `Code` being
//!   `"Ok"` when accepted, or `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` when the
//!   whole request fails (error codes: https://cloud.tencent.com/document/api/382/52075);
//! - request signing, "Signature v3" / 签名方法 v3 (https://cloud.tencent.com/document/api/213/30654):
//!   the canonical request is `POST`, `/`, an empty query, the headers `content-type:…` and
//!   `host:…`, the signed-header list `content-type;host` and the hex SHA-256 of the payload,
//!   joined by newlines; the string to sign is `TC3-HMAC-SHA256`, the timestamp, the scope
//!   `{date}/sms/tc3_request` (the date in UTC from the timestamp) and the hex SHA-256 of the
//!   canonical request, joined likewise; the key is the chain `HMAC("TC3" + SecretKey, date)`,
//!   then the service, then `tc3_request`; the headers are `Authorization`, `Content-Type`,
//!   `Host`, `X-TC-Action`, `X-TC-Timestamp` (within five minutes of the server's clock),
//!   `X-TC-Version` and `X-TC-Region`. The document's worked example (cvm `DescribeInstances`,
//!   expected `Signature=72e494ea…`) is a unit test below, so the chain is checked against the
//!   document's own numbers, not only against our fake.
//!
//! Template parameters are positional: Tencent templates number their variables `{1}`, `{2}`, …
//! and `TemplateParamSet` fills them in order. [`Sms::params`] is a map, so its values are sent in
//! the map's (sorted) key order: name them so that sorting gives the template's order — `"1"` to
//! `"9"`, or zero-padded (`"01"`, `"02"`, … `"12"`) past nine, since `"10"` sorts before `"2"`.
//!
//! The error codes are mapped by class. Confirmed by the documents (each code's meaning; the class
//! follows from it): the `LimitExceeded.PhoneNumber…Limit` codes (thirty seconds, one hour, a day,
//! the same content in a day) are the per-number frequency limits → rate limited;
//! `InvalidParameterValue.IncorrectPhoneNumber` and `FailedOperation.PhoneNumberParseFail` are
//! malformed numbers → invalid number; `AuthFailure.*`, `FailedOperation.SignatureIncorrectOrUnapproved`,
//! `FailedOperation.TemplateIncorrectOrUnapproved`, `UnauthorizedOperation.*` (arrears, a disabled
//! or foreign SdkAppId, an IP allow-list), `InvalidParameterValue.TemplateParameterFormatError`
//! and `FailedOperation.InsufficientBalanceInSmsPackage` are ours to fix → configuration fault.
//! Judgement, not stated by the documents: `FailedOperation.PhoneNumberInBlacklist` (the person
//! unsubscribed, or the carrier's do-not-disturb list) is treated as an invalid number, since
//! retrying cannot help; `LimitExceeded.PhoneNumberCountLimit` (over 200 numbers in one request)
//! is a configuration fault although it shares the prefix; `LimitExceeded.DeliveryFrequencyLimit`
//! (the console's frequency policy) is rate limited; the app-wide quotas
//! (`LimitExceeded.AppDailyLimit`, `…AppMainlandChinaDailyLimit`, …) are configuration faults (an
//! account setting, not something that passes before the day ends); `InternalError.*` and
//! `RequestLimitExceeded*` are transient, except `InternalError.RequestTimeException` (our clock
//! off by more than ten minutes), a configuration fault like `AuthFailure.SignatureExpire`; and
//! any code not named here is a configuration fault. Not confirmed: which HTTP status accompanies
//! an error (the documents show only bodies), so the class follows the code, and only an answer
//! without one falls back to the status (5xx and 429 transient).

use super::{Sms, SmsOutcome, SmsProvider, masked};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The production endpoint.
pub const ENDPOINT: &str = "https://sms.tencentcloudapi.com/";
/// The only content type signed and sent.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const VERSION: &str = "2021-01-11";

/// A Tencent Cloud SMS account: its API key pair, the SMS application (`SmsSdkAppId`), the
/// approved signature (签名) that heads every message, and the API region (e.g. `ap-guangzhou`).
#[derive(Clone)]
pub struct TencentConfig {
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub region: String,
    /// `ENDPOINT` in production; a fake server in tests.
    pub endpoint: String,
}

/// The `SendSms` client.
pub struct Tencent {
    config: TencentConfig,
    http: reqwest::Client,
}

impl Tencent {
    /// A client with a 10-second timeout per request.
    pub fn new(config: TencentConfig) -> Result<Tencent, reqwest::Error> {
        crate::push::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Tencent { config, http })
    }

    /// The JSON body of one `SendSms` request.
    pub fn payload(&self, sms: &Sms) -> String {
        let c = &self.config;
        serde_json::json!({
            "PhoneNumberSet": [e164(&sms.phone)],
            "SmsSdkAppId": c.sdk_app_id,
            "SignName": c.sign_name,
            "TemplateId": sms.template,
            "TemplateParamSet": sms.params.values().collect::<Vec<_>>(),
        })
        .to_string()
    }
}

/// Tencent takes E.164: a mainland number (11 digits from 1) gains `+86`, any other (given with
/// its country code, as `Sms::phone` carries it) gains `+`.
fn e164(phone: &str) -> String {
    if phone.len() == 11 && phone.starts_with('1') { format!("+86{phone}") } else { format!("+{phone}") }
}

/// The `Host` header for an endpoint: its host, and its port when not the scheme's default.
pub fn host_of(endpoint: &str) -> String {
    match reqwest::Url::parse(endpoint) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new(); // HMAC takes a key of any length; this branch cannot be reached
    };
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header for a POST of `payload` (as [`CONTENT_TYPE`]) to `host`, signed
/// with TC3-HMAC-SHA256 over the headers `content-type;host` for `service` (`sms` here).
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    host: &str,
    payload: &str,
    timestamp: i64,
) -> String {
    let date = DateTime::<Utc>::from_timestamp(timestamp, 0).unwrap_or_default().format("%Y-%m-%d");
    let canonical = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\n\ncontent-type;host\n{}",
        hex::encode(Sha256::digest(payload.as_bytes()))
    );
    let scope = format!("{date}/{service}/tc3_request");
    let to_sign =
        format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}", hex::encode(Sha256::digest(canonical.as_bytes())));
    let key = hmac_sha256(format!("TC3{secret_key}").as_bytes(), &date.to_string());
    let key = hmac_sha256(&key, service);
    let key = hmac_sha256(&key, "tc3_request");
    let signature = hex::encode(hmac_sha256(&key, &to_sign));
    format!("TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}")
}

/// The class of a `Code`, whether a number's status in `SendStatusSet` or the request's `Error`
/// (see the module header); `serial_no` is the accepted message's `SerialNo`.
pub fn classify(code: &str, message: &str, serial_no: Option<&str>) -> SmsOutcome {
    let detail = format!("{code}: {message}");
    match code {
        "Ok" => SmsOutcome::Sent { provider_id: serial_no.unwrap_or_default().to_string() },
        "LimitExceeded.PhoneNumberCountLimit" => SmsOutcome::ConfigFault { detail },
        c if c.starts_with("LimitExceeded.PhoneNumber") || c == "LimitExceeded.DeliveryFrequencyLimit" => {
            SmsOutcome::RateLimited { detail }
        }
        "InvalidParameterValue.IncorrectPhoneNumber"
        | "FailedOperation.PhoneNumberParseFail"
        | "FailedOperation.PhoneNumberInBlacklist" => SmsOutcome::InvalidNumber { detail },
        "InternalError.RequestTimeException" => SmsOutcome::ConfigFault { detail },
        c if c.starts_with("InternalError") || c.starts_with("RequestLimitExceeded") => {
            SmsOutcome::Transient { detail }
        }
        _ => SmsOutcome::ConfigFault { detail },
    }
}

/// The outcome of an answer: the request's `Error` if any, else the first (only) number's status.
pub fn outcome_of(status: reqwest::StatusCode, answer: &serde_json::Value) -> SmsOutcome {
    let r = &answer["Response"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    if let Some(code) = r["Error"]["Code"].as_str() {
        return classify(code, &text(&r["Error"]["Message"]), None);
    }
    if let Some(code) = r["SendStatusSet"][0]["Code"].as_str() {
        let s = &r["SendStatusSet"][0];
        return classify(code, &text(&s["Message"]), s["SerialNo"].as_str());
    }
    let detail = format!("HTTP {status} without a code");
    if status.is_server_error() || status.as_u16() == 429 {
        SmsOutcome::Transient { detail }
    } else {
        SmsOutcome::ConfigFault { detail }
    }
}

#[async_trait]
impl SmsProvider for Tencent {
    fn name(&self) -> &str {
        "tencent"
    }

    async fn send(&self, sms: &Sms) -> SmsOutcome {
        let c = &self.config;
        let payload = self.payload(sms);
        let host = host_of(&c.endpoint);
        let timestamp = Utc::now().timestamp();
        let auth = authorization(&c.secret_id, &c.secret_key, "sms", &host, &payload, timestamp);
        let sent = self
            .http
            .post(&c.endpoint)
            .header("Authorization", auth)
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", host)
            .header("X-TC-Action", "SendSms")
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Version", VERSION)
            .header("X-TC-Region", &c.region)
            .body(payload)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => return SmsOutcome::Transient { detail: format!("request failed: {e}") },
        };
        let status = resp.status();
        let answer: serde_json::Value = resp.json().await.unwrap_or_default();
        let outcome = outcome_of(status, &answer);
        if !matches!(outcome, SmsOutcome::Sent { .. }) {
            tracing::warn!(phone = %masked(&sms.phone), template = %sms.template, ?outcome, "sms refused (tencent)");
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_documents_worked_example() {
        // "Signature v3": cvm DescribeInstances at 1551113065 (2019-02-25 UTC); the payload's
        // `\u…` escapes are literal backslashes, as in the document.
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let auth = authorization(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "cvm",
            "cvm.tencentcloudapi.com",
            payload,
            1551113065,
        );
        assert_eq!(
            auth,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn the_host_keeps_a_non_default_port() {
        assert_eq!(host_of(ENDPOINT), "sms.tencentcloudapi.com");
        assert_eq!(host_of("http://127.0.0.1:8080/"), "127.0.0.1:8080");
    }

    #[test]
    fn params_go_in_key_order_and_the_number_gets_its_country_code() {
        let t = Tencent::new(TencentConfig {
            secret_id: "id".into(),
            secret_key: "key".into(),
            sdk_app_id: "1400006666".into(),
            sign_name: "腾讯云".into(),
            region: "ap-guangzhou".into(),
            endpoint: ENDPOINT.into(),
        })
        .unwrap();
        let params = [("2", "5"), ("1", "123456")].map(|(k, v)| (k.to_string(), v.to_string()));
        let sms = Sms { phone: "13800138000".into(), template: "1110".into(), params: params.into() };
        let body: serde_json::Value = serde_json::from_str(&t.payload(&sms)).unwrap();
        assert_eq!(body["PhoneNumberSet"], serde_json::json!(["+8613800138000"]));
        let abroad = Sms { phone: "85291234567".into(), ..sms.clone() };
        let body: serde_json::Value = serde_json::from_str(&t.payload(&abroad)).unwrap();
        assert_eq!(body["PhoneNumberSet"], serde_json::json!(["+85291234567"]));
        assert_eq!(body["TemplateParamSet"], serde_json::json!(["123456", "5"]));
        assert_eq!(body["SmsSdkAppId"], "1400006666");
        assert_eq!(body["TemplateId"], "1110");
    }

    #[test]
    fn codes_fall_into_their_classes() {
        use SmsOutcome::*;
        assert_eq!(classify("Ok", "send success", Some("2433:1")), Sent { provider_id: "2433:1".into() });
        let class = |code: &str| match classify(code, "", None) {
            Sent { .. } => "sent",
            RateLimited { .. } => "rate",
            InvalidNumber { .. } => "number",
            ConfigFault { .. } => "config",
            Transient { .. } => "transient",
        };
        for code in [
            "LimitExceeded.PhoneNumberDailyLimit",
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "LimitExceeded.PhoneNumberOneHourLimit",
            "LimitExceeded.PhoneNumberSameContentDailyLimit",
            "LimitExceeded.DeliveryFrequencyLimit",
        ] {
            assert_eq!(class(code), "rate", "{code}");
        }
        for code in ["InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"] {
            assert_eq!(class(code), "number", "{code}");
        }
        for code in
            ["InternalError.Timeout", "InternalError", "RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded"]
        {
            assert_eq!(class(code), "transient", "{code}");
        }
        for code in [
            "AuthFailure.SignatureFailure",
            "AuthFailure.SecretIdNotFound",
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
            "InvalidParameterValue.TemplateParameterFormatError",
            "LimitExceeded.AppDailyLimit",
            "LimitExceeded.PhoneNumberCountLimit",
            "InternalError.RequestTimeException",
            "SomethingNew",
        ] {
            assert_eq!(class(code), "config", "{code}");
        }
    }

    #[test]
    fn answers_are_read_from_the_error_or_the_numbers_status() {
        let ok = serde_json::json!({"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo": "s-1", "Message": "send success"}], "RequestId": "r"}});
        assert_eq!(outcome_of(reqwest::StatusCode::OK, &ok), SmsOutcome::Sent { provider_id: "s-1".into() });
        let err = serde_json::json!({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "m"}, "RequestId": "r"}});
        assert!(matches!(outcome_of(reqwest::StatusCode::OK, &err), SmsOutcome::ConfigFault { .. }));
        let none = serde_json::Value::Null;
        assert!(matches!(outcome_of(reqwest::StatusCode::BAD_GATEWAY, &none), SmsOutcome::Transient { .. }));
        assert!(matches!(outcome_of(reqwest::StatusCode::OK, &none), SmsOutcome::ConfigFault { .. }));
    }
}
