//! Jobs due at a future instant under a caller-chosen key (reminders), enqueued by a minutely
//! scan.

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
                    .table("scheduled_jobs")
                    .col(string_len("key", 255).primary_key())
                    .col(string_len("kind", 64))
                    .col(text("payload"))
                    .col(big_integer("due_at_ms"))
                    .col(big_integer_null("fired_at_ms"))
                    .col(big_integer("created_at_ms"))
                    .col(big_integer("updated_at_ms"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("scheduled_jobs", &["fired_at_ms", "due_at_ms"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("scheduled_jobs").to_owned()).await
    }
}
