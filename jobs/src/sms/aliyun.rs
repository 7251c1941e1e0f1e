//! Alibaba Cloud SMS (阿里云短信服务), the `SendSms` operation of the `dysmsapi` RPC API
//! (version `2017-05-25`, endpoint `https://dysmsapi.aliyuncs.com/`).
//!
//! Per the official documents:
//! - request signing, "Signature method" (https://www.alibabacloud.com/help/en/sms/signature-method):
//!   every parameter but `Signature`, sorted by name, each name and value percent-encoded per
//!   RFC 3986 (only `A–Z a–z 0–9 - _ . ~` left as they are, so a space is `%20`, `*` is `%2A`),
//!   joined with `&`; `StringToSign = METHOD + "&" + encode("/") + "&" + encode(query)`;
//!   `Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`, with
//!   `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0` and a fresh `SignatureNonce` each time;
//! - the common parameters (`AccessKeyId`, `Action`, `Format`, `RegionId`, `Timestamp` in UTC as
//!   `YYYY-MM-DDThh:mm:ssZ`, `Version`) and `SendSms`'s own (`PhoneNumbers`, `SignName`,
//!   `TemplateCode`, `TemplateParam` as a JSON object);
//! - the answer, JSON with `Code` (`OK` when accepted), `Message`, `BizId` and `RequestId`.
//!
//! The error codes are mapped by class: `isv.BUSINESS_LIMIT_CONTROL` and the other `…LIMIT_CONTROL`
//! codes are the per-number frequency limits; `isv.MOBILE_NUMBER_ILLEGAL` an invalid number;
//! `isp.*` (e.g. `isp.SYSTEM_ERROR`), `Throttling*` and `ServiceUnavailable` transient; every
//! other code (`isv.SMS_TEMPLATE_ILLEGAL`, `isv.SMS_SIGNATURE_ILLEGAL`, `SignatureDoesNotMatch`,
//! `InvalidAccessKeyId.NotFound`, `isv.OUT_OF_SERVICE`, …) a configuration fault. Not confirmed
//! against the provider: that every frequency-limit code ends in `LIMIT_CONTROL`, and which HTTP
//! status accompanies each code — so the class follows the code, and only an answer without a
//! code falls back to the status (5xx transient).

use super::{Sms, SmsOutcome, SmsProvider, masked};
use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use std::collections::BTreeMap;
use std::time::Duration;

/// The production endpoint.
pub const ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";

/// An Alibaba Cloud SMS account: its AccessKey pair and the approved signature (签名) that heads
/// every message.
#[derive(Clone)]
pub struct AliyunConfig {
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    /// `ENDPOINT` in production; a fake server in tests.
    pub endpoint: String,
}

/// The `SendSms` client.
pub struct Aliyun {
    config: AliyunConfig,
    http: reqwest::Client,
}

