//! SMS verification codes: issued for a phone and a purpose, sent by a job, checked once.
//!
//! Table: `verification_codes` (one live code per phone and purpose; a new request replaces it).
//!
//! Rules:
//! - a code is 6 random digits, valid [`CODE_TTL`], good for [`MAX_ATTEMPTS`] tries (right or
//!   wrong); it is stored as a keyed hash bound to its row, and the number and code are sealed
//!   with the data key only until the SMS job has sent them;
//! - issuing never looks at whether the number has an account: every request does the same work
//!   and gets the same answer. What is sent is decided by the job ([`outgoing`]): a registration
//!   code to a registered number becomes a note that the number already has an account; a
//!   password-reset code to a number without one, or a guardian-withdrawal code to a number that
//!   is nobody's guardian, is not sent at all;
//! - checking spends a try first (a conditional update, so concurrent guesses each count), then
//!   compares; a flow consumes the code in its own transaction ([`consume`]), so a flow that
//!   fails leaves it usable and one that succeeds cannot be replayed.
//!
//! Limits on how often codes may be asked for (per phone, IP and device) are request rate limits,
//! applied by the API before [`issue`].

use crate::crypto::DataKey;
use crate::db::write;
use crate::domain::people::phone::Phone;
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Duration, Utc};
pub use entity::verification_code::CodePurpose;
use entity::verification_code::{self as vc};
use entity::{guardian, user};
use jobs::{Job, JobOptions};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a code is valid.
pub const CODE_TTL: Duration = Duration::minutes(5);
/// Tries per code.
pub const MAX_ATTEMPTS: i32 = 5;
/// A live code is not replaced within this long of being issued, whatever the rate limits say:
/// concurrent requests for one number send one code, and the person has time to type it.
pub const RESEND_AFTER: Duration = Duration::seconds(60);

/// SMS jobs: a code is worth sending only while it is valid, so retries come quickly (2 s
/// doubling, at most a minute apart) and stop after six attempts, within the code's five minutes.
pub const SMS_OPTIONS: JobOptions = JobOptions {
    max_attempts: 6,
    timeout: std::time::Duration::from_secs(30),
    backoff: jobs::job::Backoff { base: std::time::Duration::from_secs(2), cap: std::time::Duration::from_secs(60) },
};

/// Blind-index domain of phones in `verification_codes` and `guardians`.
pub const PHONE_INDEX: &str = "phone";

/// Job: send the code of one `verification_codes` row (or the note that replaces it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendCode {
    pub code_id: Uuid,
}

impl Job for SendCode {
    const KIND: &'static str = "sms.code";
    const OPTIONS: JobOptions = SMS_OPTIONS;
    fn dedupe_key(&self) -> Option<String> {
        Some(self.code_id.to_string())
    }
}

/// Job: send a note without a code (a phone change told to the old number). The number travels
/// sealed, so queued payloads hold no phone numbers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendNote {
    pub note: Note,
    /// Base64 of the sealed E.164 number.
    pub to_sealed: String,
    /// What makes the note's seal unique (its aad).
    pub id: Uuid,
}

impl Job for SendNote {
    const KIND: &'static str = "sms.note";
    const OPTIONS: JobOptions = SMS_OPTIONS;
    fn dedupe_key(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

/// Texts without a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// "This number already has an account: sign in, or reset the password."
    AccountExists,
    /// "The account on this number has moved to another number."
    PhoneChanged,
}

/// The kinds of text message, each an approved template with the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// A verification code: `{code}`.
    Code,
    /// A guardian's code: `{code}` and the person's masked `{name}`.
    Guardian,
    AccountExists,
    PhoneChanged,
}

/// A text to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// E.164.
    pub phone: String,
    pub template: Template,
    /// Parameters by name (`code`, `name`).
    pub params: Vec<(&'static str, String)>,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    phone: String,
    code: String,
}

fn seal_aad(id: Uuid) -> String {
    format!("verification_code:{id}")
}

fn code_hash(key: &DataKey, id: Uuid, code: &str) -> String {
    key.blind_index(&format!("verification_code:{id}"), code)
}

/// The phone's key in `verification_codes`.
pub fn phone_index(key: &DataKey, phone: &Phone) -> String {
    key.blind_index(PHONE_INDEX, phone.as_str())
}

fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Issues a code for `phone` and `purpose` (replacing any live one) and queues its SMS, in the
/// caller's transaction. `subject` is the account the code acts for (phone change, guardian).
pub async fn issue(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    phone: &Phone,
    purpose: CodePurpose,
    subject: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<Uuid> {
    let id = Uuid::now_v7();
    let code = new_code();
    let sealed = serde_json::to_vec(&Sealed { phone: phone.as_str().into(), code: code.clone() })
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let row = vc::ActiveModel {
        id: Set(id),
        phone_key: Set(phone_index(key, phone)),
        purpose: Set(purpose),
        code_hash: Set(code_hash(key, id, &code)),
        sealed: Set(Some(key.seal(&seal_aad(id), &sealed))),
        subject_user_id: Set(subject),
        attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(now + CODE_TTL),
        sent_at: Set(None),
        consumed_at: Set(None),
    };
    let written = vc::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([vc::Column::PhoneKey, vc::Column::Purpose])
                .update_columns([
                    vc::Column::Id,
                    vc::Column::CodeHash,
                    vc::Column::Sealed,
                    vc::Column::SubjectUserId,
                    vc::Column::Attempts,
                    vc::Column::CreatedAt,
                    vc::Column::ExpiresAt,
                    vc::Column::SentAt,
                    vc::Column::ConsumedAt,
                ])
                .action_and_where(Expr::col((vc::Entity, vc::Column::CreatedAt)).lte(now - RESEND_AFTER))
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    if written == 0 {
        return Err(too_soon());
    }
    jobs::outbox::enqueue(txn, &SendCode { code_id: id }).await?;
    Ok(id)
}

fn too_soon() -> DomainError {
    DomainError::TooMany {
        code: "code_requested_too_often",
        detail: "a code was sent to this number moments ago; wait a minute before asking again".into(),
        retry_after_secs: RESEND_AFTER.num_seconds() as u64,
    }
}

/// Issues a code in a transaction of its own.
pub async fn issue_now(
    db: &DatabaseConnection,
    key: &DataKey,
    phone: &Phone,
    purpose: CodePurpose,
    subject: Option<Uuid>,
    now: DateTime<Utc>,
) -> DomainResult<Uuid> {
    write(db, async |txn| issue(txn, key, phone, purpose, subject, now).await).await
}

/// A code that matched: the flow that asked consumes it with [`consume`].
#[derive(Clone, Copy, Debug)]
pub struct Verified {
    pub id: Uuid,
    /// The account the code was issued for, if any.
    pub subject: Option<Uuid>,
}

fn wrong_code(left: i32) -> DomainError {
    DomainError::invalid(
        "code_invalid",
        if left > 0 {
            crate::domain::both(
                format!("the code is wrong or no longer valid; {left} tries left"),
                format!("验证码错误或已失效，还可尝试 {left} 次"),
            )
        } else {
            crate::domain::both(
                "the code is wrong or no longer valid; ask for a new one",
                "验证码错误或已失效，请重新获取",
            )
        },
    )
}

/// Checks `code` for `phone` and `purpose`, spending one try. 400 `code_invalid` (wrong, used or
/// never issued), 400 `code_expired`, 429 `code_attempts_exhausted` once the tries are spent.
pub async fn check(
    db: &DatabaseConnection,
    key: &DataKey,
    phone: &Phone,
    purpose: CodePurpose,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<Verified> {
    let phone_key = phone_index(key, phone);
    write(db, async |txn| {
        let row = vc::Entity::find()
            .filter(vc::Column::PhoneKey.eq(&phone_key))
            .filter(vc::Column::Purpose.eq(purpose))
            .one(txn)
            .await?
            .filter(|r| r.consumed_at.is_none())
            .ok_or_else(|| wrong_code(0))?;
        let spent = vc::Entity::update_many()
            .col_expr(vc::Column::Attempts, Expr::col(vc::Column::Attempts).add(1))
            .filter(vc::Column::Id.eq(row.id))
            .filter(vc::Column::Attempts.lt(MAX_ATTEMPTS))
            .filter(vc::Column::ConsumedAt.is_null())
            .exec(txn)
            .await?
            .rows_affected;
        if spent == 0 {
            return Err(DomainError::TooMany {
                code: "code_attempts_exhausted",
                detail: "too many wrong codes; ask for a new one".into(),
                retry_after_secs: std::cmp::max((row.created_at + RESEND_AFTER - now).num_seconds(), 1) as u64,
            });
        }
        // The try is spent: the transaction commits whatever the comparison says.
        if row.expires_at <= now {
            return Ok(Err(DomainError::invalid("code_expired", "the code has expired; ask for a new one")));
        }
        if !constant_time_eq(code_hash(key, row.id, code).as_bytes(), row.code_hash.as_bytes()) {
            return Ok(Err(wrong_code(MAX_ATTEMPTS - row.attempts - 1)));
        }
        Ok(Ok(Verified { id: row.id, subject: row.subject_user_id }))
    })
    .await?
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Consumes a verified code inside the flow's transaction: of two flows racing with one code,
/// one wins and the other gets 400 `code_invalid`.
pub async fn consume(txn: &impl ConnectionTrait, verified: Verified, now: DateTime<Utc>) -> DomainResult<()> {
    let done = vc::Entity::update_many()
        .col_expr(vc::Column::ConsumedAt, Expr::value(now))
        .col_expr(vc::Column::Sealed, Expr::value(Option::<Vec<u8>>::None))
        .filter(vc::Column::Id.eq(verified.id))
        .filter(vc::Column::ConsumedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(wrong_code(0));
    }
    Ok(())
}

/// What the SMS job sends for a code row: `None` when nothing is to be sent (the row is gone,
/// replaced, already sent, expired, or the purpose does not apply to this number).
pub async fn outgoing(
    db: &DatabaseConnection,
    key: &DataKey,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<Option<Outgoing>> {
    let Some(row) = vc::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(sealed) = row.sealed.as_deref().filter(|_| row.expires_at > now && row.consumed_at.is_none()) else {
        return Ok(None);
    };
    let opened =
        key.open(&seal_aad(id), sealed).map_err(|_| DomainError::Internal("a code's seal does not open".into()))?;
    let Sealed { phone, code } =
        serde_json::from_slice(&opened).map_err(|e| DomainError::Internal(format!("a code's seal: {e}")))?;
    let registered = || async { user::Entity::find().filter(user::Column::Phone.eq(&phone)).one(db).await };
    let code_text = |template| Outgoing { phone: phone.clone(), template, params: vec![("code", code.clone())] };
    Ok(match row.purpose {
        CodePurpose::Registration if registered().await?.is_some() => {
            Some(Outgoing { phone: phone.clone(), template: Template::AccountExists, params: vec![] })
        }
        CodePurpose::PasswordReset if registered().await?.is_none() => None,
        CodePurpose::GuardianWithdrawal => {
            let index = key.blind_index(PHONE_INDEX, &phone);
            let any = guardian::Entity::find().filter(guardian::Column::PhoneIndex.eq(index)).one(db).await?;
            any.map(|_| code_text(Template::Code))
        }
        CodePurpose::Guardian => {
            let child = match row.subject_user_id {
                Some(s) => user::Entity::find_by_id(s).one(db).await?,
                None => None,
            };
            let Some(child) = child else { return Ok(None) };
            let mut o = code_text(Template::Guardian);
            o.params.push(("name", crate::domain::people::identity::mask_name(&child.name)));
            Some(o)
        }
        _ => Some(code_text(Template::Code)),
    })
}

/// The code row's number and code are forgotten once its text is handled (sent, or refused for
/// good): only the hash stays, to check against.
pub async fn mark_handled(db: &DatabaseConnection, id: Uuid, sent: bool, now: DateTime<Utc>) -> DomainResult<()> {
    let mut q = vc::Entity::update_many().col_expr(vc::Column::Sealed, Expr::value(Option::<Vec<u8>>::None));
    if sent {
        q = q.col_expr(vc::Column::SentAt, Expr::value(now));
    }
    q.filter(vc::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Queues a note to `phone`, in the caller's transaction.
pub async fn send_note(txn: &impl ConnectionTrait, key: &DataKey, phone: &str, note: Note) -> DomainResult<()> {
    use base64::Engine;
    let id = Uuid::now_v7();
    let sealed = key.seal_str(&format!("sms_note:{id}"), phone);
    let to_sealed = base64::engine::general_purpose::STANDARD.encode(sealed);
    jobs::outbox::enqueue(txn, &SendNote { note, to_sealed, id }).await?;
    Ok(())
}

/// Opens a note's number.
pub fn note_recipient(key: &DataKey, note: &SendNote) -> DomainResult<Outgoing> {
    use base64::Engine;
    let bad = || DomainError::Internal("a note's number does not open".into());
    let sealed = base64::engine::general_purpose::STANDARD.decode(&note.to_sealed).map_err(|_| bad())?;
    let phone = key.open_str(&format!("sms_note:{}", note.id), &sealed).map_err(|_| bad())?;
    let template = match note.note {
        Note::AccountExists => Template::AccountExists,
        Note::PhoneChanged => Template::PhoneChanged,
    };
    Ok(Outgoing { phone, template, params: vec![] })
}

/// Deletes the codes issued for a person (erasure).
pub async fn forget_user(conn: &impl ConnectionTrait, key: &DataKey, phone: &str, user_id: Uuid) -> DomainResult<()> {
    vc::Entity::delete_many().filter(vc::Column::PhoneKey.eq(key.blind_index(PHONE_INDEX, phone))).exec(conn).await?;
    vc::Entity::delete_many().filter(vc::Column::SubjectUserId.eq(user_id)).exec(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn hashes_are_bound_to_their_row() {
        let key = DataKey::new(&crate::config::Secret::new(b"a data key long enough for the test".to_vec()));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(code_hash(&key, a, "123456"), code_hash(&key, a, "123456"));
        assert_ne!(code_hash(&key, a, "123456"), code_hash(&key, b, "123456"));
        assert!(
            constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"a", b"ab")
        );
    }
}
