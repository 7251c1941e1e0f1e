//! One table for every person: volunteers, social workers and administrators.

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
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(string_len_uniq("phone", 20))
                    .col(string_len("name", 100))
                    .col(string_len("password_hash", 200))
                    .col(string_len("role", 32))
                    .col(uuid_null("org_unit_id"))
                    .col(string_len("status", 32))
                    .col(string_len("locale", 16))
                    .col(string_len("time_zone", 64))
                    .col(string_len_uniq("volunteer_number", 20))
                    .col(integer("token_version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("users", "org_unit_id", "org_units", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("users", &["org_unit_id", "role"])).await?;
        manager.create_index(index("users", &["role", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("users").to_owned()).await
    }
}
