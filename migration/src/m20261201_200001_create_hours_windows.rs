//! When the service an hours entry records took place (its window), for entries whose window is
//! not their task's schedule: claims that say when they started. The daily limit counts each
//! day its part of a window, and corrections stay inside it.

use crate::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("hours_windows")
                    .col(pk_uuid("entry_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .foreign_key(&mut fk("hours_windows", "entry_id", "hours_entries", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("hours_windows").to_owned()).await
    }
}
