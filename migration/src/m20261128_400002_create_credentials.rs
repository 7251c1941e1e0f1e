//! Credentials people hold (certificates), their verification, expiry and registration (登记); a certificate number is unique per kind.

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
                    .table("credentials")
                    .col(pk_uuid("id"))
                    .col(uuid("holder_id"))
                    .col(string_len("kind", 64))
                    .col(string_len("number", 64))
                    .col(string_len("issuing_body", 200))
                    .col(date("issued_on"))
                    .col(date_null("expires_on"))
                    .col(string_len("evidence_ref", 500))
                    .col(date_null("registered_on"))
                    .col(string_len("status", 32))
                    .col(string_len_null("reason", 500))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("credentials", "holder_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("credentials", &["kind", "number"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("credentials", &["holder_id", "status"])).await?;
        manager.create_index(index("credentials", &["status", "expires_on"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("credentials").to_owned()).await
    }
}
