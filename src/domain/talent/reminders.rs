//! The daily credential scan and the weekly digest: expired credentials flip to `expired`;
//! holders hear when their registration renewal window opens and 30 and 7 days before a
//! credential or a registration runs out (with the continuing-education hours still missing);
//! station administrators get one weekly digest of who in their station is due.
//!
//! Table: `talent_reminders`, one row per reminder key. The row is inserted (or found) in the
//! transaction that writes the message to the outbox, so each reminder goes out once however
//! often the scan runs and however many workers run it at once.

use crate::config::TalentConfig;
use crate::db::write;
use crate::domain::kernel::org_units;
use crate::domain::kernel::time::local_date;
use crate::domain::messaging::notifications::{self, Category, Message};
use crate::domain::talent::credentials::{self, kind_name};
use crate::domain::talent::learning;
use crate::domain::talent::registration::{self, RegistrationState};
use crate::domain::{DomainError, DomainResult};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::credential::{self, CredentialStatus};
use entity::talent_reminder;
use entity::user::{self, Role, UserStatus};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Days before an expiry that a reminder goes out, nearest last.
pub const DAYS_BEFORE: [i64; 2] = [30, 7];

/// Records that `key` was sent; false if it already was (then nothing is sent again).
async fn claim_key(txn: &impl ConnectionTrait, key: &str, user_id: Uuid, now: DateTime<Utc>) -> DomainResult<bool> {
    let res = talent_reminder::Entity::insert(talent_reminder::ActiveModel {
        key: Set(key.to_string()),
        user_id: Set(user_id),
        sent_at: Set(now),
    })
    .on_conflict(OnConflict::column(talent_reminder::Column::Key).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    Ok(res == 1)
}

/// Sends `message` once under `key`.
async fn once(
    db: &DatabaseConnection,
    key: String,
    user_id: Uuid,
    now: DateTime<Utc>,
    message: Message,
) -> DomainResult<bool> {
    write(db, async |txn| {
        if !claim_key(txn, &key, user_id, now).await? {
            return Ok::<_, DomainError>(false);
        }
        notifications::tell(txn, message.clone()).await?;
        Ok(true)
    })
    .await
}

/// The reminder threshold `days_left` falls in (the nearest one reached), if any.
fn threshold(days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return None;
    }
    DAYS_BEFORE.iter().copied().filter(|t| days_left <= *t).min()
}

/// What one daily scan did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    pub expired: u64,
    pub reminders: u64,
}

/// The daily scan: flips expired credentials, then sends the reminders that came due. Safe to
/// run any number of times, concurrently.
pub async fn daily(db: &DatabaseConnection, cfg: &TalentConfig, now: DateTime<Utc>) -> DomainResult<Scan> {
    let mut scan = Scan { expired: credentials::expire_due(db, now).await?, reminders: 0 };
    let live =
        credential::Entity::find().filter(credential::Column::Status.eq(CredentialStatus::Verified)).all(db).await?;
    let holders = crate::domain::people::users::by_ids(db, live.iter().map(|c| c.holder_id)).await?;
    for c in live {
        let Some(holder) = holders.get(&c.holder_id).filter(|h| h.status == UserStatus::Active) else { continue };
        let today = local_date(now, &holder.time_zone);
        if let Some(expires) = c.expires_on
            && let Some(t) = threshold((expires - today).num_days())
        {
            let msg = Message::new(
                holder.id,
                Category::Credential,
                "credential.expiring",
                format!("credential:{}:expiry:{t}:{expires}", c.id),
            )
            .names("kind", kind_name(db, &c.kind).await?)
            .param("date", expires.to_string())
            .param("days", (expires - today).num_days().to_string())
            .data("credentialId", c.id);
            let key = format!("credential:{}:expiry:{t}:{expires}", c.id);
            scan.reminders += u64::from(once(db, key, holder.id, now, msg).await?);
        }
        let Some(reg) = registration::registration(cfg, &c, today) else { continue };
        let days_left = (reg.deadline - today).num_days();
        let stage = match (threshold(days_left), reg.state) {
            (Some(t), _) => t.to_string(),
            (None, RegistrationState::RenewalOpen) => "window".to_string(),
            _ => continue,
        };
        let progress =
            learning::progress(db, cfg, holder.id, credentials::level_of(&c.kind), reg.period_start, reg.period_end)
                .await?;
        let missing = format!("{:.1}", progress.shortfall() as f64 / 60.0);
        let key = format!("registration:{}:{stage}:{}", c.id, reg.deadline);
        let msg = if stage == "window" {
            Message::new(holder.id, Category::Credential, "registration.window_open", key.clone())
        } else {
            Message::new(holder.id, Category::Credential, "registration.expiring", key.clone())
                .param("days", days_left.to_string())
        }
        .names("kind", kind_name(db, &c.kind).await?)
        .param("date", reg.deadline.to_string())
        .param("missing", missing)
        .data("credentialId", c.id);
        scan.reminders += u64::from(once(db, key, holder.id, now, msg).await?);
    }
    Ok(scan)
}

