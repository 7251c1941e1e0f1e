//! Volunteers active (with approved service) per org unit, kept so that "how many volunteers
//! served here in these months" is a few rows of one index however large the subtree:
//!
//! - `active_volunteer_months`: the months in which a volunteer served in a unit's subtree, one
//!   row per (unit, volunteer, month) at the unit of each entry and at every unit above it;
//! - `active_volunteer_counts`: per (unit, month, previous), how many volunteers served in the
//!   subtree in `month` whose last month of service there before it was `previous` (0 when there
//!   was none in the [`REACH`] months before).
//!
//! A volunteer served in a span of months `[a, b]` exactly when one of their months `m` in it
//! has its previous month before `a` (the first month of theirs in the span), so the volunteers
//! active in the span are `SUM(volunteers) WHERE month BETWEEN a AND b AND previous < a`, each
//! counted once. Spans are at most [`REACH`] months long, so a previous month `REACH` or more
//! months back is always before `a`, and is kept as 0. Months are numbered `year * 12 + month - 1`.
//! Both are filled here from the ledger as it is.

use crate::fk;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The longest span of months asked about (the statistics' three years).
pub const REACH: i32 = 36;

/// The month number of `hours_entries.service_date` as `e`, in the backend's dialect.
fn month_of_service(backend: DatabaseBackend) -> &'static str {
    match backend {
        DatabaseBackend::Postgres => {
            "(CAST(EXTRACT(YEAR FROM e.service_date) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM e.service_date) AS INTEGER) - 1)"
        }
        _ => "(CAST(substr(e.service_date, 1, 4) AS INTEGER) * 12 + CAST(substr(e.service_date, 6, 2) AS INTEGER) - 1)",
    }
}

/// The months of approved service of every volunteer at each unit and every unit above it,
/// restricted by `units` (an SQL condition on `c.ancestor_id`, or `1 = 1`).
pub fn backfill_months_sql(backend: DatabaseBackend, units: &str) -> String {
    let month = month_of_service(backend);
    format!(
        "INSERT INTO active_volunteer_months (org_unit_id, volunteer_id, month) \
         SELECT DISTINCT c.ancestor_id, e.volunteer_id, {month} \
         FROM hours_entries e \
         JOIN org_unit_closure c ON c.descendant_id = e.org_unit_id \
         WHERE e.status = 'approved' AND {units}"
    )
}

/// The counts by (unit, month, previous month) of the months kept, restricted by `units` (an SQL
/// condition on `org_unit_id`, or `1 = 1`).
pub fn backfill_counts_sql(units: &str) -> String {
    format!(
        "INSERT INTO active_volunteer_counts (org_unit_id, month, previous, volunteers) \
         SELECT org_unit_id, month, previous, COUNT(*) FROM ( \
           SELECT org_unit_id, month, \
             CASE WHEN prev IS NULL OR prev <= month - {REACH} THEN 0 ELSE prev END AS previous \
           FROM (SELECT org_unit_id, month, \
                   LAG(month) OVER (PARTITION BY org_unit_id, volunteer_id ORDER BY month) AS prev \
                 FROM active_volunteer_months WHERE {units}) m \
         ) p GROUP BY org_unit_id, month, previous"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("active_volunteer_months")
                    .col(uuid("org_unit_id"))
                    .col(uuid("volunteer_id"))
                    .col(integer("month"))
                    // One volunteer's months at one unit, in order: the neighbours of a new month.
                    .primary_key(Index::create().col("org_unit_id").col("volunteer_id").col("month"))
                    .foreign_key(&mut fk(
                        "active_volunteer_months",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("active_volunteer_months", "volunteer_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_active_volunteer_months_volunteer")
                    .table("active_volunteer_months")
                    .col("volunteer_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("active_volunteer_counts")
                    .col(uuid("org_unit_id"))
                    .col(integer("month"))
                    .col(integer("previous"))
                    .col(big_integer("volunteers"))
                    // A unit's months in order: a span is one range of it.
                    .primary_key(Index::create().col("org_unit_id").col("month").col("previous"))
                    .foreign_key(&mut fk(
                        "active_volunteer_counts",
                        "org_unit_id",
                        "org_units",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&backfill_months_sql(db.get_database_backend(), "1 = 1")).await?;
        db.execute_unprepared(&backfill_counts_sql("1 = 1")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("active_volunteer_counts").to_owned()).await?;
        manager.drop_table(Table::drop().table("active_volunteer_months").to_owned()).await
    }
}
