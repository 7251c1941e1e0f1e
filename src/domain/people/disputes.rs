//! Identity numbers claimed by a second account (PIPL and the real-name rule both want one number,
//! one person): instead of a first-come refusal that would tell anyone who tries a number whether
//! it is registered, and let a squatter block its real owner, the claim opens a review that a
//! city administrator decides. Both holders are told (by `domain::registry`, which reaches
//! messaging).
//!
//! Table: `identity_disputes`. The claimant's number and real name are sealed in the dispute
//! until it is decided, then forgotten (moved into `identities` when the claimant wins).

use crate::crypto::DataKey;
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::people::consents;
use crate::domain::people::identity::{self, ClaimedIdentity};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Utc};
use entity::consent::Purpose;
pub use entity::identity_dispute::DisputeStatus;
use entity::identity_dispute::{self as dispute, Model};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn aad(id: Uuid) -> String {
    format!("identity_dispute:{id}")
}

#[derive(Serialize, Deserialize)]
struct Claim {
    number: String,
    real_name: String,
}

/// Opens (or, for the same claimant and number, refreshes) a dispute, in the caller's transaction.
pub async fn open(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    claimant: Uuid,
    holder: Uuid,
    claim: &ClaimedIdentity,
    consent_version: &str,
    now: DateTime<Utc>,
) -> DomainResult<Model> {
    let existing = dispute::Entity::find()
        .filter(dispute::Column::NumberIndex.eq(&claim.index))
        .filter(dispute::Column::ClaimantId.eq(claimant))
        .filter(dispute::Column::Status.eq(DisputeStatus::Open))
        .one(txn)
        .await?;
    let id = existing.as_ref().map(|d| d.id).unwrap_or_else(Uuid::now_v7);
    let sealed = serde_json::to_vec(&Claim { number: claim.number.clone(), real_name: claim.real_name.clone() })
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    let sealed = key.seal(&aad(id), &sealed);
    Ok(match existing {
        Some(d) => {
            let mut am = d.into_active_model();
            am.claim_sealed = Set(Some(sealed));
            am.consent_version = Set(consent_version.to_string());
            am.update(txn).await?
        }
        None => {
            dispute::ActiveModel {
                id: Set(id),
                number_index: Set(claim.index.clone()),
                claimant_id: Set(claimant),
                holder_id: Set(holder),
                claim_sealed: Set(Some(sealed)),
                consent_version: Set(consent_version.to_string()),
                status: Set(DisputeStatus::Open),
                decided_by: Set(None),
                decided_at: Set(None),
                reason: Set(None),
                created_at: Set(now),
            }
            .insert(txn)
            .await?
        }
    })
}

/// Open disputes, oldest first (city administrators).
pub async fn list_open(db: &DatabaseConnection, actor: &Actor, limit: u64) -> DomainResult<Vec<Model>> {
    actor.require_city_admin()?;
    Ok(dispute::Entity::find()
        .filter(dispute::Column::Status.eq(DisputeStatus::Open))
        .order_by_asc(dispute::Column::CreatedAt)
        .order_by_asc(dispute::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Who gets the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Award {
    Claimant,
    Holder,
}

/// A city administrator decides a dispute, in the caller's transaction: awarded to the claimant,
/// the holder's identity (and its consent) ends and the claimant's is recorded; awarded to the
/// holder, the claim is dropped. Either way the claim's sealed copy is forgotten; audited with
/// the reason. 409 `dispute_closed` when already decided.
pub async fn decide(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    actor: &Actor,
    id: Uuid,
    award: Award,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<Model> {
    actor.require_city_admin()?;
    let reason = crate::domain::required_text("reason", reason)?;
    let d = dispute::Entity::find_by_id(id).one(txn).await?.ok_or(DomainError::not_found("dispute"))?;
    if d.status != DisputeStatus::Open {
        return Err(DomainError::conflict("dispute_closed", "this dispute has been decided"));
    }
    let status = match award {
        Award::Claimant => {
            let sealed = d.claim_sealed.as_deref().ok_or(DomainError::not_found("dispute"))?;
            let opened =
                key.open(&aad(d.id), sealed).map_err(|_| DomainError::Internal("a claim does not open".into()))?;
            let claim: Claim = serde_json::from_slice(&opened).map_err(|e| DomainError::Internal(e.to_string()))?;
            consents::withdraw_purpose(txn, d.holder_id, Purpose::Identity, now).await?;
            entity::identity::Entity::delete_by_id(d.holder_id).exec(txn).await?;
            let claimed = identity::claim(key, &claim.number, &claim.real_name)?;
            identity::store(txn, key, d.claimant_id, &claimed, &d.consent_version, now).await?;
            DisputeStatus::AwardedToClaimant
        }
        Award::Holder => DisputeStatus::AwardedToHolder,
    };
    let mut am = d.into_active_model();
    am.status = Set(status);
    am.claim_sealed = Set(None);
    am.decided_by = Set(Some(actor.user_id));
    am.decided_at = Set(Some(now));
    am.reason = Set(Some(reason.clone()));
    let decided = am.update(txn).await?;
    let mut change = Change::new(actor.user_id, "identity.dispute_decided", "identity_dispute", id);
    change.reason = Some(reason);
    audit::record(txn, now, change).await?;
    Ok(decided)
}

/// A person's disputes, for their export: which side they are on, where it stands, when.
pub async fn of_person(conn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<Vec<serde_json::Value>> {
    let rows = dispute::Entity::find()
        .filter(dispute::Column::ClaimantId.eq(user_id).or(dispute::Column::HolderId.eq(user_id)))
        .order_by_asc(dispute::Column::CreatedAt)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| {
            serde_json::json!({
                "id": d.id,
                "side": if d.claimant_id == user_id { "claimant" } else { "holder" },
                "status": d.status,
                "createdAt": d.created_at,
                "decidedAt": d.decided_at,
            })
        })
        .collect())
}

/// Deletes a person's disputes (erasure), and the claims they opened (their identity consent
/// withdrawn).
pub async fn forget(conn: &impl ConnectionTrait, user_id: Uuid, as_holder_too: bool) -> DomainResult<()> {
    dispute::Entity::delete_many().filter(dispute::Column::ClaimantId.eq(user_id)).exec(conn).await?;
    if as_holder_too {
        dispute::Entity::delete_many().filter(dispute::Column::HolderId.eq(user_id)).exec(conn).await?;
    }
    Ok(())
}
