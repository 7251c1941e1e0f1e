//! One row per notification and device: the idempotency key of a push and its outcome.

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
                    .table("push_deliveries")
                    .col(pk_uuid("id"))
                    .col(uuid("notification_id"))
                    .col(uuid("device_id"))
                    .col(string_len("status", 16))
                    .col(integer("attempts"))
                    .col(string_len_null("last_outcome", 64))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "push_deliveries",
                        "notification_id",
                        "notifications",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("push_deliveries", "device_id", "devices", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("push_deliveries", &["notification_id", "device_id"]).unique().to_owned()).await?;
        manager.create_index(index("push_deliveries", &["device_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("push_deliveries").to_owned()).await
    }
}
