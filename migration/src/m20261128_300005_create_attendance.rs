//! Check-in and check-out of confirmed volunteers, one row per sign-up.

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
                    .table("attendance")
                    .col(pk_uuid("signup_id"))
                    .col(uuid("task_id"))
                    .col(uuid("volunteer_id"))
                    .col(timestamp_with_time_zone("checked_in_at"))
                    .col(string_len("check_in_method", 32))
                    .col(double_null("check_in_lat"))
                    .col(double_null("check_in_lng"))
                    .col(timestamp_with_time_zone_null("checked_out_at"))
                    .col(string_len_null("check_out_method", 32))
                    .col(double_null("check_out_lat"))
                    .col(double_null("check_out_lng"))
                    .col(string_len_null("manual_reason", 500))
                    .col(uuid_null("recorded_by"))
                    .foreign_key(&mut fk("attendance", "signup_id", "signups", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("attendance", "task_id", "tasks", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("attendance", &["task_id", "checked_out_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("attendance").to_owned()).await
    }
}
