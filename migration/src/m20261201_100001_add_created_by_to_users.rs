//! An account remembers who created it, so nobody decides on the records of an account they
//! made. Self-registered accounts and the first city administrator (created from the command
//! line) have none; so do accounts created before this was kept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").add_column(uuid_null("created_by")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("users").drop_column("created_by").to_owned()).await
    }
}
