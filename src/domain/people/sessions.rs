//! Sign-in sessions: login with lockout, rotating refresh tokens with reuse detection, logout.
//!
//! Tables: `sessions`, `refresh_tokens`, `login_failures`, `login_locks`. Every write of a
//! session announces its person to the session caches (`auth::session_cache`); ending a session
//! removes the devices it registered (`messaging::devices`, through `domain::registry`).
//!
//! A refresh token is used once; using it yields a new one in the same session (its "family").
//! Presenting a used token again means it leaked (or a retry lost its answer): within a few
//! seconds' grace it is treated as a retry and answered with a fresh token, after that the whole
//! session is revoked.

use crate::auth::password::PasswordHasher;
use crate::auth::session_cache::person_changed;
use crate::db::write;
use crate::domain::people::phone::Phone;
use crate::domain::{DomainError, DomainResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entity::user::{self, UserStatus};
use entity::{login_failure, login_lock, refresh_token, session};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// How sign-in guessing is throttled and refresh retries are forgiven.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Failures within `window` that lock a phone.
    pub max_failures: u64,
    pub window: Duration,
    pub lock_for: Duration,
    /// How long after a refresh token was used a second use still counts as a retry.
    pub reuse_grace: Duration,
    /// Lifetime of a refresh token (and of an idle session).
    pub refresh_ttl: Duration,
}

impl Policy {
    /// 5 failures in 15 minutes lock the phone for 15 minutes; 10 s refresh grace.
    pub fn new(refresh_ttl: std::time::Duration) -> Self {
        Policy {
            max_failures: 5,
            window: Duration::minutes(15),
            lock_for: Duration::minutes(15),
            reuse_grace: Duration::seconds(10),
            refresh_ttl: Duration::from_std(refresh_ttl).unwrap_or(Duration::days(30)),
        }
    }
}

