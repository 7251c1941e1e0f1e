//! Each volunteer's approved minutes per period, kept beside the hours ledger: `all`, a year
//! (`2026`) and a month (`2026-12`) of the entries' service dates. Every approval, correction and
//! leader's entry adds to its three rows in the same transaction, so a leaderboard reads the top
//! of an index instead of summing a period's whole ledger. Filled here from the ledger as it is.

use crate::fk;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The three periods of every approved entry, summed, in the backend's dialect.
pub fn backfill_sql(backend: DatabaseBackend) -> String {
    let (year, month) = match backend {
        DatabaseBackend::Postgres => ("to_char(service_date, 'YYYY')", "to_char(service_date, 'YYYY-MM')"),
        _ => ("substr(service_date, 1, 4)", "substr(service_date, 1, 7)"),
    };
    let one = |period: &str, by: &str| {
        format!(
            "SELECT volunteer_id, {period} AS period, SUM(minutes) AS minutes FROM hours_entries \
             WHERE status = 'approved' GROUP BY volunteer_id{by}"
        )
    };
    format!(
        "INSERT INTO hours_totals (volunteer_id, period, minutes) {} UNION ALL {} UNION ALL {}",
        one("'all'", ""),
        one(year, &format!(", {year}")),
        one(month, &format!(", {month}"))
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("hours_totals")
                    .col(uuid("volunteer_id"))
                    .col(string_len("period", 7))
                    .col(big_integer("minutes"))
                    .primary_key(Index::create().col("volunteer_id").col("period"))
                    .foreign_key(&mut fk("hours_totals", "volunteer_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_hours_totals_ranking")
                    .table("hours_totals")
                    .col("period")
                    .col(("minutes", IndexOrder::Desc))
                    .col("volunteer_id")
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&backfill_sql(db.get_database_backend())).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("hours_totals").to_owned()).await
    }
}
