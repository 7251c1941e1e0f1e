//! Phones registered for push. A device row stands for one app installation: the app sends an
//! installation id it generated once (kept across token refreshes), and a registration with a
//! known installation id updates that row (its new token replaces the old one); apps that send
//! none are keyed by their token, as before. A token belongs to one row: registering it under an
//! installation drops any other row that held it.
//!
//! A device is tied to the sign-in session that registered it: ending the session (sign-out,
//! sign-out everywhere, revocation by password reset, suspension or erasure) removes the device
//! ([`remove_of_session`], [`remove_of_ended_sessions`], called by `people::sessions`), so a
//! phone that is signed out or handed on gets nobody's pushes. Signing in on a phone another
//! account used and registering takes the row over (person and session change). `last_seen_at`
//! is refreshed on every registration; tokens not refreshed for 270 days are dead (FCM's rule)
//! and deactivated by a daily job.
//!
//! Table: `devices`.

use crate::db::{is_unique_violation, write};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::device::{self, Platform};
use entity::session;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// The provider of devices registered with an FCM token (the default for apps that name none).
pub const FCM: &str = "fcm";
/// Apple Push Notification service: iPhones reached directly.
pub use crate::domain::messaging::push_tokens::APNS;
/// Every provider a device may name.
pub const PROVIDERS: [&str; 7] = [FCM, "huawei", "honor", "xiaomi", "oppo", "vivo", APNS];
/// Longest installation id, bundle id or package name accepted.
pub const MAX_INSTALLATION_ID: usize = 64;
/// Days without re-registration after which a token is treated as dead.
pub const STALE_AFTER_DAYS: i64 = 270;

/// A registration.
pub struct Registration {
    pub platform: Platform,
    /// One of [`PROVIDERS`].
    pub provider: String,
    pub token: String,
    pub app_version: Option<String>,
    pub locale: Option<String>,
    /// The app installation's own id, if the app sends one.
    pub installation_id: Option<String>,
    /// The app's bundle id or package name.
    pub app_id: Option<String>,
    /// The session registering it (`None` only for rows made outside a request).
    pub session_id: Option<Uuid>,
}

impl Registration {
    /// An FCM registration with nothing else said.
    pub fn fcm(platform: Platform, token: impl Into<String>) -> Self {
        Registration {
            platform,
            provider: FCM.into(),
            token: token.into(),
            app_version: None,
            locale: None,
            installation_id: None,
            app_id: None,
            session_id: None,
        }
    }
}

/// Checks a token's shape for its provider: one place, so each provider's rule sits beside the
/// others. Today: a non-empty token without whitespace, and APNs only on iPhones.
pub fn check_token(provider: &str, platform: Platform, token: &str) -> DomainResult<()> {
    if !PROVIDERS.contains(&provider) {
        return Err(DomainError::validation(format!("provider must be one of {}", PROVIDERS.join(", "))));
    }
    if provider == APNS && platform != Platform::Ios {
        return Err(DomainError::validation("apns devices are iPhones: platform must be ios"));
    }
    crate::domain::messaging::push_tokens::check(provider, token)
}

fn clean_id(field: &str, value: Option<String>) -> DomainResult<Option<String>> {
    let Some(v) = value.map(|v| v.trim().to_string()) else { return Ok(None) };
    let ok = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    if v.is_empty() || v.len() > MAX_INSTALLATION_ID * 2 || !v.chars().all(ok) {
        return Err(DomainError::validation(format!("{field} must be letters, digits, '-', '_', '.' or ':'")));
    }
    Ok(Some(v))
}

