//! The append-only learning ledger: hours credited for attended courses and approved external training; a correction is a new entry.

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
                    .table("learning_entries")
                    .col(pk_uuid("id"))
                    .col(uuid("person_id"))
                    .col(string_len("source", 32))
                    .col(uuid_null("course_id"))
                    .col(uuid_null("session_id"))
                    .col(string_len("title", 200))
                    .col(integer("minutes"))
                    .col(boolean("counts_as_ce"))
                    .col(string_len("status", 32))
                    .col(date("completed_on"))
                    .col(string_len_null("evidence_ref", 500))
                    .col(uuid_null("org_unit_id"))
                    .col(string_len_null("reason", 500))
                    .col(uuid("created_by"))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    // Set for entries that must exist at most once (the credit of one attendance).
                    .col(string_len_null("entry_key", 120).unique_key())
                    .foreign_key(&mut fk("learning_entries", "person_id", "users", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("learning_entries", "course_id", "courses", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("learning_entries", &["person_id", "status", "completed_on"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("learning_entries").to_owned()).await
    }
}
