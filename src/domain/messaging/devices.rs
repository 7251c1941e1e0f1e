//! Phones registered for push. A registration token belongs to one device row: registering a
//! token that another person had moves it to the new person (the phone changed hands or
//! accounts). `last_seen_at` is refreshed on every registration; tokens not refreshed for 270
//! days are dead (FCM's rule) and deactivated by a daily job.
//!
//! Table: `devices`.

use crate::db::{is_unique_violation, write};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::device::{self, Platform};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// The provider of devices registered with an FCM token.
pub const FCM: &str = "fcm";
/// Days without re-registration after which a token is treated as dead.
pub const STALE_AFTER_DAYS: i64 = 270;

/// A registration.
pub struct Registration {
    pub platform: Platform,
    pub token: String,
    pub app_version: Option<String>,
    pub locale: Option<String>,
}

/// Registers (or refreshes) a device for `user_id`; true in the second element if it was new.
pub async fn register(
    db: &DatabaseConnection,
    user_id: Uuid,
    now: DateTime<Utc>,
    r: Registration,
) -> DomainResult<(device::Model, bool)> {
    let token = r.token.trim().to_string();
    if token.is_empty() || token.chars().any(char::is_whitespace) {
        return Err(DomainError::invalid("invalid_token", "token must be a registration token without spaces"));
    }
    for attempt in 0..3 {
        let result = write(db, async |txn| {
            let moved = device::Entity::update_many()
                .col_expr(device::Column::UserId, Expr::val(user_id))
                .col_expr(device::Column::Platform, Expr::val(r.platform))
                .col_expr(device::Column::AppVersion, Expr::val(r.app_version.clone()))
                .col_expr(device::Column::Locale, Expr::val(r.locale.clone()))
                .col_expr(device::Column::Active, Expr::val(true))
                .col_expr(device::Column::LastSeenAt, Expr::val(now))
                .col_expr(device::Column::DeactivatedAt, Expr::val(Option::<DateTime<Utc>>::None))
                .col_expr(device::Column::DeactivatedReason, Expr::val(Option::<String>::None))
                .filter(device::Column::Token.eq(&token))
                .exec(txn)
                .await?;
            if moved.rows_affected == 1 {
                let d = device::Entity::find().filter(device::Column::Token.eq(&token)).one(txn).await?;
                return d.map(|d| (d, false)).ok_or(DomainError::Internal("device vanished".into()));
            }
            let row = device::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                provider: Set(FCM.into()),
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
            };
            let d = sea_orm::ActiveModelTrait::insert(row, txn).await?;
            Ok((d, true))
        })
        .await;
        match result {
            // Two registrations of one token raced: the other inserted it; update it instead.
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
