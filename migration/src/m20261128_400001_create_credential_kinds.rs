//! Credential kinds an administrator defines (first aid, counselling, …) besides the three
//! national social-work levels, which are built in.

use crate::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("credential_kinds")
                    .col(pk_uuid("id"))
                    .col(string_len("code", 64).unique_key())
                    .col(string_len("name", 100))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("credential_kinds", "created_by", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("credential_kinds").to_owned()).await
    }
}
