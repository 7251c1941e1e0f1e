//! The log provider: records what would have been sent (and logs it with the token hashed).
//! Used when no FCM credentials are configured, and by tests to see what reached whom.

use super::{PushMessage, PushOutcome, PushProvider, PushTarget, token_hash};
use async_trait::async_trait;
use std::sync::Mutex;
use uuid::Uuid;

/// One push the log provider took.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    pub device_id: Uuid,
    pub token_hash: String,
    pub message: PushMessage,
}

/// Takes every push and keeps the most recent ones in memory.
#[derive(Default)]
pub struct LogProvider {
    sent: Mutex<Vec<Logged>>,
}

/// How many pushes the log provider keeps.
const KEEP: usize = 100_000;

impl LogProvider {
    /// A provider with nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// What it has taken, oldest first.
    pub fn sent(&self) -> Vec<Logged> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[async_trait]
impl PushProvider for LogProvider {
    fn name(&self) -> &str {
        "log"
    }

    fn concurrency(&self) -> usize {
        1024
    }

    async fn send(&self, target: &PushTarget, message: &PushMessage) -> PushOutcome {
        let hash = token_hash(&target.token);
        tracing::info!(device_id = %target.device_id, token = %hash, kind = message.data.get("kind").map(String::as_str).unwrap_or(""), "push (log provider)");
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if sent.len() >= KEEP {
            sent.remove(0);
        }
        sent.push(Logged { device_id: target.device_id, token_hash: hash, message: message.clone() });
        PushOutcome::Delivered
    }
}
