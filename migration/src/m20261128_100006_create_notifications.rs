//! The in-app inbox: one row per message to a person, unique per recipient and dedupe key.

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
                    .table("notifications")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("category", 32))
                    .col(string_len("template", 64))
                    .col(text("title"))
                    .col(text("body"))
                    .col(text("data"))
                    .col(string_len("dedupe_key", 255))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("read_at"))
                    .foreign_key(&mut fk("notifications", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notifications", &["user_id", "dedupe_key"]).unique().to_owned()).await?;
        manager.create_index(index("notifications", &["user_id", "read_at"])).await?;
        manager.create_index(index("notifications", &["user_id", "updated_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("notifications").to_owned()).await
    }
}
