//! People under 14 and their guardians (PIPL art. 31): the birth date given at registration, the
//! guardian recorded by the person and confirmed by a code sent to the guardian's own phone, the
//! guardian's withdrawal, and the check every sign-up makes.
//!
//! Tables: `birth_dates`, `guardians`, and `consents` (purpose `guardian`, given by the guardian).
//!
//! Rules:
//! - the birth date is sealed; `guardian_until` (the 14th birthday) is kept only for people under
//!   14, and it is not covered by any consent, so withdrawing the identity consent cannot lift
//!   the rule (the real-name identity's birth date counts too, while it is held);
//! - a guardian's number must be the guardian's own: not the person's number, and not the number
//!   of another account in the person's name or of another person under 14;
//! - the consent exists only once the guardian has confirmed; recording a new guardian withdraws
//!   the previous one's consent;
//! - a guardian withdraws with a code sent to their number, without an account; every person they
//!   are guardian of loses the consent (the caller, `domain::registry`, ends future sign-ups).

use crate::crypto::DataKey;
use crate::db::write;
use crate::domain::people::codes::{self, CodePurpose, Verified};
use crate::domain::people::consents;
use crate::domain::people::identity::{self, GUARDIAN_AGE, GuardianContact, Sensitive, age_on};
use crate::domain::people::phone::Phone;
use crate::domain::{DomainError, DomainResult, required_text};
use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::consent::{GivenBy, Purpose};
use entity::{birth_date, guardian, user};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

fn birth_aad(user: Uuid) -> String {
    format!("birth_date:{user}")
}

/// The oldest birth date accepted.
const OLDEST: u32 = 130;

/// Checks a birth date given at registration against `today` (the person's calendar).
pub fn validate_birth_date(birth: NaiveDate, today: NaiveDate) -> DomainResult<()> {
    if birth > today || age_on(birth, today) > OLDEST {
        return Err(DomainError::invalid("invalid_birth_date", "the birth date is not a possible one"));
    }
    Ok(())
}

/// The 14th birthday, if it is still to come.
fn guardian_until(birth: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    (age_on(birth, today) < GUARDIAN_AGE).then(|| birth.checked_add_months(Months::new(12 * GUARDIAN_AGE))).flatten()
}

