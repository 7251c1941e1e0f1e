//! Where the areas are known together: the registry of personal data that export and erasure
//! walk (`people::privacy` holds the walk, not the list, so that it need not import every area),
//! and the hooks through which a lower area tells a higher one of a fact without importing it
//! (volunteering's hours reach honours only through here).

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
