//! Rotating check-in codes: the organiser's phone shows a QR code of a short server-signed token
//! naming the task and the instant it was made; a volunteer's phone posts it back. In strict mode
//! the direction turns: the volunteer's phone shows a personal code naming their sign-up, made
//! the same way, and the leader's phone posts it back, so a forwarded photo proves nothing. A
//! code is good for [`CODE_TTL_SECS`] seconds (plus a little slack for scanning), for one purpose
//! and one task or sign-up only.

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
/// Purpose byte, subject id, instant.
const PAYLOAD_LEN: usize = 1 + 16 + 8;

/// What a code vouches for; part of what is signed, so one kind never passes for the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Purpose {
    /// The task's code, shown by the organiser's phone to everyone.
    Task = 1,
    /// One volunteer's personal code for one sign-up, shown by their phone to the leader.
    Person = 2,
}

/// Why a code was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the check-in code is not genuine")]
    Forged,
    #[error("the check-in code has expired; scan the current one")]
    Expired,
    #[error("the check-in code belongs to another task")]
    OtherTask,
    #[error("this is not the kind of check-in code expected here")]
    WrongKind,
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

    /// The one construction of every code: purpose, subject and instant, signed.
    fn sign(&self, purpose: Purpose, subject: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
        bytes.push(purpose as u8);
        bytes.extend_from_slice(subject.as_bytes());
        bytes.extend_from_slice(&now.timestamp().to_be_bytes());
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac);
        (URL_SAFE_NO_PAD.encode(bytes), now + chrono::Duration::seconds(CODE_TTL_SECS))
    }

    /// Checks a code's signature, purpose and age at `now`; returns the subject it names.
    fn open(&self, purpose: Purpose, code: &str, now: DateTime<Utc>) -> Result<Uuid, CodeError> {
        let bytes = URL_SAFE_NO_PAD.decode(code.trim()).map_err(|_| CodeError::Forged)?;
        if bytes.len() != PAYLOAD_LEN + MAC_LEN {
            return Err(CodeError::Forged);
        }
        let (payload, mac) = bytes.split_at(PAYLOAD_LEN);
        // Constant-time comparison of the tags.
        let expected = self.mac(payload);
        if expected.iter().zip(mac).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0 {
            return Err(CodeError::Forged);
        }
        if payload[0] != purpose as u8 {
            return Err(CodeError::WrongKind);
        }
        let subject = Uuid::from_slice(&payload[1..17]).map_err(|_| CodeError::Forged)?;
        let made = i64::from_be_bytes(payload[17..25].try_into().map_err(|_| CodeError::Forged)?);
        let age = now.timestamp() - made;
        if !(-SLACK_SECS..=CODE_TTL_SECS + SLACK_SECS).contains(&age) {
            return Err(CodeError::Expired);
        }
        Ok(subject)
    }

    /// A code for `task` made at `now`, and when it stops being shown.
    pub fn issue(&self, task: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        self.sign(Purpose::Task, task, now)
    }

    /// Checks a code for `task` at `now`.
    pub fn verify(&self, code: &str, task: Uuid, now: DateTime<Utc>) -> Result<(), CodeError> {
        if self.open(Purpose::Task, code, now)? != task {
            return Err(CodeError::OtherTask);
        }
        Ok(())
    }

    /// A volunteer's personal code for their sign-up `signup`, made at `now`, and when it stops
    /// being shown.
    pub fn issue_personal(&self, signup: Uuid, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        self.sign(Purpose::Person, signup, now)
    }

    /// Checks a personal code at `now`; returns the sign-up it vouches for.
    pub fn open_personal(&self, code: &str, now: DateTime<Utc>) -> Result<Uuid, CodeError> {
        self.open(Purpose::Person, code, now)
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

    #[test]
    fn personal_codes_name_their_sign_up_and_never_pass_for_task_codes() {
        let codes = CheckInCodes::new(&Secret::new(b"0123456789abcdef0123456789abcdef".to_vec()));
        let (signup, now) = (Uuid::now_v7(), Utc::now());
        let (personal, _) = codes.issue_personal(signup, now);
        assert_eq!(codes.open_personal(&personal, now), Ok(signup));
        assert_eq!(codes.open_personal(&personal, now + chrono::Duration::seconds(80)), Err(CodeError::Expired));
        assert_eq!(codes.verify(&personal, signup, now), Err(CodeError::WrongKind));
        let (task_code, _) = codes.issue(signup, now);
        assert_eq!(codes.open_personal(&task_code, now), Err(CodeError::WrongKind));
    }
}
