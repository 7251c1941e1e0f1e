//! An organiser chooses, per task, whether its required skills only steer dispatch (as before,
//! the default for existing tasks) or also gate sign-up.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("tasks")
                    .add_column(boolean("skills_required_for_signup").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("tasks").drop_column("skills_required_for_signup").to_owned()).await
    }
}
