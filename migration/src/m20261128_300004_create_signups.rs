//! Sign-ups: one row per (task, volunteer), so the same volunteer can never hold two.

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
                    .table("signups")
                    .col(pk_uuid("id"))
                    .col(uuid("task_id"))
                    .col(uuid("volunteer_id"))
                    .col(string_len("status", 32))
                    .col(integer_null("position"))
                    .col(boolean("late_cancellation"))
                    .col(boolean("no_show"))
                    .col(string_len_null("reason", 500))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("confirmed_attendance_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("signups", "task_id", "tasks", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("signups", "volunteer_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        let mut unique = index("signups", &["task_id", "volunteer_id"]);
        manager.create_index(unique.unique().to_owned()).await?;
        manager.create_index(index("signups", &["task_id", "status", "position"])).await?;
        manager.create_index(index("signups", &["volunteer_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("signups").to_owned()).await
    }
}