impl Aliyun {
    /// A client with a 10-second timeout per request.
    pub fn new(config: AliyunConfig) -> Result<Aliyun, reqwest::Error> {
        crate::push::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Aliyun { config, http })
    }

    /// The signed parameters of one `SendSms` request.
    pub fn signed_params(&self, sms: &Sms, now: DateTime<Utc>, nonce: &str) -> BTreeMap<String, String> {
        let c = &self.config;
        let template_param = serde_json::to_string(&sms.params).unwrap_or_else(|_| "{}".into());
        let mut p: BTreeMap<String, String> = [
            ("AccessKeyId", c.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("PhoneNumbers", sms.phone.as_str()),
            ("RegionId", "cn-hangzhou"),
            ("SignName", c.sign_name.as_str()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", sms.template.as_str()),
            ("TemplateParam", template_param.as_str()),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        p.insert("Timestamp".into(), now.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        let signature = sign("POST", &p, &c.access_key_secret);
        p.insert("Signature".into(), signature);
        p
    }
}

/// RFC 3986 percent-encoding as the signature method requires.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The encoded query of sorted parameters (a `BTreeMap` is sorted by name).
pub fn canonical_query(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `Base64(HMAC-SHA1(secret + "&", METHOD & encode("/") & encode(query)))`.
pub fn sign(method: &str, params: &BTreeMap<String, String>, secret: &str) -> String {
    let to_sign = format!("{method}&{}&{}", percent_encode("/"), percent_encode(&canonical_query(params)));
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()) else {
        return String::new(); // HMAC takes a key of any length; this branch cannot be reached
    };
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The class of an answer's `Code` (see the module header).
pub fn classify(code: &str, message: &str, biz_id: Option<&str>) -> SmsOutcome {
    let detail = format!("{code}: {message}");
    match code {
        "OK" => SmsOutcome::Sent { provider_id: biz_id.unwrap_or_default().to_string() },
        c if c.ends_with("LIMIT_CONTROL") => SmsOutcome::RateLimited { detail },
        "isv.MOBILE_NUMBER_ILLEGAL" => SmsOutcome::InvalidNumber { detail },
        c if c.starts_with("isp.") || c.starts_with("Throttling") || c == "ServiceUnavailable" => {
            SmsOutcome::Transient { detail }
        }
        _ => SmsOutcome::ConfigFault { detail },
    }
}

#[async_trait]
impl SmsProvider for Aliyun {
    fn name(&self) -> &str {
        "aliyun"
    }

    async fn send(&self, sms: &Sms) -> SmsOutcome {
        let nonce = uuid::Uuid::new_v4().to_string();
        let params = self.signed_params(sms, Utc::now(), &nonce);
        let body = params
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sent = self
            .http
            .post(&self.config.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => return SmsOutcome::Transient { detail: format!("request failed: {e}") },
        };
        let status = resp.status();
        let answer: serde_json::Value = resp.json().await.unwrap_or_default();
        let outcome = match answer["Code"].as_str() {
            Some(code) => classify(code, answer["Message"].as_str().unwrap_or(""), answer["BizId"].as_str()),
            None if status.is_server_error() || status.as_u16() == 429 => {
                SmsOutcome::Transient { detail: format!("HTTP {status} without a code") }
            }
            None => SmsOutcome::ConfigFault { detail: format!("HTTP {status} without a code") },
        };
        if !matches!(outcome, SmsOutcome::Sent { .. }) {
            tracing::warn!(phone = %masked(&sms.phone), template = %sms.template, ?outcome, "sms refused (aliyun)");
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_rfc_3986_not_as_forms() {
        assert_eq!(percent_encode("a b*c~d/e"), "a%20b%2Ac~d%2Fe");
        assert_eq!(percent_encode("验"), "%E9%AA%8C");
        assert_eq!(percent_encode("{\"code\":\"1\"}"), "%7B%22code%22%3A%221%22%7D");
    }

    #[test]
    fn codes_fall_into_their_classes() {
        assert_eq!(classify("OK", "OK", Some("9")), SmsOutcome::Sent { provider_id: "9".into() });
        assert!(matches!(classify("isv.BUSINESS_LIMIT_CONTROL", "", None), SmsOutcome::RateLimited { .. }));
        assert!(matches!(classify("isv.MOBILE_NUMBER_ILLEGAL", "", None), SmsOutcome::InvalidNumber { .. }));
        assert!(matches!(classify("isv.SMS_TEMPLATE_ILLEGAL", "", None), SmsOutcome::ConfigFault { .. }));
        assert!(matches!(classify("isv.SMS_SIGNATURE_ILLEGAL", "", None), SmsOutcome::ConfigFault { .. }));
        assert!(matches!(classify("SignatureDoesNotMatch", "", None), SmsOutcome::ConfigFault { .. }));
        assert!(matches!(classify("isp.SYSTEM_ERROR", "", None), SmsOutcome::Transient { .. }));
    }
}
