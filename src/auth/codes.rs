//! Rotating check-in codes: the organiser's phone shows a QR code of a short server-signed token
//! naming the task and the instant it was made; a volunteer's phone posts it back. A code is
//! good for [`CODE_TTL_SECS`] seconds (plus a little slack for scanning), for one task only.

use crate::config::Secret;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// How long a shown code is valid.
pub const CODE_TTL_SECS: i64 = 60;
/// Extra seconds accepted after expiry, for a scan that raced the rotation.
const SLACK_SECS: i64 = 15;
const MAC_LEN: usize = 16;

/// Why a code was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the check-in code is not genuine")]
    Forged,
    #[error("the check-in code has expired; scan the current one")]
    Expired,
    #[error("the check-in code belongs to another task")]
    OtherTask,
}

/// Signs and checks check-in codes.
pub struct CheckInCodes {
    key: Vec<u8>,
}

impl CheckInCodes {
    /// Keys derived from the application secret, distinct from any other use of it.
    pub fn new(secret: &Secret) -> Self {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose()).expect("hmac takes any key");
        mac.update(b"wushe check-in code key v1");
        CheckInCodes { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self, payload: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("hmac takes any key");
        mac.update(payload);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(&full[..MAC_LEN]);
        out
    }

    /// A code for `task` made at `now`, and when it stops being shown.
    pub fn issue(&self, task: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let mut bytes = Vec::with_capacity(16 + 8 + MAC_LEN);
        bytes.extend_from_slice(task.as_bytes());
        bytes.extend_from_slice(&now.timestamp().to_be_bytes());
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac);
        (URL_SAFE_NO_PAD.encode(bytes), now + chrono::Duration::seconds(CODE_TTL_SECS))
    }

    /// Checks a code for `task` at `now`.
    pub fn verify(&self, code: &str, task: Uuid, now: DateTime<Utc>) -> Result<(), CodeError> {
        let bytes = URL_SAFE_NO_PAD.decode(code.trim()).map_err(|_| CodeError::Forged)?;
        if bytes.len() != 16 + 8 + MAC_LEN {
            return Err(CodeError::Forged);
        }
        let (payload, mac) = bytes.split_at(24);
        // Constant-time comparison of the tags.
        let expected = self.mac(payload);
        if expected.iter().zip(mac).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
            return Err(CodeError::Forged);
        }
        let code_task = Uuid::from_slice(&payload[..16]).map_err(|_| CodeError::Forged)?;
        let made = i64::from_be_bytes(payload[16..24].try_into().map_err(|_| CodeError::Forged)?);
        if code_task != task {
            return Err(CodeError::OtherTask);
        }
        let age = now.timestamp() - made;
        if !(-SLACK_SECS..=CODE_TTL_SECS + SLACK_SECS).contains(&age) {
            return Err(CodeError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_bound_to_task_time_and_key() {
        let codes = CheckInCodes::new(&Secret::new(b"0123456789abcdef0123456789abcdef".to_vec()));
        let other = CheckInCodes::new(&Secret::new(b"another key of at least 32 bytes!!".to_vec()));
        let (task, now) = (Uuid::now_v7(), Utc::now());
        let (code, _) = codes.issue(task, now);
        assert_eq!(codes.verify(&code, task, now), Ok(()));
        assert_eq!(codes.verify(&code, task, now + chrono::Duration::seconds(70)), Ok(()));
        assert_eq!(codes.verify(&code, task, now + chrono::Duration::seconds(80)), Err(CodeError::Expired));
        assert_eq!(codes.verify(&code, Uuid::now_v7(), now), Err(CodeError::OtherTask));
        assert_eq!(other.verify(&code, task, now), Err(CodeError::Forged));
        assert_eq!(codes.verify("garbage", task, now), Err(CodeError::Forged));
        let mut tampered = URL_SAFE_NO_PAD.decode(&code).unwrap();
        tampered[20] ^= 1;
        assert_eq!(codes.verify(&URL_SAFE_NO_PAD.encode(tampered), task, now), Err(CodeError::Forged));
    }
}
