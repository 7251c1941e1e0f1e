//! The app installation a device row stands for (an id the app generates once per install): one row per installation, so a refreshed token replaces the old one instead of adding a row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("devices").add_column(string_len_null("installation_id", 64)).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("devices").drop_column("installation_id").to_owned()).await
    }
}
