//! The message thread of a mentoring pair. `updated_at` moves when a message is read, so
//! `?since=` delta sync picks up read receipts as well as new messages.

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
                    .table("pair_messages")
                    .col(pk_uuid("id"))
                    .col(uuid("pairing_id"))
                    .col(uuid("sender_id"))
                    .col(uuid("recipient_id"))
                    .col(text("body"))
                    .col(timestamp_with_time_zone("sent_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "pair_messages",
                        "pairing_id",
                        "mentoring_pairings",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("pair_messages", &["pairing_id", "updated_at"])).await?;
        manager.create_index(index("pair_messages", &["recipient_id", "read_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("pair_messages").to_owned()).await
    }
}
