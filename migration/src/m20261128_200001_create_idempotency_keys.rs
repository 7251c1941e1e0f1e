//! Stored first answers of requests sent with an `Idempotency-Key`, replayed for repeats.

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
                    .table("idempotency_keys")
                    .col(pk_uuid("id"))
                    .col(string_len("scope", 64))
                    .col(string_len("key", 128))
                    .col(string_len("operation", 64))
                    .col(string_len("fingerprint", 64))
                    .col(uuid_null("user_id"))
                    .col(integer_null("status_code"))
                    .col(blob_null("response"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("locked_until"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .foreign_key(&mut fk("idempotency_keys", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idempotency_keys", &["scope", "key"]).unique().to_owned()).await?;
        manager.create_index(index("idempotency_keys", &["expires_at"])).await?;
        manager.create_index(index("idempotency_keys", &["user_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("idempotency_keys").to_owned()).await
    }
}
