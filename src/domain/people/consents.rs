//! Consent records (PIPL art. 14, 29, 31): what a person agreed to (purpose and version of the
//! text), when, by whom (themselves, or a guardian for someone under 14), and when they withdrew.
//!
//! Table: `consents`; rows are never deleted. Withdrawing consent to an optional purpose never
//! blocks the core service: it deletes the data the consent covered (identity, health notes,
//! guardian contact) and nothing else.

use crate::db::write;
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::consent::{self, GivenBy, Purpose};
use entity::{guardian, health_note, identity};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

/// Longest version label.
pub const MAX_VERSION_LEN: usize = 32;

/// Records a consent, in the caller's transaction.
pub async fn record(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    version: &str,
    given_by: GivenBy,
    now: DateTime<Utc>,
) -> DomainResult<consent::Model> {
    let version = version.trim();
    if version.is_empty() || version.chars().count() > MAX_VERSION_LEN {
        return Err(DomainError::validation(format!("version must be 1 to {MAX_VERSION_LEN} characters")));
    }
    Ok(consent::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        version: Set(version.to_string()),
        given_by: Set(given_by),
        given_at: Set(now),
        withdrawn_at: Set(None),
    }
    .insert(conn)
    .await?)
}

/// A person gives a consent.
pub async fn give(
    db: &DatabaseConnection,
    user_id: Uuid,
    purpose: Purpose,
    version: &str,
    now: DateTime<Utc>,
) -> DomainResult<consent::Model> {
    if purpose == Purpose::Guardian {
        // Only the guardian gives it, through the code sent to their own phone.
        return Err(DomainError::conflict(
            "guardian_confirmation_required",
            "a guardian consents with the code sent to their phone: record the guardian, then confirm",
        ));
    }
    write(db, async |txn| record(txn, user_id, purpose, version, GivenBy::Person, now).await).await
}

/// Whether a person's consent to `purpose` stands.
pub async fn has_active(conn: &impl ConnectionTrait, user_id: Uuid, purpose: Purpose) -> DomainResult<bool> {
    Ok(consent::Entity::find()
        .filter(consent::Column::UserId.eq(user_id))
        .filter(consent::Column::Purpose.eq(purpose))
        .filter(consent::Column::WithdrawnAt.is_null())
        .one(conn)
        .await?
        .is_some())
}

/// Every consent a person gave, newest first.
pub async fn list(conn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Vec<consent::Model>> {
    Ok(consent::Entity::find()
        .filter(consent::Column::UserId.eq(user_id))
        .order_by_desc(consent::Column::Id)
        .all(conn)
        .await?)
}

/// A person withdraws one of their consents; the data it covered is deleted in the same
/// transaction when no other consent to the same purpose stands. Someone else's consent is 404.
/// Returns the consent and whether this call withdrew it. The account's own consent is withdrawn
/// only by erasing the account (409 `use_erasure`).
pub async fn withdraw_in(
    txn: &impl ConnectionTrait,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<(consent::Model, bool)> {
    let c = consent::Entity::find_by_id(id)
        .one(txn)
        .await?
        .filter(|c| c.user_id == user_id)
        .ok_or(DomainError::not_found("consent"))?;
    if c.withdrawn_at.is_some() {
        return Ok((c, false));
    }
    if c.purpose == Purpose::Account {
        return Err(DomainError::conflict("use_erasure", "the account's own consent ends by erasing the account"));
    }
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
        .filter(consent::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if !has_active(txn, user_id, c.purpose).await? {
        delete_covered(txn, user_id, c.purpose).await?;
    }
    Ok((consent::Model { withdrawn_at: Some(now), ..c }, true))
}

/// Withdraws every standing consent of a person to `purpose` (a guardian replaced or
/// withdrawing), without deleting data: the caller does what follows.
pub async fn withdraw_purpose(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
        .filter(consent::Column::UserId.eq(user_id))
        .filter(consent::Column::Purpose.eq(purpose))
        .filter(consent::Column::WithdrawnAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the data a purpose's consent covered.
async fn delete_covered(conn: &impl ConnectionTrait, user_id: Uuid, purpose: Purpose) -> DomainResult<()> {
    match purpose {
        Purpose::Identity => {
            identity::Entity::delete_by_id(user_id).exec(conn).await?;
            crate::domain::people::disputes::forget(conn, user_id, false).await?;
        }
        Purpose::Health => {
            health_note::Entity::delete_by_id(user_id).exec(conn).await?;
        }
        Purpose::Guardian => {
            guardian::Entity::delete_by_id(user_id).exec(conn).await?;
        }
        Purpose::Location | Purpose::Account => {}
    }
    Ok(())
}

/// Withdraws every standing consent of a person (erasure).
pub async fn withdraw_all(conn: &impl ConnectionTrait, user_id: Uuid, now: DateTime<Utc>) -> DomainResult<()> {
    consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
        .filter(consent::Column::UserId.eq(user_id))
        .filter(consent::Column::WithdrawnAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
