//! Attendance a task's leader recorded by hand while not staff: held until an organiser confirms
//! (and it is applied) or rejects it.

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
                    .table("manual_attendance")
                    .col(pk_uuid("id"))
                    .col(uuid("signup_id"))
                    .col(uuid("task_id"))
                    .col(uuid("volunteer_id"))
                    .col(string_len("action", 16))
                    .col(timestamp_with_time_zone("at"))
                    .col(string_len("reason", 500))
                    .col(uuid("recorded_by"))
                    .col(string_len("status", 16))
                    .col(uuid_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(string_len_null("decision_reason", 500))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("manual_attendance", "signup_id", "signups", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("manual_attendance", "task_id", "tasks", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("manual_attendance", &["task_id", "status"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("manual_attendance").to_owned()).await
    }
}
