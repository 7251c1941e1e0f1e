//! Approved service per org unit × action line × month (`hours_rollups`): minutes and service
//! count (人次), where every approved entry counts at its unit and at each unit above it (room →
//! station → district → city), so a unit's figures for a span of months are a few rows of one
//! index however large its subtree. Filled here from the ledger as it is.

use crate::fk;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every approved entry summed into its unit and each ancestor, by the action line of its task
/// (`other` without one) and the month of its service date, in the backend's dialect. A
/// correction's adjusting entry changes the minutes, not the service count.
pub fn backfill_sql(backend: DatabaseBackend) -> String {
    let month = match backend {
        DatabaseBackend::Postgres => "to_char(e.service_date, 'YYYY-MM')",
        _ => "substr(e.service_date, 1, 7)",
    };
    format!(
        "INSERT INTO hours_rollups (org_unit_id, month, action_line, minutes, service_count) \
         SELECT c.ancestor_id, {month}, COALESCE(t.action_line, 'other'), SUM(e.minutes), \
         SUM(CASE WHEN e.source = 'adjustment' THEN 0 ELSE 1 END) \
         FROM hours_entries e \
         JOIN org_unit_closure c ON c.descendant_id = e.org_unit_id \
         LEFT JOIN tasks t ON t.id = e.task_id \
         WHERE e.status = 'approved' \
         GROUP BY c.ancestor_id, {month}, COALESCE(t.action_line, 'other')"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("hours_rollups")
                    .col(uuid("org_unit_id"))
                    .col(string_len("month", 7))
                    .col(string_len("action_line", 32))
                    .col(big_integer("minutes"))
                    .col(big_integer("service_count"))
                    // A unit's months in order: the statistics read one unit's span at a time.
                    .primary_key(Index::create().col("org_unit_id").col("month").col("action_line"))
                    .foreign_key(&mut fk("hours_rollups", "org_unit_id", "org_units", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(&backfill_sql(db.get_database_backend())).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("hours_rollups").to_owned()).await
    }
}
