//! The app's bundle id (iOS) or package name (Android) a device registered with: vendor channels and APNs address an app by it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("devices").add_column(string_len_null("app_id", 128)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("devices").drop_column("app_id").to_owned()).await
    }
}
