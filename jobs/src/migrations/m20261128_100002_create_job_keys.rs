//! Keys claimed once until they expire: enqueue dedupe keys and cron slots of the embedded
//! job backend.

use super::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("job_keys")
                    .col(string_len("key", 255).primary_key())
                    .col(big_integer("expires_at_ms"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("job_keys", &["expires_at_ms"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("job_keys").to_owned()).await
    }
}
