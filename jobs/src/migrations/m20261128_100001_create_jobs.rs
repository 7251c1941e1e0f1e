//! The embedded job queue (jobs kept in the database when no Redis is configured).

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
                    .table("jobs")
                    .col(pk_uuid("id"))
                    .col(string_len("queue", 64))
                    .col(string_len("kind", 64))
                    .col(text("payload"))
                    .col(string_len_null("dedupe_key", 255))
                    .col(string_len("state", 16))
                    .col(big_integer("run_at_ms"))
                    .col(integer("attempts"))
                    .col(integer("deliveries"))
                    .col(uuid_null("lock_token"))
                    .col(big_integer_null("locked_until_ms"))
                    .col(text_null("last_error"))
                    .col(big_integer("enqueued_at_ms"))
                    .col(big_integer_null("failed_at_ms"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("jobs", &["queue", "state", "run_at_ms"])).await?;
        manager.create_index(index("jobs", &["queue", "state", "locked_until_ms"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("jobs").to_owned()).await
    }
}
