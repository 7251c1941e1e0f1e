//! Idempotency keys: a phone that retries a creating POST with the same `Idempotency-Key` gets
//! the first answer again instead of a second effect.
//!
//! Table: `idempotency_keys`, unique on (scope, key). The scope is the caller's user id, or
//! `anonymous` for operations open to everyone (registration). A key is claimed by inserting its
//! row, so of any number of concurrent requests exactly one runs; the others see it in flight
//! (409) or, once it has finished, its stored answer. A repeat must carry the same request (a
//! keyed hash of method, path and body): another body is refused (422), which also means an
//! anonymous stored answer is only ever replayed to someone who sent the very same body (for
//! registration: the same password). Answers are kept sealed with the data key for 24 hours; a
//! request that crashed releases its key after [`LEASE`].

use crate::crypto::DataKey;
use crate::domain::DomainResult;
use chrono::{DateTime, Duration, Utc};
use entity::idempotency_key as row;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an answer is replayed.
pub const RETENTION: Duration = Duration::hours(24);
/// How long a running request holds its key before another may take it over.
pub const LEASE: Duration = Duration::seconds(60);
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 128;

/// A request carrying a key.
pub struct Claim<'a> {
    pub scope: String,
    pub key: &'a str,
    pub operation: &'a str,
    pub fingerprint: String,
    pub user_id: Option<Uuid>,
}

/// A stored answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stored {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Begin {
    /// Run it; then [`finish`] or [`release`] the claim.
    Proceed(Uuid),
    /// Answer with the stored answer.
    Replay(Stored),
    /// The first request with this key is still running.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
}

/// Whether a key is acceptable: 1 to 128 visible ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// The keyed hash a repeat must match.
pub fn fingerprint(data_key: &DataKey, method: &str, path: &str, body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(body));
    data_key.blind_index("idempotency", &format!("{method} {path} {digest}"))
}

fn aad(id: Uuid) -> String {
    format!("idempotency.response:{id}")
}

/// Claims the key, or says why not.
pub async fn begin(
    db: &impl ConnectionTrait,
    data_key: &DataKey,
    claim: &Claim<'_>,
    now: DateTime<Utc>,
) -> DomainResult<Begin> {
    for _ in 0..3 {
        let id = Uuid::now_v7();
        let inserted = row::Entity::insert(row::ActiveModel {
            id: Set(id),
            scope: Set(claim.scope.clone()),
            key: Set(claim.key.to_string()),
            operation: Set(claim.operation.to_string()),
            fingerprint: Set(claim.fingerprint.clone()),
            user_id: Set(claim.user_id),
            status_code: Set(None),
            response: Set(None),
            created_at: Set(now),
            locked_until: Set(now + LEASE),
            expires_at: Set(now + RETENTION),
        })
        .on_conflict(OnConflict::columns([row::Column::Scope, row::Column::Key]).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
        if inserted == 1 {
            return Ok(Begin::Proceed(id));
        }
        let Some(existing) = row::Entity::find()
            .filter(row::Column::Scope.eq(&claim.scope))
            .filter(row::Column::Key.eq(claim.key))
            .one(db)
            .await?
        else {
            continue; // released meanwhile: claim again
        };
        if existing.expires_at <= now {
            row::Entity::delete_many()
                .filter(row::Column::Id.eq(existing.id))
                .filter(row::Column::ExpiresAt.lte(now))
                .exec(db)
                .await?;
            continue;
        }
        if existing.fingerprint != claim.fingerprint || existing.operation != claim.operation {
            return Ok(Begin::Mismatch);
        }
        if let (Some(_), Some(sealed)) = (existing.status_code, existing.response.as_deref()) {
            let stored = data_key
                .open(&aad(existing.id), sealed)
                .ok()
                .and_then(|b| serde_json::from_slice::<Stored>(&b).ok())
                .ok_or_else(|| {
                    crate::domain::DomainError::Internal("a stored idempotent answer does not open".into())
                })?;
            return Ok(Begin::Replay(stored));
        }
        if existing.locked_until > now {
            return Ok(Begin::InFlight);
        }
        // The first request died without an answer: take its claim over.
        let taken = row::Entity::update_many()
            .col_expr(row::Column::LockedUntil, Expr::value(now + LEASE))
            .filter(row::Column::Id.eq(existing.id))
            .filter(row::Column::StatusCode.is_null())
            .filter(row::Column::LockedUntil.eq(existing.locked_until))
            .exec(db)
            .await?
            .rows_affected;
        return Ok(if taken == 1 { Begin::Proceed(existing.id) } else { Begin::InFlight });
    }
    Ok(Begin::InFlight)
}

/// Stores the answer of a claimed request.
pub async fn finish(db: &impl ConnectionTrait, data_key: &DataKey, id: Uuid, stored: &Stored) -> DomainResult<()> {
    let bytes = serde_json::to_vec(stored).map_err(|e| crate::domain::DomainError::Internal(e.to_string()))?;
    row::Entity::update_many()
        .col_expr(row::Column::StatusCode, Expr::value(stored.status as i32))
        .col_expr(row::Column::Response, Expr::value(data_key.seal(&aad(id), &bytes)))
        .filter(row::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Releases a claim without an answer (the request failed on our side; a retry may run again).
pub async fn release(db: &impl ConnectionTrait, id: Uuid) -> DomainResult<()> {
    row::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Deletes answers older than [`RETENTION`].
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> DomainResult<u64> {
    Ok(row::Entity::delete_many().filter(row::Column::ExpiresAt.lte(now)).exec(db).await?.rows_affected)
}

/// Deletes a person's stored answers (erasure).
pub async fn forget_user(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    row::Entity::delete_many().filter(row::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(valid_key("0b7f0c36-8f3c-4c5b-9a53-0a6b1e2f3d4c"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(129)));
        assert!(!valid_key("密钥"));
    }
}
