//! Skills a task requires.

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
                    .table("task_skills")
                    .col(uuid("task_id"))
                    .col(string_len("skill", 32))
                    .primary_key(Index::create().col("task_id").col("skill"))
                    .foreign_key(&mut fk("task_skills", "task_id", "tasks", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("task_skills", &["skill"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("task_skills").to_owned()).await
    }
}
