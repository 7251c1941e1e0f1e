//! Volunteer service record certificates (志愿服务记录证明): a volunteer asks for one for a period
//! and an issuing org unit; only a unit that recorded the hours can issue it ("who records,
//! certifies", 民政部令第67号), free of charge. Anyone can verify one by its public code, seeing
//! only what a verifier needs.
//!
//! Table: `service_records`. Content follows 民发〔2015〕149号: the volunteer (name, volunteer
//! number; never an identity number), the service (hours, content), the issuer (unit, person in
//! charge, contact), a certificate number and a date.

use crate::db::{is_unique_violation, write};
use crate::domain::kernel::actor::Actor;
use crate::domain::kernel::audit::{self, Change};
use crate::domain::kernel::org_units;
use crate::domain::kernel::time::local_date;
use crate::domain::{DomainError, DomainResult, required_text};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, Utc};
use entity::hours_entry::{self, HoursStatus};
use entity::service_record;
use entity::task;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionTrait,
};
use uuid::Uuid;

/// Masks a name for public display: the first character stays, the last too for names of three
/// characters or more; the rest become `*`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => chars[0].to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Which of the volunteer's names a certificate shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameOnCertificate {
    /// The name on their account (the default).
    #[default]
    Display,
    /// Their recorded real name (实名), where they recorded one and their consent stands.
    Real,
}

/// Issues a certificate to the actor for their approved hours recorded by `issuer` (or units
/// below it) between two dates, under the name they chose (409 `real_name_unavailable` when they
/// ask for a real name that is not recorded or whose consent was withdrawn).
#[allow(clippy::too_many_arguments, reason = "the request's parts, and the key that opens the real name")]
pub async fn request(
    db: &DatabaseConnection,
    key: &crate::crypto::DataKey,
    actor: &Actor,
    now: DateTime<Utc>,
    issuer: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    name: NameOnCertificate,
) -> DomainResult<service_record::Model> {
    if from > to {
        return Err(DomainError::invalid("invalid_period", "the period must start before it ends"));
    }
    let unit = org_units::get(db, issuer)
        .await
        .map_err(|_| DomainError::invalid("org_unit_not_found", "orgUnitId names no org unit"))?;
    if to > local_date(now, &unit.time_zone) {
        return Err(DomainError::invalid("invalid_period", "the period cannot end in the future"));
    }
    let me = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(DomainError::not_found("person"))?;
    let shown_name = match name {
        NameOnCertificate::Display => me.name.clone(),
        NameOnCertificate::Real => {
            crate::domain::people::identity::consented_real_name(db, key, me.id).await?.ok_or_else(|| {
                DomainError::conflict(
                    "real_name_unavailable",
                    "no real name is recorded with your consent; record your identity first, or use your display name",
                )
            })?
        }
    };
    let entries = hours_entry::Entity::find()
        .filter(hours_entry::Column::VolunteerId.eq(actor.user_id))
        .filter(hours_entry::Column::Status.eq(HoursStatus::Approved))
        .filter(hours_entry::Column::ServiceDate.between(from, to))
        .filter(hours_entry::Column::OrgUnitId.in_subquery(org_units::subtree_ids(issuer)))
        .order_by_asc(hours_entry::Column::ServiceDate)
        .all(db)
        .await?;
    let total: i64 = entries.iter().map(|e| i64::from(e.minutes)).sum();
    if total <= 0 {
        return Err(DomainError::conflict(
            "nothing_to_certify",
            "this unit recorded no approved service of yours in that period; only the unit that recorded hours can certify them",
        ));
    }
    let task_ids: Vec<Uuid> = entries.iter().filter_map(|e| e.task_id).collect();
    let tasks = task::Entity::find()
        .filter(task::Column::Id.is_in(task_ids))
        .order_by_asc(task::Column::StartsAt)
        .all(db)
        .await?;
    let offline = entries.iter().filter(|e| e.task_id.is_none()).count();
    let mut content = tasks.iter().map(|t| t.title.clone()).collect::<Vec<_>>().join("；");
    if offline > 0 {
        if !content.is_empty() {
            content.push('；');
        }
        content.push_str(&format!("其他志愿服务 {offline} 次"));
    }
    let content: String = content.chars().take(1900).collect();
    write(db, async |txn| {
        for _ in 0..5 {
            let sp = txn.begin().await?;
            let record = service_record::ActiveModel {
                id: Set(Uuid::now_v7()),
                code: Set(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>())),
                certificate_number: Set(format!(
                    "ZYFW{}{:06}",
                    local_date(now, &unit.time_zone).format("%Y%m%d"),
                    rand::random_range(0..1_000_000u32)
                )),
                volunteer_id: Set(me.id),
                volunteer_name: Set(shown_name.clone()),
                volunteer_number: Set(me.volunteer_number.clone()),
                issuer_org_unit_id: Set(unit.id),
                issuer_name: Set(unit.name.clone()),
                issuer_person_in_charge: Set(unit.person_in_charge.clone()),
                issuer_contact: Set(unit.contact_phone.clone()),
                period_from: Set(from),
                period_to: Set(to),
                total_minutes: Set(total as i32),
                content: Set(content.clone()),
                issued_at: Set(now),
                revoked_at: Set(None),
                revoke_reason: Set(None),
                revoked_by: Set(None),
            };
            match record.insert(&sp).await {
                Ok(r) => {
                    sp.commit().await?;
                    return Ok(r);
                }
                // A clash of random numbers: try another.
                Err(e) if is_unique_violation(&e) => sp.rollback().await?,
                Err(e) => return Err(e.into()),
            }
        }
        Err(DomainError::Internal("could not allocate a certificate number".into()))
    })
    .await
}

