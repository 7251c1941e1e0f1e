//! How a task checks people in: `code` (the volunteer scans the task's rotating code, the default
//! for existing tasks) or `strict` (the leader scans each volunteer's personal rotating code).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("tasks").add_column(string_len("check_in_mode", 16).default("code")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("tasks").drop_column("check_in_mode").to_owned()).await
    }
}
