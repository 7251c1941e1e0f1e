//! Text messages (SMS) to phones, behind one trait like the push providers: what to send
//! ([`Sms`]), what came of it ([`SmsOutcome`]) and the providers — [`log::LogSms`] (the embedded
//! default: nothing leaves the machine), [`aliyun::Aliyun`] (Alibaba Cloud SMS, `SendSms`) and
//! [`tencent::Tencent`] (Tencent Cloud SMS, API 3.0 `SendSms`).
//!
//! The outcome classes are what a caller must treat differently: a per-number frequency limit
//! (try later, tell the person), an invalid number (do not retry), a configuration fault (a
//! template or signature the provider refuses, bad credentials: alert and stop retrying) and a
//! transient failure (retry through the job queue with backoff). Sends run from jobs, never
//! inline in a request.

pub mod aliyun;
pub mod log;
pub mod tencent;

use async_trait::async_trait;
use std::collections::BTreeMap;

/// One text message: to whom, which of the provider's approved templates, and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sms {
    /// A mainland number as its 11 digits (`13800138000`); another with its country code and
    /// without `+` (`85291234567`).
    pub phone: String,
    /// The provider's template code (approved with the provider beforehand).
    pub template: String,
    /// The template's parameters by name.
    pub params: BTreeMap<String, String>,
}

/// What came of one send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsOutcome {
    /// Accepted by the provider, with its id for the message.
    Sent { provider_id: String },
    /// The provider's per-number frequency limit: try later, not now.
    RateLimited { detail: String },
    /// The number is not one the provider can send to: do not retry.
    InvalidNumber { detail: String },
    /// Our configuration is refused (template, signature, credentials, account): alert, and do
    /// not retry until it is fixed.
    ConfigFault { detail: String },
    /// Anything that may pass on its own (provider errors, timeouts, connection failures).
    Transient { detail: String },
}

/// A way of sending text messages.
#[async_trait]
pub trait SmsProvider: Send + Sync {
    /// The provider's name, for logs and metrics.
    fn name(&self) -> &str;
    /// Sends one message.
    async fn send(&self, sms: &Sms) -> SmsOutcome;
}

/// A phone number as logs may show it: the first three and the last two digits.
pub fn masked(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    if digits.len() < 7 {
        return "***".into();
    }
    let head: String = digits[..3].iter().collect();
    let tail: String = digits[digits.len() - 2..].iter().collect();
    format!("{head}******{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_ends() {
        assert_eq!(masked("13800138000"), "138******00");
        assert_eq!(masked("123"), "***");
    }
}