/// Whether a credential is "due": expiring within 30 days, or its registration deadline within
/// its renewal window (or passed).
fn is_due(cfg: &TalentConfig, c: &credential::Model, today: NaiveDate) -> bool {
    let expiring = c.expires_on.is_some_and(|e| (e - today).num_days() <= DAYS_BEFORE[0]);
    let registration = registration::registration(cfg, c, today).is_some_and(|r| {
        matches!(r.state, RegistrationState::RenewalOpen | RegistrationState::Lapsed | RegistrationState::Overdue)
            || (r.state == RegistrationState::Unregistered && (r.deadline - today).num_days() <= DAYS_BEFORE[0])
    });
    expiring || registration
}

/// The weekly digest: each station administrator hears, once a week, who in their subtree holds
/// a credential or registration coming due. Returns how many digests went out.
pub async fn weekly_digest(db: &DatabaseConnection, cfg: &TalentConfig, now: DateTime<Utc>) -> DomainResult<u64> {
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::StationAdmin))
        .filter(user::Column::Status.eq(UserStatus::Active))
        .filter(user::Column::OrgUnitId.is_not_null())
        .all(db)
        .await?;
    let mut sent = 0;
    for admin in admins {
        let Some(root) = admin.org_unit_id else { continue };
        let today = local_date(now, &admin.time_zone);
        let people = user::Entity::find()
            .filter(user::Column::OrgUnitId.in_subquery(org_units::subtree_ids(root)))
            .filter(user::Column::Status.eq(UserStatus::Active))
            .all(db)
            .await?;
        let by_id: BTreeMap<Uuid, &user::Model> = people.iter().map(|p| (p.id, p)).collect();
        let held = credential::Entity::find()
            .filter(credential::Column::Status.eq(CredentialStatus::Verified))
            .filter(credential::Column::HolderId.is_in(by_id.keys().copied()))
            .all(db)
            .await?;
        let mut due: Vec<&str> = held
            .iter()
            .filter(|c| is_due(cfg, c, today))
            .filter_map(|c| by_id.get(&c.holder_id).map(|p| p.name.as_str()))
            .collect();
        due.sort();
        due.dedup();
        if due.is_empty() {
            continue;
        }
        let week = today.iso_week();
        let key = format!("digest:{}:{}-W{:02}", admin.id, week.year(), week.week());
        let names = due.iter().take(20).copied().collect::<Vec<_>>().join("、");
        let msg = Message::new(admin.id, Category::Credential, "talent.digest", key.clone())
            .param("count", due.len().to_string())
            .param("names", names);
        sent += u64::from(once(db, key, admin.id, now, msg).await?);
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::threshold;

    #[test]
    fn the_nearest_threshold_reached_counts() {
        assert_eq!(threshold(60), None);
        assert_eq!(threshold(31), None);
        assert_eq!(threshold(30), Some(30));
        assert_eq!(threshold(8), Some(30));
        assert_eq!(threshold(7), Some(7));
        assert_eq!(threshold(0), Some(7));
        assert_eq!(threshold(-1), None);
    }
}
