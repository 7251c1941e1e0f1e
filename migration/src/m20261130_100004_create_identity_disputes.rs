//! Identity numbers claimed by a second account, for a city administrator to decide.

use crate::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("identity_disputes")
                    .col(pk_uuid("id"))
                    .col(string_len("number_index", 64))
                    .col(uuid("claimant_id"))
                    .col(uuid("holder_id"))
                    .col(blob_null("claim_sealed"))
                    .col(string_len("consent_version", 32))
                    .col(string_len("status", 24))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("identity_disputes", "claimant_id", "users", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("identity_disputes", "holder_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("identity_disputes_status")
                    .table("identity_disputes")
                    .col("status")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("identity_disputes").to_owned()).await
    }
}