/// Records a person's birth date (registration), sealed.
pub async fn record_birth_date(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    user_id: Uuid,
    birth: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    birth_date::Entity::insert(birth_date::ActiveModel {
        user_id: Set(user_id),
        birth_sealed: Set(key.seal_str(&birth_aad(user_id), &birth.to_string())),
        guardian_until: Set(guardian_until(birth, today)),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(birth_date::Column::UserId)
            .update_columns([birth_date::Column::BirthSealed, birth_date::Column::GuardianUntil])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The birth date given at registration, opened.
pub async fn birth_date(conn: &impl ConnectionTrait, key: &DataKey, user_id: Uuid) -> DomainResult<Option<NaiveDate>> {
    let Some(row) = birth_date::Entity::find_by_id(user_id).one(conn).await? else { return Ok(None) };
    let text = key
        .open_str(&birth_aad(user_id), &row.birth_sealed)
        .map_err(|_| DomainError::Internal("a birth date's seal does not open".into()))?;
    Ok(text.parse().ok())
}

/// Whether the person is under 14 on `today`, by the birth date given at registration or the one
/// in their real-name identity.
pub async fn needs_guardian(conn: &impl ConnectionTrait, user_id: Uuid, today: NaiveDate) -> DomainResult<bool> {
    if let Some(b) = birth_date::Entity::find_by_id(user_id).one(conn).await?
        && needs_guardian_given(b.guardian_until, None, today)
    {
        return Ok(true);
    }
    let identity = entity::identity::Entity::find_by_id(user_id).one(conn).await?;
    Ok(needs_guardian_given(None, identity.map(|i| i.birth_date), today))
}

/// [`needs_guardian`] from what was already read: `guardian_until` of the registration birth
/// date, and the birth date of the real-name identity, where there are such rows.
pub fn needs_guardian_given(
    guardian_until: Option<NaiveDate>,
    identity_birth: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    guardian_until.is_some_and(|until| today < until) || identity_birth.is_some_and(|b| age_on(b, today) < GUARDIAN_AGE)
}

/// The refusal of someone under 14 without a guardian's confirmed consent.
pub fn consent_required() -> DomainError {
    DomainError::Forbidden {
        code: "guardian_consent_required",
        detail: "people under 14 need their guardian's confirmed consent before signing up".into(),
    }
}

/// Whether a person may sign up for a task, a training or anything else: someone under 14 needs
/// a guardian's confirmed consent (403 `guardian_consent_required`). Every sign-up calls this,
/// in its own transaction, with the date in the person's time zone.
pub async fn ensure_may_sign_up(conn: &impl ConnectionTrait, user_id: Uuid, today: NaiveDate) -> DomainResult<()> {
    if !needs_guardian(conn, user_id, today).await? || consents::has_active(conn, user_id, Purpose::Guardian).await? {
        return Ok(());
    }
    Err(consent_required())
}

fn not_own_number() -> DomainError {
    DomainError::invalid("guardian_phone_not_allowed", "the guardian's own phone number is needed")
}

/// A person records their guardian: the guardian is sent a code, and the consent stands once the
/// person enters it ([`confirm`]). Any earlier guardian's consent is withdrawn.
pub async fn set_guardian(
    db: &DatabaseConnection,
    key: &DataKey,
    person: Uuid,
    now: DateTime<Utc>,
    today: NaiveDate,
    contact: GuardianContact,
    relationship: &str,
) -> DomainResult<Sensitive> {
    let phone = Phone::parse(&contact.phone)?;
    let contact =
        GuardianContact { name: required_text("guardian name", &contact.name)?, phone: phone.as_str().into() };
    let relationship = required_text("relationship", relationship)?;
    let json = serde_json::to_vec(&contact).map_err(|e| DomainError::Internal(e.to_string()))?;
    write(db, async |txn| {
        let me = user::Entity::find_by_id(person).one(txn).await?.ok_or(DomainError::not_found("person"))?;
        if me.phone == contact.phone {
            return Err(not_own_number());
        }
        if let Some(holder) = user::Entity::find().filter(user::Column::Phone.eq(&contact.phone)).one(txn).await?
            && (holder.name.trim() == me.name.trim() || needs_guardian(txn, holder.id, today).await?)
        {
            return Err(not_own_number());
        }
        consents::withdraw_purpose(txn, person, Purpose::Guardian, now).await?;
        guardian::Entity::insert(guardian::ActiveModel {
            user_id: Set(person),
            contact_sealed: Set(key.seal(&format!("guardian.contact:{person}"), &json)),
            relationship: Set(relationship.clone()),
            phone_index: Set(Some(key.blind_index(codes::PHONE_INDEX, phone.as_str()))),
            confirmed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(guardian::Column::UserId)
                .update_columns([
                    guardian::Column::ContactSealed,
                    guardian::Column::Relationship,
                    guardian::Column::PhoneIndex,
                    guardian::Column::ConfirmedAt,
                    guardian::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        codes::issue(txn, key, &phone, CodePurpose::Guardian, Some(person), now).await?;
        Ok(())
    })
    .await?;
    identity::load(db, key, person).await
}

/// The person enters the code their guardian received: the guardian's consent is recorded (given
/// by the guardian, with the text version they were shown).
pub async fn confirm(
    db: &DatabaseConnection,
    key: &DataKey,
    person: Uuid,
    now: DateTime<Utc>,
    code: &str,
    consent_version: &str,
) -> DomainResult<Sensitive> {
    let pending = identity::load(db, key, person).await?;
    let Some((contact, _)) = pending.guardian else {
        return Err(DomainError::conflict("no_guardian", "record a guardian first"));
    };
    let phone = Phone::parse(&contact.phone)?;
    let verified = codes::check(db, key, &phone, CodePurpose::Guardian, code, now).await?;
    if verified.subject != Some(person) {
        return Err(DomainError::invalid("code_invalid", "the code is wrong or no longer valid"));
    }
    write(db, async |txn| {
        codes::consume(txn, verified, now).await?;
        consents::record(txn, person, Purpose::Guardian, consent_version, GivenBy::Guardian, now).await?;
        let row = guardian::Entity::find_by_id(person).one(txn).await?.ok_or(DomainError::not_found("guardian"))?;
        let mut am = row.into_active_model();
        am.confirmed_at = Set(Some(now));
        am.updated_at = Set(now);
        am.update(txn).await?;
        Ok::<_, DomainError>(())
    })
    .await?;
    identity::load(db, key, person).await
}

/// Whether the person's guardian has confirmed.
pub async fn confirmed(conn: &impl ConnectionTrait, person: Uuid) -> DomainResult<bool> {
    Ok(guardian::Entity::find_by_id(person).one(conn).await?.is_some_and(|g| g.confirmed_at.is_some()))
}

/// A guardian withdraws, with a verified code sent to their number: every person whose guardian
/// they are loses the consent and the guardian record. Returns those people.
pub async fn withdraw_by_guardian(
    txn: &impl ConnectionTrait,
    key: &DataKey,
    phone: &Phone,
    verified: Verified,
    now: DateTime<Utc>,
) -> DomainResult<Vec<Uuid>> {
    codes::consume(txn, verified, now).await?;
    let index = key.blind_index(codes::PHONE_INDEX, phone.as_str());
    let rows = guardian::Entity::find().filter(guardian::Column::PhoneIndex.eq(index)).all(txn).await?;
    let mut people = Vec::with_capacity(rows.len());
    for g in rows {
        consents::withdraw_purpose(txn, g.user_id, Purpose::Guardian, now).await?;
        guardian::Entity::delete_by_id(g.user_id).exec(txn).await?;
        people.push(g.user_id);
    }
    Ok(people)
}

/// Deletes the birth date (erasure).
pub async fn forget(conn: &impl ConnectionTrait, user_id: Uuid) -> DomainResult<()> {
    birth_date::Entity::delete_by_id(user_id).exec(conn).await?;
    Ok(())
}
