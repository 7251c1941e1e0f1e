//! Each volunteer's approved minutes per period (`hours_totals`): all time, a year and a month of
//! the entries' service dates. The ledger (`hours_entries`) is the record; these rows are its
//! sums, added to in the same transaction as every entry that becomes approved (a decision, a
//! leader's or make-up entry, a correction's adjusting entry, which may be negative), so that a
//! leaderboard reads the top of one index and a rank counts index entries instead of summing a
//! period's whole ledger. `rebuild` recomputes them from the ledger (after a bulk load), and
//! `tests/api/volunteering/hours_totals.rs` checks they equal a fresh sum.

use crate::domain::DomainResult;
use chrono::{Datelike, NaiveDate};
use entity::hours_entry::{self, HoursStatus};
use entity::hours_total;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The key of all time.
pub const ALL_TIME: &str = "all";

/// The key of the year of `date`: `2026`.
pub fn year_key(date: NaiveDate) -> String {
    format!("{:04}", date.year())
}

/// The key of the month of `date`: `2026-12`.
pub fn month_key(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Adds the approved entries among `entries` to their volunteers' totals (one upsert statement),
/// then tells statistics, whose rollups by unit count the same entries. The upsert locks each
/// volunteer's rows until the transaction ends, so that statistics, which reads a volunteer's
/// months of service before adding to them, sees every earlier approval of theirs committed.
pub async fn add_approved(txn: &impl ConnectionTrait, entries: &[hours_entry::Model]) -> DomainResult<()> {
    let mut sums: BTreeMap<(Uuid, String), i64> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.status == HoursStatus::Approved) {
        for key in [ALL_TIME.to_string(), year_key(e.service_date), month_key(e.service_date)] {
            *sums.entry((e.volunteer_id, key)).or_default() += i64::from(e.minutes);
        }
    }
    if sums.is_empty() {
        return crate::domain::registry::hours_approved(txn, entries).await;
    }
    let rows = sums.into_iter().map(|((volunteer_id, period), minutes)| hours_total::ActiveModel {
        volunteer_id: Set(volunteer_id),
        period: Set(period),
        minutes: Set(minutes),
    });
    hours_total::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([hours_total::Column::VolunteerId, hours_total::Column::Period])
                .value(
                    hours_total::Column::Minutes,
                    Expr::col((hours_total::Entity, hours_total::Column::Minutes))
                        .add(Expr::col((sea_orm::sea_query::Alias::new("excluded"), hours_total::Column::Minutes))),
                )
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    crate::domain::registry::hours_approved(txn, entries).await
}

/// A volunteer's approved minutes in one period (0 when none).
pub async fn approved(db: &impl ConnectionTrait, volunteer: Uuid, period: &str) -> DomainResult<i64> {
    Ok(hours_total::Entity::find_by_id((volunteer, period.to_string())).one(db).await?.map_or(0, |t| t.minutes))
}

/// Recomputes every total from the ledger (after a bulk load that wrote the ledger directly).
pub async fn rebuild(db: &impl ConnectionTrait) -> DomainResult<()> {
    hours_total::Entity::delete_many().exec(db).await?;
    db.execute_unprepared(&migration::m20261203_100001_create_hours_totals::backfill_sql(db.get_database_backend()))
        .await?;
    Ok(())
}
