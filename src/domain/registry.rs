//! Where the areas are known together: the registry of personal data that export and erasure
//! walk (`people::privacy` holds the walk, not the list, so that it need not import every area),
//! and the hooks through which a lower area tells a higher one of a fact without importing it
//! (volunteering's hours reach honours only through here, and a guardian's withdrawal, a people
//! fact, ends volunteering sign-ups only through here).

use crate::domain::DomainResult;
use crate::domain::people::privacy::{self, PersonalData};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Every area holding personal data, in erasure order; a new area adds its line before
/// `Account` (which must come last: the others still read who the person was).
pub static PERSONAL_DATA: &[&dyn PersonalData] = &[
    &privacy::Consents,
    &privacy::Sensitive,
    &privacy::Sessions,
    &privacy::IdempotentAnswers,
    &crate::domain::messaging::notifications::Messaging,
    &crate::domain::volunteering::personal_data::VolunteerService,
    &crate::domain::honours::Honours,
    &crate::domain::mentoring::records::Mentoring,
    &crate::domain::talent::personal_data::Talent,
    &privacy::AuditTrail,
    &privacy::Account,
];

/// A volunteer's approved service changed (hours approved or corrected): automatic honours for
/// long service and for each star level newly reached. Runs in the caller's transaction, under
/// the lock on the volunteer's row that the caller holds.
pub async fn approved_service_changed(
    txn: &impl ConnectionTrait,
    volunteer: Uuid,
    stars_reached: &[i32],
    now: DateTime<Utc>,
) -> DomainResult<()> {
    use sea_orm::EntityTrait;
    crate::domain::honours::notice::service_years_reached(txn, volunteer, now).await?;
    if stars_reached.is_empty() {
        return Ok(());
    }
    if let Some(person) = entity::user::Entity::find_by_id(volunteer).one(txn).await? {
        for level in stars_reached {
            crate::domain::honours::notice::star_reached(txn, &person, *level, now).await?;
        }
    }
    Ok(())
}

/// A person withdraws one of their consents. When it was their guardian's consent and they are
/// under 14, their sign-ups for tasks not yet started end in the same transaction, and the
/// organisers are told.
pub async fn withdraw_consent(
    db: &sea_orm::DatabaseConnection,
    person: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<entity::consent::Model> {
    use crate::domain::people::consents;
    crate::db::write(db, async |txn| {
        let (c, withdrawn) = consents::withdraw_in(txn, person, id, now).await?;
        if withdrawn && c.purpose == entity::consent::Purpose::Guardian {
            guardian_consent_ended(txn, person, now).await?;
        }
        Ok(c)
    })
    .await
}

/// A guardian withdraws with the code sent to their phone: every person they are guardian of
/// loses the consent, and their sign-ups for tasks not yet started end. Returns how many people.
pub async fn guardian_withdraws(
    db: &sea_orm::DatabaseConnection,
    key: &crate::crypto::DataKey,
    phone: &str,
    code: &str,
    now: DateTime<Utc>,
) -> DomainResult<usize> {
    use crate::domain::people::codes::{self, CodePurpose};
    use crate::domain::people::{guardians, phone::Phone};
    let phone = Phone::parse(phone)?;
    let verified = codes::check(db, key, &phone, CodePurpose::GuardianWithdrawal, code, now).await?;
    crate::db::write(db, async |txn| {
        let people = guardians::withdraw_by_guardian(txn, key, &phone, verified, now).await?;
        for p in &people {
            guardian_consent_ended(txn, *p, now).await?;
        }
        Ok(people.len())
    })
    .await
}

async fn guardian_consent_ended(
    txn: &sea_orm::DatabaseTransaction,
    person: Uuid,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    let today = crate::domain::kernel::time::person_today(txn, person, now).await?;
    if crate::domain::people::guardians::needs_guardian(txn, person, today).await? {
        crate::domain::volunteering::signups::end_for_guardian(txn, now, person).await?;
    }
    Ok(())
}
