//! SMS verification codes: one live code per phone and purpose, hashed; the number and code
//! sealed only until sent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("verification_codes")
                    .col(pk_uuid("id"))
                    .col(string_len("phone_key", 64))
                    .col(string_len("purpose", 32))
                    .col(string_len("code_hash", 64))
                    .col(blob_null("sealed"))
                    .col(uuid_null("subject_user_id"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone_null("consumed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("verification_codes_phone_purpose")
                    .table("verification_codes")
                    .col("phone_key")
                    .col("purpose")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("verification_codes").to_owned()).await
    }
}
