//! The transactional outbox: jobs written inside domain transactions, relayed to the queue
//! after commit.

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
                    .table("outbox")
                    .col(pk_uuid("id"))
                    .col(string_len("kind", 64))
                    .col(text("payload"))
                    .col(string_len_null("dedupe_key", 255))
                    .col(big_integer_null("run_at_ms"))
                    .col(big_integer("created_at_ms"))
                    .col(big_integer_null("claimed_until_ms"))
                    .col(uuid_null("claim_token"))
                    .col(big_integer_null("relayed_at_ms"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("outbox", &["relayed_at_ms", "id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("outbox").to_owned()).await
    }
}
