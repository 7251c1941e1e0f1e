//! The append-only ledger of volunteer service time.

use crate::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("hours_entries")
                    .col(pk_uuid("id"))
                    .col(uuid("volunteer_id"))
                    .col(uuid_null("task_id"))
                    .col(uuid("org_unit_id"))
                    .col(string_len("source", 32))
                    .col(integer("minutes"))
                    .col(string_len("status", 32))
                    .col(date("service_date"))
                    .col(string_len_null("description", 1000))
                    .col(uuid_null("adjusts_id"))
                    .col(string_len_null("reason", 500))
                    .col(boolean("flagged"))
                    .col(timestamp_with_time_zone_null("disputed_at"))
                    .col(string_len_null("dispute_comment", 1000))
                    .col(uuid("created_by"))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    // Set for entries that must exist at most once (e.g. the check-in entry of a
                    // sign-up), so a retried or redelivered action makes no second one.
                    .col(string_len_null("entry_key", 80).unique_key())
                    .foreign_key(&mut fk("hours_entries", "volunteer_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("hours_entries", "task_id", "tasks", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("hours_entries", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("hours_entries", "adjusts_id", "hours_entries", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("hours_entries", &["volunteer_id", "status", "service_date"])).await?;
        manager.create_index(index("hours_entries", &["task_id", "status"])).await?;
        manager.create_index(index("hours_entries", &["org_unit_id", "status", "service_date"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("hours_entries").to_owned()).await
    }
}
