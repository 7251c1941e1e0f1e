//! Statistics: the figures a city reports upward and stations are judged by. Service hours and
//! service count (人次) by org unit × action line × month are kept as rollup rows
//! ([`hours_rollups`]) beside the ledger, read by [`hours`], and so are the volunteers active in
//! a unit over any span of months ([`active_volunteers`]) and the people of its subtree by
//! role, month joined and star level ([`people_rollups`]); the other figures (social workers'
//! levels and standing, mentoring, honours, tasks) are queried when asked ([`overview`]); who may see which unit is [`scope`]'s.
//!
//! This area reads the facts of every other (it judges none of them and none reads it); the
//! areas it counts tell it of changes through hooks in [`crate::domain::registry`].

pub mod active_volunteers;
pub mod hours;
pub mod hours_rollups;
pub mod overview;
pub mod people_rollups;
pub mod projects;
pub mod scope;

use crate::domain::DomainResult;
use entity::hours_entry;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use uuid::Uuid;

/// Entries became approved (in the approving transaction): their minutes and services join the
/// hours rollups and their months the active volunteers' of their units and every unit above.
pub async fn add_approved(txn: &impl ConnectionTrait, entries: &[hours_entry::Model]) -> DomainResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let above =
        crate::domain::kernel::org_units::ancestors_of_many(txn, entries.iter().map(|e| e.org_unit_id).collect())
            .await?;
    hours_rollups::add_approved(txn, entries, &above).await?;
    active_volunteers::add_approved(txn, entries, &above).await
}

/// Recomputes every rollup from the ledger (after a bulk load that wrote the ledger directly, or
/// to repair them; `wushe stats rebuild`), in one transaction.
pub async fn rebuild(db: &DatabaseConnection) -> DomainResult<()> {
    crate::db::write(db, async |txn| {
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            // An approval that wrote its entry but not yet its rollups waits here until the
            // rebuild has committed and then adds itself to the rebuilt rows; one that already
            // added itself is waited for, and the rebuild's statements see its entry. (SQLite's
            // write transactions already run one at a time.)
            txn.execute_unprepared(
                "LOCK TABLE hours_rollups, active_volunteer_months, active_volunteer_counts, people_rollups \
                 IN EXCLUSIVE MODE",
            )
            .await?;
        }
        hours_rollups::rebuild(txn).await?;
        active_volunteers::rebuild(txn).await?;
        people_rollups::rebuild(txn).await
    })
    .await
}

/// `unit`'s subtree is about to move (in the move's transaction, before the tree changes): its
/// sums and its people leave every unit above it, and the active volunteers of those units are recomputed
/// without it.
pub async fn subtree_moving(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    hours_rollups::subtree_moving(txn, unit).await?;
    people_rollups::shift_to_ancestors(txn, unit, "-").await?;
    active_volunteers::recompute_above(txn, unit, active_volunteers::Subtree::Leaving).await
}

/// `unit`'s subtree has moved: its sums and its people join every unit above it now, and the active volunteers
/// of those units are recomputed with it.
pub async fn subtree_moved(txn: &impl ConnectionTrait, unit: Uuid) -> DomainResult<()> {
    hours_rollups::subtree_moved(txn, unit).await?;
    people_rollups::shift_to_ancestors(txn, unit, "").await?;
    active_volunteers::recompute_above(txn, unit, active_volunteers::Subtree::Joined).await
}
