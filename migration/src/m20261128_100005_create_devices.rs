//! Phones registered for push, one row per registration token (unique: a token re-registered
//! by another person moves to them).

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
                    .table("devices")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string_len("provider", 16))
                    .col(string_len("platform", 16))
                    .col(string_len_uniq("token", 512))
                    .col(string_len("token_hash", 16))
                    .col(string_len_null("app_version", 32))
                    .col(string_len_null("locale", 16))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("deactivated_at"))
                    .col(string_len_null("deactivated_reason", 32))
                    .foreign_key(&mut fk("devices", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("devices", &["user_id", "active"])).await?;
        manager.create_index(index("devices", &["active", "last_seen_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("devices").to_owned()).await
    }
}