/// A session opened or continued: the person, the session and its new refresh token.
#[derive(Debug)]
pub struct Issued {
    pub user: user::Model,
    pub session_id: Uuid,
    pub refresh_token: String,
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn invalid_credentials() -> DomainError {
    DomainError::unauthenticated("invalid_credentials", "phone number or password is wrong")
}

/// Signs in with phone and password. `phone_key` is the keyed hash the throttle counts by.
pub async fn login(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    policy: Policy,
    now: DateTime<Utc>,
    phone: &str,
    password: &str,
    phone_key: impl Fn(&str) -> String,
) -> DomainResult<Issued> {
    let phone = Phone::parse(phone).map_err(|_| invalid_credentials())?;
    let key = phone_key(phone.as_str());
    if let Some(lock) = login_lock::Entity::find_by_id(key.clone()).one(db).await?
        && lock.locked_until > now
    {
        return Err(DomainError::TooMany {
            code: "account_locked",
            detail: "too many failed sign-ins; try again later".into(),
            retry_after_secs: (lock.locked_until - now).num_seconds().max(1) as u64,
        });
    }
    let user = user::Entity::find().filter(user::Column::Phone.eq(phone.as_str())).one(db).await?;
    let ok = hasher.verify(password, user.as_ref().map(|u| u.password_hash.as_str())).await;
    let Some(user) = user.filter(|_| ok) else {
        record_failure(db, policy, now, &key).await?;
        return Err(invalid_credentials());
    };
    if user.status != UserStatus::Active {
        return Err(DomainError::Forbidden { code: "account_suspended", detail: "this account is suspended".into() });
    }
    write(db, async |txn| {
        login_failure::Entity::delete_many().filter(login_failure::Column::PhoneKey.eq(&key)).exec(txn).await?;
        open_in(txn, policy, now, user).await
    })
    .await
}

/// Opens a session for a person who just registered.
pub async fn open(
    db: &DatabaseConnection,
    policy: Policy,
    now: DateTime<Utc>,
    user: user::Model,
) -> DomainResult<Issued> {
    write(db, async |txn| open_in(txn, policy, now, user).await).await
}

pub(super) async fn open_in(
    txn: &impl ConnectionTrait,
    policy: Policy,
    now: DateTime<Utc>,
    user: user::Model,
) -> DomainResult<Issued> {
    let session_id = Uuid::now_v7();
    person_changed(user.id);
    session::ActiveModel {
        id: Set(session_id),
        user_id: Set(user.id),
        created_at: Set(now),
        last_refreshed_at: Set(now),
        expires_at: Set(now + policy.refresh_ttl),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(txn)
    .await?;
    let refresh_token = new_refresh_token(txn, session_id, now, policy).await?;
    Ok(Issued { user, session_id, refresh_token })
}

async fn record_failure(db: &DatabaseConnection, policy: Policy, now: DateTime<Utc>, key: &str) -> DomainResult<()> {
    write(db, async |txn| {
        let since = now - policy.window;
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::PhoneKey.eq(key))
            .filter(login_failure::Column::FailedAt.lte(since))
            .exec(txn)
            .await?;
        login_failure::ActiveModel { id: Set(Uuid::now_v7()), phone_key: Set(key.to_string()), failed_at: Set(now) }
            .insert(txn)
            .await?;
        let recent = login_failure::Entity::find()
            .filter(login_failure::Column::PhoneKey.eq(key))
            .filter(login_failure::Column::FailedAt.gt(since))
            .count(txn)
            .await?;
        if recent >= policy.max_failures {
            login_lock::Entity::insert(login_lock::ActiveModel {
                phone_key: Set(key.to_string()),
                locked_until: Set(now + policy.lock_for),
            })
            .on_conflict(
                OnConflict::column(login_lock::Column::PhoneKey)
                    .update_column(login_lock::Column::LockedUntil)
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
            login_failure::Entity::delete_many().filter(login_failure::Column::PhoneKey.eq(key)).exec(txn).await?;
        }
        Ok(())
    })
    .await
}

async fn new_refresh_token(
    txn: &impl ConnectionTrait,
    session_id: Uuid,
    now: DateTime<Utc>,
    policy: Policy,
) -> DomainResult<String> {
    let token = format!("rt_{}", URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()));
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(hash_token(&token)),
        issued_at: Set(now),
        expires_at: Set(now + policy.refresh_ttl),
        used_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(token)
}

/// Forgets the failed sign-ins and any lock of a phone (`phone_key`): the person proved they hold
/// the number with a code.
pub(super) async fn clear_throttle(txn: &impl ConnectionTrait, phone_key: &str) -> DomainResult<()> {
    login_failure::Entity::delete_many().filter(login_failure::Column::PhoneKey.eq(phone_key)).exec(txn).await?;
    login_lock::Entity::delete_many().filter(login_lock::Column::PhoneKey.eq(phone_key)).exec(txn).await?;
    Ok(())
}

/// Exchanges a refresh token for a new one (and the caller mints a new access token).
pub async fn refresh(db: &DatabaseConnection, policy: Policy, now: DateTime<Utc>, token: &str) -> DomainResult<Issued> {
    let invalid =
        || DomainError::unauthenticated("invalid_refresh_token", "the refresh token is not valid; sign in again");
    let outcome = write(db, async |txn| {
        let Some(row) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
            .one(txn)
            .await?
        else {
            return Err(invalid());
        };
        let sess = session::Entity::find_by_id(row.session_id).one(txn).await?.ok_or_else(invalid)?;
        if sess.revoked_at.is_some() || sess.expires_at <= now || row.expires_at <= now {
            return Err(invalid());
        }
        // Claim the token with a conditional update: of two concurrent refreshes, one wins.
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(txn)
            .await?
            .rows_affected
            == 1;
        if !claimed {
            let used_at = refresh_token::Entity::find_by_id(row.id).one(txn).await?.and_then(|r| r.used_at);
            let within_grace = used_at.is_some_and(|u| now - u <= policy.reuse_grace);
            if !within_grace {
                revoke_session(txn, sess.id, now, "reuse_detected").await?;
                return Ok(None);
            }
        }
        let user = user::Entity::find_by_id(sess.user_id).one(txn).await?.ok_or_else(invalid)?;
        if user.status != UserStatus::Active {
            return Err(invalid());
        }
        person_changed(sess.user_id);
        let mut s: session::ActiveModel = sess.clone().into();
        s.last_refreshed_at = Set(now);
        s.expires_at = Set(now + policy.refresh_ttl);
        s.update(txn).await?;
        let refresh_token = new_refresh_token(txn, sess.id, now, policy).await?;
        Ok(Some(Issued { user, session_id: sess.id, refresh_token }))
    })
    .await?;
    // The revocation above must commit, so the reuse is reported only after the transaction.
    outcome.ok_or_else(|| {
        DomainError::unauthenticated(
            "refresh_token_reused",
            "this refresh token was already used; the session has been ended for safety",
        )
    })
}

/// The person a refresh token's session belongs to, if the token is known.
pub async fn owner_of(db: &impl ConnectionTrait, token: &str) -> DomainResult<Option<Uuid>> {
    let Some(row) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(db).await?
    else {
        return Ok(None);
    };
    Ok(session::Entity::find_by_id(row.session_id).one(db).await?.map(|s| s.user_id))
}

/// Ends the session a refresh token belongs to. Unknown tokens are ignored: logging out twice is
/// not an error.
pub async fn logout(db: &DatabaseConnection, now: DateTime<Utc>, token: &str) -> DomainResult<()> {
    write(db, async |txn| {
        if let Some(row) = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
            .one(txn)
            .await?
        {
            revoke_session(txn, row.session_id, now, "logout").await?;
        }
        Ok(())
    })
    .await
}

async fn revoke_session(txn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>, reason: &str) -> DomainResult<()> {
    let Some(sess) = session::Entity::find_by_id(id).one(txn).await? else { return Ok(()) };
    person_changed(sess.user_id);
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    // A signed-out phone gets nobody's pushes.
    crate::domain::registry::session_ended(txn, id).await
}

/// Ends every open session of a person, except `keep`.
pub async fn revoke_all(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
    keep: Option<Uuid>,
) -> DomainResult<()> {
    person_changed(user_id);
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        q = q.filter(session::Column::Id.ne(k));
    }
    q.exec(txn).await?;
    crate::domain::registry::sessions_ended(txn, user_id).await
}

/// Ends every session of a person, deletes their refresh tokens and the sign-in throttling rows
/// of their phone (`phone_key`): part of erasure.
pub async fn forget_user(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    phone_key: &str,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    revoke_all(txn, user_id, now, "erased", None).await?;
    let sessions = sea_orm::sea_query::Query::select()
        .column(session::Column::Id)
        .from(session::Entity)
        .and_where(session::Column::UserId.eq(user_id))
        .to_owned();
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::SessionId.in_subquery(sessions))
        .exec(txn)
        .await?;
    login_failure::Entity::delete_many().filter(login_failure::Column::PhoneKey.eq(phone_key)).exec(txn).await?;
    login_lock::Entity::delete_many().filter(login_lock::Column::PhoneKey.eq(phone_key)).exec(txn).await?;
    Ok(())
}
