//! The project a task serves, if any: its hours and service count then count for the project.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("tasks").add_column(uuid_null("project_id")).to_owned()).await?;
        manager.create_index(Index::create().name("tasks_by_project").table("tasks").col("project_id").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("tasks_by_project").table("tasks").to_owned()).await?;
        manager.alter_table(Table::alter().table("tasks").drop_column("project_id").to_owned()).await
    }
}