/// The actor's certificates, newest first.
pub async fn list_mine(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Vec<service_record::Model>> {
    Ok(service_record::Entity::find()
        .filter(service_record::Column::VolunteerId.eq(actor.user_id))
        .order_by_desc(service_record::Column::IssuedAt)
        .all(db)
        .await?)
}

/// A certificate by its public code.
pub async fn by_code(db: &impl ConnectionTrait, code: &str) -> DomainResult<service_record::Model> {
    service_record::Entity::find()
        .filter(service_record::Column::Code.eq(code))
        .one(db)
        .await?
        .ok_or(DomainError::not_found("service record"))
}

/// The day a certificate was issued on the issuing unit's calendar, the day its number carries.
pub async fn issued_on(db: &impl ConnectionTrait, r: &service_record::Model) -> DomainResult<chrono::NaiveDate> {
    Ok(crate::domain::kernel::time::date_in(
        r.issued_at,
        crate::domain::kernel::time::unit_zone(db, r.issuer_org_unit_id).await?,
    ))
}

/// An administrator whose scope holds the issuer revokes a certificate, with a reason.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    code: &str,
    reason: &str,
) -> DomainResult<service_record::Model> {
    actor.require_admin()?;
    let reason = required_text("reason", reason)?;
    write(db, async |txn| {
        let r = by_code(txn, code).await?;
        if !actor.covers_unit(txn, Some(r.issuer_org_unit_id)).await? {
            return Err(DomainError::forbidden("the issuing unit is outside your scope"));
        }
        if r.revoked_at.is_some() {
            return Err(DomainError::conflict("already_revoked", "this record is already revoked"));
        }
        let mut am = r.clone().into_active_model();
        am.revoked_at = Set(Some(now));
        am.revoke_reason = Set(Some(reason.clone()));
        am.revoked_by = Set(Some(actor.user_id));
        let after = am.update(txn).await?;
        audit::record(
            txn,
            now,
            Change::new(actor.user_id, "service_record.revoke", "service_record", r.id).reason(Some(reason.clone())),
        )
        .await?;
        Ok(after)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name("Alice"), "A***e");
    }
}
