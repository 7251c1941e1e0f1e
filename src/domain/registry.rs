//! Where the areas are known together: the registry of personal data that export and erasure
//! walk (`people::privacy` holds the walk, not the list, so that it need not import every area),
//! and the hooks through which a lower area tells a higher one of a fact without importing it
//! (volunteering's hours reach honours and statistics only through here, a moved subtree of the
//! org tree reaches statistics only through here, a guardian's withdrawal, a people
//! fact, ends volunteering sign-ups only through here, and an ended session removes its devices
//! only through here).

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

/// Entries became approved (decisions, leaders' and make-up entries, corrections' adjusting
/// entries): statistics adds them to the rollups of their units and every unit above. Runs in
/// the caller's transaction.
pub async fn hours_approved(txn: &impl ConnectionTrait, entries: &[entity::hours_entry::Model]) -> DomainResult<()> {
    crate::domain::statistics::add_approved(txn, entries).await
}

/// An account was created: statistics counts the person at their home unit and every unit
/// above it. Runs in the creating transaction.
pub async fn person_created(txn: &impl ConnectionTrait, person: &entity::user::Model) -> DomainResult<()> {
    crate::domain::statistics::people_rollups::person_created(txn, person).await
}

/// A person's role or home unit may have changed: statistics moves them between its counts.
/// Runs in the changing transaction.
pub async fn person_changed(
    txn: &impl ConnectionTrait,
    before: &entity::user::Model,
    after: &entity::user::Model,
) -> DomainResult<()> {
    crate::domain::statistics::people_rollups::person_changed(txn, before, after).await
}

/// Star levels were newly recorded for a volunteer: statistics counts them at their highest.
/// Runs in the recording transaction.
pub async fn star_levels_recorded(txn: &impl ConnectionTrait, person: Uuid, levels: &[i32]) -> DomainResult<()> {
    crate::domain::statistics::people_rollups::star_levels_recorded(txn, person, levels).await
}

/// Honours were published (`delta` 1) or revoked (-1), each as (recipient, kind, year):
/// statistics counts them at the recipients' units. Runs in the changing transaction.
pub async fn honours_changed(
    txn: &impl ConnectionTrait,
    changes: &[(Uuid, entity::honour_programme::ProgrammeKind, i32, i64)],
) -> DomainResult<()> {
    crate::domain::statistics::people_rollups::honours_changed(txn, changes).await
}

/// The org tree is about to move `unit`'s subtree (in the caller's transaction, under the tree's
/// lock): statistics takes its sums away from the units above it.
pub async fn org_subtree_moving(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    crate::domain::statistics::subtree_moving(txn, unit).await
}

/// The org tree has moved `unit`'s subtree: statistics adds its sums to the units now above it.
pub async fn org_subtree_moved(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    crate::domain::statistics::subtree_moved(txn, unit).await
}

/// A session ended (sign-out, revocation): the devices it registered are removed, so a
/// signed-out phone gets nobody's pushes. Runs in the caller's transaction.
pub async fn session_ended(txn: &impl ConnectionTrait, session: Uuid) -> DomainResult<()> {
    crate::domain::messaging::devices::remove_of_session(txn, session).await
}

/// Every session of a person but those still open ended: their devices are removed.
pub async fn sessions_ended(txn: &impl ConnectionTrait, person: Uuid) -> DomainResult<()> {
    crate::domain::messaging::devices::remove_of_ended_sessions(txn, person).await
}

/// A person withdraws one of their consents. When it was their guardian's consent and they are
/// under 14, their sign-ups for tasks not yet started (and enrolments in training not yet held)
/// end in the same transaction, and the organisers are told.
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
        crate::domain::talent::enrolments::end_future(txn, person, now).await?;
    }
    Ok(())
}

/// A person records their real-name identity. When another account holds the number, a dispute
/// opens for a city administrator and both holders are told, in the same transaction.
pub async fn record_identity(
    db: &sea_orm::DatabaseConnection,
    key: &crate::crypto::DataKey,
    person: Uuid,
    number: &str,
    real_name: &str,
    consent_version: &str,
    now: DateTime<Utc>,
) -> DomainResult<crate::domain::people::identity::Recorded> {
    use crate::domain::people::identity::{self, Recorded};
    let claim = identity::claim(key, number, real_name)?;
    // Two people recording one number at once: the loser's insert breaks the unique index and is
    // tried once more, when it finds the holder and opens a dispute.
    for attempt in 0..2 {
        let recorded = crate::db::write(db, async |txn| {
            let r = identity::record_in(txn, key, person, &claim, consent_version, now).await?;
            if let Recorded::UnderReview { dispute } = &r {
                tell_disputants(txn, dispute, "identity.dispute_claimant", "identity.dispute_holder").await?;
            }
            Ok(r)
        })
        .await;
        match recorded {
            Err(crate::domain::DomainError::Db(e)) if attempt == 0 && crate::db::is_unique_violation(&e) => continue,
            other => return other,
        }
    }
    unreachable!("the loop returns on its second attempt")
}

/// A city administrator decides an identity dispute; both people are told.
pub async fn decide_identity_dispute(
    db: &sea_orm::DatabaseConnection,
    key: &crate::crypto::DataKey,
    actor: &crate::domain::kernel::actor::Actor,
    id: Uuid,
    award: crate::domain::people::disputes::Award,
    reason: &str,
    now: DateTime<Utc>,
) -> DomainResult<entity::identity_dispute::Model> {
    crate::db::write(db, async |txn| {
        let d = crate::domain::people::disputes::decide(txn, key, actor, id, award, reason, now).await?;
        tell_disputants(txn, &d, "identity.dispute_decided", "identity.dispute_decided").await?;
        Ok(d)
    })
    .await
}

async fn tell_disputants(
    txn: &sea_orm::DatabaseTransaction,
    d: &entity::identity_dispute::Model,
    to_claimant: &str,
    to_holder: &str,
) -> DomainResult<()> {
    use crate::domain::messaging::notifications::{Category, Message, tell};
    let stage = format!("{:?}", d.status);
    for (to, template) in [(d.claimant_id, to_claimant), (d.holder_id, to_holder)] {
        let m = Message::new(to, Category::System, template, format!("identity_dispute:{}:{stage}:{to}", d.id))
            .data("disputeId", d.id);
        tell(txn, m).await?;
    }
    Ok(())
}
