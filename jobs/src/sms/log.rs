//! The log provider: keeps what would have been sent in memory (for tests and development) and
//! logs that a message went out with the number masked. Its parameters (verification codes) are
//! logged only when it was made for development ([`LogSms::development`]), so a developer on the
//! embedded setup can sign in; otherwise never.

use super::{Sms, SmsOutcome, SmsProvider, masked};
use async_trait::async_trait;
use std::sync::Mutex;

/// Takes every message and keeps the most recent ones.
#[derive(Default)]
pub struct LogSms {
    sent: Mutex<Vec<Sms>>,
    log_params: bool,
}

/// How many messages the log provider keeps.
const KEEP: usize = 10_000;

impl LogSms {
    /// A provider with nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// A provider that also writes each message's parameters (the code) to the log.
    pub fn development() -> Self {
        LogSms { log_params: true, ..Self::default() }
    }

    /// What it has taken, oldest first.
    pub fn sent(&self) -> Vec<Sms> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl SmsProvider for LogSms {
    fn name(&self) -> &str {
        "log"
    }

    async fn send(&self, sms: &Sms) -> SmsOutcome {
        if self.log_params {
            let params = serde_json::to_string(&sms.params).unwrap_or_default();
            tracing::info!(phone = %masked(&sms.phone), template = %sms.template, %params, "sms (log provider, development: not sent)");
        } else {
            tracing::info!(phone = %masked(&sms.phone), template = %sms.template, "sms (log provider: not sent)");
        }
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.len() >= KEEP {
            sent.remove(0);
        }
        sent.push(sms.clone());
        SmsOutcome::Sent { provider_id: format!("log-{}", sent.len()) }
    }
}