/// Registers (or refreshes) a device for `user_id`; true in the second element if it was new.
pub async fn register(
    db: &DatabaseConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
    r: Registration,
) -> DomainResult<(device::Model, bool)> {
    let token = r.token.trim().to_string();
    let provider = r.provider.trim().to_ascii_lowercase();
    check_token(&provider, r.platform, &token)?;
    let installation = clean_id("installationId", r.installation_id)?;
    if installation.as_ref().is_some_and(|i| i.len() > MAX_INSTALLATION_ID) {
        return Err(DomainError::validation(format!("installationId has at most {MAX_INSTALLATION_ID} characters")));
    }
    let app_id = clean_id("appId", r.app_id)?;
    for attempt in 0..3 {
        let result = write(db, async |txn| {
            let key = match &installation {
                Some(i) => device::Column::InstallationId.eq(i.clone()),
                None => device::Column::Token.eq(&token),
            };
            if let Some(i) = &installation {
                // The token now belongs to this installation: a row that held it goes.
                device::Entity::delete_many()
                    .filter(device::Column::Token.eq(&token))
                    .filter(
                        Condition::any()
                            .add(device::Column::InstallationId.is_null())
                            .add(device::Column::InstallationId.ne(i.clone())),
                    )
                    .exec(txn)
                    .await?;
            }
            let mut update = device::Entity::update_many()
                .col_expr(device::Column::UserId, Expr::val(user_id))
                .col_expr(device::Column::SessionId, Expr::val(r.session_id))
                .col_expr(device::Column::Provider, Expr::val(provider.clone()))
                .col_expr(device::Column::Platform, Expr::val(r.platform))
                .col_expr(device::Column::Token, Expr::val(token.clone()))
                .col_expr(device::Column::TokenHash, Expr::val(jobs::push::token_hash(&token)))
                .col_expr(device::Column::AppVersion, Expr::val(r.app_version.clone()))
                .col_expr(device::Column::Locale, Expr::val(r.locale.clone()))
                .col_expr(device::Column::Active, Expr::val(true))
                .col_expr(device::Column::LastSeenAt, Expr::val(now))
                .col_expr(device::Column::DeactivatedAt, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(device::Column::DeactivatedReason, Expr::val(Option::<String>::None));
            if app_id.is_some() {
                // An older app build that names no app id leaves the known one in place.
                update = update.col_expr(device::Column::AppId, Expr::val(app_id.clone()));
            }
            let moved = update.filter(key.clone()).exec(txn).await?;
            if moved.rows_affected == 1 {
                let d = device::Entity::find().filter(key).one(txn).await?;
                return d.map(|d| (d, false)).ok_or(DomainError::Internal("device vanished".into()));
            }
            let row = device::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                provider: Set(provider.clone()),
                platform: Set(r.platform),
                token: Set(token.clone()),
                token_hash: Set(jobs::push::token_hash(&token)),
                app_version: Set(r.app_version.clone()),
                locale: Set(r.locale.clone()),
                active: Set(true),
                last_seen_at: Set(now),
                created_at: Set(now),
                deactivated_at: Set(None),
                deactivated_reason: Set(None),
                installation_id: Set(installation.clone()),
                app_id: Set(app_id.clone()),
                session_id: Set(r.session_id),
            };
            let d = sea_orm::ActiveModelTrait::insert(row, txn).await?;
            Ok((d, true))
        })
        .await;
        match result {
            // Two registrations of one token or installation raced: the other inserted it;
            // update it instead.
            Err(DomainError::Db(e)) if is_unique_violation(&e) && attempt < 2 => continue,
            other => return other,
        }
    }
    Err(DomainError::Internal("device registration kept racing".into()))
}

/// One's active devices, newest first.
pub async fn list(db: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Vec<device::Model>> {
    Ok(device::Entity::find()
        .filter(device::Column::UserId.eq(user_id))
        .filter(device::Column::Active.eq(true))
        .order_by_desc(device::Column::Id)
        .all(db)
        .await?)
}

/// Removes one of one's devices; 404 for anyone else's.
pub async fn remove(db: &DatabaseConnection, user_id: Uuid, id: Uuid) -> DomainResult<()> {
    let r = device::Entity::delete_many()
        .filter(device::Column::Id.eq(id))
        .filter(device::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if r.rows_affected == 0 {
        return Err(DomainError::not_found("device"));
    }
    Ok(())
}

/// Removes the devices a session registered: the session ended (sign-out).
pub async fn remove_of_session(txn: &impl ConnectionTrait, session_id: Uuid) -> DomainResult<()> {
    device::Entity::delete_many().filter(device::Column::SessionId.eq(session_id)).exec(txn).await?;
    Ok(())
}

/// Removes the devices of a person's ended sessions (after their sessions were revoked in the
/// same transaction: sign-out everywhere, password reset, suspension, erasure).
pub async fn remove_of_ended_sessions(txn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    let ended = Query::select()
        .column(session::Column::Id)
        .from(session::Entity)
        .and_where(session::Column::UserId.eq(user_id))
        .and_where(session::Column::RevokedAt.is_not_null())
        .to_owned();
    device::Entity::delete_many()
        .filter(device::Column::UserId.eq(user_id))
        .filter(device::Column::SessionId.in_subquery(ended))
        .exec(txn)
        .await?;
    Ok(())
}

/// Deactivates a device whose token the provider called dead.
pub async fn deactivate(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>, reason: &str) -> DomainResult<()> {
    device::Entity::update_many()
        .col_expr(device::Column::Active, Expr::val(false))
        .col_expr(device::Column::DeactivatedAt, Expr::val(now))
        .col_expr(device::Column::DeactivatedReason, Expr::val(reason))
        .filter(device::Column::Id.eq(id))
        .filter(device::Column::Active.eq(true))
        .exec(db)
        .await?;
    Ok(())
}

/// Deactivates devices not re-registered for [`STALE_AFTER_DAYS`]; returns how many.
pub async fn prune_stale(db: &impl ConnectionTrait, now: DateTime<Utc>) -> DomainResult<u64> {
    let cutoff = now - chrono::Duration::days(STALE_AFTER_DAYS);
    let r = device::Entity::update_many()
        .col_expr(device::Column::Active, Expr::val(false))
        .col_expr(device::Column::DeactivatedAt, Expr::val(now))
        .col_expr(device::Column::DeactivatedReason, Expr::val("stale"))
        .filter(device::Column::Active.eq(true))
        .filter(device::Column::LastSeenAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}
