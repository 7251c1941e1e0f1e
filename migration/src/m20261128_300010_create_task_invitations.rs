//! Who was asked to join a task, and how: by the dispatch on publishing, or by a cover-needed
//! wave when a seat freed up late. One row per task, person and way of asking.

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
                    .table("task_invitations")
                    .col(uuid("task_id"))
                    .col(uuid("user_id"))
                    .col(string_len("kind", 16))
                    .col(integer("wave"))
                    .col(string_len("status", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .primary_key(Index::create().col("task_id").col("user_id").col("kind"))
                    .foreign_key(&mut fk("task_invitations", "task_id", "tasks", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("task_invitations", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        // "Least recently asked first" reads each person's latest invitation.
        manager.create_index(index("task_invitations", &["user_id", "created_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("task_invitations").to_owned()).await
    }
}
